package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// reviewStep: the body as highlighted JSON with the secrets masked, in a
// scrollable viewport; actions: create, export to a file (without or, after
// a confirmation naming them, with the secrets), show the cURL command (copy
// or save it whole: its long lines are wrapped on screen), edit any step,
// quit. Warns when the grant code is old. Before creating, it looks for
// instances of the same name (Cloud Elements accepts duplicates) and asks.
type reviewStep struct {
	vp       viewport.Model
	showCurl bool
	body     string // highlighted JSON
	curl     string
	buildErr error

	exporting        bool
	export           exportKind
	confirmSecrets   bool // the path is given: "write the secrets?" asked
	confirmOverwrite bool
	path             textinput.Model
	exportErr        error

	// The same-name check before creating.
	checkingName bool
	sameName     []cloudelements.Instance
	sameNameErr  error
	asking       bool // the same-name question is shown
}

// What "export" writes.
type exportKind int

const (
	exportBody        exportKind = iota // the body, secrets as placeholders
	exportBodySecrets                   // the body with the real secrets
	exportCurl                          // the cURL command (secrets as variables)
)

// sameNameTimeout bounds the lookup before creating.
const sameNameTimeout = 30 * time.Second

// sameNameMsg is the lookup's answer.
type sameNameMsg struct {
	found []cloudelements.Instance
	err   error
}

func newReview(m *Model) *reviewStep {
	s := &reviewStep{}
	data, err := flow.MarshalBody(flow.BuildBody(m.answers, m.secrets, flow.SecretsMasked))
	if err != nil {
		s.buildErr = err
	}
	s.body = m.st.highlightJSON(strings.TrimRight(string(data), "\n"))
	s.path = textinput.New()
	s.path.Prompt = "File: "
	s.path.CharLimit = 4096
	s.vp = viewport.New(m.contentWidth(), s.vpHeight(m))
	s.setContent(m)
	return s
}

// curlCommand is the cURL command that creates the instance, or why there
// is none.
func curlCommand(m *Model) string {
	c, err := flow.ExportCurl(m.answers, m.answers.BaseURL)
	if err != nil {
		return err.Error()
	}
	return c
}

func (s *reviewStep) vpHeight(m *Model) int {
	h := m.bodyHeight() - 4
	if h < 3 {
		h = 3
	}
	return h
}

func (s *reviewStep) setContent(m *Model) {
	text := s.body
	if s.showCurl {
		text = s.curl
	}
	s.vp.SetContent(wrapMarked(text, s.vp.Width, m.st.dim.Render("↳ ")))
}

// wrapMarked wraps the lines wider than width, and starts each continuation
// with mark, so a long JSON value or shell line is never cut silently and
// a continuation is never mistaken for a line of its own.
func wrapMarked(text string, width int, mark string) string {
	mw := lipgloss.Width(mark)
	if width <= mw+8 {
		return text
	}
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		parts := strings.Split(ansi.Wrap(l, width-mw, " ,/&?="), "\n")
		out = append(out, parts[0])
		for _, p := range parts[1:] {
			out = append(out, mark+p)
		}
	}
	return strings.Join(out, "\n")
}

func (s *reviewStep) init(m *Model) tea.Cmd { return nil }

func (s *reviewStep) resize(m *Model) {
	s.vp.Width = m.contentWidth()
	s.vp.Height = s.vpHeight(m)
	s.setContent(m)
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

func (s *reviewStep) defaultPath(m *Model, ext string) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '-'
		}
		return r
	}, flow.InstanceName(m.answers))
	return filepath.Join(m.cfg.ExportDir, name+ext)
}

