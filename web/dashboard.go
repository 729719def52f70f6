package web

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/models"
)

type dashboardView struct {
	*models.Dashboard
	Max int64 // the largest open-by-status count, to scale the bars
}

// dashboardPage is /dashboard: where open cases stand and how well
// deadlines were kept, for managers.
func (s *Server) dashboardPage(c echo.Context) error {
	d, err := models.LoadDashboard(c.Request().Context(), s.db, time.Now().UTC())
	if err != nil {
		return err
	}
	v := dashboardView{Dashboard: d, Max: 1}
	for _, g := range d.ByStatus {
		v.Max = max(v.Max, g.Count)
	}
	return s.render(c, http.StatusOK, "dashboard", "Dashboard", v)
}

func (s *Server) apiDashboard(c echo.Context) error {
	d, err := models.LoadDashboard(c.Request().Context(), s.db, time.Now().UTC())
	if err != nil {
		return err
	}
	counts := func(cs []models.Count) map[string]int64 {
		out := map[string]int64{}
		for _, g := range cs {
			out[g.Key] = g.Count
		}
		return out
	}
	perf := make([]map[string]any, len(d.Performance))
	for i, p := range d.Performance {
		perf[i] = map[string]any{"days": p.Days, "closed": p.Closed, "on_time": p.OnTime,
			"on_time_rate": p.OnTimeRate(), "median_days_to_close": p.MedianDaysToClose}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"open": d.Open, "by_status": counts(d.ByStatus), "due_within_7_days": d.DueIn7Days,
		"overdue": d.Overdue, "paused": d.Paused, "by_type": counts(d.ByType),
		"by_regime": counts(d.ByRegime), "by_assignee": counts(d.ByAssignee), "performance": perf,
	})
}

// exportCases streams every case the queue's filters select as CSV, page
// by page, so that a large export never sits whole in memory. It carries
// no personal data: references and facts only.
func (s *Server) exportCases(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	f.Limit = 200
	// The first page is read before answering, so a bad cursor is still a 400.
	cases, next, err := models.ListCases(c.Request().Context(), s.db, f)
	if err != nil {
		return listError(err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="cases.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"reference", "type", "regime", "status", "paused", "outcome", "channel",
		"received_at", "due_at", "extended_due_at", "closed_at"})
	for {
		for _, cs := range cases {
			_ = w.Write([]string{cs.Reference, string(cs.Type), cs.Regime, string(cs.Status),
				boolText(cs.Paused), string(cs.Outcome), string(cs.Channel), timeText(&cs.ReceivedAt),
				timeText(&cs.DueAt), timeText(cs.ExtendedDueAt), timeText(cs.ClosedAt)})
		}
		w.Flush()
		if next == "" || w.Error() != nil {
			return nil
		}
		f.Cursor = next
		if cases, next, err = models.ListCases(c.Request().Context(), s.db, f); err != nil {
			s.logger.Error("export cases", "error", err)
			return nil // the answer has started; the client sees a short file
		}
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
