package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/models"
)

// systemInput is the registry's JSON (api.md). Pointers tell PATCH which
// fields were sent.
type systemInput struct {
	Name           *string        `json:"name"`
	Kind           *string        `json:"kind"`
	Connector      *string        `json:"connector"`
	Actions        *[]string      `json:"actions"`
	DataCategories *[]string      `json:"data_categories"`
	OwnerEmail     *string        `json:"owner_email"`
	Enabled        *bool          `json:"enabled"`
	Config         map[string]any `json:"config"`
}

// apply copies the sent fields onto sys and returns the fields at fault.
func (in *systemInput) apply(sys *models.System) map[string]string {
	bad := map[string]string{}
	if in.Name != nil {
		sys.Name = strings.TrimSpace(*in.Name)
	}
	if sys.Name == "" {
		bad["name"] = "is required"
	}
	checkText(bad, "name", sys.Name, 200)
	if in.Kind != nil {
		sys.Kind = models.SystemKind(*in.Kind)
	}
	if sys.Kind == "" {
		sys.Kind = models.KindInternal
	}
	if !sys.Kind.Valid() {
		bad["kind"] = "must be internal, subprocessor or controller"
	}
	if in.Connector != nil {
		sys.Connector = models.Connector(*in.Connector)
	}
	if sys.Connector == "" {
		sys.Connector = models.ConnectorManual
	}
	if !sys.Connector.Valid() {
		bad["connector"] = "must be manual (webhook, email and opendsr are not available in this version)"
	}
	if in.Actions != nil {
		sys.Actions = models.StringList(*in.Actions)
	}
	for _, a := range sys.Actions {
		if !models.RequestType(a).Valid() {
			bad["actions"] = "contains " + a + ", which is not a request type"
		}
	}
	if in.DataCategories != nil {
		sys.DataCategories = models.StringList(*in.DataCategories)
	}
	for _, dc := range sys.DataCategories {
		if strings.TrimSpace(dc) == "" || len(dc) > 100 {
			bad["data_categories"] = "entries must be non-empty names of at most 100 characters"
		}
	}
	if in.OwnerEmail != nil {
		sys.OwnerEmail = strings.TrimSpace(*in.OwnerEmail)
	}
	if a, err := mail.ParseAddress(sys.OwnerEmail); err != nil || a.Address != sys.OwnerEmail {
		bad["owner_email"] = "is required and must be an email address"
	}
	if in.Enabled != nil {
		sys.Enabled = *in.Enabled
	}
	if in.Config != nil {
		sys.Config = models.JSONObject(in.Config)
	}
	if sys.Config == nil {
		sys.Config = models.JSONObject{}
	}
	return bad
}

// systemJSON never includes secrets from config: they are write-only.
func systemJSON(sys *models.System) map[string]any {
	return map[string]any{"id": sys.ID, "name": sys.Name, "kind": sys.Kind, "connector": sys.Connector,
		"actions": sys.Actions, "data_categories": sys.DataCategories, "owner_email": sys.OwnerEmail,
		"enabled": sys.Enabled, "config": withoutSecrets(sys.Config)}
}

// isSecretKey says which config keys are write-only.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "secret") || strings.Contains(k, "password") || strings.Contains(k, "token")
}

// withoutSecrets copies a config without its secret keys, at any depth.
func withoutSecrets(cfg map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range cfg {
		if isSecretKey(k) {
			continue
		}
		if nested, ok := v.(map[string]any); ok {
			v = withoutSecrets(nested)
		}
		out[k] = v
	}
	return out
}

func (s *Server) saveSystem(ctx context.Context, sys *models.System) error {
	err := models.SaveSystem(ctx, s.db, sys)
	if models.IsUniqueViolation(err) {
		return &apiError{Status: http.StatusConflict, Code: "conflict", Message: "a system with this name exists",
			Fields: map[string]string{"name": "is already used by another system"}}
	}
	return err
}

func (s *Server) loadSystem(c echo.Context) (*models.System, error) {
	sys, err := models.GetSystem(c.Request().Context(), s.db, c.Param("id"))
	if errors.Is(err, models.ErrNotFound) {
		return nil, notFound("system")
	}
	return sys, err
}

