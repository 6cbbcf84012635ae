package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// TestMain makes every run see no terminal on stdin, whatever runs the
// tests: the "without a terminal" behaviour (usage errors, never a prompt)
// is what they check. asTerminal switches one test to a terminal.
func TestMain(m *testing.M) {
	stdinIsTerminal = func() bool { return false }
	createStdin = strings.NewReader("")
	os.Exit(m.Run())
}

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code = run(args, &out, &errb, lookup)
	return code, out.String(), errb.String()
}

func TestExportSeedInputsPrintSeedBody(t *testing.T) {
	code, out, _ := runCLI(t, nil, "export", "--name", "myCoolInstance",
		"--callback-url", "https://auth.cloudelements.io/oauth",
		"--notify-url", "https://www.mycoolapplication.com/events")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want, _ := os.ReadFile("flow/testdata/seed-body.json")
	var got, exp any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not only JSON: %v\n%s", err, out)
	}
	json.Unmarshal(want, &exp)
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("got\n%s", out)
	}
}

func TestExportSecretsOnlyWhenAsked(t *testing.T) {
	env := map[string]string{"CEWIZ_API_SECRET": "APPSECRET-1", "CEWIZ_USER_SECRET": "USERSECRET-1", "CEWIZ_ORG_SECRET": "ORGSECRET-1"}
	code, out, errOut := runCLI(t, env, "export", "--code", "CODE-1", "--domain", "acme")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, secret := range []string{"APPSECRET-1", "USERSECRET-1", "ORGSECRET-1", "CODE-1"} {
		if strings.Contains(out+errOut, secret) {
			t.Fatalf("%s leaked without --include-secrets", secret)
		}
	}
	if !strings.Contains(errOut, "--include-secrets") {
		t.Fatalf("no hint about --include-secrets: %s", errOut)
	}
	_, out, _ = runCLI(t, env, "export", "--code", "CODE-1", "--include-secrets")
	if !strings.Contains(out, "APPSECRET-1") || !strings.Contains(out, "CODE-1") {
		t.Fatalf("--include-secrets did not include them:\n%s", out)
	}
	if strings.Contains(out, "USERSECRET-1") {
		t.Fatal("the User secret is never part of the body")
	}
	_, out, _ = runCLI(t, env, "export", "--format", "curl", "--code", "CODE-1")
	if strings.Contains(out, "APPSECRET-1") || strings.Contains(out, "CODE-1") || !strings.Contains(out, "$") {
		t.Fatalf("cURL export:\n%s", out)
	}
}

func TestExportFromFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	_, first, _ := runCLI(t, nil, "export", "--domain", "acme", "--poll", "events", "--tag", "x", "--notify-url", "https://h.example.com/e")
	p := filepath.Join(dir, "body.json")
	os.WriteFile(p, []byte(first), 0o600)
	code, second, errOut := runCLI(t, nil, "export", "--from", p)
	if code != exitOK || second != first {
		t.Fatalf("exit %d %s\nfirst:\n%s\nsecond:\n%s", code, errOut, first, second)
	}
	_, third, _ := runCLI(t, nil, "export", "--from", p, "--refresh-interval", "42")
	if !strings.Contains(third, `"event.poller.refresh_interval": "42"`) {
		t.Fatalf("a flag did not override the file:\n%s", third)
	}
}

func TestExitCodesAndUsage(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"export", "--domain", "evil.com"}, exitUsage, "--domain:"},
		{[]string{"export", "--refresh-interval", "abc"}, exitUsage, "invalid value"},
		{[]string{"export", "--nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"export", "stray"}, exitUsage, "unexpected argument"},
		{[]string{"export", "--format", "yaml"}, exitUsage, "--format:"},
		{[]string{"export", "--from", "/does/not/exist.json"}, exitUsage, "--from:"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"doctor", "--instance", "5", "--base-url", "http://127.0.0.1:9"}, exitUsage, "--instance: inspecting an instance needs the platform secrets"},
		{[]string{"--timeout", "-1s"}, exitUsage, "--timeout"},
		{[]string{"--listen", "8.8.8.8:80"}, exitUsage, "--listen"},
		{[]string{"export", "--help"}, exitOK, "--include-secrets"},
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
	code, _, errOut := runCLI(t, nil, "--help")
	if code != exitOK || !strings.Contains(errOut, "cewiz export") || !strings.Contains(errOut, "-sandbox") {
		t.Fatalf("--help: %d %q", code, errOut)
	}
}

