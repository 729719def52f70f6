package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/web"
	"github.com/dsrcase/dsr/workflows"
)

// caseKeys are the keys api.md promises on a case.
var caseKeys = []string{"id", "reference", "type", "regime", "status", "paused", "outcome", "channel", "language",
	"received_at", "due_at", "extended_due_at", "acknowledge_by", "assignee", "subject", "tasks", "events", "messages"}

func TestGetCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, token := h.user(models.RoleHandler)
		c := h.createCase(nil)
		sys := h.system("CRM", "access")
		task := h.task(c.ID, sys.ID, models.TaskPending)

		rec := h.api(http.MethodGet, "/api/v1/cases/"+c.ID, token, nil)
		require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
		body := decodeBody(t, rec)
		for _, k := range caseKeys {
			require.Contains(t, body, k)
		}
		require.Equal(t, c.ID, body["id"])
		require.Equal(t, c.Reference, body["reference"])
		require.Equal(t, "access", body["type"])
		require.Equal(t, "api", body["channel"])
		require.Equal(t, false, body["paused"])
		require.Nil(t, body["assignee"])
		require.Equal(t, map[string]any{"email": "jan@example.nl", "name": "Jan Jansen", "phone": "+31 6 1234 5678"}, body["subject"])

		tasks := body["tasks"].([]any)
		require.Len(t, tasks, 1)
		tj := tasks[0].(map[string]any)
		for _, k := range []string{"id", "system", "action", "status", "outcome", "note"} {
			require.Contains(t, tj, k)
		}
		require.Equal(t, task.ID, tj["id"])
		require.Equal(t, "CRM", tj["system"])
		require.Equal(t, "pending", tj["status"])

		events := body["events"].([]any)
		require.NotEmpty(t, events, "the received event")
		for _, k := range []string{"at", "type", "actor", "summary"} {
			require.Contains(t, events[0].(map[string]any), k)
		}
		require.Equal(t, []any{}, body["messages"], "an empty list, not null")

		requireAPIError(t, h.api(http.MethodGet, "/api/v1/cases/"+models.NewID(), token, nil), http.StatusNotFound, "not_found")
	})
}

func TestCaseActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		u, token := h.user(models.RoleHandler)
		c := h.createCase(nil)
		h.setStatus(c.ID, models.StatusPendingReview)

		t.Run("unknown case", func(t *testing.T) {
			before := len(h.wf.Updates())
			for _, a := range []string{"approve", "deny", "verify", "respond"} {
				rec := h.api(http.MethodPost, "/api/v1/cases/"+models.NewID()+"/"+a, token, `{"reason":"excessive"}`)
				requireAPIError(t, rec, http.StatusNotFound, "not_found")
			}
			require.Len(t, h.wf.Updates(), before)
		})
		t.Run("unknown action", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/explode", token, `{}`)
			requireAPIError(t, rec, http.StatusNotFound, "not_found")
		})
		t.Run("deny with a bad reason", func(t *testing.T) {
			before := len(h.wf.Updates())
			for _, body := range []string{`{}`, `{"reason":"because"}`, `{"reason":"OTHER","note":"x"}`} {
				rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token, body)
				requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "reason")
			}
			require.Len(t, h.wf.Updates(), before)
			require.EqualValues(t, 0, countRows(t, db, "notes"), "no note for a refused form")
		})
		t.Run("deny other without a note", func(t *testing.T) {
			for _, body := range []string{`{"reason":"other"}`, `{"reason":"other","note":"   "}`} {
				rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token, body)
				requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "note")
			}
		})
		t.Run("note too long", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token,
				map[string]any{"reason": "excessive", "note": strings.Repeat("n", 10001)})
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "note")
		})
		t.Run("verify with an unknown method", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/verify", token, `{"method":"telepathy"}`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "method")
		})
		t.Run("wrong JSON types", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token, `{"reason":["other"]}`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_json")
			rec = h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token, `{"reason":`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_json")
		})
		t.Run("refused by the workflow", func(t *testing.T) {
			h.wf.updateErr = &web.ErrRefused{Reason: "the case is not waiting for review"}
			defer func() { h.wf.updateErr = nil }()
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/approve", token, `{}`)
			e := requireAPIError(t, rec, http.StatusConflict, "conflict")
			require.Equal(t, "the case is not waiting for review", e.Error.Message)
		})
		t.Run("workflow does not answer", func(t *testing.T) {
			h.wf.updateErr = context.DeadlineExceeded
			defer func() { h.wf.updateErr = nil }()
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/approve", token, `{}`)
			e := requireAPIError(t, rec, http.StatusServiceUnavailable, "unavailable")
			require.NotContains(t, e.Error.Message, "deadline exceeded")
		})
		t.Run("approve", func(t *testing.T) {
			before := len(h.wf.Updates())
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/approve", token, nil)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			body := decodeBody(t, rec)
			for _, k := range caseKeys {
				require.Contains(t, body, k)
			}
			require.Equal(t, c.ID, body["id"])
			updates := h.wf.Updates()
			require.Len(t, updates, before+1)
			last := updates[len(updates)-1]
			require.Equal(t, c.ID, last.CaseID)
			require.Equal(t, workflows.UpdateApprove, last.Name)
			require.Equal(t, workflows.ApproveRequest{ActorID: u.ID}, last.Arg)
		})
		t.Run("deny stores the note and sends only its ID", func(t *testing.T) {
			secret := "The requester asked 40 times this week; personal detail: Jan's bank 1234."
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token,
				map[string]any{"reason": "other", "note": "  " + secret + "  "})
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())

			updates := h.wf.Updates()
			last := updates[len(updates)-1]
			require.Equal(t, workflows.UpdateDeny, last.Name)
			arg, ok := last.Arg.(workflows.DenyRequest)
			require.True(t, ok, "the argument is a workflows.DenyRequest, got %T", last.Arg)
			require.Equal(t, u.ID, arg.ActorID)
			require.Equal(t, models.DenyOther, arg.Reason)
			require.NotEmpty(t, arg.NoteID)
			raw, err := json.Marshal(last.Arg)
			require.NoError(t, err)
			require.NotContains(t, string(raw), "bank", "no free text in the workflow's history")

			note, err := models.GetNote(context.Background(), db, c.ID, arg.NoteID)
			require.NoError(t, err)
			require.Equal(t, secret, note.Body, "stored trimmed")
			require.Equal(t, "denial", note.Kind)
			require.NotNil(t, note.AuthorID)
			require.Equal(t, u.ID, *note.AuthorID)
		})
		t.Run("deny without a note sends no note ID", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/deny", token, `{"reason":"excessive"}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			updates := h.wf.Updates()
			require.Equal(t, workflows.DenyRequest{ActorID: u.ID, Reason: models.DenyExcessive}, updates[len(updates)-1].Arg)
		})
		t.Run("verify with a note", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/verify", token, `{"method":"manual","note":"passport seen"}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			updates := h.wf.Updates()
			arg, ok := updates[len(updates)-1].Arg.(workflows.VerifyRequest)
			require.True(t, ok, "got %T", updates[len(updates)-1].Arg)
			require.NotEmpty(t, arg.NoteID)
			note, err := models.GetNote(context.Background(), db, c.ID, arg.NoteID)
			require.NoError(t, err)
			require.Equal(t, "passport seen", note.Body)
			require.Equal(t, "verification", note.Kind)
		})
		t.Run("respond", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/respond", token, `{"note":"Kind regards"}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			updates := h.wf.Updates()
			arg, ok := updates[len(updates)-1].Arg.(workflows.RespondRequest)
			require.True(t, ok, "got %T", updates[len(updates)-1].Arg)
			require.Equal(t, u.ID, arg.ActorID)
			require.NotEmpty(t, arg.NoteID)
		})
		t.Run("a closed case takes no actions", func(t *testing.T) {
			closed := h.createCase(nil)
			h.setStatus(closed.ID, models.StatusCompleted)
			before := len(h.wf.Updates())
			rec := h.api(http.MethodPost, "/api/v1/cases/"+closed.ID+"/approve", token, `{}`)
			requireAPIError(t, rec, http.StatusConflict, "conflict")
			require.Len(t, h.wf.Updates(), before)
		})
	})
}

