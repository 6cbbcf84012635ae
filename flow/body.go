package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	APISecret           string       `json:"oauth.api.secret"`
	CallbackURL         string       `json:"oauth.callback.url"`
	APIKey              string       `json:"oauth.api.key"`
	VendorType          string       `json:"event.vendor.type"`
	RefreshInterval     string       `json:"event.poller.refresh_interval"`
	NotificationEnabled bool         `json:"event.notification.enabled"`
	Domain              string       `json:"docushare.domain"`
	NotificationURL     string       `json:"event.notification.callback.url,omitempty"`
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
)

// VendorTypePolling is event.vendor.type for DocuShare Flex.
const VendorTypePolling = "polling"

// MarshalJSON writes the known keys in the seed's order, then Extra sorted.
func (c Configuration) MarshalJSON() ([]byte, error) {
	type plain Configuration // drops this method
	known, err := json.Marshal(plain(c))
	if err != nil {
		return nil, err
	}
	if len(c.Extra) == 0 {
		return known, nil
	}
	var b bytes.Buffer
	b.Write(known[:len(known)-1])
	for _, k := range sortedKeys(c.Extra) {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(c.Extra[k])
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
