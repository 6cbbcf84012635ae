package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// ready prefills every answer so that enter walks the wizard.
func ready(c *Config) {
	c.Secrets = flow.Secrets{UserSecret: flow.NewSecret("user-secret"), OrgSecret: flow.NewSecret("org-secret"), APISecret: flow.NewSecret("app-secret")}
	c.Answers.APIKey = "app-id"
	c.Answers.Domain = "acme.docushareflex.com"
	c.Answers.NotificationURL = "https://example.com/events"
}

// advance presses enter until the step changes (form fields one by one).
func (h *harness) advance() {
	h.t.Helper()
	from := h.m.Step()
	for i := 0; i < 30 && h.m.Step() == from; i++ {
		h.enter()
		h.drainLate()
	}
	if h.m.Step() == from {
		// Work slower than the harness waits for (a loaded machine) may
		// still move the step; waitFor fails if it does not.
		h.waitFor(func() bool { return h.m.Step() != from }, "enter to leave "+from.Name())
	}
}

// authorizeNow finishes the fake listener with a code.
func (h *harness) authorizeNow() {
	h.t.Helper()
	h.waitFor(func() bool { return h.ls.last() != nil && h.m.auth != nil }, "the listener")
	h.ls.last().Finish(oauthlistener.Result{Code: oauthlistener.NewCode("GRANT-CODE"), Source: oauthlistener.FromCallback}, nil)
	h.waitFor(func() bool { return h.m.Step() != flow.StepAuthorize }, "the grant")
}

// walkTo goes from Connect to step s with every answer prefilled.
func (h *harness) walkTo(s flow.Step) {
	h.t.Helper()
	for h.m.Step() != s {
		if h.m.Step() == flow.StepAuthorize {
			h.authorizeNow()
			continue
		}
		h.advance()
		if h.m.Step() == flow.StepConnect || h.m.Step() > flow.StepReview && s <= flow.StepReview {
			h.t.Fatalf("walk to %v stuck at %v:\n%s", s, h.m.Step(), h.screen())
		}
	}
}

// snapshot compares the screen (ANSI stripped, temp dir replaced) with
// testdata/<test name>.golden.
func (h *harness) snapshot(t *testing.T) {
	t.Helper()
	s := h.screen()
	s = strings.ReplaceAll(s, h.dir, "<dir>")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	golden.RequireEqual(t, []byte(strings.Join(lines, "\n")+"\n"))
}

func TestScreens(t *testing.T) {
	steps := []flow.Step{flow.StepConnect, flow.StepApp, flow.StepSite, flow.StepEvents, flow.StepResources, flow.StepInstance, flow.StepReview}
	for _, s := range steps {
		t.Run(s.Name(), func(t *testing.T) {
			h := newHarness(t, ready)
			h.walkTo(s)
			h.snapshot(t)
		})
	}
}

func TestScreenConnectUnauthorized(t *testing.T) {
	h := newHarness(t, ready)
	h.client.infoErr = &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401, Message: "Invalid Organization or User secret, or invalid Element token provided.", RequestID: "5f1c0ffee"}
	for i := 0; i < 6 && h.m.Step() == flow.StepConnect && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
	if h.m.Step() != flow.StepConnect {
		t.Fatalf("a 401 left Connect for %v", h.m.Step())
	}
	h.snapshot(t)
}

func TestScreenConnectOffline(t *testing.T) {
	h := newHarness(t, ready)
	h.client.infoErr = &cloudelements.NetError{Op: "GET /elements/docushareflex", Host: "api.cloud-elements.com", Kind: cloudelements.NetDNS}
	for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
	h.snapshot(t)
	// "Continue offline" is a choice on the error, the last of the list.
	h.key(tea.KeyDown)
	h.key(tea.KeyDown)
	if !strings.Contains(h.screen(), "> Continue offline") {
		t.Fatalf("continue offline is not chosen:\n%s", h.screen())
	}
	h.enter()
	if h.m.Step() != flow.StepApp || !h.m.nav.Rules.ExportOnly {
		t.Fatalf("choosing offline did not continue offline: %v", h.m.Step())
	}
	// Export-only skips Authorize.
	h.walkTo(flow.StepEvents)
	if len(h.ls.all) != 0 {
		t.Fatal("a listener was started in export-only mode")
	}
}

