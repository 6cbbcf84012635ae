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
// spinner. A 401 keeps the user here with the reason. After a failure the
// ways on are choices in a list, never hidden letter keys (a letter typed
// into a field is always text): try again, change the answers, continue
// offline (export only) when Cloud Elements cannot be reached, and in
// --sandbox restore the demo values.
type connectStep struct {
	fs       *formScreen
	region   string
	baseURL  string
	user     string
	org      string
	checking bool
	err      error
	errShown bool // accessible mode printed err

	// choices is the list of ways on shown after a failure (nil: the
	// form is shown).
	choices *formScreen
	choice  string

	// answers and secrets are the ones being tried: the root gets them
	// once Cloud Elements accepts them (or the user goes offline).
	answers flow.Answers
	secrets flow.Secrets
	// prevUser and prevOrg are what an empty answer keeps in accessible
	// mode; a refused secret is not kept.
	prevUser, prevOrg flow.Secret
}

// The ways on after a failed check.
const (
	choiceRetry   = "retry"
	choiceEdit    = "edit"
	choiceSecrets = "secrets"
	choiceDemo    = "demo"
	choiceOffline = "offline"
)

// checkedMsg is the outcome of the secrets check.
type checkedMsg struct {
	client   Client
	defaults flow.PollerConfig
	// defaultsErr is why the element's default poller configuration could
	// not be read (the Resources step says so).
	defaultsErr error
	err         error
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
	return append(opts, huh.NewOption("custom   another base URL (next)", customRegion))
}

func hostOf(u string) string {
	u = strings.TrimPrefix(u, "https://")
	return strings.TrimSuffix(u, flow.APIPath)
}

// build makes the form: the region, the base URL (its own group, shown only
// for the custom region, so it never takes focus otherwise), the secrets.
func (s *connectStep) build(m *Model) {
	form := m.newForm(
		m.group(
			themed(m, huh.NewSelect[string]()).Key("region").Title("Region").
				Description("Where your Cloud Elements account lives.").
				Options(regionOptions()...).Value(&s.region),
		),
		m.group(
			huh.NewInput().Key("baseurl").Title("Base URL").
				Description("Your Cloud Elements API address; a bare host gets "+flow.APIPath+".").
				Value(&s.baseURL).Validate(m.orKeep(&s.baseURL, func(v string) error {
				if s.region != customRegion {
					return nil
				}
				_, err := flow.NormalizeBaseURL(v)
				return err
			})),
		).WithHideFunc(func() bool { return s.region != customRegion }),
		m.group(
			huh.NewInput().Key("user").Title("User secret").
				Description("Cloud Elements console → your profile. Hidden, never saved.").
				EchoMode(huh.EchoModePassword).Value(&s.user).Validate(m.secretValidator(flow.ValidatePlatformSecret("User secret"), s.prevUser)),
			huh.NewInput().Key("org").Title("Organization secret").
				EchoMode(huh.EchoModePassword).Value(&s.org).Validate(m.secretValidator(flow.ValidatePlatformSecret("Organization secret"), s.prevOrg)),
		),
	)
	s.fs = &formScreen{form: form, submit: s.submit, top: s.top}
}

// toSecrets opens the form at the secrets (after a 401, emptied).
func (s *connectStep) toSecrets() {
	s.fs.startGroup = 1
	if s.region == customRegion {
		s.fs.startGroup = 2
	}
}

// afterFailure shows the failure: the list of ways on when there is more
// than one, else the form (a 401 outside the sandbox: the secrets again).
func (s *connectStep) afterFailure(m *Model) tea.Cmd {
	s.build(m)
	k := journey.Classify(s.err)
	var opts []huh.Option[string]
	demo := m.cfg.Demo != nil
	switch {
	case s.unreachable():
		opts = append(opts, huh.NewOption("Try again", choiceRetry),
			huh.NewOption("Change the region or base URL", choiceEdit))
		if demo {
			opts = append(opts, huh.NewOption("Restore the demo values and try again", choiceDemo))
		}
		opts = append(opts, huh.NewOption("Continue offline (export only: nothing is sent)", choiceOffline))
	case demo && k == journey.KindUnauthorized:
		opts = append(opts, huh.NewOption("Restore the demo secrets and try again", choiceDemo),
			huh.NewOption("Type the secrets again", choiceSecrets))
	case demo:
		opts = append(opts, huh.NewOption("Restore the demo values and try again", choiceDemo),
			huh.NewOption("Change the answers", choiceEdit))
	}
	if len(opts) == 0 {
		s.choices = nil
		if k == journey.KindUnauthorized {
			s.toSecrets()
		}
		return s.fs.init(m)
	}
	s.choice = opts[0].Value
	s.choices = &formScreen{
		form: m.newForm(m.group(themed(m, huh.NewSelect[string]()).Key("next").Title("What now?").
			Options(opts...).Value(&s.choice))),
		top:    s.top,
		submit: s.choose,
	}
	return s.choices.init(m)
}

