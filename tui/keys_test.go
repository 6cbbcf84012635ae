package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// shortcutLetters are every letter (and ?) some screen uses as a key.
const shortcutLetters = "xcopsrdeEuqyna?jkgG"

// typeEach sends the runes one key at a time, as a person types them.
func (h *harness) typeEach(s string) {
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// unreachable makes the secrets check fail as when Cloud Elements cannot
// be reached.
func unreachable(h *harness) {
	h.client.infoErr = &cloudelements.NetError{Op: "GET /elements/docushareflex", Host: "api.cloud-elements.com", Kind: cloudelements.NetDNS}
	for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
}

// A letter typed into a text field always goes to the field: after
// "Cloud Elements cannot be reached", typing a base URL with an x in it
// stays on Connect (it once jumped to export-only mode), and on every
// screen with a text field focused no shortcut letter acts.
func TestLettersGoToTheField(t *testing.T) {
	t.Run("base URL after an offline error", func(t *testing.T) {
		h := newHarness(t, ready)
		unreachable(h)
		h.key(tea.KeyDown) // "Change the region or base URL"
		h.enter()
		for i := 0; i < 5; i++ {
			h.key(tea.KeyDown) // custom
		}
		if !strings.Contains(h.screen(), "> custom") {
			t.Fatalf("custom is not chosen:\n%s", h.screen())
		}
		h.enter() // → the base URL field
		h.clearInput()
		h.typeEach("https://api.openconnectors.us2.ext.hana.ondemand.com")
		if h.m.Step() != flow.StepConnect || h.m.nav.Rules.ExportOnly {
			t.Fatalf("typing a URL left Connect: %v, export only %v", h.m.Step(), h.m.nav.Rules.ExportOnly)
		}
		if !strings.Contains(h.screen(), "us2.ext.hana.ondemand.com") {
			t.Fatalf("the field lost letters:\n%s", h.screen())
		}
	})

	// Each case reaches a screen with a text field focused.
	cases := map[string]func(h *harness){
		"connect secret": func(h *harness) {
			h.client.infoErr = &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401}
			for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
				h.enter()
			}
		},
		"app id":        func(h *harness) { h.walkTo(flow.StepApp) },
		"site":          func(h *harness) { h.walkTo(flow.StepSite) },
		"instance name": func(h *harness) { h.walkTo(flow.StepInstance) },
		"authorize paste": func(h *harness) {
			h.walkTo(flow.StepAuthorize)
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
			h.typeText("p")
		},
		"resources filter": func(h *harness) {
			h.walkTo(flow.StepResources)
			h.typeText("/")
		},
		"resources copy form": func(h *harness) {
			h.walkTo(flow.StepResources)
			h.typeText("c")
		},
		"review file name": func(h *harness) {
			h.walkTo(flow.StepReview)
			h.typeText("e")
		},
	}
	for name, reach := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, ready)
			reach(h)
			step := h.m.Step()
			if !h.m.typing() {
				t.Fatalf("no text field has focus:\n%s", h.screen())
			}
			h.typeEach(shortcutLetters)
			if h.m.Step() != step || h.quit || h.m.showKeys || !h.m.typing() || len(h.copied) != 0 {
				t.Fatalf("a letter acted as a key: step %v→%v quit %v keys %v copied %v\n%s", step, h.m.Step(), h.quit, h.m.showKeys, h.copied, h.screen())
			}
		})
	}
}

// Esc with a filter applied on Resources clears the filter first; going
// back a step and returning keeps the ticks.
func TestResourcesEscAndTicks(t *testing.T) {
	h := newHarness(t, ready)
	h.m.resourceNames = manyNames(30)
	h.walkTo(flow.StepResources)
	h.typeText("/")
	h.typeText("res-002")
	h.enter() // keep the filter
	h.typeText(" ")
	if !strings.Contains(h.screen(), "10 of 31") {
		t.Fatalf("filter not applied:\n%s", h.screen())
	}
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepResources || strings.Contains(h.screen(), "of 31") {
		t.Fatalf("esc did not clear the filter first: %v\n%s", h.m.Step(), h.screen())
	}
	if !strings.Contains(h.screen(), "31 resources, 1 ticked") {
		t.Fatalf("clearing the filter dropped the tick:\n%s", h.screen())
	}
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepEvents {
		t.Fatalf("the second esc: %v", h.m.Step())
	}
	h.walkTo(flow.StepResources)
	if !strings.Contains(h.screen(), "1 ticked") || !h.m.scr.(*resourcesStep).isPicked("res-0020") {
		t.Fatalf("going back dropped the ticks:\n%s", h.screen())
	}
}