func TestScreensAuthorize(t *testing.T) {
	t.Run("waiting", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.clock.Advance(15 * time.Second)
		h.snapshot(t)
	})
	t.Run("headless_ssh", func(t *testing.T) {
		h := newHarness(t, ready, func(c *Config) {
			c.Browser = failingBrowser{&oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonSSH, Detail: "this is an SSH session, so a browser would open on the remote machine (or not at all)"}}
			c.Getenv = func(k string) string {
				return map[string]string{"SSH_CONNECTION": "10.0.0.2 51000 10.0.0.9 22", "USER": "ann"}[k]
			}
		})
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.snapshot(t)
	})
	t.Run("paste", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.typeText("p")
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("http://127.0.0.1:23949/callback?code=abc&state=WRONG"), Paste: true})
		h.enter()
		h.snapshot(t) // wrong state: its own message, the wait goes on
		if h.m.Step() != flow.StepAuthorize {
			t.Fatal("a wrong-state paste ended the step")
		}
		h.clearInput()
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("http://127.0.0.1:23949/callback?code=abc&state=STATE"), Paste: true})
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepEvents }, "the pasted grant")
		if h.m.answers.Code.Reveal() != "abc" {
			t.Fatalf("code %q", h.m.answers.Code.Reveal())
		}
	})
	t.Run("bare_code", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.typeText("p")
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("abc123"), Paste: true})
		h.enter()
		h.snapshot(t)
		h.typeText("y")
		h.waitFor(func() bool { return h.m.Step() == flow.StepEvents }, "the confirmed code")
	})
	failures := map[string]error{
		"denied":  &oauthlistener.ProviderError{Code: "access_denied", Description: "The user denied access"},
		"timeout": oauthlistener.ErrTimeout,
	}
	for name, err := range failures {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, ready)
			h.walkTo(flow.StepAuthorize)
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
			first := h.ls.last()
			first.Finish(oauthlistener.Result{}, err)
			h.waitFor(func() bool { return h.m.scr.(*authorizeStep).phase == phaseFailed }, "the failure")
			h.snapshot(t)
			if !first.isClosed() {
				t.Error("the failed listener is still open")
			}
			h.typeText("r") // retry: a new listener
			h.waitFor(func() bool { return len(h.ls.all) == 2 && h.m.auth != nil }, "the retry")
			h.authorizeNow()
		})
	}
	t.Run("registered_callback_pastes", func(t *testing.T) {
		h := newHarness(t, ready, func(c *Config) { c.Answers.CallbackURL = "https://auth.cloudelements.io/oauth" })
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "paste-only authorization")
		if len(h.ls.all) != 0 {
			t.Fatal("a listener was started for a registered callback URL")
		}
		if s := h.m.scr.(*authorizeStep); s.phase != phasePasting {
			t.Fatalf("phase %v, want the paste field at once", s.phase)
		}
		h.snapshot(t)
	})
	t.Run("skip", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.typeText("s")
		if h.m.Step() != flow.StepEvents || !h.m.nav.Rules.ExportOnly || !h.ls.allClosed() {
			t.Fatalf("skip: step %v export-only %v", h.m.Step(), h.m.nav.Rules.ExportOnly)
		}
	})
	t.Run("copy_url", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.typeText("c")
		if len(h.copied) != 1 || !strings.HasPrefix(h.copied[0], "https://acme.docushareflex.com/") {
			t.Fatalf("copied %q", h.copied)
		}
	})
}

type failingBrowser struct{ err error }

func (b failingBrowser) Open(string) error { return b.err }

