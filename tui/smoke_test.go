package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/oauthlistener"
)

func TestSmoke(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Secrets = flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o"), APISecret: flow.NewSecret("as")}
		c.Answers.APIKey = "app"
		c.Answers.Domain = "acme.docushareflex.com"
		c.Answers.NotificationURL = "https://example.com/e"
	})
	h.enter() // region
	h.enter() // base url
	h.enter() // user
	h.enter() // org -> check
	t.Log("\n" + h.screen())
	h.enter()
	h.enter()
	h.enter()
	h.enter()
	h.enter()
	t.Log("\n" + h.screen())
	h.enter() // site
	h.waitFor(func() bool { return h.ls.last() != nil }, "listener")
	t.Log("\n" + h.screen())
	h.ls.last().finish(oauthlistener.Result{Code: oauthlistener.NewCode("CODE"), Source: oauthlistener.FromCallback}, nil)
	h.waitFor(func() bool { return h.m.Step() != flow.StepAuthorize }, "authorized")
	t.Log("\n" + h.screen())
	_ = tea.KeyEnter
}
