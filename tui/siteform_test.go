package tui

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// siteFormClient is a client that learned that Cloud Elements wants the
// siteAddress as a URL.
type siteFormClient struct{ *fakeClient }

func (siteFormClient) SiteAddressForm() cloudelements.SiteAddressForm { return cloudelements.SiteURL }

// TestWizardRemembersTheSiteAddressForm: after a create, the siteAddress
// form the client found to work is remembered with the other answers, and
// the next run starts with it.
func TestWizardRemembersTheSiteAddressForm(t *testing.T) {
	h := newHarness(t, ready, func(c *Config) {
		c.NewClient = func(string, flow.Secrets) (Client, error) { return siteFormClient{&fakeClient{}}, nil }
	})
	h.walkTo(flow.StepReview)
	h.enter()
	h.waitFor(func() bool { return h.m.Step() == flow.StepResult }, "result")
	if got := (flow.Memory{Dir: h.dir}).SiteAddressForm(); got != "url" {
		t.Fatalf("remembered form %q, want url", got)
	}
	next := New(context.Background(), Config{ConfigDir: h.dir, Answers: flow.NewAnswers()}, lipgloss.DefaultRenderer())
	if next.answers.SiteAddressForm != "url" {
		t.Fatalf("the next run starts with %q", next.answers.SiteAddressForm)
	}
}

// TestCancelAfterCreateRemembersTheSiteAddressForm: a create that went
// through while the user canceled is a create too: the siteAddress form
// that worked is remembered with the answers, as after the Result screen.
func TestCancelAfterCreateRemembersTheSiteAddressForm(t *testing.T) {
	h := newHarness(t, ready, func(c *Config) {
		c.NewClient = func(string, flow.Secrets) (Client, error) { return siteFormClient{&fakeClient{}}, nil }
	})
	h.walkTo(flow.StepReview)
	// Ctrl-C while POST /instances is in flight; then the instance arrives.
	wait := make(chan createdMsg, 1)
	wait <- createdMsg{inst: &cloudelements.Instance{ID: 42, Name: "docushareflex-acme", Token: flow.NewSecret("tok")}}
	h.m.creating = wait
	var ce *CanceledAfterCreateError
	if err := h.m.canceledWhileCreating(io.Discard); !errors.As(err, &ce) || ce.Instance == nil || ce.SummaryErr != nil {
		t.Fatalf("err %v, want the instance found with its summary saved", err)
	}
	if got := (flow.Memory{Dir: h.dir}).SiteAddressForm(); got != "url" {
		t.Fatalf("remembered form %q, want url", got)
	}
}
