package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestPlanTasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		crm := createSystem(t, db, "CRM", true, models.TypeAccess, models.TypeErasure)
		createSystem(t, db, "Billing", true, models.TypeErasure)               // does not support access
		createSystem(t, db, "Archive", false, models.TypeAccess)               // disabled
		analytics := createSystem(t, db, "Analytics", true, models.TypeAccess) // sorts first by name
		c := createCase(t, db, nil)

		refs, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, refs, 2)
		require.Equal(t, analytics.ID, refs[0].SystemID)
		require.Equal(t, crm.ID, refs[1].SystemID)
		for _, r := range refs {
			require.NotEmpty(t, r.TaskID)
			require.Equal(t, models.ConnectorManual, r.Connector)
		}

		tasks, err := models.CaseTasks(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, tasks, 2)
		require.Equal(t, "Analytics", tasks[0].SystemName)
		require.Equal(t, "owner-Analytics@example.test", tasks[0].OwnerEmail)
		for i, tk := range tasks {
			require.Equal(t, refs[i].TaskID, tk.ID)
			require.Equal(t, c.ID, tk.CaseID)
			require.Equal(t, models.TaskPending, tk.Status)
			require.Equal(t, models.TypeAccess, tk.Action)
			require.Empty(t, tk.Outcome)
			require.Empty(t, tk.Data)
			require.Nil(t, tk.CompletedAt)
		}

		// A retried activity plans nothing new.
		again, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)
		require.Equal(t, refs, again)
		tasks, err = models.CaseTasks(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, tasks, 2)

		// A case whose type no system supports gets no tasks.
		optout := createCase(t, db, func(c *models.Case) { c.Type = models.TypeSaleOptOut })
		none, err := models.PlanTasks(ctx, db, optout.ID)
		require.NoError(t, err)
		require.Empty(t, none)

		_, err = models.PlanTasks(ctx, db, models.NewID())
		require.Error(t, err)
	})
}

func TestGetTaskAndSetStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createSystem(t, db, "CRM", true, models.TypeAccess)
		c := createCase(t, db, nil)
		other := createCase(t, db, nil)
		refs, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)
		require.Len(t, refs, 1)

		tk, err := models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, "CRM", tk.SystemName)
		require.Equal(t, "owner-CRM@example.test", tk.OwnerEmail)

		_, err = models.GetTask(ctx, db, other.ID, refs[0].TaskID)
		require.ErrorIs(t, err, models.ErrNotFound)
		_, err = models.GetTask(ctx, db, c.ID, models.NewID())
		require.ErrorIs(t, err, models.ErrNotFound)

		require.NoError(t, models.SetTaskStatus(ctx, db, tk.ID, models.TaskSent))
		tk, err = models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskSent, tk.Status)
	})
}

func TestAcceptTaskSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createSystem(t, db, "CRM", true, models.TypeAccess)
		owner := createUser(t, db, "owner@example.test", models.RoleHandler)
		c := createCase(t, db, nil)
		refs, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)
		taskID := refs[0].TaskID

		data := models.JSONObject{"email": "subject@example.test", "orders": float64(3),
			"addresses": []any{"Main St 1", "High St 2"}}
		sub := &models.TaskSubmission{TaskID: taskID, Outcome: models.TaskOutcomeCompleted,
			Note: "exported from CRM", Data: data, SubmittedBy: &owner.ID}
		require.NoError(t, models.AddTaskSubmission(ctx, db, sub))
		require.NotEmpty(t, sub.ID)

		outcome, err := models.AcceptTaskSubmission(ctx, db, taskID, sub.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskOutcomeCompleted, outcome)

		tk, err := models.GetTask(ctx, db, c.ID, taskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskCompleted, tk.Status)
		require.Equal(t, "completed", tk.Outcome)
		require.Equal(t, "exported from CRM", tk.Note)
		require.Equal(t, data, tk.Data)
		require.NotNil(t, tk.CompletedBy)
		require.Equal(t, owner.ID, *tk.CompletedBy)
		require.NotNil(t, tk.CompletedAt)
		require.False(t, tk.Status.Open())

		key := "task-" + taskID
		require.Equal(t, 1, countEvents(t, db, c.ID, key))
		var ev models.Event
		for _, e := range events(t, db, c.ID) {
			if e.EventKey == key {
				ev = e
			}
		}
		require.Equal(t, "task_completed", ev.Type)
		require.Equal(t, "CRM: completed", ev.Summary)
		require.Equal(t, owner.Email, ev.Actor, "credited to the person who answered")

		// Accepting again (a retried activity) records the event once.
		outcome, err = models.AcceptTaskSubmission(ctx, db, taskID, sub.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskOutcomeCompleted, outcome)
		require.Equal(t, 1, countEvents(t, db, c.ID, key))

		// A submission of another task is not accepted for this one.
		_, err = models.AcceptTaskSubmission(ctx, db, models.NewID(), sub.ID)
		require.Error(t, err)
	})
}

