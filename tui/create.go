package tui

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
)

// createStep: POST /instances with the real secrets, with a spinner. It is
// never retried automatically (a blind retry could make a duplicate).
type createStep struct{}

func newCreate(*Model) *createStep { return &createStep{} }

func (s *createStep) init(m *Model) tea.Cmd {
	if m.client == nil {
		return func() tea.Msg { return createdMsg{err: errNoClient} }
	}
	ctx, c, a, sec := m.ctx, m.client, m.answers.Clone(), m.secrets
	if m.cfg.Notifications != nil {
		// Notifications may arrive as soon as the instance exists.
		m.cfg.Notifications.SetKey(sec.SignatureKey)
	}
	// The result also goes to m.creating, so that a cancel that ends the
	// program while the request is in flight still learns what happened.
	done := make(chan createdMsg, 1)
	m.creating = done
	return tea.Batch(m.spin(), func() tea.Msg {
		in, err := journey.Create(ctx, c, a, sec)
		msg := createdMsg{inst: in, err: err}
		done <- msg
		return msg
	})
}

// update has nothing to do: the root applies createdMsg (the result or
// the error screen).
func (s *createStep) update(*Model, tea.Msg) tea.Cmd { return nil }

func (s *createStep) view(m *Model) string {
	return m.spinView() + " Creating the instance: Cloud Elements exchanges the grant code with DocuShare Flex…"
}

func (s *createStep) help(*Model) []key.Binding { return nil }

// createWaitBound bounds the wait for the create's outcome after a cancel:
// the client gives its lookup by name cloudelements.CancelLookupTimeout,
// and a little more covers the request's own end.
const createWaitBound = cloudelements.CancelLookupTimeout + 3*time.Second

// canceledWhileCreating is the end of a wizard canceled while the create
// request was in flight (m.creating is set; the context is already
// canceled). Once the request has left, the instance may exist: it says so
// on out, waits for the client's bounded lookup by name, saves the summary
// of what was found (0600), and returns a *CanceledAfterCreateError. A
// cancel before the request was written is a plain ErrCanceled.
func (m *Model) canceledWhileCreating(out io.Writer) error {
	wait := m.creating
	m.creating = nil
	name := flow.InstanceName(m.answers)
	var msg createdMsg
	select {
	case msg = <-wait:
	case <-time.After(300 * time.Millisecond):
		// Not at once: say what is being waited for.
		fmt.Fprintf(out, "Canceling: the create request may already have reached Cloud Elements, so the instance %q may exist. Looking it up by name (%s at most)…\n",
			name, cloudelements.CancelLookupTimeout)
		select {
		case msg = <-wait:
		case <-time.After(createWaitBound):
			return &CanceledAfterCreateError{Name: name, Err: errors.New("the lookup did not end in time")}
		}
	}
	if msg.err != nil {
		var ne *cloudelements.NetError
		if errors.As(msg.err, &ne) && ne.Kind == cloudelements.NetCanceled && !ne.Sent {
			return ErrCanceled // nothing was sent: nothing can exist
		}
		return &CanceledAfterCreateError{Name: name, Err: msg.err}
	}
	path, err := m.recordCreated(msg.inst)
	return &CanceledAfterCreateError{Name: name, Instance: msg.inst, SummaryPath: path, SummaryErr: err}
}
