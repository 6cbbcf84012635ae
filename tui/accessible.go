package tui

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
)

// Accessible mode (--accessible, ACCESSIBLE=1, TERM=dumb) asks the same
// questions line by line, for screen readers: the same model and the same
// step forms, but each form is run by huh in accessible mode (plain
// prompts) and the other screens are printed as plain text, answered with a
// line ("p" for paste, an empty line for enter, "esc" to go back).
//
// The huh v1.0.0 traps are avoided by construction: every Select has
// static options (no OptionsFunc, which accessible mode never evaluates),
// no group is hidden (hidden groups are still asked), and no input is
// read ahead of a prompt (each prompt makes its own scanner): this driver
// reads its own lines byte by byte and only when it asks.

// accessibleForm is implemented by screens that are a form right now.
type accessibleForm interface {
	// aform returns the form to ask and what to do once it is answered.
	aform(m *Model) (*huh.Form, func(m *Model) tea.Cmd)
}

func (f *formScreen) aform(m *Model) (*huh.Form, func(m *Model) tea.Cmd) {
	if f.done {
		return nil, nil
	}
	return f.form, func(m *Model) tea.Cmd { f.done = true; return f.submit(m) }
}

func (s *connectStep) aform(m *Model) (*huh.Form, func(m *Model) tea.Cmd) {
	if s.checking {
		return nil, nil
	}
	if s.err != nil && !s.errShown {
		s.errShown = true
		fmt.Fprintln(m.cfg.output(), plain(m.renderError(s.err)))
	}
	if f := s.choices; f != nil {
		// The same ways on as on screen (try again, continue offline,
		// restore the demo values…).
		return f, func(m *Model) tea.Cmd { return s.choose(m) }
	}
	return s.fs.aform(m)
}

func (s *resourcesStep) aform(m *Model) (*huh.Form, func(m *Model) tea.Cmd) {
	if s.detail != nil {
		d := s.detail
		return d.form, func(m *Model) tea.Cmd {
			s.picked[s.detailIdx] = d.result()
			s.detailIdx++
			if s.detailIdx < len(s.picked) {
				s.detail = newResourceDetail(m, s.picked[s.detailIdx], s.detailIdx, len(s.picked), s.elementDefault)
				return nil
			}
			s.detail = nil
			return s.answer(m, append(flow.PollerConfig(nil), s.picked...))
		}
	}
	useDefault := len(s.picked) == 0
	chosen := s.picked.Names()
	opts := make([]huh.Option[string], len(s.names))
	for i, n := range s.names {
		opts[i] = huh.NewOption(n, n)
	}
	form := m.newForm(huh.NewGroup(
		huh.NewConfirm().Title("Use the element's default poller configuration?").
			Description("Yes leaves event.poller.configuration out; No lets you choose the resources.").
			Value(&useDefault),
		huh.NewMultiSelect[string]().Title("Resources to poll (used when the answer above is No): type a number to tick or untick it, 0 when done").
			Options(opts...).Value(&chosen),
	))
	return form, func(m *Model) tea.Cmd {
		if useDefault || len(chosen) == 0 {
			return s.answer(m, nil)
		}
		var p flow.PollerConfig
		for _, n := range chosen {
			if r, ok := s.picked.Get(n); ok {
				p = p.With(r)
			} else {
				p = p.With(s.configFor(n))
			}
		}
		s.picked = p
		s.detailIdx = 0
		s.detail = newResourceDetail(m, s.picked[0], 0, len(s.picked), s.elementDefault)
		return nil
	}
}

// plain strips colour and trailing spaces for a screen reader.
func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// lineReader reads one line at a time without reading ahead.
type lineReader struct{ r io.Reader }

func (l lineReader) readLine() (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := l.r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimRight(b.String(), "\r"), nil
			}
			b.WriteByte(buf[0])
			if b.Len() > 1<<16 {
				return b.String(), nil
			}
		}
		if err != nil {
			if b.Len() > 0 {
				return b.String(), nil
			}
			return "", err
		}
	}
}

// textScreen is a screen that takes a typed line (a paste, a file name).
type textScreen interface{ wantsText() bool }

func (s *authorizeStep) wantsText() bool { return s.phase == phasePasting }
func (s *reviewStep) wantsText() bool    { return s.typing(nil) }

// busy screens do not take input while their work runs.
type busyScreen interface{ busy() bool }

func (s *connectStep) busy() bool   { return s.checking }
func (s *authorizeStep) busy() bool { return s.phase == phaseStarting }
func (s *createStep) busy() bool    { return true }

