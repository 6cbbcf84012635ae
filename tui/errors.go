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

// errorTitle is a short headline for err's kind.
func errorTitle(err error) string {
	switch journey.Classify(err) {
	case journey.KindCanceled:
		return "Canceled"
	case journey.KindDenied:
		return "Access was denied in the browser"
	case journey.KindProviderError:
		return "DocuShare Flex refused the authorization"
	case journey.KindTimeout:
		return "No answer from the browser in time"
	case journey.KindWrongState:
		return "That address belongs to another authorization"
	case journey.KindPaste:
		return "That paste cannot be used"
	case journey.KindPort:
		return "The callback port is not available"
	case journey.KindUnauthorized:
		return "Cloud Elements did not accept the secrets"
	case journey.KindCodeRejected:
		return "The grant code was rejected"
	case journey.KindOutcomeUnknown:
		return "It is unknown whether the instance was created"
	case journey.KindAPI:
		return "Cloud Elements answered with an error"
	case journey.KindNetwork:
		return "Cloud Elements cannot be reached"
	case journey.KindInvalid:
		return "An answer is missing"
	}
	return "Something went wrong"
}

// renderError renders err in a box: headline, the API's fields as they
// are (status, message, providerMessage, requestId), and the next step.
// Nothing here can hold a secret: the client strips them from messages,
// and codes, states and tokens never enter errors.
func (m *Model) renderError(err error) string {
	if err == nil {
		return ""
	}
	w := m.contentWidth() - 4
	st := m.st
	var b strings.Builder
	b.WriteString(st.errTitle.Render("✗ " + errorTitle(err)))
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
	if h := journey.Hint(err); h != "" {
		b.WriteString(st.hint.Render("Next: " + h))
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

// failureText is the message for each way authorizing fails.
func failureText(err error) string {
	switch journey.Classify(err) {
	case journey.KindDenied:
		return "You chose Deny on the DocuShare Flex page, so no code was issued. Press r to authorize again and choose Allow."
	case journey.KindTimeout:
		return "No answer arrived from the browser before the time ran out. Press r to start again; if the browser showed an address after Allow, paste it (p) during the next try."
	case journey.KindWrongState:
		return "The pasted address comes from an older or someone else's authorization (its state does not match). Use the newest browser tab, or press r to start again."
	case journey.KindProviderError:
		return "DocuShare Flex did not issue a code. Check the Application ID and Secret and the registered redirect URI, then press r to try again."
	case journey.KindPort:
		return "cewiz cannot listen for the browser's answer. Free the port (or use --listen), then press r; or paste the code with a registered URL (esc, then the app step)."
	}
	return "Press r to try again, or s to continue without authorizing (export only)."
}
