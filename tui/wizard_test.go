package tui

// The wizard as a person uses it: Review, the fields that do not apply,
// --sandbox's demo values, the instance name, Resources and the same-name
// question, each driven with real keys through the harness.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Review: a long JSON value is wrapped with a marker, never cut; the cURL
// view has a copy key and a save key that give the whole command.
func TestReviewLongLinesAndCurl(t *testing.T) {
	long := "https://hooks.example.org/cewiz/" + strings.Repeat("segment/", 12) + "end"
	h := newHarness(t, func(c *Config) {
		ready(c)
		c.Answers.NotificationURL = long
	})
	h.walkTo(flow.StepReview)
	fits(t, h, 80, 24)
	if !strings.Contains(h.screen(), "↳ segment/") {
		t.Fatalf("the long value is not wrapped with a marker:\n%s", h.screen())
	}
	h.key(tea.KeyPgDown)
	fits(t, h, 80, 24)
	if !strings.Contains(h.screen(), "↳ segment/segment/segment/end\"") {
		t.Fatalf("the long value's end is not shown:\n%s", h.screen())
	}
	h.key(tea.KeyPgUp)
	h.typeText("u")
	if !strings.Contains(h.screen(), "c copy cURL") || !strings.Contains(h.screen(), "s save cURL") {
		t.Fatalf("no copy or save key in the cURL view:\n%s", h.screen())
	}
	want, err := flow.ExportCurl(h.m.answers, h.m.answers.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	h.typeText("c")
	if len(h.copied) != 1 || h.copied[0] != want {
		t.Fatalf("c copied %q, want the whole command", h.copied)
	}
	h.typeText("s")
	h.enter()
	p := filepath.Join(h.dir, "docushareflex-acme.curl.sh")
	got, err := os.ReadFile(p)
	if err != nil || string(got) != want {
		t.Fatalf("s saved %q (%v), want the whole command", got, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if !strings.Contains(h.screen(), "Saved the cURL command to") {
		t.Fatalf("no word of the save:\n%s", h.screen())
	}
}

// Fields that do not apply never take focus: the base URL with a region
// chosen, the registered redirect URL with loopback chosen, the typed date
// format with a listed one chosen.
func TestFieldsThatDoNotApplySkipped(t *testing.T) {
	h := newHarness(t, ready)
	h.enter() // region: us
	if f := focusedTitle(h); f != "User secret" {
		t.Fatalf("after the region: %q focused", f)
	}
	h.walkTo(flow.StepApp)
	h.enter() // Application ID
	h.enter() // Application Secret
	if f := focusedTitle(h); f != "How does the code come back?" {
		t.Fatalf("at %q", f)
	}
	h.enter() // loopback: the step is done
	if h.m.Step() == flow.StepApp {
		t.Fatalf("the registered URL took focus with loopback chosen:\n%s", h.screen())
	}
	h.walkTo(flow.StepResources)
	h.typeText(" ")
	h.enter()
	h.enter() // url
	h.enter() // idField
	h.enter() // updated date field
	h.enter() // updated date format (a listed one)
	if f := focusedTitle(h); f != "Created date field of events" {
		t.Fatalf("after a listed format: %q focused\n%s", f, h.screen())
	}
}

// focusedTitle is the title of the focused form field.
func focusedTitle(h *harness) string {
	fh, ok := h.m.scr.(formHolder)
	if !ok || fh.activeForm() == nil {
		return ""
	}
	for _, l := range strings.Split(h.screen(), "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "┃ ") {
			return strings.TrimSpace(strings.TrimPrefix(t, "┃"))
		}
	}
	return ""
}

// One wording per cause: the denied and timeout screens say each thing once.
func TestFailureSaidOnce(t *testing.T) {
	for name, err := range map[string]error{
		"denied":  &oauthlistener.ProviderError{Code: "access_denied", Description: "The user denied access"},
		"timeout": oauthlistener.ErrTimeout,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, ready)
			h.walkTo(flow.StepAuthorize)
			h.waitFor(func() bool { return h.m.auth != nil }, "listener")
			h.ls.last().Finish(oauthlistener.Result{}, err)
			h.waitFor(func() bool { return h.m.scr.(*authorizeStep).phase == phaseFailed }, "the failure")
			sc := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╰", " ", "─", " ", "╮", " ", "╯", " ").Replace(h.screen())), " "))
			// The failure box is there: its next step says it once.
			if n := strings.Count(sc, "authorize again"); n != 1 {
				t.Errorf("%q said %d times, want once:\n%s", "authorize again", n, h.screen())
			}
			for _, phrase := range []string{"in time", "choose allow", "press r"} {
				if n := strings.Count(sc, phrase); n > 1 {
					t.Errorf("%q said %d times:\n%s", phrase, n, h.screen())
				}
			}
		})
	}
}

