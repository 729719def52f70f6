package web_test

import (
	"context"
	"errors"
	"io"
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
	"github.com/dsrcase/dsr/workflows"
)

func TestAPICreateRequestStoresCaseAndStartsWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		before := time.Now().UTC().Add(-time.Second)

		rec := h.api(http.MethodPost, "/api/v1/requests", "", validRequest())
		require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
		require.Contains(t, rec.Header().Get("Content-Type"), "application/json")

		body := decodeBody(t, rec)
		for _, k := range []string{"id", "reference", "status", "received_at", "due_at"} {
			require.Contains(t, body, k)
			require.NotEmpty(t, body[k], k)
		}
		id := body["id"].(string)
		require.Regexp(t, `^DSR-\d{4}-\d{6}$`, body["reference"])
		require.True(t, models.Status(body["status"].(string)).Valid(), "status %v", body["status"])
		received, err := time.Parse(time.RFC3339, body["received_at"].(string))
		require.NoError(t, err)
		due, err := time.Parse(time.RFC3339, body["due_at"].(string))
		require.NoError(t, err)
		require.True(t, received.After(before), "received_at is now")
		require.True(t, due.After(received.Add(20*24*time.Hour)), "a GDPR deadline is about a month away")

		c, err := models.GetCase(context.Background(), db, id)
		require.NoError(t, err)
		require.Equal(t, models.ChannelAPI, c.Channel)
		require.Equal(t, models.TypeAccess, c.Type)
		require.Equal(t, "gdpr", c.Regime)
		require.Equal(t, "en", c.Language)
		require.Equal(t, "jan@example.nl", c.SubjectEmail)
		require.Equal(t, "Jan Jansen", c.SubjectName)
		require.Equal(t, "+31 6 1234 5678", c.SubjectPhone)
		require.Equal(t, "NL", c.Country)
		require.Equal(t, models.RelationshipDataSubject, c.Relationship)
		require.Equal(t, body["reference"], c.Reference)
		require.Equal(t, workflows.CaseWorkflowID(id), c.WorkflowID)
		require.Nil(t, c.IdempotencyKey)

		require.Equal(t, []string{id}, h.wf.Started(), "the workflow is started with the case ID")
	})
}

func TestAPICreateRequestDefaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		cases := []struct {
			name, country, regime, acceptLanguage string
			wantRegime, wantLanguage              string
		}{
			{name: "NL is gdpr", country: "NL", wantRegime: "gdpr", wantLanguage: "en"},
			{name: "GB is uk_gdpr", country: "GB", wantRegime: "uk_gdpr", wantLanguage: "en"},
			{name: "US-CA is ccpa", country: "US-CA", wantRegime: "ccpa", wantLanguage: "en"},
			{name: "lower case country", country: "gb", wantRegime: "uk_gdpr", wantLanguage: "en"},
			{name: "no country is gdpr", country: "", wantRegime: "gdpr", wantLanguage: "en"},
			{name: "explicit regime wins", country: "NL", regime: "lgpd", wantRegime: "lgpd", wantLanguage: "en"},
			{name: "zh from Accept-Language", country: "NL", acceptLanguage: "zh", wantRegime: "gdpr", wantLanguage: "zh-CN"},
			{name: "zh-TW with quality", country: "NL", acceptLanguage: "zh-TW,zh;q=0.9,en;q=0.5", wantRegime: "gdpr", wantLanguage: "zh-CN"},
			{name: "en-GB", country: "NL", acceptLanguage: "en-GB,en;q=0.9", wantRegime: "gdpr", wantLanguage: "en"},
			{name: "unknown language falls back to en", country: "NL", acceptLanguage: "fr-FR", wantRegime: "gdpr", wantLanguage: "en"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := validRequest()
				delete(body, "language")
				body["country"] = tc.country
				if tc.regime != "" {
					body["regime"] = tc.regime
				}
				req := newJSONRequest(http.MethodPost, "/api/v1/requests", body)
				if tc.acceptLanguage != "" {
					req.Header.Set("Accept-Language", tc.acceptLanguage)
				}
				rec := h.serve(req)
				require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
				c, err := models.GetCase(context.Background(), db, decodeBody(t, rec)["id"].(string))
				require.NoError(t, err)
				require.Equal(t, tc.wantRegime, c.Regime)
				require.Equal(t, tc.wantLanguage, c.Language)
			})
		}
	})
}

