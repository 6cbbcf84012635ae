package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Server is a Sandbox listening on a TCP address.
type Server struct {
	*Sandbox
	ln       net.Listener
	srv      *http.Server
	done     chan struct{} // closed when Serve has returned
	serveErr error         // what Serve returned; read after done
	root     string
	// stopPoll ends the rehearsal's ticker; polled is closed when it has.
	stopPoll context.CancelFunc
	polled   chan struct{}
}

// Start serves a new sandbox on addr (127.0.0.1:0, a free loopback port,
// when empty) in the background until Close.
func Start(opts Options) (*Server, error) { return StartAt("", opts) }

// StartAt is Start on a given address.
func StartAt(addr string, opts Options) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: cannot listen on %s: %w", addr, err)
	}
	sb := New(opts)
	s := &Server{
		Sandbox: sb,
		ln:      ln,
		srv: &http.Server{
			Handler:           sb,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan struct{}),
		root: "http://" + displayAddr(ln.Addr()),
	}
	go func() {
		s.serveErr = s.srv.Serve(ln)
		close(s.done)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	s.stopPoll, s.polled = cancel, make(chan struct{})
	go func() {
		defer close(s.polled)
		if opts.PollEvery <= 0 {
			return
		}
		t := time.NewTicker(opts.PollEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sb.Tick(ctx)
			}
		}
	}()
	return s, nil
}

// displayAddr turns an unspecified listen address (0.0.0.0, ::) into
// 127.0.0.1, which a local client can dial.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// URL is the server's root, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.root }

// BaseURL is the Cloud Elements API base, ending in /elements/api-v2.
func (s *Server) BaseURL() string { return s.root + APIPath }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server at once, dropping open connections. Calling it
// again is harmless.
func (s *Server) Close() error {
	s.stopPoll()
	<-s.polled
	err := s.srv.Close()
	<-s.done
	return err
}

// Shutdown stops the server gracefully, waiting for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopPoll()
	<-s.polled
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}

// Run is `cewiz sandbox --addr HOST:PORT`: it serves a sandbox on addr
// (127.0.0.1:0 when empty) with the admin endpoint on, prints the base URL,
// the demo secrets and how to try it to out, logs one line per request to
// out (unless opts.Log is set), and serves until ctx is cancelled.
func Run(ctx context.Context, addr string, out io.Writer, opts Options) error {
	opts.Admin = true
	if opts.Log == nil {
		opts.Log = out
	}
	s, err := StartAt(addr, opts)
	if err != nil {
		return err
	}
	o := s.opts
	fmt.Fprintf(out, `cewiz sandbox: a Cloud Elements emulator with a DocuShare Flex consent page (demo data only)

  base URL             %s
  User secret          %s
  Organization secret  %s
  Application ID       %s
  Application Secret   %s
  admin (loopback)     %s/__sandbox/faults, %s/__sandbox/counts

Try it:
  export CEWIZ_USER_SECRET=%s CEWIZ_ORG_SECRET=%s CEWIZ_API_SECRET=%s
  cewiz --base-url %s --api-key %s
  curl -H "Authorization: User %s, Organization %s" %s/elements/docushareflex
`, s.BaseURL(), o.UserSecret, o.OrgSecret, o.AppID, o.AppSecret, s.URL(), s.URL(),
		o.UserSecret, o.OrgSecret, o.AppSecret, s.BaseURL(), o.AppID,
		o.UserSecret, o.OrgSecret, s.BaseURL())
	if o.PollEvery > 0 {
		fmt.Fprintf(out, `
Events: every %s a demo document changes; each instance with events on records it
in its event log (NEW → RECEIVED → DISPATCHED → CONSUMED → NOTIFIED) and notifies
its event.notification.callback.url (loopback addresses only), signed with its
event.notification.signature.key. To see them arrive:
  cewiz events receive                      # in another terminal; prints its URL
  CEWIZ_SIGNATURE_KEY=... cewiz create --base-url %s --notify-url <its URL> ...
`, o.PollEvery, s.BaseURL())
	}
	fmt.Fprint(out, "\nPress Ctrl-C to stop.\n")
	select {
	case <-ctx.Done():
	case <-s.done:
		// Serve stopped by itself.
		if !errors.Is(s.serveErr, http.ErrServerClosed) {
			return fmt.Errorf("sandbox: %w", s.serveErr)
		}
		return nil
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}