// runAccessible runs the wizard line by line on cfg's input and output.
func runAccessible(ctx context.Context, cfg Config, r *lipgloss.Renderer) (Outcome, error) {
	in, out := cfg.input(), cfg.output()
	r.SetColorProfile(termenv.Ascii) // a screen reader reads the words, not the colours (r is already lipgloss's default: Run set it)
	m := New(ctx, cfg, r)
	m.lineByLine()
	defer m.shutdown()

	msgs := make(chan tea.Msg, 64)
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			defer func() { _ = recover() }()
			msg := cmd()
			if msg == nil {
				return
			}
			v := reflect.ValueOf(msg)
			if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
				for i := 0; i < v.Len(); i++ {
					c, _ := v.Index(i).Interface().(tea.Cmd)
					run(c)
				}
				return
			}
			if accessibleSkip(msg) {
				return
			}
			select {
			case msgs <- msg:
			case <-ctx.Done():
			}
		}()
	}
	deliver := func(msg tea.Msg) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return
		}
		_, cmd := m.Update(msg)
		run(cmd)
	}
	run(m.Init())

	lr := lineReader{r: in}
	lines := make(chan string)
	lineErr := make(chan error, 1)
	pending := false
	request := func() {
		if pending {
			return
		}
		pending = true
		go func() {
			l, err := lr.readLine()
			if err != nil {
				lineErr <- err
				return
			}
			lines <- l
		}()
	}
	lastShown, lastStep := "", flow.Step(-1)
	for !m.quitting {
		select {
		case msg := <-msgs:
			deliver(msg)
			continue
		case <-ctx.Done():
			m.cancelAll()
			return Outcome{}, ErrCanceled
		default:
		}
		if m.step != lastStep {
			lastStep = m.step
			i, n := m.nav.Rules.Progress(m.step)
			fmt.Fprintf(out, "\n== %s (step %d of %d)\n%s\n", m.step.Title(), i, n, m.step.Explain())
			if f := m.takeFlash(); f != "" {
				fmt.Fprintln(out, f)
			}
		}
		if af, ok := m.scr.(accessibleForm); ok {
			if form, done := af.aform(m); form != nil {
				if pending {
					fmt.Fprintln(out, "Press enter to continue.")
					select {
					case <-lines:
						pending = false
					case err := <-lineErr:
						return Outcome{}, canceledOr(err)
					case <-ctx.Done():
						return Outcome{}, ErrCanceled
					}
				}
				form = form.WithAccessible(true).WithInput(in).WithOutput(out)
				errc := make(chan error, 1)
				go func() { errc <- form.RunWithContext(ctx) }()
				select {
				case err := <-errc:
					if err != nil {
						return Outcome{}, canceledOr(err)
					}
				case <-ctx.Done():
					m.cancelAll()
					return Outcome{}, ErrCanceled
				}
				lastShown = ""
				run(done(m))
				continue
			}
		}
		view := plain(m.scr.view(m))
		help := ""
		if b, ok := m.scr.(busyScreen); !ok || !b.busy() {
			help = helpText(m)
		}
		if shown := view + "\n" + help; shown != lastShown {
			fmt.Fprintln(out, shown)
			lastShown = shown
		}
		if b, ok := m.scr.(busyScreen); ok && b.busy() {
			select {
			case msg := <-msgs:
				deliver(msg)
			case <-ctx.Done():
				m.cancelAll()
				return Outcome{}, ErrCanceled
			}
			continue
		}
		request()
		select {
		case msg := <-msgs:
			deliver(msg)
		case l := <-lines:
			pending = false
			for _, k := range lineKeys(m, l) {
				deliver(k)
				if m.quitting {
					break
				}
			}
		case err := <-lineErr:
			return Outcome{}, canceledOr(err)
		case <-ctx.Done():
			m.cancelAll()
			return Outcome{}, ErrCanceled
		}
	}
	if m.canceled {
		return Outcome{}, ErrCanceled
	}
	return m.outcome, nil
}

func canceledOr(err error) error {
	if err == io.EOF || err == huh.ErrUserAborted {
		return ErrCanceled
	}
	return err
}

func accessibleSkip(msg tea.Msg) bool {
	switch msg.(type) {
	case authTickMsg:
		return true
	}
	n := reflect.TypeOf(msg).String()
	return strings.Contains(n, "Blink") || strings.Contains(n, "blink") || strings.HasPrefix(n, "spinner.")
}

// helpText lists the keys as words.
func helpText(m *Model) string {
	var parts []string
	for _, k := range m.scr.help(m) {
		h := k.Help()
		if h.Key == "" {
			continue
		}
		parts = append(parts, h.Key+": "+h.Desc)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Type one of (" + strings.Join(parts, "; ") + "), then enter. An empty line is enter."
}

// lineKeys turns a typed line into key messages.
func lineKeys(m *Model, l string) []tea.Msg {
	t := strings.TrimSpace(l)
	if ts, ok := m.scr.(textScreen); ok && ts.wantsText() {
		if t == "esc" {
			return []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc}}
		}
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(t), Paste: true}, tea.KeyMsg{Type: tea.KeyEnter}}
	}
	switch strings.ToLower(t) {
	case "":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEnter}}
	case "esc", "back":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc}}
	case "space":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}}
	}
	r := []rune(t)
	return []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: r[:1]}}
}