func (s *reviewStep) update(m *Model, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(sameNameMsg); ok {
		if !s.checkingName {
			return nil
		}
		s.checkingName = false
		s.sameName, s.sameNameErr = msg.found, msg.err
		if msg.err == nil && len(msg.found) == 0 {
			return m.apply(createRequested{})
		}
		s.asking = true
		return nil
	}
	if msg, ok := msg.(copiedMsg); ok {
		if msg.err != nil {
			return m.apply(notice("Could not copy: save the command to a file instead (s)."))
		}
		return m.apply(notice("Copied the whole cURL command (OSC 52 / clipboard)."))
	}
	k, ok := msg.(tea.KeyMsg)
	if s.exporting {
		if !ok {
			var cmd tea.Cmd
			s.path, cmd = s.path.Update(msg)
			return cmd
		}
		return s.exportKey(m, k)
	}
	if s.checkingName {
		return nil
	}
	if s.asking {
		if ok {
			return s.askKey(m, k)
		}
		return nil
	}
	if !ok {
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return cmd
	}
	keys := m.keys
	switch {
	case key.Matches(k, keys.Create) && !m.nav.Rules.ExportOnly:
		return s.create(m)
	case key.Matches(k, keys.Export):
		return s.startExport(m, exportBody)
	case key.Matches(k, keys.ExportSecrets):
		return s.startExport(m, exportBodySecrets)
	case key.Matches(k, keys.Curl):
		if s.curl == "" {
			// Built when first asked for: entering Review builds one body,
			// not two.
			s.curl = curlCommand(m)
		}
		s.showCurl = !s.showCurl
		s.setContent(m)
		s.vp.GotoTop()
		return nil
	case s.showCurl && key.Matches(k, keys.CopyCurl):
		return m.copyText(s.curl)
	case s.showCurl && key.Matches(k, keys.SaveCurl):
		return s.startExport(m, exportCurl)
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

// create looks for instances of the same name first (names are not unique
// in Cloud Elements, so a second one would be created without a word).
func (s *reviewStep) create(m *Model) tea.Cmd {
	if m.client == nil {
		return m.apply(createRequested{})
	}
	s.checkingName, s.sameName, s.sameNameErr = true, nil, nil
	ctx, c, name := m.ctx, m.client, flow.InstanceName(m.answers)
	return tea.Batch(m.spin(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, sameNameTimeout)
		defer cancel()
		found, err := journey.SameName(ctx, c, name)
		return sameNameMsg{found: found, err: err}
	})
}

func (s *reviewStep) askKey(m *Model, k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.CreateAnother):
		s.asking = false
		return m.apply(createRequested{})
	case key.Matches(k, m.keys.Rename) && s.sameNameErr == nil:
		s.asking = false
		return m.apply(editStep{flow.StepInstance})
	case key.Matches(k, m.keys.Back):
		s.asking = false
	}
	return nil
}

func (s *reviewStep) startExport(m *Model, kind exportKind) tea.Cmd {
	s.exporting, s.export = true, kind
	s.exportErr, s.confirmOverwrite, s.confirmSecrets = nil, false, false
	ext := ".json"
	if kind == exportCurl {
		ext = ".curl.sh"
	}
	s.path.SetValue(s.defaultPath(m, ext))
	s.path.CursorEnd()
	return s.path.Focus()
}

// secretsWritten names the secrets an export with secrets writes ("": there
// are none yet, the file gets placeholders).
func secretsWritten(m *Model) []string {
	var out []string
	if !m.secrets.APISecret.IsZero() {
		out = append(out, "the Application Secret (oauth.api.secret)")
	}
	if !m.answers.Code.IsZero() {
		out = append(out, "the grant code (providerData.code)")
	}
	return out
}

func (s *reviewStep) exportKey(m *Model, k tea.KeyMsg) tea.Cmd {
	if s.confirmOverwrite || s.confirmSecrets {
		switch {
		case key.Matches(k, m.keys.Yes):
			if s.confirmSecrets {
				s.confirmSecrets = false
				return s.doExport(m, false)
			}
			return s.doExport(m, true)
		case key.Matches(k, m.keys.No), key.Matches(k, m.keys.Back):
			s.confirmOverwrite, s.confirmSecrets = false, false
			s.exportErr = nil
			return s.path.Focus()
		}
		return nil
	}
	switch {
	case key.Matches(k, m.keys.SubmitText):
		if strings.TrimSpace(s.path.Value()) == "" {
			s.exportErr = errors.New("give a file name")
			return nil
		}
		if s.export == exportBodySecrets && len(secretsWritten(m)) > 0 {
			s.confirmSecrets = true // name what will be written, then ask
			s.path.Blur()
			return nil
		}
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
	p, err := flow.ExportPath(s.path.Value(), m.cfg.getenv) // ~ expanded, absolute
	if err != nil {
		s.exportErr = err
		return nil
	}
	switch s.export {
	case exportCurl:
		err = flow.WriteFileAtomic(p, []byte(s.curl), flow.WriteOptions{Overwrite: overwrite})
	case exportBodySecrets:
		err = flow.ExportBody(p, m.answers, m.secrets, flow.SecretsIncluded, overwrite)
	default:
		err = flow.ExportBody(p, m.answers, m.secrets, flow.SecretsPlaceholder, overwrite)
	}
	if errors.Is(err, flow.ErrFileExists) {
		s.confirmOverwrite = true
		s.exportErr = err
		s.path.Blur()
		return nil
	}
	if err != nil {
		s.exportErr = err
		return s.path.Focus()
	}
	s.exporting = false
	s.confirmOverwrite = false
	s.exportErr = nil
	s.path.Blur()
	if s.export == exportCurl {
		return m.apply(notice(fmt.Sprintf("✓ Saved the cURL command to %s (0644, no secrets: it reads them from the $CEWIZ_… variables).", p)))
	}
	return m.apply(exported{path: p, withSecrets: s.export == exportBodySecrets})
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
		what = "The same request as a cURL command (secrets from $CE_… variables)"
	}
	b.WriteString(st.dim.Render(what))
	pct := ""
	if s.vp.TotalLineCount() > s.vp.Height {
		pct = fmt.Sprintf(" %3.0f%%", s.vp.ScrollPercent()*100)
	}
	b.WriteString(st.dim.Render(pct) + "\n")
	if s.exporting {
		return b.String() + s.exportView(m)
	}
	if s.checkingName || s.asking {
		return b.String() + s.sameNameView(m)
	}
	// The viewport takes the height the lines above and below leave.
	below := st.dim.Render(editLine())
	if s.showCurl {
		below = st.dim.Width(w).Render("Lines marked ↳ continue the line above: copy (c) or save (s) the command rather than copying it from the screen.")
	}
	s.vp.Width = w
	s.vp.Height = m.bodyHeight() - lipgloss.Height(b.String()) - lipgloss.Height(below) + 1
	if s.vp.Height < 3 {
		s.vp.Height = 3
	}
	b.WriteString(s.vp.View())
	b.WriteString("\n")
	b.WriteString(below)
	return b.String()
}

