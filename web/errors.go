package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiError is every error answer, JSON or HTML, in the shape api.md fixes:
// {"error":{"code","message","fields"}}.
type apiError struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func invalidFields(fields map[string]string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_field",
		Message: "some fields are not valid: " + fieldList(fields), Fields: fields}
}

func invalidField(field, msg string) *apiError {
	return invalidFields(map[string]string{field: msg})
}

func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func conflict(msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "conflict", Message: msg}
}

func unavailable(msg string) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: msg}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "sign in or send a bearer token"}
	errForbidden    = &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "your role may not do this"}
)

func fieldList(fields map[string]string) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	// Sorted, so that the message is the same for the same input.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return strings.Join(names, ", ")
}

// toAPIError maps any error a handler returns to the answer the client
// gets. Unknown errors become a 500 without details (logged with the
// request ID); handlers are written so that client input never gets here.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := fmt.Sprint(he.Message)
		switch he.Code {
		case http.StatusNotFound:
			return &apiError{Status: 404, Code: "not_found", Message: "no such page"}
		case http.StatusMethodNotAllowed:
			return &apiError{Status: 405, Code: "not_found", Message: "method not allowed here"}
		case http.StatusRequestEntityTooLarge:
			return &apiError{Status: 413, Code: "too_large", Message: "the request body is too large"}
		case http.StatusForbidden, http.StatusBadRequest:
			if strings.Contains(strings.ToLower(msg), "csrf") {
				return &apiError{Status: 403, Code: "forbidden", Message: "the form expired or was not sent from this site; reload the page and try again"}
			}
		case http.StatusTooManyRequests:
			return &apiError{Status: 429, Code: "rate_limited", Message: "too many requests; try again later"}
		}
		if he.Code >= 400 && he.Code < 500 {
			return &apiError{Status: he.Code, Code: "invalid_field", Message: msg}
		}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side; nothing you sent was lost, try again"}
}

// decodeJSON reads a JSON body into dst, answering invalid_json with the
// position or field at fault, and too_large past the body limit.
func decodeJSON(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &tooLarge) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) ||
			strings.Contains(strings.ToLower(err.Error()), "too large") {
			return &apiError{Status: 413, Code: "too_large", Message: "the request body is too large"}
		}
		return &apiError{Status: 400, Code: "invalid_json", Message: "could not read the request body"}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return &apiError{Status: 400, Code: "invalid_json",
				Message: fmt.Sprintf("field %s must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String())),
				Fields:  map[string]string{typeErr.Field: "must be a JSON " + jsonKind(typeErr.Type.Kind().String())}}
		}
		return &apiError{Status: 400, Code: "invalid_json", Message: "the body is not valid JSON: " + err.Error()}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return "number"
}
