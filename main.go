// Command cewiz creates a Cloud Elements DocuShare Flex element instance with
// polling events: a terminal wizard, a body exporter, a scripted create, and a
// troubleshooting doctor. This file is the command table and the exit codes;
// each command's options and behaviour are in a file of its own (wizard.go,
// export.go, create.go, doctor.go, events.go with events_receive.go and
// events_watch.go, sandbox.go, version.go), and factory.go
// wires what every command shares: the standard streams, decided once, the
// Cloud Elements client and the browser launcher. The work lives in flow/,
// tui/ and oauthlistener/.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cewiz/cewiz/flow"
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
  cewiz events receive     a local notification receiver (signatures checked, replays refused)
  cewiz events watch       an instance's event log and its statuses (--follow)
  cewiz sandbox [--addr]   run the built-in Cloud Elements emulator until Ctrl-C
  cewiz version            print the version (also --version)
  cewiz completion SHELL   print a completion script for bash, zsh or fish

Run 'cewiz <command> --help' for a command's flags. Every flag can also be set
with an environment variable: --refresh-interval ↔ CEWIZ_REFRESH_INTERVAL.
Secrets are read only from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET,
CEWIZ_API_SECRET and CEWIZ_SIGNATURE_KEY (a flag would show in ps). A grant
code is given with --code CODE, --code - (read from stdin, out of ps) or
CEWIZ_CODE.

Try it without an account:  cewiz --sandbox
`

// command is one row of the command table: `cewiz <name> [flags]`. run
// parses the command's flags into its options and does the work.
type command struct {
	name string
	run  func(f *factory, args []string) error
}

// commands is the command table; the wizard is the command without a name.
// It is filled in init: help and completion read it.
var commands []command

func init() {
	commands = []command{
		{"", wizardCmd},
		{"export", exportCmd},
		{"create", createCmd},
		{"doctor", doctorCmd},
		{"events", eventsCmd},
		{"sandbox", sandboxCmd},
		{"version", versionCmd},
		{"completion", completionCmd},
		{"help", helpCmd},
	}
}

func main() {
	os.Exit(run(os.Args[1:], systemStreams(os.LookupEnv), os.LookupEnv))
}

// run runs the command args name with the streams io and the environment
// lookup, and returns the exit code.
func run(args []string, io *streams, lookup func(string) (string, bool)) int {
	name := ""
	switch {
	case len(args) > 0 && (args[0] == "--version" || args[0] == "-version"):
		name, args = "version", args[1:]
	case len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-':
		name, args = args[0], args[1:]
	}
	f := &factory{io: io, lookup: lookup}
	for _, c := range commands {
		if c.name == name {
			return report(io.Err, c.run(f, args))
		}
	}
	fmt.Fprintf(io.Err, "cewiz: unknown command %q; the commands are %s (see 'cewiz --help')\n", name, strings.Join(commandNames(), ", "))
	return exitUsage
}

// helpCmd is `cewiz help [COMMAND]`: the usage, or a command's --help.
func helpCmd(f *factory, args []string) error {
	if len(args) > 0 && args[0] != "help" {
		for _, c := range commands {
			if c.name == args[0] && c.name != "" {
				return c.run(f, []string{"--help"})
			}
		}
		return &flow.UsageError{Err: fmt.Errorf("no command %q; the commands are %s", args[0], strings.Join(commandNames(), ", "))}
	}
	fmt.Fprint(f.io.Out, usage)
	return nil
}

// commandNames are the named commands, in the table's order.
func commandNames() []string {
	var names []string
	for _, c := range commands {
		if c.name != "" {
			names = append(names, c.name)
		}
	}
	return names
}

// printNotes writes each non-empty note as a "cewiz: " line on stderr.
func printNotes(stderr io.Writer, notes ...string) {
	for _, n := range notes {
		if n != "" {
			fmt.Fprintln(stderr, "cewiz: "+n)
		}
	}
}

var errCanceled = errors.New("canceled")

// report prints err for the user and returns the exit code it deserves.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	// One line whatever the kind: a usage error names the flag (or the
	// variable) and the form it expects, with no usage dump, which would
	// bury it; a cancel may say what it left behind.
	fmt.Fprintf(stderr, "cewiz: %v\n", err)
	var usageErr *flow.UsageError
	switch {
	case errors.Is(err, errCanceled):
		return exitCanceled
	case errors.As(err, &usageErr):
		return exitUsage
	}
	return exitFailure
}
