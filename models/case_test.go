package models_test

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestCreateCaseReferencesAreSequentialPerYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		in2025 := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
		in2026 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		steps := []struct {
			received time.Time
			want     string
		}{
			{in2025, "DSR-2025-000001"},
			{in2025, "DSR-2025-000002"},
			{in2026, "DSR-2026-000001"},
			{in2025, "DSR-2025-000003"},
			{in2026, "DSR-2026-000002"},
		}
		for _, s := range steps {
			c := createCase(t, db, func(c *models.Case) { c.ReceivedAt = s.received })
			require.Equal(t, s.want, c.Reference)
			got, err := models.GetCase(ctx, db, c.ID)
			require.NoError(t, err)
			require.Equal(t, s.want, got.Reference)
		}
	})
}

func TestCreateCaseRecordsReceivedEvent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, func(c *models.Case) { c.Channel = models.ChannelAPI })
		evs := events(t, db, c.ID)
		require.Len(t, evs, 1)
		require.Equal(t, "received", evs[0].EventKey)
		require.Equal(t, "received", evs[0].Type)
		require.Equal(t, "requester", evs[0].Actor)
		require.Equal(t, "Request received by api", evs[0].Summary)
	})
}

func TestCreateCaseConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const n = 20
		refs := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c := newCase(day)
				errs[i] = models.CreateCase(ctx, db, c)
				refs[i] = c.Reference
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "goroutine %d", i)
		}
		sort.Strings(refs)
		for i, ref := range refs {
			require.Equal(t, fmt.Sprintf("DSR-2025-%06d", i+1), ref)
		}
		cases, _, err := models.ListCases(ctx, db, models.CaseFilter{Limit: 200})
		require.NoError(t, err)
		require.Len(t, cases, n)
	})
}

func TestCreateCaseIdempotencyKeyIsUnique(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		key := "client-key-1"
		first := createCase(t, db, func(c *models.Case) { c.IdempotencyKey = &key })

		dup := newCase(day)
		dup.IdempotencyKey = &key
		err := models.CreateCase(ctx, db, dup)
		require.Error(t, err)
		require.True(t, models.IsUniqueViolation(err), "error %q", err)

		found, err := models.CaseByIdempotencyKey(ctx, db, key)
		require.NoError(t, err)
		require.Equal(t, first.ID, found.ID)
		_, err = models.CaseByIdempotencyKey(ctx, db, "other-key")
		require.ErrorIs(t, err, models.ErrNotFound)

		// The failed insert rolled its reference back: no gap.
		next := createCase(t, db, nil)
		require.Equal(t, "DSR-2025-000002", next.Reference)

		// Cases without a key do not collide on NULL.
		createCase(t, db, nil)
	})
}

func TestIsUniqueViolation(t *testing.T) {
	require.False(t, models.IsUniqueViolation(nil))
	require.False(t, models.IsUniqueViolation(errors.New("connection refused")))
	require.True(t, models.IsUniqueViolation(gorm.ErrDuplicatedKey))
	require.True(t, models.IsUniqueViolation(fmt.Errorf("wrapped: %w", gorm.ErrDuplicatedKey)))
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createUser(t, db, "dup@example.test", models.RoleHandler)
		u := models.User{ID: models.NewID(), Email: "dup@example.test", Role: models.RoleHandler,
			PasswordHash: "x", CreatedAt: models.Now(), UpdatedAt: models.Now()}
		err := db.Create(&u).Error
		require.Error(t, err)
		require.True(t, models.IsUniqueViolation(err), "error %q", err)
		// A foreign-key failure is not a unique violation.
		tok := models.APIToken{ID: models.NewID(), UserID: "no-such-user", TokenHash: "h", CreatedAt: models.Now()}
		err = db.Create(&tok).Error
		require.Error(t, err)
		require.False(t, models.IsUniqueViolation(err), "error %q", err)
	})
}

func TestGetCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, err := models.GetCase(ctx, db, models.NewID())
		require.ErrorIs(t, err, models.ErrNotFound)

		c := createCase(t, db, nil)
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, c.SubjectEmail, got.SubjectEmail)
		require.Equal(t, c.Facts(), got.Facts())
	})
}

