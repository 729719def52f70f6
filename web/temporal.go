package web

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dsrcase/dsr/workflows"
)

// Workflows is what the web app asks of Temporal. Pages never read
// Temporal; they read the database, which the workflows keep current.
type Workflows interface {
	StartCase(ctx context.Context, caseID string) error
	SignalEmailVerified(ctx context.Context, caseID string) error
	UpdateCase(ctx context.Context, caseID, update string, arg any) error
	UpdateTask(ctx context.Context, taskID string, arg workflows.CompleteTaskRequest) error
	CheckHealth(ctx context.Context) error
}

// ErrRefused wraps a workflow validator's refusal: the action is not
// possible in the case's current state (409 for the client).
type ErrRefused struct{ Reason string }

func (e *ErrRefused) Error() string { return e.Reason }

// TemporalWorkflows implements Workflows with a Temporal client.
type TemporalWorkflows struct {
	Client    client.Client
	TaskQueue string
	Input     workflows.CaseInput // settings copied into every new case
}

// StartCase starts the case's workflow. The ID is derived from the case ID
// and duplicates are rejected, so one case never gets two workflows.
func (t *TemporalWorkflows) StartCase(ctx context.Context, caseID string) error {
	in := t.Input
	in.CaseID = caseID
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.CaseWorkflowID(caseID),
		TaskQueue:             t.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.CaseWorkflowName, in)
	if err != nil {
		return fmt.Errorf("start workflow for case %s: %w", caseID, err)
	}
	return nil
}

// SignalEmailVerified tells a case that its emailed link was opened.
func (t *TemporalWorkflows) SignalEmailVerified(ctx context.Context, caseID string) error {
	return t.Client.SignalWorkflow(ctx, workflows.CaseWorkflowID(caseID), "", workflows.SignalEmailVerified, nil)
}

// UpdateCase sends a person's action to a case workflow and waits for it to
// be carried out.
func (t *TemporalWorkflows) UpdateCase(ctx context.Context, caseID, update string, arg any) error {
	return t.update(ctx, workflows.CaseWorkflowID(caseID), update, arg)
}

// UpdateTask sends a system owner's answer to a task workflow.
func (t *TemporalWorkflows) UpdateTask(ctx context.Context, taskID string, arg workflows.CompleteTaskRequest) error {
	return t.update(ctx, workflows.TaskWorkflowID(taskID), workflows.UpdateCompleteTask, arg)
}

func (t *TemporalWorkflows) update(ctx context.Context, workflowID, name string, arg any) error {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	return refusal(err)
}

// refusal turns the errors that mean "not now" into ErrRefused.
func refusal(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return &ErrRefused{Reason: appErr.Message()}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &ErrRefused{Reason: "this case or task is no longer open for actions"}
	}
	return err
}

// CheckHealth reports whether the Temporal frontend answers.
func (t *TemporalWorkflows) CheckHealth(ctx context.Context) error {
	_, err := t.Client.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}
