package cloudelements_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// frontEnv is a real sandbox behind a real server that replaces the answer
// to POST /instances with a 2xx holding no usable instance. With create
// set, the sandbox handles the create first (the instance exists, only the
// answer is unusable); without, nothing is created.
type frontEnv struct {
	sb      *sandbox.Sandbox
	c       *cloudelements.Client
	creates atomic.Int32
}

func newFrontEnv(t *testing.T, status int, answer string, create bool, opts ...cloudelements.Option) *frontEnv {
	t.Helper()
	f := &frontEnv{sb: sandbox.New(sandbox.Options{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != sandbox.APIPath+"/instances" {
			f.sb.ServeHTTP(w, r)
			return
		}
		f.creates.Add(1)
		if create {
			f.sb.ServeHTTP(httptest.NewRecorder(), r) // the real create; its answer is dropped
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	c, err := cloudelements.New(srv.URL+sandbox.APIPath, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret),
		append([]cloudelements.Option{cloudelements.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

// code gets a grant code from the sandbox's consent page, as authorize does.
func (f *frontEnv) code(t *testing.T) string {
	t.Helper()
	u, err := f.c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret),
		CallbackURL: callback, SiteAddress: site, State: "nonce-1"})
	if err != nil {
		t.Fatal(err)
	}
	return consent(t, u, "allow").Get("code")
}

// TestCreateAnswerWithoutInstance: a 2xx answer to POST /instances that
// holds no usable instance is not a success. The client looks the instance
// up by name; found, it is returned (Recovered); not found, the outcome is
// unknown and the error says what came back.
func TestCreateAnswerWithoutInstance(t *testing.T) {
	answers := []struct {
		name   string
		status int
		body   string
		says   string // what the error must say came back
	}{
		{"empty body", 200, "", "empty body"},
		{"empty body 201", 201, "", "201 Created with an empty body"},
		{"204 no content", 204, "", "204 No Content"},
		{"empty object", 200, "{}", "without an id"},
		{"null", 200, "null", "null"},
		{"array", 200, "[]", "not an instance"},
		{"missing id", 200, `{"name":"mine","token":"tok-abc"}`, "without an id"},
		{"id null", 200, `{"id":null,"name":"mine"}`, "the id null"},
		{"id 0", 200, `{"id":0,"name":"mine"}`, "the id 0"},
		{"negative id", 200, `{"id":-7,"name":"mine"}`, "the id -7"},
		{"string id 0", 200, `{"id":"0","name":"mine"}`, `the id "0"`},
	}
	for _, a := range answers {
		t.Run(a.name+"/found by name", func(t *testing.T) {
			f := newFrontEnv(t, a.status, a.body, true)
			in, err := f.c.CreateInstance(ctx, body("mine", f.code(t)))
			if err != nil {
				t.Fatalf("not recovered: %v", err)
			}
			if !in.Recovered || in.ID <= 0 || in.Name != "mine" || in.Token.IsZero() {
				t.Fatalf("instance %+v", in)
			}
			if n := f.creates.Load(); n != 1 {
				t.Fatalf("POST sent %d times", n)
			}
			if n := f.sb.Count(sandbox.RouteListInstances); n != 1 {
				t.Fatalf("%d lookups, want 1", n)
			}
		})
		t.Run(a.name+"/not found", func(t *testing.T) {
			f := newFrontEnv(t, a.status, a.body, false)
			in, err := f.c.CreateInstance(ctx, body("mine", f.code(t)))
			var oe *cloudelements.OutcomeUnknownError
			if !errors.As(err, &oe) || in != nil {
				t.Fatalf("got %+v, %v; want an *OutcomeUnknownError", in, err)
			}
			if oe.LookupErr != nil || oe.Name != "mine" {
				t.Fatalf("got %#v", oe)
			}
			msg := err.Error()
			if !strings.Contains(msg, a.says) || !contains(msg, "unknown whether", "no instance of that name was found") {
				t.Fatalf("the error does not say what came back (%q): %s", a.says, msg)
			}
			if h := cloudelements.Hint(err); !contains(h, "do not create again", "base URL") {
				t.Fatalf("the hint does not say what to check: %s", h)
			}
			if strings.Contains(msg, sandbox.DemoAppSecret) {
				t.Fatalf("a secret in the error: %s", msg)
			}
			if n := f.creates.Load(); n != 1 || len(f.sb.Instances()) != 0 {
				t.Fatalf("POST sent %d times, %d instances", n, len(f.sb.Instances()))
			}
		})
	}
	t.Run("a usable answer is taken as it is", func(t *testing.T) {
		f := newFrontEnv(t, 200, `{"id":"42","name":"mine","token":"tok-abc"}`, false)
		in, err := f.c.CreateInstance(ctx, body("mine", f.code(t)))
		if err != nil || in.ID != 42 || in.Recovered {
			t.Fatalf("got %+v, %v", in, err)
		}
		if n := f.sb.Count(sandbox.RouteListInstances); n != 0 {
			t.Fatalf("%d lookups after a usable answer", n)
		}
	})
}

// TestCreateCanceledAfterSent: Ctrl-C once the create request has left.
// The instance may exist, so the lookup by name still runs, detached from
// the cancelled context and bounded; the caller gets what it found.
func TestCreateCanceledAfterSent(t *testing.T) {
	t.Run("the instance exists: returned, Recovered", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
		b := body("cancelled", e.authorize(callback))
		// Ctrl-C once the create has happened and its answer is held back.
		c := cancelAfterSent(t, func() bool { return len(e.srv.Instances()) == 1 })
		in, err := e.c.CreateInstance(c, b)
		if err != nil {
			t.Fatalf("not recovered after the cancel: %v", err)
		}
		if c.Err() == nil {
			t.Fatal("the context was not cancelled: the test did not test a cancel")
		}
		if !in.Recovered || in.Name != "cancelled" || in.ID != e.srv.Instances()[0].ID || in.Token.IsZero() {
			t.Fatalf("instance %+v", in)
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
	})
	t.Run("the request left but nothing was created: outcome unknown, cancelled", func(t *testing.T) {
		e := newEnv(t)
		// The create waits before the handler runs: the request has arrived,
		// nothing is created yet when Ctrl-C comes.
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Delay: time.Minute})
		b := body("cancelled", e.authorize(callback))
		c := cancelAfterSent(t, func() bool { return e.srv.Count(sandbox.RouteCreateInstance) == 1 })
		_, err := e.c.CreateInstance(c, b)
		var oe *cloudelements.OutcomeUnknownError
		if !errors.As(err, &oe) || !cloudelements.IsCanceled(err) || oe.LookupErr != nil {
			t.Fatalf("got %#v", err)
		}
		if !contains(err.Error(), "cancelled", "no instance of that name was found") {
			t.Fatalf("message %q", err)
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
	})
	t.Run("the lookup hangs: bounded, outcome unknown", func(t *testing.T) {
		e := newEnv(t, cloudelements.WithLookupTimeout(300*time.Millisecond))
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Delay: time.Minute})
		b := body("slow", e.authorize(callback))
		c := cancelAfterSent(t, func() bool { return len(e.srv.Instances()) == 1 })
		_, err := e.c.CreateInstance(c, b)
		var oe *cloudelements.OutcomeUnknownError
		if !errors.As(err, &oe) || !cloudelements.IsCanceled(err) || netErr(t, oe.LookupErr).Kind != cloudelements.NetTimeout {
			t.Fatalf("got %v", err)
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d lookups", n)
		}
	})
	t.Run("cancelled before the request left: no lookup", func(t *testing.T) {
		e := newEnv(t)
		b := body("never", e.authorize(callback))
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := e.c.CreateInstance(c, b)
		if errors.Is(err, cloudelements.ErrOutcomeUnknown) || !cloudelements.IsCanceled(err) {
			t.Fatalf("got %v", err)
		}
		if n := e.srv.Count(sandbox.RouteListInstances) + e.srv.Count(sandbox.RouteCreateInstance); n != 0 {
			t.Fatalf("%d requests after a cancel before sending", n)
		}
	})
}

// cancelAfterSent is cancelWhen, but only once the client has reported the
// request written in full (its own httptrace hook runs first): the cancel
// then comes after the request left, whatever the scheduling.
func cancelAfterSent(t testing.TB, cond func() bool) context.Context {
	t.Helper()
	var wrote atomic.Bool
	c := cancelWhen(t, func() bool { return wrote.Load() && cond() })
	return httptrace.WithClientTrace(c, &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}})
}

// TestCancelLookupIsBoundedByDefault: the lookup after a cancel never
// waits longer than CancelLookupTimeout, whatever WithLookupTimeout says.
func TestCancelLookupIsBoundedByDefault(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	if cloudelements.CancelLookupTimeout > 5*time.Second || cloudelements.CancelLookupTimeout <= 0 {
		t.Fatalf("CancelLookupTimeout %v: a person who pressed Ctrl-C waits a few seconds at most", cloudelements.CancelLookupTimeout)
	}
	e := newEnv(t, cloudelements.WithLookupTimeout(time.Hour))
	e.fault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
	e.fault(sandbox.RouteListInstances, sandbox.Fault{Delay: time.Minute})
	b := body("slow", e.authorize(callback))
	c := cancelAfterSent(t, func() bool { return len(e.srv.Instances()) == 1 })
	_, err := e.c.CreateInstance(c, b)
	var oe *cloudelements.OutcomeUnknownError
	// The hour-long lookup timeout would let the minute-long list answer;
	// a timeout here proves the cancel bound applied.
	if !errors.As(err, &oe) || netErr(t, oe.LookupErr).Kind != cloudelements.NetTimeout {
		t.Fatalf("got %v", err)
	}
}
