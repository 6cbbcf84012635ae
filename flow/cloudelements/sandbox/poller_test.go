package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is one notification as a plain HTTP server got it.
type received struct {
	header http.Header
	body   []byte
}

// hook is a notification URL on this machine that records what it gets
// and answers with status (200 unless set).
type hook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	ch     chan received
}

func newHook(t *testing.T) *hook {
	h := &hook{status: 200, ch: make(chan received, 100)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, received{r.Header.Clone(), b})
		st := h.status
		h.mu.Unlock()
		h.ch <- received{r.Header.Clone(), b}
		w.WriteHeader(st)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

// createWithEvents creates an instance over HTTP whose notifications go to
// notifyURL, signed with key when it is not "".
func createWithEvents(t *testing.T, s *Server, notifyURL, key string) int64 {
	t.Helper()
	body := seedBody("rehearsal", s.IssueCode(callback, site, DemoAppID))
	cfg := body["configuration"].(map[string]any)
	cfg["event.notification.callback.url"] = notifyURL
	if key != "" {
		cfg["event.notification.signature.key"] = key
	}
	a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, body)
	if a.status != 200 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	var in struct{ ID int64 }
	a.json(t, &in)
	return in.ID
}

// logOf reads the event log as a client would.
func logOf(t *testing.T, s *Server, id int64) []map[string]any {
	t.Helper()
	var out []map[string]any
	call(t, "GET", s.BaseURL()+"/instances/"+strconv.FormatInt(id, 10)+"/events", demoAuth, nil).json(t, &out)
	return out
}

// The whole chain, one Tick at a time: a document changes, the poller
// records a NEW event, the event moves through the record's statuses, and
// the notification reaches the callback URL in Cloud Elements' shape,
// signed as the devportal documents it; then the log says NOTIFIED.
func TestRehearsalNotifiesSignedInPayloadShape(t *testing.T) {
	s := start(t, Options{PollEvery: time.Hour}) // ticks come from the test
	h := newHook(t)
	const key = "rehearsal-key-1234"
	id := createWithEvents(t, s, h.srv.URL+"/events?team=docs", key)
	if evs := logOf(t, s, id); len(evs) != 0 {
		t.Fatalf("with the poller on, a new instance starts with an empty log: %v", evs)
	}
	ctx := context.Background()
	var statuses []string
	for i := 0; i < 5; i++ {
		s.Tick(ctx)
		statuses = append(statuses, logOf(t, s, id)[0]["status"].(string))
	}
	if got := strings.Join(statuses, " "); got != "NEW RECEIVED DISPATCHED CONSUMED NOTIFIED" {
		t.Fatalf("the first event went %s", got)
	}
	first := logOf(t, s, id)[0]
	if h.count() != 1 {
		t.Fatalf("%d notifications, want 1", h.count())
	}
	r := h.got[0]
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(r.body)
	if want := "sha256=" + base64.StdEncoding.EncodeToString(mac.Sum(nil)); r.header.Get(HeaderSignature) != want {
		t.Fatalf("signature %q, want %q", r.header.Get(HeaderSignature), want)
	}
	if r.header.Get(HeaderWebhookID) == "" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", r.header)
	}
	var n struct {
		Message struct {
			EventID    json.Number `json:"eventId"`
			InstanceID int64       `json:"instanceId"`
			ElementKey string      `json:"elementKey"`
			Events     []struct{ ObjectType, ObjectID, EventType, ElementKey string }
			Raw        map[string]any `json:"raw"`
		} `json:"message"`
	}
	if err := json.Unmarshal(r.body, &n); err != nil {
		t.Fatal(err)
	}
	m := n.Message
	if m.EventID.String() != first["id"] || m.InstanceID != id || m.ElementKey != ElementKey || len(m.Events) != 1 ||
		m.Events[0].ObjectType != "events" || m.Events[0].EventType != "CREATED" || m.Events[0].ObjectID != m.Raw["id"] {
		t.Fatalf("payload %s (log %v)", r.body, first)
	}
	var provider map[string]string
	json.Unmarshal([]byte(first["providerData"].(string)), &provider)
	if provider["objectId"] != m.Events[0].ObjectID {
		t.Fatalf("log providerData %v vs notification %s", provider, r.body)
	}
}

