package journey

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// Summary is what is saved about a created instance: enough to call it
// later (its id and token) and to find it again. It holds the instance
// token, so the file is written 0600.
type Summary struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Token         string   `json:"token"`
	BaseURL       string   `json:"baseUrl"`
	ElementKey    string   `json:"elementKey"`
	Domain        string   `json:"domain,omitempty"`
	CreatedDate   string   `json:"createdDate,omitempty"`
	EventsEnabled bool     `json:"eventsEnabled"`
	Tags          []string `json:"tags,omitempty"`
	// Authorization is the header a later call on this instance needs,
	// without the User and Organization secrets.
	Authorization string `json:"authorization"`
	// SignatureKey is event.notification.signature.key, when the instance
	// signs its notifications: a receiver checks them with it
	// (CEWIZ_SIGNATURE_KEY=<it> cewiz events receive).
	SignatureKey string `json:"signatureKey,omitempty"`
}

// SummaryDir is where summaries go under the config dir.
const SummaryDir = "instances"

// SaveSummary writes the instance's summary as
// <configDir>/instances/<id>.json, atomically and 0600 (it holds the token
// and the notification signature key), creating the directories 0700. An
// empty configDir (the environment names none) is flow.ErrNoConfigDir.
// signatureKey is the key the instance signs with (zero: none). It returns
// the file's path. An instance without a positive id is refused: such an
// instance is an answer that held none, and its file (instances/0.json)
// would describe nothing.
func SaveSummary(configDir string, in *cloudelements.Instance, a flow.Answers, signatureKey flow.Secret) (string, error) {
	if in == nil || in.ID <= 0 {
		return "", errors.New("nothing saved: there is no instance id to save it under")
	}
	if configDir == "" {
		return "", flow.ErrNoConfigDir
	}
	p := summaryPath(configDir, in.ID)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	key := in.Element.Key
	if key == "" {
		key = flow.ElementKey
	}
	s := Summary{
		ID: in.ID, Name: in.Name, Token: in.Token.Reveal(), BaseURL: a.BaseURL, ElementKey: key,
		Domain: a.Domain, CreatedDate: in.CreatedDate, EventsEnabled: in.EventsEnabled, Tags: in.Tags,
		Authorization: "User $" + flow.EnvUserSecret + ", Organization $" + flow.EnvOrgSecret + ", Element <token>",
	}
	if SummaryHoldsKey(a, signatureKey) {
		s.SignatureKey = signatureKey.Reveal()
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", err
	}
	if err := flow.WriteFileAtomic(p, append(data, '\n'), flow.WriteOptions{Secret: true, Overwrite: true}); err != nil {
		return "", err
	}
	return p, nil
}

// SummaryHoldsKey reports whether SaveSummary keeps the notification
// signature key: events are on and the instance signs with a key.
func SummaryHoldsKey(a flow.Answers, signatureKey flow.Secret) bool {
	return a.EventsEnabled && !signatureKey.IsZero()
}

// summaryPath is where the summary of instance id lives under configDir.
func summaryPath(configDir string, id int64) string {
	return filepath.Join(configDir, SummaryDir, fmt.Sprintf("%d.json", id))
}

// maxSummary bounds a summary file read back (a few hundred bytes).
const maxSummary = 64 << 10

// LoadSummary reads the summary SaveSummary wrote for instance id under
// configDir, cewiz's configuration directory ("": there is none,
// flow.ErrNoConfigDir). A missing file is an error
// satisfying errors.Is(err, fs.ErrNotExist).
func LoadSummary(configDir string, id int64) (Summary, error) {
	if configDir == "" {
		return Summary{}, flow.ErrNoConfigDir
	}
	f, err := os.Open(summaryPath(configDir, id))
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSummary+1))
	if err != nil {
		return Summary{}, err
	}
	var s Summary
	if len(data) > maxSummary || json.Unmarshal(data, &s) != nil || s.ID != id {
		return Summary{}, fmt.Errorf("%s is not an instance summary written by cewiz", f.Name())
	}
	return s, nil
}

// Remember saves, for the next run's prefill, the answers a success used
// (a created instance, an exported body): never a secret, the code or the
// instance name (flow.Remembered), and not a callback URL whose port was
// picked for this run only (--listen with port 0). The wizard and create
// share it.
func Remember(mem flow.Memory, settings Settings, a flow.Answers) error {
	if settings.EphemeralPort() && flow.CallbackIsLoopback(a) {
		a = a.Clone()
		a.CallbackURL = ""
	}
	return mem.Save(a)
}

// ShortPath shows p with the home directory home as ~ (for a screen); with
// home "" (unknown), p as it is.
func ShortPath(p, home string) string {
	if home != "" && strings.HasPrefix(p, home+string(filepath.Separator)) {
		return "~" + p[len(home):]
	}
	return p
}
