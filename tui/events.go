package tui

import (
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
)

// eventsStep: notifications on/off, the notification callback URL, whether
// notifications are signed, the refresh interval.
type eventsStep struct {
	*formScreen // init, resize, update, view and help
	enabled     bool
	url         string
	sign        bool
	interval    string
}

func newEvents(m *Model) *eventsStep {
	s := &eventsStep{enabled: m.answers.EventsEnabled, url: m.answers.NotificationURL, interval: strconv.Itoa(m.answers.RefreshInterval),
		sign: m.answers.SignNotifications || !m.secrets.SignatureKey.IsZero()}
	form := m.newForm(m.group(
		huh.NewConfirm().Key("enabled").Title("Send event notifications?").
			Description("event.notification.enabled").
			Affirmative("Yes").Negative("No").Value(&s.enabled),
		huh.NewInput().Key("url").Title("Notification callback URL").
			Description("The address that receives the events (event.notification.callback.url).").
			Placeholder("https://example.com/events").
			Value(&s.url).Validate(m.orKeep(&s.url, func(v string) error {
			if !s.enabled && strings.TrimSpace(v) == "" {
				return nil
			}
			return flow.ValidateNotificationURL(v)
		})),
		huh.NewConfirm().Key("sign").Title("Sign notifications with a random key?").Inline(true).
			Affirmative("Yes").Negative("No").Value(&s.sign),
		huh.NewInput().Key("interval").Title("Polling interval, minutes").
			Description("event.poller.refresh_interval (1-1440).").
			Value(&s.interval).Validate(m.orKeep(&s.interval, flow.ValidateRefreshInterval)),
	))
	s.formScreen = &formScreen{form: form, submit: s.submit, top: s.top}
	return s
}

func (s *eventsStep) top(m *Model) string {
	if feed := m.cfg.Notifications; feed != nil && m.answers.NotificationURL == feed.URL() {
		// The sandbox delivers to this machine: the loopback warning would mislead.
		return m.st.dim.Render("The sandbox sends its notifications to cewiz's own receiver at this URL: keep it to see the first events arrive on the last screen.")
	}
	if w, _ := flow.CheckNotificationURL(m.answers.NotificationURL); w != nil && m.answers.NotificationURL != "" {
		return m.st.warn.Render("! " + w.Error())
	}
	return ""
}

func (s *eventsStep) submit(m *Model) tea.Cmd {
	n, err := flow.ParseRefreshInterval(s.interval)
	if err != nil {
		return nil
	}
	a, sec := m.answers, m.secrets // apply copies them
	a.EventsEnabled = s.enabled
	a.NotificationURL = strings.TrimSpace(s.url)
	a.RefreshInterval = n
	// The key is made once and kept while signing stays on; turning it off
	// forgets it.
	a.SignNotifications = s.sign
	switch {
	case !s.sign:
		sec.SignatureKey = flow.Secret{}
	case sec.SignatureKey.IsZero():
		sec.SignatureKey = flow.NewSignatureKey()
	}
	return m.apply(answered{answers: a, secrets: sec})
}
