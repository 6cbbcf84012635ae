package oauthlistener

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

var (
	// ErrTimeout: no callback arrived within Options.Timeout.
	ErrTimeout = errors.New("no authorization arrived in time")
	// ErrCanceled: the wait was canceled (context, Ctrl-C or Close).
	ErrCanceled = errors.New("authorization canceled")
	// ErrPortUnavailable matches every *PortUnavailableError (and
	// ErrAlreadyWaiting's error).
	ErrPortUnavailable = errors.New("the listener port is unavailable")
	// ErrAlreadyWaiting: another cewiz listener already waits on the port
	// (rule 19). errors.Is(err, ErrPortUnavailable) holds too.
	ErrAlreadyWaiting = errors.New("another authorization is waiting on the port")
	// ErrAlreadyCompleted: Accept or Paste after the flow has ended.
	ErrAlreadyCompleted = errors.New("the authorization has already completed")
	// ErrNotLoopback: Options name an address that is not loopback.
	ErrNotLoopback = errors.New("the listener binds loopback addresses only (127.0.0.1, [::1], localhost)")
)

// canceledError matches ErrCanceled and unwraps to the cause (for example
// context.Canceled); its text never carries anything but the fixed message.
type canceledError struct{ cause error }

func (e *canceledError) Error() string        { return ErrCanceled.Error() }
func (e *canceledError) Is(target error) bool { return target == ErrCanceled }
func (e *canceledError) Unwrap() error        { return e.cause }

// errClosed is the cause of ErrCanceled when Close ended the wait.
var errClosed = errors.New("listener closed")

// ProviderError is the provider's refusal (?error= with the right state).
// The fields are sanitised: control and formatting characters removed, lengths
// capped. They are safe to show (HTML-escaped on a page).
type ProviderError struct {
	Code        string // the "error" parameter, e.g. access_denied
	Description string // error_description, at most MaxDescription runes
	URI         string // error_uri, as text (never a link)
}

// Length caps for ProviderError's fields, in runes.
const (
	MaxErrorCode   = 64
	MaxDescription = 300
	MaxErrorURI    = 300
)

