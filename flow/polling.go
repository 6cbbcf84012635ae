package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DatesConfiguration tells Cloud Elements which fields of a polled record hold
// its created and updated dates, and how to read them (a Java SimpleDateFormat
// pattern, or "milliseconds" for epoch-millisecond fields).
type DatesConfiguration struct {
	UpdatedDateField    string `json:"updatedDateField,omitempty"`
	UpdatedDateFormat   string `json:"updatedDateFormat,omitempty"`
	UpdatedDateTimezone string `json:"updatedDateTimezone,omitempty"`
	CreatedDateField    string `json:"createdDateField,omitempty"`
	CreatedDateFormat   string `json:"createdDateFormat,omitempty"`
	CreatedDateTimezone string `json:"createdDateTimezone,omitempty"`
}

// PollResource is one entry of event.poller.configuration: how to poll one
// resource. Name is the object key it is written under.
type PollResource struct {
	Name               string              `json:"-"`
	URL                string              `json:"url"`
	IDField            string              `json:"idField"`
	DatesConfiguration *DatesConfiguration `json:"datesConfiguration,omitempty"`
	// The optional knobs of cloud-elements-api.md §7, kept when read from a
	// file or from the element's default so that a round trip loses nothing.
	FilterByUpdatedDate   *bool `json:"filterByUpdatedDate,omitempty"`
	PageSize              *int  `json:"pageSize,omitempty"`
	PollDelay             *int  `json:"pollDelay,omitempty"`
	CreatedCheckTolerance *int  `json:"createdCheckTolerance,omitempty"`
}

// PollerConfig is the whole event.poller.configuration: resources in the
// order the user chose them (a JSON object, written in that order). A nil or
// empty PollerConfig means "leave it out, the element's default applies".
type PollerConfig []PollResource

// Names lists the resource names in order.
func (p PollerConfig) Names() []string {
	out := make([]string, len(p))
	for i, r := range p {
		out[i] = r.Name
	}
	return out
}

// Get returns the resource with that name.
func (p PollerConfig) Get(name string) (PollResource, bool) {
	for _, r := range p {
		if r.Name == name {
			return r, true
		}
	}
	return PollResource{}, false
}

// With returns a copy of p with r added, or replacing the resource of the same name in place.
func (p PollerConfig) With(r PollResource) PollerConfig {
	out := p.clone()
	for i := range out {
		if out[i].Name == r.Name {
			out[i] = r.clone()
			return out
		}
	}
	return append(out, r.clone())
}

// Without returns a copy of p without the named resource.
func (p PollerConfig) Without(name string) PollerConfig {
	out := make(PollerConfig, 0, len(p))
	for _, r := range p {
		if r.Name != name {
			out = append(out, r.clone())
		}
	}
	return out
}

func (p PollerConfig) clone() PollerConfig {
	if p == nil {
		return nil
	}
	out := make(PollerConfig, len(p))
	for i, r := range p {
		out[i] = r.clone()
	}
	return out
}

