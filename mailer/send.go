package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// maxIDLen keeps the Message-ID header well inside the 998-octet line limit
// of RFC 5322 whatever the sender domain.
const maxIDLen = 200

// Send delivers m over a fresh connection. A connection per message keeps the
// Sender trivially safe for concurrent use and means a broken connection can
// never poison later sends; the volume of DSR correspondence does not justify
// a pool.
//
// ctx bounds the whole exchange: cancelling it aborts the dial and closes the
// connection mid-session. A cancellation after the final DATA dot may still
// leave the message delivered; retrying is safe because receivers can
// de-duplicate on the Message-ID derived from m.ID.
func (s *smtpSender) Send(ctx context.Context, m Message) error {
	msg, err := s.buildMsg(m)
	if err != nil {
		return &sendError{id: m.ID, op: "build message", err: err, permanent: true}
	}
	if err := ctx.Err(); err != nil {
		return &sendError{id: m.ID, op: "send aborted", err: err}
	}

	// go-mail only honours ctx while dialling, so the connection is captured
	// here and closed when ctx is done; that unblocks any pending read or
	// write. Closing (rather than setting a deadline) matters because go-mail
	// resets deadlines between commands.
	var (
		mu   sync.Mutex
		conn net.Conn
	)
	closeConn := func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
	}
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		c, err := s.dial(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		conn = c
		mu.Unlock()
		// ctx may have been cancelled between the dial succeeding and conn
		// being recorded, in which case the AfterFunc below saw no conn.
		if ctx.Err() != nil {
			closeConn()
		}
		return c, nil
	}
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	// go-mail does not close the connection when EHLO, STARTTLS or AUTH
	// fail, so always close it here; a second Close after QUIT is harmless.
	defer closeConn()

	client, err := gomail.NewClient(s.host, s.clientOptions(dial)...)
	if err != nil {
		return &sendError{id: m.ID, op: "configure client", err: err}
	}

	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return &sendError{id: m.ID, op: "send aborted", err: cerr}
		}
		return &sendError{id: m.ID, op: "connect to " + s.addr(), err: err}
	}

	sendErr := client.SendWithSMTPClient(sc, msg)
	// Once the server has accepted DATA the message is its responsibility.
	// Errors after that (the RSET go-mail sends, or QUIT) must not be
	// reported, or the caller would retry and send a duplicate.
	delivered := msg.IsDelivered()
	_ = client.CloseWithSMTPClient(sc)
	if delivered {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return &sendError{id: m.ID, op: "send aborted", err: cerr}
	}
	return transactionError(m.ID, sendErr)
}

// dial ignores the address go-mail passes in: go-mail formats it as
// host:port without brackets, which breaks IPv6 literals.
func (s *smtpSender) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	addr := s.addr()
	if s.mode == tlsImplicit {
		d := tls.Dialer{NetDialer: &s.dialer, Config: s.tlsConf}
		return d.DialContext(ctx, network, addr)
	}
	return s.dialer.DialContext(ctx, network, addr)
}

func (s *smtpSender) addr() string {
	return net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

func (s *smtpSender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConf),
		gomail.WithDialContextFunc(dial),
		// The connection is brand new; a NOOP before MAIL FROM only costs
		// a round trip.
		gomail.WithoutNoop(),
	}
	switch s.mode {
	case tlsImplicit:
		// dial already wraps the connection in TLS; WithSSL stops go-mail
		// from also attempting STARTTLS.
		opts = append(opts, gomail.WithSSL())
	case tlsRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		// PLAIN explicitly, not auto-discovery: go-mail's PLAIN refuses to
		// send credentials over an unencrypted connection (except to
		// localhost), which is exactly the guard wanted here.
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.user),
			gomail.WithPassword(s.pass),
		)
	}
	return opts
}

func (s *smtpSender) buildMsg(m Message) (*gomail.Msg, error) {
	if err := validateID(m.ID); err != nil {
		return nil, err
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		// The parser's message can quote part of the address; leave it out.
		return nil, errors.New("invalid recipient address")
	}
	if m.Text == "" {
		return nil, errors.New("empty text body")
	}

	// No X-Mailer: advertising the library version helps nobody but an
	// attacker.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(m.ID + "@" + s.domain)
	msg.SetDate()
	// UTF-8 and quoted-printable are go-mail's defaults: readable for
	// ASCII-heavy text, safe through relays without 8BITMIME.
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// validateID accepts a dot-atom (RFC 5322 id-left), so "<ID@domain>" is a
// valid Message-ID and no header injection is possible through it.
func validateID(id string) error {
	if id == "" {
		return errors.New("empty message ID")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("message ID longer than %d bytes", maxIDLen)
	}
	if id[0] == '.' || id[len(id)-1] == '.' || strings.Contains(id, "..") {
		return errors.New("message ID must not start or end with '.' or contain '..'")
	}
	for i := 0; i < len(id); i++ {
		if !isAtext(id[i]) && id[i] != '.' {
			return fmt.Errorf("message ID contains invalid character %q", id[i])
		}
	}
	return nil
}

func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// oneLine folds line breaks into spaces. go-mail would encode them anyway,
// but a subject is one line and receivers render encoded newlines poorly.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}
