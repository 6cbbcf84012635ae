package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// watchedModel wraps the wizard in a teatest run and publishes, after each
// Update (on the program's goroutine), its step, whether it is busy (the
// secrets being checked, an authorization waiting, the create running) and
// how many keys it has handled. Tests press a key only when the wizard has
// handled the previous one and is not busy, and wait on these events with
// generous timeouts: never on a timer, so a loaded machine only slows them.
type watchedModel struct {
	*Model
	mu      sync.Mutex
	step    flow.Step
	busy    bool
	keys    int
	place   string        // the step and the focused field
	screen  string        // the last frame drawn
	changed chan struct{} // closed (and replaced) on every Update
}

func (w *watchedModel) View() string {
	v := w.Model.View()
	w.mu.Lock()
	if w.screen != v {
		w.screen = v
		close(w.changed)
		w.changed = make(chan struct{})
	}
	w.mu.Unlock()
	return v
}

func (w *watchedModel) lastScreen() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ansi.Strip(w.screen)
}

func watch(m *Model) *watchedModel {
	return &watchedModel{Model: m, step: m.Step(), changed: make(chan struct{})}
}

func (w *watchedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := w.Model.Update(msg)
	m := w.Model
	busy := m.step == flow.StepAuthorize || m.step == flow.StepCreate
	if c, ok := m.scr.(*connectStep); ok && c.checking {
		busy = true
	}
	place := fmt.Sprintf("%v %p", m.step, focusedField(m))
	w.mu.Lock()
	w.step, w.busy, w.place = m.step, busy, place
	if _, ok := msg.(tea.KeyMsg); ok {
		w.keys++
	}
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
	return w, cmd
}

type watchState struct {
	step    flow.Step
	busy    bool
	keys    int
	place   string
	screen  string
	changed <-chan struct{}
}

func (w *watchedModel) state() watchState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return watchState{w.step, w.busy, w.keys, w.place, ansi.Strip(w.screen), w.changed}
}

// waitStep waits until the wizard is at step s and not busy.
func (w *watchedModel) waitStep(t *testing.T, s flow.Step, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		st := w.state()
		if st.step == s && !st.busy {
			return
		}
		select {
		case <-st.changed:
		case <-timeout:
			t.Fatalf("the wizard is at %v (busy %v), not %v; screen:\n%s", st.step, st.busy, s, w.lastScreen())
		}
	}
}

// focusedField is the focused field of a form step (nil elsewhere).
func focusedField(m *Model) any {
	var fs *formScreen
	switch s := m.scr.(type) {
	case *connectStep:
		fs = s.fs
	case *appStep:
		fs = s.formScreen
	case *siteStep:
		fs = s.formScreen
	case *eventsStep:
		fs = s.formScreen
	case *instanceStep:
		fs = s.formScreen
	}
	if fs == nil || fs.form == nil {
		return nil
	}
	return fs.form.GetFocusedField()
}

// pressUntil presses enter until the wizard is at step s, one key at a
// time: the next only once the wizard has handled the last and it took
// effect (another field is focused or another step shown: huh moves on in
// a later message than the key's), and none while the wizard is busy. It
// waits on the wizard's events, never on a timer, so a slow machine only
// makes it slower.
func pressUntil(t *testing.T, tm *teatest.TestModel, w *watchedModel, s flow.Step) {
	t.Helper()
	sent, pressedAt := w.state().keys, "" // pressedAt: where enter was last pressed
	for presses := 0; ; {
		st := w.state()
		switch {
		case st.step == s && !st.busy:
			return
		case st.step > s && s <= flow.StepReview && st.step <= flow.StepReview:
			t.Fatalf("went past %v to %v; screen:\n%s", s, st.step, st.screen)
		case st.busy || st.keys < sent || st.place == pressedAt:
			select {
			case <-st.changed:
			case <-time.After(30 * time.Second):
				t.Fatalf("the wizard is stuck at %v (busy %v, %d of %d keys handled); screen:\n%s", st.step, st.busy, st.keys, sent, st.screen)
			}
			continue
		case presses == 30:
			t.Fatalf("30 presses of enter did not reach %v: at %v", s, st.step)
		}
		pressedAt = st.place
		tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		sent++
		presses++
	}
}

