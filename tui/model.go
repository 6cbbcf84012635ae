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
	// help lists the step's keys for the footer.
	help(m *Model) []key.Binding
}

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
	resourceNames  []string          // offered on the Resources step (nil: defaults/presets)
	codeAt         time.Time         // when the code was caught

	auth    *journey.Authorization // the authorization in progress, if any
	authGen int

	spinner spinner.Model
	// noTicks: tests and accessible mode drive the model without timers.
	noTicks bool
	// accessible: line-by-line mode.
	accessible bool

	outcome  Outcome
	canceled bool
	quitting bool
	flash    string // a one-shot notice under the header
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
		if key.Matches(msg, m.keys.Quit) {
			return m, m.cancelAll()
		}
		m.flash = ""
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if fs, ok := m.scr.(interface{ resize(m *Model) }); ok {
			fs.resize(m)
		}
		return m, nil
	case authBegunMsg:
		// An authorization that finished starting after the user left the
		// step (esc while starting): free its port at once.
		if s, ok := m.scr.(*authorizeStep); !ok || s.gen != msg.gen || m.quitting {
			if msg.auth != nil {
				_ = msg.auth.Close()
			}
			return m, nil
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
// nothing, quit.
func (m *Model) cancelAll() tea.Cmd {
	m.canceled = true
	m.quitting = true
	m.shutdown()
	return tea.Quit
}

// shutdown closes the listener and cancels in-flight work. Idempotent.
func (m *Model) shutdown() {
	m.closeAuth()
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *Model) closeAuth() {
	if m.auth != nil {
		_ = m.auth.Close()
		m.auth = nil
	}
	m.authGen++
}

// quit ends the wizard with an outcome.
func (m *Model) quit(o Outcome) tea.Cmd {
	o.Answers = m.answers.Clone()
	if o.Kind == OutcomeDoctor {
		o.Secrets = m.secrets
	}
	m.outcome = o
	m.quitting = true
	m.shutdown()
	return tea.Quit
}

// goTo enters step s with a fresh screen built from the answers.
func (m *Model) goTo(s flow.Step) tea.Cmd {
	if s != flow.StepAuthorize {
		// Leaving Authorize (or never there): no listener stays open.
		if m.step == flow.StepAuthorize {
			m.closeAuth()
		}
	}
	m.step = s // the new screen sizes itself under this step's header
	return m.show(s, newScreen(m, s))
}

// show enters step s with the screen scr.
func (m *Model) show(s flow.Step, scr screen) tea.Cmd {
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
// above the footer (two blank lines between).
func (m *Model) bodyHeight() int {
	h := m.height - lipgloss.Height(m.header()) - lipgloss.Height(m.footer()) - 2
	if h < 6 {
		h = 6
	}
	return h
}

// header is the progress line, the step's title and its explanation.
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
	b.WriteString(head)
	b.WriteString("\n")
	b.WriteString(m.st.title.Render(m.step.Title()))
	b.WriteString("\n")
	b.WriteString(m.st.explain.Width(w).Render(m.step.Explain()))
	if m.flash != "" {
		b.WriteString("\n")
		b.WriteString(m.st.flash.Width(w).Render(m.flash))
	}
	return b.String()
}

// View renders the header (progress, title, explanation), the step, and the
// footer with its keys, in the terminal's size.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	w := m.contentWidth()
	head, foot := m.header(), m.footer()
	// A safety net: no line of a step is wider than the screen, and the
	// body never pushes the footer off it.
	body := ansi.Wrap(strings.TrimRight(m.scr.view(m), "\n"), w+2, "")
	if room := m.height - lipgloss.Height(head) - lipgloss.Height(foot) - 2; room > 0 {
		if lines := strings.Split(body, "\n"); len(lines) > room {
			body = strings.Join(lines[:room], "\n")
		}
	}
	return head + "\n\n" + body + "\n\n" + foot
}

func (m *Model) footer() string {
	binds := append(m.scr.help(m), m.keys.Quit)
	parts := make([]string, 0, len(binds))
	for _, k := range binds {
		h := k.Help()
		if h.Key == "" {
			continue
		}
		parts = append(parts, m.st.helpKey.Render(h.Key)+" "+m.st.helpDesc.Render(h.Desc))
	}
	return wrapJoin(parts, m.st.helpSep.Render(" • "), m.contentWidth())
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

// newForm builds a step's huh form with the wizard's theme and size.
func (m *Model) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).
		WithTheme(m.st.huh).
		WithShowHelp(true).
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
		f = func(s string) error { return systemCopy(out, s, systemClipboard()) }
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
