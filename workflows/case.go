package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/models"
)

// decision is a person's action on the case, queued by an Update handler
// and carried out by the main flow, so the process reads top to bottom.
type decision struct {
	kind    string // one of the Update names, or "link" for the emailed link
	actorID string
	noteID  string
	reason  models.DenyReason
	applied bool
}

type caseWorkflow struct {
	in       CaseInput
	facts    models.CaseFacts
	status   models.Status
	outcome  models.Outcome
	pending  *decision
	approval *decision // finished when the tasks are planned
	deadline deadline
	logger   log.Logger
}

// CaseWorkflow runs one request from receipt to the final answer.
func CaseWorkflow(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	w, err := setupCase(ctx, in)
	if err != nil {
		return CaseResult{}, err
	}
	return w.run(ctx)
}

func setupCase(ctx workflow.Context, in CaseInput) (*caseWorkflow, error) {
	if in.CaseID == "" {
		return nil, temporal.NewNonRetryableApplicationError("case ID is required", "InvalidInput", nil)
	}
	if in.VerifyWithin <= 0 {
		in.VerifyWithin = 14 * 24 * time.Hour
	}
	alertDefaults(&in)
	w := &caseWorkflow{in: in, status: models.StatusReceived,
		deadline: deadline{remindersSent: map[string]bool{}},
		logger:   log.With(workflow.GetLogger(ctx), "case_id", in.CaseID)}
	if err := w.registerHandlers(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *caseWorkflow) run(ctx workflow.Context) (CaseResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	// Receipt: the row may be committed a moment after the workflow starts.
	found, err := w.loadCase(ctx)
	if err != nil || !found {
		w.logger.Warn("case row never appeared; the intake that started this workflow failed")
		return CaseResult{}, err
	}
	w.deadline.dueAt, w.deadline.extended = w.facts.DueAt, w.facts.Extended
	if workflow.GetVersion(ctx, versionDeadlineAlerts, workflow.DefaultVersion, 1) >= 1 {
		workflow.Go(ctx, w.watchDeadline)
	}
	// Acknowledge.
	if err := w.send(ctx, MessageRequest{Template: TemplateAcknowledgement, Key: "acknowledgement"}); err != nil {
		return w.result(), err
	}
	// Identity.
	verified, err := w.verifyIdentity(ctx)
	if err != nil || !verified {
		return w.result(), err
	}
	// Review.
	approved, err := w.review(ctx)
	if err != nil || !approved {
		return w.result(), err
	}
	// Plan and fan out.
	outcome, err := w.fulfil(ctx)
	if err != nil {
		return w.result(), err
	}
	// Respond.
	err = w.respond(ctx, outcome)
	return w.result(), err
}

// loadCase waits, with growing pauses, for the case row the intake commits
// right after starting this workflow. If it never appears the intake failed
// and told its client so; the workflow then ends without a trace.
func (w *caseWorkflow) loadCase(ctx workflow.Context) (bool, error) {
	const attempts = 9 // about four minutes in all
	wait := time.Second
	for attempt := 1; ; attempt++ {
		var facts models.CaseFacts
		err := workflow.ExecuteActivity(ctx, ActivityLoadCase, w.in.CaseID).Get(ctx, &facts)
		if err == nil {
			w.facts, w.status = facts, facts.Status
			return true, nil
		}
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != ErrTypeCaseNotFound {
			w.logger.Error("load case failed", "error", err)
		}
		if attempt == attempts {
			return false, nil
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return false, err
		}
		wait *= 2
	}
}

// verifyIdentity sends the link, reminds once half-way, and waits for the
// link, a handler's verification or denial, or the end of the window.
func (w *caseWorkflow) verifyIdentity(ctx workflow.Context) (bool, error) {
	if err := w.transition(ctx, models.StatusIdentityUnverified, "", "identity_unverified", "", "Verification email sent"); err != nil {
		return false, err
	}
	if err := w.sendVerification(ctx, "verification-1", TemplateVerification, w.in.VerifyWithin); err != nil {
		return false, err
	}
	half := w.in.VerifyWithin / 2
	decided, err := workflow.AwaitWithTimeout(ctx, half, w.hasPending)
	if err != nil {
		return false, err
	}
	if !decided {
		if err := w.sendVerification(ctx, "verification-2", TemplateVerificationReminder, w.in.VerifyWithin-half); err != nil {
			return false, err
		}
		if decided, err = workflow.AwaitWithTimeout(ctx, w.in.VerifyWithin-half, w.hasPending); err != nil {
			return false, err
		}
	}
	if !decided {
		return false, w.expire(ctx)
	}
	d := w.take()
	if d.kind == UpdateDeny {
		return false, w.deny(ctx, d)
	}
	w.status = models.StatusPendingReview
	method := "manual"
	if d.kind == "link" {
		method = "link"
	}
	err = workflow.ExecuteActivity(ctx, ActivityMarkVerified,
		MarkVerifiedRequest{CaseID: w.in.CaseID, Method: method, ActorID: d.actorID, NoteID: d.noteID}).Get(ctx, nil)
	if err != nil {
		return false, err
	}
	err = w.transition(ctx, models.StatusPendingReview, "", "pending_review", "", "Identity verified; waiting for review")
	w.finish(d)
	return err == nil, err
}

func (w *caseWorkflow) expire(ctx workflow.Context) error {
	w.status = models.StatusExpired // refuse a late verification or denial
	if err := w.send(ctx, MessageRequest{Template: TemplateExpired, Key: "expired"}); err != nil {
		return err
	}
	return w.transition(ctx, models.StatusExpired, models.OutcomeDeniedUnverified, "expired", "",
		"Identity was not confirmed in time; the request expired")
}

// review waits for a handler to approve or deny.
func (w *caseWorkflow) review(ctx workflow.Context) (bool, error) {
	if err := workflow.Await(ctx, w.hasPending); err != nil {
		return false, err
	}
	d := w.take()
	if d.kind == UpdateDeny {
		return false, w.deny(ctx, d)
	}
	if err := w.transition(ctx, models.StatusInProgress, "", "approved", d.actorID, "Approved"); err != nil {
		return false, err
	}
	// The approval is finished once the tasks are planned (see fulfil), so
	// the handler who approved sees them at once.
	w.approval = d
	return true, nil
}

func (w *caseWorkflow) deny(ctx workflow.Context, d *decision) error {
	w.status = models.StatusDenied
	outcome, _ := d.reason.Outcome()
	err := w.send(ctx, MessageRequest{Template: TemplateDenial, Key: "denial", NoteID: d.noteID, Reason: d.reason})
	if err == nil {
		err = w.transition(ctx, models.StatusDenied, outcome, "denied", d.actorID, "Denied: "+string(d.reason))
	}
	w.finish(d)
	return err
}

// fulfil plans one task per system and runs them all in parallel as child
// workflows, then derives the case's outcome from theirs.
func (w *caseWorkflow) fulfil(ctx workflow.Context) (models.Outcome, error) {
	var refs []models.TaskRef
	if err := workflow.ExecuteActivity(ctx, ActivityPlanTasks, w.in.CaseID).Get(ctx, &refs); err != nil {
		return "", fmt.Errorf("plan tasks: %w", err)
	}
	w.finish(w.approval)
	futures := make([]workflow.ChildWorkflowFuture, len(refs))
	for i, ref := range refs {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: TaskWorkflowID(ref.TaskID)})
		futures[i] = workflow.ExecuteChildWorkflow(cctx, TaskWorkflowName,
			TaskInput{CaseID: w.in.CaseID, TaskID: ref.TaskID, SystemID: ref.SystemID, Connector: ref.Connector})
	}
	outcomes := make([]models.TaskOutcome, len(refs))
	for i, f := range futures {
		var res TaskResult
		if err := f.Get(ctx, &res); err != nil {
			w.logger.Error("task workflow failed", "task_id", refs[i].TaskID, "error", err)
			res.Outcome = models.TaskOutcomeException
		}
		outcomes[i] = res.Outcome
	}
	return models.CaseOutcome(outcomes), nil
}

