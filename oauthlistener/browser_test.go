package oauthlistener

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pkg/browser"
)

const authURL = "https://acme.docushareflex.com/oauth/authorize?client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A23949%2Fcallback&state=S3cr3tState&x=a%20b"

// fakeEnv builds a Launcher with a fake environment; runs records what was started.
type fakeEnv struct {
	env     map[string]string
	paths   map[string]string // name -> path; missing: not found
	goos    string
	tty     bool
	files   map[string]string
	runs    [][]string
	systems []string
}

func (f *fakeEnv) launcher() *Launcher {
	return &Launcher{
		Getenv: func(k string) string { return f.env[k] },
		LookPath: func(name string) (string, error) {
			if strings.Contains(name, "/") {
				if _, ok := f.paths[filepath.Base(name)]; ok {
					return name, nil
				}
				return "", exec.ErrNotFound
			}
			if p, ok := f.paths[name]; ok {
				return p, nil
			}
			return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
		},
		GOOS: f.goos,
		Run: func(name string, args ...string) error {
			f.runs = append(f.runs, append([]string{name}, args...))
			return nil
		},
		OpenSystem: func(u string) error { f.systems = append(f.systems, u); return nil },
		IsTerminal: func() bool { return f.tty },
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := f.files[p]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		},
	}
}

func desktop() *fakeEnv {
	return &fakeEnv{
		env:   map[string]string{"DISPLAY": ":0"},
		paths: map[string]string{"xdg-open": "/usr/bin/xdg-open"},
		goos:  "linux", tty: true,
	}
}

// ---- Rule 14: headless detection ----

func TestRule14_HeadlessDoesNotLaunch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mod    func(*fakeEnv)
		reason NoBrowserReason
		says   string
	}{
		{"SSH_CONNECTION", func(f *fakeEnv) { f.env["SSH_CONNECTION"] = "10.0.0.2 50000 10.0.0.1 22" }, ReasonSSH, "SSH"},
		{"SSH_TTY", func(f *fakeEnv) { f.env["SSH_TTY"] = "/dev/pts/3" }, ReasonSSH, "SSH"},
		{"SSH with BROWSER and DISPLAY", func(f *fakeEnv) {
			f.env["SSH_CLIENT"] = "10.0.0.2 50000 22"
			f.env["BROWSER"] = "firefox"
			f.paths["firefox"] = "/usr/bin/firefox"
		}, ReasonSSH, "SSH"},
		{"linux without a display", func(f *fakeEnv) { delete(f.env, "DISPLAY") }, ReasonNoDisplay, "DISPLAY"},
		{"freebsd without a display", func(f *fakeEnv) { delete(f.env, "DISPLAY"); f.goos = "freebsd" }, ReasonNoDisplay, "display"},
		{"no terminal", func(f *fakeEnv) { f.tty = false }, ReasonNoTerminal, "terminal"},
		{"WSL without wslview", func(f *fakeEnv) {
			delete(f.env, "DISPLAY")
			f.env["WSL_DISTRO_NAME"] = "Ubuntu"
		}, ReasonWSL, "wslview"},
		{"WSL by /proc", func(f *fakeEnv) {
			delete(f.env, "DISPLAY")
			f.files = map[string]string{"/proc/sys/kernel/osrelease": "5.15.153.1-microsoft-standard-WSL2"}
		}, ReasonWSL, "wslu"},
	}
	for _, c := range cases {
		f := desktop()
		c.mod(f)
		err := f.launcher().Open(authURL)
		var nb *NoBrowserError
		if !errors.As(err, &nb) || nb.Reason != c.reason || !errors.Is(err, ErrNoBrowser) {
			t.Errorf("%s: err = %v, want reason %v", c.name, err, c.reason)
			continue
		}
		mustContain(t, err.Error(), c.says, c.name)
		mustNotContain(t, err.Error(), "S3cr3tState", c.name)
		if len(f.runs) != 0 || len(f.systems) != 0 {
			t.Errorf("%s: a browser was started: %v %v", c.name, f.runs, f.systems)
		}
	}
	// A desktop is not headless; macOS and Windows need no DISPLAY.
	for _, goos := range []string{"linux", "darwin", "windows"} {
		f := desktop()
		f.goos = goos
		if goos != "linux" {
			delete(f.env, "DISPLAY")
		}
		if err := f.launcher().Open(authURL); err != nil {
			t.Errorf("%s desktop: %v", goos, err)
		}
	}
}

