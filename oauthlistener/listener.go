package oauthlistener

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout   = 5 * time.Minute
	DefaultHintAfter = 30 * time.Second
	// doneGrace bounds how long the listener stays open after the winning
	// callback for the browser to fetch /done (rule 10: within a second).
	doneGrace = time.Second
	// linger keeps the port open a little after /done so that a duplicate hit
	// (a reload, a double redirect) sees "already completed" (rule 10).
	linger = 300 * time.Millisecond
	// shutdownBound bounds a graceful shutdown before connections are cut.
	shutdownBound = 500 * time.Millisecond
	// DonePath is where the callback's 303 sends the browser (donePathAlt
	// when the callback path itself is /done).
	DonePath    = "/done"
	donePathAlt = "/done-authorization"
)

// Options configure Start. The zero value listens on DefaultAddr with
// DefaultPath, a generated state and the default timeout.
type Options struct {
	// Addr is the host:port to bind. Empty means DefaultAddr (or, when
	// RedirectURI is set, that URI's host and port). Only 127.0.0.1, [::1]
	// and localhost are accepted; "localhost" binds 127.0.0.1 and [::1] on the
	// same port; an empty host means 127.0.0.1. Port 0 picks a free port.
	Addr string
	// RedirectURI, when set, is the exact loopback redirect URI registered
	// with the provider: RedirectURI() returns it byte for byte and its path
	// is served. Its port must equal Addr's when both are given.
	RedirectURI string
	// Path is the callback path when RedirectURI is empty (default /callback).
	Path string
	// State is the expected state. Empty: a fresh one is generated (State()).
	State string
	// Timeout ends the wait with ErrTimeout (default 5 minutes; negative: never).
	Timeout time.Duration
	// HintAfter is when Hint() closes and OnHint runs if no callback has
	// arrived (default 30 seconds; negative: never).
	HintAfter time.Duration
	// OnHint runs once, in its own goroutine, at HintAfter. It must return
	// promptly (hand the news to the UI without blocking): Close waits for it.
	OnHint func()
	// Pages are the landing page texts.
	Pages Pages
	// Logger receives debug records about rejected requests; they never hold
	// the code, the state or the query. Nil: no logging.
	Logger *slog.Logger
}

// Listener is a running loopback listener. Its methods are safe for
// concurrent use.
type Listener struct {
	redirect    RedirectURI
	path        string
	donePath    string // DonePath, unless that is the callback path
	state       string
	port        int
	allowPorts  map[int]bool
	pages       Pages
	logger      *slog.Logger
	deadline    time.Time
	onHint      func()
	lns         []net.Listener
	srv         *http.Server
	ipv6Skipped bool

	mu       sync.Mutex
	finished bool
	out      outcome

	done       chan struct{} // closed when the outcome is decided
	doneServed chan struct{} // closed when /done has been served
	doneOnce   sync.Once
	hint       chan struct{} // closed at HintAfter
	closed     chan struct{} // closed when the sockets are closed
	closeReq   chan struct{} // closed by Close: skip the linger
	closeOnce  sync.Once
	wg         sync.WaitGroup

	obs observations
}

type outcome struct {
	res      Result
	err      error
	callback bool // ended by a browser request: serve /done before closing
}

type observations struct {
	requests, wrongHost, wrongPath, forbidden, wrongState, noCode, tls atomic.Int64
	mu                                                                 sync.Mutex
	paths                                                              []string
}

