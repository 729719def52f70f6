package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

// route is one staff route of routes() in server.go and the least role it
// needs.
type route struct {
	method, path string
	min          models.Role
	api          bool
	body         string // JSON for the API, a form for pages
}

// fixtures are rows that staff routes refer to.
type fixtures struct {
	caseID, taskID, systemID, messageID string
}

func (h *harness) fixtures() fixtures {
	h.t.Helper()
	c := h.createCase(nil)
	sys := h.system("Billing", "access")
	task := h.task(c.ID, sys.ID, models.TaskPending)
	caseID := c.ID
	m, err := models.InsertMessage(context.Background(), h.db, &models.Message{MessageKey: "ack-" + c.ID, CaseID: &caseID,
		Template: "acknowledgement", ToAddr: c.SubjectEmail, Subject: "We received your request",
		BodyText: "hello", BodyHTML: "<p>hello</p>", Status: models.MessageHeld})
	require.NoError(h.t, err)
	return fixtures{caseID: c.ID, taskID: task.ID, systemID: sys.ID, messageID: m.ID}
}

func staffRoutes(f fixtures) []route {
	return []route{
		// Pages.
		{method: "GET", path: "/cases", min: models.RoleHandler},
		{method: "GET", path: "/cases/" + f.caseID, min: models.RoleHandler},
		{method: "POST", path: "/cases/" + f.caseID + "/approve", min: models.RoleHandler},
		{method: "POST", path: "/cases/" + f.caseID + "/tasks/" + f.taskID + "/complete", min: models.RoleHandler, body: "outcome=bogus"},
		{method: "GET", path: "/systems", min: models.RoleHandler},
		{method: "GET", path: "/systems/new", min: models.RoleAdmin},
		{method: "POST", path: "/systems", min: models.RoleAdmin, body: "name="},
		{method: "GET", path: "/systems/" + f.systemID, min: models.RoleAdmin},
		{method: "POST", path: "/systems/" + f.systemID, min: models.RoleAdmin, body: "name=Billing&kind=internal&owner_email=owner%40example.nl&actions=access&enabled=on"},
		{method: "POST", path: "/systems/" + f.systemID + "/delete", min: models.RoleAdmin},
		{method: "GET", path: "/outbox", min: models.RoleManager},
		{method: "GET", path: "/dashboard", min: models.RoleManager},
		{method: "GET", path: "/cases.csv", min: models.RoleManager},
		{method: "GET", path: "/outbox/" + f.messageID, min: models.RoleManager},
		// API.
		{method: "GET", path: "/api/v1/cases", min: models.RoleHandler, api: true},
		{method: "GET", path: "/api/v1/cases/" + f.caseID, min: models.RoleHandler, api: true},
		{method: "POST", path: "/api/v1/cases/" + f.caseID + "/approve", min: models.RoleHandler, api: true, body: `{}`},
		{method: "POST", path: "/api/v1/cases/" + f.caseID + "/tasks/" + f.taskID + "/complete", min: models.RoleHandler, api: true, body: `{"outcome":"bogus"}`},
		{method: "GET", path: "/api/v1/systems", min: models.RoleHandler, api: true},
		{method: "GET", path: "/api/v1/systems/" + f.systemID, min: models.RoleHandler, api: true},
		{method: "POST", path: "/api/v1/systems", min: models.RoleAdmin, api: true, body: `{"name":""}`},
		{method: "PATCH", path: "/api/v1/systems/" + f.systemID, min: models.RoleAdmin, api: true, body: `{"enabled":false}`},
		{method: "DELETE", path: "/api/v1/systems/" + f.systemID, min: models.RoleAdmin, api: true},
		{method: "GET", path: "/api/v1/messages", min: models.RoleManager, api: true},
		{method: "GET", path: "/api/v1/dashboard", min: models.RoleManager, api: true},
	}
}

