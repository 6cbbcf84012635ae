package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

func TestWizardDoctor(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	a := flow.NewAnswers()
	a.BaseURL, a.CallbackURL = sb.BaseURL(), "https://auth.cloudelements.io/oauth"
	s := flow.Secrets{UserSecret: flow.NewSecret(sandbox.DemoUserSecret), OrgSecret: flow.NewSecret("not-the-org-secret-5121")}
	var errOut bytes.Buffer
	f := &factory{io: testStreams(io.Discard, &errOut), lookup: lookupIn(h.env())}
	err := wizardDoctor(f, true)(context.Background(), a, s, nil)
	if !errors.Is(err, errChecksFailed) || !strings.Contains(errOut.String(), "FAIL  User and Organization secrets accepted") {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	checkNoSecrets(t, map[string]string{"CEWIZ_ORG_SECRET": "not-the-org-secret-5121"}, nil, []string{"wizard doctor"}, "", errOut.String())
}

// TestWizardDoctorAfterAFailedCreate: the doctor called from the error
// screen never reports "No problems found" for a create that failed: when
// its checks pass, it says which failure they do not cover, and the run
// exits 1.
func TestWizardDoctorAfterAFailedCreate(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	a := flow.NewAnswers()
	a.BaseURL, a.Domain, a.NotificationURL = sb.BaseURL(), "acme.docushareflex.com", "https://hooks.example.com/e"
	a.CallbackURL = "http://127.0.0.1:0/callback"
	s := flow.Secrets{UserSecret: flow.NewSecret(sandbox.DemoUserSecret), OrgSecret: flow.NewSecret(sandbox.DemoOrgSecret)}
	var errOut bytes.Buffer
	f := &factory{io: testStreams(io.Discard, &errOut), lookup: lookupIn(h.env())}
	rejected := &cloudelements.APIError{Op: "POST /instances", Status: 400, Message: "Invalid OAuth token: invalid_grant"}
	err := wizardDoctor(f, true)(context.Background(), a, s, rejected)
	if strings.Contains(errOut.String(), "FAIL") {
		t.Fatalf("a check failed; this test needs them to pass:\n%s", errOut.String())
	}
	if !errors.Is(err, errNotCreated) || report(io.Discard, err) != exitFailure {
		t.Fatalf("%v: want errNotCreated (exit 1)\n%s", err, errOut.String())
	}
	if strings.Contains(errOut.String(), "No problems found") ||
		!strings.Contains(errOut.String(), "None of these checks covers why the create failed (The grant code was rejected)") {
		t.Fatalf("verdict:\n%s", errOut.String())
	}
}

// The wizard uses the client and the browser launcher main builds: its
// requests carry cewiz's version in the User-Agent, and the launcher reads
// the environment main was given ($BROWSER here) with the same "someone is
// at a terminal" rule as create and doctor. It runs in accessible mode (line
// by line on a pipe) up to the Authorize step, against the sandbox behind a
// proxy that records the User-Agent. Not parallel: it sets the version
// that every command's requests carry.
func TestWizardUsesMainsClientAndBrowser(t *testing.T) {
	h := isolate(t)
	sb := startSandbox(t)
	target, err := url.Parse(sb.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var agents []string
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Method+" "+r.URL.Path+" "+r.UserAgent())
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	old := version
	version = "9.9.9-test"
	t.Cleanup(func() { version = old })

	opened := filepath.Join(t.TempDir(), "opened")
	browser := filepath.Join(t.TempDir(), "browser.sh")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+opened+".tmp && mv "+opened+".tmp "+opened+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := h.createEnv("BROWSER", browser)
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	var out, errOut journeytest.Buffer
	streams := &streams{In: pr, Out: &out, Err: &errOut, Accessible: true}
	lookup := lookupIn(env)
	done := make(chan int, 1)
	args := []string{"--base-url", srv.URL + target.Path, "--api-key", sandbox.DemoAppID, "--domain", "acme",
		"--notify-url", "https://hooks.example.com/events", "--listen", "127.0.0.1:0", "--timeout", "20s"}
	go func() { done <- run(args, streams, lookup) }()
	t.Cleanup(func() { checkNoSecrets(t, env, nil, args, out.String(), errOut.String()) })

	answer := func(prompt string) {
		t.Helper()
		waitFor(t, &errOut, regexp.MustCompile("("+regexp.QuoteMeta(prompt)+")"))
		io.WriteString(pw, "\n")
	}
	answer("Enter a number between 1 and 6") // Region: custom, the --base-url
	answer("Base URL")
	answer("Application ID")
	answer("How does the code come back?")
	answer("Registered redirect URL")
	answer("DocuShare Flex domain")
	waitFor(t, &errOut, regexp.MustCompile(`(== Authorize)`))

	// The launcher opened the sandbox's consent page with main's $BROWSER.
	deadline := time.Now().Add(10 * time.Second)
	var got []byte
	for got, err = os.ReadFile(opened); err != nil && time.Now().Before(deadline); got, err = os.ReadFile(opened) {
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || !strings.Contains(string(got), "/oauth/authorize") {
		t.Fatalf("the wizard did not open $BROWSER from its environment (%v): %q\n%s", err, got, errOut.String())
	}
	pw.Close() // the end of input ends the wizard: exit 2, saying where
	if code := finished(t, done); code != exitUsage || !strings.Contains(errOut.String(), "input ended before the Authorize step was answered") {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("no request reached Cloud Elements")
	}
	for _, a := range agents {
		if !strings.HasSuffix(a, " cewiz/9.9.9-test") {
			t.Errorf("a request without cewiz's version in its User-Agent: %s", a)
		}
	}
}

// TestWizardClientAsksWithTheRememberedForm: the wizard's client asks
// oauth/url with the siteAddress form remembered from the last success.
func TestWizardClientAsksWithTheRememberedForm(t *testing.T) {
	t.Parallel()
	f := &factory{io: testStreams(io.Discard, io.Discard), lookup: func(string) (string, bool) { return "", false }}
	for form, want := range map[string]cloudelements.SiteAddressForm{"url": cloudelements.SiteURL, "host": cloudelements.SiteHost, "": cloudelements.SiteHost} {
		c, err := f.wizardClient(form)("https://api.cloud-elements.com/elements/api-v2", flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o")})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.(*cloudelements.Client).SiteAddressForm(); got != want {
			t.Errorf("remembered %q: the client asks with %v, want %v", form, got, want)
		}
	}
}
