package journey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// TestSaveSummaryRefusesANonInstance: nothing is saved for an instance
// without a positive id (an answer that held none must never become
// instances/0.json).
func TestSaveSummaryRefusesANonInstance(t *testing.T) {
	a, _ := readyAnswers()
	for _, in := range []*cloudelements.Instance{nil, {}, {ID: 0, Name: "x", Token: flow.NewSecret("tok")}, {ID: -3, Name: "x"}} {
		dir := t.TempDir()
		p, err := journey.SaveSummary(dir, in, a, flow.Secret{})
		if err == nil || p != "" {
			t.Fatalf("%+v: saved as %q", in, p)
		}
		if !strings.Contains(err.Error(), "no instance id") {
			t.Fatalf("%+v: message %q", in, err)
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, journey.SummaryDir)); len(entries) != 0 {
			t.Fatalf("%+v: files written: %v", in, entries)
		}
	}
	dir := t.TempDir()
	p, err := journey.SaveSummary(dir, &cloudelements.Instance{ID: 12, Name: "x", Token: flow.NewSecret("tok")}, a, flow.Secret{})
	if err != nil || filepath.Base(p) != "12.json" {
		t.Fatalf("a real instance: %q, %v", p, err)
	}
}
