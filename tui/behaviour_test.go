package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

func TestEditStepFromReview(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepReview)
	code := h.m.answers.Code.Reveal()

	// Events: nothing the code is bound to; back to Review directly.
	h.typeText("5")
	if h.m.Step() != flow.StepEvents {
		t.Fatalf("5 opened %v", h.m.Step())
	}
	h.key(tea.KeyTab) // to the notification URL
	h.clearInput()
	h.typeText("https://hooks.example.org/in")
	h.walkTo(flow.StepReview)
	if got := h.m.answers.NotificationURL; got != "https://hooks.example.org/in" {
		t.Fatalf("notification URL %q", got)
	}
	if h.m.answers.Code.Reveal() != code {
		t.Fatal("editing Events voided the code")
	}
	if !strings.Contains(h.screen(), "hooks.example.org") {
		t.Fatalf("review does not show the edit:\n%s", h.screen())
	}

	// Instance: the form is rebuilt from the answers (the name is there).
	h.typeText("7")
	if !strings.Contains(h.screen(), "docushareflex-acme") {
		t.Fatalf("the instance step was not rebuilt from the answers:\n%s", h.screen())
	}
	h.clearInput()
	h.typeText("renamed")
	h.walkTo(flow.StepReview)
	if h.m.answers.Name != "renamed" {
		t.Fatalf("name %q", h.m.answers.Name)
	}

	// Site: the code was issued for the old site, so authorizing again
	// comes before Review.
	h.typeText("3")
	h.clearInput()
	h.typeText("other.docushareflex.com")
	h.enter()
	if h.m.Step() != flow.StepAuthorize {
		t.Fatalf("after changing the site: %v, want authorize", h.m.Step())
	}
	if !h.m.answers.Code.IsZero() {
		t.Fatal("the old code survived a change of site")
	}
	h.authorizeNow()
	if h.m.Step() != flow.StepReview {
		t.Fatalf("after authorizing: %v, want review", h.m.Step())
	}
	if h.m.answers.Domain != "other.docushareflex.com" || h.m.answers.Name != "renamed" {
		t.Fatalf("answers lost: %+v", h.m.answers)
	}

	// Esc from an edited step goes back to Review unchanged.
	h.typeText("2")
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepReview {
		t.Fatalf("esc from an edit: %v", h.m.Step())
	}
}

func TestBackKeepsAnswers(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepSite)
	h.clearInput()
	h.typeText("beta.docushareflex.com")
	h.enter() // → Authorize
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepSite {
		t.Fatalf("esc from authorize: %v", h.m.Step())
	}
	if !strings.Contains(h.screen(), "beta.docushareflex.com") {
		t.Fatalf("going back lost the site:\n%s", h.screen())
	}
	if !h.ls.allClosed() {
		t.Fatal("leaving Authorize left a listener open")
	}
}

