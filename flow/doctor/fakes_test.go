package doctor

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// fakeAPI answers from fields; a nil error and nil value means "hang until
// the context ends" when hang is set.
type fakeAPI struct {
	element    *cloudelements.Element
	elementErr error
	meta       *cloudelements.Metadata
	metaErr    error
	inst       *cloudelements.Instance
	instErr    error
	events     []cloudelements.Event
	eventsErr  error
	// tokenEvents answer a read with the instance token (tokenSeen is the
	// token it was given).
	tokenEvents []cloudelements.Event
	tokenSeen   string
	hang        bool

	mu     sync.Mutex
	calls  map[string]int
	metaID int64 // the element id metadata was asked for
}

func (f *fakeAPI) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeAPI) wait(ctx context.Context) error {
	if f.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *fakeAPI) ElementInfo(ctx context.Context) (*cloudelements.Element, error) {
	f.count("element")
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	return f.element, f.elementErr
}

func (f *fakeAPI) ElementMetadata(ctx context.Context, id int64) (*cloudelements.Metadata, error) {
	f.count("metadata")
	f.mu.Lock()
	f.metaID = id
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	return f.meta, f.metaErr
}

func (f *fakeAPI) GetInstance(ctx context.Context, id int64) (*cloudelements.Instance, error) {
	f.count("instance")
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	return f.inst, f.instErr
}

func (f *fakeAPI) InstanceEvents(ctx context.Context, id int64) ([]cloudelements.Event, error) {
	f.count("events")
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	return f.events, f.eventsErr
}

func (f *fakeAPI) InstanceEventsWithToken(ctx context.Context, id int64, token flow.Secret) ([]cloudelements.Event, error) {
	f.count("events-token")
	f.mu.Lock()
	f.tokenSeen = token.Reveal()
	f.mu.Unlock()
	return f.tokenEvents, nil
}

type fakeProber struct {
	status int
	err    error
	hang   bool
	got    string
}

func (p *fakeProber) Probe(ctx context.Context, u string) (int, error) {
	p.got = u
	if p.hang {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return p.status, p.err
}

type fakeResolver map[string]error

func (r fakeResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if err, ok := r[host]; ok {
		if err != nil {
			return nil, err
		}
	}
	return []string{"192.0.2.10"}, nil
}

type fakePorts struct {
	err    error
	holder string
}

func (p fakePorts) ProbePort(ctx context.Context, addr string) error { return p.err }
func (p fakePorts) Holder(port int) string                           { return p.holder }

type fakeBrowser struct {
	plan oauthlistener.Plan
	err  error
}

func (b fakeBrowser) Plan(string) (oauthlistener.Plan, error) { return b.plan, b.err }

// ignoringCtx is a prober that ignores its context entirely.
type ignoringCtx struct{ d time.Duration }

func (p ignoringCtx) Probe(context.Context, string) (int, error) {
	time.Sleep(p.d)
	return 200, nil
}

var errNX = &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}
var errDNSTimeout = &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}

var _ = errors.New
