package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runDeadlineArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = runDeadline(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunDeadline(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the exact stdout line, without the newline
	}{
		{
			name: "the design's example",
			args: []string{"--regime", "uk_gdpr", "--received", "2025-09-03"},
			want: `{"regime":"uk_gdpr","received":"2025-09-03","due":"2025-10-03","extension_notice_by":"2025-10-03","extended_due":"2025-12-03","acknowledge_by":null}`,
		},
		{
			name: "ICO: bank holidays 25 and 26 Dec",
			args: []string{"--regime=uk_gdpr", "--received=2024-11-25"},
			want: `{"regime":"uk_gdpr","received":"2024-11-25","due":"2024-12-27","extension_notice_by":"2024-12-27","extended_due":"2025-02-25","acknowledge_by":null}`,
		},
		{
			name: "RFC 3339 instant is the next day in Amsterdam",
			args: []string{"--regime", "gdpr", "--received", "2025-09-02T23:30:00Z"},
			want: `{"regime":"gdpr","received":"2025-09-03","due":"2025-10-03","extension_notice_by":"2025-10-03","extended_due":"2025-12-03","acknowledge_by":null}`,
		},
		{
			name: "the same instant is still 2 Sep in Los Angeles",
			args: []string{"--regime", "ccpa", "--received", "2025-09-02T23:30:00Z"},
			want: `{"regime":"ccpa","received":"2025-09-02","due":"2025-10-17","extension_notice_by":"2025-10-17","extended_due":"2025-12-01","acknowledge_by":"2025-09-16"}`,
		},
		{
			name: "--tz moves the receipt date",
			args: []string{"--regime", "ccpa", "--received", "2025-09-03T05:00:00Z", "--tz", "America/New_York"},
			want: `{"regime":"ccpa","received":"2025-09-03","due":"2025-10-18","extension_notice_by":"2025-10-18","extended_due":"2025-12-02","acknowledge_by":"2025-09-17"}`,
		},
		{
			name: "a date is local to --tz, whatever its offset",
			args: []string{"--regime", "gdpr", "--received", "2025-09-03", "--tz", "Pacific/Kiritimati"},
			want: `{"regime":"gdpr","received":"2025-09-03","due":"2025-10-03","extension_notice_by":"2025-10-03","extended_due":"2025-12-03","acknowledge_by":null}`,
		},
		{
			name: "--calendar DE: King's Day is a working day",
			args: []string{"--regime", "gdpr", "--received", "2026-03-27", "--calendar", "DE"},
			want: `{"regime":"gdpr","received":"2026-03-27","due":"2026-04-27","extension_notice_by":"2026-04-27","extended_due":"2026-06-29","acknowledge_by":null}`,
		},
		{
			name: "default NL calendar: King's Day rolls",
			args: []string{"--regime", "gdpr", "--received", "2026-03-27"},
			want: `{"regime":"gdpr","received":"2026-03-27","due":"2026-04-28","extension_notice_by":"2026-04-28","extended_due":"2026-06-29","acknowledge_by":null}`,
		},
		{
			name: "--start and repeated --pause",
			args: []string{"--regime", "uk_gdpr", "--received", "2025-09-03", "--start", "2025-09-05",
				"--pause", "2025-09-10:2025-09-12", "--pause", "2025-09-20:2025-09-21"},
			// 5 Oct + 5 paused days = Fri 10 Oct; 5 Dec + 5 = Wed 10 Dec.
			want: `{"regime":"uk_gdpr","received":"2025-09-03","due":"2025-10-10","extension_notice_by":"2025-10-10","extended_due":"2025-12-10","acknowledge_by":null}`,
		},
		{
			name: "--start and --pause do not move ccpa",
			args: []string{"--regime", "ccpa", "--received", "2025-11-20", "--start", "2025-11-25", "--pause", "2025-11-21:2025-11-30"},
			want: `{"regime":"ccpa","received":"2025-11-20","due":"2026-01-04","extension_notice_by":"2026-01-04","extended_due":"2026-02-18","acknowledge_by":"2025-12-05"}`,
		},
		{
			name: "ccpa_optout has only a due date",
			args: []string{"-regime", "ccpa_optout", "-received", "2026-06-26"},
			want: `{"regime":"ccpa_optout","received":"2026-06-26","due":"2026-07-20","extension_notice_by":null,"extended_due":null,"acknowledge_by":null}`,
		},
		{
			name: "lgpd",
			args: []string{"--regime", "lgpd", "--received", "2025-09-03"},
			want: `{"regime":"lgpd","received":"2025-09-03","due":"2025-09-18","extension_notice_by":null,"extended_due":null,"acknowledge_by":null}`,
		},
		{
			name: "pipeda",
			args: []string{"--regime", "pipeda", "--received", "2025-09-03"},
			want: `{"regime":"pipeda","received":"2025-09-03","due":"2025-10-03","extension_notice_by":"2025-10-03","extended_due":"2025-11-02","acknowledge_by":null}`,
		},
		{
			name: "regime is case-insensitive",
			args: []string{"--regime", "UK_GDPR", "--received", "2025-03-31"},
			want: `{"regime":"uk_gdpr","received":"2025-03-31","due":"2025-04-30","extension_notice_by":"2025-04-30","extended_due":"2025-06-30","acknowledge_by":null}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runDeadlineArgs(tc.args...)
			require.Empty(t, stderr)
			require.Equal(t, 0, code)
			require.Equal(t, tc.want+"\n", stdout)

			// Every key is present, null where it does not apply.
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &m))
			require.Len(t, m, 6)
			for _, k := range []string{"regime", "received", "due", "extension_notice_by", "extended_due", "acknowledge_by"} {
				require.Contains(t, m, k)
			}
		})
	}
}

func TestRunDeadlineBadInput(t *testing.T) {
	ok := []string{"--regime", "gdpr", "--received", "2025-09-03"}
	with := func(extra ...string) []string { return append(append([]string{}, ok...), extra...) }

	tests := []struct {
		name string
		args []string
		want string // substring of the stderr line
	}{
		{"no arguments", nil, "--regime is required"},
		{"missing --regime", []string{"--received", "2025-09-03"}, "--regime is required"},
		{"missing --received", []string{"--regime", "gdpr"}, "--received is required"},
		{"unknown regime", []string{"--regime", "hipaa", "--received", "2025-09-03"}, `unknown regime "hipaa"`},
		{"empty regime", []string{"--regime", "", "--received", "2025-09-03"}, "--regime must not be empty"},
		{"unknown calendar", with("--calendar", "XX"), `unknown calendar "XX"`},
		{"ambiguous calendar GB", []string{"--regime", "uk_gdpr", "--received", "2025-09-03", "--calendar", "GB"}, `unknown calendar "GB"`},
		{"empty calendar", with("--calendar="), "--calendar must not be empty"},
		{"unknown zone", with("--tz", "Mars/Olympus_Mons"), `unknown time zone "Mars/Olympus_Mons"`},
		{"machine-dependent zone", with("--tz", "Local"), `unknown time zone "Local"`},
		{"empty zone", with("--tz", ""), "--tz must not be empty"},
		{"malformed received date", []string{"--regime", "gdpr", "--received", "2025-13-01"}, "month out of range"},
		{"impossible received date", []string{"--regime", "gdpr", "--received", "2025-02-29"}, "day out of range"},
		{"received in words", []string{"--regime", "gdpr", "--received", "yesterday"}, `invalid --received "yesterday": want RFC 3339`},
		{"received in another date format", []string{"--regime", "gdpr", "--received", "03/09/2025"}, "want RFC 3339 (2025-09-02T23:30:00Z) or a date (2025-09-03)"},
		{"received without offset", []string{"--regime", "gdpr", "--received", "2025-09-03T10:00:00"}, "want RFC 3339"},
		{"received with a bad hour", []string{"--regime", "gdpr", "--received", "2025-09-03T25:00:00Z"}, "hour out of range"},
		{"malformed start", with("--start", "2025-9-5"), `--start: invalid date "2025-9-5"`},
		{"start before receipt", with("--start", "2025-09-01"), "start date 2025-09-01 is before the receipt date 2025-09-03"},
		{"pause without a colon", with("--pause", "2025-09-10"), "want FROM:TO"},
		{"pause with a malformed date", with("--pause", "2025-09-10:soon"), `invalid date "soon"`},
		{"pause ending before it starts", with("--pause", "2025-09-15:2025-09-10"), "pause 2025-09-15:2025-09-10 ends before it starts"},
		{"pause ending before it starts, regime ignoring pauses", []string{"--regime", "lgpd", "--received", "2025-09-03", "--pause", "2025-09-15:2025-09-10"}, "ends before it starts"},
		{"pause before receipt", with("--pause", "2025-09-01:2025-09-05"), "starts before the receipt date"},
		{"unknown flag", with("--foo", "bar"), "flag provided but not defined: -foo"},
		{"flag without its value", []string{"--received", "2025-09-03", "--regime"}, "flag needs an argument: -regime"},
		{"positional argument", with("extra"), `unexpected argument "extra"`},
		{"newline in a value stays on one line", []string{"--regime", "gdpr\nrm -rf", "--received", "2025-09-03"}, `unknown regime "gdpr\nrm -rf"`},
		{"newline in a flag name stays on one line", with("--a\nb"), `flag provided but not defined: -a\nb`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runDeadlineArgs(tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, stdout)
			require.True(t, strings.HasSuffix(stderr, "\n"), "stderr %q must end in a newline", stderr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "stderr %q must be one line", stderr)
			require.True(t, strings.HasPrefix(stderr, "dsr deadline: "), stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
}

func TestRunDeadlineHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		code, stdout, stderr := runDeadlineArgs(arg)
		require.Equal(t, 0, code)
		require.Empty(t, stderr)
		require.Equal(t, deadlineUsage+"\n", stdout)
	}
}
