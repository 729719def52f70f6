package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

const (
	day          = 24 * time.Hour
	testCaseID   = "c-1"
	verifyWindow = 14 * day
)

// t0 is when every test workflow starts; times below are offsets from it.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// updateRecord is what became of one Update sent by a test.
type updateRecord struct {
	accepted  bool
	rejected  error // the validator's refusal
	completed bool
	err       error // the handler's error
	sendErr   error // the test environment could not deliver it
}

// caseHarness runs CaseWorkflow (and real TaskWorkflow children) in the
// test environment with every activity mocked by name, and records every
// activity call in order.
type caseHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	// behaviour, set before run
	loadCase    func(call int) (models.CaseFacts, error)
	refs        []models.TaskRef
	submissions map[string]models.TaskOutcome // submission ID -> accepted outcome

	mu            sync.Mutex
	loads         int
	loadTimes     []time.Duration
	transitions   []workflows.TransitionRequest
	messages      []workflows.MessageRequest
	messageTimes  []time.Duration
	verifications []workflows.VerificationRequest
	verifyTimes   []time.Duration
	marks         []workflows.MarkVerifiedRequest
	plans         int
	notified      []workflows.TaskInput
	accepted      []string // task ID + "/" + submission ID
	seq           int
}

func newCaseHarness(t *testing.T) *caseHarness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	env.RegisterWorkflowWithOptions(workflows.CaseWorkflow, workflow.RegisterOptions{Name: workflows.CaseWorkflowName})
	env.RegisterWorkflowWithOptions(workflows.TaskWorkflow, workflow.RegisterOptions{Name: workflows.TaskWorkflowName})
	// The real activities, registered by their method names as the worker
	// does: a mock below then only matches if the workflow calls a name the
	// activities package implements, with arguments it accepts.
	env.RegisterActivity(&activities.Activities{})
	h := &caseHarness{
		t: t, env: env,
		loadCase: func(int) (models.CaseFacts, error) {
			return models.CaseFacts{CaseID: testCaseID, Type: models.TypeAccess, Regime: "gdpr",
				Status: models.StatusReceived, Language: "en", DueAt: t0.Add(30 * day)}, nil
		},
		submissions: map[string]models.TaskOutcome{},
	}
	return h
}

func (h *caseHarness) elapsed() time.Duration { return h.env.Now().Sub(t0) }

// Mock implementations; each records its call. Tests that need a delay or
// an error register their own mock first (testify uses the first match)
// and may return these to keep the record.

func (h *caseHarness) doLoadCase(_ context.Context, caseID string) (models.CaseFacts, error) {
	h.mu.Lock()
	h.loads++
	n := h.loads
	h.loadTimes = append(h.loadTimes, h.elapsed())
	h.mu.Unlock()
	require.Equal(h.t, testCaseID, caseID)
	return h.loadCase(n)
}

func (h *caseHarness) doTransition(_ context.Context, r workflows.TransitionRequest) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.transitions = append(h.transitions, r)
	return nil
}

func (h *caseHarness) doSendCaseMessage(_ context.Context, r workflows.MessageRequest) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.messages = append(h.messages, r)
	h.messageTimes = append(h.messageTimes, h.elapsed())
	return nil
}

func (h *caseHarness) doSendVerification(_ context.Context, r workflows.VerificationRequest) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.verifications = append(h.verifications, r)
	h.verifyTimes = append(h.verifyTimes, h.elapsed())
	return nil
}

func (h *caseHarness) doMarkVerified(_ context.Context, r workflows.MarkVerifiedRequest) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.marks = append(h.marks, r)
	return nil
}

func (h *caseHarness) doPlanTasks(_ context.Context, caseID string) ([]models.TaskRef, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plans++
	return h.refs, nil
}

func (h *caseHarness) doNotifyTaskOwner(_ context.Context, in workflows.TaskInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notified = append(h.notified, in)
	return nil
}

func (h *caseHarness) doAcceptTaskSubmission(_ context.Context, taskID, submissionID string) (models.TaskOutcome, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.accepted = append(h.accepted, taskID+"/"+submissionID)
	o, ok := h.submissions[submissionID]
	if !ok {
		return "", temporal.NewNonRetryableApplicationError("no such submission", "NotFound", nil)
	}
	return o, nil
}

// slowMessage makes sending the message with template take d of workflow
// time, to open a window in which a test can act.
func (h *caseHarness) slowMessage(template string, d time.Duration) {
	h.env.OnActivity(workflows.ActivitySendCaseMessage, mock.Anything,
		mock.MatchedBy(func(m workflows.MessageRequest) bool { return m.Template == template })).
		After(d).Return(h.doSendCaseMessage)
}

// slowTransition makes the transition to status take d of workflow time.
func (h *caseHarness) slowTransition(status models.Status, d time.Duration) {
	h.env.OnActivity(workflows.ActivityTransition, mock.Anything,
		mock.MatchedBy(func(r workflows.TransitionRequest) bool { return r.Status == status })).
		After(d).Return(h.doTransition)
}

func (h *caseHarness) installDefaultMocks() {
	e := h.env
	e.OnActivity(workflows.ActivityLoadCase, mock.Anything, mock.Anything).Return(h.doLoadCase)
	e.OnActivity(workflows.ActivityTransition, mock.Anything, mock.Anything).Return(h.doTransition)
	e.OnActivity(workflows.ActivitySendCaseMessage, mock.Anything, mock.Anything).Return(h.doSendCaseMessage)
	e.OnActivity(workflows.ActivitySendVerification, mock.Anything, mock.Anything).Return(h.doSendVerification)
	e.OnActivity(workflows.ActivityMarkVerified, mock.Anything, mock.Anything).Return(h.doMarkVerified)
	e.OnActivity(workflows.ActivityPlanTasks, mock.Anything, mock.Anything).Return(h.doPlanTasks)
	e.OnActivity(workflows.ActivityNotifyTaskOwner, mock.Anything, mock.Anything).Return(h.doNotifyTaskOwner)
	e.OnActivity(workflows.ActivityAcceptTaskSubmission, mock.Anything, mock.Anything, mock.Anything).
		Return(h.doAcceptTaskSubmission)
}

