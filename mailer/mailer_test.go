// The tests are in package mailer (not mailer_test) only so the URL table can
// check resolved ports and TLS modes; everything else goes through the public
// API against a real SMTP server on loopback.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/smtptest"
)

const wait = 5 * time.Second

func newSender(t *testing.T, smtpURL string, opts ...Option) Sender {
	t.Helper()
	s, err := New(smtpURL, "DSR Team <dsr@example.org>", opts...)
	require.NoError(t, err)
	return s
}

func TestSendTextAndHTML(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)

	m := Message{
		ID:      "case-42.ack",
		To:      "Alice Example <alice@example.com>",
		Subject: "We received your request",
		Text:    "Hello Alice,\nwe received your access request.\n",
		HTML:    "<p>Hello Alice,</p><p>we received your access request.</p>",
	}
	require.NoError(t, s.Send(context.Background(), m))
	// Same ID again, as a retry would do: same Message-ID, so receivers
	// can drop the duplicate.
	require.NoError(t, s.Send(context.Background(), m))

	msgs := srv.WaitFor(t, 2, wait)
	got := msgs[0]
	require.NoError(t, got.ParseErr)
	require.Equal(t, "dsr@example.org", got.From)
	require.Equal(t, []string{"alice@example.com"}, got.To)
	require.Equal(t, m.Subject, got.Subject)
	require.Equal(t, strings.ReplaceAll(m.Text, "\n", "\r\n"), got.TextBody)
	require.Equal(t, m.HTML, got.HTMLBody)
	require.Equal(t, "<case-42.ack@example.org>", got.Header.Get("Message-ID"))
	require.Equal(t, got.Header.Get("Message-ID"), msgs[1].Header.Get("Message-ID"))
	require.Contains(t, got.Header.Get("From"), "dsr@example.org")
	require.Contains(t, got.Header.Get("To"), "alice@example.com")
	require.Contains(t, got.Header.Get("Content-Type"), "multipart/alternative")
	_, err := got.Header.Date()
	require.NoError(t, err, "Date header must be present and valid")
	require.Empty(t, got.Header.Get("X-Mailer"))
	require.False(t, got.TLS)
	require.Empty(t, got.Auth)
}

func TestSendTextOnly(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)

	require.NoError(t, s.Send(context.Background(), Message{
		ID: "id1", To: "bob@example.com", Subject: "Plain", Text: "just text",
	}))
	got := srv.WaitFor(t, 1, wait)[0]
	require.Contains(t, got.Header.Get("Content-Type"), "text/plain")
	require.Contains(t, strings.ToLower(got.Header.Get("Content-Type")), "charset=utf-8")
	// SMTP framing makes a single-part body end in CRLF.
	require.Equal(t, "just text\r\n", got.TextBody)
	require.Empty(t, got.HTMLBody)
}

func TestSendChineseUTF8(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)

	m := Message{
		ID:      "zh-1",
		To:      "用户 <user@example.cn>",
		Subject: "您的数据访问请求已受理（编号 42）",
		Text:    "您好，\n我们已收到您根据《通用数据保护条例》提出的请求。",
		HTML:    "<p>您好，</p><p>我们已收到您的请求。</p>",
	}
	require.NoError(t, s.Send(context.Background(), m))

	got := srv.WaitFor(t, 1, wait)[0]
	require.NoError(t, got.ParseErr)
	require.Equal(t, m.Subject, got.Subject)
	require.Equal(t, strings.ReplaceAll(m.Text, "\n", "\r\n"), got.TextBody)
	require.Equal(t, m.HTML, got.HTMLBody)
	// On the wire the header must be 7-bit (RFC 2047 encoded words).
	for i, r := range got.Header.Get("Subject") {
		require.Less(t, r, rune(0x80), "non-ASCII byte at %d in raw Subject", i)
	}
}

func TestSubjectLineBreaksCannotInjectHeaders(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)

	require.NoError(t, s.Send(context.Background(), Message{
		ID: "inj", To: "bob@example.com", Subject: "Hi\r\nBcc: evil@example.net", Text: "x",
	}))
	got := srv.WaitFor(t, 1, wait)[0]
	require.Equal(t, "Hi Bcc: evil@example.net", got.Subject)
	require.Empty(t, got.Header.Get("Bcc"))
	require.Equal(t, []string{"bob@example.com"}, got.To)
}

func TestOpportunisticStartTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithStartTLS())
	cfg := srv.TLSConfig()
	cfg.ServerName = "" // New must fill it in from the URL host
	s := newSender(t, "smtp://"+srv.Addr, WithTLSConfig(cfg))

	require.NoError(t, s.Send(context.Background(), Message{ID: "tls1", To: "bob@example.com", Subject: "s", Text: "t"}))
	require.True(t, srv.WaitFor(t, 1, wait)[0].TLS, "STARTTLS offered, so it must be used")
}

func TestOpportunisticStartTLSStillVerifiesCertificate(t *testing.T) {
	// STARTTLS is offered but the certificate is not trusted: fail rather
	// than continue in clear text or without verification.
	srv := smtptest.NewServer(t, smtptest.WithStartTLS())
	s := newSender(t, "smtp://"+srv.Addr)

	err := s.Send(context.Background(), Message{ID: "tls2", To: "bob@example.com", Subject: "s", Text: "t"})
	require.Error(t, err)
	require.False(t, IsPermanent(err))
	require.Empty(t, srv.Messages())
}

func TestTLSRequiredWithoutStartTLSFails(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr+"?tls=required")

	err := s.Send(context.Background(), Message{ID: "req1", To: "bob@example.com", Subject: "s", Text: "t"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "STARTTLS")
	require.False(t, IsPermanent(err), "a relay configuration problem is not a property of the message")
	require.Empty(t, srv.Messages())
}

func TestTLSRequiredWithStartTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithStartTLS())
	s := newSender(t, "smtp://"+srv.Addr+"?tls=required", WithTLSConfig(srv.TLSConfig()))

	require.NoError(t, s.Send(context.Background(), Message{ID: "req2", To: "bob@example.com", Subject: "s", Text: "t"}))
	require.True(t, srv.WaitFor(t, 1, wait)[0].TLS)
}

func TestImplicitTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithImplicitTLS())
	s := newSender(t, "smtps://"+srv.Addr, WithTLSConfig(srv.TLSConfig()))

	require.NoError(t, s.Send(context.Background(), Message{ID: "smtps1", To: "bob@example.com", Subject: "s", Text: "t"}))
	require.True(t, srv.WaitFor(t, 1, wait)[0].TLS)
}

func TestAuth(t *testing.T) {
	const user, pass = "dsr@example.org", "p@ss:w/rd%"
	srv := smtptest.NewServer(t, smtptest.WithAuth(user, pass))
	msg := Message{ID: "auth1", To: "bob@example.com", Subject: "s", Text: "t"}

	// Credentials are percent-encoded in the URL and must be decoded.
	s := newSender(t, "smtp://dsr%40example.org:p%40ss%3Aw%2Frd%25@"+srv.Addr)
	require.NoError(t, s.Send(context.Background(), msg))
	require.Equal(t, user, srv.WaitFor(t, 1, wait)[0].Auth)

	// Wrong password: an error, but not a reason to give up on the message.
	s = newSender(t, "smtp://dsr%40example.org:wrong@"+srv.Addr)
	err := s.Send(context.Background(), msg)
	require.Error(t, err)
	require.Contains(t, err.Error(), "535")
	require.NotContains(t, err.Error(), "wrong")
	require.False(t, IsPermanent(err))

	// No credentials: the relay answers 530 to MAIL FROM; also not permanent.
	s = newSender(t, "smtp://"+srv.Addr)
	err = s.Send(context.Background(), msg)
	require.Error(t, err)
	require.Contains(t, err.Error(), "530")
	require.False(t, IsPermanent(err))

	require.Len(t, srv.Messages(), 1)
}

func TestAuthAfterStartTLS(t *testing.T) {
	// The server only offers AUTH once the session is encrypted.
	srv := smtptest.NewServer(t, smtptest.WithStartTLS(), smtptest.WithAuth("u", "p"))
	s := newSender(t, "smtp://u:p@"+srv.Addr, WithTLSConfig(srv.TLSConfig()))

	require.NoError(t, s.Send(context.Background(), Message{ID: "auth2", To: "bob@example.com", Subject: "s", Text: "t"}))
	got := srv.WaitFor(t, 1, wait)[0]
	require.True(t, got.TLS)
	require.Equal(t, "u", got.Auth)
}

