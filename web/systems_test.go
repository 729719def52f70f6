package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func validSystem() map[string]any {
	return map[string]any{
		"name": "Billing", "kind": "internal", "connector": "manual",
		"actions": []string{"access", "erasure"}, "data_categories": []string{"invoices", "payments"},
		"owner_email": "billing@example.nl", "enabled": true,
		"config": map[string]any{"url": "https://billing.example/dsr", "secret": "s3cret-value", "api_password": "pw-value"},
	}
}

func TestSystemsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, admin := h.user(models.RoleAdmin)
		_, handler := h.user(models.RoleHandler)

		rec := h.api(http.MethodPost, "/api/v1/systems", admin, validSystem())
		require.Equal(t, http.StatusCreated, rec.Code, "body: %s", rec.Body.String())
		created := decodeBody(t, rec)
		id, _ := created["id"].(string)
		require.NotEmpty(t, id)
		for _, k := range []string{"id", "name", "kind", "connector", "actions", "data_categories", "owner_email", "enabled", "config"} {
			require.Contains(t, created, k)
		}
		require.Equal(t, "Billing", created["name"])
		require.Equal(t, []any{"access", "erasure"}, created["actions"])
		require.Equal(t, map[string]any{"url": "https://billing.example/dsr"}, created["config"], "secrets are never echoed")
		require.NotContains(t, rec.Body.String(), "s3cret-value")
		require.NotContains(t, rec.Body.String(), "pw-value")

		sys, err := models.GetSystem(context.Background(), db, id)
		require.NoError(t, err)
		require.Equal(t, "s3cret-value", sys.Config["secret"], "the secret is stored")

		t.Run("read back without secrets", func(t *testing.T) {
			for _, target := range []string{"/api/v1/systems/" + id, "/api/v1/systems"} {
				rec := h.api(http.MethodGet, target, handler, nil)
				require.Equal(t, http.StatusOK, rec.Code)
				require.Contains(t, rec.Body.String(), "billing.example")
				require.NotContains(t, rec.Body.String(), "s3cret-value")
				require.NotContains(t, rec.Body.String(), "pw-value")
			}
		})
		t.Run("duplicate name", func(t *testing.T) {
			rec := h.api(http.MethodPost, "/api/v1/systems", admin, validSystem())
			requireAPIError(t, rec, http.StatusConflict, "conflict", "name")
		})
		t.Run("invalid fields", func(t *testing.T) {
			with := func(k string, v any) map[string]any {
				b := validSystem()
				b["name"] = "Other"
				b[k] = v
				return b
			}
			for field, body := range map[string]map[string]any{
				"name":            with("name", "   "),
				"kind":            with("kind", "vendor"),
				"connector":       with("connector", "ftp"),
				"actions":         with("actions", []string{"access", "nuke"}),
				"owner_email":     with("owner_email", "not an email"),
				"data_categories": with("data_categories", []string{""}),
			} {
				t.Run(field, func(t *testing.T) {
					rec := h.api(http.MethodPost, "/api/v1/systems", admin, body)
					requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", field)
				})
			}
			rec := h.api(http.MethodPost, "/api/v1/systems", admin, `{}`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "name", "owner_email")
			rec = h.api(http.MethodPost, "/api/v1/systems", admin, `{"name":"x","actions":"access"}`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_json", "actions")
			require.EqualValues(t, 1, countRows(t, db, "systems"))
		})
		t.Run("patch is partial", func(t *testing.T) {
			rec := h.api(http.MethodPatch, "/api/v1/systems/"+id, admin, `{"enabled":false}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			body := decodeBody(t, rec)
			require.Equal(t, false, body["enabled"])
			require.Equal(t, "Billing", body["name"])
			require.Equal(t, "billing@example.nl", body["owner_email"])
			require.Equal(t, []any{"access", "erasure"}, body["actions"])

			sys, err := models.GetSystem(context.Background(), db, id)
			require.NoError(t, err)
			require.False(t, sys.Enabled)
			require.Equal(t, "s3cret-value", sys.Config["secret"])
		})
		t.Run("patch config keeps the write-only secret", func(t *testing.T) {
			rec := h.api(http.MethodPatch, "/api/v1/systems/"+id, admin, `{"config":{"url":"https://new.example/dsr"}}`)
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body.String())
			require.NotContains(t, rec.Body.String(), "s3cret-value")
			sys, err := models.GetSystem(context.Background(), db, id)
			require.NoError(t, err)
			require.Equal(t, "https://new.example/dsr", sys.Config["url"])
			require.Equal(t, "s3cret-value", sys.Config["secret"])
		})
		t.Run("patch with a bad field changes nothing", func(t *testing.T) {
			rec := h.api(http.MethodPatch, "/api/v1/systems/"+id, admin, `{"name":"Renamed","kind":"vendor"}`)
			requireAPIError(t, rec, http.StatusBadRequest, "invalid_field", "kind")
			sys, err := models.GetSystem(context.Background(), db, id)
			require.NoError(t, err)
			require.Equal(t, "Billing", sys.Name)
		})
		t.Run("patch to a used name", func(t *testing.T) {
			other := validSystem()
			other["name"] = "CRM"
			require.Equal(t, http.StatusCreated, h.api(http.MethodPost, "/api/v1/systems", admin, other).Code)
			rec := h.api(http.MethodPatch, "/api/v1/systems/"+id, admin, `{"name":"CRM"}`)
			requireAPIError(t, rec, http.StatusConflict, "conflict", "name")
		})
		t.Run("unknown system", func(t *testing.T) {
			missing := "/api/v1/systems/" + models.NewID()
			requireAPIError(t, h.api(http.MethodGet, missing, admin, nil), http.StatusNotFound, "not_found")
			requireAPIError(t, h.api(http.MethodPatch, missing, admin, `{"enabled":true}`), http.StatusNotFound, "not_found")
			requireAPIError(t, h.api(http.MethodDelete, missing, admin, nil), http.StatusNotFound, "not_found")
		})
		t.Run("delete a system with tasks", func(t *testing.T) {
			c := h.createCase(nil)
			h.task(c.ID, id, models.TaskPending)
			rec := h.api(http.MethodDelete, "/api/v1/systems/"+id, admin, nil)
			requireAPIError(t, rec, http.StatusConflict, "conflict")
			_, err := models.GetSystem(context.Background(), db, id)
			require.NoError(t, err, "kept as evidence")
		})
		t.Run("delete", func(t *testing.T) {
			b := validSystem()
			b["name"] = "Temporary"
			rec := h.api(http.MethodPost, "/api/v1/systems", admin, b)
			require.Equal(t, http.StatusCreated, rec.Code)
			tmp := decodeBody(t, rec)["id"].(string)
			rec = h.api(http.MethodDelete, "/api/v1/systems/"+tmp, admin, nil)
			require.Equal(t, http.StatusNoContent, rec.Code, "body: %s", rec.Body.String())
			require.Empty(t, rec.Body.String())
			requireAPIError(t, h.api(http.MethodGet, "/api/v1/systems/"+tmp, admin, nil), http.StatusNotFound, "not_found")
			requireAPIError(t, h.api(http.MethodDelete, "/api/v1/systems/"+tmp, admin, nil), http.StatusNotFound, "not_found")
		})
	})
}

func TestSystemsAPISecretsKeptOnPatch(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	_, admin := h.user(models.RoleAdmin)
	rec := h.api(http.MethodPost, "/api/v1/systems", admin, validSystem())
	require.Equal(t, http.StatusCreated, rec.Code)
	id := decodeBody(t, rec)["id"].(string)

	rec = h.api(http.MethodPatch, "/api/v1/systems/"+id, admin, `{"config":{"url":"https://new.example"}}`)
	require.Equal(t, http.StatusOK, rec.Code)
	sys, err := models.GetSystem(context.Background(), h.db, id)
	require.NoError(t, err)
	require.Equal(t, "pw-value", sys.Config["api_password"])
}

func TestSystemsAPINestedSecretsNotEchoed(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	_, admin := h.user(models.RoleAdmin)
	b := validSystem()
	b["config"] = map[string]any{"auth": map[string]any{"client_secret": "nested-s3cret"}}
	rec := h.api(http.MethodPost, "/api/v1/systems", admin, b)
	require.Equal(t, http.StatusCreated, rec.Code)
	require.NotContains(t, rec.Body.String(), "nested-s3cret")
}

func TestSystemForms(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	u, _ := h.user(models.RoleAdmin)
	b := h.login(u)

	rec := b.get("/systems/new")
	require.Equal(t, http.StatusOK, rec.Code)

	rec = b.postForm("/systems", url.Values{"name": {"<b>CRM</b>"}, "kind": {"internal"}, "owner_email": {"nope"}, "actions": {"access"}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "Owner's email is required and must be an email address")
	require.Contains(t, rec.Body.String(), `value="&lt;b&gt;CRM&lt;/b&gt;"`)
	require.NotContains(t, rec.Body.String(), "<b>CRM</b>")

	form := url.Values{"name": {"CRM"}, "kind": {"internal"}, "owner_email": {"crm@example.nl"},
		"actions": {"access", "erasure"}, "data_categories": {"contacts, notes"}, "enabled": {"on"}}
	rec = b.postForm("/systems", form)
	require.Equal(t, http.StatusSeeOther, rec.Code, "body: %s", rec.Body.String())
	var sys models.System
	require.NoError(t, h.db.Where("name = ?", "CRM").Take(&sys).Error)
	require.Equal(t, models.StringList{"access", "erasure"}, sys.Actions)
	require.Equal(t, models.StringList{"contacts", "notes"}, sys.DataCategories)
	require.True(t, sys.Enabled)

	rec = b.postForm("/systems", form)
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Contains(t, rec.Body.String(), "is already used by another system")

	rec = b.get("/systems")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "crm@example.nl")

	c := h.createCase(nil)
	h.task(c.ID, sys.ID, models.TaskPending)
	rec = b.postForm("/systems/"+sys.ID+"/delete", nil)
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Contains(t, rec.Body.String(), "disable it instead")

	rec = b.postForm("/systems/"+models.NewID()+"/delete", nil)
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.True(t, strings.Contains(rec.Header().Get("Content-Type"), "text/html"))
}
