package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
	// Extra keeps the keys cewiz does not model, as they were read, so a
	// round trip of the element's default loses nothing.
	Extra map[string]json.RawMessage `json:"-"`
}

// PollResource is one entry of event.poller.configuration: how to poll one
// resource. Name is the object key it is written under.
type PollResource struct {
	Name               string
	URL                string
	IDField            string
	DatesConfiguration *DatesConfiguration
	// The optional knobs of cloud-elements-api.md §7-8, kept when read from a
	// file or from the element's default so that a round trip loses nothing.
	FilterByUpdatedDate   *bool
	FilterByCurrentDate   *bool
	PageSize              *int
	PollDelay             *int
	CreatedCheckTolerance *int
	// Extra keeps every other key as it was read (unknown knobs, or a known
	// one whose value cewiz could not read), written back after the others.
	Extra map[string]json.RawMessage
	// Guess marks cewiz's offline stand-in for the events resource: its URL,
	// id and date fields are not published, so a user must be told to check
	// them. Never written to JSON.
	Guess bool
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

// PollerSet is a PollerConfig being edited one resource at a time, as the
// Resources step does when a user ticks and unticks thousands of them:
// Has, Get, Put and Remove take constant time (amortized), where With and
// Without copy the whole configuration each time (ticking all 5,000
// resources of a list was quadratic: seconds and gigabytes). Resources keep
// the order they were added in. The zero value is an empty set.
type PollerSet struct {
	list  []pollerSlot   // in order; a removed resource leaves a hole
	index map[string]int // name → position in list, of the resources present
	holes int
}

type pollerSlot struct {
	r    PollResource
	gone bool
}

// NewPollerSet is a set holding a copy of p's resources, in p's order.
func NewPollerSet(p PollerConfig) *PollerSet {
	s := &PollerSet{}
	for _, r := range p {
		s.Put(r)
	}
	return s
}

// Len is how many resources the set holds.
func (s *PollerSet) Len() int { return len(s.index) }

// Has reports whether the set holds a resource with that name.
func (s *PollerSet) Has(name string) bool {
	_, ok := s.index[name]
	return ok
}

// Get returns the resource with that name.
func (s *PollerSet) Get(name string) (PollResource, bool) {
	i, ok := s.index[name]
	if !ok {
		return PollResource{}, false
	}
	return s.list[i].r, true
}

// Put adds a copy of r at the end, or replaces the resource of the same
// name in place (as With does).
func (s *PollerSet) Put(r PollResource) {
	if i, ok := s.index[r.Name]; ok {
		s.list[i].r = r.clone()
		return
	}
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.index[r.Name] = len(s.list)
	s.list = append(s.list, pollerSlot{r: r.clone()})
}

// Remove removes the named resource, if present.
func (s *PollerSet) Remove(name string) {
	i, ok := s.index[name]
	if !ok {
		return
	}
	delete(s.index, name)
	s.list[i] = pollerSlot{gone: true}
	s.holes++
	if s.holes > 32 && s.holes > len(s.list)/2 {
		s.compact()
	}
}

// Clear empties the set.
func (s *PollerSet) Clear() { *s = PollerSet{} }

// At returns the i-th resource in order (0 ≤ i < Len).
func (s *PollerSet) At(i int) PollResource {
	s.compact()
	return s.list[i].r
}

// Names lists the resource names in order.
func (s *PollerSet) Names() []string {
	out := make([]string, 0, s.Len())
	for _, sl := range s.list {
		if !sl.gone {
			out = append(out, sl.r.Name)
		}
	}
	return out
}

// Config returns the resources in order (nil when the set is empty).
func (s *PollerSet) Config() PollerConfig {
	if s.Len() == 0 {
		return nil
	}
	out := make(PollerConfig, 0, s.Len())
	for _, sl := range s.list {
		if !sl.gone {
			out = append(out, sl.r.clone())
		}
	}
	return out
}

// compact closes the holes left by Remove.
func (s *PollerSet) compact() {
	if s.holes == 0 {
		return
	}
	n := 0
	for _, sl := range s.list {
		if !sl.gone {
			s.list[n] = sl
			s.index[sl.r.Name] = n
			n++
		}
	}
	clear(s.list[n:])
	s.list, s.holes = s.list[:n], 0
}

// HasGuess reports whether a resource is cewiz's offline guess.
func (p PollerConfig) HasGuess() bool {
	for _, r := range p {
		if r.Guess {
			return true
		}
	}
	return false
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
		d.Extra = cloneRaw(d.Extra)
		r.DatesConfiguration = &d
	}
	r.FilterByUpdatedDate = clonePtr(r.FilterByUpdatedDate)
	r.FilterByCurrentDate = clonePtr(r.FilterByCurrentDate)
	r.PageSize = clonePtr(r.PageSize)
	r.PollDelay = clonePtr(r.PollDelay)
	r.CreatedCheckTolerance = clonePtr(r.CreatedCheckTolerance)
	r.Extra = cloneRaw(r.Extra)
	return r
}

func cloneRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = append(json.RawMessage(nil), v...)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CopyTo is the seed's "copy the events configuration to poll other
// resources": the resource named from, with its idField, dates and knobs,
// polled at url under the name to. The URL must come from the user or the
// element: cewiz never makes one up (a DocuShare Flex folder is listed with
// /hubs/documents/folders/contents?path=/…, not at /hubs/documents/<name>).
// It returns p with the copy added or replaced.
func (p PollerConfig) CopyTo(from, to, url string) (PollerConfig, error) {
	src, ok := p.Get(from)
	if !ok {
		return p, fmt.Errorf("there is no %q resource to copy from; tick it first", from)
	}
	if err := ValidateResourceName(to); err != nil {
		return p, err
	}
	if err := ValidateResourceURL(url); err != nil {
		return p, fmt.Errorf("resource %q: %w", to, err)
	}
	dst := src.clone()
	dst.Name = to
	dst.URL = url
	return p.With(dst), nil
}

// FolderContentsExample is the form of a poll URL for a DocuShare Flex
// folder, the example offered wherever a URL is asked for: folders are listed
// by GET /hubs/documents/folders/contents?path=… (cloud-elements-api.md §8).
const FolderContentsExample = "/hubs/documents/folders/contents?path=/Shared"

// EventsGuessNote tells the user what the offline events resource is.
const EventsGuessNote = "the events resource's URL, id and date fields are cewiz's guess (DocuShare Flex does not publish them): check them against the element's default poller configuration"

// PollingPresets is what cewiz knows about DocuShare Flex's pollable
// resources without Cloud Elements: only events, and only as a guess
// (Guess is set). The seed names events as the one resource; its id and date
// fields are not published (cloud-elements-api.md §8), so these follow a
// documents-hub analogue. Online, the element's own default poller
// configuration (GET /elements/docushareflex/configuration) replaces it.
func PollingPresets() PollerConfig {
	return PollerConfig{{
		Name: "events", URL: "/hubs/documents/events", IDField: "id",
		DatesConfiguration: &DatesConfiguration{
			UpdatedDateField:  "modifiedDate",
			UpdatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
			CreatedDateField:  "createdDate",
			CreatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
		},
		Guess: true,
	}}
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
	var w objectWriter
	for _, r := range p {
		w.put(r.Name, r)
	}
	return w.bytes()
}

// objectWriter writes a JSON object key by key, in the order given.
type objectWriter struct {
	b       bytes.Buffer
	err     error
	written map[string]bool
}

func (w *objectWriter) put(key string, v any) {
	if w.err != nil {
		return
	}
	vb, err := marshalJSON(v)
	if err != nil {
		w.err = fmt.Errorf("%s: %w", key, err)
		return
	}
	w.putRaw(key, vb)
}

func (w *objectWriter) putRaw(key string, v []byte) {
	if w.written == nil {
		w.written = map[string]bool{}
	}
	w.written[key] = true
	if w.b.Len() == 0 {
		w.b.WriteByte('{')
	} else {
		w.b.WriteByte(',')
	}
	kb, _ := marshalJSON(key)
	w.b.Write(kb)
	w.b.WriteByte(':')
	w.b.Write(v)
}

// extras writes the keys of m that were not written already, sorted (a
// known key whose value could not be read is kept in m and written here).
func (w *objectWriter) extras(m map[string]json.RawMessage) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !w.written[k] {
			var buf bytes.Buffer
			if err := json.Compact(&buf, m[k]); err != nil {
				w.err = fmt.Errorf("%s: %w", k, err)
				return
			}
			w.putRaw(k, buf.Bytes())
		}
	}
}

func (w *objectWriter) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.b.Len() == 0 {
		return []byte("{}"), nil
	}
	w.b.WriteByte('}')
	return w.b.Bytes(), nil
}

