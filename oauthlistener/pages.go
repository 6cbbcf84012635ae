package oauthlistener

import (
	_ "embed"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// Pages are the texts of the landing pages (rule 11). Empty fields get the
// defaults of DefaultPages.
type Pages struct {
	Title            string // the product name in the tab title
	Success          string
	ProviderError    string
	WrongState       string // also used for every other rejected callback (generic on purpose)
	AlreadyCompleted string
	Back             string // the closing line on every page
}

// DefaultPages are the built-in texts.
var DefaultPages = Pages{
	Title:            "cewiz",
	Success:          "The authorization code has reached cewiz. Go back to the terminal to finish; you can close this tab.",
	ProviderError:    "The provider did not grant the authorization. Go back to the terminal: it shows the same error and what to do next.",
	WrongState:       "This request does not match the authorization the terminal is waiting for, so it was ignored. If you started a new authorization, use the newest browser tab.",
	AlreadyCompleted: "This authorization is already complete. Go back to the terminal; you can close this tab.",
	Back:             "Return to the terminal window where cewiz is running.",
}

func (p Pages) withDefaults() Pages {
	d := DefaultPages
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&d.Title, p.Title)
	set(&d.Success, p.Success)
	set(&d.ProviderError, p.ProviderError)
	set(&d.WrongState, p.WrongState)
	set(&d.AlreadyCompleted, p.AlreadyCompleted)
	set(&d.Back, p.Back)
	return d
}

// pageHTML is the page every answer of the listener shows; {{name}} marks
// where renderPage puts a value, escaped.
//
//go:embed page.html
var pageHTML string

type pageData struct {
	Title, Heading, Message, Class, Back string
	Error                                *ProviderError
}

// ContentSecurityPolicy is sent with every response (rule 11).
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

// listenerHeader marks this package's responses so that a second listener can
// recognise the first (rule 19). It carries no data.
const listenerHeader = "X-Cewiz-Listener"

func setSecurityHeaders(h http.Header) {
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set(listenerHeader, "1")
}

// renderPage fills pageHTML in. Every value is HTML-escaped (they all sit
// in element text or a quoted attribute, where escaping <>&'" is enough);
// the error's fields are only ever text, never a link. No html/template:
// its reflection kept every exported method of every type in the binary
// (2.3 MB) for four fields.
func renderPage(d pageData) string {
	e := html.EscapeString
	var errBlock strings.Builder
	if pe := d.Error; pe != nil {
		code := "(none given)"
		if pe.Code != "" {
			code = e(pe.Code)
		}
		errBlock.WriteString("\n<dl>\n<dt>Error</dt><dd>" + code + "</dd>")
		if pe.Description != "" {
			errBlock.WriteString("\n<dt>Description</dt><dd>" + e(pe.Description) + "</dd>")
		}
		if pe.URI != "" {
			errBlock.WriteString("\n<dt>More information</dt><dd>" + e(pe.URI) + "</dd>")
		}
		errBlock.WriteString("\n</dl>")
	}
	// One pass: a value that contains "{{…}}" is not filled in again.
	return strings.NewReplacer(
		"{{title}}", e(d.Title), "{{heading}}", e(d.Heading), "{{class}}", e(d.Class),
		"{{message}}", e(d.Message), "{{back}}", e(d.Back), "{{error}}", errBlock.String(),
	).Replace(pageHTML)
}

func writePage(w http.ResponseWriter, status int, d pageData) {
	page := renderPage(d)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}

func writeText(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)+1))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