// TestCtrlCEverywhere: at every step Ctrl-C quits with the canceled
// result, closes the listener, and writes nothing.
func TestCtrlCEverywhere(t *testing.T) {
	stops := []flow.Step{flow.StepConnect, flow.StepApp, flow.StepSite, flow.StepAuthorize, flow.StepEvents, flow.StepResources, flow.StepInstance, flow.StepReview, flow.StepResult, flow.StepError}
	for _, s := range stops {
		t.Run(s.Name(), func(t *testing.T) {
			h := newHarness(t, ready)
			switch s {
			case flow.StepError:
				h.client.createErrs = []error{&cloudelements.APIError{Op: "POST /instances", Status: 500, Message: "boom"}}
				h.walkTo(flow.StepReview)
				h.enter()
				h.waitFor(func() bool { return h.m.Step() == flow.StepError }, "error screen")
			case flow.StepResult:
				h.walkTo(flow.StepReview)
				h.enter()
				h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "result")
			case flow.StepAuthorize:
				h.walkTo(s)
				h.waitFor(func() bool { return h.m.auth != nil }, "listener")
			default:
				h.walkTo(s)
			}
			before := listFiles(t, h.dir)
			h.key(tea.KeyCtrlC)
			if s == flow.StepResult {
				// Nothing is left to cancel once created: ctrl+c closes the
				// result like enter, and its line stays on the screen.
				if !h.quit || h.m.Canceled() || h.m.Outcome().Kind != OutcomeCreated {
					t.Fatalf("ctrl+c at the result: quit %v canceled %v outcome %v", h.quit, h.m.Canceled(), h.m.Outcome().Kind)
				}
				if v := h.m.View(); !strings.Contains(v, "Created instance") || !strings.Contains(v, "mode 0600") {
					t.Fatalf("the created line is not left on the screen: %q", v)
				}
				return
			}
			if !h.quit || !h.m.Canceled() {
				t.Fatalf("ctrl+c at %v: quit %v canceled %v", s, h.quit, h.m.Canceled())
			}
			if !h.ls.allClosed() {
				t.Fatal("a listener is still open")
			}
			if h.m.ctx.Err() == nil {
				t.Fatal("in-flight work was not canceled")
			}
			if after := listFiles(t, h.dir); after != before {
				t.Fatalf("files changed on ctrl+c:\nbefore %s\nafter  %s", before, after)
			}
			if s == flow.StepError {
				// The failure is not erased: its box stays in the scrollback.
				if v := h.m.View(); !strings.Contains(v, "boom") {
					t.Fatalf("the error box is not left on the screen: %q", v)
				}
				return
			}
			if h.m.View() != "" {
				t.Fatal("the view is not cleared on quit")
			}
		})
	}
	t.Run("during_create", func(t *testing.T) {
		h := newHarness(t, ready)
		h.walkTo(flow.StepReview)
		// Enter Create without running its command, then Ctrl-C.
		h.m.step = flow.StepCreate
		h.m.scr = newCreate(h.m)
		h.key(tea.KeyCtrlC)
		if !h.m.Canceled() || h.m.ctx.Err() == nil {
			t.Fatal("ctrl+c during create did not cancel")
		}
		// A late answer is ignored: nothing is written.
		h.m.Update(createdMsg{inst: &cloudelements.Instance{ID: 1, Token: flow.NewSecret("t")}})
		if files := listFiles(t, h.dir); files != "" {
			t.Fatalf("written after ctrl+c: %s", files)
		}
	})
}

func listFiles(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return strings.Join(out, ",")
}

func TestExportFromReview(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepReview)
	h.typeText("e")
	h.enter()
	p := filepath.Join(h.dir, "docushareflex-acme.json")
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("export: %v %v", err, st)
	}
	data, _ := os.ReadFile(p)
	if strings.Contains(string(data), "app-secret") || strings.Contains(string(data), "GRANT-CODE") {
		t.Fatal("a plain export holds secrets")
	}
	// Again: the file exists; no is no, yes replaces it (now with secrets,
	// 0600, once the secrets to write are confirmed).
	h.typeText("E")
	h.enter()
	h.typeText("y") // write the secrets
	if !strings.Contains(h.screen(), "Replace it?") {
		t.Fatalf("no overwrite question:\n%s", h.screen())
	}
	h.typeText("n")
	if b, _ := os.ReadFile(p); string(b) != string(data) {
		t.Fatal("the file changed after no")
	}
	h.enter()
	h.typeText("y") // write the secrets
	h.typeText("y") // replace the file
	st, _ = os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("export with secrets mode %v", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "GRANT-CODE") {
		t.Fatal("export with secrets lacks the code")
	}
	// The remembered answers were saved, without secrets.
	mem, err := os.ReadFile(filepath.Join(h.dir, flow.RememberedFile))
	if err != nil || strings.Contains(string(mem), "secret") && strings.Contains(string(mem), "app-secret") {
		t.Fatalf("remembered: %v\n%s", err, mem)
	}
	h.typeText("q")
	if h.m.Outcome().Kind != OutcomeExported || h.m.Outcome().ExportPath != p {
		t.Fatalf("outcome %+v", h.m.Outcome())
	}
}

