// Package templates holds every page and email the product shows, embedded
// in the binary: html/template pages for the web app and, for each email, a
// text and an HTML body per language.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

//go:embed pages/*.html email
var files embed.FS

// FS exposes the embedded files, for tests that check every template.
func FS() fs.FS { return files }

// Email is a rendered message.
type Email struct {
	Subject string
	Text    string
	HTML    string
}

// RenderEmail renders email name in lang, falling back to English when the
// language has no version of it. The text file's first line is
// "Subject: ..."; the HTML file is the same message as markup.
func RenderEmail(name, lang string, data any) (Email, error) {
	dir := "email/" + lang
	if _, err := fs.Stat(files, dir+"/"+name+".txt"); err != nil {
		dir = "email/en"
	}
	text, err := renderText(dir+"/"+name+".txt", data)
	if err != nil {
		return Email{}, err
	}
	first, body, ok := strings.Cut(text, "\n")
	subject, hasSubject := strings.CutPrefix(first, "Subject: ")
	if !ok || !hasSubject {
		return Email{}, fmt.Errorf("email %s: first line must be \"Subject: ...\"", name)
	}
	html, err := renderHTML(dir+"/"+name+".html", data)
	if err != nil {
		return Email{}, err
	}
	return Email{Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(body, "\n"), HTML: html}, nil
}

func renderText(path string, data any) (string, error) {
	t, err := texttemplate.New(path).Option("missingkey=error").ParseFS(files, path)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", path, err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, lastElem(path), data); err != nil {
		return "", fmt.Errorf("render %s: %w", path, err)
	}
	return b.String(), nil
}

func renderHTML(path string, data any) (string, error) {
	t, err := htmltemplate.New(path).Option("missingkey=error").ParseFS(files, "email/layout.html", path)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", path, err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		return "", fmt.Errorf("render %s: %w", path, err)
	}
	return b.String(), nil
}

func lastElem(path string) string { return path[strings.LastIndex(path, "/")+1:] }

// Pages parses the web app's pages. Each page file defines "content" (and
// optionally "title") and is rendered inside pages/layout.html.
func Pages(funcs htmltemplate.FuncMap) (map[string]*htmltemplate.Template, error) {
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*htmltemplate.Template{}
	for _, path := range names {
		name := strings.TrimSuffix(lastElem(path), ".html")
		if name == "layout" {
			continue
		}
		t, err := htmltemplate.New(name).Funcs(funcs).ParseFS(files, "pages/layout.html", path)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}
