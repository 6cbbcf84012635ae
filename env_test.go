package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCommandsReadOnlyTheirEnvironment: a command reads its environment
// only through the lookup main gives it, never the process's: its
// configuration directory (remembered answers, summaries), its temporary
// directory (--sandbox's), and what the diagnosis of a missing callback
// says about this machine (SSH). The process's HOME, XDG_CONFIG_HOME and
// TMPDIR point at a trap holding a summary and answers that would send a
// command to a dead address; nothing may be read from it or written to
// it. This is what lets the other tests run in parallel, each with a home
// of its own. (It sets the process's environment, so it is not parallel.)
func TestCommandsReadOnlyTheirEnvironment(t *testing.T) {
	trap := t.TempDir()
	t.Setenv("HOME", trap)
	t.Setenv("XDG_CONFIG_HOME", trap)
	t.Setenv("TMPDIR", filepath.Join(trap, "tmp"))
	t.Setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
	t.Setenv("USER", "trap")
	dead := "http://127.0.0.1:9/elements/api-v2" // nothing listens on the discard port

	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, "--code", grant)...)
	if code != exitOK {
		t.Fatalf("create: exit %d\n%s", code, errOut)
	}
	id := regexp.MustCompile(`Created instance (\d+)`).FindStringSubmatch(out)[1]
	// Saved in the given environment's config dir, and named from its home.
	summary := filepath.Join(h.configDir(), "instances", id+".json")
	if _, err := os.Stat(summary); err != nil || !strings.Contains(errOut, "in "+filepath.Join("~", "cewiz", "instances", id+".json")+" (mode 0600)") {
		t.Fatalf("the summary is not in the given environment's config dir %s (%v):\n%s", h.configDir(), err, errOut)
	}
	if _, err := os.Stat(filepath.Join(h.configDir(), "answers.json")); err != nil {
		t.Fatalf("the answers were not remembered in the given environment: %v", err)
	}

	// The trap: the same instance's summary and remembered answers, both
	// naming a dead base URL, in the process's config dir.
	for p, data := range map[string]string{
		filepath.Join(trap, "cewiz", "instances", id+".json"): `{"id": ` + id + `, "token": "trap-token", "baseUrl": "` + dead + `"}`,
		filepath.Join(trap, "cewiz", "answers.json"):          `{"version": 1, "baseUrl": "` + dead + `"}`,
		filepath.Join(trap, "tmp", "keep"):                    "",
	} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, trap)

	// events watch finds the instance's base URL in the summary of the
	// environment it was given.
	code, out, errOut = runSafe(t, h.createEnv(), nil, "events", "watch", "--instance", id)
	if code != exitOK || !strings.HasPrefix(out, "Instance "+id+" ") {
		t.Fatalf("events watch read another summary: exit %d\n%s\n%s", code, out, errOut)
	}

	// --sandbox makes its directory in the given TMPDIR.
	tmp := t.TempDir()
	code, _, errOut = runSafe(t, h.env("BROWSER", consentScript(t), "TMPDIR", tmp), nil, "create", "--sandbox", "--listen", "127.0.0.1:0", "--timeout", "20s")
	m := regexp.MustCompile(`Saved the instance's id and token in (\S+) \(mode 0600\)`).FindStringSubmatch(errOut)
	if code != exitOK || m == nil || !strings.HasPrefix(m[1], tmp+string(filepath.Separator)) {
		t.Fatalf("create --sandbox: exit %d, its summary is not under the given TMPDIR %s:\n%s", code, tmp, errOut)
	}

	// The diagnosis of a missing callback: no SSH session in the given
	// environment, whatever the process's says.
	code, _, errOut = runSafe(t, h.createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "300ms")...)
	if code != exitFailure || !strings.Contains(errOut, "Likely causes:") {
		t.Fatalf("create without a callback: exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "The browser runs on another machine") || strings.Contains(errOut, "192.0.2.2") {
		t.Fatalf("the diagnosis read the process's SSH_CONNECTION:\n%s", errOut)
	}

	// No home in the given environment: nothing is remembered or saved,
	// and the process's home is not used instead; the note says so first.
	grant = siteGrant(sb)
	code, out, errOut = runSafe(t, createEnv("TMPDIR", t.TempDir()), []string{grant}, siteArgs(sb, "--code", grant, "--name", "homeless")...)
	if code != exitOK || !strings.Contains(out, `"homeless"`) {
		t.Fatalf("create without a home: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"cewiz: the instance's summary and the answers will not be saved: neither $XDG_CONFIG_HOME nor $HOME are defined",
		"its summary could not be saved: there is no configuration directory to keep it in",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("create without a home: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if i, j := strings.Index(errOut, "will not be saved"), strings.Index(errOut, "Creating the instance"); i < 0 || j >= 0 && i > j {
		t.Errorf("the note does not come before the work:\n%s", errOut)
	}
	// events watch without a home finds no summary: --base-url is needed.
	if code, _, errOut := runSafe(t, createEnv(), nil, "events", "watch", "--instance", id, "--base-url", sb.BaseURL()); code != exitOK {
		t.Fatalf("events watch --base-url without a home: exit %d\n%s", code, errOut)
	}

	if after := snapshot(t, trap); after != before {
		t.Fatalf("a command wrote in the process's home:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// snapshot lists the files under dir with their contents.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + "\n")
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString("  " + string(data) + "\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAccessibleIsDecidedOnceWithTheStreams: ACCESSIBLE and TERM=dumb are
// read in one place, with the streams main passes to every command (the
// wizard is then accessible, as with --accessible).
func TestAccessibleIsDecidedOnceWithTheStreams(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"ACCESSIBLE": "1"}, true},
		{map[string]string{"ACCESSIBLE": "true"}, true},
		{map[string]string{"ACCESSIBLE": "0"}, false},
		{map[string]string{"ACCESSIBLE": "false"}, false},
		{map[string]string{"TERM": "dumb"}, true},
		{map[string]string{"TERM": "xterm-256color"}, false},
	} {
		if got := systemStreams(lookupIn(c.env)).Accessible; got != c.want {
			t.Errorf("%v: accessible %v, want %v", c.env, got, c.want)
		}
	}
}
