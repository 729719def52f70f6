package activities_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/smtptest"
	"github.com/dsrcase/dsr/workflows"
)

func TestExtendDeadlineMovesTheDueDateOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil) // gdpr, received 11 March 2025
		due, err := a.ExtendDeadline(ctx, workflows.ExtendDeadlineRequest{CaseID: c.ID})
		require.NoError(t, err)
		// Three months from 11 March is 11 June 2025, a Wednesday: the
		// end of that day in Amsterdam.
		want := time.Date(2025, 6, 11, 21, 59, 59, 999999000, time.UTC)
		require.True(t, due.Equal(want), "extended to %s, want %s", due, want)

		again, err := a.ExtendDeadline(ctx, workflows.ExtendDeadlineRequest{CaseID: c.ID})
		require.NoError(t, err)
		require.True(t, again.Equal(due), "a retried activity answers the same date")

		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.True(t, got.DueAt.Equal(want))
		require.True(t, got.ExtendedDueAt.Equal(want))
		events, err := models.CaseEvents(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, "Deadline extended from 11 April 2025 to 11 June 2025", events[len(events)-1].Summary)
	})
}

func TestExtendDeadlineRefusesRegimesWithoutExtension(t *testing.T) {
	db := dbtest.SQLite(t)
	a := newActivities(db, nil)
	c := createCase(t, db, func(c *models.Case) { c.Regime = "lgpd" })
	_, err := a.ExtendDeadline(ctx, workflows.ExtendDeadlineRequest{CaseID: c.ID})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable())
}

func TestDeadlineAlertsReachTheAssigneeOrTheManagers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t)
		a := newActivities(db, sender)
		handler, err := models.CreateUser(ctx, db, "handler@staff.test", models.RoleHandler, "correct horse battery")
		require.NoError(t, err)
		_, err = models.CreateUser(ctx, db, "manager@staff.test", models.RoleManager, "correct horse battery")
		require.NoError(t, err)
		_, err = models.CreateUser(ctx, db, "admin@staff.test", models.RoleAdmin, "correct horse battery")
		require.NoError(t, err)

		unassigned := createCase(t, db, nil)
		remind := workflows.AlertRequest{CaseID: unassigned.ID, Template: workflows.TemplateDeadlineReminder, Key: "reminder-7d-1", DueAt: dueAt}
		require.NoError(t, a.SendDeadlineAlert(ctx, remind))
		require.NoError(t, a.SendDeadlineAlert(ctx, remind), "a retry sends nothing twice")
		require.ElementsMatch(t, []string{"manager@staff.test", "admin@staff.test"}, recipients(srv.Messages()))

		assigned := createCase(t, db, func(c *models.Case) { c.AssigneeID = &handler.ID })
		require.NoError(t, a.SendDeadlineAlert(ctx, workflows.AlertRequest{CaseID: assigned.ID,
			Template: workflows.TemplateDeadlineReminder, Key: "reminder-3d-1", DueAt: dueAt}))
		require.Equal(t, "handler@staff.test", recipients(srv.Messages())[2], "a reminder goes to the assignee alone")
		require.Len(t, srv.Messages(), 3)

		require.NoError(t, a.SendDeadlineAlert(ctx, workflows.AlertRequest{CaseID: assigned.ID,
			Template: workflows.TemplateDeadlineOverdue, Key: "overdue-1-1", DueAt: dueAt}))
		require.ElementsMatch(t, []string{"handler@staff.test", "manager@staff.test", "admin@staff.test"},
			recipients(srv.Messages()[3:]), "an overdue case reaches the managers too")
		last := srv.Messages()[len(srv.Messages())-1]
		require.Contains(t, last.Subject, "OVERDUE")
		require.NotContains(t, last.TextBody, subjectEmail, "internal alerts carry no personal data")
		require.NotContains(t, last.TextBody, "Sam Subject")

		events, err := models.CaseEvents(ctx, db, assigned.ID)
		require.NoError(t, err)
		require.Equal(t, "Overdue since 11 April 2025; managers alerted", events[len(events)-1].Summary)
	})
}

func recipients(msgs []smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	return out
}

