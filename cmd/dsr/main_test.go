package main

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// dsr runs the command line in-process with a data folder of its own.
func dsr(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUserAndTokenCommands(t *testing.T) {
	t.Setenv("DSR_DATA_DIR", t.TempDir())
	t.Setenv("DSR_DATABASE_URL", "")

	code, out, errOut := dsr(t, "correct horse battery staple\n", "user", "add", "--email", "Admin@Example.com", "--role", "admin", "--password-stdin")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "created admin admin@example.com\n", out)

	code, _, errOut = dsr(t, "correct horse battery staple\n", "user", "add", "--email", "admin@example.com", "--role", "admin", "--password-stdin")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "already exists")

	code, _, errOut = dsr(t, "short\n", "user", "add", "--email", "h@example.com", "--role", "handler", "--password-stdin")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "at least 12 characters")

	code, out, errOut = dsr(t, "", "token", "create", "--user", "admin@example.com")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `^dsr_[A-Za-z0-9_-]{43}\n$`, out)

	code, _, errOut = dsr(t, "", "token", "create", "--user", "nobody@example.com")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "no user with email nobody@example.com")

	code, out, _ = dsr(t, "", "migrate")
	require.Equal(t, 0, code)
	require.Equal(t, "database is up to date\n", out)
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Setenv("DSR_DATA_DIR", t.TempDir())
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"user"},
		{"user", "add", "--email", "a@b.example"},
		{"user", "add", "--email", "a@b.example", "--role", "owner", "--password-stdin"},
		{"user", "add", "--bogus"},
		{"token", "create"},
		{"migrate", "extra"},
		{"web", "extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, errOut := dsr(t, "", args...)
			require.Equal(t, 2, code, errOut)
			require.NotEmpty(t, errOut)
		})
	}
}

func TestProductionProcessesNeedATemporalCluster(t *testing.T) {
	t.Setenv("DSR_DATA_DIR", t.TempDir())
	t.Setenv("DSR_TEMPORAL_ADDRESS", "")
	for _, cmd := range []string{"web", "worker"} {
		code, _, errOut := dsr(t, "", cmd)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "DSR_TEMPORAL_ADDRESS is not set")
	}
}

func TestTakenPortsAreExplainedInOneLine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	err = portFree(port, "DSR_TEMPORAL_DEV_PORT")
	require.ErrorContains(t, err, "port "+strconv.Itoa(port)+" is already in use (DSR_TEMPORAL_DEV_PORT)")
	require.NotContains(t, err.Error(), "\n")

	_, err = listen(l.Addr().String(), "DSR_LISTEN")
	require.ErrorContains(t, err, "is already in use; stop the program using it or set DSR_LISTEN")
}
