package doctor

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Flags are `cewiz doctor`'s command line: the connection flags and --json
// of flow.Options, the answers the doctor checks (in the same Options
// fields, with the doctor's own help) and --instance. Each is also read
// from CEWIZ_<NAME> by Options.ApplyEnv, like every other flag.
type Flags struct {
	flow.Options
	Instance string
	// ListenEvents and ListenWait: --listen-events ADDR, --listen-wait D.
	ListenEvents string
	ListenWait   time.Duration
}

// Register adds the doctor's flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	f.Options.Register(fs, flow.FlagsConnection|flow.FlagsJSON)
	fs.StringVar(&f.Domain, "domain", "", "DocuShare Flex `domain` to check, e.g. acme.docushareflex.com")
	fs.StringVar(&f.NotifyURL, "notify-url", "", "notification `URL` to check")
	fs.StringVar(&f.CallbackURL, "callback-url", "", "OAuth redirect `URL` (default "+oauthlistener.DefaultRedirectURI+")")
	fs.StringVar(&f.Listen, "listen", "", "loopback listener `address` to check (default: the callback URL's)")
	fs.BoolVar(&f.Events, "events", true, "events are meant to be on (a missing --notify-url is then a warning)")
	fs.StringVar(&f.Instance, "instance", "", "also inspect the instance with this `ID`")
	fs.StringVar(&f.ListenEvents, "listen-events", "", "also listen on `HOST:PORT` for a notification (the notification URL must reach it) and say whether one arrives; signatures are checked with CEWIZ_SIGNATURE_KEY")
	fs.DurationVar(&f.ListenWait, "listen-wait", DefaultListenWait, "how long --listen-events waits (a `duration`)")
}

// Config turns the parsed flags (after Options.ApplyEnv) into what the
// doctor checks. Answers not given come from mem, the last successful run
// (not with --sandbox, whose answers are its own). The domain and the
// notification URL are kept as given, not refused: a bad one is a failed
// check with advice. A bad --callback-url or --instance, or --sandbox with
// --base-url or --region, is a *flow.UsageError naming the flag. The
// caller starts the sandbox for --sandbox and sets Config.Sandbox.
func (f *Flags) Config(mem flow.Memory) (Config, error) {
	a := flow.NewAnswers()
	if !f.Sandbox {
		a = mem.Prefill(a)
	}
	if err := f.ApplyConnection(&a); err != nil {
		return Config{}, err
	}
	if f.Given("domain") {
		a.Domain = f.Domain
	}
	if f.Given("notify-url") {
		a.NotificationURL = f.NotifyURL
	}
	if f.Given("events") {
		a.EventsEnabled = f.Events
	}
	if f.Given("callback-url") {
		if err := flow.ValidateCallbackURL(f.CallbackURL); err != nil {
			return Config{}, &flow.UsageError{Flag: "callback-url", Err: err}
		}
		a.CallbackURL = f.CallbackURL
	}
	cfg := Config{Answers: a, ListenAddr: f.Listen}
	if f.Given("listen-events") {
		if _, _, err := net.SplitHostPort(f.ListenEvents); err != nil {
			return Config{}, &flow.UsageError{Flag: "listen-events", Err: fmt.Errorf("%q is not HOST:PORT (for example 127.0.0.1:23950)", f.ListenEvents)}
		}
		if f.ListenWait <= 0 {
			return Config{}, &flow.UsageError{Flag: "listen-wait", Err: fmt.Errorf("the wait must be a positive duration such as 2m, not %s", f.ListenWait)}
		}
		cfg.ListenEvents, cfg.ListenWait = f.ListenEvents, f.ListenWait
	}
	if f.Given("instance") {
		id, err := ParseInstanceID(f.Instance)
		if err != nil {
			return Config{}, &flow.UsageError{Flag: "instance", Err: err}
		}
		cfg.InstanceID = id
	}
	return cfg, nil
}

// RequireSecrets refuses --instance without the platform secrets: every
// instance check needs them, and a report of skipped checks that exits 0
// would read as healthy to a script. The sandbox brings its own secrets.
func (f *Flags) RequireSecrets(cfg Config, s flow.Secrets) error {
	if cfg.InstanceID == 0 || f.Sandbox {
		return nil
	}
	if s.UserSecret.IsZero() || s.OrgSecret.IsZero() {
		return &flow.UsageError{Flag: "instance", Err: errors.New("inspecting an instance needs the platform secrets: set " + flow.EnvUserSecret + " and " + flow.EnvOrgSecret + " (secrets are never flags)")}
	}
	return nil
}
