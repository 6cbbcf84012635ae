package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

// authorizeStep: start the listener, get the authorization URL from Cloud
// Elements, open the browser (or show the URL and the ssh -L line), wait
// with a spinner and the time left. Keys: reopen, copy the URL, paste a
// code or the redirected address, skip to export-only. Denial, timeout and
// a wrong state each get their own message and a retry. A registered
// (non-loopback) callback goes straight to the paste field.
type authorizeStep struct {
	phase  authPhase
	gen    int
	err    error // the failure shown in phaseFailed, or the paste's refusal
	paste  textinput.Model
	pasted journey.Pasted
	notice string
	began  time.Time // when the wait began (for the "nothing yet?" hint)
	causes []string  // after a timeout: the likely reasons (oauth-loopback rule 18)
	// late is the authorization that timed out: the address its browser
	// showed after Allow can still be pasted (p on the failure), checked
	// against that authorization's redirect URI and state.
	late *journey.Authorization
}

// hintAfter is when the waiting screen suggests what may be wrong.
const hintAfter = 30 * time.Second

type authPhase int

const (
	phaseHave     authPhase = iota // a code is already there
	phaseStarting                  // listener + oauth/url in flight
	phaseWaiting                   // waiting for the browser
	phasePasting                   // the paste field is open
	phaseConfirm                   // a bare code: confirm it
	phaseFailed                    // begin or wait failed
)

type authBegunMsg struct {
	gen  int
	auth *journey.Authorization
	err  error
}

type authDoneMsg struct {
	gen   int
	grant journey.Grant
	err   error
}

type authTickMsg struct{ gen int }

type browserMsg struct {
	gen int
	st  journey.BrowserStatus
}

func newAuthorize(m *Model) *authorizeStep {
	s := &authorizeStep{}
	s.paste = textinput.New()
	s.paste.Prompt = "› "
	s.paste.Placeholder = "paste the whole address from the browser, or the code"
	s.paste.CharLimit = oauthlistener.MaxPaste
	s.paste.EchoMode = textinput.EchoPassword // the code is a secret, even on screen
	s.paste.EchoCharacter = '•'
	s.paste.Width = m.contentWidth() - 4
	if !m.answers.Code.IsZero() && !m.nav.MustAuthorize() {
		s.phase = phaseHave
	} else {
		s.phase = phaseStarting
	}
	return s
}

func (s *authorizeStep) init(m *Model) tea.Cmd {
	if s.phase == phaseHave {
		return nil
	}
	return s.begin(m)
}

// begin starts a new authorization (closing any previous one).
func (s *authorizeStep) begin(m *Model) tea.Cmd {
	closing := m.closeAuth()
	s.phase = phaseStarting
	s.err = nil
	s.notice = ""
	s.late = nil
	s.gen = m.authGen
	gen := s.gen
	ctx := m.ctx
	deps := journey.Deps{API: m.client, StartListener: m.cfg.StartListener, Browser: m.cfg.Browser, Clock: m.clock, Getenv: m.cfg.Getenv}
	settings := m.cfg.Listen
	a, sec := m.answers.Clone(), m.secrets
	return tea.Batch(closing, m.spin(), func() tea.Msg {
		auth, err := journey.Begin(ctx, deps, settings, a, sec)
		return authBegunMsg{gen: gen, auth: auth, err: err}
	})
}

func (s *authorizeStep) wait(m *Model) tea.Cmd {
	auth, gen, ctx := m.auth, s.gen, m.ctx
	return func() tea.Msg {
		g, err := auth.Wait(ctx)
		return authDoneMsg{gen: gen, grant: g, err: err}
	}
}

