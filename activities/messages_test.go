package activities_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/smtptest"
	"github.com/dsrcase/dsr/workflows"
)

func ackRequest(caseID string) workflows.MessageRequest {
	return workflows.MessageRequest{CaseID: caseID, Template: workflows.TemplateAcknowledgement, Key: "ack"}
}

func TestSendCaseMessageHeldWithoutSMTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil)
		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))

		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageHeld, m.Status)
		require.Equal(t, "case/"+c.ID+"/ack", m.MessageKey)
		require.Equal(t, workflows.TemplateAcknowledgement, m.Template)
		require.Equal(t, subjectEmail, m.ToAddr)
		require.Equal(t, "We received your request "+c.Reference, m.Subject)
		require.Contains(t, m.BodyText, "Hello Sam Subject,")
		require.Contains(t, m.BodyText, "We received your access request on 11 March 2025. Its reference is "+c.Reference+".")
		// 22:30 UTC on 10 April is 11 April in Amsterdam.
		require.Contains(t, m.BodyText, "We will answer by 11 April 2025 at the latest.")
		require.Contains(t, m.BodyText, "\nOrg\n")
		require.Contains(t, m.BodyHTML, "<strong>"+c.Reference+"</strong>")
		require.Equal(t, 1, m.Attempts)
		require.Nil(t, m.SentAt)
		require.Empty(t, m.Error)

		// A retry keeps the one held message as it is.
		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		again := onlyMessage(t, db, c.ID)
		require.Equal(t, m.ID, again.ID)
		require.Equal(t, models.MessageHeld, again.Status)
		require.Equal(t, 1, again.Attempts)
	})
}

func TestSendCaseMessageSendsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t)
		a := newActivities(db, sender)
		c := createCase(t, db, nil)

		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		got := srv.Messages()
		require.Len(t, got, 1)
		require.Equal(t, []string{subjectEmail}, got[0].To)
		require.Equal(t, "privacy@dsr.test", got[0].From)
		require.NoError(t, got[0].ParseErr)
		require.Equal(t, "We received your request "+c.Reference, got[0].Subject)
		require.Contains(t, got[0].TextBody, "Its reference is "+c.Reference+".")
		require.Contains(t, got[0].HTMLBody, c.Reference)

		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageSent, m.Status)
		require.NotNil(t, m.SentAt)
		require.Equal(t, 1, m.Attempts)
		require.Equal(t, "<"+m.ID+"@dsr.test>", got[0].Header.Get("Message-Id"))

		// The activity is retried (say its completion was lost): no
		// second email, no second row.
		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		require.Len(t, srv.Messages(), 1)
		again := onlyMessage(t, db, c.ID)
		require.Equal(t, m.ID, again.ID)
		require.Equal(t, 1, again.Attempts)

		// Another key is another message.
		require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{
			CaseID: c.ID, Template: workflows.TemplateExpired, Key: "expired"}))
		require.Len(t, srv.Messages(), 2)
		require.Len(t, caseMessages(t, db, c.ID), 2)
	})
}

func TestSendCaseMessageTemporaryFailureIsRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t, smtptest.WithFailures(1))
		a := newActivities(db, sender)
		c := createCase(t, db, nil)

		err := a.SendCaseMessage(ctx, ackRequest(c.ID))
		require.Error(t, err, "a temporary failure fails the activity so Temporal retries it")
		require.False(t, mailer.IsPermanent(err))
		require.Empty(t, srv.Messages())
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageQueued, m.Status)
		require.Equal(t, 1, m.Attempts)
		require.Contains(t, m.Error, "451")
		require.Nil(t, m.SentAt)

		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		require.Len(t, srv.Messages(), 1)
		m = onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageSent, m.Status)
		require.Equal(t, 2, m.Attempts)
		require.Empty(t, m.Error)
		require.NotNil(t, m.SentAt)

		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		require.Len(t, srv.Messages(), 1)
	})
}