// run executes the case workflow to its end and returns its result.
func (h *caseHarness) run(in workflows.CaseInput) (workflows.CaseResult, error) {
	h.t.Helper()
	h.installDefaultMocks()
	h.env.ExecuteWorkflow(workflows.CaseWorkflowName, in)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not complete")
	var res workflows.CaseResult
	if err := h.env.GetWorkflowError(); err != nil {
		return res, err
	}
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res, nil
}

func (h *caseHarness) runDefault() workflows.CaseResult {
	h.t.Helper()
	res, err := h.run(workflows.CaseInput{CaseID: testCaseID, VerifyWithin: verifyWindow})
	require.NoError(h.t, err)
	return res
}

func (h *caseHarness) callbacks(rec *updateRecord) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnAccept:   func() { rec.accepted = true },
		OnReject:   func(err error) { rec.rejected = err },
		OnComplete: func(_ any, err error) { rec.completed, rec.err = true, err },
	}
}

func (h *caseHarness) nextID(name string) string {
	h.seq++
	return fmt.Sprintf("%s-%d", name, h.seq)
}

// updateAt sends an Update to the case workflow at offset at.
func (h *caseHarness) updateAt(at time.Duration, name string, arg any) *updateRecord {
	rec := &updateRecord{}
	id := h.nextID(name)
	h.env.RegisterDelayedCallback(func() { h.env.UpdateWorkflow(name, id, h.callbacks(rec), arg) }, at)
	return rec
}

// linkAt delivers the requester's click on the emailed link at offset at.
func (h *caseHarness) linkAt(at time.Duration) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(workflows.SignalEmailVerified, nil) }, at)
}

// completeTaskAt answers a task through its child workflow at offset at.
func (h *caseHarness) completeTaskAt(at time.Duration, taskID string, r workflows.CompleteTaskRequest) *updateRecord {
	rec := &updateRecord{}
	id := h.nextID("complete-" + taskID)
	h.env.RegisterDelayedCallback(func() {
		rec.sendErr = h.env.UpdateWorkflowByID(workflows.TaskWorkflowID(taskID), workflows.UpdateCompleteTask, id, h.callbacks(rec), r)
	}, at)
	return rec
}

func (h *caseHarness) statuses() []models.Status {
	var out []models.Status
	for _, tr := range h.transitions {
		out = append(out, tr.Status)
	}
	return out
}

func (h *caseHarness) templates() []string {
	var out []string
	for _, m := range h.messages {
		out = append(out, m.Template)
	}
	return out
}

func requireDone(t *testing.T, rec *updateRecord, what string) {
	t.Helper()
	require.NoError(t, rec.sendErr, what)
	require.NoError(t, rec.rejected, what)
	require.True(t, rec.accepted, "%s: not accepted", what)
	require.True(t, rec.completed, "%s: not completed", what)
	require.NoError(t, rec.err, what)
}

func requireRejected(t *testing.T, rec *updateRecord, contains, what string) {
	t.Helper()
	require.Error(t, rec.rejected, "%s: expected a refusal", what)
	require.Contains(t, rec.rejected.Error(), contains, what)
	require.False(t, rec.accepted, "%s: accepted", what)
	require.False(t, rec.completed, "%s: ran", what)
}

// twoManualSystems plans two manual tasks whose submissions close them as
// completed (S1) and not_found (S2).
func (h *caseHarness) twoManualSystems() {
	h.refs = []models.TaskRef{
		{TaskID: "t-1", SystemID: "sys-crm", Connector: models.ConnectorManual},
		{TaskID: "t-2", SystemID: "sys-billing", Connector: models.ConnectorManual},
	}
	h.submissions["s-1"] = models.TaskOutcomeCompleted
	h.submissions["s-2"] = models.TaskOutcomeNotFound
}

// happyPath schedules the ordinary course after the link is clicked at 1h:
// approve at 2h, both tasks answered at 3h and 4h, response at 5h.
type happyPath struct {
	approve, task1, task2, respond *updateRecord
}

