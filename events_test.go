package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// asCewizEnv makes this test binary run as cewiz itself (TestMain calls
// main): the tests that run cewiz as a user does, each command a process
// of its own, since the long-running ones (sandbox, events receive, events
// watch --follow) end with Ctrl-C, which only a process of its own can
// get. The test binary is this package compiled: no build to wait for.
const asCewizEnv = "CEWIZ_TEST_AS_CEWIZ"

// cewizEnv is env for a process of this test binary that runs as cewiz.
func cewizEnv(env ...string) []string {
	return append(append(os.Environ(), asCewizEnv+"=1"), env...)
}

// cewizBin is the program to run as cewiz with cewizEnv: this test binary.
func cewizBin(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// proc is a cewiz process the test reads while it runs.
type proc struct {
	cmd         *exec.Cmd
	out, errOut journeytest.Buffer
	done        chan int
}

func (p *proc) all() string { return p.out.String() + p.errOut.String() }

func startCewiz(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan int, 1)}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.done <- p.cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// interrupt is Ctrl-C; it returns the exit code.
func (p *proc) interrupt(t *testing.T) int {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case code := <-p.done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("%v did not stop on Ctrl-C:\n%s", p.cmd.Args, p.all())
		return -1
	}
}

// await waits until re matches what p printed on stdout (or stderr), and
// returns the last submatch.
func (p *proc) await(t *testing.T, re *regexp.Regexp, stderr bool) string {
	t.Helper()
	buf := &p.out
	if stderr {
		buf = &p.errOut
	}
	deadline := time.Now().Add(30 * time.Second) // generous: a loaded CI machine
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case code := <-p.done:
			p.done <- code
			if m := re.FindStringSubmatch(buf.String()); m != nil {
				return m[len(m)-1]
			}
			t.Fatalf("%v ended (exit %d) before printing %v:\n%s", p.cmd.Args, code, re, p.all())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%v never printed %v:\n%s", p.cmd.Args, re, p.all())
	return ""
}

// grantCode clicks Allow on the sandbox's consent page for the default
// loopback redirect URI, as a browser would, and returns the code.
func grantCode(t *testing.T, baseURL string) string {
	t.Helper()
	q := url.Values{"apiKey": {sandbox.DemoAppID}, "apiSecret": {sandbox.DemoAppSecret}, "callbackUrl": {oauthlistener.DefaultRedirectURI},
		"siteAddress": {"acme.docushareflex.com"}, "state": {"s1"}}
	req, _ := http.NewRequest("GET", baseURL+"/elements/docushareflex/oauth/url?"+q.Encode(), nil)
	req.Header.Set("Authorization", "User "+sandbox.DemoUserSecret+", Organization "+sandbox.DemoOrgSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ OAuthURL string }
	_ = json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	loc, err := url.Parse(allowedRedirect(t, o.OAuthURL))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in %v", loc)
	}
	return loc.Query().Get("code")
}

