// Package cloudelements is cewiz's Cloud Elements client: the calls of
// cloud-elements-api.md, typed errors with the user's next step, retries
// for reads, and a create that never makes a duplicate.
//
// Errors never contain a secret: the User/Organization secrets, the
// Application Secret, the OAuth state, the grant code and instance tokens
// are removed from every error text, and URLs in errors carry no query.
package cloudelements

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cewiz/cewiz/flow"
)

// DefaultVersion is the version in the User-Agent unless WithVersion says otherwise.
const DefaultVersion = "dev"

// maxBody bounds how much of an answer is read.
const maxBody = 16 << 20

// RetryPolicy shapes the retries of GET requests: capped exponential
// backoff with jitter, Retry-After honoured, always bounded by the context.
type RetryPolicy struct {
	// Attempts is the total number of tries of a GET (1 disables retries).
	Attempts int
	// Base is the first backoff; each retry doubles it, up to Max.
	Base, Max time.Duration
	// MaxRetryAfter caps a server's Retry-After; a longer one ends the
	// retries with the error rather than sleeping for it.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy: 4 tries, 300ms, 600ms, 1.2s (±50% jitter), at most 5s.
var DefaultRetryPolicy = RetryPolicy{Attempts: 4, Base: 300 * time.Millisecond, Max: 5 * time.Second, MaxRetryAfter: 30 * time.Second}

// Client talks to one Cloud Elements base URL with one pair of platform
// secrets. It is safe for concurrent use.
type Client struct {
	baseURL    string
	host       string
	user, org  flow.Secret
	http       *http.Client
	userAgent  string
	elementKey string
	retry      RetryPolicy
	// lookupTimeout bounds the lookup by name after an ambiguous create
	// when the caller's context has expired.
	lookupTimeout time.Duration
	// siteForm is the siteAddress form oauth/url is asked with first: the
	// one that last gave a well-formed address (SiteAddressForm).
	siteForm atomic.Int32

	mu     sync.Mutex
	tokens []string // instance tokens seen, removed from error texts
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient uses hc (its Timeout bounds each attempt). Its redirect
// policy is replaced: API calls never follow a redirect (RedirectError).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithVersion sets the version in the User-Agent, cewiz/<version>.
func WithVersion(v string) Option { return func(c *Client) { c.userAgent = "cewiz/" + v } }

// WithRetry replaces DefaultRetryPolicy (tests use a tiny Base).
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithElementKey targets another element than docushareflex.
func WithElementKey(k string) Option { return func(c *Client) { c.elementKey = k } }

// WithLookupTimeout bounds the lookup after an ambiguous create (10s by default).
func WithLookupTimeout(d time.Duration) Option { return func(c *Client) { c.lookupTimeout = d } }

// WithSiteAddressForm makes OAuthURL ask with this siteAddress form first
// (SiteHost by default): a caller that remembered which form worked, from
// SiteAddressForm, passes it back on the next run.
func WithSiteAddressForm(f SiteAddressForm) Option {
	return func(c *Client) { c.siteForm.Store(int32(f)) }
}

// NewHTTPClient is the default *http.Client: bounded dial, TLS handshake,
// header wait and total time, proxies from the environment.
func NewHTTPClient() *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 45 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   20,
		ForceAttemptHTTP2:     true,
	}
	// Creating an instance makes Cloud Elements exchange the code with
	// DocuShare Flex: allow it time, but not forever.
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

// New returns a client for baseURL (a bare host gets /elements/api-v2; see
// flow.NormalizeBaseURL) with the User and Organization secrets.
func New(baseURL string, user, org flow.Secret, opts ...Option) (*Client, error) {
	u, err := flow.NormalizeBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	pu, _ := url.Parse(u)
	c := &Client{
		baseURL:       u,
		host:          pu.Host,
		user:          user,
		org:           org,
		userAgent:     "cewiz/" + DefaultVersion,
		elementKey:    flow.ElementKey,
		retry:         DefaultRetryPolicy,
		lookupTimeout: 10 * time.Second,
	}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = NewHTTPClient()
	}
	// Never follow a redirect, whoever made the *http.Client: a copy keeps
	// the caller's transport, timeout and jar.
	hc := *c.http
	hc.CheckRedirect = noRedirects
	c.http = &hc
	if c.retry.Attempts < 1 {
		c.retry.Attempts = 1
	}
	return c, nil
}

