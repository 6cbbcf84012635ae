package cloudelements_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// TestGETRetries proves with the sandbox's request counts that reads are
// retried on 429/502/503/504 and resets, and nothing else.
func TestGETRetries(t *testing.T) {
	tests := []struct {
		name     string
		fault    sandbox.Fault
		ok       bool
		requests int // exact count, or minimum when atLeast
		atLeast  bool
	}{
		{"503 twice then success", sandbox.Fault{Count: 2, Status: 503}, true, 3, false},
		{"429 then success", sandbox.Fault{Count: 1, Status: 429}, true, 2, false},
		{"502 then success", sandbox.Fault{Count: 1, Status: 502}, true, 2, false},
		{"504 three times then success", sandbox.Fault{Count: 3, Status: 504}, true, 4, false},
		{"503 for ever: gives up after 4 attempts", sandbox.Fault{Count: 100, Status: 503}, false, 4, false},
		// A reset may also be replayed once by net/http itself on a reused
		// connection, so the count is a minimum.
		{"reset then success", sandbox.Fault{Count: 1, Drop: true}, true, 2, true},
		{"500 is not retried", sandbox.Fault{Count: 5, Status: 500}, false, 1, false},
		{"400 is not retried", sandbox.Fault{Count: 5, Status: 400}, false, 1, false},
		{"401 is not retried", sandbox.Fault{Count: 5, Status: 401}, false, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// Warm a keep-alive connection first, as in real use.
			if _, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{}); err != nil {
				t.Fatal(err)
			}
			e.srv.ResetCounts()
			e.fault(sandbox.RouteListInstances, tt.fault)
			_, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{})
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			n := e.srv.Count(sandbox.RouteListInstances)
			if n != tt.requests && !(tt.atLeast && n >= tt.requests) {
				t.Fatalf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

// Every read retries, not only the list.
func TestEveryGETRetries(t *testing.T) {
	e := newEnv(t)
	in := e.create("retry-all")
	calls := map[string]func() error{
		sandbox.RouteElement:              func() error { _, err := e.c.ElementInfo(ctx); return err },
		sandbox.RouteElementConfiguration: func() error { _, err := e.c.ElementPollerDefaults(ctx); return err },
		sandbox.RouteElementMetadata:      func() error { _, err := e.c.ElementMetadata(ctx, sandbox.ElementID); return err },
		sandbox.RouteGetInstance:          func() error { _, err := e.c.GetInstance(ctx, in.ID); return err },
		sandbox.RouteInstanceEvents:       func() error { _, err := e.c.InstanceEvents(ctx, in.ID); return err },
		sandbox.RouteOAuthURL: func() error {
			e.authorize(callback)
			return nil
		},
	}
	for route, call := range calls {
		e.srv.ResetCounts()
		e.fault(route, sandbox.Fault{Status: 503})
		if err := call(); err != nil {
			t.Errorf("%s: %v", route, err)
		}
		if n := e.srv.Count(route); n != 2 {
			t.Errorf("%s: %d requests, want 2", route, n)
		}
	}
}

// DELETE is not retried: after an ambiguous failure the second try would
// answer 404 for an instance that was deleted.
func TestDeleteIsNotRetried(t *testing.T) {
	e := newEnv(t)
	in := e.create("del")
	e.fault(sandbox.RouteDeleteInstance, sandbox.Fault{Status: 503})
	if err := e.c.DeleteInstance(ctx, in.ID); statusOf(err) != 503 {
		t.Fatalf("got %v", err)
	}
	if n := e.srv.Count(sandbox.RouteDeleteInstance); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	t.Run("honoured", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Status: 429, RetryAfter: "1"})
		start := time.Now()
		if _, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{}); err != nil {
			t.Fatal(err)
		}
		// The fast test backoff is milliseconds: only Retry-After explains a second.
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Fatalf("retried after %v, before Retry-After", d)
		}
	})
	t.Run("too long: give up at once with the wait in the error", func(t *testing.T) {
		e := newEnv(t)
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Status: 503, RetryAfter: "120"})
		start := time.Now()
		_, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{})
		var ae *cloudelements.APIError
		if !errors.As(err, &ae) || ae.RetryAfter != 2*time.Minute || time.Since(start) > 10*time.Second {
			t.Fatalf("got %v after %v", err, time.Since(start))
		}
		if n := e.srv.Count(sandbox.RouteListInstances); n != 1 {
			t.Fatalf("%d requests", n)
		}
	})
	t.Run("beyond the context deadline: give up at once", func(t *testing.T) {
		e := newEnv(t)
		// Retry-After 3 s is within fastRetry's MaxRetryAfter but beyond
		// what is left of the 2 s deadline after the first answer.
		e.fault(sandbox.RouteListInstances, sandbox.Fault{Status: 503, RetryAfter: "3"})
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		// Had it slept, the deadline would have ended it with a timeout, not the 503.
		if _, err := e.c.ListInstances(c, cloudelements.InstanceQuery{}); statusOf(err) != 503 {
			t.Fatalf("got %v", err)
		}
	})
}
