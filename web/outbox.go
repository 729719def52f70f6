package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dsrcase/dsr/models"
)

// outboxLimit is how many messages the outbox page lists.
const outboxLimit = 200

type outboxView struct {
	Messages []models.Message
}

// outboxPage lists every message, sent or held: with no SMTP server set,
// this is where the messages are read.
func (s *Server) outboxPage(c echo.Context) error {
	msgs, err := models.RecentMessages(c.Request().Context(), s.db, outboxLimit)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "outbox", "Outbox", outboxView{Messages: msgs})
}

func (s *Server) messagePage(c echo.Context) error {
	m, err := models.GetMessage(c.Request().Context(), s.db, c.Param("id"))
	if errors.Is(err, models.ErrNotFound) {
		return notFound("message")
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "message", m.Subject, m)
}

func (s *Server) apiListMessages(c echo.Context) error {
	msgs, err := models.RecentMessages(c.Request().Context(), s.db, outboxLimit)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		items[i] = map[string]any{"id": m.ID, "case_id": m.CaseID, "template": m.Template, "to": m.ToAddr,
			"subject": m.Subject, "status": m.Status, "error": m.Error, "created_at": m.CreatedAt,
			"sent_at": m.SentAt, "body_text": m.BodyText}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
