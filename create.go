package main

import (
	"errors"
	"fmt"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

// createOptions are `cewiz create`'s flags.
type createOptions struct {
	flow.Options
}

const createSynopsis = "Create the instance without prompts: authorize (unless --code is given), then\nPOST /instances, then print the result on stdout (a short summary, or with\n--json the instance as Cloud Elements returned it; its token stays masked and\nis saved, mode 0600, in the summary file named on stderr). Progress goes to\nstderr. Secrets come only from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET and\nCEWIZ_API_SECRET. Without --code a loopback listener catches the code: the\nbrowser opens ($BROWSER honoured; --no-browser prints the address), and in a\nterminal the redirected address or the code can also be pasted. A registered\nnon-loopback --callback-url needs --code or a terminal to paste into.\nExit codes: 0 created, 1 failed, 2 usage (a missing answer names its flag), 130 canceled."

func createCmd(f *factory, args []string) error {
	var opts createOptions
	fs := f.newFlagSet("create", createSynopsis)
	opts.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsAuthorize|flow.FlagsJSON)
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
	a, s, err := opts.Resolve(f.lookup, flow.ReadInputFile)
	if err != nil {
		return err
	}
	configDir, remember := "", true
	if opts.Sandbox {
		sb, err := newSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&a, &s)
		if configDir, err = sandboxConfigDir(); err != nil {
			return err
		}
		remember = false
		fmt.Fprintf(stderr, "Using the built-in sandbox at %s (demo secrets and application).\n", a.BaseURL)
	}
	terminal := f.io.InTerminal
	if err := flow.MissingForCreate(a, s, terminal); err != nil {
		return err
	}
	if err := flow.CheckAuthorizeFlags(opts.Listen, opts.Timeout); err != nil {
		return err
	}

	ctx, stopSignals := signalContext()
	defer stopSignals()

	client, err := f.client(a.BaseURL, s)
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
	settings := journey.Settings{ListenAddr: opts.Listen, Timeout: opts.Timeout, NoBrowser: opts.NoBrowser}
	console := journey.Console{
		Deps:     journey.Deps{API: client, Browser: f.launcher(), Getenv: f.getenv},
		Settings: settings,
		Out:      stderr,
	}
	if terminal {
		console.Lines = journey.LineSource(f.io.In)
	}
	res, err := console.Run(ctx, a, s)
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
	return journey.ReportCreated(stdout, stderr, res, journey.ReportOptions{JSON: opts.JSON, ConfigDir: configDir, Remember: remember, Settings: settings})
}