func (s *authorizeStep) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case authBegunMsg:
		if msg.gen != s.gen {
			return m.closeLater(msg.auth) // a stale start: free its port
		}
		if msg.err != nil {
			s.phase, s.err = phaseFailed, msg.err
			return nil
		}
		s.phase = phaseWaiting // the root now holds msg.auth as m.auth
		s.began = m.clock.Now()
		cmds := []tea.Cmd{s.wait(m), m.tick(time.Second, authTickMsg{gen: s.gen})}
		if !m.accessible {
			// Printed above the wizard, unwrapped, so the terminal wraps it
			// softly and a mouse selection copies it whole (rule 16).
			cmds = append(cmds, tea.Println("Authorization address:\n"+msg.auth.URL+"\n"))
		}
		if msg.auth.PasteOnly {
			cmds = append(cmds, s.openPaste())
		}
		return tea.Batch(cmds...)
	case authDoneMsg:
		if msg.gen != s.gen {
			return nil
		}
		if msg.err != nil {
			if journey.Classify(msg.err) == journey.KindCanceled && m.quitting {
				return nil
			}
			s.phase, s.err, s.causes, s.late = phaseFailed, msg.err, nil, nil
			if journey.Classify(msg.err) == journey.KindTimeout && m.auth != nil {
				s.causes = journey.LikelyCauses(m.auth.Diagnose(), 3)
				s.late = m.auth // its address may still be pasted
			}
			closing := m.closeAuth()
			s.gen = m.authGen
			return closing
		}
		return m.apply(authorized{grant: msg.grant})
	case authTickMsg:
		if msg.gen != s.gen || (s.phase != phaseWaiting && s.phase != phasePasting && s.phase != phaseConfirm) {
			return nil
		}
		return m.tick(time.Second, authTickMsg{gen: s.gen})
	case browserMsg:
		if msg.gen == s.gen && m.auth != nil {
			if msg.st.Opened {
				s.notice = "Opened the browser again."
			} else {
				s.notice = ""
			}
		}
		return nil
	case copiedMsg:
		if msg.err != nil {
			return m.apply(notice("Could not copy: select the address with the mouse instead."))
		}
		return m.apply(notice("Copied the address (OSC 52 / clipboard)."))
	case tea.KeyMsg:
		return s.key(m, msg)
	}
	if s.phase == phasePasting {
		var cmd tea.Cmd
		s.paste, cmd = s.paste.Update(msg)
		return cmd
	}
	return nil
}

func (s *authorizeStep) openPaste() tea.Cmd {
	s.phase = phasePasting
	s.paste.SetValue("")
	return s.paste.Focus()
}

func (s *authorizeStep) key(m *Model, k tea.KeyMsg) tea.Cmd {
	keys := m.keys
	switch s.phase {
	case phaseHave:
		switch {
		case key.Matches(k, keys.Continue):
			return m.apply(answered{answers: m.answers, secrets: m.secrets})
		case key.Matches(k, keys.AuthAgain):
			return s.begin(m)
		case key.Matches(k, keys.Back):
			return m.apply(wentBack{})
		}
	case phaseStarting:
		if key.Matches(k, keys.Back) {
			return m.apply(wentBack{})
		}
	case phaseWaiting:
		switch {
		case key.Matches(k, keys.Reopen) && m.auth != nil:
			auth, gen := m.auth, s.gen
			return func() tea.Msg { return browserMsg{gen: gen, st: auth.OpenBrowser()} }
		case key.Matches(k, keys.CopyURL) && m.auth != nil:
			return m.copyText(m.auth.URL)
		case key.Matches(k, keys.Paste):
			return s.openPaste()
		case key.Matches(k, keys.Skip):
			return s.skip(m)
		case key.Matches(k, keys.Retry):
			return s.begin(m) // a new state and a new address
		case key.Matches(k, keys.Back):
			return m.apply(wentBack{})
		}
	case phasePasting:
		// The paste field has focus: every printable key is text. Only
		// enter and esc act (esc goes back to open or copy the address).
		switch {
		case key.Matches(k, keys.SubmitText):
			return s.submitPaste(m)
		case key.Matches(k, keys.CancelText):
			s.err = nil
			s.paste.Blur()
			s.phase = phaseWaiting
			if s.late != nil {
				s.phase = phaseFailed
				s.err = oauthlistener.ErrTimeout
			}
			return nil
		}
		var cmd tea.Cmd
		s.paste, cmd = s.paste.Update(k)
		return cmd
	case phaseConfirm:
		switch {
		case key.Matches(k, keys.Yes):
			if s.late != nil {
				return m.apply(authorized{grant: s.late.LateGrant(s.pasted)})
			}
			if m.auth == nil {
				return nil
			}
			if err := m.auth.Confirm(s.pasted); err != nil {
				s.err = err
				s.phase = phasePasting
			}
			return nil // Wait returns the grant
		case key.Matches(k, keys.No), key.Matches(k, keys.Back):
			return s.openPaste()
		}
	case phaseFailed:
		switch {
		case key.Matches(k, keys.Retry):
			return s.begin(m)
		case key.Matches(k, keys.Paste) && s.late != nil:
			return s.openPaste()
		case key.Matches(k, keys.Skip):
			return s.skip(m)
		case key.Matches(k, keys.Back):
			return m.apply(wentBack{})
		}
	}
	return nil
}