// BaseURL is the normalised base URL, ending in /elements/api-v2.
func (c *Client) BaseURL() string { return c.baseURL }

// request is one API call.
type request struct {
	method string
	path   string     // below the base URL, e.g. /instances
	query  url.Values // never shown in errors
	body   []byte
	// secrets are extra values to remove from error texts (the
	// Application Secret, the grant code).
	secrets []string
	// retry allows retries (GETs only).
	retry bool
	// element, when set, is the instance token sent as ", Element <token>".
	element flow.Secret
}

func (r request) op() string { return r.method + " " + r.path }

// result is the answer to one attempt.
type result struct {
	status int
	header http.Header
	body   []byte
}

// do performs r, retrying GETs, and decodes a 2xx JSON answer into out
// (when out is not nil). Any failure is an *APIError or a *NetError.
func (c *Client) do(ctx context.Context, r request, out any) error {
	res, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return &NetError{Op: r.op(), Host: c.host, Kind: NetProtocol, Sent: true,
			msg: c.redact("the answer is not the JSON expected: "+err.Error(), r.secrets), err: err}
	}
	return nil
}

// send performs r with retries and returns a 2xx answer, or an error.
func (c *Client) send(ctx context.Context, r request) (*result, error) {
	attempts := 1
	if r.retry {
		attempts = c.retry.Attempts
	}
	var lastErr error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt, lastErr)
			if wait < 0 {
				return nil, lastErr // Retry-After longer than we are willing to wait
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				return nil, lastErr // the context would expire while waiting
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, c.netErr(ctx, r, ctx.Err(), false)
			case <-t.C:
			}
		}
		res, err := c.attempt(ctx, r)
		if err == nil {
			return res, nil
		}
		lastErr = err
		// A context that ended meanwhile is handled before the next try:
		// a passed deadline gives this answer, a cancellation says so.
		if !retryable(err) {
			return nil, err
		}
	}
	return nil, lastErr
}

// retryable: 429, 502, 503, 504 and connection resets.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var ne *NetError
	return errors.As(err, &ne) && ne.Retryable()
}

// backoff is the wait before retry number attempt (1-based): the server's
// Retry-After when it sent one (-1 when that is too long), else capped
// exponential backoff with ±50% jitter.
func (c *Client) backoff(attempt int, last error) time.Duration {
	var ae *APIError
	if errors.As(last, &ae) && ae.RetryAfter > 0 {
		if c.retry.MaxRetryAfter > 0 && ae.RetryAfter > c.retry.MaxRetryAfter {
			return -1
		}
		return ae.RetryAfter
	}
	d := c.retry.Base << (attempt - 1)
	if c.retry.Max > 0 && (d > c.retry.Max || d <= 0) {
		d = c.retry.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// attempt performs one HTTP exchange.
func (c *Client) attempt(ctx context.Context, r request) (*result, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	// sent tells an ambiguous failure (the server may have acted) from one
	// before the request left (DNS, refused, TLS).
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			sent.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), r.method, u, body)
	if err != nil {
		// Only a malformed base URL gets here; the URL is not repeated.
		return nil, &NetError{Op: r.op(), Host: c.host, Kind: NetOther, msg: "cannot build the request", err: errors.New("bad request URL")}
	}
	auth := "User " + c.user.Reveal() + ", Organization " + c.org.Reveal()
	if !r.element.IsZero() {
		auth += ", Element " + r.element.Reveal()
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL: its query may hold the Application Secret
		}
		return nil, c.netErr(ctx, r, err, sent.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.netErr(ctx, r, err, true)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, redirectErr(r, resp)
	}
	res := &result{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(r, res)
	}
	return res, nil
}

