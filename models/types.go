package models

import "slices"

// RequestType is the right a requester exercises. A case has exactly one.
type RequestType string

const (
	TypeAccess            RequestType = "access"
	TypePortability       RequestType = "portability"
	TypeRectification     RequestType = "rectification"
	TypeErasure           RequestType = "erasure"
	TypeRestriction       RequestType = "restriction"
	TypeObjection         RequestType = "objection"
	TypeConsentWithdrawal RequestType = "consent_withdrawal"
	TypeMarketingOptOut   RequestType = "marketing_optout"
	TypeSaleOptOut        RequestType = "sale_optout"
	TypeLimitSensitive    RequestType = "limit_sensitive"
)

// RequestTypes lists every type in the order forms show them.
var RequestTypes = []RequestType{
	TypeAccess, TypePortability, TypeRectification, TypeErasure, TypeRestriction,
	TypeObjection, TypeConsentWithdrawal, TypeMarketingOptOut, TypeSaleOptOut, TypeLimitSensitive,
}

// Valid reports whether t is a known request type.
func (t RequestType) Valid() bool { return slices.Contains(RequestTypes, t) }

// CollectsData reports whether the answer carries the person's data.
func (t RequestType) CollectsData() bool { return t == TypeAccess || t == TypePortability }

// Status is where a case stands. Pausing is a flag, not a status.
type Status string

