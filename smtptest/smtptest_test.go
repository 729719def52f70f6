package smtptest_test

import (
	"crypto/tls"
	"fmt"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/smtptest"
)

// The tests drive the server with net/smtp from the standard library so they
// check the server on its own, independent of the mailer package.

const multipartMsg = "From: DSR <dsr@example.org>\r\n" +
	"To: alice@example.com\r\n" +
	"Subject: =?UTF-8?q?Ihre_Anfrage_=C3=BCber_Daten?=\r\n" +
	"Message-ID: <abc@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=BOUNDARY\r\n" +
	"\r\n" +
	"--BOUNDARY\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Gr=C3=BC=C3=9Fe, a long line that is soft=\r\n" +
	" wrapped\r\n" +
	"--BOUNDARY\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+5L2g5aW9PC9w\r\n" +
	"Pg==\r\n" +
	"--BOUNDARY--\r\n"

func send(t *testing.T, c *smtp.Client, from, to, msg string) {
	t.Helper()
	require.NoError(t, c.Mail(from))
	require.NoError(t, c.Rcpt(to))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte(msg))
	require.NoError(t, err)
	require.NoError(t, w.Close())
}

func dial(t *testing.T, s *smtptest.Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(s.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestPlainMultipart(t *testing.T) {
	s := smtptest.NewServer(t)
	require.True(t, strings.HasPrefix(s.Addr, "127.0.0.1:"))
	require.Nil(t, s.TLSConfig())

	c := dial(t, s)
	send(t, c, "bounce@example.org", "alice@example.com", multipartMsg)
	require.NoError(t, c.Quit())

	msgs := s.WaitFor(t, 1, 5*time.Second)
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.NoError(t, m.ParseErr)
	require.Equal(t, "bounce@example.org", m.From)
	require.Equal(t, []string{"alice@example.com"}, m.To)
	require.Equal(t, "Ihre Anfrage über Daten", m.Subject)
	require.Equal(t, "Grüße, a long line that is soft wrapped", m.TextBody)
	require.Equal(t, "<p>你好</p>", m.HTMLBody)
	require.Equal(t, "<abc@example.org>", m.Header.Get("Message-ID"))
	require.Contains(t, string(m.Data), "--BOUNDARY--")
	require.False(t, m.TLS)
	require.Empty(t, m.Auth)
}

func TestSinglePartDefaultsToTextPlain(t *testing.T) {
	s := smtptest.NewServer(t)
	c := dial(t, s)
	send(t, c, "a@example.org", "b@example.org", "Subject: hi\r\n\r\nplain 8bit body ü\r\n")

	m := s.WaitFor(t, 1, 5*time.Second)[0]
	require.NoError(t, m.ParseErr)
	require.Equal(t, "hi", m.Subject)
	require.Equal(t, "plain 8bit body ü\r\n", m.TextBody)
	require.Empty(t, m.HTMLBody)
}

func TestStartTLS(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithStartTLS())
	require.NotNil(t, s.TLSConfig())

	c := dial(t, s)
	ok, _ := c.Extension("STARTTLS")
	require.True(t, ok, "STARTTLS must be advertised")
	require.NoError(t, c.StartTLS(s.TLSConfig()))
	send(t, c, "a@example.org", "b@example.org", "Subject: tls\r\n\r\nbody\r\n")

	// A second client that ignores STARTTLS is still served in clear text,
	// and the message records that.
	c2 := dial(t, s)
	send(t, c2, "a@example.org", "b@example.org", "Subject: clear\r\n\r\nbody\r\n")

	msgs := s.WaitFor(t, 2, 5*time.Second)
	require.True(t, msgs[0].TLS)
	require.False(t, msgs[1].TLS)
}

func TestStartTLSUntrustedWithoutConfig(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithStartTLS())
	c := dial(t, s)
	// The certificate is self-signed: without the server's config a
	// verifying client must refuse it.
	err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1"})
	require.Error(t, err)
}

func TestImplicitTLS(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithImplicitTLS())

	conn, err := tls.Dial("tcp", s.Addr, s.TLSConfig())
	require.NoError(t, err)
	c, err := smtp.NewClient(conn, "127.0.0.1")
	require.NoError(t, err)
	defer c.Close()
	ok, _ := c.Extension("STARTTLS")
	require.False(t, ok, "STARTTLS must not be offered on an implicit TLS connection")
	send(t, c, "a@example.org", "b@example.org", "Subject: smtps\r\n\r\nbody\r\n")

	require.True(t, s.WaitFor(t, 1, 5*time.Second)[0].TLS)
}

