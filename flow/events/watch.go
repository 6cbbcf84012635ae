package events

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// Watch reads one instance's event log again and again and tells what is
// new since the previous reading: an event not seen before, or one whose
// status moved (NEW → RECEIVED → … → NOTIFIED).
type Watch struct {
	API LogAPI
	ID  int64
	// Token is the instance token from the saved summary (zero: none).
	Token flow.Secret
	// Interval is the instance's polling interval, for telling stuck
	// events (flow.DefaultRefreshInterval minutes when 0).
	Interval time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	seen map[string]string // event id → the status last reported
}

// Read reads the log once. It returns the whole reading and the lines for
// what is new or changed since the previous Read (every event, the first
// time), oldest first.
func (w *Watch) Read(ctx context.Context) (Log, []LogLine, error) {
	evs, err := ReadLog(ctx, w.API, w.ID, w.Token)
	if err != nil {
		return Log{}, nil, err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	log := Summarize(evs, w.Interval, now())
	first := w.seen == nil
	if first {
		w.seen = map[string]string{}
	}
	var lines []LogLine
	for i, e := range log.Events {
		prev, known := w.seen[e.ID]
		if known && prev == e.Status {
			continue
		}
		l := NewLogLine(e, log.Stuck(i))
		if known {
			l.Previous = prev
		}
		w.seen[e.ID] = e.Status
		lines = append(lines, l)
	}
	return log, lines, nil
}

// Follow reads the log every `every` until ctx ends, and gives each new or
// changed event to emit. A reading that fails for a reason that may pass
// (the network, 429, 5xx) goes to problem and the watch goes on; one that
// will not pass (401, 403, 404) ends it with that error. The first reading
// is the caller's (Read), so it can print a summary first.
func (w *Watch) Follow(ctx context.Context, every time.Duration, emit func(LogLine), problem func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		_, lines, err := w.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if Lasting(err) {
				return err
			}
			problem(err)
			continue
		}
		for _, l := range lines {
			emit(l)
		}
	}
}

// Lasting reports whether an error reading the log will not pass by
// waiting: refused secrets or token (401), a disabled instance (403), no
// such instance (404).
func Lasting(err error) bool {
	var ae *cloudelements.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}
