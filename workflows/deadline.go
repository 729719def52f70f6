package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/models"
)

// versionDeadlineAlerts marks the change that added reminders and
// escalation. Cases started before it replay without them.
const versionDeadlineAlerts = "deadline-alerts"

// Defaults for CaseInput's alert settings.
var (
	defaultReminderDays  = []int{7, 3, 1}
	defaultEscalateEvery = 3 * 24 * time.Hour
)

// reminderLead places a reminder in the morning of its day: a due date is
// the end of its day, so 15 hours before is about 09:00 the same day.
const reminderLead = 15 * time.Hour

// deadline is the case's due date as the workflow keeps it, and the alerts
// already sent for it.
type deadline struct {
	dueAt          time.Time
	extended       bool
	paused         bool
	changing       bool // an extension, pause, resume or regime change is being recorded
	pauses         int  // how many pauses so far, for the messages' keys
	moves          int  // bumped whenever dueAt changes, to re-plan the alerts
	remindersSent  map[string]bool
	lastEscalation time.Time
}

// errDeadlineChanging refuses a deadline change while another is recorded:
// each reads and moves the same due date.
var errDeadlineChanging = errors.New("another change to the deadline is being recorded; try again in a moment")

// registerExtension installs the extend Update: once, before the current
// due date, with reasons, in regimes that allow it. It is carried out by
// the handler itself, beside whatever step the case is at.
func (w *caseWorkflow) registerExtension(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateExtend,
		func(ctx workflow.Context, r ExtendRequest) error {
			w.deadline.changing = true
			defer func() { w.deadline.changing = false }()
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			var due time.Time
			err := workflow.ExecuteActivity(ctx, ActivityExtendDeadline,
				ExtendDeadlineRequest{CaseID: w.in.CaseID, ActorID: r.ActorID}).Get(ctx, &due)
			if err != nil {
				return fmt.Errorf("extend the deadline: %w", err)
			}
			w.deadline.dueAt, w.deadline.extended = due, true
			w.deadline.moves++
			return w.send(ctx, MessageRequest{Template: TemplateExtension, Key: "extension", NoteID: r.NoteID})
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r ExtendRequest) error {
			switch {
			case w.status == models.StatusReceived || w.status.Closed():
				return fmt.Errorf("cannot extend a case that is %s", w.status)
			case w.deadline.extended:
				return fmt.Errorf("the deadline was already extended; it can be extended only once")
			case w.deadline.changing:
				return errDeadlineChanging
			case !w.facts.Extendable:
				return fmt.Errorf("the %s regime allows no extension", w.facts.Regime)
			case !workflow.Now(ctx).Before(w.deadline.dueAt):
				return fmt.Errorf("the due date has passed: an extension must be notified before it")
			case r.NoteID == "":
				return fmt.Errorf("the reasons for the extension are required: the requester is told them")
			}
			return nil
		}})
}

// registerClockStops installs pause and resume: a clarification request
// to the requester stops the clock; the answer (or a handler) restarts it,
// and under GDPR the paused days move the due date.
func (w *caseWorkflow) registerClockStops(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePause,
		func(ctx workflow.Context, r PauseRequest) error {
			w.deadline.changing = true
			defer func() { w.deadline.changing = false }()
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			if err := workflow.ExecuteActivity(ctx, ActivityPauseClock,
				ClockRequest{CaseID: w.in.CaseID, ActorID: r.ActorID}).Get(ctx, nil); err != nil {
				return fmt.Errorf("pause the clock: %w", err)
			}
			w.deadline.paused = true
			w.deadline.pauses++
			w.deadline.moves++
			return w.send(ctx, MessageRequest{Template: TemplateClarification,
				Key: fmt.Sprintf("clarification-%d", w.deadline.pauses), NoteID: r.NoteID})
		},
		workflow.UpdateHandlerOptions{Validator: func(r PauseRequest) error {
			switch {
			case w.status == models.StatusReceived || w.status.Closed():
				return fmt.Errorf("cannot pause a case that is %s", w.status)
			case w.deadline.paused:
				return fmt.Errorf("the case is already paused")
			case w.deadline.changing:
				return errDeadlineChanging
			case r.NoteID == "":
				return fmt.Errorf("the question for the requester is required")
			}
			return nil
		}})
	if err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateResume,
		func(ctx workflow.Context, r ResumeRequest) error {
			w.deadline.changing = true
			defer func() { w.deadline.changing = false }()
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			var due time.Time
			if err := workflow.ExecuteActivity(ctx, ActivityResumeClock,
				ClockRequest{CaseID: w.in.CaseID, ActorID: r.ActorID}).Get(ctx, &due); err != nil {
				return fmt.Errorf("resume the clock: %w", err)
			}
			w.deadline.paused = false
			w.deadline.dueAt = due
			w.deadline.moves++
			return nil
		},
		workflow.UpdateHandlerOptions{Validator: func(r ResumeRequest) error {
			switch {
			case w.status.Closed():
				return fmt.Errorf("cannot resume a case that is %s", w.status)
			case !w.deadline.paused:
				return fmt.Errorf("the case is not paused")
			case w.deadline.changing:
				return errDeadlineChanging
			}
			return nil
		}})
}

