package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MessageStatus says whether an outgoing message has left.
type MessageStatus string

const (
	// MessageHeld messages stay in the outbox: no SMTP server is configured.
	MessageHeld   MessageStatus = "held"
	MessageQueued MessageStatus = "queued"
	MessageSent   MessageStatus = "sent"
	MessageFailed MessageStatus = "failed"
)

// Message is one outgoing email, kept whether or not it was sent.
type Message struct {
	ID         string
	MessageKey string // idempotency key: one message per key, however often an activity runs
	CaseID     *string
	Template   string
	ToAddr     string
	Subject    string
	BodyText   string
	BodyHTML   string
	Status     MessageStatus
	Error      string
	Attempts   int
	CreatedAt  time.Time
	SentAt     *time.Time
}

// MessageByKey finds the message written for an idempotency key.
func MessageByKey(ctx context.Context, db *gorm.DB, key string) (*Message, error) {
	return find[Message](ctx, db, "message_key = ?", key)
}

// InsertMessage stores m unless a message with its key exists, and returns
// the stored message either way.
func InsertMessage(ctx context.Context, db *gorm.DB, m *Message) (*Message, error) {
	if m.ID == "" {
		m.ID = NewID()
	}
	m.CreatedAt = Now()
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m).Error; err != nil {
		return nil, fmt.Errorf("store message %s: %w", m.MessageKey, err)
	}
	return MessageByKey(ctx, db, m.MessageKey)
}

// RecordDelivery stores the result of one delivery attempt.
func RecordDelivery(ctx context.Context, db *gorm.DB, id string, status MessageStatus, deliveryErr string) error {
	updates := map[string]any{"status": status, "error": deliveryErr, "attempts": gorm.Expr("attempts + 1")}
	if status == MessageSent {
		updates["sent_at"] = Now()
	}
	return db.WithContext(ctx).Model(&Message{}).Where("id = ?", id).Updates(updates).Error
}

// CaseMessages lists a case's messages, oldest first.
func CaseMessages(ctx context.Context, db *gorm.DB, caseID string) ([]Message, error) {
	var out []Message
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at, id").Find(&out).Error
	return out, err
}

// RecentMessages lists the newest messages for the outbox page.
func RecentMessages(ctx context.Context, db *gorm.DB, limit int) ([]Message, error) {
	var out []Message
	err := db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// GetMessage loads one message.
func GetMessage(ctx context.Context, db *gorm.DB, id string) (*Message, error) {
	return find[Message](ctx, db, "id = ?", id)
}

// VerificationToken is the hashed form of an emailed verification link.
type VerificationToken struct {
	TokenHash string `gorm:"primaryKey"`
	CaseID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Token lookup failures the requester sees explained.
var (
	ErrTokenUnknown = errors.New("this link is not valid")
	ErrTokenUsed    = errors.New("this link has already been used")
	ErrTokenExpired = errors.New("this link has expired")
)

// CheckVerificationToken returns the case a still-usable link belongs to.
func CheckVerificationToken(ctx context.Context, db *gorm.DB, secret string) (string, error) {
	var t VerificationToken
	err := db.WithContext(ctx).Where("token_hash = ?", HashSecret(secret)).Take(&t).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return "", ErrTokenUnknown
	case err != nil:
		return "", fmt.Errorf("look up verification token: %w", err)
	case t.UsedAt != nil:
		return t.CaseID, ErrTokenUsed
	case Now().After(t.ExpiresAt):
		return t.CaseID, ErrTokenExpired
	}
	return t.CaseID, nil
}

// UseVerificationToken marks a link used so that it cannot be used again.
func UseVerificationToken(ctx context.Context, db *gorm.DB, secret string) error {
	return db.WithContext(ctx).Model(&VerificationToken{}).
		Where("token_hash = ? AND used_at IS NULL", HashSecret(secret)).Update("used_at", Now()).Error
}

// RedactSentLinks removes one-use link secrets from a sent message's stored
// copy; the outbox then shows the message without a working link.
func RedactSentLinks(ctx context.Context, db *gorm.DB, id string, secret *regexp.Regexp) error {
	m, err := GetMessage(ctx, db, id)
	if err != nil {
		return err
	}
	text := secret.ReplaceAllString(m.BodyText, "/verify/[removed after sending]")
	html := secret.ReplaceAllString(m.BodyHTML, "/verify/[removed after sending]")
	if text == m.BodyText && html == m.BodyHTML {
		return nil
	}
	return db.WithContext(ctx).Model(&Message{}).Where("id = ?", id).
		Updates(map[string]any{"body_text": text, "body_html": html}).Error
}
