package activities_test

import (
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

func TestEveryActivityNameIsAMethod(t *testing.T) {
	typ := reflect.TypeOf(&activities.Activities{})
	for _, name := range []string{
		workflows.ActivityLoadCase, workflows.ActivityTransition, workflows.ActivitySendCaseMessage,
		workflows.ActivitySendVerification, workflows.ActivityMarkVerified, workflows.ActivityPlanTasks,
		workflows.ActivityNotifyTaskOwner, workflows.ActivityAcceptTaskSubmission,
	} {
		_, ok := typ.MethodByName(name)
		require.True(t, ok, "activities.Activities has no method %s", name)
	}
}

func TestLoadCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, func(c *models.Case) { c.Language = "zh-CN" })
		facts, err := a.LoadCase(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.CaseFacts{CaseID: c.ID, Type: models.TypeAccess, Regime: "gdpr",
			Status: models.StatusReceived, Language: "zh-CN", DueAt: dueAt, Extendable: true}, facts, "GDPR allows an extension")

		_, err = a.LoadCase(ctx, models.NewID())
		require.Error(t, err)
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "error %T %v", err, err)
		require.Equal(t, workflows.ErrTypeCaseNotFound, appErr.Type())
		require.True(t, appErr.NonRetryable())
	})
}

// The same through the SDK's activity test environment: registered by
// name, the error type survives the conversion a worker applies.
func TestLoadCaseInActivityEnvironment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var suite testsuite.WorkflowTestSuite
		suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(newActivities(db, nil))
		c := createCase(t, db, nil)

		val, err := env.ExecuteActivity(workflows.ActivityLoadCase, c.ID)
		require.NoError(t, err)
		var facts models.CaseFacts
		require.NoError(t, val.Get(&facts))
		require.Equal(t, c.ID, facts.CaseID)
		require.True(t, facts.DueAt.Equal(dueAt))

		_, err = env.ExecuteActivity(workflows.ActivityLoadCase, models.NewID())
		require.Error(t, err)
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "error %T %v", err, err)
		require.Equal(t, workflows.ErrTypeCaseNotFound, appErr.Type())
	})
}

func TestTransitionRecordsActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		u, err := models.CreateUser(ctx, db, "Handler@Example.test", models.RoleHandler, "correct horse battery")
		require.NoError(t, err)
		c := createCase(t, db, nil)

		req := workflows.TransitionRequest{CaseID: c.ID, Status: models.StatusDenied,
			Outcome: models.OutcomeDeniedExcessive, EventKey: "deny", ActorID: u.ID, Summary: "Request denied"}
		require.NoError(t, a.Transition(ctx, req))
		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.StatusDenied, got.Status)
		require.Equal(t, models.OutcomeDeniedExcessive, got.Outcome)
		require.NotNil(t, got.ClosedAt)
		ev, n := eventByKey(t, db, c.ID, "deny")
		require.Equal(t, 1, n)
		require.Equal(t, "handler@example.test", ev.Actor)
		require.Equal(t, "Request denied", ev.Summary)
		require.Equal(t, string(models.StatusDenied), ev.Type)

		// Retried: one event.
		require.NoError(t, a.Transition(ctx, req))
		_, n = eventByKey(t, db, c.ID, "deny")
		require.Equal(t, 1, n)

		// No actor is the system; an actor since deleted is named as such.
		other := createCase(t, db, nil)
		require.NoError(t, a.Transition(ctx, workflows.TransitionRequest{CaseID: other.ID,
			Status: models.StatusIdentityUnverified, EventKey: "await-verify", Summary: "Waiting"}))
		ev, _ = eventByKey(t, db, other.ID, "await-verify")
		require.Equal(t, "system", ev.Actor)
		require.NoError(t, a.Transition(ctx, workflows.TransitionRequest{CaseID: other.ID,
			Status: models.StatusInProgress, EventKey: "start", ActorID: models.NewID(), Summary: "Started"}))
		ev, _ = eventByKey(t, db, other.ID, "start")
		require.Equal(t, "unknown user", ev.Actor)

		err = a.Transition(ctx, workflows.TransitionRequest{CaseID: models.NewID(),
			Status: models.StatusInProgress, EventKey: "x"})
		require.ErrorIs(t, err, models.ErrNotFound)
	})
}

