// Command cewiz creates a Cloud Elements DocuShare Flex element instance with
// polling events: a terminal wizard, a body exporter, a scripted create, and a
// troubleshooting doctor. main only parses the command line, wires the real
// dependencies and maps errors to exit codes; the work lives in flow/, tui/
// and oauthlistener/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/charmbracelet/x/term"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
	"github.com/cewiz/cewiz/tui"
)

// Set by goreleaser: -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// Exit codes (SPEC §2).
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitCanceled = 130
)

const usage = `cewiz creates a Cloud Elements DocuShare Flex instance with polling events.

Usage:
  cewiz [flags]            the wizard (needs a terminal)
  cewiz export [flags]     print the POST /instances body as JSON on stdout; no network
  cewiz create [flags]     no prompts: authorize, create, print the result (--json)
  cewiz doctor [flags]     troubleshooting checklist; --instance ID also inspects an instance
  cewiz sandbox [--addr]   run the built-in Cloud Elements emulator until Ctrl-C
  cewiz version            print the version

Run 'cewiz <command> --help' for a command's flags. Every flag can also be set
with an environment variable: --refresh-interval ↔ CEWIZ_REFRESH_INTERVAL.
Secrets are read only from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET and
CEWIZ_API_SECRET (a flag would show in ps).

Try it without an account:  cewiz --sandbox
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}

func run(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "export":
		return report(stderr, runExport(args, stdout, stderr, lookup))
	case "sandbox":
		return report(stderr, runSandbox(args, stdout, stderr))
	case "create":
		return report(stderr, runCreate(args, stdout, stderr, lookup))
	case "doctor":
		return report(stderr, runDoctor(args, stdout, stderr, lookup))
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "":
		return report(stderr, runWizard(args, stdout, stderr, lookup))
	default:
		fmt.Fprintf(stderr, "cewiz: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// newFlagSet makes a command's flag set whose --help lists its flags.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cewiz "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cewiz %s [flags]\n\n%s\n\nFlags (each also CEWIZ_<NAME>, e.g. --notify-url ↔ CEWIZ_NOTIFY_URL):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, then the CEWIZ_* variables when o is not nil. It
// returns flag.ErrHelp for --help, errFlagParse when the flag package has
// already printed the problem, or a *flow.UsageError.
func parseFlags(fs *flag.FlagSet, o *flow.Options, args []string, lookup func(string) (string, bool)) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlagParse
	}
	if fs.NArg() > 0 {
		return &flow.UsageError{Err: fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))}
	}
	if o == nil {
		return nil
	}
	return o.ApplyEnv(lookup)
}

// report prints err for the user and returns the exit code it deserves.
func report(stderr io.Writer, err error) int {
	var usageErr *flow.UsageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errCanceled):
		fmt.Fprintln(stderr, "cewiz: canceled")
		return exitCanceled
	case errors.As(err, &usageErr):
		fmt.Fprintf(stderr, "cewiz: %v\nRun with --help to see the flags.\n", err)
		return exitUsage
	case errors.Is(err, errFlagParse):
		return exitUsage // the flag package already printed the problem and the usage
	default:
		fmt.Fprintf(stderr, "cewiz: %v\n", err)
		return exitFailure
	}
}

var (
	errCanceled  = errors.New("canceled")
	errFlagParse = errors.New("bad flags")
)

func versionLine() string {
	v, c, d := version, commit, date
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version // go install github.com/cewiz/cewiz@vX
		}
	}
	s := "cewiz " + v
	if c != "" {
		s += " (commit " + c
		if d != "" {
			s += ", built " + d
		}
		s += ")"
	}
	return s
}

func runExport(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) error {
	fs := newFlagSet("export", "Print the POST /instances body on stdout (no network). Missing answers and,\nunless --include-secrets, the Application Secret and the code become placeholders.\n--format curl prints an equivalent cURL command reading the secrets from $CEWIZ_* variables.", stderr)
	var o flow.Options
	o.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsIncludeSecrets)
	format := fs.String("format", "json", "output `format`: json or curl")
	if err := parseFlags(fs, &o, args, lookup); err != nil {
		return err
	}
	a, s, err := o.Resolve(lookup, os.ReadFile)
	if err != nil {
		return err
	}
	notes, err := o.ResolvePoll(&a, flow.PollBase{Offline: "export never contacts Cloud Elements"})
	if err != nil {
		return err
	}
	printNotes(stderr, append(notes, flow.NotificationURLWarning(a.NotificationURL))...)
	switch *format {
	case "json":
		mode := flow.SecretsPlaceholder
		if o.IncludeSecrets {
			mode = flow.SecretsIncluded
		}
		body := flow.BuildBody(a, s, mode)
		out, err := flow.MarshalBody(body)
		if err != nil {
			return err
		}
		if _, err := stdout.Write(out); err != nil {
			return err
		}
		if !o.IncludeSecrets && (!s.APISecret.IsZero() || !a.Code.IsZero()) {
			fmt.Fprintln(stderr, "cewiz: the Application Secret and the code were replaced by placeholders; add --include-secrets to write them.")
		}
		if ph := body.Placeholders(); len(ph) > 0 {
			fmt.Fprintf(stderr, "cewiz: the body still has placeholders to fill in: %v\n", ph)
		}
	case "curl":
		out, err := flow.ExportCurl(a, a.BaseURL)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, out)
	default:
		return &flow.UsageError{Flag: "format", Err: fmt.Errorf("unknown format %q; use json or curl", *format)}
	}
	return nil
}

func runSandbox(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sandbox", "Run the built-in Cloud Elements emulator (with its DocuShare Flex consent page)\nuntil Ctrl-C. It prints its base URL and demo secrets on stdout and one line\nper request on stderr. Point cewiz at it with --base-url.", stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`; port 0 picks a free port")
	if err := parseFlags(fs, nil, args, nil); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Ctrl-C is how the sandbox is meant to stop: it ends with exit 0.
	return sandbox.Run(ctx, *addr, stdout, sandbox.Options{Admin: true, Log: stderr})
}