func (c *Client) netErr(ctx context.Context, r request, err error, sent bool) *NetError {
	ne := classify(r.op(), c.host, err, sent, ctx)
	ne.msg = c.redact(ne.msg, r.secrets)
	return ne
}

// apiError reads Cloud Elements' error body; anything else (an HTML page
// from a proxy) gives the status text only.
func (c *Client) apiError(r request, res *result) *APIError {
	e := &APIError{Op: r.op(), Status: res.status}
	var body struct {
		RequestID       flexString `json:"requestId"`
		Message         flexString `json:"message"`
		ProviderMessage flexString `json:"providerMessage"`
		Error           flexString `json:"error"` // some gateways
	}
	if json.Unmarshal(res.body, &body) == nil {
		e.RequestID = string(body.RequestID)
		e.Message = string(body.Message)
		if e.Message == "" {
			e.Message = string(body.Error)
		}
		e.ProviderMessage = string(body.ProviderMessage)
	}
	if e.RequestID == "" {
		e.RequestID = res.header.Get("Elements-Request-Id")
	}
	// Redact before cutting: a secret across the cut would leave its start.
	e.Message = clip(c.redact(e.Message, r.secrets))
	e.ProviderMessage = clip(c.redact(e.ProviderMessage, r.secrets))
	e.RequestID = clip(c.redact(e.RequestID, r.secrets))
	e.RetryAfter = parseRetryAfter(res.header.Get("Retry-After"), time.Now())
	return e
}

// clip bounds a server text and removes control characters, so a hostile
// or broken answer cannot flood or garble the terminal.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if len(s) > 1000 {
		cut := 1000
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never in the middle of a character
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// redact removes every secret the client knows from s.
func (c *Client) redact(s string, extra []string) string {
	secrets := append([]string{c.user.Reveal(), c.org.Reveal()}, extra...)
	c.mu.Lock()
	secrets = append(secrets, c.tokens...)
	c.mu.Unlock()
	for _, v := range secrets {
		if len(v) < 4 { // too short to be a real secret; replacing it would garble the text
			continue
		}
		s = strings.ReplaceAll(s, v, flow.Mask)
		// The query encoding of a secret, in case a server echoes a URL.
		if q := url.QueryEscape(v); q != v {
			s = strings.ReplaceAll(s, q, flow.Mask)
		}
	}
	return s
}

// remember notes instance tokens so they are removed from later errors.
func (c *Client) remember(ins ...Instance) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range ins {
		t := in.Token.Reveal()
		if t == "" {
			continue
		}
		if !slices.Contains(c.tokens, t) && len(c.tokens) < 1000 {
			c.tokens = append(c.tokens, t)
		}
	}
}

func (c *Client) elementPath(suffix string) string {
	return "/elements/" + url.PathEscape(c.elementKey) + suffix
}

