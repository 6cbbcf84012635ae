package oauthlistener

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// settledGoroutines waits until the goroutine count stops exceeding limit
// (or d passes) and returns the last count.
func settledGoroutines(limit int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n <= limit || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ---- Rule 10: no goroutine leaks ----

// leakProbeEnv marks the process of its own TestRule10_NoGoroutineLeak runs in.
const leakProbeEnv = "CEWIZ_OAUTHLISTENER_LEAK_PROBE"

func TestRule10_NoGoroutineLeak(t *testing.T) {
	if os.Getenv(leakProbeEnv) == "" {
		// It counts the whole process's goroutines, which the parallel
		// tests change: it runs alone, in a process of its own (this test
		// binary again), while the other tests run here.
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestRule10_NoGoroutineLeak$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), leakProbeEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestRule10_NoGoroutineLeak") {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		t.Logf("in a process of its own:\n%s", out)
		return
	}
	noFollow.CloseIdleConnections()
	before := settledGoroutines(0, 300*time.Millisecond)
	for i := 0; i < 3; i++ {
		// Success, with the browser following to /done.
		l, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", HintAfter: time.Millisecond, OnHint: func() {}})
		if err != nil {
			t.Fatal(err)
		}
		valid(t, l, "c")
		if _, err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = l.Close()
		// Timeout.
		l, _ = Start(context.Background(), Options{Addr: "127.0.0.1:0", Timeout: 5 * time.Millisecond})
		_, _ = l.Wait(context.Background())
		_ = l.Close()
		// Cancel with a half-open connection held by a client.
		ctx, cancel := context.WithCancel(context.Background())
		l, _ = Start(ctx, Options{Addr: "127.0.0.1:0"})
		get(t, l, "/favicon.ico")
		cancel()
		_, _ = l.Wait(context.Background())
		_ = l.Close()
		// A provider error, a paste, and Close without Wait.
		l, _ = Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		get(t, l, cb(l, "error", "access_denied", "state", l.State()))
		_ = l.Close()
		l, _ = Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		_, _ = l.Paste(l.RedirectURI() + "?code=c&state=" + l.State())
		_ = l.Close()
		l, _ = Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		_ = l.Close()
		// Rule 19's probe.
		l, _ = Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		_, _ = Start(context.Background(), Options{Addr: l.Addrs()[0]})
		_ = l.Close()
	}
	noFollow.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	after := settledGoroutines(before, 3*time.Second)
	if after > before {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		var ours []string
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "oauthlistener") || strings.Contains(g, "net/http") {
				ours = append(ours, g)
			}
		}
		t.Fatalf("goroutines: %d before, %d after:\n%s", before, after, strings.Join(ours, "\n\n"))
	}
	t.Logf("goroutines: %d before, %d after", before, after)
}