func TestAPICreateRequestExplicitLanguageBeatsHeader(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	body := validRequest()
	body["language"] = "zh-CN"
	req := newJSONRequest(http.MethodPost, "/api/v1/requests", body)
	req.Header.Set("Accept-Language", "en")
	rec := h.serve(req)
	require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
	c, err := models.GetCase(context.Background(), h.db, decodeBody(t, rec)["id"].(string))
	require.NoError(t, err)
	require.Equal(t, "zh-CN", c.Language)
}

func TestAPICreateRequestIdempotencyKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		send := func(key string) *httptest.ResponseRecorder {
			req := newJSONRequest(http.MethodPost, "/api/v1/requests", validRequest())
			req.Header.Set("Idempotency-Key", key)
			return h.serve(req)
		}
		first := send("order-42")
		require.Equal(t, http.StatusCreated, first.Code, "body: %s", first.Body.String())
		again := send("order-42")
		require.Equal(t, http.StatusOK, again.Code, "a repeat answers 200: %s", again.Body.String())

		a, b := decodeBody(t, first), decodeBody(t, again)
		require.Equal(t, a["id"], b["id"])
		require.Equal(t, a["reference"], b["reference"])
		require.Equal(t, a["due_at"], b["due_at"])
		require.Len(t, h.wf.Started(), 1, "StartCase is called once")
		require.EqualValues(t, 1, countRows(t, db, "cases"))

		other := send("order-43")
		require.Equal(t, http.StatusCreated, other.Code)
		require.NotEqual(t, a["id"], decodeBody(t, other)["id"])
		require.Len(t, h.wf.Started(), 2)

		long := send(strings.Repeat("k", 201))
		requireAPIError(t, long, http.StatusBadRequest, "invalid_field", "Idempotency-Key")
		require.Len(t, h.wf.Started(), 2)
	})
}

func TestAPICreateRequestInvalidFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		with := func(change func(map[string]any)) map[string]any {
			b := validRequest()
			change(b)
			return b
		}
		subject := func(b map[string]any) map[string]any { return b["subject"].(map[string]any) }
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"missing type", with(func(b map[string]any) { delete(b, "type") }), "type"},
			{"blank type", with(func(b map[string]any) { b["type"] = "  " }), "type"},
			{"unknown type", with(func(b map[string]any) { b["type"] = "delete_everything" }), "type"},
			{"missing email", with(func(b map[string]any) { delete(subject(b), "email") }), "subject.email"},
			{"missing subject", with(func(b map[string]any) { delete(b, "subject") }), "subject.email"},
			{"invalid email", with(func(b map[string]any) { subject(b)["email"] = "not-an-address" }), "subject.email"},
			{"email with display name", with(func(b map[string]any) { subject(b)["email"] = "Jan <jan@example.nl>" }), "subject.email"},
			{"email too long", with(func(b map[string]any) { subject(b)["email"] = strings.Repeat("a", 250) + "@example.nl" }), "subject.email"},
			{"bad phone", with(func(b map[string]any) { subject(b)["phone"] = "call me maybe" }), "subject.phone"},
			{"name too long", with(func(b map[string]any) { subject(b)["name"] = strings.Repeat("n", 201) }), "subject.name"},
			{"name with NUL", with(func(b map[string]any) { subject(b)["name"] = "Jan\x00" }), "subject.name"},
			{"bad country", with(func(b map[string]any) { b["country"] = "Netherlands" }), "country"},
			{"numeric country", with(func(b map[string]any) { b["country"] = "12" }), "country"},
			{"unknown regime", with(func(b map[string]any) { b["regime"] = "popia" }), "regime"},
			{"bad language", with(func(b map[string]any) { b["language"] = "fr" }), "language"},
			{"bad relationship", with(func(b map[string]any) { b["relationship"] = "neighbour" }), "relationship"},
			{"staff relationship not accepted from the public", with(func(b map[string]any) { b["relationship"] = "staff" }), "relationship"},
			{"over-long details", with(func(b map[string]any) { b["details"] = strings.Repeat("d", 10001) }), "details"},
			{"details with NUL", with(func(b map[string]any) { b["details"] = "a\x00b" }), "details"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rec := h.api(http.MethodPost, "/api/v1/requests", "", tc.body)
				e := requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", tc.field)
				require.Contains(t, e.Error.Message, tc.field, "the message names the field")
			})
		}
		require.EqualValues(t, 0, countRows(t, db, "cases"), "no bad request stores a case")
		require.Empty(t, h.wf.Started(), "no bad request starts a workflow")

		t.Run("details of exactly 10000 characters are accepted", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/requests", "", with(func(b map[string]any) {
				b["details"] = strings.Repeat("长", 10000) // runes, not bytes
			}))
			require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
		})
	})
}

