package doctor

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/oauthlistener"
)

// sandboxFixture is a sandbox with one instance created the real way.
type sandboxFixture struct {
	srv *sandbox.Server
	id  int64
	a   flow.Answers
}

func newSandboxFixture(t *testing.T) *sandboxFixture {
	t.Helper()
	return newSandboxFixtureWith(t, flow.PollingPresets())
}

// newSandboxFixtureWith creates the instance with that poller configuration
// (nil: none sent, the element's default applies).
func newSandboxFixtureWith(t *testing.T, polling flow.PollerConfig) *sandboxFixture {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	a := flow.NewAnswers()
	a.BaseURL, a.Region = srv.BaseURL(), ""
	a.Domain = "acme.docushareflex.com"
	a.APIKey = sandbox.DemoAppID
	a.NotificationURL = "https://hooks.example.com/events"
	a.Name = "doctor-test"
	a.Polling = polling
	a.Code = flow.NewSecret(srv.IssueCode(a.CallbackURL, a.Domain, a.APIKey))
	c := client(t, srv.BaseURL(), sandbox.DemoUserSecret)
	in, err := c.CreateInstance(context.Background(), flow.BuildBody(a, flow.Secrets{APISecret: flow.NewSecret(sandbox.DemoAppSecret)}, flow.SecretsIncluded))
	if err != nil {
		t.Fatal(err)
	}
	return &sandboxFixture{srv: srv, id: in.ID, a: a}
}

