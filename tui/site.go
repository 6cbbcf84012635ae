package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
)

// siteStep: the DocuShare Flex domain (a site address is accepted and
// normalised to the bare host).
type siteStep struct {
	*formScreen // init, resize, update, view and help
	domain      string
}

func newSite(m *Model) *siteStep {
	s := &siteStep{domain: m.answers.Domain}
	form := m.newForm(m.group(
		huh.NewInput().Key("domain").Title("DocuShare Flex domain").
			Description("e.g. acme.docushareflex.com; the site's address works too.").
			Placeholder("acme.docushareflex.com").
			Value(&s.domain).Validate(m.orKeep(&s.domain, flow.ValidateDomain)),
	))
	s.formScreen = &formScreen{form: form, submit: s.submit}
	return s
}

func (s *siteStep) submit(m *Model) tea.Cmd {
	d, err := flow.NormalizeDomain(s.domain)
	if err != nil { // the validator already refused it; keep it safe
		return nil
	}
	a := m.answers // apply copies it
	a.Domain = d
	return m.apply(answered{answers: a, secrets: m.secrets})
}
