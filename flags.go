package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/cewiz/cewiz/flow"
)

// commandFlags is one command's flag set as newFlagSet made it: what --help
// prints and what the completion scripts offer.
type commandFlags struct {
	name     string // "" for the wizard
	synopsis string
	fs       *flag.FlagSet
}

// newFlagSet makes a command's flag set. The flag package prints nothing
// itself: a mistyped flag is one line naming the flag and the form it
// expects (flagProblem), and the usage is printed only for --help, on
// stdout (parseFlags).
func (f *factory) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(strings.TrimSpace("cewiz "+name), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	f.flagSets = append(f.flagSets, commandFlags{name: name, synopsis: synopsis, fs: fs})
	return fs
}

// parseFlags parses args, then the CEWIZ_* variables when o is not nil.
// --help prints the command's help on stdout and returns flag.ErrHelp
// (exit 0); a flag problem is a *flow.UsageError of one line.
func (f *factory) parseFlags(fs *flag.FlagSet, o *flow.Options, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.printHelp(fs)
			return err
		}
		return flagProblem(fs, err)
	}
	if fs.NArg() > 0 {
		return &flow.UsageError{Err: fmt.Errorf("unexpected argument %q (flags start with --; see '%s --help')", fs.Arg(0), fs.Name())}
	}
	if o == nil {
		return nil
	}
	return o.ApplyEnv(f.lookup)
}

// printHelp writes the help of the command whose flag set is fs on stdout.
func (f *factory) printHelp(fs *flag.FlagSet) {
	w := f.io.Out
	for _, c := range f.flagSets {
		if c.fs != fs {
			continue
		}
		if c.name == "" {
			fmt.Fprint(w, usage)
			fmt.Fprint(w, "\nWizard flags (each also CEWIZ_<NAME>):\n")
		} else {
			fmt.Fprintf(w, "Usage: cewiz %s [flags]\n\n%s\n\nFlags (each also CEWIZ_<NAME>, e.g. --notify-url ↔ CEWIZ_NOTIFY_URL):\n", c.name, c.synopsis)
		}
		printFlags(w, fs)
		return
	}
}

// printFlags lists fs's flags as --name VALUE, then the usage indented.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && !strings.Contains(usage, "(default") {
			usage += " (default " + d + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, strings.ReplaceAll(usage, "\n", "\n      "))
	})
}

// The flag package's messages, which flagProblem rewrites as one line.
var (
	reUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	reNeedsArg  = regexp.MustCompile(`^flag needs an argument: -+(.+)$`)
	reBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): (.*)$`)
	reBadSyntax = regexp.MustCompile(`^bad flag syntax: (.*)$`)
)

// flagProblem turns a flag.Parse error into one line naming the flag and
// the form it expects.
func flagProblem(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	help := fmt.Sprintf("see '%s --help'", fs.Name())
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		hint := help
		if near := nearestFlag(fs, m[1]); near != "" {
			hint = "did you mean --" + near + "? (" + help + ")"
		}
		return &flow.UsageError{Err: fmt.Errorf("unknown flag --%s; %s", m[1], hint)}
	}
	if m := reNeedsArg.FindStringSubmatch(msg); m != nil {
		return &flow.UsageError{Flag: m[1], Err: fmt.Errorf("needs a value: %s", expectedForm(fs.Lookup(m[1])))}
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if strings.Contains(why, "parse error") || strings.Contains(why, "invalid syntax") || strings.HasPrefix(why, "time: ") {
			why = "not valid"
		} else {
			why = strings.TrimPrefix(why, fmt.Sprintf("%q ", m[1]))
		}
		return &flow.UsageError{Flag: m[2], Err: fmt.Errorf("%q is %s; %s", m[1], strings.TrimPrefix(why, "is "), expectedForm(fs.Lookup(m[2])))}
	}
	if m := reBadSyntax.FindStringSubmatch(msg); m != nil {
		return &flow.UsageError{Err: fmt.Errorf("%q is not a flag (flags are --name or --name=value; %s)", m[1], help)}
	}
	return &flow.UsageError{Err: fmt.Errorf("%s (%s)", msg, help)}
}

// expectedForms say what a flag takes, by the name its usage gives the
// value (the backquoted word) or by the flag's name.
var expectedForms = map[string]string{
	"refresh-interval": "expected a whole number of minutes from 1 to 1440, e.g. --refresh-interval 15",
	"timeout":          "expected a duration such as 5m or 90s, e.g. --timeout 5m",
	"events":           "expected true or false, e.g. --events=false",
	"json":             "expected true or false, e.g. --json or --json=false",
	"region":           "expected one of " + strings.Join(flow.RegionNames, ", ") + ", e.g. --region eu",
	"listen":           "expected HOST:PORT on loopback, e.g. --listen 127.0.0.1:23949",
	"poll":             "expected NAME or NAME=URL, e.g. --poll folders=" + flow.FolderContentsExample,
	"code":             "expected the grant code, or - to read it from stdin",
	"instance":         "expected the instance's numeric id, e.g. --instance 12345",
}

func expectedForm(fl *flag.Flag) string {
	if fl == nil {
		return "see --help"
	}
	if s, ok := expectedForms[fl.Name]; ok {
		return s
	}
	if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return fmt.Sprintf("expected true or false, e.g. --%s or --%s=false", fl.Name, fl.Name)
	}
	name, _ := flag.UnquoteUsage(fl)
	return fmt.Sprintf("expected --%s %s", fl.Name, strings.ToUpper(name))
}

// nearestFlag is the defined flag closest to name (a typo), or "".
func nearestFlag(fs *flag.FlagSet, name string) string {
	limit := 1 // a typo: one letter off in a short name, two in a long one
	if len(name) > 5 {
		limit = 2
	}
	best, bestD := "", limit+1
	var names []string
	fs.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	sort.Strings(names)
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the edit distance between a and b, a swap of two
// neighbouring letters counting as one edit (nmae → name).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