func TestAcceptTaskSubmissionWithoutDataOrSubmitter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createSystem(t, db, "CRM", true, models.TypeErasure)
		c := createCase(t, db, func(c *models.Case) { c.Type = models.TypeErasure })
		refs, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)
		sub := &models.TaskSubmission{TaskID: refs[0].TaskID, Outcome: models.TaskOutcomeNotFound}
		require.NoError(t, models.AddTaskSubmission(ctx, db, sub))
		outcome, err := models.AcceptTaskSubmission(ctx, db, refs[0].TaskID, sub.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskOutcomeNotFound, outcome)
		tk, err := models.GetTask(ctx, db, c.ID, refs[0].TaskID)
		require.NoError(t, err)
		require.Equal(t, models.TaskNotFound, tk.Status)
		require.Nil(t, tk.CompletedBy)
		require.Empty(t, tk.Data)
		require.Equal(t, 1, countEvents(t, db, c.ID, "task-"+refs[0].TaskID))
		for _, e := range events(t, db, c.ID) {
			if e.EventKey == "task-"+refs[0].TaskID {
				require.Equal(t, "system owner", e.Actor)
				require.Equal(t, "task_not_found", e.Type)
			}
		}
	})
}

func TestSystemsRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := &models.System{
			Name: "Mail platform", Kind: models.KindSubprocessor, Connector: models.ConnectorManual,
			Actions:        models.StringList{"access", "erasure"},
			DataCategories: models.StringList{"contact", "behaviour, \"quoted\"", "名前"},
			OwnerEmail:     "owner@example.test", Enabled: true,
			Config: models.JSONObject{"url": "https://x.test", "retries": float64(3), "nested": map[string]any{"on": true},
				"list": []any{"a", float64(1)}},
			CreatedAt: models.Now(), UpdatedAt: models.Now(),
		}
		require.NoError(t, models.SaveSystem(ctx, db, s))
		got, err := models.GetSystem(ctx, db, s.ID)
		require.NoError(t, err)
		require.Equal(t, s.Actions, got.Actions)
		require.Equal(t, s.DataCategories, got.DataCategories)
		require.Equal(t, s.Config, got.Config)
		require.True(t, got.Supports(models.TypeErasure))
		require.False(t, got.Supports(models.TypeRectification))

		// nil lists and objects are stored as empty JSON, not NULL.
		empty := &models.System{Name: "Empty", Kind: models.KindInternal, Connector: models.ConnectorManual,
			OwnerEmail: "o@example.test", CreatedAt: models.Now(), UpdatedAt: models.Now()}
		require.NoError(t, models.SaveSystem(ctx, db, empty))
		got, err = models.GetSystem(ctx, db, empty.ID)
		require.NoError(t, err)
		require.Empty(t, got.Actions)
		require.Empty(t, got.Config)
		require.False(t, got.Enabled)
		var raw struct{ Actions, Config string }
		require.NoError(t, db.Table("systems").Select("actions, config").Where("id = ?", empty.ID).Take(&raw).Error)
		require.Equal(t, "[]", raw.Actions)
		require.Equal(t, "{}", raw.Config)

		// Update through SaveSystem keeps the ID.
		got.Enabled = true
		got.Actions = models.StringList{"access"}
		require.NoError(t, models.SaveSystem(ctx, db, got))
		again, err := models.GetSystem(ctx, db, empty.ID)
		require.NoError(t, err)
		require.True(t, again.Enabled)
		require.Equal(t, models.StringList{"access"}, again.Actions)

		list, err := models.ListSystems(ctx, db)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, "Empty", list[0].Name)

		_, err = models.GetSystem(ctx, db, models.NewID())
		require.ErrorIs(t, err, models.ErrNotFound)
	})
}

func TestStringListAndJSONObjectScan(t *testing.T) {
	var l models.StringList
	require.NoError(t, l.Scan(`["a","b"]`))
	require.Equal(t, models.StringList{"a", "b"}, l)
	var l2 models.StringList
	require.NoError(t, l2.Scan([]byte(`["x"]`)))
	require.Equal(t, models.StringList{"x"}, l2)
	var l3 models.StringList
	require.NoError(t, l3.Scan(nil))
	require.Nil(t, l3)
	require.NoError(t, l3.Scan(""))
	require.Error(t, l3.Scan(42))
	require.Error(t, l3.Scan(`{"not":"a list"}`))

	v, err := models.StringList(nil).Value()
	require.NoError(t, err)
	require.Equal(t, "[]", v)

	var o models.JSONObject
	require.NoError(t, o.Scan(`{"a":1}`))
	require.Equal(t, models.JSONObject{"a": float64(1)}, o)
	require.Error(t, o.Scan(`[1]`))
	v, err = models.JSONObject(nil).Value()
	require.NoError(t, err)
	require.Equal(t, "{}", v)
}

func TestDeleteSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		used := createSystem(t, db, "CRM", true, models.TypeAccess)
		unused := createSystem(t, db, "Old", true, models.TypeErasure)
		c := createCase(t, db, nil)
		_, err := models.PlanTasks(ctx, db, c.ID)
		require.NoError(t, err)

		require.ErrorIs(t, models.DeleteSystem(ctx, db, used.ID), models.ErrInUse)
		_, err = models.GetSystem(ctx, db, used.ID)
		require.NoError(t, err, "a system in use is kept")

		require.NoError(t, models.DeleteSystem(ctx, db, unused.ID))
		_, err = models.GetSystem(ctx, db, unused.ID)
		require.ErrorIs(t, err, models.ErrNotFound)

		require.ErrorIs(t, models.DeleteSystem(ctx, db, unused.ID), models.ErrNotFound)
	})
}