func TestSendCaseMessagePermanentFailureIsRecorded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t, smtptest.WithRejectRecipients(subjectEmail))
		a := newActivities(db, sender)
		c := createCase(t, db, nil)

		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)), "a permanent refusal is not retried")
		require.Empty(t, srv.Messages())
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageFailed, m.Status)
		require.Equal(t, 1, m.Attempts)
		require.Contains(t, m.Error, "550")
		require.NotContains(t, m.Error, subjectEmail, "errors carry no addresses")
		require.Nil(t, m.SentAt)

		require.NoError(t, a.SendCaseMessage(ctx, ackRequest(c.ID)))
		require.Empty(t, srv.Messages())
		require.Equal(t, 1, onlyMessage(t, db, c.ID).Attempts)
	})
}

func TestSendCaseMessageUnknownCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		err := a.SendCaseMessage(ctx, ackRequest(models.NewID()))
		require.ErrorIs(t, err, models.ErrNotFound)
		msgs, err := models.RecentMessages(ctx, db, 10)
		require.NoError(t, err)
		require.Empty(t, msgs)
	})
}

var linkRE = regexp.MustCompile(`http://dsr\.test/verify/([A-Za-z0-9_-]+)`)

func verificationRequest(caseID string) workflows.VerificationRequest {
	return workflows.VerificationRequest{CaseID: caseID, Key: "verify-1",
		Template: workflows.TemplateVerification, ValidFor: 72 * time.Hour}
}

func tokens(t *testing.T, db *gorm.DB, caseID string) []models.VerificationToken {
	t.Helper()
	var out []models.VerificationToken
	require.NoError(t, db.Where("case_id = ?", caseID).Find(&out).Error)
	return out
}

func TestSendVerificationSent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t)
		a := newActivities(db, sender)
		c := createCase(t, db, nil)
		before := models.Now()

		require.NoError(t, a.SendVerification(ctx, verificationRequest(c.ID)))
		got := srv.Messages()
		require.Len(t, got, 1)
		require.Equal(t, []string{subjectEmail}, got[0].To)
		require.Equal(t, "Please confirm your email address for request "+c.Reference, got[0].Subject)
		match := linkRE.FindStringSubmatch(got[0].TextBody)
		require.NotNil(t, match, "no link in %q", got[0].TextBody)
		secret := match[1]
		require.Contains(t, got[0].HTMLBody, match[0])

		// Only the hash of the link's secret is stored.
		toks := tokens(t, db, c.ID)
		require.Len(t, toks, 1)
		require.NotEqual(t, secret, toks[0].TokenHash)
		require.NotContains(t, toks[0].TokenHash, secret)
		require.Equal(t, models.HashSecret(secret), toks[0].TokenHash)
		require.Nil(t, toks[0].UsedAt)
		require.WithinDuration(t, before.Add(72*time.Hour), toks[0].ExpiresAt, time.Minute)

		// The emailed link works.
		caseID, err := models.CheckVerificationToken(ctx, db, secret)
		require.NoError(t, err)
		require.Equal(t, c.ID, caseID)

		// The outbox copy no longer carries a working link.
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageSent, m.Status)
		require.NotContains(t, m.BodyText, secret)
		require.NotContains(t, m.BodyHTML, secret)
		require.Contains(t, m.BodyText, "http://dsr.test/verify/[removed after sending]")
		require.Contains(t, m.BodyHTML, "/verify/[removed after sending]")
		require.False(t, linkRE.MatchString(m.BodyText+m.BodyHTML))

		// A retried activity neither issues a new link nor sends again.
		require.NoError(t, a.SendVerification(ctx, verificationRequest(c.ID)))
		require.Len(t, srv.Messages(), 1)
		require.Len(t, tokens(t, db, c.ID), 1)
		require.Len(t, caseMessages(t, db, c.ID), 1)

		// A new key (a reminder) is a new link; both stay valid.
		reminder := verificationRequest(c.ID)
		reminder.Key = "verify-2"
		reminder.Template = workflows.TemplateVerificationReminder
		require.NoError(t, a.SendVerification(ctx, reminder))
		got = srv.Messages()
		require.Len(t, got, 2)
		match2 := linkRE.FindStringSubmatch(got[1].TextBody)
		require.NotNil(t, match2)
		require.NotEqual(t, secret, match2[1])
		require.Len(t, tokens(t, db, c.ID), 2)
		caseID, err = models.CheckVerificationToken(ctx, db, match2[1])
		require.NoError(t, err)
		require.Equal(t, c.ID, caseID)
	})
}

func TestSendVerificationHeldKeepsLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil)
		require.NoError(t, a.SendVerification(ctx, verificationRequest(c.ID)))

		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageHeld, m.Status)
		match := linkRE.FindStringSubmatch(m.BodyText)
		require.NotNil(t, match, "a held message keeps its link: it has not left yet")
		require.Contains(t, m.BodyHTML, match[0])
		require.NotContains(t, m.BodyText, "removed after sending")

		toks := tokens(t, db, c.ID)
		require.Len(t, toks, 1)
		require.NotEqual(t, match[1], toks[0].TokenHash)
		caseID, err := models.CheckVerificationToken(ctx, db, match[1])
		require.NoError(t, err)
		require.Equal(t, c.ID, caseID)

		require.NoError(t, a.SendVerification(ctx, verificationRequest(c.ID)))
		require.Len(t, tokens(t, db, c.ID), 1)
		require.Equal(t, m.BodyText, onlyMessage(t, db, c.ID).BodyText)
	})
}

func TestSendVerificationRetryAfterTemporaryFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t, smtptest.WithFailures(1))
		a := newActivities(db, sender)
		c := createCase(t, db, nil)

		require.Error(t, a.SendVerification(ctx, verificationRequest(c.ID)))
		require.Empty(t, srv.Messages())
		// The queued copy keeps its link until it leaves.
		require.True(t, linkRE.MatchString(onlyMessage(t, db, c.ID).BodyText))

		require.NoError(t, a.SendVerification(ctx, verificationRequest(c.ID)))
		got := srv.Messages()
		require.Len(t, got, 1)
		match := linkRE.FindStringSubmatch(got[0].TextBody)
		require.NotNil(t, match)
		require.Len(t, tokens(t, db, c.ID), 1, "the retry reuses the stored token")
		caseID, err := models.CheckVerificationToken(ctx, db, match[1])
		require.NoError(t, err)
		require.Equal(t, c.ID, caseID)
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, models.MessageSent, m.Status)
		require.NotContains(t, m.BodyText, match[1])
	})
}

func TestSendVerificationUnknownCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		require.ErrorIs(t, a.SendVerification(ctx, verificationRequest(models.NewID())), models.ErrNotFound)
		var n int64
		require.NoError(t, db.Model(&models.VerificationToken{}).Count(&n).Error)
		require.Zero(t, n)
	})
}

func TestDenialMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		c := createCase(t, db, nil)
		noteID, err := models.AddNote(ctx, db, c.ID, "denial", "This is your fifth identical request this month.", nil)
		require.NoError(t, err)

		require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: c.ID,
			Template: workflows.TemplateDenial, Key: "denial", NoteID: noteID, Reason: models.DenyExcessive}))
		m := onlyMessage(t, db, c.ID)
		require.Equal(t, "Decision on your request "+c.Reference, m.Subject)
		for _, body := range []string{m.BodyText, m.BodyHTML} {
			require.Contains(t, body, "the request is excessive, in particular because of its repetitive character.")
			require.Contains(t, body, "This is your fifth identical request this month.")
			require.Contains(t, body, "supervisory authority: AP.")
		}
		require.Contains(t, m.BodyText, "Reason: the request is excessive")

		// Without a note, the reason alone.
		other := createCase(t, db, nil)
		require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: other.ID,
			Template: workflows.TemplateDenial, Key: "denial", Reason: models.DenyUnverified}))
		m = onlyMessage(t, db, other.ID)
		require.Contains(t, m.BodyText, "Reason: we could not verify your identity")
		require.Contains(t, m.BodyText, "supervisory authority: AP.")

		// A note of another case is not used.
		third := createCase(t, db, nil)
		err = a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: third.ID,
			Template: workflows.TemplateDenial, Key: "denial", NoteID: noteID, Reason: models.DenyOther})
		require.ErrorIs(t, err, models.ErrNotFound)
		require.Empty(t, caseMessages(t, db, third.ID))
	})
}

