package tui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
)

// reviewStep: the body as highlighted JSON with the secrets masked, in a
// scrollable viewport; actions: create, export to a file, show the cURL
// command, edit any step, quit. Warns when the grant code is old.
type reviewStep struct {
	vp       viewport.Model
	showCurl bool
	body     string // highlighted JSON
	curl     string
	buildErr error

	exporting        bool
	exportSecrets    bool
	confirmOverwrite bool
	path             textinput.Model
	exportErr        error
}

func newReview(m *Model) *reviewStep {
	s := &reviewStep{}
	data, err := flow.MarshalBody(flow.BuildBody(m.answers, m.secrets, flow.SecretsMasked))
	if err != nil {
		s.buildErr = err
	}
	s.body = m.st.highlightJSON(strings.TrimRight(string(data), "\n"))
	if c, err := flow.ExportCurl(m.answers, m.answers.BaseURL); err == nil {
		s.curl = c
	} else {
		s.curl = err.Error()
	}
	s.path = textinput.New()
	s.path.Prompt = "File: "
	s.path.CharLimit = 4096
	s.vp = viewport.New(m.contentWidth(), s.vpHeight(m))
	s.setContent()
	return s
}

func (s *reviewStep) vpHeight(m *Model) int {
	h := m.bodyHeight() - 4
	if h < 3 {
		h = 3
	}
	return h
}

func (s *reviewStep) setContent() {
	if s.showCurl {
		s.vp.SetContent(ansi.Wrap(s.curl, s.vp.Width, ""))
	} else {
		s.vp.SetContent(s.body)
	}
}

func (s *reviewStep) init(m *Model) tea.Cmd { return nil }

func (s *reviewStep) resize(m *Model) {
	s.vp.Width = m.contentWidth()
	s.vp.Height = s.vpHeight(m)
	s.setContent()
}

// warning is the line above the body: an old code, a missing code, or
// placeholders left.
func (s *reviewStep) warning(m *Model) string {
	if w := flow.CodeAgeWarning(m.codeAt, m.clock); w != "" && !m.answers.Code.IsZero() {
		return w
	}
	if m.nav.Rules.ExportOnly {
		return "Export-only mode: the Application Secret and the code are written as placeholders unless you export with secrets (E)."
	}
	if m.answers.Code.IsZero() {
		return "There is no grant code yet: creating starts with the authorization."
	}
	return ""
}

func (s *reviewStep) defaultPath(m *Model) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '-'
		}
		return r
	}, flow.InstanceName(m.answers))
	return filepath.Join(m.cfg.ExportDir, name+".json")
}

