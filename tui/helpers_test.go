package tui

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Pin the environment before anything renders (lipgloss caches the
// profile): no colour, dark background, an xterm that is not "dumb"
// (which would switch huh to accessible mode).
func TestMain(m *testing.M) {
	if os.Getenv(browserEnv) == "1" {
		// This test binary is the $BROWSER of the tmux test: it opens the
		// consent page and clicks Allow, over real HTTP.
		os.Exit(actAsBrowser(os.Args[len(os.Args)-1]))
	}
	// The parallel tests (the built binary in tmux and in a pty) wait on
	// a terminal and a browser, not on the CPU: let them all run at once
	// (go test allows as many as CPUs) unless -parallel is given.
	journeytest.AllowParallel(8)
	if !testing.Short() && flag.Lookup("test.run").Value.String() == "" {
		startBuild() // the whole package runs: the binary is needed
	}
	os.Setenv("TERM", "xterm-256color")
	os.Unsetenv("NO_COLOR")
	os.Unsetenv("SSH_CONNECTION")
	os.Unsetenv("SSH_TTY")
	os.Unsetenv("SSH_CLIENT")
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	code := m.Run()
	if built.done != nil {
		<-built.done
		if built.dir != "" {
			os.RemoveAll(built.dir)
		}
	}
	os.Exit(code)
}

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testElementDefault is an element default poller configuration with a
// second resource whose URL the element gives (a folder's contents).
func testElementDefault() flow.PollerConfig {
	p, err := flow.PollingPresets().CopyTo("events", "folders", "/hubs/documents/folders/contents?path=/")
	if err != nil {
		panic(err)
	}
	for i := range p {
		p[i].Guess = false
	}
	return p
}

// fakeClient is a Client answering from memory.
type fakeClient struct {
	mu          sync.Mutex
	infoErr     error
	defaults    flow.PollerConfig
	defaultsErr error // the element's default could not be read
	urlErr      error
	createErrs  []error // consumed one per create
	created     []flow.Body
	// existing are the instances already there (InstancesNamed), lookupErr
	// the lookup's failure.
	existing  []cloudelements.Instance
	lookupErr error
}

func (f *fakeClient) InstancesNamed(_ context.Context, name string) ([]cloudelements.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lookupErr != nil {
		return nil, f.lookupErr
	}
	var out []cloudelements.Instance
	for _, in := range f.existing {
		if in.Name == name {
			out = append(out, in)
		}
	}
	return out, nil
}

func (f *fakeClient) ElementInfo(context.Context) (*cloudelements.Element, error) {
	if f.infoErr != nil {
		return nil, f.infoErr
	}
	return &cloudelements.Element{}, nil
}

func (f *fakeClient) ElementPollerDefaults(context.Context) (flow.PollerConfig, error) {
	if f.defaultsErr != nil {
		return nil, f.defaultsErr
	}
	if f.defaults == nil {
		return nil, cloudelements.ErrNoPollerDefaults
	}
	return f.defaults, nil
}

func (f *fakeClient) OAuthURL(_ context.Context, o cloudelements.OAuthRequest) (string, error) {
	if f.urlErr != nil {
		return "", f.urlErr
	}
	return "https://acme.docushareflex.com/oauth/authorize?client_id=" + o.APIKey + "&redirect_uri=" + o.CallbackURL + "&state=STATE", nil
}

func (f *fakeClient) CreateInstance(_ context.Context, b flow.Body) (*cloudelements.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.createErrs) > 0 {
		err := f.createErrs[0]
		f.createErrs = f.createErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	f.created = append(f.created, b)
	return &cloudelements.Instance{ID: 482901, Name: b.Name, Token: flow.NewSecret("TOKEN-abc123="), EventsEnabled: b.Configuration.NotificationEnabled,
		Element: cloudelements.InstanceElement{Key: "docushareflex"}}, nil
}

// fakeListener is the journey's socketless listener (the pasted address is
// checked against the redirect URI and the state STATE) on a fixed port: a
// test finishes it as the browser's callback would.
type fakeListener struct {
	*journey.ManualListener
	mu     sync.Mutex
	closed bool
	// gate, when set, holds Close until it is closed, as the real listener
	// holds it for up to a second while the browser fetches /done.
	gate chan struct{}
}

func (l *fakeListener) Port() int { return 23949 }

// Diagnose gives the wizard a fixed rule-18 diagnosis to show after a timeout.
func (l *fakeListener) Diagnose() []oauthlistener.Trap {
	return []oauthlistener.Trap{{ID: "not-registered", Title: "The redirect URI is not registered",
		Advice: "register exactly http://127.0.0.1:23949/callback in DocuShare Flex."}}
}
func (l *fakeListener) Close() error {
	if l.gate != nil {
		<-l.gate
	}
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.ManualListener.Close()
}
func (l *fakeListener) isClosed() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.closed }

