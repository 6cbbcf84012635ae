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

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey"
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
	if o.Sandbox && (o.Given("base-url") || o.Given("region")) {
		return &flow.UsageError{Flag: "sandbox", Err: errors.New("--sandbox points cewiz at the built-in emulator; leave out --base-url and --region")}
	}
	a, s, err := o.Resolve(lookup, os.ReadFile)
	if err != nil {
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
		Getenv:     func(k string) string { v, _ := lookup(k); return v },
	}
	if o.Sandbox {
		sb, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			return fmt.Errorf("cannot start the sandbox: %w", err)
		}
		defer sb.Close()
		tui.SandboxPrefill(&cfg, sb.BaseURL())
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
	}
	return nil
}
