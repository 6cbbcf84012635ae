package cloudelements_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// TestAPIErrorStatuses drives every status of the API page §6 through the
// sandbox and checks the typed error and the hint the user gets.
func TestAPIErrorStatuses(t *testing.T) {
	tests := []struct {
		name         string
		run          func(e *env) error
		status       int
		codeRejected bool
		hint         string // a word the hint must contain
	}{
		{"400 bad field", func(e *env) error {
			b := body("bad-domain", e.authorize(callback))
			b.Configuration.Domain = "acme.example.com"
			_, err := e.c.CreateInstance(ctx, b)
			return err
		}, 400, false, "fix the field"},
		{"400 no code", func(e *env) error {
			_, err := e.c.CreateInstance(ctx, body("no-code", ""))
			return err
		}, 400, true, "authorize again"},
		{"400 reused code", func(e *env) error {
			code := e.authorize(callback)
			if _, err := e.c.CreateInstance(ctx, body("first", code)); err != nil {
				return err
			}
			_, err := e.c.CreateInstance(ctx, body("second", code))
			return err
		}, 400, true, "authorize again"},
		{"400 code for another callback", func(e *env) error {
			_, err := e.c.CreateInstance(ctx, body("other-cb", e.authorize("https://auth.cloudelements.io/oauth")))
			return err
		}, 400, true, "authorize again"},
		{"400 wrong application secret", func(e *env) error {
			b := body("bad-app", e.authorize(callback))
			b.Configuration.APISecret = "not-the-secret"
			_, err := e.c.CreateInstance(ctx, b)
			return err
		}, 400, false, "Application Secret"},
		{"401 wrong secrets", func(e *env) error {
			c, _ := cloudelements.New(e.srv.BaseURL(), flow.NewSecret("nope"), flow.NewSecret("nope"))
			_, err := c.ElementInfo(ctx)
			return err
		}, 401, false, "re-enter"},
		{"403 disabled instance", func(e *env) error {
			in := e.create("disabled")
			_ = e.srv.SetDisabled(in.ID, true)
			_, err := e.c.InstanceEvents(ctx, in.ID)
			return err
		}, 403, false, "disabled"},
		{"404 unknown instance", func(e *env) error {
			_, err := e.c.GetInstance(ctx, 1)
			return err
		}, 404, false, "region"},
		{"404 unknown element", func(e *env) error {
			_, err := e.client(cloudelements.WithElementKey("nosuch")).ElementInfo(ctx)
			return err
		}, 404, false, "element key"},
		{"409 is a generic already exists", func(e *env) error {
			e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Status: 409, Message: "The resource already exists"})
			_, err := e.c.CreateInstance(ctx, body("twin", e.authorize(callback)))
			return err
		}, 409, false, "read its message"},
		{"502 provider refused the code", func(e *env) error {
			e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Status: 502, Message: sandbox.MsgProviderFailure, ProviderMessage: sandbox.ProviderInvalidGrant})
			_, err := e.c.CreateInstance(ctx, body("refused", e.authorize(callback)))
			return err
		}, 502, true, "authorize again"},
		{"429 rate limited", func(e *env) error {
			e.fault(sandbox.RouteListInstances, sandbox.Fault{Count: 10, Status: 429})
			_, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{})
			return err
		}, 429, false, "wait"},
		{"500 server trouble", func(e *env) error {
			e.fault(sandbox.RouteElement, sandbox.Fault{Status: 500})
			_, err := e.c.ElementInfo(ctx)
			return err
		}, 500, false, "try again later"},
		{"503 unavailable", func(e *env) error {
			e.fault(sandbox.RouteElementMetadata, sandbox.Fault{Count: 10, Status: 503})
			_, err := e.c.ElementMetadata(ctx, sandbox.ElementID)
			return err
		}, 503, false, "try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			err := tt.run(e)
			ae := apiErr(t, err)
			if ae.Status != tt.status {
				t.Fatalf("status %d, want %d: %v", ae.Status, tt.status, err)
			}
			if ae.RequestID == "" || ae.Message == "" || ae.Op == "" {
				t.Fatalf("error lacks requestId, message or op: %#v", ae)
			}
			if got := isCodeRejected(err); got != tt.codeRejected {
				t.Fatalf("IsCodeRejected = %v: %v", got, err)
			}
			if h := cloudelements.Hint(err); !contains(h, tt.hint) {
				t.Fatalf("hint %q lacks %q", h, tt.hint)
			}
			if statusOf(err) != tt.status || !strings.Contains(err.Error(), ae.RequestID) {
				t.Fatalf("StatusOf or Error() wrong: %v", err)
			}
		})
	}
}

