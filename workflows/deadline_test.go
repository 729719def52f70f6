package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// alertLog records deadline alerts and extensions with the workflow time
// they happened at.
type alertLog struct {
	h      *caseHarness
	alerts []workflows.AlertRequest
	at     []time.Duration
	extend []workflows.ExtendDeadlineRequest
}

func watchAlerts(h *caseHarness, extendedDue time.Time) *alertLog {
	l := &alertLog{h: h}
	h.env.OnActivity(workflows.ActivitySendDeadlineAlert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r workflows.AlertRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			l.alerts = append(l.alerts, r)
			l.at = append(l.at, h.elapsed())
			return nil
		})
	h.env.OnActivity(workflows.ActivityExtendDeadline, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r workflows.ExtendDeadlineRequest) (time.Time, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			l.extend = append(l.extend, r)
			return extendedDue, nil
		})
	return l
}

func (l *alertLog) kinds() []string {
	var out []string
	for _, a := range l.alerts {
		out = append(out, a.Template)
	}
	return out
}

const due = 30 * day // the harness's case is due 30 days after t0

// A case left open past its due date: three reminders before it, then an
// escalation at the due date and every three days until it is answered.
func TestCaseRemindsBeforeDueAndEscalatesWhenOverdue(t *testing.T) {
	h := newCaseHarness(t)
	l := watchAlerts(h, time.Time{})
	h.twoManualSystems()
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	h.completeTaskAt(38*day, "t-1", workflows.CompleteTaskRequest{ActorID: "u-2", SubmissionID: "s-1", Outcome: models.TaskOutcomeCompleted})
	h.completeTaskAt(38*day, "t-2", workflows.CompleteTaskRequest{ActorID: "u-2", SubmissionID: "s-2", Outcome: models.TaskOutcomeNotFound})
	h.updateAt(38*day+time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	h.requireClosed(models.StatusCompleted, models.OutcomeFulfilled)
	require.Equal(t, []string{
		workflows.TemplateDeadlineReminder, workflows.TemplateDeadlineReminder, workflows.TemplateDeadlineReminder,
		workflows.TemplateDeadlineOverdue, workflows.TemplateDeadlineOverdue, workflows.TemplateDeadlineOverdue,
	}, l.kinds())
	morning := 15 * time.Hour
	require.Equal(t, []time.Duration{
		due - 7*day - morning, due - 3*day - morning, due - day - morning,
		due, due + 3*day, due + 6*day,
	}, l.at)
	keys := map[string]bool{}
	for _, a := range l.alerts {
		require.False(t, keys[a.Key], "each alert has its own key: %s", a.Key)
		keys[a.Key] = true
		require.True(t, a.DueAt.Equal(t0.Add(due)))
	}
}

// No alerts while the requester has not confirmed their address, and none
// once the case is closed.
func TestCaseSendsNoAlertsBeforeReviewOrAfterClosing(t *testing.T) {
	h := newCaseHarness(t)
	l := watchAlerts(h, time.Time{})
	h.linkAt(13 * day) // inside the 14-day window, 17 days before due
	h.updateAt(13*day+time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyNotCovered})

	h.runDefault()

	h.requireClosed(models.StatusDenied, models.OutcomeDeniedNotCovered)
	require.Empty(t, l.alerts)
}