func TestAuth(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithAuth("user", "p@ss"))

	// Unauthenticated MAIL FROM is refused.
	c := dial(t, s)
	err := c.Mail("a@example.org")
	var perr *textproto.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, 530, perr.Code)

	// Wrong password is refused.
	c = dial(t, s)
	err = c.Auth(smtp.PlainAuth("", "user", "wrong", "127.0.0.1"))
	require.ErrorAs(t, err, &perr)
	require.Equal(t, 535, perr.Code)

	c = dial(t, s)
	require.NoError(t, c.Auth(smtp.PlainAuth("", "user", "p@ss", "127.0.0.1")))
	send(t, c, "a@example.org", "b@example.org", "Subject: auth\r\n\r\nbody\r\n")
	require.Equal(t, "user", s.WaitFor(t, 1, 5*time.Second)[0].Auth)
}

func TestAuthOnlyAfterStartTLS(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithStartTLS(), smtptest.WithAuth("user", "pass"))

	c := dial(t, s)
	ok, _ := c.Extension("AUTH")
	require.False(t, ok, "AUTH must not be offered before STARTTLS")
	require.NoError(t, c.StartTLS(s.TLSConfig()))
	ok, mechs := c.Extension("AUTH")
	require.True(t, ok)
	require.Equal(t, "PLAIN", mechs)
	require.NoError(t, c.Auth(smtp.PlainAuth("", "user", "pass", "127.0.0.1")))
	send(t, c, "a@example.org", "b@example.org", "Subject: x\r\n\r\nbody\r\n")

	m := s.WaitFor(t, 1, 5*time.Second)[0]
	require.True(t, m.TLS)
	require.Equal(t, "user", m.Auth)
}

func TestFailures(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithFailures(2))
	c := dial(t, s)

	for i := range 2 {
		require.NoError(t, c.Mail("a@example.org"))
		require.NoError(t, c.Rcpt("b@example.org"))
		w, err := c.Data()
		require.NoError(t, err)
		_, err = fmt.Fprintf(w, "Subject: attempt %d\r\n\r\nbody\r\n", i)
		require.NoError(t, err)
		err = w.Close()
		var perr *textproto.Error
		require.ErrorAs(t, err, &perr, "attempt %d", i)
		require.Equal(t, 451, perr.Code)
	}
	require.Empty(t, s.Messages(), "failed messages must not be recorded")

	send(t, c, "a@example.org", "b@example.org", "Subject: third\r\n\r\nbody\r\n")
	msgs := s.WaitFor(t, 1, 5*time.Second)
	require.Len(t, msgs, 1)
	require.Equal(t, "third", msgs[0].Subject)
}

func TestRejectRecipients(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithRejectRecipients("gone@example.com"))
	c := dial(t, s)
	require.NoError(t, c.Mail("a@example.org"))
	err := c.Rcpt("Gone@Example.com")
	var perr *textproto.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, 550, perr.Code)
	require.NoError(t, c.Rcpt("ok@example.com"))
}

func TestWaitForWakesUp(t *testing.T) {
	s := smtptest.NewServer(t)
	go func() {
		// Deliberately late so WaitFor has to block.
		time.Sleep(50 * time.Millisecond)
		c, err := smtp.Dial(s.Addr)
		if err != nil {
			return
		}
		defer c.Close()
		_ = smtp.SendMail(s.Addr, nil, "a@example.org", []string{"b@example.org"}, []byte("Subject: late\r\n\r\nx\r\n"))
	}()
	msgs := s.WaitFor(t, 1, 5*time.Second)
	require.Equal(t, "late", msgs[0].Subject)
}

// fakeTB captures Fatalf so the timeout path of WaitFor can be tested
// without failing this test.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
}

func TestWaitForTimeout(t *testing.T) {
	s := smtptest.NewServer(t)
	ft := &fakeTB{TB: t}
	msgs := s.WaitFor(ft, 1, 20*time.Millisecond)
	require.Nil(t, msgs)
	require.Contains(t, ft.fatal, "got 0")
}

func TestCloseRightAway(t *testing.T) {
	// Regression: a server closed before its accept loop started used to
	// block t.Cleanup forever.
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			smtptest.NewServer(t, smtptest.WithStartTLS())
		})
	}
}
