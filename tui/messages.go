package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// A screen never assigns to the Model: it says what happened with one of
// the messages below, and the root applies it (apply), the way glow's and
// soft-serve's sub-models return messages for their root. A screen hands
// a message over with m.apply and returns what applying it starts; a
// message that ends a command (createdMsg) reaches apply through Update.
// Where the wizard goes next is flow.Navigator's decision.

// change is a message for the root model.
type change interface{ isChange() }

// answered: a question step was answered; the answers and secrets as they
// are now. The root voids the grant code when an answer it is bound to
// changed, then moves on.
type answered struct {
	answers flow.Answers
	secrets flow.Secrets
}

// connected: Cloud Elements accepted the secrets; client talks to it with
// the answers' base URL.
type connected struct {
	answers  flow.Answers
	secrets  flow.Secrets
	client   Client
	defaults flow.PollerConfig // the element's own poller configuration, if any
	// defaultsErr is why the element's default could not be read or parsed.
	defaultsErr error
}

// wentOffline: the user goes on without Cloud Elements (export only).
type wentOffline struct {
	answers flow.Answers
	secrets flow.Secrets
}

// authorized: the grant code arrived.
type authorized struct{ grant journey.Grant }

// skippedAuthorize: the user gave up authorizing (export only).
type skippedAuthorize struct{}

// wentBack: esc on a question step. resourceTicks, from Resources, are the
// ticks to show again when the user comes back (going back never drops them).
type wentBack struct{ resourceTicks *flow.PollerConfig }

// editStep: "edit a step" on Review.
type editStep struct{ step flow.Step }

// createRequested: "create" on Review (authorize first without a code).
type createRequested struct{}

// authorizeAgain: "authorize again & retry" on the error screen: forget the
// code, authorize, then create.
type authorizeAgain struct{}

// showStep: go straight to a step (retry the create, back to Review).
type showStep struct{ step flow.Step }

// createdMsg ends the create request: the instance, or why not.
type createdMsg struct {
	inst *cloudelements.Instance
	err  error
}

// exported: the body was written to path (with the real secrets or not).
type exported struct {
	path        string
	withSecrets bool
}

// notice is a one-shot line under the header.
type notice string

// finished ends the wizard with an outcome.
type finished struct{ outcome Outcome }

func (answered) isChange()         {}
func (connected) isChange()        {}
func (wentOffline) isChange()      {}
func (authorized) isChange()       {}
func (skippedAuthorize) isChange() {}
func (wentBack) isChange()         {}
func (editStep) isChange()         {}
func (createRequested) isChange()  {}
func (authorizeAgain) isChange()   {}
func (showStep) isChange()         {}
func (createdMsg) isChange()       {}
func (exported) isChange()         {}
func (notice) isChange()           {}
func (finished) isChange()         {}

// apply is the one place where the wizard's state changes: the answers,
// the grant code, the connection, the step, the notice and the outcome.
// It keeps its own copy of the answers a change carries: a step sends a
// shallow copy of m.answers with the fields it asked for assigned.
func (m *Model) apply(c change) tea.Cmd {
	switch c := c.(type) {
	case answered:
		if m.step == flow.StepResources {
			m.resourceTicks = nil // answered: the answers hold them now
		}
		voided := !m.answers.Code.IsZero() && flow.CodeBoundChanged(m.answers, c.answers, m.secrets, c.secrets)
		m.answers, m.secrets = c.answers.Clone(), c.secrets
		if voided {
			m.answers.Code = flow.Secret{}
			m.codeAt = time.Time{}
		}
		return m.goTo(m.nav.Next(m.step, voided))
	case connected:
		m.answers, m.secrets = c.answers.Clone(), c.secrets
		m.client, m.pollerDefaults, m.pollerDefaultsErr = c.client, c.defaults, c.defaultsErr
		m.flash = "✓ Connected to Cloud Elements: the secrets were accepted."
		return m.goTo(m.nav.Connected(!m.answers.Code.IsZero()))
	case wentOffline:
		m.answers, m.secrets = c.answers.Clone(), c.secrets
		m.client = nil
		m.flash = "Export-only mode: nothing is sent; the body can be exported at the end."
		return m.goTo(m.nav.Offline())
	case authorized:
		c.grant.Apply(&m.answers)
		m.codeAt = c.grant.ObtainedAt
		m.flash = "✓ Authorized: the grant code arrived (" + c.grant.Source.String() + ")."
		return m.goTo(m.nav.Authorized())
	case skippedAuthorize:
		m.flash = "Export-only mode: the body can be exported at the end; nothing is created."
		return m.goTo(m.nav.SkipAuthorize())
	case wentBack:
		if c.resourceTicks != nil {
			m.resourceTicks = c.resourceTicks
		}
		to, ok := m.nav.Back(m.step)
		if !ok {
			return nil
		}
		return m.goTo(to)
	case editStep:
		to, ok := m.nav.Edit(c.step)
		if !ok {
			return nil
		}
		return m.goTo(to)
	case createRequested:
		return m.goTo(m.nav.Create(!m.answers.Code.IsZero()))
	case authorizeAgain:
		m.answers.Code = flow.Secret{}
		return m.goTo(m.nav.AuthorizeAgain())
	case showStep:
		return m.goTo(c.step)
	case createdMsg:
		if m.step != flow.StepCreate || m.quitting {
			return nil
		}
		m.creating = nil
		if c.err != nil {
			return m.show(flow.StepError, newErrorScreen(m, c.err))
		}
		// Success: the summary and the remembered answers are written
		// now, and only now.
		path, err := m.recordCreated(c.inst)
		return m.show(flow.StepResult, &resultStep{inst: c.inst, summary: path, summaryErr: err})
	case exported:
		m.outcome.ExportPath = c.path
		perm := "0644, no secrets"
		if c.withSecrets {
			perm = "0600, holds secrets"
		}
		m.flash = fmt.Sprintf("✓ Exported the body to %s (%s).", c.path, perm)
		m.remember()
		return nil
	case notice:
		m.flash = string(c)
		return nil
	case finished:
		return m.quit(c.outcome)
	}
	panic(fmt.Sprintf("tui: no rule for %T", c))
}

// recordCreated is what a created instance leaves, whether the wizard
// shows it or was canceled while it was made: its summary (with the
// token, 0600), and for the next run the answers with the siteAddress form
// that worked. It returns the summary's path.
func (m *Model) recordCreated(inst *cloudelements.Instance) (string, error) {
	path, err := journey.SaveSummary(m.cfg.ConfigDir, inst, m.answers, m.secrets.SignatureKey)
	m.rememberSiteForm()
	m.remember()
	return path, err
}

// rememberSiteForm keeps the siteAddress form the client found to work
// (cloudelements.Client.SiteAddressForm) with the answers, so the next
// run asks with it first.
func (m *Model) rememberSiteForm() {
	if c, ok := m.client.(interface {
		SiteAddressForm() cloudelements.SiteAddressForm
	}); ok {
		m.answers.SiteAddressForm = c.SiteAddressForm().String()
	}
}

// remember saves the answers for the next run after a success
// (journey.Remember says which).
func (m *Model) remember() {
	if m.cfg.NoRemember {
		return
	}
	_ = journey.Remember(flow.Memory{Dir: m.cfg.ConfigDir}, m.cfg.Listen, m.answers)
}
