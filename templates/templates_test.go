package templates

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// emailData has every field any email template uses, so that a template
// referring to a field that does not exist fails here (missingkey=error).
type emailData struct {
	Org, Reference, Name, TypeLabel, Received, Due string
	Link, ValidUntil, FormLink                     string
	ReasonText, Note, ComplaintAuthority           string
	OutcomeText                                    string
	Systems                                        []struct{ Name, OutcomeLabel, Note, Data string }
	SystemName, TaskLink                           string
	DaysLeft                                       int
}

func TestEveryEmailRendersInEveryLanguage(t *testing.T) {
	langs, err := fs.ReadDir(files, "email")
	require.NoError(t, err)
	data := emailData{Org: "Org", Reference: "DSR-2026-000001", Name: "<b>Ann</b>", TypeLabel: "access",
		Link: "http://x/verify/abc", Note: "<script>alert(1)</script>",
		Systems: []struct{ Name, OutcomeLabel, Note, Data string }{{Name: "CRM", OutcomeLabel: "done", Data: "{}"}}}
	for _, lang := range langs {
		if !lang.IsDir() {
			continue
		}
		names, err := fs.Glob(files, "email/"+lang.Name()+"/*.txt")
		require.NoError(t, err)
		require.NotEmpty(t, names)
		for _, path := range names {
			name := strings.TrimSuffix(lastElem(path), ".txt")
			t.Run(lang.Name()+"/"+name, func(t *testing.T) {
				e, err := RenderEmail(name, lang.Name(), data)
				require.NoError(t, err)
				require.NotEmpty(t, e.Subject)
				require.NotContains(t, e.Subject, "\n")
				require.Contains(t, e.Subject+e.Text, "DSR-2026-000001")
				require.NotContains(t, e.HTML, "<script>", "HTML bodies escape what people wrote")
				require.NotContains(t, e.HTML, "<b>Ann</b>")
			})
		}
	}
}

func TestUnknownLanguageFallsBackToEnglish(t *testing.T) {
	e, err := RenderEmail("acknowledgement", "xx", emailData{Reference: "DSR-1"})
	require.NoError(t, err)
	require.Contains(t, e.Subject, "We received your request")
}