// --sandbox: the demo values and the emulator's address (its random port)
// are shown; after a mistyped secret, "restore the demo values" is offered
// and works.
func TestSandboxRestoreDemo(t *testing.T) {
	demo := &Demo{BaseURL: "http://127.0.0.1:41234/elements/api-v2", APIKey: "sandbox-app-id",
		Secrets: flow.Secrets{UserSecret: flow.NewSecret("demo-user"), OrgSecret: flow.NewSecret("demo-org"), APISecret: flow.NewSecret("demo-app")}}
	var h *harness
	h = newHarness(t, func(c *Config) {
		ready(c)
		c.Sandbox, c.Demo = true, demo
		c.Answers.BaseURL, c.Answers.Region = demo.BaseURL, ""
		c.Secrets = flow.Secrets{UserSecret: flow.NewSecret("typo-user"), OrgSecret: flow.NewSecret("demo-org"), APISecret: flow.NewSecret("demo-app")}
		c.NewClient = func(base string, s flow.Secrets) (Client, error) {
			if s.UserSecret.Reveal() != "demo-user" || base != demo.BaseURL {
				h.client.infoErr = &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401, Message: "Invalid Organization or User secret"}
			} else {
				h.client.infoErr = nil
			}
			return h.client, nil
		}
	})
	sc := strings.Join(strings.Fields(h.screen()), " ")
	if !strings.Contains(sc, "http://127.0.0.1:41234/elements/api-v2") || !strings.Contains(sc, "User secret demo-user") {
		t.Fatalf("the demo values and the port are not shown:\n%s", h.screen())
	}
	for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
	if !strings.Contains(h.screen(), "Restore the demo secrets and try again") {
		t.Fatalf("no restore choice after a 401:\n%s", h.screen())
	}
	h.enter()
	if h.m.Step() != flow.StepApp || h.m.secrets.UserSecret.Reveal() != "demo-user" {
		t.Fatalf("restoring the demo values did not connect: %v\n%s", h.m.Step(), h.screen())
	}
}

// The default instance name follows the site until the user edits it.
func TestNameFollowsTheSite(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepReview)
	h.typeText("3")
	h.clearInput()
	h.typeText("beta.docushareflex.com")
	h.enter()
	h.authorizeNow()
	if got := flow.InstanceName(h.m.answers); got != "docushareflex-beta" {
		t.Fatalf("the name did not follow the site: %q", got)
	}
	if !strings.Contains(h.screen(), `"name": "docushareflex-beta"`) && !strings.Contains(h.m.scr.(*reviewStep).body, "docushareflex-beta") {
		t.Fatalf("Review does not show the new name:\n%s", h.screen())
	}
	h.typeText("7")
	h.clearInput()
	h.typeText("mine")
	h.walkTo(flow.StepReview)
	h.typeText("3")
	h.clearInput()
	h.typeText("gamma.docushareflex.com")
	h.enter()
	h.authorizeNow()
	if got := flow.InstanceName(h.m.answers); got != "mine" {
		t.Fatalf("an edited name changed with the site: %q", got)
	}
}