// sandboxModel builds a wizard against a real in-process sandbox with a
// browser that clicks Allow on its consent page over real HTTP.
func sandboxModel(t *testing.T, sbOpts sandbox.Options, browser journey.Browser) (*Model, *sandbox.Server, string) {
	t.Helper()
	srv, err := sandbox.Start(sbOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	// The answers main's --sandbox fills in: the emulator's demo secrets and
	// application, a demo site and notification URL.
	a := flow.NewAnswers()
	a.BaseURL, a.Region = srv.BaseURL(), ""
	a.APIKey, a.Domain, a.NotificationURL = sandbox.DemoAppID, "acme.docushareflex.com", "https://example.com/cewiz-sandbox/events"
	cfg := Config{
		Answers: a,
		Secrets: flow.Secrets{
			UserSecret: flow.NewSecret(sandbox.DemoUserSecret),
			OrgSecret:  flow.NewSecret(sandbox.DemoOrgSecret),
			APISecret:  flow.NewSecret(sandbox.DemoAppSecret),
		},
		Sandbox: true,
		NewClient: func(base string, s flow.Secrets) (Client, error) {
			return cloudelements.New(base, s.UserSecret, s.OrgSecret)
		},
		Listen:    journey.Settings{ListenAddr: "127.0.0.1:0", Timeout: 30 * time.Second},
		Browser:   browser,
		Getenv:    func(string) string { return "" },
		Clipboard: func(string) error { return nil },
		ConfigDir: dir,
		ExportDir: dir,
	}
	return New(context.Background(), cfg, lipgloss.DefaultRenderer()), srv, dir
}

func TestJourneyAgainstSandbox(t *testing.T) {
	browser := &journeytest.ConsentBrowser{}
	m, srv, dir := sandboxModel(t, sandbox.Options{}, browser)
	w := watch(m)
	tm := teatest.NewTestModel(t, w, teatest.WithInitialTermSize(80, 24))
	pressUntil(t, tm, w, flow.StepApp)  // Connect: secrets checked against the sandbox
	pressUntil(t, tm, w, flow.StepSite) // App
	// Site → Authorize: the listener, the consent page, Allow, the grant.
	pressUntil(t, tm, w, flow.StepEvents)
	pressUntil(t, tm, w, flow.StepResources) // Events
	pressUntil(t, tm, w, flow.StepInstance)  // Resources: the element's default
	pressUntil(t, tm, w, flow.StepReview)    // Instance
	pressUntil(t, tm, w, flow.StepResult)    // Review → Create
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Instance created")) },
		teatest.WithDuration(30*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*watchedModel).Model
	if err := browser.Wait(); err != nil {
		t.Fatal(err)
	}
	out := fm.Outcome()
	if out.Kind != OutcomeCreated || out.Instance == nil {
		t.Fatalf("outcome %+v", out)
	}
	got, ok := srv.Instance(out.Instance.ID)
	if !ok {
		t.Fatalf("instance %d is not in the sandbox", out.Instance.ID)
	}
	if got.Name != "docushareflex-acme" {
		t.Errorf("name %q", got.Name)
	}
	if n := srv.Count(sandbox.RouteCreateInstance); n != 1 {
		t.Errorf("%d creates", n)
	}
	// The summary holds the token, 0600; the remembered answers hold no secret.
	st, err := os.Stat(out.SummaryPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("summary %s: %v %v", out.SummaryPath, err, st)
	}
	mem, err := os.ReadFile(filepath.Join(dir, flow.RememberedFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{sandbox.DemoUserSecret, sandbox.DemoOrgSecret, sandbox.DemoAppSecret} {
		if strings.Contains(string(mem), secret) {
			t.Fatalf("remembered answers hold a secret:\n%s", mem)
		}
	}
	// The port --listen 127.0.0.1:0 chose is for this run only.
	if strings.Contains(string(mem), "callbackUrl") {
		t.Errorf("remembered answers hold this run's callback port:\n%s", mem)
	}
	if !strings.Contains(string(mem), "acme.docushareflex.com") {
		t.Errorf("remembered answers lack the domain:\n%s", mem)
	}
}

func TestReauthorizeAfterExpiredCode(t *testing.T) {
	clock := journeytest.NewClock(time.Now())
	browser := &journeytest.ConsentBrowser{}
	m, srv, _ := sandboxModel(t, sandbox.Options{Now: clock.Now, CodeTTL: time.Minute}, browser)
	w := watch(m)
	tm := teatest.NewTestModel(t, w, teatest.WithInitialTermSize(80, 24))
	pressUntil(t, tm, w, flow.StepEvents) // through Connect, App, Site and Authorize
	pressUntil(t, tm, w, flow.StepReview)
	clock.Advance(2 * time.Minute) // the code expires while the user reviews
	pressUntil(t, tm, w, flow.StepError)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("The grant code was rejected")) },
		teatest.WithDuration(30*time.Second))
	if len(srv.Instances()) != 0 {
		t.Fatal("an instance was created with an expired code")
	}
	// Authorize again and retry, keeping every other answer.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	w.waitStep(t, flow.StepResult, 30*time.Second)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Instance created")) },
		teatest.WithDuration(30*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*watchedModel).Model
	if fm.Outcome().Kind != OutcomeCreated || len(srv.Instances()) != 1 {
		t.Fatalf("outcome %+v, %d instances", fm.Outcome(), len(srv.Instances()))
	}
	if len(browser.Opened()) != 2 {
		t.Errorf("the browser opened %d times, want 2", len(browser.Opened()))
	}
	_ = browser.Wait()
}
