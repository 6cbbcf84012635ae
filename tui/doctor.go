package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"github.com/cewiz/cewiz/flow/doctor"
)

// DoctorModel is the doctor's live checklist: every check listed at once
// with a spinner, each line turning into ✓ ! ✗ - (and the words PASS, WARN,
// FAIL, SKIP, so it reads without colour) with its finding and next step as
// the results stream in from doctor.Start. It runs as its own program
// (RunDoctor, `cewiz doctor` in a terminal, and the doctor the wizard's
// error screen hands over to) and quits when the last check is done, or at
// ctrl+c, which cancels the checks.
type DoctorModel struct {
	ctx    context.Context
	cancel context.CancelFunc
	cfg    doctor.Config
	deps   doctor.Deps

	checks  []doctor.Check
	results map[string]doctor.Result
	ch      <-chan doctor.Result
	spinner spinner.Model
	st      doctorStyles
	width   int

	started   time.Time
	printed   int  // rows already printed above the live area
	headerOut bool // the header was printed
	done      bool
	canceled  bool
	report    doctor.Report
}

// doctorResultMsg carries one result (ok false: the run is over).
type doctorResultMsg struct {
	r  doctor.Result
	ok bool
}

// newDoctor makes the live checklist for cfg with deps (the real ones are
// built by main). r is the renderer the UI draws with. The checks start in
// Init.
func newDoctor(ctx context.Context, cfg doctor.Config, deps doctor.Deps, r *lipgloss.Renderer) *DoctorModel {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	cctx, cancel := context.WithCancel(ctx)
	st := newDoctorStyles(r)
	return &DoctorModel{
		ctx: cctx, cancel: cancel, cfg: cfg, deps: deps,
		checks:  doctor.Checks(cfg),
		results: map[string]doctor.Result{},
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(st.pending)),
		st:      st,
	}
}

// Init starts the checks and the spinner.
func (m *DoctorModel) Init() tea.Cmd {
	m.started = time.Now()
	m.ch = doctor.Start(m.ctx, m.cfg, m.deps)
	return tea.Batch(m.spinner.Tick, m.next())
}

func (m *DoctorModel) next() tea.Cmd {
	ch := m.ch
	return func() tea.Msg {
		r, ok := <-ch
		return doctorResultMsg{r: r, ok: ok}
	}
}

// Done reports whether every check has a result.
func (m *DoctorModel) Done() bool { return m.done }

// Canceled reports whether the user pressed ctrl+c.
func (m *DoctorModel) Canceled() bool { return m.canceled }

// Report is the finished report (in the checklist's order).
func (m *DoctorModel) Report() doctor.Report { return m.report }

// Update handles results, the spinner, the window size and the keys.
func (m *DoctorModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case doctorResultMsg:
		if !msg.ok {
			m.finish()
			if p := m.flush(); p != nil {
				return m, tea.Sequence(p, tea.Quit)
			}
			return m, tea.Quit
		}
		m.results[msg.r.ID] = msg.r
		if p := m.flush(); p != nil {
			// The rows are printed before the next result is read: in a
			// Batch the last result (then tea.Quit) could overtake them
			// and the program end with rows never printed.
			return m, tea.Sequence(p, m.next())
		}
		return m, m.next()
	case spinner.TickMsg:
		if m.done {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, doctorKeys.Cancel):
			m.canceled = true
			m.cancel()
			m.finish()
			return m, tea.Quit
		case m.done && key.Matches(msg, doctorKeys.Close):
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m *DoctorModel) finish() {
	if m.done {
		return
	}
	m.done = true
	rep := doctor.Report{CreateFailure: m.cfg.CreateFailure}
	for _, c := range m.checks {
		r, ok := m.results[c.ID]
		if !ok {
			r = doctor.Result{ID: c.ID, Title: c.Title, Status: doctor.Skip, Finding: "Canceled."}
		}
		rep.Results = append(rep.Results, r)
	}
	rep.Duration = time.Since(m.started)
	m.report = rep
	m.cancel()
}

// View draws the list. Finished rows have already been printed
// above the live area (tea.Println, in the checklist's order), so only the
// checks still running are redrawn: the list fits any terminal height and
// stays in the scrollback.
func (m *DoctorModel) View() string {
	var b strings.Builder
	if !m.headerOut {
		b.WriteString(m.header())
	}
	for _, c := range m.checks[m.printed:] {
		b.WriteString(m.row(c))
	}
	b.WriteString("\n")
	switch {
	case m.canceled:
		b.WriteString(m.st.next.Render("Canceled.") + "\n")
	case m.done:
		b.WriteString(m.st.summary.Render(m.wrap(strings.TrimSpace(summaryLine(m.report)), 0)) + "\n")
	default:
		b.WriteString(m.st.next.Render(m.wrap(fmt.Sprintf("%d of %d checks done · ctrl+c: cancel", len(m.results), len(m.checks)), 0)) + "\n")
	}
	return b.String()
}