func TestRememberedAnswersPrefill(t *testing.T) {
	dir := t.TempDir()
	a := flow.NewAnswers()
	a.Domain = "remembered.docushareflex.com"
	a.APIKey = "remembered-app"
	a.RefreshInterval = 42
	if err := (flow.Memory{Dir: dir}).Save(a); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(c *Config) {
		c.ConfigDir = dir
		c.Answers.APIKey = "from-flag" // a flag wins over the memory
	})
	got := h.m.answers
	if got.Domain != "remembered.docushareflex.com" || got.APIKey != "from-flag" || got.RefreshInterval != 42 {
		t.Fatalf("prefill: %+v", got)
	}
}

func TestErrorScreenActions(t *testing.T) {
	t.Run("retry", func(t *testing.T) {
		h := newHarness(t, ready)
		h.client.createErrs = []error{&cloudelements.APIError{Op: "POST /instances", Status: 503, Message: "busy"}}
		h.walkTo(flow.StepReview)
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepError }, "error")
		h.typeText("r")
		h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "result after retry")
	})
	t.Run("no_retry_when_outcome_unknown", func(t *testing.T) {
		h := newHarness(t, ready)
		h.client.createErrs = []error{&cloudelements.OutcomeUnknownError{Name: "x", Cause: &cloudelements.NetError{Kind: cloudelements.NetTimeout}}}
		h.walkTo(flow.StepReview)
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepError }, "error")
		h.typeText("r")
		h.typeText("a")
		if h.m.Step() != flow.StepError || len(h.client.created) != 0 {
			t.Fatal("a possibly created instance was created again")
		}
		h.typeText("e")
		if h.m.Step() != flow.StepReview {
			t.Fatalf("e: %v", h.m.Step())
		}
	})
	t.Run("doctor_hook", func(t *testing.T) {
		h := newHarness(t, ready, func(c *Config) {
			c.Doctor = func(ctx2 ctxT, a flow.Answers, s flow.Secrets, _ error) error { return nil }
		})
		h.client.createErrs = []error{&cloudelements.APIError{Op: "POST /instances", Status: 403, Message: "no"}}
		h.walkTo(flow.StepReview)
		h.enter()
		h.waitFor(func() bool { return h.m.Step() == flow.StepError }, "error")
		if !strings.Contains(h.screen(), "run the doctor") {
			t.Fatalf("no doctor key:\n%s", h.screen())
		}
		h.typeText("d")
		if h.m.Outcome().Kind != OutcomeDoctor || h.m.Outcome().Secrets.UserSecret.IsZero() || h.m.Outcome().Err == nil {
			t.Fatalf("outcome %+v", h.m.Outcome())
		}
		// The error stays on the screen above the doctor's checklist.
		if v := ansi.Strip(h.m.View()); !strings.Contains(v, "Status: 403") || !strings.Contains(v, "message: no") {
			t.Fatalf("the error box is not left on the screen:\n%s", v)
		}
	})
}

func TestNoColor(t *testing.T) {
	var buf strings.Builder
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.TrueColor) // as on a colour terminal
	if got := newStyles(r).errTitle.Render("x"); got == "x" {
		t.Fatal("the colour terminal renders no colour: the test proves nothing")
	}
	applyNoColor(r, func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	})
	st := newStyles(r)
	if got := st.errTitle.Render("x"); got != "x" {
		t.Fatalf("NO_COLOR still colours: %q", got)
	}
	if got := st.highlightJSON(`{"a": 1}`); strings.Contains(got, "\x1b[") {
		t.Fatalf("NO_COLOR JSON has escapes: %q", got)
	}
}

func TestConnectRetryAfter401(t *testing.T) {
	h := newHarness(t, ready)
	h.client.infoErr = &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401, Message: "Invalid Organization or User secret"}
	for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
	h.client.infoErr = nil
	h.typeText("good-user")
	h.enter()
	h.typeText("good-org")
	h.enter()
	if h.m.Step() != flow.StepApp {
		t.Fatalf("after retyping the secrets: %v\n%s", h.m.Step(), h.screen())
	}
	if h.m.secrets.UserSecret.Reveal() != "good-user" || h.m.secrets.OrgSecret.Reveal() != "good-org" {
		t.Fatal("the retyped secrets were not used as typed")
	}
}