func runWizard(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) error {
	fs := newFlagSet("", "The wizard: asks for everything step by step, opens the browser to authorize,\nshows the body and creates the instance. Flags and CEWIZ_* variables prefill\nits answers. Needs a terminal; scripts use 'cewiz create' or 'cewiz export'.", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fmt.Fprint(stderr, "\nWizard flags (each also CEWIZ_<NAME>):\n")
		fs.PrintDefaults()
	}
	var o flow.Options
	o.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsAuthorize|flow.FlagsAccessible)
	if err := parseFlags(fs, &o, args, lookup); err != nil {
		return err
	}
	a, s, err := o.Resolve(lookup, os.ReadFile)
	if err != nil {
		return err
	}
	notes, err := o.ResolvePoll(&a, flow.PollBase{Offline: "before it connects, the wizard does not know the element's default"})
	if err != nil {
		return err
	}
	printNotes(stderr, notes...)
	if err := flow.CheckAuthorizeFlags(o.Listen, o.Timeout); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := tui.Config{
		Answers:    a,
		Secrets:    s,
		Listen:     journey.Settings{ListenAddr: o.Listen, Timeout: o.Timeout, NoBrowser: o.NoBrowser},
		Accessible: o.Accessible,
		Input:      os.Stdin,
		Output:     stderr,
		Getenv:     getenvFrom(lookup),
		Doctor:     wizardDoctor(stderr, lookup, o.Sandbox),
	}
	if o.Sandbox {
		sb, err := newSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&cfg.Answers, &cfg.Secrets)
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
		fmt.Fprintf(stdout, "created instance %d %q\n", out.Instance.ID, out.Instance.Name)
		if out.SummaryPath != "" {
			fmt.Fprintf(stderr, "The instance id and token are saved in %s (mode 0600).\n", out.SummaryPath)
		}
	case tui.OutcomeExported:
		fmt.Fprintln(stdout, out.ExportPath)
	case tui.OutcomeDoctor:
		return cfg.Doctor(ctx, out.Answers, out.Secrets)
	}
	return nil
}

// ---- cewiz create (issue 6) ----

