package tui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// TestAccessibleJourney answers the wizard line by line, as a screen
// reader user would: each answer is typed only after its question shows
// (expect-style), through a pipe, like a terminal in line mode.
func TestAccessibleJourney(t *testing.T) {
	clock := &testClock{t: t0}
	ls := &listeners{clock: clock}
	client := &fakeClient{}
	dir := t.TempDir()
	a := flow.NewAnswers()
	a.APIKey = "app-id"
	a.Domain = "acme.docushareflex.com"
	cfg := Config{
		Answers:       a,
		Secrets:       flow.Secrets{UserSecret: flow.NewSecret("u-secret"), OrgSecret: flow.NewSecret("o-secret"), APISecret: flow.NewSecret("a-secret")},
		NewClient:     func(string, flow.Secrets) (Client, error) { return client, nil },
		StartListener: ls.start,
		Browser:       &nopBrowser{},
		Getenv:        func(string) string { return "" },
		Clock:         clock,
		ConfigDir:     dir,
	}
	term := newLineSession(t, &cfg)
	out, expect, say := term.out, term.expect, term.say
	done := startAccessible(cfg)
	expect("== Connect to Cloud Elements (step 1 of 8)")
	expect("Region")
	expect("Enter a number between 1 and 6")
	say("") // us (the default)
	expect("Base URL")
	say("")
	// The password prompts need a terminal; with a pipe huh skips them and
	// the prefilled secrets stay.
	expect("== DocuShare Flex app (step 2 of 8)")
	expect("Application ID")
	say("")
	expect("How does the code come back?")
	say("") // loopback
	expect("Registered redirect URL")
	say("")
	expect("== DocuShare Flex site (step 3 of 8)")
	expect("DocuShare Flex domain")
	say("")
	expect("== Authorize (step 4 of 8)")
	expect("https://acme.docushareflex.com/oauth/authorize") // the whole URL, in plain text
	expect("Type one of (o: open browser")
	deadline := time.Now().Add(5 * time.Second)
	for ls.last() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ls.last().Finish(oauthlistener.Result{Code: oauthlistener.NewCode("GRANT"), Source: oauthlistener.FromCallback}, nil)
	expect("== Events (step 5 of 8)")
	expect("Press enter to continue.")
	say("")
	expect("Send event notifications?")
	say("n")
	expect("Notification callback URL")
	say("")
	expect("Sign notifications with a random key?")
	say("") // yes, the default; with events off nothing is signed
	expect("Polling interval, minutes")
	say("30")
	expect("== Resources to poll (step 6 of 8)")
	expect("Use the element's default poller configuration?")
	say("n")
	expect("Enter a number between 0 and 1")
	say("1") // events: offline, cewiz's guess is the only resource
	expect("Enter a number between 0 and 1")
	say("0")
	expect("URL of events")
	say("")
	expect("idField of events")
	say("")
	expect("Updated date field of events")
	say("")
	expect("Updated date format")
	expect("Enter a number between")
	say("8") // milliseconds
	// Accessible mode asks the "another…" fields too (huh v1.0.0 asks
	// hidden groups); an empty answer leaves them unused.
	expect("Updated date field (another)")
	say("")
	expect("Updated date format (another pattern)")
	say("")
	expect("Created date field of events")
	say("")
	expect("Created date format")
	expect("Enter a number between")
	say("")
	expect("Created date field (another)")
	say("")
	expect("Created date format (another pattern)")
	say("")
	expect("== Instance (step 7 of 8)")
	expect("Instance name")
	say("")
	expect("Tags (optional)")
	say("a11y")
	expect("== Review (step 8 of 8)")
	expect(`"event.poller.refresh_interval": "30"`)
	expect("Type one of (enter: create")
	say("")
	expect("The instance was created.")
	say("")
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.o.Kind != OutcomeCreated || len(client.created) != 1 {
		t.Fatalf("outcome %+v, %d creates", r.o, len(client.created))
	}
	b := client.created[0]
	if b.Configuration.NotificationEnabled || b.Configuration.SignatureKey != "" || b.Configuration.RefreshInterval != "30" || b.Configuration.APISecret != "a-secret" ||
		b.ProviderData.Code != "GRANT" || len(b.Tags) != 1 {
		t.Fatalf("body %+v", b)
	}
	events, ok := b.Configuration.PollerConfiguration.Get("events")
	if !ok || events.DatesConfiguration.UpdatedDateFormat != flow.MillisecondsFormat {
		t.Fatalf("poller configuration %+v", b.Configuration.PollerConfiguration)
	}
	if s := out.String(); strings.Contains(s, "\x1b[") {
		t.Error("accessible output holds escape sequences")
	}
	for _, secret := range []string{"u-secret", "o-secret", "a-secret", "GRANT"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the output shows %q", secret)
		}
	}
}