// A receiver that fails is tried again on each tick with the same
// Elements-Webhook-Id, and the event stays CONSUMED until it answers 2xx;
// after MaxNotifyAttempts failures the sandbox gives up.
func TestRehearsalRetriesThenGivesUp(t *testing.T) {
	s := start(t, Options{PollEvery: time.Hour})
	h := newHook(t)
	h.status = 503
	id := createWithEvents(t, s, h.srv.URL, "")
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		s.Tick(ctx)
	}
	for i := 0; i < MaxNotifyAttempts+2; i++ {
		s.Tick(ctx)
	}
	var first []received
	h.mu.Lock()
	for _, r := range h.got {
		if bytes.Equal(r.body, h.got[0].body) {
			first = append(first, r)
		}
	}
	h.mu.Unlock()
	if len(first) != MaxNotifyAttempts {
		t.Fatalf("the first event was tried %d times, want %d", len(first), MaxNotifyAttempts)
	}
	for _, r := range first {
		if r.header.Get(HeaderWebhookID) != first[0].header.Get(HeaderWebhookID) || r.header.Get(HeaderSignature) != "" {
			t.Fatalf("a retry changed its webhook id, or an unsigned instance sent a signature: %v", r.header)
		}
	}
	if st := logOf(t, s, id)[0]["status"]; st != "CONSUMED" {
		t.Fatalf("an undelivered event is %v", st)
	}
	// Once the receiver answers, the events still in flight are delivered.
	h.mu.Lock()
	h.status = 200
	h.mu.Unlock()
	s.Tick(ctx)
	notified := 0
	for _, e := range logOf(t, s, id) {
		if e["status"] == "NOTIFIED" {
			notified++
		}
	}
	if notified == 0 {
		t.Fatal("nothing delivered once the receiver answered")
	}
}

// Demo notifications are sent to this machine only; a disabled instance,
// or one with events off, is not polled.
func TestRehearsalOnlyLoopbackAndEnabled(t *testing.T) {
	s := start(t, Options{PollEvery: time.Hour})
	remote := createWithEvents(t, s, notify, "") // https://example.com/events
	h := newHook(t)
	off := createWithEvents(t, s, h.srv.URL, "")
	s.SetEventsEnabled(off, false)
	for i := 0; i < 6; i++ {
		s.Tick(context.Background())
	}
	if evs := logOf(t, s, remote); len(evs) == 0 || evs[0]["status"] != "CONSUMED" {
		t.Fatalf("remote: %v", evs)
	}
	if in, _ := s.Instance(off); len(in.Events) != 0 || h.count() != 0 {
		t.Fatalf("events off: %d events, %d notifications", len(in.Events), h.count())
	}
}

// Server runs the ticks itself every PollEvery.
func TestRehearsalServerTicks(t *testing.T) {
	var log bytes.Buffer
	var mu sync.Mutex
	s := start(t, Options{PollEvery: 20 * time.Millisecond, Log: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return log.Write(p)
	})})
	h := newHook(t)
	id := createWithEvents(t, s, h.srv.URL+"/hook?secret=q", "k")
	select {
	case r := <-h.ch:
		if !strings.Contains(string(r.body), `"instanceId":`+strconv.FormatInt(id, 10)) {
			t.Fatalf("notification %s", r.body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no notification from the running sandbox")
	}
	_ = s.Close()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "notify POST "+h.srv.URL+"/hook instance") || strings.Contains(log.String(), "secret=q") {
		t.Fatalf("log:\n%s", log.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
