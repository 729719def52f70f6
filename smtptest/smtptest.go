// Package smtptest runs an in-process SMTP server for tests, in the spirit of
// net/http/httptest.
//
// A Server listens on 127.0.0.1 with an ephemeral port, records every message
// it accepts and parses it (headers, subject, text/plain and text/html parts)
// so tests can assert on what a real relay would have received. Options make
// it offer STARTTLS, speak implicit TLS, require authentication or fail on
// purpose, which lets a mail client's TLS, auth and retry paths be exercised
// over real sockets instead of mocks.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted (answered 250 to DATA).
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To holds the envelope recipients (RCPT TO), in order.
	To []string
	// Data is the raw message exactly as received, CRLF line endings included.
	Data []byte

	// Header is the parsed top-level header. Values are raw: encoded words
	// are not decoded, except in Subject below.
	Header mail.Header
	// Subject is the Subject header with RFC 2047 encoded words decoded.
	Subject string
	// TextBody and HTMLBody are the first text/plain and text/html parts
	// (or the single body when the message is not multipart), with the
	// quoted-printable or base64 transfer encoding removed and nothing else
	// changed: line breaks stay CRLF, and a single-part body keeps the final
	// CRLF that SMTP's DATA framing requires. Charsets are not converted.
	TextBody string
	HTMLBody string
	// ParseErr is set when the message could not be parsed; the raw Data and
	// envelope are still recorded so a test can see what went wrong.
	ParseErr error

	// TLS reports whether the session was under TLS (STARTTLS or implicit)
	// when the message was sent.
	TLS bool
	// Auth is the username the client authenticated as, or "" if it did not.
	Auth string
}

// Option configures a Server.
type Option func(*config)

type config struct {
	startTLS    bool
	implicitTLS bool
	user, pass  string
	failures    int
	rejectRcpt  []string
}

// WithStartTLS makes the server advertise STARTTLS, with a self-signed
// certificate generated in memory. Use Server.TLSConfig on the client side.
func WithStartTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte, like an
// SMTPS (port 465) relay. Use Server.TLSConfig on the client side.
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// WithAuth requires the client to authenticate with AUTH PLAIN as user/pass
// before MAIL FROM is accepted.
//
// Without TLS the server allows AUTH over the plain connection, because the
// test server only listens on loopback. Combined with WithStartTLS it behaves
// like a real relay and advertises AUTH only after STARTTLS, which checks that
// a client never sends credentials in clear text.
func WithAuth(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithFailures makes the first n DATA commands answer 451 (temporary local
// failure) after reading the message, so retry logic can be tested. Failed
// messages are not recorded.
func WithFailures(n int) Option { return func(c *config) { c.failures = n } }

// WithRejectRecipients makes RCPT TO answer 550 5.1.1 (mailbox unavailable)
// for the given addresses (compared case-insensitively), to test how a client
// handles permanent failures.
func WithRejectRecipients(addrs ...string) Option {
	return func(c *config) { c.rejectRcpt = append(c.rejectRcpt, addrs...) }
}

// Server is a running test SMTP server. It is closed automatically when the
// test that created it finishes.
type Server struct {
	// Addr is the listening address, "127.0.0.1:port".
	Addr string

	cfg       config
	srv       *smtp.Server
	clientTLS *tls.Config

	mu       sync.Mutex
	msgs     []Message
	failures int
	// changed is closed and replaced whenever a message is recorded, so any
	// number of WaitFor callers can wake up without a sync.Cond (which cannot
	// be combined with a timeout).
	changed chan struct{}
}

// NewServer starts a server on 127.0.0.1:0 and registers its shutdown with
// t.Cleanup. It fails the test if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()

	s := &Server{changed: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	s.failures = s.cfg.failures

	var serverTLS *tls.Config
	if s.cfg.startTLS || s.cfg.implicitTLS {
		cert, pool, err := selfSignedCert()
		if err != nil {
			t.Fatalf("smtptest: generate certificate: %v", err)
		}
		serverTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		// ServerName is filled in so the config also works with clients that
		// upgrade an existing connection (STARTTLS), where crypto/tls cannot
		// infer it from the dialled address.
		s.clientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	if s.cfg.implicitTLS {
		ln = tls.NewListener(ln, serverTLS)
	}
	s.Addr = ln.Addr().String()

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	// Timeouts keep a misbehaving client from hanging the test binary.
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	if s.cfg.startTLS {
		srv.TLSConfig = serverTLS
	}
	srv.AllowInsecureAuth = serverTLS == nil
	logger := &testLogger{t: t}
	srv.ErrorLog = logger
	s.srv = srv

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()

	t.Cleanup(func() {
		// Stop logging first: t.Logf after the test has finished panics.
		logger.stop()
		_ = srv.Close()
		// go-smtp only closes listeners Serve has already registered; if
		// the test ends before the goroutine got that far, Accept would
		// block forever, so close the listener here as well.
		_ = ln.Close()
		<-done
	})
	return s
}

// TLSConfig returns a client configuration that trusts the server's
// self-signed certificate, or nil when the server was started without TLS.
// Each call returns a fresh copy the caller may modify.
func (s *Server) TLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor blocks until at least n messages have been accepted and returns
// them. It fails the test (t.Fatalf) if that does not happen within timeout,
// so it must be called from the test goroutine.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return msgs
		}
		changed, got := s.changed, len(s.msgs)
		s.mu.Unlock()

		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("smtptest: waited %v for %d message(s), got %d", timeout, n, got)
			return nil
		}
	}
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// takeFailure reports whether this DATA command should fail, consuming one of
// the configured failures.
func (s *Server) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return true
	}
	return false
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