// Resources offered: the element's own default online; offline only
// events, marked as a guess; an element default that cannot be read is
// said on screen.
func TestResourcesOffered(t *testing.T) {
	t.Run("online", func(t *testing.T) {
		h := newHarness(t, ready)
		h.client.defaults = testElementDefault()
		h.walkTo(flow.StepResources)
		sc := h.screen()
		if !strings.Contains(sc, "From the element's default poller configuration") || !strings.Contains(sc, "folders  /hubs/documents/folders/contents?path=/") || strings.Contains(sc, "guess") {
			t.Fatalf("online list:\n%s", sc)
		}
	})
	t.Run("offline", func(t *testing.T) {
		h := newHarness(t, ready)
		unreachable(h)
		h.key(tea.KeyDown)
		h.key(tea.KeyDown)
		h.enter() // continue offline
		h.walkTo(flow.StepResources)
		sc := h.screen()
		if !strings.Contains(sc, "1 resources") || !strings.Contains(sc, "events  /hubs/documents/events (a guess: check it)") || !strings.Contains(sc, "Offline: only events is offered, and as a guess") {
			t.Fatalf("offline list:\n%s", sc)
		}
	})
	t.Run("unreadable default", func(t *testing.T) {
		h := newHarness(t, ready)
		h.client.defaultsErr = errors.New("the element's default poller configuration is not valid JSON: unexpected end of JSON input")
		h.walkTo(flow.StepResources)
		sc := strings.Join(strings.Fields(h.screen()), " ")
		if !strings.Contains(sc, "could not be read (the element's default poller configuration is not valid JSON: unexpected end of JSON input)") {
			t.Fatalf("the reason is not on screen:\n%s", h.screen())
		}
	})
}

// Copying the events configuration to a resource not in the list asks for
// its name and its URL (the folder-contents form as the example); an empty
// URL is refused, never made up.
func TestCopyEventsToANewResource(t *testing.T) {
	h := newHarness(t, ready)
	h.walkTo(flow.StepResources)
	h.typeText("c") // on events: a new resource
	if !strings.Contains(strings.Join(strings.Fields(h.screen()), " "), flow.FolderContentsExample) {
		t.Fatalf("no folder-contents example:\n%s", h.screen())
	}
	h.typeText("docs")
	h.enter()
	h.enter() // no URL
	if h.m.scr.(*resourcesStep).adding == nil || !strings.Contains(h.screen(), "URL is empty") {
		t.Fatalf("an empty URL was accepted:\n%s", h.screen())
	}
	h.typeText("/hubs/documents/folders/contents?path=/Docs")
	h.enter()
	r, ok := h.m.scr.(*resourcesStep).picked.Get("docs")
	if !ok || r.URL != "/hubs/documents/folders/contents?path=/Docs" || r.IDField != "id" {
		t.Fatalf("docs %+v (%v)\n%s", r, ok, h.screen())
	}
	if !strings.Contains(h.screen(), "[x] docs") {
		t.Fatalf("docs is not in the list, ticked:\n%s", h.screen())
	}
}

// The date step offers the candidate date fields plus "another field…",
// which opens a field of its own.
func TestDateFieldCandidates(t *testing.T) {
	h := newHarness(t, ready)
	h.client.defaults = testElementDefault()
	h.walkTo(flow.StepResources)
	h.typeText(" ")
	h.enter()
	h.enter() // url
	h.enter() // idField
	sc := h.screen()
	for _, want := range []string{"modifiedDate  (the element's default: events)", "event_date  (a guess: used by Egnyte", "another field…"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("the date field list lacks %q:\n%s", want, sc)
		}
	}
	for !strings.Contains(h.screen(), "> another field…") {
		h.key(tea.KeyDown)
	}
	h.enter() // another field…
	h.enter() // the format
	if f := focusedTitle(h); f != "Updated date field (another)" {
		t.Fatalf("%q focused\n%s", f, h.screen())
	}
	h.typeText("lastModified")
	for i := 0; i < 4 && h.m.Step() == flow.StepResources; i++ {
		h.enter()
	}
	p := h.m.answers.Polling
	if len(p) != 1 || p[0].DatesConfiguration.UpdatedDateField != "lastModified" {
		t.Fatalf("polling %+v", p)
	}
}

