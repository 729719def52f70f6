package models_test

import (
	"encoding/base64"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func ids(cases []models.Case) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.ID
	}
	return out
}

func TestListCasesOrderByDueThenID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		base := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
		// Sub-second offsets check that the ordering is by instant, not by
		// how the driver happens to spell the value.
		dues := []time.Duration{
			3 * time.Hour,
			0,
			500 * time.Millisecond,
			250 * time.Millisecond,
			time.Microsecond,
			time.Second,
			0, // ties with the second case: ID decides
			-24 * time.Hour,
		}
		type entry struct {
			due time.Time
			id  string
		}
		var want []entry
		for _, d := range dues {
			c := createCase(t, db, func(c *models.Case) { c.DueAt = base.Add(d) })
			want = append(want, entry{c.DueAt, c.ID})
		}
		sort.Slice(want, func(i, j int) bool {
			if !want[i].due.Equal(want[j].due) {
				return want[i].due.Before(want[j].due)
			}
			return want[i].id < want[j].id
		})
		wantIDs := make([]string, len(want))
		for i, e := range want {
			wantIDs[i] = e.id
		}

		got, next, err := models.ListCases(ctx, db, models.CaseFilter{})
		require.NoError(t, err)
		require.Empty(t, next)
		require.Equal(t, wantIDs, ids(got))

		// The same order one case per page, through the cursor.
		var paged []string
		cursor := ""
		for range len(dues) + 1 {
			page, next, err := models.ListCases(ctx, db, models.CaseFilter{Limit: 1, Cursor: cursor})
			require.NoError(t, err)
			paged = append(paged, ids(page)...)
			if next == "" {
				break
			}
			cursor = next
		}
		require.Equal(t, wantIDs, paged)
	})
}

func TestListCasesKeysetPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		base := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
		all := map[string]bool{}
		for i := range 25 {
			// Groups of three share a due date, so page breaks fall
			// inside groups of equal due dates.
			c := createCase(t, db, func(c *models.Case) { c.DueAt = base.Add(time.Duration(i/3) * time.Hour) })
			all[c.ID] = true
		}
		var pages [][]string
		seen := map[string]bool{}
		cursor := ""
		for range 10 {
			page, next, err := models.ListCases(ctx, db, models.CaseFilter{Limit: 10, Cursor: cursor})
			require.NoError(t, err)
			pages = append(pages, ids(page))
			for _, id := range ids(page) {
				require.False(t, seen[id], "case %s on two pages", id)
				seen[id] = true
			}
			if next == "" {
				break
			}
			cursor = next
		}
		require.Len(t, pages, 3)
		require.Len(t, pages[0], 10)
		require.Len(t, pages[1], 10)
		require.Len(t, pages[2], 5)
		require.Equal(t, all, seen)

		// Exactly one page's worth: no next cursor.
		page, next, err := models.ListCases(ctx, db, models.CaseFilter{Limit: 25})
		require.NoError(t, err)
		require.Len(t, page, 25)
		require.Empty(t, next)

		// Out-of-range limits fall back to the default of 50.
		for _, limit := range []int{0, -1, 201} {
			page, next, err := models.ListCases(ctx, db, models.CaseFilter{Limit: limit})
			require.NoError(t, err)
			require.Len(t, page, 25, "limit %d", limit)
			require.Empty(t, next)
		}
	})
}

func TestListCasesFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		handler := createUser(t, db, "handler@example.test", models.RoleHandler)
		access := createCase(t, db, func(c *models.Case) { c.DueAt = base })
		erasure := createCase(t, db, func(c *models.Case) {
			c.Type = models.TypeErasure
			c.Status = models.StatusInProgress
			c.DueAt = base.Add(24 * time.Hour)
			c.AssigneeID = &handler.ID
		})
		ccpa := createCase(t, db, func(c *models.Case) {
			c.Regime = "ccpa"
			c.Type = models.TypeSaleOptOut
			c.Status = models.StatusInProgress
			c.DueAt = base.Add(48 * time.Hour)
		})

		cases := []struct {
			name string
			f    models.CaseFilter
			want []string
		}{
			{"none", models.CaseFilter{}, []string{access.ID, erasure.ID, ccpa.ID}},
			{"status", models.CaseFilter{Status: models.StatusInProgress}, []string{erasure.ID, ccpa.ID}},
			{"status none", models.CaseFilter{Status: models.StatusDenied}, nil},
			{"type", models.CaseFilter{Type: models.TypeErasure}, []string{erasure.ID}},
			{"regime", models.CaseFilter{Regime: "ccpa"}, []string{ccpa.ID}},
			{"regime gdpr", models.CaseFilter{Regime: "gdpr"}, []string{access.ID, erasure.ID}},
			{"assignee", models.CaseFilter{AssigneeID: handler.ID}, []string{erasure.ID}},
			{"status and type", models.CaseFilter{Status: models.StatusInProgress, Type: models.TypeSaleOptOut}, []string{ccpa.ID}},
			{"due before is exclusive", models.CaseFilter{DueBefore: ptr(base.Add(24 * time.Hour))}, []string{access.ID}},
			{"due before later", models.CaseFilter{DueBefore: ptr(base.Add(24*time.Hour + time.Microsecond))}, []string{access.ID, erasure.ID}},
			{"due before in another zone", models.CaseFilter{DueBefore: ptr(base.Add(25 * time.Hour).In(time.FixedZone("UTC+5", 5*3600)))}, []string{access.ID, erasure.ID}},
			{"reference exact", models.CaseFilter{Reference: erasure.Reference}, []string{erasure.ID}},
			{"reference lower case and blanks", models.CaseFilter{Reference: "  dsr-2025-000003 "}, []string{ccpa.ID}},
			{"reference unknown", models.CaseFilter{Reference: "DSR-2025-999999"}, nil},
			{"reference is not a prefix search", models.CaseFilter{Reference: "DSR-2025"}, nil},
		}
		require.Equal(t, "DSR-2025-000003", ccpa.Reference)
		for _, tc := range cases {
			got, next, err := models.ListCases(ctx, db, tc.f)
			require.NoError(t, err, tc.name)
			require.Empty(t, next, tc.name)
			if tc.want == nil {
				require.Empty(t, got, tc.name)
				continue
			}
			require.Equal(t, tc.want, ids(got), tc.name)
		}

		// Filters and the cursor combine.
		page, next, err := models.ListCases(ctx, db, models.CaseFilter{Status: models.StatusInProgress, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []string{erasure.ID}, ids(page))
		require.NotEmpty(t, next)
		page, next, err = models.ListCases(ctx, db, models.CaseFilter{Status: models.StatusInProgress, Limit: 1, Cursor: next})
		require.NoError(t, err)
		require.Equal(t, []string{ccpa.ID}, ids(page))
		require.Empty(t, next)
	})
}

func TestListCasesBadCursor(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createCase(t, db, nil)
		for _, cursor := range []string{
			"!!!not base64!!!",
			enc("no separator"),
			enc("yesterday|" + models.NewID()),
			enc("2025-01-01T00:00:00Z|"),
			enc("|" + models.NewID()),
			base64.StdEncoding.EncodeToString([]byte("2025-01-01T00:00:00Z|x")) + "==",
		} {
			got, next, err := models.ListCases(ctx, db, models.CaseFilter{Cursor: cursor})
			require.ErrorIs(t, err, models.ErrBadCursor, "cursor %q", cursor)
			require.Nil(t, got)
			require.Empty(t, next)
		}
		// A well-formed cursor past the end gives an empty last page.
		got, next, err := models.ListCases(ctx, db, models.CaseFilter{Cursor: enc("2999-01-01T00:00:00Z|z")})
		require.NoError(t, err)
		require.Empty(t, got)
		require.Empty(t, next)
	})
}

func ptr[T any](v T) *T { return &v }
