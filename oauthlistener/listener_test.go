package oauthlistener

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// ---- Rule 1: loopback only; localhost also [::1] ----

func TestRule01_BindsLoopbackOnly(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Addr: ":0"}) // an empty host means 127.0.0.1, never all interfaces
	addrs := l.Addrs()
	if len(addrs) != 1 || !strings.HasPrefix(addrs[0], "127.0.0.1:") {
		t.Fatalf("Addrs = %v, want only 127.0.0.1", addrs)
	}
	if !strings.HasPrefix(l.RedirectURI(), "http://127.0.0.1:") {
		t.Errorf("RedirectURI = %q", l.RedirectURI())
	}
	// Not reachable on a non-loopback address of this machine.
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), strconv.Itoa(l.Port())), 300*time.Millisecond)
		if err == nil {
			c.Close()
			t.Errorf("the listener answers on %s: it must bind loopback only", ipn.IP)
		}
	}
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "localhost.evil.example:0"} {
		if _, err := Start(context.Background(), Options{Addr: addr}); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Start(%q) err = %v, want ErrNotLoopback", addr, err)
		}
	}
}

func TestRule01_LocalhostAlsoBindsIPv6OnSamePort(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Addr: "localhost:0"})
	if l.RedirectURI() != "http://localhost:"+strconv.Itoa(l.Port())+"/callback" {
		t.Fatalf("RedirectURI = %q", l.RedirectURI())
	}
	if l.Observations().IPv6Skipped {
		t.Skip("no IPv6 loopback on this machine")
	}
	addrs := l.Addrs()
	want := []string{"127.0.0.1:" + strconv.Itoa(l.Port()), "[::1]:" + strconv.Itoa(l.Port())}
	if fmt.Sprint(addrs) != fmt.Sprint(want) {
		t.Fatalf("Addrs = %v, want %v (one logical listener, same port)", addrs, want)
	}
	// A browser that resolves localhost to ::1 (Brave, some systems) gets through.
	req, _ := http.NewRequest("GET", "http://[::1]:"+strconv.Itoa(l.Port())+cb(l, "code", "v6code", "state", l.State()), nil)
	req.Host = "localhost:" + strconv.Itoa(l.Port())
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback over [::1]: status %d", resp.StatusCode)
	}
	res, err := waitFor(t, l, 2*time.Second)
	if err != nil || res.Code.Reveal() != "v6code" {
		t.Fatalf("Wait = %v, %v", res, err)
	}
}

// ---- Rule 3: ports ----

func TestRule03_DefaultPortIsFixedAndDocumented(t *testing.T) {
	if DefaultPort != 23949 || DefaultAddr != "127.0.0.1:23949" || DefaultRedirectURI != "http://127.0.0.1:23949/callback" {
		t.Fatalf("defaults changed: %d %s %s", DefaultPort, DefaultAddr, DefaultRedirectURI)
	}
	if !portFree(DefaultAddr) {
		t.Skipf("port %d is busy on this machine", DefaultPort)
	}
	l, err := Start(context.Background(), Options{}) // the zero Options: the default port
	if errors.Is(err, ErrPortUnavailable) {
		t.Skipf("port %d was taken meanwhile: %v", DefaultPort, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Port() != DefaultPort || l.RedirectURI() != DefaultRedirectURI {
		t.Fatalf("zero Options: port %d, redirect %q", l.Port(), l.RedirectURI())
	}
}

func TestRule03_PortZeroOnlyOnRequest(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Addr: "127.0.0.1:0"})
	if l.Port() == 0 || !strings.Contains(l.RedirectURI(), ":"+strconv.Itoa(l.Port())+"/") {
		t.Fatalf("port %d, redirect %q", l.Port(), l.RedirectURI())
	}
}

