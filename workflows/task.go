package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/models"
)

// TaskWorkflow carries one system's part of a case. The connector decides
// how the system is asked; every connector ends with a TaskResult, so the
// case workflow never changes when a connector is added.
func TaskWorkflow(ctx workflow.Context, in TaskInput) (TaskResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	t := &taskWorkflow{in: in}
	if err := t.registerHandlers(ctx); err != nil {
		return TaskResult{}, err
	}
	switch in.Connector {
	case models.ConnectorManual:
		return t.runManual(ctx)
	default:
		return TaskResult{}, fmt.Errorf("connector %q is not supported by this version", in.Connector)
	}
}

type taskWorkflow struct {
	in      TaskInput
	busy    bool
	outcome models.TaskOutcome
}

// runManual asks the system's owner to act and waits for their answer in
// the workspace or through the API.
func (t *taskWorkflow) runManual(ctx workflow.Context) (TaskResult, error) {
	if err := workflow.ExecuteActivity(ctx, ActivityNotifyTaskOwner, t.in).Get(ctx, nil); err != nil {
		return TaskResult{}, fmt.Errorf("notify task owner: %w", err)
	}
	if err := workflow.Await(ctx, func() bool { return t.outcome != "" }); err != nil {
		return TaskResult{}, err
	}
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return TaskResult{Outcome: t.outcome}, err
}

func (t *taskWorkflow) registerHandlers(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask,
		func(ctx workflow.Context, r CompleteTaskRequest) error {
			t.busy = true
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			var outcome models.TaskOutcome
			err := workflow.ExecuteActivity(ctx, ActivityAcceptTaskSubmission, t.in.TaskID, r.SubmissionID).Get(ctx, &outcome)
			t.busy = false
			if err != nil {
				return fmt.Errorf("record task answer: %w", err)
			}
			if !outcome.Valid() {
				return fmt.Errorf("the stored answer has no valid outcome (%q)", outcome)
			}
			t.outcome = outcome
			return nil
		},
		workflow.UpdateHandlerOptions{Validator: func(r CompleteTaskRequest) error {
			switch {
			case t.outcome != "":
				return fmt.Errorf("this task is already answered (%s)", t.outcome)
			case t.busy:
				return fmt.Errorf("an answer to this task is being recorded")
			case !r.Outcome.Valid():
				return fmt.Errorf("outcome %q is not one of completed, not_found, exception", r.Outcome)
			case r.SubmissionID == "":
				return fmt.Errorf("submission ID is required")
			}
			return nil
		}})
}
