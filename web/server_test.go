package web_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestHealthz(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	h.wf.healthErr = errors.New("down") // liveness does not depend on Temporal
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

func TestReadyz(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		rec := h.serve(httptest.NewRequest(http.MethodGet, "/readyz", nil))
		require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
		require.JSONEq(t, `{"database":"ok","temporal":"ok"}`, rec.Body.String())
		require.Equal(t, 1, h.wf.health)

		h.wf.healthErr = errors.New("temporal frontend unreachable")
		rec = h.serve(httptest.NewRequest(http.MethodGet, "/readyz", nil))
		require.Equal(t, http.StatusServiceUnavailable, rec.Code)
		body := decodeBody(t, rec)
		require.Equal(t, "ok", body["database"])
		require.NotEqual(t, "ok", body["temporal"])
	})
}

func TestReadyzDatabaseDown(t *testing.T) {
	db := dbtest.SQLite(t)
	h := newHarness(t, db)
	sqlDB, err := db.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.Close())
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/readyz", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	body := decodeBody(t, rec)
	require.NotEqual(t, "ok", body["database"])
	require.Equal(t, "ok", body["temporal"])
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	h.createCase(nil)
	h.serve(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	// Metrics need no login and no CSRF token.
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/plain")
	body := rec.Body.String()
	require.Contains(t, body, "dsr_http_requests_total")
	require.Contains(t, body, `dsr_http_requests_total{route="/healthz",status="OK"} 1`)
	require.Contains(t, body, `dsr_requests_received_total{channel="api",type="access"} 1`)
	require.Contains(t, body, "dsr_http_request_duration_seconds")
	require.NotContains(t, body, "jan@example.nl", "no personal data in labels")
}

func TestUnknownRoutes(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	requireAPIError(t, h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil)), http.StatusNotFound, "not_found")
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/nothing", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	rec = h.serve(httptest.NewRequest(http.MethodGet, "/requests", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/requests", nil))
	requireAPIError(t, rec, http.StatusMethodNotAllowed, "not_found")
}

// hostile is one request an attacker or a broken client might send.
type hostile struct {
	name, method, target, body string
	contentType                string
	header                     map[string]string
}