// Configured reminder days and escalation interval are honoured.
func TestCaseAlertSettings(t *testing.T) {
	h := newCaseHarness(t)
	l := watchAlerts(h, time.Time{})
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	h.updateAt(due+30*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	_, err := h.run(workflows.CaseInput{CaseID: testCaseID, VerifyWithin: verifyWindow,
		ReminderDays: []int{2}, EscalateEvery: 12 * time.Hour})
	require.NoError(t, err)

	require.Equal(t, []time.Duration{due - 2*day - 15*time.Hour, due, due + 12*time.Hour, due + 24*time.Hour}, l.at)
}

// An extension moves the due date: the extension notice goes out with the
// reasons, and the alerts follow the new date, not the old one.
func TestCaseExtensionMovesTheDeadline(t *testing.T) {
	h := newCaseHarness(t)
	h.loadCase = func(int) (models.CaseFacts, error) {
		return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: "gdpr",
			Status: models.StatusReceived, Language: "en", DueAt: t0.Add(due), Extendable: true}, nil
	}
	newDue := t0.Add(91 * day)
	l := watchAlerts(h, newDue)
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	extend := h.updateAt(10*day, workflows.UpdateExtend, workflows.ExtendRequest{ActorID: "u-1", NoteID: "n-why"})
	again := h.updateAt(11*day, workflows.UpdateExtend, workflows.ExtendRequest{ActorID: "u-1", NoteID: "n-again"})
	h.updateAt(50*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	requireDone(t, extend, "extend")
	requireRejected(t, again, "already extended", "second extension")
	require.Equal(t, []workflows.ExtendDeadlineRequest{{CaseID: testCaseID, ActorID: "u-1"}}, l.extend)
	var notice *workflows.MessageRequest
	for i, m := range h.messages {
		if m.Template == workflows.TemplateExtension {
			notice = &h.messages[i]
		}
	}
	require.NotNil(t, notice, "the extension notice was sent")
	require.Equal(t, "n-why", notice.NoteID)
	require.Equal(t, "extension", notice.Key)
	require.Empty(t, l.alerts, "the case was answered on day 50, long before the reminders for day 91")
}

func TestCaseRefusesExtensionsItCannotGrant(t *testing.T) {
	extendable := func(int) (models.CaseFacts, error) {
		return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: "gdpr",
			Status: models.StatusReceived, Language: "en", DueAt: t0.Add(due), Extendable: true}, nil
	}
	cases := []struct {
		name     string
		facts    func(int) (models.CaseFacts, error)
		at       time.Duration
		arg      workflows.ExtendRequest
		contains string
	}{
		{"after the due date", extendable, due + time.Hour, workflows.ExtendRequest{ActorID: "u", NoteID: "n"}, "due date has passed"},
		{"without reasons", extendable, 5 * day, workflows.ExtendRequest{ActorID: "u"}, "reasons for the extension are required"},
		{"in a regime without extensions", func(int) (models.CaseFacts, error) {
			return models.CaseFacts{CaseID: testCaseID, Type: models.TypeErasure, Regime: "lgpd",
				Status: models.StatusReceived, Language: "en", DueAt: t0.Add(15 * day)}, nil
		}, 5 * day, workflows.ExtendRequest{ActorID: "u", NoteID: "n"}, "lgpd regime allows no extension"},
		{"already extended before this run", func(int) (models.CaseFacts, error) {
			f, _ := extendable(0)
			f.Extended = true
			return f, nil
		}, 5 * day, workflows.ExtendRequest{ActorID: "u", NoteID: "n"}, "already extended"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			h.loadCase = tc.facts
			l := watchAlerts(h, t0.Add(91*day))
			h.linkAt(time.Hour)
			h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
			h.updateAt(35*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})
			refused := h.updateAt(tc.at, workflows.UpdateExtend, tc.arg)

			h.runDefault()

			requireRejected(t, refused, tc.contains, tc.name)
			require.Empty(t, l.extend)
			h.requireClosed(models.StatusCompleted, models.OutcomeNoDataFound)
		})
	}
}

