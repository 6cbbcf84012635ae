package cloudelements_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// TestCreateIsNeverRetried: a create that fails with an answer that says
// it did not happen is reported, once, and never sent again.
func TestCreateIsNeverRetried(t *testing.T) {
	for _, f := range []sandbox.Fault{
		{Status: 503}, {Status: 429, RetryAfter: "0"}, {Status: 500},
	} {
		t.Run(fmt.Sprint(f.Status), func(t *testing.T) {
			e := newEnv(t)
			e.fault(sandbox.RouteCreateInstance, f)
			_, err := e.c.CreateInstance(ctx, body("once", e.authorize(callback)))
			if statusOf(err) != f.Status {
				t.Fatalf("got %v", err)
			}
			if n := e.srv.Count(sandbox.RouteCreateInstance); n != 1 {
				t.Fatalf("POST sent %d times", n)
			}
			// A definite failure needs no lookup.
			if n := e.srv.Count(sandbox.RouteListInstances); n != 0 {
				t.Fatalf("looked up %d times after a definite failure", n)
			}
			if len(e.srv.Instances()) != 0 {
				t.Fatal("an instance exists")
			}
		})
	}
}

// TestAmbiguousCreateIsRecovered: the instance was created but the answer
// was lost. The client must find it by name, not create a second one.
func TestAmbiguousCreateIsRecovered(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	tests := []struct {
		name  string
		fault sandbox.Fault
		hc    *http.Client
		ctx   func() (context.Context, context.CancelFunc)
	}{
		{"connection reset after the create", sandbox.Fault{After: true, Drop: true}, nil, nil},
		{"504 after the create", sandbox.Fault{After: true, Status: 504}, nil, nil},
		{"502 after the create", sandbox.Fault{After: true, Status: 502}, nil, nil},
		{"client timeout after the create", sandbox.Fault{After: true, Delay: 5 * time.Second}, &http.Client{Timeout: time.Second}, nil},
		// The deadline leaves the request ample time to arrive (the create
		// then waits 10 s before answering).
		{"caller deadline after the create", sandbox.Fault{After: true, Delay: 10 * time.Second}, nil,
			func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 2*time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []cloudelements.Option
			if tt.hc != nil {
				opts = append(opts, cloudelements.WithHTTPClient(tt.hc))
			}
			e := newEnv(t, opts...)
			// An older instance of another name must not be mistaken for ours.
			e.create("someone-else")
			e.srv.ResetCounts()
			e.fault(sandbox.RouteCreateInstance, tt.fault)
			b := body("mine", e.authorize(callback)) // before the deadline starts
			c, cancel := ctx, context.CancelFunc(func() {})
			if tt.ctx != nil {
				c, cancel = tt.ctx()
			}
			defer cancel()
			in, err := e.c.CreateInstance(c, b)
			if err != nil {
				t.Fatalf("not recovered: %v", err)
			}
			if !in.Recovered || in.Name != "mine" || in.Token.IsZero() {
				t.Fatalf("instance %+v", in)
			}
			if n := e.srv.Count(sandbox.RouteCreateInstance); n != 1 {
				t.Fatalf("POST sent %d times", n)
			}
			if n := e.srv.Count(sandbox.RouteListInstances); n < 1 {
				t.Fatal("no lookup")
			}
			if got := len(e.srv.Instances()); got != 2 {
				t.Fatalf("%d instances, want 2 (no duplicate)", got)
			}
		})
	}
}

// TestAmbiguousCreateNotFound: the request may or may not have arrived and
// no instance is found: the error says the outcome is unknown.
func TestAmbiguousCreateNotFound(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	t.Run("reset before the create", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Drop: true})
		_, err := e.c.CreateInstance(ctx, body("lost", e.authorize(callback)))
		var oe *cloudelements.OutcomeUnknownError
		if !errors.As(err, &oe) || !errors.Is(err, cloudelements.ErrOutcomeUnknown) || oe.LookupErr != nil || oe.Name != "lost" {
			t.Fatalf("got %#v", err)
		}
		if !contains(err.Error(), "unknown whether") || !contains(cloudelements.Hint(err), "do not create again") {
			t.Fatalf("message %q / hint %q", err, cloudelements.Hint(err))
		}
		if e.srv.Count(sandbox.RouteCreateInstance) != 1 || len(e.srv.Instances()) != 0 {
			t.Fatal("retried or created")
		}
	})
	t.Run("502 and the lookup fails too", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Status: 502})
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Count: 10, Status: 500})
		_, err := e.c.CreateInstance(ctx, body("lost", e.authorize(callback)))
		var oe *cloudelements.OutcomeUnknownError
		if !errors.As(err, &oe) || statusOf(oe.LookupErr) != 500 || statusOf(err) != 502 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("caller deadline passed and the lookup hangs: bounded by WithLookupTimeout", func(t *testing.T) {
		e := newEnv(t, cloudelements.WithLookupTimeout(300*time.Millisecond))
		e.fault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Delay: time.Minute})
		b := body("slow", e.authorize(callback))
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := e.c.CreateInstance(c, b)
		var oe *cloudelements.OutcomeUnknownError
		if !errors.As(err, &oe) || netErr(t, oe.LookupErr).Kind != cloudelements.NetTimeout {
			t.Fatalf("got %v", err)
		}
		// 2 s for the create, then 0.3 s for the lookup (the default would be 10 s).
		if d := time.Since(start); d > 8*time.Second {
			t.Fatalf("returned after %v", d)
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d lookups", n)
		}
	})
	t.Run("refused: definitely not sent", func(t *testing.T) {
		e := newEnv(t)
		base := e.srv.BaseURL()
		code := e.authorize(callback)
		_ = e.srv.Close()
		c := e.client()
		_ = base
		_, err := c.CreateInstance(ctx, body("never", code))
		if errors.Is(err, cloudelements.ErrOutcomeUnknown) || netErr(t, err).Kind != cloudelements.NetRefused || netErr(t, err).Sent {
			t.Fatalf("got %v", err)
		}
	})
}

// TestConcurrentCreates: 100 users authorize and create at once, each with
// their own code. Run with -race.
func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t)
	const n = 100
	var wg sync.WaitGroup
	results := make([]*cloudelements.Instance, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := e.c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: "sandbox-app-id", APISecret: secretOf(sandbox.DemoAppSecret),
				CallbackURL: callback, SiteAddress: site, State: fmt.Sprint("s", i)})
			if err != nil {
				errs[i] = err
				return
			}
			resp, err := noRedirect.Get(u + "&decision=allow")
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			loc, _ := resp.Location()
			results[i], errs[i] = e.c.CreateInstance(ctx, body(fmt.Sprint("concurrent-", i), loc.Query().Get("code")))
		}()
	}
	wg.Wait()
	ids, tokens := map[int64]bool{}, map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		ids[results[i].ID] = true
		tokens[results[i].Token.Reveal()] = true
	}
	if len(ids) != n || len(tokens) != n || len(e.srv.Instances()) != n {
		t.Fatalf("%d ids, %d tokens, %d instances; want %d each", len(ids), len(tokens), len(e.srv.Instances()), n)
	}
	if c := e.srv.Count(sandbox.RouteCreateInstance); c != n {
		t.Fatalf("%d creates sent", c)
	}
}
