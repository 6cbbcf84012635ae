package oauthlistener

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

const (
	// DefaultPort is the fixed, registrable port: "CEWIZ" typed on a phone
	// keypad. It sits below the dynamic range (49152+) where Windows/Hyper-V
	// reserves ports, and away from the usual 3000/5000/8000/8080 dev ports.
	DefaultPort = 23949
	// DefaultHost is where the listener binds by default (IPv4 loopback only).
	DefaultHost = "127.0.0.1"
	// DefaultPath is the callback path.
	DefaultPath = "/callback"
)

// DefaultAddr is the default listen address, 127.0.0.1:23949.
var DefaultAddr = net.JoinHostPort(DefaultHost, strconv.Itoa(DefaultPort))

// DefaultRedirectURI is the redirect URI the listener catches by default:
// http://127.0.0.1:23949/callback. It is the one string to register in the
// provider, send as callbackUrl and write in the instance body (rule 2).
var DefaultRedirectURI = "http://" + DefaultAddr + DefaultPath

// RedirectURI is a validated redirect URI.
type RedirectURI struct {
	// Raw is the URI exactly as given: it must be byte-identical everywhere it
	// is used, so it is never re-encoded.
	Raw string
	URL *url.URL
	// Loopback is true when the listener can catch it: http on 127.0.0.1,
	// [::1] or localhost. Otherwise the provider redirects to a page
	// registered elsewhere and the user pastes the code.
	Loopback bool
}

// Port returns the URI's port (80 for http and 443 for https when the URI
// names none).
func (r RedirectURI) Port() int {
	if r.URL == nil {
		return 0
	}
	p := r.URL.Port()
	if p == "" {
		if r.URL.Scheme == "https" {
			return 443
		}
		return 80
	}
	n, _ := strconv.Atoi(p)
	return n
}

// Path is the path the listener serves for this URI ("/" when it has none),
// in its escaped form, compared byte for byte with the request's.
func (r RedirectURI) Path() string {
	if r.URL == nil {
		return ""
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// String returns Raw.
func (r RedirectURI) String() string { return r.Raw }

// isLoopbackHost reports whether host (without brackets or port) is one of
// the loopback names of rule 2.
func isLoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

// ListenAddr is the host:port the listener binds for a loopback URI.
// localhost binds 127.0.0.1 (plus [::1], see Listener), never all interfaces.
func (r RedirectURI) ListenAddr() string {
	host := r.URL.Hostname()
	if strings.EqualFold(host, "localhost") {
		host = DefaultHost
	}
	return net.JoinHostPort(host, strconv.Itoa(r.Port()))
}

// ParseRedirectURI validates a redirect URI (rule 2): absolute http or https,
// a host (at most 253 characters, 63 per label) and a port (1-65535), no
// userinfo, no fragment; plain http only on this machine, since the grant
// code travels in its query. It reports whether the URI is loopback.
// The messages are meant for the person who typed the URI.
func ParseRedirectURI(raw string) (RedirectURI, error) {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return RedirectURI{}, errors.New("the callback URL is empty or has spaces around it; give an absolute URL such as " + DefaultRedirectURI)
	}
	for _, c := range raw {
		if c <= ' ' || c == 0x7f {
			return RedirectURI{}, errors.New("the callback URL contains a space or a control character; percent-encode it (%20) or remove it")
		}
		if c > 0x7e {
			return RedirectURI{}, errors.New("the callback URL contains a non-ASCII character; use its percent-encoded or punycode form, exactly as registered with the provider")
		}
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return RedirectURI{}, fmt.Errorf("the callback URL must be an absolute URL such as %s or https://auth.cloudelements.io/oauth", DefaultRedirectURI)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return RedirectURI{}, fmt.Errorf("the callback URL must start with http:// or https://, not %s://", u.Scheme)
	}
	if u.User != nil {
		return RedirectURI{}, errors.New("the callback URL must not contain a user name or password")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return RedirectURI{}, errors.New("the callback URL must not contain a #fragment: the code arrives in the query")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return RedirectURI{}, fmt.Errorf("the callback URL's port %q is not a port number (1-65535)", p)
		}
	}
	host := u.Hostname()
	if err := CheckHostName("callback URL", host); err != nil {
		return RedirectURI{}, err
	}
	if u.Scheme == "http" && !onThisMachine(host) {
		return RedirectURI{}, errors.New("the callback URL uses plain http to another machine, so the grant code would cross the network unencrypted; " +
			"use an https:// address, or http only on this machine (127.0.0.1, [::1] or localhost)")
	}
	loopback := u.Scheme == "http" && isLoopbackHost(host)
	return RedirectURI{Raw: raw, URL: u, Loopback: loopback}, nil
}

// onThisMachine reports whether host never leaves this machine: a loopback
// name of rule 2, or any loopback address (127.0.0.0/8, ::1).
func onThisMachine(host string) bool {
	ip := net.ParseIP(host)
	return isLoopbackHost(host) || (ip != nil && ip.IsLoopback())
}

// CheckHostName bounds the host name of a URL the user gave (what names
// the URL) as DNS does (RFC 1035): 253 characters, 63 per label, no empty
// label; a trailing dot is allowed. flow checks its URLs with it too.
func CheckHostName(what, host string) error {
	host = strings.TrimSuffix(host, ".")
	if len(host) > maxHostLength {
		return fmt.Errorf("the %s's host name is %d characters long; a host name has at most %d", what, len(host), maxHostLength)
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if len(label) > maxLabelLength {
			return fmt.Errorf("the %s's host name has a part of %d characters between dots; each part has at most %d", what, len(label), maxLabelLength)
		}
		if label == "" {
			return fmt.Errorf("the %s's host name has an empty part (two dots in a row, or a leading dot)", what)
		}
	}
	return nil
}

// Host name bounds (RFC 1035): 253 characters, 63 per label.
const (
	maxHostLength  = 253
	maxLabelLength = 63
)