// api.md lists extend, pause and resume as case actions.
func TestCaseActionsOfTheContract(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	_, token := h.user(models.RoleHandler)
	c := h.createCase(nil)
	for action, body := range map[string]string{
		"extend": `{"reason":"complex request"}`,
		"pause":  `{"reason":"need ID","message":"Please send a copy of your ID"}`,
		"resume": `{}`,
		"regime": `{"regime":"ccpa","reason":"lives in California"}`,
	} {
		t.Run(action, func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/"+action, token, body)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
		})
	}
}

func TestCompleteTask(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		u, token := h.user(models.RoleHandler)
		c := h.createCase(nil)
		other := h.createCase(nil)
		sys := h.system("CRM", "access")
		open := h.task(c.ID, sys.ID, models.TaskPending)
		done := h.task(other.ID, sys.ID, models.TaskCompleted)
		path := func(caseID, taskID string) string {
			return "/api/v1/cases/" + caseID + "/tasks/" + taskID + "/complete"
		}

		t.Run("unknown task", func(t *testing.T) {
			requireAPIError(t, h.api(http.MethodPost, path(c.ID, models.NewID()), token, `{"outcome":"completed"}`), http.StatusNotFound, "not_found")
			requireAPIError(t, h.api(http.MethodPost, path(models.NewID(), open.ID), token, `{"outcome":"completed"}`), http.StatusNotFound, "not_found")
			// A task of another case is not found through this case.
			requireAPIError(t, h.api(http.MethodPost, path(c.ID, done.ID), token, `{"outcome":"completed"}`), http.StatusNotFound, "not_found")
		})
		t.Run("bad outcome", func(t *testing.T) {
			for _, body := range []string{`{}`, `{"outcome":"done"}`, `{"outcome":"COMPLETED"}`} {
				requireAPIError(t, h.api(http.MethodPost, path(c.ID, open.ID), token, body), http.StatusBadRequest, "invalid_field", "outcome")
			}
			requireAPIError(t, h.api(http.MethodPost, path(c.ID, open.ID), token, `{"outcome":"completed","data":[1]}`), http.StatusBadRequest, "invalid_json")
			require.EqualValues(t, 0, countRows(t, db, "task_submissions"))
		})
		t.Run("already completed", func(t *testing.T) {
			rec := h.api(http.MethodPost, path(other.ID, done.ID), token, `{"outcome":"completed"}`)
			requireAPIError(t, rec, http.StatusConflict, "conflict")
			require.Empty(t, h.wf.TaskUpdates())
		})
		t.Run("refused by the task workflow", func(t *testing.T) {
			h.wf.taskErr = &web.ErrRefused{Reason: "this case or task is no longer open for actions"}
			defer func() { h.wf.taskErr = nil }()
			rec := h.api(http.MethodPost, path(c.ID, open.ID), token, `{"outcome":"not_found"}`)
			e := requireAPIError(t, rec, http.StatusConflict, "conflict")
			require.Equal(t, "this case or task is no longer open for actions", e.Error.Message)
		})
		t.Run("success", func(t *testing.T) {
			before := len(h.wf.TaskUpdates())
			rec := h.api(http.MethodPost, path(c.ID, open.ID), token,
				map[string]any{"outcome": "completed", "note": " 3 orders ", "data": map[string]any{"orders": 3}})
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			require.Equal(t, c.ID, decodeBody(t, rec)["id"], "answers with the case")

			updates := h.wf.TaskUpdates()
			require.Len(t, updates, before+1)
			last := updates[len(updates)-1]
			require.Equal(t, open.ID, last.TaskID)
			require.Equal(t, u.ID, last.Arg.ActorID)
			require.Equal(t, models.TaskOutcomeCompleted, last.Arg.Outcome)
			require.NotEmpty(t, last.Arg.SubmissionID)

			var sub models.TaskSubmission
			require.NoError(t, db.Where("id = ?", last.Arg.SubmissionID).Take(&sub).Error)
			require.Equal(t, open.ID, sub.TaskID)
			require.Equal(t, "3 orders", sub.Note)
			require.EqualValues(t, 3, sub.Data["orders"])
			require.Equal(t, u.ID, *sub.SubmittedBy)
		})
	})
}

