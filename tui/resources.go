package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// resourcesStep: tick the resources to poll (the element's own default
// poller configuration when online; offline only events, marked as a
// guess), or use the element's default; copy the events configuration to
// another resource by giving its name and URL (cewiz never makes a poll URL
// up); then, per ticked resource, a small form for its url, idField and
// date fields. The list is a light component of its own (not huh's
// MultiSelect, which renders every option on every frame): filtering and
// drawing only touch the visible rows, so it stays responsive with
// thousands of resources.
type resourcesStep struct {
	names       []string
	lower       []string
	source      map[string]flow.PollResource
	sourceLabel string
	sourceWarn  bool            // the label says the element's default could not be read
	picked      *flow.PollerSet // the ticked resources, in the order ticked
	filtered    []int
	cursor      int // index into filtered
	offset      int // first visible row
	filter      textinput.Model
	filtering   bool
	note        string

	// adding is the "copy the events configuration to a resource" form
	// (its name and URL), nil when closed.
	adding          *huh.Form
	addName, addURL string
	detailIdx       int
	detail          *resourceDetail
}

func newResources(m *Model) *resourcesStep {
	s := &resourcesStep{source: map[string]flow.PollResource{}}
	var base flow.PollerConfig
	switch {
	case len(m.pollerDefaults) > 0:
		base = m.pollerDefaults
		s.sourceLabel = "From the element's default poller configuration."
	default:
		base = flow.PollingPresets()
		switch {
		case m.nav.Rules.ExportOnly || m.client == nil:
			s.sourceLabel = "Offline: only events is offered, and as a guess (its URL, id and date fields are not published): check it against the element's default."
		case m.pollerDefaultsErr == cloudelements.ErrNoPollerDefaults:
			s.sourceWarn = true
			s.sourceLabel = "The element defines no default poller configuration. Offered instead: cewiz's guess for events (check its URL, id and date fields)."
		default:
			s.sourceWarn = true
			why := "no reason was given"
			if m.pollerDefaultsErr != nil {
				why = m.pollerDefaultsErr.Error()
			}
			s.sourceLabel = "The element's default poller configuration could not be read (" + why + "). Offered instead: cewiz's guess for events (check its URL, id and date fields)."
		}
	}
	for _, r := range base {
		s.add(r.Name)
		s.source[r.Name] = r
	}
	for _, n := range m.resourceNames {
		s.add(n)
		if _, ok := s.source[n]; !ok {
			s.source[n] = flow.PollResource{Name: n}
		}
	}
	ticked := m.answers.Polling
	if m.resourceTicks != nil {
		// The ticks left when the user went back (not yet answered).
		ticked = *m.resourceTicks
	}
	s.picked = flow.NewPollerSet(ticked)
	for _, r := range ticked {
		s.add(r.Name)
		if _, ok := s.source[r.Name]; !ok {
			s.source[r.Name] = r
		}
	}
	s.filter = textinput.New()
	s.filter.Prompt = "/"
	s.filter.Placeholder = "filter"
	s.filter.CharLimit = 64
	s.refilter()
	return s
}

