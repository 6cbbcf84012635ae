package cloudelements_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// Recognisable secret values: if any of them (or its URL encoding) shows up
// in an error text, a hint or a formatted error, the test fails.
const (
	canaryUser      = "CANARY-user-secret-1f2e3d"
	canaryOrg       = "CANARY-org-secret-4c5b6a"
	canaryAppSecret = "CANARY-app-secret+/=7788"
	canaryWrongUser = "CANARY-wrong-user-9911"
	canaryCode      = "CANARY-code-aa55"
	canaryState     = "CANARY-state-b0b0"
	canaryToken     = "CANARY-token-c1c1/+="
	canarySigning   = "CANARY-signing-key-d2d2"
)

// TestSecretsNeverInErrors collects an error from every failure path the
// client has, including a hostile server that echoes everything it got
// back in its error body, and scans them all.
func TestSecretsNeverInErrors(t *testing.T) {
	so := sandbox.Options{UserSecret: canaryUser, OrgSecret: canaryOrg, AppSecret: canaryAppSecret}
	e := newEnvWith(t, so)
	user, org := flow.NewSecret(canaryUser), flow.NewSecret(canaryOrg)
	oauth := cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(canaryAppSecret), CallbackURL: callback, SiteAddress: site, State: canaryState}
	mkBody := func(name, code string) flow.Body {
		b := body(name, code)
		b.Configuration.APISecret = canaryAppSecret
		b.Configuration.SignatureKey = canarySigning
		return b
	}
	newClient := func(base string, opts ...cloudelements.Option) *cloudelements.Client {
		c, err := cloudelements.New(base, user, org, append([]cloudelements.Option{cloudelements.WithRetry(fastRetry)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// A server that echoes the Authorization header, the query and the body
	// into every field of its error answer.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		status := http.StatusBadRequest
		if r.URL.Query().Get("apiKey") == "not-json" {
			status = http.StatusOK // a 200 that is not JSON: the protocol path
			w.Write([]byte("not json " + r.Header.Get("Authorization")))
			return
		}
		if r.Method == http.MethodPost {
			status = http.StatusBadGateway // ambiguous create, then the lookup fails too
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"requestId":%q,"message":%q,"providerMessage":%q}`,
			r.Header.Get("Authorization"), r.URL.RawQuery+" "+r.URL.String(), string(b))
	}))
	defer echo.Close()
	closed := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()

	type path struct {
		name string
		run  func() error
	}
	paths := []path{
		{"401 wrong secrets", func() error {
			c, _ := cloudelements.New(e.srv.BaseURL(), flow.NewSecret(canaryWrongUser), org)
			_, err := c.OAuthURL(ctx, oauth)
			return err
		}},
		{"oauth/url 400", func() error {
			o := oauth
			o.SiteAddress = ""
			_, err := e.c.OAuthURL(ctx, o)
			return err
		}},
		{"oauth/url 503 until retries run out", func() error {
			e.fault(sandbox.RouteOAuthURL, sandbox.Fault{Count: 10, Status: 503})
			defer e.srv.ClearFaults()
			_, err := e.c.OAuthURL(ctx, oauth)
			return err
		}},
		{"oauth/url reset every time", func() error {
			e.fault(sandbox.RouteOAuthURL, sandbox.Fault{Count: 20, Drop: true})
			defer e.srv.ClearFaults()
			_, err := e.c.OAuthURL(ctx, oauth)
			return err
		}},
		{"oauth/url timeout", func() error {
			e.fault(sandbox.RouteOAuthURL, sandbox.Fault{Delay: 3 * time.Second})
			defer e.srv.ClearFaults()
			_, err := newClient(e.srv.BaseURL(), cloudelements.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond})).OAuthURL(ctx, oauth)
			return err
		}},
		{"oauth/url cancelled", func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := e.c.OAuthURL(c, oauth)
			return err
		}},
		{"oauth/url refused", func() error { _, err := newClient(closed).OAuthURL(ctx, oauth); return err }},
		{"oauth/url dns", func() error { _, err := newClient("https://cewiz-canary.invalid").OAuthURL(ctx, oauth); return err }},
		{"oauth/url tls", func() error {
			_, err := newClient(tlsSrv.URL+"/elements/api-v2", cloudelements.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSHandshakeTimeout: time.Minute}})).OAuthURL(ctx, oauth)
			return err
		}},
		{"oauth/url echoed", func() error { _, err := newClient(echo.URL).OAuthURL(ctx, oauth); return err }},
		{"oauth/url 200 not JSON", func() error {
			o := oauth
			o.APIKey = "not-json"
			_, err := newClient(echo.URL).OAuthURL(ctx, o)
			return err
		}},
		{"create unknown code", func() error { _, err := e.c.CreateInstance(ctx, mkBody("c1", canaryCode)); return err }},
		{"create reused code", func() error {
			code := e.srv.IssueCode(callback, site, sandbox.DemoAppID)
			if _, err := e.c.CreateInstance(ctx, mkBody("c2", code)); err != nil {
				return err
			}
			_, err := e.c.CreateInstance(ctx, mkBody("c3", code))
			return err
		}},
		{"create bad field", func() error {
			b := mkBody("c4", canaryCode)
			b.Configuration.Domain = "x"
			_, err := e.c.CreateInstance(ctx, b)
			return err
		}},
		{"create reset, not found", func() error {
			e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Drop: true})
			_, err := e.c.CreateInstance(ctx, mkBody("c5", canaryCode))
			return err
		}},
		{"create echoed 502, lookup echoed 400", func() error { _, err := newClient(echo.URL).CreateInstance(ctx, mkBody("c6", canaryCode)); return err }},
		{"create refused", func() error { _, err := newClient(closed).CreateInstance(ctx, mkBody("c7", canaryCode)); return err }},
		{"create timeout, lookup refused", func() error {
			e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Delay: 3 * time.Second})
			e.fault(sandbox.RouteListInstances, sandbox.Fault{Count: 10, Drop: true})
			defer e.srv.ClearFaults()
			_, err := newClient(e.srv.BaseURL(), cloudelements.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond})).CreateInstance(ctx, mkBody("c8", canaryCode))
			return err
		}},
		{"get 404", func() error { _, err := e.c.GetInstance(ctx, 42); return err }},
		{"events echoed", func() error { _, err := newClient(echo.URL).InstanceEvents(ctx, 1); return err }},
		{"events with the token echoed", func() error {
			_, err := newClient(echo.URL).InstanceEventsWithToken(ctx, 1, flow.NewSecret(canaryToken))
			return err
		}},
		{"delete echoed", func() error { return newClient(echo.URL).DeleteInstance(ctx, 1) }},
	}
	canaries := []string{canaryUser, canaryOrg, canaryAppSecret, canaryWrongUser, canaryCode, canaryState, canaryToken, canarySigning}
	for _, c := range canaries[:] {
		canaries = append(canaries, url.QueryEscape(c), url.PathEscape(c))
	}
	for _, p := range paths {
		err := p.run()
		if err == nil {
			t.Errorf("%s: no error", p.name)
			continue
		}
		var texts []string
		for x := err; x != nil; x = errors.Unwrap(x) {
			texts = append(texts, x.Error(), fmt.Sprintf("%v|%+v|%#v|%s|%q", x, x, x, x, x))
		}
		var oe *cloudelements.OutcomeUnknownError
		if errors.As(err, &oe) && oe.LookupErr != nil {
			texts = append(texts, fmt.Sprintf("%v|%#v", oe.LookupErr, oe.LookupErr))
		}
		texts = append(texts, cloudelements.Hint(err))
		for _, text := range texts {
			for _, c := range canaries {
				if strings.Contains(text, c) {
					t.Errorf("%s: the error text contains a secret %q:\n%s", p.name, c, text)
				}
			}
		}
	}
	// The echo server really did echo: the scan is not vacuous.
	_, err := newClient(echo.URL).OAuthURL(ctx, oauth)
	if ae := apiErr(t, err); !strings.Contains(ae.Message, "state="+flow.Mask) || !strings.Contains(ae.RequestID, flow.Mask) {
		t.Fatalf("the echo server did not echo: %#v", ae)
	}
}

// TestInstanceTokensNeverInErrors: once the client has seen an instance's
// token (list, get or create), a later error that repeats it shows it masked.
func TestInstanceTokensNeverInErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elements/api-v2/instances" {
			fmt.Fprintf(w, `[{"id":1,"name":"n","token":%q}]`, canaryToken)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"requestId":"r1","message":"instance token %s is broken","providerMessage":%q}`, canaryToken, url.QueryEscape(canaryToken))
	}))
	defer srv.Close()
	c, err := cloudelements.New(srv.URL, flow.NewSecret(canaryUser), flow.NewSecret(canaryOrg), cloudelements.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListInstances(ctx, cloudelements.InstanceQuery{})
	if err != nil || len(list.Instances) != 1 || list.Instances[0].Token.Reveal() != canaryToken {
		t.Fatalf("list %v %v", list, err)
	}
	_, err = c.GetInstance(ctx, 1)
	ae := apiErr(t, err)
	if !strings.Contains(ae.Message, "instance token "+flow.Mask) {
		t.Fatalf("the server's text did not come through masked: %q", ae.Message)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), cloudelements.Hint(err)} {
		for _, sec := range []string{canaryToken, url.QueryEscape(canaryToken)} {
			if strings.Contains(text, sec) {
				t.Errorf("the error text contains the instance token: %s", text)
			}
		}
	}
}

// TestLongErrorTextCutAfterRedaction: a secret that straddles the point
// where a long server text is cut must not leave its beginning behind.
func TestLongErrorTextCutAfterRedaction(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		pad := strings.Repeat("é", 495) // 990 bytes: the secret crosses byte 1000
		fmt.Fprintf(w, `{"requestId":"r1","message":%q}`, pad+r.URL.Query().Get("apiSecret"))
	}))
	defer srv.Close()
	c, err := cloudelements.New(srv.URL, flow.NewSecret(canaryUser), flow.NewSecret(canaryOrg), cloudelements.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: "k", APISecret: flow.NewSecret(canaryAppSecret), CallbackURL: callback, SiteAddress: site})
	msg := apiErr(t, err).Message
	if strings.Contains(msg, canaryAppSecret[:8]) {
		t.Fatalf("the start of the secret survives the cut: %q", msg)
	}
	if !utf8.ValidString(msg) || len(msg) > 1100 {
		t.Fatalf("the cut text is %d bytes, valid UTF-8: %v", len(msg), utf8.ValidString(msg))
	}
}