// NewState returns 256 random bits from crypto/rand, base64url without
// padding (43 characters).
func NewState() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("oauthlistener: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

type bindPlan struct {
	hosts    []string // first is the primary
	port     int
	redirect *RedirectURI // when given
	path     string
	uriHost  string // host for a built redirect URI
}

func planBind(o Options) (bindPlan, error) {
	var p bindPlan
	addr := o.Addr
	if o.RedirectURI != "" {
		r, err := ParseRedirectURI(o.RedirectURI)
		if err != nil {
			return p, err
		}
		if !r.Loopback {
			return p, fmt.Errorf("%w: the redirect URI is not a loopback http URI, so the browser cannot bring the code here; paste it instead", ErrNotLoopback)
		}
		p.redirect = &r
		p.path = r.Path()
		if addr == "" {
			// The URI's own host, localhost included: below, localhost binds
			// both 127.0.0.1 and [::1].
			addr = net.JoinHostPort(r.URL.Hostname(), strconv.Itoa(r.Port()))
		}
	} else {
		p.path = o.Path
		if p.path == "" {
			p.path = DefaultPath
		}
		if !strings.HasPrefix(p.path, "/") || strings.ContainsAny(p.path, "?#% \t\r\n") {
			return p, fmt.Errorf("the callback path %q must start with / and hold no query, fragment, escape or space", p.path)
		}
	}
	if addr == "" {
		addr = DefaultAddr
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return p, fmt.Errorf("the listen address %q is not HOST:PORT (for example %s)", addr, DefaultAddr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return p, fmt.Errorf("the listen address %q has no valid port (0-65535)", addr)
	}
	p.port = port
	switch {
	case host == "" || host == "127.0.0.1":
		p.hosts, p.uriHost = []string{"127.0.0.1"}, "127.0.0.1"
	case host == "::1":
		p.hosts, p.uriHost = []string{"::1"}, "[::1]"
	case strings.EqualFold(host, "localhost"):
		p.hosts, p.uriHost = []string{"127.0.0.1", "::1"}, "localhost"
	default:
		return p, fmt.Errorf("%w; %q is not one of them", ErrNotLoopback, host)
	}
	if p.redirect != nil {
		if rp := p.redirect.Port(); port != rp {
			return p, fmt.Errorf("the listen port %d differs from the redirect URI's port %d: the browser would not reach the listener", port, rp)
		}
	}
	return p, nil
}

// Start binds the loopback listener and starts serving. It returns once the
// socket is listening, so the authorization URL can be requested right away
// and a fast redirect is never refused (rule 4). ctx bounds the listener's
// whole life: when it ends, the wait ends with ErrCanceled and the port is
// freed.
func Start(ctx context.Context, opts Options) (*Listener, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	plan, err := planBind(opts)
	if err != nil {
		return nil, err
	}
	state := opts.State
	if state == "" {
		state = NewState()
	} else if len(state) > 4096 || strings.ContainsFunc(state, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("the expected state must be at most 4096 characters without spaces or control characters")
	}

	l := &Listener{
		path:       plan.path,
		donePath:   DonePath,
		state:      state,
		pages:      opts.Pages.withDefaults(),
		logger:     opts.Logger,
		onHint:     opts.OnHint,
		done:       make(chan struct{}),
		doneServed: make(chan struct{}),
		hint:       make(chan struct{}),
		closed:     make(chan struct{}),
		closeReq:   make(chan struct{}),
		allowPorts: map[int]bool{},
	}

	// Bind: the primary host first, then (for localhost) [::1] on the same
	// port. With port 0 a companion that is taken makes us try another port.
	for attempt := 0; ; attempt++ {
		err := l.bindAll(plan)
		if err == nil {
			break
		}
		var pe *PortUnavailableError
		if plan.port != 0 || attempt == 4 || !errors.As(err, &pe) || pe.Cause != CauseInUse {
			return nil, err
		}
	}
	l.allowPorts[l.port] = true
	if l.path == DonePath {
		l.donePath = donePathAlt
	}

	if plan.redirect != nil {
		l.redirect = *plan.redirect
	} else {
		raw := "http://" + net.JoinHostPort(strings.Trim(plan.uriHost, "[]"), strconv.Itoa(l.port)) + plan.path
		r, err := ParseRedirectURI(raw)
		if err != nil { // cannot happen: built from checked parts
			for _, x := range l.lns {
				_ = x.Close()
			}
			return nil, err
		}
		l.redirect = r
	}
	l.allowPorts[l.redirect.Port()] = true

	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	hintAfter := opts.HintAfter
	if hintAfter == 0 {
		hintAfter = DefaultHintAfter
	}
	if timeout > 0 {
		l.deadline = time.Now().Add(timeout)
	}

	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	for _, ln := range l.lns {
		l.wg.Add(1)
		go l.serve(&tlsSniffListener{Listener: ln, obs: &l.obs})
	}
	l.wg.Add(1)
	go l.supervise(ctx, timeout, hintAfter)
	return l, nil
}

// bindAll binds every host of the plan on one port (the primary's).
func (l *Listener) bindAll(plan bindPlan) error {
	l.lns, l.ipv6Skipped = nil, false
	primary, err := bind(plan.hosts[0], plan.port)
	if err != nil {
		return err
	}
	l.lns = append(l.lns, primary)
	l.port = primary.Addr().(*net.TCPAddr).Port
	for _, h := range plan.hosts[1:] {
		ln, err := bind(h, l.port)
		if err != nil {
			var pe *PortUnavailableError
			if errors.As(err, &pe) && pe.Cause == CauseNoAddress {
				l.ipv6Skipped = true // no IPv6 loopback on this machine
				continue
			}
			for _, x := range l.lns {
				_ = x.Close()
			}
			l.lns = nil
			return err
		}
		l.lns = append(l.lns, ln)
	}
	return nil
}

// bind listens on host:port and turns failures into *PortUnavailableError or
// *AlreadyWaitingError.
func bind(host string, port int) (net.Listener, error) {
	network := "tcp4"
	if strings.Contains(host, ":") {
		network = "tcp6"
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen(network, addr)
	if err == nil {
		return ln, nil
	}
	cause := classifyBindError(err, hostGOOS)
	if cause == CauseInUse && port != 0 && probeCewiz(addr) {
		return nil, &AlreadyWaitingError{Port: port}
	}
	return nil, &PortUnavailableError{Addr: addr, Port: port, Cause: cause, Err: err}
}

// probePath is what probeCewiz asks for. A listener answers it with a 404
// and does not count it, so another cewiz's probe does not show up in
// Observations (and Diagnose) as a browser arriving at a wrong path.
const probePath = "/.cewiz-listener-probe"

// probeCewiz asks whoever listens on addr whether it is an oauthlistener
// (rule 19): a GET on probePath that any listener of this package answers
// with its marker header (and a 404). It sends nothing else.
func probeCewiz(addr string) bool {
	c := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://" + addr + probePath)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.Header.Get(listenerHeader) != ""
}

func (l *Listener) serve(ln net.Listener) {
	defer l.wg.Done()
	defer l.recoverAndEnd()
	if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// The socket failed (not a shutdown): nothing can arrive any more.
		l.finish(outcome{err: ErrListenerFailed})
	}
}

// ErrListenerFailed: the socket stopped accepting connections on its own.
var ErrListenerFailed = errors.New("the loopback listener stopped unexpectedly; paste the redirected address, or start the authorization again")

// recoverAndEnd turns a panic in one of the listener's goroutines into an
// ended wait instead of a crash or a hang.
func (l *Listener) recoverAndEnd() {
	if recover() != nil {
		l.finish(outcome{err: ErrListenerFailed})
	}
}

func recoverGoroutine() { _ = recover() }

// supervise runs the timeout, the hint and Start's context, and closes the
// sockets once the outcome is known.
func (l *Listener) supervise(ctx context.Context, timeout, hintAfter time.Duration) {
	defer l.wg.Done()
	defer close(l.closed)
	defer l.shutdown()
	defer l.recoverAndEnd()

	var timeoutC, hintC <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	if hintAfter > 0 {
		t := time.NewTimer(hintAfter)
		defer t.Stop()
		hintC = t.C
	}
loop:
	for {
		select {
		case <-l.done:
			break loop
		case <-ctx.Done():
			l.finish(outcome{err: &canceledError{cause: ctx.Err()}})
		case <-timeoutC:
			l.finish(outcome{err: ErrTimeout})
		case <-hintC:
			hintC = nil
			close(l.hint)
			if f := l.onHint; f != nil {
				l.wg.Add(1)
				go func() {
					defer l.wg.Done()
					defer recoverGoroutine()
					f()
				}()
			}
		}
	}
	l.mu.Lock()
	cb := l.out.callback
	l.mu.Unlock()
	if cb {
		// Let the browser follow the 303 and fetch /done, then close.
		t := time.NewTimer(doneGrace)
		defer t.Stop()
		select {
		case <-l.doneServed:
			lt := time.NewTimer(linger)
			defer lt.Stop()
			select {
			case <-lt.C:
			case <-l.closeReq:
			}
		case <-t.C:
		}
	}
}

func (l *Listener) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownBound)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil {
		_ = l.srv.Close()
	}
	for _, ln := range l.lns {
		_ = ln.Close()
	}
}