// TestExpiredCodeIsRejected uses the sandbox's clock to let a code expire.
func TestExpiredCodeIsRejected(t *testing.T) {
	var offset atomic.Int64 // the handlers read it on their goroutines
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	e := newEnvWith(t, sandbox.Options{Now: now, CodeTTL: time.Minute})
	code := e.authorize(callback)
	offset.Store(int64(2 * time.Minute))
	_, err := e.c.CreateInstance(ctx, body("late", code))
	if !isCodeRejected(err) || !contains(apiErr(t, err).ProviderMessage, "expired") {
		t.Fatalf("expired code: %v", err)
	}
}

func TestNetworkErrors(t *testing.T) {
	secret := flow.NewSecret("x-secret")
	closedPort := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate nobody trusts
	defer tlsSrv.Close()
	plain := newEnv(t)
	patientTLS := &http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 2 * time.Minute}}
	slow := newEnv(t)
	slow.fault(sandbox.RouteElement, sandbox.Fault{Delay: 5 * time.Second})
	cut := newEnv(t)
	cut.fault(sandbox.RouteElement, sandbox.Fault{Count: 100, Drop: true}) // every retry too

	tests := []struct {
		name string
		base string
		hc   *http.Client
		kind cloudelements.NetKind
		hint string
	}{
		{"dns", "https://cewiz-test.invalid", nil, cloudelements.NetDNS, "resolve"},
		{"refused", closedPort, nil, cloudelements.NetRefused, "nothing answered"},
		// A generous handshake timeout: on a loaded machine under -race a
		// handshake can be slow, and this test is about the certificate.
		{"tls untrusted certificate", tlsSrv.URL, patientTLS, cloudelements.NetTLS, "secure connection"},
		{"https to an http server", strings.Replace(plain.srv.URL(), "http://", "https://", 1), patientTLS, cloudelements.NetTLS, "secure connection"},
		{"timeout", slow.srv.BaseURL(), &http.Client{Timeout: 100 * time.Millisecond}, cloudelements.NetTimeout, "in time"},
		{"reset", cut.srv.BaseURL(), nil, cloudelements.NetReset, "connection was cut"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []cloudelements.Option{cloudelements.WithRetry(fastRetry)}
			if tt.hc != nil {
				opts = append(opts, cloudelements.WithHTTPClient(tt.hc))
			}
			base := tt.base
			if strings.HasPrefix(base, "https://127.") {
				// NormalizeBaseURL accepts https anywhere.
				base += "/elements/api-v2"
			}
			c, err := cloudelements.New(base, secret, secret, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ElementInfo(ctx)
			ne := netErr(t, err)
			if ne.Kind != tt.kind {
				t.Fatalf("kind %v, want %v: %v", ne.Kind, tt.kind, err)
			}
			if !contains(ne.Hint(), tt.hint) || !strings.Contains(err.Error(), "GET /elements/docushareflex") {
				t.Fatalf("hint %q / error %q", ne.Hint(), err)
			}
		})
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("already cancelled", func(t *testing.T) {
		e := newEnv(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := e.c.ListInstances(c, cloudelements.InstanceQuery{})
		if !cloudelements.IsCanceled(err) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("cancelled while the server is slow", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Delay: time.Minute})
		// Cancel once the request has reached the slow server.
		c := cancelWhen(t, func() bool { return e.srv.Count(sandbox.RouteListInstances) == 1 })
		start := time.Now()
		_, err := e.c.ListInstances(c, cloudelements.InstanceQuery{})
		if !cloudelements.IsCanceled(err) || time.Since(start) > 30*time.Second {
			t.Fatalf("got %v after %v", err, time.Since(start))
		}
	})
	t.Run("cancelled during a retry backoff", func(t *testing.T) {
		// Cancel right after the first (503) answer has been read in full,
		// so the cancellation lands in the backoff, which is at least 30 s:
		// only the cancellation explains an earlier return.
		c, cancel := context.WithCancel(ctx)
		defer cancel()
		hc := &http.Client{Transport: &afterAnswer{rt: http.DefaultTransport, then: cancel}}
		e := newEnv(t, cloudelements.WithHTTPClient(hc),
			cloudelements.WithRetry(cloudelements.RetryPolicy{Attempts: 5, Base: time.Minute, Max: time.Minute}))
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Count: 10, Status: 503})
		start := time.Now()
		_, err := e.c.ListInstances(c, cloudelements.InstanceQuery{})
		if !cloudelements.IsCanceled(err) || time.Since(start) > 20*time.Second {
			t.Fatalf("got %v after %v", err, time.Since(start))
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d requests, want 1", n)
		}
	})
	t.Run("deadline shorter than the backoff gives the last error at once", func(t *testing.T) {
		e := newEnv(t, cloudelements.WithRetry(cloudelements.RetryPolicy{Attempts: 5, Base: 10 * time.Second, Max: 10 * time.Second}))
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Count: 10, Status: 503})
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := e.c.ListInstances(c, cloudelements.InstanceQuery{})
		// Had it slept, the deadline would have ended it with a timeout, not the 503.
		if statusOf(err) != 503 || time.Since(start) > 1900*time.Millisecond {
			t.Fatalf("got %v after %v", err, time.Since(start))
		}
	})
}

