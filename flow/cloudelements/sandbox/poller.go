package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rehearsal of the event chain (Options.PollEvery, Tick): a fake
// DocuShare Flex site whose documents change, a poller that finds the
// changes for every instance with events on and records them in its event
// log, and a notifier that POSTs them to the instance's
// event.notification.callback.url, signed with its
// event.notification.signature.key. See doc.go, "Events".

// Headers of a notification.
const (
	HeaderSignature = "Elements-Webhook-Signature"
	HeaderWebhookID = "Elements-Webhook-Id"
)

// MaxNotifyAttempts is how many times a notification is tried before the
// sandbox gives up on it (the event then stays CONSUMED): the record's
// retry policy tries a failed notification up to 9 times.
const MaxNotifyAttempts = 9

// document is one document of the fake DocuShare Flex site.
type document struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Created  string `json:"createdDate"`
	Modified string `json:"modifiedDate"`
	deleted  bool
	changed  time.Time
}

// fakeSite is the fake DocuShare Flex site: each change creates, updates or
// deletes one document, in a fixed rotation.
type fakeSite struct {
	docs  []*document
	steps int
}

// change makes the next change at now and returns the document and the
// kind of change (CREATED, UPDATED or DELETED).
func (st *fakeSite) change(now time.Time) (*document, string) {
	live := func() []*document {
		var out []*document
		for _, d := range st.docs {
			if !d.deleted {
				out = append(out, d)
			}
		}
		return out
	}()
	step := st.steps
	st.steps++
	stamp := formatTime(now)
	switch {
	case step%4 == 3 && len(live) > 1:
		d := live[0]
		d.deleted, d.Modified, d.changed = true, stamp, now
		return d, "DELETED"
	case step%4 != 0 && len(live) > 0:
		d := live[step%len(live)]
		d.Modified, d.changed = stamp, now
		return d, "UPDATED"
	}
	n := len(st.docs)
	d := &document{
		ID: strconv.Itoa(10400 + 7*n), Name: fmt.Sprintf("report-%d.pdf", n+1), Path: fmt.Sprintf("/Shared/report-%d.pdf", n+1),
		Created: stamp, Modified: stamp, changed: now,
	}
	st.docs = append(st.docs, d)
	return d, "CREATED"
}

// delivery is one notification to send.
type delivery struct {
	instanceID int64
	eventID    int64
	url        string
	key        string
	webhookID  string
	body       []byte
}

// Tick runs one round of the rehearsal, as the poller does every
// Options.PollEvery: the site changes one document; for every valid,
// enabled instance with events on, each event in flight moves one status on
// (NEW → RECEIVED → DISPATCHED → CONSUMED), an event CONSUMED is notified
// (NOTIFIED once its callback URL answers 2xx), and the change just made is
// found and recorded as a NEW event. Tests call it to step the chain.
func (s *Sandbox) Tick(ctx context.Context) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	now := s.opts.Now()
	var sends []delivery
	s.mu.Lock()
	doc, kind := s.site.change(now)
	for _, in := range s.sortedInstances() {
		if !in.eventsEnabled || in.disabled || !in.valid {
			continue
		}
		for i := range in.events {
			e := &in.events[i]
			if !e.polled || e.gaveUp {
				continue
			}
			switch e.Status {
			case "NEW":
				e.Status = "RECEIVED"
			case "RECEIVED":
				e.Status = "DISPATCHED"
			case "DISPATCHED":
				e.Status = "CONSUMED"
			case "CONSUMED":
				sends = append(sends, s.notification(in, e))
			}
		}
		// The poll: the change is found when it is newer than the last
		// poll, through the resource the instance polls.
		if resource := polledResource(in.config["event.poller.configuration"]); resource != "" && doc.changed.After(in.lastPoll) {
			raw, _ := json.Marshal(doc)
			in.events = append(in.events, Event{
				ID: s.nextEvent, EventDate: now, Status: "NEW",
				ObjectType: resource, ObjectID: doc.ID, EventType: kind, polled: true, raw: raw,
			})
			s.nextEvent++
		}
		in.lastPoll = now
	}
	s.mu.Unlock()

	for _, d := range sends {
		err := s.notify(ctx, d)
		s.mu.Lock()
		if in := s.instances[d.instanceID]; in != nil {
			for i := range in.events {
				e := &in.events[i]
				if e.ID != d.eventID {
					continue
				}
				e.attempts++
				switch {
				case err == nil:
					e.Status = "NOTIFIED"
				case !retryable(err) || e.attempts >= MaxNotifyAttempts:
					e.gaveUp = true
				}
			}
		}
		s.mu.Unlock()
	}
}

