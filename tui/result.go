package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// resultStep: the created instance: id, name, token (masked; reveal and
// copy), events, and where the summary was saved (0600).
type resultStep struct {
	inst       *cloudelements.Instance
	summary    string
	summaryErr error
	reveal     bool
}

func newResult(*Model) *resultStep { return &resultStep{inst: &cloudelements.Instance{}} }

func (s *resultStep) init(*Model) tea.Cmd { return nil }

func (s *resultStep) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case copiedMsg:
		if msg.err != nil {
			return m.apply(notice("Could not copy the token: reveal it (r) and select it instead."))
		}
		return m.apply(notice("Copied the token (OSC 52 / clipboard)."))
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Reveal):
			s.reveal = !s.reveal
		case key.Matches(msg, m.keys.CopyToken):
			return m.copyText(s.inst.Token.Reveal())
		case key.Matches(msg, m.keys.Finish):
			return m.apply(finished{Outcome{Kind: OutcomeCreated, Instance: s.inst, SummaryPath: s.summary}})
		}
	}
	return nil
}

func (s *resultStep) view(m *Model) string {
	st := m.st
	in := s.inst
	var b strings.Builder
	row := func(label, v string) {
		fmt.Fprintf(&b, "%s %s\n", st.label.Render(fmt.Sprintf("%-15s", label)), v)
	}
	b.WriteString(st.ok.Render("✓ The instance was created.") + "\n\n")
	row("id", st.code.Render(fmt.Sprint(in.ID)))
	row("name", in.Name)
	tok := flow.Mask
	if s.reveal {
		tok = in.Token.Reveal()
	}
	row("token", st.code.Render(tok)+st.dim.Render("  (r reveal, c copy)"))
	ev := "off"
	if in.EventsEnabled {
		ev = "on"
	}
	row("events", ev+st.dim.Render(fmt.Sprintf(" (polling every %d min)", m.answers.RefreshInterval)))
	if in.Element.Key != "" {
		row("element", in.Element.Key)
	}
	if in.Recovered {
		b.WriteString(st.warn.Render("! The answer was lost on the way; the instance was found afterwards by its name.") + "\n")
	}
	b.WriteString("\n")
	switch {
	case s.summaryErr != nil:
		b.WriteString(m.inlineError(fmt.Errorf("the summary could not be saved: %w", s.summaryErr)) + "\n")
	case s.summary != "":
		b.WriteString("Summary (id, token) saved to " + st.url.Render(journey.ShortPath(s.summary)) + st.dim.Render(" (mode 0600)") + "\n")
	}
	b.WriteString(st.dim.Render("Keep the id and the token: every later call on the instance needs them."))
	return b.String()
}

func (s *resultStep) help(m *Model) []key.Binding {
	return []key.Binding{m.keys.Reveal, m.keys.CopyToken, m.keys.Finish}
}