func client(t *testing.T, base, user string, opts ...cloudelements.Option) *cloudelements.Client {
	t.Helper()
	opts = append(opts, cloudelements.WithRetry(cloudelements.RetryPolicy{Attempts: 1}))
	c, err := cloudelements.New(base, flow.NewSecret(user), flow.NewSecret(sandbox.DemoOrgSecret), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *sandboxFixture) run(t *testing.T, api API, timeout time.Duration) map[string]Result {
	t.Helper()
	cfg := Config{Answers: f.a, HaveSecrets: true, ListenAddr: "127.0.0.1:0", InstanceID: f.id, Sandbox: true, Timeout: timeout}
	deps := Deps{API: api, Prober: HTTPProber{}, Resolver: fakeResolver{}, Ports: ListenerPorts{},
		Browser: fakeBrowser{plan: oauthlistener.Plan{From: "$BROWSER"}}}
	return byID(Run(context.Background(), cfg, deps, nil))
}

func TestSandboxChecks(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	f := newSandboxFixture(t)
	good := client(t, f.srv.BaseURL(), sandbox.DemoUserSecret)

	m := f.run(t, good, 0)
	for id, r := range m {
		if r.Status != Pass {
			t.Errorf("healthy sandbox: %s %s: %s", id, r.Status, r.Finding)
		}
	}

	t.Run("bad secrets", func(t *testing.T) {
		m := f.run(t, client(t, f.srv.BaseURL(), "wrong-secret"), 0)
		want(t, "secrets", m[IDSecrets], Fail, "401")
		want(t, "element", m[IDElement], Skip, "Not checked")
		want(t, "instance", m[IDInstance], Skip, "Not checked")
		want(t, "base url", m[IDBaseURL], Pass, "answers")
	})
	t.Run("unknown element", func(t *testing.T) {
		g := *f
		g.a.ElementKey = "nosuchelement"
		m := g.run(t, client(t, f.srv.BaseURL(), sandbox.DemoUserSecret, cloudelements.WithElementKey("nosuchelement")), 0)
		want(t, "element", m[IDElement], Fail, "not found")
	})
	t.Run("wrong path or region", func(t *testing.T) {
		g := *f
		g.a.BaseURL = f.srv.URL() + "/eu/elements/api-v2"
		m := g.run(t, client(t, g.a.BaseURL, sandbox.DemoUserSecret), 0)
		want(t, "base url", m[IDBaseURL], Fail, "404")
		want(t, "secrets", m[IDSecrets], Skip, "failed")
	})
	t.Run("nothing listening", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		g := *f
		g.a.BaseURL = "http://" + addr + flow.APIPath
		m := g.run(t, client(t, g.a.BaseURL, sandbox.DemoUserSecret), 0)
		want(t, "base url", m[IDBaseURL], Fail, "connection refused")
	})
	t.Run("https to a plain HTTP server", func(t *testing.T) {
		g := *f
		g.a.BaseURL = "https://" + strings.TrimPrefix(f.srv.URL(), "http://") + flow.APIPath
		m := g.run(t, client(t, g.a.BaseURL, sandbox.DemoUserSecret), 0)
		want(t, "base url", m[IDBaseURL], Fail, "TLS")
	})
	t.Run("disabled instance", func(t *testing.T) {
		f.srv.SetDisabled(f.id, true)
		defer f.srv.SetDisabled(f.id, false)
		m := f.run(t, good, 0)
		want(t, "instance", m[IDInstance], Fail, "disabled")
		want(t, "event log", m[IDEventLog], Skip, "failed")
	})
	t.Run("invalid instance", func(t *testing.T) {
		f.srv.SetValid(f.id, false)
		defer f.srv.SetValid(f.id, true)
		want(t, "instance", f.run(t, good, 0)[IDInstance], Fail, "not valid")
	})
	t.Run("events off", func(t *testing.T) {
		f.srv.SetEventsEnabled(f.id, false)
		defer f.srv.SetEventsEnabled(f.id, true)
		want(t, "events", f.run(t, good, 0)[IDInstanceEvents], Fail, "Events are off")
	})
	t.Run("unparsable poller configuration", func(t *testing.T) {
		in, _ := f.srv.Instance(f.id)
		old := in.Configuration["event.poller.configuration"]
		defer f.srv.SetConfiguration(f.id, "event.poller.configuration", old)
		f.srv.SetConfiguration(f.id, "event.poller.configuration", `{"events": {"url": `)
		want(t, "poller", f.run(t, good, 0)[IDPoller], Fail, "does not parse")
		f.srv.SetConfiguration(f.id, "event.poller.configuration", `{"events":{"url":"/hubs/documents/events","idField":"id","datesConfiguration":{"createdDateField":"createdDate","createdDateFormat":"yyyy-MM-dd'T"}}}`)
		want(t, "poller", f.run(t, good, 0)[IDPoller], Fail, "createdDateFormat")
		f.srv.SetConfiguration(f.id, "event.poller.refresh_interval", "often")
		defer f.srv.SetConfiguration(f.id, "event.poller.refresh_interval", "15")
		want(t, "interval", f.run(t, good, 0)[IDInterval], Fail, "often")
	})
	t.Run("vendor type not polling", func(t *testing.T) {
		defer f.srv.SetConfiguration(f.id, "event.vendor.type", "polling")
		f.srv.SetConfiguration(f.id, "event.vendor.type", "webhook")
		want(t, "vendor type", f.run(t, good, 0)[IDVendorType], Fail, `"webhook"`)
	})
	t.Run("events stuck before delivery", func(t *testing.T) {
		now := time.Now()
		f.srv.AddEvents(f.id,
			sandbox.Event{Status: "NOTIFIED", EventDate: now.Add(-3 * time.Minute)},
			sandbox.Event{Status: "NEW", EventDate: now.Add(-2 * time.Hour)},
			sandbox.Event{Status: "NOTIFIED", EventDate: now.Add(-time.Minute)},
		)
		r := f.run(t, good, 0)[IDEventLog]
		want(t, "event log", r, Warn, "1 still NEW or RECEIVED after more than 30 minutes")
	})
	t.Run("a failing endpoint", func(t *testing.T) {
		f.srv.InjectFault(sandbox.RouteGetInstance, sandbox.Fault{Status: 503, Count: 1})
		want(t, "instance", f.run(t, good, 0)[IDInstance], Fail, "503")
		f.srv.InjectFault(sandbox.RouteElementMetadata, sandbox.Fault{Status: 500, Count: 1})
		want(t, "element", f.run(t, good, 0)[IDElement], Warn, "metadata could not be read")
		f.srv.ClearFaults()
	})
	t.Run("hanging events endpoint times out", func(t *testing.T) {
		f.srv.InjectFault(sandbox.RouteInstanceEvents, sandbox.Fault{Delay: time.Minute, Count: 5})
		defer f.srv.ClearFaults()
		start := time.Now()
		// 1s per check: ample for the sandbox's other answers on a loaded
		// machine; the bound only has to tell the timeout from the minute.
		m := f.run(t, good, time.Second)
		if took := time.Since(start); took > 15*time.Second {
			t.Fatalf("took %s", took)
		}
		if r := m[IDEventLog]; r.Status != Fail || !(strings.Contains(r.Finding, "in time") || strings.Contains(r.Finding, "No answer within") || strings.Contains(r.Finding, "time limit")) {
			t.Fatalf("%+v", r)
		}
		if m[IDInstance].Status != Pass {
			t.Fatalf("%+v", m[IDInstance])
		}
	})
}

