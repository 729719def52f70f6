// Package mailer delivers outgoing e-mail (acknowledgements, deadline notices
// and other data-subject-request correspondence) to an SMTP relay.
//
// The relay is configured with a single URL so it fits in one environment
// variable:
//
//	smtp://[user:pass@]host[:port]               STARTTLS when the server offers it (port 25)
//	smtp://[user:pass@]host[:port]?tls=required  STARTTLS or fail
//	smtps://[user:pass@]host[:port]              implicit TLS (port 465)
//
// User and password are percent-decoded, so encode '@', ':', '/' and '%' in
// them. When a user is given the Sender authenticates with AUTH PLAIN, which
// go-mail refuses to do over an unencrypted connection to anything but
// localhost. TLS certificates are always verified, also for opportunistic
// STARTTLS: a relay offering STARTTLS with an untrusted certificate is an
// error, not a reason to fall back to clear text.
//
// Every message carries a caller-chosen ID that becomes its Message-ID, so a
// retried send after an ambiguous failure (e.g. a timeout after DATA) can be
// de-duplicated by receivers. IsPermanent tells the caller when retrying is
// pointless.
//
// The package never logs: message bodies and addresses are personal data, and
// the errors it returns are built so they do not contain them either.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds connecting (TCP, TLS handshake, EHLO, AUTH) and,
// separately, the mail transaction, unless WithTimeout says otherwise.
const DefaultTimeout = 30 * time.Second

// Message is one outgoing e-mail with a single recipient.
type Message struct {
	// ID is a stable idempotency key for this logical message (the same on
	// every retry). It becomes the Message-ID <ID@domain-of-from>, so it must
	// be non-empty and consist of letters, digits and !#$%&'*+-/=?^_`{|}~.
	// (UUIDs and ULIDs qualify).
	ID string
	// To is the recipient, a bare address or "Name <address>".
	To      string
	Subject string
	// Text is the plain-text body; it is always sent.
	Text string
	// HTML is an optional HTML rendering of Text. When set the message is
	// multipart/alternative.
	HTML string
}

// Sender sends messages. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Option configures a Sender created by New.
type Option func(*options)

type options struct {
	tlsConfig *tls.Config
	timeout   time.Duration
}

// WithTLSConfig sets the TLS configuration used for STARTTLS and implicit
// TLS, e.g. to trust a private CA. If its ServerName is empty it is set to
// the host from the URL, so the certificate is always verified against it.
func WithTLSConfig(c *tls.Config) Option {
	return func(o *options) { o.tlsConfig = c }
}

// WithTimeout overrides DefaultTimeout. Values <= 0 are ignored.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// Configured reports whether smtpURL is set, i.e. whether the application
// should create a Sender at all. New rejects an empty URL rather than
// returning a nil Sender, so a missing configuration cannot turn into a nil
// pointer dereference far from where it was made.
func Configured(smtpURL string) bool {
	return strings.TrimSpace(smtpURL) != ""
}

// ErrNoSMTP is returned by New when smtpURL is empty.
var ErrNoSMTP = errors.New("mailer: no SMTP URL configured")

type tlsMode int

const (
	tlsOpportunistic tlsMode = iota // STARTTLS if offered
	tlsRequired                     // STARTTLS or fail
	tlsImplicit                     // TLS from the first byte (smtps)
)

type smtpSender struct {
	host    string
	port    int
	mode    tlsMode
	user    string
	pass    string
	from    *mail.Address
	domain  string
	tlsConf *tls.Config
	timeout time.Duration
	dialer  net.Dialer
}

// New returns a Sender that delivers through the relay described by smtpURL
// with from as the From address (bare or "Name <address>"). It only validates
// the configuration; no connection is made until Send.
func New(smtpURL, from string, opts ...Option) (Sender, error) {
	if !Configured(smtpURL) {
		return nil, ErrNoSMTP
	}
	o := options{timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}

	s := &smtpSender{timeout: o.timeout}
	if err := s.parseURL(strings.TrimSpace(smtpURL)); err != nil {
		return nil, err
	}

	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer: invalid from address: %w", err)
	}
	s.from = addr
	s.domain = strings.ToLower(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:])
	// The domain ends up in every Message-ID, which must be plain ASCII.
	if !isASCII(s.domain) {
		return nil, errors.New("mailer: invalid from address: domain must be ASCII (use its punycode form)")
	}

	// Clone so later changes by the caller cannot race with sends, and fill
	// in ServerName: STARTTLS upgrades an existing connection, where
	// crypto/tls cannot infer the name to verify from the dialled address.
	if o.tlsConfig != nil {
		s.tlsConf = o.tlsConfig.Clone()
	} else {
		s.tlsConf = &tls.Config{}
	}
	if s.tlsConf.ServerName == "" {
		s.tlsConf.ServerName = s.host
	}
	if s.tlsConf.MinVersion == 0 {
		s.tlsConf.MinVersion = tls.VersionTLS12
	}
	s.dialer = net.Dialer{Timeout: s.timeout}
	return s, nil
}

func (s *smtpSender) parseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included; keep only
		// the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("mailer: invalid SMTP URL: %w", err)
	}

	var defaultPort int
	switch u.Scheme {
	case "smtp":
		defaultPort = 25
	case "smtps":
		defaultPort = 465
		s.mode = tlsImplicit
	case "":
		return errors.New("mailer: invalid SMTP URL: missing scheme (want smtp:// or smtps://)")
	default:
		return fmt.Errorf("mailer: invalid SMTP URL: unsupported scheme %q (want smtp or smtps)", u.Scheme)
	}
	if u.Opaque != "" {
		return fmt.Errorf("mailer: invalid SMTP URL: want %s://host[:port]", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return errors.New("mailer: invalid SMTP URL: unexpected path")
	}
	if u.Fragment != "" {
		return errors.New("mailer: invalid SMTP URL: unexpected fragment")
	}

	s.host = u.Hostname()
	if s.host == "" {
		return errors.New("mailer: invalid SMTP URL: missing host")
	}
	s.port = defaultPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("mailer: invalid SMTP URL: invalid port %q", p)
		}
		s.port = n
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("mailer: invalid SMTP URL: query: %w", err)
	}
	for k, v := range q {
		// Unknown parameters are errors, not ignored: a misspelt
		// "tls=required" must not silently downgrade to opportunistic TLS.
		if k != "tls" {
			return fmt.Errorf("mailer: invalid SMTP URL: unknown parameter %q", k)
		}
		if len(v) != 1 {
			return errors.New("mailer: invalid SMTP URL: tls given more than once")
		}
		if s.mode == tlsImplicit {
			return errors.New("mailer: invalid SMTP URL: tls parameter is not allowed with smtps (always TLS)")
		}
		switch v[0] {
		case "required":
			s.mode = tlsRequired
		case "opportunistic":
			s.mode = tlsOpportunistic
		default:
			return fmt.Errorf("mailer: invalid SMTP URL: invalid tls value %q (want required or opportunistic)", v[0])
		}
	}

	if u.User != nil {
		// url.Parse has already percent-decoded both parts.
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return errors.New("mailer: invalid SMTP URL: empty user name")
		}
	}
	return nil
}
