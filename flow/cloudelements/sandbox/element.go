package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// defaultResources are the resources of the sandbox's default poller
// configuration, with the URL each is polled at. DocuShare Flex's real
// default is not published: this one polls events (the seed's resource) and
// a folder's contents (GET /hubs/documents/folders/contents?path=…, a call
// the public churros suite makes), so that a default with more than one
// resource can be tested. Neither URL is made up.
var defaultResources = []struct{ Name, URL string }{
	{"events", "/hubs/documents/events"},
	{"folders", "/hubs/documents/folders/contents?path=/"},
}

// DefaultPollerConfiguration is the element's default
// event.poller.configuration, as the JSON string Cloud Elements keeps in the
// configuration entry's defaultValue. It carries what public tooling has to
// cope with in the real ones: literal \n and \t between the tokens, numbers
// and booleans as strings, and keys beyond url/idField/datesConfiguration
// (filterByCurrentDate, time zones, pageSize).
const DefaultPollerConfiguration = `{\n  "events": {\n\t"url": "/hubs/documents/events",\n\t"idField": "id",\n\t"pageSize": "200",` +
	`\n\t"filterByCurrentDate": "false",\n\t"datesConfiguration": {\n\t\t"updatedDateField": "modifiedDate",` +
	`\n\t\t"updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",\n\t\t"updatedDateTimezone": "GMT",` +
	`\n\t\t"createdDateField": "createdDate",\n\t\t"createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",` +
	`\n\t\t"createdDateTimezone": "GMT"\n\t}\n  },` +
	`\n  "folders": {\n\t"url": "/hubs/documents/folders/contents?path=/",\n\t"idField": "id",` +
	`\n\t"datesConfiguration": {\n\t\t"updatedDateField": "modifiedDate",\n\t\t"updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",` +
	`\n\t\t"createdDateField": "createdDate",\n\t\t"createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'"\n\t}\n  }\n}`

// configEntry is one element configuration entry as Cloud Elements lists it.
type configEntry struct {
	ID              int64  `json:"id"`
	Key             string `json:"key"`
	Name            string `json:"name"`
	DefaultValue    string `json:"defaultValue,omitempty"`
	Type            string `json:"type"`
	Required        bool   `json:"required"`
	HideFromConsole bool   `json:"hideFromConsole"`
	Internal        bool   `json:"internal"`
	DisplayOrder    int    `json:"displayOrder"`
	Description     string `json:"description"`
}

var configEntries = []configEntry{
	{ID: 91001, Key: "oauth.api.key", Name: "Application ID", Type: "TEXTFIELD_128", Required: true, DisplayOrder: 1,
		Description: "The Application ID of the OAuth application registered in DocuShare Flex"},
	{ID: 91002, Key: "oauth.api.secret", Name: "Application Secret", Type: "PASSWORD", Required: true, DisplayOrder: 2,
		Description: "The Application Secret of the OAuth application registered in DocuShare Flex"},
	{ID: 91003, Key: "oauth.callback.url", Name: "Callback URL", Type: "TEXTFIELD_1000", Required: true, DisplayOrder: 3,
		Description: "The redirect URI registered in DocuShare Flex"},
	{ID: 91004, Key: "docushare.domain", Name: "DocuShare Flex Domain", Type: "TEXTFIELD_128", Required: true, DisplayOrder: 4,
		Description: "Your DocuShare Flex site, e.g. acme.docushareflex.com"},
	{ID: 91005, Key: "event.notification.enabled", Name: "Events Enabled", DefaultValue: "false", Type: "BOOLEAN", DisplayOrder: 5,
		Description: "Enable events for this instance"},
	{ID: 91006, Key: "event.vendor.type", Name: "Event Type", DefaultValue: "polling", Type: "SELECT", DisplayOrder: 6,
		Description: "How events are detected: polling"},
	{ID: 91007, Key: "event.notification.callback.url", Name: "Event Notification Callback URL", Type: "TEXTFIELD_1000", DisplayOrder: 7,
		Description: "The URL Cloud Elements sends event notifications to"},
	{ID: 91008, Key: "event.notification.signature.key", Name: "Callback Notification Signature Key", Type: "TEXTFIELD_128", DisplayOrder: 8,
		Description: "Optional key to sign event notifications (Elements-Webhook-Signature)"},
	{ID: 91009, Key: "event.poller.refresh_interval", Name: "Event poller refresh interval (mins)", DefaultValue: "15", Type: "TEXTFIELD_32", DisplayOrder: 9,
		Description: "How often, in minutes, the resources are polled"},
	{ID: 91010, Key: "event.poller.configuration", Name: "Configure Polling", DefaultValue: DefaultPollerConfiguration, Type: "TEXTAREA", DisplayOrder: 10,
		Description: "The resources to poll and their date fields, as JSON"},
}

// elementView is GET /elements/{key}.
type elementView struct {
	ID                 int64         `json:"id"`
	Name               string        `json:"name"`
	Key                string        `json:"key"`
	Description        string        `json:"description"`
	Image              string        `json:"image"`
	Active             bool          `json:"active"`
	Deleted            bool          `json:"deleted"`
	TypeOauth          bool          `json:"typeOauth"`
	TrialAccount       bool          `json:"trialAccount"`
	Hub                string        `json:"hub"`
	AuthenticationType string        `json:"authenticationType"`
	Authentication     any           `json:"authentication"`
	Private            bool          `json:"private"`
	Beta               bool          `json:"beta"`
	Extendable         bool          `json:"extendable"`
	Configuration      []configEntry `json:"configuration"`
	Parameters         []any         `json:"parameters"`
	ProtocolType       string        `json:"protocolType"`
}

