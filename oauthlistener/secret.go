package oauthlistener

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Mask is what a Code, a state and every parameter value print as.
const Mask = "********"

// Code is an authorization grant code. It prints as Mask in every format
// (fmt verbs including %#v, JSON, text marshalling, slog); only Reveal returns
// the value, for the one request that needs it.
type Code struct{ v string }

// NewCode wraps a code (for a code typed in by the user or given with --code).
func NewCode(s string) Code { return Code{v: s} }

// Reveal returns the code itself.
func (c Code) Reveal() string { return c.v }

// IsZero reports whether there is no code.
func (c Code) IsZero() bool { return c.v == "" }

func (c Code) String() string               { return Mask }
func (c Code) GoString() string             { return Mask }
func (c Code) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(Mask)) }
func (c Code) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }
func (c Code) MarshalText() ([]byte, error) { return []byte(Mask), nil }
func (c Code) LogValue() slog.Value         { return slog.StringValue(Mask) }

// Params are the redirect's query parameters without the code. Get reads
// them; printing them shows only the parameter names, every value masked, so
// that the state (and anything else the provider put there) never reaches a
// log.
type Params struct{ v url.Values }

// Get returns the first value of key.
func (p Params) Get(key string) string { return p.v.Get(key) }

// Has reports whether key is present.
func (p Params) Has(key string) bool { return p.v.Has(key) }

// Keys returns the parameter names, sorted.
func (p Params) Keys() []string {
	keys := make([]string, 0, len(p.v))
	for k := range p.v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (p Params) masked() string {
	keys := p.Keys()
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = sanitize(k, 64) + "=" + Mask
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func (p Params) String() string             { return p.masked() }
func (p Params) GoString() string           { return p.masked() }
func (p Params) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.masked())) }
func (p Params) LogValue() slog.Value       { return slog.StringValue(p.masked()) }
func (p Params) MarshalText() ([]byte, error) {
	return []byte(p.masked()), nil
}
func (p Params) MarshalJSON() ([]byte, error) {
	keys := p.Keys()
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", sanitize(k, 64), Mask)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// Source tells where a Result came from.
type Source int

const (
	// FromCallback: the browser was redirected to the listener.
	FromCallback Source = iota + 1
	// FromPaste: the user pasted the redirected address (state checked).
	FromPaste
	// FromPastedCode: the user pasted a bare code and confirmed it (state
	// not checked).
	FromPastedCode
)

func (s Source) String() string {
	switch s {
	case FromCallback:
		return "callback"
	case FromPaste:
		return "pasted address"
	case FromPastedCode:
		return "pasted code"
	}
	return "unknown"
}

// Result is a caught authorization: the code and the other redirect
// parameters. It prints masked (see Code and Params).
type Result struct {
	Code       Code
	Params     Params
	Source     Source
	ReceivedAt time.Time
}

func (r Result) masked() string {
	return fmt.Sprintf("oauthlistener.Result{Code:%s Params:%s Source:%s ReceivedAt:%s}",
		Mask, r.Params.masked(), r.Source, r.ReceivedAt.Format(time.RFC3339))
}

func (r Result) String() string             { return r.masked() }
func (r Result) GoString() string           { return r.masked() }
func (r Result) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.masked())) }
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("code", Mask),
		slog.String("params", r.Params.masked()),
		slog.String("source", r.Source.String()),
		slog.Time("received_at", r.ReceivedAt),
	)
}
