package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/cewiz/cewiz/flow"
)

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
