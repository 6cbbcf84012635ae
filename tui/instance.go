package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
)

// instanceStep: the instance's name (suggested from the domain) and tags.
// A name the user did not edit is not kept as an answer: the suggestion
// follows the site (change the site on Review and the name follows) until
// the user types a name of their own.
type instanceStep struct {
	*formScreen // init, resize, update, view and help
	name        string
	tags        string
}

func newInstance(m *Model) *instanceStep {
	s := &instanceStep{name: m.answers.Name, tags: strings.Join(m.answers.Tags, ", ")}
	if s.name == "" {
		s.name = flow.SuggestName(m.answers)
	}
	form := m.newForm(m.group(
		huh.NewInput().Key("name").Title("Instance name").
			Description("How the instance appears in Cloud Elements.").
			Value(&s.name).Validate(m.orKeep(&s.name, flow.ValidateName)),
		huh.NewInput().Key("tags").Title("Tags (optional)").
			Description("Separated by commas.").
			Value(&s.tags).Validate(m.orKeep(&s.tags, flow.ValidateTags)),
	))
	s.formScreen = &formScreen{form: form, submit: s.submit}
	return s
}

func (s *instanceStep) submit(m *Model) tea.Cmd {
	tags, err := flow.ParseTags(s.tags)
	if err != nil {
		return nil
	}
	a := m.answers // apply copies it
	a.Name = strings.TrimSpace(s.name)
	if a.Name == flow.SuggestName(a) {
		a.Name = "" // the suggestion: it follows the site
	}
	a.Tags = tags
	return m.apply(answered{answers: a, secrets: m.secrets})
}
