package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/models"
)

const sessionCookie = "dsr_session"

// authenticate finds the user behind a bearer token or a session cookie.
// Whether the route needs one is for require to say: a bad token on a
// public route (a proxy's Basic credentials, a stale script) is ignored,
// and on a staff route it is the reason given for the 401.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if token, ok := bearerToken(c); ok {
			u, err := models.TokenUser(ctx, s.db, token)
			switch {
			case errors.Is(err, models.ErrNotFound):
				c.Set(authProblemKey, "the bearer token is not valid")
			case err != nil:
				return err
			default:
				c.Set("user", u)
			}
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := models.SessionUser(ctx, s.db, ck.Value)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return err
			}
			if u != nil {
				c.Set("user", u)
			}
		}
		return next(c)
	}
}

const authProblemKey = "auth_problem"

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(c echo.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	token = strings.TrimSpace(token)
	return token, ok && token != ""
}

// currentUser is the signed-in user, or nil.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get("user").(*models.User)
	return u
}

// require lets a request through only for users with at least role min.
func (s *Server) require(min models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				if problem, ok := c.Get(authProblemKey).(string); ok {
					return &apiError{Status: 401, Code: "unauthorized", Message: problem}
				}
				return errUnauthorized
			}
			if !u.Role.AtLeast(min) {
				return errForbidden
			}
			return next(c)
		}
	}
}

type loginView struct {
	Email, Next, Error string
}

func (s *Server) loginForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", "Sign in", loginView{Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) login(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	var u *models.User
	err := models.ErrBadCredentials // an email that is not clean text names no user
	if cleanText(email) {
		u, err = models.Authenticate(c.Request().Context(), s.db, email, password)
	}
	if errors.Is(err, models.ErrBadCredentials) {
		return s.render(c, http.StatusUnauthorized, "login", "Sign in",
			loginView{Email: email, Next: next, Error: "The email address or password is wrong."})
	}
	if err != nil {
		return err
	}
	// A new session at every sign-in: a session ID planted before sign-in
	// is never promoted.
	secret, err := models.CreateSession(c.Request().Context(), s.db, u.ID, s.cfg.SessionLifetime)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode,
		MaxAge: int(s.cfg.SessionLifetime.Seconds())})
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := models.DeleteSession(c.Request().Context(), s.db, ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/cases"
	}
	return next
}
