package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// interrupt sends this process sig, Ctrl-C's SIGINT or a service
// manager's SIGTERM (create's signal context catches both while the
// command runs). Every command running in the process gets it, so the
// tests that call it are not parallel: go test runs them before it lets
// the parallel tests start.
func interrupt(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls cond for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCreateCtrlCAfterTheRequestLeft: a Ctrl-C (or SIGTERM) once POST
// /instances has left says the instance may exist, looks it up by name,
// prints and saves what it finds, and still exits 130.
func TestCreateCtrlCAfterTheRequestLeft(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String()+": the instance was created: printed, saved, exit 130", func(t *testing.T) { canceledAfterCreated(t, sig) })
	}
	t.Run("nothing found: says it may exist, exit 130, nothing saved", func(t *testing.T) {
		h := isolate(t)
		dir := h.configDir()
		sb := startSandbox(t)
		// The request arrives and waits before the handler: nothing is created.
		sb.InjectFault(sandbox.RouteCreateInstance, sandbox.Fault{Delay: time.Minute})
		grant := siteGrant(sb)
		codes := []string{grant}
		out, errOut, done := runAsync(t, nil, h.createEnv(), &codes, siteArgs(sb, "--code", grant, "--name", "lost")...)
		waitUntil(t, "the create request arrives", func() bool { return sb.Count(sandbox.RouteCreateInstance) == 1 })
		interrupt(t, syscall.SIGINT)
		if code := finished(t, done); code != exitCanceled {
			t.Fatalf("exit %d, want 130\nstderr %s", code, errOut)
		}
		if !strings.Contains(errOut.String(), `the instance "lost" may exist, but it was not found by name in time`) ||
			!strings.Contains(errOut.String(), "Do not create it again yet") {
			t.Errorf("stderr:\n%s", errOut)
		}
		if out.String() != "" {
			t.Errorf("stdout: %q", out)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "instances", "*")); len(files) != 0 {
			t.Errorf("saved %v", files)
		}
	})
}

// canceledAfterCreated: the create happens, its answer is held back, and
// sig arrives: the lookup by name finds the instance, which is printed and
// saved, and the exit is 130.
func canceledAfterCreated(t *testing.T, sig syscall.Signal) {
	h := isolate(t)
	dir := h.configDir()
	sb := startSandbox(t)
	// The create happens; its answer is held back until the client gives up.
	sb.InjectFault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Delay: time.Minute})
	grant := siteGrant(sb)
	codes := []string{grant}
	out, errOut, done := runAsync(t, nil, h.createEnv(), &codes, siteArgs(sb, "--code", grant, "--name", "held")...)
	waitUntil(t, "the instance is created", func() bool { return len(sb.Instances()) == 1 })
	interrupt(t, sig)
	code := finished(t, done)
	id := sb.Instances()[0].ID
	if code != exitCanceled {
		t.Fatalf("exit %d, want 130\nstdout %s\nstderr %s", code, out, errOut)
	}
	for _, want := range []string{"the instance may exist", "Looking it up by name",
		"cewiz: canceled: after the create request was sent; instance " + strconv.FormatInt(id, 10) + " was created"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out.String(), "Created instance "+strconv.FormatInt(id, 10)) {
		t.Errorf("stdout does not show the instance:\n%s", out)
	}
	summary := filepath.Join(dir, "instances", strconv.FormatInt(id, 10)+".json")
	if fi, err := os.Stat(summary); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("summary not saved 0600: %v %v", fi, err)
	}
}

