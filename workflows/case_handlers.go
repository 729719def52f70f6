package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/models"
)

// registerHandlers installs the Update handlers (people's actions) and the
// link signal. Each validator refuses an action the case cannot take now.
func (w *caseWorkflow) registerHandlers(ctx workflow.Context) error {
	handlers := []struct {
		name     string
		handler  any
		validate any
	}{
		{UpdateVerify,
			func(ctx workflow.Context, r VerifyRequest) error {
				return w.queue(ctx, &decision{kind: UpdateVerify, actorID: r.ActorID, noteID: r.NoteID})
			},
			func(r VerifyRequest) error { return w.expect(UpdateVerify, models.StatusIdentityUnverified) }},
		{UpdateApprove,
			func(ctx workflow.Context, r ApproveRequest) error {
				return w.queue(ctx, &decision{kind: UpdateApprove, actorID: r.ActorID})
			},
			func(r ApproveRequest) error { return w.expect(UpdateApprove, models.StatusPendingReview) }},
		{UpdateDeny,
			func(ctx workflow.Context, r DenyRequest) error {
				return w.queue(ctx, &decision{kind: UpdateDeny, actorID: r.ActorID, noteID: r.NoteID, reason: r.Reason})
			},
			func(r DenyRequest) error {
				if _, ok := r.Reason.Outcome(); !ok {
					return fmt.Errorf("reason %q is not one of manifestly_unfounded, excessive, unverified, not_covered, other", r.Reason)
				}
				return w.expect(UpdateDeny, models.StatusIdentityUnverified, models.StatusPendingReview)
			}},
		{UpdateRespond,
			func(ctx workflow.Context, r RespondRequest) error {
				return w.queue(ctx, &decision{kind: UpdateRespond, actorID: r.ActorID, noteID: r.NoteID})
			},
			func(r RespondRequest) error { return w.expect(UpdateRespond, models.StatusAwaitingResponse) }},
	}
	for _, h := range handlers {
		err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validate})
		if err != nil {
			return fmt.Errorf("register update %s: %w", h.name, err)
		}
	}
	workflow.Go(ctx, w.receiveLinkSignals)
	if err := w.registerExtension(ctx); err != nil {
		return err
	}
	if err := w.registerRegimeChange(ctx); err != nil {
		return err
	}
	return w.registerClockStops(ctx)
}

// receiveLinkSignals turns the requester's click on the emailed link into a
// verification, unless the case has moved on or a handler is acting.
func (w *caseWorkflow) receiveLinkSignals(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalEmailVerified)
	for {
		ch.Receive(ctx, nil)
		if w.status == models.StatusIdentityUnverified && w.pending == nil {
			w.pending = &decision{kind: "link"}
		}
	}
}

// expect refuses an action unless the case is in one of the statuses and
// no other action is being carried out.
func (w *caseWorkflow) expect(action string, statuses ...models.Status) error {
	if w.pending != nil {
		return fmt.Errorf("cannot %s now: another action on this case is being carried out", action)
	}
	for _, s := range statuses {
		if w.status == s {
			return nil
		}
	}
	return fmt.Errorf("cannot %s a case that is %s", action, w.status)
}

// queue hands a decision to the main flow and waits until it is carried
// out, so that the caller's next read of the database shows its effect.
func (w *caseWorkflow) queue(ctx workflow.Context, d *decision) error {
	w.pending = d
	return workflow.Await(ctx, func() bool { return d.applied })
}
