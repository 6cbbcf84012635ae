package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

// Default screen size until the terminal says otherwise.
const (
	defaultWidth  = 80
	defaultHeight = 24
	// maxWidth caps the content width on wide terminals.
	maxWidth = 100
	// MinWidth and MinHeight are the smallest terminal the wizard lays
	// itself out in; below it, it says so and how to fix it. At or above
	// it the focused row, the status line and the keys stay visible.
	MinWidth  = 40
	MinHeight = 12
	// compactBelow: in a terminal shorter than this, the header is one
	// line (the step's explanation is left out) so the step keeps its room.
	compactBelow = 20
)

// screen is one step's state and rendering. The root model owns the
// answers and the rest of the wizard's state: a screen reads them through
// m and tells the root what changed with a message (messages.go).
type screen interface {
	// init runs when the step is entered.
	init(m *Model) tea.Cmd
	// update handles a message the root did not consume.
	update(m *Model, msg tea.Msg) tea.Cmd
	// view renders the step's body (the root adds the header and footer).
	view(m *Model) string
	// help lists the step's keys for the footer (the root adds the focused
	// form field's keys, "? all keys" and ctrl+c).
	help(m *Model) []key.Binding
}

// Optional parts of a screen.
type (
	// typer reports whether a text field has focus: then every printable
	// key is text, and no letter (nor ?) is a shortcut.
	typer interface{ typing(m *Model) bool }
	// formHolder is a screen showing a huh form now: the form's keys join
	// the footer (huh's own help line is off, so there is one help line).
	formHolder interface{ activeForm() *huh.Form }
	// statusLiner is a screen with a status line that must stay visible
	// whatever the height (the wait and its time left): the root draws it
	// under the body, which gives way first.
	statusLiner interface{ status(m *Model) string }
	// fullHelper lists keys for "?" that the footer leaves out (alternate
	// keys, scrolling).
	fullHelper interface{ fullHelp(m *Model) []key.Binding }
)

// Model is the root Bubble Tea model: a state machine over flow's steps.
type Model struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	st     *styles
	keys   keyMap
	clock  flow.Clock

	width, height int

	nav     flow.Navigator // where next, what must be redone
	step    flow.Step
	scr     screen
	answers flow.Answers
	secrets flow.Secrets

	client         Client
	pollerDefaults flow.PollerConfig // the element's own, when online
	// pollerDefaultsErr is why the element's default could not be read or
	// parsed (online): the Resources step says so, never silently.
	pollerDefaultsErr error
	resourceNames     []string // offered on the Resources step (nil: defaults/presets)
	// resourceTicks are the Resources step's ticks when the user went back
	// without answering it: shown again on return (nil: none kept).
	resourceTicks *flow.PollerConfig
	codeAt        time.Time // when the code was caught

	auth    *journey.Authorization // the authorization in progress, if any
	authGen int
	closing []*journey.Authorization // let go, closing in a Cmd (shutdown waits)

	spinner spinner.Model
	// noTicks: tests and accessible mode drive the model without timers.
	noTicks bool
	// accessible: line-by-line mode.
	accessible bool

	// late drops a late answer to the background-colour query (Run arms it).
	late lateAnswer

	outcome  Outcome
	canceled bool
	quitting bool
	flash    string // a one-shot notice under the header
	showKeys bool   // "?": the list of every key replaces the step's body
	// creating receives the create's outcome while POST /instances is in
	// flight (nil otherwise): a cancel meanwhile waits for it (Run).
	creating chan createdMsg
	// lastFrame is what stays on the screen once the wizard has ended: the
	// line naming a created instance, or the box of the error it ended on.
	lastFrame string
	// chrome is the height of the header and footer (and the blank lines
	// around the body) while View draws a frame (0 otherwise): a step's
	// view asks bodyHeight for it, and they are drawn once per frame.
	chrome int
}