// ElementInfo is GET /elements/{key}: checks the secrets (401) and the
// region (404), and lists the configuration entries.
func (c *Client) ElementInfo(ctx context.Context) (*Element, error) {
	var e Element
	if err := c.do(ctx, request{method: http.MethodGet, path: c.elementPath(""), retry: true}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ElementConfiguration is GET /elements/{keyOrId}/configuration: an
// object {"configuration": [...]} in the public record (the platform
// swagger's ElementConfigs); a bare array is tolerated.
func (c *Client) ElementConfiguration(ctx context.Context) ([]ConfigEntry, error) {
	var raw json.RawMessage
	r := request{method: http.MethodGet, path: c.elementPath("/configuration"), retry: true}
	if err := c.do(ctx, r, &raw); err != nil {
		return nil, err
	}
	var wrapped struct {
		Configuration *[]ConfigEntry `json:"configuration"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Configuration != nil {
		return *wrapped.Configuration, nil
	}
	var list []ConfigEntry
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &NetError{Op: r.op(), Host: c.host, Kind: NetProtocol, Sent: true,
			msg: "the answer is not {\"configuration\": [...]}", err: err}
	}
	return list, nil
}

// ElementPollerDefaults is the element's default event.poller.configuration
// (the defaultValue of that configuration entry, a JSON string), read as
// tolerantly as public tooling reads it (flow.ParsePollerText).
// ErrNoPollerDefaults when the element has none.
func (c *Client) ElementPollerDefaults(ctx context.Context) (flow.PollerConfig, error) {
	entries, err := c.ElementConfiguration(ctx)
	if err != nil {
		return nil, err
	}
	e, ok := findEntry(entries, flow.KeyPollerConfiguration)
	if !ok {
		return nil, ErrNoPollerDefaults
	}
	return ParsePollerDefault(e.DefaultValue)
}

// ElementMetadata is GET /elements/{id}/metadata. The public record takes
// the numeric element id (ElementInfo's ID) there, not the key: by key the
// service answers 404.
func (c *Client) ElementMetadata(ctx context.Context, elementID int64) (*Metadata, error) {
	var m Metadata
	path := "/elements/" + strconv.FormatInt(elementID, 10) + "/metadata"
	if err := c.do(ctx, request{method: http.MethodGet, path: path, retry: true}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// OAuthRequest are the parameters of GET .../oauth/url.
type OAuthRequest struct {
	APIKey      string      // DocuShare Flex Application ID
	APISecret   flow.Secret // DocuShare Flex Application Secret
	CallbackURL string      // the redirect URI, byte-identical to oauth.callback.url
	SiteAddress string      // the DocuShare Flex domain, bare host
	State       string      // a random nonce to check on the way back
}

// OAuthURL is GET /elements/{key}/oauth/url: the address to send the
// user's browser to. siteAddress and docushare.domain both carry the domain.
//
// The answer is checked before it is returned (CheckAuthorizationURL): a
// javascript:, file: or other non-http(s) address, control or escape
// characters, or more than MaxAuthURLLength bytes is an *AuthURLError at
// once (errors.Is ErrUnsafeAuthURL). Which siteAddress form Cloud Elements
// wants is not published: the client sends SiteAddressForm's form (the bare
// host at first) and, when the answer is not a well-formed https URL with a
// host (https://https://…, no scheme, no host), asks once more with the
// other form and keeps the one that worked for its next calls. When neither
// works the error is an *AuthURLError (errors.Is ErrMalformedAuthURL).
func (c *Client) OAuthURL(ctx context.Context, o OAuthRequest) (string, error) {
	form := c.SiteAddressForm()
	var first *AuthURLError
	for i, f := range []SiteAddressForm{form, form.Other()} {
		u, err := c.oauthURL(ctx, o, f)
		if err != nil {
			if i == 0 || IsCanceled(err) {
				return "", err
			}
			first.Forms = append(first.Forms, f.Render(o.SiteAddress))
			first.Cause = err
			return "", first
		}
		problem, unsafe := checkAuthURL(u)
		switch {
		case problem == "":
			if i > 0 {
				c.siteForm.Store(int32(f))
			}
			return u, nil
		case unsafe:
			return "", &AuthURLError{Reason: problem, Unsafe: true}
		}
		if first == nil {
			first = &AuthURLError{Reason: problem, URL: c.redact(showableURL(u), []string{o.APISecret.Reveal(), o.State})}
		}
		first.Forms = append(first.Forms, f.Render(o.SiteAddress))
	}
	return "", first
}

// oauthURL asks for the address once, with siteAddress in the given form.
func (c *Client) oauthURL(ctx context.Context, o OAuthRequest, form SiteAddressForm) (string, error) {
	q := url.Values{
		"apiKey":      {o.APIKey},
		"apiSecret":   {o.APISecret.Reveal()},
		"callbackUrl": {o.CallbackURL},
		"siteAddress": {form.Render(o.SiteAddress)},
	}
	if o.SiteAddress != "" {
		q.Set("docushare.domain", o.SiteAddress)
	}
	if o.State != "" {
		q.Set("state", o.State)
	}
	var out struct {
		OAuthURL flexString `json:"oauthUrl"`
	}
	// The state is a nonce the listener checks on the way back: like the
	// Application Secret, it must not reach an error text.
	r := request{method: http.MethodGet, path: c.elementPath("/oauth/url"), query: q, secrets: []string{o.APISecret.Reveal(), o.State}, retry: true}
	if err := c.do(ctx, r, &out); err != nil {
		return "", err
	}
	if out.OAuthURL == "" {
		return "", &NetError{Op: r.op(), Host: c.host, Kind: NetProtocol, Sent: true, msg: "the answer has no oauthUrl", err: errors.New("no oauthUrl")}
	}
	return string(out.OAuthURL), nil
}

// SiteAddressForm is the form OAuthURL sends siteAddress in first: the one
// that last gave a well-formed address. A caller may keep it between runs
// and pass it back with WithSiteAddressForm.
func (c *Client) SiteAddressForm() SiteAddressForm { return SiteAddressForm(c.siteForm.Load()) }

// InstanceQuery are the parameters of GET /instances (the platform
// swagger's getInstances): all optional.
type InstanceQuery struct {
	// SearchText narrows the list (how Cloud Elements matches it is not
	// published: filter the answer yourself when exactness matters).
	SearchText string
	// PageSize is the number of instances per page (the service's default
	// when 0).
	PageSize int
	// NextPage is the token of a previous page's InstancePage.NextPage.
	NextPage string
}

// InstancePage is one page of GET /instances.
type InstancePage struct {
	Instances []Instance
	// NextPage is the token of the next page (the Elements-Next-Page-Token
	// header), "" on the last page.
	NextPage string
}

// NextPageHeader is the response header that carries the next page's token.
const NextPageHeader = "Elements-Next-Page-Token"

// ListInstances is one page of GET /instances.
func (c *Client) ListInstances(ctx context.Context, q InstanceQuery) (InstancePage, error) {
	v := url.Values{}
	if q.SearchText != "" {
		v.Set("searchText", q.SearchText)
	}
	if q.PageSize > 0 {
		v.Set("pageSize", strconv.Itoa(q.PageSize))
	}
	if q.NextPage != "" {
		v.Set("nextPage", q.NextPage)
	}
	r := request{method: http.MethodGet, path: "/instances", query: v, retry: true}
	res, err := c.send(ctx, r)
	if err != nil {
		return InstancePage{}, err
	}
	var page InstancePage
	if err := json.Unmarshal(res.body, &page.Instances); err != nil {
		return InstancePage{}, &NetError{Op: r.op(), Host: c.host, Kind: NetProtocol, Sent: true,
			msg: c.redact("the answer is not the JSON expected: "+err.Error(), nil), err: err}
	}
	page.NextPage = strings.TrimSpace(res.header.Get(NextPageHeader))
	c.remember(page.Instances...)
	return page, nil
}

// maxNamePages bounds InstancesNamed: a server that never stops paging
// cannot keep it going.
const maxNamePages = 50

// lookupPageSize is the page size InstancesNamed asks for (the documented
// maximum of the platform's lists).
const lookupPageSize = 200

// InstancesNamed returns every instance whose name is exactly name (names
// are not unique), searching with searchText and following the pages. It
// is what the lookup after an ambiguous create uses, and what a caller uses
// to warn that an instance of that name already exists.
func (c *Client) InstancesNamed(ctx context.Context, name string) ([]Instance, error) {
	var out []Instance
	q := InstanceQuery{SearchText: name, PageSize: lookupPageSize}
	seen := map[string]bool{}
	for range maxNamePages {
		page, err := c.ListInstances(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, in := range page.Instances {
			if in.Name == name {
				out = append(out, in)
			}
		}
		if page.NextPage == "" || len(page.Instances) == 0 || seen[page.NextPage] {
			return out, nil
		}
		seen[page.NextPage] = true
		q.NextPage = page.NextPage
	}
	return out, nil
}

// GetInstance is GET /instances/{id}.
func (c *Client) GetInstance(ctx context.Context, id int64) (*Instance, error) {
	var in Instance
	if err := c.do(ctx, request{method: http.MethodGet, path: instancePath(id, ""), retry: true}, &in); err != nil {
		return nil, err
	}
	c.remember(in)
	return &in, nil
}

// DeleteInstance is DELETE /instances/{id}. It is not retried: after an
// ambiguous failure a second try would answer 404.
func (c *Client) DeleteInstance(ctx context.Context, id int64) error {
	return c.do(ctx, request{method: http.MethodDelete, path: instancePath(id, "")}, nil)
}

// InstanceEvents is GET /instances/{id}/events (no query parameters: the
// record names none). The order is not published; SortEvents sorts them by
// eventDate.
func (c *Client) InstanceEvents(ctx context.Context, id int64) ([]Event, error) {
	// A zero token adds no ", Element" and nothing to redact.
	return c.InstanceEventsWithToken(ctx, id, flow.Secret{})
}

// InstanceEventsWithToken is InstanceEvents with the instance token added
// to the header (", Element <token>"), for a service that wants it on this
// call (the public record reads the log without it).
func (c *Client) InstanceEventsWithToken(ctx context.Context, id int64, token flow.Secret) ([]Event, error) {
	var out []Event
	r := request{method: http.MethodGet, path: instancePath(id, "/events"), retry: true, element: token, secrets: []string{token.Reveal()}}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func instancePath(id int64, suffix string) string {
	return "/instances/" + strconv.FormatInt(id, 10) + suffix
}

// CancelLookupTimeout bounds the lookup by name that CreateInstance runs
// after its context was cancelled (Ctrl-C, SIGTERM) once the request had
// left: the person who pressed Ctrl-C waits this long at most to learn
// whether the instance exists. WithLookupTimeout can only shorten it.
const CancelLookupTimeout = 5 * time.Second

// CreateInstance is POST /instances with body (built with
// flow.SecretsIncluded). It is never retried, and it returns an instance
// only when Cloud Elements answered with one (a positive id) or when the
// instance was found afterwards by its name (Recovered set).
//
// The outcome is unknown when the request may have reached Cloud Elements
// but no usable answer came back: a timeout or reset after it was sent, 502,
// 504, a 303 See Other (never followed), or a 2xx answer without an
// instance (an empty body, null, {}, no id, id 0 or negative). The client
// then looks the instance up by the body's name (findCreated) and returns
// it, Recovered set. When there is none, or the lookup fails, the error is
// an *OutcomeUnknownError (errors.Is ErrOutcomeUnknown) that says what came
// back.
//
// A cancelled ctx (Ctrl-C, SIGTERM) does not skip that lookup once the
// request has left: the instance may exist, and its id and token would be
// lost. The lookup then runs detached from ctx, bounded by
// CancelLookupTimeout, and the result is what it found: the instance
// (Recovered) with a nil error, or an *OutcomeUnknownError whose Cause is
// the cancellation (IsCanceled reports true). Callers that report a
// cancellation (exit 130) check ctx.Err() themselves, and still print and
// save a returned instance. A cancellation before the request was written
// is a *NetError of kind NetCanceled: nothing can have been created.
func (c *Client) CreateInstance(ctx context.Context, body flow.Body) (*Instance, error) {
	secrets := []string{body.Configuration.APISecret, body.ProviderData.Code, body.Configuration.SignatureKey}
	// No HTML escaping: the bytes sent are the bytes export shows.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("cannot encode the instance body: %s", c.redact(err.Error(), secrets))
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	started := time.Now()
	r := request{method: http.MethodPost, path: "/instances", body: data, secrets: secrets}
	res, err := c.send(ctx, r)
	var in *Instance
	if err == nil {
		in, err = c.createdInstance(r, res)
	}
	if err == nil {
		c.remember(*in)
		return in, nil
	}
	// A refused grant code is an answer, whatever its status (502 included):
	// the user authorizes again. The POST is never retried.
	if isCodeRejected(err) || !ambiguous(err) {
		return nil, err
	}
	lctx := ctx
	if ctx.Err() != nil {
		// The caller's deadline passed, or the caller cancelled, after the
		// request left: knowing whether the instance exists is worth a
		// short, separate wait (a few seconds after a cancel).
		bound := c.lookupTimeout
		if errors.Is(ctx.Err(), context.Canceled) && bound > CancelLookupTimeout {
			bound = CancelLookupTimeout
		}
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), bound)
		defer cancel()
	}
	found, lerr := c.findCreated(lctx, body.Name, started)
	if lerr != nil {
		return nil, &OutcomeUnknownError{Name: body.Name, Cause: err, LookupErr: lerr}
	}
	if found == nil {
		return nil, &OutcomeUnknownError{Name: body.Name, Cause: err}
	}
	found.Recovered = true
	return found, nil
}

// createdInstance reads a 2xx answer to POST /instances. An answer that
// holds no usable instance (no body, null, {}, no id, id 0 or negative) is
// a protocol error saying what came back: the create may have happened all
// the same, so CreateInstance looks it up.
func (c *Client) createdInstance(r request, res *result) (*Instance, error) {
	got := strings.TrimSpace(string(res.body))
	what := ""
	var in Instance
	var fields map[string]json.RawMessage
	switch {
	case got == "":
		what = "an empty body"
	case got == "null":
		what = "null"
	case json.Unmarshal(res.body, &fields) != nil || json.Unmarshal(res.body, &in) != nil:
		what = "a body that is not an instance"
	case fields["id"] == nil:
		what = "an object without an id"
	case in.ID <= 0:
		what = "the id " + clip(string(fields["id"]))
	default:
		return &in, nil
	}
	msg := fmt.Sprintf("answered %d %s with %s, not an instance", res.status, http.StatusText(res.status), what)
	return nil, &NetError{Op: r.op(), Host: c.host, Kind: NetProtocol, Sent: true,
		msg: c.redact(msg, r.secrets), err: errors.New("no instance in the answer")}
}

// ambiguous reports whether a failed create may nevertheless have happened.
func ambiguous(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusBadGateway || ae.Status == http.StatusGatewayTimeout
	}
	// 303 See Other is how a server says it acted and the result is
	// elsewhere; the other redirects ask to send the request again there.
	var re *RedirectError
	if errors.As(err, &re) {
		return re.Status == http.StatusSeeOther
	}
	var ne *NetError
	if errors.As(err, &ne) {
		// Not written in full: the server cannot have acted on it.
		// A protocol error means a 2xx answer came but did not parse.
		return ne.Sent || ne.Kind == NetProtocol
	}
	return false
}

// findCreated looks for the instance a create made: the body's name (on
// any page: InstancesNamed) and element, created no earlier than a minute
// before the request (clock skew), the newest if several.
func (c *Client) findCreated(ctx context.Context, name string, started time.Time) (*Instance, error) {
	list, err := c.InstancesNamed(ctx, name)
	if err != nil {
		return nil, err
	}
	var best *Instance
	for i := range list {
		in := &list[i]
		if in.Element.Key != "" && in.Element.Key != c.elementKey {
			continue
		}
		if t := in.Created(); !t.IsZero() && t.Before(started.Add(-time.Minute)) {
			continue // an older instance of the same name, not ours
		}
		if best == nil || in.ID > best.ID {
			best = in
		}
	}
	return best, nil
}
