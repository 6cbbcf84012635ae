package cloudelements_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// Every test here talks to the sandbox (or a small real server) over real
// HTTP on 127.0.0.1: no mocked transports, so timeouts, resets and
// redirects are the real thing.

const (
	site     = "acme.docushareflex.com"
	callback = "http://127.0.0.1:23949/callback"
)

// fastRetry keeps the GET retry logic but with millisecond backoffs, so the
// tests are quick.
var fastRetry = cloudelements.RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 3 * time.Second}

type env struct {
	t   testing.TB
	srv *sandbox.Server
	c   *cloudelements.Client
}

func newEnv(t testing.TB, opts ...cloudelements.Option) *env {
	t.Helper()
	return newEnvWith(t, sandbox.Options{}, opts...)
}

func newEnvWith(t testing.TB, so sandbox.Options, opts ...cloudelements.Option) *env {
	t.Helper()
	srv, err := sandbox.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	user, org := so.UserSecret, so.OrgSecret
	if user == "" {
		user, org = sandbox.DemoUserSecret, sandbox.DemoOrgSecret
	}
	c, err := cloudelements.New(srv.BaseURL(), flow.NewSecret(user), flow.NewSecret(org),
		append([]cloudelements.Option{cloudelements.WithRetry(fastRetry), cloudelements.WithVersion("test")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, c: c}
}

// client is another client on the same sandbox.
func (e *env) client(opts ...cloudelements.Option) *cloudelements.Client {
	e.t.Helper()
	c, err := cloudelements.New(e.srv.BaseURL(), flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret),
		append([]cloudelements.Option{cloudelements.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// consent follows the oauthUrl the way a script would (decision=allow|deny
// on the documented consent URL) and returns the redirect's query.
func consent(t testing.TB, oauthURL, decision string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(oauthURL + "&decision=" + decision)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent %s: %d", decision, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

// authorize gets a grant code the way cewiz does: oauth/url through the
// client, then Allow on the consent page.
func (e *env) authorize(cb string) string {
	e.t.Helper()
	u, err := e.c.OAuthURL(context.Background(), cloudelements.OAuthRequest{
		APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret), CallbackURL: cb, SiteAddress: site, State: "nonce-1",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	q := consent(e.t, u, "allow")
	if q.Get("state") != "nonce-1" || q.Get("code") == "" {
		e.t.Fatalf("redirect query %v", q)
	}
	return q.Get("code")
}

// body is what cewiz sends: flow.BuildBody with the secrets included.
func body(name, code string) flow.Body {
	a := flow.NewAnswers()
	a.Name = name
	a.Domain = site
	a.APIKey = sandbox.DemoAppID
	a.CallbackURL = callback
	a.NotificationURL = "https://example.com/events"
	a.Code = flow.NewSecret(code)
	return flow.BuildBody(a, flow.Secrets{APISecret: flow.NewSecret(sandbox.DemoAppSecret)}, flow.SecretsIncluded)
}

func (e *env) create(name string) *cloudelements.Instance {
	e.t.Helper()
	in, err := e.c.CreateInstance(context.Background(), body(name, e.authorize(callback)))
	if err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
	return in
}

func (e *env) fault(route string, f sandbox.Fault) {
	e.t.Helper()
	if err := e.srv.InjectFault(route, f); err != nil {
		e.t.Fatal(err)
	}
}

func apiErr(t testing.TB, err error) *cloudelements.APIError {
	t.Helper()
	var ae *cloudelements.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return ae
}

func netErr(t testing.TB, err error) *cloudelements.NetError {
	t.Helper()
	var ne *cloudelements.NetError
	if !errors.As(err, &ne) {
		t.Fatalf("error %v (%T) is not a *NetError", err, err)
	}
	return ne
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return false
		}
	}
	return true
}

func secretOf(s string) flow.Secret { return flow.NewSecret(s) }

// cancelWhen cancels the returned context as soon as cond holds (polled),
// so a test cancels at a known point of the exchange instead of after a
// guessed delay. It gives up after a minute.
func cancelWhen(t testing.TB, cond func() bool) context.Context {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done; cancel() })
	go func() {
		defer close(done)
		deadline := time.Now().Add(time.Minute)
		for !cond() && time.Now().Before(deadline) {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		cancel()
	}()
	return c
}

// statusOf is the HTTP status of an *APIError in err's chain, or 0.
func statusOf(err error) int {
	var ae *cloudelements.APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// isCodeRejected reports whether err is Cloud Elements refusing the grant
// code (APIError.CodeRejected).
func isCodeRejected(err error) bool {
	var ae *cloudelements.APIError
	return errors.As(err, &ae) && ae.CodeRejected()
}
