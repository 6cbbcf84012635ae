package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// TestMain lets the parallel tests all run at once: they wait on servers,
// a browser script, timeouts and cewiz processes, not on the CPU. Each
// command gets its environment through its lookup, never the process's,
// which is what lets them share the process. With asCewizEnv set, this
// binary is cewiz (see cewizBin).
func TestMain(m *testing.M) {
	if os.Getenv(asCewizEnv) == "1" {
		main()
	}
	os.Exit(journeytest.RunWaiting(m, 8))
}

// testStreams are what a script sees, whatever runs the tests: stdin empty
// and not a terminal (the "without a terminal" behaviour, usage errors and
// never a prompt, is what most tests check), stdout and stderr buffers.
// asTerminal gives one test a terminal.
func testStreams(out, errOut io.Writer) *streams {
	return &streams{In: strings.NewReader(""), Out: out, Err: errOut}
}

// lookupIn is the environment env as main gives it to run: the only
// environment a command reads.
func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, testStreams(&out, &errb), lookupIn(env))
	return code, out.String(), errb.String()
}

func TestExitCodesAndUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"export", "--domain", "evil.com"}, exitUsage, "--domain:"},
		{[]string{"export", "--refresh-interval", "abc"}, exitUsage, "--refresh-interval: \"abc\" is not a whole number"},
		{[]string{"export", "--nope"}, exitUsage, "unknown flag --nope"},
		{[]string{"export", "stray"}, exitUsage, "unexpected argument"},
		{[]string{"export", "--format", "yaml"}, exitUsage, "--format:"},
		{[]string{"export", "--from", "/does/not/exist.json"}, exitUsage, "--from:"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"doctor", "--instance", "5", "--base-url", "http://127.0.0.1:9"}, exitUsage, "--instance: inspecting an instance needs the platform secrets"},
		{[]string{"--timeout", "-1s"}, exitUsage, "--timeout"},
		{[]string{"--listen", "8.8.8.8:80"}, exitUsage, "--listen"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.inStderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.inStderr)
		}
		if c.code != exitOK && out != "" {
			t.Errorf("%v: a failure wrote to stdout: %q", c.args, out)
		}
	}
	code, out, _ := runCLI(t, nil, "version")
	if code != exitOK || !strings.HasPrefix(out, "cewiz ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, errOut := runCLI(t, nil, "--help")
	if code != exitOK || errOut != "" || !strings.Contains(out, "cewiz export") || !strings.Contains(out, "--sandbox") {
		t.Fatalf("--help: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// home is a test's own home directory. The commands the test runs get it
// as HOME, XDG_CONFIG_HOME and TMPDIR through their lookup (env), never
// through the process's environment, which the tests running at the same
// time share: remembered answers, summaries and the sandbox's directories
// stay in it. A command given no HOME at all (nil env) has no
// configuration directory and remembers nothing.
type home string

// isolate gives the test a home of its own.
func isolate(t *testing.T) home {
	t.Helper()
	return home(t.TempDir())
}

// configDir is cewiz's directory in h.
func (h home) configDir() string { return filepath.Join(string(h), "cewiz") }

// env is an environment living in h, with the variables kv (name, value,
// name, value...).
func (h home) env(kv ...string) map[string]string {
	env := map[string]string{"HOME": string(h), "XDG_CONFIG_HOME": string(h), "TMPDIR": string(h)}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

// createEnv is createEnv(kv...) living in h.
func (h home) createEnv(kv ...string) map[string]string {
	env := createEnv(kv...)
	for k, v := range h.env() {
		if _, ok := env[k]; !ok {
			env[k] = v
		}
	}
	return env
}

func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// createEnv are the secrets as a script would give them.
func createEnv(extra ...string) map[string]string {
	env := map[string]string{
		"CEWIZ_USER_SECRET": sandbox.DemoUserSecret,
		"CEWIZ_ORG_SECRET":  sandbox.DemoOrgSecret,
		"CEWIZ_API_SECRET":  sandbox.DemoAppSecret,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// runSafe is runCLI that fails the test when a secret or a code shows in
// stdout or stderr.
func runSafe(t *testing.T, env map[string]string, codes []string, args ...string) (int, string, string) {
	t.Helper()
	code, out, errOut := runCLI(t, env, args...)
	checkNoSecrets(t, env, codes, args, out, errOut)
	return code, out, errOut
}

// checkNoSecrets fails the test when stdout or stderr holds a secret: the
// sandbox's demo secrets, the CEWIZ_*_SECRET values and CEWIZ_CODE of env,
// and codes.
func checkNoSecrets(t *testing.T, env map[string]string, codes []string, args []string, out, errOut string) {
	t.Helper()
	secrets := append([]string{sandbox.DemoUserSecret, sandbox.DemoOrgSecret, sandbox.DemoAppSecret}, codes...)
	for _, k := range []string{"CEWIZ_USER_SECRET", "CEWIZ_ORG_SECRET", "CEWIZ_API_SECRET", "CEWIZ_CODE"} {
		if v := env[k]; v != "" {
			secrets = append(secrets, v)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out+errOut, s) {
			t.Fatalf("%v: a secret or code leaked into the output:\nstdout: %s\nstderr: %s", args, out, errOut)
		}
	}
}

// consentScript is a $BROWSER that clicks Allow with curl: the sandbox
// answers oauthUrl&decision=allow with a 302 to the redirect URI, which the
// script then GETs on the loopback listener (following its 303 to /done),
// real HTTP all the way through.
func consentScript(t *testing.T) string {
	t.Helper()
	journeytest.LookPath(t, "the browser script that clicks Allow", "curl")
	p := filepath.Join(t.TempDir(), "browser.sh")
	script := "#!/bin/sh\nloc=$(curl -s -o /dev/null -w '%{redirect_url}' \"$1&decision=allow\")\n" +
		"[ -n \"$loc\" ] || exit 1\ncurl -s -o /dev/null -L \"$loc\"\n"
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// siteArgs are create's flags for the demo application and the site acme
// on the sandbox sb; siteGrant is a grant code issued for them.
func siteArgs(sb *sandbox.Server, more ...string) []string {
	return append([]string{"create", "--base-url", sb.BaseURL(), "--api-key", sandbox.DemoAppID, "--domain", "acme",
		"--notify-url", "https://hooks.example.com/events"}, more...)
}

// siteGrant is a grant code the sandbox (a *sandbox.Server, or a bare
// *sandbox.Sandbox behind a test's own server) issued for siteArgs'
// application and site, with the listener's default redirect URI.
func siteGrant(sb interface {
	IssueCode(redirectURI, site, appID string) string
}) string {
	return sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
}

// waitFor polls buf until re matches, returning the first submatch.
func waitFor(t *testing.T, buf *journeytest.Buffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m[len(m)-1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never saw %v in:\n%s", re, buf.String())
	return ""
}

// terminalInput is a stdin that is a terminal, fed by the test through w.
type terminalInput struct {
	r *io.PipeReader
	w *io.PipeWriter
}

// asTerminal makes a stdin that create takes for a terminal: runAsync
// runs with it, the test types into it.
func asTerminal(t *testing.T) *terminalInput {
	t.Helper()
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return &terminalInput{r: r, w: w}
}

// allowedRedirect clicks Allow without following the redirect: the address
// a browser would land on.
func allowedRedirect(t *testing.T, authURL string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL + "&decision=allow")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no redirect: %d", resp.StatusCode)
	}
	return loc
}

var authURLRe = regexp.MustCompile(`at this address:\n  (\S+)\n`)

// runAsync runs cewiz in the background; when the test ends, its stdout
// and stderr are scanned for secrets (and for the codes the test adds to
// *codes, e.g. one pasted from a redirect).
// With stdin nil, stdin is not a terminal.
func runAsync(t *testing.T, stdin *terminalInput, env map[string]string, codes *[]string, args ...string) (*journeytest.Buffer, *journeytest.Buffer, chan int) {
	t.Helper()
	var out, errOut journeytest.Buffer
	done := make(chan int, 1)
	lookup := lookupIn(env)
	io := testStreams(&out, &errOut)
	if stdin != nil {
		io.In, io.InTerminal = stdin.r, true
	}
	go func() { done <- run(args, io, lookup) }()
	t.Cleanup(func() {
		var cs []string
		if codes != nil {
			cs = *codes
		}
		checkNoSecrets(t, env, cs, args, out.String(), errOut.String())
	})
	return &out, &errOut, done
}

func finished(t *testing.T, done chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("create did not finish")
		return -1
	}
}

// No command writes a poll URL the user or the element did not give.
func TestPollNeverInventsAURL(t *testing.T) {
	t.Parallel()
	t.Run("export knows only events offline, as a guess", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", "events")
		if code != exitOK || !strings.Contains(out, `"url": "/hubs/documents/events"`) || !strings.Contains(errOut, "guess") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	for _, name := range []string{"files", "folders", "contracts"} {
		t.Run("export --poll "+name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", name)
			if code != exitUsage || out != "" || !strings.Contains(errOut, "--poll") || !strings.Contains(errOut, "NAME=URL") ||
				!strings.Contains(errOut, "/hubs/documents/folders/contents?path=/") || !strings.Contains(errOut, "export never contacts Cloud Elements") {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
		})
	}
	t.Run("export --poll NAME=URL", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", "shared=/hubs/documents/folders/contents?path=/Shared")
		if code != exitOK || !strings.Contains(out, `"shared": {`) || !strings.Contains(out, `"url": "/hubs/documents/folders/contents?path=/Shared"`) ||
			strings.Contains(out, `"/hubs/documents/shared"`) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("create starts from the element's default", func(t *testing.T) {
		t.Parallel()
		h := isolate(t)
		sb := startSandbox(t)
		grant := siteGrant(sb)
		code, _, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--poll", "folders", "--poll", "events")...)
		if code != exitOK || strings.Contains(errOut, "guess") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		poller := sb.Instances()[0].Configuration["event.poller.configuration"]
		// The element's own resources, its knobs kept (pageSize, time zones).
		for _, want := range []string{`"folders":{"url":"/hubs/documents/folders/contents?path=/"`, `"pageSize":200`, `"updatedDateTimezone":"GMT"`, `"filterByCurrentDate":false`} {
			if !strings.Contains(poller, want) {
				t.Errorf("the instance's poller configuration lacks %s:\n%s", want, poller)
			}
		}
	})
	t.Run("create --poll NAME not in the element's default", func(t *testing.T) {
		t.Parallel()
		h := isolate(t)
		sb := startSandbox(t)
		code, out, errOut := runSafe(t, h.createEnv(), nil, siteArgs(sb, "--code", "unused-code", "--poll", "files")...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, `defines no "files" resource (it defines events, folders)`) || !strings.Contains(errOut, "NAME=URL") {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
		}
		if n := sb.Count(sandbox.RouteCreateInstance); n != 0 {
			t.Fatalf("%d creates after a usage error", n)
		}
	})
	t.Run("create says when the element's default cannot be read", func(t *testing.T) {
		t.Parallel()
		h := isolate(t)
		sb := startSandbox(t)
		sb.InjectFault(sandbox.RouteElementConfiguration, sandbox.Fault{Status: 500, Count: 10})
		grant := siteGrant(sb)
		code, _, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--poll", "events")...)
		if code != exitOK || !strings.Contains(errOut, "could not be read") || !strings.Contains(errOut, "guess") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
	t.Run("an http notification URL is accepted with a warning", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--notify-url", "http://hooks.example.com/events")
		if code != exitOK || !strings.Contains(out, `"http://hooks.example.com/events"`) || !strings.Contains(errOut, "unencrypted") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
}
