package flow

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/cewiz/cewiz/oauthlistener"
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
	// why replaces the sentence when the answer is needed only in some
	// cases (the grant code with a registered callback URL).
	why string
}

// Given reports whether a and s carry this answer.
func (n Need) Given(a Answers, s Secrets) bool { return !n.missing(a, s) }

// Error is the usage error for this missing answer alone: it names the
// flag or, for a secret, the variable (a secret is never a flag).
func (n Need) Error() error {
	return &UsageError{Flag: n.Flag, Err: errors.New(n.sentence())}
}

// sentence says what is missing and how to give it.
func (n Need) sentence() string {
	if n.why != "" {
		return n.why
	}
	if n.Flag == "" {
		return fmt.Sprintf("the %s is missing: set %s (a secret is never a flag, which would show in ps)", n.What, n.Env)
	}
	msg := fmt.Sprintf("the %s is missing", n.What)
	if n.Example != "" {
		return fmt.Sprintf("%s: give --%s %s, or set %s", msg, n.Flag, n.Example, n.Env)
	}
	return fmt.Sprintf("%s: give --%s, or set %s", msg, n.Flag, n.Env)
}

// MissingError lists every answer `cewiz create` lacks, so that one run
// tells them all. It is a *UsageError (exit 2) naming the flag when only
// one flag is missing.
func MissingError(missing []Need) error {
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return missing[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d answers are missing:", len(missing))
	for _, n := range missing {
		b.WriteString("\n  - " + n.sentence())
	}
	return &UsageError{Err: errors.New(b.String())}
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
		// A body read with --from may sign notifications with a placeholder
		// for the key: the key itself is a secret.
		{Env: EnvSignatureKey, What: "notification signature key (the body signs notifications)", missing: func(a Answers, s Secrets) bool {
			return a.EventsEnabled && a.SignNotifications && s.SignatureKey.IsZero()
		}},
	}
}

// ErrPasteNeedsTerminal: a registered (non-loopback) callback URL means the
// user pastes the code, which needs a terminal.
var ErrPasteNeedsTerminal = errors.New("the callback URL is not a loopback address, so the browser cannot bring the code back here and it must be pasted; give --code, or run in a terminal")

// MissingForCreate returns every answer create lacks, all at once, as a
// *UsageError naming each flag or variable (MissingError), or nil.
// canPaste reports whether a person can paste a code (stdin is a
// terminal): with a registered non-loopback callback and no --code, that
// is the only way to get one.
func MissingForCreate(a Answers, s Secrets, canPaste bool) error {
	var missing []Need
	for _, n := range CreateNeeds() {
		if !n.Given(a, s) {
			missing = append(missing, n)
		}
	}
	if a.Code.IsZero() && !CallbackIsLoopback(a) && !canPaste {
		missing = append(missing, Need{Flag: "code", Env: EnvCode, What: "grant code", why: ErrPasteNeedsTerminal.Error()})
	}
	return MissingError(missing)
}

// CheckAuthorizeFlags refuses, before anything is sent, a --listen or
// --timeout that could only fail later or wait for ever: --listen must be
// HOST:PORT with a loopback host (127.0.0.1, [::1], localhost; port 0 picks
// a free one), and --timeout a positive duration (the listener takes a
// negative one as "no limit", which without a terminal is a hang). It
// returns a *UsageError naming the flag, or nil.
func CheckAuthorizeFlags(listen string, timeout time.Duration) error {
	if timeout <= 0 {
		return &UsageError{Flag: "timeout", Err: fmt.Errorf("the wait for the browser must be a positive duration such as 5m or 90s, not %s", timeout)}
	}
	if listen == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(listen)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 {
		return &UsageError{Flag: "listen", Err: fmt.Errorf("%q is not HOST:PORT with a port from 0 to 65535 (for example %s)", listen, oauthlistener.DefaultAddr)}
	}
	if host == "" {
		return nil // the listener binds 127.0.0.1
	}
	// The redirect URI parser knows which hosts are loopback.
	if r, err := oauthlistener.ParseRedirectURI("http://" + net.JoinHostPort(host, "1") + "/"); err != nil || !r.Loopback {
		return &UsageError{Flag: "listen", Err: fmt.Errorf("%w; %q is not one of them", oauthlistener.ErrNotLoopback, host)}
	}
	return nil
}
