package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestDefaultsRunOnOneMachine(t *testing.T) {
	c, err := load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "sqlite://data/dsr.db", c.DatabaseURL)
	require.Equal(t, "127.0.0.1:8080", c.Listen)
	require.Equal(t, "http://127.0.0.1:8080", c.BaseURL)
	require.Empty(t, c.TemporalAddress, "dsr dev starts its own Temporal")
	require.Empty(t, c.SMTPURL, "messages stay in the outbox")
	require.Equal(t, "dsr", c.TaskQueue)
	require.Equal(t, 14*24*time.Hour, c.VerifyWithin)
	require.Equal(t, []int{7, 3, 1}, c.ReminderDays)
	require.Equal(t, 3*24*time.Hour, c.EscalateEvery)
}

func TestSettingsFollowEachOther(t *testing.T) {
	c, err := load(env(map[string]string{"DSR_DATA_DIR": "/var/lib/dsr", "DSR_LISTEN": "0.0.0.0:9000",
		"DSR_BASE_URL": "https://privacy.example.com/", "DSR_VERIFY_DAYS": "7"}))
	require.NoError(t, err)
	require.Equal(t, "sqlite:///var/lib/dsr/dsr.db", c.DatabaseURL)
	require.Equal(t, "https://privacy.example.com", c.BaseURL, "trailing slash trimmed for links")
	require.Equal(t, 7*24*time.Hour, c.VerifyWithin)
}

func TestBadValuesNameTheirVariable(t *testing.T) {
	for name, value := range map[string]string{
		"DSR_VERIFY_DAYS":       "0",
		"DSR_TEMPORAL_DEV_PORT": "70000",
		"DSR_TEMPORAL_UI_PORT":  "http",
		"DSR_SESSION_LIFETIME":  "forever",
		"DSR_BASE_URL":          "privacy.example.com",
		"DSR_REMINDER_DAYS":     "7,three",
		"DSR_ESCALATE_DAYS":     "-1",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load(env(map[string]string{name: value}))
			require.ErrorContains(t, err, name)
		})
	}
}
