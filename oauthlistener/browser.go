package oauthlistener

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/browser"
)

// Launcher opens the authorization URL in a browser without ever hurting
// the terminal (rules 14-16): it never waits for the browser, never lets it
// write to stdout, never starts a text browser on its own, and refuses (with
// the reason, as a *NoBrowserError) where a browser cannot be shown. The UI
// must print the URL in every case.
//
// Every field may be nil/empty; NewLauncher fills in the real ones. Tests
// inject their own.
type Launcher struct {
	Getenv   func(string) string
	LookPath func(string) (string, error)
	GOOS     string
	// Run starts a command and returns without waiting for it to exit.
	Run func(name string, args ...string) error
	// OpenSystem opens a URL with pkg/browser (Windows and other systems).
	OpenSystem func(url string) error
	// IsTerminal reports whether a person is at a terminal.
	IsTerminal func() bool
	// ReadFile reads /proc files for WSL detection.
	ReadFile func(string) ([]byte, error)
}

// NewLauncher returns a Launcher wired to the real environment.
func NewLauncher() *Launcher {
	return &Launcher{
		Getenv:     os.Getenv,
		LookPath:   exec.LookPath,
		GOOS:       runtime.GOOS,
		Run:        StartDetached,
		OpenSystem: openWithPkgBrowser,
		IsTerminal: stdioIsTerminal,
		ReadFile:   os.ReadFile,
	}
}

func (l *Launcher) withDefaults() *Launcher {
	d := NewLauncher()
	c := *l
	if c.Getenv == nil {
		c.Getenv = d.Getenv
	}
	if c.LookPath == nil {
		c.LookPath = d.LookPath
	}
	if c.GOOS == "" {
		c.GOOS = d.GOOS
	}
	if c.Run == nil {
		c.Run = d.Run
	}
	if c.OpenSystem == nil {
		c.OpenSystem = d.OpenSystem
	}
	if c.IsTerminal == nil {
		c.IsTerminal = d.IsTerminal
	}
	if c.ReadFile == nil {
		c.ReadFile = d.ReadFile
	}
	return &c
}

// NoBrowserReason is why the launcher will not open a browser.
type NoBrowserReason int

const (
	ReasonSSH         NoBrowserReason = iota + 1 // an SSH session
	ReasonNoDisplay                              // Linux/BSD without DISPLAY or WAYLAND_DISPLAY
	ReasonNoTerminal                             // nobody at a terminal
	ReasonWSL                                    // WSL without wslview
	ReasonTextBrowser                            // only text browsers are configured
	ReasonNotFound                               // no browser command found
)

// ErrNoBrowser matches every *NoBrowserError.
var ErrNoBrowser = errors.New("not opening a browser")

// NoBrowserError says why no browser is opened. Show it next to the URL.
type NoBrowserError struct {
	Reason NoBrowserReason
	Detail string
}

func (e *NoBrowserError) Error() string        { return "not opening a browser: " + e.Detail }
func (e *NoBrowserError) Is(target error) bool { return target == ErrNoBrowser }

// Headless reports whether this is an SSH session (the ssh -L line helps).
func (e *NoBrowserError) SSH() bool { return e.Reason == ReasonSSH }

// LaunchError: the browser command could not be started.
type LaunchError struct {
	Program string // the program's name only (the arguments hold the URL and its state)
	Err     error
}

func (e *LaunchError) Error() string {
	return fmt.Sprintf("could not start the browser (%s): %s; open the address yourself", e.Program, launchCause(e.Err))
}
func (e *LaunchError) Unwrap() error { return e.Err }

func launchCause(err error) string {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "it failed to start"
}

// textBrowsers are never started automatically.
var textBrowsers = map[string]bool{
	"lynx": true, "w3m": true, "links": true, "links2": true, "elinks": true,
	"browsh": true, "www-browser": true, "carbonyl": true, "netrik": true,
}

func isTextBrowser(prog string) bool {
	base := strings.ToLower(filepath.Base(prog))
	base = strings.TrimSuffix(base, ".exe")
	return textBrowsers[base]
}

// Headless tells why no graphical browser can be shown here, or nil. It is
// also what `cewiz doctor` reports.
func (l *Launcher) Headless() *NoBrowserError { return l.withDefaults().headless() }

// headless is Headless on a launcher that has its defaults.
func (c *Launcher) headless() *NoBrowserError {
	env := c.Getenv
	if env("SSH_CONNECTION") != "" || env("SSH_TTY") != "" || env("SSH_CLIENT") != "" {
		return &NoBrowserError{Reason: ReasonSSH, Detail: "this is an SSH session, so a browser would open on the remote machine (or not at all); open the address on your own computer, with the ssh -L tunnel for the callback port, or paste the redirected address here"}
	}
	if !c.IsTerminal() {
		return &NoBrowserError{Reason: ReasonNoTerminal, Detail: "no one is at a terminal (stdin and stderr are not terminals), so cewiz does not open windows on its own; open the address yourself"}
	}
	if c.isWSL() {
		return nil // handled by Plan: wslview opens the Windows browser
	}
	if env("BROWSER") != "" {
		return nil // an explicit choice, even without a display (e.g. a dev container's helper)
	}
	if isUnixDesktopOS(c.GOOS) && env("DISPLAY") == "" && env("WAYLAND_DISPLAY") == "" {
		return &NoBrowserError{Reason: ReasonNoDisplay, Detail: "there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set); open the address on a machine with a browser, or paste the redirected address here"}
	}
	return nil
}