// New builds the root model (Run uses it; tests drive it directly). r is the
// renderer the styles are made with (nil: the lipgloss default).
func New(ctx context.Context, cfg Config, r *lipgloss.Renderer) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	cctx, cancel := context.WithCancel(ctx)
	m := &Model{
		cfg:    cfg,
		ctx:    cctx,
		cancel: cancel,
		st:     newStyles(r),
		keys:   newKeyMap(),
		clock:  cfg.clock(),
		width:  defaultWidth,
		height: defaultHeight,
	}
	m.answers = cfg.Answers.Clone()
	if m.answers.ElementKey == "" {
		m.answers = flow.NewAnswers()
	}
	if !cfg.NoRemember {
		m.answers = flow.Memory{Dir: cfg.ConfigDir}.Prefill(m.answers)
	}
	m.secrets = cfg.Secrets
	// The wizard signs notifications unless the user says otherwise on the
	// Events step (where the key is made).
	m.answers.SignNotifications = true
	m.spinner = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(m.st.spinner))
	m.step = flow.StepConnect
	m.scr = newScreen(m, flow.StepConnect)
	return m
}

// Init starts the first step.
func (m *Model) Init() tea.Cmd {
	return m.scr.init(m)
}

// Step is the current step (tests).
func (m *Model) Step() flow.Step { return m.step }

// Outcome is how the wizard ended (after tea.Quit).
func (m *Model) Outcome() Outcome { return m.outcome }

// Canceled reports whether the user pressed Ctrl-C.
func (m *Model) Canceled() bool { return m.canceled }

// Update is the state machine: Ctrl-C and the window size are handled here
// for every step; everything else goes to the current step.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.late.swallow(msg) {
			return m, nil
		}
		if key.Matches(msg, m.keys.Quit) {
			return m, m.cancelAll()
		}
		if m.tooSmall() {
			return m, nil // nothing a person cannot see happens
		}
		if m.showKeys {
			if key.Matches(msg, m.keys.HelpOpen) {
				m.showKeys = false
			}
			return m, nil
		}
		if key.Matches(msg, m.keys.Help) && !m.typing() && !m.accessible {
			m.showKeys = true
			return m, nil
		}
		m.flash = ""
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.accessible {
			m.width = 80
		}
		if fs, ok := m.scr.(interface{ resize(m *Model) }); ok {
			fs.resize(m)
		}
		return m, nil
	case authBegunMsg:
		// An authorization that finished starting after the user left the
		// step (esc while starting): free its port at once.
		if s, ok := m.scr.(*authorizeStep); !ok || s.gen != msg.gen || m.quitting {
			return m, m.closeLater(msg.auth)
		}
		// The root holds the authorization in progress: it closes it when
		// the step is left and on Ctrl-C.
		m.auth = msg.auth
	case change:
		return m, m.apply(msg)
	case spinner.TickMsg:
		if m.noTicks {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	if m.quitting {
		return m, nil
	}
	return m, m.scr.update(m, msg)
}

// lineByLine is accessible mode: no timers (the driver delivers what it
// waits for), no spinner glyph, and an 80-column layout for plain text.
func (m *Model) lineByLine() {
	m.noTicks, m.accessible, m.width = true, true, 80
}

// takeFlash returns the one-shot notice and clears it (accessible mode
// prints it once, under the step's title).
func (m *Model) takeFlash() string {
	f := m.flash
	m.flash = ""
	return f
}

// cancelAll is Ctrl-C: close the listener, cancel every request, write
// nothing, quit. After a create, nothing is left to cancel: Ctrl-C on the
// result closes it like enter (the instance exists; exit 0). On the error
// screen the box stays on the screen.
func (m *Model) cancelAll() tea.Cmd {
	if r, ok := m.scr.(*resultStep); ok && !m.quitting {
		return m.quit(r.outcome())
	}
	if e, ok := m.scr.(*errorScreen); ok {
		m.lastFrame = m.renderError(e.err)
	}
	m.canceled = true
	m.quitting = true
	return m.stop()
}

