package oauthlistener

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

var testRedirect, _ = ParseRedirectURI(DefaultRedirectURI)

const testState = "Zm9vYmFyYmF6cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8"

func pastedURL(code, state string) string {
	return DefaultRedirectURI + "?code=" + url.QueryEscape(code) + "&state=" + state
}

// ---- Rule 13: paste while listening ----

func TestRule13_PastedAddressIsCheckedAndParsed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		pastedURL("abc/DEF+=", testState),
		"  " + pastedURL("abc/DEF+=", testState) + "\n",
		`"` + pastedURL("abc/DEF+=", testState) + `"`,
		"<" + pastedURL("abc/DEF+=", testState) + ">",
		DefaultRedirectURI + "?state=" + testState + "&code=abc%2FDEF%2B%3D&scope=docs",
		pastedURL("abc/DEF+=", testState)[:40] + "\n" + pastedURL("abc/DEF+=", testState)[40:], // wrapped by the terminal
		"?code=abc%2FDEF%2B%3D&state=" + testState,                                             // the query alone
	} {
		p, err := ParsePasted(in, testRedirect, testState)
		if err != nil {
			t.Errorf("ParsePasted(%q): %v", in, err)
			continue
		}
		if p.Code.Reveal() != "abc/DEF+=" || p.NeedsConfirmation || p.Params.Get("state") != testState || p.Params.Has("code") {
			t.Errorf("ParsePasted(%q) = %q %+v", in, p.Code.Reveal(), p)
		}
	}
}

func TestRule13_BareCodeNeedsConfirmation(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"4/0AbCdEf-gh_ij=":        "4/0AbCdEf-gh_ij=",
		"  abc123\n":              "abc123",
		"abc%2Fdef":               "abc/def",
		"a+b":                     "a+b",
		strings.Repeat("k", 3000): strings.Repeat("k", 3000),
	} {
		p, err := ParsePasted(in, testRedirect, testState)
		if err != nil || p.Code.Reveal() != want || !p.NeedsConfirmation {
			t.Errorf("ParsePasted(%q) = %q, %v, needs=%v", in, p.Code.Reveal(), err, p.NeedsConfirmation)
		}
	}
	for _, in := range []string{"abc def", "abc\"", "a&b", "ab#c", "é", "abc%2"} {
		if _, err := ParsePasted(in, testRedirect, testState); err == nil {
			t.Errorf("ParsePasted(%q) accepted a malformed code", in)
		}
	}
}

func TestRule13_PreciseErrors(t *testing.T) {
	t.Parallel()
	full := pastedURL("thecode", testState)
	cases := []struct {
		name, in string
		kind     error
		says     string
	}{
		{"empty", "   \n", ErrPasteEmpty, "nothing"},
		{"code but no state", DefaultRedirectURI + "?code=thecode", ErrPasteTruncated, "no state"},
		{"code= at the end", DefaultRedirectURI + "?code=", ErrPasteTruncated, "cut short"},
		{"state= at the end", DefaultRedirectURI + "?code=thecode&state=", ErrPasteTruncated, "cut short"},
		{"state cut short", full[:len(full)-5], ErrPasteTruncated, "shorter"},
		{"state but no code", DefaultRedirectURI + "?state=" + testState[:20], ErrPasteTruncated, "no code"},
		{"broken escape", DefaultRedirectURI + "?code=ab%2", ErrPasteTruncated, "%-escape"},
		{"cut at 1024", (DefaultRedirectURI + "?scope=" + strings.Repeat("s", 960) + "&code=thecode&state=" + testState)[:1024], ErrPasteTruncated, "1024"},
		{"cut at 1024 before the code", (DefaultRedirectURI + "?scope=" + strings.Repeat("s", 2000) + "&code=thecode&state=" + testState)[:1024], ErrPasteTruncated, "1024"},
		{"wrong state", pastedURL("thecode", "someone-elses-state-value"), ErrPasteWrongState, "does not match"},
		{"forged error", DefaultRedirectURI + "?error=access_denied&state=nope", ErrPasteWrongState, "does not match"},
		{"error without state", DefaultRedirectURI + "?error=access_denied", ErrPasteWrongState, "no state"},
		{"wrong path", "http://127.0.0.1:23949/callbak?code=thecode&state=" + testState, ErrPasteWrongAddress, "/callbak"},
		{"wrong host", "http://localhost:23949/callback?code=thecode&state=" + testState, ErrPasteWrongAddress, "localhost:23949"},
		{"wrong port", "http://127.0.0.1:23950/callback?code=thecode&state=" + testState, ErrPasteWrongAddress, "127.0.0.1:23950"},
		{"https upgrade", "https://127.0.0.1:23949/callback?code=thecode&state=" + testState, ErrPasteWrongAddress, "HTTPS"},
		{"the authorization URL", "https://acme.docushareflex.com/oauth/authorize?client_id=x&state=" + testState, ErrPasteWrongAddress, "acme.docushareflex.com"},
		{"no code", DefaultRedirectURI + "?foo=bar&error_description=x", ErrPasteNoCode, "code="},
		{"two codes", DefaultRedirectURI + "?code=a&code=b&state=" + testState, ErrPasteMalformed, "more than once"},
		{"too long", strings.Repeat("a", MaxPaste+1), ErrPasteTooLong, "too long"},
		{"not a url", "http://[::1/callback?code=x&state=" + testState, ErrPasteMalformed, "not a valid address"},
	}
	for _, c := range cases {
		_, err := ParsePasted(c.in, testRedirect, testState)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.kind)
			continue
		}
		mustContain(t, err.Error(), c.says, c.name)
		mustNotContain(t, err.Error(), testState, c.name+" (the state)")
		mustNotContain(t, err.Error(), testState[:16], c.name+" (part of the state)")
		mustNotContain(t, err.Error(), "thecode", c.name+" (the code)")
		mustNotContain(t, err.Error(), "someone-elses", c.name+" (the pasted state)")
	}
}

