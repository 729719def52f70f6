// Package activities holds every side effect of the case and task
// workflows: database writes, emails, and (later) calls to connected
// systems. Each activity is idempotent, because Temporal retries it: a
// timeline event or a message is written once per business key.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// Activities holds what the activities need. Register it with a worker;
// its methods are registered under their names (see workflows.Activity*).
type Activities struct {
	DB                 *gorm.DB
	Mail               mailer.Sender // nil: messages are held in the outbox
	BaseURL            string        // for links in messages
	Organisation       string
	ComplaintAuthority string
	Logger             *slog.Logger
}

// LoadCase returns the non-personal facts of a case, or a CaseNotFound
// application error while the intake has not committed its row.
func (a *Activities) LoadCase(ctx context.Context, caseID string) (models.CaseFacts, error) {
	c, err := a.awaitCase(ctx, caseID)
	if errors.Is(err, models.ErrNotFound) {
		return models.CaseFacts{}, temporal.NewNonRetryableApplicationError(
			"case row not found", workflows.ErrTypeCaseNotFound, err)
	}
	if err != nil {
		return models.CaseFacts{}, err
	}
	facts := c.Facts()
	dates, err := deadline.Compute(deadline.Input{Regime: deadline.Regime(c.Regime), Received: c.ReceivedAt})
	if err != nil {
		return models.CaseFacts{}, temporal.NewNonRetryableApplicationError(
			"compute deadlines: "+err.Error(), "InvalidCase", err)
	}
	facts.Extendable = dates.ExtendedDue != nil
	return facts, nil
}

// rowWait is how long LoadCase looks for a case row before reporting it
// missing. The intake commits the row just after starting the workflow, so
// the first attempt often comes a few milliseconds early; waiting here
// spares the workflow a failed attempt and a timer for every new case.
const rowWait = 2 * time.Second

func (a *Activities) awaitCase(ctx context.Context, caseID string) (*models.Case, error) {
	deadline := time.Now().Add(rowWait)
	for {
		c, err := models.GetCase(ctx, a.DB, caseID)
		if !errors.Is(err, models.ErrNotFound) || time.Now().After(deadline) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Transition moves a case to a new status and records why.
func (a *Activities) Transition(ctx context.Context, r workflows.TransitionRequest) error {
	actor, err := a.actorName(ctx, r.ActorID)
	if err != nil {
		return err
	}
	return models.ApplyTransition(ctx, a.DB, models.Transition{
		CaseID: r.CaseID, Status: r.Status, Outcome: r.Outcome,
		EventKey: r.EventKey, Actor: actor, Summary: r.Summary,
	})
}

// MarkVerified records that the requester's identity was confirmed.
func (a *Activities) MarkVerified(ctx context.Context, r workflows.MarkVerifiedRequest) error {
	actor, err := a.actorName(ctx, r.ActorID)
	if err != nil {
		return err
	}
	if err := models.MarkVerified(ctx, a.DB, r.CaseID); err != nil {
		return fmt.Errorf("mark case %s verified: %w", r.CaseID, err)
	}
	summary := "Email address confirmed by the requester's link"
	if r.Method != "link" {
		summary = "Identity verified by a handler"
	}
	return models.AddEvent(a.DB.WithContext(ctx), r.CaseID, "verified", "verified", actor, summary)
}

// PlanTasks creates the case's tasks, one per system that supports its type.
func (a *Activities) PlanTasks(ctx context.Context, caseID string) ([]models.TaskRef, error) {
	refs, err := models.PlanTasks(ctx, a.DB, caseID)
	if err != nil {
		return nil, err
	}
	err = models.AddEvent(a.DB.WithContext(ctx), caseID, "planned", "planned", "system",
		fmt.Sprintf("%d task(s) planned", len(refs)))
	return refs, err
}

// NotifyTaskOwner asks a system's owner to carry out a manual task.
func (a *Activities) NotifyTaskOwner(ctx context.Context, in workflows.TaskInput) error {
	t, err := models.GetTask(ctx, a.DB, in.CaseID, in.TaskID)
	if err != nil {
		return fmt.Errorf("load task %s: %w", in.TaskID, err)
	}
	c, err := models.GetCase(ctx, a.DB, in.CaseID)
	if err != nil {
		return err
	}
	data := a.emailData(c)
	data.SystemName = t.SystemName
	data.TaskLink = fmt.Sprintf("%s/cases/%s#task-%s", a.BaseURL, c.ID, t.ID)
	err = a.sendOnce(ctx, "task/"+t.ID+"/request", func(key string) (*models.Message, error) {
		return a.compose(ctx, key, &c.ID, workflows.TemplateTaskRequest, "en", t.OwnerEmail, data)
	})
	if err != nil {
		return err
	}
	if t.Status == models.TaskPending {
		return models.SetTaskStatus(ctx, a.DB, t.ID, models.TaskSent)
	}
	return nil
}

// AcceptTaskSubmission closes a task with a submitted answer.
func (a *Activities) AcceptTaskSubmission(ctx context.Context, taskID, submissionID string) (models.TaskOutcome, error) {
	return models.AcceptTaskSubmission(ctx, a.DB, taskID, submissionID)
}

// actorName is how a staff user appears on the timeline.
func (a *Activities) actorName(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "system", nil
	}
	u, err := models.GetUser(ctx, a.DB, userID)
	if errors.Is(err, models.ErrNotFound) {
		return "unknown user", nil
	}
	if err != nil {
		return "", fmt.Errorf("load user %s: %w", userID, err)
	}
	return u.Email, nil
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
