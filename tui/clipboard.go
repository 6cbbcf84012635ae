package tui

import (
	"io"
	"os"
	"strings"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
)

// systemCopy copies s with OSC 52 on out (works over SSH and in most
// terminals; wrapped for tmux and screen) and, where one is available, the
// system clipboard too.
func systemCopy(out io.Writer, s string) error {
	seq := osc52.New(s)
	switch {
	case os.Getenv("TMUX") != "":
		seq = seq.Tmux()
	case strings.HasPrefix(os.Getenv("TERM"), "screen"):
		seq = seq.Screen()
	}
	_, err := seq.WriteTo(out)
	if !clipboard.Unsupported {
		if cerr := clipboard.WriteAll(s); cerr == nil {
			return nil
		}
	}
	return err
}
