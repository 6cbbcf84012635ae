package cloudelements

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// APIError is an error answer from Cloud Elements: its status and the
// fields of its body {"requestId","message","providerMessage"}. Message,
// ProviderMessage and RequestID are shown to the user as they are (any
// secret cewiz sent is removed from them first).
type APIError struct {
	// Op is the method and path, e.g. "POST /instances" (never the query).
	Op              string
	Status          int
	Message         string
	ProviderMessage string
	RequestID       string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.ProviderMessage != "" {
		b.WriteString(" (provider: ")
		b.WriteString(e.ProviderMessage)
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString(" [requestId ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// CodeRejected reports whether the error is the provider refusing the
// grant code (expired, already used, issued for another redirect URI), or
// Cloud Elements saying no code was given: either way the user must
// authorize again to get a fresh code. It reads the text, whatever the
// status: a refusal by DocuShare Flex may come back as 400, 401, 500 or as
// a 502 provider failure (cloud-elements-api.md §6, §9). A refused
// application (invalid_client) is ClientRejected instead.
func (e *APIError) CodeRejected() bool {
	text := strings.ToLower(e.Message + " " + e.ProviderMessage)
	switch {
	case strings.Contains(text, "invalid_grant"):
		return true
	case strings.Contains(text, "invalid_client"):
		return false
	}
	return codeRefusal().MatchString(text)
}

// codeRefusal: "OAuth code", "authorization code", "grant code", "OAuth
// token", "OAuth access token" (Cloud Elements' texts for a missing or
// refused code, and for the token exchange that spends it).
var codeRefusal = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(oauth|authorization|grant) code\b|\boauth (access )?token\b`)
})

// ClientRejected reports whether the provider refused the DocuShare Flex
// application itself (invalid_client): a wrong Application ID or Secret.
func (e *APIError) ClientRejected() bool {
	return strings.Contains(strings.ToLower(e.Message+" "+e.ProviderMessage), "invalid_client")
}

// Temporary reports whether trying the same request later may work.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 && !e.CodeRejected()
}

// Hint is the user's next step (cloud-elements-api.md §6).
func (e *APIError) Hint() string {
	switch {
	case e.CodeRejected():
		return "Get a new code: authorize again, then create the instance again."
	case e.ClientRejected():
		return "DocuShare Flex refused the application: check the Application ID and Application Secret (DocuShare Flex, Administration → Application Settings → OAuth Application), then authorize again."
	}
	switch s := e.Status; {
	case s == http.StatusBadRequest:
		return "Fix the field the message names and try again; if it is about the OAuth code, authorize again."
	case s == http.StatusUnauthorized:
		return "Cloud Elements did not accept the User or Organization secret: re-enter both (Cloud Elements console, your profile) and check the region."
	case s == http.StatusForbidden:
		return "Access was refused: check that the DocuShare Flex application and account are active and that the instance is not disabled."
	case s == http.StatusNotFound:
		return "Not found: check the base URL or region (an account lives in one region), the element key and the instance id."
	case s == http.StatusConflict:
		return "Cloud Elements says something already exists: read its message (instance names need not be unique, so it is not about the name)."
	case s == http.StatusTooManyRequests:
		return "Cloud Elements is limiting the request rate: wait a minute and try again."
	case s >= 500:
		return "Cloud Elements or DocuShare Flex is having trouble: try again later; if it persists, give Cloud Elements support the requestId."
	}
	return "Unexpected answer from Cloud Elements: check the base URL; if it persists, give Cloud Elements support the requestId."
}

// NetKind classifies a failure to talk to Cloud Elements at all.
type NetKind int

const (
	NetOther    NetKind = iota
	NetDNS              // the host name did not resolve
	NetRefused          // nothing listens at the address
	NetTLS              // the TLS handshake or certificate failed
	NetTimeout          // no answer in time
	NetReset            // the connection was closed or reset mid-request
	NetCanceled         // the caller cancelled (Ctrl-C)
	NetProtocol         // the answer was not HTTP or not the JSON expected
)

var netKindNames = map[NetKind]string{
	NetOther: "network error", NetDNS: "host not found", NetRefused: "connection refused",
	NetTLS: "TLS error", NetTimeout: "timed out", NetReset: "connection reset",
	NetCanceled: "cancelled", NetProtocol: "unexpected answer",
}

func (k NetKind) String() string { return netKindNames[k] }

// NetError is a failure to get an answer: DNS, refused, TLS, timeout,
// reset, cancellation, or an answer that could not be read. Its text holds
// no URL query (where the Application Secret travels) and no secret.
type NetError struct {
	Op   string // e.g. "GET /instances"
	Host string
	Kind NetKind
	// Sent reports whether the request had been written in full before the
	// failure, so the server may have acted on it.
	Sent bool
	msg  string // the cause's text, secrets removed
	err  error  // the cause, for errors.Is (context.Canceled, ...); never a *url.Error
}

func (e *NetError) Error() string {
	return fmt.Sprintf("%s: %s (%s): %s", e.Op, e.Kind, e.Host, e.msg)
}

// Unwrap gives the cause, so errors.Is(err, context.Canceled) works.
func (e *NetError) Unwrap() error { return e.err }

// Hint is the user's next step.
func (e *NetError) Hint() string {
	switch e.Kind {
	case NetDNS:
		return "The host name does not resolve: check the base URL or region for typos, and this machine's network and DNS."
	case NetRefused:
		return "Nothing answered at that address: check the base URL and port, a proxy or firewall, or whether the sandbox is running."
	case NetTLS:
		return "The secure connection failed: check the base URL (https), the system clock, and any proxy that intercepts TLS."
	case NetTimeout:
		return "Cloud Elements did not answer in time: check the network or proxy and try again."
	case NetReset:
		return "The connection was cut: check the network or proxy and try again."
	case NetCanceled:
		return "Cancelled."
	case NetProtocol:
		return "The server's answer was not what Cloud Elements sends: check that the base URL points at Cloud Elements (…/elements/api-v2)."
	}
	return "Could not reach Cloud Elements: check the network, the base URL and any proxy settings."
}

// Retryable reports whether a GET may be tried again after this failure.
func (e *NetError) Retryable() bool { return e.Kind == NetReset }

// classify turns a transport error into a NetError. err is the cause (the
// *url.Error's inner error): the URL itself is never kept.
func classify(op, host string, err error, sent bool, ctx context.Context) *NetError {
	ne := &NetError{Op: op, Host: host, Sent: sent, err: err}
	switch {
	case ctx.Err() == context.Canceled || errors.Is(err, context.Canceled):
		ne.Kind, ne.err = NetCanceled, context.Canceled
	case ctx.Err() == context.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded):
		ne.Kind, ne.err = NetTimeout, context.DeadlineExceeded
	default:
		ne.Kind = NetKindOf(err)
	}
	ne.msg = err.Error()
	return ne
}

// NetKindOf tells what kind of transport failure err is: a *NetError's
// Kind, or for an error straight from net/http (the doctor's own probes)
// the same classification the client makes.
func NetKindOf(err error) NetKind {
	var ne *NetError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	var netErr net.Error
	switch {
	case errors.As(err, &ne):
		return ne.Kind
	case errors.Is(err, context.Canceled):
		return NetCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return NetTimeout
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return NetTimeout
		}
		return NetDNS
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid),
		errors.As(err, &recordErr), errors.As(err, &alert), strings.Contains(err.Error(), "tls:"),
		strings.Contains(err.Error(), "HTTP response to HTTPS client"):
		return NetTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return NetRefused
	case errors.As(err, &netErr) && netErr.Timeout():
		return NetTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.EPIPE), strings.Contains(err.Error(), "server closed"),
		strings.Contains(err.Error(), "connection reset"):
		return NetReset
	}
	return NetOther
}

// IsCanceled reports whether err is the caller's cancellation.
func IsCanceled(err error) bool {
	var ne *NetError
	if errors.As(err, &ne) && ne.Kind == NetCanceled {
		return true
	}
	return errors.Is(err, context.Canceled)
}

// isCodeRejected reports whether err means the grant code was refused
// (expired, reused, issued for another redirect URI, or missing): the user
// must authorize again before retrying.
func isCodeRejected(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.CodeRejected()
}

// Hint returns the next step for any error this package returns, or "".
func Hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// ErrOutcomeUnknown matches (errors.Is) an *OutcomeUnknownError.
var ErrOutcomeUnknown = errors.New("unknown whether the instance was created")

// OutcomeUnknownError is returned by CreateInstance when the request may
// have reached Cloud Elements but no answer came back (timeout, reset, 502,
// 504), and no instance of that name could be found afterwards. Creating
// again blindly could make a duplicate.
type OutcomeUnknownError struct {
	Name string
	// Cause is the failure of the create request.
	Cause error
	// LookupErr is why the lookup by name failed, or nil when it ran and
	// found nothing (the create may still be in progress, or failed).
	LookupErr error
}

func (e *OutcomeUnknownError) Error() string {
	s := fmt.Sprintf("it is unknown whether the instance %q was created: %v", e.Name, e.Cause)
	switch {
	case errors.Is(e.LookupErr, context.Canceled):
		return s + "; it was not looked up because the operation was cancelled"
	case e.LookupErr != nil:
		return s + "; looking it up failed too: " + e.LookupErr.Error()
	}
	return s + "; no instance of that name was found afterwards"
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap gives the create failure.
func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// Hint is the user's next step.
func (e *OutcomeUnknownError) Hint() string {
	h := "Do not create again yet: list the instances (cewiz doctor, or the Cloud Elements console) in a minute. " +
		"If the instance is not there, authorize again (the code may have been spent) and create it."
	// An answer that came but held no instance: say what to check too.
	var ne *NetError
	if errors.As(e.Cause, &ne) && ne.Kind == NetProtocol {
		h += " " + ne.Hint()
	}
	return h
}
