package cloudelements

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cewiz/cewiz/flow"
)

// Parsing is tolerant, because Cloud Elements is not consistent and the API
// page marks several shapes unknown: configuration values may be strings or
// native JSON types, ids numbers or strings, the poller configuration a
// string or an object; unknown fields are ignored.

// flexString reads any JSON scalar as its text, and an object or array as
// its compact JSON text. null reads as "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*f = flexString(buf.String())
	default:
		*f = flexString(b) // number, true, false
	}
	return nil
}

// flexBool reads true/false as JSON booleans or strings.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = false
		return nil
	}
	v, err := strconv.ParseBool(string(s))
	if err != nil {
		return fmt.Errorf("%q is not a boolean", string(s))
	}
	*f = flexBool(v)
	return nil
}

// flexInt reads an integer as a JSON number or string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		if fl, ferr := strconv.ParseFloat(string(s), 64); ferr == nil && fl == float64(int64(fl)) {
			*f = flexInt(int64(fl))
			return nil
		}
		return fmt.Errorf("%q is not an integer", string(s))
	}
	*f = flexInt(v)
	return nil
}

// ConfigEntry is one of an element's configuration entries.
type ConfigEntry struct {
	Key          string `json:"key"`
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue"`
	Type         string `json:"type"`
	Required     bool   `json:"required"`
	Description  string `json:"description"`
}

