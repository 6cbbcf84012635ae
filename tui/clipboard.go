package tui

import (
	"io"
	"strings"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
)

// systemCopy copies s with OSC 52 on out (works over SSH and in most
// terminals; wrapped for tmux and screen, as the environment getenv reads
// says) and with system, the system clipboard, when there is one (nil:
// none). Tests pass their own system, so running them never overwrites the
// clipboard of whoever runs them.
func systemCopy(out io.Writer, s string, system func(string) error, getenv func(string) string) error {
	seq := osc52.New(s)
	switch {
	case getenv("TMUX") != "":
		seq = seq.Tmux()
	case strings.HasPrefix(getenv("TERM"), "screen"):
		seq = seq.Screen()
	}
	_, err := seq.WriteTo(out)
	if system != nil {
		if cerr := system(s); cerr == nil {
			return nil
		}
	}
	return err
}

// systemClipboard is the operating system's clipboard, or nil where this
// machine has none (no xclip, xsel, wl-copy, pbcopy or clip.exe).
func systemClipboard() func(string) error {
	if clipboard.Unsupported {
		return nil
	}
	return clipboard.WriteAll
}