func (h *caseHarness) scheduleHappyPath() happyPath {
	h.twoManualSystems()
	h.linkAt(time.Hour)
	return happyPath{
		approve: h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-approver"}),
		task1: h.completeTaskAt(3*time.Hour, "t-1", workflows.CompleteTaskRequest{
			ActorID: "u-owner1", SubmissionID: "s-1", Outcome: models.TaskOutcomeCompleted}),
		task2: h.completeTaskAt(4*time.Hour, "t-2", workflows.CompleteTaskRequest{
			ActorID: "u-owner2", SubmissionID: "s-2", Outcome: models.TaskOutcomeNotFound}),
		respond: h.updateAt(5*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-responder", NoteID: "n-final"}),
	}
}

var happyStatuses = []models.Status{
	models.StatusIdentityUnverified, models.StatusPendingReview, models.StatusInProgress,
	models.StatusAwaitingResponse, models.StatusCompleted,
}

// requireClosed checks how the case was closed in the database (the last
// Transition). The workflow's own result is checked separately, in
// TestCaseResultIsTheFinalStatusAndOutcome.
func (h *caseHarness) requireClosed(status models.Status, outcome models.Outcome) {
	h.t.Helper()
	require.NotEmpty(h.t, h.transitions)
	last := h.transitions[len(h.transitions)-1]
	require.Equal(h.t, status, last.Status)
	require.Equal(h.t, outcome, last.Outcome)
}

func (h *caseHarness) requireHappyPath(p happyPath) {
	t := h.t
	t.Helper()
	requireDone(t, p.approve, "approve")
	requireDone(t, p.task1, "task 1")
	requireDone(t, p.task2, "task 2")
	requireDone(t, p.respond, "respond")
	h.requireClosed(models.StatusCompleted, models.OutcomeFulfilled)
	require.Equal(t, happyStatuses, h.statuses())
	require.Equal(t, []string{workflows.TemplateAcknowledgement, workflows.TemplateFinalResponse}, h.templates())
	require.Len(t, h.marks, 1)
	require.Len(t, h.verifications, 1)
	require.Equal(t, 1, h.plans)
	require.ElementsMatch(t, []string{"t-1/s-1", "t-2/s-2"}, h.accepted)
}

func TestCaseVerifiedByLinkIsApprovedFulfilledAndAnswered(t *testing.T) {
	h := newCaseHarness(t)
	p := h.scheduleHappyPath()

	h.runDefault()

	h.requireHappyPath(p)
	require.Equal(t, []workflows.TransitionRequest{
		{CaseID: testCaseID, Status: models.StatusIdentityUnverified, EventKey: "identity_unverified", Summary: "Verification email sent"},
		{CaseID: testCaseID, Status: models.StatusPendingReview, EventKey: "pending_review", Summary: "Identity verified; waiting for review"},
		{CaseID: testCaseID, Status: models.StatusInProgress, EventKey: "approved", ActorID: "u-approver", Summary: "Approved"},
		{CaseID: testCaseID, Status: models.StatusAwaitingResponse, EventKey: "awaiting_response", Summary: "All tasks answered; response ready to send"},
		{CaseID: testCaseID, Status: models.StatusCompleted, Outcome: models.OutcomeFulfilled, EventKey: "completed",
			ActorID: "u-responder", Summary: "Final response sent: fulfilled"},
	}, h.transitions)
	require.Equal(t, []workflows.MessageRequest{
		{CaseID: testCaseID, Template: workflows.TemplateAcknowledgement, Key: "acknowledgement"},
		{CaseID: testCaseID, Template: workflows.TemplateFinalResponse, Key: "final_response", NoteID: "n-final", Outcome: models.OutcomeFulfilled},
	}, h.messages)
	require.Equal(t, []workflows.VerificationRequest{
		{CaseID: testCaseID, Key: "verification-1", Template: workflows.TemplateVerification, ValidFor: verifyWindow},
	}, h.verifications)
	require.Equal(t, []workflows.MarkVerifiedRequest{{CaseID: testCaseID, Method: "link"}}, h.marks)
	require.ElementsMatch(t, []workflows.TaskInput{
		{CaseID: testCaseID, TaskID: "t-1", SystemID: "sys-crm", Connector: models.ConnectorManual},
		{CaseID: testCaseID, TaskID: "t-2", SystemID: "sys-billing", Connector: models.ConnectorManual},
	}, h.notified)
	require.Equal(t, 5*time.Hour, h.elapsed(), "the case closes when the response is sent")
}

func TestCaseVerifiedManuallyRecordsActorAndNote(t *testing.T) {
	h := newCaseHarness(t)
	verify := h.updateAt(time.Hour, workflows.UpdateVerify, workflows.VerifyRequest{ActorID: "u-handler", NoteID: "n-id-check"})
	approve := h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-handler"})
	respond := h.updateAt(3*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-handler"})

	h.runDefault()

	requireDone(t, verify, "verify")
	requireDone(t, approve, "approve")
	requireDone(t, respond, "respond")
	require.Equal(t, []workflows.MarkVerifiedRequest{
		{CaseID: testCaseID, Method: "manual", ActorID: "u-handler", NoteID: "n-id-check"},
	}, h.marks)
	require.Equal(t, happyStatuses, h.statuses())
	h.requireClosed(models.StatusCompleted, models.OutcomeNoDataFound)
}

func TestCaseSendsOneReminderHalfWayThroughVerificationWindow(t *testing.T) {
	h := newCaseHarness(t)
	h.linkAt(8 * day)
	h.updateAt(8*day+time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	h.updateAt(8*day+2*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	require.Equal(t, []workflows.VerificationRequest{
		{CaseID: testCaseID, Key: "verification-1", Template: workflows.TemplateVerification, ValidFor: 14 * day},
		{CaseID: testCaseID, Key: "verification-2", Template: workflows.TemplateVerificationReminder, ValidFor: 7 * day},
	}, h.verifications)
	require.Equal(t, []time.Duration{0, 7 * day}, h.verifyTimes)
	require.Equal(t, []workflows.MarkVerifiedRequest{{CaseID: testCaseID, Method: "link"}}, h.marks)
	require.Equal(t, happyStatuses, h.statuses())
	h.requireClosed(models.StatusCompleted, models.OutcomeNoDataFound)
}

func TestCaseVerifiedBeforeHalfWaySendsNoReminder(t *testing.T) {
	h := newCaseHarness(t)
	h.linkAt(7*day - time.Minute)
	h.updateAt(7*day+time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyOther, NoteID: "n-1"})

	h.runDefault()

	require.Len(t, h.verifications, 1)
	require.Len(t, h.marks, 1)
}

func TestCaseExpiresWhenIdentityIsNeverConfirmed(t *testing.T) {
	cases := []struct {
		name         string
		verifyWithin time.Duration
		window       time.Duration // expected effective window
	}{
		{"fourteen day window", 14 * day, 14 * day},
		{"unset window defaults to fourteen days", 0, 14 * day},
		{"odd window", 25*time.Hour + 1, 25*time.Hour + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			res, err := h.run(workflows.CaseInput{CaseID: testCaseID, VerifyWithin: tc.verifyWithin})
			require.NoError(t, err)

			require.Equal(t, workflows.CaseResult{Status: models.StatusExpired, Outcome: models.OutcomeDeniedUnverified}, res)
			half := tc.window / 2
			require.Equal(t, []workflows.VerificationRequest{
				{CaseID: testCaseID, Key: "verification-1", Template: workflows.TemplateVerification, ValidFor: tc.window},
				{CaseID: testCaseID, Key: "verification-2", Template: workflows.TemplateVerificationReminder, ValidFor: tc.window - half},
			}, h.verifications)
			require.Equal(t, []time.Duration{0, half}, h.verifyTimes)
			require.Equal(t, []workflows.MessageRequest{
				{CaseID: testCaseID, Template: workflows.TemplateAcknowledgement, Key: "acknowledgement"},
				{CaseID: testCaseID, Template: workflows.TemplateExpired, Key: "expired"},
			}, h.messages)
			require.Equal(t, []time.Duration{0, tc.window}, h.messageTimes, "the expiry notice goes out exactly at the end of the window")
			require.Equal(t, []workflows.TransitionRequest{
				{CaseID: testCaseID, Status: models.StatusIdentityUnverified, EventKey: "identity_unverified", Summary: "Verification email sent"},
				{CaseID: testCaseID, Status: models.StatusExpired, Outcome: models.OutcomeDeniedUnverified, EventKey: "expired",
					Summary: "Identity was not confirmed in time; the request expired"},
			}, h.transitions)
			require.Empty(t, h.marks)
			require.Zero(t, h.plans)
			require.Equal(t, tc.window, h.elapsed())
		})
	}
}

func TestCaseDeniedWithReason(t *testing.T) {
	type stage struct {
		name     string
		statuses []models.Status
		marks    int
		schedule func(h *caseHarness, deny workflows.DenyRequest) *updateRecord
	}
	stages := []stage{
		{"while identity is unverified",
			[]models.Status{models.StatusIdentityUnverified, models.StatusDenied}, 0,
			func(h *caseHarness, deny workflows.DenyRequest) *updateRecord {
				return h.updateAt(time.Hour, workflows.UpdateDeny, deny)
			}},
		{"in review",
			[]models.Status{models.StatusIdentityUnverified, models.StatusPendingReview, models.StatusDenied}, 1,
			func(h *caseHarness, deny workflows.DenyRequest) *updateRecord {
				h.linkAt(time.Hour)
				return h.updateAt(2*time.Hour, workflows.UpdateDeny, deny)
			}},
	}
	reasons := map[models.DenyReason]models.Outcome{
		models.DenyManifestlyUnfounded: models.OutcomeDeniedManifestlyUnfounded,
		models.DenyExcessive:           models.OutcomeDeniedExcessive,
		models.DenyUnverified:          models.OutcomeDeniedUnverified,
		models.DenyNotCovered:          models.OutcomeDeniedNotCovered,
		models.DenyOther:               models.OutcomeDeniedOther,
	}
	for _, st := range stages {
		for _, reason := range models.DenyReasons {
			t.Run(st.name+"/"+string(reason), func(t *testing.T) {
				h := newCaseHarness(t)
				deny := workflows.DenyRequest{ActorID: "u-denier", Reason: reason, NoteID: "n-why"}
				rec := st.schedule(h, deny)

				res := h.runDefault()

				requireDone(t, rec, "deny")
				want := reasons[reason]
				require.NotEmpty(t, want)
				require.Equal(t, workflows.CaseResult{Status: models.StatusDenied, Outcome: want}, res)
				require.Equal(t, st.statuses, h.statuses())
				require.Equal(t, workflows.TransitionRequest{CaseID: testCaseID, Status: models.StatusDenied, Outcome: want,
					EventKey: "denied", ActorID: "u-denier", Summary: "Denied: " + string(reason)}, h.transitions[len(h.transitions)-1])
				require.Equal(t, []workflows.MessageRequest{
					{CaseID: testCaseID, Template: workflows.TemplateAcknowledgement, Key: "acknowledgement"},
					{CaseID: testCaseID, Template: workflows.TemplateDenial, Key: "denial", NoteID: "n-why", Reason: reason},
				}, h.messages)
				require.Len(t, h.marks, st.marks)
				require.Len(t, h.verifications, 1, "no reminder after a denial")
				require.Zero(t, h.plans)
			})
		}
	}
}

func TestCaseWithNoSystemsFindsNoData(t *testing.T) {
	h := newCaseHarness(t)
	h.linkAt(time.Hour)
	approve := h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	respond := h.updateAt(3*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})
	children := 0
	h.env.SetOnChildWorkflowStartedListener(func(*workflow.Info, workflow.Context, converter.EncodedValues) { children++ })

	h.runDefault()

	requireDone(t, approve, "approve")
	requireDone(t, respond, "respond")
	require.Zero(t, children)
	require.Equal(t, 1, h.plans)
	require.Equal(t, happyStatuses, h.statuses())
	h.requireClosed(models.StatusCompleted, models.OutcomeNoDataFound)
	last := h.messages[len(h.messages)-1]
	require.Equal(t, workflows.MessageRequest{CaseID: testCaseID, Template: workflows.TemplateFinalResponse,
		Key: "final_response", Outcome: models.OutcomeNoDataFound}, last)
}

// taskOutcome is a mocked child's answer: an outcome, or a failure.
type taskOutcome struct {
	outcome models.TaskOutcome
	fail    bool
}

func TestCaseOutcomeFollowsTaskOutcomes(t *testing.T) {
	ok := func(o models.TaskOutcome) taskOutcome { return taskOutcome{outcome: o} }
	failed := taskOutcome{fail: true}
	completed, notFound, exception := ok(models.TaskOutcomeCompleted), ok(models.TaskOutcomeNotFound), ok(models.TaskOutcomeException)
	cases := []struct {
		name  string
		tasks []taskOutcome
		want  models.Outcome
	}{
		{"all completed is fulfilled", []taskOutcome{completed, completed}, models.OutcomeFulfilled},
		{"completed and not found is fulfilled", []taskOutcome{completed, notFound}, models.OutcomeFulfilled},
		{"all not found is no data found", []taskOutcome{notFound, notFound, notFound}, models.OutcomeNoDataFound},
		{"any exception is partially fulfilled", []taskOutcome{completed, exception, notFound}, models.OutcomePartiallyFulfilled},
		{"exception among not found is partially fulfilled", []taskOutcome{notFound, exception}, models.OutcomePartiallyFulfilled},
		{"failed child counts as exception", []taskOutcome{completed, failed}, models.OutcomePartiallyFulfilled},
		{"only a failed child is partially fulfilled", []taskOutcome{failed}, models.OutcomePartiallyFulfilled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			byTask := map[string]taskOutcome{}
			for i, o := range tc.tasks {
				id := fmt.Sprintf("t-%d", i+1)
				h.refs = append(h.refs, models.TaskRef{TaskID: id, SystemID: "sys-" + id, Connector: models.ConnectorManual})
				byTask[id] = o
			}
			var mu sync.Mutex
			var started []workflows.TaskInput
			h.env.OnWorkflow(workflows.TaskWorkflowName, mock.Anything, mock.Anything).After(time.Hour).Return(
				func(_ workflow.Context, in workflows.TaskInput) (workflows.TaskResult, error) {
					mu.Lock()
					started = append(started, in)
					mu.Unlock()
					o := byTask[in.TaskID]
					if o.fail {
						return workflows.TaskResult{}, errors.New("system unreachable")
					}
					return workflows.TaskResult{Outcome: o.outcome}, nil
				})
			h.linkAt(time.Hour)
			h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
			respond := h.updateAt(4*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

			h.runDefault()

			requireDone(t, respond, "respond")
			require.Len(t, started, len(tc.tasks))
			h.requireClosed(models.StatusCompleted, tc.want)
			require.Equal(t, tc.want, h.messages[len(h.messages)-1].Outcome)
		})
	}
}

func TestCaseCountsTaskWithUnsupportedConnectorAsException(t *testing.T) {
	h := newCaseHarness(t)
	h.refs = []models.TaskRef{
		{TaskID: "t-1", SystemID: "sys-crm", Connector: models.ConnectorManual},
		{TaskID: "t-2", SystemID: "sys-vendor", Connector: models.ConnectorWebhook},
	}
	h.submissions["s-1"] = models.TaskOutcomeCompleted
	h.linkAt(time.Hour)
	h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
	task := h.completeTaskAt(3*time.Hour, "t-1", workflows.CompleteTaskRequest{ActorID: "u-2", SubmissionID: "s-1", Outcome: models.TaskOutcomeCompleted})
	h.updateAt(4*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})

	h.runDefault()

	requireDone(t, task, "task 1")
	h.requireClosed(models.StatusCompleted, models.OutcomePartiallyFulfilled)
	require.Len(t, h.notified, 1, "only the manual task's owner is notified")
}

