package models

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNotFound is returned when a row asked for by ID does not exist.
var ErrNotFound = errors.New("not found")

// Case is one data-subject request.
type Case struct {
	ID             string
	Reference      string
	WorkflowID     string
	Type           RequestType
	Regime         string
	Status         Status
	Paused         bool
	Outcome        Outcome
	Channel        Channel
	Language       string
	Relationship   Relationship
	Country        string
	SubjectEmail   string
	SubjectName    string
	SubjectPhone   string
	Details        string
	AssigneeID     *string
	IdempotencyKey *string
	ReceivedAt     time.Time
	DueAt          time.Time
	ExtendedDueAt  *time.Time
	AcknowledgeBy  *time.Time
	VerifiedAt     *time.Time
	ClosedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// BeforeSave keeps every time in UTC: SQLite compares times as text, and
// PostgreSQL's timestamp column would drop another zone's offset.
func (c *Case) BeforeSave(*gorm.DB) error {
	for _, t := range []*time.Time{&c.ReceivedAt, &c.DueAt, &c.CreatedAt, &c.UpdatedAt} {
		*t = t.UTC()
	}
	for _, t := range []*time.Time{c.ExtendedDueAt, c.AcknowledgeBy, c.VerifiedAt, c.ClosedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return nil
}

// CaseFacts is what a case workflow may know of its case: IDs, enums and
// dates, never personal data (it is kept in Temporal's history).
type CaseFacts struct {
	CaseID     string
	Type       RequestType
	Regime     string
	Status     Status
	Language   string
	DueAt      time.Time
	Extended   bool // the due date was already extended
	Extendable bool // the regime allows an extension
}

// Facts returns the non-personal facts of the case.
func (c *Case) Facts() CaseFacts {
	return CaseFacts{CaseID: c.ID, Type: c.Type, Regime: c.Regime, Status: c.Status, Language: c.Language,
		DueAt: c.DueAt, Extended: c.ExtendedDueAt != nil}
}

// Event is one line of a case's timeline.
type Event struct {
	ID       string
	CaseID   string
	EventKey string // unique per case: a retried activity records its event once
	At       time.Time
	Type     string
	Actor    string
	Summary  string
}

func (Event) TableName() string { return "case_events" }

// Note is free text a person wrote on a case (a reason for a denial, a
// remark with a verification). Workflows carry only its ID.
type Note struct {
	ID        string
	CaseID    string
	Kind      string
	Body      string
	AuthorID  *string
	CreatedAt time.Time
}

// CreateCase stores a new case and gives it the next reference of its year,
// both in one transaction.
func CreateCase(ctx context.Context, db *gorm.DB, c *Case) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		year := c.ReceivedAt.Year()
		var last int64
		err := tx.Raw(`INSERT INTO reference_counters (year, last_value) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1
			RETURNING last_value`, year).Scan(&last).Error
		if err != nil {
			return fmt.Errorf("next reference: %w", err)
		}
		c.Reference = fmt.Sprintf("DSR-%d-%06d", year, last)
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		return AddEvent(tx, c.ID, "received", "received", "requester",
			fmt.Sprintf("Request received by %s", c.Channel))
	})
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// GetCase loads one case.
func GetCase(ctx context.Context, db *gorm.DB, id string) (*Case, error) {
	return find[Case](ctx, db, "id = ?", id)
}

// CaseByIdempotencyKey finds the case an API client created with key.
func CaseByIdempotencyKey(ctx context.Context, db *gorm.DB, key string) (*Case, error) {
	return find[Case](ctx, db, "idempotency_key = ?", key)
}

// AddEvent records a timeline event once per (case, key).
func AddEvent(db *gorm.DB, caseID, key, typ, actor, summary string) error {
	e := Event{ID: NewID(), CaseID: caseID, EventKey: key, At: Now(), Type: typ, Actor: actor, Summary: summary}
	err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error
	if err != nil {
		return fmt.Errorf("record event %s on case %s: %w", key, caseID, err)
	}
	return nil
}