// A clarification request stops the clock: no alerts while paused, and the
// alerts after the resume follow the due date the pause moved.
func TestCasePauseStopsAlertsAndResumeMovesThem(t *testing.T) {
	h := newCaseHarness(t)
	l := watchAlerts(h, time.Time{})
	movedDue := t0.Add(due + 21*day)
	var clocks []string
	h.env.OnActivity(workflows.ActivityPauseClock, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r workflows.ClockRequest) error {
			clocks = append(clocks, "pause:"+r.ActorID)
			return nil
		})
	h.env.OnActivity(workflows.ActivityResumeClock, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r workflows.ClockRequest) (time.Time, error) {
			clocks = append(clocks, "resume:"+r.ActorID)
			return movedDue, nil
		})
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	pause := h.updateAt(5*day, workflows.UpdatePause, workflows.PauseRequest{ActorID: "u-1", NoteID: "n-question"})
	again := h.updateAt(6*day, workflows.UpdatePause, workflows.PauseRequest{ActorID: "u-1", NoteID: "n-2"})
	resume := h.updateAt(25*day, workflows.UpdateResume, workflows.ResumeRequest{ActorID: "u-2"})
	notPaused := h.updateAt(26*day, workflows.UpdateResume, workflows.ResumeRequest{ActorID: "u-2"})
	h.updateAt(due+25*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	requireDone(t, pause, "pause")
	requireRejected(t, again, "already paused", "second pause")
	requireDone(t, resume, "resume")
	requireRejected(t, notPaused, "not paused", "resume when running")
	require.Equal(t, []string{"pause:u-1", "resume:u-2"}, clocks)
	var question *workflows.MessageRequest
	for i, m := range h.messages {
		if m.Template == workflows.TemplateClarification {
			question = &h.messages[i]
		}
	}
	require.NotNil(t, question)
	require.Equal(t, "n-question", question.NoteID)
	require.Equal(t, "clarification-1", question.Key)

	// The 7-day reminder for the original date (day 22) fell in the pause
	// and was not sent; every alert is for the moved date.
	require.NotEmpty(t, l.alerts)
	for i, a := range l.alerts {
		require.True(t, a.DueAt.Equal(movedDue), "alert %s for the moved due date", a.Key)
		require.Greater(t, l.at[i], 25*day, "no alert while paused")
	}
	require.Equal(t, []time.Duration{due + 21*day - 7*day - 15*time.Hour, due + 21*day - 3*day - 15*time.Hour,
		due + 21*day - day - 15*time.Hour, due + 21*day, due + 24*day}, l.at)
}

func TestCaseRefusesPauseWithoutAQuestion(t *testing.T) {
	h := newCaseHarness(t)
	watchAlerts(h, time.Time{})
	h.linkAt(time.Hour)
	refused := h.updateAt(2*time.Hour, workflows.UpdatePause, workflows.PauseRequest{ActorID: "u-1"})
	h.updateAt(3*time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyOther, NoteID: "n"})

	h.runDefault()

	requireRejected(t, refused, "question for the requester is required", "pause without question")
}

// A handler corrects the regime: the due date and the alerts follow, and
// refusals name why.
func TestCaseRegimeChangeMovesTheDeadline(t *testing.T) {
	h := newCaseHarness(t)
	l := watchAlerts(h, time.Time{})
	ccpaDue := t0.Add(45 * day)
	var changes []workflows.RegimeChange
	h.env.OnActivity(workflows.ActivityChangeRegime, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r workflows.RegimeChange) (models.CaseFacts, error) {
			changes = append(changes, r)
			return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: r.Regime,
				Status: models.StatusInProgress, DueAt: ccpaDue, Extendable: true}, nil
		})
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	same := h.updateAt(day, workflows.UpdateSetRegime, workflows.SetRegimeRequest{ActorID: "u-1", Regime: "gdpr", NoteID: "n"})
	noReason := h.updateAt(day, workflows.UpdateSetRegime, workflows.SetRegimeRequest{ActorID: "u-1", Regime: "ccpa"})
	change := h.updateAt(2*day, workflows.UpdateSetRegime, workflows.SetRegimeRequest{ActorID: "u-1", Regime: "ccpa", NoteID: "n-why"})
	h.updateAt(46*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	requireRejected(t, same, "already under gdpr", "same regime")
	requireRejected(t, noReason, "reason for the change is required", "no reason")
	requireDone(t, change, "change")
	require.Equal(t, []workflows.RegimeChange{{CaseID: testCaseID, Regime: "ccpa", ActorID: "u-1", NoteID: "n-why"}}, changes)
	require.NotEmpty(t, l.alerts)
	for _, a := range l.alerts {
		require.True(t, a.DueAt.Equal(ccpaDue), "alert %s follows the new regime's date", a.Key)
	}
	require.Equal(t, 45*day-7*day-15*time.Hour, l.at[0], "no reminder for the GDPR date (day 23)")
}