// add lists name once: a name is listed once it has a source (so add
// comes before the name's source is set).
func (s *resourcesStep) add(name string) {
	if _, ok := s.source[name]; ok {
		return
	}
	s.names = append(s.names, name)
	s.lower = append(s.lower, strings.ToLower(name))
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

// pickedCount is how many resources are ticked.
func (s *resourcesStep) pickedCount() int { return s.picked.Len() }

func (s *resourcesStep) isPicked(name string) bool { return s.picked.Has(name) }

func (s *resourcesStep) init(m *Model) tea.Cmd { return nil }

// rows is how many list rows fit under the lines above the list (the
// source, the default choice, the count) and the note: the cursor's row is
// always on screen, however small the terminal.
func (s *resourcesStep) rows(m *Model) int {
	return s.rowsUnder(m, s.preamble(m), s.noteView(m))
}

// rowsUnder is rows with the preamble and the note already rendered (the
// frame being drawn has them).
func (s *resourcesStep) rowsUnder(m *Model, preamble, note string) int {
	r := m.bodyHeight() - lipgloss.Height(preamble) - lipgloss.Height(note)
	if s.note == "" {
		r++ // noteView is "" (one empty line by lipgloss.Height)
	}
	if r < 1 {
		r = 1
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
	if s.adding != nil {
		return s.updateAdding(m, msg)
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
			s.clearFilter()
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
				s.picked.Remove(n)
			} else {
				s.picked.Put(s.configFor(n))
			}
		}
	case key.Matches(k, keys.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(k, keys.UseDefault):
		s.picked.Clear()
		s.note = "The element's default poller configuration will apply (nothing ticked)."
	case key.Matches(k, keys.CopyEvents):
		return s.openAdding(m)
	case key.Matches(k, keys.Done):
		if s.picked.Len() == 0 {
			return s.answer(m, nil)
		}
		s.detailIdx = 0
		return s.openDetail(m)
	case key.Matches(k, keys.ClearFilter) && s.filter.Value() != "":
		// Esc clears an applied filter before it goes back (the bubbles
		// list's convention).
		s.clearFilter()
	case key.Matches(k, keys.Back):
		ticks := s.picked.Config()
		return m.apply(wentBack{resourceTicks: &ticks})
	}
	return nil
}

func (s *resourcesStep) clearFilter() {
	s.filtering = false
	s.filter.Blur()
	s.filter.SetValue("")
	s.refilter()
}

// openAdding opens the "copy the events configuration to a resource" form:
// the resource's name and URL, both from the user (for a listed resource,
// the element's URL is proposed).
func (s *resourcesStep) openAdding(m *Model) tea.Cmd {
	s.addName, s.addURL = "", ""
	if n, ok := s.current(); ok && n != "events" {
		s.addName, s.addURL = n, s.source[n].URL
		if r, ok := s.picked.Get(n); ok && r.URL != "" {
			s.addURL = r.URL
		}
	}
	s.adding = m.newForm(m.group(
		huh.NewInput().Key("name").Title("Resource name").
			Description("A resource of the list, or one that is not in it, e.g. folders.").
			Value(&s.addName).Validate(func(v string) error {
			if strings.TrimSpace(v) == "events" {
				return fmt.Errorf("events is the resource copied from; give another name")
			}
			return flow.ValidateResourceName(strings.TrimSpace(v))
		}),
		huh.NewInput().Key("url").Title("Its URL (hub path)").
			Description("Where Cloud Elements polls it; a DocuShare Flex folder is listed at "+flow.FolderContentsExample+" (a folder path of your site).").
			Value(&s.addURL).Validate(func(v string) error { return flow.ValidateResourceURL(strings.TrimSpace(v)) }),
	).Title("Copy the events configuration (idField, dates) to a resource"))
	m.sizeForm(s.adding, 0)
	return s.adding.Init()
}

func (s *resourcesStep) updateAdding(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, m.keys.Back) {
		s.adding = nil // back to the list, nothing copied
		return nil
	}
	fm, cmd := s.adding.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		s.adding = f
	}
	if s.adding.State != huh.StateCompleted {
		return cmd
	}
	s.adding = nil
	name, url := strings.TrimSpace(s.addName), strings.TrimSpace(s.addURL)
	s.picked.Put(s.eventsCopy(name, url))
	if _, ok := s.source[name]; !ok {
		s.add(name)
		s.source[name] = flow.PollResource{Name: name, URL: url}
	}
	s.refilter()
	for i, idx := range s.filtered {
		if s.names[idx] == name {
			s.cursor = i
		}
	}
	s.move(m, 0)
	s.note = "Copied the events configuration to " + name + ", polled at " + url + "."
	return cmd
}

// answer gives the root the ticked resources' configuration (nil: the
// element's default).
func (s *resourcesStep) answer(m *Model, p flow.PollerConfig) tea.Cmd {
	a := m.answers // apply copies it
	a.Polling = p
	return m.apply(answered{answers: a, secrets: m.secrets})
}

func (s *resourcesStep) openDetail(m *Model) tea.Cmd {
	s.detail = newResourceDetail(m, s.picked.At(s.detailIdx), s.detailIdx, s.picked.Len())
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
	s.picked.Put(s.detail.result())
	s.detailIdx++
	if s.detailIdx < s.picked.Len() {
		return tea.Batch(cmd, s.openDetail(m))
	}
	s.detail = nil
	return tea.Batch(cmd, s.answer(m, s.picked.Config()))
}

func (s *resourcesStep) resize(m *Model) {
	if s.detail != nil {
		m.sizeForm(s.detail.form, 0)
	}
	if s.adding != nil {
		m.sizeForm(s.adding, 0)
	}
	s.move(m, 0)
}

