// Package config reads the product's settings from DSR_* environment
// variables. Every setting has a default that runs on one machine, so that
// `dsr dev` works with no configuration at all.
package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting. The README's settings table documents them.
type Config struct {
	DatabaseURL        string
	TemporalAddress    string // empty: `dsr dev` starts a dev server
	TemporalNamespace  string
	TaskQueue          string // lets several deployments share one Temporal namespace
	TemporalDevPort    int
	TemporalDevUIPort  int
	TemporalCLI        string // path of Temporal's CLI for `dsr dev`
	Listen             string
	BaseURL            string
	SMTPURL            string // empty: messages stay in the outbox
	MailFrom           string
	DataDir            string
	VerifyWithin       time.Duration // how long a requester has to confirm their address
	ReminderDays       []int         // days before the due date the assignee is reminded
	EscalateEvery      time.Duration // how often managers hear of an overdue case
	SessionLifetime    time.Duration
	ComplaintAuthority string // named in denial notices
	Organisation       string // the controller's name in messages and pages
}

// Load reads the environment. An invalid value is an error that names its
// variable, so that a typo never silently falls back to a default.
func Load() (Config, error) {
	return load(os.Getenv)
}

func load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		DataDir:            r.str("DSR_DATA_DIR", "./data"),
		TemporalAddress:    r.str("DSR_TEMPORAL_ADDRESS", ""),
		TemporalNamespace:  r.str("DSR_TEMPORAL_NAMESPACE", "default"),
		TaskQueue:          r.str("DSR_TEMPORAL_TASK_QUEUE", "dsr"),
		TemporalDevPort:    r.port("DSR_TEMPORAL_DEV_PORT", 7233),
		TemporalDevUIPort:  r.port("DSR_TEMPORAL_UI_PORT", 8233),
		TemporalCLI:        r.str("DSR_TEMPORAL_CLI", ""),
		Listen:             r.str("DSR_LISTEN", "127.0.0.1:8080"),
		SMTPURL:            r.str("DSR_SMTP_URL", ""),
		MailFrom:           r.str("DSR_MAIL_FROM", "privacy@localhost"),
		VerifyWithin:       r.days("DSR_VERIFY_DAYS", 14),
		ReminderDays:       r.dayList("DSR_REMINDER_DAYS", []int{7, 3, 1}),
		EscalateEvery:      r.days("DSR_ESCALATE_DAYS", 3),
		SessionLifetime:    r.duration("DSR_SESSION_LIFETIME", 12*time.Hour),
		ComplaintAuthority: r.str("DSR_COMPLAINT_AUTHORITY", "the Dutch Data Protection Authority (Autoriteit Persoonsgegevens), https://autoriteitpersoonsgegevens.nl"),
		Organisation:       r.str("DSR_ORGANISATION", "Example Communications B.V."),
	}
	c.DatabaseURL = r.str("DSR_DATABASE_URL", "sqlite://"+filepath.Join(c.DataDir, "dsr.db"))
	c.BaseURL = strings.TrimRight(r.str("DSR_BASE_URL", "http://"+c.Listen), "/")
	if r.err == nil {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.err = fmt.Errorf("DSR_BASE_URL: %q is not an http(s) URL", c.BaseURL)
		}
	}
	return c, r.err
}

// reader collects the first error so that Load reads like the table it implements.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) int(name string, def, min, max int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.fail(fmt.Errorf("%s: %q is not a whole number from %d to %d", name, v, min, max))
		return def
	}
	return n
}

func (r *reader) port(name string, def int) int { return r.int(name, def, 1, 65535) }

func (r *reader) days(name string, def int) time.Duration {
	return time.Duration(r.int(name, def, 1, 365)) * 24 * time.Hour
}

// dayList reads a comma-separated list of day counts such as "7,3,1".
func (r *reader) dayList(name string, def []int) []int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	var out []int
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 365 {
			r.fail(fmt.Errorf("%s: %q is not a list of whole numbers of days such as 7,3,1", name, v))
			return def
		}
		out = append(out, n)
	}
	return out
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(fmt.Errorf("%s: %q is not a positive duration such as 12h", name, v))
		return def
	}
	return d
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}