func TestFinalResponseAccessIncludesData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv, sender := newSMTP(t)
		a := newActivities(db, sender)
		crm := createSystem(t, db, "CRM", models.TypeAccess)
		news := createSystem(t, db, "Newsletter", models.TypeAccess)
		c := createCase(t, db, nil)
		_, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		answerTask(t, db, c.ID, crm.ID, models.TaskOutcomeCompleted, "export attached",
			models.JSONObject{"email": subjectEmail, "orders": float64(3)})
		answerTask(t, db, c.ID, news.ID, models.TaskOutcomeNotFound, "", nil)

		require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: c.ID,
			Template: workflows.TemplateFinalResponse, Key: "final", Outcome: models.OutcomeFulfilled}))
		got := srv.Messages()
		require.Len(t, got, 1)
		text := strings.ReplaceAll(got[0].TextBody, "\r\n", "\n")
		require.Equal(t, "Our answer to your request "+c.Reference, got[0].Subject)
		require.Contains(t, text, "Below is the personal data each of our systems holds about you.")
		require.Contains(t, text, "CRM: done (export attached)\n{\n  \"email\": \""+subjectEmail+"\",\n  \"orders\": 3\n}")
		require.Contains(t, text, "Newsletter: no data about you")
		require.Contains(t, got[0].HTMLBody, "&#34;orders&#34;: 3")
		require.Contains(t, text, "supervisory authority: AP.")

		m := onlyMessage(t, db, c.ID)
		require.Contains(t, m.BodyText, `"orders": 3`)
	})
}

func TestFinalResponseErasureOmitsData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		crm := createSystem(t, db, "CRM", models.TypeErasure)
		c := createCase(t, db, func(c *models.Case) { c.Type = models.TypeErasure })
		_, err := a.PlanTasks(ctx, c.ID)
		require.NoError(t, err)
		answerTask(t, db, c.ID, crm.ID, models.TaskOutcomeCompleted, "deleted",
			models.JSONObject{"deleted_rows": float64(12), "email": subjectEmail})

		require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: c.ID,
			Template: workflows.TemplateFinalResponse, Key: "final", Outcome: models.OutcomeFulfilled}))
		m := onlyMessage(t, db, c.ID)
		require.Contains(t, m.BodyText, "We have carried out your erasure request. Below is what each of our systems did.")
		require.Contains(t, m.BodyText, "CRM: done (deleted)")
		for _, body := range []string{m.BodyText, m.BodyHTML} {
			require.NotContains(t, body, "deleted_rows")
			require.NotContains(t, body, "<pre")
		}
	})
}

func TestFinalResponseOutcomeTexts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newActivities(db, nil)
		for _, tc := range []struct {
			typ     models.RequestType
			outcome models.Outcome
			want    string
		}{
			{models.TypeAccess, models.OutcomeNoDataFound, "We searched every system that could hold personal data about you and found none."},
			{models.TypeErasure, models.OutcomePartiallyFulfilled, "We carried out your erasure request in part."},
			{models.TypeSaleOptOut, models.OutcomeFulfilled, "We have carried out your do-not-sell-or-share request."},
		} {
			c := createCase(t, db, func(c *models.Case) { c.Type = tc.typ })
			require.NoError(t, a.SendCaseMessage(ctx, workflows.MessageRequest{CaseID: c.ID,
				Template: workflows.TemplateFinalResponse, Key: "final", Outcome: tc.outcome}))
			require.Contains(t, onlyMessage(t, db, c.ID).BodyText, tc.want)
		}
	})
}