func TestPauseAndResumeMoveAGDPRDueDateByThePausedDays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		received := time.Now().UTC().Add(-48 * time.Hour)
		c := createCase(t, db, func(c *models.Case) { c.ReceivedAt = received })
		req := workflows.ClockRequest{CaseID: c.ID}
		require.NoError(t, a.PauseClock(ctx, req))
		require.NoError(t, a.PauseClock(ctx, req), "a retried pause changes nothing")
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.True(t, got.Paused)

		due, err := a.ResumeClock(ctx, req)
		require.NoError(t, err)
		// Paused and resumed today: one day, counted inclusively, added to
		// the month rule before rolling (the calculator is tested against
		// the regulator's worked examples elsewhere).
		zone := deadline.DefaultZone(deadline.GDPR)
		todayDate := deadline.DateOf(time.Now().In(zone))
		want, err := deadline.Compute(deadline.Input{Regime: deadline.GDPR, Received: received,
			Pauses: []deadline.Pause{{From: todayDate, To: todayDate}}})
		require.NoError(t, err)
		require.True(t, due.Equal(deadline.DueInstant(want.Due, zone)), "due %s", due)
		unpaused, err := deadline.Compute(deadline.Input{Regime: deadline.GDPR, Received: received})
		require.NoError(t, err)
		// The paused day moves the unrolled date; rolling over a weekend or
		// holiday may land both on the same working day.
		require.False(t, want.Due.Before(unpaused.Due), "a pause never brings the date forward")

		again, err := a.ResumeClock(ctx, req)
		require.NoError(t, err)
		require.True(t, again.Equal(due), "a retried resume answers the same date")
		got, err = models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.False(t, got.Paused)
		require.True(t, got.DueAt.Equal(due))
		pauses, err := models.CasePauses(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, pauses, 1)
		require.Equal(t, todayDate.String(), *pauses[0].EndedOn)
	})
}

func TestResumeLeavesACCPADueDateAlone(t *testing.T) {
	db := dbtest.SQLite(t)
	a := newActivities(db, nil)
	received := time.Now().UTC().Add(-48 * time.Hour)
	c := createCase(t, db, func(c *models.Case) { c.ReceivedAt = received; c.Regime = "ccpa" })
	require.NoError(t, a.PauseClock(ctx, workflows.ClockRequest{CaseID: c.ID}))
	due, err := a.ResumeClock(ctx, workflows.ClockRequest{CaseID: c.ID})
	require.NoError(t, err)
	dates, err := deadline.Compute(deadline.Input{Regime: deadline.CCPA, Received: received})
	require.NoError(t, err)
	require.True(t, due.Equal(deadline.DueInstant(dates.Due, deadline.DefaultZone(deadline.CCPA))),
		"CCPA runs regardless of pauses: 45 days from receipt")
}

func TestChangeRegimeRecomputesEveryDate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil) // gdpr, received 11 March 2025 08:00 UTC
		facts, err := a.ChangeRegime(ctx, workflows.RegimeChange{CaseID: c.ID, Regime: "ccpa"})
		require.NoError(t, err)
		require.Equal(t, "ccpa", facts.Regime)
		require.True(t, facts.Extendable)
		// 11 March 2025 in Los Angeles + 45 calendar days = 25 April 2025;
		// acknowledgement 10 business days later = 25 March 2025.
		la := deadline.DefaultZone(deadline.CCPA)
		require.True(t, facts.DueAt.Equal(deadline.DueInstant(deadline.Date{Year: 2025, Month: 4, Day: 25}, la)), "due %s", facts.DueAt)
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, "ccpa", got.Regime)
		require.True(t, got.AcknowledgeBy.Equal(deadline.DueInstant(deadline.Date{Year: 2025, Month: 3, Day: 25}, la)))
		require.Nil(t, got.ExtendedDueAt)

		_, err = a.ChangeRegime(ctx, workflows.RegimeChange{CaseID: c.ID, Regime: "ccpa"})
		require.NoError(t, err, "a retry changes nothing")
		events, err := models.CaseEvents(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, "Regime changed from gdpr to ccpa; due 25 April 2025", events[len(events)-1].Summary)

		_, err = a.ChangeRegime(ctx, workflows.RegimeChange{CaseID: c.ID, Regime: "hipaa"})
		require.Error(t, err)
	})
}
