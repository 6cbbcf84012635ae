package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

func goodDeps() (Deps, *fakeAPI) {
	api := &fakeAPI{
		element: &cloudelements.Element{ID: 5127, Key: "docushareflex"},
		meta:    &cloudelements.Metadata{Events: cloudelements.EventsMetadata{Supported: true, Methods: []string{"polling"}}},
		inst:    goodInstance(),
		events:  []cloudelements.Event{{ID: "1", Status: "NOTIFIED", EventDate: time.Now().Format(time.RFC3339)}},
	}
	return Deps{
		API: api, Prober: &fakeProber{status: 401}, Resolver: fakeResolver{}, Ports: fakePorts{},
		Browser: fakeBrowser{plan: oauthlistener.Plan{From: "$BROWSER"}},
	}, api
}

func byID(rep Report) map[string]Result {
	m := map[string]Result{}
	for _, r := range rep.Results {
		m[r.ID] = r
	}
	return m
}

func TestRunAllPass(t *testing.T) {
	deps, _ := goodDeps()
	cfg := Config{Answers: answers(), HaveSecrets: true, InstanceID: 7}
	var mu sync.Mutex
	var streamed []string
	rep := Run(context.Background(), cfg, deps, func(r Result) {
		mu.Lock()
		streamed = append(streamed, r.ID)
		mu.Unlock()
	})
	if len(rep.Results) != 13 || len(streamed) != 13 {
		t.Fatalf("%d results, %d streamed", len(rep.Results), len(streamed))
	}
	for _, r := range rep.Results {
		if r.Status != Pass {
			t.Errorf("%s: %s %s", r.ID, r.Status, r.Finding)
		}
	}
	if rep.Failed() {
		t.Fatal("failed")
	}
	// Without an instance id the instance checks are not listed.
	if n := len(Checks(Config{})); n != 7 {
		t.Fatalf("%d checks without an instance", n)
	}
}

func TestRunSkipsDependents(t *testing.T) {
	deps, api := goodDeps()
	deps.Prober = &fakeProber{status: 404}
	rep := Run(context.Background(), Config{Answers: answers(), HaveSecrets: true, InstanceID: 7}, deps, nil)
	m := byID(rep)
	if m[IDBaseURL].Status != Fail {
		t.Fatalf("base url: %+v", m[IDBaseURL])
	}
	for _, id := range []string{IDSecrets, IDElement, IDInstance, IDInstanceEvents, IDPoller, IDEventLog} {
		if m[id].Status != Skip || !strings.Contains(m[id].Finding, "Not checked") {
			t.Errorf("%s: %+v", id, m[id])
		}
	}
	if m[IDSecrets].Finding != `Not checked: "Cloud Elements base URL answers" failed.` {
		t.Errorf("reason: %q", m[IDSecrets].Finding)
	}
	if len(api.calls) != 0 {
		t.Errorf("API called after the base URL failed: %v", api.calls)
	}
	// Independent checks still ran.
	if m[IDDomain].Status != Pass || m[IDBrowser].Status != Pass {
		t.Errorf("independent checks: %+v %+v", m[IDDomain], m[IDBrowser])
	}
	if !rep.Failed() {
		t.Fatal("not failed")
	}

	// Instance missing: its dependents skip, the others still run.
	deps, _ = goodDeps()
	deps.API.(*fakeAPI).inst, deps.API.(*fakeAPI).instErr = nil, &cloudelements.APIError{Status: 404}
	m = byID(Run(context.Background(), Config{Answers: answers(), HaveSecrets: true, InstanceID: 7}, deps, nil))
	if m[IDInstance].Status != Fail || m[IDPoller].Status != Skip || m[IDElement].Status != Pass {
		t.Fatalf("%+v\n%+v\n%+v", m[IDInstance], m[IDPoller], m[IDElement])
	}
}

