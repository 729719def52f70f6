// Package workflows holds the durable processes: one CaseWorkflow per
// data-subject request and one TaskWorkflow per system task. Workflow code
// decides and waits; every side effect is an activity (package activities).
// Inputs, results, updates and signals carry IDs and enums only: Temporal
// keeps them in its history, where personal data must never be.
package workflows

import (
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/models"
)

// DefaultTaskQueue is the queue the worker polls for workflows and
// activities unless DSR_TEMPORAL_TASK_QUEUE names another. Child workflows
// and activities inherit their case's queue.
const DefaultTaskQueue = "dsr"

// Workflow type names.
const (
	CaseWorkflowName = "CaseWorkflow"
	TaskWorkflowName = "TaskWorkflow"
)

// SignalEmailVerified is sent when the requester opens the emailed link.
// Nobody waits for it, so it is a signal rather than an update.
const SignalEmailVerified = "email-verified"

// Updates: the actions of people in the workspace. Each has a validator, so
// a refused action is answered at once with the reason.
const (
	UpdateVerify       = "verify"        // a handler confirms the requester's identity
	UpdateApprove      = "approve"       // a handler accepts the request for fulfilment
	UpdateDeny         = "deny"          // a handler refuses the request, with a reason
	UpdateRespond      = "respond"       // a handler sends the final response
	UpdateExtend       = "extend"        // a handler extends the deadline, with reasons for the requester
	UpdatePause        = "pause"         // a handler asks the requester to clarify; the clock stops
	UpdateResume       = "resume"        // the clarification arrived; the clock runs again
	UpdateSetRegime    = "set-regime"    // a handler corrects the legal regime, with a reason
	UpdateCompleteTask = "complete-task" // a system owner answers a task (sent to the task workflow)
)

// CaseWorkflowID is the workflow ID of a case: one workflow per case, ever.
func CaseWorkflowID(caseID string) string { return "case-" + caseID }

// TaskWorkflowID is the workflow ID of a task's child workflow.
func TaskWorkflowID(taskID string) string { return "task-" + taskID }

// CaseInput starts a case workflow. Settings are copied in at the start so
// that a later change of configuration cannot change a running case's path.
type CaseInput struct {
	CaseID       string
	VerifyWithin time.Duration // how long the requester has to confirm their address
	// ReminderDays are the days before the due date on which the assignee
	// (or, for an unassigned case, the managers) is reminded; empty: 7, 3, 1.
	ReminderDays []int
	// EscalateEvery is how often managers are told of an overdue case;
	// zero: every 3 days.
	EscalateEvery time.Duration
}

// CaseResult is how a case workflow ended.
type CaseResult struct {
	Status  models.Status
	Outcome models.Outcome
}

// VerifyRequest is the argument of UpdateVerify.
type VerifyRequest struct {
	ActorID string
	NoteID  string // optional remark, stored in the database
}

// ApproveRequest is the argument of UpdateApprove.
type ApproveRequest struct {
	ActorID string
}

// DenyRequest is the argument of UpdateDeny.
type DenyRequest struct {
	ActorID string
	Reason  models.DenyReason
	NoteID  string // the handler's explanation, stored in the database
}

// ExtendRequest is the argument of UpdateExtend. The reasons, which the
// extension notice gives the requester, are a note in the database.
type ExtendRequest struct {
	ActorID string
	NoteID  string
}

// PauseRequest is the argument of UpdatePause. The question for the
// requester is a note in the database.
type PauseRequest struct {
	ActorID string
	NoteID  string
}

// SetRegimeRequest is the argument of UpdateSetRegime; the reason is a note.
type SetRegimeRequest struct {
	ActorID string
	Regime  string
	NoteID  string
}

// ResumeRequest is the argument of UpdateResume.
type ResumeRequest struct {
	ActorID string
}

// RespondRequest is the argument of UpdateRespond.
type RespondRequest struct {
	ActorID string
	NoteID  string // optional words added to the final response
}

// TaskInput starts a task workflow.
type TaskInput struct {
	CaseID    string
	TaskID    string
	SystemID  string
	Connector models.Connector
}

// TaskResult is a task's outcome.
type TaskResult struct {
	Outcome models.TaskOutcome
}

// CompleteTaskRequest is the argument of UpdateCompleteTask. The note and
// data were stored as a submission in the database; only its ID comes here.
type CompleteTaskRequest struct {
	ActorID      string
	SubmissionID string
	Outcome      models.TaskOutcome
}

// Register registers both workflows under their names on a worker.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(CaseWorkflow, workflow.RegisterOptions{Name: CaseWorkflowName})
	r.RegisterWorkflowWithOptions(TaskWorkflow, workflow.RegisterOptions{Name: TaskWorkflowName})
}