func newProviderError(get func(string) string) *ProviderError {
	return &ProviderError{
		Code:        sanitize(get("error"), MaxErrorCode),
		Description: sanitize(get("error_description"), MaxDescription),
		URI:         sanitize(get("error_uri"), MaxErrorURI),
	}
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("the provider refused the authorization: ")
	if e.Code == "" {
		b.WriteString("(no error code)")
	} else {
		b.WriteString(e.Code)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.URI != "" {
		b.WriteString(" (see ")
		b.WriteString(e.URI)
		b.WriteString(")")
	}
	return b.String()
}

// Denied reports whether the user refused consent (error=access_denied).
func (e *ProviderError) Denied() bool { return e.Code == "access_denied" }

// sanitize removes control and Unicode formatting characters (bidi overrides
// and the like) and invalid UTF-8, and caps the length in runes (an ellipsis
// marks the cut).
func sanitize(s string, max int) string {
	var b strings.Builder
	n := 0
	space := true // drop leading spaces, collapse runs
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				continue
			}
		}
		if unicode.IsSpace(r) {
			if !space {
				space = true
				if n < max {
					b.WriteByte(' ')
					n++
				}
			}
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == max {
			return strings.TrimSpace(b.String()) + "…"
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// PortCause is why a port cannot be bound.
type PortCause int

const (
	CauseUnknown    PortCause = iota
	CauseInUse                // another program listens there
	CauseReserved             // Windows excluded port range (WSAEACCES)
	CausePermission           // privileged port or policy (EACCES/EPERM)
	CauseNoAddress            // the address does not exist here (EADDRNOTAVAIL)
)

func (c PortCause) String() string {
	switch c {
	case CauseInUse:
		return "in use"
	case CauseReserved:
		return "reserved"
	case CausePermission:
		return "permission denied"
	case CauseNoAddress:
		return "address not available"
	}
	return "unknown"
}

// PortUnavailableError says which port could not be bound, why, and what to
// do (rule 3). errors.Is(err, ErrPortUnavailable) matches it.
type PortUnavailableError struct {
	Addr  string // the address that was tried, e.g. 127.0.0.1:23949
	Port  int
	Cause PortCause
	Err   error // the system error
}

func (e *PortUnavailableError) Error() string {
	if e.anyPortTaken() {
		return fmt.Sprintf("cannot listen on %s: the system has no free port left to choose from. %s", e.Addr, e.Advice())
	}
	return fmt.Sprintf("cannot listen on %s: port %d is %s. %s", e.Addr, e.Port, e.reason(), e.Advice())
}

// anyPortTaken: port 0 (any free port) was asked for and none was free,
// which no single program can be blamed for.
func (e *PortUnavailableError) anyPortTaken() bool { return e.Port == 0 && e.Cause == CauseInUse }

func (e *PortUnavailableError) reason() string {
	switch e.Cause {
	case CauseInUse:
		return "in use by another program"
	case CauseReserved:
		return "reserved by Windows (an excluded port range, often Hyper-V, WSL2 or Docker)"
	case CausePermission:
		return "not allowed for this user"
	case CauseNoAddress:
		return "on an address this machine does not have"
	}
	return "unavailable"
}

// Advice is what the user can do about it.
func (e *PortUnavailableError) Advice() string {
	other := fmt.Sprintf("choose another port with --listen 127.0.0.1:PORT and register http://127.0.0.1:PORT%s with the provider (the redirect URI must match exactly)", DefaultPath)
	if e.anyPortTaken() {
		return "Ports of connections closed in the last minute are still held; wait a minute and try again, or " + other + "."
	}
	switch e.Cause {
	case CauseInUse:
		return fmt.Sprintf("Stop the program using port %d (find it with `lsof -iTCP:%d -sTCP:LISTEN` or `netstat -ano | findstr :%d`), or %s.", e.Port, e.Port, e.Port, other)
	case CauseReserved:
		return fmt.Sprintf("See the reserved ranges with `netsh interface ipv4 show excludedportrange protocol=tcp`, then %s.", other)
	case CausePermission:
		return fmt.Sprintf("Ports below 1024 need administrator rights; %s.", other)
	case CauseNoAddress:
		return "Listen on 127.0.0.1 instead (--listen 127.0.0.1:PORT)."
	}
	return "Try again, or " + other + "."
}

func (e *PortUnavailableError) Is(target error) bool { return target == ErrPortUnavailable }
func (e *PortUnavailableError) Unwrap() error        { return e.Err }

// AlreadyWaitingError: another cewiz listener answers on the port (rule 19).
// It matches ErrAlreadyWaiting and ErrPortUnavailable.
type AlreadyWaitingError struct{ Port int }

func (e *AlreadyWaitingError) Error() string {
	return fmt.Sprintf("another authorization is waiting on port %d: finish or cancel it in the other cewiz window, then try again", e.Port)
}

func (e *AlreadyWaitingError) Is(target error) bool {
	return target == ErrAlreadyWaiting || target == ErrPortUnavailable
}

// Windows Winsock error numbers (they do not collide with Unix errnos).
const (
	wsaEACCES        = 10013
	wsaEADDRINUSE    = 10048
	wsaEADDRNOTAVAIL = 10049
)

// classifyBindError tells why a bind failed; goos decides what EACCES means
// (on Windows it is the excluded port ranges).
func classifyBindError(err error, goos string) PortCause {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return CauseUnknown
	}
	switch {
	case errno == wsaEADDRINUSE || (goos != "windows" && errno == syscall.EADDRINUSE):
		return CauseInUse
	case errno == wsaEACCES || (goos == "windows" && errno == syscall.EACCES):
		return CauseReserved
	case errno == syscall.EACCES || errno == syscall.EPERM:
		return CausePermission
	case errno == wsaEADDRNOTAVAIL || (goos != "windows" && (errno == syscall.EADDRNOTAVAIL || errno == syscall.EAFNOSUPPORT)):
		return CauseNoAddress
	}
	return CauseUnknown
}

var hostGOOS = runtime.GOOS