// Transition moves a case to status (and outcome, when closing) and records
// the event that explains it, once.
type Transition struct {
	CaseID   string
	Status   Status
	Outcome  Outcome
	EventKey string
	Actor    string
	Summary  string
}

// ApplyTransition writes a Transition idempotently.
func ApplyTransition(ctx context.Context, db *gorm.DB, t Transition) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := Now()
		updates := map[string]any{"status": t.Status, "updated_at": now}
		if t.Outcome != OutcomeNone {
			updates["outcome"] = t.Outcome
		}
		res := tx.Model(&Case{}).Where("id = ?", t.CaseID).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("set case %s to %s: %w", t.CaseID, t.Status, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if t.Status.Closed() {
			if err := closeCase(tx, t.CaseID, now); err != nil {
				return err
			}
		}
		return AddEvent(tx, t.CaseID, t.EventKey, string(t.Status), t.Actor, t.Summary)
	})
}

// closeCase sets closed_at and counts the closure in closure_stats, once:
// a retried transition finds closed_at set and counts nothing.
func closeCase(tx *gorm.DB, caseID string, now time.Time) error {
	res := tx.Model(&Case{}).Where("id = ? AND closed_at IS NULL", caseID).Update("closed_at", now)
	if res.Error != nil {
		return fmt.Errorf("close case %s: %w", caseID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	var c Case
	if err := tx.Select("received_at, due_at").Where("id = ?", caseID).Take(&c).Error; err != nil {
		return err
	}
	return countClosures(tx, []ClosureStat{closureOf(c.ReceivedAt, c.DueAt, now, 1)})
}

// ClosureStat counts cases closed on one day after the same number of
// whole days, on time or not.
type ClosureStat struct {
	ClosedOn    string // YYYY-MM-DD, UTC
	DaysToClose int
	OnTime      bool
	N           int64
}

func closureOf(received, due, closed time.Time, n int64) ClosureStat {
	return ClosureStat{ClosedOn: closed.UTC().Format("2006-01-02"), DaysToClose: int(closed.Sub(received).Hours() / 24),
		OnTime: !closed.After(due), N: n}
}

// CountClosedCases adds cases stored already closed (imported or seeded)
// to closure_stats; transitions count the cases they close themselves.
func CountClosedCases(ctx context.Context, db *gorm.DB, cases []Case) error {
	byKey := map[ClosureStat]int64{}
	for _, c := range cases {
		if c.ClosedAt != nil {
			byKey[closureOf(c.ReceivedAt, c.DueAt, *c.ClosedAt, 0)]++
		}
	}
	stats := make([]ClosureStat, 0, len(byKey))
	for k, n := range byKey {
		k.N = n
		stats = append(stats, k)
	}
	return countClosures(db.WithContext(ctx), stats)
}

// countClosures adds to closure_stats.
func countClosures(tx *gorm.DB, stats []ClosureStat) error {
	for _, s := range stats {
		err := tx.Exec(`INSERT INTO closure_stats (closed_on, days_to_close, on_time, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (closed_on, days_to_close, on_time) DO UPDATE SET n = closure_stats.n + excluded.n`,
			s.ClosedOn, s.DaysToClose, s.OnTime, s.N).Error
		if err != nil {
			return fmt.Errorf("count closures: %w", err)
		}
	}
	return nil
}

// MarkVerified records that the requester's identity was confirmed.
func MarkVerified(ctx context.Context, db *gorm.DB, caseID string) error {
	return db.WithContext(ctx).Model(&Case{}).Where("id = ? AND verified_at IS NULL", caseID).
		Updates(map[string]any{"verified_at": Now(), "updated_at": Now()}).Error
}

// ExtendDue moves a case's due date to its extended date and records it.
func ExtendDue(ctx context.Context, db *gorm.DB, caseID string, due time.Time, actor, summary string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Case{}).Where("id = ?", caseID).Updates(map[string]any{
			"due_at": due.UTC(), "extended_due_at": due.UTC(), "updated_at": Now()}).Error
		if err != nil {
			return fmt.Errorf("extend case %s: %w", caseID, err)
		}
		return AddEvent(tx, caseID, "extended", "extended", actor, summary)
	})
}

