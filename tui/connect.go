package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

// customRegion is the region choice for any other base URL.
const customRegion = "custom"

// connectTimeout bounds the secrets check.
const connectTimeout = 30 * time.Second

// connectStep: region or base URL, the User and Organization secrets, then
// a check against Cloud Elements (GET /elements/docushareflex) with a
// spinner. A 401 keeps the user here with the reason; a network failure
// offers export-only mode.
type connectStep struct {
	fs       *formScreen
	region   string
	baseURL  string
	user     string
	org      string
	checking bool
	err      error
	offline  bool // the last failure was the network: offer export-only
	errShown bool // accessible mode printed err

	// answers and secrets are the ones being tried: the root gets them
	// once Cloud Elements accepts them (or the user goes offline).
	answers flow.Answers
	secrets flow.Secrets
	// prevUser and prevOrg are what an empty answer keeps in accessible
	// mode; a refused secret is not kept.
	prevUser, prevOrg flow.Secret
}

// checkedMsg is the outcome of the secrets check.
type checkedMsg struct {
	client   Client
	defaults flow.PollerConfig
	err      error
}

func newConnect(m *Model) *connectStep {
	s := &connectStep{
		region:   m.answers.Region,
		baseURL:  m.answers.BaseURL,
		user:     m.secrets.UserSecret.Reveal(),
		org:      m.secrets.OrgSecret.Reveal(),
		answers:  m.answers.Clone(),
		secrets:  m.secrets,
		prevUser: m.secrets.UserSecret,
		prevOrg:  m.secrets.OrgSecret,
	}
	if s.region == "" {
		s.region = customRegion
	}
	s.build(m)
	return s
}

// regionOptions are static (accessible mode cannot evaluate OptionsFunc).
func regionOptions() []huh.Option[string] {
	opts := make([]huh.Option[string], 0, len(flow.RegionNames)+1)
	for _, r := range flow.RegionNames {
		opts = append(opts, huh.NewOption(fmt.Sprintf("%-8s %s", r, hostOf(flow.Regions[r])), r))
	}
	return append(opts, huh.NewOption("custom   another base URL (below)", customRegion))
}

func hostOf(u string) string {
	u = strings.TrimPrefix(u, "https://")
	return strings.TrimSuffix(u, flow.APIPath)
}

func (s *connectStep) build(m *Model) {
	form := m.newForm(
		huh.NewGroup(
			huh.NewSelect[string]().Key("region").Title("Region").
				Description("Where your Cloud Elements account lives.").
				Options(regionOptions()...).Value(&s.region),
			huh.NewInput().Key("baseurl").Title("Base URL (for custom)").
				Description("Used only with the custom region; a bare host gets "+flow.APIPath+".").
				Value(&s.baseURL).Validate(m.orKeep(&s.baseURL, func(v string) error {
				if s.region != customRegion {
					return nil
				}
				_, err := flow.NormalizeBaseURL(v)
				return err
			})),
		),
		huh.NewGroup(
			huh.NewInput().Key("user").Title("User secret").
				Description("Cloud Elements console → your profile. Hidden, never saved.").
				EchoMode(huh.EchoModePassword).Value(&s.user).Validate(m.secretValidator(flow.ValidatePlatformSecret("User secret"), s.prevUser)),
			huh.NewInput().Key("org").Title("Organization secret").
				EchoMode(huh.EchoModePassword).Value(&s.org).Validate(m.secretValidator(flow.ValidatePlatformSecret("Organization secret"), s.prevOrg)),
		),
	)
	s.fs = &formScreen{form: form, submit: s.submit, top: s.top}
	if journey.Classify(s.err) == journey.KindUnauthorized {
		s.fs.startGroup = 1 // straight back to the secrets, emptied
	}
}

func (s *connectStep) top(m *Model) string {
	e := m.renderError(s.err)
	if s.offline {
		e += "\n" + m.st.hint.Render("Press x to continue offline (export only), or submit again to retry.")
	}
	return e
}