// TestFreshInstancePassesEveryAPICheck: an instance created the way
// `cewiz create` creates it, without --poll (the element's default, with
// its artefacts, applies), against a sandbox that answers in the public
// record's shapes (object configuration, metadata by numeric id only, the
// swagger's event fields, both OAuth keys masked), passes every check that
// asks Cloud Elements, and every other check too.
func TestFreshInstancePassesEveryAPICheck(t *testing.T) {
	f := newSandboxFixtureWith(t, nil)
	in, _ := f.srv.Instance(f.id)
	if !strings.Contains(in.Configuration["event.poller.configuration"], `\n`) {
		t.Fatal("the instance did not get the element's default with its artefacts")
	}
	m := f.run(t, client(t, f.srv.BaseURL(), sandbox.DemoUserSecret), 0)
	api := []string{IDBaseURL, IDSecrets, IDElement, IDInstance, IDInstanceEvents, IDVendorType, IDInterval, IDPoller, IDEventLog}
	for _, id := range api {
		if _, ok := m[id]; !ok {
			t.Errorf("%s: no result", id)
		}
	}
	for id, r := range m {
		if r.Status != Pass {
			t.Errorf("%s: %s: %s", id, r.Status, r.Finding)
		}
	}
	want(t, "element", m[IDElement], Pass, "id 5127")
	want(t, "poller", m[IDPoller], Pass, "Polls events, folders")
	// An http notification URL is a warning, never a failure.
	g := *f
	g.a.NotificationURL = "http://hooks.example.com/events"
	want(t, "http notify URL", g.run(t, client(t, f.srv.BaseURL(), sandbox.DemoUserSecret), 0)[IDNotifyURL], Warn, "unencrypted")
}

// TestSandboxHangingEverywhere: every endpoint hangs; with the default
// 3-second bound per check the whole doctor still ends in a few seconds.
func TestSandboxHangingEverywhere(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	if testing.Short() {
		t.Skip("takes DefaultTimeout")
	}
	f := newSandboxFixture(t)
	f.srv.InjectFault(sandbox.RouteAny, sandbox.Fault{Delay: time.Minute, Count: 1000})
	defer f.srv.ClearFaults()
	start := time.Now()
	m := f.run(t, client(t, f.srv.BaseURL(), sandbox.DemoUserSecret), 0)
	took := time.Since(start)
	t.Logf("doctor with every endpoint hanging: %s", took)
	// The run's hard limit is its budget (twice the per-check timeout); a
	// few seconds more of headroom keep a loaded CI machine from failing
	// this while a minute-long hang still would.
	if took > 2*DefaultTimeout+4*time.Second {
		t.Fatalf("took %s", took)
	}
	// The base URL check was stopped by its own timeout, not the budget.
	want(t, "base url", m[IDBaseURL], Fail, "")
	if r := m[IDBaseURL]; !strings.Contains(r.Finding, "in time") && !strings.Contains(r.Finding, "No answer within 3s") {
		t.Errorf("base url: %+v", r)
	}
	for _, id := range []string{IDSecrets, IDElement, IDInstance, IDEventLog} {
		if m[id].Status != Skip {
			t.Errorf("%s: %+v", id, m[id])
		}
	}
	// The local checks were not held up.
	if m[IDDomain].Duration > time.Second || m[IDLoopbackPort].Status != Pass {
		t.Errorf("%+v %+v", m[IDDomain], m[IDLoopbackPort])
	}
}