func TestRule14_SSHTunnelLineAndManualSteps(t *testing.T) {
	t.Parallel()
	if got := SSHTunnelCommand(23949, "me@build.example"); got != "ssh -L 23949:127.0.0.1:23949 me@build.example" {
		t.Errorf("SSHTunnelCommand = %q", got)
	}
	if got := SSHTunnelCommand(5000, ""); got != "ssh -L 5000:127.0.0.1:5000 <host>" {
		t.Errorf("SSHTunnelCommand = %q", got)
	}
	env := map[string]string{"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "USER": "ana"}
	if got := SSHHost(func(k string) string { return env[k] }); got != "ana@10.0.0.1" {
		t.Errorf("SSHHost = %q", got)
	}
	// What a UI shows in an SSH session (journey's BrowserStatus, the
	// Authorize screen's golden headless_ssh): the launcher's reason and
	// the ssh -L line for the listener's port and this session's host.
	f := desktop()
	f.env["SSH_CONNECTION"] = env["SSH_CONNECTION"]
	openErr := f.launcher().Open(authURL)
	var nb *NoBrowserError
	if !errors.As(openErr, &nb) || !nb.SSH() {
		t.Fatalf("in an SSH session the launcher says %v, want a NoBrowserError for SSH", openErr)
	}
	mustContain(t, openErr.Error(), "SSH", "the reason")
	if got := SSHTunnelCommand(23949, SSHHost(func(k string) string { return env[k] })); got != "ssh -L 23949:127.0.0.1:23949 ana@10.0.0.1" {
		t.Errorf("the ssh line = %q", got)
	}
}

// ---- Rule 15: a launcher that cannot hurt ----

func TestRule15_BrowserVariableIsSplitLikeAShell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		browser string
		paths   map[string]string
		want    []string
	}{
		{"firefox", map[string]string{"firefox": "/usr/bin/firefox"}, []string{"/usr/bin/firefox", authURL}},
		{`"/opt/My Browser/bin/browser" --new-window`, map[string]string{"browser": ""}, []string{"/opt/My Browser/bin/browser", "--new-window", authURL}},
		{`'/opt/My Browser/b' --profile 'Work Profile'`, map[string]string{"b": ""}, []string{"/opt/My Browser/b", "--profile", "Work Profile", authURL}},
		{`chromium --app=%s --x=100%%`, map[string]string{"chromium": "/usr/bin/chromium"}, []string{"/usr/bin/chromium", "--app=" + authURL, "--x=100%"}},
		{`open -a Safari\ Technology\ Preview %s`, map[string]string{"open": "/usr/bin/open"}, []string{"/usr/bin/open", "-a", "Safari Technology Preview", authURL}},
		{`b --title=100%%s`, map[string]string{"b": "/usr/bin/b"}, []string{"/usr/bin/b", "--title=100%s", authURL}},
		{"nothere:firefox", map[string]string{"firefox": "/usr/bin/firefox"}, []string{"/usr/bin/firefox", authURL}},
		{"w3m:firefox", map[string]string{"firefox": "/usr/bin/firefox", "w3m": "/usr/bin/w3m"}, []string{"/usr/bin/firefox", authURL}},
	}
	for _, c := range cases {
		f := desktop()
		f.env["BROWSER"] = c.browser
		for k, v := range c.paths {
			f.paths[k] = v
		}
		if err := f.launcher().Open(authURL); err != nil {
			t.Errorf("BROWSER=%s: %v", c.browser, err)
			continue
		}
		if len(f.runs) != 1 || !reflect.DeepEqual(f.runs[0], c.want) {
			t.Errorf("BROWSER=%s: ran %q, want %q", c.browser, f.runs, c.want)
		}
	}
	words, err := ShellSplit(`a "b c" 'd "e"' f\ g "h\"i" ''`)
	if err != nil || !reflect.DeepEqual(words, []string{"a", "b c", `d "e"`, "f g", `h"i`, ""}) {
		t.Errorf("ShellSplit = %q, %v", words, err)
	}
	if _, err := ShellSplit(`"unterminated`); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

