package oauthlistener

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// TestRealBrowserHeadlessChromium: a real browser opens a tiny provider page
// that 302-redirects to the redirect URI with a code and the state; the
// listener must get the code (the browser's real headers pass the Host,
// Origin and Sec-Fetch-Mode checks) and the browser must end on /done.
func TestRealBrowserHeadlessChromium(t *testing.T) {
	bin := journeytest.LookPath(t, "the real-browser test", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
	if testing.Short() {
		t.Skip("-short")
	}
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		t.Run(addr, func(t *testing.T) {
			l := start(t, Options{Addr: addr, Pages: Pages{Success: "REAL-BROWSER-SUCCESS"}})
			const code = "real-browser-code/+="
			provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/authorize" {
					http.NotFound(w, r)
					return
				}
				q := url.Values{"code": {code}, "state": {r.URL.Query().Get("state")}}
				http.Redirect(w, r, r.URL.Query().Get("redirect_uri")+"?"+q.Encode(), http.StatusFound)
			}))
			defer provider.Close()
			authorize := provider.URL + "/authorize?" + url.Values{"redirect_uri": {l.RedirectURI()}, "state": {l.State()}}.Encode()

			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin,
				"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--no-default-browser-check", "--user-data-dir="+t.TempDir(),
				"--dump-dom", authorize)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatalf("starting %s: %v", bin, err)
			}
			exited := make(chan struct{})
			go func() { _ = cmd.Wait(); close(exited) }()
			defer func() {
				cancel() // kills Chromium if it is still running
				<-exited
			}()

			res, err := waitFor(t, l, 60*time.Second)
			if err != nil {
				select {
				case <-exited:
				case <-time.After(2 * time.Second):
					cancel() // stop it: its output can be read only once it has ended
					<-exited
				}
				t.Fatalf("Wait: %v\nobservations: %+v\nchromium stderr (tail): %s", err, l.Observations(), tail(stderr.String(), 2000))
			}
			if res.Code.Reveal() != code || res.Source != FromCallback {
				t.Fatalf("code %q source %v", res.Code.Reveal(), res.Source)
			}
			select {
			case <-exited:
				if !strings.Contains(stdout.String(), "REAL-BROWSER-SUCCESS") {
					t.Errorf("the browser did not end on the success page; DOM: %s", tail(stdout.String(), 1500))
				}
			case <-time.After(30 * time.Second):
				t.Log("chromium still running after the result; killing it")
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
