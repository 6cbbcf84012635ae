package oauthlistener

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Every forged or stray request, in the order an attacker or a browser might
// send them, leaves the wait running; the later valid callback still wins.
func TestForgedRequestsNeverEndTheWait(t *testing.T) {
	t.Parallel()
	l := start(t, Options{})
	p := strconv.Itoa(l.Port())
	forged := []struct {
		name   string
		target string
		hdr    map[string]string
		status int
	}{
		{"favicon first", "/favicon.ico", map[string]string{"Sec-Fetch-Mode": "no-cors"}, http.StatusNotFound},
		{"wrong state", cb(l, "code", "evil", "state", "guess"), nil, http.StatusBadRequest},
		{"no state", cb(l, "code", "evil"), nil, http.StatusBadRequest},
		{"?error= with wrong state", cb(l, "error", "access_denied", "state", "guess"), nil, http.StatusBadRequest},
		{"?error= without state", cb(l, "error", "access_denied", "error_description", "forged"), nil, http.StatusBadRequest},
		{"wrong path", "/callbackx?code=evil&state=" + l.State(), nil, http.StatusNotFound},
		{"wrong Host (DNS rebinding)", cb(l, "code", "evil", "state", l.State()), map[string]string{"Host": "attacker.example:" + p}, http.StatusMisdirectedRequest},
		{"Origin header", cb(l, "code", "evil", "state", l.State()), map[string]string{"Origin": "https://attacker.example"}, http.StatusForbidden},
		{"Sec-Fetch-Mode: cors", cb(l, "code", "evil", "state", l.State()), map[string]string{"Sec-Fetch-Mode": "cors"}, http.StatusForbidden},
		{"?error= via fetch", cb(l, "error", "access_denied", "state", l.State()), map[string]string{"Sec-Fetch-Mode": "cors", "Origin": "https://attacker.example"}, http.StatusForbidden},
		{"/done before the end", "/done", nil, http.StatusNotFound},
	}
	for _, f := range forged {
		r := do(t, l, "GET", f.target, f.hdr)
		if r.Status != f.status {
			t.Errorf("%s: status %d, want %d", f.name, r.Status, f.status)
		}
		stillWaiting(t, l, f.name)
	}
	done := valid(t, l, "the-real-code")
	if done.Status != http.StatusOK {
		t.Fatalf("/done: %d", done.Status)
	}
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != "the-real-code" || res.Source != FromCallback {
		t.Fatalf("Wait = %v, %v", res, err)
	}
	o := l.Observations()
	if o.WrongState != 4 || o.WrongHost != 1 || o.Forbidden != 3 {
		t.Errorf("observations %+v", o)
	}
}
