package systemtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/smtptest"
)

// apiClient calls the JSON API as a script would.
type apiClient struct {
	t     testing.TB
	base  string
	token string
}

func (c apiClient) do(method, path string, body any, headers ...string) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.t, err)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	out := map[string]any{}
	if len(raw) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &out), "body: %s", raw)
	}
	return resp.StatusCode, out
}

// waitStatus polls the case until it reaches status, as a page would.
func (c apiClient) waitStatus(id, status string) map[string]any {
	c.t.Helper()
	var last map[string]any
	require.Eventually(c.t, func() bool {
		_, last = c.do("GET", "/api/v1/cases/"+id, nil)
		return last["status"] == status
	}, 30*time.Second, 100*time.Millisecond, "case %s never reached %s", id, status)
	return last
}

var verifyLinkPattern = regexp.MustCompile(`https?://[^\s"<>]+/verify/[A-Za-z0-9_-]+`)

// messagesTo returns the messages the SMTP server received for addr.
func messagesTo(srv *smtptest.Server, addr string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

// waitMail waits for a message to addr whose subject matches.
func waitMail(t testing.TB, srv *smtptest.Server, addr string, subject *regexp.Regexp) smtptest.Message {
	t.Helper()
	var found smtptest.Message
	require.Eventually(t, func() bool {
		for _, m := range messagesTo(srv, addr) {
			if subject.MatchString(m.Subject) {
				found = m
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "no message to %s with subject %s", addr, subject)
	return found
}