func (s *authorizeStep) submitPaste(m *Model) tea.Cmd {
	if s.late != nil {
		return s.submitLatePaste(m)
	}
	if m.auth == nil {
		return nil
	}
	p, err := m.auth.Paste(s.paste.Value())
	if err != nil {
		s.err = err
		var pe *oauthlistener.ProviderError
		if errors.As(err, &pe) {
			return nil // Wait returns the refusal too
		}
		s.paste.SetValue("")
		return nil
	}
	if s.takePaste(p) {
		return nil
	}
	s.phase = phaseWaiting
	s.notice = "Address accepted; finishing…"
	return nil
}

// submitLatePaste takes the address pasted after a timeout: checked
// against the timed-out authorization (its redirect URI and state, as
// during the wait), never against a weaker rule.
func (s *authorizeStep) submitLatePaste(m *Model) tea.Cmd {
	p, err := s.late.PasteLate(s.paste.Value())
	if err != nil {
		s.err = err
		s.paste.SetValue("")
		return nil
	}
	if s.takePaste(p) {
		return nil
	}
	return m.apply(authorized{grant: s.late.LateGrant(p)})
}

// takePaste closes the paste field on an accepted paste, and asks first
// (confirm) when the paste needs confirming.
func (s *authorizeStep) takePaste(p journey.Pasted) (confirm bool) {
	s.err = nil
	s.paste.Blur()
	if p.NeedsConfirmation {
		s.pasted = p
		s.phase = phaseConfirm
		return true
	}
	return false
}

// skip gives up authorizing: export-only mode (leaving the step closes the
// listener).
func (s *authorizeStep) skip(m *Model) tea.Cmd {
	return m.apply(skippedAuthorize{})
}

func (s *authorizeStep) view(m *Model) string {
	st := m.st
	w := m.contentWidth()
	var b strings.Builder
	switch s.phase {
	case phaseHave:
		if m.codeAt.IsZero() {
			b.WriteString(st.ok.Render("✓ A grant code was given") + " (--code or the body file).\n")
		} else {
			b.WriteString(st.ok.Render("✓ Authorized") + ": the grant code was caught " + humanDuration(m.clock.Now().Sub(m.codeAt)) + " ago.\n")
		}
		b.WriteString(st.dim.Render("Codes are single-use and expire: authorize again if creating fails."))
		return b.String()
	case phaseStarting:
		b.WriteString(m.spinView() + " Starting the listener and asking Cloud Elements for the authorization address…")
		return b.String()
	case phaseFailed:
		b.WriteString(m.renderError(s.err))
		if len(s.causes) > 0 {
			b.WriteString("\n" + st.hint.Width(w).Render("Likely causes:\n• "+strings.Join(s.causes, "\n• ")))
		}
		return b.String()
	}
	if s.late != nil {
		// Pasting (or confirming) after the timeout: the status line asks.
		return st.explain.Width(w).Render("The browser may have shown an address after Allow that never reached cewiz. " +
			"Paste it: it is checked against the authorization that timed out (same redirect URI, same state).")
	}
	auth := m.auth
	if auth == nil {
		return m.spinView() + " …"
	}
	bs := auth.BrowserState() // a reopen may be updating it from a Cmd
	if auth.PasteOnly {
		b.WriteString("Open this address, choose Allow, then copy the address the browser lands on\n(" + st.url.Render(auth.RedirectURI) + "?code=…) and paste it here:\n")
	} else {
		switch {
		case bs.Opened:
			b.WriteString("A browser window was opened: choose Allow there. If nothing opened,\nopen this address:\n")
		case errors.Is(bs.Err, journey.ErrBrowserDisabled):
			b.WriteString("Open this address in a browser and choose Allow:\n")
		default:
			b.WriteString(st.warn.Width(w).Render(errorSentence(bs.Err)) + "\n")
			b.WriteString("Open this address in a browser and choose Allow:\n")
		}
	}
	if m.accessible {
		b.WriteString(auth.URL)
	} else {
		b.WriteString(st.url.Render(oneLine(auth.URL, w)))
		how := "c copies it"
		if s.phase != phaseWaiting {
			how = "esc, then c copies it" // c is text in the paste field
		}
		b.WriteString("\n" + st.dim.Render("(the whole address is printed above this screen; "+how+")"))
	}
	b.WriteString("\n")
	if bs.SSHLine != "" {
		b.WriteString("\nOn your own computer, first run (it forwards the callback here):\n  " + st.code.Render(bs.SSHLine) + "\n")
	}
	if s.phase == phaseWaiting && !auth.PasteOnly && !s.began.IsZero() && m.clock.Now().Sub(s.began) >= hintAfter {
		b.WriteString("\n" + st.hint.Width(w).Render("Nothing yet? The redirect URI registered in DocuShare Flex must be exactly "+
			auth.RedirectURI+"; a browser in HTTPS-only mode may refuse http://127.0.0.1 (allow it, or paste the address with p); "+
			"over SSH, run the ssh -L line first."))
	}
	return b.String()
}

