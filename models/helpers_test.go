package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/models"
)

var ctx = context.Background()

// day is a fixed instant in 2025 the tests build dates from.
var day = time.Date(2025, 3, 10, 9, 30, 0, 0, time.UTC)

// newCase returns an unsaved case with every required field filled in.
func newCase(received time.Time) *models.Case {
	id := models.NewID()
	return &models.Case{
		ID: id, WorkflowID: "case-" + id,
		Type: models.TypeAccess, Regime: "gdpr", Status: models.StatusReceived,
		Channel: models.ChannelWeb, Language: "en", Relationship: models.RelationshipDataSubject,
		Country: "NL", SubjectEmail: "subject@example.test", SubjectName: "Sam Subject",
		Details:    "please send my data",
		ReceivedAt: received, DueAt: received.AddDate(0, 1, 0),
		CreatedAt: models.Now(), UpdatedAt: models.Now(),
	}
}

// createCase stores a case after edit has changed the defaults.
func createCase(t *testing.T, db *gorm.DB, edit func(c *models.Case)) *models.Case {
	t.Helper()
	c := newCase(day)
	if edit != nil {
		edit(c)
	}
	require.NoError(t, models.CreateCase(ctx, db, c))
	return c
}

// createSystem stores a manual system.
func createSystem(t *testing.T, db *gorm.DB, name string, enabled bool, actions ...models.RequestType) *models.System {
	t.Helper()
	list := models.StringList{}
	for _, a := range actions {
		list = append(list, string(a))
	}
	s := &models.System{
		Name: name, Kind: models.KindInternal, Connector: models.ConnectorManual,
		Actions: list, DataCategories: models.StringList{"contact"}, OwnerEmail: "owner-" + name + "@example.test",
		Enabled: enabled, Config: models.JSONObject{}, CreatedAt: models.Now(), UpdatedAt: models.Now(),
	}
	require.NoError(t, models.SaveSystem(ctx, db, s))
	return s
}

// createUser stores a user with a valid password.
func createUser(t *testing.T, db *gorm.DB, email string, role models.Role) *models.User {
	t.Helper()
	u, err := models.CreateUser(ctx, db, email, role, "correct horse battery")
	require.NoError(t, err)
	return u
}

func events(t *testing.T, db *gorm.DB, caseID string) []models.Event {
	t.Helper()
	evs, err := models.CaseEvents(ctx, db, caseID)
	require.NoError(t, err)
	return evs
}

func countEvents(t *testing.T, db *gorm.DB, caseID, key string) int {
	t.Helper()
	n := 0
	for _, e := range events(t, db, caseID) {
		if e.EventKey == key {
			n++
		}
	}
	return n
}