func TestRule03_PortInUseSaysWhichWhyAndWhat(t *testing.T) {
	t.Parallel()
	other, err := net.Listen("tcp4", "127.0.0.1:0") // not a cewiz listener: it never answers
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	port := other.Addr().(*net.TCPAddr).Port
	t0 := time.Now()
	_, err = Start(context.Background(), Options{Addr: other.Addr().String()})
	if time.Since(t0) > 3*time.Second {
		t.Errorf("Start took %v on a busy port", time.Since(t0))
	}
	var pe *PortUnavailableError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPortUnavailable) || errors.Is(err, ErrAlreadyWaiting) {
		t.Fatalf("err = %v (%T), want *PortUnavailableError", err, err)
	}
	if pe.Port != port || pe.Cause != CauseInUse || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("port %d cause %v", pe.Port, pe.Cause)
	}
	msg := err.Error()
	mustContain(t, msg, strconv.Itoa(port), "message")
	mustContain(t, msg, "in use", "message")
	mustContain(t, msg, "--listen", "message")
}

func TestRule03_BindErrorsAreClassified(t *testing.T) {
	t.Parallel()
	wrap := func(e syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp", Err: fmt.Errorf("bind: %w", e)}
	}
	cases := []struct {
		err    error
		goos   string
		want   PortCause
		advice string
	}{
		{wrap(syscall.EADDRINUSE), "linux", CauseInUse, "lsof"},
		{wrap(syscall.Errno(wsaEADDRINUSE)), "windows", CauseInUse, "netstat"},
		{wrap(syscall.Errno(wsaEACCES)), "windows", CauseReserved, "excludedportrange"},
		{wrap(syscall.EACCES), "windows", CauseReserved, "excludedportrange"},
		{wrap(syscall.EACCES), "linux", CausePermission, "below 1024"},
		{wrap(syscall.EPERM), "darwin", CausePermission, "below 1024"},
		{wrap(syscall.EADDRNOTAVAIL), "linux", CauseNoAddress, "127.0.0.1"},
		{errors.New("strange"), "linux", CauseUnknown, "--listen"},
	}
	for _, c := range cases {
		got := classifyBindError(c.err, c.goos)
		if got != c.want {
			t.Errorf("%v on %s: cause %v, want %v", c.err, c.goos, got, c.want)
		}
		pe := &PortUnavailableError{Addr: "127.0.0.1:23949", Port: 23949, Cause: got, Err: c.err}
		mustContain(t, pe.Error(), "23949", "message")
		mustContain(t, pe.Advice(), c.advice, "advice")
		if !errors.Is(pe, ErrPortUnavailable) {
			t.Error("errors.Is(ErrPortUnavailable) is false")
		}
	}
	// Port 0 with no free port left: no program to stop, no "port 0".
	pe := &PortUnavailableError{Addr: "127.0.0.1:0", Port: 0, Cause: CauseInUse, Err: wrap(syscall.EADDRINUSE)}
	mustContain(t, pe.Error(), "no free port", "port 0 message")
	mustContain(t, pe.Error(), "--listen", "port 0 message")
	mustNotContain(t, pe.Error(), "port 0", "port 0 message")
	mustNotContain(t, pe.Error(), "Stop the program", "port 0 message")
}

// ---- Rule 4: one listener, listening before the URL is requested ----

func TestRule04_ListeningWhenStartReturnsAndSameSocketServesCallback(t *testing.T) {
	t.Parallel()
	for i := 0; i < 20; i++ {
		l := start(t, Options{})
		// The port is held from the moment Start returns (no bind-close-bind).
		if portFree(l.Addrs()[0]) || released(l) {
			t.Fatal("the port is free after Start: it must stay bound until the flow ends")
		}
		// A redirect that arrives immediately, before Wait is even called, is not lost.
		r := get(t, l, cb(l, "code", "fast"+strconv.Itoa(i), "state", l.State()))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("immediate callback: %d", r.Status)
		}
		res, err := waitFor(t, l, time.Second)
		if err != nil || res.Code.Reveal() != "fast"+strconv.Itoa(i) {
			t.Fatalf("Wait = %v, %v", res, err)
		}
		if !strings.HasSuffix(l.RedirectURI(), ":"+strconv.Itoa(l.Port())+DefaultPath) {
			t.Fatalf("RedirectURI %q does not name the bound port %d", l.RedirectURI(), l.Port())
		}
	}
}