func (c *ConfigEntry) UnmarshalJSON(b []byte) error {
	var w struct {
		Key          flexString `json:"key"`
		Name         flexString `json:"name"`
		DefaultValue flexString `json:"defaultValue"`
		Type         flexString `json:"type"`
		Required     flexBool   `json:"required"`
		Description  flexString `json:"description"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = ConfigEntry{Key: string(w.Key), Name: string(w.Name), DefaultValue: string(w.DefaultValue),
		Type: string(w.Type), Required: bool(w.Required), Description: string(w.Description)}
	return nil
}

// Element is GET /elements/{key}, the parts cewiz uses.
type Element struct {
	ID            int64         `json:"id"`
	Key           string        `json:"key"`
	Name          string        `json:"name"`
	Hub           string        `json:"hub"`
	Active        bool          `json:"active"`
	Configuration []ConfigEntry `json:"configuration"`
}

func (e *Element) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            flexInt       `json:"id"`
		Key           flexString    `json:"key"`
		Name          flexString    `json:"name"`
		Hub           flexString    `json:"hub"`
		Active        *flexBool     `json:"active"`
		Configuration []ConfigEntry `json:"configuration"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Element{ID: int64(w.ID), Key: string(w.Key), Name: string(w.Name), Hub: string(w.Hub),
		Active: w.Active == nil || bool(*w.Active), Configuration: w.Configuration}
	return nil
}

// Config returns the configuration entry with that key.
func (e Element) Config(key string) (ConfigEntry, bool) {
	return findEntry(e.Configuration, key)
}

func findEntry(entries []ConfigEntry, key string) (ConfigEntry, bool) {
	for _, c := range entries {
		if c.Key == key {
			return c, true
		}
	}
	return ConfigEntry{}, false
}

// ErrNoPollerDefaults is returned by ElementPollerDefaults when the element
// has no default event.poller.configuration: use cewiz's presets.
var ErrNoPollerDefaults = errors.New("the element has no default poller configuration")

// ParsePollerDefault reads an event.poller.configuration value, a JSON
// string or object, into flow's polling types, tolerantly
// (flow.ParsePollerText: artefacts stripped, numbers as strings, every key
// kept).
func ParsePollerDefault(v string) (flow.PollerConfig, error) {
	p, err := flow.ParsePollerText(v)
	if err != nil {
		return nil, fmt.Errorf("the element's default poller configuration is not valid JSON: %w", err)
	}
	if len(p) == 0 {
		return nil, ErrNoPollerDefaults
	}
	return p, nil
}

// Metadata is GET /elements/{key}/metadata, the events part.
type Metadata struct {
	Events EventsMetadata `json:"events"`
}

// EventsMetadata says whether and how the element produces events.
type EventsMetadata struct {
	Supported bool
	Methods   []string
	// Polling is the raw "polling" value, when there is one.
	Polling json.RawMessage
}

func (m *EventsMetadata) UnmarshalJSON(b []byte) error {
	var w struct {
		Supported flexBool        `json:"supported"`
		Methods   json.RawMessage `json:"methods"`
		Polling   json.RawMessage `json:"polling"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	m.Supported, m.Polling, m.Methods = bool(w.Supported), w.Polling, nil
	// methods: ["polling"] or "polling,webhook"
	var list []string
	if json.Unmarshal(w.Methods, &list) == nil {
		m.Methods = list
	} else {
		var s flexString
		if s.UnmarshalJSON(w.Methods) == nil && s != "" {
			for _, x := range strings.Split(string(s), ",") {
				m.Methods = append(m.Methods, strings.TrimSpace(x))
			}
		}
	}
	return nil
}

// SupportsPolling reports whether the element says it polls for events.
func (m Metadata) SupportsPolling() bool {
	if !m.Events.Supported {
		return false
	}
	for _, x := range m.Events.Methods {
		if strings.EqualFold(x, "polling") {
			return true
		}
	}
	return len(m.Events.Polling) > 0 && string(m.Events.Polling) != "null"
}

// InstanceElement is the element an instance belongs to.
type InstanceElement struct {
	ID   int64  `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	Hub  string `json:"hub,omitempty"`
}

// Instance is an element instance. Token is the instance token, kept as a
// flow.Secret: it prints and marshals masked.
type Instance struct {
	ID                     int64             `json:"id"`
	Name                   string            `json:"name"`
	Token                  flow.Secret       `json:"token"`
	CreatedDate            string            `json:"createdDate,omitempty"`
	Element                InstanceElement   `json:"element"`
	Valid                  bool              `json:"valid"`
	Disabled               bool              `json:"disabled"`
	EventsEnabled          bool              `json:"eventsEnabled"`
	Tags                   []string          `json:"tags"`
	Configuration          map[string]string `json:"configuration"`
	ExternalAuthentication string            `json:"externalAuthentication,omitempty"`
	// Recovered is set by CreateInstance when the create request failed
	// ambiguously and the instance was then found by name.
	Recovered bool `json:"recovered,omitempty"`

	// raw is the instance exactly as Cloud Elements sent it (MaskedJSON).
	raw json.RawMessage
}

// MaskedJSON is the instance as Cloud Elements returned it, every field kept
// (keys sorted), with the token and any configuration value whose key names
// a secret, token or password replaced by flow.Mask: `cewiz create --json`
// prints it. Keys are matched as the decoder matches them, whatever their
// case ("Token" is the token too). An instance not decoded from a response
// is marshalled as it is.
func (in Instance) MaskedJSON() ([]byte, error) {
	var m map[string]json.RawMessage
	if len(in.raw) == 0 || json.Unmarshal(in.raw, &m) != nil {
		return indentJSON(in)
	}
	mask, _ := json.Marshal(flow.Mask)
	for key, v := range m {
		switch {
		case strings.EqualFold(key, "token"):
			m[key] = mask
		case strings.EqualFold(key, "configuration"):
			var c map[string]json.RawMessage
			if json.Unmarshal(v, &c) == nil && c != nil {
				for k := range c {
					if looksSecret(k) {
						c[k] = mask
					}
				}
				m[key], _ = json.Marshal(c)
			}
		}
	}
	return indentJSON(m)
}

// looksSecret reports whether a configuration key holds a credential
// (oauth.api.secret, oauth.user.token, oauth.user.refresh_token,
// event.notification.signature.key, ...).
func looksSecret(key string) bool {
	k := strings.ToLower(key)
	return strings.Contains(k, "secret") || strings.Contains(k, "token") || strings.Contains(k, "password") || strings.Contains(k, "signature")
}

func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}

func (in *Instance) UnmarshalJSON(b []byte) error {
	var w struct {
		ID          flexInt    `json:"id"`
		Name        flexString `json:"name"`
		Token       flexString `json:"token"`
		CreatedDate flexString `json:"createdDate"`
		Element     *struct {
			ID   flexInt    `json:"id"`
			Key  flexString `json:"key"`
			Name flexString `json:"name"`
			Hub  flexString `json:"hub"`
		} `json:"element"`
		Valid                  *flexBool             `json:"valid"`
		Disabled               flexBool              `json:"disabled"`
		EventsEnabled          flexBool              `json:"eventsEnabled"`
		Tags                   []flexString          `json:"tags"`
		Configuration          map[string]flexString `json:"configuration"`
		ExternalAuthentication flexString            `json:"externalAuthentication"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*in = Instance{
		raw: append(json.RawMessage(nil), b...),
		ID:  int64(w.ID), Name: string(w.Name), Token: flow.NewSecret(string(w.Token)), CreatedDate: string(w.CreatedDate),
		Valid: w.Valid == nil || bool(*w.Valid), Disabled: bool(w.Disabled), EventsEnabled: bool(w.EventsEnabled),
		ExternalAuthentication: string(w.ExternalAuthentication),
	}
	if w.Element != nil {
		in.Element = InstanceElement{ID: int64(w.Element.ID), Key: string(w.Element.Key), Name: string(w.Element.Name), Hub: string(w.Element.Hub)}
	}
	for _, t := range w.Tags {
		in.Tags = append(in.Tags, string(t))
	}
	if w.Configuration != nil {
		in.Configuration = make(map[string]string, len(w.Configuration))
		for k, v := range w.Configuration {
			in.Configuration[k] = string(v)
		}
	}
	return nil
}

// Created parses CreatedDate (RFC 3339, or epoch milliseconds); the zero
// time when it cannot.
func (in Instance) Created() time.Time { return parseTime(in.CreatedDate) }

// VendorType is event.vendor.type.
func (in Instance) VendorType() string { return in.Configuration[flow.KeyVendorType] }

// NotificationsEnabled reads event.notification.enabled.
func (in Instance) NotificationsEnabled() (bool, error) {
	v, ok := in.Configuration[flow.KeyNotificationEnabled]
	if !ok {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("%s is %q, not true or false", flow.KeyNotificationEnabled, v)
	}
	return b, nil
}

// RefreshInterval reads event.poller.refresh_interval in minutes.
func (in Instance) RefreshInterval() (int, error) {
	v, ok := in.Configuration[flow.KeyRefreshInterval]
	if !ok {
		return 0, fmt.Errorf("%s is not set", flow.KeyRefreshInterval)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s is %q, not a whole number of minutes", flow.KeyRefreshInterval, v)
	}
	return n, nil
}

// PollerConfig reads event.poller.configuration (a JSON string, or an
// object's text); nil when it is not set.
func (in Instance) PollerConfig() (flow.PollerConfig, error) {
	p, err := flow.ParsePollerText(in.Configuration[flow.KeyPollerConfiguration])
	if err != nil {
		return nil, fmt.Errorf("%s does not parse: %w", flow.KeyPollerConfiguration, err)
	}
	return p, nil
}

// Event is one entry of an instance's event log: the platform swagger's
// Event {id, eventDate, status, providerData (a JSON string), notifiedData
// (an array)}. Other fields are ignored.
type Event struct {
	ID        string `json:"id"`
	EventDate string `json:"eventDate"`
	Status    string `json:"status"` // NEW, RECEIVED, DISPATCHED, CONSUMED, NOTIFIED
	// ProviderData is what the provider reported, as Cloud Elements keeps it.
	ProviderData string          `json:"providerData,omitempty"`
	NotifiedData json.RawMessage `json:"notifiedData,omitempty"`
}

func (e *Event) UnmarshalJSON(b []byte) error {
	var w struct {
		ID           flexString      `json:"id"`
		EventDate    flexString      `json:"eventDate"`
		Status       flexString      `json:"status"`
		ProviderData flexString      `json:"providerData"`
		NotifiedData json.RawMessage `json:"notifiedData"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Event{ID: string(w.ID), EventDate: string(w.EventDate), Status: strings.ToUpper(strings.TrimSpace(string(w.Status))),
		ProviderData: string(w.ProviderData), NotifiedData: w.NotifiedData}
	return nil
}

// SortEvents sorts events by eventDate, oldest first, in place (the order
// Cloud Elements lists them in is not published). Events whose date does
// not parse go first, in their order.
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].Date().Before(events[j].Date()) })
}

// Date parses EventDate; the zero time when it cannot.
func (e Event) Date() time.Time { return parseTime(e.EventDate) }

// EventStatuses are the statuses of the public record, in the order an
// event goes through them. There is no failure status.
var EventStatuses = []string{"NEW", "RECEIVED", "DISPATCHED", "CONSUMED", "NOTIFIED"}

// CountByStatus counts events per status.
func CountByStatus(events []Event) map[string]int {
	out := map[string]int{}
	for _, e := range events {
		out[e.Status]++
	}
	return out
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	return time.Time{}
}