// polledResource is the resource whose poll reports the site's changes:
// events (DocuShare Flex's own feed of changes) when the instance polls it,
// else the first resource it polls by name; "" when its poller
// configuration names none or does not parse (then nothing is found).
func polledResource(config string) string {
	config = strings.NewReplacer(`\n`, " ", `\t`, " ", `\r`, " ").Replace(config)
	var resources map[string]json.RawMessage
	if json.Unmarshal([]byte(config), &resources) != nil || len(resources) == 0 {
		return ""
	}
	if _, ok := resources["events"]; ok {
		return "events"
	}
	return slices.Sorted(maps.Keys(resources))[0]
}

// notification builds the POST for e, in Cloud Elements' payload shape
// (cloud-elements-api.md §10): {"message": {"eventId", "instanceId",
// "elementKey", "events": [{objectType, objectId, eventType, elementKey}],
// "raw"}}. Its Elements-Webhook-Id stays the same on every attempt. Called
// with s.mu held.
func (s *Sandbox) notification(in *instance, e *Event) delivery {
	if e.webhookID == "" {
		e.webhookID = randomHex(16)
	}
	raw := e.raw
	if len(raw) == 0 {
		raw = json.RawMessage(`{}`)
	}
	type object struct {
		ObjectType string `json:"objectType"`
		ObjectID   string `json:"objectId"`
		EventType  string `json:"eventType"`
		ElementKey string `json:"elementKey"`
	}
	body, _ := json.Marshal(map[string]any{"message": struct {
		EventID    int64           `json:"eventId"`
		InstanceID int64           `json:"instanceId"`
		ElementKey string          `json:"elementKey"`
		Events     []object        `json:"events"`
		Raw        json.RawMessage `json:"raw"`
	}{e.ID, in.id, ElementKey, []object{{e.ObjectType, e.ObjectID, e.EventType, ElementKey}}, raw}})
	return delivery{
		instanceID: in.id, eventID: e.ID, webhookID: e.webhookID, body: body,
		url: in.config["event.notification.callback.url"], key: in.config["event.notification.signature.key"],
	}
}

// sign is the Elements-Webhook-Signature of body under key: "sha256=" and
// the base64 of HMAC-SHA256 (devportal, "Event Management - Security").
func sign(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return "sha256=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// notifyError is why a notification was not delivered; a retryable one is
// tried again on the next Tick.
type notifyError struct {
	msg       string
	retryable bool
}

func (e *notifyError) Error() string { return e.msg }

func retryable(err error) bool {
	ne, ok := err.(*notifyError)
	return !ok || ne.retryable
}

// notify POSTs d to its callback URL and logs the outcome. Only loopback
// addresses are notified: the sandbox's data is a demo, and a notification
// URL such as https://example.com/... must not be sent anything.
func (s *Sandbox) notify(ctx context.Context, d delivery) error {
	u, err := url.Parse(d.url)
	where := d.url
	if err == nil {
		where = u.Scheme + "://" + u.Host + u.Path // never the query
	}
	var outcome error
	status := 0
	start := time.Now()
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		outcome = &notifyError{msg: "not an http(s) URL"}
	case !loopbackHost(u.Hostname()):
		outcome = &notifyError{msg: "not delivered: the sandbox notifies loopback addresses only (127.0.0.1, [::1], localhost)"}
	default:
		status, outcome = s.post(ctx, u.String(), d)
	}
	if s.opts.Log != nil {
		res := strconv.Itoa(status)
		if outcome != nil {
			res = outcome.Error()
		}
		s.logf("notify POST %s instance %d event %d: %s %s", where, d.instanceID, d.eventID, res, time.Since(start).Round(time.Microsecond))
	}
	return outcome
}

func (s *Sandbox) post(ctx context.Context, target string, d delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(d.body))
	if err != nil {
		return 0, &notifyError{msg: "not an http(s) URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderWebhookID, d.webhookID)
	if d.key != "" {
		req.Header.Set(HeaderSignature, sign(d.key, d.body))
	}
	resp, err := s.notifier.Do(req)
	if err != nil {
		return 0, &notifyError{msg: "no answer: " + strings.TrimPrefix(err.Error(), "Post \""+target+"\": "), retryable: true}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, &notifyError{msg: fmt.Sprintf("answered %d", resp.StatusCode), retryable: true}
	}
	return resp.StatusCode, nil
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// newNotifier is the HTTP client of the notifications: no proxy (they go
// to this machine), no redirect followed (a 3xx is not a delivery).
func newNotifier() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