func (s *Sandbox) handleElement(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok || !s.elementKnown(w, r.PathValue("key")) {
		return
	}
	writeJSON(w, http.StatusOK, elementView{
		ID: ElementID, Name: "DocuShare Flex", Key: ElementKey,
		Description:        "Add a DocuShare Flex instance to connect your DocuShare Flex account to the Documents hub.",
		Image:              "elements/provider_docushareflex.png",
		Active:             true,
		TypeOauth:          true,
		Hub:                "documents",
		AuthenticationType: "oauth2",
		Authentication:     map[string]string{"type": "oauth2"},
		Extendable:         true,
		Configuration:      configEntries,
		Parameters:         []any{},
		ProtocolType:       "http",
	})
}

// handleConfiguration is GET /elements/{keyOrId}/configuration: an object
// {"configuration": [...], "providerData": [...]}, the swagger's
// ElementConfigs (never a bare array).
func (s *Sandbox) handleConfiguration(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok || !s.elementKnown(w, r.PathValue("key")) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"configuration": configEntries, "providerData": []configEntry{}})
}

// handleMetadata is GET /elements/{id}/metadata, by the numeric element id
// only (the swagger's getElementsMetadata takes an integer id; churros
// reads the id from GET /elements/{key} first). A key gets 404.
func (s *Sandbox) handleMetadata(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	if id := r.PathValue("id"); id != fmt.Sprint(ElementID) {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No element found with id '%s'", id), "")
		return
	}
	polling := map[string]any{}
	for _, res := range defaultResources {
		polling[res.Name] = map[string]any{"eventTypes": []string{"CREATED", "UPDATED", "DELETED"}, "pollUrl": res.URL}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":          ElementID,
		"key":         ElementKey,
		"name":        "DocuShare Flex",
		"description": "Add a DocuShare Flex instance to connect your DocuShare Flex account to the Documents hub.",
		"events": map[string]any{
			"supported": true,
			"methods":   []string{"polling"},
			"polling":   polling,
		},
	})
}

// domainForm is <label>.docushareflex.com with one DNS label.
var domainForm = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.docushareflex\.com$`)
})

// checkDomain returns the problem with a DocuShare Flex domain, or "".
// The bare host is required (cloud-elements-api.md §8: send the bare host).
func checkDomain(field, d string) string {
	if d == "" {
		return field + " is required: give the DocuShare Flex domain, e.g. acme.docushareflex.com"
	}
	if !domainForm().MatchString(d) {
		return field + " must be a DocuShare Flex domain of the form <company>.docushareflex.com (the bare host, no scheme or path)"
	}
	return ""
}

// checkAbsURL returns the problem with a redirect URI, or "".
func checkAbsURL(field, raw string) string {
	u, err := url.Parse(raw)
	if raw == "" {
		return field + " is required"
	}
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
		return field + " must be an absolute http(s) URL without a fragment"
	}
	return ""
}

// handleOAuthURL answers GET (query) or POST (JSON body) .../oauth/url with
// the consent page's address.
func (s *Sandbox) handleOAuthURL(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok || !s.elementKnown(w, r.PathValue("key")) {
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		var body map[string]any
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			s.fail(w, http.StatusBadRequest, "The request body must be a JSON object", "")
			return
		}
		q = url.Values{}
		for k, v := range body {
			if str, ok := v.(string); ok {
				q.Set(k, str)
			}
		}
	}
	apiKey, apiSecret, callback := q.Get("apiKey"), q.Get("apiSecret"), q.Get("callbackUrl")
	rawSite, viaDomain := q.Get("siteAddress"), false
	if rawSite == "" {
		rawSite, viaDomain = q.Get("docushare.domain"), true
	}
	switch {
	case apiKey == "":
		s.fail(w, http.StatusBadRequest, "apiKey is required: the DocuShare Flex Application ID", "")
		return
	case apiSecret == "":
		s.fail(w, http.StatusBadRequest, "apiSecret is required: the DocuShare Flex Application Secret", "")
		return
	}
	if msg := checkAbsURL("callbackUrl", callback); msg != "" {
		s.fail(w, http.StatusBadRequest, msg, "")
		return
	}
	site, siteIsURL := rawSite, false
	if rest, ok := strings.CutPrefix(rawSite, "https://"); ok && !viaDomain {
		site, siteIsURL = strings.TrimSuffix(rest, "/"), true
	}
	if msg := checkDomain("siteAddress", site); msg != "" {
		s.fail(w, http.StatusBadRequest, msg, "")
		return
	}
	state := q.Get("state")
	if state == "" {
		state = ElementKey // what Cloud Elements does when state is omitted
	}
	v := url.Values{
		"response_type": {"code"},
		"client_id":     {apiKey},
		"redirect_uri":  {callback},
		"state":         {state},
		"site":          {site},
	}
	oauthURL := origin(r) + ConsentPath + "?" + v.Encode()
	if !viaDomain && siteIsURL != s.opts.SiteAddressURL {
		// The form this service does not expect: build the address the way a
		// service expecting the other form would, which is what a client
		// sees when it guessed the form wrong.
		if s.opts.SiteAddressURL {
			oauthURL = rawSite + ConsentPath + "?" + v.Encode() // no scheme
		} else {
			oauthURL = "https://" + rawSite + ConsentPath + "?" + v.Encode() // https://https://…
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"element": ElementKey, "oauthUrl": oauthURL})
}

// origin is the scheme and host the client used to reach the sandbox.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.TrimSuffix(r.Host, "/")
}
