package events

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements"
)

// Printer writes what a receiver does: one line per reported object of an
// accepted notification on Out (or, with JSON, one JSON object per line),
// and one line per refused notification on Err, with a one-time note when
// the notifications are signed with the legacy scheme or cannot be checked.
// It never writes a key or a signature.
type Printer struct {
	Out, Err io.Writer
	JSON     bool

	mu    sync.Mutex
	noted map[string]bool
}

// ReceivedLine is one accepted object as `events receive --json` prints it.
type ReceivedLine struct {
	Time       string `json:"time"`
	InstanceID string `json:"instanceId,omitempty"`
	EventID    string `json:"eventId,omitempty"`
	WebhookID  string `json:"webhookId,omitempty"`
	ElementKey string `json:"elementKey,omitempty"`
	ObjectType string `json:"objectType"`
	EventType  string `json:"eventType"`
	ObjectID   string `json:"objectId"`
	// Signature is sha256 or sha1 (verified), unverified (signed, no key
	// to check it) or none.
	Signature string `json:"signature"`
}

// Lines turns an accepted delivery into its lines: one per object (one
// with empty object fields when the notification reports none).
func Lines(d Delivery) []ReceivedLine {
	sig := d.SignatureOutcome()
	n := d.Notification
	changes := n.Events
	if len(changes) == 0 {
		changes = []Change{{}}
	}
	out := make([]ReceivedLine, 0, len(changes))
	for _, c := range changes {
		key := c.ElementKey
		if key == "" {
			key = n.ElementKey
		}
		out = append(out, ReceivedLine{
			Time: d.At.UTC().Format(time.RFC3339), InstanceID: n.InstanceID, EventID: n.EventID, WebhookID: d.WebhookID,
			ElementKey: key, ObjectType: c.ObjectType, EventType: c.EventType, ObjectID: c.ObjectID, Signature: sig,
		})
	}
	return out
}

// Text is the line a person reads: object type, event type, object id,
// instance, time, and how the signature was checked.
func (l ReceivedLine) Text() string {
	var check string
	switch l.Signature {
	case "sha256", "sha1":
		check = "signature " + l.Signature + " verified"
	case "unverified":
		check = "signed, not verified"
	default:
		check = "unsigned"
	}
	return fmt.Sprintf("%s %s %s  instance %s  %s  (event %s, %s)",
		orDash(l.ObjectType), orDash(l.EventType), orDash(l.ObjectID), orDash(l.InstanceID), l.Time, orDash(l.EventID), check)
}

// Print writes d.
func (p *Printer) Print(d Delivery) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !d.Accepted() {
		fmt.Fprintf(p.Err, "cewiz: refused a notification from %s (%d): %v\n", d.Remote, d.Status, d.Err)
		return
	}
	switch {
	case d.Signature.Legacy():
		p.note("sha1", "cewiz: note: these notifications are signed with the legacy sha1= scheme (HMAC-SHA1); Cloud Elements signs with sha256= today. They were verified.")
	case d.Unverified:
		p.note("unverified", "cewiz: note: these notifications are signed, but CEWIZ_SIGNATURE_KEY is not set, so their signature is not checked. Set it to the instance's key (its summary file holds it).")
	}
	for _, l := range Lines(d) {
		if p.JSON {
			b, _ := json.Marshal(l)
			fmt.Fprintf(p.Out, "%s\n", b)
			continue
		}
		fmt.Fprintln(p.Out, l.Text())
	}
}

func (p *Printer) note(id, text string) {
	if p.noted == nil {
		p.noted = map[string]bool{}
	}
	if !p.noted[id] {
		p.noted[id] = true
		fmt.Fprintln(p.Err, text)
	}
}

// LogLine is one event of the log as `events watch --json` prints it.
type LogLine struct {
	ID         string `json:"id"`
	EventDate  string `json:"eventDate"`
	Status     string `json:"status"`
	ObjectType string `json:"objectType,omitempty"`
	EventType  string `json:"eventType,omitempty"`
	ObjectID   string `json:"objectId,omitempty"`
	Stuck      bool   `json:"stuck"`
	// Previous is the status before, when the line reports a change.
	Previous string `json:"previousStatus,omitempty"`
}

// NewLogLine describes e (stuck as Log says).
func NewLogLine(e cloudelements.Event, stuck bool) LogLine {
	o := ObjectOf(e)
	return LogLine{ID: e.ID, EventDate: e.EventDate, Status: e.Status, ObjectType: o.ObjectType, EventType: o.EventType, ObjectID: o.ObjectID, Stuck: stuck}
}

// Text is the line a person reads.
func (l LogLine) Text() string {
	status := l.Status
	if status == "" {
		status = "(none)"
	}
	if l.Previous != "" {
		status = l.Previous + " → " + status
	}
	s := fmt.Sprintf("%-20s  %-10s  %-22s", orDash(l.EventDate), orDash(l.ID), status)
	if obj := (Change{ObjectType: l.ObjectType, EventType: l.EventType, ObjectID: l.ObjectID}).Text(); obj != "" {
		s += "  " + obj
	}
	if l.Stuck {
		s += "  STUCK"
	}
	return strings.TrimRight(s, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
