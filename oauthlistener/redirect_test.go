package oauthlistener

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// ---- Rule 2: the redirect URI is one string ----

func TestRule02_RedirectURIValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw      string
		ok       bool
		loopback bool
	}{
		{"http://127.0.0.1:23949/callback", true, true},
		{"http://[::1]:23949/callback", true, true},
		{"http://localhost:23949/callback", true, true},
		{"http://LocalHost:8080/cb", true, true},
		{"http://127.0.0.1/callback", true, true},
		{"https://auth.cloudelements.io/oauth", true, false},
		{"https://127.0.0.1:23949/callback", true, false}, // https cannot be served by the listener
		{"http://127.0.0.2:23949/callback", true, false},  // on this machine, but not a name the listener binds
		// Plain http to another machine: the code would cross the network
		// unencrypted.
		{"http://localhost.evil.example:23949/callback", false, false},
		{"http://127.0.0.1.nip.io/callback", false, false},
		{"http://0.0.0.0:23949/callback", false, false},
		{"http://auth.example.com/oauth", false, false},
		{"http://192.168.1.5:8080/callback", false, false},
		{"https://192.168.1.5:8080/callback", true, false},
		// Host name bounds: 253 characters, 63 per label, none empty.
		{"https://" + strings.Repeat("a", 63) + ".example.com/cb", true, false},
		{"https://" + strings.Repeat("a", 64) + ".example.com/cb", false, false},
		{"https://" + strings.Repeat("abcdefghi.", 25) + "example.com/cb", false, false}, // 261 characters
		{"https://auth..example.com/cb", false, false},
		{"http://127.0.0.1:23949/callback#frag", false, false},
		{"http://127.0.0.1:23949/callback#", false, false},
		{"http://user:pw@127.0.0.1:23949/callback", false, false},
		{"http://user@127.0.0.1:23949/callback", false, false},
		{"ftp://127.0.0.1/callback", false, false},
		{"127.0.0.1:23949/callback", false, false},
		{"/callback", false, false},
		{"", false, false},
		{" http://127.0.0.1:23949/callback", false, false},
		{"http://127.0.0.1:23949/call back", false, false},
		{"http://127.0.0.1:0/callback", false, false},
		{"http://127.0.0.1:70000/callback", false, false},
		{"http://127.0.0.1:23949/caf\u00e9", false, false},
		{"http:///callback", false, false},
	}
	for _, c := range cases {
		r, err := ParseRedirectURI(c.raw)
		if (err == nil) != c.ok {
			t.Errorf("ParseRedirectURI(%q) err = %v, want ok=%v", c.raw, err, c.ok)
			continue
		}
		if err != nil {
			continue
		}
		if r.Raw != c.raw {
			t.Errorf("Raw = %q, want the input byte for byte", r.Raw)
		}
		if r.Loopback != c.loopback {
			t.Errorf("%q: Loopback = %v, want %v", c.raw, r.Loopback, c.loopback)
		}
	}
}

// A plain-http callback to another machine is refused with the reason.
func TestRule02_PlainHTTPElsewhereSaysWhy(t *testing.T) {
	t.Parallel()
	_, err := ParseRedirectURI("http://auth.example.com/oauth")
	if err == nil || !strings.Contains(err.Error(), "unencrypted") || !strings.Contains(err.Error(), "https://") {
		t.Fatalf("err = %v, want the reason and the way out", err)
	}
}