func (s *Server) apiListSystems(c echo.Context) error {
	systems, err := models.ListSystems(c.Request().Context(), s.db)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(systems))
	for i := range systems {
		items[i] = systemJSON(&systems[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) apiGetSystem(c echo.Context) error {
	sys, err := s.loadSystem(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, systemJSON(sys))
}

func (s *Server) apiCreateSystem(c echo.Context) error {
	var in systemInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sys := &models.System{Enabled: true}
	if bad := in.apply(sys); len(bad) > 0 {
		return invalidFields(bad)
	}
	if err := s.saveSystem(c.Request().Context(), sys); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, systemJSON(sys))
}

func (s *Server) apiPatchSystem(c echo.Context) error {
	sys, err := s.loadSystem(c)
	if err != nil {
		return err
	}
	var in systemInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Config != nil {
		// Secrets are write-only: a PATCH that omits one keeps it.
		for k, v := range sys.Config {
			if _, sent := in.Config[k]; !sent && isSecretKey(k) {
				in.Config[k] = v
			}
		}
	}
	if bad := in.apply(sys); len(bad) > 0 {
		return invalidFields(bad)
	}
	if err := s.saveSystem(c.Request().Context(), sys); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, systemJSON(sys))
}

func (s *Server) apiDeleteSystem(c echo.Context) error {
	err := models.DeleteSystem(c.Request().Context(), s.db, c.Param("id"))
	switch {
	case errors.Is(err, models.ErrNotFound):
		return notFound("system")
	case errors.Is(err, models.ErrInUse):
		return conflict("this system has tasks on record; disable it instead of deleting it")
	case err != nil:
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Pages.

type systemsView struct {
	Systems []models.System
}

func (s *Server) systemsPage(c echo.Context) error {
	systems, err := models.ListSystems(c.Request().Context(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "systems", "Systems", systemsView{Systems: systems})
}

type systemFormView struct {
	System  *models.System
	Types   []models.RequestType
	Kinds   []models.SystemKind
	Errors  map[string]string
	Actions map[string]bool
}

func (s *Server) systemFormPage(c echo.Context) error {
	sys := &models.System{Enabled: true, Kind: models.KindInternal, Connector: models.ConnectorManual}
	if c.Param("id") != "" {
		var err error
		if sys, err = s.loadSystem(c); err != nil {
			return err
		}
	}
	return s.renderSystemForm(c, http.StatusOK, sys, nil)
}

func (s *Server) renderSystemForm(c echo.Context, status int, sys *models.System, bad map[string]string) error {
	actions := map[string]bool{}
	for _, a := range sys.Actions {
		actions[a] = true
	}
	title := "New system"
	if sys.ID != "" {
		title = sys.Name
	}
	return s.render(c, status, "system", title, systemFormView{System: sys, Types: models.RequestTypes,
		Kinds:  []models.SystemKind{models.KindInternal, models.KindSubprocessor, models.KindController},
		Errors: bad, Actions: actions})
}

func systemFormInput(c echo.Context) systemInput {
	form, _ := c.FormParams()
	name, kind, owner := c.FormValue("name"), c.FormValue("kind"), c.FormValue("owner_email")
	connector := string(models.ConnectorManual)
	actions := slices.Clone(form["actions"])
	var categories []string
	for _, dc := range strings.Split(c.FormValue("data_categories"), ",") {
		if dc = strings.TrimSpace(dc); dc != "" {
			categories = append(categories, dc)
		}
	}
	enabled := c.FormValue("enabled") == "on"
	return systemInput{Name: &name, Kind: &kind, Connector: &connector, Actions: &actions,
		DataCategories: &categories, OwnerEmail: &owner, Enabled: &enabled}
}

func (s *Server) createSystemForm(c echo.Context) error {
	return s.saveSystemForm(c, &models.System{})
}

func (s *Server) updateSystemForm(c echo.Context) error {
	sys, err := s.loadSystem(c)
	if err != nil {
		return err
	}
	return s.saveSystemForm(c, sys)
}

// saveSystemForm applies the form to sys and saves it, or shows the form
// again with a message by each field at fault.
func (s *Server) saveSystemForm(c echo.Context, sys *models.System) error {
	in := systemFormInput(c)
	if bad := in.apply(sys); len(bad) > 0 {
		return s.renderSystemForm(c, http.StatusBadRequest, sys, bad)
	}
	if err := s.saveSystem(c.Request().Context(), sys); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Fields != nil {
			return s.renderSystemForm(c, ae.Status, sys, ae.Fields)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/systems")
}

func (s *Server) deleteSystemForm(c echo.Context) error {
	sys, err := s.loadSystem(c)
	if err != nil {
		return err
	}
	err = models.DeleteSystem(c.Request().Context(), s.db, sys.ID)
	if errors.Is(err, models.ErrInUse) {
		return s.renderSystemForm(c, http.StatusConflict, sys,
			map[string]string{"enabled": "this system has tasks on record: disable it instead of deleting it"})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/systems")
}
