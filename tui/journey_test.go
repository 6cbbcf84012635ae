package tui

import (
	"bytes"
	"context"
	"io"
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
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// screenWatcher accumulates a teatest program's output so that a test can
// wait for a text without consuming what later waits need.
type screenWatcher struct {
	mu  sync.Mutex
	buf bytes.Buffer
	r   io.Reader
}

func (w *screenWatcher) pull() string {
	p := make([]byte, 64<<10)
	n, _ := w.r.Read(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p[:n])
	return ansi.Strip(w.buf.String())
}

// waitFor waits until text appears in the output after the mark.
func (w *screenWatcher) waitFor(t *testing.T, text string, d time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(w.pull(), text) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// reset forgets the output seen so far.
func (w *screenWatcher) reset() {
	w.pull()
	w.mu.Lock()
	w.buf.Reset()
	w.mu.Unlock()
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
	cfg := Config{
		Answers:   flow.NewAnswers(),
		Listen:    journey.Settings{ListenAddr: "127.0.0.1:0", Timeout: 30 * time.Second},
		Browser:   browser,
		Getenv:    func(string) string { return "" },
		Clipboard: func(string) error { return nil },
	}
	SandboxPrefill(&cfg, srv.BaseURL())
	cfg.ConfigDir = dir
	cfg.NoRemember = false
	cfg.ExportDir = dir
	return New(context.Background(), cfg, lipgloss.DefaultRenderer()), srv, dir
}

// pressUntil presses enter until text shows (one field at a time).
func pressUntil(t *testing.T, tm *teatest.TestModel, w *screenWatcher, text string) {
	t.Helper()
	for i := 0; i < 12; i++ {
		if w.waitFor(t, text, 500*time.Millisecond) {
			w.reset()
			return
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	}
	if !w.waitFor(t, text, 5*time.Second) {
		t.Fatalf("%q never showed; output:\n%s", text, w.pull())
	}
	w.reset()
}

func TestJourneyAgainstSandbox(t *testing.T) {
	browser := &journeytest.ConsentBrowser{}
	m, srv, dir := sandboxModel(t, sandbox.Options{}, browser)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	w := &screenWatcher{r: tm.Output()}
	pressUntil(t, tm, w, "Step 2 of 8") // Connect: secrets checked against the sandbox
	pressUntil(t, tm, w, "Step 3 of 8") // App
	// Site → Authorize: the listener, the consent page, Allow; the code
	// arrives so fast that the Authorize frame itself may never be drawn.
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	if !w.waitFor(t, "Authorized", 15*time.Second) {
		t.Fatalf("no grant:\n%s", w.pull())
	}
	w.reset()
	pressUntil(t, tm, w, "Step 6 of 8")      // Events
	pressUntil(t, tm, w, "Step 7 of 8")      // Resources: the element's default
	pressUntil(t, tm, w, "Step 8 of 8")      // Instance
	pressUntil(t, tm, w, "Instance created") // Review → Create
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
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
	if !strings.Contains(string(mem), "acme.docushareflex.com") {
		t.Errorf("remembered answers lack the domain:\n%s", mem)
	}
}

func TestReauthorizeAfterExpiredCode(t *testing.T) {
	clock := journeytest.NewClock(time.Now())
	browser := &journeytest.ConsentBrowser{}
	m, srv, _ := sandboxModel(t, sandbox.Options{Now: clock.Now, CodeTTL: time.Minute}, browser)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	w := &screenWatcher{r: tm.Output()}
	pressUntil(t, tm, w, "Step 3 of 8")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	if !w.waitFor(t, "Authorized", 15*time.Second) {
		t.Fatalf("no grant:\n%s", w.pull())
	}
	w.reset()
	pressUntil(t, tm, w, "Step 8 of 8")
	clock.Advance(2 * time.Minute) // the code expires while the user reviews
	pressUntil(t, tm, w, "The grant code was rejected")
	if len(srv.Instances()) != 0 {
		t.Fatal("an instance was created with an expired code")
	}
	// Authorize again and retry, keeping every other answer.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	if !w.waitFor(t, "Instance created", 15*time.Second) {
		t.Fatalf("no instance after authorizing again:\n%s", w.pull())
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if fm.Outcome().Kind != OutcomeCreated || len(srv.Instances()) != 1 {
		t.Fatalf("outcome %+v, %d instances", fm.Outcome(), len(srv.Instances()))
	}
	if len(browser.Opened()) != 2 {
		t.Errorf("the browser opened %d times, want 2", len(browser.Opened()))
	}
	_ = browser.Wait()
}
