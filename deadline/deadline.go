// Package deadline computes the statutory response deadlines of a data
// subject request: when it must be acknowledged, when it is due, when an
// extension must be announced and when the extended period ends.
//
// It implements the design note "Deadlines" (design/deadlines.md). The case
// workflow, the web UI and the "dsr deadline" command all call Compute, so
// that every part of the system agrees on the same dates.
//
// Deadlines are civil dates, not instants: the law counts days in the
// controller's time zone, so a request that arrives at 23:30 UTC on 2 September
// is received on 3 September in Amsterdam. A deadline is the end of its day;
// Date.EndOf turns it into an instant for timers and reminders.
//
// Two ways of counting exist:
//
//   - the month rule (gdpr, uk_gdpr; Regulation 1182/71 and ICO guidance):
//     the same day-of-month one (or, extended, three) months after the start,
//     clipped to the end of a shorter month, then rolled forward to the next
//     working day when it falls on a weekend or public holiday. These regimes
//     also honour a late start (the clock starts when requested identity
//     information arrives) and pauses (days waiting for a clarification do
//     not count).
//   - calendar and business days (ccpa, ccpa_optout, lgpd, pipeda): calendar
//     day deadlines are never rolled, business-day counts skip weekends and
//     the calendar's holidays. These periods run from receipt regardless of a
//     late start or pauses.
//
// Holiday calendars come from github.com/rickar/cal/v2 (see Calendars), and
// the tz database is embedded so that results do not depend on the host's
// zoneinfo files (minimal containers often have none).
package deadline

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // the deadline must not depend on the host's zoneinfo
)

// Regime is the legal regime whose deadlines apply to a request.
type Regime string

// The supported regimes.
const (
	GDPR       Regime = "gdpr"        // EU/EEA GDPR, Art. 12(3)
	UKGDPR     Regime = "uk_gdpr"     // UK GDPR
	CCPA       Regime = "ccpa"        // CCPA/CPRA requests to know, delete, correct
	CCPAOptOut Regime = "ccpa_optout" // CCPA requests to opt out of sale/sharing
	LGPD       Regime = "lgpd"        // Brazil, LGPD Art. 19 (full report)
	PIPEDA     Regime = "pipeda"      // Canada, PIPEDA s. 8
)

// regimeDefaults holds the per-regime defaults of the design's table. The
// zone names are resolved once, at start-up, by init.
var regimeDefaults = map[Regime]struct {
	zone     string
	calendar string
}{
	GDPR:       {"Europe/Amsterdam", "NL"},
	UKGDPR:     {"Europe/London", "GB-ENG"},
	CCPA:       {"America/Los_Angeles", "US"},
	CCPAOptOut: {"America/Los_Angeles", "US"},
	LGPD:       {"America/Sao_Paulo", "BR"},
	PIPEDA:     {"America/Toronto", "CA"},
}

var defaultZones = map[Regime]*time.Location{}

func init() {
	for r, d := range regimeDefaults {
		loc, err := time.LoadLocation(d.zone)
		if err != nil {
			// Cannot happen with time/tzdata embedded; failing loudly beats
			// silently computing deadlines in UTC.
			panic(fmt.Sprintf("deadline: loading time zone %s: %v", d.zone, err))
		}
		defaultZones[r] = loc
	}
}

// Regimes returns the supported regimes, sorted.
func Regimes() []Regime {
	rs := make([]Regime, 0, len(regimeDefaults))
	for r := range regimeDefaults {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	return rs
}

// ParseRegime returns the regime named s. Case and surrounding blanks are
// ignored, so "GDPR" from a form or a configuration file is accepted; the
// result is always the canonical lower-case constant.
func ParseRegime(s string) (Regime, error) {
	r := Regime(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := regimeDefaults[r]; !ok {
		names := make([]string, 0, len(regimeDefaults))
		for _, k := range Regimes() {
			names = append(names, string(k))
		}
		return "", fmt.Errorf("unknown regime %q (known: %s)", s, strings.Join(names, ", "))
	}
	return r, nil
}

// DefaultZone returns the time zone in which the regime counts days when the
// controller has not configured another one, or nil for an unknown regime.
func DefaultZone(r Regime) *time.Location {
	return defaultZones[r]
}

// DefaultCalendar returns the holiday calendar code the regime uses when the
// controller has not configured another one, or "" for an unknown regime.
func DefaultCalendar(r Regime) string {
	return regimeDefaults[r].calendar
}

// ForCountry returns the regime for a data subject's country: an ISO 3166-1
// alpha-2 code ("NL") or an ISO 3166-2 subdivision ("US-CA"), case-insensitive.
// Only California has a US regime, so "US" and other states fall through to
// the default; other subdivisions take their country's regime ("GB-SCT" is
// uk_gdpr). Anything unknown or empty gives gdpr, the strictest common
// baseline, so that a request of unknown origin still gets a deadline.
func ForCountry(country string) Regime {
	code := strings.ToUpper(strings.TrimSpace(country))
	if code == "US-CA" {
		return CCPA
	}
	cc, _, _ := strings.Cut(code, "-")
	switch cc {
	case "GB":
		return UKGDPR
	case "BR":
		return LGPD
	case "CA":
		return PIPEDA
	}
	// The EU/EEA countries, and everything not listed above.
	return GDPR
}

// Date is a civil (calendar) date with no time zone. Deadlines are dates:
// their instant depends on the zone they are read in (see EndOf).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's own location; convert first
// (t.In(loc)) to get the date somewhere else.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date in the form YYYY-MM-DD, rejecting impossible
// dates such as 2025-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			// e.g. ": day out of range"
			return Date{}, fmt.Errorf("invalid date %q: %s", s, strings.TrimPrefix(pe.Message, ": "))
		}
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// noonUTC is d as an instant that stays on the same date under any
// normalisation; date arithmetic goes through it.
func (d Date) noonUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
}