// finish records the outcome if none is recorded yet; it reports whether it won.
func (l *Listener) finish(o outcome) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.finished {
		return false
	}
	l.finished, l.out = true, o
	close(l.done)
	return true
}

func (l *Listener) isFinished() (bool, outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.finished, l.out
}

// RedirectURI is the redirect URI to send to the provider, byte-identical to
// Options.RedirectURI when that was given.
func (l *Listener) RedirectURI() string { return l.redirect.Raw }

// Redirect is the parsed RedirectURI.
func (l *Listener) Redirect() RedirectURI { return l.redirect }

// State is the expected state, to put in the authorization request. Keep it
// out of logs and messages.
func (l *Listener) State() string { return l.state }

// Port is the bound port.
func (l *Listener) Port() int { return l.port }

// Addrs are the bound addresses (127.0.0.1:P, and [::1]:P for localhost).
func (l *Listener) Addrs() []string {
	out := make([]string, len(l.lns))
	for i, ln := range l.lns {
		out[i] = ln.Addr().String()
	}
	return out
}

// Deadline is when the wait times out (zero when it never does).
func (l *Listener) Deadline() time.Time { return l.deadline }

// Hint is closed when HintAfter has passed without an outcome (rule 12):
// time to show the "nothing arrived?" hints (see Diagnose).
func (l *Listener) Hint() <-chan struct{} { return l.hint }

