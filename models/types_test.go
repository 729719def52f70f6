package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/models"
)

func TestCaseOutcome(t *testing.T) {
	const (
		done = models.TaskOutcomeCompleted
		none = models.TaskOutcomeNotFound
		exc  = models.TaskOutcomeException
	)
	for _, tc := range []struct {
		name  string
		tasks []models.TaskOutcome
		want  models.Outcome
	}{
		{"no tasks", nil, models.OutcomeNoDataFound},
		{"nothing found anywhere", []models.TaskOutcome{none, none}, models.OutcomeNoDataFound},
		{"one done", []models.TaskOutcome{done}, models.OutcomeFulfilled},
		{"done and not found", []models.TaskOutcome{none, done, none}, models.OutcomeFulfilled},
		{"one exception", []models.TaskOutcome{exc}, models.OutcomePartiallyFulfilled},
		{"exception beats done", []models.TaskOutcome{done, exc}, models.OutcomePartiallyFulfilled},
		{"exception and not found", []models.TaskOutcome{none, exc}, models.OutcomePartiallyFulfilled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, models.CaseOutcome(tc.tasks))
		})
	}
}

func TestRoleAtLeast(t *testing.T) {
	h, m, a := models.RoleHandler, models.RoleManager, models.RoleAdmin
	for _, tc := range []struct {
		role, min models.Role
		want      bool
	}{
		{h, h, true}, {h, m, false}, {h, a, false},
		{m, h, true}, {m, m, true}, {m, a, false},
		{a, h, true}, {a, m, true}, {a, a, true},
		{"", h, false}, {"root", h, false}, {"Admin", h, false}, {"", "", false},
	} {
		require.Equal(t, tc.want, tc.role.AtLeast(tc.min), "%q.AtLeast(%q)", tc.role, tc.min)
	}
}

func TestTypeHelpers(t *testing.T) {
	for _, rt := range models.RequestTypes {
		require.True(t, rt.Valid(), rt)
	}
	require.False(t, models.RequestType("delete_everything").Valid())
	require.True(t, models.TypeAccess.CollectsData())
	require.True(t, models.TypePortability.CollectsData())
	require.False(t, models.TypeErasure.CollectsData())

	for _, s := range models.Statuses {
		require.True(t, s.Valid(), s)
	}
	closed := map[models.Status]bool{models.StatusCompleted: true, models.StatusDenied: true,
		models.StatusWithdrawn: true, models.StatusExpired: true}
	for _, s := range models.Statuses {
		require.Equal(t, closed[s], s.Closed(), s)
	}

	for _, r := range models.DenyReasons {
		o, ok := r.Outcome()
		require.True(t, ok, r)
		require.NotEqual(t, models.OutcomeNone, o)
	}
	_, ok := models.DenyReason("bored").Outcome()
	require.False(t, ok)

	for _, o := range []models.TaskOutcome{models.TaskOutcomeCompleted, models.TaskOutcomeNotFound, models.TaskOutcomeException} {
		require.True(t, o.Valid())
		require.False(t, o.Status().Open(), "a task closed with %s is no longer open", o)
	}
	require.False(t, models.TaskOutcome("maybe").Valid())
	require.True(t, models.TaskPending.Open())
	require.True(t, models.TaskFailed.Open())
	require.False(t, models.TaskSkipped.Open())
	require.True(t, models.ConnectorManual.Valid())
	require.False(t, models.ConnectorWebhook.Valid(), "not run by this version")
}

// A role that is not one of Roles must never be "at least" anything, in
// either position: a misspelt minimum (say "manger" in a template) must
// deny, not allow.
func TestRoleAtLeastUnknownMinimumDenies(t *testing.T) {
	for _, r := range models.Roles {
		require.False(t, r.AtLeast("manger"), "%s.AtLeast(%q)", r, "manger")
		require.False(t, r.AtLeast(""), "%s.AtLeast(%q)", r, "")
	}
}
