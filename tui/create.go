package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// createStep: POST /instances with the real secrets, with a spinner. It is
// never retried automatically (a blind retry could make a duplicate).
type createStep struct{}

type createdMsg struct {
	inst *cloudelements.Instance
	err  error
}

func newCreate(*Model) *createStep { return &createStep{} }

func (s *createStep) init(m *Model) tea.Cmd {
	if m.client == nil {
		return func() tea.Msg { return createdMsg{err: errNoClient} }
	}
	ctx, c, a, sec := m.ctx, m.client, m.answers.Clone(), m.secrets
	return tea.Batch(m.spin(), func() tea.Msg {
		in, err := journey.Create(ctx, c, a, sec)
		return createdMsg{inst: in, err: err}
	})
}

func (s *createStep) update(m *Model, msg tea.Msg) tea.Cmd {
	cm, ok := msg.(createdMsg)
	if !ok {
		return nil
	}
	if cm.err != nil {
		if m.quitting {
			return nil
		}
		m.step = flow.StepError
		m.scr = newErrorScreen(m, cm.err)
		return m.scr.init(m)
	}
	// Success: the summary (with the token, 0600) and the remembered
	// answers are written now, and only now.
	path, err := journey.SaveSummary(m.cfg.ConfigDir, cm.inst, m.answers)
	m.remember()
	m.step = flow.StepResult
	m.scr = &resultStep{inst: cm.inst, summary: path, summaryErr: err}
	return m.scr.init(m)
}

func (s *createStep) view(m *Model) string {
	return m.spinView() + " Creating the instance: Cloud Elements exchanges the grant code with DocuShare Flex…"
}

func (s *createStep) help(*Model) []key.Binding { return nil }
