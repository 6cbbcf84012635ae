package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/charmbracelet/x/term"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// createOptions are `cewiz create`'s flags.
type createOptions struct {
	flow.Options
	// UniqueName: refuse to create when an instance of that name exists
	// (Cloud Elements accepts duplicate names).
	UniqueName bool
}

const createSynopsis = "Create the instance without prompts: authorize (unless a grant code is given:\n--code CODE, --code - to read it from stdin, out of ps, or CEWIZ_CODE), then\nPOST /instances, then print the result on stdout (a short summary, or with\n--json the instance as Cloud Elements returned it; its token stays masked and\nis saved, mode 0600, in the summary file named on stderr). Progress goes to\nstderr. Secrets come only from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET and\nCEWIZ_API_SECRET. Without --code a loopback listener catches the code: the\nbrowser opens ($BROWSER honoured; --no-browser prints the address), and in a\nterminal the redirected address or the code can also be pasted. A registered\nnon-loopback --callback-url needs --code or a terminal to paste into.\nExit codes: 0 created, 1 failed, 2 usage (a missing answer names its flag), 130 canceled."

func createCmd(f *factory, args []string) error {
	var opts createOptions
	fs := f.newFlagSet("create", createSynopsis)
	opts.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsAuthorize|flow.FlagsJSON)
	fs.BoolVar(&opts.UniqueName, "unique-name", false, "do not create when an instance of the same name exists (exit 1 naming it); without it, a warning")
	if err := f.parseFlags(fs, &opts.Options, args); err != nil {
		return err
	}
	return createRun(f, &opts)
}

// createRun authorizes (unless --code), creates the instance and reports
// it: the result on stdout, progress and questions on stderr. Pastes and
// the "authorize again?" question are read from stdin only when it is a
// terminal.
func createRun(f *factory, opts *createOptions) error {
	stdout, stderr := f.io.Out, f.io.Err
	if err := opts.readCodeFromStdin(f); err != nil {
		return err
	}
	a, s, err := opts.Resolve(f.lookup, flow.ReadInputFile)
	if err != nil {
		return err
	}
	configDir := ""
	if opts.Sandbox {
		sb, err := newSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&a, &s)
		if configDir, err = sandboxConfigDir(f); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Using the built-in sandbox at %s (demo secrets and application).\n", a.BaseURL)
	}
	terminal := f.io.InTerminal
	if err := flow.MissingForCreate(a, s, terminal); err != nil {
		return err
	}
	if err := flow.CheckAuthorizeFlags(opts.Listen, opts.Timeout); err != nil {
		return err
	}
	if !opts.Sandbox {
		configDir = f.savingConfigDir()
	}

	ctx, stopSignals := signalContext()
	defer stopSignals()

	siteForm := "" // the user's remembered form is not the emulator's
	if !opts.Sandbox {
		// The siteAddress form that worked last time is asked first.
		siteForm = flow.Memory{Dir: configDir}.SiteAddressForm()
	}
	client, err := f.client(a.BaseURL, s, siteForm)
	if err != nil {
		return &flow.UsageError{Flag: "base-url", Err: err}
	}
	if opts.Given("poll") {
		// --poll starts from the element's own default when it can be read.
		def, derr := client.ElementPollerDefaults(ctx)
		notes, err := opts.ResolvePoll(&a, flow.PollBase{Default: def, Err: derr})
		if err != nil {
			return err
		}
		printNotes(stderr, notes...)
	}
	printNotes(stderr, flow.NotificationURLWarning(a.NotificationURL))
	if err := checkSameName(ctx, stderr, client, flow.InstanceName(a), opts.UniqueName); err != nil {
		return err
	}
	settings := journey.Settings{ListenAddr: opts.Listen, Timeout: opts.Timeout, NoBrowser: opts.NoBrowser}
	watch := watchCancel(ctx, stderr, stopSignals)
	defer watch.stop()
	console := journey.Console{
		Deps:       journey.Deps{API: client, Browser: f.launcher(), Getenv: f.getenv},
		Settings:   settings,
		Out:        stderr,
		CodeFrom:   opts.CodeSource(),
		OnCreating: watch.creating,
	}
	if terminal {
		console.Lines = journey.LineSource(f.io.In)
	}
	res, err := console.Run(ctx, a, s)
	res.Answers.SiteAddressForm = client.SiteAddressForm().String()
	report := journey.ReportOptions{JSON: opts.JSON, ConfigDir: configDir, Home: f.home(), Remember: !opts.Sandbox, Settings: settings}
	if ctx.Err() != nil && watch.sent() {
		// Canceled after the create request left: what the lookup by name
		// found is the truth to tell, and the exit stays 130.
		return canceledAfterCreate(stdout, stderr, res, err, report)
	}
	if err != nil {
		switch journey.Classify(err) {
		case journey.KindCanceled:
			return errCanceled
		case journey.KindInvalid:
			var me *journey.MissingError
			if errors.As(err, &me) {
				return &flow.UsageError{Flag: me.Flag, Err: err}
			}
			return &flow.UsageError{Err: err}
		}
		if ctx.Err() != nil {
			return errCanceled
		}
		return err
	}
	return journey.ReportCreated(stdout, stderr, res, report)
}

