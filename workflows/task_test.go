package workflows_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

var manualTask = workflows.TaskInput{CaseID: testCaseID, TaskID: "t-1", SystemID: "sys-crm", Connector: models.ConnectorManual}

// taskHarness runs TaskWorkflow on its own with its activities mocked.
type taskHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	submissions map[string]models.TaskOutcome // stored submissions: ID -> outcome
	failFirst   int                           // AcceptTaskSubmission calls that fail first

	mu       sync.Mutex
	notified []workflows.TaskInput
	accepted []string // task ID + "/" + submission ID, per call
	seq      int
}

func newTaskHarness(t *testing.T) *taskHarness {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	env.RegisterWorkflowWithOptions(workflows.TaskWorkflow, workflow.RegisterOptions{Name: workflows.TaskWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	return &taskHarness{t: t, env: env, submissions: map[string]models.TaskOutcome{
		"s-completed": models.TaskOutcomeCompleted,
		"s-not-found": models.TaskOutcomeNotFound,
		"s-exception": models.TaskOutcomeException,
	}}
}

func (h *taskHarness) doNotify(_ context.Context, in workflows.TaskInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notified = append(h.notified, in)
	return nil
}

func (h *taskHarness) doAccept(_ context.Context, taskID, submissionID string) (models.TaskOutcome, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.accepted = append(h.accepted, taskID+"/"+submissionID)
	if len(h.accepted) <= h.failFirst {
		return "", temporal.NewNonRetryableApplicationError("submission belongs to another task", "Invalid", nil)
	}
	o, ok := h.submissions[submissionID]
	if !ok {
		return "", temporal.NewNonRetryableApplicationError("no such submission", "NotFound", nil)
	}
	return o, nil
}

func (h *taskHarness) run(in workflows.TaskInput) (workflows.TaskResult, error) {
	h.t.Helper()
	h.env.OnActivity(workflows.ActivityNotifyTaskOwner, mock.Anything, mock.Anything).Return(h.doNotify)
	h.env.OnActivity(workflows.ActivityAcceptTaskSubmission, mock.Anything, mock.Anything, mock.Anything).Return(h.doAccept)
	h.env.ExecuteWorkflow(workflows.TaskWorkflowName, in)
	require.True(h.t, h.env.IsWorkflowCompleted(), "task workflow did not complete")
	var res workflows.TaskResult
	if err := h.env.GetWorkflowError(); err != nil {
		return res, err
	}
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res, nil
}

// completeAt sends the complete-task Update at offset at.
func (h *taskHarness) completeAt(at time.Duration, r workflows.CompleteTaskRequest) *updateRecord {
	rec := &updateRecord{}
	h.seq++
	id := fmt.Sprintf("complete-%d", h.seq)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdateCompleteTask, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() { rec.accepted = true },
			OnReject:   func(err error) { rec.rejected = err },
			OnComplete: func(_ any, err error) { rec.completed, rec.err = true, err },
		}, r)
	}, at)
	return rec
}

func answer(submissionID string, outcome models.TaskOutcome) workflows.CompleteTaskRequest {
	return workflows.CompleteTaskRequest{ActorID: "u-owner", SubmissionID: submissionID, Outcome: outcome}
}

func TestTaskManualConnectorNotifiesOwnerAndReturnsAcceptedOutcome(t *testing.T) {
	cases := []struct {
		name       string
		submission string
		requested  models.TaskOutcome
		want       models.TaskOutcome
	}{
		{"completed", "s-completed", models.TaskOutcomeCompleted, models.TaskOutcomeCompleted},
		{"not found", "s-not-found", models.TaskOutcomeNotFound, models.TaskOutcomeNotFound},
		{"exception", "s-exception", models.TaskOutcomeException, models.TaskOutcomeException},
		{"the stored submission's outcome wins over the request's", "s-not-found", models.TaskOutcomeCompleted, models.TaskOutcomeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newTaskHarness(t)
			rec := h.completeAt(3*day, answer(tc.submission, tc.requested))

			res, err := h.run(manualTask)

			require.NoError(t, err)
			requireDone(t, rec, "complete task")
			require.Equal(t, workflows.TaskResult{Outcome: tc.want}, res)
			require.Equal(t, []workflows.TaskInput{manualTask}, h.notified)
			require.Equal(t, []string{"t-1/" + tc.submission}, h.accepted)
			require.Equal(t, 3*day, h.env.Now().Sub(t0), "the task ends when it is answered")
		})
	}
}