// stop cancels in-flight work and returns the Cmd that closes the listener
// and quits. Run's shutdown waits for the listener to be closed.
func (m *Model) stop() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	return tea.Batch(m.closeAuth(), tea.Quit)
}

// shutdown closes the listener (and waits until every authorization that
// was let go is closed: its port is free when Run returns) and cancels
// in-flight work. Idempotent. It blocks for up to a second after a browser
// callback: Run calls it after the program, never Update.
func (m *Model) shutdown() {
	if m.cancel != nil {
		m.cancel()
	}
	if m.auth != nil {
		m.closing = append(m.closing, m.auth)
		m.auth = nil
	}
	m.authGen++
	for _, a := range m.closing {
		_ = a.Close()
	}
	m.closing = nil
}

// closeAuth lets go of the authorization in progress and returns the Cmd
// that closes it. Closing waits for the browser to fetch /done (up to a
// second after a callback), which Update must never do.
func (m *Model) closeAuth() tea.Cmd {
	a := m.auth
	m.auth = nil
	m.authGen++
	return m.closeLater(a)
}

// closeLater closes a in a Cmd; shutdown closes it too (waiting for this
// Close if it is still running) in case the program ends first.
func (m *Model) closeLater(a *journey.Authorization) tea.Cmd {
	if a == nil {
		return nil
	}
	m.closing = append(m.closing, a)
	return func() tea.Msg {
		_ = a.Close()
		return nil
	}
}

// quit ends the wizard with an outcome.
func (m *Model) quit(o Outcome) tea.Cmd {
	o.Answers = m.answers.Clone()
	if o.Kind == OutcomeDoctor {
		o.Secrets = m.secrets
	}
	m.outcome = o
	m.lastFrame = m.endLine(o)
	m.quitting = true
	return m.stop()
}

// endLine is what stays on the screen after the wizard ends with o: the
// created instance and where its summary is, or the box of the create's
// error (quit or doctor from the error screen).
func (m *Model) endLine(o Outcome) string {
	switch o.Kind {
	case OutcomeCreated:
		in := o.Instance
		line := m.st.ok.Render("✓") + fmt.Sprintf(" Created instance %d %q", in.ID, in.Name)
		switch {
		case o.SummaryPath != "":
			line += "; its id and token are saved in " + journey.ShortPath(o.SummaryPath, m.cfg.home()) + " (mode 0600)."
		case o.SummaryErr != nil:
			line += fmt.Sprintf("; its summary could not be saved (%v): note the id.", o.SummaryErr)
		default:
			line += "."
		}
		// Wrapped at spaces only, to the terminal's width (Bubble Tea cuts
		// what is wider): the path stays whole for a copy.
		return wrapAtSpaces(m.st.value.Render(line), max(m.width-1, 20))
	case OutcomeNotCreated, OutcomeDoctor:
		if o.Err != nil {
			return m.renderError(o.Err)
		}
	}
	return ""
}

// goTo enters step s with a fresh screen built from the answers.
func (m *Model) goTo(s flow.Step) tea.Cmd {
	var closing tea.Cmd
	if s != flow.StepAuthorize && m.step == flow.StepAuthorize {
		// Leaving Authorize: no listener stays open.
		closing = m.closeAuth()
	}
	m.step = s // the new screen sizes itself under this step's header
	return tea.Batch(closing, m.show(s, newScreen(m, s)))
}

// show enters step s with the screen scr.
func (m *Model) show(s flow.Step, scr screen) tea.Cmd {
	m.showKeys = false
	m.step = s
	m.scr = scr
	return m.scr.init(m)
}

func newScreen(m *Model, s flow.Step) screen {
	switch s {
	case flow.StepConnect:
		return newConnect(m)
	case flow.StepApp:
		return newApp(m)
	case flow.StepSite:
		return newSite(m)
	case flow.StepAuthorize:
		return newAuthorize(m)
	case flow.StepEvents:
		return newEvents(m)
	case flow.StepResources:
		return newResources(m)
	case flow.StepInstance:
		return newInstance(m)
	case flow.StepReview:
		return newReview(m)
	case flow.StepCreate:
		return newCreate(m)
	case flow.StepResult:
		return newResult(m)
	case flow.StepError:
		return newErrorScreen(m, nil)
	}
	panic(fmt.Sprintf("tui: no screen for %v", s))
}