// Done is closed when the outcome is known (Wait then returns at once).
func (l *Listener) Done() <-chan struct{} { return l.done }

// Wait blocks until the first valid callback (or an accepted paste), a
// provider error, the timeout, Close, or the end of ctx or of Start's
// context. It returns the Result, or ErrTimeout, an error matching
// ErrCanceled, or a *ProviderError. After a browser callback it returns at
// once (the listener still serves /done, then closes within a second);
// otherwise (timeout, cancellation, paste) it returns after the port is
// closed, which takes well under a second. Wait may be called more
// than once; it returns the same outcome.
func (l *Listener) Wait(ctx context.Context) (Result, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		l.finish(outcome{err: &canceledError{cause: ctx.Err()}})
	}
	_, o := l.isFinished()
	if !o.callback {
		<-l.closed // timeout, cancel, paste: the port is free when Wait returns
	}
	return o.res, o.err
}

// Close ends the wait (Wait returns ErrCanceled unless an outcome was already
// known) and closes the port. After a callback it first lets the browser
// fetch /done (at most a second), then closes at once. It waits for every goroutine of the
// listener to end. Closing twice is harmless.
func (l *Listener) Close() error {
	l.finish(outcome{err: &canceledError{cause: errClosed}})
	l.closeOnce.Do(func() { close(l.closeReq) })
	l.wg.Wait()
	return nil
}

// Accept ends the wait with a pasted result (for a bare code, after the user
// confirmed it). It returns ErrAlreadyCompleted when the wait has ended.
func (l *Listener) Accept(p PastedResult) error {
	if p.Code.IsZero() {
		return errors.New("there is no code to accept")
	}
	src := FromPaste
	if p.NeedsConfirmation {
		src = FromPastedCode
	}
	res := Result{Code: p.Code, Params: p.Params, Source: src, ReceivedAt: time.Now()}
	if !l.finish(outcome{res: res}) {
		return ErrAlreadyCompleted
	}
	return nil
}

