package oauthlistener

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
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

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

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

func writePage(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeText(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)+1))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