// preamble is what stands above the list: where the resources come from,
// the "element's default" choice, the count (or the filter).
func (s *resourcesStep) preamble(m *Model) string {
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	label := st.dim
	if s.sourceWarn {
		label = st.warn
	}
	b.WriteString(label.Width(w).Render(s.sourceLabel))
	b.WriteString("\n")
	def := "( )"
	if s.picked.Len() == 0 {
		def = st.checked.Render("(•)")
	}
	// Wrapped here, so that the rows below are counted on what is drawn.
	b.WriteString(lipgloss.NewStyle().Width(w).Render(def + " Use the element's default poller configuration " + st.dim.Render("[d]")))
	b.WriteString("\n")
	if s.filtering || s.filter.Value() != "" {
		b.WriteString(s.filter.View())
		fmt.Fprintf(&b, "  %s", st.dim.Render(fmt.Sprintf("%d of %d", len(s.filtered), len(s.names))))
	} else {
		b.WriteString(st.dim.Render(fmt.Sprintf("%d resources, %d ticked", len(s.names), s.picked.Len())))
	}
	return b.String()
}

func (s *resourcesStep) noteView(m *Model) string {
	if s.note == "" {
		return ""
	}
	return m.st.hint.Width(m.contentWidth()).Render(s.note)
}

func (s *resourcesStep) view(m *Model) string {
	if s.detail != nil {
		return s.detail.form.View()
	}
	if s.adding != nil {
		return s.adding.View()
	}
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	preamble, note := s.preamble(m), s.noteView(m)
	b.WriteString(preamble)
	b.WriteString("\n")
	rows := s.rowsUnder(m, preamble, note)
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
		r, picked := s.picked.Get(name)
		if picked {
			box = st.checked.Render("[x]")
		} else {
			r = s.source[name]
		}
		detail := r.URL
		if r.Guess {
			detail = strings.TrimSpace(detail + " (a guess: check it)")
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
	b.WriteString(note)
	return b.String()
}

func (s *resourcesStep) help(m *Model) []key.Binding {
	k := m.keys
	if s.detail != nil || s.adding != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list"))}
	}
	if s.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), k.ClearFilter}
	}
	back := k.Back
	if s.filter.Value() != "" {
		back = k.ClearFilter
	}
	return []key.Binding{k.Toggle, k.Done, k.Filter, k.CopyEvents, k.UseDefault, back}
}

func (s *resourcesStep) fullHelp(m *Model) []key.Binding {
	k := m.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Back}
}

func (s *resourcesStep) typing(*Model) bool {
	switch {
	case s.detail != nil:
		return formTyping(s.detail.form)
	case s.adding != nil:
		return formTyping(s.adding)
	}
	return s.filtering
}

func (s *resourcesStep) activeForm() *huh.Form {
	switch {
	case s.detail != nil:
		return s.detail.form
	case s.adding != nil:
		return s.adding
	}
	return nil
}

// customFormat is the format select's "other pattern" choice, otherField
// the date field select's "other field" (neither is a valid value, so
// neither can be a real one).
const (
	customFormat = "\x00custom"
	otherField   = "\x00other"
)

// resourceDetail is the small form for one ticked resource.
type resourceDetail struct {
	form                                 *huh.Form
	r                                    flow.PollResource
	url, idField                         string
	updSel, updOther, updFmt, updCustom  string
	crSel, crOther, crFmt, crCustom      string
	updFieldOptions, createdFieldOptions []huh.Option[string]
}