// active is the form on screen: the ways on after a failure, or the form.
func (s *connectStep) active() *formScreen {
	if s.choices != nil {
		return s.choices
	}
	return s.fs
}

// choose acts on the chosen way on.
func (s *connectStep) choose(m *Model) tea.Cmd {
	s.choices = nil
	switch s.choice {
	case choiceRetry:
		return s.check(m)
	case choiceOffline:
		return s.goOffline(m)
	case choiceDemo:
		d := m.cfg.Demo
		if journey.Classify(s.err) != journey.KindUnauthorized {
			s.region, s.baseURL = customRegion, d.BaseURL
		}
		s.user, s.org = d.Secrets.UserSecret.Reveal(), d.Secrets.OrgSecret.Reveal()
		s.prevUser, s.prevOrg = d.Secrets.UserSecret, d.Secrets.OrgSecret
		return s.submit(m)
	case choiceSecrets:
		s.build(m)
		s.toSecrets()
		return s.fs.init(m)
	}
	s.build(m)
	return s.fs.init(m)
}

func (s *connectStep) top(m *Model) string {
	var parts []string
	if d := m.cfg.Demo; d != nil {
		parts = append(parts, m.st.dim.Width(m.contentWidth()).Render(d.describe()))
	}
	if s.err != nil {
		parts = append(parts, m.renderError(s.err))
	}
	return strings.Join(parts, "\n")
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
	return s.check(m)
}

// unreachable: the last failure was the network (or a timeout), so
// export-only is offered.
func (s *connectStep) unreachable() bool {
	k := journey.Classify(s.err)
	return k == journey.KindNetwork || k == journey.KindTimeout
}

// check asks Cloud Elements with the answers being tried.
func (s *connectStep) check(m *Model) tea.Cmd {
	s.checking, s.err = true, nil
	return tea.Batch(m.spin(), checkConnection(m.ctx, m.cfg.NewClient, s.answers.BaseURL, s.secrets))
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
			defaults = nil // the Resources step says why, and offers the guess
		}
		return checkedMsg{client: c, defaults: defaults, defaultsErr: derr}
	}
}

func (s *connectStep) init(m *Model) tea.Cmd { return s.fs.init(m) }

func (s *connectStep) resize(m *Model) {
	s.fs.resize(m)
	if s.choices != nil {
		s.choices.resize(m)
	}
}

func (s *connectStep) update(m *Model, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(checkedMsg); ok {
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
			if k == journey.KindUnauthorized {
				// Typing into a field holding the refused secret would
				// append to it: start the secrets afresh.
				s.user, s.org = "", ""
				s.prevUser, s.prevOrg = flow.Secret{}, flow.Secret{}
			}
			return s.afterFailure(m)
		}
		return m.apply(connected{answers: s.answers, secrets: s.secrets, client: msg.client, defaults: msg.defaults, defaultsErr: msg.defaultsErr})
	}
	if s.checking {
		return nil
	}
	return s.active().update(m, msg)
}

// goOffline continues without Cloud Elements: export-only mode.
func (s *connectStep) goOffline(m *Model) tea.Cmd {
	return m.apply(wentOffline{answers: s.answers, secrets: s.secrets})
}

func (s *connectStep) view(m *Model) string {
	if s.checking {
		return m.spinView() + " Checking the secrets with Cloud Elements at " + m.st.url.Render(s.answers.BaseURL) + " …"
	}
	return s.active().view(m)
}

func (s *connectStep) help(m *Model) []key.Binding {
	if s.checking {
		return nil
	}
	if m.nav.Editing() {
		return []key.Binding{m.keys.Back}
	}
	return nil
}

func (s *connectStep) typing(m *Model) bool {
	return !s.checking && s.active().typing(m)
}

func (s *connectStep) activeForm() *huh.Form {
	if s.checking {
		return nil
	}
	return s.active().activeForm()
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
