package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// streams are the standard streams and what is true of them, decided once
// in main and passed to every command: UI and progress go to Err, results
// to Out.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTerminal, OutTerminal, ErrTerminal: the stream is a terminal (not
	// /dev/null, a pipe or a file).
	InTerminal, OutTerminal, ErrTerminal bool
	// Accessible: plain line-by-line output for screen readers
	// (ACCESSIBLE=1) and dumb terminals (TERM=dumb).
	Accessible bool
}

// systemStreams are the process's own streams, with the environment read
// through lookup.
func systemStreams(lookup func(string) (string, bool)) *streams {
	getenv := getenvFrom(lookup)
	isTerminal := func(f *os.File) bool { return term.IsTerminal(f.Fd()) }
	return &streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTerminal: isTerminal(os.Stdin), OutTerminal: isTerminal(os.Stdout), ErrTerminal: isTerminal(os.Stderr),
		Accessible: getenv("TERM") == "dumb" || flow.AccessibleRequested(getenv("ACCESSIBLE")),
	}
}

// factory is what every command gets from main (gh's cmdutil.Factory): the
// streams, the environment, and the real collaborators built from them.
type factory struct {
	io     *streams
	lookup func(string) (string, bool)
	// flagSets are the flag sets the command made (newFlagSet): its --help
	// and the completion scripts read them.
	flagSets []commandFlags
}

// getenvFrom turns a lookup into a getenv.
func getenvFrom(lookup func(string) (string, bool)) func(string) string {
	return func(k string) string { v, _ := lookup(k); return v }
}

func (f *factory) getenv(k string) string { return getenvFrom(f.lookup)(k) }

// Every command reads its environment through the lookup, never the
// process's own (os.Getenv, os.UserConfigDir, os.TempDir...): main passes
// the process's, and a test passes one of its own, so that tests with
// different homes run at once in one process.

// configDir is cewiz's directory in the user's configuration directory
// (flow.ConfigDir, e.g. ~/.config/cewiz). err says why there is none (no
// $HOME): then nothing is remembered, and a summary cannot be saved.
func (f *factory) configDir() (string, error) { return flow.ConfigDir(f.getenv) }

// savingConfigDir is configDir for a run that saves the instance's summary
// and the answers. When there is none it says so on stderr, before the
// work (the token will be on stdout only), and returns "".
func (f *factory) savingConfigDir() string {
	dir, err := f.configDir()
	if err != nil {
		printNotes(f.io.Err, fmt.Sprintf("the instance's summary and the answers will not be saved: %v", err))
	}
	return dir
}

// home is the user's home directory ("" when the environment names none),
// for showing paths under it as ~.
func (f *factory) home() string {
	h, _ := flow.UserHomeDir(f.getenv)
	return h
}

// tempDir is the directory for temporary files ($TMPDIR, else /tmp).
func (f *factory) tempDir() string { return flow.TempDir(f.getenv) }

// attended reports whether someone is at a terminal: stdin and stderr (the
// UI) both are one.
func (f *factory) attended() bool { return f.io.InTerminal && f.io.ErrTerminal }

// launcher is the browser launcher, reading the environment through the
// lookup. A browser is started only when someone is at a terminal, except
// that an explicit $BROWSER is honoured anyway: setting it is a deliberate
// choice (a CI helper, a dev container's opener, a test).
func (f *factory) launcher() *oauthlistener.Launcher {
	return &oauthlistener.Launcher{
		Getenv:     f.getenv,
		IsTerminal: func() bool { return f.getenv("BROWSER") != "" || f.attended() },
	}
}

// client is the Cloud Elements client for baseURL with the platform
// secrets; its User-Agent carries cewiz's version. It asks oauth/url with
// the siteAddress form siteForm names (the one that worked last time, as
// flow.Memory remembers it), or the client's default when siteForm is ""
// or not a form.
func (f *factory) client(baseURL string, s flow.Secrets, siteForm string) (*cloudelements.Client, error) {
	opts := []cloudelements.Option{cloudelements.WithVersion(currentVersion())}
	if form, ok := cloudelements.ParseSiteAddressForm(siteForm); ok {
		opts = append(opts, cloudelements.WithSiteAddressForm(form))
	}
	return cloudelements.New(baseURL, s.UserSecret, s.OrgSecret, opts...)
}

// signalContext ends at Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
