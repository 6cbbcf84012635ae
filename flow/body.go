package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Body is the POST /instances request body in its wire form. Field order
// follows the seed document, so an export reads like the docs. It holds
// secrets as plain strings: it is built on purpose by BuildBody, in the
// secrets mode the caller chose, right before it is sent or exported.
type Body struct {
	Element       BodyElement   `json:"element"`
	Configuration Configuration `json:"configuration"`
	Name          string        `json:"name"`
	ProviderData  ProviderData  `json:"providerData"`
	Tags          []string      `json:"tags,omitempty"`
}

// BodyElement names the element.
type BodyElement struct {
	Key string `json:"key"`
}

// ProviderData carries the OAuth grant code.
type ProviderData struct {
	Code string `json:"code"`
}

// Configuration is the instance's configuration map, with the value types of
// the seed: the refresh interval is a JSON string ("15"), notifications a
// JSON boolean.
type Configuration struct {
	APISecret           string `json:"oauth.api.secret"`
	CallbackURL         string `json:"oauth.callback.url"`
	APIKey              string `json:"oauth.api.key"`
	VendorType          string `json:"event.vendor.type"`
	RefreshInterval     string `json:"event.poller.refresh_interval"`
	NotificationEnabled bool   `json:"event.notification.enabled"`
	Domain              string `json:"docushare.domain"`
	NotificationURL     string `json:"event.notification.callback.url,omitempty"`
	// SignatureKey is event.notification.signature.key: Cloud Elements then
	// signs each notification (the Elements-Webhook-Signature header). It is
	// left out when notifications are not signed, so the seed's inputs still
	// give the seed's body.
	SignatureKey        string       `json:"event.notification.signature.key,omitempty"`
	PollerConfiguration PollerConfig `json:"event.poller.configuration,omitempty"`
	// Extra holds keys cewiz does not model (read from a body file); they are
	// written after the known keys, sorted.
	Extra map[string]any `json:"-"`
}

// Configuration keys, as Cloud Elements spells them.
const (
	KeyAPISecret           = "oauth.api.secret"
	KeyCallbackURL         = "oauth.callback.url"
	KeyAPIKey              = "oauth.api.key"
	KeyVendorType          = "event.vendor.type"
	KeyRefreshInterval     = "event.poller.refresh_interval"
	KeyNotificationEnabled = "event.notification.enabled"
	KeyDomain              = "docushare.domain"
	KeyNotificationURL     = "event.notification.callback.url"
	KeyPollerConfiguration = "event.poller.configuration"
	KeySignatureKey        = "event.notification.signature.key"
)

// VendorTypePolling is event.vendor.type for DocuShare Flex.
const VendorTypePolling = "polling"

