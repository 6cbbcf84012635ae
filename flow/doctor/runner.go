package doctor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Check is one entry of the checklist: its ID and title are known before it
// runs (a live UI lists them with spinners), After names the checks whose
// failure makes it pointless.
type Check struct {
	ID    string
	Title string
	After []string
	run   func(ctx context.Context, e *env) Result
	// wait, when set, replaces the per-check timeout (a check that waits
	// on purpose, bounded by its own wait).
	wait time.Duration
}

// env is what one doctor run shares between its checks.
type env struct {
	// parent is the caller's context (Run's own adds the budget).
	parent context.Context
	cfg    Config
	deps   Deps
	mu     sync.Mutex
	inst   *cloudelements.Instance
}

func (e *env) instance() *cloudelements.Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inst
}

// Checks lists the checks that apply to cfg, in the order they are shown:
// the instance checks only with an instance id.
func Checks(cfg Config) []Check {
	cs := []Check{
		{ID: IDBaseURL, run: func(ctx context.Context, e *env) Result { return CheckBaseURL(ctx, e.cfg.Answers, e.deps.Prober) }},
		{ID: IDSecrets, After: []string{IDBaseURL}, run: func(ctx context.Context, e *env) Result {
			return CheckSecrets(ctx, e.cfg.HaveSecrets, e.deps.API)
		}},
		{ID: IDElement, After: []string{IDSecrets}, run: func(ctx context.Context, e *env) Result {
			return CheckElement(ctx, elementKey(e.cfg.Answers), e.deps.API)
		}},
		{ID: IDDomain, run: func(ctx context.Context, e *env) Result {
			return CheckDomain(ctx, e.cfg.Answers.Domain, e.cfg.Sandbox, e.deps.Resolver)
		}},
		{ID: IDNotifyURL, run: func(ctx context.Context, e *env) Result {
			r := e.deps.Resolver
			if e.cfg.Sandbox {
				r = nil // the sandbox's demo notification URL is not looked up
			}
			return CheckNotifyURL(ctx, e.cfg.Answers.NotificationURL, e.cfg.Answers.EventsEnabled, r)
		}},
		{ID: IDLoopbackPort, run: func(ctx context.Context, e *env) Result {
			return CheckLoopbackPort(ctx, e.cfg.Answers, e.cfg.ListenAddr, e.deps.Ports)
		}},
		{ID: IDBrowser, run: func(ctx context.Context, e *env) Result {
			port := 0
			if addr, err := listenAddr(e.cfg.Answers, e.cfg.ListenAddr); err == nil && addr != "" {
				if r, err := oauthlistener.ParseRedirectURI("http://" + addr + "/"); err == nil {
					port = r.Port()
				}
			}
			return CheckBrowser(e.deps.Browser, port, e.cfg.SSHHost)
		}},
	}
	if cfg.InstanceID != 0 {
		fromInstance := func(f func(*cloudelements.Instance) Result) func(context.Context, *env) Result {
			return func(_ context.Context, e *env) Result { return f(e.instance()) }
		}
		cs = append(cs,
			Check{ID: IDInstance, After: []string{IDSecrets}, run: func(ctx context.Context, e *env) Result {
				r, in := CheckInstance(ctx, e.deps.API, e.cfg.InstanceID)
				e.mu.Lock()
				e.inst = in
				e.mu.Unlock()
				if in == nil && r.Status != Fail && r.Status != Skip {
					r.Status = Fail
				}
				return r
			}},
			Check{ID: IDInstanceEvents, After: []string{IDInstance}, run: fromInstance(CheckInstanceEvents)},
			Check{ID: IDVendorType, After: []string{IDInstance}, run: fromInstance(CheckVendorType)},
			Check{ID: IDInterval, After: []string{IDInstance}, run: fromInstance(CheckInterval)},
			Check{ID: IDPoller, After: []string{IDInstance}, run: fromInstance(CheckPoller)},
			Check{ID: IDEventLog, After: []string{IDInstance}, run: func(ctx context.Context, e *env) Result {
				return CheckEventLog(ctx, e.deps.API, e.cfg.InstanceID, e.instance(), e.cfg.InstanceToken, e.deps.now())
			}},
		)
	}
	if cfg.ListenEvents != "" {
		// It listens from the start, alongside the other checks: a
		// notification may come while they run.
		cs = append(cs, Check{ID: IDNotifyDelivery, wait: cfg.listenBound(), run: func(ctx context.Context, e *env) Result {
			return CheckNotificationDelivery(ctx, e.deps.Notifications, e.cfg.ListenEvents, e.cfg.InstanceID, e.cfg.listenWait())
		}})
	}
	for i := range cs {
		cs[i].Title = titles[cs[i].ID]
	}
	return cs
}

// Report is a finished doctor run.
type Report struct {
	// Results are in the order of Checks.
	Results  []Result      `json:"checks"`
	Duration time.Duration `json:"-"`
	// CreateFailure is Config.CreateFailure: the create the doctor was
	// called for failed.
	CreateFailure error `json:"-"`
}

// Count returns how many results have status s.
func (r Report) Count(s Status) int {
	n := 0
	for _, x := range r.Results {
		if x.Status == s {
			n++
		}
	}
	return n
}

