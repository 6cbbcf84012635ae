package cloudelements_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// TestRedirectsAreNeverFollowed: an API call answered with a redirect is an
// error naming where it pointed (host only), and nothing reaches that
// address: following it would hand the platform secrets, the Application
// Secret and the grant code to it, https to plain http included.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":666,"name":"mine","token":"stolen","oauthUrl":"https://thief.example/"}`))
	}))
	defer thief.Close()
	thiefURL, _ := url.Parse(thief.URL)

	// redirector answers every request with status to the thief, same path
	// and query (what a hostile or misconfigured proxy would do).
	redirector := func(status int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL+r.URL.RequestURI(), status)
		})
	}
	plainFront := func(status int) *httptest.Server { return httptest.NewServer(redirector(status)) }
	tlsFront := func(status int) *httptest.Server { return httptest.NewTLSServer(redirector(status)) }

	code := "grant-code-" + strings.Repeat("c", 20)
	appSecret := sandbox.DemoAppSecret
	createBody := body("mine", code)

	for _, tc := range []struct {
		name  string
		front func(int) *httptest.Server
		// client: nil for the client's own default, else the server's own
		// client (trusts its certificate; follows redirects by itself).
		ownClient bool
		status    int
		call      func(c *cloudelements.Client) error
		op        string
	}{
		{"POST /instances 307 http", plainFront, false, 307, func(c *cloudelements.Client) error {
			_, err := c.CreateInstance(ctx, createBody)
			return err
		}, "POST /instances"},
		{"POST /instances 308 https to http", tlsFront, true, 308, func(c *cloudelements.Client) error {
			_, err := c.CreateInstance(ctx, createBody)
			return err
		}, "POST /instances"},
		{"GET oauth/url 302 with the Application Secret in the query", tlsFront, true, 302, func(c *cloudelements.Client) error {
			_, err := c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(appSecret),
				CallbackURL: callback, SiteAddress: site, State: "state-nonce-123"})
			return err
		}, "GET /elements/docushareflex/oauth/url"},
		{"GET /instances 301", plainFront, false, 301, func(c *cloudelements.Client) error {
			_, err := c.ListInstances(ctx, cloudelements.InstanceQuery{})
			return err
		}, "GET /instances"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stolen.Store(0)
			front := tc.front(tc.status)
			defer front.Close()
			var opts []cloudelements.Option
			if tc.ownClient {
				opts = append(opts, cloudelements.WithHTTPClient(front.Client()))
			}
			c, err := cloudelements.New(front.URL+sandbox.APIPath, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret),
				append([]cloudelements.Option{cloudelements.WithRetry(fastRetry)}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(c)
			if n := stolen.Load(); n != 0 {
				t.Fatalf("the redirect was followed: %d requests reached the other host", n)
			}
			var re *cloudelements.RedirectError
			if !errors.As(err, &re) {
				t.Fatalf("got %v (%T), want a *RedirectError", err, err)
			}
			if re.Status != tc.status || re.Op != tc.op || re.Host != thiefURL.Host {
				t.Fatalf("got %+v", re)
			}
			msg := err.Error() + " " + cloudelements.Hint(err)
			if !strings.Contains(msg, thiefURL.Host) || !contains(msg, "redirect", "base URL") {
				t.Fatalf("the error does not name the host or say what to do: %s", msg)
			}
			for _, leak := range []string{appSecret, code, "state-nonce-123", "apiSecret", "?", sandbox.DemoUserSecret} {
				if strings.Contains(msg, leak) {
					t.Fatalf("the error shows %q: %s", leak, msg)
				}
			}
			if errors.Is(err, cloudelements.ErrOutcomeUnknown) || statusOf(err) != 0 {
				t.Fatalf("a redirect is a definite failure, not %v", err)
			}
		})
	}

	t.Run("a relative Location names the same host", func(t *testing.T) {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/elsewhere?secret=x")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}))
		defer front.Close()
		c, err := cloudelements.New(front.URL, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListInstances(ctx, cloudelements.InstanceQuery{})
		var re *cloudelements.RedirectError
		frontURL, _ := url.Parse(front.URL)
		if !errors.As(err, &re) || re.Host != frontURL.Host || strings.Contains(err.Error(), "secret=") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no Location", func(t *testing.T) {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusFound)
		}))
		defer front.Close()
		c, err := cloudelements.New(front.URL, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListInstances(ctx, cloudelements.InstanceQuery{})
		var re *cloudelements.RedirectError
		if !errors.As(err, &re) || re.Host != "" || !contains(err.Error(), "302", "no Location") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestCreateAnswered303IsLookedUp: 303 See Other after POST is how a server
// says it acted and put the result elsewhere. The client does not follow it
// either, but the instance may exist: it is looked up by name on the base
// URL, never at the Location.
func TestCreateAnswered303IsLookedUp(t *testing.T) {
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	defer thief.Close()
	for _, create := range []bool{true, false} {
		sb := sandbox.New(sandbox.Options{})
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == sandbox.APIPath+"/instances" {
				if create {
					sb.ServeHTTP(httptest.NewRecorder(), r)
				}
				http.Redirect(w, r, thief.URL+"/instances/1", http.StatusSeeOther)
				return
			}
			sb.ServeHTTP(w, r)
		}))
		c, err := cloudelements.New(front.URL+sandbox.APIPath, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret), cloudelements.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		u, err := c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret),
			CallbackURL: callback, SiteAddress: site, State: "nonce-1"})
		if err != nil {
			t.Fatal(err)
		}
		in, err := c.CreateInstance(ctx, body("mine", consent(t, u, "allow").Get("code")))
		front.Close()
		if n := stolen.Load(); n != 0 {
			t.Fatalf("the 303 was followed: %d requests", n)
		}
		if n := sb.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("created=%v: %d lookups, want 1", create, n)
		}
		var re *cloudelements.RedirectError
		switch {
		case create && (err != nil || !in.Recovered || in.Name != "mine"):
			t.Fatalf("created: got %+v, %v", in, err)
		case !create && (!errors.Is(err, cloudelements.ErrOutcomeUnknown) || !errors.As(err, &re) || re.Status != 303):
			t.Fatalf("not created: got %v", err)
		}
	}
}