func TestCaseActionForms(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	u, _ := h.user(models.RoleHandler)
	b := h.login(u)
	c := h.createCase(nil)
	h.setStatus(c.ID, models.StatusPendingReview)
	sys := h.system("CRM", "access")
	task := h.task(c.ID, sys.ID, models.TaskPending)

	rec := b.get("/cases/" + c.ID)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `id="btn-approve"`)

	rec = b.postForm("/cases/"+c.ID+"/deny", url.Values{"reason": {"other"}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), `id="action-error">note is required when the reason is other</p>`)

	h.wf.updateErr = &web.ErrRefused{Reason: "already approved"}
	rec = b.postForm("/cases/"+c.ID+"/approve", nil)
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Contains(t, rec.Body.String(), `id="action-error">already approved</p>`)
	h.wf.updateErr = nil

	rec = b.postForm("/cases/"+c.ID+"/approve", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, "/cases/"+c.ID+"?done=approve", rec.Header().Get("Location"))

	rec = b.postForm("/cases/"+models.NewID()+"/approve", nil)
	require.Equal(t, http.StatusNotFound, rec.Code)

	rec = b.postForm("/cases/"+c.ID+"/tasks/"+task.ID+"/complete", url.Values{"outcome": {"completed"}, "data": {"[not json"}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "data must be a JSON object")
	require.Empty(t, h.wf.TaskUpdates())

	rec = b.postForm("/cases/"+c.ID+"/tasks/"+task.ID+"/complete", url.Values{"outcome": {"not_found"}, "data": {`{"rows":0}`}})
	require.Equal(t, http.StatusSeeOther, rec.Code, "body: %s", rec.Body.String())
	require.Len(t, h.wf.TaskUpdates(), 1)
	require.Equal(t, models.TaskOutcomeNotFound, h.wf.TaskUpdates()[0].Arg.Outcome)
}

func TestListCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, token := h.user(models.RoleHandler)
		access := h.createCase(nil)
		erasureBody := validRequest()
		erasureBody["type"] = "erasure"
		erasure := h.createCase(erasureBody)
		ukBody := validRequest()
		ukBody["country"] = "GB"
		uk := h.createCase(ukBody)
		h.setStatus(erasure.ID, models.StatusPendingReview)

		list := func(query string) (int, map[string]any) {
			rec := h.api(http.MethodGet, "/api/v1/cases"+query, token, nil)
			if rec.Code != http.StatusOK {
				return rec.Code, nil
			}
			return rec.Code, decodeBody(t, rec)
		}
		ids := func(body map[string]any) []string {
			var out []string
			for _, it := range body["items"].([]any) {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			return out
		}

		code, body := list("")
		require.Equal(t, http.StatusOK, code)
		require.Len(t, ids(body), 3)
		require.Equal(t, "", body["next_cursor"])
		for _, it := range body["items"].([]any) {
			for _, k := range []string{"id", "reference", "type", "regime", "status", "due_at"} {
				require.Contains(t, it.(map[string]any), k)
			}
		}
		due := func(it any) string { return it.(map[string]any)["due_at"].(string) }
		items := body["items"].([]any)
		require.True(t, sort.SliceIsSorted(items, func(i, j int) bool { return due(items[i]) < due(items[j]) }), "ordered by due date")

		_, body = list("?status=pending_review")
		require.Equal(t, []string{erasure.ID}, ids(body))
		_, body = list("?type=erasure")
		require.Equal(t, []string{erasure.ID}, ids(body))
		_, body = list("?type=access&status=received")
		require.ElementsMatch(t, []string{access.ID, uk.ID}, ids(body))
		_, body = list("?regime=uk_gdpr")
		require.Equal(t, []string{uk.ID}, ids(body))
		_, body = list("?q=" + strings.ToLower(access.Reference))
		require.Equal(t, []string{access.ID}, ids(body))
		_, body = list("?due_before=2000-01-01")
		require.Empty(t, ids(body))
		_, body = list("?due_before=" + url.QueryEscape(time.Now().Add(400*24*time.Hour).UTC().Format(time.RFC3339)))
		require.Len(t, ids(body), 3)

		// Paging: two pages, no overlap, nothing lost.
		_, first := list("?limit=2")
		require.Len(t, ids(first), 2)
		cursor, _ := first["next_cursor"].(string)
		require.NotEmpty(t, cursor)
		_, second := list("?limit=2&cursor=" + url.QueryEscape(cursor))
		require.Len(t, ids(second), 1)
		require.Equal(t, "", second["next_cursor"])
		require.ElementsMatch(t, []string{access.ID, erasure.ID, uk.ID}, append(ids(first), ids(second)...))

		for query, field := range map[string]string{
			"?status=open":                   "status",
			"?type=everything":               "type",
			"?due_before=tomorrow":           "due_before",
			"?due_before=2026-13-01":         "due_before",
			"?cursor=not-a-cursor!":          "cursor",
			"?cursor=bm90IGEgY3Vyc29y":       "cursor", // base64 of "not a cursor"
			"?limit=0":                       "limit",
			"?limit=201":                     "limit",
			"?limit=-1":                      "limit",
			"?limit=ten":                     "limit",
			"?limit=99999999999999999999999": "limit",
		} {
			t.Run(query, func(t *testing.T) {
				rec := h.api(http.MethodGet, "/api/v1/cases"+query, token, nil)
				requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", field)
			})
		}

		t.Run("queue page", func(t *testing.T) {
			u, _ := h.user(models.RoleHandler)
			b := h.login(u)
			rec := b.get("/cases?status=pending_review")
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), erasure.Reference)
			require.NotContains(t, rec.Body.String(), access.Reference)
			rec = b.get("/cases?status=bogus")
			require.Equal(t, http.StatusBadRequest, rec.Code)
		})
	})
}

func TestCasePageEscapesRequesterInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		markup := `<script>alert(1)</script>`
		body := validRequest()
		body["subject"].(map[string]any)["name"] = markup
		body["details"] = markup + `"><img src=x onerror=alert(2)>`
		c := h.createCase(body)
		require.Equal(t, markup, c.SubjectName, "stored as sent")

		u, _ := h.user(models.RoleHandler)
		b := h.login(u)
		rec := b.get("/cases/" + c.ID)
		require.Equal(t, http.StatusOK, rec.Code)
		page := rec.Body.String()
		require.NotContains(t, page, "<script>")
		require.NotContains(t, page, "<img")
		require.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
		require.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'self'")

		// The API gives the data back as data.
		_, token := h.user(models.RoleHandler)
		rec = h.api(http.MethodGet, "/api/v1/cases/"+c.ID, token, nil)
		require.Equal(t, markup, decodeBody(t, rec)["subject"].(map[string]any)["name"])
	})
}

// The same key means the same thing in the list and in the case.
func TestAssigneeIsTheSameInListAndCase(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	u, token := h.user(models.RoleHandler)
	c := h.createCase(nil)
	require.NoError(t, h.db.Model(&models.Case{}).Where("id = ?", c.ID).Update("assignee_id", u.ID).Error)

	detail := decodeBody(t, h.api(http.MethodGet, "/api/v1/cases/"+c.ID, token, nil))
	require.Equal(t, u.ID, detail["assignee"], "the ID, as the assignee filter takes it")
	require.Equal(t, u.Email, detail["assignee_email"])

	list := decodeBody(t, h.api(http.MethodGet, "/api/v1/cases", token, nil))
	require.Equal(t, detail["assignee"], list["items"].([]any)[0].(map[string]any)["assignee"])
}

func TestRegimeChangeIsValidated(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	_, token := h.user(models.RoleHandler)
	c := h.createCase(nil)
	rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/regime", token, `{"regime":"hipaa"}`)
	requireAPIError(t, rec, http.StatusBadRequest, "invalid_field")
	body := decodeBody(t, rec)
	fields := body["error"].(map[string]any)["fields"].(map[string]any)
	require.Contains(t, fields, "regime")
	require.Contains(t, fields, "reason")

	rec = h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/regime", token, `{"regime":"uk_gdpr","reason":"moved to London"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	updates := h.wf.Updates()
	last := updates[len(updates)-1]
	require.Equal(t, workflows.UpdateSetRegime, last.Name)
	arg, ok := last.Arg.(workflows.SetRegimeRequest)
	require.True(t, ok)
	require.Equal(t, "uk_gdpr", arg.Regime)
	require.NotEmpty(t, arg.NoteID, "the reason is a note; only its ID travels")
}
