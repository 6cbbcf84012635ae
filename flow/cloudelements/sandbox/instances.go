package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Event is one entry of an instance's event log. On the wire it has the
// fields of the swagger's Event: id, eventDate, status, providerData (a JSON
// string: here the object's type and id and the kind of change) and
// notifiedData (an array).
type Event struct {
	ID        int64
	EventDate time.Time
	// Status is one of EventStatuses; Cloud Elements has no failure status.
	Status     string
	ObjectType string
	ObjectID   string
	EventType  string

	// The rehearsal's state (Tick): polled events move through the
	// statuses and are notified; raw is the document as the site had it.
	polled    bool
	gaveUp    bool
	attempts  int
	webhookID string
	raw       json.RawMessage
}

// MarshalJSON writes the event in Cloud Elements' shape.
func (e Event) MarshalJSON() ([]byte, error) {
	provider, err := json.Marshal(map[string]string{"objectType": e.ObjectType, "objectId": e.ObjectID, "eventType": e.EventType})
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		ID           string `json:"id"`
		EventDate    string `json:"eventDate"`
		Status       string `json:"status"`
		ProviderData string `json:"providerData"`
		NotifiedData []any  `json:"notifiedData"`
	}{strconv.FormatInt(e.ID, 10), formatTime(e.EventDate), e.Status, string(provider), []any{}})
}

// EventStatuses are the statuses of the public record, in the order an
// event goes through them.
var EventStatuses = []string{"NEW", "RECEIVED", "DISPATCHED", "CONSUMED", "NOTIFIED"}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Instance is a snapshot of a stored instance, for tests. Configuration
// holds the stored strings, including the real Application Secret.
type Instance struct {
	ID            int64
	Name          string
	Token         string
	Tags          []string
	Valid         bool
	Disabled      bool
	EventsEnabled bool
	Created       time.Time
	Configuration map[string]string
	Events        []Event
}

func (in *instance) snapshot() Instance {
	cfg := make(map[string]string, len(in.config))
	for k, v := range in.config {
		cfg[k] = v
	}
	return Instance{
		ID: in.id, Name: in.name, Token: in.token, Tags: append([]string(nil), in.tags...),
		Valid: in.valid, Disabled: in.disabled, EventsEnabled: in.eventsEnabled, Created: in.created,
		Configuration: cfg, Events: append([]Event(nil), in.events...),
	}
}

// instanceView is the wire form of an instance, in the field order of the
// API page's example: configuration values as strings, the Application
// Secret masked, the poller configuration a JSON string.
type instanceView struct {
	ID                     int64             `json:"id"`
	Name                   string            `json:"name"`
	Token                  string            `json:"token"`
	CreatedDate            string            `json:"createdDate"`
	UpdatedDate            string            `json:"updatedDate"`
	Element                instanceElement   `json:"element"`
	ProvisionInteractions  []any             `json:"provisionInteractions"`
	Valid                  bool              `json:"valid"`
	Disabled               bool              `json:"disabled"`
	MaxCacheSize           int               `json:"maxCacheSize"`
	CacheTimeToLive        int               `json:"cacheTimeToLive"`
	Configuration          map[string]string `json:"configuration"`
	EventsEnabled          bool              `json:"eventsEnabled"`
	TraceLoggingEnabled    bool              `json:"traceLoggingEnabled"`
	CachingEnabled         bool              `json:"cachingEnabled"`
	ExternalAuthentication string            `json:"externalAuthentication"`
	User                   instanceUser      `json:"user"`
	Tags                   []string          `json:"tags"`
}

type instanceElement struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Key       string `json:"key"`
	Hub       string `json:"hub"`
	Image     string `json:"image"`
	Active    bool   `json:"active"`
	TypeOauth bool   `json:"typeOauth"`
}