func (s *reviewStep) exportView(m *Model) string {
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	switch s.export {
	case exportBodySecrets:
		if len(secretsWritten(m)) == 0 {
			b.WriteString(st.dim.Width(w).Render("There is no secret to write yet: the Application Secret and the code become placeholders.") + "\n")
		} else {
			b.WriteString(st.warn.Width(w).Render("With the secrets in clear text: the file is written 0600.") + "\n")
		}
	case exportCurl:
		b.WriteString(st.dim.Render("The cURL command; it reads the secrets from $CEWIZ_… variables (0644).") + "\n")
	default:
		b.WriteString(st.dim.Render("Secrets become placeholders; the file is written 0644.") + "\n")
	}
	b.WriteString(s.path.View() + "\n")
	switch {
	case s.confirmSecrets:
		p := strings.TrimSpace(s.path.Value())
		b.WriteString("\n" + st.warn.Width(w).Render("Write these secrets in clear text to "+p+" (mode 0600)?") + "\n")
		for _, x := range secretsWritten(m) {
			b.WriteString("  • " + x + "\n")
		}
		b.WriteString(st.dim.Width(w).Render("Anyone who can read the file can use them (the code until it expires).") + "\n\n")
		b.WriteString("  y) Yes, write the secrets\n  n) No, back to the file name (e exports without them)\n")
	case s.confirmOverwrite:
		b.WriteString(st.warn.Render("That file exists. Replace it? (y/n)") + "\n")
	case s.exportErr != nil:
		b.WriteString(m.inlineError(s.exportErr) + "\n")
	}
	return b.String()
}

func (s *reviewStep) sameNameView(m *Model) string {
	st := m.st
	w := m.contentWidth()
	name := flow.InstanceName(m.answers)
	if s.checkingName {
		return m.spinView() + " Looking for instances named " + st.code.Render(name) + " …"
	}
	var b strings.Builder
	if s.sameNameErr != nil {
		b.WriteString(st.warn.Width(w).Render("! Could not check whether an instance named "+fmt.Sprintf("%q", name)+" already exists: "+errorSentence(s.sameNameErr)) + "\n\n")
		b.WriteString("  c) Create it anyway\n  esc) Not now\n")
		return b.String()
	}
	b.WriteString(st.warn.Width(w).Render("! "+journey.SameNameWarning(name, s.sameName)) + "\n\n")
	b.WriteString("  c) Create another instance named " + name + "\n  r) Rename it (the Instance step)\n  esc) Not now\n")
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
	notNow := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "not now"))
	switch {
	case s.exporting && (s.confirmOverwrite || s.confirmSecrets):
		return []key.Binding{k.Yes, k.No}
	case s.exporting:
		return []key.Binding{k.SubmitText, k.CancelText}
	case s.checkingName:
		return nil
	case s.asking && s.sameNameErr != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "create anyway")), notNow}
	case s.asking:
		return []key.Binding{k.CreateAnother, k.Rename, notNow}
	}
	out := []key.Binding{}
	if !m.nav.Rules.ExportOnly {
		out = append(out, k.Create)
	}
	if s.showCurl {
		json := key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "JSON"))
		return append(out, k.CopyCurl, k.SaveCurl, json, k.Export, k.ExportSecrets, k.Edit, k.QuitAction)
	}
	return append(out, k.Export, k.ExportSecrets, k.Curl, k.Edit, k.Scroll, k.QuitAction)
}

func (s *reviewStep) fullHelp(m *Model) []key.Binding {
	return []key.Binding{m.keys.Scroll, m.keys.Back}
}

// typing: the file name field takes every printable key.
func (s *reviewStep) typing(*Model) bool {
	return s.exporting && !s.confirmOverwrite && !s.confirmSecrets
}