// ---- Rule 5: strict routing ----

func TestRule05_OnlyGETOnExactPathIsACandidate(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	q := "?code=c&state=" + l.State()
	for _, tc := range []struct{ method, target string }{
		{"GET", "/favicon.ico"},
		{"GET", "/"},
		{"GET", "/callback/" + q},
		{"GET", "/CALLBACK" + q},
		{"GET", "/%63allback" + q},
		{"GET", "//callback" + q},
		{"GET", "/callback/../callback" + q},
		{"GET", "/done"},
		{"POST", "/callback" + q},
		{"HEAD", "/callback" + q},
		{"PUT", "/callback" + q},
		{"OPTIONS", "/callback" + q},
	} {
		r := do(t, l, tc.method, tc.target, nil)
		if r.Status != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", tc.method, tc.target, r.Status)
		}
		stillWaiting(t, l, tc.method+" "+tc.target)
	}
	valid(t, l, "after-404s")
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != "after-404s" {
		t.Fatalf("Wait = %v, %v", res, err)
	}
}

// ---- Rule 6: state ----

func TestRule06_StateIs256RandomBitsBase64URL(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		s := NewState()
		if len(s) != 43 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("state %q is not 43 base64url characters", s)
		}
		if seen[s] {
			t.Fatal("a state repeated")
		}
		seen[s] = true
	}
	l := start(t, Options{})
	if len(l.State()) < 22 { // 128 bits
		t.Fatalf("generated state too short: %d", len(l.State()))
	}
	l2 := start(t, Options{State: "given-state-value"})
	if l2.State() != "given-state-value" {
		t.Fatal("the given state is not used")
	}
}

func TestRule06_WrongStateKeepsWaiting(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	st := l.State()
	forged := "forged-state-" + strings.Repeat("x", 30)
	for _, target := range []string{
		cb(l, "code", "evil1"),                               // missing
		cb(l, "code", "evil2", "state", ""),                  // empty
		cb(l, "code", "evil3", "state", forged),              // wrong
		cb(l, "code", "evil4", "state", st[:len(st)-1]),      // prefix
		cb(l, "code", "evil5", "state", st+"x"),              // longer
		cb(l, "code", "evil6", "state", st, "state", st),     // twice
		cb(l, "code", "evil7", "state", forged, "state", st), // twice, one right
		l.path + "?code=evil8&state=" + st + "%zz",           // undecodable
	} {
		r := get(t, l, target)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, r.Status)
		}
		mustNotContain(t, r.Body, st, "400 page (expected state)")
		mustNotContain(t, r.Body, forged, "400 page (sent state)")
		mustNotContain(t, r.Body, "evil", "400 page (code)")
		stillWaiting(t, l, target)
	}
	valid(t, l, "good")
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != "good" || res.Params.Get("state") != st {
		t.Fatalf("Wait = %v, %v", res, err)
	}
	if n := l.Observations().WrongState; n != 8 {
		t.Errorf("WrongState observed %d, want 8", n)
	}
}

// ---- Rule 7: provider errors ----

func TestRule07_ProviderErrorWithRightStateEndsTheFlow(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	longDesc := "The user\x00 denied\r\n access\u202e" + strings.Repeat("é", 500)
	r := get(t, l, cb(l, "error", "access_denied", "error_description", longDesc, "error_uri", "https://provider.example/help?x=1\x07", "state", l.State()))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/done" {
		t.Fatalf("status %d location %q, want 303 /done", r.Status, r.Header.Get("Location"))
	}
	_, err := waitFor(t, l, time.Second)
	var pe *ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ProviderError", err)
	}
	if pe.Code != "access_denied" || !pe.Denied() {
		t.Errorf("Code = %q", pe.Code)
	}
	if !strings.HasPrefix(pe.Description, "The user denied access") {
		t.Errorf("Description not cleaned: %q", pe.Description)
	}
	if n := len([]rune(pe.Description)); n > MaxDescription+1 {
		t.Errorf("Description is %d runes, cap %d", n, MaxDescription)
	}
	if strings.ContainsAny(pe.Description+pe.URI, "\x00\r\n\a\u202e") {
		t.Errorf("control characters kept: %q %q", pe.Description, pe.URI)
	}
	if pe.URI != "https://provider.example/help?x=1" {
		t.Errorf("URI = %q", pe.URI)
	}
	page := get(t, l, "/done")
	mustContain(t, page.Body, "access_denied", "error page")
	mustContain(t, page.Body, "The user denied access", "error page")
}