func TestTemporaryFailure(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithFailures(1))
	s := newSender(t, "smtp://"+srv.Addr)
	m := Message{ID: "tmp1", To: "bob@example.com", Subject: "s", Text: "t"}

	err := s.Send(context.Background(), m)
	require.Error(t, err)
	require.Contains(t, err.Error(), "451")
	require.Contains(t, err.Error(), `"tmp1"`)
	require.False(t, IsPermanent(err))
	require.NotContains(t, err.Error(), "bob@example.com")

	// The retry goes through.
	require.NoError(t, s.Send(context.Background(), m))
	require.Len(t, srv.WaitFor(t, 1, wait), 1)
}

func TestPermanentFailure(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithRejectRecipients("gone@example.com"))
	s := newSender(t, "smtp://"+srv.Addr)

	err := s.Send(context.Background(), Message{ID: "perm1", To: "gone@example.com", Subject: "s", Text: "t"})
	require.Error(t, err)
	require.True(t, IsPermanent(err))
	require.Contains(t, err.Error(), "550")
	require.Contains(t, err.Error(), "5.1.1")
	// Errors end up in logs: they must not name the data subject.
	require.NotContains(t, err.Error(), "gone@example.com")
	require.Empty(t, srv.Messages())

	// Wrapping keeps the classification.
	require.True(t, IsPermanent(fmt.Errorf("notify case 7: %w", err)))
	require.False(t, IsPermanent(errors.New("other")))
	require.False(t, IsPermanent(nil))
}

func TestInvalidMessageIsPermanent(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)
	ok := Message{ID: "ok", To: "bob@example.com", Subject: "s", Text: "t"}

	tests := []struct {
		name string
		edit func(*Message)
		want string
	}{
		{"empty ID", func(m *Message) { m.ID = "" }, "empty message ID"},
		{"ID with space", func(m *Message) { m.ID = "a b" }, "invalid character"},
		{"ID with angle bracket", func(m *Message) { m.ID = "a>b" }, "invalid character"},
		{"ID with at", func(m *Message) { m.ID = "a@b" }, "invalid character"},
		{"ID with CRLF", func(m *Message) { m.ID = "a\r\nBcc: x" }, "invalid character"},
		{"ID with double dot", func(m *Message) { m.ID = "a..b" }, "'..'"},
		{"ID too long", func(m *Message) { m.ID = strings.Repeat("a", 201) }, "longer than"},
		{"bad recipient", func(m *Message) { m.To = "not-an-address" }, "invalid recipient address"},
		{"two recipients", func(m *Message) { m.To = "a@example.com, b@example.com" }, "invalid recipient address"},
		{"empty text", func(m *Message) { m.Text = "" }, "empty text body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			err := s.Send(context.Background(), m)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.True(t, IsPermanent(err))
			require.NotContains(t, err.Error(), "not-an-address")
		})
	}
	require.Empty(t, srv.Messages())
}

func TestConfigured(t *testing.T) {
	require.False(t, Configured(""))
	require.False(t, Configured("  "))
	require.True(t, Configured("smtp://localhost"))
}

