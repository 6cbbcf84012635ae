package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/oauthlistener"
)

// TestNoUpdateWaitsForTheListener: closing the listener after a browser
// callback waits for the browser to fetch /done (up to a second); Update
// must not wait with it (the wizard froze). The listener's Close is held
// here until the test lets it go: an Update that waited for it would only
// return when the safety bound below lets it go, and the test fails.
// Whatever the program does, the port is closed before Run returns
// (shutdown waits for it).
func TestNoUpdateWaitsForTheListener(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave func(h *harness)
	}{
		{"the code arrives and the wizard moves on", func(h *harness) {
			h.ls.last().Finish(oauthlistener.Result{Code: oauthlistener.NewCode("GRANT"), Source: oauthlistener.FromCallback}, nil)
			h.waitFor(func() bool { return h.m.Step() != flow.StepAuthorize }, "the next step")
		}},
		{"ctrl+c while waiting", func(h *harness) { h.key(tea.KeyCtrlC) }},
		{"a new authorization (retry)", func(h *harness) {
			h.m.scr.(*authorizeStep).phase = phaseFailed
			h.typeText("r")
			h.waitFor(func() bool { return len(h.ls.all) == 2 }, "the second listener")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, ready)
			gate := make(chan struct{})
			h.ls.gate = gate
			h.walkTo(flow.StepAuthorize)
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")

			bound := time.AfterFunc(20*time.Second, func() { close(gate) })
			tc.leave(h)
			if !bound.Stop() {
				t.Fatal("Update waited for the listener's Close")
			}
			close(gate)
			h.m.shutdown() // what Run does after the program: waits for the close
			if !h.ls.allClosed() {
				t.Fatal("a listener is still open after shutdown")
			}
		})
	}
}
