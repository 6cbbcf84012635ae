package main

import (
	"errors"
	"fmt"
	"strings"

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
	// Under --sandbox the config directory is the sandbox's (below), and
	// the user's remembered siteAddress form is not the emulator's.
	configDir, siteForm := "", ""
	if !opts.Sandbox {
		configDir = f.savingConfigDir()
		siteForm = flow.Memory{Dir: configDir}.SiteAddressForm()
	}
	ctx, stop := signalContext()
	defer stop()

	cfg := tui.Config{
		Answers:    a,
		Secrets:    s,
		NewClient:  f.wizardClient(siteForm),
		Browser:    f.launcher(),
		Listen:     journey.Settings{ListenAddr: opts.Listen, Timeout: opts.Timeout, NoBrowser: opts.NoBrowser},
		Accessible: opts.Accessible || f.io.Accessible,
		Terminal:   f.attended(),
		Input:      f.io.In,
		Output:     f.io.Err,
		Getenv:     f.getenv,
		ConfigDir:  configDir,
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
		if cfg.ConfigDir, err = sandboxConfigDir(f); err != nil {
			return err
		}
	}
	out, err := tui.Run(ctx, cfg)
	var cac *tui.CanceledAfterCreateError
	var ended *tui.InputEndedError
	switch {
	case errors.As(err, &ended):
		return &flow.UsageError{Err: err}
	case errors.As(err, &cac):
		return wizardCanceledAfterCreate(f, cac)
	case errors.Is(err, tui.ErrCanceled):
		return errCanceled
	case errors.Is(err, tui.ErrNoTerminal):
		return &flow.UsageError{Err: err}
	case err != nil:
		return err
	}
	switch out.Kind {
	case tui.OutcomeCreated:
		// The wizard's last frame names the instance and its summary on
		// stderr; stdout carries the result for a script that captures it.
		if !f.io.OutTerminal {
			fmt.Fprintf(f.io.Out, "created instance %d %q\n", out.Instance.ID, out.Instance.Name)
		}
	case tui.OutcomeExported:
		fmt.Fprintln(f.io.Out, out.ExportPath)
	case tui.OutcomeNotCreated:
		return errNotCreated
	case tui.OutcomeDoctor:
		return cfg.Doctor(ctx, out.Answers, out.Secrets, out.Err)
	}
	return nil
}

// wizardCanceledAfterCreate reports a cancel that came after the create
// request had left: the instance found by name (its summary saved), or
// that it may exist. The exit stays 130.
func wizardCanceledAfterCreate(f *factory, e *tui.CanceledAfterCreateError) error {
	if e.Instance == nil {
		return &canceledError{detail: strings.TrimPrefix(e.Error(), "canceled ")}
	}
	fmt.Fprintf(f.io.Out, "created instance %d %q\n", e.Instance.ID, e.Instance.Name)
	found := fmt.Sprintf("The create request had left when you canceled, so the instance may exist: looking it up by name found instance %d %q.", e.Instance.ID, e.Instance.Name)
	switch {
	case e.SummaryPath != "":
		fmt.Fprintf(f.io.Err, "%s Its id and token are saved in %s (mode 0600).\n", found, journey.ShortPath(e.SummaryPath, f.home()))
	case e.SummaryErr != nil:
		fmt.Fprintf(f.io.Err, "%s Its summary could not be saved (%v): note the id.\n", found, e.SummaryErr)
	default:
		fmt.Fprintln(f.io.Err, found)
	}
	return canceledInstanceCreated(e.Instance.ID)
}

// wizardClient is the wizard's tui.ClientFactory: the Connect step makes a
// client for the base URL and secrets it was given, asking oauth/url with
// the siteAddress form that worked last (siteForm, remembered; "" for the
// client's default).
func (f *factory) wizardClient(siteForm string) tui.ClientFactory {
	return func(baseURL string, s flow.Secrets) (tui.Client, error) {
		c, err := f.client(baseURL, s, siteForm)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}