func TestRule15_NeverAutoLaunchesTextBrowsers(t *testing.T) {
	t.Parallel()
	for _, b := range []string{"lynx", "w3m", "links", "elinks", "browsh", "/usr/bin/w3m -o x", "www-browser", "lynx:links"} {
		f := desktop()
		f.env["BROWSER"] = b
		for _, n := range []string{"lynx", "w3m", "links", "elinks", "browsh", "www-browser"} {
			f.paths[n] = "/usr/bin/" + n
		}
		err := f.launcher().Open(authURL)
		var nb *NoBrowserError
		if !errors.As(err, &nb) || nb.Reason != ReasonTextBrowser || len(f.runs) != 0 {
			t.Errorf("BROWSER=%s: err=%v runs=%v, want a refusal", b, err, f.runs)
		}
	}
	// x-www-browser pointing at a text browser is skipped too.
	dir := t.TempDir()
	lynx := filepath.Join(dir, "lynx")
	if err := os.WriteFile(lynx, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "x-www-browser")
	if err := os.Symlink(lynx, link); err != nil {
		t.Skip("no symlinks here")
	}
	f := desktop()
	f.paths = map[string]string{"x-www-browser": link}
	err := f.launcher().Open(authURL)
	if err == nil || len(f.runs) != 0 {
		t.Errorf("x-www-browser -> lynx was started: %v", f.runs)
	}
}

func TestRule15_WSLPrefersWslview(t *testing.T) {
	t.Parallel()
	f := desktop()
	f.env["WSL_DISTRO_NAME"] = "Ubuntu"
	f.paths["wslview"] = "/usr/bin/wslview"
	if err := f.launcher().Open(authURL); err != nil {
		t.Fatal(err)
	}
	if len(f.runs) != 1 || f.runs[0][0] != "/usr/bin/wslview" || f.runs[0][1] != authURL {
		t.Fatalf("ran %q", f.runs)
	}
	// Windows uses pkg/browser; macOS uses open.
	f = desktop()
	f.goos = "windows"
	if err := f.launcher().Open(authURL); err != nil || len(f.systems) != 1 || f.systems[0] != authURL {
		t.Fatalf("windows: %v %v", err, f.systems)
	}
	f = desktop()
	f.goos = "darwin"
	if err := f.launcher().Open(authURL); err != nil || !reflect.DeepEqual(f.runs, [][]string{{"open", authURL}}) {
		t.Fatalf("darwin: %v %v", err, f.runs)
	}
}

func TestRule15_RefusesNonHTTPURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"-incognito", "file:///etc/passwd", "javascript:alert(1)", "https://x.example/a b", "", "https://"} {
		f := desktop()
		if err := f.launcher().Open(u); err == nil || len(f.runs) != 0 {
			t.Errorf("Open(%q) started %v", u, f.runs)
		}
	}
}

func TestRule15_LaunchErrorIsShowableAndHoldsNoURL(t *testing.T) {
	t.Parallel()
	f := desktop()
	l := f.launcher()
	l.Run = func(string, ...string) error { return &exec.Error{Name: "/usr/bin/xdg-open", Err: exec.ErrNotFound} }
	err := l.Open(authURL)
	var le *LaunchError
	if !errors.As(err, &le) || le.Program != "xdg-open" {
		t.Fatalf("err = %v", err)
	}
	mustNotContain(t, err.Error(), "S3cr3tState", "launch error")
	mustNotContain(t, err.Error(), "docushareflex", "launch error")
	mustContain(t, err.Error(), "open the address yourself", "launch error")
}