func TestRunTimeoutsBoundTheWholeRun(t *testing.T) {
	deps, api := goodDeps()
	api.hang = true
	deps.Prober = ignoringCtx{d: time.Minute} // does not even look at its context
	cfg := Config{Answers: answers(), HaveSecrets: true, InstanceID: 7, Timeout: 200 * time.Millisecond}
	start := time.Now()
	rep := Run(context.Background(), cfg, deps, nil)
	took := time.Since(start)
	// base-url times out (200ms); everything depending on it is skipped.
	// The bound only has to tell a timeout from a one-minute hang: it is
	// generous so that a loaded CI machine does not fail it.
	if took > 10*time.Second {
		t.Fatalf("took %s", took)
	}
	m := byID(rep)
	if m[IDBaseURL].Status != Fail || !strings.Contains(m[IDBaseURL].Finding, "No answer within 200ms") {
		t.Fatalf("%+v", m[IDBaseURL])
	}

	// A prober that answers but an API that hangs: secrets time out.
	deps.Prober = &fakeProber{status: 401}
	start = time.Now()
	rep = Run(context.Background(), cfg, deps, nil)
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("took %s", took)
	}
	m = byID(rep)
	if m[IDSecrets].Status != Fail || m[IDElement].Status != Skip {
		t.Fatalf("%+v %+v", m[IDSecrets], m[IDElement])
	}
	if m[IDSecrets].Duration < 150*time.Millisecond {
		t.Fatalf("duration %s", m[IDSecrets].Duration)
	}
}

// barrier lets n parties through only once all n are waiting, or fails
// each with its context's error: checks run one after another would never
// all be waiting at once.
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived int
	open    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

func (b *barrier) wait(ctx context.Context) error {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type barrierProber struct{ b *barrier }

func (p barrierProber) Probe(ctx context.Context, _ string) (int, error) {
	if err := p.b.wait(ctx); err != nil {
		return 0, err
	}
	return 401, nil
}

type barrierResolver struct{ b *barrier }

func (r barrierResolver) LookupHost(ctx context.Context, _ string) ([]string, error) {
	if err := r.b.wait(ctx); err != nil {
		return nil, err
	}
	return []string{"192.0.2.10"}, nil
}

type barrierPorts struct{ b *barrier }

func (p barrierPorts) ProbePort(ctx context.Context, _ string) error { return p.b.wait(ctx) }
func (barrierPorts) Holder(int) string                               { return "" }

// TestRunIsConcurrent: the independent checks (base URL, domain,
// notification URL, loopback port) are all in flight at once. Each waits
// for the other three, so a runner that ran them one by one would see each
// time out; no sleeps, no timing assumptions.
func TestRunIsConcurrent(t *testing.T) {
	deps, _ := goodDeps()
	b := newBarrier(4)
	deps.Prober, deps.Resolver, deps.Ports = barrierProber{b}, barrierResolver{b}, barrierPorts{b}
	m := byID(Run(context.Background(), Config{Answers: answers(), HaveSecrets: true, Timeout: 5 * time.Second}, deps, nil))
	for _, id := range []string{IDBaseURL, IDDomain, IDNotifyURL, IDLoopbackPort, IDSecrets, IDElement} {
		if m[id].Status != Pass {
			t.Errorf("%s: %s %s", id, m[id].Status, m[id].Finding)
		}
	}
}

// startedAPI tells when the first ElementInfo call has begun.
type startedAPI struct {
	*fakeAPI
	once    sync.Once
	started chan struct{}
}

func (s *startedAPI) ElementInfo(ctx context.Context) (*cloudelements.Element, error) {
	s.once.Do(func() { close(s.started) })
	return s.fakeAPI.ElementInfo(ctx)
}

func TestRunCanceled(t *testing.T) {
	deps, api := goodDeps()
	api.hang = true
	sa := &startedAPI{fakeAPI: api, started: make(chan struct{})}
	deps.API = sa
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-sa.started; cancel() }() // cancel while the secrets check waits
	start := time.Now()
	rep := Run(ctx, Config{Answers: answers(), HaveSecrets: true, InstanceID: 7, Timeout: time.Minute}, deps, nil)
	if took := time.Since(start); took > 10*time.Second { // far below the minute a check may take
		t.Fatalf("took %s", took)
	}
	m := byID(rep)
	if r := m[IDSecrets]; r.Status != Skip || r.Finding != "Canceled." {
		t.Fatalf("%+v", r)
	}
	if r := m[IDEventLog]; r.Status != Skip {
		t.Fatalf("%+v", r)
	}
}