// ---- cewiz create and cewiz doctor (issue 6) ----

// isolate keeps remembered answers and summaries in a temporary config dir.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return filepath.Join(dir, "cewiz")
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
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is needed for the browser script")
	}
	p := filepath.Join(t.TempDir(), "browser.sh")
	script := "#!/bin/sh\nloc=$(curl -s -o /dev/null -w '%{redirect_url}' \"$1&decision=allow\")\n" +
		"[ -n \"$loc\" ] || exit 1\ncurl -s -o /dev/null -L \"$loc\"\n"
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func siteArgs(sb *sandbox.Server, more ...string) []string {
	return append([]string{"create", "--base-url", sb.BaseURL(), "--api-key", sandbox.DemoAppID, "--domain", "acme",
		"--notify-url", "https://hooks.example.com/events"}, more...)
}

func TestCreateWithBrowserScript(t *testing.T) {
	dir := isolate(t)
	sb := startSandbox(t)
	env := createEnv("BROWSER", consentScript(t))
	code, out, errOut := runSafe(t, env, nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--timeout", "20s", "--json", "--tag", "ci")...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var in struct {
		ID            int64             `json:"id"`
		Name          string            `json:"name"`
		Token         string            `json:"token"`
		EventsEnabled bool              `json:"eventsEnabled"`
		Configuration map[string]string `json:"configuration"`
	}
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("stdout is not only the instance: %v\n%s", err, out)
	}
	if in.ID == 0 || in.Name != "docushareflex-acme" || in.Token != "********" || !in.EventsEnabled {
		t.Fatalf("%+v", in)
	}
	// The instance as Cloud Elements returned it: fields cewiz does not
	// model are there too, and nothing cewiz adds.
	for _, field := range []string{`"user"`, `"updatedDate"`, `"element"`} {
		if !strings.Contains(out, field) {
			t.Errorf("--json lost the field %s:\n%s", field, out)
		}
	}
	if strings.Contains(out, `"recovered"`) {
		t.Error("--json carries cewiz's own recovered field")
	}
	stored, ok := sb.Instance(in.ID)
	if !ok || stored.Token == "" || strings.Contains(out, stored.Token) {
		t.Fatal("the token must stay masked on stdout")
	}
	if n := sb.Count(sandbox.RouteCreateInstance); n != 1 || len(sb.Instances()) != 1 {
		t.Fatalf("%d creates, %d instances", n, len(sb.Instances()))
	}
	for _, s := range []string{"Authorize cewiz", "(opened in your browser)", "Authorized. Creating the instance", "mode 0600"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	// The summary holds the token (0600); the remembered answers hold no secret.
	summary := filepath.Join(dir, "instances", strconv.FormatInt(in.ID, 10)+".json")
	if fi, err := os.Stat(summary); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("summary: %v %v", fi, err)
	}
	mem, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sandbox.DemoUserSecret, sandbox.DemoOrgSecret, sandbox.DemoAppSecret, stored.Token} {
		if strings.Contains(string(mem), s) {
			t.Fatal("a secret was remembered")
		}
	}
	if !strings.Contains(string(mem), `"domain": "acme.docushareflex.com"`) || strings.Contains(string(mem), "127.0.0.1:0") {
		t.Fatalf("remembered:\n%s", mem)
	}
}

func TestCreateNoBrowserTimesOut(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	start := time.Now()
	code, out, errOut := runSafe(t, createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "300ms")...)
	if code != exitFailure || out != "" || time.Since(start) > 10*time.Second { // the 300ms wait, with room for a loaded machine
		t.Fatalf("exit %d in %s\n%s", code, time.Since(start), errOut)
	}
	for _, s := range []string{"/docushareflex/oauth/authorize", "--no-browser", "in time", "Next:", "No callback arrived. Likely causes:"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	if sb.Count(sandbox.RouteCreateInstance) != 0 {
		t.Fatal("created without a code")
	}
}

