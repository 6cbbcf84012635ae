package journey_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// ---- fakes ----

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

type fakeAPI struct {
	rec       *recorder
	urlErr    error
	createErr error
	gotReq    cloudelements.OAuthRequest
	gotBody   flow.Body
}

func (f *fakeAPI) OAuthURL(_ context.Context, o cloudelements.OAuthRequest) (string, error) {
	f.rec.add("oauthurl")
	f.gotReq = o
	if f.urlErr != nil {
		return "", f.urlErr
	}
	return "https://acme.docushareflex.com/authorize?state=" + o.State, nil
}

func (f *fakeAPI) CreateInstance(_ context.Context, b flow.Body) (*cloudelements.Instance, error) {
	f.rec.add("create")
	f.gotBody = b
	if f.createErr != nil {
		return nil, f.createErr
	}
	return &cloudelements.Instance{ID: 7, Name: b.Name, Token: flow.NewSecret("tok")}, nil
}

type fakeListener struct {
	rec      *recorder
	redirect string
	result   oauthlistener.Result
	err      error
	closed   bool
	mu       sync.Mutex
	done     chan struct{}
}

func (l *fakeListener) RedirectURI() string { return l.redirect }
func (l *fakeListener) State() string       { return "fake-state" }
func (l *fakeListener) Port() int           { return 23949 }
func (l *fakeListener) Deadline() time.Time { return time.Time{} }
func (l *fakeListener) Wait(ctx context.Context) (oauthlistener.Result, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		return oauthlistener.Result{}, oauthlistener.ErrCanceled
	}
	return l.result, l.err
}
func (l *fakeListener) Paste(string) (oauthlistener.PastedResult, error) {
	return oauthlistener.PastedResult{}, errors.New("no paste in the fake")
}
func (l *fakeListener) Accept(oauthlistener.PastedResult) error { return nil }
func (l *fakeListener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.rec.add("close")
	return nil
}

type fakeBrowser struct {
	rec *recorder
	err error
}

func (b *fakeBrowser) Open(string) error { b.rec.add("browser"); return b.err }

func readyAnswers() (flow.Answers, flow.Secrets) {
	a := flow.NewAnswers()
	a.Domain = "acme.docushareflex.com"
	a.APIKey = sandbox.DemoAppID
	a.NotificationURL = "https://example.com/events"
	s := flow.Secrets{
		UserSecret: flow.NewSecret(sandbox.DemoUserSecret),
		OrgSecret:  flow.NewSecret(sandbox.DemoOrgSecret),
		APISecret:  flow.NewSecret(sandbox.DemoAppSecret),
	}
	return a, s
}

func TestBeginOrderAndRequest(t *testing.T) {
	tests := []struct {
		name       string
		noBrowser  bool
		browserErr error
		getenv     map[string]string
		wantEvents []string
		wantOpened bool
		wantSSH    bool
	}{
		{"browser opens", false, nil, nil, []string{"listen", "oauthurl", "browser"}, true, false},
		{"no-browser", true, nil, nil, []string{"listen", "oauthurl"}, false, false},
		{"ssh headless", false, &oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonSSH, Detail: "ssh"},
			map[string]string{"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22", "USER": "ann"}, []string{"listen", "oauthurl", "browser"}, false, true},
		{"no display", false, &oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonNoDisplay, Detail: "x"}, nil, []string{"listen", "oauthurl", "browser"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			api := &fakeAPI{rec: rec}
			var gotOpts oauthlistener.Options
			fl := &fakeListener{rec: rec, done: make(chan struct{})}
			deps := journey.Deps{
				API: api,
				StartListener: func(_ context.Context, o oauthlistener.Options) (journey.Listener, error) {
					rec.add("listen")
					gotOpts = o
					fl.redirect = o.RedirectURI
					return fl, nil
				},
				Browser: &fakeBrowser{rec: rec, err: tt.browserErr},
				Getenv:  func(k string) string { return tt.getenv[k] },
			}
			a, s := readyAnswers()
			auth, err := journey.Begin(context.Background(), deps, journey.Settings{NoBrowser: tt.noBrowser}, a, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rec.list(), ","); got != strings.Join(tt.wantEvents, ",") {
				t.Fatalf("events %s, want %v (the listener must start before the URL is requested)", got, tt.wantEvents)
			}
			if gotOpts.RedirectURI != a.CallbackURL {
				t.Errorf("listener redirect %q, want the answers' %q", gotOpts.RedirectURI, a.CallbackURL)
			}
			if api.gotReq.CallbackURL != a.CallbackURL || api.gotReq.State != "fake-state" || api.gotReq.SiteAddress != a.Domain || api.gotReq.APIKey != a.APIKey {
				t.Errorf("oauth/url request %+v", api.gotReq)
			}
			if auth.Browser.Opened != tt.wantOpened {
				t.Errorf("opened = %v", auth.Browser.Opened)
			}
			if (auth.Browser.SSHLine != "") != tt.wantSSH {
				t.Errorf("ssh line %q, want one: %v", auth.Browser.SSHLine, tt.wantSSH)
			}
			if tt.wantSSH && auth.Browser.SSHLine != "ssh -L 23949:127.0.0.1:23949 ann@10.0.0.1" {
				t.Errorf("ssh line %q", auth.Browser.SSHLine)
			}
			_ = auth.Close()
		})
	}
}