// readCodeFromStdin makes --code - read the grant code from stdin: from a
// pipe or a file as it comes, from a terminal after a prompt, unechoed.
func (o *createOptions) readCodeFromStdin(f *factory) error {
	if o.Code != "-" {
		return nil
	}
	if !f.io.InTerminal {
		o.CodeInput = f.io.In
		return nil
	}
	fd, ok := f.io.In.(interface{ Fd() uintptr })
	if !ok {
		o.CodeInput = f.io.In
		return nil
	}
	fmt.Fprint(f.io.Err, "Paste the grant code and press Enter (it is not shown): ")
	code, err := term.ReadPassword(fd.Fd())
	fmt.Fprintln(f.io.Err)
	if err != nil {
		return &flow.UsageError{Flag: "code", Err: fmt.Errorf("cannot read the code: %w", err)}
	}
	o.CodeInput = strings.NewReader(string(code) + "\n")
	return nil
}

// checkSameName looks for instances already named name (Cloud Elements
// accepts duplicates): a warning on stderr, or with --unique-name an error
// naming them (exit 1). A lookup that fails is a warning, or with
// --unique-name an error: uniqueness could not be checked.
func checkSameName(ctx context.Context, stderr io.Writer, api journey.NameLookup, name string, unique bool) error {
	found, err := journey.SameName(ctx, api, name)
	switch {
	case err != nil && ctx.Err() != nil:
		return errCanceled
	case err != nil && unique:
		return fmt.Errorf("--unique-name: cannot check whether an instance named %q exists: %w", name, err)
	case err != nil:
		printNotes(stderr, fmt.Sprintf("could not check whether an instance named %q already exists (%v); creating it anyway", name, err))
		return nil
	case len(found) == 0:
		return nil
	case unique:
		ids := make([]string, len(found))
		for i, in := range found {
			ids[i] = fmt.Sprint(in.ID)
		}
		return fmt.Errorf("not created: --unique-name, and %d instance(s) named %q already exist (id %s); choose another --name, or leave out --unique-name to create one more",
			len(found), name, strings.Join(ids, ", "))
	}
	printNotes(stderr, journey.SameNameWarning(name, found)+" Creating another (--unique-name refuses instead).")
	return nil
}

// cancelWatch tells, at the moment of a Ctrl-C or SIGTERM after the create
// request may have left, that the instance is being looked up, and lets a
// second Ctrl-C end the wait.
type cancelWatch struct {
	mu      sync.Mutex
	begun   bool // POST /instances is about to be sent or was sent
	done    chan struct{}
	stopped sync.Once
}

func watchCancel(ctx context.Context, stderr io.Writer, stopSignals func()) *cancelWatch {
	w := &cancelWatch{done: make(chan struct{})}
	go func() {
		select {
		case <-w.done:
		case <-ctx.Done():
			stopSignals() // a second Ctrl-C ends the process at once
			if w.sent() {
				fmt.Fprintf(stderr, "\nCanceling: the create request may already have reached Cloud Elements, so the instance may exist. Looking it up by name (%s at most; Ctrl-C again to stop waiting)…\n", cloudelements.CancelLookupTimeout)
			}
		}
	}()
	return w
}

func (w *cancelWatch) creating() { w.mu.Lock(); w.begun = true; w.mu.Unlock() }

func (w *cancelWatch) sent() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.begun }

func (w *cancelWatch) stop() { w.stopped.Do(func() { close(w.done) }) }

// canceledError is a cancel (exit 130) with what is known about its
// consequences.
type canceledError struct{ detail string }

func (e *canceledError) Error() string { return "canceled: " + e.detail }

// Is makes a canceledError an errCanceled.
func (e *canceledError) Is(target error) bool { return target == errCanceled }

// canceledAfterCreate reports a cancel that came after POST /instances
// was sent: the instance the client found by name is printed and saved
// like any created one; otherwise it says that the instance may exist. It
// returns the cancel (exit 130) either way.
func canceledAfterCreate(stdout, stderr io.Writer, res journey.Result, err error, o journey.ReportOptions) error {
	if err == nil && res.Instance != nil {
		if rerr := journey.ReportCreated(stdout, stderr, res, o); rerr != nil {
			return rerr
		}
		return canceledInstanceCreated(res.Instance.ID)
	}
	var ne *cloudelements.NetError
	if errors.As(err, &ne) && ne.Kind == cloudelements.NetCanceled && !ne.Sent {
		return &canceledError{detail: "before the create request was sent: nothing was created"}
	}
	name := flow.InstanceName(res.Answers)
	return &canceledError{detail: fmt.Sprintf("after the create request was sent, so the instance %q may exist, but it was not found by name in time. "+
		"Do not create it again yet: list the instances in a minute (Cloud Elements console), then authorize again if it is not there", name)}
}

// canceledInstanceCreated is the cancel (exit 130) that came after the create
// request was sent and the instance id was found by name, its summary
// printed above.
func canceledInstanceCreated(id int64) error {
	return &canceledError{detail: fmt.Sprintf("after the create request was sent; instance %d was created (see above)", id)}
}
