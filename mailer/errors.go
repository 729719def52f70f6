package mailer

import (
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// IsPermanent reports whether err means the message can never be delivered
// as it is, so the caller should stop retrying it and flag it instead:
//
//   - a 5xx reply to MAIL FROM, RCPT TO or DATA (mailbox unavailable,
//     recipient or sender rejected, message refused), except the
//     authentication and encryption replies 530, 534, 535 and 538;
//   - a message that fails local validation (bad ID, unparsable recipient,
//     empty body).
//
// Everything else is treated as temporary: 4xx replies, network errors,
// timeouts, context cancellation, and failures while connecting, including
// TLS and authentication errors even when the server answered 5xx. Those
// stem from the relay or its configuration, affect every message alike, and
// start working again once fixed; declaring them permanent would make the
// caller abandon all pending correspondence because of one bad password.
func IsPermanent(err error) bool {
	var e *sendError
	return errors.As(err, &e) && e.permanent
}

// sendError is the error Send returns. It deliberately does not carry the
// SMTP server's reply text or go-mail's error message for rejected
// transactions: both routinely quote the recipient address, and these errors
// end up in logs and case histories.
type sendError struct {
	id        string // Message.ID, an opaque key and safe to log
	op        string
	code      int    // SMTP reply code, 0 if the failure was not a reply
	enhanced  string // RFC 3463 enhanced status code, if the server sent one
	detail    string // address-free description when there is no code
	permanent bool
	err       error // cause, for errors.Is/As; nil for server rejections
}

func (e *sendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mailer: message %q: %s", e.id, e.op)
	switch {
	case e.code != 0:
		fmt.Fprintf(&b, ": server replied %d", e.code)
		if e.enhanced != "" {
			b.WriteString(" " + e.enhanced)
		}
		switch {
		case e.permanent:
			b.WriteString(" (permanent failure)")
		case e.code < 500:
			b.WriteString(" (temporary failure)")
		default:
			b.WriteString(" (relay requires authentication or TLS)")
		}
	case e.err != nil:
		b.WriteString(": " + e.err.Error())
	case e.detail != "":
		b.WriteString(": " + e.detail)
	}
	return b.String()
}

func (e *sendError) Unwrap() error { return e.err }

// transactionError converts the result of go-mail's SendWithSMTPClient, an
// errors.Join of *gomail.SendError, into a sendError.
func transactionError(id string, err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		if err == nil {
			// Not delivered yet no error: should not happen, but must not
			// be reported as success.
			err = errors.New("message not accepted by server")
		}
		return &sendError{id: id, op: "send", err: err}
	}

	e := &sendError{
		id:       id,
		op:       se.Reason.String(),
		code:     se.ErrorCode(),
		enhanced: se.EnhancedStatusCode(),
	}
	switch {
	case e.code >= 500 && e.code < 600:
		e.permanent = !authOrTLSReply(e.code)
	case e.code != 0:
		// 4xx: temporary.
	case se.Reason == gomail.ErrSMTPRcptTo:
		// go-mail's text lists the recipients; say only what happened.
		e.detail = "no reply from server"
	default:
		// No reply code, so the failure is local or on the network (reset,
		// timeout). go-mail's message then holds no address, only the
		// reason prefix and message-ID suffix that would repeat ours.
		msg := se.Error()
		msg = strings.TrimPrefix(msg, se.Reason.String()+": ")
		if i := strings.Index(msg, ", affected message ID:"); i >= 0 {
			msg = msg[:i]
		}
		e.detail = msg
	}
	return e
}

// authOrTLSReply reports whether an SMTP reply code is one of RFC 4954's
// authentication or encryption replies. A relay that wants AUTH or TLS first
// may send them in answer to MAIL FROM; they describe the session, not the
// message, and clear up once the configuration is fixed.
func authOrTLSReply(code int) bool {
	switch code {
	case 530, // authentication required
		534, // authentication mechanism too weak
		535, // authentication credentials invalid
		538: // encryption required for requested authentication mechanism
		return true
	}
	return false
}