func TestRule07_ForgedErrorWithWrongStateKeepsWaiting(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	for _, target := range []string{
		cb(l, "error", "access_denied"),
		cb(l, "error", "access_denied", "state", "nope"),
		cb(l, "error", "server_error", "state", l.State()[:10]),
	} {
		if r := get(t, l, target); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", target, r.Status)
		}
		stillWaiting(t, l, target)
	}
	valid(t, l, "c")
	if _, err := waitFor(t, l, time.Second); err != nil {
		t.Fatal(err)
	}
}

// ---- Rule 8: anti-forgery ----

func TestRule08_HostOriginAndFetchModeChecks(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	p := strconv.Itoa(l.Port())
	target := cb(l, "code", "forged", "state", l.State())
	for _, tc := range []struct {
		hdr  map[string]string
		want int
	}{
		{map[string]string{"Host": "evil.example:" + p}, http.StatusMisdirectedRequest},
		{map[string]string{"Host": "evil.example"}, http.StatusMisdirectedRequest},
		{map[string]string{"Host": "127.0.0.1:1"}, http.StatusMisdirectedRequest},
		{map[string]string{"Host": "127.0.0.1.nip.io:" + p}, http.StatusMisdirectedRequest},
		{map[string]string{"Host": "localhost.evil.example:" + p}, http.StatusMisdirectedRequest},
		{map[string]string{"Host": "evil.example:" + p, "X-Target": probePath}, http.StatusMisdirectedRequest},
		{map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{map[string]string{"Origin": "null"}, http.StatusForbidden},
		{map[string]string{"Sec-Fetch-Mode": "cors"}, http.StatusForbidden},
		{map[string]string{"Sec-Fetch-Mode": "no-cors"}, http.StatusForbidden},
		{map[string]string{"Sec-Fetch-Mode": ""}, http.StatusForbidden},
	} {
		tg := target
		if x, ok := tc.hdr["X-Target"]; ok { // another path (rule 19's probe: still 421)
			tg = x
		}
		r := do(t, l, "GET", tg, tc.hdr)
		if r.Status != tc.want {
			t.Errorf("%v: status %d, want %d", tc.hdr, r.Status, tc.want)
		}
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("%v: CORS header %s sent", tc.hdr, k)
			}
		}
		stillWaiting(t, l, fmt.Sprint(tc.hdr))
	}
	// A preflight gets no CORS headers either.
	r := do(t, l, "OPTIONS", target, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("preflight: CORS header %s sent", k)
		}
	}
	// A real navigation, with the loopback names the browser may use.
	for _, host := range []string{"localhost:" + p} {
		r := do(t, l, "GET", cb(l, "code", "nav", "state", l.State()), map[string]string{"Host": host, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "cross-site"})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("navigation with Host %s: %d", host, r.Status)
		}
	}
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != "nav" {
		t.Fatalf("Wait = %v, %v", res, err)
	}
}

// ---- Rule 10: one shot, clean shutdown ----

func TestRule10_FirstValidCallbackWinsLaterSeeAlreadyCompleted(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	const n = 12
	var wg sync.WaitGroup
	var won atomic.Int32
	statuses := make([]int, n)
	fire := make(chan struct{}) // all at once, well within the second the port stays open
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-fire
			r := get(t, l, cb(l, "code", "code"+strconv.Itoa(i), "state", l.State()))
			statuses[i] = r.Status
			if r.Status == http.StatusSeeOther {
				won.Add(1)
			} else if r.Status == http.StatusConflict {
				mustContain(t, r.Body, "already complete", "later hit")
			}
		}(i)
	}
	close(fire)
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d callbacks won (statuses %v), want exactly 1", won.Load(), statuses)
	}
	res, err := waitFor(t, l, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	winner := -1
	for i, s := range statuses {
		if s == http.StatusSeeOther {
			winner = i
		}
	}
	if res.Code.Reveal() != "code"+strconv.Itoa(winner) {
		t.Fatalf("Wait returned %q, the winner was code%d", res.Code.Reveal(), winner)
	}
}

