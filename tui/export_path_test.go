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
// names the absolute path it wrote.
func TestExportPathTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	h := newHarness(t, ready)
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