// MarshalJSON writes the known keys in the seed's order, then Extra sorted.
func (c Configuration) MarshalJSON() ([]byte, error) {
	type plain Configuration // drops this method
	known, err := marshalJSON(plain(c))
	if err != nil {
		return nil, err
	}
	if len(c.Extra) == 0 {
		return known, nil
	}
	var b bytes.Buffer
	b.Write(known[:len(known)-1])
	for _, k := range slices.Sorted(maps.Keys(c.Extra)) {
		kb, _ := marshalJSON(k)
		vb, err := marshalJSON(c.Extra[k])
		if err != nil {
			return nil, fmt.Errorf("configuration key %q: %w", k, err)
		}
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Placeholders written where an answer is missing or a secret must not be
// exported: the seed's own, so the seed's inputs give the seed's body.
const (
	PlaceholderAPISecret       = "<INSERT_API_SECRET>"
	PlaceholderAPIKey          = "<INSERT_API_KEY>"
	PlaceholderDomain          = "<INSERT_DOCUSHARE_DOMAIN>"
	PlaceholderCode            = "<AUTHORIZATION_GRANT_CODE>"
	PlaceholderNotificationURL = "<INSERT_NOTIFICATION_URL>"
	PlaceholderSignatureKey    = "<INSERT_SIGNATURE_KEY>"
)

// SecretsMode says what BuildBody writes for the Application Secret, the
// grant code and the notification signature key.
type SecretsMode int

const (
	// SecretsPlaceholder writes the seed's placeholders (export's default).
	SecretsPlaceholder SecretsMode = iota
	// SecretsMasked writes Mask for a secret that is set (the review screen).
	SecretsMasked
	// SecretsIncluded writes the real values (create, export --include-secrets).
	SecretsIncluded
)

func (m SecretsMode) render(s Secret, placeholder string) string {
	switch {
	case s.IsZero():
		return placeholder
	case m == SecretsIncluded:
		return s.Reveal()
	case m == SecretsMasked:
		return Mask
	default:
		return placeholder
	}
}

// BuildBody turns the answers into the POST /instances body. Missing answers
// become the seed's placeholders; the Application Secret, the code and the
// signature key are written as mode says. event.poller.configuration is
// present only when resources were chosen: without it the element's default
// applies. event.notification.signature.key is present only when
// notifications are on and signed (SignNotifications, or a key was given).
func BuildBody(a Answers, s Secrets, mode SecretsMode) Body {
	orPlaceholder := func(v, p string) string {
		if v == "" {
			return p
		}
		return v
	}
	notify := a.NotificationURL
	if notify == "" && a.EventsEnabled {
		notify = PlaceholderNotificationURL
	}
	elem := a.ElementKey
	if elem == "" {
		elem = ElementKey
	}
	b := Body{
		Element: BodyElement{Key: elem},
		Configuration: Configuration{
			APISecret:           mode.render(s.APISecret, PlaceholderAPISecret),
			CallbackURL:         a.CallbackURL,
			APIKey:              orPlaceholder(a.APIKey, PlaceholderAPIKey),
			VendorType:          VendorTypePolling,
			RefreshInterval:     strconv.Itoa(a.RefreshInterval),
			NotificationEnabled: a.EventsEnabled,
			Domain:              orPlaceholder(a.Domain, PlaceholderDomain),
			NotificationURL:     notify,
			PollerConfiguration: a.Polling.clone(),
			Extra:               maps.Clone(a.ExtraConfiguration),
		},
		Name:         InstanceName(a),
		ProviderData: ProviderData{Code: mode.render(a.Code, PlaceholderCode)},
		Tags:         append([]string(nil), a.Tags...),
	}
	// The key is a secret: it never leaves as an unmodelled extra value.
	delete(b.Configuration.Extra, KeySignatureKey)
	if a.EventsEnabled && (a.SignNotifications || !s.SignatureKey.IsZero()) {
		b.Configuration.SignatureKey = mode.render(s.SignatureKey, PlaceholderSignatureKey)
	}
	return b
}

// InstanceName is the name the instance is created with: the answer, else
// the one SuggestName proposes.
func InstanceName(a Answers) string {
	if a.Name != "" {
		return a.Name
	}
	return SuggestName(a)
}

// SuggestName proposes an instance name from the domain:
// docushareflex-acme for acme.docushareflex.com.
func SuggestName(a Answers) string {
	if label, ok := strings.CutSuffix(a.Domain, DomainSuffix); ok && label != "" {
		return ElementKey + "-" + label
	}
	return ElementKey + "-polling"
}

// IsPlaceholder reports whether v is one of the placeholders BuildBody
// writes (or the mask): such a value read back from a file means "not given".
func IsPlaceholder(v string) bool {
	switch v {
	case PlaceholderAPISecret, PlaceholderAPIKey, PlaceholderDomain, PlaceholderCode, PlaceholderNotificationURL, PlaceholderSignatureKey, Mask:
		return true
	}
	return false
}

// Placeholders lists the placeholders left in b, so a caller can warn that
// the body is not ready to send.
func (b Body) Placeholders() []string {
	var out []string
	for _, v := range []string{b.Configuration.APISecret, b.Configuration.APIKey, b.Configuration.Domain, b.Configuration.NotificationURL, b.Configuration.SignatureKey, b.ProviderData.Code} {
		if IsPlaceholder(v) && v != Mask {
			out = append(out, v)
		}
	}
	return out
}

// marshalJSON is json.Marshal without HTML escaping: placeholders such as
// <INSERT_API_KEY> and query strings with & must come out as typed.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