func TestScreensReviewVariants(t *testing.T) {
	t.Run("curl", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		h.typeText("u")
		h.snapshot(t)
	})
	t.Run("old_code", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		h.clock.Advance(7 * time.Minute)
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		h.snapshot(t)
	})
	t.Run("scrolled", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		h.key(tea.KeyPgDown)
		h.snapshot(t)
	})
}

func TestScreensResourcesVariants(t *testing.T) {
	t.Run("ticked_and_copied", func(t *testing.T) {
		h := newHarness(t, ready)
		h.client.defaults = testElementDefault()
		h.walkTo(flow.StepResources)
		h.typeText(" ") // tick events
		h.key(tea.KeyDown)
		h.typeText("c") // copy events' configuration to folders, at the element's URL
		h.enter()       // the name: folders
		h.enter()       // the URL: the element's
		h.snapshot(t)
	})
	t.Run("filtered", func(t *testing.T) {
		h := newHarness(t, ready)
		h.m.resourceNames = manyNames(300)
		h.walkTo(flow.StepResources)
		h.typeText("/")
		h.typeText("res-01")
		h.snapshot(t)
	})
	t.Run("detail", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepResources)
		h.typeText(" ")
		h.enter()
		h.snapshot(t)
	})
}

func TestScreensEnd(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		// Look at the spinner screen before the create's answer is handled.
		h.m.step = flow.StepCreate
		h.m.scr = newCreate(h.m)
		h.snapshot(t)
	})
	t.Run("result", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
		h.snapshot(t)
		h.typeText("c")
		if len(h.copied) != 1 || h.copied[0] != "TOKEN-abc123=" {
			t.Fatalf("copied %q", h.copied)
		}
	})
	t.Run("result_revealed", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
		h.typeText("r")
		h.snapshot(t)
	})
	errs := map[string]error{
		"error_code_rejected": &cloudelements.APIError{Op: "POST /instances", Status: 400, Message: "Failed to create instance", ProviderMessage: "invalid_grant: the authorization code has expired", RequestID: "6a7b8c9d0e"},
		"error_server":        &cloudelements.APIError{Op: "POST /instances", Status: 503, Message: "Service unavailable", RequestID: "feedface01"},
		"error_conflict":      &cloudelements.APIError{Op: "POST /instances", Status: 409, Message: "An instance named docushareflex-acme already exists", RequestID: "c0ffee0409"},
	}
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, ready)
			h.client.createErrs = []error{err}
			h.walkTo(flow.StepReview)
			h.enter()
			h.waitFor(func() bool { return h.m.Step() == flow.StepError }, "the error")
			h.snapshot(t)
		})
	}
}

func manyNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "res-" + pad4(i)
	}
	return out
}

func pad4(i int) string {
	s := "0000" + itoa(i)
	return s[len(s)-4:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

var _ = errors.New

func TestScreenAuthorizeHint(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepAuthorize)
	h.waitFor(func() bool { return h.m.auth != nil }, "listener")
	h.clock.Advance(31 * time.Second)
	h.snapshot(t)
}

// TestResizeFits: every screen fits the terminal after a resize, down to
// 80x24 and in a wider one.
func TestResizeFits(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}, {100, 30}, {80, 24}}
	steps := []flow.Step{flow.StepConnect, flow.StepApp, flow.StepSite, flow.StepAuthorize, flow.StepEvents, flow.StepResources, flow.StepInstance, flow.StepReview}
	h := newHarness(t, ready)
	for _, s := range steps {
		h.walkTo(s)
		if s == flow.StepAuthorize {
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		}
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			lines := strings.Split(strings.TrimRight(h.screen(), "\n"), "\n")
			if len(lines) > sz[1] {
				t.Errorf("%v at %dx%d: %d lines", s, sz[0], sz[1], len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%v at %dx%d: a line is %d wide: %q", s, sz[0], sz[1], w, l)
					break
				}
			}
		}
	}
}