// Paste parses what the user pasted against this listener's redirect URI and
// state (rule 13). A whole redirected address with the right state ends the
// wait at once (with its code, or with its *ProviderError, which is also
// returned). A bare code is returned with NeedsConfirmation set and does not
// end the wait: confirm with the user, then call Accept.
func (l *Listener) Paste(input string) (PastedResult, error) {
	p, err := ParsePasted(input, l.redirect, l.state)
	if err != nil {
		var pe *ProviderError
		if errors.As(err, &pe) {
			l.finish(outcome{err: pe})
		}
		return p, err
	}
	if !p.NeedsConfirmation {
		if err := l.Accept(p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ServeHTTP implements the callback (rules 5-8, 10, 11).
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if recover() != nil {
			writeText(w, http.StatusInternalServerError, "internal error")
		}
	}()
	setSecurityHeaders(w.Header())
	hostOK := l.hostAllowed(r.Host)
	if hostOK && r.Method == http.MethodGet && r.URL.EscapedPath() == probePath && probePath != l.path {
		writeText(w, http.StatusNotFound, "not found") // rule 19's probe: not counted
		return
	}
	l.obs.requests.Add(1)

	if !hostOK { // rule 8: DNS rebinding
		l.obs.wrongHost.Add(1)
		l.debug("rejected a request for another host", "status", 421)
		writeText(w, http.StatusMisdirectedRequest, "misdirected request")
		return
	}
	path := r.URL.EscapedPath()
	if r.Method == http.MethodGet && path == l.donePath {
		l.serveDone(w)
		return
	}
	if r.Method != http.MethodGet || path != l.path { // rule 5
		l.obs.wrongPath.Add(1)
		l.obs.notePath(path)
		l.debug("not found", "method", sanitize(r.Method, 16), "status", 404)
		writeText(w, http.StatusNotFound, "not found")
		return
	}
	_, secFetch := r.Header["Sec-Fetch-Mode"]
	if _, origin := r.Header["Origin"]; origin || (secFetch && r.Header.Get("Sec-Fetch-Mode") != "navigate") {
		l.obs.forbidden.Add(1)
		l.debug("rejected a non-navigation request", "status", 403)
		writeText(w, http.StatusForbidden, "forbidden")
		return
	}
	if fin, _ := l.isFinished(); fin {
		l.pageAlreadyCompleted(w)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(q["state"]) != 1 || !stateMatches(q.Get("state"), l.state) { // rule 6
		l.obs.wrongState.Add(1)
		l.debug("rejected a callback without the expected state", "status", 400)
		l.pageRejected(w)
		return
	}
	if _, ok := q["error"]; ok { // rule 7
		pe := newProviderError(q.Get)
		if l.finish(outcome{err: pe, callback: true}) {
			l.debug("the provider refused the authorization", "error", pe.Code)
			l.redirectDone(w)
		} else {
			l.pageAlreadyCompleted(w)
		}
		return
	}
	if len(q["code"]) != 1 || q.Get("code") == "" {
		l.obs.noCode.Add(1)
		l.debug("rejected a callback without exactly one code", "status", 400)
		l.pageRejected(w)
		return
	}
	code := q.Get("code")
	q.Del("code")
	res := Result{Code: Code{v: code}, Params: Params{v: q}, Source: FromCallback, ReceivedAt: time.Now()}
	if !l.finish(outcome{res: res, callback: true}) { // rule 10: first wins
		l.pageAlreadyCompleted(w)
		return
	}
	l.debug("authorization code received")
	l.redirectDone(w)
}

// stateMatches compares in constant time (rule 6).
func stateMatches(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (l *Listener) hostAllowed(hostport string) bool {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		host, portStr = hostport, "80"
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || !l.allowPorts[port] {
		return false
	}
	return isLoopbackHost(host)
}

func (l *Listener) redirectDone(w http.ResponseWriter) {
	w.Header().Set("Location", l.donePath)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusSeeOther)
}

func (l *Listener) serveDone(w http.ResponseWriter) {
	fin, o := l.isFinished()
	if !fin || !o.callback {
		l.obs.wrongPath.Add(1)
		writeText(w, http.StatusNotFound, "not found")
		return
	}
	var pe *ProviderError
	if errors.As(o.err, &pe) {
		writePage(w, http.StatusOK, pageData{Title: l.pages.Title, Heading: "Authorization refused", Message: l.pages.ProviderError, Class: "err", Back: l.pages.Back, Error: pe})
	} else {
		writePage(w, http.StatusOK, pageData{Title: l.pages.Title, Heading: "Authorization received", Message: l.pages.Success, Class: "ok", Back: l.pages.Back})
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	l.doneOnce.Do(func() { close(l.doneServed) })
}

func (l *Listener) pageRejected(w http.ResponseWriter) {
	writePage(w, http.StatusBadRequest, pageData{Title: l.pages.Title, Heading: "Request ignored", Message: l.pages.WrongState, Class: "err", Back: l.pages.Back})
}

func (l *Listener) pageAlreadyCompleted(w http.ResponseWriter) {
	writePage(w, http.StatusConflict, pageData{Title: l.pages.Title, Heading: "Already completed", Message: l.pages.AlreadyCompleted, Class: "ok", Back: l.pages.Back})
}

func (l *Listener) debug(msg string, args ...any) {
	if l.logger != nil {
		defer recoverGoroutine() // a broken log handler must not break the callback
		l.logger.Debug("oauthlistener: "+msg, args...)
	}
}

func (o *observations) notePath(p string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.paths) < 5 {
		o.paths = append(o.paths, sanitize(p, 80))
	}
}

// tlsSniffListener counts connections that start with a TLS handshake: a
// browser that upgraded http://127.0.0.1 to https (HTTPS-Only mode, HSTS),
// which Diagnose reports (rule 18).
type tlsSniffListener struct {
	net.Listener
	obs *observations
}

func (s *tlsSniffListener) Accept() (net.Conn, error) {
	c, err := s.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, obs: s.obs}, nil
}

type sniffConn struct {
	net.Conn
	obs  *observations
	seen bool
}

func (c *sniffConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if !c.seen && n > 0 {
		c.seen = true
		if b[0] == 0x16 { // TLS handshake record
			c.obs.tls.Add(1)
		}
	}
	return n, err
}
