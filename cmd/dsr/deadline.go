package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsrcase/dsr/deadline"
)

const deadlineUsage = "usage: dsr deadline --regime REGIME --received TIME [--tz ZONE] [--calendar CAL] [--start DATE] [--pause FROM:TO]..."

// pauseFlag collects the repeatable --pause FROM:TO flag.
type pauseFlag []deadline.Pause

func (p *pauseFlag) String() string {
	parts := make([]string, len(*p))
	for i, v := range *p {
		parts[i] = v.From.String() + ":" + v.To.String()
	}
	return strings.Join(parts, ",")
}

// Set parses one FROM:TO. Whether TO comes before FROM is left to
// deadline.Compute, so that the CLI and the workflow reject the same pauses
// with the same words.
func (p *pauseFlag) Set(s string) error {
	from, to, ok := strings.Cut(s, ":")
	if !ok {
		return errors.New("want FROM:TO, e.g. 2025-09-10:2025-09-15")
	}
	f, err := deadline.ParseDate(from)
	if err != nil {
		return err
	}
	t, err := deadline.ParseDate(to)
	if err != nil {
		return err
	}
	*p = append(*p, deadline.Pause{From: f, To: t})
	return nil
}

// runDeadline implements "dsr deadline": it prints the deadlines of one
// request as a single JSON object and returns the exit status. It is separate
// from main so that tests can run it with their own arguments and writers.
//
// The contract (design/deadlines.md) is meant for scripts: on success exactly
// one JSON object with every key present; on bad input nothing on stdout, one
// line on stderr and status 2, so a caller can tell "bad request" from a
// result without parsing anything.
func runDeadline(args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		// User input can contain newlines (inside a quoted value or an unknown
		// flag name); escape them so the reason stays on one line.
		msg := strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(err.Error())
		fmt.Fprintf(stderr, "dsr deadline: %s\n", msg)
		return 2
	}

	fs := flag.NewFlagSet("deadline", flag.ContinueOnError)
	// The flag package would print its multi-line usage on every error; we
	// report the error ourselves, on one line.
	fs.SetOutput(io.Discard)
	regimeArg := fs.String("regime", "", "regime: gdpr, uk_gdpr, ccpa, ccpa_optout, lgpd, pipeda")
	receivedArg := fs.String("received", "", "when the request arrived: RFC 3339 or YYYY-MM-DD (local to the zone)")
	tzArg := fs.String("tz", "", "IANA time zone (default: the regime's)")
	calArg := fs.String("calendar", "", "holiday calendar code (default: the regime's)")
	startArg := fs.String("start", "", "late start date YYYY-MM-DD (gdpr, uk_gdpr)")
	var pauses pauseFlag
	fs.Var(&pauses, "pause", "clock stop FROM:TO, inclusive (gdpr, uk_gdpr); repeatable")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, deadlineUsage)
			return 0
		}
		return fail(err)
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"regime", "received"} {
		if !set[name] {
			return fail(fmt.Errorf("--%s is required (%s)", name, deadlineUsage))
		}
	}
	// An explicitly empty value is most likely an unset shell variable;
	// silently falling back to the default would hide that.
	for _, name := range []string{"regime", "received", "tz", "calendar", "start"} {
		if set[name] && strings.TrimSpace(fs.Lookup(name).Value.String()) == "" {
			return fail(fmt.Errorf("--%s must not be empty", name))
		}
	}

	regime, err := deadline.ParseRegime(*regimeArg)
	if err != nil {
		return fail(err)
	}
	var zone *time.Location
	if set["tz"] {
		// "Local" would make the answer depend on the machine it runs on.
		if *tzArg == "Local" {
			return fail(errors.New(`unknown time zone "Local": give an IANA name such as Europe/Berlin`))
		}
		zone, err = time.LoadLocation(*tzArg)
		if err != nil {
			return fail(fmt.Errorf("unknown time zone %q", *tzArg))
		}
	}
	received, err := parseReceived(*receivedArg, zone, regime)
	if err != nil {
		return fail(err)
	}
	in := deadline.Input{
		Regime:   regime,
		Received: received,
		Zone:     zone,
		Calendar: *calArg,
		Pauses:   pauses,
	}
	if set["start"] {
		start, err := deadline.ParseDate(*startArg)
		if err != nil {
			return fail(fmt.Errorf("--start: %w", err))
		}
		in.Start = &start
	}

	res, err := deadline.Compute(in)
	if err != nil {
		return fail(err)
	}
	// Encode before writing so that nothing reaches stdout on failure.
	out, err := json.Marshal(res)
	if err != nil {
		return fail(err)
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", out); err != nil {
		fmt.Fprintf(stderr, "dsr deadline: writing result: %v\n", err)
		return 1
	}
	return 0
}

// parseReceived reads --received: an RFC 3339 instant, or a bare date taken
// as the start of that day in the zone (or the regime's default zone), so
// that the receipt date is the date the user typed.
func parseReceived(s string, zone *time.Location, regime deadline.Regime) (time.Time, error) {
	t, rfcErr := time.Parse(time.RFC3339, s)
	if rfcErr == nil {
		return t, nil
	}
	d, dateErr := deadline.ParseDate(s)
	if dateErr == nil {
		if zone == nil {
			zone = deadline.DefaultZone(regime)
		}
		return d.StartOf(zone), nil
	}
	// When the value has the right shape and only a field is out of range,
	// say which ("day out of range") rather than repeating the formats.
	if strings.Contains(s, ":") {
		if why := outOfRange(rfcErr); why != "" {
			return time.Time{}, fmt.Errorf("invalid --received %q: %s", s, why)
		}
	} else if _, err := time.Parse(time.DateOnly, s); outOfRange(err) != "" {
		return time.Time{}, fmt.Errorf("--received: %w", dateErr)
	}
	return time.Time{}, fmt.Errorf("invalid --received %q: want RFC 3339 (2025-09-02T23:30:00Z) or a date (2025-09-03)", s)
}

// outOfRange returns the reason of a time.Parse error about a field out of
// range ("hour out of range"), or "" for any other error.
func outOfRange(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return ""
}
