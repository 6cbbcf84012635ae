package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/oauthlistener"
)

// How the grant code comes back.
const (
	callbackLoopback   = "loopback"
	callbackRegistered = "registered"
)

// DefaultRegisteredCallback is Cloud Elements' own registered page.
const DefaultRegisteredCallback = "https://auth.cloudelements.io/oauth"

// appStep: the DocuShare Flex Application ID and Secret, and how the code
// comes back (the loopback listener, whose exact redirect URI is shown for
// registration, or a registered URL where the user copies the code).
type appStep struct {
	*formScreen // init, resize, update, view and help
	apiKey      string
	apiSecret   string
	mode        string
	registered  string
}

func newApp(m *Model) *appStep {
	s := &appStep{apiKey: m.answers.APIKey, apiSecret: m.secrets.APISecret.Reveal(), mode: callbackLoopback, registered: DefaultRegisteredCallback}
	if !flow.CallbackIsLoopback(m.answers) && m.answers.CallbackURL != "" {
		s.mode = callbackRegistered
		s.registered = m.answers.CallbackURL
	}
	loop := loopbackURI(m)
	register, note := loop, "For loopback, register exactly:\n"+loop+"\n(the redirect URI must match byte for byte)"
	if m.cfg.Listen.EphemeralPort() {
		a := m.cfg.Listen.ListenAddr
		register = "http://" + strings.TrimSuffix(a, ":0") + ":PORT" + oauthlistener.DefaultPath
		note = "With --listen " + a + " the port is chosen when authorizing:\nthe Authorize step shows the exact redirect URI to register\n(give --listen a fixed port to register it once)"
	}
	form := m.newForm(
		m.group(
			huh.NewInput().Key("apikey").Title("Application ID").
				Description("DocuShare Flex → Administration → Application Settings → OAuth Application.").
				Value(&s.apiKey).Validate(m.orKeep(&s.apiKey, flow.ValidateAPIKey)),
			huh.NewInput().Key("apisecret").Title("Application Secret").
				Description("Hidden, never saved.").
				EchoMode(huh.EchoModePassword).Value(&s.apiSecret).Validate(m.secretValidator(flow.ValidateSecretText("Application Secret"), m.secrets.APISecret)),
		),
		m.group(
			themed(m, huh.NewSelect[string]()).Key("mode").Title("How does the code come back?").
				Description(note).
				Options(
					huh.NewOption("Here, to cewiz (loopback): register "+register, callbackLoopback),
					huh.NewOption("A registered URL: I paste the code or the address", callbackRegistered),
				).Value(&s.mode),
		),
		// Its own group, shown only for the paste option: it never takes
		// focus when the loopback listener catches the code.
		m.group(
			huh.NewInput().Key("registered").Title("Registered redirect URL").
				Description("The redirect URI registered in DocuShare Flex, e.g. "+DefaultRegisteredCallback+".").
				Value(&s.registered).Validate(m.orKeep(&s.registered, func(v string) error {
				if s.mode != callbackRegistered {
					return nil
				}
				return flow.ValidateCallbackURL(strings.TrimSpace(v))
			})),
		).WithHideFunc(func() bool { return s.mode != callbackRegistered }),
	)
	s.formScreen = &formScreen{form: form, submit: s.submit}
	return s
}

// loopbackURI is the redirect URI the listener catches: the one a fixed
// --listen port implies (the answers' own when it is loopback on that port,
// byte for byte), else the answers' own when it is loopback, else the
// default. With --listen PORT 0 the listener's chosen port replaces it when
// authorizing.
func loopbackURI(m *Model) string {
	own := ""
	if flow.CallbackIsLoopback(m.answers) {
		own = m.answers.CallbackURL
	}
	if a := m.cfg.Listen.ListenAddr; a != "" && !m.cfg.Listen.EphemeralPort() {
		if r, err := oauthlistener.ParseRedirectURI("http://" + a + oauthlistener.DefaultPath); err == nil && r.Loopback {
			if o, err := oauthlistener.ParseRedirectURI(own); err == nil && o.Port() == r.Port() {
				return own
			}
			return r.Raw
		}
	}
	if own != "" {
		return own
	}
	return oauthlistener.DefaultRedirectURI
}

func (s *appStep) submit(m *Model) tea.Cmd {
	cb := loopbackURI(m)
	if s.mode == callbackRegistered {
		cb = strings.TrimSpace(s.registered)
	}
	a, sec := m.answers, m.secrets // apply copies them
	a.APIKey = strings.TrimSpace(s.apiKey)
	sec.APISecret = keepSecret(s.apiSecret, m.secrets.APISecret)
	a.CallbackURL = cb
	return m.apply(answered{answers: a, secrets: sec})
}
