package oauthlistener

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// start starts a listener on an ephemeral loopback port unless opts says
// otherwise, and closes it at the end of the test.
func start(t testing.TB, opts Options) *Listener {
	t.Helper()
	if opts.Addr == "" && opts.RedirectURI == "" {
		opts.Addr = "127.0.0.1:0"
	}
	l, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// noFollow is a client that shows redirects instead of following them, sends
// no proxy traffic and keeps no idle connections.
var noFollow = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

type reply struct {
	Status int
	Header http.Header
	Body   string
}

// do sends method to the listener's origin + target (path and query) with
// optional extra headers ("Host" sets the Host header).
func do(t testing.TB, l *Listener, method, target string, hdr map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+l.Addrs()[0]+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func get(t testing.TB, l *Listener, target string) reply {
	t.Helper()
	return do(t, l, http.MethodGet, target, nil)
}

// cb is the callback target with the given parameters.
func cb(l *Listener, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return l.path + "?" + q.Encode()
}

// valid sends a valid callback with code and fetches /done, like a browser.
func valid(t testing.TB, l *Listener, code string) reply {
	t.Helper()
	r := get(t, l, cb(l, "code", code, "state", l.State()))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("valid callback: status %d, want 303", r.Status)
	}
	return get(t, l, r.Header.Get("Location"))
}

func waitFor(t testing.TB, l *Listener, d time.Duration) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return l.Wait(ctx)
}

// stillWaiting fails the test if the listener has an outcome.
func stillWaiting(t testing.TB, l *Listener, after string) {
	t.Helper()
	select {
	case <-l.Done():
		_, err := l.Wait(context.Background())
		t.Fatalf("the wait ended after %s (err=%v); a forged or wrong request must not end it", after, err)
	case <-time.After(20 * time.Millisecond):
	}
}

// portFree reports whether addr can be bound now.
func portFree(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// released reports whether every socket of l is closed, which is what
// frees its port: the kernel releases a listening socket's port when it is
// closed, and net's Close returns only once it is. A test asks this rather
// than binding the port again (portFree) because the tests running at the
// same time take ephemeral ports too: a port l freed can be taken by one
// of them (a listener, or a client's connection) before the check binds
// it. It closes nothing itself.
func released(l *Listener) bool {
	for _, ln := range l.lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return false
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			continue // net refuses a closed listener's descriptor
		}
		if rc.Control(func(uintptr) {}) == nil {
			return false // the descriptor is still open
		}
	}
	return len(l.lns) > 0
}

// waitReleased polls until l's sockets are closed (released) or d has passed.
func waitReleased(l *Listener, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if released(l) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mustContain(t testing.TB, s, sub, what string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%s: %q does not contain %q", what, s, sub)
	}
}

func mustNotContain(t testing.TB, s, sub, what string) {
	t.Helper()
	if sub != "" && strings.Contains(s, sub) {
		t.Errorf("%s contains %q: %q", what, sub, s)
	}
}
