package journey

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cewiz/cewiz/oauthlistener"
)

// pasteOnly is the Listener for a registered non-loopback callback URL: no
// socket, the provider redirects elsewhere and the user pastes the address
// (checked against the callback URL and the state) or the code.
type pasteOnly struct {
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

func newPasteOnly(ctx context.Context, r oauthlistener.RedirectURI, timeout time.Duration, now time.Time) *pasteOnly {
	if timeout == 0 {
		timeout = oauthlistener.DefaultTimeout
	}
	p := &pasteOnly{redirect: r, state: oauthlistener.NewState(), done: make(chan struct{})}
	var cctx context.Context
	if timeout > 0 {
		// The deadline is shown on the caller's clock; the timer runs on
		// the real one.
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
				p.finish(oauthlistener.Result{}, oauthlistener.ErrTimeout)
			} else {
				p.finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
			}
		case <-p.done:
		}
	}()
	return p
}

func (p *pasteOnly) finish(res oauthlistener.Result, err error) bool {
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

func (p *pasteOnly) RedirectURI() string { return p.redirect.Raw }
func (p *pasteOnly) State() string       { return p.state }
func (p *pasteOnly) Port() int           { return 0 }
func (p *pasteOnly) Deadline() time.Time { return p.deadline }

func (p *pasteOnly) Wait(ctx context.Context) (oauthlistener.Result, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		p.finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res, p.err
}

func (p *pasteOnly) Paste(input string) (oauthlistener.PastedResult, error) {
	r, err := oauthlistener.ParsePasted(input, p.redirect, p.state)
	if err != nil {
		var pe *oauthlistener.ProviderError
		if errors.As(err, &pe) {
			p.finish(oauthlistener.Result{}, pe)
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

func (p *pasteOnly) Accept(r oauthlistener.PastedResult) error {
	if r.Code.IsZero() {
		return errors.New("there is no code to accept")
	}
	src := oauthlistener.FromPaste
	if r.NeedsConfirmation {
		src = oauthlistener.FromPastedCode
	}
	if !p.finish(oauthlistener.Result{Code: r.Code, Params: r.Params, Source: src, ReceivedAt: time.Now()}, nil) {
		return oauthlistener.ErrAlreadyCompleted
	}
	return nil
}

func (p *pasteOnly) Close() error {
	p.finish(oauthlistener.Result{}, oauthlistener.ErrCanceled)
	p.stop()
	return nil
}