func nested(depth int) string {
	return `{"type":"access","subject":{"email":"a@b.example"},"details":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
}

func hostileRequests(f fixtures) []hostile {
	caseTasks := "/api/v1/cases/" + f.caseID + "/tasks/"
	badCursor := base64.RawURLEncoding.EncodeToString([]byte("2026-01-01T00:00:00Z|\x00\xff"))
	return []hostile{
		// Public API bodies.
		{name: "deeply nested JSON", method: "POST", target: "/api/v1/requests", body: nested(100000)},
		{name: "deeply nested objects", method: "POST", target: "/api/v1/requests", body: strings.Repeat(`{"a":`, 50000) + "1" + strings.Repeat("}", 50000)},
		{name: "raw NUL bytes", method: "POST", target: "/api/v1/requests", body: "{\"type\":\"access\x00\",\"subject\":{\"email\":\"a@b.example\"}}"},
		{name: "escaped NUL everywhere", method: "POST", target: "/api/v1/requests", body: `{"type":"access\u0000","subject":{"email":"a\u0000@b.example","name":"\u0000","phone":"\u0000"},"country":"\u0000","regime":"\u0000","language":"\u0000","relationship":"\u0000","details":"\u0000"}`},
		{name: "invalid UTF-8", method: "POST", target: "/api/v1/requests", body: "{\"type\":\"access\",\"subject\":{\"email\":\"a@b.example\",\"name\":\"\xff\xfe\"},\"details\":\"\xc3\x28\"}"},
		{name: "invalid UTF-8 in email", method: "POST", target: "/api/v1/requests", body: "{\"type\":\"access\",\"subject\":{\"email\":\"\xff@b.example\"}}"},
		{name: "lone surrogate", method: "POST", target: "/api/v1/requests", body: `{"type":"access","subject":{"email":"a@b.example","name":"\ud800"}}`},
		{name: "huge number as type", method: "POST", target: "/api/v1/requests", body: `{"type":1e999,"subject":{"email":"a@b.example"}}`},
		{name: "huge integer", method: "POST", target: "/api/v1/requests", body: `{"type":` + strings.Repeat("9", 5000) + `}`},
		{name: "array body", method: "POST", target: "/api/v1/requests", body: `[]`},
		{name: "array subject", method: "POST", target: "/api/v1/requests", body: `{"type":"access","subject":[]}`},
		{name: "null everything", method: "POST", target: "/api/v1/requests", body: `{"type":null,"subject":null,"country":null}`},
		{name: "bool body", method: "POST", target: "/api/v1/requests", body: `true`},
		{name: "duplicate keys", method: "POST", target: "/api/v1/requests", body: `{"type":"access","type":"erasure","subject":{"email":"a@b.example"}}`},
		{name: "form body to JSON API", method: "POST", target: "/api/v1/requests", body: "type=access&email=a@b.example", contentType: "application/x-www-form-urlencoded"},
		{name: "XML body", method: "POST", target: "/api/v1/requests", body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`, contentType: "application/xml"},
		{name: "multipart junk", method: "POST", target: "/api/v1/requests", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n", contentType: "multipart/form-data; boundary=x"},
		{name: "long Accept-Language", method: "POST", target: "/api/v1/requests", body: `{"type":"access","subject":{"email":"a@b.example"}}`, header: map[string]string{"Accept-Language": strings.Repeat("zz-ZZ;q=0.1,", 2000)}},
		// net/http's server refuses control bytes in headers but lets bytes
		// >= 0x80 through (obs-text), so this key reaches the handler.
		{name: "invalid UTF-8 Idempotency-Key", method: "POST", target: "/api/v1/requests", body: `{"type":"access","subject":{"email":"a@b.example"}}`, header: map[string]string{"Idempotency-Key": "\xff\xfe"}},

		// Path parameters.
		{name: "traversal case ID", method: "GET", target: "/api/v1/cases/..%2F..%2Fetc%2Fpasswd"},
		{name: "raw traversal case ID", method: "GET", target: "/api/v1/cases/../../etc/passwd"},
		{name: "dot case ID", method: "GET", target: "/api/v1/cases/."},
		{name: "NUL case ID", method: "GET", target: "/api/v1/cases/%00"},
		{name: "invalid UTF-8 case ID", method: "GET", target: "/api/v1/cases/%FF%FE"},
		{name: "SQL in case ID", method: "GET", target: "/api/v1/cases/" + url.PathEscape("' OR '1'='1")},
		{name: "very long case ID", method: "GET", target: "/api/v1/cases/" + strings.Repeat("a", 8000)},
		{name: "NUL case ID action", method: "POST", target: "/api/v1/cases/%00/approve", body: `{}`},
		{name: "traversal action", method: "POST", target: "/api/v1/cases/" + f.caseID + "/..%2F..%2Fadmin", body: `{}`},
		{name: "NUL task ID", method: "POST", target: caseTasks + "%00/complete", body: `{"outcome":"completed"}`},
		{name: "invalid UTF-8 task ID", method: "POST", target: caseTasks + "%C3%28/complete", body: `{"outcome":"completed"}`},
		{name: "traversal task ID", method: "POST", target: caseTasks + "..%2F..%2Fetc/complete", body: `{"outcome":"completed"}`},
		{name: "NUL system ID", method: "GET", target: "/api/v1/systems/%00"},
		{name: "NUL system PATCH", method: "PATCH", target: "/api/v1/systems/%00", body: `{}`},
		{name: "NUL system DELETE", method: "DELETE", target: "/api/v1/systems/%00"},
		{name: "traversal system ID", method: "GET", target: "/api/v1/systems/..%2F..%2Fetc%2Fpasswd"},
		{name: "NUL case page", method: "GET", target: "/cases/%00"},
		{name: "NUL outbox page", method: "GET", target: "/outbox/%FF"},
		{name: "NUL verify token", method: "GET", target: "/verify/%00"},
		{name: "traversal verify token", method: "GET", target: "/verify/..%2F..%2Fetc%2Fpasswd"},

		// Query strings.
		{name: "NUL regime filter", method: "GET", target: "/api/v1/cases?regime=%00"},
		{name: "invalid UTF-8 assignee filter", method: "GET", target: "/api/v1/cases?assignee=%FF"},
		{name: "NUL reference search", method: "GET", target: "/api/v1/cases?q=%00"},
		{name: "cursor with NUL ID", method: "GET", target: "/api/v1/cases?cursor=" + badCursor},
		{name: "cursor far in the past", method: "GET", target: "/api/v1/cases?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("0001-01-01T00:00:00Z|x"))},
		{name: "cursor year 9999", method: "GET", target: "/api/v1/cases?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("9999-12-31T23:59:59.999999999Z|x"))},
		{name: "due_before year 0", method: "GET", target: "/api/v1/cases?due_before=0000-01-01"},
		{name: "repeated params", method: "GET", target: "/api/v1/cases?status=received&status=bogus&limit=1&limit=0"},
		{name: "XSS in queue search", method: "GET", target: "/cases?q=" + url.QueryEscape(`"><script>alert(1)</script>`)},

		// Staff JSON bodies.
		{name: "huge number in task data", method: "POST", target: caseTasks + f.taskID + "/complete", body: `{"outcome":"completed","data":{"n":1e999}}`},
		{name: "deep task data", method: "POST", target: caseTasks + f.taskID + "/complete", body: `{"outcome":"completed","data":{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`},
		{name: "array as deny body", method: "POST", target: "/api/v1/cases/" + f.caseID + "/deny", body: `["other"]`},
		{name: "NUL in deny note", method: "POST", target: "/api/v1/cases/" + f.caseID + "/deny", body: `{"reason":"other","note":"\u0000"}`},
		{name: "system config with NUL", method: "POST", target: "/api/v1/systems", body: `{"name":"N","owner_email":"o@example.nl","data_categories":["\u0000"],"config":{"\u0000":"\u0000"}}`},
		{name: "system name with NUL", method: "POST", target: "/api/v1/systems", body: `{"name":"a\u0000","owner_email":"o@example.nl"}`},
		{name: "system actions object", method: "PATCH", target: "/api/v1/systems/" + f.systemID, body: `{"actions":{"0":"access"}}`},
		{name: "system config array", method: "PATCH", target: "/api/v1/systems/" + f.systemID, body: `{"config":[]}`},
		{name: "system enabled string", method: "PATCH", target: "/api/v1/systems/" + f.systemID, body: `{"enabled":"yes"}`},
		{name: "staff body over 1 MiB", method: "POST", target: "/api/v1/systems", body: `{"name":"` + strings.Repeat("n", 2<<20) + `"}`},
		{name: "case action body over 1 MiB", method: "POST", target: "/api/v1/cases/" + f.caseID + "/deny", body: `{"reason":"other","note":"` + strings.Repeat("n", 2<<20) + `"}`},
		{name: "form over 1 MiB", method: "POST", target: "/requests", body: "details=" + strings.Repeat("d", 2<<20), contentType: "application/x-www-form-urlencoded"},
		{name: "huge data_categories", method: "PATCH", target: "/api/v1/systems/" + f.systemID, body: `{"data_categories":[` + strings.Repeat(`"x",`, 100000) + `"x"]}`},
	}
}

// TestHostileInputNeverFails sends hostile bodies, paths and headers, as
// an admin and anonymously: nothing a client sends may produce a 500.
func TestHostileInputNeverFails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, admin := h.user(models.RoleAdmin)
		f := h.fixtures()
		for _, hr := range hostileRequests(f) {
			for _, as := range []string{"admin", "anonymous"} {
				t.Run(hr.name+" as "+as, func(t *testing.T) {
					// Parsed as net/http's server parses a request line.
					req := httptest.NewRequest(hr.method, hr.target, strings.NewReader(hr.body))
					ct := hr.contentType
					if ct == "" {
						ct = "application/json"
					}
					req.Header.Set("Content-Type", ct)
					for k, v := range hr.header {
						req.Header[k] = []string{v}
					}
					if as == "admin" {
						req.Header.Set("Authorization", "Bearer "+admin)
					}
					rec := h.serve(req)
					require.Less(t, rec.Code, 500, "%s %s: %s", hr.method, hr.target, rec.Body.String())
					require.NotContains(t, rec.Body.String(), "goroutine", "no stack trace")
					require.NotContains(t, rec.Body.String(), "<script>alert(1)</script>")
				})
			}
		}
	})
}