func (s *reviewStep) update(m *Model, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if s.exporting {
		if !ok {
			var cmd tea.Cmd
			s.path, cmd = s.path.Update(msg)
			return cmd
		}
		return s.exportKey(m, k)
	}
	if !ok {
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return cmd
	}
	keys := m.keys
	switch {
	case key.Matches(k, keys.Create) && !m.nav.Rules.ExportOnly:
		return m.apply(createRequested{})
	case key.Matches(k, keys.Export), key.Matches(k, keys.ExportSecrets):
		s.exporting = true
		s.exportSecrets = key.Matches(k, keys.ExportSecrets)
		s.exportErr = nil
		s.confirmOverwrite = false
		s.path.SetValue(s.defaultPath(m))
		s.path.CursorEnd()
		return s.path.Focus()
	case key.Matches(k, keys.Curl):
		s.showCurl = !s.showCurl
		s.setContent()
		s.vp.GotoTop()
		return nil
	case key.Matches(k, keys.Edit):
		n := int(k.Runes[0] - '1')
		if steps := flow.EditableSteps(); n >= 0 && n < len(steps) {
			return m.apply(editStep{steps[n]})
		}
		return nil
	case key.Matches(k, keys.QuitAction):
		kind := OutcomeQuit
		if m.outcome.ExportPath != "" {
			kind = OutcomeExported
		}
		return m.apply(finished{Outcome{Kind: kind, ExportPath: m.outcome.ExportPath}})
	case key.Matches(k, keys.Back):
		return m.apply(wentBack{})
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

func (s *reviewStep) exportKey(m *Model, k tea.KeyMsg) tea.Cmd {
	if s.confirmOverwrite {
		switch {
		case key.Matches(k, m.keys.Yes):
			return s.doExport(m, true)
		case key.Matches(k, m.keys.No), key.Matches(k, m.keys.Back):
			s.confirmOverwrite = false
			s.exportErr = nil
		}
		return nil
	}
	switch {
	case key.Matches(k, m.keys.SubmitText):
		return s.doExport(m, false)
	case key.Matches(k, m.keys.CancelText):
		s.exporting = false
		s.path.Blur()
		return nil
	}
	var cmd tea.Cmd
	s.path, cmd = s.path.Update(k)
	return cmd
}

func (s *reviewStep) doExport(m *Model, overwrite bool) tea.Cmd {
	p := strings.TrimSpace(s.path.Value())
	if p == "" {
		s.exportErr = errors.New("give a file name")
		return nil
	}
	mode := flow.SecretsPlaceholder
	if s.exportSecrets {
		mode = flow.SecretsIncluded
	}
	err := flow.ExportBody(p, m.answers, m.secrets, mode, overwrite)
	if errors.Is(err, flow.ErrFileExists) {
		s.confirmOverwrite = true
		s.exportErr = err
		return nil
	}
	if err != nil {
		s.exportErr = err
		return nil
	}
	s.exporting = false
	s.confirmOverwrite = false
	s.exportErr = nil
	s.path.Blur()
	return m.apply(exported{path: p, withSecrets: mode == flow.SecretsIncluded})
}

func (s *reviewStep) view(m *Model) string {
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	if s.buildErr != nil {
		b.WriteString(m.renderError(s.buildErr) + "\n")
	}
	if warn := s.warning(m); warn != "" {
		b.WriteString(st.warn.Width(w).Render("! "+warn) + "\n")
	}
	what := "POST " + m.answers.BaseURL + "/instances"
	if s.showCurl {
		what = "The same request as a cURL command (secrets from $CEWIZ_… variables)"
	}
	b.WriteString(st.dim.Render(what))
	pct := ""
	if s.vp.TotalLineCount() > s.vp.Height {
		pct = fmt.Sprintf(" %3.0f%%", s.vp.ScrollPercent()*100)
	}
	b.WriteString(st.dim.Render(pct) + "\n")
	if s.exporting {
		if s.exportSecrets {
			b.WriteString(st.warn.Render("With the real Application Secret and code: the file is written 0600.") + "\n")
		} else {
			b.WriteString(st.dim.Render("Secrets become placeholders; the file is written 0644.") + "\n")
		}
		b.WriteString(s.path.View() + "\n")
		if s.confirmOverwrite {
			b.WriteString(st.warn.Render("That file exists. Replace it? (y/n)") + "\n")
		} else if s.exportErr != nil {
			b.WriteString(m.inlineError(s.exportErr) + "\n")
		}
		return b.String()
	}
	// The viewport takes the height the lines above leave.
	s.vp.Width = w
	s.vp.Height = m.bodyHeight() - lipgloss.Height(b.String()) - 1
	if s.vp.Height < 3 {
		s.vp.Height = 3
	}
	b.WriteString(s.vp.View())
	b.WriteString("\n")
	b.WriteString(st.dim.Render(editLine()))
	return b.String()
}

// editLine numbers the steps Review can open: "Edit: 1 connect 2 app …".
func editLine() string {
	parts := []string{"Edit:"}
	for i, s := range flow.EditableSteps() {
		parts = append(parts, fmt.Sprintf("%d %s", i+1, s.Name()))
	}
	return strings.Join(parts, " ")
}

func (s *reviewStep) help(m *Model) []key.Binding {
	k := m.keys
	if s.exporting {
		if s.confirmOverwrite {
			return []key.Binding{k.Yes, k.No}
		}
		return []key.Binding{k.SubmitText, k.CancelText}
	}
	out := []key.Binding{}
	if !m.nav.Rules.ExportOnly {
		out = append(out, k.Create)
	}
	curl := k.Curl
	if s.showCurl {
		curl = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "JSON"))
	}
	return append(out, k.Export, k.ExportSecrets, curl, k.Edit, k.Scroll, k.QuitAction)
}