// waitFileContent polls until path holds exactly want (or a minute passes)
// and returns what it last held.
func waitFileContent(path, want string) (string, bool) {
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(path)
		if string(b) == want {
			return want, true
		}
		if time.Now().After(deadline) {
			return string(b), false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFile polls until path exists (or a minute passes) and reports whether it does.
func waitFile(path string) bool {
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRule15_RealCommandDoesNotBlockNorWriteStdout starts a real $BROWSER
// script that writes to stdout and stderr and then stays up until the test
// releases it: Open must return while it still runs, and nothing may reach
// this process's stdout.
func TestRule15_RealCommandDoesNotBlockNorWriteStdout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	dir := t.TempDir()
	marker, release, exited := filepath.Join(dir, "ran"), filepath.Join(dir, "release"), filepath.Join(dir, "exited")
	script := filepath.Join(dir, "fakebrowser")
	body := "#!/bin/sh\necho STDOUT-CHATTER\necho STDERR-CHATTER >&2\necho \"$1\" > " + marker + "\n" +
		"i=0; while [ ! -e " + release + " ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\ntouch " + exited + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = saved }()

	l := NewLauncher()
	env := map[string]string{"BROWSER": script, "DISPLAY": ":0"}
	l.Getenv = func(k string) string { return env[k] }
	l.IsTerminal = func() bool { return true }
	l.GOOS = "linux"
	l.ReadFile = func(string) ([]byte, error) { return nil, os.ErrNotExist }
	if err := l.Open(authURL); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(exited); err == nil {
		t.Error("Open returned only after the browser exited: it must not wait for it")
	}
	// The shell creates the marker before it writes the URL into it: wait
	// for the content checked, not for the file.
	if got, ok := waitFileContent(marker, authURL+"\n"); !ok {
		t.Fatalf("the browser got %q within a minute, want the URL", got)
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if !waitFile(exited) {
		t.Fatal("the browser command did not end")
	}
	os.Stdout = saved
	w.Close()
	out, _ := io.ReadAll(r)
	if len(out) != 0 {
		t.Fatalf("the browser wrote to stdout: %q", out)
	}
}

// TestRule15_PkgBrowserOutputGoesNowhere runs the pkg/browser path with a
// chatty fake xdg-open on PATH.
func TestRule15_PkgBrowserOutputGoesNowhere(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake opener is a Linux xdg-open")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\necho CHATTER\necho CHATTER >&2\ntouch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+"/bin:/usr/bin")
	r, w, _ := os.Pipe()
	saved := os.Stdout
	os.Stdout = w
	err := openWithPkgBrowser(authURL)
	ran := waitFile(marker) // the chatter comes before the marker
	os.Stdout = saved
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if browser.Stdout != io.Discard || browser.Stderr != io.Discard {
		t.Error("pkg/browser's Stdout/Stderr are not silenced")
	}
	if !ran {
		t.Error("the fake xdg-open did not run")
	}
	if len(out) != 0 {
		t.Fatalf("pkg/browser wrote to stdout: %q", out)
	}
}

// ---- Rule 16: print the provider's URL ----

func TestRule16_TheProviderURLIsPassedAndPrintedUnchanged(t *testing.T) {
	t.Parallel()
	f := desktop()
	if err := f.launcher().Open(authURL); err != nil {
		t.Fatal(err)
	}
	if f.runs[0][len(f.runs[0])-1] != authURL {
		t.Fatalf("the browser got %q, want the provider URL byte for byte", f.runs[0])
	}
	// Printing it with the reason and the ssh line is the UI's (journey's
	// BrowserStatus; the Authorize screen's goldens).
}
