package events

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cewiz/cewiz/flow"
)

// Limits of a receiver, unless its ReceiverOptions say otherwise.
const (
	// DefaultAddr is where `cewiz events receive` listens by default.
	DefaultAddr = "127.0.0.1:23950"
	// DefaultMaxBody bounds a notification's body: a notification reports a
	// few changed objects; a bigger body is refused (413) unread.
	DefaultMaxBody = 1 << 20
	// DefaultReadHeaderTimeout bounds the wait for a request's headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds the whole request, body included: a body
	// that trickles in slower is refused (408).
	DefaultReadTimeout = 30 * time.Second
	// DefaultRemember is how many notification ids are remembered to
	// refuse a replay.
	DefaultRemember = 10000
	// Path is the path the receiver's URL shows (any path is accepted).
	Path = "/events"
)

// Why a notification is refused (Delivery.Err); the signature's are
// ErrNoSignature, ErrBadSignature and ErrUnknownScheme.
var (
	ErrMethod   = errors.New("only POST is accepted: Cloud Elements POSTs notifications")
	ErrTooLarge = errors.New("the body is larger than the receiver accepts")
	ErrSlowBody = errors.New("the body did not arrive in time")
	ErrReplay   = errors.New("a notification with this id was already received: refused as a replay")
)

// ReplayError is a notification whose Elements-Webhook-Id or eventId was
// seen before. errors.Is(err, ErrReplay).
type ReplayError struct {
	// By names what repeated: "Elements-Webhook-Id <id>" or "event <id>".
	By string
}

func (e *ReplayError) Error() string {
	return "a notification with " + e.By + " was already received: refused as a replay"
}

func (e *ReplayError) Is(target error) bool { return target == ErrReplay }

// Delivery is what the receiver did with one request.
type Delivery struct {
	At time.Time
	// Remote is the peer's address.
	Remote string
	// WebhookID is the Elements-Webhook-Id header ("" when absent).
	WebhookID    string
	Notification Notification
	// Signature is the scheme whose signature was verified (Unsigned when
	// no key is set).
	Signature Scheme
	// Unverified: the notification is signed, but the receiver has no key
	// to check it with (set CEWIZ_SIGNATURE_KEY).
	Unverified bool
	// Status is the HTTP status answered.
	Status int
	// Err is why it was refused; nil when accepted.
	Err error
}

// Accepted reports whether the notification was taken (200).
func (d Delivery) Accepted() bool { return d.Err == nil }

// SignatureOutcome says how an accepted notification's signature was
// checked: "sha256" or "sha1" (verified), "unverified" (signed, but no key
// to check it) or "none" (unsigned).
func (d Delivery) SignatureOutcome() string {
	switch {
	case d.Unverified:
		return "unverified"
	case d.Signature == Unsigned:
		return "none"
	}
	return string(d.Signature)
}

// ReceiverOptions configure a Receiver. The zero value accepts unsigned
// notifications with the default limits.
type ReceiverOptions struct {
	// Key, when set, is required: a notification without a valid
	// Elements-Webhook-Signature under it is refused with 401.
	Key flow.Secret
	// MaxBody bounds a body (DefaultMaxBody when 0).
	MaxBody int64
	// ReadHeaderTimeout and ReadTimeout bound a request (Listen's server;
	// the defaults when 0).
	ReadHeaderTimeout, ReadTimeout time.Duration
	// Remember is how many ids are kept to refuse replays (DefaultRemember
	// when 0).
	Remember int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnDelivery, when set, is called once per request, never concurrently,
	// after the answer is written.
	OnDelivery func(Delivery)
}

// Receiver is a notification receiver: an http.Handler that answers 200 to
// a well-formed notification (signed with its key, when it has one, and not
// seen before) and refuses anything else with a status that says why. It is
// safe for concurrent use.
type Receiver struct {
	opts       ReceiverOptions
	deliveries chan Delivery

	mu    sync.Mutex
	key   flow.Secret
	seen  map[string]bool
	order []string // seen ids, oldest first, to forget the oldest

	cbMu sync.Mutex
}

// NewReceiver returns a receiver.
func NewReceiver(opts ReceiverOptions) *Receiver {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Remember <= 0 {
		opts.Remember = DefaultRemember
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Receiver{opts: opts, key: opts.Key, seen: map[string]bool{}, deliveries: make(chan Delivery, 64)}
}

// SetKey sets the key notifications must be signed with (a zero key
// accepts them unsigned). The wizard sets it to the key of the instance it
// creates.
func (r *Receiver) SetKey(key flow.Secret) {
	r.mu.Lock()
	r.key = key
	r.mu.Unlock()
}

// Deliveries receives every Delivery, accepted or refused, for a screen
// that shows them. It is buffered; when nobody reads it, the newest are
// dropped rather than the receiver blocked.
func (r *Receiver) Deliveries() <-chan Delivery { return r.deliveries }

// ServeHTTP implements http.Handler. Any path is accepted: the
// notification URL's path is the user's.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	d := r.receive(w, req)
	d.At = r.opts.Now()
	d.Remote = req.RemoteAddr
	answer(w, d)
	select {
	case r.deliveries <- d:
	default:
	}
	if r.opts.OnDelivery != nil {
		r.cbMu.Lock()
		r.opts.OnDelivery(d)
		r.cbMu.Unlock()
	}
}