func (m *DoctorModel) header() string {
	return m.wrap(m.st.title.Render("cewiz doctor")+m.st.next.Render("  "+m.cfg.Answers.BaseURL), 0) + "\n\n"
}

func (m *DoctorModel) wrap(s string, indent int) string {
	if m.width <= indent+10 {
		return s
	}
	return ansi.Wrap(s, m.width-indent-1, "")
}

// row is one check: a spinner while it runs, then its mark, finding and
// next step.
func (m *DoctorModel) row(c doctor.Check) string {
	r, ok := m.results[c.ID]
	if !ok {
		return indentRest(m.wrap(m.spinner.View()+" "+c.Title+"  "+m.st.next.Render("checking…"), 3), 3) + "\n"
	}
	var b strings.Builder
	mark, style := r.Status.Symbol()+" "+r.Status.Label(), m.st.status(r.Status)
	fmt.Fprintf(&b, "%s %s\n", style.Render(mark), indentRest(m.wrap(c.Title+": "+r.Finding, 8), 7))
	if r.Next != "" && r.Status != doctor.Pass && r.Status != doctor.Skip {
		// Styled line by line: lipgloss pads a block's lines to its widest,
		// which the indent would push past the terminal's edge.
		for _, l := range strings.Split(m.wrap("→ "+r.Next, 8), "\n") {
			fmt.Fprintf(&b, "       %s\n", m.st.next.Render(l))
		}
	}
	return b.String()
}

// flush prints the finished rows at the top of the live area, in order,
// and returns the command that prints them (nil: nothing new).
func (m *DoctorModel) flush() tea.Cmd {
	var b strings.Builder
	for m.printed < len(m.checks) {
		if _, ok := m.results[m.checks[m.printed].ID]; !ok {
			break
		}
		if !m.headerOut {
			b.WriteString(m.header())
			m.headerOut = true
		}
		b.WriteString(m.row(m.checks[m.printed]))
		m.printed++
	}
	if b.Len() == 0 {
		return nil
	}
	// Each line clears what the live area left on its row: Bubble Tea
	// only does so once its renderer knows the terminal's width, and rows
	// printed before the first WindowSizeMsg reached it (a loaded machine)
	// kept the tail of a longer "checking…" line. The lines are wrapped
	// short of the last column, where the clearing would take a cell.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	return tea.Println(strings.Join(lines, ansi.EraseLineRight+"\n") + ansi.EraseLineRight)
}

// summaryLine is doctor.Summary without the duration (stable on screen).
func summaryLine(rep doctor.Report) string {
	s := doctor.Summary(rep)
	if i := strings.Index(s, " ("); i >= 0 {
		if j := strings.Index(s[i:], ")."); j >= 0 {
			s = s[:i] + "." + s[i+j+2:]
		}
	}
	return s
}

func indentRest(s string, n int) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
}

// RunDoctor runs the live checklist as its own program on out (stderr),
// reading keys from in, and returns the report when every check is done.
// ctrl+c returns ErrCanceled. The list stays on screen afterwards.
func RunDoctor(ctx context.Context, cfg doctor.Config, deps doctor.Deps, in io.Reader, out io.Writer, getenv func(string) string) (doctor.Report, error) {
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stderr
	}
	r := NewRenderer(out, getenv)
	m := newDoctor(ctx, cfg, deps, r)
	// Every row is wrapped to the terminal's width from the first frame:
	// results can arrive before Bubble Tea's first WindowSizeMsg, and a row
	// wider than the terminal, drawn then, leaves the live area garbled
	// (the renderer counts lines, the terminal wraps them).
	m.width = outputWidth(out)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	final, err := p.Run()
	if dm, ok := final.(*DoctorModel); ok {
		m = dm
	}
	m.cancel()
	if m.canceled || ctx.Err() != nil {
		return m.report, ErrCanceled
	}
	return m.report, err
}

// outputWidth is the width of the terminal out is, or 80 when it is not one
// (the rows are wrapped for a reader of a file or a pipe too).
func outputWidth(out io.Writer) int {
	if f, ok := out.(interface{ Fd() uintptr }); ok && term.IsTerminal(f.Fd()) {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return w
		}
	}
	return defaultWidth
}

func (s doctorStyles) status(st doctor.Status) lipgloss.Style {
	switch st {
	case doctor.Pass:
		return s.pass
	case doctor.Warn:
		return s.warn
	case doctor.Fail:
		return s.fail
	}
	return s.skip
}
