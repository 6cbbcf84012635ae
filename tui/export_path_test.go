package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
)

// TestExportPathTilde: "export to a file" with ~/name writes in the home
// directory (a prompt does not expand ~ as a shell would), and the notice
// names the absolute path it wrote. The home is the one in the wizard's
// environment (Config.Getenv), not the process's.
func TestExportPathTilde(t *testing.T) {
	home := t.TempDir()
	h := newHarness(t, ready, func(c *Config) {
		c.Getenv = func(k string) string { return map[string]string{"HOME": home}[k] }
	})
	h.walkTo(flow.StepReview)
	h.typeText("e")
	h.clearInput()
	h.typeText("~/body.json")
	h.enter()
	want := filepath.Join(home, "body.json")
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("not written at %s: %v\n%s", want, err, h.screen())
	}
	if _, err := os.Stat("~"); err == nil {
		t.Fatal("a directory named ~ was created")
	}
	if !strings.Contains(strings.Join(strings.Fields(h.screen()), " "), "Exported the body to "+want+" ") {
		t.Fatalf("the notice does not name %s:\n%s", want, h.screen())
	}
}
