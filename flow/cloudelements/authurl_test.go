package cloudelements_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

func oauthRequest(cb string) cloudelements.OAuthRequest {
	return cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret), CallbackURL: cb, SiteAddress: site, State: "nonce-1"}
}

// Which siteAddress form Cloud Elements wants is not published. Against a
// sandbox expecting either form, the client ends with a well-formed address,
// asks at most twice, and keeps the form that worked.
func TestOAuthURLSiteAddressForms(t *testing.T) {
	for _, tt := range []struct {
		name     string
		wantURL  bool                          // the form the sandbox expects
		start    cloudelements.SiteAddressForm // the form the client tries first
		requests int
		end      cloudelements.SiteAddressForm
	}{
		{"host expected, host sent", false, cloudelements.SiteHost, 1, cloudelements.SiteHost},
		{"URL expected, host sent: https://host asked next", true, cloudelements.SiteHost, 2, cloudelements.SiteURL},
		{"URL expected, URL remembered", true, cloudelements.SiteURL, 1, cloudelements.SiteURL},
		{"host expected, URL remembered: https://https://… answered", false, cloudelements.SiteURL, 2, cloudelements.SiteHost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, sandbox.Options{SiteAddressURL: tt.wantURL}, cloudelements.WithSiteAddressForm(tt.start))
			u, err := e.c.OAuthURL(ctx, oauthRequest(callback))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u, e.srv.URL()+sandbox.ConsentPath+"?") {
				t.Fatalf("oauthUrl %s", u)
			}
			if n := e.srv.Count(sandbox.RouteOAuthURL); n != tt.requests {
				t.Fatalf("%d oauth/url requests, want %d", n, tt.requests)
			}
			if got := e.c.SiteAddressForm(); got != tt.end {
				t.Fatalf("form %v, want %v", got, tt.end)
			}
			// The next authorization asks once, with the form that worked.
			e.srv.ResetCounts()
			if _, err := e.c.OAuthURL(ctx, oauthRequest(callback)); err != nil || e.srv.Count(sandbox.RouteOAuthURL) != 1 {
				t.Fatalf("second authorization: %d requests, %v", e.srv.Count(sandbox.RouteOAuthURL), err)
			}
			// The consent page accepts it: the whole journey works.
			if consent(t, u, "allow").Get("code") == "" {
				t.Fatal("no code from the consent page")
			}
		})
	}
}

// oauthServer answers oauth/url with the addresses given, one per request
// (the last one repeated), and records the siteAddress values it got.
func oauthServer(t *testing.T, answers ...string) (*cloudelements.Client, func() []string) {
	var mu sync.Mutex
	var sites []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sites = append(sites, r.URL.Query().Get("siteAddress"))
		a := answers[min(len(sites), len(answers))-1]
		mu.Unlock()
		b, _ := json.Marshal(map[string]string{"oauthUrl": a})
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	c, err := cloudelements.New(srv.URL, flow.NewSecret("u"), flow.NewSecret("o"), cloudelements.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), sites...) }
}

// An address that is not http(s), holds control or escape characters, or is
// too long is an immediate typed error: never printed, never opened, never
// waited for, and not asked again.
func TestOAuthURLUnsafeIsRefusedAtOnce(t *testing.T) {
	good := "https://acme.docushareflex.com/oauth/authorize?client_id=x&state=nonce-1"
	for name, bad := range map[string]string{
		"javascript":        "javascript:alert(document.cookie)",
		"file":              "file:///etc/passwd",
		"data":              "data:text/html,<script>x</script>",
		"escape sequence":   "https://acme.docushareflex.com/\x1b]52;c;aGk=\x07",
		"newline":           "https://acme.docushareflex.com/a\nInjected: line",
		"bidi override":     "https://acme.docushareflex.com/\u202etxt.exe",
		"too long":          "https://acme.docushareflex.com/?" + strings.Repeat("a", cloudelements.MaxAuthURLLength),
		"credentials in it": "https://user:pw@acme.docushareflex.com/",
	} {
		t.Run(name, func(t *testing.T) {
			c, sites := oauthServer(t, bad, good)
			u, err := c.OAuthURL(ctx, oauthRequest(callback))
			var ae *cloudelements.AuthURLError
			if u != "" || !errors.As(err, &ae) || !errors.Is(err, cloudelements.ErrUnsafeAuthURL) || errors.Is(err, cloudelements.ErrMalformedAuthURL) {
				t.Fatalf("got %q, %v", u, err)
			}
			if len(sites()) != 1 {
				t.Fatalf("asked %d times, want once", len(sites()))
			}
			// Nothing of the address reaches the error text or the hint.
			if text := err.Error() + cloudelements.Hint(err); strings.ContainsAny(text, "\x1b\x07\n\u202e") || strings.Contains(text, "cookie") || strings.Contains(text, "passwd") {
				t.Fatalf("the address leaked into %q", text)
			}
		})
	}
}

