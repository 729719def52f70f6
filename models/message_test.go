package models_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func newMessage(caseID *string, key string) *models.Message {
	return &models.Message{MessageKey: key, CaseID: caseID, Template: "acknowledgement",
		ToAddr: "subject@example.test", Subject: "Hello", BodyText: "text", BodyHTML: "<p>html</p>",
		Status: models.MessageQueued}
}

func TestInsertMessageIsIdempotentByKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)
		first, err := models.InsertMessage(ctx, db, newMessage(&c.ID, "case/x/ack"))
		require.NoError(t, err)
		require.NotEmpty(t, first.ID)
		require.Equal(t, "Hello", first.Subject)
		require.Equal(t, models.MessageQueued, first.Status)
		require.Equal(t, 0, first.Attempts)
		require.Nil(t, first.SentAt)

		second := newMessage(&c.ID, "case/x/ack")
		second.Subject = "Different"
		got, err := models.InsertMessage(ctx, db, second)
		require.NoError(t, err)
		require.Equal(t, first.ID, got.ID)
		require.Equal(t, "Hello", got.Subject, "the stored message wins")

		msgs, err := models.CaseMessages(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)

		// Messages without a case (to system owners) are allowed.
		owner, err := models.InsertMessage(ctx, db, newMessage(nil, "owner/y"))
		require.NoError(t, err)
		require.Nil(t, owner.CaseID)

		byKey, err := models.MessageByKey(ctx, db, "owner/y")
		require.NoError(t, err)
		require.Equal(t, owner.ID, byKey.ID)
		_, err = models.MessageByKey(ctx, db, "no/such/key")
		require.ErrorIs(t, err, models.ErrNotFound)
		_, err = models.GetMessage(ctx, db, models.NewID())
		require.ErrorIs(t, err, models.ErrNotFound)

		recent, err := models.RecentMessages(ctx, db, 10)
		require.NoError(t, err)
		require.Len(t, recent, 2)
		require.Equal(t, owner.ID, recent[0].ID, "newest first")
	})
}

func TestRecordDelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		m, err := models.InsertMessage(ctx, db, newMessage(nil, "k"))
		require.NoError(t, err)

		require.NoError(t, models.RecordDelivery(ctx, db, m.ID, models.MessageQueued, "451 try later"))
		got, err := models.GetMessage(ctx, db, m.ID)
		require.NoError(t, err)
		require.Equal(t, 1, got.Attempts)
		require.Equal(t, models.MessageQueued, got.Status)
		require.Equal(t, "451 try later", got.Error)
		require.Nil(t, got.SentAt)

		require.NoError(t, models.RecordDelivery(ctx, db, m.ID, models.MessageSent, ""))
		got, err = models.GetMessage(ctx, db, m.ID)
		require.NoError(t, err)
		require.Equal(t, 2, got.Attempts)
		require.Equal(t, models.MessageSent, got.Status)
		require.Empty(t, got.Error)
		require.NotNil(t, got.SentAt)
	})
}

func TestRedactSentLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		m := newMessage(nil, "v")
		m.BodyText = "open http://dsr.test/verify/abcdefghijklmnopqrstuvwxyz0123 now"
		m.BodyHTML = `<a href="http://dsr.test/verify/abcdefghijklmnopqrstuvwxyz0123">x</a>`
		stored, err := models.InsertMessage(ctx, db, m)
		require.NoError(t, err)
		re := regexp.MustCompile(`/verify/[A-Za-z0-9_-]{20,}`)
		require.NoError(t, models.RedactSentLinks(ctx, db, stored.ID, re))
		got, err := models.GetMessage(ctx, db, stored.ID)
		require.NoError(t, err)
		require.Equal(t, "open http://dsr.test/verify/[removed after sending] now", got.BodyText)
		require.Equal(t, `<a href="http://dsr.test/verify/[removed after sending]">x</a>`, got.BodyHTML)
		// Nothing to redact: no error, no change.
		require.NoError(t, models.RedactSentLinks(ctx, db, stored.ID, re))
		require.ErrorIs(t, models.RedactSentLinks(ctx, db, models.NewID(), re), models.ErrNotFound)
	})
}

func TestVerificationTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)
		store := func(expires time.Time) string {
			secret, hash := models.NewSecret()
			require.NotEqual(t, secret, hash)
			require.Equal(t, models.HashSecret(secret), hash)
			require.NoError(t, db.Create(&models.VerificationToken{TokenHash: hash, CaseID: c.ID,
				CreatedAt: models.Now(), ExpiresAt: expires}).Error)
			return secret
		}
		valid := store(models.Now().Add(time.Hour))
		expired := store(models.Now().Add(-time.Second))

		caseID, err := models.CheckVerificationToken(ctx, db, "unknown-secret")
		require.ErrorIs(t, err, models.ErrTokenUnknown)
		require.Empty(t, caseID)
		// The hash itself is not a working secret.
		_, err = models.CheckVerificationToken(ctx, db, models.HashSecret(valid))
		require.ErrorIs(t, err, models.ErrTokenUnknown)

		caseID, err = models.CheckVerificationToken(ctx, db, valid)
		require.NoError(t, err)
		require.Equal(t, c.ID, caseID)

		caseID, err = models.CheckVerificationToken(ctx, db, expired)
		require.ErrorIs(t, err, models.ErrTokenExpired)
		require.Equal(t, c.ID, caseID)

		require.NoError(t, models.UseVerificationToken(ctx, db, valid))
		caseID, err = models.CheckVerificationToken(ctx, db, valid)
		require.ErrorIs(t, err, models.ErrTokenUsed)
		require.Equal(t, c.ID, caseID)

		var tok models.VerificationToken
		require.NoError(t, db.Where("token_hash = ?", models.HashSecret(valid)).Take(&tok).Error)
		require.NotNil(t, tok.UsedAt)
		usedAt := *tok.UsedAt
		time.Sleep(2 * time.Millisecond)
		// Using it again changes nothing.
		require.NoError(t, models.UseVerificationToken(ctx, db, valid))
		require.NoError(t, db.Where("token_hash = ?", models.HashSecret(valid)).Take(&tok).Error)
		require.True(t, usedAt.Equal(*tok.UsedAt))

		// Using an unknown secret is harmless.
		require.NoError(t, models.UseVerificationToken(ctx, db, "unknown-secret"))
	})
}

func TestNewSecret(t *testing.T) {
	a, ha := models.NewSecret()
	b, hb := models.NewSecret()
	require.NotEqual(t, a, b)
	require.NotEqual(t, ha, hb)
	require.Len(t, a, 43, "256 bits, URL-safe base64 without padding")
	require.Regexp(t, `^[A-Za-z0-9_-]+$`, a)
	require.Len(t, ha, 64)
	require.NotEqual(t, models.NewID(), models.NewID())
}