// TestNoSecretOnAnyScreen walks the whole wizard and the end screens and
// checks that no secret, code or token is ever drawn.
func TestNoSecretOnAnyScreen(t *testing.T) {
	secrets := []string{"user-secret", "org-secret", "app-secret", "GRANT-CODE", "TOKEN-abc123="}
	check := func(h *harness) {
		t.Helper()
		s := h.screen()
		for _, x := range secrets {
			if strings.Contains(s, x) {
				t.Fatalf("%v shows %q:\n%s", h.m.Step(), x, s)
			}
		}
	}
	h := newHarness(t, ready)
	for _, s := range []flow.Step{flow.StepConnect, flow.StepApp, flow.StepSite, flow.StepAuthorize, flow.StepEvents, flow.StepResources, flow.StepInstance, flow.StepReview} {
		h.walkTo(s)
		if s == flow.StepAuthorize {
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
		}
		check(h)
	}
	h.typeText("u") // the cURL view reads the secrets from variables
	check(h)
	h.typeText("u")
	h.enter()
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "result")
	check(h)

	h2 := newHarness(t, ready)
	h2.client.createErrs = []error{&cloudelements.APIError{Op: "POST /instances", Status: 400, Message: "bad", ProviderMessage: "invalid_grant"}}
	h2.walkTo(flow.StepReview)
	h2.enter()
	h2.waitFor(func() bool { return h2.m.Step() == flow.StepError }, "error")
	check(h2)
}

// TestResourcesDetails ticks two resources (one by copying the events
// configuration), fills their small forms, and finds them in the body.
func TestResourcesDetails(t *testing.T) {
	h := newHarness(t, ready)
	h.client.defaults = testElementDefault()
	h.walkTo(flow.StepResources)
	h.typeText(" ") // events
	h.key(tea.KeyDown)
	h.typeText("c") // folders gets a copy of events' configuration, at the element's URL
	h.enter()       // its name (folders)
	h.enter()       // its URL (the element's)
	h.enter()       // → events' form
	if !strings.Contains(h.screen(), "events (1 of 2)") {
		t.Fatalf("no form for events:\n%s", h.screen())
	}
	h.enter() // url
	h.clearInput()
	h.typeText("uuid") // idField
	h.enter()
	h.enter() // updated field
	for i := 0; i < len(flow.CommonDateFormats); i++ {
		h.key(tea.KeyDown) // to "custom"
	}
	h.enter()
	h.typeText("dd.MM.yyyy")
	h.enter()
	for i := 0; i < 3; i++ { // created: field, format, custom
		h.enter()
	}
	if !strings.Contains(h.screen(), "folders (2 of 2)") {
		t.Fatalf("no form for folders:\n%s", h.screen())
	}
	for i := 0; i < 8 && h.m.Step() == flow.StepResources; i++ {
		h.enter()
	}
	if h.m.Step() != flow.StepInstance {
		t.Fatalf("after the forms: %v\n%s", h.m.Step(), h.screen())
	}
	p := h.m.answers.Polling
	if len(p) != 2 || p[0].Name != "events" || p[1].Name != "folders" {
		t.Fatalf("polling %+v", p)
	}
	if p[0].IDField != "uuid" || p[0].DatesConfiguration.UpdatedDateFormat != "dd.MM.yyyy" {
		t.Fatalf("events %+v %+v", p[0], *p[0].DatesConfiguration)
	}
	if p[1].URL != "/hubs/documents/folders/contents?path=/" || p[1].IDField != "id" {
		t.Fatalf("folders %+v", p[1])
	}
	body := flow.BuildBody(h.m.answers, h.m.secrets, flow.SecretsMasked)
	if len(body.Configuration.PollerConfiguration) != 2 {
		t.Fatal("the body has no poller configuration")
	}
}