func TestTaskRefusesInvalidAnswers(t *testing.T) {
	cases := []struct {
		name     string
		req      workflows.CompleteTaskRequest
		contains string
	}{
		{"unknown outcome", answer("s-completed", "done"), `outcome "done" is not one of completed, not_found, exception`},
		{"no outcome", answer("s-completed", ""), `outcome "" is not one of`},
		{"empty submission ID", answer("", models.TaskOutcomeCompleted), "submission ID is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newTaskHarness(t)
			refused := h.completeAt(time.Hour, tc.req)
			valid := h.completeAt(2*time.Hour, answer("s-completed", models.TaskOutcomeCompleted))

			res, err := h.run(manualTask)

			require.NoError(t, err)
			requireRejected(t, refused, tc.contains, tc.name)
			requireDone(t, valid, "valid answer after a refusal")
			require.Equal(t, models.TaskOutcomeCompleted, res.Outcome)
			require.Equal(t, []string{"t-1/s-completed"}, h.accepted, "a refused answer is never recorded")
		})
	}
}

func TestTaskRefusesSecondAnswer(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(h *taskHarness)
		second   time.Duration
		contains string
		ends     time.Duration
	}{
		{name: "while the first is being recorded",
			setup: func(h *taskHarness) {
				h.env.OnActivity(workflows.ActivityAcceptTaskSubmission, mock.Anything, mock.Anything, mock.Anything).
					After(time.Hour).Return(h.doAccept)
			},
			second: 90 * time.Minute, contains: "an answer to this task is being recorded", ends: 2 * time.Hour},
		{name: "after the first was recorded",
			// The owner answers (through the API) before the notification
			// activity has finished; the task is answered but still running.
			setup: func(h *taskHarness) {
				h.env.OnActivity(workflows.ActivityNotifyTaskOwner, mock.Anything, mock.Anything).
					After(3 * time.Hour).Return(h.doNotify)
			},
			second: 2 * time.Hour, contains: "this task is already answered (completed)", ends: 3 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newTaskHarness(t)
			tc.setup(h)
			first := h.completeAt(time.Hour, answer("s-completed", models.TaskOutcomeCompleted))
			second := h.completeAt(tc.second, answer("s-exception", models.TaskOutcomeException))

			res, err := h.run(manualTask)

			require.NoError(t, err)
			requireDone(t, first, "first answer")
			requireRejected(t, second, tc.contains, "second answer")
			require.Equal(t, models.TaskOutcomeCompleted, res.Outcome, "the first answer stands")
			require.Equal(t, []string{"t-1/s-completed"}, h.accepted)
			require.Equal(t, tc.ends, h.env.Now().Sub(t0))
		})
	}
}

func TestTaskAnswerThatCannotBeRecordedFailsAndCanBeGivenAgain(t *testing.T) {
	h := newTaskHarness(t)
	h.failFirst = 1
	failed := h.completeAt(time.Hour, answer("s-completed", models.TaskOutcomeCompleted))
	retried := h.completeAt(2*time.Hour, answer("s-not-found", models.TaskOutcomeNotFound))

	res, err := h.run(manualTask)

	require.NoError(t, err)
	require.True(t, failed.accepted)
	require.True(t, failed.completed)
	require.ErrorContains(t, failed.err, "record task answer")
	requireDone(t, retried, "answer after a failed one")
	require.Equal(t, models.TaskOutcomeNotFound, res.Outcome)
	require.Equal(t, []string{"t-1/s-completed", "t-1/s-not-found"}, h.accepted)
}

func TestTaskWithUnsupportedConnectorFails(t *testing.T) {
	for _, c := range []models.Connector{models.ConnectorWebhook, models.ConnectorEmail, models.ConnectorOpenDSR, ""} {
		t.Run(string(c)+"_connector", func(t *testing.T) {
			h := newTaskHarness(t)
			in := manualTask
			in.Connector = c

			_, err := h.run(in)

			require.ErrorContains(t, err, fmt.Sprintf("connector %q is not supported by this version", c))
			require.Empty(t, h.notified)
			require.Empty(t, h.accepted)
		})
	}
}