func TestRule10_PortClosedWithinASecondAfterTheAnswer(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	valid(t, l, "c") // the 303 and /done
	t0 := time.Now()
	if !waitReleased(l, time.Second) {
		t.Fatal("the port is still bound a second after /done was served")
	}
	t.Logf("port free %v after /done", time.Since(t0))

	// Without the /done fetch (a client that does not follow), still within a second.
	l2 := start(t, Options{})
	r := get(t, l2, cb(l2, "code", "c", "state", l2.State()))
	if r.Status != http.StatusSeeOther {
		t.Fatal(r.Status)
	}
	if !waitReleased(l2, 1500*time.Millisecond) {
		t.Fatal("the port is still bound 1.5 s after the answer")
	}
	// The port is free: Close has nothing left to wait for but goroutines
	// that are ending (a bound far below the 1 s grace it would otherwise wait).
	t0 = time.Now()
	_ = l2.Close()
	if time.Since(t0) > 900*time.Millisecond {
		t.Errorf("Close after shutdown took %v", time.Since(t0))
	}
}

// ---- Rule 11: landing pages and headers ----

func checkPageHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func checkSelfContained(t *testing.T, what, body string) {
	t.Helper()
	low := strings.ToLower(body)
	for _, bad := range []string{"<a ", "href", "src=", "<script", "<link", "<img", "<iframe", "url(", "@import", "http://", "https://", "//"} {
		if strings.Contains(low, bad) {
			t.Errorf("%s: the page contains %q (no links, no external resources)", what, bad)
		}
	}
	if !strings.HasPrefix(low, "<!doctype html>") {
		t.Errorf("%s: not an HTML page", what)
	}
}

func TestRule11_CallbackAnswers303ToDoneWithHeaders(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Pages: Pages{Success: "Custom success text."}})
	r := get(t, l, cb(l, "code", "c", "state", l.State()))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/done" {
		t.Fatalf("status %d location %q", r.Status, r.Header.Get("Location"))
	}
	mustNotContain(t, r.Header.Get("Location"), "code", "Location")
	checkPageHeaders(t, "303", r.Header)
	done := get(t, l, "/done")
	if done.Status != http.StatusOK || !strings.HasPrefix(done.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/done: %d %s", done.Status, done.Header.Get("Content-Type"))
	}
	checkPageHeaders(t, "/done", done.Header)
	checkSelfContained(t, "/done", done.Body)
	mustContain(t, done.Body, "Custom success text.", "/done")
	mustContain(t, done.Body, "terminal", "/done")
	// Later hits: "already completed", with the same headers.
	again := get(t, l, cb(l, "code", "c2", "state", l.State()))
	if again.Status != http.StatusConflict {
		t.Fatalf("later hit: %d", again.Status)
	}
	checkPageHeaders(t, "already completed", again.Header)
	checkSelfContained(t, "already completed", again.Body)
	mustContain(t, again.Body, "already complete", "already completed page")
}

// A redirect URI whose path is /done itself still gets its landing page.
func TestRule11_CallbackPathDone(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Path: "/done"})
	r := get(t, l, cb(l, "code", "c", "state", l.State()))
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || loc == "" || loc == "/done" {
		t.Fatalf("status %d location %q: the 303 must lead elsewhere than the callback", r.Status, loc)
	}
	done := get(t, l, loc)
	if done.Status != http.StatusOK {
		t.Fatalf("%s: %d", loc, done.Status)
	}
	mustContain(t, done.Body, "Authorization received", "landing page")
	if res, err := waitFor(t, l, time.Second); err != nil || res.Code.Reveal() != "c" {
		t.Fatal(res, err)
	}
}

