package tui

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Copying writes the OSC 52 sequence to the UI's output (wrapped for tmux,
// as the environment given says), so it works over SSH without a system
// clipboard, and hands the text to the system clipboard, here a fake: the
// test never touches the real one.
func TestSystemCopyOSC52(t *testing.T) {
	const text = "https://acme.docushareflex.com/oauth/authorize?state=S"
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text))
	for _, tc := range []struct{ tmux, prefix string }{
		{"", "\x1b]52;c;"},
		{"/tmp/tmux-0/default,1,0", "\x1bPtmux;"},
	} {
		getenv := func(k string) string { return map[string]string{"TMUX": tc.tmux, "TERM": "xterm-256color"}[k] }
		var out bytes.Buffer
		var system []string
		err := systemCopy(&out, text, func(s string) error { system = append(system, s); return nil }, getenv)
		got := out.String()
		if err != nil || !strings.HasPrefix(got, tc.prefix) || !strings.Contains(strings.ReplaceAll(got, "\x1b\x1b", "\x1b"), want) {
			t.Fatalf("TMUX=%q: wrote %q (%v), want %q inside", tc.tmux, got, err, want)
		}
		if len(system) != 1 || system[0] != text {
			t.Fatalf("TMUX=%q: the system clipboard got %q", tc.tmux, system)
		}
	}
	// No system clipboard, or a failing one: OSC 52 alone, and its result.
	for _, system := range []func(string) error{nil, func(string) error { return errors.New("no display") }} {
		var out bytes.Buffer
		if err := systemCopy(&out, text, system, func(string) string { return "" }); err != nil || !strings.Contains(out.String(), want) {
			t.Fatalf("wrote %q, %v", out.String(), err)
		}
	}
}

// clipboardProbeEnv marks the child run of TestCopyTestsLeaveTheClipboardAlone.
const clipboardProbeEnv = "CEWIZ_TUI_CLIPBOARD_PROBE"

// TestCopyTestsLeaveTheClipboardAlone runs the tests that copy (the
// address, the cURL command, the token, the paste flow's keys) again in a
// child whose PATH has an xclip that records what it is given (the
// clipboard tool the system clipboard would use here): the run must give
// it nothing. (TestSystemCopyOSC52 alone could not fail: it passes its own
// system clipboard.)
func TestCopyTestsLeaveTheClipboardAlone(t *testing.T) {
	if os.Getenv(clipboardProbeEnv) != "" {
		t.Skip("inside the probe run")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the recording xclip stands in for the Linux clipboard tool")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "clipboard")
	script := "#!/bin/sh\ncat >> '" + record + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=Copy|Curl|Token|Paste", "-test.count=1")
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "WAYLAND_DISPLAY=", clipboardProbeEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the copy test failed in the probe run: %v\n%s", err, out)
	}
	if data, err := os.ReadFile(record); err == nil {
		t.Fatalf("the copy test wrote the system clipboard: %q", data)
	}
}