func TestBeginFailuresCloseTheListener(t *testing.T) {
	rec := &recorder{}
	api := &fakeAPI{rec: rec, urlErr: &cloudelements.APIError{Op: "GET /elements/docushareflex/oauth/url", Status: 401}}
	fl := &fakeListener{rec: rec, done: make(chan struct{})}
	deps := journey.Deps{API: api, StartListener: func(context.Context, oauthlistener.Options) (journey.Listener, error) { return fl, nil }}
	a, s := readyAnswers()
	_, err := journey.Begin(context.Background(), deps, journey.Settings{}, a, s)
	if journey.Classify(err) != journey.KindUnauthorized {
		t.Fatalf("err %v: kind %v", err, journey.Classify(err))
	}
	if !fl.closed {
		t.Fatal("the listener was left open after the oauth/url failure")
	}
}

func TestBeginMissingAnswers(t *testing.T) {
	a, s := readyAnswers()
	a.APIKey = ""
	_, err := journey.Begin(context.Background(), journey.Deps{API: &fakeAPI{rec: &recorder{}}}, journey.Settings{}, a, s)
	var me *journey.MissingError
	if !errors.As(err, &me) || journey.Classify(err) != journey.KindInvalid {
		t.Fatalf("err %v", err)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err   error
		kind  Kind
		again bool
	}{
		{nil, journey.KindNone, false},
		{oauthlistener.ErrTimeout, journey.KindTimeout, true},
		{fmt.Errorf("x: %w", oauthlistener.ErrCanceled), journey.KindCanceled, false},
		{context.Canceled, journey.KindCanceled, false},
		{&oauthlistener.ProviderError{Code: "access_denied"}, journey.KindDenied, true},
		{&oauthlistener.ProviderError{Code: "server_error"}, journey.KindProviderError, true},
		{&oauthlistener.PasteError{Kind: oauthlistener.ErrPasteWrongState, Msg: "m"}, journey.KindWrongState, true},
		{&oauthlistener.PasteError{Kind: oauthlistener.ErrPasteTruncated, Msg: "m"}, journey.KindPaste, false},
		{&oauthlistener.PortUnavailableError{Port: 1, Cause: oauthlistener.CauseInUse}, journey.KindPort, false},
		{&oauthlistener.AlreadyWaitingError{Port: 1}, journey.KindPort, false},
		{&cloudelements.APIError{Status: 400, ProviderMessage: "invalid_grant: expired"}, journey.KindCodeRejected, true},
		{&cloudelements.APIError{Status: 401}, journey.KindUnauthorized, false},
		{&cloudelements.APIError{Status: 409}, journey.KindAPI, false},
		{&cloudelements.OutcomeUnknownError{Name: "n", Cause: errors.New("reset")}, journey.KindOutcomeUnknown, false},
		{&cloudelements.NetError{Kind: cloudelements.NetRefused}, journey.KindNetwork, false},
		{&journey.MissingError{Field: "x"}, journey.KindInvalid, false},
		{errors.New("?"), journey.KindOther, false},
	}
	for _, tt := range tests {
		k := journey.Classify(tt.err)
		if k != tt.kind {
			t.Errorf("Classify(%v) = %v, want %v", tt.err, k, tt.kind)
		}
		if k.AuthorizeAgain() != tt.again {
			t.Errorf("%v.AuthorizeAgain() = %v", k, k.AuthorizeAgain())
		}
	}
}

