package tui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// browserEnv makes the test binary act as a browser (see TestMain).
const browserEnv = "CEWIZ_TUI_TEST_BROWSER"

func actAsBrowser(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := journeytest.Consent(ctx, url, "allow"); err != nil {
		fmt.Fprintln(os.Stderr, "test browser:", err)
		return 1
	}
	return 0
}

// tmuxSession is the built binary in a real terminal.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-J", "-t", s.name) }

func (s *tmuxSession) keys(k ...string) { s.tmux(append([]string{"send-keys", "-t", s.name}, k...)...) }

// waitLine waits until a whole line of the screen matches re (anchored:
// the line is printed in full, not seen half drawn) and returns it.
func (s *tmuxSession) waitLine(re *regexp.Regexp, d time.Duration) (string, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, l := range strings.Split(s.screen(), "\n") {
			if l = strings.TrimRight(l, " "); re.MatchString(l) {
				return l, true
			}
		}
		time.Sleep(40 * time.Millisecond)
	}
	return "", false
}

func (s *tmuxSession) waitFor(text string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(s.screen(), text) {
			return true
		}
		time.Sleep(40 * time.Millisecond)
	}
	return false
}

// pressUntil presses Enter (as a person going with the prefilled answers)
// until text is on the screen: the next Enter only once the last one took
// effect (another field focused or another step shown) and never while a
// form step shows no focused field (huh finishing the form: the step is
// about to change). It waits on what the screen shows, with generous
// timeouts, so a loaded machine only makes it slower.
func (s *tmuxSession) pressUntil(text string) {
	s.t.Helper()
	pressedAt := "" // where Enter was last pressed
	deadline := time.Now().Add(60 * time.Second)
	for presses := 0; ; {
		sc := s.screen()
		if strings.Contains(sc, text) {
			return
		}
		if p, settled := place(sc); settled && p != pressedAt {
			if presses == 30 {
				s.t.Fatalf("30 presses of Enter did not show %q; screen:\n%s", text, sc)
			}
			pressedAt = p
			s.keys("Enter")
			presses++
			continue
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%q never showed; screen:\n%s", text, sc)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// place is where the wizard stands on screen: the step header and the
// focused field's title (huh marks it with ┃). settled is false while the
// instance is being created and on a form step that shows no focused field.
func place(screen string) (p string, settled bool) {
	header, focus := "", ""
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimSpace(l)
		if header == "" && strings.HasPrefix(l, "cewiz · ") {
			header = l
		}
		if focus == "" && strings.HasPrefix(l, "┃") {
			focus = l
		}
	}
	form := false
	for _, n := range []string{"Step 1 of", "Step 2 of", "Step 3 of", "Step 5 of", "Step 7 of"} {
		form = form || strings.Contains(header, n)
	}
	busy := strings.Contains(header, "Creating") // the create in flight
	return header + "|" + focus, header != "" && !busy && (focus != "" || !form)
}

// built is the cewiz binary the tests of this process share (buildCewiz);
// TestMain removes its directory.
var built struct {
	once sync.Once
	done chan struct{}
	dir  string
	bin  string
	err  error
}

// startBuild starts building the module root (main.go wires the wizard),
// once for all the tests of this process. TestMain starts it when the
// whole package runs, so that it overlaps the tests that do not need it.
func startBuild() {
	built.once.Do(func() {
		built.done = make(chan struct{})
		go func() {
			defer close(built.done)
			built.dir, built.err = os.MkdirTemp("", "cewiz-tui-test-")
			if built.err != nil {
				return
			}
			built.bin = filepath.Join(built.dir, "cewiz")
			cmd := exec.Command("go", "build", "-o", built.bin, "github.com/cewiz/cewiz")
			cmd.Dir = ".."
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("go build: %v\n%s", err, out)
			}
		}()
	})
}

// buildCewiz returns the built binary, waiting for its build.
func buildCewiz(t *testing.T) string {
	t.Helper()
	startBuild()
	<-built.done
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// startTmux runs command in a tmux session of its own, cols×rows; the
// session ends with the test, or at kill.
func startTmux(t *testing.T, cols, rows int, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, socket: fmt.Sprintf("cewiz-tui-%d-%d", os.Getpid(), time.Now().UnixNano()), name: "wiz"}
	t.Cleanup(s.kill)
	s.tmux("new-session", "-d", "-s", s.name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), command)
	return s
}

// kill ends the session's tmux server (again is harmless).
func (s *tmuxSession) kill() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() }

