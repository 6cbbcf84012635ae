package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant, "--json")...)
	if code != exitOK {
		t.Fatalf("create: %d %s", code, errOut)
	}
	var in struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal([]byte(out), &in)
	id := strconv.FormatInt(in.ID, 10)
	h = isolate(t) // forget the remembered domain: no DNS lookups in tests

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

	code, r, errOut := doctorJSON(h.createEnv(), base...)
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
		{"bad secrets", func() {}, h.createEnv("CEWIZ_USER_SECRET", "not-the-user-secret-5120"), "secrets", "fail: Cloud Elements refused"},
		{"disabled instance", func() { sb.SetDisabled(in.ID, true) }, h.createEnv(), "instance", "fail: "},
		{"events off", func() { sb.SetDisabled(in.ID, false); sb.SetEventsEnabled(in.ID, false) }, h.createEnv(), "instance-events-enabled", "fail: Events are off"},
		{"unparsable poller configuration", func() {
			sb.SetEventsEnabled(in.ID, true)
			sb.SetConfiguration(in.ID, "event.poller.configuration", "{broken")
		}, h.createEnv(), "instance-poller", "fail: "},
		{"unknown instance", func() {}, h.createEnv(), "instance", "fail: There is no instance"},
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
	code, out, _ = runSafe(t, h.createEnv(), nil, append([]string{"doctor", "--listen", "127.0.0.1:0"}, base...)...)
	if code != exitFailure || !strings.Contains(out, "FAIL  Instance poller configuration:") || !strings.Contains(out, "passed,") {
		t.Fatalf("plain: %d\n%s", code, out)
	}

	// Usage errors.
	for _, args := range [][]string{{"doctor", "--instance", "abc"}, {"doctor", "--sandbox", "--region", "eu"}, {"doctor", "--callback-url", "ftp://x"}} {
		if code, _, errOut := runCLI(t, h.env(), args...); code != exitUsage {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

func TestDoctorSandboxAndHangs(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	code, out, errOut := runSafe(t, h.env(), nil, "doctor", "--sandbox", "--json", "--listen", "127.0.0.1:0")
	if code != exitOK || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("doctor --sandbox: %d\n%s\n%s", code, out, errOut)
	}
	if testing.Short() {
		return
	}
	sb := startSandbox(t)
	sb.InjectFault(sandbox.RouteAny, sandbox.Fault{Delay: time.Minute, Count: 100})
	start := time.Now()
	code, out, _ = runSafe(t, h.createEnv(), nil, "doctor", "--base-url", sb.BaseURL(), "--instance", "1", "--listen", "127.0.0.1:0")
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

// doctor --listen-events listens for a notification for a bounded time:
// one that arrives signed with CEWIZ_SIGNATURE_KEY passes; one signed with
// another key fails saying why; none at all fails within the wait.
func TestDoctorListenEvents(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb, err := sandbox.Start(sandbox.Options{PollEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	// The notification URL names its port before the doctor binds it.
	free := func() string { return "127.0.0.1:" + strconv.Itoa(journeytest.FreePort(t)) }
	addr := free()
	const key = "doctor-listen-key-0042"
	grant := siteGrant(sb)
	args := []string{"create", "--base-url", sb.BaseURL(), "--api-key", sandbox.DemoAppID, "--domain", "acme", "--notify-url", "http://" + addr + "/events", "--code", grant}
	code, out, errOut := runSafe(t, h.createEnv("CEWIZ_SIGNATURE_KEY", key), []string{grant, key}, args...)
	if code != exitOK {
		t.Fatalf("create: %d %s", code, errOut)
	}
	id := regexp.MustCompile(`Created instance (\d+)`).FindStringSubmatch(out)[1]
	h = isolate(t) // no DNS lookup of the remembered domain

	check := func(env map[string]string, listen, wait string) (int, string) {
		t.Helper()
		code, out, errOut := runSafe(t, env, []string{key}, "doctor", "--json", "--listen", "127.0.0.1:0", "--base-url", sb.BaseURL(),
			"--instance", id, "--listen-events", listen, "--listen-wait", wait)
		var r struct {
			Checks []struct{ ID, Status, Finding string }
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON: %s\n%s", out, errOut)
		}
		for _, c := range r.Checks {
			if c.ID == doctor.IDNotifyDelivery {
				return code, c.Status + ": " + c.Finding
			}
		}
		t.Fatalf("no %s check: %s", doctor.IDNotifyDelivery, out)
		return 0, ""
	}
	code, got := check(h.createEnv("CEWIZ_SIGNATURE_KEY", key), addr, "30s")
	if code != exitOK || !regexp.MustCompile(`^pass: A notification for instance `+id+` reached `+addr+` after \S+ \(event \d+, signature sha256 verified\)\.$`).MatchString(got) {
		t.Fatalf("signed with the key: exit %d, %s", code, got)
	}
	code, got = check(h.createEnv("CEWIZ_SIGNATURE_KEY", "another-key-9999"), addr, "2s")
	if code != exitFailure || !strings.HasPrefix(got, "fail: A notification reached "+addr+" but was refused (401)") {
		t.Fatalf("signed with another key: exit %d, %s", code, got)
	}
	quiet := free()
	start := time.Now()
	code, got = check(h.createEnv(), quiet, "300ms")
	if code != exitFailure || got != "fail: No notification reached "+quiet+" within 300ms." {
		t.Fatalf("nothing sent there: exit %d, %s", code, got)
	}
	t.Logf("the doctor with a 300ms wait took %v", time.Since(start).Round(time.Millisecond))
}