// SetRegime puts a case under another regime with its recomputed dates.
func SetRegime(ctx context.Context, db *gorm.DB, caseID, regime string, due time.Time, extendedDue, acknowledgeBy *time.Time, actor, summary string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Case{}).Where("id = ?", caseID).Updates(map[string]any{
			"regime": regime, "due_at": due.UTC(), "extended_due_at": extendedDue,
			"acknowledge_by": acknowledgeBy, "updated_at": Now()}).Error
		if err != nil {
			return fmt.Errorf("set regime of case %s: %w", caseID, err)
		}
		return AddEvent(tx, caseID, "regime-"+regime+"-"+due.UTC().Format(time.RFC3339), "regime", actor, summary)
	})
}

// AddNote stores a note and returns its ID.
func AddNote(ctx context.Context, db *gorm.DB, caseID, kind, body string, authorID *string) (string, error) {
	n := Note{ID: NewID(), CaseID: caseID, Kind: kind, Body: body, AuthorID: authorID, CreatedAt: Now()}
	if err := db.WithContext(ctx).Create(&n).Error; err != nil {
		return "", fmt.Errorf("add note to case %s: %w", caseID, err)
	}
	return n.ID, nil
}

// GetNote loads a note of a case; an empty ID gives an empty note.
func GetNote(ctx context.Context, db *gorm.DB, caseID, id string) (Note, error) {
	var n Note
	if id == "" {
		return n, nil
	}
	err := db.WithContext(ctx).Where("id = ? AND case_id = ?", id, caseID).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return n, ErrNotFound
	}
	return n, err
}

// CaseFilter selects cases for the queue.
type CaseFilter struct {
	Status     Status
	Type       RequestType
	Regime     string
	AssigneeID string
	DueBefore  *time.Time
	Reference  string // exact reference, for the search box
	Limit      int
	Cursor     string
}

// ListCases returns cases ordered by due date (then ID) and the cursor of
// the next page, or "" on the last page. Keyset paging keeps deep pages as
// fast as the first.
func ListCases(ctx context.Context, db *gorm.DB, f CaseFilter) ([]Case, string, error) {
	q := db.WithContext(ctx).Model(&Case{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Regime != "" {
		q = q.Where("regime = ?", f.Regime)
	}
	if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.DueBefore != nil {
		q = q.Where("due_at < ?", f.DueBefore.UTC())
	}
	if f.Reference != "" {
		q = q.Where("reference = ?", strings.ToUpper(strings.TrimSpace(f.Reference)))
	}
	if f.Cursor != "" {
		due, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(due_at > ?) OR (due_at = ? AND id > ?)", due, due, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var cases []Case
	if err := q.Order("due_at, id").Limit(limit + 1).Find(&cases).Error; err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	next := ""
	if len(cases) > limit {
		cases = cases[:limit]
		last := cases[limit-1]
		next = encodeCursor(last.DueAt, last.ID)
	}
	return cases, next, nil
}

// ErrBadCursor is returned for a cursor this server did not make.
var ErrBadCursor = errors.New("cursor is not one this server made")

func encodeCursor(due time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(due.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(s string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(b), "|")
	due, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return time.Time{}, "", ErrBadCursor
	}
	return due.UTC(), id, nil
}

// CaseEvents returns a case's timeline, oldest first.
func CaseEvents(ctx context.Context, db *gorm.DB, caseID string) ([]Event, error) {
	var out []Event
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("at, id").Find(&out).Error
	return out, err
}
