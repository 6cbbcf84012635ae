// Package flow is the wizard as data: the answers a user gives, their
// validation, the POST /instances body and its exports, and the orchestration
// of authorizing, creating and troubleshooting. It imports no UI package, so
// the TUI, the scripted commands and the tests share one implementation.
package flow

import (
	"maps"

	"github.com/cewiz/cewiz/oauthlistener"
)

// ElementKey is the Cloud Elements key of the DocuShare Flex element.
const ElementKey = "docushareflex"

// Defaults for the answers a user may leave alone.
const (
	DefaultRefreshInterval = 15 // minutes, as in the seed
	DefaultRegion          = "us"
)

// Answers is everything a user decides, except the secrets (see Secrets) and
// the grant code, which is kept as a Secret here. The zero value is not
// useful: start from NewAnswers.
type Answers struct {
	// BaseURL is the Cloud Elements API base, always ending in /elements/api-v2.
	BaseURL string
	// Region is the preset BaseURL came from, or "" for a custom base URL.
	Region     string
	ElementKey string
	Name       string
	Tags       []string
	// Domain is the bare DocuShare Flex host, e.g. acme.docushareflex.com.
	Domain string
	// APIKey is the DocuShare Flex Application ID → oauth.api.key.
	APIKey string
	// CallbackURL is the OAuth redirect URI → callbackUrl and
	// oauth.callback.url, byte-identical in both.
	CallbackURL     string
	EventsEnabled   bool
	NotificationURL string
	// SignNotifications: Cloud Elements signs each notification with a key
	// (event.notification.signature.key), kept in Secrets.SignatureKey. The
	// wizard turns it on by default; a script turns it on by giving the key
	// (CEWIZ_SIGNATURE_KEY). Off, the body has no signature key, as the seed.
	SignNotifications bool
	// RefreshInterval is event.poller.refresh_interval in whole minutes.
	RefreshInterval int
	// Polling is event.poller.configuration; empty means the element's default.
	Polling PollerConfig
	// Code is the OAuth grant code (providerData.code).
	Code Secret
	// ExtraConfiguration keeps configuration keys cewiz does not model, read
	// from a body file, so that export --from loses nothing.
	ExtraConfiguration map[string]any
	// SiteAddressForm is the form of siteAddress ("host" or "url") that
	// last gave a well-formed authorization address: which one Cloud
	// Elements wants is not published, so the client learns it and it is
	// remembered for the next run ("" : the client's default). It is not
	// part of the body.
	SiteAddressForm string
}

// Site address forms (cloudelements.SiteAddressForm's String).
const (
	SiteAddressHost = "host"
	SiteAddressURL  = "url"
)

// NewAnswers returns the defaults: US production, the docushareflex element,
// the loopback callback, events on, a 15-minute interval.
func NewAnswers() Answers {
	return Answers{
		BaseURL:         Regions[DefaultRegion],
		Region:          DefaultRegion,
		ElementKey:      ElementKey,
		CallbackURL:     oauthlistener.DefaultRedirectURI,
		EventsEnabled:   true,
		RefreshInterval: DefaultRefreshInterval,
	}
}

// Clone returns a deep copy, so a step can edit answers without touching the
// ones the review screen shows until the user confirms.
func (a Answers) Clone() Answers {
	b := a
	b.Tags = append([]string(nil), a.Tags...)
	b.Polling = a.Polling.clone()
	b.ExtraConfiguration = maps.Clone(a.ExtraConfiguration)
	return b
}