// session holds the state of one SMTP transaction. go-smtp creates a new one
// after STARTTLS, so authentication never carries over the TLS upgrade.
type session struct {
	srv  *Server
	conn *smtp.Conn

	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.srv.cfg.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.srv.cfg.user == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) ||
			username != ss.srv.cfg.user || password != ss.srv.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.cfg.user != "" && ss.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.srv.cfg.rejectRcpt {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.srv.takeFailure() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := Message{
		From: ss.from,
		To:   append([]string(nil), ss.to...),
		Data: data,
		TLS:  isTLS,
		Auth: ss.user,
	}
	m.ParseErr = parse(&m)
	ss.srv.record(m)
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// parse fills the parsed fields of m from m.Data.
func parse(m *Message) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	m.Header = msg.Header

	dec := mime.WordDecoder{}
	subject := msg.Header.Get("Subject")
	if decoded, err := dec.DecodeHeader(subject); err == nil {
		subject = decoded
	}
	m.Subject = subject

	return parsePart(m, msg.Header, msg.Body)
}

// partHeader is the subset of header access parsePart needs; it is satisfied
// by both net/mail and mime/multipart headers.
type partHeader interface{ Get(string) string }

// parsePart walks a (possibly multipart) entity and stores the first
// text/plain and text/html leaves it finds.
func parsePart(m *Message, h partHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain" // RFC 2045 default
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", ct, err)
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart, not NextPart: NextPart silently decodes only
			// quoted-printable, and decoding is done uniformly below.
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := parsePart(m, p.Header, p); err != nil {
				return err
			}
		}
	}

	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	text, err := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	switch {
	case mediaType == "text/plain" && m.TextBody == "":
		m.TextBody = text
	case mediaType == "text/html" && m.HTMLBody == "":
		m.HTMLBody = text
	}
	return nil
}

func decodeBody(cte string, body io.Reader) (string, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		// The base64 decoder skips the CRLFs that wrap encoded lines.
		r = base64.NewDecoder(base64.StdEncoding, body)
	default: // 7bit, 8bit, binary or absent
		r = body
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// selfSignedCert returns a certificate valid for 127.0.0.1, ::1 and localhost
// and a pool containing it. The certificate is its own CA so a client can
// trust it through RootCAs with full verification left on.
func selfSignedCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// testLogger forwards go-smtp's error log to the test log until the server is
// shut down; logging through t after the test has completed would panic.
type testLogger struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

var _ smtp.Logger = (*testLogger)(nil)

func (l *testLogger) Printf(format string, v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("smtptest: "+format, v...)
	}
}

func (l *testLogger) Println(v ...interface{}) {
	l.Printf("%s", strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}
