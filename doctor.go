package main

import (
	"context"
	"errors"
	"io"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
	"github.com/cewiz/cewiz/tui"
)

// doctorOptions are `cewiz doctor`'s flags: the answers to check, the
// instance to inspect and --json (doctor.Flags).
type doctorOptions struct {
	doctor.Flags
}

const doctorSynopsis = "Run the troubleshooting checklist: the base URL answers, the secrets are\naccepted, the element supports polling, the domain and the notification URL\nresolve, the loopback port is free, a browser can be opened; with --instance\nalso the instance (valid, enabled, events on, vendor type, interval, poller\nconfiguration, its last events and their statuses); with --listen-events\nHOST:PORT, whether a notification reaches a receiver there (--listen-wait).\nSecrets come from CEWIZ_USER_SECRET and CEWIZ_ORG_SECRET (and\nCEWIZ_SIGNATURE_KEY to check signatures); answers not given are taken from\nthe instance's summary and the last successful run.\nIn a terminal the list updates live on stderr; otherwise one line per check\non stdout, or with --json a report. Exit 1 when a check fails."

var (
	errChecksFailed = errors.New("some checks failed (see above)")
	errNotCreated   = errors.New("the instance was not created (the error is above)")
)

func doctorCmd(f *factory, args []string) error {
	var opts doctorOptions
	fs := f.newFlagSet("doctor", doctorSynopsis)
	opts.Register(fs)
	if err := f.parseFlags(fs, &opts.Options, args); err != nil {
		return err
	}
	return doctorRun(f, &opts)
}

func doctorRun(f *factory, opts *doctorOptions) error {
	configDir, _ := f.configDir() // none: nothing remembered to start from
	cfg, err := opts.Config(flow.Memory{Dir: configDir})
	if err != nil {
		return err
	}
	s := flow.SecretsFromEnv(f.lookup)
	if err := opts.RequireSecrets(cfg, s); err != nil {
		return err
	}
	if cfg.InstanceID != 0 && !opts.Sandbox {
		// The summary cewiz saved when it created the instance knows where
		// it lives (unless --base-url or --region say) and its token.
		if sum, err := journey.LoadSummary(configDir, cfg.InstanceID); err == nil {
			cfg.InstanceToken = flow.NewSecret(sum.Token)
			if !opts.Given("base-url") && !opts.Given("region") && sum.BaseURL != "" {
				if u, err := flow.NormalizeBaseURL(sum.BaseURL); err == nil {
					cfg.Answers.BaseURL, cfg.Answers.Region = u, flow.RegionOf(u)
				}
			}
		}
	}
	if opts.Sandbox {
		sb, err := newSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&cfg.Answers, &s)
		cfg.Sandbox = true
	}
	ctx, stopSignals := signalContext()
	defer stopSignals()
	rep, err := runChecklist(ctx, f, cfg, s, f.io.Out, f.io.OutTerminal, opts.JSON)
	if err != nil {
		return err
	}
	if rep.Failed() {
		return errChecksFailed
	}
	return nil
}

// runChecklist runs the checklist for cfg and shows it: live on stderr when
// it is a terminal (then also plain lines on out when out is not one), else
// plain lines (or --json) on out. outTerminal says whether out is a
// terminal. The wizard's error screen reaches it through wizardDoctor.
func runChecklist(ctx context.Context, f *factory, cfg doctor.Config, s flow.Secrets, out io.Writer, outTerminal, asJSON bool) (doctor.Report, error) {
	cfg.SSHHost = oauthlistener.SSHHost(f.getenv)
	deps := doctor.RealDeps(&cfg, s, f.launcher(), currentVersion())
	// Screen readers and dumb terminals get plain lines.
	if !asJSON && !f.io.Accessible && f.io.ErrTerminal {
		rep, err := tui.RunDoctor(ctx, cfg, deps, f.io.In, f.io.Err, f.getenv)
		if errors.Is(err, tui.ErrCanceled) {
			return rep, errCanceled
		}
		if err != nil {
			return rep, err
		}
		if !outTerminal {
			_ = doctor.WritePlain(out, rep, doctor.Words)
		}
		return rep, nil
	}
	if asJSON {
		rep := doctor.Run(ctx, cfg, deps, nil)
		if ctx.Err() != nil {
			return rep, errCanceled
		}
		return rep, doctor.WriteJSON(out, rep)
	}
	style := doctor.Words
	if outTerminal {
		style = doctor.Symbols
	}
	rep, err := doctor.RunPlain(ctx, cfg, deps, out, style)
	if ctx.Err() != nil {
		return rep, errCanceled
	}
	return rep, err
}

// wizardDoctor is tui.Config.Doctor: when the user asks for the doctor on
// the wizard's error screen, the wizard ends with tui.OutcomeDoctor and the
// caller runs this with the wizard's answers and secrets. The checklist is
// live on stderr (plain lines there when stderr is not a terminal); stdout
// stays for results. It returns errChecksFailed when a check failed.
//
// createErr is the create failure the user was looking at: when no check
// fails, the checklist says it does not cover that failure, and the run
// still exits 1 (the instance was not created).
func wizardDoctor(f *factory, sandboxMode bool) tui.DoctorFunc {
	return func(ctx context.Context, a flow.Answers, s flow.Secrets, createErr error) error {
		cfg := doctor.Config{Answers: a, Sandbox: sandboxMode, CreateFailure: createErr}
		rep, err := runChecklist(ctx, f, cfg, s, f.io.Err, f.io.ErrTerminal, false)
		switch {
		case err != nil:
			return err
		case rep.Count(doctor.Fail) > 0:
			return errChecksFailed
		case rep.Failed():
			return errNotCreated
		}
		return nil
	}
}
