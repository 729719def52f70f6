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
	pauses, err := models.CasePauses(ctx, a.DB, c.ID)
	if err != nil {
		return time.Time{}, err
	}
	d, err := caseDates(c, c.Regime, pauses, true)
	if err != nil {
		return time.Time{}, err
	}
	if d.extendedDue == nil {
		return time.Time{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("the %s regime allows no extension", c.Regime), "NoExtension", nil)
	}
	due := *d.extendedDue
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
		err := a.sendOnce(ctx, "case/"+c.ID+"/"+r.Key+"/"+u.ID, func(key string) (*models.Message, error) {
			return a.compose(ctx, key, &c.ID, r.Template, "en", u.Email, data)
		})
		if err != nil {
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
	dueWith := func(pauses []models.CasePause) (time.Time, error) {
		d, err := caseDates(c, c.Regime, pauses, c.ExtendedDueAt != nil)
		return d.due, err
	}
	return models.ResumeCase(ctx, a.DB, c.ID, today(c.Regime).String(), dueWith, actor)
}

// ChangeRegime puts a case under another regime and recomputes its dates
// from receipt, with its pauses and, where the new regime allows one, its
// extension. It answers with the case's new facts.
func (a *Activities) ChangeRegime(ctx context.Context, r workflows.RegimeChange) (models.CaseFacts, error) {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return models.CaseFacts{}, err
	}
	if _, err := deadline.ParseRegime(r.Regime); err != nil {
		return models.CaseFacts{}, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidRegime", err)
	}
	if c.Regime != r.Regime {
		pauses, err := models.CasePauses(ctx, a.DB, c.ID)
		if err != nil {
			return models.CaseFacts{}, err
		}
		d, err := caseDates(c, r.Regime, pauses, c.ExtendedDueAt != nil)
		if err != nil {
			return models.CaseFacts{}, err
		}
		actor, err := a.actorName(ctx, r.ActorID)
		if err != nil {
			return models.CaseFacts{}, err
		}
		summary := fmt.Sprintf("Regime changed from %s to %s; due %s", c.Regime, r.Regime, localDate(d.due, r.Regime))
		if err := models.SetRegime(ctx, a.DB, c.ID, r.Regime, d.due, d.extendedDue, d.acknowledgeBy, actor, summary); err != nil {
			return models.CaseFacts{}, err
		}
	}
	return a.LoadCase(ctx, c.ID)
}

// dates are a case's deadlines as stored.
type dates struct {
	due           time.Time
	extendedDue   *time.Time // set when extended and the regime allows it
	acknowledgeBy *time.Time
}

// caseDates computes a case's deadlines under regime from its receipt, its
// clock stops (an open one runs to today) and whether it is extended.
func caseDates(c *models.Case, regime string, pauses []models.CasePause, extended bool) (dates, error) {
	in := deadline.Input{Regime: deadline.Regime(regime), Received: c.ReceivedAt}
	for _, p := range pauses {
		from, err := deadline.ParseDate(p.StartedOn)
		if err != nil {
			return dates{}, fmt.Errorf("pause %s: %w", p.ID, err)
		}
		to := today(regime)
		if p.EndedOn != nil {
			if to, err = deadline.ParseDate(*p.EndedOn); err != nil {
				return dates{}, fmt.Errorf("pause %s: %w", p.ID, err)
			}
		}
		in.Pauses = append(in.Pauses, deadline.Pause{From: from, To: to})
	}
	res, err := deadline.Compute(in)
	if err != nil {
		return dates{}, err
	}
	zone := deadline.DefaultZone(in.Regime)
	out := dates{due: deadline.DueInstant(res.Due, zone)}
	if extended && res.ExtendedDue != nil {
		ext := deadline.DueInstant(*res.ExtendedDue, zone)
		out.due, out.extendedDue = ext, &ext
	}
	if res.AcknowledgeBy != nil {
		ack := deadline.DueInstant(*res.AcknowledgeBy, zone)
		out.acknowledgeBy = &ack
	}
	return out, nil
}

// today is the current date in the regime's zone.
func today(regime string) deadline.Date {
	zone := deadline.DefaultZone(deadline.Regime(regime))
	if zone == nil {
		zone = time.UTC
	}
	return deadline.DateOf(time.Now().In(zone))
}