func TestRule02_ListenerReturnsTheRegisteredURIByteForByte(t *testing.T) {
	t.Parallel()
	for _, tmpl := range []string{"http://localhost:%d/callback", "http://127.0.0.1:%d/oauth/cb", "http://[::1]:%d/callback", "http://LOCALHOST:%d/callback"} {
		p := journeytest.FreePort(t)
		raw := strings.Replace(tmpl, "%d", strconv.Itoa(p), 1)
		l, err := Start(context.Background(), Options{RedirectURI: raw})
		if err != nil {
			if strings.Contains(raw, "::1") && errors.Is(err, ErrPortUnavailable) {
				continue // no IPv6 here
			}
			t.Fatalf("Start(%q): %v", raw, err)
		}
		if l.RedirectURI() != raw {
			t.Errorf("RedirectURI() = %q, want %q byte for byte", l.RedirectURI(), raw)
		}
		r, _ := ParseRedirectURI(l.RedirectURI())
		if !r.Loopback || l.Redirect().Raw != raw {
			t.Errorf("%q: not loopback after the round trip", raw)
		}
		// The URI's path is the one served.
		path := r.Path()
		if g := get(t, l, path+"?code=c&state="+l.State()); g.Status != 303 {
			t.Errorf("%q: callback on %s: %d", raw, path, g.Status)
		}
		_ = l.Close()
	}
	// A registered URI that is not loopback cannot be served: paste instead.
	for _, raw := range []string{"https://auth.cloudelements.io/oauth", "https://127.0.0.1:23949/callback"} {
		if _, err := Start(context.Background(), Options{RedirectURI: raw}); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Start(%q) = %v, want ErrNotLoopback", raw, err)
		}
	}
	// The listen port must be the URI's.
	if _, err := Start(context.Background(), Options{RedirectURI: "http://127.0.0.1:23949/callback", Addr: "127.0.0.1:0"}); err == nil {
		t.Error("a listen port that differs from the redirect URI's was accepted")
	}
}

func TestRule02_DefaultRedirectURIIsLoopback(t *testing.T) {
	r, err := ParseRedirectURI(DefaultRedirectURI)
	if err != nil || !r.Loopback || r.Port() != DefaultPort || r.Path() != DefaultPath || r.ListenAddr() != DefaultAddr {
		t.Fatalf("%+v %v", r, err)
	}
	r, _ = ParseRedirectURI("http://localhost:5/x")
	if r.ListenAddr() != "127.0.0.1:5" {
		t.Errorf("localhost ListenAddr = %q", r.ListenAddr())
	}
	r, _ = ParseRedirectURI("https://auth.cloudelements.io/oauth")
	if r.Port() != 443 {
		t.Errorf("https default port = %d", r.Port())
	}
}

func FuzzParseRedirectURI(f *testing.F) {
	for _, s := range []string{
		DefaultRedirectURI, "http://localhost:23949/callback", "http://[::1]:1/x", "https://auth.cloudelements.io/oauth",
		"http://127.0.0.1:23949/callback#f", "http://u@127.0.0.1/", "http://127.0.0.1:99999/", "http://[::1", "http://%31%32/",
		"HTTP://LOCALHOST/", "http://127.0.0.1:23949/a?b=c", "javascript:alert(1)", "http://127.0.0.1:+1/", "http://[::1%25lo]:5/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := ParseRedirectURI(raw)
		if err != nil {
			return
		}
		if r.Raw != raw {
			t.Fatalf("Raw changed: %q -> %q", raw, r.Raw)
		}
		if r.URL.User != nil || r.URL.Fragment != "" || strings.Contains(raw, "#") {
			t.Fatalf("accepted userinfo or fragment: %q", raw)
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			t.Fatalf("accepted scheme %q", r.URL.Scheme)
		}
		if p := r.Port(); p < 1 || p > 65535 {
			t.Fatalf("port %d", p)
		}
		if r.Loopback {
			h := r.URL.Hostname()
			if r.URL.Scheme != "http" || !(h == "127.0.0.1" || h == "::1" || strings.EqualFold(h, "localhost")) {
				t.Fatalf("loopback claimed for %q", raw)
			}
			host := strings.Trim(r.ListenAddr()[:strings.LastIndex(r.ListenAddr(), ":")], "[]")
			if host != "127.0.0.1" && host != "::1" {
				t.Fatalf("ListenAddr %q for %q", r.ListenAddr(), raw)
			}
		}
		again, err := ParseRedirectURI(r.Raw)
		if err != nil || again.Loopback != r.Loopback {
			t.Fatalf("not idempotent: %q", raw)
		}
	})
}
