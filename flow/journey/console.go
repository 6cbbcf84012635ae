package journey

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Console runs the journey for `cewiz create`: plain progress lines and
// questions on Out (stderr), and, when Lines is set (stdin is a terminal), a
// pasted redirect address or code accepted while the listener waits, and an
// "authorize again?" question after a rejected code, a denial or a timeout.
// It has no terminal handling of its own, so tests drive it with a channel.
type Console struct {
	Deps     Deps
	Settings Settings
	// Out receives progress and questions (stderr).
	Out io.Writer
	// Lines are the lines typed on stdin (LineSource), or nil when stdin is
	// not a terminal: then nothing is ever asked.
	Lines <-chan string
	// CodeFrom names where a given grant code came from ("$CEWIZ_CODE",
	// "--code", …: flow.Options.CodeSource), for the messages about it.
	CodeFrom string
	// OnCreating runs right before POST /instances is sent.
	OnCreating func()
}

// ErrDeclined is returned when the user answers no to "authorize again?".
var ErrDeclined = errors.New("not created: you chose not to authorize again")

// Run authorizes (unless a has a code) and creates the instance, offering to
// authorize again while the user wants to. Errors keep their kind (Classify).
func (c Console) Run(ctx context.Context, a flow.Answers, s flow.Secrets) (Result, error) {
	settings := c.Settings
	if settings.OnHint == nil {
		settings.OnHint = func() {
			fmt.Fprintln(c.Out, "Nothing has arrived yet. If the browser shows an error page after Allow, copy its whole address and paste it here; check that the redirect URI registered in DocuShare Flex is exactly the callback URL.")
		}
	}
	name := flow.InstanceName(a)
	for {
		done := make(chan struct{})
		var pasting sync.WaitGroup
		var current *Authorization
		hooks := Hooks{
			Authorizing: func(auth *Authorization) {
				current = auth
				c.printAuthorizing(auth)
				if c.Lines != nil {
					pasting.Add(1)
					go func() {
						defer pasting.Done()
						c.pasteLoop(ctx, auth, done)
					}()
				}
			},
			Authorized: func(Grant) {
				fmt.Fprintf(c.Out, "Authorized. Creating the instance %q…\n", name)
			},
			Creating: c.OnCreating,
		}
		given := !a.Code.IsZero()
		if given {
			from := c.CodeFrom
			if from == "" {
				from = "the answers"
			}
			fmt.Fprintf(c.Out, "Creating the instance %q with the grant code from %s…\n", name, from)
		}
		res, err := Run(ctx, c.Deps, settings, a, s, hooks)
		close(done)
		pasting.Wait() // stdin is free again for the next question
		if err == nil {
			return res, nil
		}
		kind := Classify(err)
		if kind == KindTimeout && current != nil {
			if causes := LikelyCauses(current.Diagnose(), 3); len(causes) > 0 {
				fmt.Fprintln(c.Out, "No callback arrived. Likely causes:")
				for _, line := range causes {
					fmt.Fprintf(c.Out, "  - %s\n", line)
				}
			}
		}
		if !kind.AuthorizeAgain() || c.Lines == nil || ctx.Err() != nil {
			if kind == KindCodeRejected {
				what := "the grant code"
				if given && c.CodeFrom != "" {
					what += " from " + c.CodeFrom
				}
				err = fmt.Errorf("%s was rejected (expired or already used): %w", what, err)
				if given && c.CodeFrom == "$"+flow.EnvCode {
					// A code left in the environment would be sent again,
					// and refused again, by every later run.
					err = &hintError{err: err, hint: "unset " + flow.EnvCode + " (a code works once), then run create again to authorize."}
				}
			}
			return res, WithHint(err)
		}
		fmt.Fprintf(c.Out, "cewiz: %v\n", WithHint(err))
		fmt.Fprintln(c.Out, Explain(err).Explanation)
		fmt.Fprint(c.Out, "Authorize again? [Y/n] ")
		answer, ok := c.readLine(ctx)
		if !ok || strings.HasPrefix(strings.ToLower(answer), "n") {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			return res, ErrDeclined
		}
		a.Code = flow.Secret{}
	}
}

// printAuthorizing tells the user where to authorize and how the code comes
// back. The provider's URL is always printed (oauth-loopback rule 16).
func (c Console) printAuthorizing(auth *Authorization) {
	w := c.Out
	fmt.Fprintf(w, "Authorize cewiz in DocuShare Flex at this address:\n  %s\n", auth.URL)
	switch {
	case auth.Browser.Opened:
		fmt.Fprintln(w, "(opened in your browser)")
	case auth.Browser.Err != nil:
		fmt.Fprintf(w, "(%v)\n", auth.Browser.Err)
	}
	if auth.Browser.SSHLine != "" {
		fmt.Fprintf(w, "On your own computer, first run:\n  %s\n", auth.Browser.SSHLine)
	}
	until := ""
	if !auth.Deadline.IsZero() {
		until = " until " + auth.Deadline.Format("15:04:05")
	}
	switch {
	case auth.PasteOnly:
		fmt.Fprintf(w, "After Allow, the browser lands on %s: paste that whole address (or the code) here and press Enter (waiting%s).\n", auth.RedirectURI, until)
	case c.Lines != nil:
		fmt.Fprintf(w, "Waiting for the browser on port %d%s. You can also paste the redirected address or the code here and press Enter.\n", auth.Port, until)
	default:
		fmt.Fprintf(w, "Waiting for the browser on port %d%s.\n", auth.Port, until)
	}
}

