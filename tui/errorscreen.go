package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

var errNoClient = errors.New("not connected to Cloud Elements (export-only mode): export the body instead")

// errorScreen: why the create failed (status, message, providerMessage,
// requestId, the next step) and the ways on: authorize again and retry
// (every other answer kept), retry as is, edit a step, run the doctor (when
// main provides it), quit.
type errorScreen struct {
	err error
}

func newErrorScreen(_ *Model, err error) *errorScreen { return &errorScreen{err: err} }

func (s *errorScreen) init(*Model) tea.Cmd { return nil }

func (s *errorScreen) kind() journey.Kind { return journey.Classify(s.err) }

// canRetry: trying the same body again makes sense (not with a spent or
// refused code, and never when the first create may have happened).
func (s *errorScreen) canRetry() bool {
	switch s.kind() {
	case journey.KindCodeRejected, journey.KindOutcomeUnknown, journey.KindInvalid, journey.KindCanceled:
		return false
	}
	return s.err != errNoClient
}

func (s *errorScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	keys := m.keys
	switch {
	case key.Matches(k, keys.AuthAgain) && !m.nav.Rules.ExportOnly && s.kind() != journey.KindOutcomeUnknown:
		return m.apply(authorizeAgain{})
	case key.Matches(k, keys.Retry) && s.canRetry():
		return m.apply(showStep{flow.StepCreate})
	case key.Matches(k, keys.EditStep):
		return m.apply(showStep{flow.StepReview})
	case key.Matches(k, keys.Doctor) && m.cfg.Doctor != nil:
		// The box stays above the checklist, and the doctor is told the
		// failure it was called for.
		return m.apply(finished{Outcome{Kind: OutcomeDoctor, Err: s.err}})
	case key.Matches(k, keys.QuitAction):
		// Quitting does not make the failure go away: exit 1, box kept.
		return m.apply(finished{Outcome{Kind: OutcomeNotCreated, Err: s.err}})
	}
	return nil
}

func (s *errorScreen) view(m *Model) string {
	var b strings.Builder
	b.WriteString(m.renderError(s.err))
	b.WriteString("\n")
	if s.kind() == journey.KindCodeRejected {
		b.WriteString(m.st.hint.Width(m.contentWidth()).Render("Press a to authorize again: cewiz opens the browser, then creates the instance with every other answer kept.") + "\n")
	}
	return b.String()
}

func (s *errorScreen) help(m *Model) []key.Binding {
	k := m.keys
	var out []key.Binding
	if !m.nav.Rules.ExportOnly && s.kind() != journey.KindOutcomeUnknown {
		out = append(out, key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "authorize again & retry")))
	}
	if s.canRetry() {
		out = append(out, key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")))
	}
	out = append(out, k.EditStep)
	if m.cfg.Doctor != nil {
		out = append(out, k.Doctor)
	}
	return append(out, k.QuitAction)
}
