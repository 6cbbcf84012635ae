// Package journeytest has test doubles for flow/journey shared by the tests
// of journey, tui and main: a browser that clicks Allow (or Deny) on the
// sandbox's consent page over real HTTP, a fake clock, and an output buffer
// a test reads while another goroutine writes.
package journeytest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// ConsentBrowser is a journey.Browser that behaves like a person in a real
// browser: it GETs the authorization URL (the sandbox's consent page),
// reads the form, and submits it with the chosen decision; the client
// follows the 303 to the listener's callback and then to /done, as a browser
// would. Open returns at once; the clicking happens in the background.
type ConsentBrowser struct {
	// Decision is "allow" (default) or "deny"; "" means allow.
	Decision string
	// Delay waits before clicking (to let a test look at the waiting screen).
	Delay time.Duration
	// Hold, when non-nil, makes the click wait until it is closed.
	Hold chan struct{}
	// Fail makes Open return this error instead of opening anything.
	Fail error

	mu     sync.Mutex
	opened []string
	errs   []error
	wg     sync.WaitGroup
}

// Open starts the background "click".
func (b *ConsentBrowser) Open(rawURL string) error {
	if b.Fail != nil {
		return b.Fail
	}
	b.mu.Lock()
	b.opened = append(b.opened, rawURL)
	b.mu.Unlock()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		if b.Hold != nil {
			<-b.Hold
		}
		if b.Delay > 0 {
			time.Sleep(b.Delay)
		}
		d := b.Decision
		if d == "" {
			d = "allow"
		}
		if err := Consent(context.Background(), rawURL, d); err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
		}
	}()
	return nil
}

// Opened lists the URLs opened so far.
func (b *ConsentBrowser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

// Wait waits for the background clicks and returns their errors.
func (b *ConsentBrowser) Wait() error {
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return errors.Join(b.errs...)
}

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// Consent opens the consent page at rawURL and submits decision ("allow" or
// "deny") the way the page's buttons do, following every redirect (to the
// listener's callback and its /done page). It fails if the page has no form
// or the final page is not a success.
func Consent(ctx context.Context, rawURL, decision string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("consent page: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("consent page: status %d", resp.StatusCode)
	}
	m := formRe.FindSubmatch(page)
	if m == nil {
		return errors.New("consent page: no form")
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllSubmatch(m[2], -1) {
		form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
	}
	form.Set("decision", decision)
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return err
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(post)
	if err != nil {
		return fmt.Errorf("after %s: %w", decision, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("after %s: the last page answered %d", decision, resp.StatusCode)
	}
	return nil
}

// Clock is a settable fake clock (flow.Clock).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