func TestMarkVerified(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil)
		req := workflows.MarkVerifiedRequest{CaseID: c.ID, Method: "link"}
		require.NoError(t, a.MarkVerified(ctx, req))

		got, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.NotNil(t, got.VerifiedAt)
		ev, n := eventByKey(t, db, c.ID, "verified")
		require.Equal(t, 1, n)
		require.Equal(t, "system", ev.Actor)
		require.Equal(t, "Email address confirmed by the requester's link", ev.Summary)

		require.NoError(t, a.MarkVerified(ctx, req))
		again, err := models.GetCase(ctx, db, c.ID)
		require.NoError(t, err)
		require.True(t, got.VerifiedAt.Equal(*again.VerifiedAt))
		_, n = eventByKey(t, db, c.ID, "verified")
		require.Equal(t, 1, n)

		u, err := models.CreateUser(ctx, db, "manager@example.test", models.RoleManager, "correct horse battery")
		require.NoError(t, err)
		manual := createCase(t, db, nil)
		require.NoError(t, a.MarkVerified(ctx, workflows.MarkVerifiedRequest{CaseID: manual.ID, Method: "manual", ActorID: u.ID}))
		ev, _ = eventByKey(t, db, manual.ID, "verified")
		require.Equal(t, "manager@example.test", ev.Actor)
		require.Equal(t, "Identity verified by a handler", ev.Summary)
		got, err = models.GetCase(ctx, db, manual.ID)
		require.NoError(t, err)
		require.NotNil(t, got.VerifiedAt)
	})
}

func TestPlanTasksAndNotifyTaskOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t)
		a := newActivities(db, sender)
		crm := createSystem(t, db, "CRM", models.TypeAccess, models.TypeErasure)
		createSystem(t, db, "Billing", models.TypeErasure)
		c := createCase(t, db, nil)

		refs, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, refs, 1)
		require.Equal(t, crm.ID, refs[0].SystemID)
		require.Equal(t, models.ConnectorManual, refs[0].Connector)
		ev, n := eventByKey(t, db, c.ID, "planned")
		require.Equal(t, 1, n)
		require.Equal(t, "1 task(s) planned", ev.Summary)

		again, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, refs, again)
		_, n = eventByKey(t, db, c.ID, "planned")
		require.Equal(t, 1, n)

		in := workflows.TaskInput{CaseID: c.ID, TaskID: refs[0].TaskID, SystemID: crm.ID, Connector: refs[0].Connector}
		require.NoError(t, a.NotifyTaskOwner(ctx, in))
		got := srv.Messages()
		require.Len(t, got, 1)
		require.Equal(t, []string{"owner-CRM@example.test"}, got[0].To)
		require.Equal(t, "Task for CRM: access request "+c.Reference, got[0].Subject)
		link := "http://dsr.test/cases/" + c.ID + "#task-" + refs[0].TaskID
		require.Contains(t, got[0].TextBody, link)
		require.Contains(t, got[0].TextBody, "by 11 April 2025")
		require.NotContains(t, got[0].TextBody, subjectEmail, "the owner is told the case, not the person")

		tk, err := models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskSent, tk.Status)

		msgs := caseMessages(t, db, c.ID)
		require.Len(t, msgs, 1)
		require.Equal(t, "task/"+refs[0].TaskID+"/request", msgs[0].MessageKey)
		require.Equal(t, "owner-CRM@example.test", msgs[0].ToAddr)
		require.Equal(t, models.MessageSent, msgs[0].Status)

		// Retried: one email, one row, status unchanged.
		require.NoError(t, a.NotifyTaskOwner(ctx, in))
		require.Len(t, srv.Messages(), 1)
		require.Len(t, caseMessages(t, db, c.ID), 1)
		tk, err = models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskSent, tk.Status)

		// A task of another case is not found through this one.
		other := createCase(t, db, nil)
		err = a.NotifyTaskOwner(ctx, workflows.TaskInput{CaseID: other.ID, TaskID: refs[0].TaskID})
		require.ErrorIs(t, err, models.ErrNotFound)
		require.Len(t, srv.Messages(), 1)
	})
}

func TestNotifyTaskOwnerHeld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		createSystem(t, db, "CRM", models.TypeAccess)
		c := createCase(t, db, nil)
		refs, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		require.NoError(t, a.NotifyTaskOwner(ctx, workflows.TaskInput{CaseID: c.ID, TaskID: refs[0].TaskID}))
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageHeld, m.Status)
		tk, err := models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskSent, tk.Status)
	})
}

func TestAcceptTaskSubmissionActivity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		createSystem(t, db, "CRM", models.TypeAccess)
		c := createCase(t, db, nil)
		refs, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		sub := &models.TaskSubmission{TaskID: refs[0].TaskID, Outcome: models.TaskOutcomeException, Note: "locked by legal hold"}
		require.NoError(t, models.AddTaskSubmission(ctx, db, sub))

		outcome, err := a.AcceptTaskSubmission(ctx, refs[0].TaskID, sub.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskOutcomeException, outcome)
		outcome, err = a.AcceptTaskSubmission(ctx, refs[0].TaskID, sub.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskOutcomeException, outcome)
		_, n := eventByKey(t, db, c.ID, "task-"+refs[0].TaskID)
		require.Equal(t, 1, n)
		tk, err := models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskException, tk.Status)
		require.Equal(t, "locked by legal hold", tk.Note)
	})
}
