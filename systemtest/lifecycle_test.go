package systemtest

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/workflows"
)

// TestLifecycleThroughTheAPI runs an access request from submission to the
// final email on the real Temporal dev server, with real SMTP and HTTP.
func TestLifecycleThroughTheAPI(t *testing.T) {
	s := NewStack(t, dev, Options{})
	admin := apiClient{t: t, base: s.Web.URL, token: s.StaffToken(t, "admin@dsr.test", models.RoleAdmin)}
	public := apiClient{t: t, base: s.Web.URL}

	for _, sys := range []map[string]any{
		{"name": "CRM", "kind": "internal", "connector": "manual", "actions": []string{"access", "erasure"}, "owner_email": "crm-owner@dsr.test"},
		{"name": "Billing", "kind": "internal", "connector": "manual", "actions": []string{"access"}, "owner_email": "billing-owner@dsr.test"},
		{"name": "Marketing", "kind": "subprocessor", "connector": "manual", "actions": []string{"erasure"}, "owner_email": "mkt@dsr.test"},
	} {
		code, body := admin.do("POST", "/api/v1/systems", sys)
		require.Equal(t, http.StatusCreated, code, body)
	}

	// Intake, with an idempotency key retried once.
	req := map[string]any{"type": "access", "country": "NL",
		"subject": map[string]any{"email": "ann@example.org", "name": "Ann Example"}}
	code, created := public.do("POST", "/api/v1/requests", req, "Idempotency-Key", "form-42")
	require.Equal(t, http.StatusCreated, code, created)
	code, again := public.do("POST", "/api/v1/requests", req, "Idempotency-Key", "form-42")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, created["id"], again["id"])
	id := created["id"].(string)
	require.Regexp(t, `^DSR-\d{4}-\d{6}$`, created["reference"])

	// Acknowledgement, then the verification link.
	waitMail(t, s.SMTP, "ann@example.org", regexp.MustCompile(`^We received your request`))
	verify := waitMail(t, s.SMTP, "ann@example.org", regexp.MustCompile(`confirm your email`))
	link := verifyLinkPattern.FindString(verify.TextBody)
	require.NotEmpty(t, link, "verification email has a link: %s", verify.TextBody)
	admin.waitStatus(id, "identity_unverified")
	resp, err := http.Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	admin.waitStatus(id, "pending_review")

	// Review: approving plans one task per system that supports access.
	code, approved := admin.do("POST", "/api/v1/cases/"+id+"/approve", map[string]any{})
	require.Equal(t, http.StatusOK, code, approved)
	require.Equal(t, "in_progress", approved["status"])
	tasks := approved["tasks"].([]any)
	require.Len(t, tasks, 2, "CRM and Billing support access; Marketing does not")
	code, body := admin.do("POST", "/api/v1/cases/"+id+"/approve", map[string]any{})
	require.Equal(t, http.StatusConflict, code, "approving twice is refused by the workflow: %v", body)

	// The deadline is extended once, with reasons the requester is told.
	code, body = admin.do("POST", "/api/v1/cases/"+id+"/extend", map[string]any{"reason": "Our billing archive must be restored first."})
	require.Equal(t, http.StatusOK, code, body)
	require.NotNil(t, body["extended_due_at"])
	require.Equal(t, body["extended_due_at"], body["due_at"])
	notice := waitMail(t, s.SMTP, "ann@example.org", regexp.MustCompile(`^We need more time`))
	require.Contains(t, notice.TextBody, "Our billing archive must be restored first.")
	code, body = admin.do("POST", "/api/v1/cases/"+id+"/extend", map[string]any{"reason": "again"})
	require.Equal(t, http.StatusConflict, code, "a second extension is refused: %v", body)

	// A question for the requester stops the clock until it is answered.
	code, body = admin.do("POST", "/api/v1/cases/"+id+"/pause", map[string]any{"message": "Which account number did you use?", "reason": "two accounts"})
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, true, body["paused"])
	question := waitMail(t, s.SMTP, "ann@example.org", regexp.MustCompile(`^A question about your request`))
	require.Contains(t, question.TextBody, "Which account number did you use?")
	code, body = admin.do("POST", "/api/v1/cases/"+id+"/resume", map[string]any{})
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, false, body["paused"])

	// Each owner is asked once and answers.
	waitMail(t, s.SMTP, "crm-owner@dsr.test", regexp.MustCompile(`^Task for CRM`))
	waitMail(t, s.SMTP, "billing-owner@dsr.test", regexp.MustCompile(`^Task for Billing`))
	for _, raw := range tasks {
		task := raw.(map[string]any)
		code, body := admin.do("POST", "/api/v1/cases/"+id+"/tasks/"+task["id"].(string)+"/complete",
			map[string]any{"outcome": "completed", "note": "exported", "data": map[string]any{"system": task["system"], "orders": 3}})
		require.Equal(t, http.StatusOK, code, body)
	}
	admin.waitStatus(id, "awaiting_response")

	// The final response carries the collected data and closes the case.
	code, done := admin.do("POST", "/api/v1/cases/"+id+"/respond", map[string]any{"note": "Thank you for your patience."})
	require.Equal(t, http.StatusOK, code, done)
	require.Equal(t, "completed", done["status"])
	require.Equal(t, "fulfilled", done["outcome"])
	final := waitMail(t, s.SMTP, "ann@example.org", regexp.MustCompile(`^Our answer`))
	require.Contains(t, final.TextBody, `"orders": 3`)
	require.Contains(t, final.TextBody, "Thank you for your patience.")
	require.Len(t, messagesTo(s.SMTP, "ann@example.org"), 5, "acknowledgement, verification, extension, question, final response: each once")

	assertNoPersonalData(t, s, workflows.CaseWorkflowID(id), "ann@example.org", "Ann Example", "Thank you for your patience", "exported", "billing archive", "account number")
	for _, raw := range tasks {
		assertNoPersonalData(t, s, workflows.TaskWorkflowID(raw.(map[string]any)["id"].(string)), "ann@example.org", "exported", "orders")
	}
	recordHistory(t, s, workflows.CaseWorkflowID(id), "case_access_fulfilled.json")
}

