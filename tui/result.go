package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey"
)

// resultStep: the created instance: id, name, token (masked; reveal and
// copy), events, the signing key (shown once, on request), where the
// summary was saved (0600), and, with a local receiver (--sandbox), the
// notifications as they arrive.
type resultStep struct {
	inst       *cloudelements.Instance
	summary    string
	summaryErr error
	reveal     bool
	// keyShown: 0 not yet, 1 on screen now, 2 shown and hidden again.
	keyShown   int
	deliveries []events.Delivery // the newest last
}

// maxDeliveries is how many notifications the screen lists (the newest),
// so that it still fits 80×24.
const maxDeliveries = 3

// deliveredMsg is a notification the local receiver got.
type deliveredMsg struct{ d events.Delivery }

func newResult(*Model) *resultStep { return &resultStep{inst: &cloudelements.Instance{}} }

func (s *resultStep) init(m *Model) tea.Cmd { return s.nextDelivery(m) }

// nextDelivery waits for the receiver's next notification.
func (s *resultStep) nextDelivery(m *Model) tea.Cmd {
	feed := m.cfg.Notifications
	if feed == nil {
		return nil
	}
	ctx, ch := m.ctx, feed.Deliveries()
	return func() tea.Msg {
		select {
		case d := <-ch:
			return deliveredMsg{d}
		case <-ctx.Done():
			return nil
		}
	}
}

func (s *resultStep) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case deliveredMsg:
		// Another instance's notifications (an earlier one of this sandbox)
		// are not this screen's.
		if id, ok := msg.d.Notification.Instance(); !ok || id == s.inst.ID || !msg.d.Accepted() {
			s.deliveries = append(s.deliveries, msg.d)
			if len(s.deliveries) > maxDeliveries {
				s.deliveries = s.deliveries[1:]
			}
		}
		return s.nextDelivery(m)
	case copiedMsg:
		if msg.err != nil {
			return m.apply(notice("Could not copy the token: reveal it (r) and select it instead."))
		}
		return m.apply(notice("Copied the token (OSC 52 / clipboard)."))
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Reveal):
			s.reveal = !s.reveal
		case key.Matches(msg, m.keys.RevealKey) && s.signed(m):
			if s.keyShown < 2 {
				s.keyShown++
			}
		case key.Matches(msg, m.keys.CopyToken):
			return m.copyText(s.inst.Token.Reveal())
		case key.Matches(msg, m.keys.Finish):
			return m.apply(finished{s.outcome()})
		}
	}
	return nil
}

// signed reports whether the instance signs its notifications.
func (s *resultStep) signed(m *Model) bool {
	return m.answers.EventsEnabled && !m.secrets.SignatureKey.IsZero()
}

// outcome is the wizard's end on this screen: the instance and its summary.
func (s *resultStep) outcome() Outcome {
	return Outcome{Kind: OutcomeCreated, Instance: s.inst, SummaryPath: s.summary, SummaryErr: s.summaryErr}
}

