package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
)

// resourcesStep: tick the resources to poll (the element's own list when
// online, cewiz's presets offline), or use the element's default; then,
// per ticked resource, a small form for its url, idField and date fields.
// The list is a light component of its own (not huh's MultiSelect, which
// renders every option on every frame): filtering and drawing only touch
// the visible rows, so it stays responsive with thousands of resources.
type resourcesStep struct {
	names       []string
	lower       []string
	source      map[string]flow.PollResource
	sourceLabel string
	picked      flow.PollerConfig
	filtered    []int
	cursor      int // index into filtered
	offset      int // first visible row
	filter      textinput.Model
	filtering   bool
	note        string

	detailIdx int
	detail    *resourceDetail
}

func newResources(m *Model) *resourcesStep {
	s := &resourcesStep{source: map[string]flow.PollResource{}}
	var base flow.PollerConfig
	switch {
	case len(m.pollerDefaults) > 0:
		base = m.pollerDefaults
		s.sourceLabel = "the element's default configuration"
	default:
		base = flow.PollingPresets()
		if m.nav.Rules.ExportOnly || m.client == nil {
			s.sourceLabel = "cewiz's guess for events (offline; the element's own list needs Cloud Elements)"
		} else {
			s.sourceLabel = "cewiz's guess for events (the element's default configuration could not be read)"
		}
	}
	add := func(name string) {
		if _, ok := s.source[name]; ok {
			return
		}
		s.names = append(s.names, name)
		s.lower = append(s.lower, strings.ToLower(name))
	}
	for _, r := range base {
		add(r.Name)
		s.source[r.Name] = r
	}
	for _, n := range m.resourceNames {
		add(n)
		if _, ok := s.source[n]; !ok {
			s.source[n] = flow.PollResource{Name: n}
		}
	}
	for _, r := range m.answers.Polling {
		add(r.Name)
		if _, ok := s.source[r.Name]; !ok {
			s.source[r.Name] = r
		}
	}
	s.picked = append(flow.PollerConfig(nil), m.answers.Polling...)
	s.filter = textinput.New()
	s.filter.Prompt = "/"
	s.filter.Placeholder = "filter"
	s.filter.CharLimit = 64
	s.refilter()
	return s
}

// configFor is what ticking name adds: its known configuration, else a copy
// of the events configuration with no URL: cewiz never makes a poll URL up,
// so the resource's form asks for it.
func (s *resourcesStep) configFor(name string) flow.PollResource {
	if r, ok := s.source[name]; ok && r.URL != "" {
		return r
	}
	return s.eventsCopy(name, "")
}

// eventsCopy is the events configuration (ticked, the element's, or the
// offline guess) under name, polled at url ("" until the user gives one).
func (s *resourcesStep) eventsCopy(name, url string) flow.PollResource {
	ev, ok := s.picked.Get("events")
	if !ok {
		ev, ok = s.source["events"]
	}
	if !ok || ev.URL == "" {
		ev = flow.PollingPresets()[0]
	}
	r := flow.PollerConfig{}.With(ev)[0] // a copy
	r.Name, r.URL = name, url
	return r
}

func (s *resourcesStep) refilter() {
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.filtered = s.filtered[:0]
	for i, l := range s.lower {
		if q == "" || strings.Contains(l, q) {
			s.filtered = append(s.filtered, i)
		}
	}
	if s.cursor >= len(s.filtered) {
		s.cursor = len(s.filtered) - 1
	}
	if s.cursor < 0 {
		s.cursor = 0
	}
	s.offset = 0
}

func (s *resourcesStep) current() (string, bool) {
	if s.cursor < 0 || s.cursor >= len(s.filtered) {
		return "", false
	}
	return s.names[s.filtered[s.cursor]], true
}

func (s *resourcesStep) isPicked(name string) bool {
	_, ok := s.picked.Get(name)
	return ok
}

func (s *resourcesStep) init(m *Model) tea.Cmd { return nil }

// rows is how many list rows fit.
func (s *resourcesStep) rows(m *Model) int {
	r := m.bodyHeight() - 6
	if r < 3 {
		r = 3
	}
	return r
}

func (s *resourcesStep) move(m *Model, d int) {
	s.cursor += d
	if s.cursor >= len(s.filtered) {
		s.cursor = len(s.filtered) - 1
	}
	if s.cursor < 0 {
		s.cursor = 0
	}
	rows := s.rows(m)
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
}

