package journey_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
	"github.com/cewiz/cewiz/oauthlistener"
)

// The console's questions are tested with a registered (non-loopback)
// callback URL: the journey's own paste-only wait checks what is pasted
// (address and state), with no socket.
const registered = "https://auth.cloudelements.io/oauth"

// consoleAPI answers the authorization URL with the state in it and each
// create with the next of errs (nil: created).
type consoleAPI struct {
	mu      sync.Mutex
	errs    []error
	creates []flow.Body
}

func (f *consoleAPI) OAuthURL(_ context.Context, o cloudelements.OAuthRequest) (string, error) {
	return "https://acme.docushareflex.com/authorize?state=" + url.QueryEscape(o.State), nil
}

func (f *consoleAPI) CreateInstance(_ context.Context, b flow.Body) (*cloudelements.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates = append(f.creates, b)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		if err != nil {
			return nil, err
		}
	}
	return &cloudelements.Instance{ID: 7, Name: b.Name, Token: flow.NewSecret("tok")}, nil
}

func (f *consoleAPI) codes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, b := range f.creates {
		out = append(out, b.ProviderData.Code)
	}
	return out
}

// step is one exchange: wait until the output (after the previous step's
// text) holds want, then type line (none when line is "-").
type step struct{ want, line string }

var stateRE = regexp.MustCompile(`state=([^\s&]+)`)

// address is the registered page's address after Allow, with the state of
// the authorization printed so far (or a wrong one).
func address(out string, code string, wrongState bool) string {
	st := "someone-elses-state"
	if !wrongState {
		m := stateRE.FindAllStringSubmatch(out, -1)
		if len(m) == 0 {
			return "no state printed"
		}
		st, _ = url.QueryUnescape(m[len(m)-1][1])
	}
	return registered + "?code=" + code + "&state=" + url.QueryEscape(st)
}

// consoleResult is what Console.Run returned.
type consoleResult struct {
	res journey.Result
	err error
}

// startConsole runs c in the background; finished waits for it.
func startConsole(ctx context.Context, c journey.Console, a flow.Answers, s flow.Secrets) <-chan consoleResult {
	done := make(chan consoleResult, 1)
	go func() {
		res, err := c.Run(ctx, a, s)
		done <- consoleResult{res, err}
	}()
	return done
}

// consoleDeadline bounds every wait of these tests: a console that hangs
// fails the test with its output instead of hanging it.
const consoleDeadline = 30 * time.Second

// finished waits for the console's result, or fails the test.
func finished(t *testing.T, done <-chan consoleResult, out *journeytest.Buffer) consoleResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(consoleDeadline):
		t.Fatalf("Run did not return within %v; output:\n%s", consoleDeadline, out.String())
		return consoleResult{}
	}
}

