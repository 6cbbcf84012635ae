package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// lateAnswer drops the terminal's answer to the background-colour query
// when it arrives after termbg stopped waiting for it (a terminal over a
// slow link): the answer then reaches Bubble Tea as input, which reads
// "ESC ] 11;rgb:0000/0000/0000 ESC \" as the keys alt+], "11;rgb:…" and
// alt+\ (or ctrl+g for a BEL), and the cursor-position report sent after
// it as an F key. Typed into the focused field it would corrupt an answer.
// It is armed only when the query went unanswered, and disarms itself once
// the answer has gone by.
type lateAnswer struct {
	armed bool
	seen  int // 1: alt+] seen; 2: "11;…" seen; 3: the terminator seen
}

// swallow reports whether k is part of the late answer (and must not
// reach the screens).
func (l *lateAnswer) swallow(k tea.KeyMsg) bool {
	if !l.armed {
		return false
	}
	runes := string(k.Runes)
	switch {
	case l.seen == 0 && k.Type == tea.KeyRunes && k.Alt && runes == "]":
		l.seen = 1
		return true
	case l.seen == 1 && k.Type == tea.KeyRunes && !k.Alt && strings.HasPrefix(runes, "11;"):
		l.seen = 2
		return true
	case l.seen == 2 && k.Type == tea.KeyRunes && !k.Alt && strings.Trim(runes, "0123456789abcdefABCDEF/:") == "":
		return true // the rest of the colour, read in a second chunk
	case l.seen == 2 && (k.Type == tea.KeyCtrlG || k.Type == tea.KeyRunes && k.Alt && runes == `\`):
		l.seen = 3
		return true
	case l.seen == 3 && k.Type <= tea.KeyF1 && k.Type >= tea.KeyF20: // (the key types count down)
		// The cursor-position report "ESC [ 1 ; n R" reads as an F key
		// (other rows are an unknown sequence no screen handles).
		l.armed = false
		return true
	}
	if l.seen > 0 {
		// Something else came in between: it was not the answer (alt+]
		// alone means nothing in the wizard); stop looking.
		l.armed = false
	}
	return false
}
