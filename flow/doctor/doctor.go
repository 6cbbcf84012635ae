// Package doctor is cewiz's troubleshooting checklist (SPEC §4): each check
// is a function that returns a Result (pass, warn, fail or skip, a one-line
// finding and a one-line next step). Run runs the checks that apply,
// independent ones concurrently, each bounded by a timeout, skips a check
// whose prerequisite did not pass, and reports every result as it finishes
// so a live UI can update. Every side effect (HTTP, DNS, ports, the
// browser, the clock) sits behind a small interface declared here, so each
// check is tested with fakes and against the sandbox.
//
// The package has no UI import: the plain and JSON writers are in
// output.go; the live terminal list is tui.RunDoctor.
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Status is a check's outcome.
type Status int

const (
	// Pending: not finished yet (only seen by a live UI, never in a Report).
	Pending Status = iota
	Pass
	Warn
	Fail
	// Skip: not run, because it does not apply or a prerequisite did not pass.
	Skip
)

var statusNames = map[Status]string{Pending: "pending", Pass: "pass", Warn: "warn", Fail: "fail", Skip: "skip"}

func (s Status) String() string { return statusNames[s] }

// Label is the status as a word usable without colour: PASS, WARN, FAIL, SKIP.
func (s Status) Label() string {
	switch s {
	case Pass:
		return "PASS"
	case Warn:
		return "WARN"
	case Fail:
		return "FAIL"
	case Skip:
		return "SKIP"
	}
	return "...."
}

// Symbol is the one-character mark: ✓ ! ✗ -.
func (s Status) Symbol() string {
	switch s {
	case Pass:
		return "✓"
	case Warn:
		return "!"
	case Fail:
		return "✗"
	case Skip:
		return "-"
	}
	return "…"
}

// MarshalText writes the lower-case name (JSON reports).
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the lower-case name.
func (s *Status) UnmarshalText(b []byte) error {
	for k, v := range statusNames {
		if v == string(b) {
			*s = k
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", b)
}

// Result is one line of the checklist.
type Result struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Status is pass, warn, fail or skip.
	Status Status `json:"status"`
	// Finding is what was found, one line.
	Finding string `json:"finding"`
	// Next is what to do about it, one line ("" when nothing).
	Next string `json:"next,omitempty"`
	// Duration is how long the check took.
	Duration time.Duration `json:"-"`
}

// MarshalJSON adds durationMs.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		DurationMS int64 `json:"durationMs"`
	}{plain(r), r.Duration.Milliseconds()})
}

// Check IDs, stable for scripts reading --json.
const (
	IDBaseURL        = "base-url"
	IDSecrets        = "secrets"
	IDElement        = "element"
	IDDomain         = "domain"
	IDNotifyURL      = "notify-url"
	IDLoopbackPort   = "loopback-port"
	IDBrowser        = "browser"
	IDInstance       = "instance"
	IDInstanceEvents = "instance-events-enabled"
	IDVendorType     = "instance-vendor-type"
	IDInterval       = "instance-interval"
	IDPoller         = "instance-poller"
	IDEventLog       = "instance-event-log"
	IDNotifyDelivery = "notification-delivery"
)

// DefaultTimeout bounds each check.
const DefaultTimeout = 3 * time.Second

// Config is what the doctor looks at: the answers (base URL, element key,
// domain, notification URL, callback URL), whether secrets were given, and
// optionally an instance.
type Config struct {
	Answers flow.Answers
	// HaveSecrets: the User and Organization secrets were given (the API in
	// Deps uses them; the doctor never sees their values).
	HaveSecrets bool
	// ListenAddr is --listen ("" means the callback URL's host and port).
	ListenAddr string
	// InstanceID, when not 0, adds the instance checks.
	InstanceID int64
	// InstanceToken is the instance's token from its saved summary (zero
	// when there is none): the event log is read once more with it if it is
	// refused without.
	InstanceToken flow.Secret
	// Sandbox: the base URL is the built-in emulator, whose DocuShare Flex
	// domain is fictional (no DNS check).
	Sandbox bool
	// Timeout bounds each check (DefaultTimeout when 0); the whole run is
	// bounded by twice that.
	Timeout time.Duration
	// SSHHost names this machine in the browser check's ssh -L line
	// (oauthlistener.SSHHost; "" for a placeholder).
	SSHHost string
	// ListenEvents, when set, adds a check that listens there (HOST:PORT)
	// for a notification, for at most ListenWait (DefaultListenWait when 0).
	ListenEvents string
	ListenWait   time.Duration
	// CreateFailure is the failure of the create the doctor was called for
	// (the wizard's error screen), nil otherwise. A run whose checks all
	// pass does not explain it: the report says so and counts as failed.
	CreateFailure error
}

