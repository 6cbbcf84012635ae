package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

func TestCreateWithBrowserScript(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	dir := h.configDir()
	sb := startSandbox(t)
	env := h.createEnv("BROWSER", consentScript(t))
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
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	start := time.Now()
	code, out, errOut := runSafe(t, h.createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "300ms")...)
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
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--name", "scripted")...)
	if code != exitOK || !strings.HasPrefix(out, "Created instance ") || !strings.Contains(out, `"scripted"`) || !strings.Contains(out, "Token: ********") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	// The same code again: rejected (single-use), said so, exit 1, nothing created.
	code, out, errOut = runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--name", "again")...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, "rejected") || !strings.Contains(errOut, "authorize again") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if len(sb.Instances()) != 1 {
		t.Fatalf("%d instances", len(sb.Instances()))
	}
	// The code comes from CEWIZ_CODE as well.
	grant = siteGrant(sb)
	code, _, errOut = runSafe(t, h.createEnv("CEWIZ_CODE", grant, "CEWIZ_NAME", "from-env"), []string{grant}, siteArgs(sb)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCreateFromExportedBody(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	dir := t.TempDir()
	_, body, _ := runCLI(t, h.env(), "export", "--domain", "acme", "--api-key", sandbox.DemoAppID, "--poll", "events",
		"--notify-url", "https://hooks.example.com/events", "--name", "from-file", "--refresh-interval", "30", "--tag", "a")
	p := filepath.Join(dir, "body.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	grant := siteGrant(sb)
	code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, "create", "--base-url", sb.BaseURL(), "--from", p, "--code", grant, "--json")
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
	env := h.createEnv()
	delete(env, "CEWIZ_API_SECRET")
	code, _, errOut = runSafe(t, env, nil, "create", "--base-url", sb.BaseURL(), "--from", p)
	if code != exitUsage || !strings.Contains(errOut, "CEWIZ_API_SECRET") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCreateMissingAnswers(t *testing.T) {
	t.Parallel()
	h := isolate(t)
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
	envWithout := func(k string) map[string]string { e := h.createEnv(); delete(e, k); return e }
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"user secret", envWithout("CEWIZ_USER_SECRET"), full, "CEWIZ_USER_SECRET"},
		{"org secret", envWithout("CEWIZ_ORG_SECRET"), full, "CEWIZ_ORG_SECRET"},
		{"api secret", envWithout("CEWIZ_API_SECRET"), full, "CEWIZ_API_SECRET"},
		{"application id", h.createEnv(), without("api-key"), "--api-key:"},
		{"domain", h.createEnv(), without("domain"), "--domain:"},
		{"notification url", h.createEnv(), without("notify-url"), "--notify-url:"},
		{"registered callback needs a code or a terminal", h.createEnv(), append(append([]string{}, full...), "--callback-url", "https://auth.cloudelements.io/oauth"), "--code:"},
		{"bad domain", h.createEnv(), append(without("domain"), "--domain", "evil.com"), "--domain:"},
		{"sandbox and base url", h.createEnv(), append(append([]string{}, full...), "--sandbox"), "--sandbox:"},
		{"stray argument", h.createEnv(), append(append([]string{}, full...), "stray"), "unexpected argument"},
		{"no limit on the wait", h.createEnv(), append(append([]string{}, full...), "--timeout", "-1s"), "--timeout:"},
		{"zero wait", h.createEnv("CEWIZ_TIMEOUT", "0s"), full, "--timeout:"},
		{"listen not host:port", h.createEnv(), append(append([]string{}, full...), "--listen", "nonsense"), "--listen:"},
		{"listen not loopback", h.createEnv(), append(append([]string{}, full...), "--listen", "8.8.8.8:80"), "--listen:"},
		{"unknown flag", h.createEnv(), append(append([]string{}, full...), "--nope"), "unknown flag --nope"},
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
	code, out, errOut := runCLI(t, h.env(), "create", "--help")
	if code != exitOK || errOut != "" || !strings.Contains(out, "masked") || !strings.Contains(out, "--no-browser") {
		t.Fatalf("create --help: exit %d, stdout %q, stderr %q; want 0 and the help on stdout", code, out, errOut)
	}
}

func TestCreateFaults(t *testing.T) {
	t.Parallel()
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
			t.Parallel() // each with its own sandbox and home
			h := isolate(t)
			sb := startSandbox(t)
			if err := sb.InjectFault(c.route, c.fault); err != nil {
				t.Fatal(err)
			}
			args := siteArgs(sb, "--listen", "127.0.0.1:0", "--timeout", "2s")
			var codes []string
			if c.useCode {
				grant := siteGrant(sb)
				codes = []string{grant}
				args = siteArgs(sb, "--code", grant)
			}
			start := time.Now()
			code, out, errOut := runSafe(t, h.createEnv("BROWSER", script), codes, args...)
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

func TestCreatePasteInTerminal(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	stdin := asTerminal(t)
	var codes []string
	out, errOut, done := runAsync(t, stdin, h.createEnv(), &codes, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "20s")...)
	authURL := waitFor(t, errOut, authURLRe)
	waitFor(t, errOut, regexp.MustCompile(`(paste the redirected address)`))
	// A wrong paste first: refused with a precise message, the wait goes on.
	io.WriteString(stdin.w, "https://example.com/not-it?code=x&state=y\n")
	waitFor(t, errOut, regexp.MustCompile(`(Paste the whole address again)`))
	loc := allowedRedirect(t, authURL)
	codes = append(codes, regexp.MustCompile(`code=([^&]+)`).FindStringSubmatch(loc)[1]) // checked at the end
	io.WriteString(stdin.w, loc+"\n")
	if code := finished(t, done); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "Created instance") || len(sb.Instances()) != 1 {
		t.Fatalf("%s\n%s", out.String(), errOut.String())
	}
}

