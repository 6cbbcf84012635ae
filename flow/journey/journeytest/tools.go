package journeytest

// This file decides, in one place, what a test does when a tool it drives
// (tmux, chromium, curl, sh) is not installed: it skips, so a developer
// without the tool can still run the suite, unless CEWIZ_REQUIRE_E2E is set
// (CI sets it), where it fails: a green CI run then means the end-to-end
// tests ran. Every package's tests use it (it imports only the standard
// library, so even oauthlistener's can).

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireEnv is the variable under which a missing tool fails the test.
const RequireEnv = "CEWIZ_REQUIRE_E2E"

// Required reports whether RequireEnv asks for the end-to-end tests: any
// value but empty, 0 or false.
func Required() bool {
	v := os.Getenv(RequireEnv)
	return v != "" && v != "0" && v != "false"
}

// LookPath returns the path of the first of names found on PATH. When none
// is, it skips t, or fails it when Required; what says what the test does
// with the tool, for the message.
func LookPath(t testing.TB, what string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := strings.Join(names, " or ") + " is not installed, so " + what + " cannot run (Debian: apt-get install " + names[0] + ")"
	if Required() {
		t.Fatalf("%s; %s is set, so this fails instead of skipping", msg, RequireEnv)
	}
	t.Skip(msg + "; skipped (set " + RequireEnv + "=1 to make this a failure)")
	return ""
}
