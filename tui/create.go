package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow/journey"
)

// createStep: POST /instances with the real secrets, with a spinner. It is
// never retried automatically (a blind retry could make a duplicate).
type createStep struct{}

func newCreate(*Model) *createStep { return &createStep{} }

func (s *createStep) init(m *Model) tea.Cmd {
	if m.client == nil {
		return func() tea.Msg { return createdMsg{err: errNoClient} }
	}
	ctx, c, a, sec := m.ctx, m.client, m.answers.Clone(), m.secrets
	if m.cfg.Notifications != nil {
		// Notifications may arrive as soon as the instance exists.
		m.cfg.Notifications.SetKey(sec.SignatureKey)
	}
	return tea.Batch(m.spin(), func() tea.Msg {
		in, err := journey.Create(ctx, c, a, sec)
		return createdMsg{inst: in, err: err}
	})
}

// update has nothing to do: the root applies createdMsg (the result or
// the error screen).
func (s *createStep) update(*Model, tea.Msg) tea.Cmd { return nil }

func (s *createStep) view(m *Model) string {
	return m.spinView() + " Creating the instance: Cloud Elements exchanges the grant code with DocuShare Flex…"
}

func (s *createStep) help(*Model) []key.Binding { return nil }
