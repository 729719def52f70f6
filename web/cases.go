package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// updateTimeout bounds how long a person waits for a workflow to carry out
// their action before being told to reload.
const updateTimeout = 15 * time.Second

// caseActionInput is the body of every case action (api.md).
type caseActionInput struct {
	Regime  string `json:"regime"` // regime: the regime the case falls under
	Method  string `json:"method"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	Message string `json:"message"` // pause: the question for the requester
}

// caseActionSpec says what one case action checks, which free text it
// stores as a note (only the note's ID travels to the workflow), and which
// Update it sends.
type caseActionSpec struct {
	update     string
	noteKind   string                                   // "": the action stores no note
	note       func(caseActionInput) string             // the text stored as the note
	reasonKind string                                   // pause: the internal reason, stored apart
	check      func(caseActionInput, map[string]string) // adds the fields at fault
	arg        func(actorID string, in caseActionInput, noteID string) any
}

func noteText(in caseActionInput) string   { return in.Note }
func reasonText(in caseActionInput) string { return in.Reason }

// requireText marks field missing when value is blank.
func requireText(bad map[string]string, field, value, why string) {
	if strings.TrimSpace(value) == "" {
		bad[field] = "is required: " + why
	}
}

// caseActions are the actions of api.md, by the last segment of their URL.
var caseActions = map[string]caseActionSpec{
	"verify": {update: workflows.UpdateVerify, noteKind: "verification", note: noteText,
		check: func(in caseActionInput, bad map[string]string) {
			if in.Method != "" && in.Method != "manual" {
				bad["method"] = "must be manual"
			}
		},
		arg: func(a string, _ caseActionInput, n string) any { return workflows.VerifyRequest{ActorID: a, NoteID: n} }},
	"approve": {update: workflows.UpdateApprove,
		arg: func(a string, _ caseActionInput, _ string) any { return workflows.ApproveRequest{ActorID: a} }},
	"deny": {update: workflows.UpdateDeny, noteKind: "denial", note: noteText,
		check: func(in caseActionInput, bad map[string]string) {
			if _, ok := models.DenyReason(in.Reason).Outcome(); !ok {
				bad["reason"] = "must be one of manifestly_unfounded, excessive, unverified, not_covered, other"
			}
			if in.Reason == string(models.DenyOther) && strings.TrimSpace(in.Note) == "" {
				bad["note"] = "is required when the reason is other"
			}
		},
		arg: func(a string, in caseActionInput, n string) any {
			return workflows.DenyRequest{ActorID: a, Reason: models.DenyReason(in.Reason), NoteID: n}
		}},
	"respond": {update: workflows.UpdateRespond, noteKind: "response", note: noteText,
		arg: func(a string, _ caseActionInput, n string) any {
			return workflows.RespondRequest{ActorID: a, NoteID: n}
		}},
	// The reasons go to the requester in the extension notice.
	"extend": {update: workflows.UpdateExtend, noteKind: "extension", note: reasonText,
		check: func(in caseActionInput, bad map[string]string) {
			requireText(bad, "reason", in.Reason, "the requester is told why the answer takes longer")
		},
		arg: func(a string, _ caseActionInput, n string) any { return workflows.ExtendRequest{ActorID: a, NoteID: n} }},
	// The message is the question the requester is sent; the reason is
	// kept on the case for the team.
	"pause": {update: workflows.UpdatePause, noteKind: "clarification", reasonKind: "pause_reason",
		note: func(in caseActionInput) string { return in.Message },
		check: func(in caseActionInput, bad map[string]string) {
			requireText(bad, "message", in.Message, "it is the question the requester is asked")
		},
		arg: func(a string, _ caseActionInput, n string) any { return workflows.PauseRequest{ActorID: a, NoteID: n} }},
	"resume": {update: workflows.UpdateResume,
		arg: func(a string, _ caseActionInput, _ string) any { return workflows.ResumeRequest{ActorID: a} }},
	"regime": {update: workflows.UpdateSetRegime, noteKind: "regime", note: reasonText,
		check: func(in caseActionInput, bad map[string]string) {
			if _, err := deadline.ParseRegime(in.Regime); err != nil {
				bad["regime"] = "is not one of gdpr, uk_gdpr, ccpa, ccpa_optout, lgpd, pipeda"
			}
			requireText(bad, "reason", in.Reason, "the change of regime is explained on the case")
		},
		arg: func(a string, in caseActionInput, n string) any {
			return workflows.SetRegimeRequest{ActorID: a, Regime: in.Regime, NoteID: n}
		}},
}

// caseAction carries out one of caseActions on a case: check the input,
// store its free text as notes, and send the Update.
func (s *Server) caseAction(ctx context.Context, u *models.User, caseID, action string, in caseActionInput) error {
	spec, ok := caseActions[action]
	if !ok {
		return notFound("action " + strconv.Quote(action))
	}
	c, err := models.GetCase(ctx, s.db, caseID)
	if errors.Is(err, models.ErrNotFound) {
		return notFound("case")
	}
	if err != nil {
		return err
	}
	bad := map[string]string{}
	for field, text := range map[string]string{"note": in.Note, "reason": in.Reason, "message": in.Message} {
		checkText(bad, field, text, 10000)
	}
	if spec.check != nil {
		spec.check(in, bad)
	}
	if len(bad) > 0 {
		return invalidFields(bad)
	}
	if c.Status.Closed() {
		return conflict(fmt.Sprintf("the case is %s; no further actions are possible", c.Status))
	}
	if spec.reasonKind != "" {
		if _, err := s.addNote(ctx, c.ID, spec.reasonKind, in.Reason, u.ID); err != nil {
			return err
		}
	}
	noteID := ""
	if spec.noteKind != "" {
		if noteID, err = s.addNote(ctx, c.ID, spec.noteKind, spec.note(in), u.ID); err != nil {
			return err
		}
	}
	uctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	return s.workflowError(caseID, s.wf.UpdateCase(uctx, caseID, spec.update, spec.arg(u.ID, in, noteID)))
}

// addNote stores text as a note of the case and returns its ID, or "" for
// blank text.
func (s *Server) addNote(ctx context.Context, caseID, kind, text, authorID string) (string, error) {
	if text = strings.TrimSpace(text); text == "" {
		return "", nil
	}
	return models.AddNote(ctx, s.db, caseID, kind, text, &authorID)
}

// workflowError maps an Update's failure for the client: a refusal is 409
// with the workflow's reason; no answer in time is 503.
func (s *Server) workflowError(id string, err error) error {
	var refused *ErrRefused
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return conflict(refused.Reason)
	default:
		s.logger.Warn("workflow update failed", "case_id", id, "error", err)
		return unavailable("the case's workflow did not answer in time; the action may still be carried out, reload in a moment")
	}
}

// taskCompletion is the body of a task completion (api.md).
type taskCompletion struct {
	Outcome string         `json:"outcome"`
	Note    string         `json:"note"`
	Data    map[string]any `json:"data"`
}

// completeTask records a system owner's answer and hands it to the task's
// workflow. The answer is stored first; the workflow carries only its ID.
func (s *Server) completeTask(ctx context.Context, u *models.User, caseID, taskID string, in taskCompletion) error {
	t, err := models.GetTask(ctx, s.db, caseID, taskID)
	if errors.Is(err, models.ErrNotFound) {
		return notFound("task")
	}
	if err != nil {
		return err
	}
	bad := map[string]string{}
	if !models.TaskOutcome(in.Outcome).Valid() {
		bad["outcome"] = "must be one of completed, not_found, exception"
	}
	checkText(bad, "note", in.Note, 10000)
	if len(bad) > 0 {
		return invalidFields(bad)
	}
	if !t.Status.Open() {
		return conflict(fmt.Sprintf("this task is already %s", t.Status))
	}
	sub := &models.TaskSubmission{TaskID: t.ID, Outcome: models.TaskOutcome(in.Outcome),
		Note: strings.TrimSpace(in.Note), Data: in.Data, SubmittedBy: &u.ID}
	if err := models.AddTaskSubmission(ctx, s.db, sub); err != nil {
		return err
	}
	uctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	return s.workflowError(caseID, s.wf.UpdateTask(uctx, t.ID,
		workflows.CompleteTaskRequest{ActorID: u.ID, SubmissionID: sub.ID, Outcome: sub.Outcome}))
}

// caseFilter reads the queue's filters from the query string.
func caseFilter(c echo.Context) (models.CaseFilter, error) {
	f := models.CaseFilter{
		Status: models.Status(c.QueryParam("status")), Type: models.RequestType(c.QueryParam("type")),
		Regime: c.QueryParam("regime"), AssigneeID: c.QueryParam("assignee"),
		Reference: c.QueryParam("q"), Cursor: c.QueryParam("cursor"),
	}
	bad := map[string]string{}
	if f.Status != "" && !f.Status.Valid() {
		bad["status"] = "is not a known status"
	}
	if f.Type != "" && !f.Type.Valid() {
		bad["type"] = "is not a known request type"
	}
	if v := c.QueryParam("due_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if d, derr := time.Parse("2006-01-02", v); derr == nil {
				t, err = d, nil
			}
		}
		if err != nil {
			bad["due_before"] = "must be an RFC 3339 time or a date (YYYY-MM-DD)"
		}
		f.DueBefore = &t
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			bad["limit"] = "must be a whole number from 1 to 200"
		}
		f.Limit = n
	}
	if len(bad) > 0 {
		return f, invalidFields(bad)
	}
	return f, nil
}

func listCases(c echo.Context, s *Server) ([]models.Case, string, error) {
	f, err := caseFilter(c)
	if err != nil {
		return nil, "", err
	}
	cases, next, err := models.ListCases(c.Request().Context(), s.db, f)
	return cases, next, listError(err)
}

// listError maps a cursor this server did not make to a 400.
func listError(err error) error {
	if errors.Is(err, models.ErrBadCursor) {
		return invalidField("cursor", err.Error())
	}
	return err
}

// caseDetail is everything the case page and GET /cases/{id} show.
type caseDetail struct {
	Case     *models.Case
	Tasks    []models.TaskView
	Events   []models.Event
	Messages []models.Message
	Assignee string
}

func (s *Server) loadCaseDetail(ctx context.Context, id string) (*caseDetail, error) {
	c, err := models.GetCase(ctx, s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, notFound("case")
	}
	if err != nil {
		return nil, err
	}
	d := &caseDetail{Case: c}
	if d.Tasks, err = models.CaseTasks(ctx, s.db, id); err != nil {
		return nil, err
	}
	if d.Events, err = models.CaseEvents(ctx, s.db, id); err != nil {
		return nil, err
	}
	if d.Messages, err = models.CaseMessages(ctx, s.db, id); err != nil {
		return nil, err
	}
	if c.AssigneeID != nil {
		if u, err := models.GetUser(ctx, s.db, *c.AssigneeID); err == nil {
			d.Assignee = u.Email
		}
	}
	return d, nil
}

// API handlers.

func (s *Server) apiListCases(c echo.Context) error {
	cases, next, err := listCases(c, s)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(cases))
	for i := range cases {
		items[i] = caseJSON(&cases[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

func (s *Server) apiGetCase(c echo.Context) error {
	d, err := s.loadCaseDetail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d.json())
}

func (s *Server) apiCaseAction(c echo.Context) error {
	var in caseActionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.caseAction(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("action"), in); err != nil {
		return err
	}
	return s.apiGetCase(c)
}

func (s *Server) apiCompleteTask(c echo.Context) error {
	var in taskCompletion
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.completeTask(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("task_id"), in); err != nil {
		return err
	}
	return s.apiGetCase(c)
}

func caseJSON(c *models.Case) map[string]any {
	return map[string]any{
		"id": c.ID, "reference": c.Reference, "type": c.Type, "regime": c.Regime, "status": c.Status,
		"paused": c.Paused, "outcome": c.Outcome, "channel": c.Channel, "language": c.Language,
		"received_at": c.ReceivedAt, "due_at": c.DueAt, "extended_due_at": c.ExtendedDueAt,
		"acknowledge_by": c.AcknowledgeBy, "assignee": c.AssigneeID,
	}
}

func (d *caseDetail) json() map[string]any {
	out := caseJSON(d.Case)
	out["assignee_email"] = nilIfEmpty(d.Assignee)
	out["subject"] = map[string]any{"email": d.Case.SubjectEmail, "name": d.Case.SubjectName, "phone": d.Case.SubjectPhone}
	out["country"] = d.Case.Country
	out["relationship"] = d.Case.Relationship
	out["details"] = d.Case.Details
	out["verified_at"] = d.Case.VerifiedAt
	out["closed_at"] = d.Case.ClosedAt
	tasks := make([]map[string]any, len(d.Tasks))
	for i, t := range d.Tasks {
		tasks[i] = map[string]any{"id": t.ID, "system": t.SystemName, "system_id": t.SystemID, "action": t.Action,
			"status": t.Status, "outcome": t.Outcome, "note": t.Note, "data": t.Data}
	}
	events := make([]map[string]any, len(d.Events))
	for i, e := range d.Events {
		events[i] = map[string]any{"at": e.At, "type": e.Type, "actor": e.Actor, "summary": e.Summary}
	}
	messages := make([]map[string]any, len(d.Messages))
	for i, m := range d.Messages {
		messages[i] = map[string]any{"id": m.ID, "template": m.Template, "to": m.ToAddr, "subject": m.Subject,
			"status": m.Status, "sent_at": m.SentAt}
	}
	out["tasks"], out["events"], out["messages"] = tasks, events, messages
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Pages.

type queueView struct {
	Cases    []models.Case
	Next     string
	Statuses []models.Status
	Types    []models.RequestType
	Filter   map[string]string
}

func (s *Server) queuePage(c echo.Context) error {
	cases, next, err := listCases(c, s)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "queue", "Cases", queueView{
		Cases: cases, Next: next, Statuses: models.Statuses, Types: models.RequestTypes,
		Filter: map[string]string{"status": c.QueryParam("status"), "type": c.QueryParam("type"), "q": c.QueryParam("q")},
	})
}

type caseView struct {
	*caseDetail
	Regimes     []deadline.Regime
	DenyReasons []models.DenyReason
	Error       string
	Done        string
}

func (s *Server) casePage(c echo.Context) error {
	return s.renderCase(c, http.StatusOK, "", c.QueryParam("done"))
}

func (s *Server) renderCase(c echo.Context, status int, errMsg, done string) error {
	d, err := s.loadCaseDetail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, status, "case", d.Case.Reference, caseView{caseDetail: d, Regimes: deadline.Regimes(), DenyReasons: models.DenyReasons, Error: errMsg, Done: done})
}

// caseActionForm is the workspace's buttons; a refusal or a bad field is
// shown on the case page itself.
func (s *Server) caseActionForm(c echo.Context) error {
	in := caseActionInput{Method: "manual", Reason: c.FormValue("reason"), Note: c.FormValue("note"),
		Message: c.FormValue("message"), Regime: c.FormValue("regime")}
	err := s.caseAction(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("action"), in)
	return s.afterForm(c, err, c.Param("action"))
}

func (s *Server) completeTaskForm(c echo.Context) error {
	in := taskCompletion{Outcome: c.FormValue("outcome"), Note: c.FormValue("note")}
	if raw := strings.TrimSpace(c.FormValue("data")); raw != "" {
		if err := jsonObject(raw, &in.Data); err != nil {
			return s.afterForm(c, invalidField("data", err.Error()), "")
		}
	}
	err := s.completeTask(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("task_id"), in)
	return s.afterForm(c, err, "task")
}

func (s *Server) afterForm(c echo.Context, err error, done string) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status != http.StatusNotFound {
		msg := ae.Message
		for field, problem := range ae.Fields {
			msg = field + " " + problem
		}
		return s.renderCase(c, ae.Status, msg, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+c.Param("id")+"?done="+done)
}
