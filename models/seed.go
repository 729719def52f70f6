package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// SeedCases fills the database with n synthetic cases for load tests and
// demonstrations: received over the two years before now, nineteen in
// twenty closed, the rest open in every status. Subjects are made up
// (example.invalid addresses). The cases have no workflows: they exist to
// measure the queue, search and dashboard, not to be worked.
func SeedCases(ctx context.Context, db *gorm.DB, n int, seed uint64, now time.Time) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	openStatuses := []Status{StatusIdentityUnverified, StatusPendingReview, StatusInProgress, StatusAwaitingResponse}
	regimes := []string{"gdpr", "gdpr", "gdpr", "uk_gdpr", "ccpa", "lgpd", "pipeda"}
	const batch = 2000
	for start := 0; start < n; start += batch {
		size := min(batch, n-start)
		cases := make([]Case, 0, size)
		for i := start; i < start+size; i++ {
			received := now.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
			due := received.Add(30 * 24 * time.Hour)
			id := NewID()
			c := Case{
				ID: id, Reference: fmt.Sprintf("SEED-%d-%07d", received.Year(), i), WorkflowID: "seed-" + id,
				Type: RequestTypes[rng.IntN(len(RequestTypes))], Regime: regimes[rng.IntN(len(regimes))],
				Channel: ChannelWeb, Language: "en", Relationship: RelationshipDataSubject, Country: "NL",
				SubjectEmail: fmt.Sprintf("person%d@example.invalid", i), SubjectName: fmt.Sprintf("Person %d", i),
				ReceivedAt: received, DueAt: due, CreatedAt: received, UpdatedAt: received,
			}
			if rng.IntN(20) == 0 || due.After(now.Add(10*24*time.Hour)) {
				c.Status = openStatuses[rng.IntN(len(openStatuses))]
				c.Paused = rng.IntN(10) == 0
			} else {
				closed := received.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
				c.Status, c.Outcome, c.ClosedAt = StatusCompleted, OutcomeFulfilled, &closed
			}
			cases = append(cases, c)
		}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(cases, 500).Error; err != nil {
				return fmt.Errorf("insert seed cases: %w", err)
			}
			return CountClosedCases(ctx, tx, cases)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