// respond waits for the handler to send the final response, then closes.
func (w *caseWorkflow) respond(ctx workflow.Context, outcome models.Outcome) error {
	w.outcome = outcome
	if err := w.transition(ctx, models.StatusAwaitingResponse, "", "awaiting_response", "", "All tasks answered; response ready to send"); err != nil {
		return err
	}
	if err := workflow.Await(ctx, w.hasPending); err != nil {
		return err
	}
	d := w.take()
	w.status = models.StatusCompleted
	err := w.send(ctx, MessageRequest{Template: TemplateFinalResponse, Key: "final_response", NoteID: d.noteID, Outcome: outcome})
	if err == nil {
		err = w.transition(ctx, models.StatusCompleted, outcome, "completed", d.actorID, "Final response sent: "+string(outcome))
	}
	w.finish(d)
	if err != nil {
		return err
	}
	// Let a handler still running finish before the workflow completes.
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func (w *caseWorkflow) transition(ctx workflow.Context, status models.Status, outcome models.Outcome, key, actorID, summary string) error {
	// The workflow's own status moves first: once the database shows the
	// new status, validators must already accept the actions it allows.
	w.status = status
	if outcome != models.OutcomeNone {
		w.outcome = outcome
	}
	req := TransitionRequest{CaseID: w.in.CaseID, Status: status, Outcome: outcome, EventKey: key, ActorID: actorID, Summary: summary}
	if err := workflow.ExecuteActivity(ctx, ActivityTransition, req).Get(ctx, nil); err != nil {
		return fmt.Errorf("move case to %s: %w", status, err)
	}
	return nil
}

func (w *caseWorkflow) send(ctx workflow.Context, m MessageRequest) error {
	m.CaseID = w.in.CaseID
	if err := workflow.ExecuteActivity(ctx, ActivitySendCaseMessage, m).Get(ctx, nil); err != nil {
		return fmt.Errorf("send %s: %w", m.Template, err)
	}
	return nil
}

func (w *caseWorkflow) sendVerification(ctx workflow.Context, key, template string, validFor time.Duration) error {
	req := VerificationRequest{CaseID: w.in.CaseID, Key: key, Template: template, ValidFor: validFor}
	if err := workflow.ExecuteActivity(ctx, ActivitySendVerification, req).Get(ctx, nil); err != nil {
		return fmt.Errorf("send verification: %w", err)
	}
	return nil
}

func (w *caseWorkflow) result() CaseResult { return CaseResult{Status: w.status, Outcome: w.outcome} }

func (w *caseWorkflow) hasPending() bool { return w.pending != nil }

// take hands the queued decision to the main flow. From here on the
// workflow's status is what the decision leads to (each step sets it before
// its first activity), so validators judge new actions against that, and an
// action that fits the new status may queue behind this one.
func (w *caseWorkflow) take() *decision {
	d := w.pending
	w.pending = nil
	return d
}

// finish marks a decision carried out; its Update handler then returns.
func (w *caseWorkflow) finish(d *decision) { d.applied = true }

// activityOptions apply to every case activity: short attempts, retried
// with backoff without limit, because a case must never be dropped.
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
	},
}
