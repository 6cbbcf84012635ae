package flow

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// AppDirName is cewiz's directory under the user config dir.
const AppDirName = "cewiz"

// RememberedFile is the file name of the remembered answers.
const RememberedFile = "answers.json"

// Remembered are the answers kept between runs: only non-secret ones. The
// secrets, the grant code and the instance name (one per instance) are never
// written. Fields are pointers or omitempty so that an old or partial file
// leaves the other defaults alone.
type Remembered struct {
	Version         int          `json:"version"`
	BaseURL         string       `json:"baseUrl,omitempty"`
	Region          string       `json:"region,omitempty"`
	Domain          string       `json:"domain,omitempty"`
	APIKey          string       `json:"applicationId,omitempty"`
	CallbackURL     string       `json:"callbackUrl,omitempty"`
	EventsEnabled   *bool        `json:"eventsEnabled,omitempty"`
	NotificationURL string       `json:"notificationUrl,omitempty"`
	RefreshInterval int          `json:"refreshInterval,omitempty"`
	Polling         PollerConfig `json:"pollerConfiguration,omitempty"`
	Tags            []string     `json:"tags,omitempty"`
	// SiteAddressForm is the siteAddress form that worked last ("host" or
	// "url"): the client asks with it first next time.
	SiteAddressForm string `json:"siteAddressForm,omitempty"`
}

// RememberVersion is the format version written.
const RememberVersion = 1

// RememberAnswers picks the non-secret answers to keep.
func RememberAnswers(a Answers) Remembered {
	ev := a.EventsEnabled
	return Remembered{
		Version:         RememberVersion,
		BaseURL:         a.BaseURL,
		Region:          a.Region,
		Domain:          a.Domain,
		APIKey:          a.APIKey,
		CallbackURL:     a.CallbackURL,
		EventsEnabled:   &ev,
		NotificationURL: a.NotificationURL,
		RefreshInterval: a.RefreshInterval,
		Polling:         a.Polling.clone(),
		Tags:            append([]string(nil), a.Tags...),
		SiteAddressForm: a.SiteAddressForm,
	}
}

// Apply fills a with the remembered answers. Each value is validated again;
// a value that no longer validates is skipped (the default stays).
func (r Remembered) Apply(a Answers) Answers {
	a = a.Clone()
	if r.BaseURL != "" {
		if u, err := NormalizeBaseURL(r.BaseURL); err == nil {
			a.BaseURL, a.Region = u, RegionOf(u)
		}
	}
	if r.Domain != "" {
		if d, err := NormalizeDomain(r.Domain); err == nil {
			a.Domain = d
		}
	}
	if r.APIKey != "" && ValidateAPIKey(r.APIKey) == nil {
		a.APIKey = r.APIKey
	}
	if r.CallbackURL != "" && ValidateCallbackURL(r.CallbackURL) == nil {
		a.CallbackURL = r.CallbackURL
	}
	if r.EventsEnabled != nil {
		a.EventsEnabled = *r.EventsEnabled
	}
	if r.NotificationURL != "" && ValidateNotificationURL(r.NotificationURL) == nil {
		a.NotificationURL = r.NotificationURL
	}
	if r.RefreshInterval != 0 && CheckRefreshInterval(r.RefreshInterval) == nil {
		a.RefreshInterval = r.RefreshInterval
	}
	if len(r.Polling) > 0 {
		ok := true
		var kept PollerConfig
		for _, p := range r.Polling {
			if ValidateResourceName(p.Name) != nil || ValidateResourceURL(p.URL) != nil {
				ok = false
			}
			if !inventedPollURL(p.URL) {
				kept = append(kept, p)
			}
		}
		if ok && len(kept) > 0 {
			a.Polling = kept.clone()
		}
	}
	if r.SiteAddressForm == SiteAddressHost || r.SiteAddressForm == SiteAddressURL {
		a.SiteAddressForm = r.SiteAddressForm
	}
	if len(r.Tags) > 0 {
		var tags []string
		for _, t := range r.Tags {
			if ValidateTag(t) == nil {
				tags = append(tags, t)
			}
		}
		a.Tags = tags
	}
	return a
}

// Memory stores remembered answers in Dir, cewiz's configuration
// directory (ConfigDir). An empty Dir remembers nothing: loading finds
// nothing and saving fails with ErrNoConfigDir.
type Memory struct{ Dir string }

func (m Memory) dir() (string, error) {
	if m.Dir == "" {
		return "", ErrNoConfigDir
	}
	return m.Dir, nil
}

// Path is the remembered answers' file.
func (m Memory) Path() (string, error) {
	d, err := m.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, RememberedFile), nil
}

// Load reads the remembered answers; ok is false when there are none. A
// damaged file is reported as an error (the caller goes on with defaults).
func (m Memory) Load() (r Remembered, ok bool, err error) {
	p, err := m.Path()
	if err != nil {
		return r, false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Remembered{}, false, fmt.Errorf("%s is damaged (%v); it will be replaced after the next success", p, err)
	}
	return r, true, nil
}

// Prefill fills the answers a leaves at their defaults (NewAnswers) with
// the remembered ones: an answer given by a flag, a variable or --from
// always wins. A missing or damaged file changes nothing. The wizard and
// the doctor share it.
func (m Memory) Prefill(a Answers) Answers {
	r, ok, err := m.Load()
	if !ok || err != nil {
		return a
	}
	def := NewAnswers()
	rem := r.Apply(def)
	out := a.Clone()
	if a.BaseURL == def.BaseURL {
		out.BaseURL, out.Region = rem.BaseURL, rem.Region
	}
	if a.Domain == "" {
		out.Domain = rem.Domain
	}
	if a.APIKey == "" {
		out.APIKey = rem.APIKey
	}
	if a.CallbackURL == def.CallbackURL {
		out.CallbackURL = rem.CallbackURL
	}
	if a.EventsEnabled == def.EventsEnabled {
		out.EventsEnabled = rem.EventsEnabled
	}
	if a.NotificationURL == "" {
		out.NotificationURL = rem.NotificationURL
	}
	if a.RefreshInterval == def.RefreshInterval {
		out.RefreshInterval = rem.RefreshInterval
	}
	if len(a.Polling) == 0 {
		out.Polling = rem.Polling
	}
	if len(a.Tags) == 0 {
		out.Tags = rem.Tags
	}
	if a.SiteAddressForm == "" {
		out.SiteAddressForm = rem.SiteAddressForm
	}
	return out
}

// SiteAddressForm is the remembered siteAddress form ("" when none): what
// `cewiz create`, which prefills nothing else, passes to the client.
func (m Memory) SiteAddressForm() string {
	r, ok, err := m.Load()
	if !ok || err != nil {
		return ""
	}
	return r.Apply(NewAnswers()).SiteAddressForm
}

// Save writes the non-secret answers of a (atomically, 0600: it is the
// user's own configuration), creating the directory 0700 when needed.
func (m Memory) Save(a Answers) error {
	p, err := m.Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(RememberAnswers(a), "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(p, append(data, '\n'), WriteOptions{Secret: true, Overwrite: true})
}

// inventedPollURL reports the poll URLs earlier cewiz versions wrote for
// their files and folders presets. Neither is a list a poller can page
// through on DocuShare Flex (GET /hubs/documents/files needs ?path= and
// returns one file; /hubs/documents/folders has no GET), so a remembered
// resource polling one is dropped rather than written again.
func inventedPollURL(u string) bool {
	return u == "/hubs/documents/files" || u == "/hubs/documents/folders"
}
