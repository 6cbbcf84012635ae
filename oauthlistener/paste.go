package oauthlistener

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// PastedResult is what the user pasted, once checked.
type PastedResult struct {
	Code   Code
	Params Params // the address's parameters without the code (none for a bare code)
	// NeedsConfirmation is set for a bare code: its state cannot be checked,
	// so ask the user to confirm before using it (rule 13).
	NeedsConfirmation bool
}

// Kinds of paste errors; a *PasteError matches one of them with errors.Is.
var (
	ErrPasteEmpty        = errors.New("nothing was pasted")
	ErrPasteTooLong      = errors.New("the pasted text is too long")
	ErrPasteTruncated    = errors.New("the pasted address is cut short")
	ErrPasteWrongState   = errors.New("the pasted address belongs to another authorization")
	ErrPasteWrongAddress = errors.New("the pasted address is not the redirect URI")
	ErrPasteNoCode       = errors.New("the pasted address has no code")
	ErrPasteMalformed    = errors.New("the pasted text is neither an address nor a code")
)

// PasteError explains why a paste was refused. Its message never contains
// the pasted code or state.
type PasteError struct {
	Kind error  // one of the ErrPaste... values
	Msg  string // the full sentence for the user
}

func (e *PasteError) Error() string        { return e.Msg }
func (e *PasteError) Is(target error) bool { return target == e.Kind }