func TestApplyTransition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)

		require.NoError(t, models.ApplyTransition(ctx, db, models.Transition{
			CaseID: c.ID, Status: models.StatusInProgress, EventKey: "start", Actor: "system", Summary: "Started",
		}))
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.StatusInProgress, got.Status)
		require.Equal(t, models.OutcomeNone, got.Outcome)
		require.Nil(t, got.ClosedAt)

		done := models.Transition{CaseID: c.ID, Status: models.StatusCompleted, Outcome: models.OutcomeFulfilled,
			EventKey: "complete", Actor: "handler@example.test", Summary: "Answered"}
		require.NoError(t, models.ApplyTransition(ctx, db, done))
		got, err = models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.StatusCompleted, got.Status)
		require.Equal(t, models.OutcomeFulfilled, got.Outcome)
		require.NotNil(t, got.ClosedAt)
		closedAt := *got.ClosedAt

		// A retried activity: same key, nothing new on the timeline and the
		// closing time stays the first one.
		time.Sleep(2 * time.Millisecond)
		require.NoError(t, models.ApplyTransition(ctx, db, done))
		again, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.StatusCompleted, again.Status)
		require.True(t, closedAt.Equal(*again.ClosedAt), "closed_at moved from %v to %v", closedAt, *again.ClosedAt)
		require.Equal(t, 1, countEvents(t, db, c.ID, "complete"))
		require.Equal(t, 1, countEvents(t, db, c.ID, "start"))

		evs := events(t, db, c.ID)
		require.Len(t, evs, 3) // received, start, complete
		last := evs[len(evs)-1]
		require.Equal(t, "complete", last.EventKey)
		require.Equal(t, string(models.StatusCompleted), last.Type)
		require.Equal(t, "handler@example.test", last.Actor)
		require.Equal(t, "Answered", last.Summary)

		err = models.ApplyTransition(ctx, db, models.Transition{
			CaseID: models.NewID(), Status: models.StatusDenied, EventKey: "deny", Actor: "system",
		})
		require.ErrorIs(t, err, models.ErrNotFound)
	})
}

func TestMarkVerifiedIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)
		require.NoError(t, models.MarkVerified(ctx, db, c.ID))
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.NotNil(t, got.VerifiedAt)
		first := *got.VerifiedAt
		time.Sleep(2 * time.Millisecond)
		require.NoError(t, models.MarkVerified(ctx, db, c.ID))
		got, err = models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.True(t, first.Equal(*got.VerifiedAt))
	})
}

func TestNotes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)
		other := createCase(t, db, nil)
		u := createUser(t, db, "author@example.test", models.RoleHandler)
		id, err := models.AddNote(ctx, db, c.ID, "denial", "Asked five times this month.", &u.ID)
		require.NoError(t, err)

		n, err := models.GetNote(ctx, db, c.ID, id)
		require.NoError(t, err)
		require.Equal(t, "Asked five times this month.", n.Body)
		require.Equal(t, "denial", n.Kind)
		require.Equal(t, u.ID, *n.AuthorID)

		empty, err := models.GetNote(ctx, db, c.ID, "")
		require.NoError(t, err)
		require.Empty(t, empty.Body)

		// A note is only found through its own case.
		_, err = models.GetNote(ctx, db, other.ID, id)
		require.ErrorIs(t, err, models.ErrNotFound)
	})
}

func TestTimesRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := models.Now()
		require.Equal(t, time.UTC, now.Location())
		// Force a sub-second part with all six digits.
		received := now.Truncate(time.Second).Add(123456 * time.Microsecond)
		ack := now.Add(48 * time.Hour)
		c := createCase(t, db, func(c *models.Case) {
			c.ReceivedAt = received
			c.DueAt = now.Add(30 * 24 * time.Hour)
			c.AcknowledgeBy = &ack
			c.CreatedAt = now
			c.UpdatedAt = now
		})
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		// Equal values, in UTC: == comparisons and testify's Equal both hold.
		require.Equal(t, received, got.ReceivedAt)
		require.Equal(t, c.DueAt, got.DueAt)
		require.Equal(t, now, got.CreatedAt)
		require.Equal(t, ack, *got.AcknowledgeBy)
		require.True(t, got.ReceivedAt == received)
		require.Nil(t, got.ExtendedDueAt)
		require.Nil(t, got.VerifiedAt)
	})
}

func TestTimesInOtherZonesAreStoredAsTheSameInstant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		amsterdam, err := time.LoadLocation("Europe/Amsterdam")
		require.NoError(t, err)
		due := time.Date(2026, 12, 28, 23, 59, 59, 0, amsterdam)
		early := createCase(t, db, func(c *models.Case) { c.DueAt = due })
		late := createCase(t, db, func(c *models.Case) { c.DueAt = due.Add(2 * time.Hour).UTC() })
		got, err := models.GetCase(ctx, db, early.ID)
		require.NoError(t, err)
		require.True(t, got.DueAt.Equal(due), "stored %s, want %s", got.DueAt, due)
		list, _, err := models.ListCases(ctx, db, models.CaseFilter{})
		require.NoError(t, err)
		require.Equal(t, []string{early.ID, late.ID}, []string{list[0].ID, list[1].ID}, "ordered by instant")
	})
}
