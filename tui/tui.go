// Package tui is cewiz's terminal wizard: one Bubble Tea root model that is a
// state machine over flow's steps (flow.Step, flow.Rules), one file per
// step, styles.go for every style, keys.go for every key binding and
// errors.go for every error rendering. The order of the steps, the
// validation, the body and the "authorize then create" journey live in
// flow and flow/journey; this package only asks and shows.
//
// main calls Run once; tests build a Model with New and drive it.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/tui/termbg"
)

// ErrCanceled is returned by Run when the user pressed Ctrl-C (or the
// context was canceled): the terminal is restored, the listener closed and
// nothing was written. main maps it to exit code 130.
var ErrCanceled = errors.New("canceled")

// ErrNoTerminal is returned by Run when the input or the output is not a
// terminal (and accessible mode is off): use `cewiz create` or
// `cewiz export` instead. main maps it to exit code 2.
var ErrNoTerminal = errors.New("the wizard needs a terminal; use 'cewiz create' or 'cewiz export' in scripts")

// Client is the part of the Cloud Elements client the wizard uses.
// *cloudelements.Client implements it.
type Client interface {
	journey.API
	ElementInfo(ctx context.Context) (*cloudelements.Element, error)
	ElementPollerDefaults(ctx context.Context) (flow.PollerConfig, error)
	// InstancesNamed finds the instances already named like the new one
	// (Review asks before creating another).
	InstancesNamed(ctx context.Context, name string) ([]cloudelements.Instance, error)
}

// ClientFactory makes a client for a base URL and the platform secrets
// (main's makes the real one, with cewiz's version in its User-Agent).
type ClientFactory func(baseURL string, s flow.Secrets) (Client, error)

// DoctorFunc runs the troubleshooting checklist from the error screen. It
// runs as its own program after the wizard ends: Run returns an Outcome
// with Kind OutcomeDoctor and the caller runs it with the create's failure
// (createErr), which the checklist must not call healthy.
type DoctorFunc func(ctx context.Context, a flow.Answers, s flow.Secrets, createErr error) error

// Config is everything the wizard needs from main.
type Config struct {
	// Answers and Secrets are the starting answers (flags, CEWIZ_*
	// variables, --from, --sandbox's demo values). Remembered answers fill
	// in what these leave at flow.NewAnswers' defaults.
	Answers flow.Answers
	Secrets flow.Secrets
	// NewClient makes the Cloud Elements client once the Connect step has
	// the base URL and the secrets (nil: the wizard cannot connect).
	NewClient ClientFactory
	// Listen: --listen, --timeout, --no-browser.
	Listen journey.Settings
	// StartListener starts the loopback listener (nil: the real one).
	StartListener journey.StartListener
	// Browser opens the authorization URL (nil: none is opened; the
	// address is shown).
	Browser journey.Browser
	// Getenv is the environment the wizard reads: the ssh -L line, the
	// colours (NO_COLOR, TERM...), the home directory (~ in a file name),
	// the clipboard's terminal multiplexer (nil: os.Getenv).
	Getenv func(string) string
	// Clock (nil: the system clock) for the time left and the code's age.
	Clock flow.Clock
	// ConfigDir holds the remembered answers and the instance summaries
	// (flow.ConfigDir; "": there is none, nothing is remembered, and a
	// summary cannot be saved).
	ConfigDir string
	// NoRemember: neither load nor save remembered answers.
	NoRemember bool
	// ExportDir is where "export to a file" proposes to write ("" : the
	// working directory).
	ExportDir string
	// Accessible asks the same questions line by line (screen readers,
	// dumb terminals).
	Accessible bool
	// Terminal: Input and Output are a terminal, which the wizard needs
	// unless Accessible. main decides it once for every command.
	Terminal bool
	// Input and Output (nil: os.Stdin and os.Stderr). The UI never writes to
	// stdout.
	Input  io.Reader
	Output io.Writer
	// Sandbox marks the run as using the built-in emulator (a badge, and
	// the hint that the demo secrets are prefilled).
	Sandbox bool
	// Clipboard copies text (nil: OSC 52 on Output, plus the system
	// clipboard when one is available).
	Clipboard func(string) error
	// Doctor is offered on the error screen when set.
	Doctor DoctorFunc
	// Notifications, when set, is a local notification receiver (the
	// sandbox's): the Events step offers its URL, and the Result screen
	// shows what it receives.
	Notifications NotificationFeed
	// Demo holds --sandbox's demo values: the Connect step shows them and,
	// after a mistyped secret or base URL, offers to restore them.
	Demo *Demo
}