func isUnixDesktopOS(goos string) bool {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "solaris", "illumos":
		return true
	}
	return false
}

// IsWSL reports whether this is Windows Subsystem for Linux.
func (l *Launcher) IsWSL() bool { return l.withDefaults().isWSL() }

func (l *Launcher) isWSL() bool {
	if l.GOOS != "linux" {
		return false
	}
	if l.Getenv("WSL_DISTRO_NAME") != "" || l.Getenv("WSL_INTEROP") != "" {
		return true
	}
	for _, f := range []string{"/proc/sys/kernel/osrelease", "/proc/version"} {
		if b, err := l.ReadFile(f); err == nil {
			s := strings.ToLower(string(b))
			if strings.Contains(s, "microsoft") || strings.Contains(s, "wsl") {
				return true
			}
		}
	}
	return false
}

// Plan is what Open would do: Argv to start (nil when the system opener of
// pkg/browser is used), or the reason it will not launch.
type Plan struct {
	Argv      []string
	UseSystem bool
	// From says where the choice came from: "$BROWSER", "wslview", "xdg-open"...
	From string
}

// Plan decides how to open rawURL, without starting anything.
func (l *Launcher) Plan(rawURL string) (Plan, error) { return l.withDefaults().plan(rawURL) }

// plan is Plan on a launcher that has its defaults.
func (c *Launcher) plan(rawURL string) (Plan, error) {
	if err := checkOpenURL(rawURL); err != nil {
		return Plan{}, err
	}
	if nb := c.headless(); nb != nil {
		return Plan{}, nb
	}
	if b := c.Getenv("BROWSER"); b != "" {
		return c.planBrowserVar(b, rawURL)
	}
	if c.isWSL() {
		if p, err := c.LookPath("wslview"); err == nil {
			return Plan{Argv: []string{p, rawURL}, From: "wslview"}, nil
		}
		if c.Getenv("DISPLAY") == "" && c.Getenv("WAYLAND_DISPLAY") == "" {
			return Plan{}, &NoBrowserError{Reason: ReasonWSL, Detail: "this is WSL and wslview is not installed (sudo apt install wslu); open the address in your Windows browser"}
		}
		// WSLg: fall through to the Linux openers.
	}
	switch {
	case c.GOOS == "darwin":
		return Plan{Argv: []string{"open", rawURL}, From: "open"}, nil
	case isUnixDesktopOS(c.GOOS):
		for _, name := range []string{"xdg-open", "x-www-browser"} {
			p, err := c.LookPath(name)
			if err != nil {
				continue
			}
			if resolved, err := filepath.EvalSymlinks(p); err == nil && isTextBrowser(resolved) {
				continue
			}
			return Plan{Argv: []string{p, rawURL}, From: name}, nil
		}
		return Plan{}, &NoBrowserError{Reason: ReasonNotFound, Detail: "no browser opener was found (xdg-open is not installed); open the address yourself"}
	default: // windows and others: pkg/browser
		return Plan{UseSystem: true, From: "system"}, nil
	}
}

// planBrowserVar honours $BROWSER: a colon-separated list (semicolon on
// Windows) of commands, each split like a shell would; %s is replaced by the
// URL, else the URL is appended. Text browsers are skipped.
func (c *Launcher) planBrowserVar(v, rawURL string) (Plan, error) {
	sep := ":"
	if c.GOOS == "windows" {
		sep = ";"
	}
	var skippedText, missing []string
	var splitErr error
	for _, entry := range strings.Split(v, sep) {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		words, err := ShellSplit(entry)
		if err != nil {
			splitErr = err
			continue
		}
		if len(words) == 0 {
			continue
		}
		if isTextBrowser(words[0]) {
			skippedText = append(skippedText, filepath.Base(words[0]))
			continue
		}
		p, err := c.LookPath(words[0])
		if err != nil {
			missing = append(missing, filepath.Base(words[0]))
			continue
		}
		if resolved, err := filepath.EvalSymlinks(p); err == nil && isTextBrowser(resolved) {
			skippedText = append(skippedText, filepath.Base(resolved))
			continue
		}
		argv := []string{p}
		substituted := false
		for _, w := range words[1:] {
			w, sub := expandPercent(w, rawURL)
			substituted = substituted || sub
			argv = append(argv, w)
		}
		if !substituted {
			argv = append(argv, rawURL)
		}
		return Plan{Argv: argv, From: "$BROWSER"}, nil
	}
	switch {
	case len(skippedText) > 0 && len(missing) == 0:
		return Plan{}, &NoBrowserError{Reason: ReasonTextBrowser, Detail: fmt.Sprintf("$BROWSER names a text browser (%s), which would take over this terminal; open the address yourself (in %s in another terminal, or elsewhere)", strings.Join(skippedText, ", "), skippedText[0])}
	case len(missing) > 0:
		return Plan{}, &NoBrowserError{Reason: ReasonNotFound, Detail: fmt.Sprintf("$BROWSER names %s, which is not installed or not on PATH; open the address yourself", strings.Join(missing, ", "))}
	case splitErr != nil:
		return Plan{}, &NoBrowserError{Reason: ReasonNotFound, Detail: "$BROWSER cannot be read (" + splitErr.Error() + "); open the address yourself"}
	}
	return Plan{}, &NoBrowserError{Reason: ReasonNotFound, Detail: "$BROWSER is empty; open the address yourself"}
}

