package flow

import (
	"errors"
	"fmt"
)

// Need is one answer `cewiz create` cannot do without, with the flag (or,
// for a secret, the environment variable) that gives it.
type Need struct {
	// Flag is the flag's name without dashes, or "" for a secret.
	Flag string
	// Env is the environment variable (CEWIZ_…) that gives it.
	Env string
	// What is the answer as the user knows it.
	What string
	// Example shows a valid value ("" for secrets).
	Example string
	missing func(Answers, Secrets) bool
}

// Given reports whether a and s carry this answer.
func (n Need) Given(a Answers, s Secrets) bool { return !n.missing(a, s) }

// Error is the usage error for this missing answer: it names the flag or
// the variable.
func (n Need) Error() error {
	if n.Flag == "" {
		return &UsageError{Err: fmt.Errorf("the %s is missing: set %s (secrets are never flags, so they do not show in ps)", n.What, n.Env)}
	}
	msg := fmt.Sprintf("the %s is missing", n.What)
	if n.Example != "" {
		msg += " (e.g. --" + n.Flag + " " + n.Example + ")"
	}
	return &UsageError{Flag: n.Flag, Err: fmt.Errorf("%s; or set %s", msg, n.Env)}
}

// CreateNeeds lists what `cewiz create` needs, in the order it asks for it.
// The grant code is not listed: without --code, create authorizes (see
// MissingForCreate).
func CreateNeeds() []Need {
	return []Need{
		{Env: EnvUserSecret, What: "Cloud Elements User secret", missing: func(_ Answers, s Secrets) bool { return s.UserSecret.IsZero() }},
		{Env: EnvOrgSecret, What: "Cloud Elements Organization secret", missing: func(_ Answers, s Secrets) bool { return s.OrgSecret.IsZero() }},
		{Flag: "api-key", Env: EnvName("api-key"), What: "DocuShare Flex Application ID", Example: "<Application ID>", missing: func(a Answers, _ Secrets) bool { return a.APIKey == "" }},
		{Env: EnvAPISecret, What: "DocuShare Flex Application Secret", missing: func(_ Answers, s Secrets) bool { return s.APISecret.IsZero() }},
		{Flag: "domain", Env: EnvName("domain"), What: "DocuShare Flex domain", Example: "acme.docushareflex.com", missing: func(a Answers, _ Secrets) bool { return a.Domain == "" }},
		{Flag: "notify-url", Env: EnvName("notify-url"), What: "notification URL (events are on)", Example: "https://example.com/events", missing: func(a Answers, _ Secrets) bool {
			return a.EventsEnabled && a.NotificationURL == ""
		}},
	}
}

// ErrPasteNeedsTerminal: a registered (non-loopback) callback URL means the
// user pastes the code, which needs a terminal.
var ErrPasteNeedsTerminal = errors.New("the callback URL is not a loopback address, so the browser cannot bring the code back here and it must be pasted; give --code, or run in a terminal")

// MissingForCreate returns the first answer create lacks as a *UsageError
// naming its flag or variable, or nil. canPaste reports whether a person
// can paste a code (stdin is a terminal): with a registered non-loopback
// callback and no --code, that is the only way to get one.
func MissingForCreate(a Answers, s Secrets, canPaste bool) error {
	for _, n := range CreateNeeds() {
		if !n.Given(a, s) {
			return n.Error()
		}
	}
	if a.Code.IsZero() && !CallbackIsLoopback(a) && !canPaste {
		return &UsageError{Flag: "code", Err: ErrPasteNeedsTerminal}
	}
	return nil
}