func TestListenerPortsReal(t *testing.T) {
	t.Parallel() // it waits on timeouts and servers, not on the CPU
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	p := ListenerPorts{}
	a := flow.NewAnswers()
	r := CheckLoopbackPort(context.Background(), a, addr, p)
	want(t, "busy", r, Fail, "in use")
	if !strings.Contains(r.Finding, "pid") && !strings.Contains(r.Finding, "uid") {
		t.Logf("holder not found (not Linux?): %s", r.Finding)
	}
	ln.Close()
	want(t, "free", CheckLoopbackPort(context.Background(), a, addr, p), Pass, "free")

	// Another cewiz waiting there.
	l, err := oauthlistener.Start(context.Background(), oauthlistener.Options{Addr: "127.0.0.1:0", Timeout: -1, HintAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr = net.JoinHostPort("127.0.0.1", itoa(l.Port()))
	// The listener recognises another cewiz with a one-second HTTP probe;
	// on a stalled CI machine one probe can miss, so allow a few attempts.
	for attempt := 1; ; attempt++ {
		err = p.ProbePort(context.Background(), addr)
		if errors.Is(err, oauthlistener.ErrAlreadyWaiting) {
			break
		}
		if attempt == 3 {
			t.Fatalf("another cewiz waiting on %s not recognised: %v", addr, err)
		}
	}
	for attempt := 1; ; attempt++ {
		r := CheckLoopbackPort(context.Background(), a, addr, p)
		if strings.Contains(r.Finding, "Another cewiz") || attempt == 3 {
			want(t, "cewiz", r, Fail, "Another cewiz")
			break
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBrowserWithRealLauncher: the launcher's own headless detection.
func TestBrowserWithRealLauncher(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	yes := func() bool { return true }
	cases := []struct {
		name   string
		l      *oauthlistener.Launcher
		status Status
		in     string
	}{
		{"ssh", &oauthlistener.Launcher{Getenv: env("SSH_CONNECTION", "1 2 3 4"), IsTerminal: yes, GOOS: "linux"}, Warn, "SSH"},
		{"no display", &oauthlistener.Launcher{Getenv: env(), IsTerminal: yes, GOOS: "linux", ReadFile: func(string) ([]byte, error) { return nil, errors.New("no") }}, Warn, "DISPLAY"},
		{"no terminal", &oauthlistener.Launcher{Getenv: env(), IsTerminal: func() bool { return false }, GOOS: "linux"}, Warn, "terminal"},
		{"text browser", &oauthlistener.Launcher{Getenv: env("BROWSER", "lynx"), IsTerminal: yes, GOOS: "linux", ReadFile: func(string) ([]byte, error) { return nil, errors.New("no") }}, Warn, "text browser"},
		{"$BROWSER", &oauthlistener.Launcher{Getenv: env("BROWSER", "/bin/true"), IsTerminal: yes, GOOS: "linux",
			LookPath: func(p string) (string, error) { return p, nil }, ReadFile: func(string) ([]byte, error) { return nil, errors.New("no") }}, Pass, "$BROWSER"},
	}
	for _, c := range cases {
		r := CheckBrowser(c.l, 23949, "me@box")
		want(t, c.name, r, c.status, c.in)
		if c.name == "ssh" && !strings.Contains(r.Next, "ssh -L 23949:127.0.0.1:23949") {
			t.Errorf("ssh: %q", r.Next)
		}
	}
}