// NotificationFeed is a local notification receiver the wizard shows.
// *events.Server implements it.
type NotificationFeed interface {
	// URL is its notification URL.
	URL() string
	// SetKey sets the key notifications must be signed with (zero: none),
	// the key of the instance being created.
	SetKey(key flow.Secret)
	// Deliveries receives every notification it accepted or refused.
	Deliveries() <-chan events.Delivery
}

// Demo is what --sandbox prefills: the emulator's base URL (with its
// random port) and the demo secrets and Application ID. They are public
// demo values (`cewiz sandbox` prints them), so the wizard shows them.
type Demo struct {
	BaseURL string
	APIKey  string
	Secrets flow.Secrets
}

// describe is what Connect shows in --sandbox. The address and each demo
// value stay on one line, each line under 80 columns, so that wrapping
// never breaks a value at one of its hyphens and a value copied from the
// screen is whole.
func (d *Demo) describe() string {
	return "Sandbox: the built-in emulator answers at\n" + d.BaseURL +
		"\nDemo values (prefilled): User secret " + d.Secrets.UserSecret.Reveal() + ",\n" +
		"Organization secret " + d.Secrets.OrgSecret.Reveal() + ", Application ID " + d.APIKey + ",\n" +
		"Application Secret " + d.Secrets.APISecret.Reveal() + "."
}

// OutcomeKind is how the wizard ended.
type OutcomeKind int

const (
	// OutcomeQuit: the user chose to quit without creating.
	OutcomeQuit OutcomeKind = iota
	// OutcomeCreated: the instance was created (Instance, SummaryPath).
	OutcomeCreated
	// OutcomeExported: the body was exported to ExportPath (and nothing created).
	OutcomeExported
	// OutcomeDoctor: the user asked for the doctor from the error screen;
	// run Config.Doctor with Answers, Secrets and Err.
	OutcomeDoctor
	// OutcomeNotCreated: the create failed and the user quit from the error
	// screen (Err); its box stays on the screen.
	OutcomeNotCreated
)

// Outcome is what Run produced. It holds no secret except inside Secrets
// (for OutcomeDoctor) and Instance.Token, both of which print masked.
type Outcome struct {
	Kind        OutcomeKind
	Instance    *cloudelements.Instance
	SummaryPath string
	// SummaryErr is why the summary could not be saved (OutcomeCreated).
	SummaryErr error
	ExportPath string
	Answers    flow.Answers
	Secrets    flow.Secrets
	// Err is the create's failure (OutcomeNotCreated, OutcomeDoctor).
	Err error
}

// CanceledAfterCreateError is returned by Run when the user canceled
// (Ctrl-C, SIGTERM) after the create request had left: the instance may
// exist, so the wizard waited for the client's bounded lookup by name. It
// matches ErrCanceled (exit 130). Instance is what was found (its summary
// saved, 0600), or nil with Err saying why the outcome stays unknown.
type CanceledAfterCreateError struct {
	Name        string
	Instance    *cloudelements.Instance
	SummaryPath string
	SummaryErr  error
	Err         error
}

func (e *CanceledAfterCreateError) Error() string {
	if e.Instance != nil {
		return fmt.Sprintf("canceled after the create request was sent; instance %d was created", e.Instance.ID)
	}
	return fmt.Sprintf("canceled after the create request was sent, so the instance %q may exist, but it was not found by name in time. "+
		"Do not create it again yet: list the instances in a minute (Cloud Elements console), then authorize again if it is not there", e.Name)
}

// Is makes it an ErrCanceled.
func (e *CanceledAfterCreateError) Is(target error) bool { return target == ErrCanceled }

