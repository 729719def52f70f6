package activities_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/smtptest"
)

var ctx = context.Background()

const subjectEmail = "sam@example.test"

// newActivities returns the activities on db, sending through mail (nil:
// messages are held).
func newActivities(db *gorm.DB, mail mailer.Sender) *activities.Activities {
	return &activities.Activities{
		DB: db, Mail: mail, BaseURL: "http://dsr.test", Organisation: "Org", ComplaintAuthority: "AP",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// newSMTP starts an in-process SMTP server and returns it with a sender
// that delivers to it.
func newSMTP(t *testing.T, opts ...smtptest.Option) (*smtptest.Server, mailer.Sender) {
	t.Helper()
	srv := smtptest.NewServer(t, opts...)
	sender, err := mailer.New("smtp://"+srv.Addr, "privacy@dsr.test", mailer.WithTimeout(10*time.Second))
	require.NoError(t, err)
	return srv, sender
}

// receivedAt and dueAt: the due instant is already the next day in
// Amsterdam, where GDPR cases count their days.
var (
	receivedAt = time.Date(2025, 3, 11, 8, 0, 0, 0, time.UTC)
	dueAt      = time.Date(2025, 4, 10, 22, 30, 0, 0, time.UTC)
)

// createCase stores a GDPR access case after edit has changed the defaults.
func createCase(t *testing.T, db *gorm.DB, edit func(c *models.Case)) *models.Case {
	t.Helper()
	id := models.NewID()
	c := &models.Case{
		ID: id, WorkflowID: "case-" + id,
		Type: models.TypeAccess, Regime: "gdpr", Status: models.StatusReceived,
		Channel: models.ChannelWeb, Language: "en", Relationship: models.RelationshipDataSubject,
		Country: "NL", SubjectEmail: subjectEmail, SubjectName: "Sam Subject",
		Details:    "please send my data",
		ReceivedAt: receivedAt, DueAt: dueAt, CreatedAt: models.Now(), UpdatedAt: models.Now(),
	}
	if edit != nil {
		edit(c)
	}
	require.NoError(t, models.CreateCase(ctx, db, c))
	return c
}

// createSystem stores an enabled manual system supporting actions.
func createSystem(t *testing.T, db *gorm.DB, name string, actions ...models.RequestType) *models.System {
	t.Helper()
	list := models.StringList{}
	for _, a := range actions {
		list = append(list, string(a))
	}
	s := &models.System{
		Name: name, Kind: models.KindInternal, Connector: models.ConnectorManual,
		Actions: list, DataCategories: models.StringList{"contact"}, OwnerEmail: "owner-" + name + "@example.test",
		Enabled: true, Config: models.JSONObject{}, CreatedAt: models.Now(), UpdatedAt: models.Now(),
	}
	require.NoError(t, models.SaveSystem(ctx, db, s))
	return s
}

// answerTask submits and accepts an answer for the task of system on case.
func answerTask(t *testing.T, db *gorm.DB, caseID, systemID string, outcome models.TaskOutcome, note string, data models.JSONObject) {
	t.Helper()
	tasks, err := models.CaseTasks(ctx, db, caseID)
	require.NoError(t, err)
	for _, tk := range tasks {
		if tk.SystemID != systemID {
			continue
		}
		sub := &models.TaskSubmission{TaskID: tk.ID, Outcome: outcome, Note: note, Data: data}
		require.NoError(t, models.AddTaskSubmission(ctx, db, sub))
		_, err := models.AcceptTaskSubmission(ctx, db, tk.ID, sub.ID)
		require.NoError(t, err)
		return
	}
	t.Fatalf("case %s has no task for system %s", caseID, systemID)
}

func caseMessages(t *testing.T, db *gorm.DB, caseID string) []models.Message {
	t.Helper()
	msgs, err := models.CaseMessages(ctx, db, caseID)
	require.NoError(t, err)
	return msgs
}

// onlyMessage returns the case's single stored message.
func onlyMessage(t *testing.T, db *gorm.DB, caseID string) models.Message {
	t.Helper()
	msgs := caseMessages(t, db, caseID)
	require.Len(t, msgs, 1)
	return msgs[0]
}

func caseEvents(t *testing.T, db *gorm.DB, caseID string) []models.Event {
	t.Helper()
	evs, err := models.CaseEvents(ctx, db, caseID)
	require.NoError(t, err)
	return evs
}

func eventByKey(t *testing.T, db *gorm.DB, caseID, key string) (models.Event, int) {
	t.Helper()
	var found models.Event
	n := 0
	for _, e := range caseEvents(t, db, caseID) {
		if e.EventKey == key {
			found = e
			n++
		}
	}
	return found, n
}