type instanceUser struct {
	ID           int64  `json:"id"`
	EmailAddress string `json:"emailAddress"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
}

func (in *instance) view() instanceView {
	cfg := make(map[string]string, len(in.config))
	for k, v := range in.config {
		if k == "oauth.api.secret" || k == "oauth.api.key" {
			v = "********" // both masked, as churros expects of a created instance
		}
		cfg[k] = v
	}
	tags := append([]string{}, in.tags...)
	return instanceView{
		ID: in.id, Name: in.name, Token: in.token,
		CreatedDate: formatTime(in.created), UpdatedDate: formatTime(in.updated),
		Element: instanceElement{ID: ElementID, Name: "DocuShare Flex", Key: ElementKey, Hub: "documents",
			Image: "elements/provider_docushareflex.png", Active: true, TypeOauth: true},
		ProvisionInteractions:  []any{},
		Valid:                  in.valid,
		Disabled:               in.disabled,
		Configuration:          cfg,
		EventsEnabled:          in.eventsEnabled,
		ExternalAuthentication: "none",
		User:                   instanceUser{ID: 1001, EmailAddress: "sandbox@example.com", FirstName: "Sandbox", LastName: "User"},
		Tags:                   tags,
	}
}

// createBody is POST /instances, decoded strictly enough to name the field
// whose type is wrong.
type createBody struct {
	Element *struct {
		Key string      `json:"key"`
		ID  json.Number `json:"id"`
	} `json:"element"`
	Configuration map[string]json.RawMessage `json:"configuration"`
	Name          *string                    `json:"name"`
	ProviderData  *struct {
		Code string `json:"code"`
	} `json:"providerData"`
	Tags []string `json:"tags"`
}

const msgNoCode = "You must provide an OAuth code in order to create an instance of this element"

func (s *Sandbox) handleCreate(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json") {
		s.fail(w, http.StatusBadRequest, "The request body must be JSON, sent with Content-Type: application/json", "")
		return
	}
	var body createBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			s.fail(w, http.StatusBadRequest, fmt.Sprintf("The field '%s' must be of type %s, not %s", te.Field, te.Type, te.Value), "")
			return
		}
		s.fail(w, http.StatusBadRequest, "The request body is not valid JSON", "")
		return
	}
	switch {
	case body.Element == nil || (body.Element.Key == "" && body.Element.ID == ""):
		s.fail(w, http.StatusBadRequest, "element is required: give {\"key\": \"docushareflex\"}", "")
		return
	case body.Element.Key != "" && body.Element.Key != ElementKey,
		body.Element.Key == "" && string(body.Element.ID) != strconv.Itoa(ElementID):
		key := body.Element.Key
		if key == "" {
			key = string(body.Element.ID)
		}
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No element found with key or id '%s'", key), "")
		return
	case body.Name == nil || strings.TrimSpace(*body.Name) == "":
		s.fail(w, http.StatusBadRequest, "name is required: give the instance a name", "")
		return
	case body.ProviderData == nil || body.ProviderData.Code == "":
		s.fail(w, http.StatusBadRequest, msgNoCode, "")
		return
	case body.Configuration == nil:
		s.fail(w, http.StatusBadRequest, "configuration is required", "")
		return
	}
	for _, t := range body.Tags {
		if strings.TrimSpace(t) == "" {
			s.fail(w, http.StatusBadRequest, "tags must not contain empty strings", "")
			return
		}
	}
	cfg, eventsOn, msg := checkConfiguration(body.Configuration)
	if msg != "" {
		s.fail(w, http.StatusBadRequest, msg, "")
		return
	}

	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Names are not unique: a second instance of the same name is created
	// (churros creates several instances named churros-instance).
	// The code exchange: Cloud Elements sends the code with the
	// application's key, secret and redirect URI to the provider, which
	// answers invalid_grant / invalid_client as RFC 6749 §5.2 says. The code
	// is spent by the attempt, whatever its outcome.
	g := s.grants[body.ProviderData.Code]
	var provider string
	switch {
	case g == nil:
		provider = `{"error":"invalid_grant","error_description":"The authorization code is not valid"}`
	case g.used:
		provider = `{"error":"invalid_grant","error_description":"The authorization code has already been used"}`
	case now.Sub(g.issued) > s.opts.CodeTTL:
		provider = `{"error":"invalid_grant","error_description":"The authorization code has expired"}`
	case g.callbackURL != cfg["oauth.callback.url"]:
		provider = `{"error":"invalid_grant","error_description":"The redirect URI does not match the one the authorization code was issued for"}`
	case g.site != cfg["docushare.domain"]:
		provider = `{"error":"invalid_grant","error_description":"The authorization code was issued by another DocuShare Flex site"}`
	case g.clientID != cfg["oauth.api.key"]:
		provider = `{"error":"invalid_grant","error_description":"The authorization code was issued to another application"}`
	case !s.opts.AnyApp && (!equal(cfg["oauth.api.key"], s.opts.AppID) || !equal(cfg["oauth.api.secret"], s.opts.AppSecret)):
		provider = `{"error":"invalid_client","error_description":"Client authentication failed: check the Application ID and Secret"}`
	}
	if g != nil {
		g.used = true
	}
	if provider != "" {
		s.fail(w, http.StatusBadRequest, "Failed to retrieve the OAuth access token from DocuShare Flex", provider)
		return
	}

	id := s.nextID
	s.nextID++
	in := &instance{
		id: id, name: *body.Name, token: newToken(), created: now, updated: now,
		tags: append([]string(nil), body.Tags...), valid: true, eventsEnabled: eventsOn, config: cfg, lastPoll: now,
	}
	if eventsOn && s.opts.PollEvery <= 0 {
		in.events = s.firstEvents(id, now)
	}
	s.instances[id] = in
	writeJSON(w, http.StatusOK, in.view())
}

// firstEvents are what a first poll finds, one event per status but the
// last, so the doctor has something to show. Called with s.mu held.
func (s *Sandbox) firstEvents(id int64, now time.Time) []Event {
	kinds := []struct{ objectType, eventType, status string }{
		{"files", "CREATED", "NOTIFIED"},
		{"files", "UPDATED", "CONSUMED"},
		{"folders", "CREATED", "DISPATCHED"},
		{"files", "UPDATED", "RECEIVED"},
		{"files", "DELETED", "NEW"},
	}
	out := make([]Event, 0, len(kinds))
	for i, k := range kinds {
		out = append(out, Event{
			ID: s.nextEvent, EventDate: now.Add(time.Duration(i) * time.Second),
			Status: k.status, ObjectType: k.objectType, ObjectID: strconv.Itoa(10400 + i*7), EventType: k.eventType,
		})
		s.nextEvent++
	}
	return out
}

// Required configuration keys, from the API page §5.
var requiredKeys = []string{"oauth.api.key", "oauth.api.secret", "oauth.callback.url", "docushare.domain"}

// checkConfiguration validates the configuration map and returns it as
// stored (every value a string), whether events are on, or a message naming
// the first bad key.
func checkConfiguration(raw map[string]json.RawMessage) (map[string]string, bool, string) {
	cfg := make(map[string]string, len(raw)+2)
	for _, k := range requiredKeys {
		v, present := raw[k]
		if !present {
			return nil, false, fmt.Sprintf("Missing required configuration '%s'", k)
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, false, fmt.Sprintf("The configuration '%s' must be a string", k)
		}
		if strings.TrimSpace(s) == "" {
			return nil, false, fmt.Sprintf("Missing required configuration '%s'", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := bytes.TrimSpace(raw[k])
		switch k {
		case "oauth.api.key", "oauth.api.secret", "oauth.callback.url":
			var s string
			_ = json.Unmarshal(v, &s)
			if k == "oauth.callback.url" {
				if msg := checkAbsURL("The configuration 'oauth.callback.url'", s); msg != "" {
					return nil, false, msg
				}
			}
			cfg[k] = s
		case "docushare.domain":
			var s string
			_ = json.Unmarshal(v, &s)
			if msg := checkDomain("The configuration 'docushare.domain'", s); msg != "" {
				return nil, false, msg
			}
			cfg[k] = s
		case "event.notification.enabled":
			b, ok := boolValue(v)
			if !ok {
				return nil, false, "The configuration 'event.notification.enabled' must be true or false"
			}
			cfg[k] = strconv.FormatBool(b)
		case "event.poller.refresh_interval":
			n, ok := minutesValue(v)
			if !ok {
				return nil, false, "The configuration 'event.poller.refresh_interval' must be a whole number of minutes between 1 and 1440"
			}
			cfg[k] = strconv.Itoa(n)
		case "event.vendor.type":
			var s string
			if json.Unmarshal(v, &s) != nil || s != "polling" {
				return nil, false, "The configuration 'event.vendor.type' must be \"polling\": DocuShare Flex supports polling events only"
			}
			cfg[k] = s
		case "event.notification.callback.url":
			var s string
			if json.Unmarshal(v, &s) != nil {
				return nil, false, "The configuration 'event.notification.callback.url' must be a string"
			}
			cfg[k] = s
		case "event.poller.configuration":
			js, msg := pollerValue(v)
			if msg != "" {
				return nil, false, "The configuration 'event.poller.configuration' is not valid: " + msg
			}
			cfg[k] = js
		default:
			cfg[k] = scalarText(v)
		}
	}
	eventsOn := cfg["event.notification.enabled"] == "true"
	if notify := cfg["event.notification.callback.url"]; notify != "" {
		// No https-only rule: Cloud Elements' own examples use http://.
		if u, err := url.Parse(notify); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, false, "The configuration 'event.notification.callback.url' must be an absolute http(s) URL"
		}
	}
	if eventsOn {
		if _, ok := cfg["event.vendor.type"]; !ok {
			return nil, false, "Missing required configuration 'event.vendor.type' (\"polling\") for events"
		}
		if cfg["event.notification.callback.url"] == "" {
			return nil, false, "Missing required configuration 'event.notification.callback.url' for events"
		}
	}
	if _, ok := cfg["event.poller.refresh_interval"]; !ok {
		cfg["event.poller.refresh_interval"] = "15"
	}
	if _, ok := cfg["event.poller.configuration"]; !ok {
		cfg["event.poller.configuration"] = DefaultPollerConfiguration
	}
	if _, ok := cfg["event.notification.enabled"]; !ok {
		cfg["event.notification.enabled"] = "false"
	}
	return cfg, eventsOn, ""
}

// boolValue accepts a JSON boolean or the strings "true"/"false".
func boolValue(v []byte) (bool, bool) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, true
	}
	var s string
	if json.Unmarshal(v, &s) == nil && (s == "true" || s == "false") {
		return s == "true", true
	}
	return false, false
}

// minutesValue accepts a JSON string of digits or a JSON integer, 1-1440.
func minutesValue(v []byte) (int, bool) {
	text := string(v)
	var s string
	if json.Unmarshal(v, &s) == nil {
		text = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > 1440 {
		return 0, false
	}
	return n, true
}

// pollerValue accepts the poller configuration as an object or a JSON string
// holding one, checks each resource, and returns the compact JSON string.
func pollerValue(v []byte) (string, string) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		v = []byte(s)
	}
	var resources map[string]json.RawMessage
	if err := json.Unmarshal(v, &resources); err != nil || resources == nil {
		return "", "it must be a JSON object keyed by resource name"
	}
	if len(resources) == 0 {
		return "", "it names no resource"
	}
	for _, name := range slices.Sorted(maps.Keys(resources)) {
		var r struct {
			URL                *string                    `json:"url"`
			IDField            *string                    `json:"idField"`
			DatesConfiguration map[string]json.RawMessage `json:"datesConfiguration"`
		}
		if err := json.Unmarshal(resources[name], &r); err != nil {
			return "", fmt.Sprintf("resource '%s' must be an object with string fields url and idField", name)
		}
		// An empty idField is accepted: Cloud Elements' own docs use one.
		switch {
		case r.URL == nil || !strings.HasPrefix(*r.URL, "/"):
			return "", fmt.Sprintf("resource '%s' needs a url starting with /", name)
		case r.IDField == nil:
			return "", fmt.Sprintf("resource '%s' needs an idField", name)
		}
		for _, k := range slices.Sorted(maps.Keys(r.DatesConfiguration)) {
			var str string
			if json.Unmarshal(r.DatesConfiguration[k], &str) != nil {
				return "", fmt.Sprintf("resource '%s': datesConfiguration.%s must be a string", name, k)
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return "", "it is not valid JSON"
	}
	return buf.String(), ""
}

// scalarText stores an unknown key's value as Cloud Elements does: strings
// as they are, anything else as its JSON text.
func scalarText(v []byte) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// withInstance serves a request on one instance: it checks the
// Authorization header, finds the instance named by the {id} path value
// (404 when there is none) and, when the header carries an Element token,
// checks that it is this instance's (401). Then it runs f with s.mu held.
func (s *Sandbox) withInstance(w http.ResponseWriter, r *http.Request, f func(in *instance)) {
	token, ok := s.authorize(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	in := s.instances[id]
	if err != nil || in == nil {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No instance found with id '%s'", r.PathValue("id")), "")
		return
	}
	if token != "" && !equal(token, in.token) {
		s.fail(w, http.StatusUnauthorized, msgUnauthorized, "")
		return
	}
	f(in)
}

func (s *Sandbox) sortedInstances() []*instance {
	out := make([]*instance, 0, len(s.instances))
	for _, in := range s.instances {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// handleList is GET /instances: pageSize (DefaultPageSize by default, at
// most Options.MaxPageSize), nextPage (the token of the previous page's
// Elements-Next-Page-Token header, sent only when there is a next page) and
// searchText (here: the instances whose name contains it, ignoring case; the
// real matching rule is not published).
func (s *Sandbox) handleList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	q := r.URL.Query()
	size := s.opts.MaxPageSize
	if ps := q.Get("pageSize"); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 {
			s.fail(w, http.StatusBadRequest, "pageSize must be a positive number", "")
			return
		}
		size = min(n, s.opts.MaxPageSize)
	}
	after := int64(0)
	if tok := q.Get("nextPage"); tok != "" {
		n, ok := parsePageToken(tok)
		if !ok {
			s.fail(w, http.StatusBadRequest, "nextPage is not a page token from a previous answer", "")
			return
		}
		after = n
	}
	search := strings.ToLower(q.Get("searchText"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []instanceView{}
	more := false
	for _, in := range s.sortedInstances() {
		if in.id <= after || (search != "" && !strings.Contains(strings.ToLower(in.name), search)) {
			continue
		}
		if len(out) == size {
			more = true
			break
		}
		out = append(out, in.view())
	}
	if more {
		w.Header().Set(NextPageHeader, pageToken(out[len(out)-1].ID))
	}
	writeJSON(w, http.StatusOK, out)
}

// pageToken is an opaque token for "the instances after id".
func pageToken(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatInt(id, 10)))
}

func parsePageToken(tok string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "after:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n >= 0
}

func (s *Sandbox) handleGet(w http.ResponseWriter, r *http.Request) {
	s.withInstance(w, r, func(in *instance) { writeJSON(w, http.StatusOK, in.view()) })
}

func (s *Sandbox) handleDelete(w http.ResponseWriter, r *http.Request) {
	s.withInstance(w, r, func(in *instance) {
		delete(s.instances, in.id)
		w.WriteHeader(http.StatusOK)
	})
}

// handleEvents is GET /instances/{id}/events: the log as stored, oldest
// first. The record names no query parameters and no order; a client must
// sort by eventDate itself.
func (s *Sandbox) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.withInstance(w, r, func(in *instance) {
		if in.disabled {
			s.fail(w, http.StatusForbidden, fmt.Sprintf("The instance %d is disabled", in.id), "")
			return
		}
		writeJSON(w, http.StatusOK, append([]Event{}, in.events...))
	})
}

// ErrNoInstance is returned by the accessors for an unknown id.
var ErrNoInstance = errors.New("sandbox: no such instance")

// Instances returns a snapshot of every instance, by id.
func (s *Sandbox) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Instance
	for _, in := range s.sortedInstances() {
		out = append(out, in.snapshot())
	}
	return out
}

// Instance returns a snapshot of one instance.
func (s *Sandbox) Instance(id int64) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		return Instance{}, false
	}
	return in.snapshot(), true
}

func (s *Sandbox) edit(id int64, f func(*instance)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		return ErrNoInstance
	}
	f(in)
	in.updated = s.opts.Now()
	return nil
}

// SetDisabled disables or enables an instance (GET /instances/{id} shows
// disabled; its events answer 403).
func (s *Sandbox) SetDisabled(id int64, disabled bool) error {
	return s.edit(id, func(in *instance) { in.disabled = disabled })
}

// SetValid marks an instance valid or not (as after a revoked grant).
func (s *Sandbox) SetValid(id int64, valid bool) error {
	return s.edit(id, func(in *instance) { in.valid = valid })
}

// SetEventsEnabled turns an instance's events on or off, keeping
// eventsEnabled and event.notification.enabled in step.
func (s *Sandbox) SetEventsEnabled(id int64, on bool) error {
	return s.edit(id, func(in *instance) {
		in.eventsEnabled = on
		in.config["event.notification.enabled"] = strconv.FormatBool(on)
	})
}

// SetConfiguration stores any string under a configuration key, unchecked,
// so a test can give an instance a broken poller configuration.
func (s *Sandbox) SetConfiguration(id int64, key, value string) error {
	return s.edit(id, func(in *instance) { in.config[key] = value })
}

// AddEvents appends events to an instance's log. Zero fields are filled in:
// ID, EventDate (now) and Status (NEW). A status outside EventStatuses is an
// error: Cloud Elements has no other (no failure status).
func (s *Sandbox) AddEvents(id int64, events ...Event) error {
	now := s.opts.Now()
	for _, e := range events {
		if e.Status != "" && !slices.Contains(EventStatuses, e.Status) {
			return fmt.Errorf("sandbox: event status %q is not one of %v", e.Status, EventStatuses)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		return ErrNoInstance
	}
	for _, e := range events {
		if e.ID == 0 {
			e.ID = s.nextEvent
			s.nextEvent++
		}
		if e.EventDate.IsZero() {
			e.EventDate = now
		}
		if e.Status == "" {
			e.Status = "NEW"
		}
		in.events = append(in.events, e)
	}
	return nil
}