// MarshalJSON writes url, idField (always, even empty, as Cloud Elements'
// docs do), the dates, the knobs that are set, then Extra sorted.
func (r PollResource) MarshalJSON() ([]byte, error) {
	var w objectWriter
	w.put("url", r.URL)
	w.put("idField", r.IDField)
	if r.DatesConfiguration != nil {
		w.put("datesConfiguration", r.DatesConfiguration)
	}
	if r.FilterByUpdatedDate != nil {
		w.put("filterByUpdatedDate", *r.FilterByUpdatedDate)
	}
	if r.FilterByCurrentDate != nil {
		w.put("filterByCurrentDate", *r.FilterByCurrentDate)
	}
	for _, kv := range []struct {
		k string
		v *int
	}{{"pageSize", r.PageSize}, {"pollDelay", r.PollDelay}, {"createdCheckTolerance", r.CreatedCheckTolerance}} {
		if kv.v != nil {
			w.put(kv.k, *kv.v)
		}
	}
	w.extras(r.Extra)
	return w.bytes()
}

// MarshalJSON writes the six known fields that are set, then Extra sorted.
func (d DatesConfiguration) MarshalJSON() ([]byte, error) {
	var w objectWriter
	for _, kv := range []struct{ k, v string }{
		{"updatedDateField", d.UpdatedDateField}, {"updatedDateFormat", d.UpdatedDateFormat}, {"updatedDateTimezone", d.UpdatedDateTimezone},
		{"createdDateField", d.CreatedDateField}, {"createdDateFormat", d.CreatedDateFormat}, {"createdDateTimezone", d.CreatedDateTimezone},
	} {
		if kv.v != "" {
			w.put(kv.k, kv.v)
		}
	}
	w.extras(d.Extra)
	return w.bytes()
}

// UnmarshalJSON reads a resource tolerantly, as public tooling reads the
// element's default: numbers and booleans may be strings ("200", "true"),
// strings are trimmed, and any key cewiz does not model, or cannot read,
// is kept in Extra. Only url and idField must be strings.
func (r *PollResource) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return errors.New("a resource must be a JSON object with url and idField")
	}
	out := PollResource{Name: r.Name}
	for k, v := range m {
		ok := true
		switch k {
		case "url":
			out.URL, ok = looseString(v)
			if !ok {
				return errors.New("url must be a string")
			}
		case "idField":
			out.IDField, ok = looseString(v)
			if !ok {
				return errors.New("idField must be a string")
			}
		case "datesConfiguration":
			if string(bytes.TrimSpace(v)) == "null" {
				continue
			}
			var d DatesConfiguration
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("datesConfiguration: %w", err)
			}
			out.DatesConfiguration = &d
		case "filterByUpdatedDate":
			out.FilterByUpdatedDate, ok = looseBool(v)
		case "filterByCurrentDate":
			out.FilterByCurrentDate, ok = looseBool(v)
		case "pageSize":
			out.PageSize, ok = looseInt(v)
		case "pollDelay":
			out.PollDelay, ok = looseInt(v)
		case "createdCheckTolerance":
			out.CreatedCheckTolerance, ok = looseInt(v)
		default:
			ok = false
		}
		if !ok {
			if out.Extra == nil {
				out.Extra = map[string]json.RawMessage{}
			}
			out.Extra[k] = append(json.RawMessage(nil), v...)
		}
	}
	*r = out
	return nil
}

// UnmarshalJSON reads the dates tolerantly: the six known fields as strings
// (trimmed), anything else kept in Extra.
func (d *DatesConfiguration) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return errors.New("it must be a JSON object")
	}
	out := DatesConfiguration{}
	fields := map[string]*string{
		"updatedDateField": &out.UpdatedDateField, "updatedDateFormat": &out.UpdatedDateFormat, "updatedDateTimezone": &out.UpdatedDateTimezone,
		"createdDateField": &out.CreatedDateField, "createdDateFormat": &out.CreatedDateFormat, "createdDateTimezone": &out.CreatedDateTimezone,
	}
	for k, v := range m {
		if dst, known := fields[k]; known {
			if s, ok := looseString(v); ok {
				*dst = s
				continue
			}
		}
		if out.Extra == nil {
			out.Extra = map[string]json.RawMessage{}
		}
		out.Extra[k] = append(json.RawMessage(nil), v...)
	}
	*d = out
	return nil
}

// looseString reads a JSON string (trimmed) or null.
func looseString(v json.RawMessage) (string, bool) {
	if string(bytes.TrimSpace(v)) == "null" {
		return "", true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return strings.TrimSpace(s), true
}

// looseBool reads true/false as JSON booleans or strings.
func looseBool(v json.RawMessage) (*bool, bool) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return &b, true
	}
	if s, ok := looseString(v); ok {
		if b, err := strconv.ParseBool(s); err == nil {
			return &b, true
		}
	}
	return nil, false
}

