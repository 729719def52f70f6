package deadline

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// day parses a YYYY-MM-DD test date.
func day(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	require.NoError(t, err)
	return d
}

// dayPtr is day for optional dates; "" means nil.
func dayPtr(t testing.TB, s string) *Date {
	t.Helper()
	if s == "" {
		return nil
	}
	d := day(t, s)
	return &d
}

func loadZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// localNoon is noon of a date in the regime's default zone: the instant
// a request "received on" that date arrived, for tests that are not about
// the time of day.
func localNoon(t testing.TB, r Regime, s string) time.Time {
	t.Helper()
	d := day(t, s)
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, DefaultZone(r))
}

func pause(t testing.TB, from, to string) Pause {
	return Pause{From: day(t, from), To: day(t, to)}
}

func TestCompute(t *testing.T) {
	type want struct {
		received, due, notice, extended, ack string // "" = nil
	}
	tests := []struct {
		name     string
		regime   Regime
		received string // YYYY-MM-DD (local noon) or RFC 3339
		zone     string
		calendar string
		start    string
		pauses   [][2]string
		want     want
	}{
		// The worked examples of design/deadlines.md (ICO guidance).
		{name: "ICO: 3 Sep to 3 Oct, extended 3 Dec", regime: UKGDPR, received: "2025-09-03",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-12-03", ""}},
		{name: "ICO: 31 Mar to 30 Apr (no 31 Apr), extended 30 Jun", regime: UKGDPR, received: "2025-03-31",
			want: want{"2025-03-31", "2025-04-30", "2025-04-30", "2025-06-30", ""}},
		{name: "ICO: 25 Nov 2024 to 27 Dec (25th and 26th bank holidays)", regime: UKGDPR, received: "2024-11-25",
			want: want{"2024-11-25", "2024-12-27", "2024-12-27", "2025-02-25", ""}},
		{name: "ICO: received on a bank holiday still counts; extended 1 Apr is Easter Monday", regime: UKGDPR, received: "2024-01-01",
			want: want{"2024-01-01", "2024-02-01", "2024-02-01", "2024-04-02", ""}},

		// Month ends: clip to the last day of a shorter month.
		{name: "31 Jan to 28 Feb", regime: GDPR, received: "2025-01-31",
			want: want{"2025-01-31", "2025-02-28", "2025-02-28", "2025-04-30", ""}},
		{name: "31 Jan to 29 Feb in a leap year", regime: GDPR, received: "2024-01-31",
			want: want{"2024-01-31", "2024-02-29", "2024-02-29", "2024-04-30", ""}},
		{name: "uk: 31 Jan to 28 Feb", regime: UKGDPR, received: "2023-01-31",
			want: want{"2023-01-31", "2023-02-28", "2023-02-28", "2023-05-02", ""}}, // 30 Apr 2023 Sun, 1 May Early May bank holiday
		{name: "29 Feb to 29 Mar 2024, Good Friday, then Easter weekend and Monday", regime: GDPR, received: "2024-02-29",
			want: want{"2024-02-29", "2024-04-02", "2024-04-02", "2024-05-29", ""}},
		{name: "31 Dec to 31 Jan across the year; extended 31 Mar is Easter Sunday, 1 Apr Easter Monday", regime: GDPR, received: "2023-12-31",
			want: want{"2023-12-31", "2024-01-31", "2024-01-31", "2024-04-02", ""}},
		{name: "30 Nov to 30 Dec; extended 30 Feb is clipped to Saturday 28 Feb, then rolled", regime: GDPR, received: "2025-11-30",
			want: want{"2025-11-30", "2025-12-30", "2025-12-30", "2026-03-02", ""}},

		// Rolling over weekends and holidays.
		{name: "Saturday rolls to Monday", regime: GDPR, received: "2025-09-04",
			want: want{"2025-09-04", "2025-10-06", "2025-10-06", "2025-12-04", ""}},
		{name: "received on a Saturday counts as received that day", regime: GDPR, received: "2025-09-06",
			want: want{"2025-09-06", "2025-10-06", "2025-10-06", "2025-12-08", ""}}, // 6 Dec Sat
		{name: "NL King's Day (Monday 27 Apr 2026) rolls to Tuesday", regime: GDPR, received: "2026-03-27",
			want: want{"2026-03-27", "2026-04-28", "2026-04-28", "2026-06-29", ""}}, // 27 Jun Sat
		{name: "King's Day is not a holiday in the DE calendar", regime: GDPR, received: "2026-03-27", calendar: "DE",
			want: want{"2026-03-27", "2026-04-27", "2026-04-27", "2026-06-29", ""}},
		{name: "calendar code is case-insensitive", regime: GDPR, received: "2026-03-27", calendar: "de",
			want: want{"2026-03-27", "2026-04-27", "2026-04-27", "2026-06-29", ""}},
		{name: "NL Christmas Thu/Fri then weekend rolls to Monday 29 Dec", regime: GDPR, received: "2025-11-25",
			want: want{"2025-11-25", "2025-12-29", "2025-12-29", "2026-02-25", ""}},
		{name: "NL Liberation Day 5 May", regime: GDPR, received: "2025-04-05",
			want: want{"2025-04-05", "2025-05-06", "2025-05-06", "2025-07-07", ""}}, // 5 Jul Sat

		// The receipt date is the local date in the regime's zone.
		{name: "23:30 UTC is already the next day in Amsterdam", regime: GDPR, received: "2025-09-02T23:30:00Z",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-12-03", ""}},
		{name: "21:59:59 UTC is still the same day in Amsterdam (CEST)", regime: GDPR, received: "2025-09-02T21:59:59Z",
			want: want{"2025-09-02", "2025-10-02", "2025-10-02", "2025-12-02", ""}},
		{name: "22:00 UTC is midnight in Amsterdam (CEST)", regime: GDPR, received: "2025-09-02T22:00:00Z",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-12-03", ""}},
		{name: "the same instant is still 2 Sep in Los Angeles", regime: CCPA, received: "2025-09-02T23:30:00Z",
			want: want{"2025-09-02", "2025-10-17", "2025-10-17", "2025-12-01", "2025-09-16"}},
		{name: "an offset in the input is honoured", regime: UKGDPR, received: "2025-09-03T01:30:00+02:00",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-12-03", ""}}, // 00:30 BST
		{name: "zone override", regime: GDPR, received: "2025-09-02T23:30:00Z", zone: "America/New_York",
			want: want{"2025-09-02", "2025-10-02", "2025-10-02", "2025-12-02", ""}},

		// DST changes in Amsterdam: the UTC offset of local midnight moves.
		{name: "DST end night: 22:30 UTC on 25 Oct is 00:30 CEST on 26 Oct", regime: GDPR, received: "2025-10-25T22:30:00Z",
			want: want{"2025-10-26", "2025-11-26", "2025-11-26", "2026-01-26", ""}},
		{name: "after DST end: 22:30 UTC on 26 Oct is 23:30 CET, still 26 Oct", regime: GDPR, received: "2025-10-26T22:30:00Z",
			want: want{"2025-10-26", "2025-11-26", "2025-11-26", "2026-01-26", ""}},
		{name: "DST start day: 23:00 UTC on 29 Mar is 00:00 CET on 30 Mar", regime: GDPR, received: "2025-03-29T23:00:00Z",
			want: want{"2025-03-30", "2025-04-30", "2025-04-30", "2025-06-30", ""}},
		{name: "DST start day: 22:30 UTC on 30 Mar is 00:30 CEST on 31 Mar", regime: GDPR, received: "2025-03-30T22:30:00Z",
			want: want{"2025-03-31", "2025-04-30", "2025-04-30", "2025-06-30", ""}},

		// CCPA: acknowledgement in business days, deadlines in calendar days.
		{name: "ccpa: Thanksgiving skipped, the day after counts; 45 days lands on a Sunday and stays", regime: CCPA, received: "2025-11-20",
			want: want{"2025-11-20", "2026-01-04", "2026-01-04", "2026-02-18", "2025-12-05"}},
		{name: "ccpa: Christmas and New Year skipped", regime: CCPA, received: "2025-12-19",
			want: want{"2025-12-19", "2026-02-02", "2026-02-02", "2026-03-19", "2026-01-06"}},
		{name: "ccpa: Juneteenth (Fri 19 Jun 2026) skipped", regime: CCPA, received: "2026-06-15",
			want: want{"2026-06-15", "2026-07-30", "2026-07-30", "2026-09-13", "2026-06-30"}},
		{name: "ccpa: received on a Saturday, counting starts Monday", regime: CCPA, received: "2025-09-06",
			want: want{"2025-09-06", "2025-10-21", "2025-10-21", "2025-12-05", "2025-09-19"}},
		{name: "ccpa: late start and pauses do not move anything", regime: CCPA, received: "2025-11-20",
			start: "2025-11-25", pauses: [][2]string{{"2025-11-21", "2025-11-30"}},
			want: want{"2025-11-20", "2026-01-04", "2026-01-04", "2026-02-18", "2025-12-05"}},
		{name: "ccpa_optout: 15 business days, observed Independence Day (Fri 3 Jul 2026) skipped", regime: CCPAOptOut, received: "2026-06-26",
			want: want{"2026-06-26", "2026-07-20", "", "", ""}},
		{name: "ccpa_optout: pauses do not move it", regime: CCPAOptOut, received: "2026-06-26",
			pauses: [][2]string{{"2026-06-29", "2026-07-10"}},
			want:   want{"2026-06-26", "2026-07-20", "", "", ""}},

		// LGPD and PIPEDA: calendar days, never rolled.
		{name: "lgpd: 15 days", regime: LGPD, received: "2025-09-03",
			want: want{"2025-09-03", "2025-09-18", "", "", ""}},
		{name: "lgpd: lands on Sunday 2 Nov (Finados) and stays", regime: LGPD, received: "2025-10-18",
			want: want{"2025-10-18", "2025-11-02", "", "", ""}},
		{name: "lgpd: 23:30 in Sao Paulo is 02:30 UTC the next day", regime: LGPD, received: "2025-09-03T02:30:00Z",
			want: want{"2025-09-02", "2025-09-17", "", "", ""}},
		{name: "lgpd: late start and pauses ignored", regime: LGPD, received: "2025-09-03",
			start: "2025-09-10", pauses: [][2]string{{"2025-09-04", "2025-09-08"}},
			want: want{"2025-09-03", "2025-09-18", "", "", ""}},
		{name: "pipeda: 30 days, extended 60 lands on a Sunday and stays", regime: PIPEDA, received: "2025-09-03",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-11-02", ""}},
		{name: "pipeda: lands on Canada Day and stays", regime: PIPEDA, received: "2025-06-01",
			want: want{"2025-06-01", "2025-07-01", "2025-07-01", "2025-07-31", ""}},
		{name: "pipeda: pauses ignored", regime: PIPEDA, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-04", "2025-09-08"}},
			want:   want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-11-02", ""}},

		// Late start (gdpr, uk_gdpr): the month runs from the start date;
		// the receipt date is still reported as received.
		{name: "late start", regime: GDPR, received: "2025-09-03", start: "2025-09-10",
			want: want{"2025-09-03", "2025-10-10", "2025-10-10", "2025-12-10", ""}},
		{name: "late start on the receipt date changes nothing", regime: UKGDPR, received: "2025-09-03", start: "2025-09-03",
			want: want{"2025-09-03", "2025-10-03", "2025-10-03", "2025-12-03", ""}},
		{name: "late start at a month end is clipped", regime: UKGDPR, received: "2025-01-20", start: "2025-01-31",
			want: want{"2025-01-20", "2025-02-28", "2025-02-28", "2025-04-30", ""}},

		// Pauses (gdpr, uk_gdpr): paused days are added before rolling.
		{name: "pause of six days", regime: UKGDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-10", "2025-09-15"}},
			want:   want{"2025-09-03", "2025-10-09", "2025-10-09", "2025-12-09", ""}},
		{name: "one-day pause lands on Saturday, then rolls", regime: UKGDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-10", "2025-09-10"}},
			want:   want{"2025-09-03", "2025-10-06", "2025-10-06", "2025-12-04", ""}},
		{name: "pause added to the clipped date before rolling", regime: GDPR, received: "2025-01-31",
			pauses: [][2]string{{"2025-02-03", "2025-02-04"}},
			want:   want{"2025-01-31", "2025-03-03", "2025-03-03", "2025-05-02", ""}}, // 28 Feb + 2 = Sun 2 Mar
		{name: "two pauses add up", regime: GDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-10", "2025-09-12"}, {"2025-09-20", "2025-09-21"}},
			want:   want{"2025-09-03", "2025-10-08", "2025-10-08", "2025-12-08", ""}},
		{name: "overlapping pauses count each day once", regime: UKGDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-14", "2025-09-16"}, {"2025-09-10", "2025-09-15"}},
			want:   want{"2025-09-03", "2025-10-10", "2025-10-10", "2025-12-10", ""}},
		{name: "adjacent pauses", regime: UKGDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-10", "2025-09-12"}, {"2025-09-13", "2025-09-15"}},
			want:   want{"2025-09-03", "2025-10-09", "2025-10-09", "2025-12-09", ""}},
		{name: "pause days before a late start do not count again", regime: GDPR, received: "2025-09-03", start: "2025-09-10",
			pauses: [][2]string{{"2025-09-05", "2025-09-12"}},
			want:   want{"2025-09-03", "2025-10-13", "2025-10-13", "2025-12-15", ""}}, // 10..12 Sep = 3 days; 13 Dec Sat
		{name: "pause on the receipt day", regime: GDPR, received: "2025-09-03",
			pauses: [][2]string{{"2025-09-03", "2025-09-03"}},
			want:   want{"2025-09-03", "2025-10-06", "2025-10-06", "2025-12-04", ""}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Regime: tc.regime, Calendar: tc.calendar}
			if ts, err := time.Parse(time.RFC3339, tc.received); err == nil {
				in.Received = ts
			} else {
				in.Received = localNoon(t, tc.regime, tc.received)
			}
			if tc.zone != "" {
				in.Zone = loadZone(t, tc.zone)
			}
			in.Start = dayPtr(t, tc.start)
			for _, p := range tc.pauses {
				in.Pauses = append(in.Pauses, pause(t, p[0], p[1]))
			}

			got, err := Compute(in)
			require.NoError(t, err)
			require.Equal(t, Result{
				Regime:            tc.regime,
				Received:          day(t, tc.want.received),
				Due:               day(t, tc.want.due),
				ExtensionNoticeBy: dayPtr(t, tc.want.notice),
				ExtendedDue:       dayPtr(t, tc.want.extended),
				AcknowledgeBy:     dayPtr(t, tc.want.ack),
			}, got)
		})
	}
}

func TestComputeErrors(t *testing.T) {
	received := time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   Input
		want string // substring of the error
	}{
		{"unknown regime", Input{Regime: "hipaa", Received: received}, `unknown regime "hipaa"`},
		{"empty regime", Input{Received: received}, `unknown regime ""`},
		{"unknown calendar", Input{Regime: GDPR, Received: received, Calendar: "XX"}, `unknown calendar "XX"`},
		{"plain GB is ambiguous", Input{Regime: UKGDPR, Received: received, Calendar: "GB"}, `unknown calendar "GB"`},
		{"unknown calendar is reported for calendar-day regimes too", Input{Regime: LGPD, Received: received, Calendar: "XX"}, `unknown calendar "XX"`},
		{"missing received time", Input{Regime: GDPR}, "received time is required"},
		{"impossible start date", Input{Regime: GDPR, Received: received, Start: &Date{2025, 2, 30}}, "invalid start date 2025-02-30"},
		{"start before receipt", Input{Regime: GDPR, Received: received, Start: &Date{2025, 9, 2}},
			"start date 2025-09-02 is before the receipt date 2025-09-03"},
		{"start before receipt, even where start is ignored", Input{Regime: CCPA, Received: received, Start: &Date{2025, 9, 2}},
			"before the receipt date"},
		{"pause ending before it starts", Input{Regime: GDPR, Received: received,
			Pauses: []Pause{{From: Date{2025, 9, 15}, To: Date{2025, 9, 10}}}}, "pause 2025-09-15:2025-09-10 ends before it starts"},
		{"pause ending before it starts, even where pauses are ignored", Input{Regime: PIPEDA, Received: received,
			Pauses: []Pause{{From: Date{2025, 9, 15}, To: Date{2025, 9, 10}}}}, "ends before it starts"},
		{"pause before receipt", Input{Regime: GDPR, Received: received,
			Pauses: []Pause{{From: Date{2025, 9, 1}, To: Date{2025, 9, 10}}}}, "starts before the receipt date 2025-09-03"},
		{"impossible pause date", Input{Regime: GDPR, Received: received,
			Pauses: []Pause{{From: Date{2025, 13, 1}, To: Date{2026, 1, 2}}}}, "invalid pause"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compute(tc.in)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestComputeConcurrent runs Compute from many goroutines: the workflow and
// the web handlers share the package, and the holiday library's cache would
// race if a calendar were shared (run with -race to check).
func TestComputeConcurrent(t *testing.T) {
	in := Input{Regime: UKGDPR, Received: localNoon(t, UKGDPR, "2024-11-25")}
	want, err := Compute(in)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 20 {
				got, err := Compute(in)
				if err != nil || got.Due != want.Due {
					t.Errorf("concurrent Compute = %v, %v; want due %s", got.Due, err, want.Due)
				}
			}
		})
	}
	wg.Wait()
}

func TestResultJSON(t *testing.T) {
	// The exact line of the design's command-line example.
	res, err := Compute(Input{Regime: UKGDPR, Received: localNoon(t, UKGDPR, "2025-09-03")})
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.Equal(t, `{"regime":"uk_gdpr","received":"2025-09-03","due":"2025-10-03","extension_notice_by":"2025-10-03","extended_due":"2025-12-03","acknowledge_by":null}`, string(b))

	// Dates that do not apply are present as null.
	res, err = Compute(Input{Regime: CCPAOptOut, Received: localNoon(t, CCPAOptOut, "2026-06-26")})
	require.NoError(t, err)
	b, err = json.Marshal(res)
	require.NoError(t, err)
	require.JSONEq(t, `{"regime":"ccpa_optout","received":"2026-06-26","due":"2026-07-20","extension_notice_by":null,"extended_due":null,"acknowledge_by":null}`, string(b))

	// And it reads back.
	var back Result
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, res, back)
}

func TestParseRegime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Regime
	}{
		{"gdpr", GDPR}, {"uk_gdpr", UKGDPR}, {"ccpa", CCPA}, {"ccpa_optout", CCPAOptOut},
		{"lgpd", LGPD}, {"pipeda", PIPEDA}, {"GDPR", GDPR}, {" uk_gdpr ", UKGDPR},
	} {
		got, err := ParseRegime(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "hipaa", "uk-gdpr", "gdpr2"} {
		_, err := ParseRegime(bad)
		require.ErrorContains(t, err, fmt.Sprintf("unknown regime %q", bad))
		require.ErrorContains(t, err, "gdpr, lgpd, pipeda, uk_gdpr")
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		r              Regime
		zone, calendar string
	}{
		{GDPR, "Europe/Amsterdam", "NL"},
		{UKGDPR, "Europe/London", "GB-ENG"},
		{CCPA, "America/Los_Angeles", "US"},
		{CCPAOptOut, "America/Los_Angeles", "US"},
		{LGPD, "America/Sao_Paulo", "BR"},
		{PIPEDA, "America/Toronto", "CA"},
	} {
		require.Equal(t, tc.zone, DefaultZone(tc.r).String(), tc.r)
		require.Equal(t, tc.calendar, DefaultCalendar(tc.r), tc.r)
		require.Contains(t, Calendars(), tc.calendar)
	}
	require.Nil(t, DefaultZone("hipaa"))
	require.Empty(t, DefaultCalendar("hipaa"))
	require.Equal(t, []Regime{CCPA, CCPAOptOut, GDPR, LGPD, PIPEDA, UKGDPR}, Regimes())
}

func TestForCountry(t *testing.T) {
	for in, want := range map[string]Regime{
		"NL": GDPR, "nl": GDPR, "DE": GDPR, "DE-BY": GDPR, "FR": GDPR, "IE": GDPR,
		"IS": GDPR, "LI": GDPR, "NO": GDPR, "EL": GDPR, "GR": GDPR,
		"GB": UKGDPR, "gb": UKGDPR, "GB-SCT": UKGDPR,
		"US-CA": CCPA, "us-ca": CCPA, " US-CA ": CCPA,
		"US": GDPR, "US-NY": GDPR,
		"BR": LGPD, "BR-SP": LGPD,
		"CA": PIPEDA, "CA-QC": PIPEDA,
		"JP": GDPR, "": GDPR, "zz": GDPR,
	} {
		require.Equal(t, want, ForCountry(in), "%q", in)
	}
}

// TestCalendars checks one known holiday and one ordinary weekday per
// calendar the regimes use, so a change in the library's lists is noticed.
func TestCalendars(t *testing.T) {
	for _, tc := range []struct {
		code, holiday, workday string
	}{
		{"NL", "2026-04-27", "2026-04-28"},     // Koningsdag
		{"NL", "2025-05-05", "2025-05-06"},     // Bevrijdingsdag
		{"GB-ENG", "2024-12-26", "2024-12-27"}, // Boxing Day
		{"GB-ENG", "2025-08-25", "2025-08-04"}, // Summer bank holiday: last Monday in England, not the first (Scotland)
		{"GB-ENG", "2020-12-28", "2020-12-29"}, // Boxing Day on a Saturday, substitute Monday
		{"US", "2025-11-27", "2025-11-28"},     // Thanksgiving; the day after is not federal
		{"US", "2026-07-03", "2026-07-02"},     // Independence Day on a Saturday, observed Friday
		{"US", "2021-12-31", "2021-12-30"},     // New Year 2022 on a Saturday, observed the year before
		{"DE", "2025-10-03", "2025-10-02"},     // Tag der Deutschen Einheit
		{"BR", "2025-04-21", "2025-04-22"},     // Tiradentes
		{"CA", "2025-07-01", "2025-07-02"},     // Canada Day
	} {
		c, err := newCalendar(tc.code)
		require.NoError(t, err)
		require.False(t, isWorkingDay(c, day(t, tc.holiday)), "%s %s should be a holiday", tc.code, tc.holiday)
		require.True(t, isWorkingDay(c, day(t, tc.workday)), "%s %s should be a working day", tc.code, tc.workday)
	}
	for _, code := range []string{"NL", "GB-ENG", "US", "DE", "BR", "CA"} {
		require.Contains(t, Calendars(), code)
	}
	_, err := newCalendar("XX")
	require.ErrorContains(t, err, "known: ")
}

func TestDate(t *testing.T) {
	d := day(t, "2025-09-03")
	require.Equal(t, Date{2025, time.September, 3}, d)
	require.Equal(t, "2025-09-03", d.String())
	require.Equal(t, time.Wednesday, d.Weekday())

	require.Equal(t, day(t, "2026-01-02"), day(t, "2025-12-31").AddDays(2))
	require.Equal(t, day(t, "2024-02-29"), day(t, "2024-03-01").AddDays(-1))
	require.Equal(t, day(t, "2025-03-01"), day(t, "2025-02-28").AddDays(1))
	require.Equal(t, d, d.AddDays(0))

	require.True(t, day(t, "2025-09-02").Before(d))
	require.True(t, day(t, "2024-12-31").Before(d))
	require.False(t, d.Before(d))
	require.True(t, day(t, "2025-10-01").After(d))
	require.False(t, d.After(d))

	require.Equal(t, d, DateOf(time.Date(2025, 9, 3, 23, 59, 0, 0, loadZone(t, "Asia/Tokyo"))))

	for _, bad := range []string{"", "2025-9-3", "2025-09-3", "20250903", "2025-13-01", "2025-02-30", "2025-02-29",
		"2025-09-03T00:00:00Z", "03-09-2025", "2025/09/03", " 2025-09-03"} {
		_, err := ParseDate(bad)
		require.ErrorContains(t, err, "invalid date", "%q", bad)
	}
	_, err := ParseDate("2025-02-30")
	require.ErrorContains(t, err, "day out of range")
}

func TestDateJSON(t *testing.T) {
	b, err := json.Marshal(day(t, "2025-10-03"))
	require.NoError(t, err)
	require.Equal(t, `"2025-10-03"`, string(b))

	var d Date
	require.NoError(t, json.Unmarshal([]byte(`"2024-02-29"`), &d))
	require.Equal(t, day(t, "2024-02-29"), d)
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	require.Equal(t, day(t, "2024-02-29"), d, "null leaves the date unchanged")
	require.Error(t, json.Unmarshal([]byte(`"2025-02-30"`), &d))
	require.Error(t, json.Unmarshal([]byte(`20250203`), &d))

	var p struct{ D *Date }
	require.NoError(t, json.Unmarshal([]byte(`{"D":null}`), &p))
	require.Nil(t, p.D)
}

func TestStartEndOf(t *testing.T) {
	ams := loadZone(t, "Europe/Amsterdam")
	tests := []struct {
		name  string
		zone  string
		date  string
		start string // RFC 3339
		hours time.Duration
	}{
		{"ordinary summer day", "Europe/Amsterdam", "2025-09-03", "2025-09-03T00:00:00+02:00", 24},
		{"DST starts: 23 hours", "Europe/Amsterdam", "2025-03-30", "2025-03-30T00:00:00+01:00", 23},
		{"DST ends: 25 hours", "Europe/Amsterdam", "2025-10-26", "2025-10-26T00:00:00+02:00", 25},
		{"London DST ends", "Europe/London", "2025-10-26", "2025-10-26T00:00:00+01:00", 25},
		{"Los Angeles DST starts", "America/Los_Angeles", "2025-03-09", "2025-03-09T00:00:00-08:00", 23},
		// Midnight skipped: the day begins at 01:00 (time.Date alone says 23:00 the day before).
		{"Sao Paulo 2018: midnight skipped", "America/Sao_Paulo", "2018-11-04", "2018-11-04T01:00:00-02:00", 23},
		{"Havana: midnight skipped", "America/Havana", "2024-03-10", "2024-03-10T01:00:00-04:00", 23},
		// Midnight repeated: the day begins at the first one.
		{"Havana: midnight repeated", "America/Havana", "2024-11-03", "2024-11-03T00:00:00-04:00", 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := loadZone(t, tc.zone)
			d := day(t, tc.date)
			want, err := time.Parse(time.RFC3339, tc.start)
			require.NoError(t, err)

			start := d.StartOf(loc)
			require.True(t, want.Equal(start), "StartOf = %s, want %s", start, want)
			require.Equal(t, loc, start.Location())
			require.Equal(t, d.AddDays(-1), DateOf(start.Add(-time.Nanosecond).In(loc)))

			end := d.EndOf(loc)
			require.Equal(t, d, DateOf(end))
			require.Equal(t, d.AddDays(1), DateOf(end.Add(time.Nanosecond).In(loc)))
			require.Equal(t, tc.hours*time.Hour-time.Nanosecond, end.Sub(start))
		})
	}

	// A deadline has passed once the clock is past the end of its day.
	due := day(t, "2025-10-03")
	require.False(t, time.Date(2025, 10, 3, 23, 59, 59, 0, ams).After(due.EndOf(ams)))
	require.True(t, time.Date(2025, 10, 4, 0, 0, 0, 0, ams).After(due.EndOf(ams)))
}

func TestPausedDays(t *testing.T) {
	start := day(t, "2025-09-03")
	require.Equal(t, 0, pausedDays(nil, start))
	require.Equal(t, 1, pausedDays([]Pause{pause(t, "2025-09-05", "2025-09-05")}, start))
	require.Equal(t, 6, pausedDays([]Pause{pause(t, "2025-09-10", "2025-09-15"), pause(t, "2025-09-10", "2025-09-15")}, start))
	require.Equal(t, 9, pausedDays([]Pause{pause(t, "2025-09-20", "2025-09-22"), pause(t, "2025-09-10", "2025-09-15")}, start))
	require.Equal(t, 10, pausedDays([]Pause{pause(t, "2025-09-10", "2025-09-19"), pause(t, "2025-09-12", "2025-09-13")}, start))
	require.Equal(t, 0, pausedDays([]Pause{pause(t, "2025-08-01", "2025-09-02")}, start))
	// Long pauses are counted, not enumerated.
	require.Equal(t, 3652, pausedDays([]Pause{pause(t, "2025-09-03", "2035-09-02")}, start))
}