func TestRunRecoversPanics(t *testing.T) {
	deps, _ := goodDeps()
	deps.Prober = panicky{}
	m := byID(Run(context.Background(), Config{Answers: answers()}, deps, nil))
	if m[IDBaseURL].Status != Fail || !strings.Contains(m[IDBaseURL].Finding, "crashed") {
		t.Fatalf("%+v", m[IDBaseURL])
	}
}

type panicky struct{}

func (panicky) Probe(context.Context, string) (int, error) { panic("boom") }

func TestStartStreamsAndCloses(t *testing.T) {
	deps, _ := goodDeps()
	n := 0
	for r := range Start(context.Background(), Config{Answers: answers(), HaveSecrets: true}, deps) {
		if r.ID == "" {
			t.Fatal("empty result")
		}
		n++
	}
	if n != 7 {
		t.Fatalf("%d results", n)
	}
}

func TestPlainAndJSON(t *testing.T) {
	deps, _ := goodDeps()
	deps.Prober = &fakeProber{status: 404}
	cfg := Config{Answers: answers(), HaveSecrets: true}
	var streamed bytes.Buffer
	rep, err := RunPlain(context.Background(), cfg, deps, &streamed, Words)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(streamed.String(), Summary(rep)) {
		t.Fatalf("no summary line at the end:\n%s", streamed.String())
	}
	var whole bytes.Buffer
	if err := WritePlain(&whole, rep, Words); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(whole.String(), streamed.String()) {
		t.Fatalf("stream and report differ:\n%s\n---\n%s", streamed.String(), whole.String())
	}
	out := whole.String()
	for _, s := range []string{"FAIL  Cloud Elements base URL answers:", "      → Check --base-url", "SKIP  User and Organization secrets accepted: Not checked", "PASS  DocuShare Flex domain:", "1 failed"} {
		if !strings.Contains(out, s) {
			t.Errorf("plain output lacks %q:\n%s", s, out)
		}
	}
	sym := FormatPlain(rep.Results[0], Symbols)
	if !strings.HasPrefix(sym, "✗  ") || !strings.Contains(sym, "\n   → ") {
		t.Errorf("symbols: %q", sym)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OK     bool `json:"ok"`
		Failed int  `json:"failed"`
		Checks []struct {
			ID, Status, Finding, Next string
			DurationMS                *int64 `json:"durationMs"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OK || doc.Failed != 1 || len(doc.Checks) != 7 || doc.Checks[0].ID != IDBaseURL || doc.Checks[0].Status != "fail" || doc.Checks[0].DurationMS == nil {
		t.Fatalf("%s", js.String())
	}
	var s Status
	if err := s.UnmarshalText([]byte("warn")); err != nil || s != Warn {
		t.Fatal(s, err)
	}
}

func TestPortHolderFromProc(t *testing.T) {
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 11111 1 0000000000000000 100 0 0 10 0\n" +
		"   1: 0100007F:5D8D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 22222 1 0000000000000000 100 0 0 10 0\n" +
		"   2: 0100007F:9C40 0100007F:5D8D 01 00000000:00000000 00:00000000 00000000  1000        0 33333 1 0000000000000000 100 0 0 10 0\n"
	fsys := fstest.MapFS{
		"net/tcp":      {Data: []byte(tcp)},
		"4242/comm":    {Data: []byte("node\n")},
		"4242/fd/0":    {Data: []byte("/dev/null"), Mode: 0o777 | 1<<27},
		"4242/fd/7":    {Data: []byte("socket:[22222]"), Mode: 0o777 | 1<<27},
		"self/comm":    {Data: []byte("x")},
		"4343/comm":    {Data: []byte("other\n")},
		"4343/fd/3":    {Data: []byte("socket:[99]"), Mode: 0o777 | 1<<27},
		"net/tcp6":     {Data: []byte("header\n")},
		"notapid/comm": {Data: []byte("y")},
	}
	if got := PortHolder(fsys, 23949); got != "node (pid 4242)" {
		t.Fatalf("holder %q", got)
	}
	// A socket whose process cannot be read: the owner's uid.
	if got := PortHolder(fsys, 8080); !strings.Contains(got, "uid 1000") {
		t.Fatalf("holder %q", got)
	}
	if got := PortHolder(fsys, 40000); got != "" { // not listening (state 01)
		t.Fatalf("holder %q", got)
	}
}

// slowAPI answers ElementInfo and GetInstance after d (well under the
// per-check timeout) and lets InstanceEvents hang until its context ends,
// so only the run's budget can stop the chain secrets → instance → events
// before the events check's own timeout.
type slowAPI struct {
	fakeAPI
	d time.Duration
}

func (s *slowAPI) ElementInfo(ctx context.Context) (*cloudelements.Element, error) {
	time.Sleep(s.d)
	return s.fakeAPI.ElementInfo(ctx)
}

func (s *slowAPI) GetInstance(ctx context.Context, id int64) (*cloudelements.Instance, error) {
	time.Sleep(s.d)
	return s.fakeAPI.GetInstance(ctx, id)
}

func (s *slowAPI) InstanceEvents(ctx context.Context, id int64) ([]cloudelements.Event, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRunBudgetBoundsChains(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	deps, api := goodDeps()
	// Timeout 1.5s, so a budget of 3s: secrets (1.1s) then instance (1.1s)
	// pass with 0.4s to spare each; the events check starts at 2.2s or
	// later, so the budget stops it after at most 0.8s, well before its own
	// 1.5s timeout. Scheduling delays only start it later (and so shorten it).
	deps.API = &slowAPI{fakeAPI: fakeAPI{element: api.element, meta: api.meta, inst: api.inst, events: api.events}, d: 1100 * time.Millisecond}
	cfg := Config{Answers: answers(), HaveSecrets: true, InstanceID: 7, Timeout: 1500 * time.Millisecond}
	start := time.Now()
	rep := Run(context.Background(), cfg, deps, nil)
	took := time.Since(start)
	m := byID(rep)
	if m[IDSecrets].Status != Pass || m[IDInstance].Status != Pass {
		t.Fatalf("the chain's first links should pass:\n%+v\n%+v", m[IDSecrets], m[IDInstance])
	}
	// The check sees its context end and says "in time", or the runner
	// stops it first and names the doctor's time limit.
	r := m[IDEventLog]
	if r.Status != Fail || !(strings.Contains(r.Finding, "time limit (3s)") || strings.Contains(r.Finding, "in time")) {
		t.Fatalf("%+v", r)
	}
	// It was the budget, not the check's own timeout, that ended it.
	if r.Duration >= cfg.Timeout {
		t.Fatalf("the events check ran %s: its own timeout, not the budget, stopped it", r.Duration)
	}
	if took < cfg.budget() || took > cfg.budget()+5*time.Second {
		t.Fatalf("took %s for a budget of %s", took, cfg.budget())
	}
}

// BenchmarkRun is the runner's own overhead: 13 checks with instant fakes.
func BenchmarkRun(b *testing.B) {
	deps, _ := goodDeps()
	cfg := Config{Answers: answers(), HaveSecrets: true, InstanceID: 7}
	for b.Loop() {
		Run(context.Background(), cfg, deps, func(Result) {})
	}
}
