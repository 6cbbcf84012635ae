// Package journey is the one implementation of "authorize, then create the
// instance", shared by the wizard (tui) and `cewiz create`. It has no UI: it
// starts the loopback listener, asks Cloud Elements for the authorization
// URL, opens the browser (or says why not), waits for the grant code or
// takes a pasted one, and creates the instance with the real secrets. Every
// dependency is a small interface declared here, so it is tested with fakes
// and against the in-process sandbox.
//
// A typical caller:
//
//	auth, err := journey.Begin(ctx, deps, settings, answers, secrets)
//	if err != nil { ... }                 // port busy, 401, network: see Classify
//	defer auth.Close()
//	show(auth.URL, auth.Browser)          // opened, or why not + ssh -L line
//	grant, err := auth.Wait(ctx)          // or auth.Paste(input) meanwhile
//	if err != nil { ... }                 // denied, timeout, canceled: see Classify
//	grant.Apply(&answers)                 // the code and the exact callback URL
//	inst, err := journey.Create(ctx, deps.API, answers, secrets)
//	if journey.Classify(err) == journey.KindCodeRejected {
//	    // offer "authorize again": Begin again with the same answers
//	}
//
// Run does all of it in one call for scripts.
package journey

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// API is the part of the Cloud Elements client the journey uses.
// *cloudelements.Client implements it.
type API interface {
	OAuthURL(ctx context.Context, o cloudelements.OAuthRequest) (string, error)
	CreateInstance(ctx context.Context, body flow.Body) (*cloudelements.Instance, error)
}

// Listener is the loopback listener as the journey uses it.
// *oauthlistener.Listener implements it.
type Listener interface {
	RedirectURI() string
	State() string
	Port() int
	Deadline() time.Time
	Wait(ctx context.Context) (oauthlistener.Result, error)
	Paste(input string) (oauthlistener.PastedResult, error)
	Accept(p oauthlistener.PastedResult) error
	Close() error
}

// StartListener starts a listener; StartOAuthListener is the real one.
type StartListener func(ctx context.Context, opts oauthlistener.Options) (Listener, error)