func (c Config) clock() flow.Clock {
	if c.Clock == nil {
		return flow.SystemClock{}
	}
	return c.Clock
}

func (c Config) getenv(k string) string {
	if c.Getenv == nil {
		return os.Getenv(k)
	}
	return c.Getenv(k)
}

// home is the user's home directory, "" when the environment names none.
func (c Config) home() string {
	h, _ := flow.UserHomeDir(c.getenv)
	return h
}

func (c Config) output() io.Writer {
	if c.Output == nil {
		return os.Stderr
	}
	return c.Output
}

func (c Config) input() io.Reader {
	if c.Input == nil {
		return os.Stdin
	}
	return c.Input
}

// NewRenderer returns a lipgloss renderer bound to w that honours NO_COLOR,
// with the terminal's background already known: termbg asks the terminal
// behind w at most once per process, for at most termbg.Timeout, and not
// at all when the environment says (see termbg's package comment for why
// Bubble Tea's own 5-second query never happens). The colour profile is
// judged in the environment getenv reads (nil: the process's).
func NewRenderer(w io.Writer, getenv func(string) string) *lipgloss.Renderer {
	var opts []termenv.OutputOption
	if getenv != nil {
		opts = append(opts, termenv.WithEnvironment(environ(getenv)))
	}
	r := lipgloss.NewRenderer(w, opts...)
	r.SetHasDarkBackground(termbg.Detect(w, getenv).Dark)
	applyNoColor(r, getenv)
	return r
}

// environ is the environment getenv reads, as termenv asks for it.
type environ func(string) string

func (e environ) Getenv(k string) string { return e(k) }

// Environ lists nothing: a lookup cannot list its variables, and termenv
// only ever calls Getenv.
func (e environ) Environ() []string { return nil }

// applyNoColor turns colours off when NO_COLOR is set (no-color.org).
func applyNoColor(r *lipgloss.Renderer, getenv func(string) string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
}

// Run runs the wizard until the instance is created, the body exported, the
// user quits, or Ctrl-C (ErrCanceled). The UI draws on cfg.Output (stderr);
// the lipgloss default renderer is bound to it for huh's styles. The
// listener is closed before Run returns, whatever happens.
func Run(ctx context.Context, cfg Config) (Outcome, error) {
	out := cfg.output()
	in := cfg.input()
	r := NewRenderer(out, cfg.Getenv)
	lipgloss.SetDefaultRenderer(r)
	if cfg.Accessible {
		return runAccessible(ctx, cfg, r)
	}
	if !cfg.Terminal {
		return Outcome{}, ErrNoTerminal
	}
	m := New(ctx, cfg, r)
	m.late.armed = termbg.Detect(out, cfg.Getenv).Late
	defer m.shutdown()
	// The wizard waits on a person, and its requests and listener on the
	// network: one processor is plenty. Bubble Tea v1's renderer draws on a
	// ticker whether the view changed or not (rendering only on change needs
	// v2's renderer), and with more processors every tick woke several
	// threads (the runtime looks for work to steal): on a still screen 120
	// ticks a second cost 1.8 times the wakeups of a minimal huh form at 60,
	// and cost 1.1 times with one processor. 120 frames a second is kept: a
	// keystroke shows in 8 ms (16 at 60), and the first frame does not wait
	// 16 ms for the first tick. docs/benchmarks.md has the measurements.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	opts := []tea.ProgramOption{
		tea.WithContext(ctx),
		tea.WithInput(in),
		tea.WithOutput(out),
		// Inline, not the alternate screen: the authorization address is
		// printed above the wizard (tea.Println) so that it can be copied
		// whole, and it stays in the scrollback.
		tea.WithFPS(120),
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	m.shutdown()
	switch {
	case m.creating != nil:
		// Canceled (Ctrl-C, SIGTERM) while the create was in flight.
		return Outcome{}, m.canceledWhileCreating(out)
	case m.canceled:
		return Outcome{}, ErrCanceled
	case errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted), errors.Is(err, context.Canceled):
		return Outcome{}, ErrCanceled
	case err != nil:
		return Outcome{}, err
	}
	return m.outcome, nil
}
