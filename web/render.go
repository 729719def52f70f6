package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dsrcase/dsr/activities"
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