func TestAPICreateRequestEmptyBodyNamesRequiredFields(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	for _, body := range []string{"", "   ", "{}"} {
		rec := h.api(http.MethodPost, "/api/v1/requests", "", body)
		requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "type", "subject.email")
	}
	require.EqualValues(t, 0, countRows(t, h.db, "cases"))
}

func TestAPICreateRequestInvalidJSON(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	cases := []struct {
		name, body string
		field      string // named in fields for a type error
	}{
		{name: "syntax error", body: `{"type": "access",`},
		{name: "not JSON", body: `type=access`},
		{name: "trailing garbage", body: `{"type":"access"} {}`},
		{name: "subject is a string", body: `{"type":"access","subject":"x"}`, field: "subject"},
		{name: "type is a number", body: `{"type":5,"subject":{"email":"a@b.example"}}`, field: "type"},
		{name: "email is a number", body: `{"type":"access","subject":{"email":5}}`, field: "subject.email"},
		{name: "details is an object", body: `{"type":"access","subject":{"email":"a@b.example"},"details":{}}`, field: "details"},
		{name: "body is an array", body: `[{"type":"access"}]`},
		{name: "body is a string", body: `"access"`},
		{name: "body is null-ish number", body: `12`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/requests", "", tc.body)
			e := requireAPIError(t, rec, http.StatusBadRequest, "invalid_json")
			if tc.field != "" {
				require.Contains(t, e.Error.Fields, tc.field, "body: %s", rec.Body.String())
			}
		})
	}
	require.EqualValues(t, 0, countRows(t, h.db, "cases"))
	require.Empty(t, h.wf.Started())
}

func TestAPICreateRequestTooLarge(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	big := `{"type":"access","subject":{"email":"a@b.example"},"details":"` + strings.Repeat("x", 1<<20) + `"}`

	t.Run("with Content-Length", func(t *testing.T) {
		rec := h.api(http.MethodPost, "/api/v1/requests", "", big)
		requireAPIError(t, rec, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("chunked, no Content-Length", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/requests", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		rec := h.serve(req)
		requireAPIError(t, rec, http.StatusRequestEntityTooLarge, "too_large")
	})
	require.EqualValues(t, 0, countRows(t, h.db, "cases"))
}

func TestAPICreateRequestWorkflowUnavailable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.wf.startErr = errors.New("temporal: connection refused")
		req := newJSONRequest(http.MethodPost, "/api/v1/requests", validRequest())
		req.Header.Set("Idempotency-Key", "retry-me")
		rec := h.serve(req)
		e := requireAPIError(t, rec, http.StatusServiceUnavailable, "unavailable")
		require.NotContains(t, e.Error.Message, "connection refused", "internal errors are not shown")
		require.EqualValues(t, 0, countRows(t, db, "cases"), "no case without a workflow")
		require.Len(t, h.wf.Started(), 1)

		// The retry with the same key succeeds once Temporal is back.
		h.wf.startErr = nil
		req = newJSONRequest(http.MethodPost, "/api/v1/requests", validRequest())
		req.Header.Set("Idempotency-Key", "retry-me")
		rec = h.serve(req)
		require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
		require.EqualValues(t, 1, countRows(t, db, "cases"))
	})
}