func TestRule13_PastedProviderError(t *testing.T) {
	t.Parallel()
	_, err := ParsePasted(DefaultRedirectURI+"?error=access_denied&error_description=No+way&state="+testState, testRedirect, testState)
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Code != "access_denied" || pe.Description != "No way" {
		t.Fatalf("err = %v", err)
	}
}

func TestRule13_Paste5KiBAddress(t *testing.T) {
	t.Parallel()
	code := strings.Repeat("C", 2048)
	in := pastedURL(code, testState) + "&scope=" + strings.Repeat("s", 5*1024-len(pastedURL(code, testState))-7)
	if len(in) != 5*1024 {
		t.Fatalf("input is %d bytes", len(in))
	}
	p, err := ParsePasted(in, testRedirect, testState)
	if err != nil || p.Code.Reveal() != code {
		t.Fatalf("5 KiB paste: %v", err)
	}
	// Cut at 4096 (a common terminal limit): a precise message.
	_, err = ParsePasted(pastedURL(strings.Repeat("C", 5000), testState)[:4096], testRedirect, testState)
	if !errors.Is(err, ErrPasteTruncated) || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("4096 cut: %v", err)
	}
}

func TestRule13_PasteWhileListening(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	// A wrong paste does not end the wait.
	if _, err := l.Paste(l.RedirectURI() + "?code=x&state=wrong"); !errors.Is(err, ErrPasteWrongState) {
		t.Fatal(err)
	}
	stillWaiting(t, l, "a wrong paste")
	// A bare code waits for confirmation.
	p, err := l.Paste("bare-code")
	if err != nil || !p.NeedsConfirmation {
		t.Fatal(p, err)
	}
	stillWaiting(t, l, "a bare code before confirmation")
	if err := l.Accept(p); err != nil {
		t.Fatal(err)
	}
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != "bare-code" || res.Source != FromPastedCode {
		t.Fatal(res, err)
	}
	if !released(l) {
		t.Error("the port is still bound after the paste ended the wait")
	}
	if err := l.Accept(p); !errors.Is(err, ErrAlreadyCompleted) {
		t.Errorf("second Accept: %v", err)
	}

	// The whole address ends the wait at once.
	l2 := start(t, Options{})
	if _, err := l2.Paste(l2.RedirectURI() + "?code=pasted&state=" + l2.State()); err != nil {
		t.Fatal(err)
	}
	res, err = waitFor(t, l2, time.Second)
	if err != nil || res.Code.Reveal() != "pasted" || res.Source != FromPaste {
		t.Fatal(res, err)
	}
}

func FuzzParsePasted(f *testing.F) {
	for _, s := range []string{
		pastedURL("code", testState), "code", "", "?code=x&state=" + testState, DefaultRedirectURI + "?code=",
		DefaultRedirectURI + "?error=access_denied&state=" + testState, "http://[::1", "%", "a%2", "https://x/?code=a#state=b",
		DefaultRedirectURI + "#code=a&state=" + testState, "\"'<>", strings.Repeat("x", 1024), "http://127.0.0.1:23949/callback?code=a;b",
	} {
		f.Add(s, testState)
	}
	f.Fuzz(func(t *testing.T, in, state string) {
		p, err := ParsePasted(in, testRedirect, state)
		if err != nil {
			var pe *PasteError
			var pr *ProviderError
			if !errors.As(err, &pe) && !errors.As(err, &pr) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if pe != nil && len(state) >= 8 && strings.Contains(pe.Error(), state) {
				t.Fatalf("the state is echoed: %q", pe.Error())
			}
			return
		}
		if p.Code.IsZero() {
			t.Fatalf("success without a code for %q", in)
		}
		if !p.NeedsConfirmation && (state == "" || p.Params.Get("state") != state) {
			t.Fatalf("accepted without confirmation but the state is not checked: %q", in)
		}
	})
}
