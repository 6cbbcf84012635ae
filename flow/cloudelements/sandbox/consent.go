package sandbox

import (
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// consentPage and errorPage are filled in by fillPage: {{Name}} marks a
// value, HTML-escaped (element text and quoted attributes only). No
// html/template: its reflection kept every exported method of every type
// in cewiz's binary (2.3 MB), and parsing it ran at every start.
const consentPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DocuShare Flex (sandbox): authorize {{ClientID}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
.box{border:1px solid #888;border-radius:6px;padding:1rem 1.5rem}
dt{font-weight:600}dd{margin:0 0 .5rem 0;word-break:break-all}
button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}
.note{color:#555;font-size:.9rem}
</style></head>
<body><div class="box">
<h1>Authorize access to DocuShare Flex</h1>
<p>An application wants to access your DocuShare Flex site on your behalf.</p>
<dl>
<dt>Site</dt><dd id="site">{{Site}}</dd>
<dt>Application ID</dt><dd id="client-id">{{ClientID}}</dd>
<dt>You will be sent back to</dt><dd id="redirect-uri">{{RedirectURI}}</dd>
</dl>
<form method="post" action="{{Action}}">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{ClientID}}">
<input type="hidden" name="redirect_uri" value="{{RedirectURI}}">
<input type="hidden" name="state" value="{{State}}">
<input type="hidden" name="site" value="{{Site}}">
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="note">This is the cewiz sandbox: no real DocuShare Flex account is involved.</p>
</div></body></html>
`

const errorPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DocuShare Flex (sandbox): cannot authorize</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>Cannot authorize</h1><p id="error">{{Message}}</p>
<p>Check the Application ID and the redirect URI, then start again from cewiz.</p></body></html>
`

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *")
	h.Set("X-Frame-Options", "DENY")
}

// handleConsent shows the consent page (GET) or applies a decision (POST, or
// GET with decision=allow|deny for scripts).
func (s *Sandbox) handleConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.consentError(w, "The request could not be read.")
		return
	}
	f := r.Form
	clientID, redirectURI, state, site := f.Get("client_id"), f.Get("redirect_uri"), f.Get("state"), f.Get("site")
	// RFC 6749 §4.1.2.1: with a missing or bad client or redirect URI, tell
	// the user and never redirect.
	if clientID == "" {
		s.consentError(w, "The request names no application (client_id is missing).")
		return
	}
	if !s.opts.AnyApp && !equal(clientID, s.opts.AppID) {
		s.consentError(w, "The application "+clientID+" is not registered on this DocuShare Flex site.")
		return
	}
	if msg := checkAbsURL("redirect_uri", redirectURI); msg != "" {
		s.consentError(w, "The redirect URI is missing or not valid: "+msg+".")
		return
	}
	back := func(params url.Values) {
		status := http.StatusSeeOther
		if r.Method == http.MethodGet {
			status = http.StatusFound
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, withQuery(redirectURI, params), status)
	}
	if rt := f.Get("response_type"); rt != "" && rt != "code" {
		back(url.Values{"error": {"unsupported_response_type"}, "state": {state}})
		return
	}
	if msg := checkDomain("site", site); msg != "" {
		back(url.Values{"error": {"invalid_request"}, "error_description": {msg}, "state": {state}})
		return
	}
	switch f.Get("decision") {
	case "allow":
		code := s.IssueCode(redirectURI, site, clientID)
		back(url.Values{"code": {code}, "state": {state}})
	case "deny":
		back(url.Values{"error": {"access_denied"}, "error_description": {"The user denied access"}, "state": {state}})
	case "":
		if r.Method == http.MethodPost {
			s.consentError(w, "Choose Allow or Deny.")
			return
		}
		pageHeaders(w)
		fillPage(w, consentPage, "Action", ConsentPath, "ClientID", clientID, "RedirectURI", redirectURI, "State", state, "Site", site)
	default:
		s.consentError(w, "Unknown decision; choose Allow or Deny.")
	}
}

func (s *Sandbox) consentError(w http.ResponseWriter, msg string) {
	pageHeaders(w)
	w.WriteHeader(http.StatusBadRequest)
	fillPage(w, errorPage, "Message", msg)
}

// fillPage writes page with each {{name}} of the name, value pairs
// replaced by the value, HTML-escaped, in one pass (a value holding
// "{{…}}" is not filled in again).
func fillPage(w io.Writer, page string, pairs ...string) {
	args := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		args = append(args, "{{"+pairs[i]+"}}", html.EscapeString(pairs[i+1]))
	}
	_, _ = io.WriteString(w, strings.NewReplacer(args...).Replace(page))
}

// withQuery adds params to raw's query, keeping its other parameters.
func withQuery(raw string, params url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	maps.Copy(q, params)
	u.RawQuery = q.Encode()
	return u.String()
}

// IssueCode mints a grant code bound to the redirect URI, site and
// Application ID: what Allow on the consent page does. Tests use it to skip
// the page; the code obeys the same rules as one from the page.
func (s *Sandbox) IssueCode(redirectURI, site, appID string) string {
	code := randomHex(20)
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Forget codes long past use so a sandbox left running does not grow.
	if len(s.grants) > 1000 {
		for c, g := range s.grants {
			if now.Sub(g.issued) > 2*s.opts.CodeTTL {
				delete(s.grants, c)
			}
		}
	}
	s.grants[code] = &grant{callbackURL: redirectURI, site: strings.ToLower(site), clientID: appID, issued: now}
	return code
}