// waitOutput waits until the output after its first seen bytes holds want
// and returns how much of it is then seen, or fails the test.
func waitOutput(t *testing.T, out *journeytest.Buffer, seen int, want string) int {
	t.Helper()
	deadline := time.After(consoleDeadline)
	for {
		o := out.String()
		if i := strings.Index(o[seen:], want); i >= 0 {
			return seen + i + len(want)
		}
		select {
		case <-deadline:
			t.Fatalf("%q never showed within %v; output:\n%s", want, consoleDeadline, o)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func TestConsole(t *testing.T) {
	rejected := &cloudelements.APIError{Status: 400, ProviderMessage: "invalid_grant: expired"}
	const good, wrong = "<good address>", "<wrong address>"
	for _, tc := range []struct {
		name      string
		code      string  // the code given up front ("" : authorize first)
		errs      []error // create answers
		steps     []step
		wantCodes []string // the codes sent to POST /instances
		wantErr   error
		wantKind  journey.Kind
	}{
		{name: "bad paste then good",
			steps: []step{
				{"paste that whole address", wrong},
				{"Paste the whole address again, or the code:", good},
				{"Authorized. Creating the instance", "-"},
			},
			wantCodes: []string{"GOOD"}},
		{name: "bare code confirmed",
			steps: []step{
				{"paste that whole address", "bare-code"},
				{"Use it? [y/N]", "y"},
				{"Authorized. Creating the instance", "-"},
			},
			wantCodes: []string{"bare-code"}},
		{name: "bare code declined, then the address",
			steps: []step{
				{"paste that whole address", "bare-code"},
				{"Use it? [y/N]", ""},
				{"Not used. Keep waiting", good},
				{"Authorized. Creating the instance", "-"},
			},
			wantCodes: []string{"GOOD"}},
		{name: "rejected code, authorize again: yes",
			code: "OLD", errs: []error{rejected},
			steps: []step{
				{"Authorize again? [Y/n]", ""},
				{"paste that whole address", good},
				{"Authorized. Creating the instance", "-"},
			},
			wantCodes: []string{"OLD", "GOOD"}},
		{name: "rejected code, authorize again: no",
			code: "OLD", errs: []error{rejected},
			steps: []step{
				{"Authorize again? [Y/n]", "n"},
			},
			wantCodes: []string{"OLD"}, wantErr: journey.ErrDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &consoleAPI{errs: tc.errs}
			a, s := readyAnswers()
			a.CallbackURL = registered
			if tc.code != "" {
				a.Code = flow.NewSecret(tc.code)
			}
			out := &journeytest.Buffer{}
			lines := make(chan string)
			c := journey.Console{Deps: journey.Deps{API: api}, Settings: journey.Settings{Timeout: time.Minute}, Out: out, Lines: lines}
			done := startConsole(context.Background(), c, a, s)
			seen := 0 // output already matched by earlier steps
			for _, st := range tc.steps {
				seen = waitOutput(t, out, seen, st.want)
				line := st.line
				switch line {
				case "-":
					continue
				case good:
					line = address(out.String(), "GOOD", false)
				case wrong:
					line = address(out.String(), "GOOD", true)
				}
				select {
				case lines <- line:
				case <-time.After(30 * time.Second):
					t.Fatalf("nobody read %q; output:\n%s", line, out.String())
				}
			}
			r := finished(t, done, out)
			if tc.wantErr != nil {
				if !errors.Is(r.err, tc.wantErr) {
					t.Fatalf("error %v, want %v", r.err, tc.wantErr)
				}
			} else if r.err != nil || r.res.Instance == nil {
				t.Fatalf("%v %+v; output:\n%s", r.err, r.res, out.String())
			}
			if got := strings.Join(api.codes(), ","); got != strings.Join(tc.wantCodes, ",") {
				t.Fatalf("codes sent %q, want %q; output:\n%s", got, tc.wantCodes, out.String())
			}
			for _, secret := range []string{"GOOD", "bare-code", "OLD", s.APISecret.Reveal()} {
				if strings.Contains(out.String(), secret) {
					t.Fatalf("the output shows the secret %q:\n%s", secret, out.String())
				}
			}
		})
	}
}

// Without a terminal (nil Lines) nothing is asked: a rejected code or a
// timeout ends the run with its kind, and no paste is offered.
func TestConsoleWithoutTerminal(t *testing.T) {
	t.Run("rejected code", func(t *testing.T) {
		api := &consoleAPI{errs: []error{&cloudelements.APIError{Status: 400, ProviderMessage: "invalid_grant: expired"}}}
		a, s := readyAnswers()
		a.Code = flow.NewSecret("OLD")
		out := &journeytest.Buffer{}
		err := finished(t, startConsole(context.Background(), journey.Console{Deps: journey.Deps{API: api}, Out: out}, a, s), out).err
		if journey.Classify(err) != journey.KindCodeRejected || !strings.Contains(err.Error(), "rejected") {
			t.Fatalf("error %v", err)
		}
		if strings.Contains(out.String(), "Authorize again?") || len(api.codes()) != 1 {
			t.Fatalf("asked or created again (%d creates):\n%s", len(api.codes()), out.String())
		}
	})
	t.Run("timeout", func(t *testing.T) {
		api := &consoleAPI{}
		a, s := readyAnswers()
		a.CallbackURL = registered
		out := &journeytest.Buffer{}
		c := journey.Console{Deps: journey.Deps{API: api}, Settings: journey.Settings{Timeout: 50 * time.Millisecond}, Out: out}
		err := finished(t, startConsole(context.Background(), c, a, s), out).err
		if journey.Classify(err) != journey.KindTimeout {
			t.Fatalf("error %v, want a timeout", err)
		}
		o := out.String()
		if !strings.Contains(o, "https://acme.docushareflex.com/authorize?state=") || strings.Contains(o, "Authorize again?") || len(api.codes()) != 0 {
			t.Fatalf("output:\n%s", o)
		}
	})
	t.Run("loopback: no paste offered", func(t *testing.T) {
		a, s := readyAnswers()
		out := &journeytest.Buffer{}
		start := func(_ context.Context, _ oauthlistener.Options) (journey.Listener, error) {
			return &fakeListener{rec: &recorder{}, redirect: a.CallbackURL, done: make(chan struct{})}, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := journey.Console{Deps: journey.Deps{API: &consoleAPI{}, StartListener: start}, Out: out}
		done := startConsole(ctx, c, a, s)
		waitOutput(t, out, 0, "Waiting for the browser")
		cancel()
		err := finished(t, done, out).err
		if journey.Classify(err) != journey.KindCanceled {
			t.Fatalf("error %v", err)
		}
		if strings.Contains(out.String(), "paste") {
			t.Fatalf("paste offered without a terminal:\n%s", out.String())
		}
	})
}