const (
	StatusReceived           Status = "received"
	StatusIdentityUnverified Status = "identity_unverified"
	StatusPendingReview      Status = "pending_review"
	StatusInProgress         Status = "in_progress"
	StatusAwaitingResponse   Status = "awaiting_response"
	StatusCompleted          Status = "completed"
	StatusDenied             Status = "denied"
	StatusWithdrawn          Status = "withdrawn"
	StatusExpired            Status = "expired"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusReceived, StatusIdentityUnverified, StatusPendingReview, StatusInProgress,
	StatusAwaitingResponse, StatusCompleted, StatusDenied, StatusWithdrawn, StatusExpired,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Closed reports whether the case has ended.
func (s Status) Closed() bool {
	return s == StatusCompleted || s == StatusDenied || s == StatusWithdrawn || s == StatusExpired
}

// Outcome is how a closed case ended.
type Outcome string

const (
	OutcomeNone                      Outcome = ""
	OutcomeFulfilled                 Outcome = "fulfilled"
	OutcomePartiallyFulfilled        Outcome = "partially_fulfilled"
	OutcomeNoDataFound               Outcome = "no_data_found"
	OutcomeDeniedUnverified          Outcome = "denied_unverified"
	OutcomeDeniedManifestlyUnfounded Outcome = "denied_manifestly_unfounded"
	OutcomeDeniedExcessive           Outcome = "denied_excessive"
	OutcomeDeniedNotCovered          Outcome = "denied_not_covered"
	OutcomeDeniedOther               Outcome = "denied_other"
	OutcomeWithdrawn                 Outcome = "withdrawn"
)

// DenyReason is the legal ground a handler gives for refusing a request.
type DenyReason string

const (
	DenyManifestlyUnfounded DenyReason = "manifestly_unfounded"
	DenyExcessive           DenyReason = "excessive"
	DenyUnverified          DenyReason = "unverified"
	DenyNotCovered          DenyReason = "not_covered"
	DenyOther               DenyReason = "other"
)

// DenyReasons lists the reasons in the order forms show them.
var DenyReasons = []DenyReason{DenyManifestlyUnfounded, DenyExcessive, DenyUnverified, DenyNotCovered, DenyOther}

// Outcome maps a denial reason to the case's outcome.
func (r DenyReason) Outcome() (Outcome, bool) {
	switch r {
	case DenyManifestlyUnfounded:
		return OutcomeDeniedManifestlyUnfounded, true
	case DenyExcessive:
		return OutcomeDeniedExcessive, true
	case DenyUnverified:
		return OutcomeDeniedUnverified, true
	case DenyNotCovered:
		return OutcomeDeniedNotCovered, true
	case DenyOther:
		return OutcomeDeniedOther, true
	}
	return OutcomeNone, false
}

// Channel is how a request arrived.
type Channel string

const (
	ChannelWeb     Channel = "web"
	ChannelEmail   Channel = "email"
	ChannelAPI     Channel = "api"
	ChannelOpenDSR Channel = "opendsr"
	ChannelPost    Channel = "post"
	ChannelPhone   Channel = "phone"
)

// Relationship is who asks, relative to the person the data is about.
type Relationship string

const (
	RelationshipDataSubject        Relationship = "data_subject"
	RelationshipAuthorizedAgent    Relationship = "authorized_agent"
	RelationshipControllerCustomer Relationship = "controller_customer"
	RelationshipStaff              Relationship = "staff"
)

// Languages the product writes to requesters in.
var Languages = []string{"en", "zh-CN"}

// TaskStatus is where one system's part of a case stands.
type TaskStatus string

const (
	TaskPending    TaskStatus = "pending"
	TaskSent       TaskStatus = "sent"
	TaskInProgress TaskStatus = "in_progress"
	TaskCompleted  TaskStatus = "completed"
	TaskNotFound   TaskStatus = "not_found"
	TaskException  TaskStatus = "exception"
	TaskFailed     TaskStatus = "failed"
	TaskSkipped    TaskStatus = "skipped"
)

// Open reports whether the task still waits for an answer.
func (s TaskStatus) Open() bool {
	return s == TaskPending || s == TaskSent || s == TaskInProgress || s == TaskFailed
}

// TaskOutcome is what a system owner reports for a task.
type TaskOutcome string

const (
	TaskOutcomeCompleted TaskOutcome = "completed"
	TaskOutcomeNotFound  TaskOutcome = "not_found"
	TaskOutcomeException TaskOutcome = "exception"
)

// Valid reports whether o is a known task outcome.
func (o TaskOutcome) Valid() bool {
	return o == TaskOutcomeCompleted || o == TaskOutcomeNotFound || o == TaskOutcomeException
}

// Status is the task status an outcome closes the task with.
func (o TaskOutcome) Status() TaskStatus { return TaskStatus(o) }

// CaseOutcome derives a case's outcome from its tasks' outcomes: nothing
// anywhere is "no data found"; any exception means only part was done.
func CaseOutcome(tasks []TaskOutcome) Outcome {
	found, exception := false, false
	for _, o := range tasks {
		switch o {
		case TaskOutcomeCompleted:
			found = true
		case TaskOutcomeException:
			exception = true
		}
	}
	switch {
	case exception:
		return OutcomePartiallyFulfilled
	case found:
		return OutcomeFulfilled
	default:
		return OutcomeNoDataFound
	}
}

// SystemKind says what a registered system is to the controller.
type SystemKind string

const (
	KindInternal     SystemKind = "internal"
	KindSubprocessor SystemKind = "subprocessor"
	KindController   SystemKind = "controller"
)

// Valid reports whether k is a known kind.
func (k SystemKind) Valid() bool {
	return k == KindInternal || k == KindSubprocessor || k == KindController
}

// Connector names how tasks reach a system.
type Connector string

const (
	ConnectorManual  Connector = "manual"
	ConnectorWebhook Connector = "webhook"
	ConnectorEmail   Connector = "email"
	ConnectorOpenDSR Connector = "opendsr"
)

// Connectors lists the connectors this version runs tasks with.
var Connectors = []Connector{ConnectorManual}

// Valid reports whether c is a connector this version can run.
func (c Connector) Valid() bool { return slices.Contains(Connectors, c) }

// Role is what a staff user may do.
type Role string

const (
	RoleHandler Role = "handler"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Roles lists the roles from least to most powerful.
var Roles = []Role{RoleHandler, RoleManager, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AtLeast reports whether r has every permission of min.
func (r Role) AtLeast(min Role) bool {
	return r.Valid() && min.Valid() && slices.Index(Roles, r) >= slices.Index(Roles, min)
}
