package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// ExtendDeadline moves a case's due date to its regime's extended date and
// returns it. Idempotent: a case already extended answers its date.
func (a *Activities) ExtendDeadline(ctx context.Context, r workflows.ExtendDeadlineRequest) (time.Time, error) {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return time.Time{}, err
	}
	if c.ExtendedDueAt != nil {
		return *c.ExtendedDueAt, nil
	}
	regime := deadline.Regime(c.Regime)
	dates, err := deadline.Compute(deadline.Input{Regime: regime, Received: c.ReceivedAt})
	if err != nil {
		return time.Time{}, err
	}
	if dates.ExtendedDue == nil {
		return time.Time{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("the %s regime allows no extension", c.Regime), "NoExtension", nil)
	}
	due := deadline.DueInstant(*dates.ExtendedDue, deadline.DefaultZone(regime))
	actor, err := a.actorName(ctx, r.ActorID)
	if err != nil {
		return time.Time{}, err
	}
	summary := fmt.Sprintf("Deadline extended from %s to %s", localDate(c.DueAt, c.Regime), localDate(due, c.Regime))
	if err := models.ExtendDue(ctx, a.DB, c.ID, due, actor, summary); err != nil {
		return time.Time{}, err
	}
	return due, nil
}

// SendDeadlineAlert tells staff that a case's due date is near or past:
// the assignee, or the managers when nobody is assigned; an overdue case
// always reaches the managers. Internal alerts carry no personal data, only
// the reference and a link.
func (a *Activities) SendDeadlineAlert(ctx context.Context, r workflows.AlertRequest) error {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return err
	}
	recipients, err := a.alertRecipients(ctx, c, r.Template == workflows.TemplateDeadlineOverdue)
	if err != nil {
		return err
	}
	data := a.emailData(c)
	data.Due = localDate(r.DueAt, c.Regime)
	data.DaysLeft = int(time.Until(r.DueAt).Hours() / 24)
	data.TaskLink = a.BaseURL + "/cases/" + c.ID
	for _, u := range recipients {
		msg, err := a.compose(ctx, "case/"+c.ID+"/"+r.Key+"/"+u.ID, &c.ID, r.Template, "en", u.Email, data)
		if err != nil {
			return err
		}
		if err := a.deliver(ctx, msg); err != nil {
			return err
		}
	}
	summary := "Reminder: due " + data.Due
	if r.Template == workflows.TemplateDeadlineOverdue {
		summary = "Overdue since " + data.Due + "; managers alerted"
	}
	return models.AddEvent(a.DB.WithContext(ctx), c.ID, r.Key, "deadline_alert", "system", summary)
}

func (a *Activities) alertRecipients(ctx context.Context, c *models.Case, managers bool) ([]models.User, error) {
	var out []models.User
	if c.AssigneeID != nil {
		u, err := models.GetUser(ctx, a.DB, *c.AssigneeID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		if u != nil {
			out = append(out, *u)
		}
	}
	if managers || len(out) == 0 {
		staff, err := models.UsersWithRole(ctx, a.DB, models.RoleManager)
		if err != nil {
			return nil, err
		}
		for _, u := range staff {
			if len(out) == 0 || out[0].ID != u.ID {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// localDate is an instant as the date it is in the regime's zone.
func localDate(t time.Time, regime string) string {
	zone := deadline.DefaultZone(deadline.Regime(regime))
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format("2 January 2006")
}

// PauseClock stops a case's clock from today (in the regime's zone).
func (a *Activities) PauseClock(ctx context.Context, r workflows.ClockRequest) error {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return err
	}
	actor, err := a.actorName(ctx, r.ActorID)
	if err != nil {
		return err
	}
	return models.PauseCase(ctx, a.DB, c.ID, today(c.Regime).String(), actor,
		"Paused: clarification requested from the requester")
}

// ResumeClock restarts a case's clock and returns its due instant: under
// GDPR and UK GDPR the paused days, counted inclusively, move it; other
// regimes run regardless of pauses.
func (a *Activities) ResumeClock(ctx context.Context, r workflows.ClockRequest) (time.Time, error) {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return time.Time{}, err
	}
	actor, err := a.actorName(ctx, r.ActorID)
	if err != nil {
		return time.Time{}, err
	}
	regime := deadline.Regime(c.Regime)
	dueWith := func(pauses []models.CasePause) (time.Time, error) {
		in := deadline.Input{Regime: regime, Received: c.ReceivedAt}
		for _, p := range pauses {
			from, err := deadline.ParseDate(p.StartedOn)
			if err != nil {
				return time.Time{}, fmt.Errorf("pause %s: %w", p.ID, err)
			}
			to := from
			if p.EndedOn != nil {
				if to, err = deadline.ParseDate(*p.EndedOn); err != nil {
					return time.Time{}, fmt.Errorf("pause %s: %w", p.ID, err)
				}
			}
			in.Pauses = append(in.Pauses, deadline.Pause{From: from, To: to})
		}
		dates, err := deadline.Compute(in)
		if err != nil {
			return time.Time{}, err
		}
		due := dates.Due
		if c.ExtendedDueAt != nil && dates.ExtendedDue != nil {
			due = *dates.ExtendedDue
		}
		return deadline.DueInstant(due, deadline.DefaultZone(regime)), nil
	}
	return models.ResumeCase(ctx, a.DB, c.ID, today(c.Regime).String(), dueWith, actor)
}

// today is the current date in the regime's zone.
func today(regime string) deadline.Date {
	zone := deadline.DefaultZone(deadline.Regime(regime))
	if zone == nil {
		zone = time.UTC
	}
	return deadline.DateOf(time.Now().In(zone))
}