func TestRule11_EveryPageIsSelfContained(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	wrong := get(t, l, cb(l, "code", "c", "state", "bad"))
	checkPageHeaders(t, "wrong state", wrong.Header)
	checkSelfContained(t, "wrong state", wrong.Body)
	mustContain(t, wrong.Body, "does not match", "wrong-state page")
	nf := get(t, l, "/favicon.ico")
	checkPageHeaders(t, "404", nf.Header)
	r := get(t, l, cb(l, "error", "access_denied", "error_description", "no thanks", "error_uri", "https://x.example/e", "state", l.State()))
	if r.Status != http.StatusSeeOther {
		t.Fatal(r.Status)
	}
	pe := get(t, l, "/done")
	checkPageHeaders(t, "provider error", pe.Header)
	// The error_uri is shown as text, not as a link.
	if strings.Contains(pe.Body, "href") || strings.Contains(pe.Body, "<a") {
		t.Error("the error page links to error_uri")
	}
	mustContain(t, pe.Body, "<dd>https://x.example/e</dd>", "error page shows error_uri as text")
}

func TestRule11_XSSInErrorDescriptionIsInert(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	payload := `"><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a><style>*{}</style>`
	r := get(t, l, cb(l, "error", `<script>alert("e")</script>`, "error_description", payload, "error_uri", `javascript:alert(4)"><svg onload=alert(5)>`, "state", l.State()))
	if r.Status != http.StatusSeeOther {
		t.Fatal(r.Status)
	}
	page := get(t, l, "/done")
	low := strings.ToLower(page.Body)
	for _, bad := range []string{"<script", "<img", "<a ", "<svg", "<style>*", `"><`} {
		if strings.Contains(low, bad) {
			t.Errorf("the payload is live in the page: %q found", bad)
		}
	}
	mustContain(t, page.Body, "&lt;script&gt;alert(1)&lt;/script&gt;", "escaped payload")
	if page.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
		t.Error("no CSP on the error page")
	}
	if _, err := waitFor(t, l, time.Second); !errors.As(err, new(*ProviderError)) {
		t.Fatal(err)
	}
}

// ---- Rule 12: time and cancel ----

func TestRule12_TimeoutReturnsAndFreesThePort(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Timeout: 150 * time.Millisecond})
	t0 := time.Now()
	_, err := waitFor(t, l, 5*time.Second)
	el := time.Since(t0)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if el > 150*time.Millisecond+time.Second {
		t.Errorf("timeout returned after %v", el)
	}
	if !released(l) {
		t.Fatal("the port is still bound right after the timeout")
	}
}

func TestRule12_CancelReturnsWithinASecondAndFreesThePort(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	addr := l.Addrs()[0]
	// A slow client holds a half-sent request: the cancel must not wait for it.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("GET /callback?code=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
	ctx, cancel := context.WithCancel(context.Background())
	canceledAt := make(chan time.Time, 1)
	time.AfterFunc(50*time.Millisecond, func() { canceledAt <- time.Now(); cancel() })
	_, err = l.Wait(ctx)
	el := time.Since(<-canceledAt) // from the cancellation, however late the timer fired
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrCanceled wrapping context.Canceled", err)
	}
	if el > time.Second {
		t.Errorf("cancel returned after %v", el)
	}
	if !released(l) {
		t.Fatal("the port is still bound right after the cancel")
	}
}

func TestRule12_StartContextAndCloseCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := Start(ctx, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := waitFor(t, l, 2*time.Second); !errors.Is(err, ErrCanceled) {
		t.Fatalf("Start ctx canceled: err = %v", err)
	}
	_ = l.Close()

	l2 := start(t, Options{})
	time.AfterFunc(30*time.Millisecond, func() { _ = l2.Close() })
	_, err = waitFor(t, l2, 2*time.Second)
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("Close: err = %v", err)
	}
	if !released(l2) {
		t.Fatal("port bound after Close")
	}
}