// status is what always stays on screen, however small: the wait and its
// time left, or the paste field, or the question.
func (s *authorizeStep) status(m *Model) string {
	st := m.st
	w := m.contentWidth()
	auth := m.auth
	if s.late == nil && (auth == nil || s.phase < phaseWaiting || s.phase == phaseFailed) {
		return ""
	}
	var b strings.Builder
	left := ""
	if s.late == nil && !auth.Deadline.IsZero() {
		d := auth.Deadline.Sub(m.clock.Now())
		if d < 0 {
			d = 0
		}
		left = fmt.Sprintf(" (%s left)", clockDuration(d))
	}
	switch s.phase {
	case phaseWaiting:
		if auth.PasteOnly {
			b.WriteString(m.spinView() + " Waiting for the pasted address" + left)
		} else {
			b.WriteString(m.spinView() + " Waiting for the browser at " + st.url.Render(auth.RedirectURI) + left)
		}
		if s.notice != "" {
			b.WriteString("\n" + st.dim.Render(s.notice))
		}
	case phasePasting:
		b.WriteString("Paste the address or the code, then enter" + left + ":\n")
		b.WriteString(s.paste.View())
		if n := len(s.paste.Value()); n > 0 {
			b.WriteString(st.dim.Render(fmt.Sprintf("  (%d characters)", n)))
		}
	case phaseConfirm:
		b.WriteString(st.warn.Width(w).Render("That looks like a bare code: its state cannot be checked, so make sure it comes from the authorization you just started. Use it? (y/n)"))
	}
	if s.err != nil && (s.phase == phasePasting || s.phase == phaseWaiting) {
		b.WriteString("\n" + m.inlineError(s.err))
	}
	return b.String()
}

func (s *authorizeStep) help(m *Model) []key.Binding {
	k := m.keys
	switch s.phase {
	case phaseHave:
		return []key.Binding{k.Continue, k.AuthAgain, k.Back}
	case phaseStarting:
		return []key.Binding{k.Back}
	case phaseWaiting:
		again := key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "start again"))
		if m.auth != nil && m.auth.PasteOnly {
			return []key.Binding{k.Paste, k.Reopen, k.CopyURL, again, k.Skip, k.Back}
		}
		return []key.Binding{k.Reopen, k.CopyURL, k.Paste, again, k.Skip, k.Back}
	case phasePasting:
		out := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "open/copy the address"))
		if s.late != nil {
			out = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "not now"))
		}
		return []key.Binding{k.SubmitText, out}
	case phaseConfirm:
		return []key.Binding{k.Yes, k.No}
	case phaseFailed:
		if s.late != nil {
			return []key.Binding{k.Retry, k.Paste, k.Skip, k.Back}
		}
		return []key.Binding{k.Retry, k.Skip, k.Back}
	}
	return nil
}

// typing: the paste field takes every printable key.
func (s *authorizeStep) typing(*Model) bool { return s.phase == phasePasting }

func (s *authorizeStep) resize(m *Model) { s.paste.Width = m.contentWidth() - 4 }

// oneLine shortens s to width with an ellipsis.
func oneLine(s string, width int) string {
	if len(s) <= width {
		return s
	}
	return s[:width-1] + "…"
}

// clockDuration is m:ss.
func clockDuration(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// humanDuration is "3 minutes", "40 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	case d < 2*time.Minute:
		return "1 minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.Round(time.Minute).String()
}