func TestHintsCoverEveryKind(t *testing.T) {
	for _, s := range []int{400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504} {
		if h := (&cloudelements.APIError{Status: s}).Hint(); len(h) < 20 {
			t.Errorf("status %d: hint %q", s, h)
		}
	}
	for k := cloudelements.NetOther; k <= cloudelements.NetProtocol; k++ {
		if h := (&cloudelements.NetError{Kind: k}).Hint(); h == "" || k.String() == "" {
			t.Errorf("kind %d: no hint or name", k)
		}
	}
	if cloudelements.Hint(errors.New("plain")) != "" {
		t.Error("a foreign error got a hint")
	}
	// The code cases are recognised from the text, whatever the status the
	// real service picks (the API page: 400 or 500, text unknown).
	for _, ae := range []cloudelements.APIError{
		{Status: 500, ProviderMessage: `{"error":"invalid_grant"}`},
		{Status: 400, Message: "Invalid_Grant: code expired"},
		{Status: 400, Message: "You must provide an OAuth code in order to create an instance of this element"},
		{Status: 400, Message: "The authorization code has expired"},
		{Status: 502, Message: "Endpoint provider was not able to perform a CRUD request", ProviderMessage: `{"error":"invalid_grant"}`},
		{Status: 401, Message: "Failed to get the OAuth token"},
		{Status: 500, Message: "Failed to retrieve the OAuth access token from DocuShare Flex"},
		{Status: 409, Message: "invalid_grant"},
	} {
		if !ae.CodeRejected() || !contains(ae.Hint(), "authorize again") {
			t.Errorf("%+v not seen as a rejected code", ae)
		}
	}
	for _, ae := range []cloudelements.APIError{
		{Status: 401, Message: "Invalid Organization or User secret, or invalid Element token provided."},
		{Status: 400, Message: "docushare.domain is required"},
		{Status: 400, Message: "Failed to retrieve the OAuth access token", ProviderMessage: `{"error":"invalid_client"}`},
		{Status: 502, Message: "Endpoint provider was not able to perform a CRUD request"},
		{Status: 409, Message: "An OAuth application with this key already exists"},
	} {
		if ae.CodeRejected() {
			t.Errorf("%+v seen as a rejected code", ae)
		}
	}
}

// afterAnswer is the real transport, plus a call to then once an answer has
// been read in full (the body is kept in memory for the client).
type afterAnswer struct {
	rt   http.RoundTripper
	then func()
}

func (a *afterAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	a.then()
	return resp, nil
}