// Failed reports whether any check failed, or the create the doctor was
// called for failed (the command exits 1): passing checks do not undo it.
func (r Report) Failed() bool { return r.Count(Fail) > 0 || r.CreateFailure != nil }

// Unexplained is the create failure that no failed check explains ("" when
// a check failed, or no create failed): the checks do not cover it.
func (r Report) Unexplained() string {
	if r.CreateFailure == nil || r.Count(Fail) > 0 {
		return ""
	}
	f := journey.Explain(r.CreateFailure)
	s := fmt.Sprintf("None of these checks covers why the create failed (%s)", f.Title)
	if f.Next != "" {
		s += ": " + f.Next
	} else {
		s += "."
	}
	return s
}

// Run runs the checks of cfg: each as soon as its prerequisites are done
// (independent checks at once), each bounded by cfg.Timeout even if the
// check ignores its context, a check whose prerequisite failed or was
// skipped is skipped with the reason. onResult (when not nil) is called
// once per check as it finishes, never concurrently. Run returns when every
// check has a result, or shortly after ctx ends (the remaining checks are
// skipped as canceled).
func Run(ctx context.Context, cfg Config, deps Deps, onResult func(Result)) Report {
	start := time.Now()
	checks := Checks(cfg)
	e := &env{cfg: cfg, deps: deps, parent: ctx}
	// A chain of slow prerequisites cannot add up: the whole run has a
	// budget of twice the per-check timeout.
	ctx, cancel := context.WithTimeout(ctx, cfg.budget())
	defer cancel()
	done := make(map[string]chan struct{}, len(checks))
	for _, c := range checks {
		done[c.ID] = make(chan struct{})
	}
	results := make([]Result, len(checks))
	byID := map[string]int{}
	for i, c := range checks {
		byID[c.ID] = i
	}
	var cbMu, resMu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := runOne(ctx, c, e, done, results, byID, &resMu)
			resMu.Lock()
			results[i] = r
			resMu.Unlock()
			close(done[c.ID])
			if onResult != nil {
				cbMu.Lock()
				onResult(r)
				cbMu.Unlock()
			}
		}()
	}
	wg.Wait()
	return Report{Results: results, Duration: time.Since(start), CreateFailure: cfg.CreateFailure}
}

func runOne(ctx context.Context, c Check, e *env, done map[string]chan struct{}, results []Result, byID map[string]int, resMu *sync.Mutex) Result {
	for _, dep := range c.After {
		ch, ok := done[dep]
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			select {
			case <-ch: // finished too: its status decides (a skip beats a timeout)
			default:
				return e.stopped(c.ID)
			}
		}
		resMu.Lock()
		pr := results[byID[dep]]
		resMu.Unlock()
		if pr.Status == Fail || pr.Status == Skip {
			why := "failed"
			if pr.Status == Skip {
				why = "was not checked"
			}
			return result(c.ID, Skip, fmt.Sprintf("Not checked: %q %s.", pr.Title, why), "")
		}
	}
	timeout := e.cfg.timeout()
	if c.wait > 0 {
		timeout = c.wait
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	began := time.Now()
	out := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				out <- result(c.ID, Fail, fmt.Sprintf("The check crashed: %v.", p), "Please report this as a cewiz bug.")
			}
		}()
		out <- c.run(cctx, e)
	}()
	var r Result
	select {
	case r = <-out:
	case <-cctx.Done():
		// The check ignored its context (or finished right at the deadline):
		// prefer a result that is already there.
		select {
		case r = <-out:
		default:
			if ctx.Err() != nil {
				r = e.stopped(c.ID)
			} else {
				r = timedOut(c.ID, timeout)
			}
		}
	}
	if r.Status == Skip && r.Finding == "Canceled." && e.parent.Err() == nil {
		if ctx.Err() != nil {
			r = e.stopped(c.ID)
		} else if cctx.Err() == context.DeadlineExceeded {
			r = timedOut(c.ID, timeout)
		}
	}
	r.ID, r.Title = c.ID, c.Title
	r.Duration = time.Since(began)
	return r
}

// stopped is the result of a check that could not finish because the
// caller canceled or the run's budget ran out.
func (e *env) stopped(id string) Result {
	if e.parent.Err() != nil {
		return result(id, Skip, "Canceled.", "")
	}
	return result(id, Fail, fmt.Sprintf("Not finished within the doctor's time limit (%s).", e.cfg.budget().Round(time.Millisecond)), timeoutNext)
}

const timeoutNext = "Check the network, a proxy (HTTPS_PROXY) or a firewall, then run the doctor again."

func timedOut(id string, d time.Duration) Result {
	return result(id, Fail, fmt.Sprintf("No answer within %s: the check was stopped.", d.Round(time.Millisecond)), timeoutNext)
}

// Start runs the doctor in the background and sends each result on the
// returned channel as it finishes; the channel is closed when every check
// has a result. It is Run for a UI's event loop.
func Start(ctx context.Context, cfg Config, deps Deps) <-chan Result {
	ch := make(chan Result, len(Checks(cfg)))
	go func() {
		defer close(ch)
		Run(ctx, cfg, deps, func(r Result) { ch <- r })
	}()
	return ch
}