// TestCreateCodeFromStdin: --code - reads the code from stdin, so it never
// shows in ps, and the progress names where the code came from.
func TestCreateCodeFromStdin(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	var stdout, stderr strings.Builder
	io := testStreams(&stdout, &stderr)
	io.In = strings.NewReader("\n" + grant + "\n")
	env := h.createEnv()
	code := run(siteArgs(sb, "--code", "-", "--name", "piped"), io, lookupIn(env))
	checkNoSecrets(t, env, []string{grant}, nil, stdout.String(), stderr.String())
	if code != exitOK || !strings.Contains(stdout.String(), `"piped"`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "with the grant code from stdin (--code -)") {
		t.Errorf("the source of the code is not named:\n%s", stderr.String())
	}
	// Nothing on stdin: exit 2 naming --code.
	stdout.Reset()
	stderr.Reset()
	io = testStreams(&stdout, &stderr)
	code = run(siteArgs(sb, "--code", "-"), io, lookupIn(env))
	if code != exitUsage || !strings.Contains(stderr.String(), "--code: stdin held no code") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

// TestCreateNamesTheCodeFromTheEnvironment: a code from CEWIZ_CODE is
// named; when it is rejected, the advice is to unset it (it would be sent
// again, and refused again, by every later run).
func TestCreateNamesTheCodeFromTheEnvironment(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	grant := siteGrant(sb)
	code, _, errOut := runSafe(t, h.createEnv("CEWIZ_CODE", grant), []string{grant}, siteArgs(sb, "--name", "env-1")...)
	if code != exitOK || !strings.Contains(errOut, "with the grant code from $CEWIZ_CODE") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, _, errOut = runSafe(t, h.createEnv("CEWIZ_CODE", grant), []string{grant}, siteArgs(sb, "--name", "env-2")...)
	if code != exitFailure || !strings.Contains(errOut, "the grant code from $CEWIZ_CODE was rejected") || !strings.Contains(errOut, "unset CEWIZ_CODE") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestCreateListsEveryMissingAnswer: one run names every missing answer,
// the secrets by their variables, without sending anyone to --help for a
// secret.
func TestCreateListsEveryMissingAnswer(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	code, out, errOut := runCLI(t, h.env(), "create")
	if code != exitUsage || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"6 answers are missing", "CEWIZ_USER_SECRET", "CEWIZ_ORG_SECRET", "--api-key", "CEWIZ_API_SECRET", "--domain", "--notify-url"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "--help") {
		t.Errorf("the secrets are sent to --help:\n%s", errOut)
	}
}

// TestCreateSameName: an instance of the same name is a warning and the
// create goes on; with --unique-name it is refused (exit 1, the ids named)
// and nothing is sent.
func TestCreateSameName(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	sb := startSandbox(t)
	create := func(extra ...string) (int, string, string) {
		grant := siteGrant(sb)
		return runSafe(t, h.createEnv(), []string{grant}, siteArgs(sb, append([]string{"--code", grant, "--name", "twin"}, extra...)...)...)
	}
	if code, _, errOut := create(); code != exitOK || strings.Contains(errOut, "already exists") {
		t.Fatalf("first: exit %d: %s", code, errOut)
	}
	first := sb.Instances()[0].ID
	code, _, errOut := create()
	if code != exitOK || !strings.Contains(errOut, `An instance named "twin" already exists (id `+strconv.FormatInt(first, 10)) || !strings.Contains(errOut, "--unique-name") {
		t.Fatalf("second: exit %d: %s", code, errOut)
	}
	if len(sb.Instances()) != 2 {
		t.Fatalf("%d instances, want 2", len(sb.Instances()))
	}
	creates := sb.Count(sandbox.RouteCreateInstance)
	code, out, errOut := create("--unique-name")
	if code != exitFailure || out != "" || !strings.Contains(errOut, `2 instance(s) named "twin" already exist (id `+strconv.FormatInt(first, 10)+", ") {
		t.Fatalf("--unique-name: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if sb.Count(sandbox.RouteCreateInstance) != creates {
		t.Fatal("--unique-name still sent the create")
	}
}

// TestCreateRemembersTheSiteAddressForm: when Cloud Elements wants the
// siteAddress as a URL, the first run learns it (two oauth/url calls) and
// the next run asks with it at once (one call).
func TestCreateRemembersTheSiteAddressForm(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	dir := h.configDir()
	sb, err := sandbox.Start(sandbox.Options{SiteAddressURL: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	env := h.createEnv("BROWSER", consentScript(t))
	for i, wantCalls := range []int{2, 3} {
		code, _, errOut := runSafe(t, env, nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--timeout", "20s", "--name", "site-"+strconv.Itoa(i))...)
		if code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", i, code, errOut)
		}
		if n := sb.Count(sandbox.RouteOAuthURL); n != wantCalls {
			t.Fatalf("run %d: %d oauth/url calls in all, want %d", i, n, wantCalls)
		}
		var mem struct {
			SiteAddressForm string `json:"siteAddressForm"`
		}
		data, _ := os.ReadFile(filepath.Join(dir, "answers.json"))
		if err := json.Unmarshal(data, &mem); err != nil || mem.SiteAddressForm != "url" {
			t.Fatalf("run %d: remembered %s (%v)", i, data, err)
		}
	}
}

// TestCreateCtrlCBeforeTheRequestLeftIsPlain: a cancel while waiting for
// the browser stays a plain "canceled".
func TestCreateCtrlCBeforeTheRequestLeftIsPlain(t *testing.T) {
	h := isolate(t)
	sb := startSandbox(t)
	_, errOut, done := runAsync(t, nil, h.createEnv(), nil, siteArgs(sb, "--listen", "127.0.0.1:0", "--no-browser", "--timeout", "30s")...)
	waitFor(t, errOut, regexp.MustCompile(`Waiting for the browser on port (\d+)`))
	interrupt(t, syscall.SIGINT)
	if code := finished(t, done); code != exitCanceled {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasSuffix(errOut.String(), "cewiz: canceled\n") || strings.Contains(errOut.String(), "may exist") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}

// TestCreateCommandAnswerWithoutInstance: `cewiz create` given a 2xx
// answer to POST /instances that holds no instance ({}) does not report a
// success. Looked up by name and not found: exit 1, saying what came back,
// nothing on stdout and nothing saved. Found (the instance was created but
// the answer lost it): the instance found, printed and saved, exit 0.
func TestCreateCommandAnswerWithoutInstance(t *testing.T) {
	t.Parallel()
	for _, created := range []bool{false, true} {
		t.Run(fmt.Sprintf("created=%v", created), func(t *testing.T) {
			t.Parallel()
			h := isolate(t)
			sb := sandbox.New(sandbox.Options{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/instances") {
					if created {
						sb.ServeHTTP(httptest.NewRecorder(), r) // the instance exists; its answer is lost
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, "{}")
					return
				}
				sb.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			grant := siteGrant(sb)
			code, out, errOut := runSafe(t, h.createEnv(), []string{grant}, "create", "--base-url", srv.URL+sandbox.APIPath,
				"--api-key", sandbox.DemoAppID, "--domain", "acme", "--notify-url", "https://hooks.example.com/events", "--code", grant, "--name", "answerless")
			files, _ := filepath.Glob(filepath.Join(h.configDir(), "instances", "*"))
			if !created {
				if code != exitFailure || out != "" || len(files) != 0 || !strings.Contains(errOut, "without an id") || strings.Contains(errOut, "Created instance") {
					t.Fatalf("exit %d (want 1), saved %v\nstdout %q\nstderr %s", code, files, out, errOut)
				}
				return
			}
			if len(sb.Instances()) != 1 {
				t.Fatalf("the sandbox holds %d instances", len(sb.Instances()))
			}
			id := strconv.FormatInt(sb.Instances()[0].ID, 10)
			if code != exitOK || !strings.Contains(out, "Created instance "+id) || len(files) != 1 || filepath.Base(files[0]) != id+".json" {
				t.Fatalf("exit %d (want 0), saved %v\nstdout %q\nstderr %s", code, files, out, errOut)
			}
		})
	}
}