// TestStaffRoutesByRole sends every staff route as each kind of user:
// anonymous (a browser with a CSRF token but no session), handler, manager
// and admin. Staff use bearer tokens for the API and a session for pages.
func TestStaffRoutesByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		f := h.fixtures()
		users := map[models.Role]*models.User{}
		tokens := map[models.Role]string{}
		sessions := map[models.Role]*browser{}
		for _, role := range models.Roles {
			users[role], tokens[role] = h.user(role)
			sessions[role] = h.login(users[role])
		}
		anonymous := h.browser()
		anonymous.primeCSRF()

		send := func(rt route, as models.Role) *httptest.ResponseRecorder {
			var body *strings.Reader
			if rt.body != "" {
				body = strings.NewReader(rt.body)
			} else {
				body = strings.NewReader("")
			}
			req := httptest.NewRequest(rt.method, rt.path, body)
			if rt.api {
				req.Header.Set("Content-Type", "application/json")
			} else {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			b := anonymous
			if as != "" {
				b = sessions[as]
			}
			switch {
			case as != "" && rt.api:
				req.Header.Set("Authorization", "Bearer "+tokens[as])
				return h.serve(req)
			case rt.api:
				req.Header.Set("X-CSRF-Token", b.cookies["dsr_csrf"].Value)
			case rt.method != http.MethodGet:
				form, err := url.ParseQuery(rt.body)
				require.NoError(t, err)
				form.Set("csrf", b.cookies["dsr_csrf"].Value)
				req = httptest.NewRequest(rt.method, rt.path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return b.do(req)
		}

		for _, rt := range staffRoutes(f) {
			for _, as := range []models.Role{"", models.RoleHandler, models.RoleManager, models.RoleAdmin} {
				name := string(as)
				if name == "" {
					name = "anonymous"
				}
				t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, name), func(t *testing.T) {
					rec := send(rt, as)
					require.Less(t, rec.Code, 500, "body: %s", rec.Body.String())
					switch {
					case as == "" && rt.api:
						requireAPIError(t, rec, http.StatusUnauthorized, "unauthorized")
					case as == "":
						require.Equal(t, http.StatusSeeOther, rec.Code, "body: %s", rec.Body.String())
						loc, err := url.Parse(rec.Header().Get("Location"))
						require.NoError(t, err)
						require.Equal(t, "/login", loc.Path)
						require.Equal(t, rt.path, loc.Query().Get("next"))
					case !as.AtLeast(rt.min) && rt.api:
						requireAPIError(t, rec, http.StatusForbidden, "forbidden")
					case !as.AtLeast(rt.min):
						require.Equal(t, http.StatusForbidden, rec.Code, "body: %s", rec.Body.String())
						require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
					default:
						require.NotContains(t, []int{401, 403}, rec.Code, "body: %s", rec.Body.String())
						if rt.method == http.MethodGet {
							require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
						}
					}
				})
			}
		}
	})
}

// An API client with no credentials at all (no token, no cookies) must be
// told to authenticate, not that a form expired.
func TestAPIWritesWithoutCredentialsAreUnauthorized(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	f := h.fixtures()
	for _, rt := range staffRoutes(f) {
		if !rt.api || rt.method == http.MethodGet {
			continue
		}
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			rec := h.api(rt.method, rt.path, "", rt.body)
			requireAPIError(t, rec, http.StatusUnauthorized, "unauthorized")
		})
	}
}

func TestBearerTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, token := h.user(models.RoleHandler)
		for _, auth := range []string{
			"Bearer nope",
			"Bearer dsr_not-a-real-token",
			"Bearer " + token + "x",
			"Bearer ",
			"Basic dXNlcjpwYXNz",
			"bearer " + token,
			token,
		} {
			t.Run(auth, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil)
				req.Header.Set("Authorization", auth)
				requireAPIError(t, h.serve(req), http.StatusUnauthorized, "unauthorized")
			})
		}
		t.Run("valid", func(t *testing.T) {
			rec := h.api(http.MethodGet, "/api/v1/cases", token, nil)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
		})
		t.Run("a bearer token needs no CSRF token for writes", func(t *testing.T) {
			c := h.createCase(nil)
			rec := h.api(http.MethodPost, "/api/v1/cases/"+c.ID+"/approve", token, `{}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
		})
	})
}

func TestSessionJSONWritesNeedCSRFHeader(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	u, _ := h.user(models.RoleHandler)
	b := h.login(u)
	c := h.createCase(nil)
	before := len(h.wf.Updates())

	post := func(csrf string) *httptest.ResponseRecorder {
		req := newJSONRequest(http.MethodPost, "/api/v1/cases/"+c.ID+"/approve", `{}`)
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return b.do(req)
	}
	requireAPIError(t, post(""), http.StatusForbidden, "forbidden")
	requireAPIError(t, post("forged"), http.StatusForbidden, "forbidden")
	require.Len(t, h.wf.Updates(), before, "nothing reached the workflow")

	rec := post(b.cookies["dsr_csrf"].Value)
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
	require.Len(t, h.wf.Updates(), before+1)

	// Reads need no CSRF token.
	rec = b.do(httptest.NewRequest(http.MethodGet, "/api/v1/cases/"+c.ID, nil))
	require.Equal(t, http.StatusOK, rec.Code)
}

func TestLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		u, _ := h.user(models.RoleHandler)

		t.Run("wrong password", func(t *testing.T) {
			b := h.browser()
			b.primeCSRF()
			rec := b.postForm("/login", url.Values{"email": {u.Email}, "password": {"wrong password, long enough"}})
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
			require.Contains(t, rec.Body.String(), "The email address or password is wrong.")
			require.Contains(t, rec.Body.String(), `value="`+u.Email+`"`, "the email is kept")
			require.Nil(t, b.cookies["dsr_session"])
		})
		t.Run("unknown email gives the same answer", func(t *testing.T) {
			b := h.browser()
			b.primeCSRF()
			rec := b.postForm("/login", url.Values{"email": {"nobody@staff.example"}, "password": {testPassword}})
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Contains(t, rec.Body.String(), "The email address or password is wrong.")
		})
		t.Run("without CSRF token", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/login",
				strings.NewReader(url.Values{"email": {u.Email}, "password": {testPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := h.serve(req)
			require.Equal(t, http.StatusForbidden, rec.Code)
			require.Empty(t, rec.Result().Cookies(), "no session")
		})
		t.Run("redirects after sign-in stay on this site", func(t *testing.T) {
			for next, want := range map[string]string{
				"//evil.example": "/cases",
				"/systems":       "/systems",
			} {
				b := h.browser()
				b.primeCSRF()
				rec := b.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {next}})
				require.Equal(t, http.StatusSeeOther, rec.Code)
				require.Equal(t, want, rec.Header().Get("Location"))
			}
		})
		// The login page carries next into its form through the same check;
		// this table needs no password hashing.
		t.Run("next values", func(t *testing.T) {
			for next, want := range map[string]string{
				"":                       "/cases",
				"//evil.example":         "/cases",
				"//evil.example/cases":   "/cases",
				"https://evil.example/":  "/cases",
				"http:evil.example":      "/cases",
				`/\evil.example`:         "/cases",
				`\\evil.example`:         "/cases",
				"javascript:alert(1)":    "/cases",
				"cases":                  "/cases",
				"/\t/evil.example":       "/cases",
				"/systems":               "/systems",
				"/cases?status=received": "/cases?status=received",
			} {
				t.Run(next, func(t *testing.T) {
					rec := h.serve(httptest.NewRequest(http.MethodGet, "/login?next="+url.QueryEscape(next), nil))
					require.Equal(t, http.StatusOK, rec.Code)
					require.Contains(t, rec.Body.String(), `name="next" value="`+html.EscapeString(want)+`"`)
				})
			}
		})
		t.Run("the login page keeps a safe next and drops an unsafe one", func(t *testing.T) {
			rec := h.serve(httptest.NewRequest(http.MethodGet, "/login?next="+url.QueryEscape("//evil.example"), nil))
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), `name="next" value="/cases"`)
			require.NotContains(t, rec.Body.String(), "evil.example")
		})
		t.Run("session lifecycle", func(t *testing.T) {
			b := h.login(u)
			ck := b.cookies["dsr_session"]
			require.True(t, ck.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
			require.Equal(t, 3600, ck.MaxAge)
			rec := b.get("/cases")
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), u.Email)

			rec = b.postForm("/logout", nil)
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, "/login", rec.Header().Get("Location"))
			require.Nil(t, b.cookies["dsr_session"])

			// The old cookie no longer works either.
			req := httptest.NewRequest(http.MethodGet, "/cases", nil)
			req.AddCookie(ck)
			rec = h.serve(req)
			require.Equal(t, http.StatusSeeOther, rec.Code)
		})
		t.Run("expired session", func(t *testing.T) {
			b := h.login(u)
			require.NoError(t, db.Model(&models.Session{}).Where("user_id = ?", u.ID).
				Update("expires_at", time.Now().UTC().Add(-time.Minute)).Error)
			rec := b.get("/cases")
			require.Equal(t, http.StatusSeeOther, rec.Code)
			rec = b.do(httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil))
			requireAPIError(t, rec, http.StatusUnauthorized, "unauthorized")
		})
		t.Run("made-up session cookie", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil)
			req.AddCookie(&http.Cookie{Name: "dsr_session", Value: "made-up"})
			requireAPIError(t, h.serve(req), http.StatusUnauthorized, "unauthorized")
		})
	})
}

// Public routes need no credentials, so an Authorization header meant for
// something else (a Basic-auth proxy in front of the app, a stale token in
// an integration) must not lock the public out.
func TestPublicRoutesIgnoreForeignAuthorization(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/", ""},
		{"GET", "/healthz", ""},
		{"GET", "/readyz", ""},
		{"GET", "/login", ""},
		{"POST", "/api/v1/requests", `{"type":"access","subject":{"email":"a@b.example"}}`},
	} {
		for _, auth := range []string{"Basic c3RhZ2luZzpzZWNyZXQ=", "Bearer expired-or-unrelated"} {
			t.Run(tc.method+" "+tc.path+" "+strings.Fields(auth)[0], func(t *testing.T) {
				req := newJSONRequest(tc.method, tc.path, tc.body)
				if tc.body == "" {
					req = httptest.NewRequest(tc.method, tc.path, nil)
				}
				req.Header.Set("Authorization", auth)
				rec := h.serve(req)
				require.Less(t, rec.Code, 300, "body: %s", rec.Body.String())
			})
		}
	}
}
