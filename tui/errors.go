package tui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

// This file is the one place where errors become text on the screen.

// renderError renders err in a box: the headline (journey.Explain), the
// API's fields as they are (status, message, providerMessage, requestId),
// and the next step. Nothing here can hold a secret: the client strips
// them from messages, and codes, states and tokens never enter errors.
func (m *Model) renderError(err error) string {
	if err == nil {
		return ""
	}
	w := m.contentWidth() - 4
	st := m.st
	f := journey.Explain(err)
	var b strings.Builder
	b.WriteString(st.errTitle.Render("✗ " + f.Title))
	b.WriteString("\n")
	field := func(label, v string) {
		if v == "" {
			return
		}
		b.WriteString(st.errLabel.Render(label+": ") + st.value.Render(v))
		b.WriteString("\n")
	}
	var ae *cloudelements.APIError
	var pe *oauthlistener.ProviderError
	switch {
	case errors.As(err, &ae):
		field("Status", fmt.Sprintf("%d %s", ae.Status, http.StatusText(ae.Status)))
		field("Request", ae.Op)
		field("message", ae.Message)
		field("providerMessage", ae.ProviderMessage)
		field("requestId", ae.RequestID)
	case errors.As(err, &pe):
		field("error", pe.Code)
		field("description", pe.Description)
		field("more", pe.URI)
	default:
		b.WriteString(st.value.Render(errorSentence(err)))
		b.WriteString("\n")
	}
	if f.Next != "" {
		b.WriteString(st.hint.Render("Next: " + f.Next))
	}
	return st.errBox.Width(w).Render(strings.TrimRight(b.String(), "\n"))
}

// errorSentence is err's message with a capital letter.
func errorSentence(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// inlineError renders a one-line error under a field or a prompt.
func (m *Model) inlineError(err error) string {
	if err == nil {
		return ""
	}
	return m.st.errTitle.Render("✗ ") + m.st.value.Width(m.contentWidth()-2).Render(errorSentence(err))
}

// authorizeKeys says which keys take the next step after authorizing
// failed, by cause (the default: try again or skip).
var authorizeKeys = map[journey.Kind]string{
	journey.KindDenied:        "Press r to authorize again and choose Allow.",
	journey.KindTimeout:       "Press r to start again; if the browser showed an address after Allow, paste it (p) during the next try.",
	journey.KindWrongState:    "Use the newest browser tab, or press r to start again.",
	journey.KindProviderError: "Check the Application ID and Secret and the registered redirect URI, then press r to try again.",
	journey.KindPort:          "Free the port (or use --listen), then press r; or paste the code with a registered URL (esc, then the app step).",
}

// failureText is what the Authorize step says under the error box when
// authorizing failed: what happened (journey.Explain) and the keys to
// press.
func failureText(err error) string {
	f := journey.Explain(err)
	keys, ok := authorizeKeys[f.Kind]
	if !ok {
		keys = "Press r to try again, or s to continue without authorizing (export only)."
	}
	return strings.TrimSpace(f.Explanation + " " + keys)
}
