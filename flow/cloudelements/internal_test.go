package cloudelements

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":     0,
		"0":    0,
		"-3":   0,
		"7":    7 * time.Second,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

// The backoff doubles from Base, stays within ±50% jitter, and never passes Max.
func TestBackoffBounds(t *testing.T) {
	c := &Client{retry: RetryPolicy{Base: 100 * time.Millisecond, Max: 1 * time.Second, MaxRetryAfter: time.Minute}}
	for attempt := 1; attempt <= 40; attempt++ {
		d := c.retry.Base << (attempt - 1)
		if d > c.retry.Max || d <= 0 {
			d = c.retry.Max
		}
		for range 50 {
			got := c.backoff(attempt, nil)
			if got < d/2 || got > d {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
	if got := c.backoff(1, &APIError{RetryAfter: 3 * time.Second}); got != 3*time.Second {
		t.Fatalf("Retry-After not used: %v", got)
	}
	if got := c.backoff(1, &APIError{RetryAfter: time.Hour}); got != -1 {
		t.Fatalf("a too long Retry-After: %v", got)
	}
}

func TestClip(t *testing.T) {
	if got := clip("a\x1b[31mb\nc"); strings.ContainsAny(got, "\x1b\n") {
		t.Fatalf("control characters kept: %q", got)
	}
	if got := clip(strings.Repeat("x", 5000)); len(got) > 1010 {
		t.Fatalf("not clipped: %d", len(got))
	}
}

func TestRedactSkipsShortValues(t *testing.T) {
	c := &Client{}
	if got := c.redact("a bc def ghij", []string{"a", "bc", "def", "ghij"}); got != "a bc def ********" {
		t.Fatalf("%q", got)
	}
}