// contentWidth is the width the steps render in.
func (m *Model) contentWidth() int {
	w := m.width
	if w > maxWidth {
		w = maxWidth
	}
	if w < 40 {
		w = 40
	}
	return w - 2
}

// bodyHeight is the height left for a step's body under the header and
// above the footer and the status line (a blank line after the header and
// one before the footer).
func (m *Model) bodyHeight() int {
	chrome := m.chrome
	if chrome == 0 {
		chrome = lipgloss.Height(m.header()) + lipgloss.Height(m.footer()) + 2
	}
	h := m.height - chrome
	if sl, ok := m.scr.(statusLiner); ok {
		if st := sl.status(m); st != "" {
			h -= lipgloss.Height(m.wrapBody(st))
		}
	}
	if h < 3 {
		h = 3
	}
	return h
}

// compact: a short terminal gets a one-line header.
func (m *Model) compact() bool { return m.height < compactBelow }

// tooSmall: below the stated minimum size only a message is drawn.
func (m *Model) tooSmall() bool {
	return !m.accessible && (m.width < MinWidth || m.height < MinHeight)
}

// header is the progress line, the step's title and its explanation (in a
// short terminal: progress and title on one line).
func (m *Model) header() string {
	w := m.contentWidth()
	var b strings.Builder
	i, n := m.nav.Rules.Progress(m.step)
	prog := fmt.Sprintf("Step %d of %d", i, n)
	if m.step > flow.StepReview {
		prog = "Done"
		if m.step == flow.StepCreate {
			prog = "Creating"
		}
	}
	head := m.st.app.Render("cewiz") + m.st.dim.Render(" · "+prog)
	if m.cfg.Sandbox {
		head += " " + m.st.badge.Render("sandbox")
	}
	if m.nav.Rules.ExportOnly {
		head += " " + m.st.badge.Render("export only")
	}
	if m.compact() {
		head += m.st.dim.Render(" · ") + m.st.title.Render(m.step.Title())
		b.WriteString(ansi.Truncate(head, w+2, "…"))
	} else {
		b.WriteString(head)
		b.WriteString("\n")
		b.WriteString(m.st.title.Render(m.step.Title()))
		b.WriteString("\n")
		b.WriteString(m.st.explain.Width(w).Render(m.step.Explain()))
	}
	if m.flash != "" {
		b.WriteString("\n")
		b.WriteString(m.st.flash.Width(w).Render(m.flash))
	}
	return b.String()
}

// View renders the header (progress, title, explanation), the step, its
// status line and the footer with its keys, in the terminal's size.
func (m *Model) View() string {
	if m.quitting {
		// Bubble Tea leaves the last frame in the scrollback.
		if m.lastFrame != "" {
			return m.lastFrame + "\n"
		}
		return ""
	}
	if m.tooSmall() {
		return m.tooSmallView()
	}
	head, foot := m.header(), m.footer()
	m.chrome = lipgloss.Height(head) + lipgloss.Height(foot) + 2
	defer func() { m.chrome = 0 }()
	var body, status string
	if m.showKeys {
		body = m.keysView()
	} else {
		body = m.scr.view(m)
		if sl, ok := m.scr.(statusLiner); ok {
			status = sl.status(m)
		}
	}
	body = m.wrapBody(body)
	// The body gives way first: the status line and the keys always show.
	room := m.height - m.chrome
	if status != "" {
		status = m.wrapBody(status)
		room -= lipgloss.Height(status)
		if room-1 > lipgloss.Height(body) {
			status = "\n" + status // a blank line above it when there is room
			room--
		}
	}
	if room < 1 {
		room = 1
	}
	if lines := strings.Split(body, "\n"); len(lines) > room {
		lines = lines[:room]
		lines[room-1] = m.st.dim.Render("⋯ (more: make the window taller)")
		body = strings.Join(lines, "\n")
	}
	if status != "" {
		body += "\n" + status
	}
	return head + "\n\n" + body + "\n\n" + foot
}