func (s *resourcesStep) update(m *Model, msg tea.Msg) tea.Cmd {
	if s.detail != nil {
		return s.updateDetail(m, msg)
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if s.filtering {
			var cmd tea.Cmd
			s.filter, cmd = s.filter.Update(msg)
			return cmd
		}
		return nil
	}
	keys := m.keys
	if s.filtering {
		switch {
		case key.Matches(k, keys.SubmitText):
			s.filtering = false
			s.filter.Blur()
			return nil
		case key.Matches(k, keys.ClearFilter):
			s.filtering = false
			s.filter.Blur()
			s.filter.SetValue("")
			s.refilter()
			return nil
		case key.Matches(k, keys.FilterUp):
			s.move(m, -1)
			return nil
		case key.Matches(k, keys.FilterDown):
			s.move(m, 1)
			return nil
		}
		before := s.filter.Value()
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(k)
		if s.filter.Value() != before {
			s.refilter()
		}
		return cmd
	}
	s.note = ""
	switch {
	case key.Matches(k, keys.Up):
		s.move(m, -1)
	case key.Matches(k, keys.Down):
		s.move(m, 1)
	case key.Matches(k, keys.PageUp):
		s.move(m, -s.rows(m))
	case key.Matches(k, keys.PageDown):
		s.move(m, s.rows(m))
	case key.Matches(k, keys.Top):
		s.move(m, -len(s.filtered))
	case key.Matches(k, keys.Bottom):
		s.move(m, len(s.filtered))
	case key.Matches(k, keys.Toggle):
		if n, ok := s.current(); ok {
			if s.isPicked(n) {
				s.picked = s.picked.Without(n)
			} else {
				s.picked = s.picked.With(s.configFor(n))
			}
		}
	case key.Matches(k, keys.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(k, keys.UseDefault):
		s.picked = nil
		s.note = "The element's default poller configuration will apply (nothing ticked)."
	case key.Matches(k, keys.CopyEvents):
		n, ok := s.current()
		if !ok {
			return nil
		}
		if n == "events" {
			s.note = "Move to another resource to copy the events configuration to it."
			return nil
		}
		// The resource's own URL when the element gives one; otherwise its
		// form asks for it (cewiz never makes a poll URL up).
		r := s.eventsCopy(n, s.source[n].URL)
		s.picked = s.picked.With(r)
		if r.URL == "" {
			s.note = "Copied the events configuration to " + n + "; give its URL in its form, e.g. " + flow.FolderContentsExample + "."
		} else {
			s.note = "Copied the events configuration to " + n + " (url " + r.URL + ")."
		}
	case key.Matches(k, keys.Done):
		if len(s.picked) == 0 {
			return s.answer(m, nil)
		}
		s.detailIdx = 0
		return s.openDetail(m)
	case key.Matches(k, keys.Back):
		return m.apply(wentBack{})
	}
	return nil
}

// answer gives the root the ticked resources' configuration (nil: the
// element's default).
func (s *resourcesStep) answer(m *Model, p flow.PollerConfig) tea.Cmd {
	a := m.answers.Clone()
	a.Polling = p
	return m.apply(answered{answers: a, secrets: m.secrets})
}

func (s *resourcesStep) openDetail(m *Model) tea.Cmd {
	s.detail = newResourceDetail(m, s.picked[s.detailIdx], s.detailIdx, len(s.picked))
	m.sizeForm(s.detail.form, 0)
	return s.detail.form.Init()
}

func (s *resourcesStep) updateDetail(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, m.keys.Back) {
		s.detail = nil // back to the list; the ticks are kept
		return nil
	}
	fm, cmd := s.detail.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		s.detail.form = f
	}
	if s.detail.form.State != huh.StateCompleted {
		return cmd
	}
	s.picked[s.detailIdx] = s.detail.result()
	s.detailIdx++
	if s.detailIdx < len(s.picked) {
		return tea.Batch(cmd, s.openDetail(m))
	}
	s.detail = nil
	return tea.Batch(cmd, s.answer(m, append(flow.PollerConfig(nil), s.picked...)))
}

func (s *resourcesStep) resize(m *Model) {
	if s.detail != nil {
		m.sizeForm(s.detail.form, 0)
	}
	s.move(m, 0)
}

func (s *resourcesStep) view(m *Model) string {
	if s.detail != nil {
		return s.detail.form.View()
	}
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	b.WriteString(st.dim.Width(w).Render("From " + s.sourceLabel + "."))
	b.WriteString("\n")
	def := "( )"
	if len(s.picked) == 0 {
		def = st.checked.Render("(•)")
	}
	fmt.Fprintf(&b, "%s Use the element's default poller configuration %s\n", def, st.dim.Render("[d]"))
	if s.filtering || s.filter.Value() != "" {
		b.WriteString(s.filter.View())
		fmt.Fprintf(&b, "  %s\n", st.dim.Render(fmt.Sprintf("%d of %d", len(s.filtered), len(s.names))))
	} else {
		fmt.Fprintf(&b, "%s\n", st.dim.Render(fmt.Sprintf("%d resources, %d ticked", len(s.names), len(s.picked))))
	}
	rows := s.rows(m)
	end := s.offset + rows
	if end > len(s.filtered) {
		end = len(s.filtered)
	}
	if len(s.filtered) == 0 {
		b.WriteString(st.dim.Render("  no resource matches the filter") + "\n")
	}
	for i := s.offset; i < end; i++ {
		name := s.names[s.filtered[i]]
		cur := "  "
		if i == s.cursor {
			cur = st.cursor.Render("› ")
		}
		box := st.unchecked.Render("[ ]")
		detail := ""
		if r, ok := s.picked.Get(name); ok {
			box = st.checked.Render("[x]")
			detail = r.URL
		} else if r := s.source[name]; r.URL != "" {
			detail = r.URL
		}
		line := name
		if detail != "" {
			room := w - 8 - len(name)
			if room > 8 {
				if len(detail) > room {
					detail = detail[:room-1] + "…"
				}
				line += "  " + st.dim.Render(detail)
			}
		}
		if i == s.cursor {
			line = st.selected.Render(name) + strings.TrimPrefix(line, name)
		}
		b.WriteString(cur + box + " " + line + "\n")
	}
	if s.note != "" {
		b.WriteString(st.hint.Width(w).Render(s.note))
	}
	return b.String()
}

