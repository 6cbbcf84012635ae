package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// LogAPI reads an instance's event log. *cloudelements.Client implements it.
type LogAPI interface {
	InstanceEvents(ctx context.Context, id int64) ([]cloudelements.Event, error)
	InstanceEventsWithToken(ctx context.Context, id int64, token flow.Secret) ([]cloudelements.Event, error)
}

// ReadLog reads the instance's event log, GET /instances/{id}/events with no
// query parameter, with the User and Organization secrets as the public
// record does. When that is refused (401) and token (the instance token from
// the saved summary) is given, it asks once more with ", Element <token>":
// whether Cloud Elements wants it for this call is not published.
func ReadLog(ctx context.Context, api LogAPI, id int64, token flow.Secret) ([]cloudelements.Event, error) {
	evs, err := api.InstanceEvents(ctx, id)
	var ae *cloudelements.APIError
	if err != nil && !token.IsZero() && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return api.InstanceEventsWithToken(ctx, id, token)
	}
	return evs, err
}

// StuckIntervals: an event still NEW or RECEIVED after this many polling
// intervals is stuck (a couple: one interval may simply not have passed).
const StuckIntervals = 2

// Log is one reading of an event log: the events sorted by eventDate
// (oldest first; the order Cloud Elements answers in is not published),
// counted by status, the stuck ones flagged. `cewiz events watch` and the
// doctor's event check both read the log this way.
type Log struct {
	Events []cloudelements.Event
	// Counts counts the events per status (an unknown status is counted,
	// not judged: the record has no failure status).
	Counts map[string]int
	// StuckAfter is how long an event may stay NEW or RECEIVED.
	StuckAfter time.Duration
	stuck      []bool
}

// IntervalOf is how often the instance is polled: its event.poller.refresh_interval
// when it has a valid one, else the default (also when in is nil).
func IntervalOf(in *cloudelements.Instance) time.Duration {
	if in != nil {
		if n, err := in.RefreshInterval(); err == nil && n > 0 {
			return time.Duration(n) * time.Minute
		}
	}
	return time.Duration(flow.DefaultRefreshInterval) * time.Minute
}

// Summarize reads events (in any order) for an instance polled every
// interval (the default when not positive), at now. It does not change events.
func Summarize(events []cloudelements.Event, interval time.Duration, now time.Time) Log {
	if interval <= 0 {
		interval = IntervalOf(nil)
	}
	l := Log{
		Events:     append([]cloudelements.Event(nil), events...),
		StuckAfter: StuckIntervals * interval,
	}
	cloudelements.SortEvents(l.Events)
	l.Counts = cloudelements.CountByStatus(l.Events)
	l.stuck = make([]bool, len(l.Events))
	for i, e := range l.Events {
		l.stuck[i] = l.isStuck(e, now)
	}
	return l
}

func (l Log) isStuck(e cloudelements.Event, now time.Time) bool {
	if e.Status != "NEW" && e.Status != "RECEIVED" {
		return false
	}
	d := e.Date()
	return !d.IsZero() && now.Sub(d) > l.StuckAfter
}

// Stuck reports whether Events[i] is stuck: still NEW or RECEIVED after
// StuckAfter, never delivered.
func (l Log) Stuck(i int) bool { return i >= 0 && i < len(l.stuck) && l.stuck[i] }

// StuckCount is how many events are stuck; oldest is the oldest of them.
func (l Log) StuckCount() (n int, oldest cloudelements.Event) {
	for i := range l.Events {
		if l.stuck[i] {
			if n == 0 {
				oldest = l.Events[i]
			}
			n++
		}
	}
	return n, oldest
}

// Last returns the n newest events, newest last.
func (l Log) Last(n int) []cloudelements.Event {
	if n > len(l.Events) {
		n = len(l.Events)
	}
	return l.Events[len(l.Events)-n:]
}

// CountsText writes the counts as "2 NOTIFIED, 1 NEW": the record's
// statuses in their order, then any other, then the events without one.
func (l Log) CountsText() string {
	known := map[string]bool{}
	var parts []string
	for _, s := range cloudelements.EventStatuses {
		known[s] = true
		if n := l.Counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	var others []string
	for s := range l.Counts {
		if !known[s] {
			others = append(others, s)
		}
	}
	sort.Strings(others)
	for _, s := range others {
		label := s
		if label == "" {
			label = "without a status"
		}
		parts = append(parts, fmt.Sprintf("%d %s", l.Counts[s], label))
	}
	return strings.Join(parts, ", ")
}

// Minutes writes d as "15 minutes" or "1 minute" (polling intervals are
// whole minutes).
func Minutes(d time.Duration) string {
	n := int(d / time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// ObjectOf reads what e's providerData (a JSON string) says changed, when
// it says it: its content for DocuShare Flex is not published, so the
// fields a notification's change has are read tolerantly when present, ""
// otherwise.
func ObjectOf(e cloudelements.Event) Change {
	var m map[string]json.RawMessage
	if decodeNumbers([]byte(e.ProviderData), &m) != nil {
		return Change{}
	}
	return changeOf(m)
}