// wrapBody is the safety net: no line of a step is wider than the screen.
func (m *Model) wrapBody(s string) string {
	return ansi.Wrap(strings.TrimRight(s, "\n"), m.contentWidth()+2, "")
}

// tooSmallView says the terminal is below the minimum and how to fix it.
func (m *Model) tooSmallView() string {
	msg := fmt.Sprintf("cewiz needs a terminal of at least %d×%d; this one is %d×%d. Make the window larger (or the font smaller). ctrl+c cancels.",
		MinWidth, MinHeight, m.width, m.height)
	w := m.width - 1
	if w < 10 {
		w = 10
	}
	return ansi.Wordwrap(msg, w, "")
}

// typing reports whether a text field has focus (letters are text then).
func (m *Model) typing() bool {
	if t, ok := m.scr.(typer); ok {
		return t.typing(m)
	}
	return false
}

// formTyping: the focused field of f takes text.
func formTyping(f *huh.Form) bool {
	if f == nil {
		return false
	}
	switch f.GetFocusedField().(type) {
	case *huh.Input, *huh.Text:
		return true
	}
	return false
}

// footer is the screen's help, in one style: the focused field's keys, the
// step's, then "?" (when it works) and ctrl+c. It takes at most two lines:
// in a narrow terminal the step's last keys make way for "?", which lists
// them all; while typing ("?" is text then) nothing is left out.
func (m *Model) footer() string {
	if m.showKeys {
		return m.helpLine([]key.Binding{m.keys.HelpOpen, m.keys.Quit}, nil, false)
	}
	binds := m.screenBinds()
	if m.typing() || m.accessible || len(binds) == 0 {
		return m.helpLine(binds, []key.Binding{m.keys.Quit}, false)
	}
	return m.helpLine(binds, []key.Binding{m.keys.Help, m.keys.Quit}, true)
}

// screenBinds are the focused form's keys, then the step's.
func (m *Model) screenBinds() []key.Binding {
	var binds []key.Binding
	if fh, ok := m.scr.(formHolder); ok {
		if f := fh.activeForm(); f != nil {
			binds = append(binds, f.KeyBinds()...)
		}
	}
	return append(binds, m.scr.help(m)...)
}

// uniqueHelps is the help of each enabled binding with a key, once.
func uniqueHelps(binds []key.Binding) []key.Help {
	var out []key.Help
	seen := map[string]bool{}
	for _, k := range binds {
		h := k.Help()
		if !k.Enabled() || h.Key == "" || seen[h.Key+h.Desc] {
			continue
		}
		seen[h.Key+h.Desc] = true
		out = append(out, h)
	}
	return out
}

// footerLines is the most lines the help takes when keys can be left out.
const footerLines = 2

// helpLine renders binds then tail (always shown) in the help style. With
// fit, binds are dropped from the end until it takes footerLines at most.
func (m *Model) helpLine(binds, tail []key.Binding, fit bool) string {
	render := func(bs []key.Binding) []string {
		var parts []string
		for _, h := range uniqueHelps(bs) {
			parts = append(parts, m.st.helpKey.Render(h.Key)+" "+m.st.helpDesc.Render(h.Desc))
		}
		return parts
	}
	sep := m.st.helpSep.Render(" • ")
	w := m.contentWidth()
	head, end := render(binds), render(tail)
	out := wrapJoin(append(append([]string{}, head...), end...), sep, w)
	for fit && len(head) > 0 && lipgloss.Height(out) > footerLines {
		head = head[:len(head)-1]
		out = wrapJoin(append(append([]string{}, head...), end...), sep, w)
	}
	return out
}

