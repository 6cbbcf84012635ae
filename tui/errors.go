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

// renderError renders err in a box, saying each thing once: the headline
// (journey.Explain's title), what happened (the API's or the provider's
// fields as they are, else the error's own sentence, or the table's
// explanation when the error's text only restates the headline), and the
// next step. Nothing here can hold a secret: the client strips them from
// messages, and codes, states and tokens never enter errors.
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
	line := func(s string) {
		b.WriteString(st.value.Render(s))
		b.WriteString("\n")
	}
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
		line(f.Explanation)
		field("error", pe.Code)
		field("description", pe.Description)
		field("more", pe.URI)
	case restatesTitle[f.Kind]:
		line(f.Explanation)
	default:
		line(errorSentence(err))
	}
	if f.Next != "" {
		b.WriteString(st.hint.Render("Next: " + f.Next))
	}
	return st.errBox.Width(w).Render(strings.TrimRight(b.String(), "\n"))
}

// restatesTitle: causes whose error text only says the headline again
// ("no authorization arrived in time"): the box explains them instead.
var restatesTitle = map[journey.Kind]bool{
	journey.KindTimeout:  true,
	journey.KindCanceled: true,
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
