package tui

import (
	"bytes"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// keyRecorder is a program that records the messages Bubble Tea's input
// reader makes of its input, until ctrl+d.
type keyRecorder struct{ msgs []tea.Msg }

func (r *keyRecorder) Init() tea.Cmd { return nil }
func (r *keyRecorder) View() string  { return "" }
func (r *keyRecorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyCtrlD {
		return r, tea.Quit
	}
	if _, ok := msg.(tea.WindowSizeMsg); !ok {
		r.msgs = append(r.msgs, msg)
	}
	return r, nil
}

// inputMsgs is what a real Bubble Tea program reads from in.
func inputMsgs(t *testing.T, in string) []tea.Msg {
	t.Helper()
	r := &keyRecorder{}
	p := tea.NewProgram(r, tea.WithInput(strings.NewReader(in+"\x04")), tea.WithOutput(&bytes.Buffer{}), tea.WithoutSignalHandler())
	if _, err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return r.msgs
}

// TestLateBackgroundAnswer: when the terminal answers the background query
// after termbg stopped waiting, the answer arrives as input; it must not be
// typed into the focused field, and what the user types next must be.
func TestLateBackgroundAnswer(t *testing.T) {
	for _, answer := range []string{
		"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[24;1R", // ST, a cursor report Bubble Tea does not know
		"\x1b]11;rgb:ffff/ffff/ffff\a\x1b[1;2R",      // BEL, a cursor report that reads as f15
	} {
		h := newHarness(t)
		h.enter() // from the region to the User secret field
		h.clearInput()
		h.m.late.armed = true
		for _, msg := range inputMsgs(t, answer) {
			h.send(msg)
		}
		h.typeText("acme")
		if got := h.m.scr.(*connectStep).user; got != "acme" {
			t.Errorf("after %q, the field holds %q, want what was typed after it", answer, got)
		}
		if h.m.late.armed {
			t.Errorf("still armed after the whole answer went by")
		}
	}
}

// TestLateAnswerOnlyWhenArmed: without a late query nothing is dropped, and
// an alt+] that does not start an answer lets the next keys through.
func TestLateAnswerOnlyWhenArmed(t *testing.T) {
	var l lateAnswer
	for _, msg := range inputMsgs(t, "\x1b]11;rgb:0000/0000/0000\x1b\\") {
		if k, ok := msg.(tea.KeyMsg); ok && l.swallow(k) {
			t.Errorf("unarmed, it swallowed %v", k)
		}
	}
	l = lateAnswer{armed: true}
	msgs := inputMsgs(t, "\x1b]hello")
	var kept []string
	for _, msg := range msgs {
		if k, ok := msg.(tea.KeyMsg); ok && !l.swallow(k) {
			kept = append(kept, k.String())
		}
	}
	if strings.Join(kept, " ") != "hello" {
		t.Errorf("kept %q, want the keys after alt+]", kept)
	}
}