// registerRegimeChange installs set-regime: a handler who finds the regime
// chosen from the country wrong corrects it, and every date follows.
func (w *caseWorkflow) registerRegimeChange(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateSetRegime,
		func(ctx workflow.Context, r SetRegimeRequest) error {
			w.deadline.changing = true
			defer func() { w.deadline.changing = false }()
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			var facts models.CaseFacts
			err := workflow.ExecuteActivity(ctx, ActivityChangeRegime, RegimeChange{
				CaseID: w.in.CaseID, Regime: r.Regime, ActorID: r.ActorID, NoteID: r.NoteID}).Get(ctx, &facts)
			if err != nil {
				return fmt.Errorf("change the regime: %w", err)
			}
			w.facts.Regime, w.facts.Extendable = facts.Regime, facts.Extendable
			w.deadline.dueAt, w.deadline.extended = facts.DueAt, facts.Extended
			w.deadline.moves++
			return nil
		},
		workflow.UpdateHandlerOptions{Validator: func(r SetRegimeRequest) error {
			switch {
			case w.status.Closed():
				return fmt.Errorf("cannot change the regime of a case that is %s", w.status)
			case w.deadline.changing:
				return errDeadlineChanging
			case r.Regime == w.facts.Regime:
				return fmt.Errorf("the case is already under %s", r.Regime)
			case r.NoteID == "":
				return fmt.Errorf("the reason for the change is required")
			}
			return nil
		}})
}

// watchDeadline reminds the assignee before the due date and escalates to
// managers when it has passed, again every few days. Its timers are re-planned
// whenever the due date or the case's status changes.
func (w *caseWorkflow) watchDeadline(ctx workflow.Context) {
	for !w.status.Closed() {
		now := workflow.Now(ctx)
		moves, status := w.deadline.moves, w.status
		changed := func() bool { return w.deadline.moves != moves || w.status != status }
		alert, at, ok := w.nextAlert(now)
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return
			}
			continue
		}
		if at.After(now) {
			moved, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), changed)
			if err != nil {
				return
			}
			if moved {
				continue
			}
		}
		if err := workflow.ExecuteActivity(ctx, ActivitySendDeadlineAlert, alert).Get(ctx, nil); err != nil {
			w.logger.Error("deadline alert failed", "key", alert.Key, "error", err)
		}
		if alert.Template == TemplateDeadlineOverdue {
			w.deadline.lastEscalation = workflow.Now(ctx)
		} else {
			w.deadline.remindersSent[alert.Key] = true
		}
	}
}

// nextAlert is the earliest alert still to send, and when. Cases waiting on
// the requester get none: for identity their clock is the verification
// window, and a paused case's clock has stopped.
func (w *caseWorkflow) nextAlert(now time.Time) (AlertRequest, time.Time, bool) {
	if w.deadline.paused {
		return AlertRequest{}, time.Time{}, false
	}
	switch w.status {
	case models.StatusPendingReview, models.StatusInProgress, models.StatusAwaitingResponse:
	default:
		return AlertRequest{}, time.Time{}, false
	}
	due := w.deadline.dueAt
	// Escalation: at the due date, or now if that has passed, then every
	// EscalateEvery after the last one.
	at := due
	if !w.deadline.lastEscalation.IsZero() {
		at = w.deadline.lastEscalation.Add(w.in.EscalateEvery)
	}
	if at.Before(now) {
		at = now
	}
	best := AlertRequest{CaseID: w.in.CaseID, Template: TemplateDeadlineOverdue, DueAt: due,
		Key: fmt.Sprintf("overdue-%d-%d", due.Unix(), at.Unix())}
	// Reminders still ahead win if they come first; missed ones are skipped.
	for _, days := range w.in.ReminderDays {
		t := due.Add(-time.Duration(days)*24*time.Hour - reminderLead)
		key := fmt.Sprintf("reminder-%dd-%d", days, due.Unix())
		if t.After(now) && t.Before(at) && !w.deadline.remindersSent[key] {
			best = AlertRequest{CaseID: w.in.CaseID, Template: TemplateDeadlineReminder, DueAt: due, Key: key}
			at = t
		}
	}
	return best, at, true
}

// alertDefaults fills CaseInput's alert settings.
func alertDefaults(in *CaseInput) {
	if len(in.ReminderDays) == 0 {
		in.ReminderDays = slices.Clone(defaultReminderDays)
	}
	if in.EscalateEvery <= 0 {
		in.EscalateEvery = defaultEscalateEvery
	}
}