// Terminal checks and the input used to paste a code; tests replace them.
var (
	createStdin     io.Reader = os.Stdin
	stdinIsTerminal           = func() bool { return isTerminalFile(os.Stdin) }
)

// isTerminalFile reports whether f is a terminal (not /dev/null, a pipe or a file).
func isTerminalFile(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// writerIsTerminal reports whether w is a terminal (false for buffers).
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminalFile(f)
}

// getenvFrom turns run's lookup into a getenv.
func getenvFrom(lookup func(string) (string, bool)) func(string) string {
	return func(k string) string { v, _ := lookup(k); return v }
}

// newLauncher is the browser launcher for create and doctor. It reads the
// environment through lookup. An explicit $BROWSER is honoured even when no
// one is at a terminal: setting it is a deliberate choice (a CI helper, a
// dev container's opener, a test).
func newLauncher(lookup func(string) (string, bool), stderr io.Writer) *oauthlistener.Launcher {
	getenv := getenvFrom(lookup)
	return &oauthlistener.Launcher{
		Getenv: getenv,
		IsTerminal: func() bool {
			return getenv("BROWSER") != "" || (stdinIsTerminal() && writerIsTerminal(stderr))
		},
	}
}

func runCreate(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) error {
	fs := newFlagSet("create", "Create the instance without prompts: authorize (unless --code is given), then\nPOST /instances, then print the result on stdout (a short summary, or with\n--json the instance as Cloud Elements returned it; its token stays masked and\nis saved, mode 0600, in the summary file named on stderr). Progress goes to\nstderr. Secrets come only from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET and\nCEWIZ_API_SECRET. Without --code a loopback listener catches the code: the\nbrowser opens ($BROWSER honoured; --no-browser prints the address), and in a\nterminal the redirected address or the code can also be pasted. A registered\nnon-loopback --callback-url needs --code or a terminal to paste into.\nExit codes: 0 created, 1 failed, 2 usage (a missing answer names its flag), 130 canceled.", stderr)
	var o flow.Options
	o.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsAuthorize|flow.FlagsJSON)
	if err := parseFlags(fs, &o, args, lookup); err != nil {
		return err
	}
	a, s, err := o.Resolve(lookup, os.ReadFile)
	if err != nil {
		return err
	}
	configDir, remember := "", true
	if o.Sandbox {
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
	terminal := stdinIsTerminal()
	if err := flow.MissingForCreate(a, s, terminal); err != nil {
		return err
	}
	if err := flow.CheckAuthorizeFlags(o.Listen, o.Timeout); err != nil {
		return err
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	client, err := cloudelements.New(a.BaseURL, s.UserSecret, s.OrgSecret, cloudelements.WithVersion(version))
	if err != nil {
		return &flow.UsageError{Flag: "base-url", Err: err}
	}
	if o.Given("poll") {
		// --poll starts from the element's own default when it can be read.
		def, derr := client.ElementPollerDefaults(ctx)
		notes, err := o.ResolvePoll(&a, flow.PollBase{Default: def, Err: derr})
		if err != nil {
			return err
		}
		printNotes(stderr, notes...)
	}
	printNotes(stderr, flow.NotificationURLWarning(a.NotificationURL))
	console := journey.Console{
		Deps:     journey.Deps{API: client, Browser: newLauncher(lookup, stderr), Getenv: getenvFrom(lookup)},
		Settings: journey.Settings{ListenAddr: o.Listen, Timeout: o.Timeout, NoBrowser: o.NoBrowser},
		Out:      stderr,
	}
	if terminal {
		console.Lines = journey.LineSource(createStdin)
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
	return journey.ReportCreated(stdout, stderr, res, journey.ReportOptions{JSON: o.JSON, ConfigDir: configDir, Remember: remember})
}

// printNotes writes each non-empty note as a "cewiz: " line on stderr.
func printNotes(stderr io.Writer, notes ...string) {
	for _, n := range notes {
		if n != "" {
			fmt.Fprintln(stderr, "cewiz: "+n)
		}
	}
}

// ---- cewiz doctor (issue 6) ----

var errChecksFailed = errors.New("some checks failed (see above)")

func runDoctor(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) error {
	fs := newFlagSet("doctor", "Run the troubleshooting checklist: the base URL answers, the secrets are\naccepted, the element supports polling, the domain and the notification URL\nresolve, the loopback port is free, a browser can be opened; with --instance\nalso the instance (valid, enabled, events on, vendor type, interval, poller\nconfiguration, recent events). Secrets come from CEWIZ_USER_SECRET and\nCEWIZ_ORG_SECRET; answers not given are taken from the last successful run.\nIn a terminal the list updates live on stderr; otherwise one line per check\non stdout, or with --json a report. Exit 1 when a check fails.", stderr)
	var f doctor.Flags
	f.Register(fs)
	if err := parseFlags(fs, &f.Options, args, lookup); err != nil {
		return err
	}
	cfg, err := f.Config(flow.Memory{})
	if err != nil {
		return err
	}
	s := flow.SecretsFromEnv(lookup)
	if err := f.RequireSecrets(cfg, s); err != nil {
		return err
	}
	if f.Sandbox {
		sb, err := newSandbox()
		if err != nil {
			return err
		}
		defer sb.close()
		sb.prefill(&cfg.Answers, &s)
		cfg.Sandbox = true
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	rep, err := runDoctorWith(ctx, cfg, s, stdout, stderr, lookup, f.JSON)
	if err != nil {
		return err
	}
	if rep.Failed() {
		return errChecksFailed
	}
	return nil
}

// doctorDeps wires the real collaborators (doctor.RealDeps) with the
// launcher reading the environment through lookup.
func doctorDeps(cfg *doctor.Config, s flow.Secrets, stderr io.Writer, lookup func(string) (string, bool)) doctor.Deps {
	cfg.SSHHost = oauthlistener.SSHHost(getenvFrom(lookup))
	return doctor.RealDeps(cfg, s, newLauncher(lookup, stderr), version)
}

// runDoctorWith runs the checklist for cfg and shows it: live on stderr in
// a terminal (then also plain lines on stdout when stdout is redirected),
// else plain lines (or --json) on stdout. The wizard's error screen reaches
// it through wizardDoctor.
func runDoctorWith(ctx context.Context, cfg doctor.Config, s flow.Secrets, stdout, stderr io.Writer, lookup func(string) (string, bool), asJSON bool) (doctor.Report, error) {
	deps := doctorDeps(&cfg, s, stderr, lookup)
	getenv := getenvFrom(lookup)
	// Screen readers (ACCESSIBLE=1) and dumb terminals get plain lines.
	accessible := getenv("TERM") == "dumb" || flow.AccessibleRequested(getenv("ACCESSIBLE"))
	if !asJSON && !accessible && writerIsTerminal(stderr) {
		rep, err := tui.RunDoctor(ctx, cfg, deps, os.Stdin, stderr, getenv)
		if errors.Is(err, tui.ErrCanceled) {
			return rep, errCanceled
		}
		if err != nil {
			return rep, err
		}
		if !writerIsTerminal(stdout) {
			_ = doctor.WritePlain(stdout, rep, doctor.Words)
		}
		return rep, nil
	}
	if asJSON {
		rep := doctor.Run(ctx, cfg, deps, nil)
		if ctx.Err() != nil {
			return rep, errCanceled
		}
		return rep, doctor.WriteJSON(stdout, rep)
	}
	style := doctor.Words
	if writerIsTerminal(stdout) {
		style = doctor.Symbols
	}
	rep, err := doctor.RunPlain(ctx, cfg, deps, stdout, style)
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
func wizardDoctor(stderr io.Writer, lookup func(string) (string, bool), sandboxMode bool) tui.DoctorFunc {
	return func(ctx context.Context, a flow.Answers, s flow.Secrets) error {
		rep, err := runDoctorWith(ctx, doctor.Config{Answers: a, Sandbox: sandboxMode}, s, stderr, stderr, lookup, false)
		if err == nil && rep.Failed() {
			return errChecksFailed
		}
		return err
	}
}
