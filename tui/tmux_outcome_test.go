package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// wizardAgainst runs the built wizard in tmux against sb (a sandbox in
// this test process, so the test can inject faults), with the demo secrets
// in the environment and this test binary as the browser that clicks
// Allow. It returns the session and the config dir the wizard writes to.
func wizardAgainst(t *testing.T, sb *sandbox.Server) (*tmuxSession, string) {
	t.Helper()
	env := fmt.Sprintf("CEWIZ_USER_SECRET=%s CEWIZ_ORG_SECRET=%s CEWIZ_API_SECRET=%s",
		sandbox.DemoUserSecret, sandbox.DemoOrgSecret, sandbox.DemoAppSecret)
	args := fmt.Sprintf("--base-url %s --api-key %s --domain acme --notify-url https://hooks.example.com/e --listen 127.0.0.1:0",
		sb.BaseURL(), sandbox.DemoAppID)
	s, home := startWizard(t, env, args)
	return s, filepath.Join(home, ".config", "cewiz")
}

// toReview walks the wizard to Review with the prefilled answers.
func (s *tmuxSession) toReview() {
	s.t.Helper()
	s.pressUntil("Step 3 of 8")
	s.keys("Enter") // the site: Authorize starts at once
	if !s.waitFor("Authorized", 20*time.Second) {
		s.t.Fatalf("the browser's Allow never arrived:\n%s", s.screen())
	}
	s.pressUntil("Step 8 of 8")
}

func (s *tmuxSession) exitCode() string {
	s.t.Helper()
	exit, ok := s.waitLine(regexp.MustCompile(`^EXIT=\d+$`), 20*time.Second)
	if !ok {
		s.t.Fatalf("the wizard did not exit:\n%s", s.screen())
	}
	return exit
}

// TestTmuxCtrlCWhileCreating: Ctrl-C on the "Creating…" screen once the
// request has left says the instance may exist, waits for the lookup by
// name, prints and saves what it found, and exits 130.
func TestTmuxCtrlCWhileCreating(t *testing.T) {
	t.Parallel() // the built binary in a terminal or against a sandbox: it waits, not computes
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	s, dir := wizardAgainst(t, sb)
	s.toReview()
	// The create happens; its answer is held back.
	sb.InjectFault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
	s.keys("Enter")
	deadline := time.Now().Add(20 * time.Second)
	for len(sb.Instances()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("never created:\n%s", s.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.keys("C-c")
	if exit := s.exitCode(); exit != "EXIT=130" {
		t.Fatalf("%s, want EXIT=130:\n%s", exit, s.screen())
	}
	id := strconv.FormatInt(sb.Instances()[0].ID, 10)
	text := strings.Join(strings.Fields(s.screen()), " ")
	for _, want := range []string{"so the instance may exist: looking it up by name found instance " + id,
		"created instance " + id, "(mode 0600)",
		"cewiz: canceled: after the create request was sent; instance " + id + " was created"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s.screen())
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "instances", id+".json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("summary not saved 0600: %v %v", fi, err)
	}
}

// TestTmuxErrorScreenKeepsTheError: q on "The instance was not created"
// exits 1 and leaves the error box (status, message, requestId, next step)
// on the screen.
func TestTmuxErrorScreenKeepsTheError(t *testing.T) {
	t.Parallel() // the built binary in a terminal or against a sandbox: it waits, not computes
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	s, _ := wizardAgainst(t, sb)
	s.toReview()
	sb.InjectFault(sandbox.RouteCreateInstance, sandbox.Fault{Status: 500, Message: "the platform broke"})
	s.keys("Enter")
	if !s.waitFor("requestId", 20*time.Second) {
		t.Fatalf("no error screen:\n%s", s.screen())
	}
	s.keys("q")
	if exit := s.exitCode(); exit != "EXIT=1" {
		t.Fatalf("%s, want EXIT=1:\n%s", exit, s.screen())
	}
	screen := s.screen()
	for _, want := range []string{"Status: 500", "message: the platform broke", "requestId: ", "Next: ", "cewiz: the instance was not created"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q after q:\n%s", want, screen)
		}
	}
}
