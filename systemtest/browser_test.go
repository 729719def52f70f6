package systemtest

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dsrcase/dsr/models"
)

// browser starts headless Chromium (Debian's package). Without it the test
// is skipped, unless DSR_TEST_BROWSER=required (CI), where it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("DSR_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("DSR_TEST_BROWSER") == "required" {
			t.Fatal("Chromium is not installed (apt-get install chromium) and DSR_TEST_BROWSER=required")
		}
		t.Skip("Chromium is not installed: browser test skipped (apt-get install chromium)")
	}
	// A profile folder of our own, removed after Chromium has exited (it
	// keeps writing to it while shutting down).
	profile, err := os.MkdirTemp("", "dsr-chromium-")
	require.NoError(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx)
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	return ctx
}

// TestBrowserFromFormToFinalResponse is what a requester and a handler do,
// in a real browser: the form, the emailed link, sign-in, approval, the
// task answer, and the final response.
func TestBrowserFromFormToFinalResponse(t *testing.T) {
	ctx := browser(t)
	s := NewStack(t, dev, Options{})
	_, err := models.CreateUser(context.Background(), s.DB, "handler@dsr.test", models.RoleHandler, "correct horse battery staple")
	require.NoError(t, err)
	require.NoError(t, models.SaveSystem(context.Background(), s.DB, &models.System{Name: "CRM", Kind: models.KindInternal,
		Connector: models.ConnectorManual, Actions: models.StringList{"access"}, OwnerEmail: "crm-owner@dsr.test", Enabled: true}))
	base := s.Web.URL

	// The requester: a mistake first, then the corrected form.
	var fieldError, reference string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.SetValue("#type", "access", chromedp.ByQuery),
		chromedp.SendKeys("#email", "not-an-address", chromedp.ByQuery),
		chromedp.SendKeys("#name", "Dana Requester", chromedp.ByQuery),
		chromedp.Click(`button[type=submit]`, chromedp.ByQuery),
		chromedp.Text("#email-error", &fieldError, chromedp.ByQuery),
	))
	require.Contains(t, fieldError, "not an email address")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Clear("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", "dana@example.org", chromedp.ByQuery),
		chromedp.Click(`button[type=submit]`, chromedp.ByQuery),
		chromedp.Text("#reference", &reference, chromedp.ByQuery),
	))
	require.Regexp(t, `^DSR-\d{4}-\d{6}$`, reference)
	var kept string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.body.innerText`, &kept)))
	require.NotContains(t, kept, "Dana Requester", "the thank-you page does not echo personal data")

	// The emailed link.
	mail := waitMail(t, s.SMTP, "dana@example.org", regexp.MustCompile(`confirm your email`))
	var verified string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(verifyLinkPattern.FindString(mail.TextBody)),
		chromedp.Text("#verify-result", &verified, chromedp.ByQuery),
	))
	require.Contains(t, verified, "confirmed")

	// The handler signs in and finds the case in the queue.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/cases"),
		chromedp.WaitVisible("#password", chromedp.ByQuery),
		chromedp.SendKeys("#email", "handler@dsr.test", chromedp.ByQuery),
		chromedp.SendKeys("#password", "correct horse battery staple", chromedp.ByQuery),
		chromedp.Click(`button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//a[text()="`+reference+`"]`, chromedp.BySearch),
		chromedp.Click(`//a[text()="`+reference+`"]`, chromedp.BySearch),
	))
	waitCaseStatus(t, ctx, "pending review")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click("#btn-approve", chromedp.ByQuery)))
	waitCaseStatus(t, ctx, "in progress")

	// The system owner's answer, with the data found.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.SetValue(`select[name=outcome]`, "completed", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=note]`, "two records", chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=data]`, `{"newsletter": "weekly"}`, chromedp.ByQuery),
		chromedp.Click(`.btn-complete`, chromedp.ByQuery),
	))
	waitCaseStatus(t, ctx, "awaiting response")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.SendKeys("#respond-note", "With our apologies for the wait.", chromedp.ByQuery),
		chromedp.Click("#btn-respond", chromedp.ByQuery),
	))
	waitCaseStatus(t, ctx, "completed")

	final := waitMail(t, s.SMTP, "dana@example.org", regexp.MustCompile(`^Our answer`))
	require.Contains(t, final.TextBody, `"newsletter": "weekly"`)
	require.Contains(t, final.TextBody, "With our apologies for the wait.")
}

// waitCaseStatus reloads the case page until it shows status, as a
// handler would. The status is read by script, which is immune to the page
// being replaced mid-query after a form post.
func waitCaseStatus(t *testing.T, ctx context.Context, status string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got string
		err := chromedp.Run(ctx, chromedp.Evaluate(
			`(document.getElementById("case-status") || {}).innerText || ""`, &got))
		if err == nil && strings.TrimSpace(got) == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("case page shows %q (error %v), want %q", got, err, status)
		}
		time.Sleep(250 * time.Millisecond)
		if strings.TrimSpace(got) != "" {
			_ = chromedp.Run(ctx, chromedp.Reload())
		}
	}
}