// listeners records every fake listener started.
type listeners struct {
	mu    sync.Mutex
	all   []*fakeListener
	clock *testClock
	gate  chan struct{} // given to every listener started (fakeListener.gate)
}

func (ls *listeners) start(_ context.Context, o oauthlistener.Options) (journey.Listener, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	redirect := o.RedirectURI
	if redirect == "" {
		redirect = oauthlistener.DefaultRedirectURI
	}
	r, err := oauthlistener.ParseRedirectURI(redirect)
	if err != nil {
		return nil, err
	}
	l := &fakeListener{ManualListener: journey.NewManualListener(context.Background(), r, "STATE", 5*time.Minute, ls.clock.Now()), gate: ls.gate}
	ls.all = append(ls.all, l)
	return l, nil
}

func (ls *listeners) last() *fakeListener {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if len(ls.all) == 0 {
		return nil
	}
	return ls.all[len(ls.all)-1]
}

func (ls *listeners) allClosed() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for _, l := range ls.all {
		if !l.isClosed() {
			return false
		}
	}
	return true
}

type nopBrowser struct{ opened int }

func (b *nopBrowser) Open(string) error { b.opened++; return nil }

// harness drives a Model by calling Update directly and running each
// returned Cmd, dropping the ones that only tick.
type harness struct {
	t       *testing.T
	m       *Model
	client  *fakeClient
	ls      *listeners
	clock   *testClock
	dir     string
	quit    bool
	copied  []string
	timeout time.Duration
	late    chan tea.Msg
}

type harnessOpt func(*Config)

// fixedLengthDir is a new empty directory whose path has the same length
// in every run (t.TempDir's has a random number of digits): screens that
// show it wrap the same way, so their golden files are stable.
func fixedLengthDir(t *testing.T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("cewiztui%x", b)) // no "-": a wrap breaks there
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func newHarness(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	clock := &testClock{t: t0}
	h := &harness{t: t, client: &fakeClient{}, clock: clock, ls: &listeners{clock: clock}, dir: fixedLengthDir(t), timeout: 40 * time.Millisecond, late: make(chan tea.Msg, 64)}
	a := flow.NewAnswers()
	cfg := Config{
		Answers:       a,
		NewClient:     func(string, flow.Secrets) (Client, error) { return h.client, nil },
		StartListener: h.ls.start,
		Browser:       &nopBrowser{},
		Getenv:        func(string) string { return "" },
		Clock:         clock,
		ConfigDir:     h.dir,
		ExportDir:     h.dir,
		Clipboard:     func(s string) error { h.copied = append(h.copied, s); return nil },
	}
	for _, o := range opts {
		o(&cfg)
	}
	h.m = New(context.Background(), cfg, lipgloss.DefaultRenderer())
	h.m.noTicks = true
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.do(h.m.Init())
	return h
}

func skipMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case cursor.BlinkMsg, spinner.TickMsg, authTickMsg:
		return true
	}
	n := reflect.TypeOf(msg).String()
	return strings.Contains(n, "initialBlinkMsg") || strings.Contains(n, "blinkCanceled")
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 2000 {
			h.t.Fatal("the model keeps producing messages")
		}
		msg := queue[0]
		queue = queue[1:]
		if msg == nil || skipMsg(msg) {
			continue
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			h.quit = true
			continue
		}
		_, cmd := h.m.Update(msg)
		queue = append(queue, h.run(cmd)...)
	}
}