func formatOptions() []huh.Option[string] {
	opts := make([]huh.Option[string], 0, len(flow.CommonDateFormats)+1)
	for _, f := range flow.CommonDateFormats {
		opts = append(opts, huh.NewOption(f, f))
	}
	return append(opts, huh.NewOption("another pattern… (typed next)", customFormat))
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

// dateFieldOptions are the candidate date fields to choose from (the
// element's default's first, then the common documents-hub ones, each
// marked as a guess), the current value when it is none of them, and
// "another field…".
func dateFieldOptions(cands []flow.DateFieldCandidate, current string) ([]huh.Option[string], string) {
	var opts []huh.Option[string]
	known := false
	for _, c := range cands {
		if c.Field == current {
			known = true
		}
	}
	if current != "" && !known {
		opts = append(opts, huh.NewOption(current+"  (as configured)", current))
	}
	for _, c := range cands {
		label := c.Field + "  (the element's default: " + strings.TrimSuffix(strings.TrimPrefix(c.Source, "the element's default ("), ")") + ")"
		if !c.FromElement {
			label = c.Field + "  (a guess: used by " + c.Source + ")"
		}
		opts = append(opts, huh.NewOption(label, c.Field))
	}
	opts = append(opts, huh.NewOption("another field… (typed next)", otherField))
	sel := current
	if sel == "" {
		sel = opts[0].Value
	}
	return opts, sel
}

func newResourceDetail(m *Model, r flow.PollResource, i, n int) *resourceDetail {
	d := &resourceDetail{r: r, url: r.URL, idField: r.IDField}
	dc := flow.DatesConfiguration{}
	if r.DatesConfiguration != nil {
		dc = *r.DatesConfiguration
	}
	cands := flow.DateFieldCandidates(m.pollerDefaults) // the element's own, when online
	d.updFieldOptions, d.updSel = dateFieldOptions(cands, dc.UpdatedDateField)
	d.createdFieldOptions, d.crSel = dateFieldOptions(cands, dc.CreatedDateField)
	d.updFmt, d.updCustom = pickFormat(dc.UpdatedDateFormat)
	d.crFmt, d.crCustom = pickFormat(dc.CreatedDateFormat)
	title := fmt.Sprintf("%s (%d of %d)", r.Name, i+1, n)
	when := func(sel *string, want string) func() bool { return func() bool { return *sel != want } }
	onlyFor := func(sel *string, want string, check func(string) error) func(string) error {
		return func(v string) error {
			if *sel != want {
				return nil
			}
			return check(strings.TrimSpace(v))
		}
	}
	urlNote := "Hub path polled, optionally with a where clause and ${gmtDate:…}."
	if r.Guess {
		urlNote = "A guess (DocuShare Flex does not publish it): check it against the element's default."
	}
	// The "other" inputs sit in groups of their own, shown only when
	// "another…" is chosen: a field that does not apply never takes focus.
	d.form = m.newForm(
		m.group(
			huh.NewInput().Title("URL of "+r.Name).Description(urlNote).
				Value(&d.url).Validate(m.orKeep(&d.url, flow.ValidateResourceURL)),
			huh.NewInput().Title("idField of "+r.Name).Description("The record's unique id (dot paths allowed).").
				Value(&d.idField).Validate(m.orKeep(&d.idField, flow.ValidateFieldPath)),
		).Title(title+": what to poll"),
		m.group(
			themed(m, huh.NewSelect[string]()).Title("Updated date field of "+r.Name).Options(d.updFieldOptions...).Value(&d.updSel),
			themed(m, huh.NewSelect[string]()).Title("Updated date format").Options(formatOptions()...).Value(&d.updFmt).Height(6),
		).Title(title+": updated date"),
		m.group(
			huh.NewInput().Title("Updated date field (another)").Value(&d.updOther).Validate(m.orKeep(&d.updOther, onlyFor(&d.updSel, otherField, flow.ValidateFieldPath))),
		).WithHideFunc(when(&d.updSel, otherField)),
		m.group(
			huh.NewInput().Title("Updated date format (another pattern)").Value(&d.updCustom).Validate(m.orKeep(&d.updCustom, onlyFor(&d.updFmt, customFormat, flow.ValidateDateFormat))),
		).WithHideFunc(when(&d.updFmt, customFormat)),
		m.group(
			themed(m, huh.NewSelect[string]()).Title("Created date field of "+r.Name).Options(d.createdFieldOptions...).Value(&d.crSel),
			themed(m, huh.NewSelect[string]()).Title("Created date format").Options(formatOptions()...).Value(&d.crFmt).Height(6),
		).Title(title+": created date"),
		m.group(
			huh.NewInput().Title("Created date field (another)").Value(&d.crOther).Validate(m.orKeep(&d.crOther, onlyFor(&d.crSel, otherField, flow.ValidateFieldPath))),
		).WithHideFunc(when(&d.crSel, otherField)),
		m.group(
			huh.NewInput().Title("Created date format (another pattern)").Value(&d.crCustom).Validate(m.orKeep(&d.crCustom, onlyFor(&d.crFmt, customFormat, flow.ValidateDateFormat))),
		).WithHideFunc(when(&d.crFmt, customFormat)),
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
	pick := func(sel, other, marker string) string {
		if sel == marker {
			return strings.TrimSpace(other)
		}
		return sel
	}
	dc.UpdatedDateField = pick(d.updSel, d.updOther, otherField)
	dc.CreatedDateField = pick(d.crSel, d.crOther, otherField)
	dc.UpdatedDateFormat = pick(d.updFmt, d.updCustom, customFormat)
	dc.CreatedDateFormat = pick(d.crFmt, d.crCustom, customFormat)
	r.DatesConfiguration = &dc
	return r
}
