package tui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// countingClient counts the secrets checks (each is an authenticated
// request to Cloud Elements).
type countingClient struct {
	fakeClient
	checks atomic.Int32
}

// ElementInfo answers as the fake does, but each refusal is an error of
// its own, as each answer of the real client is.
func (c *countingClient) ElementInfo(ctx context.Context) (*cloudelements.Element, error) {
	c.checks.Add(1)
	el, err := c.fakeClient.ElementInfo(ctx)
	var ae *cloudelements.APIError
	if errors.As(err, &ae) {
		fresh := *ae
		return el, &fresh
	}
	return el, err
}

// waitAbandonedForms waits for the forms other tests' cancels left
// waiting (they end with their input): Run swaps lipgloss's default
// renderer, which they may still be drawing with.
func waitAbandonedForms() { abandonedForms.Wait() }

func runAccessibleWith(t *testing.T, in io.Reader, client Client, s flow.Secrets, opts ...func(*Config)) (Outcome, string, error) {
	t.Helper()
	waitAbandonedForms()
	out := &journeytest.Buffer{}
	a := flow.NewAnswers()
	a.APIKey, a.Domain = "app-id", "acme.docushareflex.com"
	cfg := Config{
		Answers: a, Secrets: s, Input: in, Output: out, NoRemember: true, ConfigDir: t.TempDir(),
		NewClient: func(string, flow.Secrets) (Client, error) { return client, nil },
		Getenv:    func(string) string { return "" },
	}
	for _, o := range opts {
		o(&cfg)
	}
	select {
	case r := <-startAccessible(cfg):
		return r.o, out.String(), r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible mode never stopped; output so far (%d bytes):\n%.3000s", len(out.String()), out.String())
	}
	return Outcome{}, "", nil
}

