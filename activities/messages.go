package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/templates"
	"github.com/dsrcase/dsr/workflows"
)

// SendCaseMessage writes a message to the requester from a template (once
// per key) and delivers it unless it already left.
func (a *Activities) SendCaseMessage(ctx context.Context, r workflows.MessageRequest) error {
	return a.sendOnce(ctx, "case/"+r.CaseID+"/"+r.Key, func(key string) (*models.Message, error) {
		return a.composeCaseMessage(ctx, key, r)
	})
}

// sendOnce delivers the message stored under key, writing it first with
// compose if this is the first attempt: a retried activity sends the very
// message the first attempt wrote.
func (a *Activities) sendOnce(ctx context.Context, key string, compose func(key string) (*models.Message, error)) error {
	msg, err := models.MessageByKey(ctx, a.DB, key)
	if errors.Is(err, models.ErrNotFound) {
		msg, err = compose(key)
	}
	if err != nil {
		return err
	}
	return a.deliver(ctx, msg)
}

func (a *Activities) composeCaseMessage(ctx context.Context, key string, r workflows.MessageRequest) (*models.Message, error) {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return nil, err
	}
	note, err := models.GetNote(ctx, a.DB, r.CaseID, r.NoteID)
	if err != nil {
		return nil, fmt.Errorf("load note %s: %w", r.NoteID, err)
	}
	data := a.emailData(c)
	data.Note = note.Body
	data.ReasonText = denyReasonText(r.Reason)
	if r.Template == workflows.TemplateFinalResponse {
		data.OutcomeText = outcomeText(r.Outcome, c.Type)
		if data.Systems, err = a.systemResults(ctx, c); err != nil {
			return nil, err
		}
	}
	return a.compose(ctx, key, &c.ID, r.Template, c.Language, c.SubjectEmail, data)
}

// SendVerification issues a fresh verification link and emails it. The
// link's secret exists only in the message; the database keeps its hash.
func (a *Activities) SendVerification(ctx context.Context, r workflows.VerificationRequest) error {
	return a.sendOnce(ctx, "case/"+r.CaseID+"/"+r.Key, func(key string) (*models.Message, error) {
		return a.composeVerification(ctx, key, r)
	})
}

func (a *Activities) composeVerification(ctx context.Context, key string, r workflows.VerificationRequest) (*models.Message, error) {
	c, err := models.GetCase(ctx, a.DB, r.CaseID)
	if err != nil {
		return nil, err
	}
	secret, hash := models.NewSecret()
	expires := models.Now().Add(r.ValidFor)
	data := a.emailData(c)
	data.Link = a.BaseURL + "/verify/" + secret
	data.ValidUntil = expires.Format("2 January 2006, 15:04 MST")
	email, err := templates.RenderEmail(r.Template, c.Language, data)
	if err != nil {
		return nil, err
	}
	msg := &models.Message{MessageKey: key, CaseID: &c.ID, Template: r.Template, ToAddr: c.SubjectEmail,
		Subject: email.Subject, BodyText: email.Text, BodyHTML: email.HTML, Status: models.MessageQueued}
	// The token and the message that carries it are stored together, so a
	// retry finds both or neither.
	tx := a.DB.WithContext(ctx).Begin()
	defer tx.Rollback()
	token := models.VerificationToken{TokenHash: hash, CaseID: c.ID, CreatedAt: models.Now(), ExpiresAt: expires}
	if err := tx.Create(&token).Error; err != nil {
		return nil, fmt.Errorf("store verification token: %w", err)
	}
	if _, err := models.InsertMessage(ctx, tx, msg); err != nil {
		return nil, err
	}
	if err := tx.Commit().Error; err != nil {
		return nil, fmt.Errorf("store verification message: %w", err)
	}
	return models.MessageByKey(ctx, a.DB, key)
}

// compose renders a template and stores the message under key; a message
// already stored under key wins (see sendOnce).
func (a *Activities) compose(ctx context.Context, key string, caseID *string, template, lang, to string, data emailData) (*models.Message, error) {
	email, err := templates.RenderEmail(template, lang, data)
	if err != nil {
		return nil, err
	}
	return models.InsertMessage(ctx, a.DB, &models.Message{MessageKey: key, CaseID: caseID, Template: template,
		ToAddr: to, Subject: email.Subject, BodyText: email.Text, BodyHTML: email.HTML, Status: models.MessageQueued})
}