// pasteLoop feeds what the user pastes to the authorization until done.
func (c Console) pasteLoop(ctx context.Context, auth *Authorization, done <-chan struct{}) {
	next := func() (string, bool) {
		select {
		case <-done:
			return "", false
		case <-ctx.Done():
			return "", false
		case l, ok := <-c.Lines:
			return strings.TrimSpace(l), ok
		}
	}
	for {
		line, ok := next()
		if !ok {
			return
		}
		if line == "" {
			continue
		}
		p, err := auth.Paste(line)
		if err != nil {
			var pe *oauthlistener.ProviderError
			if errors.As(err, &pe) {
				return // the wait ends with this refusal
			}
			fmt.Fprintf(c.Out, "cewiz: %v\nPaste the whole address again, or the code:\n", err)
			continue
		}
		if !p.NeedsConfirmation {
			return
		}
		fmt.Fprint(c.Out, "That is a bare code: its state cannot be checked, so use it only if you copied it from the page you just allowed. Use it? [y/N] ")
		answer, ok := next()
		if !ok {
			return
		}
		if a := strings.ToLower(answer); a == "y" || a == "yes" {
			if err := auth.Confirm(p); err != nil {
				fmt.Fprintf(c.Out, "cewiz: %v\n", err)
			}
			return
		}
		fmt.Fprintln(c.Out, "Not used. Keep waiting for the browser, or paste the whole redirected address:")
	}
}

// readLine waits for a line, the end of input or ctx.
func (c Console) readLine(ctx context.Context) (string, bool) {
	select {
	case l, ok := <-c.Lines:
		return strings.TrimSpace(l), ok
	case <-ctx.Done():
		return "", false
	}
}

// LineSource reads lines from r in one goroutine, so the paste prompt and
// the "authorize again?" question share stdin. Lines up to
// oauthlistener.MaxPaste (a long redirected address) are read whole.
func LineSource(r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), oauthlistener.MaxPaste+4096)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// ReportOptions say how ReportCreated prints and where it saves.
type ReportOptions struct {
	JSON bool
	// ConfigDir holds the summary and the remembered answers ("": there
	// is none, and neither is saved).
	ConfigDir string
	// Home is the user's home directory, shown as ~ in the summary's path
	// ("": the path is shown whole).
	Home string
	// Remember saves the answers for next time (see Remember), as they
	// were used with Settings.
	Remember bool
	Settings Settings
}

// ReportCreated prints the created instance on stdout (a short summary, or
// the instance as JSON with its token masked), saves the summary file with
// the real token (mode 0600) and remembers the non-secret answers. Notes go
// to stderr.
func ReportCreated(stdout, stderr io.Writer, res Result, o ReportOptions) error {
	in := res.Instance
	if in.Recovered {
		fmt.Fprintln(stderr, "The create request got no clear answer, but the instance exists: it was found by name.")
	}
	summary, serr := SaveSummary(o.ConfigDir, in, res.Answers, res.SignatureKey)
	if serr != nil {
		fmt.Fprintf(stderr, "cewiz: the instance was created, but its summary could not be saved: %v\n", serr)
	}
	if o.Remember {
		if err := Remember(flow.Memory{Dir: o.ConfigDir}, o.Settings, res.Answers); err != nil {
			fmt.Fprintf(stderr, "cewiz: could not remember the answers for next time: %v\n", err)
		}
	}
	if o.JSON {
		out, err := in.MaskedJSON() // every field Cloud Elements sent, the token masked
		if err != nil {
			return err
		}
		if _, err := stdout.Write(out); err != nil {
			return err
		}
	} else {
		events := "off"
		if in.EventsEnabled {
			events = "on"
		}
		fmt.Fprintf(stdout, "Created instance %d %q (element %s, events %s).\n", in.ID, in.Name, res.Answers.ElementKey, events)
		fmt.Fprintf(stdout, "Token: %s\n", in.Token)
	}
	if serr == nil {
		what := "id and token"
		if SummaryHoldsKey(res.Answers, res.SignatureKey) {
			what = "id, token and notification signature key"
		}
		fmt.Fprintf(stderr, "Saved the instance's %s in %s (mode 0600).\n", what, ShortPath(summary, o.Home))
	}
	return nil
}

// hintError adds the next step to an error for the user.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "\nNext: " + e.hint }
func (e *hintError) Unwrap() error { return e.err }

// WithHint appends the next step (Explain) to err's text, once.
func WithHint(err error) error {
	if h := Explain(err).Next; h != "" && !strings.Contains(err.Error(), h) {
		return &hintError{err: err, hint: h}
	}
	return err
}