func (s *resultStep) view(m *Model) string {
	st := m.st
	in := s.inst
	var b strings.Builder
	row := func(label, v string) {
		fmt.Fprintf(&b, "%s %s\n", st.label.Render(fmt.Sprintf("%-15s", label)), v)
	}
	b.WriteString(st.ok.Render("✓ The instance was created.") + "\n\n")
	row("id", st.code.Render(fmt.Sprint(in.ID)))
	row("name", in.Name)
	tok := flow.Mask
	if s.reveal {
		tok = in.Token.Reveal()
	}
	row("token", st.code.Render(tok)+st.dim.Render("  (r reveal, c copy)"))
	ev := "off"
	if in.EventsEnabled {
		ev = "on"
	}
	row("events", ev+st.dim.Render(fmt.Sprintf(" (polling every %d min)", m.answers.RefreshInterval)))
	if s.signed(m) {
		switch s.keyShown {
		case 0:
			row("signing key", st.code.Render(flow.Mask)+st.dim.Render("  (k show it once)"))
		case 1:
			row("signing key", st.code.Render(m.secrets.SignatureKey.Reveal())+st.dim.Render("  (k hide it; it is not shown again)"))
		default:
			row("signing key", st.code.Render(flow.Mask)+st.dim.Render("  (shown once; it is in the summary file)"))
		}
	}
	if in.Element.Key != "" {
		row("element", in.Element.Key)
	}
	if in.Recovered {
		b.WriteString(st.warn.Render("! The answer was lost on the way; the instance was found afterwards by its name.") + "\n")
	}
	if feed := m.cfg.Notifications; feed != nil && in.EventsEnabled {
		b.WriteString("\n" + s.notificationsView(m, feed))
	}
	b.WriteString("\n")
	switch {
	case s.summaryErr != nil:
		b.WriteString(m.inlineError(fmt.Errorf("the summary could not be saved: %w", s.summaryErr)) + "\n")
	case s.summary != "":
		what := "id, token"
		if s.signed(m) {
			what += ", signing key"
		}
		b.WriteString("Summary (" + what + ") saved to " + st.url.Render(journey.ShortPath(s.summary, m.cfg.home())) + st.dim.Render(" (mode 0600)") + "\n")
	}
	if m.cfg.Notifications == nil {
		// (With notifications listed, the header already says it.)
		b.WriteString(st.dim.Render("Keep the id and the token: every later call on the instance needs them."))
	}
	return strings.TrimRight(b.String(), "\n")
}

// notificationsView lists what the local receiver got, or says it waits.
func (s *resultStep) notificationsView(m *Model, feed NotificationFeed) string {
	st := m.st
	var b strings.Builder
	b.WriteString(st.label.Render("Notifications") + st.dim.Render(" → "+feed.URL()) + "\n")
	if len(s.deliveries) == 0 {
		b.WriteString(m.spinView() + st.dim.Render(" Waiting for the first notification: the sandbox changes a document every second, and each event goes NEW → RECEIVED → DISPATCHED → CONSUMED → NOTIFIED.") + "\n")
		return b.String()
	}
	for _, d := range s.deliveries {
		at := d.At.Format("15:04:05") // the receiver's clock: local time
		if !d.Accepted() {
			b.WriteString(ansi.Truncate(st.warn.Render(fmt.Sprintf("✗ %s refused (%d): %s", at, d.Status, refusal(d.Err))), m.width, "…") + "\n")
			continue
		}
		for _, l := range events.Lines(d) {
			check := "unsigned"
			switch l.Signature {
			case "sha256", "sha1":
				check = "signature verified"
			case "unverified":
				check = "signature not checked"
			}
			line := st.ok.Render("✓ ") + fmt.Sprintf("%s  %s %s %s", at, l.ObjectType, l.EventType, l.ObjectID) + st.dim.Render("  event "+l.EventID+", "+check)
			b.WriteString(ansi.Truncate(line, m.width, "…") + "\n")
		}
	}
	return b.String()
}

// refusal says in a few words why a notification was refused.
func refusal(err error) string {
	switch {
	case errors.Is(err, events.ErrBadSignature):
		return "wrong signature"
	case errors.Is(err, events.ErrNoSignature):
		return "no signature"
	case errors.Is(err, events.ErrUnknownScheme):
		return "unknown signature scheme"
	case errors.Is(err, events.ErrReplay):
		return "received before (a replay)"
	case errors.Is(err, events.ErrTooLarge):
		return "body too large"
	case errors.Is(err, events.ErrSlowBody):
		return "body too slow"
	case errors.Is(err, events.ErrMethod):
		return "not a POST"
	case errors.Is(err, events.ErrNotNotification):
		return "not a notification"
	}
	return err.Error()
}

func (s *resultStep) help(m *Model) []key.Binding {
	if s.signed(m) && s.keyShown < 2 {
		return []key.Binding{m.keys.Reveal, m.keys.CopyToken, m.keys.RevealKey, m.keys.Finish}
	}
	return []key.Binding{m.keys.Reveal, m.keys.CopyToken, m.keys.Finish}
}