// deliver sends a stored message unless it already left. Without an SMTP
// server it stays in the outbox as "held". A permanent refusal is recorded
// and not retried; a temporary one is retried by Temporal with backoff.
func (a *Activities) deliver(ctx context.Context, m *models.Message) error {
	switch m.Status {
	case models.MessageSent:
		// Redaction is idempotent; repeating it covers a retry after the
		// send was recorded but the redaction failed.
		return models.RedactSentLinks(ctx, a.DB, m.ID, verifyLink)
	case models.MessageHeld, models.MessageFailed:
		return nil
	}
	if a.Mail == nil {
		return models.RecordDelivery(ctx, a.DB, m.ID, models.MessageHeld, "")
	}
	err := a.Mail.Send(ctx, mailer.Message{ID: m.ID, To: m.ToAddr, Subject: m.Subject, Text: m.BodyText, HTML: m.BodyHTML})
	switch {
	case err == nil:
		if err := models.RecordDelivery(ctx, a.DB, m.ID, models.MessageSent, ""); err != nil {
			return err
		}
		return models.RedactSentLinks(ctx, a.DB, m.ID, verifyLink)
	case mailer.IsPermanent(err):
		a.logger().Warn("message refused permanently", "message_id", m.ID, "error", err)
		return models.RecordDelivery(ctx, a.DB, m.ID, models.MessageFailed, err.Error())
	default:
		if rerr := models.RecordDelivery(ctx, a.DB, m.ID, models.MessageQueued, err.Error()); rerr != nil {
			return rerr
		}
		return fmt.Errorf("deliver message %s: %w", m.ID, err)
	}
}

// verifyLink matches a verification link's secret, removed from the stored
// copy once the message has left so the outbox cannot be used to verify.
var verifyLink = regexp.MustCompile(`/verify/[A-Za-z0-9_-]{20,}`)

// emailData is everything an email template may use.
type emailData struct {
	Org, Reference, Name, TypeLabel, Received, Due string
	Link, ValidUntil, FormLink                     string
	ReasonText, Note, ComplaintAuthority           string
	OutcomeText                                    string
	Systems                                        []systemResult
	SystemName, TaskLink                           string
	DaysLeft                                       int
}

type systemResult struct {
	Name, OutcomeLabel, Note, Data string
}

func (a *Activities) emailData(c *models.Case) emailData {
	return emailData{
		Org: a.Organisation, Reference: c.Reference, Name: c.SubjectName,
		TypeLabel: TypeLabel(c.Type), ComplaintAuthority: a.ComplaintAuthority,
		Received: localDate(c.ReceivedAt, c.Regime),
		Due:      localDate(c.DueAt, c.Regime),
		FormLink: a.BaseURL + "/",
	}
}

func (a *Activities) systemResults(ctx context.Context, c *models.Case) ([]systemResult, error) {
	tasks, err := models.CaseTasks(ctx, a.DB, c.ID)
	if err != nil {
		return nil, fmt.Errorf("load tasks of case %s: %w", c.ID, err)
	}
	out := make([]systemResult, 0, len(tasks))
	for _, t := range tasks {
		r := systemResult{Name: t.SystemName, OutcomeLabel: taskOutcomeLabel(t.Outcome), Note: t.Note}
		if c.Type.CollectsData() && len(t.Data) > 0 {
			b, err := json.MarshalIndent(t.Data, "", "  ")
			if err != nil {
				return nil, err
			}
			r.Data = string(b)
		}
		out = append(out, r)
	}
	return out, nil
}

// TypeLabel is how a request type reads in a sentence.
func TypeLabel(t models.RequestType) string {
	switch t {
	case models.TypeMarketingOptOut:
		return "marketing opt-out"
	case models.TypeSaleOptOut:
		return "do-not-sell-or-share"
	case models.TypeLimitSensitive:
		return "limit-use-of-sensitive-data"
	case models.TypeConsentWithdrawal:
		return "consent withdrawal"
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

func denyReasonText(r models.DenyReason) string {
	switch r {
	case models.DenyManifestlyUnfounded:
		return "the request is manifestly unfounded."
	case models.DenyExcessive:
		return "the request is excessive, in particular because of its repetitive character."
	case models.DenyUnverified:
		return "we could not verify your identity, so we cannot be sure the data is yours."
	case models.DenyNotCovered:
		return "the request is not covered by the rights data protection law gives you."
	case models.DenyOther:
		return "see the explanation below."
	}
	return ""
}

func outcomeText(o models.Outcome, t models.RequestType) string {
	switch o {
	case models.OutcomeNoDataFound:
		return "We searched every system that could hold personal data about you and found none."
	case models.OutcomePartiallyFulfilled:
		return fmt.Sprintf("We carried out your %s request in part. Below is what each of our systems did, and why some could not act.", TypeLabel(t))
	}
	if t.CollectsData() {
		return "We have carried out your request. Below is the personal data each of our systems holds about you."
	}
	return fmt.Sprintf("We have carried out your %s request. Below is what each of our systems did.", TypeLabel(t))
}

func taskOutcomeLabel(outcome string) string {
	switch models.TaskOutcome(outcome) {
	case models.TaskOutcomeCompleted:
		return "done"
	case models.TaskOutcomeNotFound:
		return "no data about you"
	case models.TaskOutcomeException:
		return "could not act"
	}
	return outcome
}