// expandPercent replaces %s with the URL and %% with %, in one pass.
func expandPercent(w, rawURL string) (string, bool) {
	if !strings.Contains(w, "%") {
		return w, false
	}
	var b strings.Builder
	sub := false
	for i := 0; i < len(w); i++ {
		if w[i] == '%' && i+1 < len(w) {
			switch w[i+1] {
			case 's':
				b.WriteString(rawURL)
				sub = true
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(w[i])
	}
	return b.String(), sub
}

func checkOpenURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.HasPrefix(rawURL, "-") ||
		strings.ContainsFunc(rawURL, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("the authorization address is not an http(s) URL, so it is not passed to a browser")
	}
	return nil
}

// Open starts the browser on rawURL and returns at once, without waiting for
// the browser to exit. It returns a *NoBrowserError (with the reason) or a
// *LaunchError; either way the UI shows the URL, the error next to it, and
// the paste option.
func (l *Launcher) Open(rawURL string) error {
	c := l.withDefaults()
	p, err := c.plan(rawURL)
	if err != nil {
		return err
	}
	if p.UseSystem {
		if err := c.OpenSystem(rawURL); err != nil {
			return &LaunchError{Program: "the system browser", Err: err}
		}
		return nil
	}
	if err := c.Run(p.Argv[0], p.Argv[1:]...); err != nil {
		return &LaunchError{Program: filepath.Base(p.Argv[0]), Err: err}
	}
	return nil
}

// StartDetached starts a command with stdin, stdout and stderr on the null
// device (a browser's chatter must not reach the terminal or the JSON on
// stdout), in its own process group where the system allows (so Ctrl-C in
// the terminal does not kill the browser), and reaps it in the background.
func StartDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		defer recoverGoroutine()
		_ = cmd.Wait()
	}()
	return nil
}

var pkgBrowserOnce sync.Once

// openWithPkgBrowser opens url with github.com/pkg/browser, its output sent
// nowhere. pkg/browser waits for its helper on some systems, so it runs in a
// goroutine; an error in the first 300 ms is reported.
func openWithPkgBrowser(u string) error {
	pkgBrowserOnce.Do(func() {
		browser.Stdout = io.Discard
		browser.Stderr = io.Discard
	})
	errc := make(chan error, 1)
	go func() {
		defer recoverGoroutine()
		errc <- browser.OpenURL(u)
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(300 * time.Millisecond):
		return nil
	}
}

func stdioIsTerminal() bool {
	for _, f := range []*os.File{os.Stdin, os.Stderr} {
		fi, err := f.Stat()
		if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			return false
		}
	}
	return true
}

// ShellSplit splits s into words the way a POSIX shell would for a simple
// command: whitespace separates words; single quotes keep everything; double
// quotes keep everything but \" \\ \$ \`; a backslash outside quotes escapes
// the next character. No expansion is done.
func ShellSplit(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	const (
		none = iota
		single
		double
	)
	quote := none
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch quote {
		case single:
			if ch == '\'' {
				quote = none
			} else {
				cur.WriteByte(ch)
			}
			continue
		case double:
			switch {
			case ch == '"':
				quote = none
			case ch == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0:
				i++
				cur.WriteByte(s[i])
			default:
				cur.WriteByte(ch)
			}
			continue
		}
		switch ch {
		case ' ', '\t', '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'':
			quote, inWord = single, true
		case '"':
			quote, inWord = double, true
		case '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		default:
			inWord = true
			cur.WriteByte(ch)
		}
	}
	if quote != none {
		return nil, errors.New("an unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// SSHTunnelCommand is the exact line to run on the user's own computer so
// that the browser there reaches the listener on this (remote) machine
// (rule 14). host is the remote host as the user reaches it; empty gives a
// placeholder.
func SSHTunnelCommand(port int, host string) string {
	if host == "" {
		host = "<host>"
	}
	p := strconv.Itoa(port)
	return "ssh -L " + p + ":127.0.0.1:" + p + " " + host
}

// SSHHost guesses the remote host for SSHTunnelCommand from SSH_CONNECTION
// (client-ip client-port server-ip server-port) and USER: "user@server-ip",
// or "" when unknown.
func SSHHost(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	f := strings.Fields(getenv("SSH_CONNECTION"))
	if len(f) != 4 {
		return ""
	}
	host := f[2] // ssh takes a bare IPv6 address too
	if u := getenv("USER"); u != "" && !strings.ContainsAny(u, " @'\"") {
		return u + "@" + host
	}
	return host
}
