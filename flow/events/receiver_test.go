package events

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
)

const testKey = "receiver-test-key-0001"

// notification is a body in Cloud Elements' shape (cloud-elements-api.md §10).
func notification(eventID string) []byte {
	return []byte(`{"message":{"eventId":` + eventID + `,"instanceId":482901,"elementKey":"docushareflex",` +
		`"events":[{"objectType":"events","objectId":"10407","eventType":"UPDATED","elementKey":"docushareflex"}],"raw":{"id":"10407"}}}`)
}

// recorder collects the deliveries of a receiver, and prints them as
// `events receive` does.
type recorder struct {
	mu       sync.Mutex
	got      []Delivery
	out, err bytes.Buffer
	p        *Printer
}

func newRecorder() *recorder {
	r := &recorder{}
	r.p = &Printer{Out: &r.out, Err: &r.err}
	return r
}

func (r *recorder) on(d Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	r.p.Print(d)
}

func (r *recorder) last(t *testing.T) Delivery {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		t.Fatal("no delivery reported")
	}
	return r.got[len(r.got)-1]
}

func listen(t *testing.T, opts ReceiverOptions) (*Server, *recorder) {
	t.Helper()
	rec := newRecorder()
	opts.OnDelivery = rec.on
	s, err := Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, rec
}

func post(t *testing.T, url string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func signed(body []byte, webhookID string) map[string]string {
	return map[string]string{HeaderSignature: Sign(flow.NewSecret(testKey), body), HeaderWebhookID: webhookID}
}

// A well-formed, signed notification is answered 200 and printed as one
// line per object: object type, event type, object id, instance, time.
func TestReceiverAcceptsSignedNotification(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 3, 0, time.UTC)
	s, rec := listen(t, ReceiverOptions{Key: flow.NewSecret(testKey), Now: func() time.Time { return at }})
	body := notification("7300006")
	status, text := post(t, s.URL(), body, signed(body, "wh-1"))
	if status != http.StatusOK || strings.TrimSpace(text) != "accepted" {
		t.Fatalf("status %d %q", status, text)
	}
	d := rec.last(t)
	if !d.Accepted() || d.Signature != SHA256 || d.WebhookID != "wh-1" || d.Notification.EventID != "7300006" {
		t.Fatalf("delivery %+v", d)
	}
	if id, ok := d.Notification.Instance(); !ok || id != 482901 {
		t.Fatalf("instance %q", d.Notification.InstanceID)
	}
	want := "events UPDATED 10407  instance 482901  2026-05-01T10:00:03Z  (event 7300006, signature sha256 verified)\n"
	if rec.out.String() != want || rec.err.Len() != 0 {
		t.Fatalf("stdout %q (want %q), stderr %q", rec.out.String(), want, rec.err.String())
	}
	if strings.Contains(rec.out.String()+rec.err.String(), testKey) {
		t.Fatal("the key was printed")
	}
}

// A forged notification (signed with another key, or not signed, or with a
// body changed after signing) is refused with 401 and a line on stderr;
// nothing reaches stdout, and it does not make the genuine one a replay.
func TestReceiverRefusesForgedNotification(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{Key: flow.NewSecret(testKey)})
	body := notification("7300007")
	forged := map[string]string{HeaderSignature: Sign(flow.NewSecret("attacker"), body), HeaderWebhookID: "wh-2"}
	cases := []struct {
		name   string
		body   []byte
		header map[string]string
		err    error
	}{
		{"another key", body, forged, ErrBadSignature},
		{"no signature", body, map[string]string{HeaderWebhookID: "wh-2"}, ErrNoSignature},
		{"body changed", append([]byte(" "), body...), signed(body, "wh-2"), ErrBadSignature},
	}
	for _, c := range cases {
		status, _ := post(t, s.URL(), c.body, c.header)
		d := rec.last(t)
		if status != http.StatusUnauthorized || !errors.Is(d.Err, c.err) {
			t.Fatalf("%s: status %d, err %v", c.name, status, d.Err)
		}
	}
	if rec.out.Len() != 0 || strings.Count(rec.err.String(), "cewiz: refused a notification") != len(cases) {
		t.Fatalf("stdout %q, stderr %q", rec.out.String(), rec.err.String())
	}
	if status, _ := post(t, s.URL(), body, signed(body, "wh-2")); status != http.StatusOK {
		t.Fatalf("the genuine notification after forged ones: %d", status)
	}
}

// A notification received twice (the same Elements-Webhook-Id, or the same
// eventId of the same instance) is refused the second time with 409.
func TestReceiverRefusesReplay(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{Key: flow.NewSecret(testKey)})
	body := notification("7300008")
	if status, _ := post(t, s.URL(), body, signed(body, "wh-3")); status != http.StatusOK {
		t.Fatalf("first: %d", status)
	}
	status, text := post(t, s.URL(), body, signed(body, "wh-3"))
	if status != http.StatusConflict || !errors.Is(rec.last(t).Err, ErrReplay) || !strings.Contains(text, "replay") {
		t.Fatalf("replay: %d %q %v", status, text, rec.last(t).Err)
	}
	// Another webhook id does not launder the same event.
	if status, _ := post(t, s.URL(), body, signed(body, "wh-4")); status != http.StatusConflict {
		t.Fatalf("same event, new webhook id: %d", status)
	}
	if n := strings.Count(rec.out.String(), "\n"); n != 1 {
		t.Fatalf("%d lines on stdout, want the first delivery only:\n%s", n, rec.out.String())
	}
	if !strings.Contains(rec.err.String(), "(409): a notification with "+HeaderWebhookID+` "wh-3" was already received`) {
		t.Fatalf("stderr %q", rec.err.String())
	}
}