// In the paste flow the keys listed are the keys that work: c is text in
// the paste field (the screen does not claim it copies there), esc goes
// back to open or copy the address, where c copies.
func TestPasteFlowKeys(t *testing.T) {
	h := newHarness(t, ready, func(c *Config) { c.Answers.CallbackURL = "https://auth.cloudelements.io/oauth" })
	h.walkTo(flow.StepAuthorize)
	h.waitFor(func() bool { return h.m.auth != nil && h.m.scr.(*authorizeStep).phase == phasePasting }, "the paste field")
	sc := h.screen()
	if strings.Contains(sc, "; c copies it") || !strings.Contains(sc, "esc open/copy the address") {
		t.Fatalf("the paste screen lists a key that does not work there:\n%s", sc)
	}
	h.typeText("c")
	if len(h.copied) != 0 || h.m.scr.(*authorizeStep).paste.Value() != "c" {
		t.Fatalf("c in the paste field: copied %v, field %q", h.copied, h.m.scr.(*authorizeStep).paste.Value())
	}
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepAuthorize || !strings.Contains(h.screen(), "c copy address") {
		t.Fatalf("esc did not go back to open/copy: %v\n%s", h.m.Step(), h.screen())
	}
	h.typeText("c")
	if len(h.copied) != 1 || !strings.HasPrefix(h.copied[0], "https://acme.docushareflex.com/") {
		t.Fatalf("c did not copy the address: %q", h.copied)
	}
	h.typeText("p")
	if h.m.scr.(*authorizeStep).phase != phasePasting {
		t.Fatal("p did not open the paste field again")
	}
}

// The timeout screen offers p and its advice works: the address the
// browser showed for the try that timed out is accepted (checked against
// that try's state); another state is still refused.
func TestTimeoutThenPasteTheAddress(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepAuthorize)
	h.waitFor(func() bool { return h.m.auth != nil }, "listener")
	h.ls.last().Finish(oauthlistener.Result{}, oauthlistener.ErrTimeout)
	h.waitFor(func() bool { return h.m.scr.(*authorizeStep).phase == phaseFailed }, "the timeout")
	if !strings.Contains(h.screen(), "p paste address/code") {
		t.Fatalf("the timeout screen does not offer p:\n%s", h.screen())
	}
	h.typeText("p")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("http://127.0.0.1:23949/callback?code=late&state=OTHER"), Paste: true})
	h.enter()
	if h.m.Step() != flow.StepAuthorize || !strings.Contains(h.screen(), "state does not match") {
		t.Fatalf("another state was accepted after the timeout: %v\n%s", h.m.Step(), h.screen())
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("http://127.0.0.1:23949/callback?code=late&state=STATE"), Paste: true})
	h.enter()
	if h.m.Step() != flow.StepEvents || h.m.answers.Code.Reveal() != "late" {
		t.Fatalf("the timed-out try's address was not accepted: %v\n%s", h.m.Step(), h.screen())
	}
	if h.m.answers.CallbackURL != "http://127.0.0.1:23949/callback" {
		t.Fatalf("callback %q", h.m.answers.CallbackURL)
	}
}

// One help line per screen, one style, one meaning per word: ctrl+c is
// "cancel" everywhere, "back" is esc's, huh's shift+tab is "previous field";
// ? lists every key and closes again.
func TestOneHelpLine(t *testing.T) {
	h := newHarness(t, ready)
	check := func() {
		t.Helper()
		sc := h.screen()
		if n := strings.Count(sc, "ctrl+c"); n != 1 {
			t.Fatalf("%v: ctrl+c shown %d times:\n%s", h.m.Step(), n, sc)
		}
		for _, bad := range []string{"ctrl+c quit", "shift+tab back", "esc cancel"} {
			if strings.Contains(sc, bad) {
				t.Fatalf("%v: %q:\n%s", h.m.Step(), bad, sc)
			}
		}
		// The help is one block at the bottom: nothing but blank lines
		// separates it from the body, and the keys are not split in two.
		lines := strings.Split(strings.TrimRight(sc, "\n"), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, "ctrl+c cancel") {
			t.Fatalf("%v: the last line is not the help:\n%s", h.m.Step(), sc)
		}
	}
	for _, s := range []flow.Step{flow.StepConnect, flow.StepApp, flow.StepSite, flow.StepAuthorize, flow.StepEvents, flow.StepResources, flow.StepInstance, flow.StepReview} {
		h.walkTo(s)
		if s == flow.StepAuthorize {
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		}
		check()
	}
	h.typeText("?")
	if sc := h.screen(); !strings.Contains(sc, "Keys on this screen") || !strings.Contains(sc, "edit a step") || !strings.Contains(sc, "ctrl+c") {
		t.Fatalf("? does not list the keys:\n%s", sc)
	}
	h.typeText("q") // not a key while the list is open
	if h.quit {
		t.Fatal("q acted under the key list")
	}
	h.typeText("?")
	if strings.Contains(h.screen(), "Keys on this screen") {
		t.Fatal("? did not close the list")
	}
}

// When a field shows an error its keys stay visible (huh's help line used
// to give way to the error).
func TestKeysStayWithAFieldError(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepSite)
	h.clearInput()
	h.typeText("not a domain")
	h.enter()
	sc := h.screen()
	if h.m.Step() != flow.StepSite || !strings.Contains(sc, "enter submit") || !strings.Contains(sc, "esc back") {
		t.Fatalf("the keys went with the error:\n%s", sc)
	}
}

