package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestDashboardIsForManagers(t *testing.T) {
	h := newHarness(t, dbtest.SQLite(t))
	handler, handlerToken := h.user(models.RoleHandler)
	manager, managerToken := h.user(models.RoleManager)
	h.createCase(nil)

	require.Equal(t, http.StatusForbidden, h.api(http.MethodGet, "/api/v1/dashboard", handlerToken, nil).Code)
	require.Equal(t, http.StatusForbidden, h.login(handler).get("/dashboard").Code)
	require.Equal(t, http.StatusForbidden, h.login(handler).get("/cases.csv").Code)

	d := decodeBody(t, h.api(http.MethodGet, "/api/v1/dashboard", managerToken, nil))
	require.EqualValues(t, 1, d["open"])
	require.Len(t, d["performance"], 3)
	page := h.login(manager).get("/dashboard")
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Body.String(), `id="dash-open">1<`)
}

func TestCaseExportFollowsTheFiltersAndCarriesNoPersonalData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		manager, _ := h.user(models.RoleManager)
		var erasures []string
		for i := 0; i < 205; i++ { // more than one page of the export
			c := h.createCase(map[string]any{"type": "erasure", "subject": map[string]any{"email": "someone@example.org", "name": "Some One"}})
			erasures = append(erasures, c.Reference)
		}
		h.createCase(map[string]any{"type": "access", "subject": map[string]any{"email": "other@example.org"}})

		rec := h.login(manager).get("/cases.csv?type=erasure")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, "text/csv; charset=utf-8", rec.Header().Get("Content-Type"))
		require.NotContains(t, rec.Body.String(), "example.org")
		require.NotContains(t, rec.Body.String(), "Some One")
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		require.NoError(t, err)
		require.Equal(t, "reference", rows[0][0])
		var refs []string
		for _, r := range rows[1:] {
			require.Equal(t, "erasure", r[1])
			refs = append(refs, r[0])
		}
		require.ElementsMatch(t, erasures, refs)

		bad := h.login(manager).get("/cases.csv?cursor=nonsense")
		require.Equal(t, http.StatusBadRequest, bad.Code)
	})
}
