package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

// Accessible mode (--accessible, ACCESSIBLE=1, TERM=dumb) asks the same
// questions line by line, for screen readers: the same model and the same
// step forms, but each form is run by huh in accessible mode (plain
// prompts) and the other screens are printed as plain text, answered with a
// line ("p" for paste, an empty line for enter, "esc" to go back).
//
// The huh v1.0.0 traps are avoided by construction: every Select has
// static options (no OptionsFunc, which accessible mode never evaluates),
// a hidden group (Connect's base URL, the registered redirect URL, a
// resource's "another" date field and pattern) is still asked, so its
// validator accepts an answer when the group does not apply and an empty
// answer leaves it unused, and no input is read ahead of a prompt (each
// prompt makes its own scanner): this driver reads its own lines byte by
// byte and only when it asks.

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
		if journey.Classify(s.err) != journey.KindUnauthorized { // the driver prints refusals
			fmt.Fprintln(m.cfg.output(), plain(m.renderError(s.err)))
		}
	}
	// The form, or the same ways on as on screen (try again, continue
	// offline, restore the demo values…).
	return s.active().aform(m)
}

func (s *resourcesStep) aform(m *Model) (*huh.Form, func(m *Model) tea.Cmd) {
	if s.detail != nil {
		d := s.detail
		return d.form, func(m *Model) tea.Cmd {
			s.picked.Put(d.result())
			s.detailIdx++
			if s.detailIdx < s.picked.Len() {
				s.detail = newResourceDetail(m, s.picked.At(s.detailIdx), s.detailIdx, s.picked.Len())
				return nil
			}
			s.detail = nil
			return s.answer(m, s.picked.Config())
		}
	}
	useDefault := s.picked.Len() == 0
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
		p := &flow.PollerSet{}
		for _, n := range chosen {
			if r, ok := s.picked.Get(n); ok {
				p.Put(r)
			} else {
				p.Put(s.configFor(n))
			}
		}
		s.picked = p
		s.detailIdx = 0
		s.detail = newResourceDetail(m, s.picked.At(0), 0, s.picked.Len())
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

// InputEndedError is returned in accessible mode when the input ends (a
// pipe, /dev/null, Ctrl-D) before a question was answered: the wizard stops
// instead of asking again for ever. main maps it to exit 2.
type InputEndedError struct {
	// Field is the question that got no answer.
	Field string
}

func (e *InputEndedError) Error() string {
	return fmt.Sprintf("input ended before %s was answered; run the wizard in a terminal, or use 'cewiz create' in scripts", e.Field)
}

// abandonedForms counts the huh forms running in accessible mode. A
// cancel returns at once while a form may still wait for its line (huh's
// prompts cannot be interrupted); the form ends when its input does. Tests
// wait for it before another Run swaps lipgloss's default renderer.
var abandonedForms sync.WaitGroup

// maxSecretRefusals bounds how often refused secrets are asked again.
const maxSecretRefusals = 3

// errSecretsRefusedNoTerminal: the secrets were refused and cannot be
// asked again (the password prompts need a terminal).
var errSecretsRefusedNoTerminal = errors.New("the User or Organization secret was refused by Cloud Elements, and without a terminal it cannot be asked again: set " +
	flow.EnvUserSecret + " and " + flow.EnvOrgSecret + " to the secrets from your Cloud Elements profile, then run again")

// runAccessible runs the wizard line by line on cfg's input and output.
func runAccessible(ctx context.Context, cfg Config, r *lipgloss.Renderer) (Outcome, error) {
	pw := &promptWriter{w: cfg.output()}
	in, out := newLineInput(cfg.input(), pw), io.Writer(pw)
	r.SetColorProfile(termenv.Ascii) // a screen reader reads the words, not the colours (r is already lipgloss's default: Run set it)
	m := New(ctx, cfg, r)
	m.lineByLine()
	defer m.shutdown()
	secretsAsked := in.terminal()
	refusals := 0
	var lastRefusal error

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
	ended := func(field string) error {
		if f := in.endedAt(); f != "" {
			field = f // the form's question that met the end
		}
		return &InputEndedError{Field: field}
	}
	canceled := func() (Outcome, error) {
		m.cancelAll()
		if m.creating != nil {
			return Outcome{}, m.canceledWhileCreating(out)
		}
		return Outcome{}, ErrCanceled
	}
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
			return canceled()
		default:
		}
		if cs, ok := m.scr.(*connectStep); ok && cs.err != nil && cs.err != lastRefusal && journey.Classify(cs.err) == journey.KindUnauthorized {
			// Refused secrets are asked again a few times at most, and
			// not at all when they cannot be asked (no terminal).
			lastRefusal = cs.err
			refusals++
			fmt.Fprintln(out, plain(m.renderError(cs.err)))
			if !secretsAsked && m.cfg.Demo == nil {
				// (--sandbox can still restore its demo secrets: a choice.)
				return Outcome{}, errSecretsRefusedNoTerminal
			}
			if refusals >= maxSecretRefusals {
				return Outcome{}, fmt.Errorf("the User or Organization secret was refused %d times; check them in your Cloud Elements profile and run again", refusals)
			}
		}
		if m.step == lastStep {
			if f := m.takeFlash(); f != "" {
				fmt.Fprintln(out, f) // e.g. where an export was written
			}
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
						if err == io.EOF {
							return Outcome{}, ended("the next question")
						}
						return Outcome{}, canceledOr(err)
					case <-ctx.Done():
						return canceled()
					}
				}
				pw.formAsks(accessiblePrefill(m, secretsAsked))
				form = form.WithAccessible(true).WithInput(in).WithOutput(out)
				errc := make(chan error, 1)
				abandonedForms.Add(1)
				go func() {
					defer abandonedForms.Done()
					errc <- form.RunWithContext(ctx)
				}()
				select {
				case err := <-errc:
					pw.formDone()
					if err != nil {
						return Outcome{}, canceledOr(err)
					}
				case <-ctx.Done():
					return canceled()
				}
				if in.endedAt() != "" {
					// huh took the end of input for "keep the default":
					// stop instead of asking again for ever.
					return Outcome{}, ended("")
				}
				lastShown = ""
				run(done(m))
				continue
			}
		}
		var view string
		if wv, ok := m.scr.(interface{ wholeView(m *Model) string }); ok {
			view = plain(wv.wholeView(m))
		} else {
			view = plain(m.scr.view(m))
		}
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
				return canceled()
			}
			continue
		}
		request()
		select {
		case msg := <-msgs:
			deliver(msg)
		case l := <-lines:
			pending = false
			keys, unknown := lineKeys(m, l)
			if unknown != "" {
				fmt.Fprintln(out, unknown)
			}
			for _, k := range keys {
				deliver(k)
				if m.quitting {
					break
				}
			}
		case err := <-lineErr:
			if err == io.EOF {
				return Outcome{}, &InputEndedError{Field: "the " + m.step.Title() + " step"}
			}
			return Outcome{}, canceledOr(err)
		case <-ctx.Done():
			return canceled()
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

// lineKeys turns a typed line into key messages. A line that is none of
// the screen's keys gets an answer (unknown) instead of silence; a text
// field (a file name, a paste) takes the line whole, replacing what was
// prefilled, and an empty line keeps the prefilled text.
func lineKeys(m *Model, l string) (keys []tea.Msg, unknown string) {
	t := strings.TrimSpace(l)
	if ts, ok := m.scr.(textScreen); ok && ts.wantsText() {
		switch t {
		case "esc":
			return []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc}}, ""
		case "":
			return []tea.Msg{tea.KeyMsg{Type: tea.KeyEnter}}, ""
		}
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyCtrlU}, tea.KeyMsg{Type: tea.KeyCtrlK},
			tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(t), Paste: true}, tea.KeyMsg{Type: tea.KeyEnter}}, ""
	}
	switch strings.ToLower(t) {
	case "", "enter":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEnter}}, ""
	case "esc", "back":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc}}, ""
	case "space":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}}, ""
	}
	r := []rune(t)
	k := tea.KeyMsg{Type: tea.KeyRunes, Runes: r}
	if len(r) == 1 {
		for _, b := range m.scr.help(m) {
			if key.Matches(k, b) {
				return []tea.Msg{k}, ""
			}
		}
	}
	if help := helpText(m); help != "" {
		return nil, fmt.Sprintf("%q is not one of this screen's keys. %s", t, help)
	}
	return nil, fmt.Sprintf("%q is not a choice here: press enter to go on.", t)
}