// DefaultListenWait is how long --listen-events waits for a notification.
const DefaultListenWait = 2 * time.Minute

func (c Config) listenWait() time.Duration {
	if c.ListenWait <= 0 {
		return DefaultListenWait
	}
	return c.ListenWait
}

// budget bounds a whole run: twice the per-check timeout, plus the wait for
// a notification when there is one.
func (c Config) budget() time.Duration {
	b := 2 * c.timeout()
	if c.ListenEvents != "" {
		b += c.listenBound()
	}
	return b
}

// listenBound bounds the --listen-events check, in the run's budget and as
// the check's own timeout: the wait for a notification plus one per-check
// timeout of slack.
func (c Config) listenBound() time.Duration { return c.listenWait() + c.timeout() }

func (c Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// API is the part of the Cloud Elements client the doctor uses.
// *cloudelements.Client implements it.
type API interface {
	ElementInfo(ctx context.Context) (*cloudelements.Element, error)
	// ElementMetadata takes the numeric element id (ElementInfo's ID):
	// the public record has no metadata by key.
	ElementMetadata(ctx context.Context, elementID int64) (*cloudelements.Metadata, error)
	GetInstance(ctx context.Context, id int64) (*cloudelements.Instance, error)
	InstanceEvents(ctx context.Context, id int64) ([]cloudelements.Event, error)
	InstanceEventsWithToken(ctx context.Context, id int64, token flow.Secret) ([]cloudelements.Event, error)
}

// Prober sends one unauthenticated GET and returns the HTTP status (no
// secret is sent). HTTPProber is the real one.
type Prober interface {
	Probe(ctx context.Context, url string) (status int, err error)
}

// Resolver resolves a host name. *net.Resolver implements it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// PortProber tells whether the loopback listener could bind addr.
// ListenerPorts is the real one.
type PortProber interface {
	// ProbePort returns nil when addr can be bound (and frees it again),
	// else the listener's error: *oauthlistener.PortUnavailableError or
	// *oauthlistener.AlreadyWaitingError.
	ProbePort(ctx context.Context, addr string) error
	// Holder names the program listening on port ("" when the system does
	// not say), e.g. "node (pid 4242)".
	Holder(port int) string
}

// BrowserChecker tells whether a browser can be opened here.
// *oauthlistener.Launcher implements it.
type BrowserChecker interface {
	// Plan returns how a URL would be opened (Plan.From says with what), or
	// why not (*oauthlistener.NoBrowserError).
	Plan(rawURL string) (oauthlistener.Plan, error)
}

// NotificationWaiter waits for a notification at a local receiver.
// ReceiverWaiter is the real one.
type NotificationWaiter interface {
	// WaitNotification listens on addr until a notification for instance
	// id (any instance when 0) is accepted, and returns it; or until ctx
	// ends, and returns the last refused one (its Err says why) or ctx's
	// error. A failure to listen is returned at once.
	WaitNotification(ctx context.Context, addr string, id int64) (events.Delivery, error)
}

// Deps are the doctor's collaborators. A nil API skips every check that
// needs Cloud Elements credentials; a nil Prober, Resolver, Ports, Browser
// or Notifications skips that check.
type Deps struct {
	API           API
	Prober        Prober
	Resolver      Resolver
	Ports         PortProber
	Browser       BrowserChecker
	Notifications NotificationWaiter
	Clock         flow.Clock
}

func (d Deps) now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock.Now()
}
