// Package web is the echo application: the public request form and
// verification link, the staff workspace, and the JSON API of api.md.
// Handlers read the database and reach the case workflows through the
// Workflows interface (Updates and Signals), never by reading Temporal.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/config"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/templates"
)

// Server is the web application.
type Server struct {
	db      *gorm.DB
	wf      Workflows
	cfg     config.Config
	pages   map[string]*template.Template
	logger  *slog.Logger
	echo    *echo.Echo
	metrics *metrics
}

// New builds the web application.
func New(db *gorm.DB, wf Workflows, cfg config.Config, logger *slog.Logger) (*Server, error) {
	pages, err := templates.Pages(pageFuncs)
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, wf: wf, cfg: cfg, pages: pages, logger: logger, echo: echo.New(), metrics: newMetrics()}
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// maxBody bounds every request body; a larger one gets 413 too_large.
const maxBody = 1 << 20

func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RequestID())
	e.Use(s.recoverPanics)
	e.Use(rejectMalformedURL)
	e.Use(s.metrics.middleware)
	e.Use(middleware.BodyLimit("1M"))
	e.Use(securityHeaders)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:csrf,header:X-CSRF-Token",
		CookieName:     "dsr_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   strings.HasPrefix(s.cfg.BaseURL, "https://"),
		CookieSameSite: http.SameSiteStrictMode,
		// API calls without a session cookie (bearer tokens, the public
		// intake) carry no ambient credentials, so cross-site forgery does
		// not apply to them; anonymous ones then get 401, not 403.
		Skipper: func(c echo.Context) bool {
			_, hasToken := bearerToken(c)
			_, cookieErr := c.Cookie(sessionCookie)
			return hasToken || (isAPI(c) && cookieErr != nil) ||
				(c.Request().URL.Path == "/api/v1/requests" && c.Request().Method == http.MethodPost)
		},
	}))
	e.Use(s.authenticate)

	// Public.
	e.GET("/", s.requestForm)
	e.POST("/requests", s.submitRequestForm)
	e.GET("/verify/:token", s.verifyLink)
	e.POST("/api/v1/requests", s.apiCreateRequest)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)

	// Staff workspace (pages). Every route names the least role it needs.
	handler, manager, admin := s.require(models.RoleHandler), s.require(models.RoleManager), s.require(models.RoleAdmin)
	e.GET("/cases", s.queuePage, handler)
	e.GET("/cases/:id", s.casePage, handler)
	e.POST("/cases/:id/:action", s.caseActionForm, handler)
	e.POST("/cases/:id/tasks/:task_id/complete", s.completeTaskForm, handler)
	e.GET("/systems", s.systemsPage, handler)
	e.GET("/systems/new", s.systemFormPage, admin)
	e.POST("/systems", s.createSystemForm, admin)
	e.GET("/systems/:id", s.systemFormPage, admin)
	e.POST("/systems/:id", s.updateSystemForm, admin)
	e.POST("/systems/:id/delete", s.deleteSystemForm, admin)
	e.GET("/dashboard", s.dashboardPage, manager)
	e.GET("/cases.csv", s.exportCases, manager)
	e.GET("/outbox", s.outboxPage, manager)
	e.GET("/outbox/:id", s.messagePage, manager)

	// Staff API.
	api := e.Group("/api/v1")
	api.GET("/cases", s.apiListCases, handler)
	api.GET("/cases/:id", s.apiGetCase, handler)
	api.POST("/cases/:id/:action", s.apiCaseAction, handler)
	api.POST("/cases/:id/tasks/:task_id/complete", s.apiCompleteTask, handler)
	api.GET("/systems", s.apiListSystems, handler)
	api.GET("/systems/:id", s.apiGetSystem, handler)
	api.POST("/systems", s.apiCreateSystem, admin)
	api.PATCH("/systems/:id", s.apiPatchSystem, admin)
	api.DELETE("/systems/:id", s.apiDeleteSystem, admin)
	api.GET("/messages", s.apiListMessages, manager)
	api.GET("/dashboard", s.apiDashboard, manager)
}

// isAPI reports whether the client expects JSON answers.
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// handleError answers every error: JSON for the API, a page otherwise.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := toAPIError(err)
	if ae.Status >= 500 {
		s.logger.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method, "route", c.Path(), "error", err)
	}
	if ae.Status == http.StatusUnauthorized && !isAPI(c) {
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+template.URLQueryEscaper(c.Request().URL.RequestURI()))
		return
	}
	if isAPI(c) {
		_ = c.JSON(ae.Status, map[string]any{"error": ae})
		return
	}
	_ = s.render(c, ae.Status, "error", "Something is not right", ae)
}

// recoverPanics turns a panic into a logged 500, never a crashed process
// or a stack trace in the answer.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.logger.Error("panic in handler", "route", c.Path(), "panic", r)
				err = &apiError{Status: 500, Code: "internal", Message: "something went wrong on our side; try again"}
			}
		}()
		return next(c)
	}
}

// rejectMalformedURL answers 400 for a path or query that is not clean
// text (invalid UTF-8, NUL), before any of it reaches a database query.
func rejectMalformedURL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if !cleanText(u.Path) {
			return invalidField("path", "is not valid text")
		}
		for name, values := range u.Query() {
			for _, v := range values {
				if !cleanText(name) || !cleanText(v) {
					return invalidField(name, "is not valid text")
				}
			}
		}
		return next(c)
	}
}

// cleanText reports whether s is valid UTF-8 without NUL characters, which
// PostgreSQL refuses in text.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when both the database and Temporal answer.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := models.Ping(ctx, s.db); err != nil {
		checks["database"], status = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.wf.CheckHealth(ctx); err != nil {
		checks["temporal"], status = err.Error(), http.StatusServiceUnavailable
	}
	return c.JSON(status, checks)
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	intake   *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsr_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dsr_http_request_duration_seconds", Help: "HTTP request latency by route."}, []string{"route"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsr_requests_received_total", Help: "Data-subject requests received, by channel and type."}, []string{"channel", "type"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.intake,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			// Answer the error here, so the status counted is the one sent
			// (a sign-in redirect, not the 401 behind it).
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, http.StatusText(status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return nil
	}
}