func (s *connectStep) submit(m *Model) tea.Cmd {
	base := s.baseURL
	if s.region != customRegion {
		base = flow.Regions[s.region]
	}
	u, err := flow.NormalizeBaseURL(base)
	if err != nil {
		s.err = err
		s.build(m)
		return s.fs.init(m)
	}
	s.answers.BaseURL, s.answers.Region = u, flow.RegionOf(u)
	s.secrets.UserSecret = keepSecret(s.user, s.prevUser)
	s.secrets.OrgSecret = keepSecret(s.org, s.prevOrg)
	s.checking, s.err, s.offline = true, nil, false
	return tea.Batch(m.spin(), checkConnection(m.ctx, m.cfg.NewClient, u, s.secrets))
}

// checkConnection checks the secrets (GET /elements/{key}) and reads the
// element's default poller configuration for the Resources step.
func checkConnection(ctx context.Context, factory ClientFactory, base string, sec flow.Secrets) tea.Cmd {
	return func() tea.Msg {
		if factory == nil {
			return checkedMsg{err: errNoClient}
		}
		c, err := factory(base, sec)
		if err != nil {
			return checkedMsg{err: err}
		}
		ctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		if _, err := c.ElementInfo(ctx); err != nil {
			return checkedMsg{err: err}
		}
		defaults, derr := c.ElementPollerDefaults(ctx)
		if derr != nil {
			defaults = nil // the presets are offered instead
		}
		return checkedMsg{client: c, defaults: defaults}
	}
}

func (s *connectStep) init(m *Model) tea.Cmd { return s.fs.init(m) }

func (s *connectStep) resize(m *Model) { s.fs.resize(m) }

func (s *connectStep) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case checkedMsg:
		if !s.checking {
			return nil
		}
		s.checking = false
		if msg.err != nil {
			if journey.Classify(msg.err) == journey.KindCanceled {
				return nil
			}
			s.err, s.errShown = msg.err, false
			k := journey.Classify(msg.err)
			s.offline = k == journey.KindNetwork || k == journey.KindTimeout
			if k == journey.KindUnauthorized {
				// Typing into a field holding the refused secret would
				// append to it: start the secrets afresh.
				s.user, s.org = "", ""
				s.prevUser, s.prevOrg = flow.Secret{}, flow.Secret{}
			}
			s.build(m)
			return s.fs.init(m)
		}
		return m.apply(connected{answers: s.answers, secrets: s.secrets, client: msg.client, defaults: msg.defaults})
	case tea.KeyMsg:
		if s.checking {
			return nil
		}
		if s.offline && key.Matches(msg, m.keys.Offline) {
			return s.goOffline(m)
		}
	}
	if s.checking {
		return nil
	}
	return s.fs.update(m, msg)
}

// goOffline continues without Cloud Elements: export-only mode.
func (s *connectStep) goOffline(m *Model) tea.Cmd {
	return m.apply(wentOffline{answers: s.answers, secrets: s.secrets})
}

func (s *connectStep) view(m *Model) string {
	if s.checking {
		return m.spinView() + " Checking the secrets with Cloud Elements at " + m.st.url.Render(s.answers.BaseURL) + " …"
	}
	return s.fs.view(m)
}

func (s *connectStep) help(m *Model) []key.Binding {
	var out []key.Binding
	if s.offline && !s.checking {
		out = append(out, m.keys.Offline)
	}
	if m.nav.Editing() {
		out = append(out, m.keys.Back)
	}
	return out
}

// secretValidator checks a typed secret with check. In accessible mode a
// password prompt cannot show the value it already has, so an empty answer
// keeps it.
func (m *Model) secretValidator(check func(string) error, prev flow.Secret) func(string) error {
	return func(v string) error {
		if v == "" && m.accessible && !prev.IsZero() {
			return nil
		}
		return check(v)
	}
}

// keepSecret is the typed value, or the previous one for an empty answer.
func keepSecret(typed string, prev flow.Secret) flow.Secret {
	if typed == "" {
		return prev
	}
	return flow.NewSecret(typed)
}

// orKeep wraps a field's validator for accessible mode, where huh checks
// the typed line before falling back to the shown value: an empty line
// keeps the current value (*cur) when there is one.
func (m *Model) orKeep(cur *string, check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" && m.accessible && *cur != "" {
			return nil
		}
		return check(v)
	}
}