func TestResourcesUseDefault(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		ready(c)
		c.Answers.Polling = flow.PollingPresets()[:1]
	})
	h.walkTo(flow.StepResources)
	if !strings.Contains(h.screen(), "1 ticked") {
		t.Fatalf("the answers' resources are not ticked:\n%s", h.screen())
	}
	h.typeText("d")
	h.enter()
	if h.m.Step() != flow.StepInstance || h.m.answers.Polling != nil {
		t.Fatalf("d then enter: %v %+v", h.m.Step(), h.m.answers.Polling)
	}
}

// TestLeavingWhileStartingFreesTheListener: esc while the authorization is
// starting; when the start completes later, its listener is closed.
func TestLeavingWhileStartingFreesTheListener(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepSite)
	// Enter Authorize without running its start command.
	h.m.step = flow.StepAuthorize
	h.m.scr = newAuthorize(h.m)
	start := h.m.scr.(*authorizeStep).begin(h.m)
	h.key(tea.KeyEsc)
	if h.m.Step() != flow.StepSite {
		t.Fatalf("esc: %v", h.m.Step())
	}
	h.do(start) // the start completes now
	if len(h.ls.all) != 1 || !h.ls.allClosed() {
		t.Fatalf("%d listeners, all closed %v", len(h.ls.all), h.ls.allClosed())
	}
}

// The App step names the redirect URI to register: the exact one for a
// fixed port, and no made-up one when --listen asks for a free port.
func TestAppRedirectURINote(t *testing.T) {
	for _, tc := range []struct {
		listen     string
		want, deny string
	}{
		{"", "register exactly:\n" + oauthlistener.DefaultRedirectURI, "PORT"},
		{"127.0.0.1:23949", "register exactly:\n" + oauthlistener.DefaultRedirectURI, "PORT"},
		{"127.0.0.1:8123", "register exactly:\nhttp://127.0.0.1:8123/callback", oauthlistener.DefaultRedirectURI},
		{"127.0.0.1:0", "port is chosen when authorizing", oauthlistener.DefaultRedirectURI},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			h := newHarness(t, ready, func(c *Config) { c.Listen.ListenAddr = tc.listen })
			h.walkTo(flow.StepApp)
			h.enter() // Application ID
			h.enter() // Application Secret: the callback group
			s := trimLines(h.screen())
			if !strings.Contains(s, "How does the code come back?") {
				t.Fatalf("not at the callback group:\n%s", s)
			}
			if !strings.Contains(s, tc.want) || strings.Contains(s, tc.deny) {
				t.Fatalf("want %q and no %q:\n%s", tc.want, tc.deny, s)
			}
			// The listener is asked for what the step showed.
			h.walkTo(flow.StepAuthorize)
			h.waitFor(func() bool { return h.ls.last() != nil }, "the listener")
			if want := h.m.answers.CallbackURL; tc.listen == "127.0.0.1:8123" && want != "http://127.0.0.1:8123/callback" {
				t.Fatalf("callback URL %q, want the --listen port's", want)
			}
		})
	}
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "┃")) // huh marks the focused field with ┃
	}
	return strings.Join(lines, "\n")
}

// Without a terminal the wizard draws nothing and says to use create or
// export (main exits 2 on ErrNoTerminal); no listener is started.
func TestRunWithoutTerminal(t *testing.T) {
	ls := &listeners{clock: &testClock{t: t0}}
	var out strings.Builder
	_, err := Run(context.Background(), Config{
		Answers: flow.NewAnswers(), Input: strings.NewReader(""), Output: &out,
		StartListener: ls.start, Getenv: func(k string) string { return map[string]string{"TERM": "xterm-256color"}[k] },
		ConfigDir: t.TempDir(),
	})
	if !errors.Is(err, ErrNoTerminal) || !strings.Contains(err.Error(), "cewiz create") || !strings.Contains(err.Error(), "cewiz export") {
		t.Fatalf("error %v", err)
	}
	if out.Len() != 0 || len(ls.all) != 0 {
		t.Fatalf("drew %q or started %d listeners", out.String(), len(ls.all))
	}
}