// A review decision sent while the verification is still being recorded is
// judged against the status the verification leads to, queued behind it,
// and carried out once the case is in review.
func TestCaseDenialQueuedBehindVerificationIsCarriedOut(t *testing.T) {
	h := newCaseHarness(t)
	h.env.OnActivity(workflows.ActivityMarkVerified, mock.Anything, mock.Anything).After(30 * time.Minute).Return(h.doMarkVerified)
	h.linkAt(time.Hour)
	deny := h.updateAt(time.Hour+10*time.Minute, workflows.UpdateDeny,
		workflows.DenyRequest{ActorID: "u-x", Reason: models.DenyExcessive, NoteID: "n-1"})

	h.runDefault()

	requireDone(t, deny, "deny")
	h.requireClosed(models.StatusDenied, models.OutcomeDeniedExcessive)
}

func TestCaseRefusesActionsItCannotTakeNow(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(h *caseHarness) // slow activities to open a window
		at       time.Duration
		update   string
		arg      any
		contains string
	}{
		{name: "approve before verification", at: 30 * time.Minute,
			update: workflows.UpdateApprove, arg: workflows.ApproveRequest{ActorID: "u-x"},
			contains: "cannot approve a case that is identity_unverified"},
		{name: "respond before verification", at: 30 * time.Minute,
			update: workflows.UpdateRespond, arg: workflows.RespondRequest{ActorID: "u-x"},
			contains: "cannot respond a case that is identity_unverified"},
		{name: "verify after verification", at: 90 * time.Minute,
			update: workflows.UpdateVerify, arg: workflows.VerifyRequest{ActorID: "u-x"},
			contains: "cannot verify a case that is pending_review"},
		{name: "respond in review", at: 90 * time.Minute,
			update: workflows.UpdateRespond, arg: workflows.RespondRequest{ActorID: "u-x"},
			contains: "cannot respond a case that is pending_review"},
		{name: "deny with a reason that is not one", at: 90 * time.Minute,
			update: workflows.UpdateDeny, arg: workflows.DenyRequest{ActorID: "u-x", Reason: "because", NoteID: "n-x"},
			contains: `reason "because" is not one of`},
		{name: "deny without a reason", at: 90 * time.Minute,
			update: workflows.UpdateDeny, arg: workflows.DenyRequest{ActorID: "u-x"},
			contains: `reason "" is not one of`},
		{name: "respond before tasks are done", at: 150 * time.Minute,
			update: workflows.UpdateRespond, arg: workflows.RespondRequest{ActorID: "u-x"},
			contains: "cannot respond a case that is in_progress"},
		{name: "approve twice", at: 150 * time.Minute,
			update: workflows.UpdateApprove, arg: workflows.ApproveRequest{ActorID: "u-x"},
			contains: "cannot approve a case that is in_progress"},
		{name: "deny after approval", at: 150 * time.Minute,
			update: workflows.UpdateDeny, arg: workflows.DenyRequest{ActorID: "u-x", Reason: models.DenyOther},
			contains: "cannot deny a case that is in_progress"},
		{name: "deny while an approval is being carried out",
			setup: func(h *caseHarness) {
				h.env.OnActivity(workflows.ActivityPlanTasks, mock.Anything, mock.Anything).After(30 * time.Minute).Return(h.doPlanTasks)
			},
			at:     2*time.Hour + 10*time.Minute,
			update: workflows.UpdateDeny, arg: workflows.DenyRequest{ActorID: "u-x", Reason: models.DenyOther},
			contains: "cannot deny a case that is in_progress"},
		{name: "second approval while the first is being carried out",
			setup: func(h *caseHarness) {
				h.env.OnActivity(workflows.ActivityPlanTasks, mock.Anything, mock.Anything).After(30 * time.Minute).Return(h.doPlanTasks)
			},
			at:     2*time.Hour + 10*time.Minute,
			update: workflows.UpdateApprove, arg: workflows.ApproveRequest{ActorID: "u-x"},
			contains: "cannot approve a case that is in_progress"},
		{name: "second response while the first is being sent",
			setup:  func(h *caseHarness) { h.slowMessage(workflows.TemplateFinalResponse, 30*time.Minute) },
			at:     5*time.Hour + 10*time.Minute,
			update: workflows.UpdateRespond, arg: workflows.RespondRequest{ActorID: "u-x"},
			contains: "cannot respond a case that is completed"},
		{name: "verify while the link is being recorded",
			setup: func(h *caseHarness) {
				h.env.OnActivity(workflows.ActivityMarkVerified, mock.Anything, mock.Anything).After(30 * time.Minute).Return(h.doMarkVerified)
			},
			at:     time.Hour + 10*time.Minute,
			update: workflows.UpdateVerify, arg: workflows.VerifyRequest{ActorID: "u-x"},
			contains: "cannot verify a case that is pending_review"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			p := h.scheduleHappyPath()
			refused := h.updateAt(tc.at, tc.update, tc.arg)

			h.runDefault()

			requireRejected(t, refused, tc.contains, tc.name)
			h.requireHappyPath(p)
			for _, tr := range h.transitions {
				require.NotEqual(t, "u-x", tr.ActorID, "a refused action left a trace")
			}
			for _, m := range h.messages {
				require.NotEqual(t, "n-x", m.NoteID, "a refused action left a trace")
			}
		})
	}
}