// E is explicit: after the file name, a confirmation names the secrets
// that will be written and where; no writes nothing.
func TestExportWithSecretsIsConfirmed(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepReview)
	h.typeText("E")
	h.enter()
	p := filepath.Join(h.dir, "docushareflex-acme.json")
	sc := trimLines(h.screen())
	for _, want := range []string{"Write these secrets in clear text to", "the Application Secret (oauth.api.secret)", "the grant code (providerData.code)", "y) Yes, write the secrets", "n) No"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("the confirmation lacks %q:\n%s", want, sc)
		}
	}
	if !strings.Contains(strings.ReplaceAll(sc, "\n", ""), p) {
		t.Fatalf("the confirmation does not name %s:\n%s", p, sc)
	}
	h.typeText("n")
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("n wrote the file: %v", err)
	}
	h.enter()
	h.typeText("y")
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export with secrets: %v %v", err, st)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "GRANT-CODE") {
		t.Fatal("the file lacks the code")
	}
}

// NO_COLOR (the tests' Ascii profile): the Yes/No choice reads without
// colour, and changes when toggled.
func TestConfirmReadsWithoutColour(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepEvents)
	if !strings.Contains(h.screen(), "[ Yes ]   No") {
		t.Fatalf("the chosen Yes is not marked:\n%s", h.screen())
	}
	h.key(tea.KeyRight)
	if !strings.Contains(h.screen(), "  Yes   [ No ]") {
		t.Fatalf("the chosen No is not marked:\n%s", h.screen())
	}
}

// fits checks the screen fits w×h.
func fits(t *testing.T, h *harness, w, ht int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(h.screen(), "\n"), "\n")
	if len(lines) > ht {
		t.Fatalf("%v at %dx%d: %d lines:\n%s", h.m.Step(), w, ht, len(lines), h.screen())
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("%v at %dx%d: a line is %d wide: %q", h.m.Step(), w, ht, ansi.StringWidth(l), l)
		}
	}
}

// Below the stated minimum the wizard says so and how to fix it; at 50×15
// the focused row and the status line stay on screen.
func TestSmallTerminal(t *testing.T) {
	t.Run("below the minimum", func(t *testing.T) {
		h := newHarness(t, ready)
		h.send(tea.WindowSizeMsg{Width: 30, Height: 10})
		sc := strings.Join(strings.Fields(h.screen()), " ")
		if !strings.Contains(sc, "at least 40×12") || !strings.Contains(sc, "this one is 30×10") || !strings.Contains(sc, "larger") {
			t.Fatalf("no size message:\n%s", h.screen())
		}
		h.enter()
		if h.m.Step() != flow.StepConnect {
			t.Fatal("a key acted on a screen that cannot be seen")
		}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		if !strings.Contains(h.screen(), "Region") {
			t.Fatalf("the wizard did not come back:\n%s", h.screen())
		}
	})
	t.Run("resources at 50x15", func(t *testing.T) {
		h := newHarness(t, ready)
		h.m.resourceNames = manyNames(300)
		h.walkTo(flow.StepResources)
		h.send(tea.WindowSizeMsg{Width: 50, Height: 15})
		for i := 0; i < 40; i++ {
			h.key(tea.KeyDown)
		}
		h.typeText(" ")
		fits(t, h, 50, 15)
		sc := h.screen()
		if !strings.Contains(sc, "› [x] res-0039") || !strings.Contains(sc, "1 ticked") || !strings.Contains(sc, "ctrl+c cancel") {
			t.Fatalf("the cursor, the count or the keys are off screen:\n%s", sc)
		}
	})
	t.Run("connect with the sandbox note at 50x15", func(t *testing.T) {
		h := newHarness(t, ready, func(c *Config) {
			c.Sandbox = true
			c.Demo = &Demo{BaseURL: "http://127.0.0.1:41234/elements/api-v2", APIKey: "sandbox-app-id", Secrets: c.Secrets}
			c.Answers.BaseURL, c.Answers.Region = c.Demo.BaseURL, ""
		})
		h.send(tea.WindowSizeMsg{Width: 50, Height: 15})
		fits(t, h, 50, 15)
		if sc := h.screen(); !strings.Contains(sc, "> custom") || !strings.Contains(sc, "Sandbox: the built-in emulator") {
			t.Fatalf("the focused region or the note's start is off screen:\n%s", sc)
		}
	})
	t.Run("authorize at 50x15", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepAuthorize)
		h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		h.clock.Advance(31 * time.Second) // the long hint shows too
		h.send(tea.WindowSizeMsg{Width: 50, Height: 15})
		fits(t, h, 50, 15)
		sc := h.screen()
		if !strings.Contains(sc, "left)") || !strings.Contains(sc, "ctrl+c cancel") {
			t.Fatalf("the wait and its time left are off screen:\n%s", sc)
		}
		h.typeText("p")
		fits(t, h, 50, 15)
		if !strings.Contains(h.screen(), "› ") {
			t.Fatalf("the paste field is off screen:\n%s", h.screen())
		}
	})
}
