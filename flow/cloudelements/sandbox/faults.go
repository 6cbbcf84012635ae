package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Fault is what the next Count requests to a route get instead of (or, with
// After, on top of) the normal answer.
type Fault struct {
	// Count is how many requests the fault applies to (1 when 0 or less).
	Count int
	// Status answers with this HTTP status and the real error body.
	Status int
	// RetryAfter, with Status, is sent as the Retry-After header (seconds
	// or an HTTP date).
	RetryAfter string
	// Message, with Status, is the error body's message.
	Message string
	// ProviderMessage, with Status, is the error body's providerMessage:
	// with Status 502, MsgProviderFailure and ProviderInvalidGrant it is a
	// grant code DocuShare Flex refused, reported as a provider failure.
	ProviderMessage string
	// Delay waits this long first (or, with After, after the handler ran).
	// A client that gives up meanwhile ends the wait.
	Delay time.Duration
	// Drop closes the connection with a TCP reset instead of answering.
	Drop bool
	// After runs the real handler first, so its effect (a created instance)
	// happens, then applies Delay, Drop or Status to the answer. This is the
	// ambiguous failure: the client cannot know the request succeeded.
	After bool
}

type faultRule struct {
	route string
	left  int
	fault Fault
}

// InjectFault arms a fault for the next f.Count requests to route (a Route*
// constant, or RouteAny). Faults are applied in the order they were armed.
func (s *Sandbox) InjectFault(route string, f Fault) error {
	if route != RouteAny && !slices.Contains(Routes, route) {
		return fmt.Errorf("sandbox: unknown route %q; use one of the Route constants or %q", route, RouteAny)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("sandbox: status %d is not an HTTP status", f.Status)
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{route: route, left: f.Count, fault: f})
	return nil
}

// ClearFaults removes every pending fault.
func (s *Sandbox) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns the faults not yet used up, by route, with Count set
// to the requests left.
func (s *Sandbox) PendingFaults() map[string][]Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]Fault{}
	for _, r := range s.faults {
		f := r.fault
		f.Count = r.left
		out[r.route] = append(out[r.route], f)
	}
	return out
}

// Count returns how many requests reached route (faulted ones included).
func (s *Sandbox) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Counts returns the request count of every route that was hit.
func (s *Sandbox) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// ResetCounts sets every count to zero.
func (s *Sandbox) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
}

// hit counts a request to route and takes the fault to apply, if any.
func (s *Sandbox) hit(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[route]++
	for i, r := range s.faults {
		if r.route != route && r.route != RouteAny {
			continue
		}
		r.left--
		if r.left <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		f := r.fault
		return &f
	}
	return nil
}

func (s *Sandbox) applyFault(w http.ResponseWriter, r *http.Request, f Fault, h http.HandlerFunc) {
	wait := func() bool {
		if f.Delay <= 0 {
			return true
		}
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
			return false
		}
	}
	// answer drops the connection or gives the fault's status, else the
	// normal answer.
	answer := func(normal func()) {
		switch {
		case f.Drop:
			drop(w)
		case f.Status != 0:
			s.faultStatus(w, f)
		default:
			normal()
		}
	}
	if f.After {
		rec := &recorder{header: http.Header{}}
		h(rec, r)
		if wait() {
			answer(func() { rec.replay(w) })
		}
		return
	}
	if wait() {
		answer(func() { h(w, r) })
	}
}

func (s *Sandbox) faultStatus(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	msg := f.Message
	if msg == "" {
		msg = "Injected fault: " + http.StatusText(f.Status)
	}
	s.fail(w, f.Status, msg, f.ProviderMessage)
}

// ProviderInvalidGrant is the provider's refusal of a grant code (RFC 6749
// §5.2), for Fault.ProviderMessage.
const ProviderInvalidGrant = `{"error":"invalid_grant","error_description":"The authorization code is not valid"}`

// drop closes the client's connection with a reset and no answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: the closest thing is an aborted handler.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN
	}
	_ = conn.Close()
}

// recorder keeps a handler's answer so a fault can replace it afterwards.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) replay(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// adminFault is the JSON form of a Fault for the admin endpoint.
type adminFault struct {
	Route      string          `json:"route"`
	Count      int             `json:"count,omitempty"`
	Status     int             `json:"status,omitempty"`
	RetryAfter string          `json:"retryAfter,omitempty"`
	Message    string          `json:"message,omitempty"`
	Provider   string          `json:"providerMessage,omitempty"`
	Delay      json.RawMessage `json:"delay,omitempty"` // "1.5s", or a number of milliseconds
	Drop       bool            `json:"drop,omitempty"`
	After      bool            `json:"after,omitempty"`
}

// handleAdmin serves /__sandbox/ to loopback clients when Options.Admin is set.
func (s *Sandbox) handleAdmin(w http.ResponseWriter, r *http.Request) {
	if !s.opts.Admin || !fromLoopback(r) {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No resource found for %s %s", r.Method, r.URL.Path), "")
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /__sandbox/faults":
		var af adminFault
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&af); err != nil {
			s.fail(w, http.StatusBadRequest, "The fault must be a JSON object: "+err.Error(), "")
			return
		}
		f := Fault{Count: af.Count, Status: af.Status, RetryAfter: af.RetryAfter, Message: af.Message, ProviderMessage: af.Provider, Drop: af.Drop, After: af.After}
		if len(af.Delay) > 0 {
			d, ok := parseDelay(af.Delay)
			if !ok {
				s.fail(w, http.StatusBadRequest, "delay must be a duration such as \"1.5s\" or a number of milliseconds", "")
				return
			}
			f.Delay = d
		}
		if err := s.InjectFault(af.Route, f); err != nil {
			s.fail(w, http.StatusBadRequest, err.Error(), "")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"armed": af, "routes": Routes})
	case "GET /__sandbox/faults":
		out := []adminFault{}
		s.mu.Lock()
		for _, fr := range s.faults {
			f := fr.fault
			af := adminFault{Route: fr.route, Count: fr.left, Status: f.Status, RetryAfter: f.RetryAfter, Message: f.Message, Provider: f.ProviderMessage, Drop: f.Drop, After: f.After}
			if f.Delay > 0 {
				af.Delay, _ = json.Marshal(f.Delay.String())
			}
			out = append(out, af)
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case "DELETE /__sandbox/faults":
		s.ClearFaults()
		writeJSON(w, http.StatusOK, []adminFault{})
	case "GET /__sandbox/counts":
		writeJSON(w, http.StatusOK, s.Counts())
	default:
		s.fail(w, http.StatusNotFound, "Admin endpoints: POST|GET|DELETE /__sandbox/faults, GET /__sandbox/counts", "")
	}
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	return err == nil && loopbackHost(host)
}

// parseDelay reads "1.5s", "200ms", "200" or 200 (milliseconds).
func parseDelay(raw json.RawMessage) (time.Duration, bool) {
	var ms float64
	if json.Unmarshal(raw, &ms) == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	var str string
	if json.Unmarshal(raw, &str) != nil {
		return 0, false
	}
	if d, err := time.ParseDuration(str); err == nil && d >= 0 {
		return d, true
	}
	if n, err := strconv.Atoi(str); err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond, true
	}
	return 0, false
}