// valid reports whether d names a real day (a Date built as a struct literal
// may not).
func (d Date) valid() bool {
	return d.Month >= time.January && d.Month <= time.December && DateOf(d.noonUTC()) == d
}

// AddDays returns the date n calendar days after d (before d if n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(d.noonUTC().AddDate(0, 0, n))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return d.noonUTC().Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// After reports whether d is later than e.
func (d Date) After(e Date) bool {
	return e.Before(d)
}

// StartOf returns the first instant of d in loc.
//
// It is not simply time.Date(…, 0, 0, 0, 0, loc): where a clock change skips
// midnight (America/Sao_Paulo until 2019, America/Havana) time.Date resolves
// the missing midnight to 23:00 the day before, and where midnight occurs
// twice it does not promise the earlier one. So the common case is checked
// and the rare one searched for.
func (d Date) StartOf(loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if DateOf(t) == d && DateOf(t.Add(-time.Nanosecond)).Before(d) {
		return t
	}
	// Binary search for the first instant whose local date is not before d.
	// UTC offsets lie within -12h..+14h, so local midnight of d happens
	// between lo and hi.
	wall := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	lo, hi := wall.Add(-15*time.Hour), wall.Add(13*time.Hour)
	for hi.Sub(lo) > time.Nanosecond {
		mid := lo.Add(hi.Sub(lo) / 2)
		if DateOf(mid.In(loc)).Before(d) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.In(loc)
}

// EndOf returns the last instant of d in loc: the first instant of the next
// day minus one nanosecond, so that "deadline passed" is simply
// now.After(d.EndOf(loc)). Days shortened or lengthened by a DST change are
// handled (see StartOf).
func (d Date) EndOf(loc *time.Location) time.Time {
	return d.AddDays(1).StartOf(loc).Add(-time.Nanosecond)
}

// MarshalJSON encodes the date as a JSON string "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON decodes a JSON string "YYYY-MM-DD"; null leaves d unchanged,
// as encoding/json does for other types.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD: %w", err)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Pause is a clarification request sent on From and answered on To; both
// days are part of the pause.
type Pause struct {
	From, To Date
}

// Input describes a request for Compute.
type Input struct {
	Regime   Regime
	Received time.Time      // the instant the request arrived
	Zone     *time.Location // nil: the regime's default (DefaultZone)
	Calendar string         // "": the regime's default (DefaultCalendar)
	Start    *Date          // late start: the day requested identity information arrived (gdpr/uk_gdpr only)
	Pauses   []Pause        // clock stops (gdpr/uk_gdpr only; validated for all regimes)
}

// Result holds the dates of a request. A date that the regime does not have
// is nil, and is encoded as JSON null so that every key is always present.
type Result struct {
	Regime            Regime `json:"regime"`
	Received          Date   `json:"received"`
	Due               Date   `json:"due"`
	ExtensionNoticeBy *Date  `json:"extension_notice_by"`
	ExtendedDue       *Date  `json:"extended_due"`
	AcknowledgeBy     *Date  `json:"acknowledge_by"`
}

// Compute validates in and returns the request's deadlines.
//
// The receipt date is the date of in.Received in the regime's (or the
// given) time zone; a request received on a weekend or holiday still counts
// as received that day. Errors describe the offending input: unknown regime
// or calendar, missing received time, an impossible date, a late start
// before receipt, or a pause that ends before it starts or starts before
// receipt. Start and pauses are validated for every regime, even those that
// ignore them, because such data is wrong wherever it is stored.
func Compute(in Input) (Result, error) {
	regime, err := ParseRegime(string(in.Regime))
	if err != nil {
		return Result{}, err
	}
	if in.Received.IsZero() {
		return Result{}, errors.New("received time is required")
	}
	zone := in.Zone
	if zone == nil {
		zone = DefaultZone(regime)
	}
	calCode := in.Calendar
	if calCode == "" {
		calCode = DefaultCalendar(regime)
	}
	// Built even for calendar-day regimes, so that a misconfigured calendar
	// is reported at once rather than when the regime changes.
	bc, err := newCalendar(calCode)
	if err != nil {
		return Result{}, err
	}
	working := func(d Date) bool { return isWorkingDay(bc, d) }

	received := DateOf(in.Received.In(zone))
	start := received
	if in.Start != nil {
		if !in.Start.valid() {
			return Result{}, fmt.Errorf("invalid start date %s", *in.Start)
		}
		if in.Start.Before(received) {
			return Result{}, fmt.Errorf("start date %s is before the receipt date %s", *in.Start, received)
		}
		start = *in.Start
	}
	for _, p := range in.Pauses {
		if !p.From.valid() || !p.To.valid() {
			return Result{}, fmt.Errorf("invalid pause %s:%s", p.From, p.To)
		}
		if p.To.Before(p.From) {
			return Result{}, fmt.Errorf("pause %s:%s ends before it starts", p.From, p.To)
		}
		if p.From.Before(received) {
			return Result{}, fmt.Errorf("pause %s:%s starts before the receipt date %s", p.From, p.To, received)
		}
	}

	res := Result{Regime: regime, Received: received}
	switch regime {
	case GDPR, UKGDPR:
		paused := pausedDays(in.Pauses, start)
		res.Due = rollForward(addMonths(start, 1).AddDays(paused), working)
		ext := rollForward(addMonths(start, 3).AddDays(paused), working)
		res.ExtendedDue = &ext
		notice := res.Due
		res.ExtensionNoticeBy = &notice
	case CCPA:
		ack := addBusinessDays(received, 10, working)
		res.AcknowledgeBy = &ack
		res.Due = received.AddDays(45)
		ext := received.AddDays(90)
		res.ExtendedDue = &ext
		notice := res.Due
		res.ExtensionNoticeBy = &notice
	case CCPAOptOut:
		res.Due = addBusinessDays(received, 15, working)
	case LGPD:
		res.Due = received.AddDays(15)
	case PIPEDA:
		res.Due = received.AddDays(30)
		ext := received.AddDays(60)
		res.ExtendedDue = &ext
		notice := res.Due
		res.ExtensionNoticeBy = &notice
	}
	return res, nil
}

// addMonths applies the month rule: the same day-of-month n months after d,
// or the last day of that month if it is shorter (31 January + 1 month is
// 28 or 29 February). time.AddDate would overflow into March instead.
func addMonths(d Date, n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// rollForward moves d to the first working day on or after it.
func rollForward(d Date, working func(Date) bool) Date {
	for !working(d) {
		d = d.AddDays(1)
	}
	return d
}

// addBusinessDays returns the n-th working day after d. The day of receipt
// never counts, even when it is a working day: "10 business days after
// receipt" of a request received on a Monday ends on the second Friday.
func addBusinessDays(d Date, n int, working func(Date) bool) Date {
	for n > 0 {
		d = d.AddDays(1)
		if working(d) {
			n--
		}
	}
	return d
}

// pausedDays counts the days on which the clock is stopped: the distinct days
// covered by the pauses, from start on. Days covered by two overlapping
// pauses count once (a day cannot stop the clock twice), and days before a
// late start count not at all (the clock had not started, and the late start
// already gives them back). Intervals are merged rather than days collected
// so that an absurdly long pause costs no memory.
func pausedDays(pauses []Pause, start Date) int {
	spans := make([]Pause, 0, len(pauses))
	for _, p := range pauses {
		if p.From.Before(start) {
			p.From = start
		}
		if !p.To.Before(p.From) {
			spans = append(spans, p)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].From.Before(spans[j].From) })
	total := 0
	for i := 0; i < len(spans); {
		from, to := spans[i].From, spans[i].To
		for i++; i < len(spans) && !spans[i].From.After(to.AddDays(1)); i++ {
			if spans[i].To.After(to) {
				to = spans[i].To
			}
		}
		total += daysBetween(from, to) + 1
	}
	return total
}

// daysBetween returns the number of days from d to e (negative if e is
// earlier). It goes through Unix seconds because a time.Duration overflows
// after 292 years.
func daysBetween(d, e Date) int {
	return int((e.noonUTC().Unix() - d.noonUTC().Unix()) / 86400)
}

// DueInstant is the last instant of a due date in zone, at the microsecond
// precision databases keep: the moment after which a case is overdue.
func DueInstant(d Date, zone *time.Location) time.Time {
	return d.EndOf(zone).UTC().Truncate(time.Microsecond)
}