func TestCaseEndsQuietlyWhenCaseRowNeverAppears(t *testing.T) {
	h := newCaseHarness(t)
	h.loadCase = func(int) (models.CaseFacts, error) {
		return models.CaseFacts{}, temporal.NewNonRetryableApplicationError("x", workflows.ErrTypeCaseNotFound, nil)
	}

	res := h.runDefault()

	require.Equal(t, workflows.CaseResult{}, res)
	require.Equal(t, 9, h.loads, "LoadCase is tried a bounded number of times")
	for i := 1; i < len(h.loadTimes); i++ {
		require.Greater(t, h.loadTimes[i]-h.loadTimes[i-1], time.Duration(0), "attempts are spaced out")
	}
	require.Empty(t, h.transitions)
	require.Empty(t, h.messages)
	require.Empty(t, h.verifications)
	require.Empty(t, h.marks)
	require.Zero(t, h.plans)
}

func TestCaseProceedsWhenCaseRowAppearsLate(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		loads int
	}{
		{"not found twice", temporal.NewNonRetryableApplicationError("x", workflows.ErrTypeCaseNotFound, nil), 3},
		{"database unavailable twice", errors.New("connection refused"), 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			base := h.loadCase
			h.loadCase = func(n int) (models.CaseFacts, error) {
				if n <= 2 {
					return models.CaseFacts{}, tc.err
				}
				return base(n)
			}
			h.updateAt(time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyExcessive})

			res := h.runDefault()

			require.Equal(t, tc.loads, h.loads)
			require.Equal(t, workflows.CaseResult{Status: models.StatusDenied, Outcome: models.OutcomeDeniedExcessive}, res)
			require.Equal(t, []string{workflows.TemplateAcknowledgement, workflows.TemplateDenial}, h.templates())
			require.Equal(t, h.loadTimes[2], h.messageTimes[0], "acknowledged as soon as the row is there")
		})
	}
}