func TestRule12_DefaultTimeoutAndHint(t *testing.T) {
	t.Parallel()
	if DefaultTimeout != 5*time.Minute || DefaultHintAfter != 30*time.Second {
		t.Fatalf("defaults: %v %v", DefaultTimeout, DefaultHintAfter)
	}
	l := start(t, Options{})
	if d := time.Until(l.Deadline()); d < 4*time.Minute+50*time.Second || d > 5*time.Minute {
		t.Fatalf("deadline in %v, want 5m", d)
	}
	select {
	case <-l.Hint():
		t.Fatal("hint fired at once")
	default:
	}

	called := make(chan struct{})
	l2 := start(t, Options{HintAfter: 40 * time.Millisecond, OnHint: func() { close(called) }})
	select {
	case <-l2.Hint():
	case <-time.After(2 * time.Second):
		t.Fatal("Hint() not closed")
	}
	select {
	case <-called:
	case <-time.After(2 * time.Second):
		t.Fatal("OnHint not called")
	}
	stillWaiting(t, l2, "the hint")

	// A panicking hint callback does not take the listener down.
	panicked := make(chan struct{})
	l3 := start(t, Options{HintAfter: 10 * time.Millisecond, OnHint: func() { defer close(panicked); panic("boom") }})
	<-panicked
	valid(t, l3, "still-works")
	if res, err := waitFor(t, l3, time.Second); err != nil || res.Code.Reveal() != "still-works" {
		t.Fatal(res, err)
	}
}

// ---- Rule 19: two at once ----

func TestRule19_SecondListenerOnSamePortSaysAnotherIsWaiting(t *testing.T) {
	t.Parallel()
	first := start(t, Options{})
	t0 := time.Now()
	_, err := Start(context.Background(), Options{Addr: first.Addrs()[0]})
	if el := time.Since(t0); el > 2*time.Second {
		t.Errorf("the second Start took %v", el)
	}
	if !errors.Is(err, ErrAlreadyWaiting) || !errors.Is(err, ErrPortUnavailable) {
		t.Fatalf("err = %v, want ErrAlreadyWaiting", err)
	}
	want := fmt.Sprintf("another authorization is waiting on port %d", first.Port())
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q does not start with %q", err, want)
	}
	// The probe did not disturb the first listener, nor its diagnosis.
	stillWaiting(t, first, "the probe")
	if o := first.Observations(); o.Requests != 0 || o.WrongPath != 0 || len(o.Paths) != 0 {
		t.Errorf("the probe was counted as a request: %+v", o)
	}
	for _, tr := range first.Diagnose() {
		if tr.Observed {
			t.Errorf("the probe shows in the diagnosis: %s", tr)
		}
	}
	valid(t, first, "first")
	if res, err := waitFor(t, first, time.Second); err != nil || res.Code.Reveal() != "first" {
		t.Fatal(res, err)
	}
}

func TestRule19_OtherHTTPServerIsNotMistakenForCewiz(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })}
	go srv.Serve(ln)
	defer srv.Close()
	_, err = Start(context.Background(), Options{Addr: ln.Addr().String()})
	var pe *PortUnavailableError
	if !errors.As(err, &pe) || pe.Cause != CauseInUse || errors.Is(err, ErrAlreadyWaiting) {
		t.Fatalf("err = %v, want in use (not another cewiz)", err)
	}
}

type panicHandler struct{}

func (panicHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (panicHandler) Handle(context.Context, slog.Record) error { panic("log handler broke") }
func (h panicHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h panicHandler) WithGroup(string) slog.Handler           { return h }

func TestPanicsAreContained(t *testing.T) {
	t.Parallel()
	l := start(t, Options{Logger: slog.New(panicHandler{})})
	if r := get(t, l, cb(l, "code", "x", "state", "bad")); r.Status != http.StatusBadRequest {
		t.Errorf("wrong state with a panicking logger: %d", r.Status)
	}
	stillWaiting(t, l, "a panicking logger")
	valid(t, l, "ok")
	if res, err := waitFor(t, l, time.Second); err != nil || res.Code.Reveal() != "ok" {
		t.Fatal(res, err)
	}
}