func (h *harness) do(cmd tea.Cmd) {
	for _, msg := range h.run(cmd) {
		h.send(msg)
	}
}

// run executes cmd (and, for batches and sequences, each inner cmd in
// order), giving each a short time: what takes longer (a listener's Wait)
// is delivered when it ends (h.late, waitFor). Timers are not run at all
// (isTimer).
func (h *harness) run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil || isTimer(cmd) {
		return nil
	}
	if waitsForTheBrowser(cmd) {
		// It ends when the test finishes the authorization: deliver it
		// then (waitFor), without first giving it the timeout.
		go func() {
			defer func() { _ = recover() }()
			if m := cmd(); m != nil && !skipMsg(m) {
				h.late <- m
			}
		}()
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() {
		defer func() { _ = recover() }()
		ch <- cmd()
	}()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(h.timeout):
		// Long work (a listener's Wait, a request): deliver it when it ends.
		go func() {
			if m := <-ch; m != nil && !skipMsg(m) {
				h.late <- m
			}
		}()
		return nil
	}
	if msg == nil {
		return nil
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out = append(out, h.run(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// isTimer reports whether cmd only waits for a timer and then sends a
// message skipMsg drops: a text field's cursor blink (every focus starts
// one, 530 ms long) or a tea.Tick. Run, each cost the harness its whole
// timeout; the tui tests spent most of their time there.
func isTimer(cmd tea.Cmd) bool {
	// A closure inlined into its caller is named after the caller too
	// ("….Focus.(*Model).BlinkCmd.func1"): match the part that is its own.
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	for _, p := range []string{"bubbles/cursor.(*Model).BlinkCmd.func", "bubbletea.Tick.func", "bubbletea.Every.func"} {
		if strings.Contains(name, p) {
			return true
		}
	}
	return false
}

// waitsForTheBrowser reports whether cmd is the Authorize step's wait for
// the code, which only ends when a test finishes the authorization.
func waitsForTheBrowser(cmd tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.HasPrefix(name, "github.com/cewiz/cewiz/tui.") && strings.Contains(name, ".(*authorizeStep).wait.func")
}

// waitFor runs the commands of asynchronous work until cond holds.
func (h *harness) waitFor(cond func() bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: a loaded CI machine
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.screen())
		}
		select {
		case msg := <-h.late:
			h.send(msg)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// drainLate delivers the results of slow work that have arrived.
func (h *harness) drainLate() {
	for {
		select {
		case msg := <-h.late:
			h.send(msg)
		default:
			return
		}
	}
}

func (h *harness) typeText(s string) {
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
}

func (h *harness) key(t tea.KeyType) { h.send(tea.KeyMsg{Type: t}) }

func (h *harness) enter() { h.key(tea.KeyEnter) }

func (h *harness) screen() string { return ansi.Strip(h.m.View()) }

// clearInput empties the focused text field.
func (h *harness) clearInput() {
	h.key(tea.KeyCtrlE)
	h.key(tea.KeyCtrlU)
}

type ctxT = context.Context

func listenTCP(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// TestIsTimer: the harness recognises the timers it drops (if a module
// update renamed them, the tests would wait for each again).
func TestIsTimer(t *testing.T) {
	ti := textinput.New()
	if blink := ti.Focus(); blink == nil || !isTimer(blink) {
		t.Error("a text field's cursor blink is not recognised")
	}
	if !isTimer(tea.Tick(time.Second, func(time.Time) tea.Msg { return nil })) {
		t.Error("tea.Tick is not recognised")
	}
	if isTimer(func() tea.Msg { return nil }) || isTimer(tea.Quit) {
		t.Error("a command that is not a timer is taken for one")
	}
	if !waitsForTheBrowser((&authorizeStep{}).wait(&Model{})) || waitsForTheBrowser(tea.Quit) {
		t.Error("the Authorize step's wait for the code is not recognised")
	}
}