// keysView is "?": every key of the screen, one per line.
func (m *Model) keysView() string {
	binds := m.screenBinds()
	if fh, ok := m.scr.(fullHelper); ok {
		binds = append(binds, fh.fullHelp(m)...)
	}
	binds = append(binds, m.keys.Quit)
	var b strings.Builder
	b.WriteString(m.st.title.Render("Keys on this screen") + "\n")
	for _, h := range uniqueHelps(binds) {
		fmt.Fprintf(&b, "  %s %s\n", m.st.helpKey.Render(fmt.Sprintf("%-12s", h.Key)), h.Desc)
	}
	return b.String()
}

// wrapAtSpaces breaks s only at spaces so that each line fits width where
// it can; a word longer than width (a path) stays whole.
func wrapAtSpaces(s string, width int) string {
	var lines []string
	cur := ""
	for _, w := range strings.Split(s, " ") {
		if cur != "" && ansi.StringWidth(cur)+1+ansi.StringWidth(w) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur == "" {
			cur = w
		} else {
			cur += " " + w
		}
	}
	return strings.Join(append(lines, cur), "\n")
}

// wrapJoin joins parts with sep, wrapping to width.
func wrapJoin(parts []string, sep string, width int) string {
	var lines []string
	cur := ""
	for _, p := range parts {
		if cur == "" {
			cur = p
			continue
		}
		if lipgloss.Width(cur)+lipgloss.Width(sep)+lipgloss.Width(p) > width {
			lines = append(lines, cur)
			cur = p
			continue
		}
		cur += sep + p
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}

// spin starts the spinner (no-op in tests).
func (m *Model) spin() tea.Cmd {
	if m.noTicks {
		return nil
	}
	return m.spinner.Tick
}

// tick schedules msg after d (no-op in tests, which send it themselves).
func (m *Model) tick(d time.Duration, msg tea.Msg) tea.Cmd {
	if m.noTicks {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// group is huh.NewGroup with the wizard's theme given to every field
// first: huh renders a group's fields as soon as the group is made (to
// size it), and a field without a theme builds huh's default one,
// ThemeCharm, each time it renders. That was most of building a step.
func (m *Model) group(fields ...huh.Field) *huh.Group {
	for _, f := range fields {
		f.WithTheme(m.st.huh)
	}
	return huh.NewGroup(fields...)
}

// themed gives f the wizard's theme before the builder calls that render
// it (a Select renders its options when they are set).
func themed[F huh.Field](m *Model, f F) F {
	f.WithTheme(m.st.huh)
	return f
}

// newForm builds a step's huh form with the wizard's theme and size. huh's
// own help line is off: the root's footer shows the focused field's keys
// with the step's, in one line that stays when a field shows an error.
func (m *Model) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).
		WithTheme(m.st.huh).
		WithShowHelp(false).
		WithShowErrors(true).
		WithKeyMap(m.keys.form)
	return f
}

// sizeForm sends the current size to a form (huh sizes its groups from
// the first WindowSizeMsg it sees).
func (m *Model) sizeForm(f *huh.Form, reserved int) {
	h := m.bodyHeight() - reserved
	if h < 4 {
		h = 4
	}
	f.Update(tea.WindowSizeMsg{Width: m.contentWidth(), Height: h})
}

// copyText copies s to the clipboard (OSC 52 and the system clipboard).
func (m *Model) copyText(s string) tea.Cmd {
	f := m.cfg.Clipboard
	if f == nil {
		out := m.cfg.output()
		f = func(s string) error { return systemCopy(out, s, systemClipboard(), m.cfg.getenv) }
	}
	return func() tea.Msg {
		return copiedMsg{err: f(s)}
	}
}

type copiedMsg struct{ err error }

// spinView is the spinner, or nothing in accessible mode (a screen reader
// would read the glyph).
func (m *Model) spinView() string {
	if m.accessible {
		return "…"
	}
	return m.spinner.View()
}
