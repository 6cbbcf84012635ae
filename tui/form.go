package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// formScreen is a step that is one huh form, built from the answers each
// time the step is entered (huh#319: a finished form stays finished), run
// by the root (an embedded form never quits the program), and read back
// when huh marks it completed.
type formScreen struct {
	form *huh.Form
	// top renders above the form (an error from the last try, a note).
	top func(m *Model) string
	// submit reads the fields into the answers and moves on.
	submit func(m *Model) tea.Cmd
	// reserved lines above the form.
	reserved int
	// startGroup opens the form at this group (0: the first), e.g. the
	// secrets after a 401.
	startGroup int
	done       bool
}

func (f *formScreen) init(m *Model) tea.Cmd {
	f.resize(m)
	cmds := []tea.Cmd{f.form.Init()}
	for i := 0; i < f.startGroup; i++ {
		if msg := f.form.NextGroup()(); msg != nil {
			_, cmd := f.form.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return tea.Sequence(cmds...)
}

// resize fits the form under whatever is shown above it.
func (f *formScreen) resize(m *Model) {
	_, r := m.fitTop(f.topText(m))
	m.sizeForm(f.form, f.reserved+r)
}

func (f *formScreen) topText(m *Model) string {
	if f.top == nil {
		return ""
	}
	return f.top(m)
}

// minFormRows is the least room a form keeps under a note: in a short
// terminal the note gives way (cut, with a marker), never the focused field.
const minFormRows = 6

// fitTop is top (a note or an error above a form) with the blank line that
// follows it, cut to leave the form minFormRows, and the lines it takes.
func (m *Model) fitTop(top string) (string, int) {
	if top == "" {
		return "", 0
	}
	top = m.wrapBody(top)
	n := lipgloss.Height(top) + 1
	room := m.bodyHeight() - minFormRows
	if n <= room {
		return top + "\n\n", n
	}
	if room < 2 {
		return "", 0
	}
	lines := strings.Split(top, "\n")[:room-1]
	if len(lines) == 1 {
		first := strings.TrimRight(ansi.Strip(lines[0]), " ")
		lines[0] = m.st.dim.Render(ansi.Truncate(first, m.contentWidth()-2, "") + " …")
	} else {
		lines[len(lines)-1] = m.st.dim.Render("⋯ (more: make the window taller)")
	}
	return strings.Join(lines, "\n") + "\n\n", room
}

func (f *formScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, m.keys.Back) {
		// Going back never depends on the current field being valid
		// (huh#540): the answers already hold the last submitted values.
		return m.apply(wentBack{})
	}
	fm, cmd := f.form.Update(msg)
	if ff, ok := fm.(*huh.Form); ok {
		f.form = ff
	}
	if f.form.State == huh.StateCompleted && !f.done {
		f.done = true
		return tea.Batch(cmd, f.submit(m))
	}
	return cmd
}

func (f *formScreen) view(m *Model) string {
	top, _ := m.fitTop(f.topText(m))
	return top + f.form.View()
}

func (f *formScreen) help(m *Model) []key.Binding {
	if m.step == 0 && !m.nav.Editing() {
		return nil
	}
	return []key.Binding{m.keys.Back}
}

func (f *formScreen) typing(*Model) bool { return formTyping(f.form) }

func (f *formScreen) activeForm() *huh.Form {
	if f.done {
		return nil
	}
	return f.form
}
