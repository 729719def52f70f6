package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/deadline"
	"github.com/dsrcase/dsr/models"
)

// pageData is what every page template gets: the page's own data in .Data.
type pageData struct {
	Title string
	User  *models.User
	CSRF  string
	Data  any
}

func (s *Server) render(c echo.Context, status int, page, title string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return errors.New("no page template " + page)
	}
	csrf, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pageData{Title: title, User: currentUser(c), CSRF: csrf, Data: data}); err != nil {
		return err
	}
	return c.HTMLBlob(status, b.Bytes())
}

var pageFuncs = template.FuncMap{
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.UTC().Format("2006-01-02")
		case *time.Time:
			if v != nil {
				return v.UTC().Format("2006-01-02")
			}
		}
		return "—"
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v != nil {
				return v.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		return "—"
	},
	// deadline shows a due instant as the date it is in the regime's zone,
	// the way the law counts it; dueDate is the same date alone.
	"deadline": func(t time.Time, regime string) string {
		zone := regimeZone(regime)
		return t.In(zone).Format("Mon 2 Jan 2006") + " (" + zone.String() + ")"
	},
	"dueDate":   func(t time.Time, regime string) string { return t.In(regimeZone(regime)).Format("2006-01-02") },
	"percent":   func(n, of int64) int64 { return n * 100 / max(of, 1) },
	"times100":  func(f float64) float64 { return f * 100 },
	"daysLeft":  func(due time.Time) int { return int(math.Ceil(time.Until(due).Hours() / 24)) },
	"label":     func(s any) string { return strings.ReplaceAll(toString(s), "_", " ") },
	"typeLabel": func(t models.RequestType) string { return activities.TypeLabel(t) },
	"json": func(v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return ""
		}
		return string(b)
	},
	"atLeast":  func(u *models.User, role string) bool { return u != nil && u.Role.AtLeast(models.Role(role)) },
	"isOpen":   func(s models.TaskStatus) bool { return s.Open() },
	"eq2":      func(a, b any) bool { return toString(a) == toString(b) },
	"toString": toString,
}

func regimeZone(regime string) *time.Location {
	if zone := deadline.DefaultZone(deadline.Regime(regime)); zone != nil {
		return zone
	}
	return time.UTC
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case interface{ String() string }:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// jsonObject parses a form field holding a JSON object.
func jsonObject(raw string, dst *map[string]any) error {
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return errors.New("must be a JSON object, for example {\"orders\": 3}")
	}
	return nil
}