func TestNewURL(t *testing.T) {
	tests := []struct {
		url      string
		host     string
		port     int
		mode     tlsMode
		user     string
		pass     string
		wantErr  string
		noSecret bool // error must not echo the password "secret"
	}{
		{url: "smtp://mail.example.org", host: "mail.example.org", port: 25, mode: tlsOpportunistic},
		{url: "SMTP://mail.example.org:587/", host: "mail.example.org", port: 587, mode: tlsOpportunistic},
		{url: "smtp://mail.example.org?tls=opportunistic", host: "mail.example.org", port: 25, mode: tlsOpportunistic},
		{url: "smtp://mail.example.org:2525?tls=required", host: "mail.example.org", port: 2525, mode: tlsRequired},
		{url: "smtps://mail.example.org", host: "mail.example.org", port: 465, mode: tlsImplicit},
		{url: "smtps://u%40x:p%3Aw@[::1]:4650", host: "::1", port: 4650, mode: tlsImplicit, user: "u@x", pass: "p:w"},
		{url: " smtp://user@mail.example.org ", host: "mail.example.org", port: 25, user: "user"},

		{url: "", wantErr: ErrNoSMTP.Error()},
		{url: "http://mail.example.org", wantErr: `unsupported scheme "http"`},
		{url: "mail.example.org:25", wantErr: `unsupported scheme "mail.example.org"`},
		{url: "mail.example.org", wantErr: "missing scheme"},
		{url: "smtp:mail.example.org", wantErr: "want smtp://host[:port]"},
		{url: "smtp://", wantErr: "missing host"},
		{url: "smtp://:25", wantErr: "missing host"},
		{url: "smtp://mail.example.org:0", wantErr: `invalid port "0"`},
		{url: "smtp://mail.example.org:70000", wantErr: `invalid port "70000"`},
		{url: "smtp://user:secret@mail.example.org:x25", wantErr: "invalid port", noSecret: true},
		{url: "smtp://user:secret@mail.example.org/inbox", wantErr: "unexpected path", noSecret: true},
		{url: "smtp://mail.example.org#frag", wantErr: "unexpected fragment"},
		{url: "smtp://mail.example.org?tls=maybe", wantErr: `invalid tls value "maybe"`},
		{url: "smtp://mail.example.org?tls=required&tls=required", wantErr: "tls given more than once"},
		{url: "smtp://mail.example.org?TLS=required", wantErr: `unknown parameter "TLS"`},
		{url: "smtp://mail.example.org?starttls=1", wantErr: `unknown parameter "starttls"`},
		{url: "smtps://mail.example.org?tls=required", wantErr: "not allowed with smtps"},
		{url: "smtp://:secret@mail.example.org", wantErr: "empty user name", noSecret: true},
		{url: "smtp://user:secret@mail.example.org:25%", wantErr: "invalid SMTP URL", noSecret: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := New(tt.url, "dsr@example.org")
			if tt.wantErr != "" {
				require.Error(t, err)
				require.Nil(t, s)
				require.Contains(t, err.Error(), tt.wantErr)
				if tt.noSecret {
					require.NotContains(t, err.Error(), "secret")
				}
				return
			}
			require.NoError(t, err)
			ss := s.(*smtpSender)
			require.Equal(t, tt.host, ss.host)
			require.Equal(t, tt.port, ss.port)
			require.Equal(t, tt.mode, ss.mode)
			require.Equal(t, tt.user, ss.user)
			require.Equal(t, tt.pass, ss.pass)
			require.Equal(t, tt.host, ss.tlsConf.ServerName)
		})
	}
}

func TestNewFrom(t *testing.T) {
	_, err := New("smtp://localhost", "not an address")
	require.ErrorContains(t, err, "invalid from address")
	_, err = New("smtp://localhost", "dsr@bücher.example")
	require.ErrorContains(t, err, "ASCII")

	s, err := New("smtp://localhost", "Datenschutz <Privacy@Example.ORG>")
	require.NoError(t, err)
	require.Equal(t, "example.org", s.(*smtpSender).domain)
}

func TestContextAlreadyCancelled(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err := s.Send(ctx, Message{ID: "c1", To: "bob@example.com", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, IsPermanent(err))
	require.Empty(t, srv.Messages())
}

// stallingServer accepts TCP connections and never says anything, like a
// relay that hangs before its greeting.
func stallingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func TestContextCancelledMidSession(t *testing.T) {
	addr := stallingServer(t)
	// The generous timeout proves it is ctx, not the timeout, that ends Send.
	s := newSender(t, "smtp://"+addr, WithTimeout(time.Minute))

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := s.Send(ctx, Message{ID: "c2", To: "bob@example.com", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, IsPermanent(err))
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestContextDeadline(t *testing.T) {
	addr := stallingServer(t)
	s := newSender(t, "smtp://"+addr, WithTimeout(time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, Message{ID: "c3", To: "bob@example.com", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, IsPermanent(err))
}

func TestIPv6Literal(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	defer ln.Close()
	go func() {
		// Accept and stall: reaching the deadline proves the dial worked.
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(time.Second)
		}
	}()
	s := newSender(t, "smtp://"+ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = s.Send(ctx, Message{ID: "v6", To: "bob@example.com", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestTimeout(t *testing.T) {
	addr := stallingServer(t)
	s := newSender(t, "smtp://"+addr, WithTimeout(200*time.Millisecond))

	start := time.Now()
	err := s.Send(context.Background(), Message{ID: "c4", To: "bob@example.com", Subject: "s", Text: "t"})
	require.Error(t, err)
	require.False(t, IsPermanent(err))
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestConcurrentSends(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, "smtp://"+srv.Addr)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), Message{
				ID: fmt.Sprintf("c-%d", i), To: fmt.Sprintf("u%d@example.com", i), Subject: "s", Text: "t",
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	ids := map[string]bool{}
	for _, m := range srv.WaitFor(t, n, wait) {
		ids[m.Header.Get("Message-ID")] = true
	}
	require.Len(t, ids, n)
}