// StartOAuthListener is oauthlistener.Start behind the Listener interface.
func StartOAuthListener(ctx context.Context, opts oauthlistener.Options) (Listener, error) {
	l, err := oauthlistener.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Browser opens a URL without waiting. *oauthlistener.Launcher implements it.
type Browser interface {
	Open(url string) error
}

// Deps are the journey's collaborators.
type Deps struct {
	API API
	// StartListener: nil means StartOAuthListener.
	StartListener StartListener
	// Browser: nil means no browser is opened (the URL is shown).
	Browser Browser
	// Clock stamps the grant (nil: the system clock).
	Clock flow.Clock
	// Getenv reads SSH_CONNECTION and USER for the ssh -L line (nil: os.Getenv).
	Getenv func(string) string
}

// Settings are the user's choices about authorizing.
type Settings struct {
	// ListenAddr is --listen: the loopback address to bind. Empty: the
	// callback URL's own host and port. A port of 0 picks a free port and
	// the callback URL becomes the listener's (see Grant.CallbackURL).
	ListenAddr string
	// Timeout is how long to wait for the callback (0: the listener's
	// default, 5 minutes).
	Timeout time.Duration
	// NoBrowser: show the URL, do not open a browser.
	NoBrowser bool
	// OnHint runs once if nothing arrived after about 30 seconds.
	OnHint func()
}

func (d Deps) clock() flow.Clock {
	if d.Clock == nil {
		return flow.SystemClock{}
	}
	return d.Clock
}

func (d Deps) getenv(k string) string {
	if d.Getenv == nil {
		return os.Getenv(k)
	}
	return d.Getenv(k)
}

// BrowserStatus says whether the browser was opened and, if not, why and
// what the user can do.
type BrowserStatus struct {
	Opened bool
	// Err is why it was not opened: a *oauthlistener.NoBrowserError (SSH, no
	// display...), a *oauthlistener.LaunchError, or ErrBrowserDisabled.
	Err error
	// SSHLine is the exact `ssh -L PORT:127.0.0.1:PORT host` line to run on
	// the user's own computer, when this is an SSH session and the callback
	// is caught here.
	SSHLine string
}

// ErrBrowserDisabled: --no-browser, or no browser launcher configured.
var ErrBrowserDisabled = errors.New("not opening a browser (--no-browser): open the address yourself")

// Authorization is one authorization in progress: a listener (or, for a
// registered non-loopback callback, a paste-only wait) and the provider URL.
// Its methods are safe for concurrent use: Wait runs in one goroutine while
// Paste, Confirm, OpenBrowser and Close come from another.
type Authorization struct {
	// URL is the provider's authorization URL: print it in every case.
	URL string
	// RedirectURI is the callback URL sent to Cloud Elements, byte-identical
	// to the one the grant is bound to.
	RedirectURI string
	// PasteOnly: the callback is a registered non-loopback URL; the browser
	// lands there and the user pastes the address or the code.
	PasteOnly bool
	// Port is the listener's port (0 when PasteOnly).
	Port int
	// Deadline is when the wait times out (zero: never).
	Deadline time.Time
	// Browser is what happened when the browser was opened at Begin.
	Browser BrowserStatus

	deps     Deps
	settings Settings
	l        Listener
	mu       sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// Grant is a caught grant code.
type Grant struct {
	Code flow.Secret
	// CallbackURL is the redirect URI the code was issued for: the create
	// body's oauth.callback.url must be exactly this.
	CallbackURL string
	ObtainedAt  time.Time
	Source      oauthlistener.Source
}

// Apply puts the grant into the answers: the code and the callback URL.
func (g Grant) Apply(a *flow.Answers) {
	a.Code = g.Code
	a.CallbackURL = g.CallbackURL
}

// Begin starts an authorization for the answers: it starts the loopback
// listener first (so a fast redirect is never refused, and the state and
// redirect URI are known), then asks Cloud Elements for the authorization
// URL with that redirect URI and state, then opens the browser unless
// settings.NoBrowser. For a registered non-loopback callback URL no listener
// is started: the user pastes what the browser shows (PasteOnly).
//
// On error nothing is left running. Errors: the listener's (port
// unavailable, another authorization waiting), the client's (*APIError 401,
// *NetError...), or a missing answer.
func Begin(ctx context.Context, deps Deps, settings Settings, a flow.Answers, s flow.Secrets) (*Authorization, error) {
	if deps.API == nil {
		return nil, errors.New("journey: no Cloud Elements client")
	}
	if err := readyToAuthorize(a, s); err != nil {
		return nil, err
	}
	auth := &Authorization{deps: deps, settings: settings}
	var l Listener
	if flow.CallbackIsLoopback(a) {
		start := deps.StartListener
		if start == nil {
			start = StartOAuthListener
		}
		opts := oauthlistener.Options{Addr: settings.ListenAddr, RedirectURI: a.CallbackURL, Timeout: settings.Timeout, OnHint: settings.OnHint}
		if settings.EphemeralPort() {
			opts.RedirectURI = "" // the callback URL follows the chosen port
		}
		var err error
		l, err = start(ctx, opts)
		if err != nil {
			return nil, err
		}
		auth.Port = l.Port()
	} else {
		r, err := oauthlistener.ParseRedirectURI(a.CallbackURL)
		if err != nil {
			return nil, err
		}
		l = NewManualListener(ctx, r, "", settings.Timeout, deps.clock().Now())
		auth.PasteOnly = true
	}
	auth.l = l
	auth.RedirectURI = l.RedirectURI()
	auth.Deadline = l.Deadline()
	u, err := deps.API.OAuthURL(ctx, cloudelements.OAuthRequest{
		APIKey:      a.APIKey,
		APISecret:   s.APISecret,
		CallbackURL: auth.RedirectURI,
		SiteAddress: a.Domain,
		State:       l.State(),
	})
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	auth.URL = u
	if settings.NoBrowser {
		auth.Browser = auth.status(ErrBrowserDisabled)
	} else {
		auth.Browser = auth.OpenBrowser()
	}
	return auth, nil
}

// EphemeralPort: ListenAddr asks for port 0, so the listener picks a free
// port when the authorization starts and the redirect URI follows it.
func (s Settings) EphemeralPort() bool { return strings.HasSuffix(s.ListenAddr, ":0") }

// readyToAuthorize checks the answers the oauth/url request needs.
func readyToAuthorize(a flow.Answers, s flow.Secrets) error {
	switch {
	case a.APIKey == "":
		return &MissingError{Field: "Application ID", Flag: "api-key"}
	case s.APISecret.IsZero():
		return &MissingError{Field: "Application Secret", Flag: flow.EnvAPISecret}
	case a.Domain == "":
		return &MissingError{Field: "DocuShare Flex domain", Flag: "domain"}
	case a.CallbackURL == "":
		return &MissingError{Field: "callback URL", Flag: "callback-url"}
	}
	return nil
}

// MissingError: an answer the step needs was not given.
type MissingError struct {
	Field string // as the user knows it
	Flag  string // the flag or environment variable that gives it
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("the %s is missing", e.Field)
}

// OpenBrowser opens (or reopens) the browser on URL and returns what
// happened; the result is also kept in Browser.
func (a *Authorization) OpenBrowser() BrowserStatus {
	var err error
	if a.deps.Browser == nil {
		err = ErrBrowserDisabled
	} else {
		err = a.deps.Browser.Open(a.URL)
	}
	st := a.status(err)
	a.mu.Lock()
	a.Browser = st
	a.mu.Unlock()
	return st
}

// BrowserState is Browser read under the lock: a "reopen the browser" in
// another goroutine (OpenBrowser) may be writing it while a UI draws it.
func (a *Authorization) BrowserState() BrowserStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Browser
}

func (a *Authorization) status(err error) BrowserStatus {
	st := BrowserStatus{Opened: err == nil, Err: err}
	if err != nil && !a.PasteOnly && a.Port > 0 {
		var nb *oauthlistener.NoBrowserError
		ssh := errors.As(err, &nb) && nb.SSH()
		if ssh || a.deps.getenv("SSH_CONNECTION") != "" || a.deps.getenv("SSH_TTY") != "" {
			st.SSHLine = oauthlistener.SSHTunnelCommand(a.Port, oauthlistener.SSHHost(a.deps.getenv))
		}
	}
	return st
}

// Wait blocks until the grant arrives (browser callback or accepted paste),
// the provider refuses (*oauthlistener.ProviderError), the timeout
// (oauthlistener.ErrTimeout), or cancellation (oauthlistener.ErrCanceled).
func (a *Authorization) Wait(ctx context.Context) (Grant, error) {
	res, err := a.l.Wait(ctx)
	if err != nil {
		return Grant{}, err
	}
	return a.grant(res.Code, res.Source), nil
}

// grant is the grant of code for this authorization's redirect URI,
// obtained now from src.
func (a *Authorization) grant(code oauthlistener.Code, src oauthlistener.Source) Grant {
	return Grant{
		Code:        flow.NewSecret(code.Reveal()),
		CallbackURL: a.RedirectURI,
		ObtainedAt:  a.deps.clock().Now(),
		Source:      src,
	}
}

// Pasted is the outcome of Paste.
type Pasted struct {
	// NeedsConfirmation: a bare code whose state cannot be checked; ask the
	// user, then call Confirm. Otherwise the wait has ended (Wait returns).
	NeedsConfirmation bool
	result            oauthlistener.PastedResult
}

// Paste takes what the user pasted: the whole redirected address (its
// address and state are checked and, when right, Wait returns the code) or
// a bare code (NeedsConfirmation). Errors are *oauthlistener.PasteError
// (wrong state, cut short...) or *oauthlistener.ProviderError (the pasted
// address carries a refusal; Wait returns it too).
func (a *Authorization) Paste(input string) (Pasted, error) {
	p, err := a.l.Paste(input)
	if err != nil {
		return Pasted{}, err
	}
	return Pasted{NeedsConfirmation: p.NeedsConfirmation, result: p}, nil
}

// Confirm accepts a pasted bare code after the user confirmed it.
func (a *Authorization) Confirm(p Pasted) error {
	return a.l.Accept(p.result)
}

// PasteLate takes an address pasted after the wait ended (it timed out):
// the browser may have shown it after Allow without the redirect ever
// reaching the listener (an HTTPS-only browser, a firewall, another
// machine). It is checked exactly as during the wait: it must be this
// authorization's redirect URI with this authorization's state, so an
// address from any other authorization is still refused; a bare code needs
// the user's confirmation (NeedsConfirmation), then LateGrant. The code may
// have expired meanwhile: the create says so, and the user authorizes again.
func (a *Authorization) PasteLate(input string) (Pasted, error) {
	r, err := oauthlistener.ParseRedirectURI(a.RedirectURI)
	if err != nil {
		return Pasted{}, err
	}
	p, err := oauthlistener.ParsePasted(input, r, a.l.State())
	if err != nil {
		return Pasted{}, err
	}
	return Pasted{NeedsConfirmation: p.NeedsConfirmation, result: p}, nil
}

// LateGrant is the grant of an address (or a confirmed bare code) that
// PasteLate accepted.
func (a *Authorization) LateGrant(p Pasted) Grant {
	return a.grant(p.result.Code, pastedSource(p.result))
}

// Diagnose lists the likely reasons no callback arrived, the ones the
// listener saw evidence of first (oauth-loopback rule 18): show them when
// the wait timed out. It is nil for a paste-only wait, where there is no
// listener to observe anything. It still works after Close.
func (a *Authorization) Diagnose() []oauthlistener.Trap {
	if a.PasteOnly {
		return nil
	}
	switch d := a.l.(type) {
	case interface {
		DiagnoseWith(*oauthlistener.Launcher) []oauthlistener.Trap
	}:
		// This machine (SSH, WSL) as the journey's browser launcher sees
		// it, in the journey's environment.
		lc, ok := a.deps.Browser.(*oauthlistener.Launcher)
		if !ok || lc == nil {
			lc = &oauthlistener.Launcher{Getenv: a.deps.Getenv}
		}
		return d.DiagnoseWith(lc)
	case interface{ Diagnose() []oauthlistener.Trap }:
		return d.Diagnose()
	}
	return nil
}

// LikelyCauses renders up to n traps as lines for a person, observed first.
func LikelyCauses(traps []oauthlistener.Trap, n int) []string {
	var out []string
	for _, t := range traps {
		if len(out) == n {
			break
		}
		out = append(out, t.String())
	}
	return out
}

// Close ends the wait (Wait returns ErrCanceled unless it had an outcome)
// and frees the port. After a browser callback that takes up to a second
// (the browser fetches /done first): a UI closes in the background. Closing
// twice is harmless, and every Close returns only once the port is free,
// so a last Close at exit may follow one still running.
func (a *Authorization) Close() error {
	a.closeOnce.Do(func() { a.closeErr = a.l.Close() })
	return a.closeErr
}

// ErrNotReady: the body still has placeholders (a missing answer or code).
var ErrNotReady = errors.New("the instance body is not complete")

// Create sends POST /instances with the real Application Secret and code
// (flow.SecretsIncluded). It never retries (the client recovers an
// ambiguous create by name). See Classify for the errors.
func Create(ctx context.Context, api API, a flow.Answers, s flow.Secrets) (*cloudelements.Instance, error) {
	if api == nil {
		return nil, errors.New("journey: no Cloud Elements client")
	}
	body := flow.BuildBody(a, s, flow.SecretsIncluded)
	if ph := body.Placeholders(); len(ph) > 0 {
		return nil, fmt.Errorf("%w: %v still to fill in", ErrNotReady, ph)
	}
	return api.CreateInstance(ctx, body)
}

// Kind classifies the journey's errors so that callers can choose the next
// step without knowing every package's types.
type Kind int

const (
	KindNone Kind = iota
	// KindCanceled: the user canceled (Ctrl-C, context) or Close was called.
	KindCanceled
	// KindDenied: the user refused consent (error=access_denied).
	KindDenied
	// KindProviderError: the provider refused for another reason.
	KindProviderError
	// KindTimeout: no callback arrived in time.
	KindTimeout
	// KindWrongState: a pasted address belongs to another authorization.
	KindWrongState
	// KindPaste: a paste was refused for another reason (cut short, no code...).
	KindPaste
	// KindPort: the listener port cannot be bound (or another cewiz waits there).
	KindPort
	// KindUnauthorized: the User or Organization secret was refused (401).
	KindUnauthorized
	// KindCodeRejected: the grant code was refused (expired, reused,
	// missing): authorize again, then create again.
	KindCodeRejected
	// KindOutcomeUnknown: the create may or may not have happened; do not
	// create again blindly.
	KindOutcomeUnknown
	// KindAPI: another error answer from Cloud Elements.
	KindAPI
	// KindNetwork: Cloud Elements could not be reached.
	KindNetwork
	// KindInvalid: a missing or invalid answer.
	KindInvalid
	// KindOther: anything else.
	KindOther
)

var kindNames = map[Kind]string{
	KindNone: "none", KindCanceled: "canceled", KindDenied: "denied", KindProviderError: "provider error",
	KindTimeout: "timeout", KindWrongState: "wrong state", KindPaste: "paste refused", KindPort: "port unavailable",
	KindUnauthorized: "unauthorized", KindCodeRejected: "code rejected", KindOutcomeUnknown: "outcome unknown",
	KindAPI: "api error", KindNetwork: "network", KindInvalid: "invalid", KindOther: "other",
}

func (k Kind) String() string { return kindNames[k] }

// AuthorizeAgain reports whether the user's next step is a new
// authorization (then creating again with every other answer kept).
func (k Kind) AuthorizeAgain() bool {
	switch k {
	case KindCodeRejected, KindDenied, KindProviderError, KindTimeout, KindWrongState:
		return true
	}
	return false
}

// Classify tells what kind of failure err is.
func Classify(err error) Kind {
	if err == nil {
		return KindNone
	}
	var (
		pe  *oauthlistener.ProviderError
		pst *oauthlistener.PasteError
		ae  *cloudelements.APIError
		ne  *cloudelements.NetError
		me  *MissingError
	)
	switch {
	case errors.Is(err, oauthlistener.ErrCanceled) || cloudelements.IsCanceled(err) || errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.As(err, &pe):
		if pe.Denied() {
			return KindDenied
		}
		return KindProviderError
	case errors.Is(err, oauthlistener.ErrTimeout):
		return KindTimeout
	case errors.Is(err, oauthlistener.ErrPasteWrongState):
		return KindWrongState
	case errors.As(err, &pst):
		return KindPaste
	case errors.Is(err, oauthlistener.ErrPortUnavailable):
		return KindPort
	case errors.Is(err, cloudelements.ErrOutcomeUnknown):
		return KindOutcomeUnknown
	case errors.As(err, &ae):
		switch {
		case ae.CodeRejected():
			return KindCodeRejected
		case ae.Status == 401:
			return KindUnauthorized
		}
		return KindAPI
	case errors.As(err, &ne):
		return KindNetwork
	case errors.As(err, &me) || errors.Is(err, ErrNotReady) || errors.Is(err, oauthlistener.ErrNotLoopback):
		return KindInvalid
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindOther
}

// Hooks let a caller show progress during Run.
type Hooks struct {
	// Authorizing runs once the authorization URL is known and the browser
	// was opened (or not: auth.Browser says why). The caller prints auth.URL
	// and may feed a pasted address or code to auth.Paste from another
	// goroutine while Run waits.
	Authorizing func(auth *Authorization)
	// Authorized runs when the grant code has arrived, before the create.
	Authorized func(g Grant)
	// Creating runs right before POST /instances is sent: from then on a
	// cancel may leave an instance behind (the client then looks it up).
	Creating func()
}

// Result is what Run produced.
type Result struct {
	Instance *cloudelements.Instance
	// Grant is the code used (zero when the answers already carried one).
	Grant Grant
	// Answers are the answers the instance was created with (the code and
	// the callback URL applied).
	Answers flow.Answers
	// SignatureKey is the key its notifications are signed with (zero:
	// unsigned).
	SignatureKey flow.Secret
}

// Run is the whole journey without a UI, for `cewiz create`: when the
// answers carry no code it authorizes (Begin, the browser, Wait), then it
// creates the instance. The listener is always closed before Run returns.
// A rejected code comes back as an error whose Classify is
// KindCodeRejected: clear a.Code and Run again to authorize again.
func Run(ctx context.Context, deps Deps, settings Settings, a flow.Answers, s flow.Secrets, hooks Hooks) (Result, error) {
	a = a.Clone()
	var res Result
	if a.Code.IsZero() {
		auth, err := Begin(ctx, deps, settings, a, s)
		if err != nil {
			return res, err
		}
		if hooks.Authorizing != nil {
			hooks.Authorizing(auth)
		}
		g, err := auth.Wait(ctx)
		_ = auth.Close()
		if err != nil {
			return res, err
		}
		if hooks.Authorized != nil {
			hooks.Authorized(g)
		}
		g.Apply(&a)
		res.Grant = g
	}
	res.Answers = a
	res.SignatureKey = s.SignatureKey
	if hooks.Creating != nil {
		hooks.Creating()
	}
	in, err := Create(ctx, deps.API, a, s)
	if err != nil {
		return res, err
	}
	res.Instance = in
	return res, nil
}