func (s *resourcesStep) help(m *Model) []key.Binding {
	k := m.keys
	if s.detail != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list"))}
	}
	if s.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), k.ClearFilter}
	}
	return []key.Binding{k.Toggle, k.Filter, k.CopyEvents, k.UseDefault, k.Done, k.Back}
}

// customFormat is the format select's "other pattern" choice.
const customFormat = "custom"

// resourceDetail is the small form for one ticked resource.
type resourceDetail struct {
	form                        *huh.Form
	r                           flow.PollResource
	url, idField                string
	updField, updFmt, updCustom string
	crField, crFmt, crCustom    string
}

func formatOptions() []huh.Option[string] {
	opts := make([]huh.Option[string], 0, len(flow.CommonDateFormats)+1)
	for _, f := range flow.CommonDateFormats {
		opts = append(opts, huh.NewOption(f, f))
	}
	return append(opts, huh.NewOption("custom pattern (type it below)", customFormat))
}

func pickFormat(f string) (sel, custom string) {
	if f == "" {
		return flow.CommonDateFormats[0], ""
	}
	for _, c := range flow.CommonDateFormats {
		if c == f {
			return f, ""
		}
	}
	return customFormat, f
}

func newResourceDetail(m *Model, r flow.PollResource, i, n int) *resourceDetail {
	d := &resourceDetail{r: r, url: r.URL, idField: r.IDField}
	dc := flow.DatesConfiguration{}
	if r.DatesConfiguration != nil {
		dc = *r.DatesConfiguration
	}
	d.updField, d.crField = dc.UpdatedDateField, dc.CreatedDateField
	d.updFmt, d.updCustom = pickFormat(dc.UpdatedDateFormat)
	d.crFmt, d.crCustom = pickFormat(dc.CreatedDateFormat)
	title := fmt.Sprintf("%s (%d of %d)", r.Name, i+1, n)
	customCheck := func(sel *string) func(string) error {
		return func(v string) error {
			if *sel != customFormat {
				return nil
			}
			return flow.ValidateDateFormat(strings.TrimSpace(v))
		}
	}
	d.form = m.newForm(
		huh.NewGroup(
			huh.NewInput().Title("URL of "+r.Name).Description("Hub path polled, optionally with a where clause and ${gmtDate:…}.").
				Value(&d.url).Validate(m.orKeep(&d.url, flow.ValidateResourceURL)),
			huh.NewInput().Title("idField of "+r.Name).Description("The record's unique id (dot paths allowed).").
				Value(&d.idField).Validate(m.orKeep(&d.idField, flow.ValidateFieldPath)),
		).Title(title+": what to poll"),
		huh.NewGroup(
			huh.NewInput().Title("Updated date field of "+r.Name).Value(&d.updField).Validate(m.orKeep(&d.updField, flow.ValidateFieldPath)),
			huh.NewSelect[string]().Title("Updated date format").Options(formatOptions()...).Value(&d.updFmt).Height(6),
			huh.NewInput().Title("Custom updated format (only for custom)").Value(&d.updCustom).Validate(m.orKeep(&d.updCustom, customCheck(&d.updFmt))),
		).Title(title+": updated date"),
		huh.NewGroup(
			huh.NewInput().Title("Created date field of "+r.Name).Value(&d.crField).Validate(m.orKeep(&d.crField, flow.ValidateFieldPath)),
			huh.NewSelect[string]().Title("Created date format").Options(formatOptions()...).Value(&d.crFmt).Height(6),
			huh.NewInput().Title("Custom created format (only for custom)").Value(&d.crCustom).Validate(m.orKeep(&d.crCustom, customCheck(&d.crFmt))),
		).Title(title+": created date"),
	)
	return d
}

func (d *resourceDetail) result() flow.PollResource {
	r := d.r
	r.URL = strings.TrimSpace(d.url)
	r.IDField = strings.TrimSpace(d.idField)
	dc := flow.DatesConfiguration{}
	if r.DatesConfiguration != nil {
		dc = *r.DatesConfiguration
	}
	dc.UpdatedDateField = strings.TrimSpace(d.updField)
	dc.CreatedDateField = strings.TrimSpace(d.crField)
	dc.UpdatedDateFormat = d.updFmt
	if d.updFmt == customFormat {
		dc.UpdatedDateFormat = strings.TrimSpace(d.updCustom)
	}
	dc.CreatedDateFormat = d.crFmt
	if d.crFmt == customFormat {
		dc.CreatedDateFormat = strings.TrimSpace(d.crCustom)
	}
	r.DatesConfiguration = &dc
	return r
}