// lineInput is the wizard's input in accessible mode. It reads one byte at
// a time, so that each of huh's prompts (which make their own scanner)
// takes exactly one line and input piped all at once is not swallowed by
// the first prompt, and it notes the question that met the end of input
// with nothing read since it was asked.
type lineInput struct {
	r  io.Reader
	pw *promptWriter

	mu    sync.Mutex
	ended string
}

// lineInputFd is a lineInput over a file (stdin): huh's password prompts
// read a terminal through its Fd.
type lineInputFd struct {
	*lineInput
	fd uintptr
}

func (l lineInputFd) Fd() uintptr { return l.fd }

// accessibleInput is the reader the driver uses: a *lineInput, with Fd
// when the input is a file.
type accessibleInput interface {
	io.Reader
	endedAt() string
	terminal() bool
}

func newLineInput(r io.Reader, pw *promptWriter) accessibleInput {
	l := &lineInput{r: r, pw: pw}
	if f, ok := r.(interface{ Fd() uintptr }); ok {
		return lineInputFd{lineInput: l, fd: f.Fd()}
	}
	return l
}

func (l *lineInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := l.r.Read(p[:1])
	if n > 0 {
		l.pw.sawInput()
	}
	if err == io.EOF && n == 0 {
		l.mu.Lock()
		if l.ended == "" && l.pw.asking() && !l.pw.answered() {
			l.ended = l.pw.question()
		}
		l.mu.Unlock()
	}
	return n, err
}

// endedAt is the question the input ended before ("" while it has not).
func (l *lineInput) endedAt() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ended
}

func (l *lineInput) terminal() bool { return false }

func (l lineInputFd) terminal() bool { return term.IsTerminal(l.fd) }

