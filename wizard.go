package main

import (
	"errors"
	"fmt"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/tui"
)

// wizardOptions are the wizard's flags (`cewiz [flags]`): they and the
// CEWIZ_* variables prefill its answers.
type wizardOptions struct {
	flow.Options
}

const wizardSynopsis = "The wizard: asks for everything step by step, opens the browser to authorize,\nshows the body and creates the instance. Flags and CEWIZ_* variables prefill\nits answers. Needs a terminal; scripts use 'cewiz create' or 'cewiz export'."

func wizardCmd(f *factory, args []string) error {
	var opts wizardOptions
	fs := f.newFlagSet("", wizardSynopsis)
	opts.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsAuthorize|flow.FlagsAccessible)
	if err := f.parseFlags(fs, &opts.Options, args); err != nil {
		return err
	}
	return wizardRun(f, &opts)
}

// wizardRun runs the wizard on stdin and stderr (the UI) with the client
// and the browser launcher main builds, then prints the outcome: the
// created instance or the exported file on stdout, or runs the doctor the
// user asked for on the error screen.
func wizardRun(f *factory, opts *wizardOptions) error {
	a, s, err := opts.Resolve(f.lookup, flow.ReadInputFile)
	if err != nil {
		return err
	}
	notes, err := opts.ResolvePoll(&a, flow.PollBase{Offline: "before it connects, the wizard does not know the element's default"})
	if err != nil {
		return err
	}
	printNotes(f.io.Err, notes...)
	if err := flow.CheckAuthorizeFlags(opts.Listen, opts.Timeout); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()

	cfg := tui.Config{
		Answers:    a,
		Secrets:    s,
		NewClient:  f.wizardClient,
		Browser:    f.launcher(),
		Listen:     journey.Settings{ListenAddr: opts.Listen, Timeout: opts.Timeout, NoBrowser: opts.NoBrowser},
		Accessible: opts.Accessible || f.io.Accessible,
		Terminal:   f.attended(),
		Input:      f.io.In,
		Output:     f.io.Err,
		Getenv:     f.getenv,
		Doctor:     wizardDoctor(f, opts.Sandbox),
	}
	if opts.Sandbox {
		sb, err := newWizardSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&cfg.Answers, &cfg.Secrets)
		cfg.Notifications = sb.feed()
		cfg.Demo = sb.demo()
		// A throwaway: its base URL is not remembered for the next real
		// run, and its summaries stay out of the user's config.
		cfg.Sandbox, cfg.NoRemember = true, true
		if cfg.ConfigDir, err = sandboxConfigDir(); err != nil {
			return err
		}
	}
	out, err := tui.Run(ctx, cfg)
	switch {
	case errors.Is(err, tui.ErrCanceled):
		return errCanceled
	case errors.Is(err, tui.ErrNoTerminal):
		return &flow.UsageError{Err: err}
	case err != nil:
		return err
	}
	switch out.Kind {
	case tui.OutcomeCreated:
		fmt.Fprintf(f.io.Out, "created instance %d %q\n", out.Instance.ID, out.Instance.Name)
		if out.SummaryPath != "" {
			fmt.Fprintf(f.io.Err, "The instance id and token are saved in %s (mode 0600).\n", out.SummaryPath)
		}
	case tui.OutcomeExported:
		fmt.Fprintln(f.io.Out, out.ExportPath)
	case tui.OutcomeDoctor:
		return cfg.Doctor(ctx, out.Answers, out.Secrets)
	}
	return nil
}

// wizardClient is the wizard's tui.ClientFactory: the Connect step makes a
// client for the base URL and secrets it was given.
func (f *factory) wizardClient(baseURL string, s flow.Secrets) (tui.Client, error) {
	c, err := f.client(baseURL, s)
	if err != nil {
		return nil, err
	}
	return c, nil
}
