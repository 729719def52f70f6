package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/config"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/web"
	"github.com/dsrcase/dsr/workflows"
)

// testPassword is long enough for models.MinPasswordLength.
const testPassword = "correct horse battery staple"

// fakeWorkflows is a web.Workflows that records every call and fails when
// told to.
type fakeWorkflows struct {
	mu          sync.Mutex
	started     []string
	signals     []string
	updates     []caseUpdate
	taskUpdates []taskUpdate
	health      int

	startErr, signalErr, updateErr, taskErr, healthErr error
}

type caseUpdate struct {
	CaseID, Name string
	Arg          any
}

type taskUpdate struct {
	TaskID string
	Arg    workflows.CompleteTaskRequest
}

var _ web.Workflows = (*fakeWorkflows)(nil)

func (f *fakeWorkflows) StartCase(_ context.Context, caseID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, caseID)
	return f.startErr
}

func (f *fakeWorkflows) SignalEmailVerified(_ context.Context, caseID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals = append(f.signals, caseID)
	return f.signalErr
}

func (f *fakeWorkflows) UpdateCase(_ context.Context, caseID, update string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, caseUpdate{CaseID: caseID, Name: update, Arg: arg})
	return f.updateErr
}

func (f *fakeWorkflows) UpdateTask(_ context.Context, taskID string, arg workflows.CompleteTaskRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taskUpdates = append(f.taskUpdates, taskUpdate{TaskID: taskID, Arg: arg})
	return f.taskErr
}

func (f *fakeWorkflows) CheckHealth(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health++
	return f.healthErr
}

func (f *fakeWorkflows) Started() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.started...)
}

func (f *fakeWorkflows) Signals() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.signals...)
}

func (f *fakeWorkflows) Updates() []caseUpdate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]caseUpdate(nil), f.updates...)
}

func (f *fakeWorkflows) TaskUpdates() []taskUpdate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]taskUpdate(nil), f.taskUpdates...)
}

func testConfig() config.Config {
	return config.Config{
		BaseURL:         "http://dsr.test",
		SessionLifetime: time.Hour,
		VerifyWithin:    14 * 24 * time.Hour,
		Organisation:    "Example Communications B.V.",
	}
}

// harness is one web app on a fresh database with a fake Temporal.
type harness struct {
	t   *testing.T
	db  *gorm.DB
	wf  *fakeWorkflows
	srv *web.Server
}

func newHarness(t *testing.T, db *gorm.DB) *harness {
	t.Helper()
	wf := &fakeWorkflows{}
	srv, err := web.New(db, wf, testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return &harness{t: t, db: db, wf: wf, srv: srv}
}

// serve runs one request through the app.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// newJSONRequest builds a request with a JSON body (a string is sent as is).
func newJSONRequest(method, target string, body any) *http.Request {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, target, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// api sends a JSON request, with a bearer token when token is not empty.
func (h *harness) api(method, target, token string, body any) *httptest.ResponseRecorder {
	h.t.Helper()
	req := newJSONRequest(method, target, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.serve(req)
}

// user creates a staff user and returns it with a bearer token.
func (h *harness) user(role models.Role) (*models.User, string) {
	h.t.Helper()
	ctx := context.Background()
	u, err := models.CreateUser(ctx, h.db, string(role)+"-"+models.NewID()[24:]+"@staff.example", role, testPassword)
	require.NoError(h.t, err)
	token, err := models.CreateAPIToken(ctx, h.db, u.ID)
	require.NoError(h.t, err)
	return u, token
}

// apiError is the error shape of api.md.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// requireAPIError checks status, code and, when fields are given, that each
// is named in error.fields.
func requireAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string, fields ...string) apiError {
	t.Helper()
	require.Equal(t, status, rec.Code, "body: %s", rec.Body.String())
	require.Contains(t, rec.Header().Get("Content-Type"), "application/json", "body: %s", rec.Body.String())
	var e apiError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "body: %s", rec.Body.String())
	require.Equal(t, code, e.Error.Code, "body: %s", rec.Body.String())
	require.NotEmpty(t, e.Error.Message)
	for _, f := range fields {
		require.Contains(t, e.Error.Fields, f, "body: %s", rec.Body.String())
		require.NotEmpty(t, e.Error.Fields[f])
	}
	return e
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "body: %s", rec.Body.String())
	return m
}