// startWizard runs the built wizard with args in a 100×30 tmux session, in
// a fresh home, with env before it (VAR=value ...), outside any SSH
// session, and this test binary as the browser that clicks Allow; it
// waits for the first screen. It returns the session and the home.
func startWizard(t *testing.T, env, args string) (*tmuxSession, string) {
	t.Helper()
	journeytest.LookPath(t, "the test of the built binary in a real terminal", "tmux")
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildCewiz(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := fmt.Sprintf("env -u SSH_CONNECTION -u SSH_TTY -u SSH_CLIENT -u NO_COLOR HOME=%s XDG_CONFIG_HOME=%s/.config TMPDIR=%s %s=1 BROWSER='%s -test.run=^$' %s %s %s; echo EXIT=$?; sleep 60",
		home, home, home, browserEnv, self, env, bin, args)
	start := time.Now()
	s := startTmux(t, 100, 30, cmd)
	if !s.waitFor("Step 1 of 8", 10*time.Second) {
		t.Fatalf("no first screen:\n%s", s.screen())
	}
	t.Logf("first screen after %v (tmux polling included)", time.Since(start).Round(time.Millisecond))
	return s, home
}

// TestTmuxNewUser runs `cewiz --sandbox` in a real terminal as a newcomer
// would: Enter through the prefilled steps, the browser ($BROWSER, here
// this test binary) clicks Allow on the consent page, the instance is
// created, Enter to finish.
func TestTmuxNewUser(t *testing.T) {
	t.Parallel() // a real terminal and a real binary: it waits on them, not on the CPU
	start := time.Now()
	s, _ := startWizard(t, "", "--sandbox --listen 127.0.0.1:0")
	for _, want := range []string{"sandbox", "Connect to Cloud Elements", "ctrl+c cancel"} {
		if !strings.Contains(s.screen(), want) {
			t.Errorf("first screen lacks %q:\n%s", want, s.screen())
		}
	}
	s.pressUntil("Step 2 of 8")
	s.pressUntil("Step 3 of 8")
	s.keys("Enter") // the site: Authorize starts at once
	if !s.waitFor("Authorized", 20*time.Second) {
		t.Fatalf("the browser's Allow never arrived:\n%s", s.screen())
	}
	if !strings.Contains(s.screen(), "Authorization address:") {
		t.Errorf("the authorization address was not printed above the wizard:\n%s", s.screen())
	}
	s.pressUntil("Step 6 of 8")
	s.pressUntil("Step 7 of 8")
	s.pressUntil("Step 8 of 8")
	if !strings.Contains(s.screen(), `"oauth.api.secret": "********"`) {
		t.Errorf("review does not mask the secret:\n%s", s.screen())
	}
	s.pressUntil("Instance created")
	createdAt := time.Now()
	// The sandbox notifies cewiz's own receiver: the first events arrive on
	// the Result screen within seconds, their signature checked.
	if !s.waitFor("signature verified", 30*time.Second) {
		t.Fatalf("no notification arrived on the Result screen:\n%s", s.screen())
	}
	t.Logf("first notification on the Result screen %v after it opened", time.Since(createdAt).Round(time.Millisecond))
	screen := s.screen()
	if strings.Contains(screen, "sandbox-app-secret") || strings.Contains(screen, "sandbox-user-secret") {
		t.Fatalf("a secret is on the screen:\n%s", screen)
	}
	s.keys("Enter")
	if exit, ok := s.waitLine(regexp.MustCompile(`^EXIT=\d+$`), 10*time.Second); !ok || exit != "EXIT=0" {
		t.Fatalf("the wizard did not exit 0 (%q):\n%s", exit, s.screen())
	}
	// One sentence stays on the screen (wrapped at spaces to the width):
	// the instance id and where its summary is.
	created := regexp.MustCompile(`✓ Created instance \d+ "docushareflex-acme"; its id and token are saved in \S+/instances/\d+\.json \(mode 0600\)\. EXIT=0`)
	if text := strings.Join(strings.Fields(s.screen()), " "); !created.MatchString(text) {
		t.Errorf("no line naming the instance and its summary:\n%s", s.screen())
	}
	t.Logf("whole journey in %v", time.Since(start).Round(time.Millisecond))
}

// TestTmuxCtrlC: Ctrl-C while waiting for the browser exits 130, restores
// the terminal and frees the port.
func TestTmuxCtrlC(t *testing.T) {
	t.Parallel() // a real terminal and a real binary: it waits on them, not on the CPU
	journeytest.LookPath(t, "the test of the built binary in a real terminal", "tmux")
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildCewiz(t)
	home := t.TempDir()
	port := journeytest.FreePort(t)
	cmd := fmt.Sprintf("env -u SSH_CONNECTION -u SSH_TTY -u SSH_CLIENT HOME=%s XDG_CONFIG_HOME=%s/.config TMPDIR=%s BROWSER=true %s --sandbox --listen 127.0.0.1:%d --callback-url http://127.0.0.1:%d/callback; echo EXIT=$?; if stty -a | grep -q -- '-icanon'; then echo TTY=raw; else echo TTY=cooked; fi; sleep 60",
		home, home, home, bin, port, port)
	s := startTmux(t, 100, 30, cmd)
	if !s.waitFor("Step 1 of 8", 10*time.Second) {
		t.Fatalf("no first screen:\n%s", s.screen())
	}
	s.pressUntil("Step 3 of 8")
	s.keys("Enter")
	if !s.waitFor("Waiting for the browser", 10*time.Second) {
		t.Fatalf("not waiting:\n%s", s.screen())
	}
	s.keys("C-c")
	exit, ok := s.waitLine(regexp.MustCompile(`^EXIT=\d+$`), 10*time.Second)
	if !ok || exit != "EXIT=130" {
		t.Fatalf("ctrl+c did not exit 130 (%q):\n%s", exit, s.screen())
	}
	// The terminal is back in cooked mode (echo on) and the port is free.
	// The shell prints the TTY= line after EXIT=: wait for that line itself.
	tty, ok := s.waitLine(regexp.MustCompile(`^TTY=(raw|cooked)$`), 10*time.Second)
	if !ok {
		t.Fatalf("the TTY= line never showed:\n%s", s.screen())
	}
	if tty != "TTY=cooked" {
		t.Errorf("the terminal was not restored (%s):\n%s", tty, s.screen())
	}
	if files, _ := filepath.Glob(filepath.Join(home, ".config", "cewiz", "*")); len(files) != 0 {
		t.Errorf("files written on ctrl+c: %v", files)
	}
	ln, err := listenTCP(port)
	if err != nil {
		t.Fatalf("port %d still held after ctrl+c: %v", port, err)
	}
	_ = ln.Close()
}

// TestTmuxDoctorNeverGarbled runs `cewiz doctor --sandbox` 20 times in a
// 60-column terminal and reads the screen each time: every row starts with
// its mark, every continuation is indented under it (a row the terminal
// wrapped itself, drawn before the width was known, is not), no stale
// "checking…" line is left, and each check shows once.
func TestTmuxDoctorNeverGarbled(t *testing.T) {
	t.Parallel() // the built binary in a terminal: it waits, not computes
	journeytest.LookPath(t, "the test of the doctor's live checklist in a real terminal", "tmux")
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildCewiz(t)
	home := t.TempDir()
	mark := regexp.MustCompile(`^[✓!✗-] (PASS|WARN|FAIL|SKIP) (.*?):`)
	for run := 1; run <= 20; run++ {
		cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s XDG_CONFIG_HOME=%s/.config TMPDIR=%s %s doctor --sandbox; echo EXIT=$?; sleep 60", home, home, home, bin)
		s := startTmux(t, 60, 40, cmd)
		if !s.waitFor("EXIT=", 30*time.Second) {
			t.Fatalf("run %d: the doctor did not finish:\n%s", run, s.screen())
		}
		screen := s.tmux("capture-pane", "-p", "-t", s.name) // not joined: wrapped lines stay apart
		s.kill()
		lines := strings.Split(screen, "\n")
		titles := map[string]int{}
		inRows, rowsEnded := false, false
		for i, l := range lines {
			switch {
			case mark.MatchString(l):
				if rowsEnded {
					t.Fatalf("run %d, line %d: a row after the summary:\n%s", run, i+1, screen)
				}
				inRows = true
				titles[mark.FindStringSubmatch(l)[2]]++
			case inRows && strings.HasPrefix(l, "       ") && strings.TrimSpace(l) != "":
				// a continuation, indented under its row
			case inRows && strings.TrimSpace(l) == "":
				inRows, rowsEnded = false, true
			case inRows:
				t.Fatalf("run %d, line %d is neither a row nor its continuation: %q\n%s", run, i+1, l, screen)
			}
			if strings.Contains(l, "checking…") {
				t.Fatalf("run %d: a stale checking… line:\n%s", run, screen)
			}
		}
		if len(titles) < 6 {
			t.Fatalf("run %d: %d checks on screen:\n%s", run, len(titles), screen)
		}
		for title, n := range titles {
			if n != 1 {
				t.Fatalf("run %d: %q shown %d times:\n%s", run, title, n, screen)
			}
		}
		if !strings.Contains(screen, "passed,") || !strings.Contains(screen, "EXIT=0") {
			t.Fatalf("run %d: no summary or not exit 0:\n%s", run, screen)
		}
	}
}
