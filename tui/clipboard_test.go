package tui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// Copying writes the OSC 52 sequence to the UI's output (wrapped for tmux),
// so it works over SSH without a system clipboard.
func TestSystemCopyOSC52(t *testing.T) {
	const text = "https://acme.docushareflex.com/oauth/authorize?state=S"
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text))
	for _, tc := range []struct{ tmux, prefix string }{
		{"", "\x1b]52;c;"},
		{"/tmp/tmux-0/default,1,0", "\x1bPtmux;"},
	} {
		t.Setenv("TMUX", tc.tmux)
		t.Setenv("TERM", "xterm-256color")
		var out bytes.Buffer
		_ = systemCopy(&out, text) // the system clipboard may be missing here
		got := out.String()
		if !strings.HasPrefix(got, tc.prefix) || !strings.Contains(strings.ReplaceAll(got, "\x1b\x1b", "\x1b"), want) {
			t.Fatalf("TMUX=%q: wrote %q, want %q inside", tc.tmux, got, want)
		}
	}
}
