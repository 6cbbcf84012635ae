package oauthlistener

import (
	"fmt"
	"strings"
)

// Observations are what the listener saw while waiting (counts only, never
// values), for Diagnose.
type Observations struct {
	Requests     int64    // every request that reached the listener
	TLSAttempts  int64    // connections that began with a TLS handshake (HTTPS-Only, HSTS)
	WrongHost    int64    // rejected with 421
	WrongPath    int64    // 404 (other paths, other methods)
	Forbidden    int64    // rejected for an Origin header or Sec-Fetch-Mode
	WrongState   int64    // rejected for a missing or wrong state
	NoCode       int64    // the right state but no code
	Paths        []string // the first few unexpected paths
	IPv6Skipped  bool     // localhost was asked for but [::1] could not be bound
	LocalhostURI bool     // the redirect URI names localhost
}

// Observations returns what the listener has seen so far.
func (l *Listener) Observations() Observations {
	l.obs.mu.Lock()
	paths := append([]string(nil), l.obs.paths...)
	l.obs.mu.Unlock()
	return Observations{
		Requests:     l.obs.requests.Load(),
		TLSAttempts:  l.obs.tls.Load(),
		WrongHost:    l.obs.wrongHost.Load(),
		WrongPath:    l.obs.wrongPath.Load(),
		Forbidden:    l.obs.forbidden.Load(),
		WrongState:   l.obs.wrongState.Load(),
		NoCode:       l.obs.noCode.Load(),
		Paths:        paths,
		IPv6Skipped:  l.ipv6Skipped,
		LocalhostURI: strings.EqualFold(l.redirect.URL.Hostname(), "localhost"),
	}
}

// Trap is one likely reason the callback did not arrive, with what to do.
type Trap struct {
	ID       string // stable key: https-only, ipv6-localhost, wsl2, not-registered, browser-profile, ssh, stale-tab, wrong-path, wrong-host
	Title    string
	Advice   string
	Observed bool // the listener saw evidence of this one
}

func (t Trap) String() string { return t.Title + ": " + t.Advice }

// DiagnoseInput is what Diagnose looks at.
type DiagnoseInput struct {
	RedirectURI string
	Port        int
	Seen        Observations
	WSL         bool
	SSH         bool
	SSHHost     string // for the ssh -L line, "" for a placeholder
}

// Diagnose lists the classic reasons the callback never arrived (rule 18),
// the ones the listener saw evidence of first, judging this machine (WSL,
// SSH) by the process's environment. Every entry is plain text for the UI;
// none holds a secret.
func (l *Listener) Diagnose() []Trap { return l.DiagnoseWith(NewLauncher()) }

// DiagnoseWith is Diagnose judging this machine as lc does, in the
// environment lc reads: a program that gives its launcher an environment
// of its own gets the same answers from both.
func (l *Listener) DiagnoseWith(lc *Launcher) []Trap {
	lc = lc.withDefaults()
	nb := lc.headless()
	return Diagnose(DiagnoseInput{
		RedirectURI: l.RedirectURI(),
		Port:        l.Port(),
		Seen:        l.Observations(),
		WSL:         lc.isWSL(),
		SSH:         nb != nil && nb.SSH(),
		SSHHost:     SSHHost(lc.Getenv),
	})
}

// Diagnose builds the list from explicit input (see Listener.Diagnose).
func Diagnose(in DiagnoseInput) []Trap {
	s := in.Seen
	var observed, classic []Trap
	add := func(t Trap, seen bool) {
		t.Observed = seen
		if seen {
			observed = append(observed, t)
		} else {
			classic = append(classic, t)
		}
	}
	uri := in.RedirectURI
	httpsURI := strings.Replace(uri, "http://", "https://", 1)

	add(Trap{ID: "https-only", Title: "The browser switched to HTTPS",
		Advice: fmt.Sprintf("HTTPS-Only mode (Firefox), \"Always use secure connections\" (Chrome, Edge) or a remembered HSTS rule for localhost turns %s into %s, which the listener cannot answer. Allow an exception for this address, remove localhost at chrome://net-internals/#hsts, or paste the address from the address bar here after changing https to http.", uri, httpsURI)},
		s.TLSAttempts > 0)

	ipv6 := Trap{ID: "ipv6-localhost", Title: "localhost resolves to IPv6 only",
		Advice: "Some browsers and systems resolve localhost to ::1 only. The listener answers on 127.0.0.1" +
			map[bool]string{true: " and [::1]", false: ""}[s.LocalhostURI && !s.IPv6Skipped] +
			"; register and use http://127.0.0.1:PORT/callback instead of localhost to avoid name resolution altogether."}
	add(ipv6, s.LocalhostURI && s.IPv6Skipped && s.Requests == 0)

	if in.WSL {
		add(Trap{ID: "wsl2", Title: "WSL2 networking",
			Advice: "A Windows browser reaches 127.0.0.1 inside WSL2 only with localhost forwarding: set localhostForwarding=true (or networkingMode=mirrored) under [wsl2] in %UserProfile%\\.wslconfig and run `wsl --shutdown`, or paste the redirected address here."}, s.Requests == 0)
	}
	if in.SSH {
		add(Trap{ID: "ssh", Title: "The browser runs on another machine",
			Advice: fmt.Sprintf("Over SSH the browser's 127.0.0.1 is your own computer. Run `%s` there first, then open the address again; or paste the redirected address here.", SSHTunnelCommand(in.Port, in.SSHHost))}, s.Requests == 0)
	}
	add(Trap{ID: "not-registered", Title: "The redirect URI is not registered",
		Advice: fmt.Sprintf("The provider sends the browser only to a registered redirect URI, and it must be exactly %s (same host, port and path; 127.0.0.1 and localhost differ). If the provider showed an error page about redirect_uri, register it and try again.", uri)}, false)

	if len(s.Paths) > 0 {
		add(Trap{ID: "wrong-path", Title: "The browser arrived at another path",
			Advice: fmt.Sprintf("Requests came for %s, not for the callback path of %s: the redirect URI registered with the provider differs from the one used here. Make them identical.", strings.Join(s.Paths, ", "), uri)}, true)
	}
	if s.WrongState > 0 {
		add(Trap{ID: "stale-tab", Title: "A callback with the wrong state arrived",
			Advice: "A redirect reached the listener but did not belong to this authorization (an old browser tab, an earlier attempt, or another page). Use the newest tab, or start the authorization again."}, true)
	}
	if s.WrongHost > 0 || s.Forbidden > 0 {
		add(Trap{ID: "wrong-host", Title: "Requests were refused as unsafe",
			Advice: fmt.Sprintf("%d request(s) came with another Host name or from a script rather than a browser navigation, and were refused. Open the address in the browser directly, using %s as registered.", s.WrongHost+s.Forbidden, uri)}, true)
	}
	add(Trap{ID: "browser-profile", Title: "The wrong browser or profile opened",
		Advice: "The address may have opened in another browser, window or profile (where you are not signed in, or which blocks the redirect). Copy the address into the browser you use for the provider."}, false)
	return append(observed, classic...)
}