// promptWriter is the output in accessible mode. It knows the question
// being asked (the title huh printed last) and says, in a prompt, the value
// an empty answer keeps (prefill, by title): huh asks "Application ID"
// and keeps the prefilled value silently.
type promptWriter struct {
	w io.Writer

	mu       sync.Mutex
	inForm   bool // a huh form is asking (setPrefill)
	prefill  map[string]string
	title    string // the question the form asked last
	gotInput bool   // a byte was read since the last prompt
}

// numberPrompt is how huh asks for a choice among numbered options.
var numberPrompt = regexp.MustCompile(`^(Enter a number between \d+ and \d+|There is only one option available; enter the number 1)(: ?)$`)

// optionLine is an option huh lists ("3. staging …") or a note of its own.
var optionLine = regexp.MustCompile(`^(\d+\. |Select up to \d+ options|Invalid: |Input cannot exceed)`)

func (p *promptWriter) Write(b []byte) (int, error) {
	s := string(b)
	p.mu.Lock()
	p.gotInput = false
	text := strings.TrimSpace(s)
	switch {
	case !p.inForm || text == "":
	case numberPrompt.MatchString(text):
		if v := p.prefill[p.title]; v != "" {
			m := numberPrompt.FindStringSubmatch(text)
			s = m[1] + " (" + v + "): "
		}
	case optionLine.MatchString(text):
	case !strings.Contains(text, "\n"):
		q := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(text, "[Y/n]"), "[y/N]"))
		p.title = q
		if v := p.prefill[q]; v != "" && !strings.HasSuffix(s, "\n") {
			s = strings.TrimRight(s, " ") + " (" + v + "): "
		}
	}
	p.mu.Unlock()
	if _, err := io.WriteString(p.w, s); err != nil {
		return 0, err
	}
	return len(b), nil
}

// formAsks marks a form's run (its questions are tracked) and says which
// values it keeps on an empty answer; formDone ends it.
func (p *promptWriter) formAsks(prefill map[string]string) {
	p.mu.Lock()
	p.inForm, p.prefill, p.title = true, prefill, ""
	p.mu.Unlock()
}

func (p *promptWriter) formDone() {
	p.mu.Lock()
	p.inForm, p.prefill = false, nil
	p.mu.Unlock()
}

// asking reports whether a form is asking (its questions are tracked).
func (p *promptWriter) asking() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.inForm }

func (p *promptWriter) sawInput() { p.mu.Lock(); p.gotInput = true; p.mu.Unlock() }

func (p *promptWriter) answered() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.gotInput }

// question is the question asked last, quoted for a message.
func (p *promptWriter) question() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.title == "" {
		return "the next question"
	}
	return fmt.Sprintf("%q", p.title)
}

// accessiblePrefill says, by field title, what an empty answer keeps on
// the current step's form, as the prompts say it. Secrets are never shown:
// they are said to be kept, or, without a terminal, that they cannot be
// asked.
func accessiblePrefill(m *Model, secretsAsked bool) map[string]string {
	keeps := func(v string) string {
		if v == "" {
			return ""
		}
		return "an empty line keeps " + v
	}
	secret := func(v string) string {
		switch {
		case v == "":
			return ""
		case !secretsAsked:
			return "the one given is used: a secret cannot be asked without a terminal"
		}
		return "an empty line keeps the one given"
	}
	switch s := m.scr.(type) {
	case *connectStep:
		p := map[string]string{"Region": keeps(s.region), "User secret": secret(s.prevUser.Reveal()), "Organization secret": secret(s.prevOrg.Reveal())}
		if s.region == customRegion {
			p["Base URL"] = keeps(s.baseURL)
		}
		return p
	case *appStep:
		p := map[string]string{"Application ID": keeps(s.apiKey), "Application Secret": secret(s.apiSecret), "How does the code come back?": keeps(s.mode)}
		if s.mode == callbackRegistered {
			p["Registered redirect URL"] = keeps(s.registered)
		}
		return p
	case *siteStep:
		return map[string]string{"DocuShare Flex domain": keeps(s.domain)}
	case *eventsStep:
		return map[string]string{"Notification callback URL": keeps(s.url), "Polling interval, minutes": keeps(s.interval)}
	case *instanceStep:
		return map[string]string{"Instance name": keeps(s.name), "Tags (optional)": keeps(s.tags)}
	}
	return nil
}

// wholeView is Review in accessible mode: the whole body (or the cURL
// command), not the screenful the viewport shows.
func (s *reviewStep) wholeView(m *Model) string {
	if s.exporting {
		return s.view(m)
	}
	var b strings.Builder
	if s.buildErr != nil {
		b.WriteString(m.renderError(s.buildErr) + "\n")
	}
	if w := s.warning(m); w != "" {
		b.WriteString("! " + w + "\n")
	}
	content := s.body
	if s.showCurl {
		b.WriteString("The same request as a cURL command:\n")
		content = s.curl
	} else {
		b.WriteString("POST " + m.answers.BaseURL + "/instances with this body (secrets masked):\n")
	}
	b.WriteString(content + "\n")
	b.WriteString(editLine())
	return b.String()
}
