package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// intakeRequest is a request as the public API receives it (api.md).
type intakeRequest struct {
	Type    string `json:"type"`
	Subject struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"subject"`
	Country      string `json:"country"`
	Regime       string `json:"regime"`
	Language     string `json:"language"`
	Relationship string `json:"relationship"`
	Details      string `json:"details"`
}

var (
	phonePattern   = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
)

// validate normalises r and returns the fields at fault, keyed as in the
// JSON body. lang is the Accept-Language fallback.
func (r *intakeRequest) validate(acceptLanguage string) map[string]string {
	bad := map[string]string{}
	r.Type = strings.TrimSpace(r.Type)
	if r.Type == "" {
		bad["type"] = "is required"
	} else if !models.RequestType(r.Type).Valid() {
		bad["type"] = "is not a known request type"
	}
	r.Subject.Email = strings.TrimSpace(r.Subject.Email)
	if r.Subject.Email == "" {
		bad["subject.email"] = "is required"
	} else if a, err := mail.ParseAddress(r.Subject.Email); err != nil || a.Address != r.Subject.Email || len(r.Subject.Email) > 254 {
		bad["subject.email"] = "is not an email address"
	}
	r.Subject.Name = strings.TrimSpace(r.Subject.Name)
	checkText(bad, "subject.name", r.Subject.Name, 200)
	r.Subject.Phone = strings.TrimSpace(r.Subject.Phone)
	if r.Subject.Phone != "" && !phonePattern.MatchString(r.Subject.Phone) {
		bad["subject.phone"] = "is not a phone number"
	}
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	if r.Country != "" && !countryPattern.MatchString(r.Country) {
		bad["country"] = "must be a two-letter country code such as NL, or a subdivision such as US-CA"
	}
	r.Regime = strings.TrimSpace(r.Regime)
	if r.Regime == "" {
		r.Regime = string(deadline.ForCountry(r.Country))
	} else if _, err := deadline.ParseRegime(r.Regime); err != nil {
		bad["regime"] = "is not one of gdpr, uk_gdpr, ccpa, ccpa_optout, lgpd, pipeda"
	}
	r.Language = strings.TrimSpace(r.Language)
	if r.Language == "" {
		r.Language = languageFrom(acceptLanguage)
	} else if r.Language != "en" && r.Language != "zh-CN" {
		bad["language"] = "must be en or zh-CN"
	}
	switch models.Relationship(r.Relationship) {
	case "":
		r.Relationship = string(models.RelationshipDataSubject)
	case models.RelationshipDataSubject, models.RelationshipAuthorizedAgent:
	default:
		bad["relationship"] = "must be data_subject or authorized_agent"
	}
	checkText(bad, "details", r.Details, 10000)
	return bad
}

func checkText(bad map[string]string, field, value string, max int) {
	switch {
	case !utf8.ValidString(value):
		bad[field] = "is not valid UTF-8 text"
	case utf8.RuneCountInString(value) > max:
		bad[field] = fmt.Sprintf("is longer than %d characters", max)
	case strings.ContainsRune(value, 0):
		bad[field] = "contains a NUL character"
	}
}

// languageFrom picks the answer language from an Accept-Language header.
func languageFrom(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

// createCase turns a valid request into a case and its workflow.
//
// Neither may exist without the other. The workflow is started first, with
// an ID derived from a fresh case ID; only then is the case row committed.
//   - If starting fails, nothing was written: the client gets 503 and can
//     retry (with its Idempotency-Key, safely).
//   - If committing fails (or this process dies before it), the workflow's
//     first step finds no row, waits a few minutes in case the commit was
//     slow, and ends having done nothing: no email, no trace in any list.
//   - If both succeed, the workflow picks the row up and runs the case.
//
// The reverse order could leave a committed case that no workflow would
// ever move, which is the one failure a deadline-bound process cannot have.
func (s *Server) createCase(ctx context.Context, r *intakeRequest, channel models.Channel, idempotencyKey string) (*models.Case, bool, error) {
	if idempotencyKey != "" {
		// Keys are scoped to the requester's address: someone who guesses
		// another client's key learns nothing about that client's case.
		idempotencyKey = models.HashSecret(idempotencyKey + "\x00" + strings.ToLower(r.Subject.Email))
		existing, err := models.CaseByIdempotencyKey(ctx, s.db, idempotencyKey)
		if err == nil {
			return existing, true, nil
		}
		if !errors.Is(err, models.ErrNotFound) {
			return nil, false, err
		}
	}
	c, err := s.newCase(r, channel, idempotencyKey)
	if err != nil {
		return nil, false, err
	}
	if err := s.wf.StartCase(ctx, c.ID); err != nil {
		s.logger.Error("start case workflow", "case_id", c.ID, "error", err)
		return nil, false, unavailable("the request could not be registered just now; nothing was saved, please try again in a minute")
	}
	// The commit gets its own deadline, well inside the workflow's wait.
	commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := models.CreateCase(commitCtx, s.db, c); err != nil {
		if idempotencyKey != "" && models.IsUniqueViolation(err) {
			// A concurrent request with the same key won; answer with its case.
			if existing, lookupErr := models.CaseByIdempotencyKey(ctx, s.db, idempotencyKey); lookupErr == nil {
				return existing, true, nil
			}
		}
		s.logger.Error("commit case", "case_id", c.ID, "error", err)
		return nil, false, unavailable("the request could not be saved just now; nothing was kept, please try again in a minute")
	}
	s.metrics.intake.WithLabelValues(string(channel), string(c.Type)).Inc()
	s.logger.Info("case received", "case_id", c.ID, "workflow_id", c.WorkflowID, "channel", channel, "type", c.Type)
	return c, false, nil
}

// newCase builds the case row with its deadlines.
func (s *Server) newCase(r *intakeRequest, channel models.Channel, idempotencyKey string) (*models.Case, error) {
	now := models.Now()
	regime := deadline.Regime(r.Regime)
	dates, err := deadline.Compute(deadline.Input{Regime: regime, Received: now})
	if err != nil {
		return nil, fmt.Errorf("compute deadlines: %w", err)
	}
	zone := deadline.DefaultZone(regime)
	id := models.NewID()
	c := &models.Case{
		ID: id, WorkflowID: workflows.CaseWorkflowID(id),
		Type: models.RequestType(r.Type), Regime: r.Regime, Status: models.StatusReceived,
		Channel: channel, Language: r.Language, Relationship: models.Relationship(r.Relationship),
		Country: r.Country, SubjectEmail: r.Subject.Email, SubjectName: r.Subject.Name,
		SubjectPhone: r.Subject.Phone, Details: r.Details,
		ReceivedAt: now, DueAt: deadline.DueInstant(dates.Due, zone), CreatedAt: now, UpdatedAt: now,
	}
	if dates.AcknowledgeBy != nil {
		ack := deadline.DueInstant(*dates.AcknowledgeBy, zone)
		c.AcknowledgeBy = &ack
	}
	if idempotencyKey != "" {
		c.IdempotencyKey = &idempotencyKey
	}
	return c, nil
}

// apiCreateRequest is POST /api/v1/requests.
func (s *Server) apiCreateRequest(c echo.Context) error {
	var r intakeRequest
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if bad := r.validate(c.Request().Header.Get("Accept-Language")); len(bad) > 0 {
		return invalidFields(bad)
	}
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if len(key) > 200 || !cleanText(key) {
		return invalidField("Idempotency-Key", "must be text of at most 200 characters")
	}
	cs, existing, err := s.createCase(c.Request().Context(), &r, models.ChannelAPI, key)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	return c.JSON(status, map[string]any{
		"id": cs.ID, "reference": cs.Reference, "status": cs.Status,
		"received_at": cs.ReceivedAt, "due_at": cs.DueAt,
	})
}

// formView is the request form with what was typed and what is wrong.
type formView struct {
	Types  []models.RequestType
	Values map[string]string
	Errors map[string]string
	Error  string
}

func (s *Server) requestForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "form", "Make a privacy request",
		formView{Types: models.RequestTypes, Values: map[string]string{}, Errors: map[string]string{}})
}

// submitRequestForm is POST /requests from the public form. A form with
// errors comes back with everything typed kept and a message by each field.
func (s *Server) submitRequestForm(c echo.Context) error {
	var r intakeRequest
	r.Type = c.FormValue("type")
	r.Subject.Email = c.FormValue("email")
	r.Subject.Name = c.FormValue("name")
	r.Subject.Phone = c.FormValue("phone")
	r.Country = c.FormValue("country")
	r.Details = c.FormValue("details")
	r.Relationship = c.FormValue("relationship")
	values := map[string]string{"type": r.Type, "email": r.Subject.Email, "name": r.Subject.Name,
		"phone": r.Subject.Phone, "country": r.Country, "details": r.Details}
	bad := r.validate(c.Request().Header.Get("Accept-Language"))
	if len(bad) > 0 {
		errs := map[string]string{}
		for k, v := range bad {
			errs[strings.TrimPrefix(k, "subject.")] = v
		}
		return s.render(c, http.StatusBadRequest, "form", "Make a privacy request",
			formView{Types: models.RequestTypes, Values: values, Errors: errs, Error: "Please correct the fields marked below."})
	}
	cs, _, err := s.createCase(c.Request().Context(), &r, models.ChannelWeb, "")
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable {
		return s.render(c, ae.Status, "form", "Make a privacy request",
			formView{Types: models.RequestTypes, Values: values, Errors: map[string]string{}, Error: ae.Message})
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusCreated, "submitted", "Request received", cs)
}

type verifyView struct {
	OK      bool
	Message string
}

// verifyLink is GET /verify/{token}, the link in the verification email.
func (s *Server) verifyLink(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	caseID, err := models.CheckVerificationToken(ctx, s.db, token)
	switch {
	case errors.Is(err, models.ErrTokenUnknown):
		return s.render(c, http.StatusNotFound, "verified", "Link not valid",
			verifyView{Message: "This link is not valid. Please use the most recent link we emailed you."})
	case errors.Is(err, models.ErrTokenUsed):
		return s.render(c, http.StatusOK, "verified", "Already confirmed",
			verifyView{OK: true, Message: "You have already confirmed your email address. We are working on your request."})
	case errors.Is(err, models.ErrTokenExpired):
		return s.render(c, http.StatusGone, "verified", "Link expired",
			verifyView{Message: "This link has expired. If your request is still open, we have emailed you a newer link; otherwise please make a new request."})
	case err != nil:
		return err
	}
	// Signal first, then spend the token: if Temporal is unreachable the
	// link still works on the next try; a second signal is harmless.
	if err := s.wf.SignalEmailVerified(ctx, caseID); err != nil {
		s.logger.Error("signal verification", "case_id", caseID, "error", err)
		return s.render(c, http.StatusServiceUnavailable, "verified", "Please try again",
			verifyView{Message: "We could not record your confirmation just now. Please open the link again in a minute."})
	}
	if err := models.UseVerificationToken(ctx, s.db, token); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "verified", "Email address confirmed",
		verifyView{OK: true, Message: "Thank you: your email address is confirmed. We will now review your request and answer by email."})
}