func TestCreateRejectedCodeAuthorizeAgain(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	stdin := asTerminal(t)
	env := h.createEnv("BROWSER", consentScript(t))
	codes := []string{"expired-code", "expired-again"}
	out, errOut, done := runAsync(t, stdin, env, &codes, siteArgs(sb, "--code", "expired-code", "--listen", "127.0.0.1:0", "--timeout", "20s")...)
	waitFor(t, errOut, regexp.MustCompile(`(Authorize again\? \[Y/n\])`))
	if !strings.Contains(errOut.String(), "rejected") {
		t.Fatalf("no word about the rejected code:\n%s", errOut.String())
	}
	io.WriteString(stdin.w, "y\n")
	if code := finished(t, done); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if len(sb.Instances()) != 1 || sb.Count(sandbox.RouteCreateInstance) != 2 || !strings.Contains(out.String(), "Created instance") {
		t.Fatalf("%d instances, %d creates\n%s", len(sb.Instances()), sb.Count(sandbox.RouteCreateInstance), errOut.String())
	}

	// Declining ends with exit 1 and nothing more.
	stdin = asTerminal(t)
	_, errOut, done = runAsync(t, stdin, env, &codes, siteArgs(sb, "--code", "expired-again", "--name", "other")...)
	waitFor(t, errOut, regexp.MustCompile(`(Authorize again\?)`))
	io.WriteString(stdin.w, "n\n")
	if code := finished(t, done); code != exitFailure {
		t.Fatalf("exit %d", code)
	}
}

func TestCreateCtrlC(t *testing.T) {
	h := isolate(t)
	sb := startSandbox(t)
	_, errOut, done := runAsync(t, nil, h.createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "30s")...)
	port := waitFor(t, errOut, regexp.MustCompile(`Waiting for the browser on port (\d+)`))
	interrupt(t, syscall.SIGINT)
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

func TestCreateRegisteredCallbackPaste(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	const registered = "https://auth.cloudelements.io/oauth"
	for _, bare := range []bool{false, true} {
		stdin := asTerminal(t)
		name := fmt.Sprintf("registered-%t", bare)
		var codes []string
		out, errOut, done := runAsync(t, stdin, h.createEnv(), &codes, siteArgs(sb, "--callback-url", registered, "--name", name, "--timeout", "20s")...)
		authURL := waitFor(t, errOut, authURLRe)
		waitFor(t, errOut, regexp.MustCompile(`(paste that whole address)`))
		loc := allowedRedirect(t, authURL)
		if !strings.HasPrefix(loc, registered+"?") {
			t.Fatalf("redirected to %s", loc)
		}
		code := regexp.MustCompile(`code=([^&]+)`).FindStringSubmatch(loc)[1]
		codes = append(codes, code)
		if bare {
			io.WriteString(stdin.w, code+"\n")
			waitFor(t, errOut, regexp.MustCompile(`(Use it\? \[y/N\])`))
			io.WriteString(stdin.w, "y\n")
		} else {
			io.WriteString(stdin.w, loc+"\n")
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