// TestDenialAfterManualVerification verifies identity by hand and denies.
func TestDenialAfterManualVerification(t *testing.T) {
	s := NewStack(t, dev, Options{})
	handler := apiClient{t: t, base: s.Web.URL, token: s.StaffToken(t, "handler@dsr.test", models.RoleHandler)}
	code, created := apiClient{t: t, base: s.Web.URL}.do("POST", "/api/v1/requests",
		map[string]any{"type": "erasure", "subject": map[string]any{"email": "bob@example.org"}, "country": "GB"})
	require.Equal(t, http.StatusCreated, code, created)
	id := created["id"].(string)
	handler.waitStatus(id, "identity_unverified")

	code, body := handler.do("POST", "/api/v1/cases/"+id+"/verify", map[string]any{"method": "manual", "note": "passport seen"})
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "pending_review", body["status"])
	code, body = handler.do("POST", "/api/v1/cases/"+id+"/deny", map[string]any{"reason": "excessive", "note": "Fourth identical request this month."})
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "denied", body["status"])
	require.Equal(t, "denied_excessive", body["outcome"])

	denial := waitMail(t, s.SMTP, "bob@example.org", regexp.MustCompile(`^Decision on your request`))
	require.Contains(t, denial.TextBody, "excessive")
	require.Contains(t, denial.TextBody, "Fourth identical request this month.")
	require.Contains(t, denial.TextBody, "supervisory authority")
	require.Contains(t, denial.TextBody, "judicial remedy")

	code, body = handler.do("POST", "/api/v1/cases/"+id+"/approve", map[string]any{})
	require.Equal(t, http.StatusConflict, code, "a closed case takes no actions: %v", body)
	assertNoPersonalData(t, s, workflows.CaseWorkflowID(id), "bob@example.org", "passport seen", "Fourth identical")
	recordHistory(t, s, workflows.CaseWorkflowID(id), "case_erasure_denied.json")
}

// TestUnverifiedRequestExpires lets the (short) verification window pass on
// a real timer: a reminder, then the expiry notice.
func TestUnverifiedRequestExpires(t *testing.T) {
	s := NewStack(t, dev, Options{VerifyWithin: 4 * time.Second})
	handler := apiClient{t: t, base: s.Web.URL, token: s.StaffToken(t, "handler@dsr.test", models.RoleHandler)}
	code, created := apiClient{t: t, base: s.Web.URL}.do("POST", "/api/v1/requests",
		map[string]any{"type": "access", "subject": map[string]any{"email": "cy@example.org"}})
	require.Equal(t, http.StatusCreated, code, created)
	id := created["id"].(string)

	waitMail(t, s.SMTP, "cy@example.org", regexp.MustCompile(`^Reminder: please confirm`))
	closed := waitMail(t, s.SMTP, "cy@example.org", regexp.MustCompile(`was closed`))
	require.Contains(t, closed.TextBody, "could not confirm your email address")
	body := handler.waitStatus(id, "expired")
	require.Equal(t, "denied_unverified", body["outcome"])

	// The first link no longer works once the case has expired.
	first := waitMail(t, s.SMTP, "cy@example.org", regexp.MustCompile(`^Please confirm`))
	resp, err := http.Get(verifyLinkPattern.FindString(first.TextBody))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusGone, resp.StatusCode)
}

// history reads a finished workflow's whole history.
func history(t *testing.T, s *Stack, workflowID string) *historypb.History {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Client.GetWorkflow(ctx, workflowID, "").Get(ctx, nil))
	iter := s.Client.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var hist historypb.History
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, e)
	}
	return &hist
}

// assertNoPersonalData reads a workflow's whole history, payloads decoded,
// and fails if any of the given personal values appears in it.
func assertNoPersonalData(t *testing.T, s *Stack, workflowID string, values ...string) {
	t.Helper()
	raw, err := protojson.Marshal(history(t, s, workflowID))
	require.NoError(t, err)
	text := string(raw)
	// Payloads are base64 in JSON: decode each so that values inside count.
	for _, m := range base64Field.FindAllStringSubmatch(string(raw), -1) {
		if b, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			text += string(b)
		}
	}
	// A control: decoded payloads are visible to the check at all.
	require.Contains(t, text, `"CaseID"`, "payloads were not decoded")
	for _, v := range values {
		require.NotContains(t, text, v, "workflow %s history holds personal data", workflowID)
	}
}

var base64Field = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// recordHistory writes a finished workflow's history to workflows/testdata
// when DSR_RECORD_HISTORY=1, for the replay test there.
func recordHistory(t *testing.T, s *Stack, workflowID, name string) {
	if os.Getenv("DSR_RECORD_HISTORY") != "1" {
		return
	}
	hist := history(t, s, workflowID)
	raw, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "workflows", "testdata", name), raw, 0o644))
	t.Logf("recorded %s (%d events)", name, len(hist.Events))
}