func TestCaseRejectsMissingCaseID(t *testing.T) {
	h := newCaseHarness(t)
	_, err := h.run(workflows.CaseInput{})
	require.ErrorContains(t, err, "case ID is required")
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable())
	require.Zero(t, h.loads)
}

func TestCaseIgnoresLinkAfterVerification(t *testing.T) {
	h := newCaseHarness(t)
	h.linkAt(time.Hour)
	h.linkAt(90 * time.Minute) // second click, case in review
	h.linkAt(3 * day)
	deny := h.updateAt(4*day, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyOther})

	res := h.runDefault()

	requireDone(t, deny, "deny")
	require.Len(t, h.marks, 1)
	require.Equal(t, []models.Status{models.StatusIdentityUnverified, models.StatusPendingReview, models.StatusDenied}, h.statuses(),
		"a later click must not approve the case")
	require.Equal(t, models.StatusDenied, res.Status)
}

// A click or a verification that arrives while the verification is being
// recorded (moving the case to pending_review) must not be taken for the
// review decision.
func TestCaseRepeatedVerificationWhileMovingToReviewIsNotAnApproval(t *testing.T) {
	h := newCaseHarness(t)
	h.slowTransition(models.StatusPendingReview, time.Hour)
	h.linkAt(time.Hour)
	h.linkAt(90 * time.Minute)
	verify := h.updateAt(100*time.Minute, workflows.UpdateVerify, workflows.VerifyRequest{ActorID: "u-late"})
	deny := h.updateAt(3*time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyOther})

	res := h.runDefault()

	require.Error(t, verify.rejected, "verify while moving to review")
	requireDone(t, deny, "deny")
	require.Equal(t, []models.Status{models.StatusIdentityUnverified, models.StatusPendingReview, models.StatusDenied}, h.statuses())
	require.Len(t, h.marks, 1)
	require.Equal(t, models.StatusDenied, res.Status)
}

