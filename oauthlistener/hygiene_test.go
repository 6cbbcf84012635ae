package oauthlistener

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ---- Rule 17: secret hygiene ----

const (
	secretCode  = "SECRETCODE-4f9a1c"
	secretState = "SECRETSTATE-b7e2d0-0123456789abcdef0123456789"
)

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range []string{secretCode, secretState, "SECRETCODE", "SECRETSTATE", "FORGEDSTATE", "FORGEDCODE"} {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks %q: %s", what, sec, s)
		}
	}
}

func TestRule17_ResultPrintsMaskedEverywhere(t *testing.T) {
	t.Parallel()
	q := map[string][]string{"state": {secretState}, "scope": {"SECRETSTATE-scope"}}
	res := Result{Code: NewCode(secretCode), Params: Params{v: q}, Source: FromCallback, ReceivedAt: time.Now()}
	pr := PastedResult{Code: NewCode(secretCode), Params: Params{v: q}}
	for _, v := range []any{res, &res, res.Code, &res.Code, res.Params, pr, &pr, []any{res}, map[string]any{"r": res}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T %v", "%10.3s", "%d"} {
			assertNoSecrets(t, "fmt "+verb, fmt.Sprintf(verb, v))
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, "json", string(b))
	}
	if !strings.Contains(fmt.Sprint(res), Mask) {
		t.Error("the mask is not shown")
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), slog.NewTextHandler(&buf, nil)} {
		lg := slog.New(h)
		lg.Info("caught", "result", res, "code", res.Code, "params", res.Params, "pasted", pr)
	}
	assertNoSecrets(t, "slog", buf.String())
	if res.Code.Reveal() != secretCode || res.Params.Get("state") != secretState {
		t.Error("Reveal/Get do not return the values")
	}
}

func TestRule17_NoSecretInLogsErrorsOrPagesAtAnyVerbosity(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug - 8}))
	l := start(t, Options{State: secretState, Logger: lg})
	var bodies []string
	for _, target := range []string{
		cb(l, "code", "FORGEDCODE1", "state", "FORGEDSTATE1"),
		cb(l, "code", "FORGEDCODE2"),
		cb(l, "error", "access_denied", "state", "FORGEDSTATE2"),
		"/nope?code=FORGEDCODE3&state=" + secretState,
		cb(l, "state", secretState),
	} {
		bodies = append(bodies, get(t, l, target).Body)
	}
	bodies = append(bodies, do(t, l, "GET", cb(l, "code", "FORGEDCODE4", "state", secretState), map[string]string{"Host": "evil.example"}).Body)
	bodies = append(bodies, do(t, l, "GET", cb(l, "code", "FORGEDCODE5", "state", secretState), map[string]string{"Origin": "https://e.example"}).Body)
	r := get(t, l, cb(l, "code", secretCode, "state", secretState))
	bodies = append(bodies, r.Body, r.Header.Get("Location"), get(t, l, "/done").Body)
	res, err := waitFor(t, l, time.Second)
	if err != nil || res.Code.Reveal() != secretCode {
		t.Fatal(err)
	}
	assertNoSecrets(t, "debug log", logs.String())
	if !strings.Contains(logs.String(), "rejected") {
		t.Error("the debug log is empty: the test would prove nothing")
	}
	for _, b := range bodies {
		assertNoSecrets(t, "page", b)
	}
	// The errors of every path.
	l2 := start(t, Options{State: secretState, Timeout: 20 * time.Millisecond})
	_, err = waitFor(t, l2, time.Second)
	errs := []error{err}
	for _, in := range []string{
		DefaultRedirectURI + "?code=" + secretCode,
		DefaultRedirectURI + "?code=" + secretCode + "&state=FORGEDSTATE",
		DefaultRedirectURI + "?code=" + secretCode + "&state=" + secretState[:20],
		"http://127.0.0.1:1/x?code=" + secretCode + "&state=" + secretState,
		"http://[::1/?code=" + secretCode + "&state=" + secretState,
		DefaultRedirectURI + "?code=" + secretCode + "&state=" + secretState + "&state=" + secretState,
		DefaultRedirectURI + "?code=" + secretCode + "%",
		secretCode + " " + secretCode,
	} {
		_, err := ParsePasted(in, testRedirect, secretState)
		if err == nil {
			t.Fatalf("no error for %q", in)
		}
		errs = append(errs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l3 := start(t, Options{State: secretState})
	_, err = l3.Wait(ctx)
	errs = append(errs, err)
	for _, e := range errs {
		assertNoSecrets(t, "error", e.Error())
		assertNoSecrets(t, "error %+v", fmt.Sprintf("%+v %#v", e, e))
	}
	// The probe of rule 19 sends nothing secret either: it asks for / only.
	if !errors.Is(errs[0], ErrTimeout) {
		t.Errorf("timeout error = %v", errs[0])
	}
	_ = http.StatusOK
}