// A malformed answer is asked again with the other siteAddress form; when
// that fails too, the error says so and names both forms.
func TestOAuthURLMalformedBothForms(t *testing.T) {
	for name, bad := range map[string]string{
		"https twice": "https://https://acme.docushareflex.com/oauth/authorize?state=nonce-1",
		"no scheme":   "acme.docushareflex.com/oauth/authorize?state=nonce-1",
		"no host":     "https:///oauth/authorize",
		"one label":   "https://acme/oauth/authorize",
		"plain http":  "http://acme.docushareflex.com/oauth/authorize",
	} {
		t.Run(name, func(t *testing.T) {
			c, sites := oauthServer(t, bad)
			_, err := c.OAuthURL(ctx, oauthRequest(callback))
			if !errors.Is(err, cloudelements.ErrMalformedAuthURL) || errors.Is(err, cloudelements.ErrUnsafeAuthURL) {
				t.Fatalf("got %v", err)
			}
			if got := strings.Join(sites(), " "); got != site+" https://"+site {
				t.Fatalf("siteAddress sent %q, want the host then https://host", got)
			}
			if !contains(err.Error(), site, "https://"+site) || strings.Contains(err.Error(), "nonce-1") || cloudelements.Hint(err) == "" {
				t.Fatalf("message %q", err)
			}
			if c.SiteAddressForm() != cloudelements.SiteHost {
				t.Fatal("a form that did not work was kept")
			}
		})
	}
	t.Run("the second answer is good", func(t *testing.T) {
		good := "https://acme.docushareflex.com/oauth/authorize?state=nonce-1"
		c, sites := oauthServer(t, "https://https://acme.docushareflex.com/x", good)
		if u, err := c.OAuthURL(ctx, oauthRequest(callback)); err != nil || u != good || len(sites()) != 2 || c.SiteAddressForm() != cloudelements.SiteURL {
			t.Fatalf("%q %v %v", u, err, sites())
		}
	})
}

func TestCheckAuthorizationURL(t *testing.T) {
	for raw, want := range map[string]error{
		"https://acme.docushareflex.com/oauth/authorize?a=b":  nil,
		"https://acme.docushareflex.com:8443/x":               nil,
		"http://127.0.0.1:4000/docushareflex/oauth/authorize": nil, // the sandbox
		"https://10.0.0.1/x":                                  nil,
		"JavaScript:alert(1)":                                 cloudelements.ErrUnsafeAuthURL,
		"vbscript:x":                                          cloudelements.ErrUnsafeAuthURL,
		"acme.docushareflex.com:443/x":                        cloudelements.ErrMalformedAuthURL,
		"https://acme.docushareflex.com:port/x":               cloudelements.ErrMalformedAuthURL,
		"https://acme_1.docushareflex.com/x":                  cloudelements.ErrMalformedAuthURL,
		"":                                                    cloudelements.ErrMalformedAuthURL,
	} {
		err := cloudelements.CheckAuthorizationURL(raw)
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("CheckAuthorizationURL(%q) = %v, want %v", raw, err, want)
		}
	}
	for _, f := range []cloudelements.SiteAddressForm{cloudelements.SiteHost, cloudelements.SiteURL} {
		if g, ok := cloudelements.ParseSiteAddressForm(f.String()); !ok || g != f {
			t.Errorf("form %v does not round-trip", f)
		}
	}
}