func TestCaseIgnoresLinkAfterExpiry(t *testing.T) {
	h := newCaseHarness(t)
	h.slowMessage(workflows.TemplateExpired, time.Hour) // the case is expiring for an hour
	h.linkAt(verifyWindow + 30*time.Minute)

	res := h.runDefault()

	require.Equal(t, workflows.CaseResult{Status: models.StatusExpired, Outcome: models.OutcomeDeniedUnverified}, res)
	require.Empty(t, h.marks)
	require.Equal(t, []models.Status{models.StatusIdentityUnverified, models.StatusExpired}, h.statuses())
}

// A handler's action accepted while the case is expiring (the expiry notice
// is being sent) must be refused or carried out, never accepted and then
// dropped: the handler would be told nothing, and the case would expire
// against their decision.
func TestCaseActionWhileExpiringIsRefusedOrCarriedOut(t *testing.T) {
	cases := []struct {
		name   string
		update string
		arg    any
	}{
		{"verify", workflows.UpdateVerify, workflows.VerifyRequest{ActorID: "u-late", NoteID: "n-late"}},
		{"deny", workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-late", Reason: models.DenyExcessive, NoteID: "n-late"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			h.slowMessage(workflows.TemplateExpired, time.Hour) // expiring from 14d to 14d+1h
			rec := h.updateAt(verifyWindow+30*time.Minute, tc.update, tc.arg)

			res := h.runDefault()

			if rec.accepted {
				require.True(t, rec.completed,
					"%s was accepted while the case was expiring but never carried out; the case ended %s/%s",
					tc.name, res.Status, res.Outcome)
			}
		})
	}
}

// The workflow's result is how the case ended: what the last transition wrote.
func TestCaseResultIsTheFinalStatusAndOutcome(t *testing.T) {
	cases := []struct {
		name     string
		schedule func(h *caseHarness)
		want     workflows.CaseResult
	}{
		{"completed", func(h *caseHarness) { h.scheduleHappyPath() },
			workflows.CaseResult{Status: models.StatusCompleted, Outcome: models.OutcomeFulfilled}},
		{"completed without systems", func(h *caseHarness) {
			h.linkAt(time.Hour)
			h.updateAt(2*time.Hour, workflows.UpdateApprove, workflows.ApproveRequest{ActorID: "u-1"})
			h.updateAt(3*time.Hour, workflows.UpdateRespond, workflows.RespondRequest{ActorID: "u-1"})
		}, workflows.CaseResult{Status: models.StatusCompleted, Outcome: models.OutcomeNoDataFound}},
		{"denied", func(h *caseHarness) {
			h.updateAt(time.Hour, workflows.UpdateDeny, workflows.DenyRequest{ActorID: "u-1", Reason: models.DenyNotCovered})
		}, workflows.CaseResult{Status: models.StatusDenied, Outcome: models.OutcomeDeniedNotCovered}},
		{"expired", func(h *caseHarness) {},
			workflows.CaseResult{Status: models.StatusExpired, Outcome: models.OutcomeDeniedUnverified}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseHarness(t)
			tc.schedule(h)

			res := h.runDefault()

			last := h.transitions[len(h.transitions)-1]
			require.Equal(t, tc.want, workflows.CaseResult{Status: last.Status, Outcome: last.Outcome}, "last transition")
			require.Equal(t, tc.want, res, "workflow result")
		})
	}
}

// personalWords are words that, in a field name, suggest personal data or
// free text. Temporal keeps workflow inputs, results, updates, signals and
// activity arguments in its history, where such data must never be.
var personalWords = map[string]bool{
	"email": true, "mail": true, "name": true, "names": true, "phone": true, "mobile": true,
	"detail": true, "details": true, "note": true, "notes": true, "body": true, "address": true,
	"comment": true, "comments": true, "text": true, "message": true, "birth": true, "ip": true,
}

// allowedFieldNames are names with a personal-sounding word that hold an
// enum or a code, not personal data.
var allowedFieldNames = map[string]bool{"TemplateName": true}

// camelWords splits "SubjectEmail" into ["subject", "email"].
func camelWords(s string) []string {
	var words []string
	start := 0
	for i := 1; i < len(s); i++ {
		if unicode.IsUpper(rune(s[i])) && !unicode.IsUpper(rune(s[i-1])) {
			words = append(words, strings.ToLower(s[start:i]))
			start = i
		}
	}
	return append(words, strings.ToLower(s[start:]))
}