// looseInt reads a whole number given as a JSON number or a string ("200").
func looseInt(v json.RawMessage) (*int, bool) {
	text := strings.TrimSpace(string(v))
	if s, ok := looseString(v); ok && strings.HasPrefix(text, `"`) {
		text = s
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != float64(int(f)) {
			return nil, false
		}
		n = int(f)
	}
	return &n, true
}

// UnmarshalJSON reads the configuration as a JSON object or as a JSON string
// holding one (Cloud Elements answers with a string; some clients send one).
// Resource order follows the document. Literal \n and \t artefacts between
// the tokens of a string value are removed first (CleanPollerText).
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
		return p.UnmarshalJSON([]byte(CleanPollerText(s)))
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

// CleanPollerText removes the artefacts public tooling strips from an
// event.poller.configuration string before parsing it (cloud-elements-api.md
// §8): literal \n, \t and \r escapes (any run of backslashes before them)
// between JSON tokens, and raw control characters inside string values.
// Everything else, escapes inside strings included, is left as it is.
func CleanPollerText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inString := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch {
			case c == '\\' && i+1 < len(s):
				b.WriteByte(c)
				b.WriteByte(s[i+1])
				i++
			case c == '"':
				inString = false
				b.WriteByte(c)
			case c < 0x20:
				// a raw newline or tab inside a value: an artefact
			default:
				b.WriteByte(c)
			}
			continue
		}
		if c == '\\' {
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			if j < len(s) && (s[j] == 'n' || s[j] == 't' || s[j] == 'r') {
				i = j // drop the backslashes and the letter
				continue
			}
		}
		if c == '"' {
			inString = true
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ParsePollerText reads an event.poller.configuration value as Cloud
// Elements stores it (a string holding JSON, possibly with artefacts, or an
// object's text) without validating it: nil for an empty value.
func ParsePollerText(v string) (PollerConfig, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var p PollerConfig
	if err := json.Unmarshal([]byte(CleanPollerText(v)), &p); err != nil {
		return nil, err
	}
	return p, nil
}

// ParsePollerConfig reads an event.poller.configuration document (object or
// JSON string) and validates each resource. JSON nested more than
// MaxJSONDepth levels is refused before it is decoded.
func ParsePollerConfig(data []byte) (PollerConfig, error) {
	if err := checkJSONDepth(data); err != nil {
		return nil, err
	}
	var p PollerConfig
	if err := json.Unmarshal([]byte(CleanPollerText(string(data))), &p); err != nil {
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
	// An empty idField is accepted: Cloud Elements' own docs use one.
	if r.IDField != "" {
		if err := wrap("idField", ValidateFieldPath(r.IDField)); err != nil {
			return err
		}
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

// DateFieldCandidate is a field offered in the date step, and where cewiz
// got it from.
type DateFieldCandidate struct {
	Field string
	// FromElement: the element's own default poller configuration names it.
	// Otherwise it is a common documents-hub field, a guess for DocuShare
	// Flex (Source says which element's published configuration uses it).
	FromElement bool
	Source      string
}

// commonDocumentsDateFields are date fields that other documents-hub
// elements use in their published poller configurations: guesses for
// DocuShare Flex, whose field names are not published.
var commonDocumentsDateFields = []DateFieldCandidate{
	// devportal docs/elements/onedrivebusiness/events.md (the hub's file fields)
	{Field: "modifiedDate", Source: "OneDrive for Business (documents hub)"},
	{Field: "createdDate", Source: "OneDrive for Business (documents hub)"},
	// devportal docs/elements/egnyte/events.md (its events resource)
	{Field: "event_date", Source: "Egnyte (documents hub events)"},
}

// DateFieldCandidates lists the date fields to offer for a resource: those
// of the element's default configuration first (every resource's updated and
// created fields), then the common documents-hub ones, each once.
func DateFieldCandidates(elementDefault PollerConfig) []DateFieldCandidate {
	var out []DateFieldCandidate
	seen := map[string]bool{}
	add := func(c DateFieldCandidate) {
		if c.Field == "" || seen[c.Field] {
			return
		}
		seen[c.Field] = true
		out = append(out, c)
	}
	for _, r := range elementDefault {
		if d := r.DatesConfiguration; d != nil && !r.Guess {
			add(DateFieldCandidate{Field: d.UpdatedDateField, FromElement: true, Source: "the element's default (" + r.Name + ")"})
			add(DateFieldCandidate{Field: d.CreatedDateField, FromElement: true, Source: "the element's default (" + r.Name + ")"})
		}
	}
	for _, c := range commonDocumentsDateFields {
		add(c)
	}
	return out
}