func postNotification(t *testing.T, to string, body []byte, signature, webhookID string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", to, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(events.HeaderWebhookID, webhookID)
	if signature != "" {
		req.Header.Set(events.HeaderSignature, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The whole chain, each part a cewiz command as a user runs it:
// `cewiz sandbox --poll-every`, `cewiz events receive` with
// CEWIZ_SIGNATURE_KEY, `cewiz create --notify-url <the receiver>` with the
// same key: a signed notification is received and verified, and
// `events watch --json` shows its event NOTIFIED. A forged and a replayed
// notification are refused; the key is never printed.
func TestEventsChainAgainstTheSandbox(t *testing.T) {
	t.Parallel() // the built binary in a terminal or against a sandbox: it waits, not computes
	bin := cewizBin(t)
	home := t.TempDir()
	const key = "chain-signature-key-7f3a9c"
	env := cewizEnv("HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "NO_COLOR=1",
		"CEWIZ_USER_SECRET="+sandbox.DemoUserSecret, "CEWIZ_ORG_SECRET="+sandbox.DemoOrgSecret)
	keyed := append(env[:len(env):len(env)], "CEWIZ_SIGNATURE_KEY="+key)

	sb := startCewiz(t, bin, env, "sandbox", "--poll-every", "100ms")
	base := sb.await(t, regexp.MustCompile(`base URL\s+(\S+)`), false)
	rcv := startCewiz(t, bin, keyed, "events", "receive", "--addr", "127.0.0.1:0")
	hook := rcv.await(t, regexp.MustCompile(`Receiving notifications at (\S+) `), true)
	if !strings.Contains(rcv.errOut.String(), "Signatures are checked with CEWIZ_SIGNATURE_KEY") {
		t.Fatalf("receive:\n%s", rcv.all())
	}

	started := time.Now()
	create := exec.Command(bin, "create", "--base-url", base, "--api-key", sandbox.DemoAppID, "--domain", "acme",
		"--notify-url", hook, "--code", grantCode(t, base))
	create.Env = append(keyed, "CEWIZ_API_SECRET="+sandbox.DemoAppSecret)
	var cOut, cErr bytes.Buffer
	create.Stdout, create.Stderr = &cOut, &cErr
	if err := create.Run(); err != nil {
		t.Fatalf("create: %v\n%s\n%s", err, cOut.String(), cErr.String())
	}
	id := regexp.MustCompile(`Created instance (\d+)`).FindStringSubmatch(cOut.String())
	if id == nil || !strings.Contains(cErr.String(), "signature key in") {
		t.Fatalf("create:\n%s\n%s", cOut.String(), cErr.String())
	}

	// A signed notification for the new instance arrives, verified.
	line := regexp.MustCompile(`(?m)^events \w+ \d+  instance ` + id[1] + `  \S+  \(event (\d+), signature sha256 verified\)$`)
	eventID := rcv.await(t, line, false)
	t.Logf("first verified notification %v after create started", time.Since(started).Round(time.Millisecond))

	// The event log shows that event NOTIFIED: events watch finds the
	// instance's base URL in the summary create saved.
	var watched string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(watched, `"id":"`+eventID+`","eventDate"`) || !strings.Contains(watched, `"status":"NOTIFIED"`) {
		if time.Now().After(deadline) {
			t.Fatalf("events watch never showed event %s NOTIFIED:\n%s", eventID, watched)
		}
		w := exec.Command(bin, "events", "watch", "--instance", id[1], "--json")
		w.Env = env
		out, err := w.Output()
		if err != nil {
			t.Fatalf("events watch: %v\n%s", err, out)
		}
		watched = ""
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var ll events.LogLine
			if err := json.Unmarshal([]byte(l), &ll); err != nil {
				t.Fatalf("events watch --json printed a line that is not JSON: %q", l)
			}
			if ll.ID == eventID {
				watched = l
			}
		}
	}

	// A forged notification (signed with another key) is refused, 401.
	body := []byte(fmt.Sprintf(`{"message":{"eventId":99000001,"instanceId":%s,"elementKey":"docushareflex","events":[{"objectType":"events","objectId":"1","eventType":"UPDATED"}]}}`, id[1]))
	if st := postNotification(t, hook, body, events.Sign(flow.NewSecret("not-the-key"), body), "forged-1"); st != http.StatusUnauthorized {
		t.Fatalf("forged notification: %d", st)
	}
	rcv.await(t, regexp.MustCompile(`cewiz: refused a notification from \S+ \(401\)`), true)
	// A genuine one sent twice is refused the second time, 409.
	good := events.Sign(flow.NewSecret(key), body)
	if st := postNotification(t, hook, body, good, "replayed-1"); st != http.StatusOK {
		t.Fatalf("genuine notification: %d", st)
	}
	if st := postNotification(t, hook, body, good, "replayed-1"); st != http.StatusConflict {
		t.Fatalf("replayed notification: %d", st)
	}
	rcv.await(t, regexp.MustCompile(`\(409\): a notification with Elements-Webhook-Id "replayed-1" was already received`), true)
	if n := strings.Count(rcv.out.String(), "(event 99000001,"); n != 1 {
		t.Fatalf("the replayed notification printed %d times:\n%s", n, rcv.out.String())
	}

	if code := rcv.interrupt(t); code != 0 {
		t.Errorf("receive exit %d on Ctrl-C", code)
	}
	if code := sb.interrupt(t); code != 0 {
		t.Errorf("sandbox exit %d on Ctrl-C", code)
	}
	for what, text := range map[string]string{"sandbox": sb.all(), "receive": rcv.all(), "create": cOut.String() + cErr.String(), "watch": watched} {
		if strings.Contains(text, key) {
			t.Errorf("%s printed the signature key:\n%s", what, text)
		}
	}
}

// events watch --follow prints each status change as it happens, until
// Ctrl-C (exit 0).
func TestEventsWatchFollow(t *testing.T) {
	t.Parallel() // the built binary in a terminal or against a sandbox: it waits, not computes
	bin := cewizBin(t)
	home := t.TempDir()
	env := cewizEnv("HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"CEWIZ_USER_SECRET="+sandbox.DemoUserSecret, "CEWIZ_ORG_SECRET="+sandbox.DemoOrgSecret)
	sb := startCewiz(t, bin, env, "sandbox", "--poll-every", "200ms")
	base := sb.await(t, regexp.MustCompile(`base URL\s+(\S+)`), false)
	rcv := startCewiz(t, bin, env, "events", "receive", "--addr", "127.0.0.1:0", "--json")
	hook := rcv.await(t, regexp.MustCompile(`Receiving notifications at (\S+) `), true)
	create := exec.Command(bin, "create", "--base-url", base, "--api-key", sandbox.DemoAppID, "--domain", "acme",
		"--notify-url", hook, "--code", grantCode(t, base))
	create.Env = append(env, "CEWIZ_API_SECRET="+sandbox.DemoAppSecret)
	out, err := create.Output()
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	id := regexp.MustCompile(`Created instance (\d+)`).FindStringSubmatch(string(out))[1]

	w := startCewiz(t, bin, env, "events", "watch", "--instance", id, "--follow", "--every", "100ms", "--base-url", base)
	w.await(t, regexp.MustCompile(`Following: the log is read every 100ms`), true)
	// A status change line: "<date>  <id>  CONSUMED → NOTIFIED  events ..."
	w.await(t, regexp.MustCompile(`(?m)^\S+\s+\d+\s+CONSUMED → NOTIFIED\s+events (CREATED|UPDATED|DELETED) \d+$`), false)
	if code := w.interrupt(t); code != 0 {
		t.Errorf("watch --follow exit %d on Ctrl-C", code)
	}
	// The receiver got them unsigned (no key) and printed JSON lines.
	l := rcv.await(t, regexp.MustCompile(`(?m)^(\{.*"instanceId":"`+id+`".*\})$`), false)
	var rl events.ReceivedLine
	if err := json.Unmarshal([]byte(l), &rl); err != nil || rl.Signature != "none" || rl.ObjectType != "events" {
		t.Fatalf("receive --json line %q: %v", l, err)
	}
	rcv.interrupt(t)
	sb.interrupt(t)
}

func TestEventsUsageErrors(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	secrets := h.createEnv()
	cases := []struct {
		env      map[string]string
		args     []string
		inStderr string
	}{
		{nil, []string{"events"}, "cewiz events receive, or cewiz events watch"},
		{nil, []string{"events", "listen"}, `unknown events command "listen"`},
		{nil, []string{"events", "watch"}, "--instance: say which instance"},
		{nil, []string{"events", "watch", "--instance", "x"}, "--instance: the instance id must be a positive number"},
		{nil, []string{"events", "watch", "--instance", "5"}, "set CEWIZ_USER_SECRET and CEWIZ_ORG_SECRET"},
		{secrets, []string{"events", "watch", "--instance", "5", "--sandbox"}, "--sandbox: --sandbox starts an empty emulator"},
		{secrets, []string{"events", "watch", "--instance", "5", "--follow", "--every", "0s"}, "--every"},
		{nil, []string{"events", "receive", "--addr", "nope"}, "--addr:"},
		{map[string]string{"CEWIZ_SIGNATURE_KEY": "pasted with spaces"}, []string{"events", "receive"}, "CEWIZ_SIGNATURE_KEY: the notification signature key contains spaces"},
		{map[string]string{"CEWIZ_SIGNATURE_KEY": "pasted with spaces"}, []string{"export"}, "CEWIZ_SIGNATURE_KEY:"},
		{nil, []string{"sandbox", "--poll-every", "-1s"}, "--poll-every"},
		{nil, []string{"doctor", "--listen-events", "nope"}, "--listen-events:"},
		{nil, []string{"doctor", "--listen-events", "127.0.0.1:0", "--listen-wait", "0s"}, "--listen-wait:"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.env, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.inStderr) || strings.Contains(errOut, "pasted") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errOut, c.inStderr)
		}
	}
	if code, out, _ := runCLI(t, h.env(), "events", "--help"); code != exitOK || !strings.Contains(out, "cewiz events watch --instance ID") {
		t.Fatalf("events --help: %d %q", code, out)
	}
}

// events watch reads the log once: oldest first whatever the order of the
// answer, the counts, the stuck events flagged; --json one object per line.
func TestEventsWatchPrintsTheLog(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant)...)
	if code != exitOK {
		t.Fatalf("create: %d %s", code, errOut)
	}
	id := regexp.MustCompile(`Created instance (\d+)`).FindStringSubmatch(out)[1]
	n, _ := strconv.ParseInt(id, 10, 64)
	old := time.Now().Add(-3 * time.Hour)
	sb.AddEvents(n, sandbox.Event{ID: 1, Status: "NEW", EventDate: old, ObjectType: "events", ObjectID: "77", EventType: "UPDATED"})

	code, out, errOut = runSafe(t, h.createEnv(), nil, "events", "watch", "--instance", id)
	if code != exitOK {
		t.Fatalf("watch: %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "Instance "+id+" “docushareflex-acme” polls every 15 minutes") ||
		!regexp.MustCompile(`^\S+\s+1\s+NEW\s+events UPDATED 77  STUCK$`).MatchString(lines[1]) ||
		!strings.HasPrefix(lines[len(lines)-1], "6 events: 2 NEW, 1 RECEIVED, 1 DISPATCHED, 1 CONSUMED, 1 NOTIFIED. 1 STUCK: still NEW or RECEIVED after more than 30 minutes (the oldest, event 1,") {
		t.Fatalf("watch:\n%s", out)
	}
	code, out, errOut = runSafe(t, h.createEnv(), nil, "events", "watch", "--instance", id, "--json", "--base-url", sb.BaseURL())
	var first events.LogLine
	if code != exitOK || json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first) != nil || !first.Stuck || first.ID != "1" ||
		strings.Count(out, "\n") != 6 || !strings.Contains(errOut, "6 events:") {
		t.Fatalf("watch --json: %d\n%s\n%s", code, out, errOut)
	}
	// An unknown instance is a failure that says so.
	code, _, errOut = runSafe(t, h.createEnv(), nil, "events", "watch", "--instance", "999", "--base-url", sb.BaseURL())
	if code != exitFailure || !strings.Contains(errOut, "404") {
		t.Fatalf("unknown instance: %d %s", code, errOut)
	}
}