// Before creating, instances of the same name are named and the user
// chooses: rename, or create another.
func TestSameNameAsksBeforeCreating(t *testing.T) {
	h := newHarness(t, ready)
	h.client.existing = []cloudelements.Instance{{ID: 4711, Name: "docushareflex-acme", CreatedDate: "2026-02-01T09:30:00Z"}}
	h.walkTo(flow.StepReview)
	h.enter()
	h.waitFor(func() bool { return h.m.scr.(*reviewStep).asking }, "the question")
	sc := strings.Join(strings.Fields(h.screen()), " ")
	for _, want := range []string{`An instance named "docushareflex-acme" already exists (id 4711, created 2026-02-01 09:30 UTC)`, "c) Create another", "r) Rename"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("the question lacks %q:\n%s", want, h.screen())
		}
	}
	if len(h.client.created) != 0 {
		t.Fatal("created before the answer")
	}
	h.typeText("r")
	if h.m.Step() != flow.StepInstance {
		t.Fatalf("rename: %v", h.m.Step())
	}
	h.walkTo(flow.StepReview)
	h.enter()
	h.waitFor(func() bool { return h.m.scr.(*reviewStep).asking }, "the question again")
	h.typeText("c")
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "the result")
	if len(h.client.created) != 1 {
		t.Fatalf("%d created", len(h.client.created))
	}

	// No instance of that name: no question.
	h2 := newHarness(t, ready)
	h2.walkTo(flow.StepReview)
	h2.enter()
	h2.waitFor(func() bool { return h2.m.Step() == flow.StepResult }, "the result")
}

// --sandbox, a mistyped base URL: Cloud Elements cannot be reached, and
// "restore the demo values" puts the emulator's address back.
func TestSandboxRestoreDemoBaseURL(t *testing.T) {
	demo := &Demo{BaseURL: "http://127.0.0.1:41234/elements/api-v2", APIKey: "sandbox-app-id",
		Secrets: flow.Secrets{UserSecret: flow.NewSecret("demo-user"), OrgSecret: flow.NewSecret("demo-org"), APISecret: flow.NewSecret("demo-app")}}
	var h *harness
	h = newHarness(t, func(c *Config) {
		ready(c)
		c.Sandbox, c.Demo = true, demo
		c.Answers.BaseURL, c.Answers.Region = "http://127.0.0.1:41235/elements/api-v2", "" // a typo in the port
		c.Secrets = demo.Secrets
		c.NewClient = func(base string, s flow.Secrets) (Client, error) {
			h.client.infoErr = nil
			if base != demo.BaseURL {
				h.client.infoErr = &cloudelements.NetError{Op: "GET /elements/docushareflex", Host: "127.0.0.1:41235", Kind: cloudelements.NetRefused}
			}
			return h.client, nil
		}
	})
	for i := 0; i < 6 && h.m.scr.(*connectStep).err == nil; i++ {
		h.enter()
	}
	for i := 0; i < 3 && !strings.Contains(h.screen(), "> Restore the demo values"); i++ {
		h.key(tea.KeyDown)
	}
	if !strings.Contains(h.screen(), "> Restore the demo values and try again") {
		t.Fatalf("no restore choice:\n%s", h.screen())
	}
	h.enter()
	if h.m.Step() != flow.StepApp || h.m.answers.BaseURL != demo.BaseURL {
		t.Fatalf("restoring did not connect to the emulator: %v %q\n%s", h.m.Step(), h.m.answers.BaseURL, h.screen())
	}
}