func pasteErr(kind error, format string, args ...any) error {
	return &PasteError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// MaxPaste is the longest accepted paste (long enough for any real redirect).
const MaxPaste = 64 << 10

// Byte counts at which terminals and line editors commonly cut a paste.
var pasteLimits = map[int]bool{255: true, 256: true, 1023: true, 1024: true, 4095: true, 4096: true}

var queryLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|[?&#])(?:code|state|error)=`) })

// ParsePasted reads what the user pasted while (or instead of) waiting for
// the callback (rule 13): either the whole redirected address, whose
// scheme, host, port and path must match redirect (when redirect.URL is set)
// and whose state must equal state (when state is not empty), or a bare code,
// returned with NeedsConfirmation. A refusal in the address (error= with the
// right state) returns a *ProviderError. Other failures return a *PasteError
// that says precisely what is wrong (a truncated address, a wrong state, a
// wrong path) without echoing the code or the state.
func ParsePasted(input string, redirect RedirectURI, state string) (PastedResult, error) {
	if len(input) > MaxPaste {
		return PastedResult{}, pasteErr(ErrPasteTooLong, "the pasted text is too long (%d bytes); paste only the address from the browser's address bar, or only the code", len(input))
	}
	rawLen := len(input)
	s := strings.TrimSpace(input)
	s = trimPair(s, `"`, `"`)
	s = trimPair(s, `'`, `'`)
	s = trimPair(s, "<", ">")
	s = strings.TrimSpace(s)
	if s == "" {
		return PastedResult{}, pasteErr(ErrPasteEmpty, "nothing was pasted; paste the whole address the browser shows after the redirect, or the code alone")
	}
	if strings.Contains(s, "://") || queryLike().MatchString(s) {
		// A wrapped paste may carry line breaks; an address has no whitespace.
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		return parsePastedURL(s, rawLen, redirect, state)
	}
	return parseBareCode(s)
}

func trimPair(s, open, close string) string {
	if len(s) >= 2 && strings.HasPrefix(s, open) && strings.HasSuffix(s, close) {
		return s[len(open) : len(s)-len(close)]
	}
	return s
}

func parseBareCode(s string) (PastedResult, error) {
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return PastedResult{}, pasteErr(ErrPasteMalformed, "a code has no spaces or line breaks; paste the code alone, or the whole address from the browser's address bar")
		case r < 0x21 || r > 0x7e || strings.ContainsRune(`"'<>\`+"`", r):
			return PastedResult{}, pasteErr(ErrPasteMalformed, "the pasted text has characters a code cannot have; paste the code alone, or the whole address from the browser's address bar")
		}
	}
	if strings.ContainsAny(s, "&?#") {
		return PastedResult{}, pasteErr(ErrPasteMalformed, "the pasted text looks like part of an address; paste the whole address from the browser's address bar, or only the value after code=")
	}
	code := s
	if strings.Contains(s, "%") {
		// Copied from the address bar: percent-encoded, as the listener would
		// have received it before decoding.
		d, err := url.PathUnescape(s)
		if err != nil {
			return PastedResult{}, pasteErr(ErrPasteTruncated, "the code ends in an incomplete %%-escape, so it was probably cut short; copy it again")
		}
		code = d
	}
	return PastedResult{Code: Code{v: code}, NeedsConfirmation: true}, nil
}

func parsePastedURL(s string, rawLen int, redirect RedirectURI, state string) (PastedResult, error) {
	limitNote := ""
	if pasteLimits[rawLen] || pasteLimits[len(s)] {
		limitNote = fmt.Sprintf(" (it is exactly %d bytes long: the terminal probably cut the paste there; try copying it in two parts, or paste only the code)", len(s))
	}
	if trailingBrokenEscape(s) {
		return PastedResult{}, pasteErr(ErrPasteTruncated, "the pasted address ends in the middle of a %%-escape, so it was cut short%s; copy the whole address again", limitNote)
	}
	var u *url.URL
	var err error
	queryOnly := !strings.Contains(s, "://")
	if queryOnly {
		q := s
		if i := strings.IndexAny(q, "?#"); i >= 0 {
			q = q[i+1:]
		}
		u = &url.URL{RawQuery: q}
	} else {
		u, err = url.Parse(s)
		if err != nil {
			// url's own message quotes the input: never show it.
			return PastedResult{}, pasteErr(ErrPasteMalformed, "the pasted text is not a valid address%s; copy it again from the browser's address bar", limitNote)
		}
		if msg := addressMismatch(u, redirect); msg != "" {
			// The message quotes parts of the pasted address, which may hold
			// the expected state anywhere: never echo it (rule 6).
			if state != "" {
				msg = strings.ReplaceAll(msg, state, Mask)
			}
			return PastedResult{}, pasteErr(ErrPasteWrongAddress, "%s", msg)
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return PastedResult{}, pasteErr(ErrPasteMalformed, "the address's parameters cannot be read (a stray %% or ;)%s; copy the whole address again", limitNote)
	}
	if !q.Has("code") && !q.Has("error") && u.Fragment != "" {
		// Some providers answer in the fragment (response_mode=fragment).
		if fq, ferr := url.ParseQuery(u.Fragment); ferr == nil && (fq.Has("code") || fq.Has("error")) {
			q = fq
		}
	}
	for _, k := range []string{"code", "state", "error"} {
		if len(q[k]) > 1 {
			return PastedResult{}, pasteErr(ErrPasteMalformed, "the address has %q more than once, so it cannot be trusted; copy the address of the final redirect again", k)
		}
	}
	hasCode, hasState, hasError := q.Has("code"), q.Has("state"), q.Has("error")
	got := q.Get("state")

	switch {
	case !hasCode && !hasError && hasState:
		return PastedResult{}, pasteErr(ErrPasteTruncated, "the address has a state but no code, so it was probably cut short%s; copy the whole address again", limitNote)
	case !hasCode && !hasError && limitNote != "":
		return PastedResult{}, pasteErr(ErrPasteTruncated, "the address has no code%s; copy the whole address again", limitNote)
	case !hasCode && !hasError:
		return PastedResult{}, pasteErr(ErrPasteNoCode, "the address has no code= parameter; paste the address the browser shows after you allowed access (it contains code=), or the code alone")
	case hasCode && q.Get("code") == "" && !hasState:
		return PastedResult{}, pasteErr(ErrPasteTruncated, "the address ends right after code=, so it was cut short%s; copy the whole address again", limitNote)
	}
	if state != "" {
		switch {
		case !hasState && hasError:
			return PastedResult{}, pasteErr(ErrPasteWrongState, "the address carries a refusal (%s) but no state, so it cannot be matched to this authorization; start the authorization again", sanitize(q.Get("error"), MaxErrorCode))
		case !hasState:
			return PastedResult{}, pasteErr(ErrPasteTruncated, "the address has a code but no state after it, so it was probably cut short%s; copy the whole address again", limitNote)
		case len(got) == 0:
			return PastedResult{}, pasteErr(ErrPasteTruncated, "the address ends right after state=, so it was cut short%s; copy the whole address again", limitNote)
		case !stateMatches(got, state):
			if len(got) < len(state) && stateMatches(got, state[:len(got)]) && strings.HasSuffix(s, got) {
				return PastedResult{}, pasteErr(ErrPasteTruncated, "the state at the end of the address is shorter than the one sent, so the address was cut short%s; copy the whole address again", limitNote)
			}
			return PastedResult{}, pasteErr(ErrPasteWrongState, "the address's state does not match this authorization: it comes from an older attempt or from someone else; use the address from the newest browser tab, or start again")
		}
	}
	if hasError {
		return PastedResult{}, newProviderError(q.Get)
	}
	code := q.Get("code")
	if code == "" {
		return PastedResult{}, pasteErr(ErrPasteNoCode, "the address has an empty code; authorize again and copy the new address")
	}
	q.Del("code")
	return PastedResult{Code: Code{v: code}, Params: Params{v: q}, NeedsConfirmation: state == ""}, nil
}

// addressMismatch compares the pasted address with the redirect URI (scheme,
// host, port, path) and returns what differs, or "".
func addressMismatch(u *url.URL, r RedirectURI) string {
	if r.URL == nil {
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Sprintf("the pasted address starts with %s://; paste the http(s) address from the browser's address bar", sanitize(u.Scheme, 20))
		}
		return ""
	}
	want := r.URL
	if !strings.EqualFold(u.Hostname(), want.Hostname()) || portOf(u) != r.Port() && !(u.Scheme != want.Scheme && u.Port() == want.Port()) {
		return fmt.Sprintf("the pasted address is for %s, not %s (the redirect URI is %s); paste the address the provider redirected to", sanitize(u.Host, 100), want.Host, r.Raw)
	}
	if u.Scheme != want.Scheme {
		if u.Scheme == "https" && want.Scheme == "http" && r.Loopback {
			return fmt.Sprintf("the pasted address starts with https:// but the redirect URI is %s: the browser switched to HTTPS (HTTPS-Only mode or HSTS); change https to http and paste again, or paste only the code", r.Raw)
		}
		return fmt.Sprintf("the pasted address starts with %s:// but the redirect URI is %s; paste the address the provider redirected to", sanitize(u.Scheme, 20), r.Raw)
	}
	if p := pathOf(u); p != r.Path() {
		return fmt.Sprintf("the pasted address has the path %s, not %s (the redirect URI is %s); paste the address of the final redirect, which starts with %s", sanitize(p, 100), r.Path(), r.Raw, r.Raw)
	}
	return ""
}

// portOf and pathOf read a pasted address the way RedirectURI reads the
// redirect URI, so that the two compare alike.
func portOf(u *url.URL) int    { return RedirectURI{URL: u}.Port() }
func pathOf(u *url.URL) string { return RedirectURI{URL: u}.Path() }

// trailingBrokenEscape reports whether s ends with "%" or "%X".
func trailingBrokenEscape(s string) bool {
	n := len(s)
	if n >= 1 && s[n-1] == '%' {
		return true
	}
	return n >= 2 && s[n-2] == '%' && isHex(s[n-1])
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
