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

// MarkVerifiedRequest records how identity was confirmed.
type MarkVerifiedRequest struct {
	CaseID  string
	Method  string // "link" or "manual"
	ActorID string
	NoteID  string
}