// TestIdempotencyKeyNotUTF8OverTheWire sends the key through a real HTTP
// connection, to show that net/http's own header checks let it through.
func TestIdempotencyKeyNotUTF8OverTheWire(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		srv := httptest.NewServer(h.srv)
		defer srv.Close()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/requests",
			strings.NewReader(`{"type":"access","subject":{"email":"a@b.example"}}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "\xff\xfe")
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Less(t, res.StatusCode, 500)
	})
}

// TestLoginHostileEmail: the sign-in form's email goes to the database.
// (Invalid UTF-8 is made valid by strings.ToLower in models.UserByEmail.)
func TestLoginHostileEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		for _, email := range []string{"a\x00@b.example", "\xff\xfe@b.example", strings.Repeat("a", 100000)} {
			t.Run(fmt.Sprintf("%.20q", email), func(t *testing.T) {
				if models.IsPostgres(db) && strings.ContainsRune(email, 0) {
				}
				b := h.browser()
				b.primeCSRF()
				rec := b.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
				require.Equal(t, http.StatusUnauthorized, rec.Code, "body: %s", rec.Body.String())
			})
		}
	})
}

// FuzzAPICreateRequest: whatever the body, the public API answers without
// a 500, and a 201 always means a stored case with a started workflow.
// `go test` runs the seeds; `go test -fuzz=FuzzAPICreateRequest ./web/`
// explores further.
func FuzzAPICreateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"type":"access","subject":{"email":"a@b.example"}}`,
		`{"type":"erasure","subject":{"email":"a@b.example","name":"\u0000","phone":"+1 (555) 010-0000"},"country":"US-CA"}`,
		`{"type":"access","subject":{"email":"a@b.example"},"regime":"ccpa_optout","language":"zh-CN","relationship":"authorized_agent"}`,
		`{"type":["access"]}`, `{"subject":{"email":{}}}`, `[]`, `null`, ``, `{"type":"access","subject":{"email":"a@b.example"},"details":"\ud800"}`,
		"{\"type\":\"access\",\"subject\":{\"email\":\"\xff@b.example\"}}",
	} {
		f.Add(seed, "en")
	}
	db := dbtest.SQLite(f)
	f.Fuzz(func(t *testing.T, body, acceptLanguage string) {
		h := newHarness(t, db)
		req := newJSONRequest(http.MethodPost, "/api/v1/requests", body)
		req.Header["Accept-Language"] = []string{acceptLanguage}
		before := len(h.wf.Started())
		rec := h.serve(req)
		require.Less(t, rec.Code, 500, "body %q: %s", body, rec.Body.String())
		if rec.Code == http.StatusCreated {
			id, _ := decodeBody(t, rec)["id"].(string)
			c, err := models.GetCase(t.Context(), h.db, id)
			require.NoError(t, err)
			require.Equal(t, []string{c.ID}, h.wf.Started()[before:])
			require.True(t, c.Type.Valid())
		} else {
			require.Len(t, h.wf.Started(), before, "no workflow for a refused request")
		}
	})
}