type Kind = journey.Kind

func TestCreateSendsSecretsIncludedAndRefusesPlaceholders(t *testing.T) {
	rec := &recorder{}
	api := &fakeAPI{rec: rec}
	a, s := readyAnswers()
	if _, err := journey.Create(context.Background(), api, a, s); !errors.Is(err, journey.ErrNotReady) {
		t.Fatalf("create without a code: %v", err)
	}
	if len(rec.list()) != 0 {
		t.Fatal("an incomplete body was sent")
	}
	a.Code = flow.NewSecret("the-code")
	in, err := journey.Create(context.Background(), api, a, s)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != 7 || api.gotBody.ProviderData.Code != "the-code" || api.gotBody.Configuration.APISecret != sandbox.DemoAppSecret {
		t.Fatalf("body %+v", api.gotBody)
	}
}

// ---- against the real sandbox, over real HTTP ----

func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *cloudelements.Client) {
	t.Helper()
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := cloudelements.New(srv.BaseURL(), flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestRunAgainstSandbox(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Options{})
	b := &journeytest.ConsentBrowser{}
	a, s := readyAnswers()
	var sawURL string
	res, err := journey.Run(context.Background(), journey.Deps{API: c, Browser: b}, journey.Settings{ListenAddr: "127.0.0.1:0", Timeout: 20 * time.Second}, a, s,
		journey.Hooks{Authorizing: func(auth *journey.Authorization) { sawURL = auth.URL }})
	if err != nil {
		t.Fatalf("run: %v (browser: %v)", err, b.Wait())
	}
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sawURL, sandbox.ConsentPath) {
		t.Errorf("authorization URL %q is not the consent page", sawURL)
	}
	got, ok := srv.Instance(res.Instance.ID)
	if !ok {
		t.Fatalf("instance %d is not in the sandbox", res.Instance.ID)
	}
	if got.Name != flow.SuggestName(a) {
		t.Errorf("name %q", got.Name)
	}
	if res.Answers.CallbackURL == a.CallbackURL || !strings.HasPrefix(res.Answers.CallbackURL, "http://127.0.0.1:") {
		t.Errorf("callback URL %q should follow the ephemeral listener", res.Answers.CallbackURL)
	}
	if n := srv.Count(sandbox.RouteCreateInstance); n != 1 {
		t.Errorf("%d creates", n)
	}
	// The summary file holds the token and the signature key, 0600, and
	// reads back.
	dir := t.TempDir()
	key := flow.NewSignatureKey()
	p, err := journey.SaveSummary(dir, res.Instance, res.Answers, key)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 || filepath.Dir(p) != filepath.Join(dir, journey.SummaryDir) {
		t.Errorf("summary %s mode %v", p, st.Mode().Perm())
	}
	data, _ := os.ReadFile(p)
	if !strings.Contains(string(data), res.Instance.Token.Reveal()) || !strings.Contains(string(data), key.Reveal()) {
		t.Error("summary has no token or no signature key")
	}
	back, err := journey.LoadSummary(dir, res.Instance.ID)
	if err != nil || back.Token != res.Instance.Token.Reveal() || back.SignatureKey != key.Reveal() || back.BaseURL != res.Answers.BaseURL {
		t.Fatalf("read back: %+v %v", back, err)
	}
	if _, err := journey.LoadSummary(dir, res.Instance.ID+1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no summary: %v", err)
	}
}

func TestDenyAgainstSandbox(t *testing.T) {
	_, c := startSandbox(t, sandbox.Options{})
	b := &journeytest.ConsentBrowser{Decision: "deny"}
	a, s := readyAnswers()
	_, err := journey.Run(context.Background(), journey.Deps{API: c, Browser: b}, journey.Settings{ListenAddr: "127.0.0.1:0", Timeout: 20 * time.Second}, a, s, journey.Hooks{})
	if journey.Classify(err) != journey.KindDenied {
		t.Fatalf("err %v, kind %v", err, journey.Classify(err))
	}
	_ = b.Wait()
}