// TestAccessibleInputEnds: with input that ends (a pipe, /dev/null), the
// line-by-line wizard stops with the question it could not ask, instead of
// taking the end for "keep the default" for ever.
func TestAccessibleInputEnds(t *testing.T) {
	client := &countingClient{}
	_, out, err := runAccessibleWith(t, strings.NewReader(""), client, flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o")})
	var ie *InputEndedError
	if !errors.As(err, &ie) || ie.Field != `"Region"` {
		t.Fatalf("err %v, want the input ended before \"Region\"\n%s", err, out)
	}
	if n := client.checks.Load(); n != 0 {
		t.Fatalf("%d requests sent after the input ended", n)
	}
	// Answers piped at once are each taken by their own question, and the
	// end is met at the next one.
	_, out, err = runAccessibleWith(t, strings.NewReader("\n\n"), client, flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o")})
	if !errors.As(err, &ie) || ie.Field == `"Region"` || ie.Field == "" {
		t.Fatalf("err %v, want a later question\n%s", err, out)
	}
}

// TestAccessibleRefusedSecretsAreBounded: refused secrets are not sent
// again and again: without a terminal they cannot be asked, so the wizard
// stops after the first refusal (it sent 690 requests in 6 s).
func TestAccessibleRefusedSecretsAreBounded(t *testing.T) {
	client := &countingClient{fakeClient: fakeClient{infoErr: &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401, Message: "Invalid Organization or User secret"}}}
	// Enough empty lines for many rounds: only the refusal can stop it.
	in := strings.NewReader(strings.Repeat("\n", 200))
	_, out, err := runAccessibleWith(t, in, client, flow.Secrets{UserSecret: flow.NewSecret("bad"), OrgSecret: flow.NewSecret("bad")})
	if !errors.Is(err, errSecretsRefusedNoTerminal) {
		t.Fatalf("err %v\n%s", err, out)
	}
	if n := client.checks.Load(); n != 1 {
		t.Fatalf("%d checks, want 1", n)
	}
	if strings.Count(out, "Cloud Elements did not accept the secrets") != 1 {
		t.Fatalf("the refusal is not shown once:\n%s", out)
	}
}

// TestAccessibleReviewAndExport: the prompts say what an empty line keeps;
// Review reads the whole body; a line that is no key gets an answer; the
// export path typed replaces the default, ~ is the home directory, and the
// export says the absolute path it wrote. The home is the one in the
// wizard's environment (Config.Getenv), not the process's.
func TestAccessibleReviewAndExport(t *testing.T) {
	home := t.TempDir()
	clock := &testClock{t: t0}
	ls := &listeners{clock: clock}
	a := flow.NewAnswers()
	a.APIKey, a.Domain, a.NotificationURL = "app-id", "acme.docushareflex.com", "https://h.example.com/e"
	a.Tags = []string{"last-tag"}
	cfg := Config{
		Answers:       a,
		Secrets:       flow.Secrets{UserSecret: flow.NewSecret("u-secret"), OrgSecret: flow.NewSecret("o-secret"), APISecret: flow.NewSecret("a-secret")},
		NewClient:     func(string, flow.Secrets) (Client, error) { return &fakeClient{}, nil },
		StartListener: ls.start, Browser: &nopBrowser{}, Clock: clock,
		Getenv: func(k string) string { return map[string]string{"HOME": home}[k] }, ConfigDir: t.TempDir(), NoRemember: true,
		ExportDir: t.TempDir(),
	}
	term := newLineSession(t, &cfg)
	expect, say := term.expect, term.say
	waitAbandonedForms()
	done := startAccessible(cfg)
	expect("Enter a number between 1 and 6 (an empty line keeps us): ")
	say("")
	expect("Base URL ")
	say("")
	expect("== DocuShare Flex app")
	expect("Application ID (an empty line keeps app-id): ")
	say("")
	expect("Enter a number between 1 and 2 (an empty line keeps loopback): ")
	say("")
	say("")
	expect("DocuShare Flex domain (an empty line keeps acme.docushareflex.com): ")
	say("")
	expect("Type one of (o: open browser")
	deadline := time.Now().Add(5 * time.Second)
	for ls.last() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ls.last().Finish(oauthlistener.Result{Code: oauthlistener.NewCode("GRANT"), Source: oauthlistener.FromCallback}, nil)
	expect("== Events")
	expect("Press enter to continue.")
	say("")
	say("")
	expect("Notification callback URL (an empty line keeps https://h.example.com/e): ")
	say("")
	expect("Sign notifications with a random key?")
	say("")
	expect("Polling interval, minutes (an empty line keeps 15): ")
	say("")
	expect("Use the element's default poller configuration?")
	say("")
	expect("Enter a number between 0 and 1")
	say("0")
	expect("Instance name (an empty line keeps docushareflex-acme): ")
	say("")
	say("")
	expect("== Review")
	// The whole body, down to its last line, not one screenful.
	expect(`"last-tag"`)
	expect("Edit: 1 connect")
	say("zz")
	expect(`"zz" is not one of this screen's keys. Type one of (`)
	say("e")
	expect("File: ")
	say("~/exported.json")
	want := filepath.Join(home, "exported.json")
	expect("✓ Exported the body to " + want + " (0644, no secrets).")
	if st, err := os.Stat(want); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("export: %v %v", err, st)
	}
	say("q")
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not end the wizard")
	}
	_ = term.pw.Close()
}

// TestAccessibleRefusedSecretsAskedAtMostThreeTimes: where the secrets can
// be given again (here --sandbox's demo values, which a person can
// restore), refused secrets are asked again, but the wizard stops after
// the third refusal instead of asking for ever.
func TestAccessibleRefusedSecretsAskedAtMostThreeTimes(t *testing.T) {
	client := &countingClient{fakeClient: fakeClient{infoErr: &cloudelements.APIError{Op: "GET /elements/docushareflex", Status: 401, Message: "Invalid Organization or User secret"}}}
	in := strings.NewReader(strings.Repeat("\n", 200))
	bad := flow.Secrets{UserSecret: flow.NewSecret("bad"), OrgSecret: flow.NewSecret("bad"), APISecret: flow.NewSecret("bad")}
	_, out, err := runAccessibleWith(t, in, client, bad, func(c *Config) {
		c.Demo = &Demo{BaseURL: "http://127.0.0.1:9/elements/api-v2", APIKey: "app-id", Secrets: bad}
	})
	if err == nil || !strings.Contains(err.Error(), "refused 3 times") {
		t.Fatalf("err %v, want the third refusal to stop the wizard\n%s", err, out)
	}
	if n := client.checks.Load(); n != maxSecretRefusals {
		t.Fatalf("%d checks, want %d", n, maxSecretRefusals)
	}
}
