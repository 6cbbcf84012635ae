package cloudelements

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/cewiz/cewiz/flow"
)

// SiteAddressForm is how the DocuShare Flex domain is written in the
// siteAddress parameter of oauth/url. The docs write siteAddress=<url> and
// public callers send either form; which one DocuShare Flex wants is not
// published (cloud-elements-api.md §8).
type SiteAddressForm int32

const (
	// SiteHost sends the bare host, acme.docushareflex.com (what cewiz
	// has always sent, so it is tried first).
	SiteHost SiteAddressForm = iota
	// SiteURL sends https://acme.docushareflex.com.
	SiteURL
)

func (f SiteAddressForm) String() string {
	if f == SiteURL {
		return "url"
	}
	return "host"
}

// ParseSiteAddressForm reads "host" or "url" (as String writes them).
func ParseSiteAddressForm(s string) (SiteAddressForm, bool) {
	switch strings.TrimSpace(s) {
	case "host":
		return SiteHost, true
	case "url":
		return SiteURL, true
	}
	return SiteHost, false
}

// Other is the form not f.
func (f SiteAddressForm) Other() SiteAddressForm {
	if f == SiteURL {
		return SiteHost
	}
	return SiteURL
}

// Render writes domain (a bare host) in the form f.
func (f SiteAddressForm) Render(domain string) string {
	if f == SiteURL && domain != "" {
		return "https://" + domain
	}
	return domain
}

// MaxAuthURLLength bounds the authorization address cewiz prints or opens.
const MaxAuthURLLength = 8 << 10

// Errors matched with errors.Is on an *AuthURLError.
var (
	// ErrUnsafeAuthURL: the address is not http(s) (javascript:, file:…),
	// holds control or escape characters, or is too long. It was neither
	// printed nor opened.
	ErrUnsafeAuthURL = errors.New("the authorization address is unsafe to print or open")
	// ErrMalformedAuthURL: the address is not a well-formed https URL with
	// a host, with either form of siteAddress.
	ErrMalformedAuthURL = errors.New("the authorization address is not a well-formed https URL")
)

// AuthURLError is an authorization address from Cloud Elements that cewiz
// will not print or open.
type AuthURLError struct {
	// Reason says what is wrong with it.
	Reason string
	// Unsafe: see ErrUnsafeAuthURL. Otherwise it is malformed.
	Unsafe bool
	// URL is the address without its query, safe to show ("" when Unsafe).
	URL string
	// Forms are the siteAddress values tried, in order.
	Forms []string
	// Cause is why asking again with the other form failed, if it did.
	Cause error
}

func (e *AuthURLError) Error() string {
	if e.Unsafe {
		return "Cloud Elements answered an authorization address cewiz will not print or open: " + e.Reason
	}
	s := fmt.Sprintf("Cloud Elements answered an authorization address that is not a well-formed https URL (%s", e.Reason)
	if e.URL != "" {
		s += ": " + e.URL
	}
	s += ")"
	if len(e.Forms) > 0 {
		s += " for siteAddress " + strings.Join(e.Forms, " and ")
	}
	if e.Cause != nil {
		s += "; asking with the other form failed: " + e.Cause.Error()
	}
	return s
}

// Is matches ErrUnsafeAuthURL or ErrMalformedAuthURL.
func (e *AuthURLError) Is(target error) bool {
	return (target == ErrUnsafeAuthURL && e.Unsafe) || (target == ErrMalformedAuthURL && !e.Unsafe)
}

// Unwrap gives the failure of the second request, if any.
func (e *AuthURLError) Unwrap() error { return e.Cause }

// Hint is the user's next step.
func (e *AuthURLError) Hint() string {
	if e.Unsafe {
		return "Nothing was opened. Check that the base URL points at Cloud Elements (…/elements/api-v2); if it does, give Cloud Elements support this error."
	}
	return "Check the DocuShare Flex domain (<company>.docushareflex.com). Which form of siteAddress Cloud Elements wants is not published and both were tried: give Cloud Elements support this error."
}

// CheckAuthorizationURL returns nil when raw may be printed and opened: an
// http(s) URL with a well-formed host, no control, format (bidi) or escape
// characters and at most MaxAuthURLLength bytes. Otherwise an *AuthURLError
// (errors.Is ErrUnsafeAuthURL or ErrMalformedAuthURL).
func CheckAuthorizationURL(raw string) error {
	problem, unsafe := checkAuthURL(raw)
	if problem == "" {
		return nil
	}
	e := &AuthURLError{Reason: problem, Unsafe: unsafe}
	if !unsafe {
		e.URL = showableURL(raw)
	}
	return e
}

// checkAuthURL says what is wrong with raw, "" when nothing, and whether
// that makes it unsafe (never retried, never shown) rather than malformed
// (the sign that the other siteAddress form is wanted).
func checkAuthURL(raw string) (problem string, unsafe bool) {
	if len(raw) > MaxAuthURLLength {
		return fmt.Sprintf("it is %d bytes long, more than %d", len(raw), MaxAuthURLLength), true
	}
	if strings.ContainsFunc(raw, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) || r == unicode.ReplacementChar
	}) {
		return "it contains control, escape or invisible characters", true
	}
	scheme, rest, hasScheme := strings.Cut(raw, ":")
	scheme = strings.ToLower(scheme)
	if hasScheme && schemeForm().MatchString(scheme) && !hostPort().MatchString(rest) && scheme != "http" && scheme != "https" {
		return "its scheme is " + scheme + ":, not https:", true
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "it does not parse as a URL", false
	case u.Scheme == "":
		return "it has no https:// scheme", false
	case u.Host == "":
		return "it has no host", false
	case u.User != nil:
		return "it carries a user name or password", true
	case !wellFormedHost(u):
		return "its host " + strings.Trim(u.Host, "[]") + " is not a host name", false
	case u.Scheme == "http" && !flow.IsLoopbackHost(u.Hostname()):
		// http is accepted on this machine only (the sandbox and tests).
		return "it uses http://, not https://", false
	}
	return "", false
}

// schemeForm is RFC 3986's scheme: what makes "javascript:" a scheme and
// "acme.docushareflex.com/x:y" not one.
var schemeForm = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`) })

// hostPort is what follows "host:" in host:port/path, which has no scheme.
var hostPort = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(/|$)`) })

var hostLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`) })

// wellFormedHost: a DNS name of valid labels with a dot (or localhost), or
// an IP literal, and a numeric port if any. https://https://acme… parses
// with the host "https:", which is not one.
func wellFormedHost(u *url.URL) bool {
	if strings.HasSuffix(u.Host, ":") {
		return false
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return false
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil || h == "localhost" {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !hostLabel().MatchString(l) {
			return false
		}
	}
	return true
}

// showableURL is raw without its query and fragment (they carry the state
// and the client id), bounded: for error texts.
func showableURL(raw string) string {
	s, _, _ := strings.Cut(raw, "?")
	s, _, _ = strings.Cut(s, "#")
	return clip(s)
}