func TestExpiredCodeThenAuthorizeAgain(t *testing.T) {
	clock := journeytest.NewClock(time.Now())
	srv, c := startSandbox(t, sandbox.Options{Now: clock.Now, CodeTTL: time.Minute})
	a, s := readyAnswers()
	deps := journey.Deps{API: c, Browser: &journeytest.ConsentBrowser{}, Clock: clock}
	settings := journey.Settings{ListenAddr: "127.0.0.1:0", Timeout: 20 * time.Second}
	auth, err := journey.Begin(context.Background(), deps, settings, a, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := auth.Wait(context.Background())
	_ = auth.Close()
	if err != nil {
		t.Fatal(err)
	}
	g.Apply(&a)
	clock.Advance(2 * time.Minute) // the code expires
	_, err = journey.Create(context.Background(), c, a, s)
	if k := journey.Classify(err); k != journey.KindCodeRejected || !k.AuthorizeAgain() {
		t.Fatalf("expired code: err %v kind %v", err, k)
	}
	// Authorize again, keeping every other answer.
	a.Code = flow.Secret{}
	res, err := journey.Run(context.Background(), deps, settings, a, s, journey.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Instance(res.Instance.ID); !ok {
		t.Fatal("instance missing after re-authorizing")
	}
}

func TestPasteOnlyAgainstSandbox(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Options{})
	a, s := readyAnswers()
	a.CallbackURL = "https://auth.cloudelements.io/oauth"
	auth, err := journey.Begin(context.Background(), journey.Deps{API: c}, journey.Settings{NoBrowser: true, Timeout: 20 * time.Second}, a, s)
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	if !auth.PasteOnly || auth.Port != 0 || auth.Browser.Opened {
		t.Fatalf("auth %+v", auth)
	}
	// The person clicks Allow; the browser lands on the registered page; they
	// copy its address.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(auth.URL + "&decision=allow")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	landed := resp.Header.Get("Location")
	if !strings.HasPrefix(landed, a.CallbackURL+"?") {
		t.Fatalf("redirected to %q", landed)
	}
	// A wrong-state address is refused and the wait goes on.
	if _, err := auth.Paste(a.CallbackURL + "?code=x&state=wrong"); journey.Classify(err) != journey.KindWrongState {
		t.Fatalf("wrong state: %v", err)
	}
	p, err := auth.Paste(landed)
	if err != nil || p.NeedsConfirmation {
		t.Fatalf("paste: %v %+v", err, p)
	}
	g, err := auth.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g.Apply(&a)
	in, err := journey.Create(context.Background(), c, a, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Instance(in.ID); !ok {
		t.Fatal("not created")
	}
}

func TestPasteBareCodeNeedsConfirmation(t *testing.T) {
	_, c := startSandbox(t, sandbox.Options{})
	a, s := readyAnswers()
	auth, err := journey.Begin(context.Background(), journey.Deps{API: c}, journey.Settings{ListenAddr: "127.0.0.1:0", NoBrowser: true, Timeout: 20 * time.Second}, a, s)
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	if auth.Browser.Opened || !errors.Is(auth.Browser.Err, journey.ErrBrowserDisabled) {
		t.Fatalf("browser %+v", auth.Browser)
	}
	p, err := auth.Paste("abc123")
	if err != nil || !p.NeedsConfirmation {
		t.Fatalf("%v %+v", err, p)
	}
	if err := auth.Confirm(p); err != nil {
		t.Fatal(err)
	}
	g, err := auth.Wait(context.Background())
	if err != nil || g.Code.Reveal() != "abc123" || g.Source != oauthlistener.FromPastedCode {
		t.Fatalf("%v %+v", err, g)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	_, c := startSandbox(t, sandbox.Options{})
	a, s := readyAnswers()
	auth, err := journey.Begin(context.Background(), journey.Deps{API: c}, journey.Settings{ListenAddr: "127.0.0.1:0", NoBrowser: true, Timeout: 200 * time.Millisecond}, a, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Wait(context.Background()); journey.Classify(err) != journey.KindTimeout {
		t.Fatalf("timeout: %v", err)
	}
	_ = auth.Close()
	// Rule 18: after the timeout the listener's diagnosis is there to show,
	// naming the registered redirect URI among the likely causes.
	causes := journey.LikelyCauses(auth.Diagnose(), 3)
	if len(causes) == 0 || len(causes) > 3 || !strings.Contains(strings.Join(journey.LikelyCauses(auth.Diagnose(), 99), "\n"), auth.RedirectURI) {
		t.Fatalf("likely causes after a timeout: %q", causes)
	}

	ctx, cancel := context.WithCancel(context.Background())
	auth, err = journey.Begin(ctx, journey.Deps{API: c}, journey.Settings{ListenAddr: "127.0.0.1:0", NoBrowser: true}, a, s)
	if err != nil {
		t.Fatal(err)
	}
	port := auth.Port
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := auth.Wait(ctx); journey.Classify(err) != journey.KindCanceled {
		t.Fatalf("cancel: %v", err)
	}
	_ = auth.Close()
	// The port is free again.
	l, err := oauthlistener.Start(context.Background(), oauthlistener.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatalf("port %d still held: %v", port, err)
	}
	_ = l.Close()
}

func TestUnauthorizedAgainstSandbox(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	c, _ := cloudelements.New(srv.BaseURL(), flow.NewSecret("wrong"), flow.NewSecret("wrong"))
	a, s := readyAnswers()
	_, err := journey.Begin(context.Background(), journey.Deps{API: c}, journey.Settings{ListenAddr: "127.0.0.1:0", NoBrowser: true}, a, s)
	if journey.Classify(err) != journey.KindUnauthorized {
		t.Fatalf("err %v kind %v", err, journey.Classify(err))
	}
}

// After a timeout the address the browser showed for that authorization
// can still be pasted: it is checked against that authorization's redirect
// URI and state (another authorization's address is refused), and its code
// creates the instance.
func TestPasteLateAfterTimeout(t *testing.T) {
	srv, c := startSandbox(t, sandbox.Options{})
	a, s := readyAnswers()
	// Both authorizations on one port, one after the other: only the
	// state tells their addresses apart.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	a.CallbackURL = "http://" + addr + "/callback"
	settings := journey.Settings{ListenAddr: addr, NoBrowser: true, Timeout: 300 * time.Millisecond}
	// The person clicks Allow, but the redirect never reaches the listener
	// (here: it is not followed).
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	landed := func(u string) string {
		t.Helper()
		resp, err := noFollow.Get(u + "&decision=allow")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.Header.Get("Location")
	}
	other, err := journey.Begin(context.Background(), journey.Deps{API: c}, settings, a, s)
	if err != nil {
		t.Fatal(err)
	}
	theirs := landed(other.URL)
	_ = other.Close()
	auth, err := journey.Begin(context.Background(), journey.Deps{API: c}, settings, a, s)
	if err != nil {
		t.Fatal(err)
	}
	mine := landed(auth.URL)
	if _, err := auth.Wait(context.Background()); journey.Classify(err) != journey.KindTimeout {
		t.Fatalf("wait: %v", err)
	}
	_ = auth.Close()

	for _, bad := range []string{theirs, strings.Replace(mine, "state=", "state=x", 1)} {
		if _, err := auth.PasteLate(bad); journey.Classify(err) != journey.KindWrongState {
			t.Fatalf("a late paste of another authorization's address: %v", err)
		}
	}
	p, err := auth.PasteLate(mine)
	if err != nil || p.NeedsConfirmation {
		t.Fatalf("late paste: %v %+v", err, p)
	}
	g := auth.LateGrant(p)
	if g.CallbackURL != auth.RedirectURI || g.Source != oauthlistener.FromPaste || g.Code.IsZero() {
		t.Fatalf("grant %+v", g)
	}
	g.Apply(&a)
	in, err := journey.Create(context.Background(), c, a, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Instance(in.ID); !ok {
		t.Fatal("not created")
	}
	if p, err := auth.PasteLate("bare-code"); err != nil || !p.NeedsConfirmation {
		t.Fatalf("a bare code: %v %+v", err, p)
	}
}