// Only the newest ids are remembered.
func TestReceiverForgetsOldestIDs(t *testing.T) {
	r := NewReceiver(ReceiverOptions{Remember: 2})
	for _, id := range []string{"1", "2", "3"} {
		if err := r.remember("", Notification{EventID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.remember("", Notification{EventID: "3"}); !errors.Is(err, ErrReplay) {
		t.Fatalf("a recent id: %v", err)
	}
	if err := r.remember("", Notification{EventID: "1"}); err != nil {
		t.Fatalf("the oldest id is forgotten: %v", err)
	}
}

func TestReceiverRefusesWhatIsNotANotification(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{})
	for _, body := range []string{`not json`, `[]`, `{"hello":1}`, `{"message":"x"}`, `{"message":{"events":"x"}}`, `{} {}`} {
		if status, _ := post(t, s.URL(), []byte(body), nil); status != http.StatusBadRequest {
			t.Fatalf("%s: %d", body, status)
		}
	}
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" || !errors.Is(rec.last(t).Err, ErrMethod) {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}

// Without a key, notifications are accepted and a signed one is marked
// unverified, with a one-time note naming CEWIZ_SIGNATURE_KEY.
func TestReceiverWithoutKey(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{})
	for _, id := range []string{"1", "2"} {
		body := notification(id)
		if status, _ := post(t, s.URL(), body, signed(body, "wh-u"+id)); status != http.StatusOK {
			t.Fatal(status)
		}
	}
	if !rec.last(t).Unverified || strings.Count(rec.err.String(), "CEWIZ_SIGNATURE_KEY") != 1 || !strings.Contains(rec.out.String(), "signed, not verified") {
		t.Fatalf("stdout %q stderr %q", rec.out.String(), rec.err.String())
	}
	// The legacy scheme is named once too.
	s2, rec2 := listen(t, ReceiverOptions{Key: flow.NewSecret(testKey)})
	body := notification("3")
	if status, _ := post(t, s2.URL(), body, map[string]string{HeaderSignature: legacySHA1(testKey, string(body))}); status != http.StatusOK {
		t.Fatal(status)
	}
	if !strings.Contains(rec2.err.String(), "legacy sha1=") || !strings.Contains(rec2.out.String(), "signature sha1 verified") {
		t.Fatalf("stdout %q stderr %q", rec2.out.String(), rec2.err.String())
	}
}

// A body over the limit is refused with 413, whether its length is
// announced (refused unread) or it comes in chunks (refused at the limit).
func TestReceiverHugeBody(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{MaxBody: 1 << 10})
	huge := bytes.Repeat([]byte("x"), 64<<10)
	if status, _ := post(t, s.URL(), huge, nil); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("announced: %d", status)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL(), io.MultiReader(bytes.NewReader(huge))) // no length: chunked
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !errors.Is(rec.last(t).Err, ErrTooLarge) {
		t.Fatalf("chunked: %d %v", resp.StatusCode, rec.last(t).Err)
	}
}

// A body that trickles in slower than the read bound is refused (408) and
// the connection closed, instead of holding the receiver.
func TestReceiverSlowBody(t *testing.T) {
	s, rec := listen(t, ReceiverOptions{ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A safety net for a broken server, not the assertion.
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"mess")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !errors.Is(rec.last(t).Err, ErrSlowBody) {
		t.Fatalf("slow body: %d %v", resp.StatusCode, rec.last(t).Err)
	}
}

// Headers that never end are cut off by the header bound.
func TestReceiverSlowHeaders(t *testing.T) {
	s, _ := listen(t, ReceiverOptions{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST /events HTTP/1.1\r\nHost: x\r\n")
	// The server closes the connection: the read ends (EOF or a reset),
	// not at the safety net's deadline.
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a connection whose headers never ended")
	}
}

func TestParseNotificationShapes(t *testing.T) {
	cases := []struct {
		body     string
		event    string
		instance string
		objects  int
	}{
		{`{"message":{"eventId":"E1","instanceId":"31","events":[{"objectType":"files","objectId":5,"eventType":"created"}]}}`, "E1", "31", 1},
		{`{"message":{"eventId":1088,"instanceId":31}}`, "1088", "31", 0},
		// The older examples: no message wrapper.
		{`{"eventId":1088,"instanceId":31,"response":{"events":[]},"notificationId":1047}`, "1088", "31", 0},
	}
	for _, c := range cases {
		n, err := ParseNotification([]byte(c.body))
		if err != nil || n.EventID != c.event || n.InstanceID != c.instance || len(n.Events) != c.objects {
			t.Fatalf("%s: %+v %v", c.body, n, err)
		}
	}
	n, _ := ParseNotification([]byte(cases[0].body))
	if n.Events[0].EventType != "CREATED" || n.Events[0].ObjectID != "5" {
		t.Fatalf("%+v", n.Events[0])
	}
}
