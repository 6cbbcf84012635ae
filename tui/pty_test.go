//go:build linux

package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/tui/ptytest"
)

// TestStartInSilentTerminal runs the built binary in a pseudo-terminal
// that answers no query (as some CI terminals, serial consoles and
// multiplexers do) and counts the background-colour queries (OSC 11) it
// sends. Bubble Tea v1 asks in its package init and the renderer of the
// UI asked again, each waiting 5 seconds for the answer; now the wizard
// asks once (termbg, bounded by termbg.Timeout), and a command with no UI
// never asks. docs/benchmarks.md has the time it takes.
func TestStartInSilentTerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildCewiz(t)
	home := t.TempDir()
	base := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config", "TMPDIR=" + home, "BROWSER=true", "PATH=" + os.Getenv("PATH")}
	xterm := append([]string{"TERM=xterm-256color"}, base...)
	for _, tc := range []struct {
		name    string
		args    []string
		env     []string
		stdout  bool   // stdout to a file, stdin and stderr the terminal
		wait    string // what shows when it is ready ("" : it exits)
		queries int
	}{
		{name: "the wizard", args: []string{"--sandbox"}, env: xterm, wait: "Step 1 of", queries: 1},
		{name: "the wizard, stdout redirected", args: []string{"--sandbox"}, env: xterm, stdout: true, wait: "Step 1 of", queries: 1},
		{name: "the wizard, NO_COLOR", args: []string{"--sandbox"}, env: append(xterm, "NO_COLOR=1"), wait: "Step 1 of"},
		{name: "the wizard, COLORFGBG", args: []string{"--sandbox"}, env: append(xterm, "COLORFGBG=0;15"), wait: "Step 1 of"},
		{name: "version", args: []string{"version"}, env: xterm},
		{name: "export > file", args: []string{"export", "--domain", "acme"}, env: xterm, stdout: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ptytest.Open(100, 30)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = tc.env
			out := filepath.Join(t.TempDir(), "stdout")
			if tc.stdout {
				f, err := os.Create(out)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdout = f
			}
			if err := p.Start(cmd); err != nil {
				t.Fatal(err)
			}
			if tc.wait != "" {
				err := p.WaitFor(tc.wait, 30*time.Second)
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				if err != nil {
					t.Fatal(err)
				}
			} else if err := cmd.Wait(); err != nil {
				t.Fatalf("%v: %v; terminal: %q", tc.args, err, p.Output())
			}
			screen := p.Output()
			if tc.wait != "" {
				screen = screen[:strings.Index(screen, tc.wait)] // before the first frame
			}
			if n := strings.Count(screen, "\x1b]11;?"); n != tc.queries {
				t.Errorf("%d background-colour queries, want %d: %q", n, tc.queries, screen)
			}
			if tc.stdout && tc.wait == "" {
				if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"element"`) {
					t.Errorf("stdout: %q, %v", b, err)
				}
			}
		})
	}
}
