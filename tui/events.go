package tui

import (
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
)

// eventsStep: notifications on/off, the notification callback URL, the
// refresh interval.
type eventsStep struct {
	*formScreen // init, resize, update, view and help
	enabled     bool
	url         string
	interval    string
}

func newEvents(m *Model) *eventsStep {
	s := &eventsStep{enabled: m.answers.EventsEnabled, url: m.answers.NotificationURL, interval: strconv.Itoa(m.answers.RefreshInterval)}
	form := m.newForm(huh.NewGroup(
		huh.NewConfirm().Key("enabled").Title("Send event notifications?").
			Description("event.notification.enabled").
			Affirmative("Yes").Negative("No").Value(&s.enabled),
		huh.NewInput().Key("url").Title("Notification callback URL").
			Description("https address that receives the events (event.notification.callback.url).").
			Placeholder("https://example.com/events").
			Value(&s.url).Validate(m.orKeep(&s.url, func(v string) error {
			if !s.enabled && strings.TrimSpace(v) == "" {
				return nil
			}
			return flow.ValidateNotificationURL(v)
		})),
		huh.NewInput().Key("interval").Title("Polling interval, minutes").
			Description("event.poller.refresh_interval (1-1440).").
			Value(&s.interval).Validate(m.orKeep(&s.interval, flow.ValidateRefreshInterval)),
	))
	s.formScreen = &formScreen{form: form, submit: s.submit, top: s.top}
	return s
}

func (s *eventsStep) top(m *Model) string {
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
	a := m.answers.Clone()
	a.EventsEnabled = s.enabled
	a.NotificationURL = strings.TrimSpace(s.url)
	a.RefreshInterval = n
	return m.apply(answered{answers: a, secrets: m.secrets})
}
