package workflows

import (
	"time"

	"github.com/dsrcase/dsr/models"
)

// Activity names. The activities package implements each as a method of its
// Activities struct with the same name; the worker registers them by name.
const (
	ActivityLoadCase             = "LoadCase"
	ActivityTransition           = "Transition"
	ActivitySendCaseMessage      = "SendCaseMessage"
	ActivitySendVerification     = "SendVerification"
	ActivityMarkVerified         = "MarkVerified"
	ActivityPlanTasks            = "PlanTasks"
	ActivityNotifyTaskOwner      = "NotifyTaskOwner"
	ActivityAcceptTaskSubmission = "AcceptTaskSubmission"
	ActivityExtendDeadline       = "ExtendDeadline"
	ActivitySendDeadlineAlert    = "SendDeadlineAlert"
	ActivityPauseClock           = "PauseClock"
	ActivityResumeClock          = "ResumeClock"
	ActivityChangeRegime         = "ChangeRegime"
)

// ErrTypeCaseNotFound is the application error type LoadCase returns while
// the case row is not (yet) committed.
const ErrTypeCaseNotFound = "CaseNotFound"

// Message templates, named as in templates/email.
const (
	TemplateAcknowledgement      = "acknowledgement"
	TemplateVerification         = "verification"
	TemplateVerificationReminder = "verification_reminder"
	TemplateExpired              = "expired"
	TemplateDenial               = "denial"
	TemplateFinalResponse        = "final_response"
	TemplateTaskRequest          = "task_request"
	TemplateExtension            = "extension"
	TemplateDeadlineReminder     = "deadline_reminder"
	TemplateDeadlineOverdue      = "deadline_overdue"
	TemplateClarification        = "clarification"
)

// TransitionRequest asks the Transition activity to move a case.
type TransitionRequest struct {
	CaseID   string
	Status   models.Status
	Outcome  models.Outcome
	EventKey string // makes the timeline entry idempotent
	ActorID  string // staff user, or "" for the system
	Summary  string // fixed, non-personal wording
}

// MessageRequest asks SendCaseMessage to write and send one message.
type MessageRequest struct {
	CaseID   string
	Template string
	Key      string // idempotency key: one message per key
	NoteID   string
	Reason   models.DenyReason
	Outcome  models.Outcome
}

// VerificationRequest asks SendVerification for a fresh link.
type VerificationRequest struct {
	CaseID   string
	Key      string
	Template string
	ValidFor time.Duration
}

// ExtendDeadlineRequest asks ExtendDeadline to move the due date to the
// regime's extended date; it answers with the new due instant.
type ExtendDeadlineRequest struct {
	CaseID  string
	ActorID string
}

// ClockRequest asks PauseClock or ResumeClock to stop or restart a case's
// clock; ResumeClock answers with the due instant the pause moved it to.
type ClockRequest struct {
	CaseID  string
	ActorID string
}

// RegimeChange asks ChangeRegime to recompute a case's dates under another
// regime; it answers with the case's new facts.
type RegimeChange struct {
	CaseID  string
	Regime  string
	ActorID string
	NoteID  string
}

// AlertRequest asks SendDeadlineAlert to tell staff of a coming or missed
// due date. Overdue alerts go to the managers as well as the assignee.
type AlertRequest struct {
	CaseID   string
	Template string // TemplateDeadlineReminder or TemplateDeadlineOverdue
	Key      string // one alert per key
	DueAt    time.Time
}

// MarkVerifiedRequest records how identity was confirmed.
type MarkVerifiedRequest struct {
	CaseID  string
	Method  string // "link" or "manual"
	ActorID string
	NoteID  string
}