// The three-month case: extended, paused for a fortnight, reminded before
// the extended date and escalated after it, answered late — in
// milliseconds, thanks to time skipping.
func TestCaseExtendedPausedRemindedAndEscalatedOverThreeMonths(t *testing.T) {
	h := newCaseHarness(t)
	h.loadCase = func(int) (models.CaseFacts, error) {
		return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: "gdpr",
			Status: models.StatusReceived, Language: "en", DueAt: t0.Add(due), Extendable: true}, nil
	}
	extended := t0.Add(91 * day)
	afterPause := extended.Add(14 * day) // GDPR: the paused days are added
	l := watchAlerts(h, extended)
	h.env.OnActivity(workflows.ActivityPauseClock, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(workflows.ActivityResumeClock, mock.Anything, mock.Anything).Return(afterPause, nil)
	h.twoManualSystems()
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	extend := h.updateAt(20*day, workflows.UpdateExtend, workflows.ExtendRequest{ActorID: "u-1", NoteID: "n-why"})
	pause := h.updateAt(40*day, workflows.UpdatePause, workflows.PauseRequest{ActorID: "u-1", NoteID: "n-q"})
	resume := h.updateAt(54*day, workflows.UpdateResume, workflows.ResumeRequest{ActorID: "u-1"})
	h.completeTaskAt(100*day, "t-1", workflows.CompleteTaskRequest{ActorID: "u-2", SubmissionID: "s-1", Outcome: models.TaskOutcomeCompleted})
	h.completeTaskAt(100*day, "t-2", workflows.CompleteTaskRequest{ActorID: "u-2", SubmissionID: "s-2", Outcome: models.TaskOutcomeNotFound})
	respond := h.updateAt(110*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	for what, rec := range map[string]*updateRecord{"extend": extend, "pause": pause, "resume": resume, "respond": respond} {
		requireDone(t, rec, what)
	}
	h.requireClosed(models.StatusCompleted, models.OutcomeFulfilled)
	require.Equal(t, []string{workflows.TemplateAcknowledgement, workflows.TemplateExtension,
		workflows.TemplateClarification, workflows.TemplateFinalResponse}, h.templates())
	dueDay := 105 * day // t0 + 91 days + 14 paused days
	require.Equal(t, []time.Duration{
		dueDay - 7*day - 15*time.Hour, dueDay - 3*day - 15*time.Hour, dueDay - day - 15*time.Hour, // reminders
		dueDay, dueDay + 3*day, // escalations until the answer on day 110
	}, l.at)
	for _, a := range l.alerts {
		require.True(t, a.DueAt.Equal(afterPause), "every alert is for the final due date: %s", a.Key)
	}
}

// Deadline changes are recorded one at a time: a pause sent while an
// extension is being recorded is refused, not interleaved with it.
func TestCaseRefusesADeadlineChangeWhileAnotherIsRecorded(t *testing.T) {
	h := newCaseHarness(t)
	h.loadCase = func(int) (models.CaseFacts, error) {
		return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: "gdpr",
			Status: models.StatusReceived, Language: "en", DueAt: t0.Add(due), Extendable: true}, nil
	}
	h.env.OnActivity(workflows.ActivityExtendDeadline, mock.Anything, mock.Anything).After(time.Hour).Return(t0.Add(91*day), nil)
	watchAlerts(h, t0.Add(91*day))
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	extend := h.updateAt(day, workflows.UpdateExtend, workflows.ExtendRequest{ActorID: "u-1", NoteID: "n-why"})
	pause := h.updateAt(day+10*time.Minute, workflows.UpdatePause, workflows.PauseRequest{ActorID: "u-1", NoteID: "n-q"})
	h.updateAt(2*day, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	requireDone(t, extend, "extend")
	requireRejected(t, pause, "another change to the deadline is being recorded", "pause during extension")
}