func TestRequestFormPage(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	b := h.browser()
	rec := b.get("/")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	require.Regexp(t, `<input type="hidden" name="csrf" value="[^"]+">`, rec.Body.String())
	require.NotNil(t, b.cookies["dsr_csrf"])
	require.Equal(t, b.cookies["dsr_csrf"].Value, b.csrf)
	require.True(t, b.cookies["dsr_csrf"].HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, b.cookies["dsr_csrf"].SameSite)
	for _, typ := range models.RequestTypes {
		require.Contains(t, rec.Body.String(), `value="`+string(typ)+`"`)
	}
	require.NotEmpty(t, rec.Header().Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
}

func validForm() url.Values {
	return url.Values{"type": {"erasure"}, "email": {"jan@example.nl"}, "name": {"Jan"},
		"phone": {"+31612345678"}, "country": {"NL"}, "details": {"Remove my account."}}
}

func TestRequestFormCSRF(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))

	t.Run("no token at all", func(t *testing.T) {
		rec := h.browser().postForm("/requests", validForm())
		require.Equal(t, http.StatusForbidden, rec.Code, "body: %s", rec.Body.String())
		require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	})
	t.Run("cookie but no form token", func(t *testing.T) {
		b := h.browser()
		b.get("/")
		b.csrf = ""
		rec := b.postForm("/requests", validForm())
		require.Equal(t, http.StatusForbidden, rec.Code, "body: %s", rec.Body.String())
	})
	t.Run("form token that does not match the cookie", func(t *testing.T) {
		b := h.browser()
		b.get("/")
		form := validForm()
		form.Set("csrf", "forged-token")
		rec := b.postForm("/requests", form)
		require.Equal(t, http.StatusForbidden, rec.Code, "body: %s", rec.Body.String())
	})
	t.Run("cross-site browser post", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/requests", strings.NewReader(validForm().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := h.serve(req)
		require.Equal(t, http.StatusForbidden, rec.Code, "body: %s", rec.Body.String())
	})
	require.EqualValues(t, 0, countRows(t, h.db, "cases"))
	require.Empty(t, h.wf.Started())
}

func TestRequestFormInvalidFieldsKeepValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		b := h.browser()
		b.get("/")
		form := url.Values{"type": {"erasure"}, "email": {"not-an-email"}, "name": {`Jan "the man" <b>`},
			"phone": {"abc"}, "country": {"Holland"}, "details": {"keep <this> text"}}
		rec := b.postForm("/requests", form)
		require.Equal(t, http.StatusBadRequest, rec.Code)
		page := rec.Body.String()
		require.Contains(t, page, `role="alert"`)
		require.Contains(t, page, `<span class="field-error" id="email-error">Email is not an email address</span>`)
		require.Contains(t, page, `<span class="field-error">Phone is not a phone number</span>`)
		require.Contains(t, page, `<span class="field-error">Country must be`)
		require.NotContains(t, page, `id="type-error"`, "the valid type has no message")
		// Everything typed is kept (escaped).
		require.Contains(t, page, `value="not-an-email"`)
		require.Contains(t, page, `value="Jan &#34;the man&#34; &lt;b&gt;"`)
		require.Contains(t, page, `value="abc"`)
		require.Contains(t, page, `value="Holland"`, "country is kept as typed")
		require.Contains(t, page, `keep &lt;this&gt; text</textarea>`)
		require.Contains(t, page, `<option value="erasure" selected>`)
		require.Regexp(t, `name="csrf" value="[^"]+"`, page, "the form can be sent again")
		require.EqualValues(t, 0, countRows(t, db, "cases"))
		require.Empty(t, h.wf.Started())

		// Missing type and email.
		rec = b.postForm("/requests", url.Values{})
		require.Equal(t, http.StatusBadRequest, rec.Code)
		require.Contains(t, rec.Body.String(), `id="type-error">Request type is required</span>`)
		require.Contains(t, rec.Body.String(), `id="email-error">Email is required</span>`)
	})
}

func TestRequestFormValidSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		b := h.browser()
		b.get("/")
		req := httptest.NewRequest(http.MethodPost, "/requests", strings.NewReader(func() string {
			f := validForm()
			f.Set("csrf", b.csrf)
			return f.Encode()
		}()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
		rec := b.do(req)
		require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())

		var c models.Case
		require.NoError(t, db.Take(&c).Error)
		require.Contains(t, rec.Body.String(), `<strong id="reference">`+c.Reference+`</strong>`)
		require.Equal(t, models.ChannelWeb, c.Channel)
		require.Equal(t, models.TypeErasure, c.Type)
		require.Equal(t, "zh-CN", c.Language)
		require.Equal(t, "gdpr", c.Regime)
		require.Equal(t, []string{c.ID}, h.wf.Started())
	})
}

func TestRequestFormWorkflowUnavailable(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	h.wf.startErr = errors.New("down")
	b := h.browser()
	b.get("/")
	rec := b.postForm("/requests", validForm())
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, rec.Body.String(), `value="jan@example.nl"`, "what was typed is kept")
	require.Contains(t, rec.Body.String(), "nothing was saved")
	require.EqualValues(t, 0, countRows(t, h.db, "cases"))
}

func TestVerifyLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		c := h.createCase(nil)
		get := func(token string) *httptest.ResponseRecorder {
			return h.serve(httptest.NewRequest(http.MethodGet, "/verify/"+token, nil))
		}
		used := func(secret string) bool {
			var tok models.VerificationToken
			require.NoError(t, db.Where("token_hash = ?", models.HashSecret(secret)).Take(&tok).Error)
			return tok.UsedAt != nil
		}

		t.Run("unknown", func(t *testing.T) {
			rec := get("no-such-token")
			require.Equal(t, http.StatusNotFound, rec.Code)
			require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
			require.Contains(t, rec.Body.String(), "not valid")
		})
		t.Run("expired", func(t *testing.T) {
			secret := h.verificationToken(c.ID, time.Now().Add(-time.Minute), false)
			rec := get(secret)
			require.Equal(t, http.StatusGone, rec.Code)
			require.Contains(t, rec.Body.String(), "expired")
			require.False(t, used(secret))
		})
		t.Run("already used", func(t *testing.T) {
			secret := h.verificationToken(c.ID, time.Now().Add(time.Hour), true)
			rec := get(secret)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), "already")
		})
		t.Run("signal fails: 503 and the link still works", func(t *testing.T) {
			secret := h.verificationToken(c.ID, time.Now().Add(time.Hour), false)
			h.wf.signalErr = errors.New("temporal unreachable")
			before := len(h.wf.Signals())
			rec := get(secret)
			require.Equal(t, http.StatusServiceUnavailable, rec.Code)
			require.NotContains(t, rec.Body.String(), "temporal unreachable")
			require.Len(t, h.wf.Signals(), before+1)
			require.False(t, used(secret), "the token is not spent")

			h.wf.signalErr = nil
			rec = get(secret)
			require.Equal(t, http.StatusOK, rec.Code)
			require.True(t, used(secret))
		})
		t.Run("valid", func(t *testing.T) {
			secret := h.verificationToken(c.ID, time.Now().Add(time.Hour), false)
			before := len(h.wf.Signals())
			rec := get(secret)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			require.Contains(t, rec.Body.String(), "confirmed")
			signals := h.wf.Signals()
			require.Len(t, signals, before+1)
			require.Equal(t, c.ID, signals[len(signals)-1], "the signal goes to the token's case")
			require.True(t, used(secret))

			// A second click: already confirmed, no second signal.
			rec = get(secret)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Contains(t, rec.Body.String(), "already")
			require.Len(t, h.wf.Signals(), before+1)
		})
		t.Run("hostile tokens", func(t *testing.T) {
			for _, tok := range []string{"..%2F..%2Fetc%2Fpasswd", strings.Repeat("a", 5000), "%3Cscript%3E"} {
				rec := get(tok)
				require.Equal(t, http.StatusNotFound, rec.Code, "token %q", tok)
				require.NotContains(t, rec.Body.String(), "<script>")
			}
			// Not text at all: refused before any lookup.
			for _, tok := range []string{"%00", "%FF%FE"} {
				rec := get(tok)
				require.Equal(t, http.StatusBadRequest, rec.Code, "token %q", tok)
			}
		})
	})
}

func TestVerifyLinkPageEscapes(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/verify/"+url.PathEscape("<img src=x>"), nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.NotContains(t, rec.Body.String(), "<img")
}
