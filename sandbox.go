package main

import (
	"fmt"
	"os"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/tui"
)

// sandboxOptions are `cewiz sandbox`'s flags.
type sandboxOptions struct {
	// Addr is where the emulator listens (port 0 picks a free port).
	Addr string
	// PollEvery, when positive, rehearses the event chain at that interval
	// (sandbox.Options.PollEvery).
	PollEvery time.Duration
}

const sandboxSynopsis = "Run the built-in Cloud Elements emulator (with its DocuShare Flex consent page)\nuntil Ctrl-C. It prints its base URL and demo secrets on stdout and one line\nper request on stderr. Point cewiz at it with --base-url. With --poll-every it\nalso rehearses the event chain, so that cewiz events receive and events watch\nshow events arriving."

func sandboxCmd(f *factory, args []string) error {
	var opts sandboxOptions
	fs := f.newFlagSet("sandbox", sandboxSynopsis)
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "listen `address`; port 0 picks a free port")
	fs.DurationVar(&opts.PollEvery, "poll-every", 0, "rehearse the event chain: every `duration` (e.g. 1s) a demo document changes, and each instance with events on records it and notifies its notification URL (loopback only), signed with its key; 0 turns it off")
	if err := f.parseFlags(fs, nil, args); err != nil {
		return err
	}
	if opts.PollEvery < 0 {
		return &flow.UsageError{Flag: "poll-every", Err: fmt.Errorf("the interval must be a positive duration such as 1s (or 0 for off), not %s", opts.PollEvery)}
	}
	return sandboxRun(f, &opts)
}

// sandboxRun serves the emulator until Ctrl-C, which is how it is meant
// to stop: it ends with exit 0.
func sandboxRun(f *factory, opts *sandboxOptions) error {
	ctx, stop := signalContext()
	defer stop()
	return sandbox.Run(ctx, opts.Addr, f.io.Out, sandbox.Options{Admin: true, Log: f.io.Err, PollEvery: opts.PollEvery})
}

// The --sandbox wiring of the other commands: main alone starts the
// built-in emulator (nothing under flow/ or tui/ imports it) and fills in
// its demo answers.

// sandboxDomain is the demo DocuShare Flex site prefilled with --sandbox.
const sandboxDomain = "acme.docushareflex.com"

// runningSandbox is a running emulator for one --sandbox run.
type runningSandbox struct {
	srv *sandbox.Server
	// receiver, when set, is a local notification receiver the emulator
	// notifies (the wizard's --sandbox).
	receiver *events.Server
}

// newSandbox starts the in-process emulator for --sandbox.
func newSandbox() (*runningSandbox, error) {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot start the sandbox: %w", err)
	}
	return &runningSandbox{srv: srv}, nil
}

// wizardPollEvery is how often the wizard's sandbox rehearses the event
// chain: short, so that a newcomer sees the first events arrive on the
// Result screen within seconds.
const wizardPollEvery = time.Second

// newWizardSandbox is newSandbox for the wizard: the emulator rehearses the
// event chain, and a local receiver, offered as the notification URL,
// shows what it sends on the Result screen.
func newWizardSandbox() (*runningSandbox, error) {
	rcv, err := events.Listen("127.0.0.1:0", events.ReceiverOptions{})
	if err != nil {
		return nil, fmt.Errorf("cannot start the sandbox's notification receiver: %w", err)
	}
	srv, err := sandbox.Start(sandbox.Options{PollEvery: wizardPollEvery})
	if err != nil {
		_ = rcv.Close()
		return nil, fmt.Errorf("cannot start the sandbox: %w", err)
	}
	return &runningSandbox{srv: srv, receiver: rcv}, nil
}

func (r *runningSandbox) close() {
	_ = r.srv.Close()
	if r.receiver != nil {
		_ = r.receiver.Close()
	}
}

// feed is the receiver for tui.Config.Notifications (nil without one).
func (r *runningSandbox) feed() tui.NotificationFeed {
	if r.receiver == nil {
		return nil
	}
	return r.receiver
}

// prefill points the answers at the emulator and fills in its demo secrets
// and Application ID, a demo domain and notification URL, so a newcomer can
// press enter through the wizard or run create with no flags. Answers given
// explicitly are kept. The wizard, create and doctor share it.
func (r *runningSandbox) prefill(a *flow.Answers, s *flow.Secrets) {
	if a.ElementKey == "" {
		*a = flow.NewAnswers()
	}
	a.BaseURL, a.Region = r.srv.BaseURL(), ""
	orDefault := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	orDefault(&a.APIKey, sandbox.DemoAppID)
	orDefault(&a.Domain, sandboxDomain)
	notify := "https://example.com/cewiz-sandbox/events"
	if r.receiver != nil {
		notify = r.receiver.URL()
	}
	orDefault(&a.NotificationURL, notify)
	*s = s.Or(demoSecrets())
}

// demoSecrets are the emulator's demo User, Organization and Application
// secrets.
func demoSecrets() flow.Secrets {
	return flow.Secrets{
		UserSecret: flow.NewSecret(sandbox.DemoUserSecret),
		OrgSecret:  flow.NewSecret(sandbox.DemoOrgSecret),
		APISecret:  flow.NewSecret(sandbox.DemoAppSecret),
	}
}

// demo is what the wizard shows and offers to restore in --sandbox: the
// emulator's base URL (its port is random) and the demo values.
func (r *runningSandbox) demo() *tui.Demo {
	return &tui.Demo{
		BaseURL: r.srv.BaseURL(),
		APIKey:  sandbox.DemoAppID,
		Secrets: demoSecrets(),
	}
}

// sandboxConfigDir creates the directory where this --sandbox run keeps
// the summaries of its throwaway instances, out of the user's config: a
// new directory under $TMPDIR with a random name, mode 0700. A fixed name
// could be planted beforehand by another user of the machine (a symlink
// to their directory) and the instance tokens written through it. It is
// left in place: the summary's path was shown to the user.
func sandboxConfigDir(f *factory) (string, error) {
	dir, err := os.MkdirTemp(f.tempDir(), "cewiz-sandbox-")
	if err != nil {
		return "", fmt.Errorf("cannot make the sandbox's directory: %w", err)
	}
	return dir, nil
}