func TestCreateWithCode(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
	code, out, errOut := runSafe(t, createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--name", "scripted")...)
	if code != exitOK || !strings.HasPrefix(out, "Created instance ") || !strings.Contains(out, `"scripted"`) || !strings.Contains(out, "Token: ********") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	// The same code again: rejected (single-use), said so, exit 1, nothing created.
	code, out, errOut = runSafe(t, createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--name", "again")...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, "rejected") || !strings.Contains(errOut, "authorize again") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if len(sb.Instances()) != 1 {
		t.Fatalf("%d instances", len(sb.Instances()))
	}
	// The code comes from CEWIZ_CODE as well.
	grant = sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
	code, _, errOut = runSafe(t, createEnv("CEWIZ_CODE", grant, "CEWIZ_NAME", "from-env"), []string{grant}, siteArgs(sb)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCreateFromExportedBody(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	dir := t.TempDir()
	_, body, _ := runCLI(t, nil, "export", "--domain", "acme", "--api-key", sandbox.DemoAppID, "--poll", "events",
		"--notify-url", "https://hooks.example.com/events", "--name", "from-file", "--refresh-interval", "30", "--tag", "a")
	p := filepath.Join(dir, "body.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
	code, out, errOut := runSafe(t, createEnv(), []string{grant}, "create", "--base-url", sb.BaseURL(), "--from", p, "--code", grant, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var in struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal([]byte(out), &in)
	stored, _ := sb.Instance(in.ID)
	if stored.Name != "from-file" || stored.Configuration["event.poller.refresh_interval"] != "30" ||
		!strings.Contains(stored.Configuration["event.poller.configuration"], "events") || len(stored.Tags) != 1 {
		t.Fatalf("%+v", stored)
	}
	// The body file's placeholders are not answers: the missing secret is named.
	env := createEnv()
	delete(env, "CEWIZ_API_SECRET")
	code, _, errOut = runSafe(t, env, nil, "create", "--base-url", sb.BaseURL(), "--from", p)
	if code != exitUsage || !strings.Contains(errOut, "CEWIZ_API_SECRET") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCreateMissingAnswers(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	full := []string{"create", "--base-url", sb.BaseURL(), "--api-key", "app", "--domain", "acme", "--notify-url", "https://h.example.com/e"}
	without := func(flagName string) []string {
		var out []string
		for i := 0; i < len(full); i++ {
			if full[i] == "--"+flagName {
				i++
				continue
			}
			out = append(out, full[i])
		}
		return out
	}
	envWithout := func(k string) map[string]string { e := createEnv(); delete(e, k); return e }
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"user secret", envWithout("CEWIZ_USER_SECRET"), full, "CEWIZ_USER_SECRET"},
		{"org secret", envWithout("CEWIZ_ORG_SECRET"), full, "CEWIZ_ORG_SECRET"},
		{"api secret", envWithout("CEWIZ_API_SECRET"), full, "CEWIZ_API_SECRET"},
		{"application id", createEnv(), without("api-key"), "--api-key:"},
		{"domain", createEnv(), without("domain"), "--domain:"},
		{"notification url", createEnv(), without("notify-url"), "--notify-url:"},
		{"registered callback needs a code or a terminal", createEnv(), append(append([]string{}, full...), "--callback-url", "https://auth.cloudelements.io/oauth"), "--code:"},
		{"bad domain", createEnv(), append(without("domain"), "--domain", "evil.com"), "--domain:"},
		{"sandbox and base url", createEnv(), append(append([]string{}, full...), "--sandbox"), "--sandbox:"},
		{"stray argument", createEnv(), append(append([]string{}, full...), "stray"), "unexpected argument"},
		{"no limit on the wait", createEnv(), append(append([]string{}, full...), "--timeout", "-1s"), "--timeout:"},
		{"zero wait", createEnv("CEWIZ_TIMEOUT", "0s"), full, "--timeout:"},
		{"listen not host:port", createEnv(), append(append([]string{}, full...), "--listen", "nonsense"), "--listen:"},
		{"listen not loopback", createEnv(), append(append([]string{}, full...), "--listen", "8.8.8.8:80"), "--listen:"},
		{"unknown flag", createEnv(), append(append([]string{}, full...), "--nope"), "flag provided but not defined"},
	}
	for _, c := range cases {
		start := time.Now()
		code, out, errOut := runSafe(t, c.env, nil, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 naming %q", c.name, code, out, errOut, c.want)
		}
		if took := time.Since(start); took > 5*time.Second { // a usage error is immediate; this only catches a wait
			t.Errorf("%s: took %s", c.name, took)
		}
	}
	if n := len(sb.Counts()); n != 0 {
		t.Fatalf("a usage error reached the network: %v", sb.Counts())
	}
	code, _, errOut := runCLI(t, nil, "create", "--help")
	if code != exitOK || !strings.Contains(errOut, "masked") || !strings.Contains(errOut, "-no-browser") {
		t.Fatalf("create --help: %d %s", code, errOut)
	}
}

func TestCreateFaults(t *testing.T) {
	isolate(t)
	script := consentScript(t)
	cases := []struct {
		name    string
		route   string
		fault   sandbox.Fault
		useCode bool
		exit    int
		want    string
		created int // instances afterwards
	}{
		{"oauth url 500", sandbox.RouteOAuthURL, sandbox.Fault{Status: 500, Count: 10}, false, exitFailure, "500", 0},
		{"oauth url 401", sandbox.RouteOAuthURL, sandbox.Fault{Status: 401, Count: 10}, false, exitFailure, "secret", 0},
		{"oauth url dropped", sandbox.RouteOAuthURL, sandbox.Fault{Drop: true, Count: 10}, false, exitFailure, "", 0},
		{"oauth url slow", sandbox.RouteOAuthURL, sandbox.Fault{Delay: 500 * time.Millisecond}, false, exitOK, "", 1},
		{"consent page broken", sandbox.RouteConsent, sandbox.Fault{Status: 500, Count: 10}, false, exitFailure, "in time", 0},
		{"create 500", sandbox.RouteCreateInstance, sandbox.Fault{Status: 500}, true, exitFailure, "500", 0},
		{"create 400", sandbox.RouteCreateInstance, sandbox.Fault{Status: 400, Message: "bad field"}, true, exitFailure, "bad field", 0},
		{"create 409", sandbox.RouteCreateInstance, sandbox.Fault{Status: 409}, true, exitFailure, "read its message", 0},
		// A refused code as a 502 provider failure: not "outcome unknown".
		{"create 502 refused code", sandbox.RouteCreateInstance, sandbox.Fault{Status: 502, Message: sandbox.MsgProviderFailure, ProviderMessage: sandbox.ProviderInvalidGrant}, true, exitFailure, "authorize again", 0},
		{"create dropped before", sandbox.RouteCreateInstance, sandbox.Fault{Drop: true}, true, exitFailure, "", 0},
		{"create dropped after it happened", sandbox.RouteCreateInstance, sandbox.Fault{Drop: true, After: true}, true, exitOK, "found by name", 1},
		{"create 504 after it happened", sandbox.RouteCreateInstance, sandbox.Fault{Status: 504, After: true}, true, exitOK, "found by name", 1},
		{"create slow", sandbox.RouteCreateInstance, sandbox.Fault{Delay: 500 * time.Millisecond}, true, exitOK, "", 1},
		{"list after an ambiguous create fails too", sandbox.RouteListInstances, sandbox.Fault{Status: 500, Count: 10}, true, exitOK, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb := startSandbox(t)
			if err := sb.InjectFault(c.route, c.fault); err != nil {
				t.Fatal(err)
			}
			args := siteArgs(sb, "--listen", "127.0.0.1:0", "--timeout", "2s")
			var codes []string
			if c.useCode {
				grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
				codes = []string{grant}
				args = siteArgs(sb, "--code", grant)
			}
			start := time.Now()
			code, out, errOut := runSafe(t, createEnv("BROWSER", script), codes, args...)
			if took := time.Since(start); took > 15*time.Second {
				t.Fatalf("took %s", took)
			}
			if code != c.exit || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", code, c.exit, c.want, errOut)
			}
			if (code == exitOK) != (out != "") {
				t.Fatalf("stdout %q with exit %d", out, code)
			}
			if n := len(sb.Instances()); n != c.created {
				t.Fatalf("%d instances, want %d", n, c.created)
			}
			if n := sb.Count(sandbox.RouteCreateInstance); n > 1 {
				t.Fatalf("POST /instances sent %d times", n)
			}
		})
	}
}

func TestDoctorCommand(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
	code, out, errOut := runSafe(t, createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--json")...)
	if code != exitOK {
		t.Fatalf("create: %d %s", code, errOut)
	}
	var in struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal([]byte(out), &in)
	id := strconv.FormatInt(in.ID, 10)
	isolate(t) // forget the remembered domain: no DNS lookups in tests

	type report struct {
		OK     bool `json:"ok"`
		Checks []struct {
			ID, Status, Finding, Next string
		} `json:"checks"`
	}
	doctorJSON := func(env map[string]string, args ...string) (int, report, string) {
		t.Helper()
		code, out, errOut := runSafe(t, env, nil, append([]string{"doctor", "--json", "--listen", "127.0.0.1:0"}, args...)...)
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON (%v): %s\n%s", err, out, errOut)
		}
		return code, r, errOut
	}
	status := func(r report, id string) string {
		for _, c := range r.Checks {
			if c.ID == id {
				return c.Status + ": " + c.Finding
			}
		}
		return "missing"
	}
	base := []string{"--base-url", sb.BaseURL(), "--instance", id}

	code, r, errOut := doctorJSON(createEnv(), base...)
	if code != exitOK || !r.OK || len(r.Checks) != 13 {
		t.Fatalf("healthy: exit %d %+v\n%s", code, r, errOut)
	}
	for _, c := range []string{"base-url", "secrets", "element", "instance", "instance-events-enabled", "instance-poller", "instance-event-log"} {
		if !strings.HasPrefix(status(r, c), "pass") {
			t.Errorf("%s: %s", c, status(r, c))
		}
	}

	cases := []struct {
		name  string
		setup func()
		env   map[string]string
		check string
		want  string
	}{
		{"bad secrets", func() {}, createEnv("CEWIZ_USER_SECRET", "not-the-user-secret-5120"), "secrets", "fail: Cloud Elements refused"},
		{"disabled instance", func() { sb.SetDisabled(in.ID, true) }, createEnv(), "instance", "fail: "},
		{"events off", func() { sb.SetDisabled(in.ID, false); sb.SetEventsEnabled(in.ID, false) }, createEnv(), "instance-events-enabled", "fail: Events are off"},
		{"unparsable poller configuration", func() {
			sb.SetEventsEnabled(in.ID, true)
			sb.SetConfiguration(in.ID, "event.poller.configuration", "{broken")
		}, createEnv(), "instance-poller", "fail: "},
		{"unknown instance", func() {}, createEnv(), "instance", "fail: There is no instance"},
	}
	for _, c := range cases {
		c.setup()
		args := base
		if c.name == "unknown instance" {
			args = []string{"--base-url", sb.BaseURL(), "--instance", "999"}
		}
		code, r, _ := doctorJSON(c.env, args...)
		if code != exitFailure || r.OK || !strings.HasPrefix(status(r, c.check), c.want) {
			t.Errorf("%s: exit %d, %s: %s", c.name, code, c.check, status(r, c.check))
		}
	}

	// Plain lines when not a terminal; the exit code follows the failures.
	code, out, _ = runSafe(t, createEnv(), nil, append([]string{"doctor", "--listen", "127.0.0.1:0"}, base...)...)
	if code != exitFailure || !strings.Contains(out, "FAIL  Instance poller configuration:") || !strings.Contains(out, "passed,") {
		t.Fatalf("plain: %d\n%s", code, out)
	}

	// Usage errors.
	for _, args := range [][]string{{"doctor", "--instance", "abc"}, {"doctor", "--sandbox", "--region", "eu"}, {"doctor", "--callback-url", "ftp://x"}} {
		if code, _, errOut := runCLI(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

func TestDoctorSandboxAndHangs(t *testing.T) {
	isolate(t)
	code, out, errOut := runSafe(t, nil, nil, "doctor", "--sandbox", "--json", "--listen", "127.0.0.1:0")
	if code != exitOK || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("doctor --sandbox: %d\n%s\n%s", code, out, errOut)
	}
	if testing.Short() {
		return
	}
	sb := startSandbox(t)
	sb.InjectFault(sandbox.RouteAny, sandbox.Fault{Delay: time.Minute, Count: 100})
	start := time.Now()
	code, out, _ = runSafe(t, createEnv(), nil, "doctor", "--base-url", sb.BaseURL(), "--instance", "1", "--listen", "127.0.0.1:0")
	took := time.Since(start)
	t.Logf("doctor against a hanging Cloud Elements: %s", took)
	// Each check is bounded by doctor.DefaultTimeout and the run by twice
	// that; the rest is headroom for a loaded machine. A hang is a minute.
	if code != exitFailure || took > 2*doctor.DefaultTimeout+4*time.Second || !strings.Contains(out, "FAIL  Cloud Elements base URL answers") {
		t.Fatalf("exit %d after %s\n%s", code, took, out)
	}
	timedOut := strings.Contains(out, "did not answer in time") || strings.Contains(out, "No answer within 3s")
	if !timedOut || !strings.Contains(out, "SKIP  User and Organization secrets accepted") {
		t.Fatalf("the hanging base URL should time out and its dependents be skipped:\n%s", out)
	}
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

// asTerminal makes create believe stdin is a terminal fed by the returned writer.
func asTerminal(t *testing.T) *io.PipeWriter {
	t.Helper()
	r, w := io.Pipe()
	oldIn, oldTerm := createStdin, stdinIsTerminal
	createStdin, stdinIsTerminal = r, func() bool { return true }
	t.Cleanup(func() {
		w.Close()
		createStdin, stdinIsTerminal = oldIn, oldTerm
	})
	return w
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
func runAsync(t *testing.T, env map[string]string, codes *[]string, args ...string) (*journeytest.Buffer, *journeytest.Buffer, chan int) {
	t.Helper()
	var out, errOut journeytest.Buffer
	done := make(chan int, 1)
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	go func() { done <- run(args, &out, &errOut, lookup) }()
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

func TestCreatePasteInTerminal(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	stdin := asTerminal(t)
	var codes []string
	out, errOut, done := runAsync(t, createEnv(), &codes, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "20s")...)
	authURL := waitFor(t, errOut, authURLRe)
	waitFor(t, errOut, regexp.MustCompile(`(paste the redirected address)`))
	// A wrong paste first: refused with a precise message, the wait goes on.
	io.WriteString(stdin, "https://example.com/not-it?code=x&state=y\n")
	waitFor(t, errOut, regexp.MustCompile(`(Paste the whole address again)`))
	loc := allowedRedirect(t, authURL)
	codes = append(codes, regexp.MustCompile(`code=([^&]+)`).FindStringSubmatch(loc)[1]) // checked at the end
	io.WriteString(stdin, loc+"\n")
	if code := finished(t, done); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "Created instance") || len(sb.Instances()) != 1 {
		t.Fatalf("%s\n%s", out.String(), errOut.String())
	}
}

func TestCreateRejectedCodeAuthorizeAgain(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	stdin := asTerminal(t)
	env := createEnv("BROWSER", consentScript(t))
	codes := []string{"expired-code", "expired-again"}
	out, errOut, done := runAsync(t, env, &codes, siteArgs(sb, "--code", "expired-code", "--listen", "127.0.0.1:0", "--timeout", "20s")...)
	waitFor(t, errOut, regexp.MustCompile(`(Authorize again\? \[Y/n\])`))
	if !strings.Contains(errOut.String(), "rejected") {
		t.Fatalf("no word about the rejected code:\n%s", errOut.String())
	}
	io.WriteString(stdin, "y\n")
	if code := finished(t, done); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if len(sb.Instances()) != 1 || sb.Count(sandbox.RouteCreateInstance) != 2 || !strings.Contains(out.String(), "Created instance") {
		t.Fatalf("%d instances, %d creates\n%s", len(sb.Instances()), sb.Count(sandbox.RouteCreateInstance), errOut.String())
	}

	// Declining ends with exit 1 and nothing more.
	stdin = asTerminal(t)
	_, errOut, done = runAsync(t, env, &codes, siteArgs(sb, "--code", "expired-again", "--name", "other")...)
	waitFor(t, errOut, regexp.MustCompile(`(Authorize again\?)`))
	io.WriteString(stdin, "n\n")
	if code := finished(t, done); code != exitFailure {
		t.Fatalf("exit %d", code)
	}
}

func TestCreateCtrlC(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	_, errOut, done := runAsync(t, createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "30s")...)
	port := waitFor(t, errOut, regexp.MustCompile(`Waiting for the browser on port (\d+)`))
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Skip(err)
	}
	start := time.Now()
	if code := finished(t, done); code != exitCanceled {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if time.Since(start) > 10*time.Second { // far below the 30s wait it cut short
		t.Fatalf("took %s", time.Since(start))
	}
	// The port is free again and nothing was created.
	ln, err := net.Listen("tcp4", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("port still held: %v", err)
	}
	ln.Close()
	if sb.Count(sandbox.RouteCreateInstance) != 0 {
		t.Fatal("created after Ctrl-C")
	}
}

func TestWizardDoctor(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	a := flow.NewAnswers()
	a.BaseURL, a.CallbackURL = sb.BaseURL(), "https://auth.cloudelements.io/oauth"
	s := flow.Secrets{UserSecret: flow.NewSecret(sandbox.DemoUserSecret), OrgSecret: flow.NewSecret("not-the-org-secret-5121")}
	var errOut bytes.Buffer
	err := wizardDoctor(&errOut, func(string) (string, bool) { return "", false }, true)(context.Background(), a, s)
	if !errors.Is(err, errChecksFailed) || !strings.Contains(errOut.String(), "FAIL  User and Organization secrets accepted") {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	checkNoSecrets(t, map[string]string{"CEWIZ_ORG_SECRET": "not-the-org-secret-5121"}, nil, []string{"wizard doctor"}, "", errOut.String())
}

func TestCreateRegisteredCallbackPaste(t *testing.T) {
	isolate(t)
	sb := startSandbox(t)
	const registered = "https://auth.cloudelements.io/oauth"
	for _, bare := range []bool{false, true} {
		stdin := asTerminal(t)
		name := fmt.Sprintf("registered-%t", bare)
		var codes []string
		out, errOut, done := runAsync(t, createEnv(), &codes, siteArgs(sb, "--callback-url", registered, "--name", name, "--timeout", "20s")...)
		authURL := waitFor(t, errOut, authURLRe)
		waitFor(t, errOut, regexp.MustCompile(`(paste that whole address)`))
		loc := allowedRedirect(t, authURL)
		if !strings.HasPrefix(loc, registered+"?") {
			t.Fatalf("redirected to %s", loc)
		}
		code := regexp.MustCompile(`code=([^&]+)`).FindStringSubmatch(loc)[1]
		codes = append(codes, code)
		if bare {
			io.WriteString(stdin, code+"\n")
			waitFor(t, errOut, regexp.MustCompile(`(Use it\? \[y/N\])`))
			io.WriteString(stdin, "y\n")
		} else {
			io.WriteString(stdin, loc+"\n")
		}
		if code := finished(t, done); code != exitOK {
			t.Fatalf("bare %t: exit %d\n%s", bare, code, errOut.String())
		}
		if !strings.Contains(out.String(), name) {
			t.Fatalf("%s", out.String())
		}
		in := sb.Instances()[len(sb.Instances())-1]
		if in.Configuration["oauth.callback.url"] != registered {
			t.Fatalf("callback %q", in.Configuration["oauth.callback.url"])
		}
	}
}

func TestCreateSandboxFlag(t *testing.T) {
	isolate(t)
	code, out, errOut := runSafe(t, map[string]string{"BROWSER": consentScript(t)}, nil, "create", "--sandbox", "--listen", "127.0.0.1:0", "--timeout", "20s")
	if code != exitOK || !strings.Contains(out, "Created instance") || !strings.Contains(errOut, "built-in sandbox") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// A throwaway sandbox run is not remembered.
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "cewiz", "answers.json")); err == nil {
		t.Fatal("the sandbox's answers were remembered")
	}
}

// No command writes a poll URL the user or the element did not give.
func TestPollNeverInventsAURL(t *testing.T) {
	t.Run("export knows only events offline, as a guess", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", "events")
		if code != exitOK || !strings.Contains(out, `"url": "/hubs/documents/events"`) || !strings.Contains(errOut, "guess") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	for _, name := range []string{"files", "folders", "contracts"} {
		t.Run("export --poll "+name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", name)
			if code != exitUsage || out != "" || !strings.Contains(errOut, "--poll") || !strings.Contains(errOut, "NAME=URL") ||
				!strings.Contains(errOut, "/hubs/documents/folders/contents?path=/") || !strings.Contains(errOut, "export never contacts Cloud Elements") {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
		})
	}
	t.Run("export --poll NAME=URL", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--poll", "shared=/hubs/documents/folders/contents?path=/Shared")
		if code != exitOK || !strings.Contains(out, `"shared": {`) || !strings.Contains(out, `"url": "/hubs/documents/folders/contents?path=/Shared"`) ||
			strings.Contains(out, `"/hubs/documents/shared"`) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("create starts from the element's default", func(t *testing.T) {
		isolate(t)
		sb := startSandbox(t)
		grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
		code, _, errOut := runSafe(t, createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--poll", "folders", "--poll", "events")...)
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
		isolate(t)
		sb := startSandbox(t)
		code, out, errOut := runSafe(t, createEnv(), nil, siteArgs(sb, "--code", "unused-code", "--poll", "files")...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, `defines no "files" resource (it defines events, folders)`) || !strings.Contains(errOut, "NAME=URL") {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
		}
		if n := sb.Count(sandbox.RouteCreateInstance); n != 0 {
			t.Fatalf("%d creates after a usage error", n)
		}
	})
	t.Run("create says when the element's default cannot be read", func(t *testing.T) {
		isolate(t)
		sb := startSandbox(t)
		sb.InjectFault(sandbox.RouteElementConfiguration, sandbox.Fault{Status: 500, Count: 10})
		grant := sb.IssueCode(oauthlistener.DefaultRedirectURI, "acme.docushareflex.com", sandbox.DemoAppID)
		code, _, errOut := runSafe(t, createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--poll", "events")...)
		if code != exitOK || !strings.Contains(errOut, "could not be read") || !strings.Contains(errOut, "guess") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
	t.Run("an http notification URL is accepted with a warning", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "export", "--domain", "acme", "--notify-url", "http://hooks.example.com/events")
		if code != exitOK || !strings.Contains(out, `"http://hooks.example.com/events"`) || !strings.Contains(errOut, "unencrypted") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
}

// --sandbox keeps the summaries of its throwaway instances in a directory
// of its own, created 0700 for this run: a $TMPDIR/cewiz-sandbox planted by
// someone else (a symlink to their directory) is never written through.
func TestSandboxPrivateDirectory(t *testing.T) {
	isolate(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	planted := t.TempDir()
	if err := os.Symlink(planted, filepath.Join(tmp, "cewiz-sandbox")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runSafe(t, map[string]string{"BROWSER": consentScript(t)}, nil, "create", "--sandbox", "--listen", "127.0.0.1:0", "--timeout", "20s")
	if code != exitOK || !strings.Contains(out, "Created instance") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(planted); len(entries) != 0 {
		t.Fatalf("the sandbox wrote through the planted symlink: %v", entries)
	}
	m := regexp.MustCompile(`Saved the instance's id and token in (\S+) \(mode 0600\)`).FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("no summary saved:\n%s", errOut)
	}
	summary := m[1]
	// The private directory is the summaries' grandparent: <dir>/instances/<id>.json.
	dir := filepath.Dir(filepath.Dir(summary))
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the sandbox's directory %s: %v %v", dir, fi, err)
	}
	if filepath.Dir(dir) != tmp {
		t.Fatalf("the sandbox's directory %s is not under $TMPDIR %s", dir, tmp)
	}
	if st, err := os.Stat(summary); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("summary %s: %v %v", summary, st, err)
	}
}