func countRows(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Table(table).Count(&n).Error)
	return n
}

// browser keeps cookies across requests like a browser would, so that
// forms can be sent with their CSRF token and a session.
type browser struct {
	h       *harness
	cookies map[string]*http.Cookie
	csrf    string
}

func (h *harness) browser() *browser {
	return &browser{h: h, cookies: map[string]*http.Cookie{}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	b.h.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := b.h.serve(req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
			continue
		}
		b.cookies[c.Name] = c
	}
	if m := csrfInput.FindStringSubmatch(rec.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return rec
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	b.h.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// postForm sends a form with the CSRF token this browser was last given.
func (b *browser) postForm(target string, form url.Values) *httptest.ResponseRecorder {
	b.h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// primeCSRF gets the sign-in page, which sets the CSRF cookie and shows
// the token.
func (b *browser) primeCSRF() {
	b.h.t.Helper()
	rec := b.get("/login")
	require.Equal(b.h.t, http.StatusOK, rec.Code)
	require.NotNil(b.h.t, b.cookies["dsr_csrf"], "GET /login sets the CSRF cookie")
	require.Equal(b.h.t, b.cookies["dsr_csrf"].Value, b.csrf, "the form carries the cookie's token")
}

// login signs in through the form and returns the browser with its session.
func (h *harness) login(u *models.User) *browser {
	h.t.Helper()
	b := h.browser()
	b.primeCSRF()
	rec := b.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	require.Equal(h.t, http.StatusSeeOther, rec.Code, "body: %s", rec.Body.String())
	require.NotNil(h.t, b.cookies["dsr_session"], "sign-in sets the session cookie")
	return b
}

// validRequest is a complete, valid public API request body.
func validRequest() map[string]any {
	return map[string]any{
		"type":         "access",
		"subject":      map[string]any{"email": "jan@example.nl", "name": "Jan Jansen", "phone": "+31 6 1234 5678"},
		"country":      "NL",
		"language":     "en",
		"relationship": "data_subject",
		"details":      "Please send me my data.",
	}
}

// createCase submits a request through the public API and returns the case.
func (h *harness) createCase(body map[string]any) *models.Case {
	h.t.Helper()
	if body == nil {
		body = validRequest()
	}
	rec := h.api(http.MethodPost, "/api/v1/requests", "", body)
	require.Equal(h.t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
	id, _ := decodeBody(h.t, rec)["id"].(string)
	c, err := models.GetCase(context.Background(), h.db, id)
	require.NoError(h.t, err)
	return c
}

// setStatus moves a case as its workflow would.
func (h *harness) setStatus(caseID string, status models.Status) {
	h.t.Helper()
	require.NoError(h.t, h.db.Model(&models.Case{}).Where("id = ?", caseID).Update("status", status).Error)
}

// system registers a manual system for the given actions.
func (h *harness) system(name string, actions ...string) *models.System {
	h.t.Helper()
	sys := &models.System{Name: name, Kind: models.KindInternal, Connector: models.ConnectorManual,
		Actions: actions, DataCategories: models.StringList{}, OwnerEmail: "owner@example.nl",
		Enabled: true, Config: models.JSONObject{}}
	require.NoError(h.t, models.SaveSystem(context.Background(), h.db, sys))
	return sys
}

// task plans one task of a case on a system, with the given status.
func (h *harness) task(caseID, systemID string, status models.TaskStatus) *models.Task {
	h.t.Helper()
	now := models.Now()
	task := &models.Task{ID: models.NewID(), CaseID: caseID, SystemID: systemID, Action: models.TypeAccess,
		Status: status, Data: models.JSONObject{}, CreatedAt: now, UpdatedAt: now}
	require.NoError(h.t, h.db.Create(task).Error)
	return task
}

// verificationToken stores a link token for a case and returns its secret.
func (h *harness) verificationToken(caseID string, expires time.Time, used bool) string {
	h.t.Helper()
	secret, hash := models.NewSecret()
	tok := models.VerificationToken{TokenHash: hash, CaseID: caseID, CreatedAt: models.Now(), ExpiresAt: expires}
	if used {
		now := models.Now()
		tok.UsedAt = &now
	}
	require.NoError(h.t, h.db.Create(&tok).Error)
	return secret
}