func answer(w http.ResponseWriter, d Delivery) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if d.Status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	if d.Status >= 400 && d.Status != http.StatusUnauthorized {
		// The connection may hold the rest of a refused body.
		w.Header().Set("Connection", "close")
	}
	w.WriteHeader(d.Status)
	if d.Err != nil {
		fmt.Fprintln(w, "refused: "+d.Err.Error())
		return
	}
	fmt.Fprintln(w, "accepted")
}

// receive decides; it returns the Delivery with Status and Err set.
func (r *Receiver) receive(w http.ResponseWriter, req *http.Request) Delivery {
	d := Delivery{WebhookID: strings.TrimSpace(req.Header.Get(HeaderWebhookID))}
	refuse := func(status int, err error) Delivery {
		d.Status, d.Err = status, err
		return d
	}
	if req.Method != http.MethodPost {
		return refuse(http.StatusMethodNotAllowed, ErrMethod)
	}
	limit := r.opts.MaxBody
	if req.ContentLength > limit {
		return refuse(http.StatusRequestEntityTooLarge, fmt.Errorf("%w (%d bytes announced, at most %d)", ErrTooLarge, req.ContentLength, limit))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, limit))
	if err != nil {
		var mb *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &mb):
			return refuse(http.StatusRequestEntityTooLarge, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, limit))
		case errors.As(err, &ne) && ne.Timeout():
			return refuse(http.StatusRequestTimeout, ErrSlowBody)
		}
		return refuse(http.StatusBadRequest, fmt.Errorf("the body could not be read: %v", err))
	}

	r.mu.Lock()
	key := r.key
	r.mu.Unlock()
	sig := req.Header.Get(HeaderSignature)
	if !key.IsZero() {
		scheme, err := Verify(key, body, sig)
		if err != nil {
			return refuse(http.StatusUnauthorized, err)
		}
		d.Signature = scheme
	} else if strings.TrimSpace(sig) != "" {
		d.Unverified = true
	}

	n, err := ParseNotification(body)
	if err != nil {
		return refuse(http.StatusBadRequest, err)
	}
	d.Notification = n
	if err := r.remember(d.WebhookID, n); err != nil {
		return refuse(http.StatusConflict, err)
	}
	d.Status = http.StatusOK
	return d
}

// remember records the notification's ids, or refuses a replay: an
// Elements-Webhook-Id, or an eventId of the same instance, seen before.
// Only notifications that passed the signature check get here, so a forged
// one cannot make a genuine one look like a replay.
func (r *Receiver) remember(webhookID string, n Notification) error {
	var ids []string
	var by []string
	if webhookID != "" {
		ids = append(ids, "webhook:"+webhookID)
		by = append(by, HeaderWebhookID+" "+strconv.Quote(webhookID))
	}
	if n.EventID != "" {
		ids = append(ids, "event:"+n.InstanceID+"/"+n.EventID)
		by = append(by, "event "+strconv.Quote(n.EventID))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, id := range ids {
		if r.seen[id] {
			return &ReplayError{By: by[i]}
		}
	}
	for _, id := range ids {
		r.seen[id] = true
		r.order = append(r.order, id)
	}
	for len(r.order) > r.opts.Remember {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	return nil
}

// Server is a Receiver listening on a TCP address.
type Server struct {
	*Receiver
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	url  string
}

// Listen serves a new receiver on addr (HOST:PORT; port 0 picks a free
// one) in the background until Close. The server bounds the wait for
// headers and for the whole request (ReceiverOptions).
func Listen(addr string, opts ReceiverOptions) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen for notifications on %s: %w", addr, err)
	}
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultReadTimeout
	}
	rcv := NewReceiver(opts)
	s := &Server{
		Receiver: rcv,
		ln:       ln,
		srv: &http.Server{
			Handler:           rcv,
			ReadHeaderTimeout: opts.ReadHeaderTimeout,
			ReadTimeout:       opts.ReadTimeout,
			WriteTimeout:      opts.ReadTimeout + 10*time.Second,
			IdleTimeout:       time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          log.New(io.Discard, "", 0),
		},
		done: make(chan struct{}),
		url:  "http://" + dialable(ln.Addr()) + Path,
	}
	go func() {
		_ = s.srv.Serve(ln)
		close(s.done)
	}()
	return s, nil
}

// dialable turns an unspecified listen address (0.0.0.0, ::) into
// 127.0.0.1, which a local sender can dial.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// URL is the notification URL to give Cloud Elements (or the sandbox),
// e.g. http://127.0.0.1:23950/events.
func (s *Server) URL() string { return s.url }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server at once. Calling it again is harmless.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Shutdown stops the server, letting requests in flight finish (until ctx
// ends).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}
