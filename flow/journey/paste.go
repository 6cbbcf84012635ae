package journey

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cewiz/cewiz/oauthlistener"
)

// ManualListener is a Listener with no socket: the grant comes from Paste
// (the address is checked against the redirect URI and the state, a bare
// code needs Accept) or from Finish. Begin uses it for a registered
// non-loopback callback URL, where the provider redirects elsewhere and the
// user pastes; tests use it as the loopback listener's double.
type ManualListener struct {
	redirect oauthlistener.RedirectURI
	state    string
	deadline time.Time
	done     chan struct{}
	once     sync.Once
	mu       sync.Mutex
	res      oauthlistener.Result
	err      error
	stop     context.CancelFunc
}

// NewManualListener waits for r with state ("": a new random one) until
// timeout (0: oauthlistener.DefaultTimeout; negative: never), when Wait
// returns oauthlistener.ErrTimeout. now stamps the Deadline (the caller's
// clock); the timer runs on the real one.
func NewManualListener(ctx context.Context, r oauthlistener.RedirectURI, state string, timeout time.Duration, now time.Time) *ManualListener {
	if timeout == 0 {
		timeout = oauthlistener.DefaultTimeout
	}
	if state == "" {
		state = oauthlistener.NewState()
	}
	p := &ManualListener{redirect: r, state: state, done: make(chan struct{})}
	var cctx context.Context
	if timeout > 0 {
		p.deadline = now.Add(timeout)
		cctx, p.stop = context.WithTimeout(ctx, timeout)
	} else {
		cctx, p.stop = context.WithCancel(ctx)
	}
	go func() {
		defer func() { _ = recover() }()
		select {
		case <-cctx.Done():
			if errors.Is(cctx.Err(), context.DeadlineExceeded) {
				p.Finish(oauthlistener.Result{}, oauthlistener.ErrTimeout)
			} else {
				p.Finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
			}
		case <-p.done:
		}
	}()
	return p
}

// Finish ends the wait with res or err (as a callback would) and reports
// whether it did: only the first outcome counts.
func (p *ManualListener) Finish(res oauthlistener.Result, err error) bool {
	won := false
	p.once.Do(func() {
		p.mu.Lock()
		p.res, p.err = res, err
		p.mu.Unlock()
		close(p.done)
		won = true
	})
	if won && p.stop != nil {
		p.stop()
	}
	return won
}

func (p *ManualListener) RedirectURI() string { return p.redirect.Raw }
func (p *ManualListener) State() string       { return p.state }
func (p *ManualListener) Port() int           { return 0 }
func (p *ManualListener) Deadline() time.Time { return p.deadline }

func (p *ManualListener) Wait(ctx context.Context) (oauthlistener.Result, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		p.Finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res, p.err
}

func (p *ManualListener) Paste(input string) (oauthlistener.PastedResult, error) {
	r, err := oauthlistener.ParsePasted(input, p.redirect, p.state)
	if err != nil {
		var pe *oauthlistener.ProviderError
		if errors.As(err, &pe) {
			p.Finish(oauthlistener.Result{}, pe)
		}
		return r, err
	}
	if !r.NeedsConfirmation {
		if err := p.Accept(r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (p *ManualListener) Accept(r oauthlistener.PastedResult) error {
	if r.Code.IsZero() {
		return errors.New("there is no code to accept")
	}
	if !p.Finish(oauthlistener.Result{Code: r.Code, Params: r.Params, Source: pastedSource(r), ReceivedAt: time.Now()}, nil) {
		return oauthlistener.ErrAlreadyCompleted
	}
	return nil
}

func (p *ManualListener) Close() error {
	p.Finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
	p.stop()
	return nil
}

// pastedSource is where a pasted code came from: the whole address (its
// state checked) or a bare code the user confirmed.
func pastedSource(r oauthlistener.PastedResult) oauthlistener.Source {
	if r.NeedsConfirmation {
		return oauthlistener.FromPastedCode
	}
	return oauthlistener.FromPaste
}
