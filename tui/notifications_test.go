package tui

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/events"
)

// created walks a ready wizard through create and returns the harness on
// the Result screen.
func created(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	h := newHarness(t, append([]harnessOpt{ready}, opts...)...)
	h.walkTo(flow.StepReview)
	h.enter()
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
	return h
}

// Signing is on by default: the Events step makes a random key, the body
// sends it, the summary keeps it (0600), and the Result screen shows it
// once, on request, and never again.
func TestSigningKeyMadeSentSavedShownOnce(t *testing.T) {
	h := created(t)
	key := h.m.secrets.SignatureKey.Reveal()
	if len(key) != 43 {
		t.Fatalf("no random key was made: %d characters", len(key))
	}
	if got := h.client.created[0].Configuration.SignatureKey; got != key {
		t.Fatalf("the body sent %q, not the key", got)
	}
	sum, err := os.ReadFile(h.dir + "/instances/482901.json")
	if err != nil || !strings.Contains(string(sum), `"signatureKey": "`+key+`"`) {
		t.Fatalf("summary: %v\n%s", err, sum)
	}
	if strings.Contains(h.screen(), key) {
		t.Fatal("the key is on the screen before it was asked for")
	}
	h.typeText("k")
	if !strings.Contains(h.screen(), key) {
		t.Fatalf("k did not show the key:\n%s", h.screen())
	}
	h.typeText("k")
	if s := h.screen(); strings.Contains(s, key) || !strings.Contains(s, "shown once") {
		t.Fatalf("the key stays on screen after k:\n%s", s)
	}
	h.typeText("k")
	if s := h.screen(); strings.Contains(s, key) || strings.Contains(s, "k signing key") {
		t.Fatalf("the key was shown a second time:\n%s", s)
	}
}

// Turned off on the Events step, nothing is signed: no key in the body,
// none made, none on the Result screen.
func TestSigningTurnedOff(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepEvents)
	h.enter()       // events on
	h.enter()       // the URL
	h.typeText("n") // do not sign
	h.enter()       // the interval
	h.waitFor(func() bool { return h.m.Step() == flow.StepResources }, "the next step")
	h.walkTo(flow.StepReview)
	if strings.Contains(h.screen(), flow.KeySignatureKey) {
		t.Fatalf("the review shows a signature key:\n%s", h.screen())
	}
	h.enter()
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
	if b := h.client.created[0]; b.Configuration.SignatureKey != "" || !h.m.secrets.SignatureKey.IsZero() || strings.Contains(h.screen(), "signing key") {
		t.Fatalf("signed anyway: %q\n%s", b.Configuration.SignatureKey, h.screen())
	}
}

// fakeFeed is a local receiver as the Result screen sees it.
type fakeFeed struct {
	mu  sync.Mutex
	key flow.Secret
	ch  chan events.Delivery
}

func (f *fakeFeed) URL() string { return "http://127.0.0.1:23950/events" }
func (f *fakeFeed) SetKey(k flow.Secret) {
	f.mu.Lock()
	f.key = k
	f.mu.Unlock()
}
func (f *fakeFeed) Deliveries() <-chan events.Delivery { return f.ch }

// With a local receiver (--sandbox) the Events step says where the
// notifications go, the receiver is told the instance's key before the
// create, and the Result screen lists what arrives for this instance.
func TestResultShowsNotifications(t *testing.T) {
	feed := &fakeFeed{ch: make(chan events.Delivery, 4)}
	withFeed := func(c *Config) {
		c.Notifications = feed
		c.Answers.NotificationURL = feed.URL()
	}
	h := newHarness(t, ready, withFeed)
	h.walkTo(flow.StepEvents)
	if s := h.screen(); !strings.Contains(s, "cewiz's own receiver") || strings.Contains(s, "loopback") {
		t.Fatalf("the Events step:\n%s", s)
	}
	h.walkTo(flow.StepReview)
	h.enter()
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
	feed.mu.Lock()
	told := feed.key.Reveal()
	feed.mu.Unlock()
	if told == "" || told != h.m.secrets.SignatureKey.Reveal() {
		t.Fatal("the receiver was not told the instance's key")
	}
	if s := h.screen(); !strings.Contains(s, "Waiting for the first notification") || !strings.Contains(s, feed.URL()) {
		t.Fatalf("result before any notification:\n%s", h.screen())
	}
	at := time.Date(2026, 3, 4, 10, 0, 5, 0, time.UTC)
	n := events.Notification{EventID: "7300001", InstanceID: "482901", Events: []events.Change{{ObjectType: "events", ObjectID: "10400", EventType: "CREATED"}}}
	other := n
	other.InstanceID, other.EventID = "1", "99"
	feed.ch <- events.Delivery{At: at, Status: 200, Notification: other, Signature: events.SHA256}
	feed.ch <- events.Delivery{At: at, Status: 200, Notification: n, Signature: events.SHA256}
	feed.ch <- events.Delivery{At: at, Status: 401, Err: events.ErrBadSignature}
	h.waitFor(func() bool { return strings.Contains(h.screen(), "refused (401)") }, "the refused notification")
	s := h.screen()
	if !strings.Contains(s, "events CREATED 10400") || !strings.Contains(s, "event 7300001, signature verified") || strings.Contains(s, "event 99") {
		t.Fatalf("result with notifications:\n%s", s)
	}
	h.snapshot(t)
}