func (r PollResource) clone() PollResource {
	if r.DatesConfiguration != nil {
		d := *r.DatesConfiguration
		r.DatesConfiguration = &d
	}
	r.FilterByUpdatedDate = clonePtr(r.FilterByUpdatedDate)
	r.PageSize = clonePtr(r.PageSize)
	r.PollDelay = clonePtr(r.PollDelay)
	r.CreatedCheckTolerance = clonePtr(r.CreatedCheckTolerance)
	return r
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CopyTo is the seed's "copy the events configuration to poll other
// resources": the resource named from, with its idField and dates, polled at
// the URL of resource to (its preset URL when there is one, else the hub path
// /hubs/documents/<to>). It returns p with the copy added or replaced.
func (p PollerConfig) CopyTo(from, to string) (PollerConfig, error) {
	src, ok := p.Get(from)
	if !ok {
		return p, fmt.Errorf("there is no %q resource to copy from; tick it first", from)
	}
	if err := ValidateResourceName(to); err != nil {
		return p, err
	}
	dst := src.clone()
	dst.Name = to
	dst.URL = DefaultResourceURL(to)
	return p.With(dst), nil
}

// DefaultResourceURL is the hub URL a resource is polled at when nothing
// better is known: its preset's URL, else /hubs/documents/<name>.
func DefaultResourceURL(name string) string {
	if r, ok := PollingPresets().Get(name); ok {
		return r.URL
	}
	return "/hubs/documents/" + name
}

// PollingPresets are cewiz's built-in guesses for DocuShare Flex, events first.
//
// PRESETS, NOT FACTS: the events resource's URL, id field and date fields are
// not published (cloud-elements-api.md §8). These follow the Egnyte element,
// also a documents hub. When cewiz is online it replaces them with the
// element's own default (GET /elements/docushareflex/configuration, entry
// event.poller.configuration); these are used only offline and by export.
func PollingPresets() PollerConfig {
	dates := func() *DatesConfiguration {
		return &DatesConfiguration{
			UpdatedDateField:  "modifiedDate",
			UpdatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
			CreatedDateField:  "createdDate",
			CreatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
		}
	}
	return PollerConfig{
		{Name: "events", URL: "/hubs/documents/events", IDField: "id", DatesConfiguration: dates()},
		{Name: "files", URL: "/hubs/documents/files", IDField: "id", DatesConfiguration: dates()},
		{Name: "folders", URL: "/hubs/documents/folders", IDField: "id", DatesConfiguration: dates()},
	}
}

// CommonDateFormats are offered in pickers; any valid pattern is accepted.
var CommonDateFormats = []string{
	"yyyy-MM-dd'T'HH:mm:ss'Z'",
	"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
	"yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
	"yyyy-MM-dd'T'HH:mm:ssXXX",
	"yyyy-MM-dd HH:mm:ss",
	"MM/dd/yyyy",
	"EEE, dd MMM yyyy HH:mm:ss Z",
	MillisecondsFormat,
}

// MillisecondsFormat marks a date field holding epoch milliseconds.
const MillisecondsFormat = "milliseconds"

// MarshalJSON writes the resources as one JSON object, in order.
func (p PollerConfig) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, r := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalJSON(r.Name)
		if err != nil {
			return nil, err
		}
		v, err := marshalJSON(r)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the configuration as a JSON object or as a JSON string
// holding one (Cloud Elements answers with a string; some clients send one).
// Resource order follows the document.
func (p *PollerConfig) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			*p = nil
			return nil
		}
		return p.UnmarshalJSON([]byte(s))
	}
	if string(data) == "null" {
		*p = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("event.poller.configuration must be a JSON object keyed by resource name")
	}
	var out PollerConfig
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string)
		var r PollResource
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("resource %q: %w", name, err)
		}
		if seen[name] {
			return fmt.Errorf("resource %q appears twice", name)
		}
		seen[name] = true
		r.Name = name
		out = append(out, r)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*p = out
	return nil
}

// ParsePollerConfig reads an event.poller.configuration document (object or
// JSON string) and validates each resource.
func ParsePollerConfig(data []byte) (PollerConfig, error) {
	var p PollerConfig
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("the poller configuration is not valid JSON: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate checks every resource with the field validators and returns the
// first problem, naming the resource and field.
func (p PollerConfig) Validate() error {
	for _, r := range p {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one resource.
func (r PollResource) Validate() error {
	wrap := func(field string, err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("resource %q, %s: %w", r.Name, field, err)
	}
	if err := ValidateResourceName(r.Name); err != nil {
		return err
	}
	if err := wrap("url", ValidateResourceURL(r.URL)); err != nil {
		return err
	}
	if err := wrap("idField", ValidateFieldPath(r.IDField)); err != nil {
		return err
	}
	if d := r.DatesConfiguration; d != nil {
		pairs := []struct{ name, field, format string }{
			{"updated", d.UpdatedDateField, d.UpdatedDateFormat},
			{"created", d.CreatedDateField, d.CreatedDateFormat},
		}
		for _, pr := range pairs {
			if pr.field == "" && pr.format == "" {
				continue
			}
			if err := wrap(pr.name+"DateField", ValidateFieldPath(pr.field)); err != nil {
				return err
			}
			if err := wrap(pr.name+"DateFormat", ValidateDateFormat(pr.format)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedKeys is used where a map must be written deterministically.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