// personalFieldName says why a field name suggests personal data, or "".
// IDs (NoteID, SubmissionID) are fine: the data stays in the database.
func personalFieldName(name string) string {
	if strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "IDs") || allowedFieldNames[name] {
		return ""
	}
	for _, w := range camelWords(name) {
		if personalWords[w] {
			return "name contains " + strconv.Quote(w)
		}
	}
	return ""
}

// personalDataFields walks t and every type reachable from its exported
// fields and lists the fields that look like personal data or free-form values.
func personalDataFields(t reflect.Type, seen map[reflect.Type]bool) []string {
	var bad []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for {
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Array:
				t = t.Elem()
				continue
			case reflect.Map:
				walk(t.Key())
				t = t.Elem()
				continue
			}
			break
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			where := t.String() + "." + f.Name
			if why := personalFieldName(f.Name); why != "" {
				bad = append(bad, where+": "+why)
			}
			if free := freeForm(f.Type); free {
				bad = append(bad, where+": free-form value "+f.Type.String())
			}
			walk(f.Type)
		}
	}
	walk(t)
	return bad
}

// freeForm reports whether t can hold anything (any, map[string]any, ...).
func freeForm(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t.Kind() == reflect.Interface
}

// historyTypes lists every type that travels through Temporal's history:
// workflow inputs and results, Update arguments, and the arguments and
// results of every activity the workflows call, as the activities package
// declares them.
func historyTypes(t *testing.T) map[string]reflect.Type {
	t.Helper()
	out := map[string]reflect.Type{}
	add := func(where string, ts ...reflect.Type) {
		for i, typ := range ts {
			if typ == reflect.TypeFor[error]() || typ == reflect.TypeFor[context.Context]() || typ == reflect.TypeFor[workflow.Context]() {
				continue
			}
			out[fmt.Sprintf("%s#%d %s", where, i, typ)] = typ
		}
	}
	signature := func(where string, ft reflect.Type, skip int) {
		var ts []reflect.Type
		for i := skip; i < ft.NumIn(); i++ {
			ts = append(ts, ft.In(i))
		}
		for i := range ft.NumOut() {
			ts = append(ts, ft.Out(i))
		}
		add(where, ts...)
	}
	signature(workflows.CaseWorkflowName, reflect.TypeOf(workflows.CaseWorkflow), 0)
	signature(workflows.TaskWorkflowName, reflect.TypeOf(workflows.TaskWorkflow), 0)
	add("updates",
		reflect.TypeFor[workflows.VerifyRequest](), reflect.TypeFor[workflows.ApproveRequest](),
		reflect.TypeFor[workflows.DenyRequest](), reflect.TypeFor[workflows.RespondRequest](),
		reflect.TypeFor[workflows.CompleteTaskRequest]())
	acts := reflect.TypeOf(&activities.Activities{})
	for _, name := range []string{
		workflows.ActivityLoadCase, workflows.ActivityTransition, workflows.ActivitySendCaseMessage,
		workflows.ActivitySendVerification, workflows.ActivityMarkVerified, workflows.ActivityPlanTasks,
		workflows.ActivityNotifyTaskOwner, workflows.ActivityAcceptTaskSubmission,
	} {
		m, ok := acts.MethodByName(name)
		require.True(t, ok, "activity %s has no implementation in package activities", name)
		signature("activity "+name, m.Type, 1) // skip the receiver
	}
	return out
}

func TestHistoryTypesCarryNoPersonalData(t *testing.T) {
	types := historyTypes(t)
	require.NotEmpty(t, types)
	seen := map[reflect.Type]bool{}
	var bad []string
	for _, typ := range types {
		bad = append(bad, personalDataFields(typ, seen)...)
	}
	require.Empty(t, bad, "personal data or free text would be kept in Temporal's history")
	// The walk reached the nested types from package models too.
	require.True(t, seen[reflect.TypeFor[models.CaseFacts]()])
	require.True(t, seen[reflect.TypeFor[models.TaskRef]()])
	require.True(t, seen[reflect.TypeFor[workflows.MessageRequest]()])
}

// Every exported struct declared in the workflows package, reached from a
// signature or not, is checked by name too, so a new message type is
// covered the day it is added.
func TestWorkflowPackageStructsCarryNoPersonalData(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	structs := 0
	var bad []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			structs++
			for _, field := range st.Fields.List {
				for _, id := range field.Names {
					if !id.IsExported() {
						continue
					}
					if why := personalFieldName(id.Name); why != "" {
						bad = append(bad, fmt.Sprintf("%s: %s.%s: %s", fset.Position(id.Pos()), ts.Name.Name, id.Name, why))
					}
				}
			}
			return true
		})
	}
	require.GreaterOrEqual(t, structs, 10, "the message types of names.go and activities.go were not found")
	require.Empty(t, bad, "personal data or free text would be kept in Temporal's history")
}

// The check itself must catch what it is for.
func TestPersonalDataCheckFlagsOffendingFields(t *testing.T) {
	type inner struct {
		Details string
	}
	type offending struct {
		CaseID       string
		NoteID       string
		TemplateName string
		SubjectEmail string
		SubjectName  string
		Phone        string
		Note         string
		Body         string
		Extra        map[string]any
		Nested       []inner
	}
	bad := personalDataFields(reflect.TypeFor[offending](), map[reflect.Type]bool{})
	var fields []string
	for _, b := range bad {
		fields = append(fields, b[:strings.Index(b, ":")])
	}
	require.ElementsMatch(t, []string{
		"workflows_test.offending.SubjectEmail", "workflows_test.offending.SubjectName",
		"workflows_test.offending.Phone", "workflows_test.offending.Note", "workflows_test.offending.Body",
		"workflows_test.offending.Extra", "workflows_test.inner.Details",
	}, fields)
}
