package models_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestDashboardCountsAndPerformance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		at := func(days float64) time.Time { return now.Add(time.Duration(days * 24 * float64(time.Hour))) }
		open := func(status models.Status, dueInDays float64, paused bool) {
			createCase(t, db, func(c *models.Case) {
				c.Status, c.DueAt, c.Paused, c.ReceivedAt = status, at(dueInDays), paused, at(-10)
			})
		}
		closed := func(receivedDaysAgo, tookDays float64, onTime bool) {
			due := at(-receivedDaysAgo + tookDays + 1)
			if !onTime {
				due = at(-receivedDaysAgo + tookDays - 1)
			}
			closedAt := at(-receivedDaysAgo + tookDays)
			c := createCase(t, db, func(c *models.Case) {
				c.Status, c.ReceivedAt, c.DueAt, c.ClosedAt = models.StatusCompleted, at(-receivedDaysAgo), due, &closedAt
			})
			require.NoError(t, models.CountClosedCases(ctx, db, []models.Case{*c}))
		}
		open(models.StatusInProgress, 3, false)    // due soon
		open(models.StatusInProgress, -2, false)   // overdue
		open(models.StatusPendingReview, 20, true) // paused
		closed(20, 10, true)                       // closed 10 days ago, on time
		closed(40, 30, false)                      // closed 10 days ago, late
		closed(100, 20, true)                      // closed 80 days ago

		d, err := models.LoadDashboard(ctx, db, now)
		require.NoError(t, err)
		require.EqualValues(t, 3, d.Open)
		require.EqualValues(t, 1, d.DueIn7Days)
		require.EqualValues(t, 1, d.Overdue)
		require.EqualValues(t, 1, d.Paused)
		require.Equal(t, []models.Count{{Key: "in_progress", Count: 2}, {Key: "pending_review", Count: 1}}, d.ByStatus)
		require.Equal(t, []models.Count{{Key: "", Count: 3}}, d.ByAssignee, "all unassigned")

		require.Len(t, d.Performance, 3)
		last30, last90 := d.Performance[0], d.Performance[1]
		require.EqualValues(t, 2, last30.Closed)
		require.EqualValues(t, 1, last30.OnTime)
		require.InDelta(t, 0.5, last30.OnTimeRate(), 1e-9)
		require.InDelta(t, 20, last30.MedianDaysToClose, 1e-6, "median of 10 and 30 days")
		require.EqualValues(t, 3, last90.Closed)
		require.InDelta(t, 20, last90.MedianDaysToClose, 1e-6, "median of 10, 20 and 30 days")
	})
}

func TestClosingTransitionCountsTheClosureOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		c := createCase(t, db, nil)
		tr := models.Transition{CaseID: c.ID, Status: models.StatusCompleted, Outcome: models.OutcomeFulfilled,
			EventKey: "completed", Actor: "system", Summary: "done"}
		require.NoError(t, models.ApplyTransition(ctx, db, tr))
		require.NoError(t, models.ApplyTransition(ctx, db, tr), "a retried activity")
		var n int64
		require.NoError(t, db.Table("closure_stats").Select("COALESCE(SUM(n), 0)").Scan(&n).Error)
		require.EqualValues(t, 1, n)
		d, err := models.LoadDashboard(ctx, db, time.Now().UTC())
		require.NoError(t, err)
		require.EqualValues(t, 1, d.Performance[0].Closed)
	})
}