func TestAccessibleCanceled(t *testing.T) {
	pr, pw := io.Pipe()
	out := &journeytest.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{Answers: flow.NewAnswers(), Accessible: true, Input: pr, Output: out, NoRemember: true,
			Getenv: func(string) string { return "" }})
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Region") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // Ctrl-C in line mode: main's signal context ends
	select {
	case err := <-done:
		if err != ErrCanceled {
			t.Fatalf("err %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not end accessible mode")
	}
	_ = pw.Close()
	abandonedForms.Wait() // the form left waiting for its line ends with the input
}

// In accessible mode the ways on after "Cloud Elements cannot be reached"
// are the same choices as on screen: continue offline is one of them.
func TestAccessibleOfflineChoice(t *testing.T) {
	client := &fakeClient{infoErr: &cloudelements.NetError{Op: "GET /elements/docushareflex", Host: "api.cloud-elements.com", Kind: cloudelements.NetDNS}}
	cfg := Config{
		Answers: flow.NewAnswers(), Secrets: flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o")},
		NewClient: func(string, flow.Secrets) (Client, error) { return client, nil },
		Getenv:    func(string) string { return "" }, ConfigDir: t.TempDir(),
	}
	term := newLineSession(t, &cfg)
	expect, say := term.expect, term.say
	startAccessible(cfg)
	expect("Enter a number between 1 and 6")
	say("")
	expect("Base URL")
	say("")
	expect("Cloud Elements cannot be reached")
	expect("What now?")
	expect("3. Continue offline")
	say("3")
	expect("== DocuShare Flex app (step 2 of 7)")
	expect("Export-only mode")
}

// lineSession is a person at a line-mode terminal: expect waits for the
// next question (in order, never one already passed), say answers it.
type lineSession struct {
	t   *testing.T
	out *journeytest.Buffer
	pw  *io.PipeWriter
	pos int
}

// newLineSession gives cfg a pipe for its input (what say writes) and a
// buffer for its output (what expect reads).
func newLineSession(t *testing.T, cfg *Config) *lineSession {
	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() }) // a failed test leaves no question waiting
	out := &journeytest.Buffer{}
	cfg.Input, cfg.Output = pr, out
	return &lineSession{t: t, out: out, pw: pw}
}

func (l *lineSession) expect(want string) {
	l.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := l.out.String()
		if i := strings.Index(s[l.pos:], want); i >= 0 {
			l.pos += i + len(want)
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("never showed %q; output after the last match:\n%s", want, s[l.pos:])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *lineSession) say(line string) {
	l.t.Helper()
	if _, err := io.WriteString(l.pw, line+"\n"); err != nil {
		l.t.Fatal(err)
	}
}

// accessibleResult is how a run in accessible mode ended.
type accessibleResult struct {
	o   Outcome
	err error
}

// startAccessible runs the wizard in accessible mode with cfg.
func startAccessible(cfg Config) <-chan accessibleResult {
	cfg.Accessible = true
	done := make(chan accessibleResult, 1)
	go func() { o, err := Run(context.Background(), cfg); done <- accessibleResult{o, err} }()
	return done
}
