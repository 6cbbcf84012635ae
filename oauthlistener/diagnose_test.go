package oauthlistener

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

// ---- Rule 18: diagnose the classic traps ----

func ids(traps []Trap) []string {
	var out []string
	for _, t := range traps {
		out = append(out, t.ID)
	}
	return out
}

func TestRule18_ClassicTrapsWhenNothingArrived(t *testing.T) {
	t.Parallel()
	traps := Diagnose(DiagnoseInput{RedirectURI: DefaultRedirectURI, Port: DefaultPort, WSL: true, SSH: true, SSHHost: "me@box"})
	got := strings.Join(ids(traps), ",")
	for _, id := range []string{"https-only", "ipv6-localhost", "wsl2", "ssh", "not-registered", "browser-profile"} {
		if !strings.Contains(got, id) {
			t.Errorf("trap %s missing from %s", id, got)
		}
	}
	all := ""
	for _, tr := range traps {
		all += tr.String() + "\n"
	}
	for _, s := range []string{"HTTPS-Only", "HSTS", "::1", "localhostForwarding", DefaultRedirectURI, "profile", "ssh -L 23949:127.0.0.1:23949 me@box"} {
		mustContain(t, all, s, "diagnosis")
	}
	// No WSL, no SSH: those two are not listed.
	got = strings.Join(ids(Diagnose(DiagnoseInput{RedirectURI: DefaultRedirectURI, Port: DefaultPort})), ",")
	if strings.Contains(got, "wsl2") || strings.Contains(got, "ssh") {
		t.Errorf("irrelevant traps listed: %s", got)
	}
}

func TestRule18_ObservedTrapsComeFirst(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	// A browser in HTTPS-Only mode: a TLS handshake on the plain-HTTP port.
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", l.Addrs()[0], &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
	}
	get(t, l, "/oauth/callback?code=x") // a redirect URI registered with another path
	get(t, l, cb(l, "code", "x", "state", "stale"))
	deadline := time.Now().Add(time.Second)
	for l.Observations().TLSAttempts == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	traps := l.Diagnose()
	if len(traps) < 3 || traps[0].ID != "https-only" || !traps[0].Observed {
		t.Fatalf("traps = %v, want https-only observed first", ids(traps))
	}
	got := strings.Join(ids(traps), ",")
	for _, id := range []string{"wrong-path", "stale-tab"} {
		if !strings.Contains(got, id) {
			t.Errorf("observed trap %s missing: %s", id, got)
		}
	}
	for _, tr := range traps {
		if tr.ID == "wrong-path" {
			mustContain(t, tr.Advice, "/oauth/callback", "wrong-path advice")
		}
		mustNotContain(t, tr.Advice, l.State(), "advice")
	}
	stillWaiting(t, l, "the diagnosis")
}
