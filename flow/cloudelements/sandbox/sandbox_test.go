package sandbox

// These tests speak plain HTTP to the sandbox, the way the API page and a
// cURL user would, without the cewiz client: the sandbox must be right on
// its own, or it would only prove the client agrees with itself.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	site     = "acme.docushareflex.com"
	callback = "http://127.0.0.1:23949/callback"
	notify   = "https://example.com/events"
)

var demoAuth = "User " + DemoUserSecret + ", Organization " + DemoOrgSecret

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
}

func (a answer) apiErr(t testing.TB) apiError {
	t.Helper()
	var e apiError
	a.json(t, &e)
	if e.RequestID == "" || e.Message == "" {
		t.Fatalf("error body lacks requestId or message: %s", a.body)
	}
	return e
}

func call(t testing.TB, method, u, auth string, body any) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				t.Fatal(err)
			}
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, data}
}

// authorize walks the documented journey: oauth/url, then Allow on the
// consent page by a form POST, and returns the code from the redirect.
func authorize(t testing.TB, s *Server, cb string) string {
	t.Helper()
	q := url.Values{"apiKey": {DemoAppID}, "apiSecret": {DemoAppSecret}, "callbackUrl": {cb}, "siteAddress": {site}, "state": {"st-1"}}
	a := call(t, "GET", s.BaseURL()+"/elements/docushareflex/oauth/url?"+q.Encode(), demoAuth, nil)
	if a.status != 200 {
		t.Fatalf("oauth/url: %d %s", a.status, a.body)
	}
	var out struct{ Element, OAuthURL string }
	a.json(t, &out)
	u, _ := url.Parse(out.OAuthURL)
	form := u.Query()
	form.Set("decision", "allow")
	resp, err := noRedirect.PostForm(s.URL()+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Allow answered %d, want 303", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if got := loc.Query().Get("state"); got != "st-1" {
		t.Fatalf("state = %q", got)
	}
	return loc.Query().Get("code")
}

// seedBody is the seed document's body with working values.
func seedBody(name, code string) map[string]any {
	return map[string]any{
		"element": map[string]any{"key": "docushareflex"},
		"configuration": map[string]any{
			"oauth.api.secret":                DemoAppSecret,
			"oauth.callback.url":              callback,
			"oauth.api.key":                   DemoAppID,
			"event.vendor.type":               "polling",
			"event.poller.refresh_interval":   "15",
			"event.notification.enabled":      true,
			"docushare.domain":                site,
			"event.notification.callback.url": notify,
			"event.poller.configuration": map[string]any{"events": map[string]any{
				"url": "/hubs/documents/events", "idField": "id",
				"datesConfiguration": map[string]any{"updatedDateField": "modifiedDate", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",
					"createdDateField": "createdDate", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'"}}},
		},
		"name":         name,
		"providerData": map[string]any{"code": code},
		"tags":         []string{"test"},
	}
}

func TestElementEndpoints(t *testing.T) {
	s := start(t, Options{})
	var el struct {
		ID            int64
		Key           string
		Configuration []configEntry
	}
	a := call(t, "GET", s.BaseURL()+"/elements/docushareflex", demoAuth, nil)
	a.json(t, &el)
	if a.status != 200 || el.ID != ElementID || el.Key != ElementKey {
		t.Fatalf("element: %d %+v", a.status, el)
	}
	var poller string
	for _, c := range el.Configuration {
		if c.Key == "event.poller.configuration" {
			poller = c.DefaultValue
		}
	}
	// The default carries the artefacts public tooling strips before parsing.
	if !strings.Contains(poller, `\n`) || !strings.Contains(poller, `\t`) {
		t.Fatalf("poller default without the literal \\n and \\t artefacts: %q", poller)
	}
	var parsed map[string]map[string]any
	clean := strings.NewReplacer(`\n`, "", `\t`, "").Replace(poller)
	if err := json.Unmarshal([]byte(clean), &parsed); err != nil || parsed["events"]["url"] != "/hubs/documents/events" ||
		parsed["events"]["pageSize"] != "200" || parsed["folders"]["url"] != "/hubs/documents/folders/contents?path=/" {
		t.Fatalf("poller default is not a JSON string holding events and folders: %v %q", err, poller)
	}
	// GET /elements/{keyOrId}/configuration is an object, by key or by id.
	for _, keyOrID := range []string{"docushareflex", "5127"} {
		var cfg struct {
			Configuration []configEntry `json:"configuration"`
			ProviderData  []configEntry `json:"providerData"`
		}
		a := call(t, "GET", s.BaseURL()+"/elements/"+keyOrID+"/configuration", demoAuth, nil)
		if a.status != 200 || !strings.HasPrefix(string(a.body), `{"configuration":[`) {
			t.Fatalf("configuration by %s: %d %.60s", keyOrID, a.status, a.body)
		}
		a.json(t, &cfg)
		if len(cfg.Configuration) != len(configEntries) || cfg.ProviderData == nil {
			t.Fatalf("configuration by %s: %+v", keyOrID, cfg)
		}
	}
	// Metadata by the numeric id only.
	var md struct {
		ID     int64
		Events struct {
			Supported bool
			Methods   []string
			Polling   map[string]struct {
				EventTypes []string
				PollURL    string `json:"pollUrl"`
			}
		}
	}
	call(t, "GET", s.BaseURL()+"/elements/5127/metadata", demoAuth, nil).json(t, &md)
	if md.ID != ElementID || !md.Events.Supported || len(md.Events.Methods) != 1 || md.Events.Methods[0] != "polling" ||
		md.Events.Polling["events"].PollURL != "/hubs/documents/events" || len(md.Events.Polling["folders"].EventTypes) == 0 {
		t.Fatalf("metadata: %+v", md)
	}
	a = call(t, "GET", s.BaseURL()+"/elements/docushareflex/metadata", demoAuth, nil)
	if a.status != 404 {
		t.Fatalf("metadata by key: %d, want 404", a.status)
	}
	a.apiErr(t)
	a = call(t, "GET", s.BaseURL()+"/elements/box", demoAuth, nil)
	if a.status != 404 {
		t.Fatalf("unknown element: %d", a.status)
	}
	a.apiErr(t)
}

func TestAuthorizationHeader(t *testing.T) {
	s := start(t, Options{})
	for _, h := range []string{
		"",
		"User " + DemoUserSecret,
		"Organization " + DemoOrgSecret,
		"User wrong, Organization " + DemoOrgSecret,
		"User " + DemoUserSecret + ", Organization wrong",
		"Bearer " + DemoUserSecret,
		"User " + DemoUserSecret + ",Organization" + DemoOrgSecret,
		"User " + DemoUserSecret + ", User " + DemoUserSecret + ", Organization " + DemoOrgSecret,
	} {
		a := call(t, "GET", s.BaseURL()+"/instances", h, nil)
		if a.status != 401 {
			t.Errorf("header %q: %d, want 401", h, a.status)
			continue
		}
		if e := a.apiErr(t); !strings.Contains(e.Message, "secret") {
			t.Errorf("401 message %q", e.Message)
		}
	}
	// Extra spaces and an Element part are fine.
	if a := call(t, "GET", s.BaseURL()+"/instances", "User  "+DemoUserSecret+" ,  Organization "+DemoOrgSecret, nil); a.status != 200 {
		t.Errorf("tolerant header: %d %s", a.status, a.body)
	}
}

func TestOAuthURLValidation(t *testing.T) {
	s := start(t, Options{})
	good := url.Values{"apiKey": {DemoAppID}, "apiSecret": {DemoAppSecret}, "callbackUrl": {callback}, "siteAddress": {site}, "state": {"x"}}
	tests := []struct {
		name   string
		edit   func(url.Values)
		status int
		want   string
	}{
		{"ok", func(url.Values) {}, 200, ""},
		{"docushare.domain instead of siteAddress", func(v url.Values) { v.Del("siteAddress"); v.Set("docushare.domain", site) }, 200, ""},
		{"no apiKey", func(v url.Values) { v.Del("apiKey") }, 400, "apiKey"},
		{"no apiSecret", func(v url.Values) { v.Del("apiSecret") }, 400, "apiSecret"},
		{"no callbackUrl", func(v url.Values) { v.Del("callbackUrl") }, 400, "callbackUrl"},
		{"relative callbackUrl", func(v url.Values) { v.Set("callbackUrl", "/callback") }, 400, "callbackUrl"},
		{"no site", func(v url.Values) { v.Del("siteAddress") }, 400, "siteAddress"},
		{"site with http", func(v url.Values) { v.Set("siteAddress", "http://"+site) }, 400, "docushareflex.com"},
		{"other domain", func(v url.Values) { v.Set("siteAddress", "acme.example.com") }, 400, "docushareflex.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = append([]string(nil), v...)
			}
			tt.edit(q)
			a := call(t, "GET", s.BaseURL()+"/elements/docushareflex/oauth/url?"+q.Encode(), demoAuth, nil)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.status != 200 {
				if e := a.apiErr(t); !strings.Contains(e.Message, tt.want) {
					t.Fatalf("message %q does not name %q", e.Message, tt.want)
				}
				return
			}
			var out struct{ Element, OAuthURL string }
			a.json(t, &out)
			u, err := url.Parse(out.OAuthURL)
			if err != nil || out.Element != "docushareflex" || !strings.HasPrefix(out.OAuthURL, s.URL()+ConsentPath) ||
				u.Query().Get("redirect_uri") != callback || u.Query().Get("state") != "x" || u.Query().Get("client_id") != DemoAppID {
				t.Fatalf("oauthUrl %q", out.OAuthURL)
			}
		})
	}
	// The JSON POST form of the same call.
	a := call(t, "POST", s.BaseURL()+"/elements/docushareflex/oauth/url", demoAuth,
		map[string]string{"apiKey": DemoAppID, "apiSecret": DemoAppSecret, "callbackUrl": callback, "siteAddress": site})
	var out struct{ OAuthURL string }
	a.json(t, &out)
	if a.status != 200 || !strings.Contains(out.OAuthURL, "state=docushareflex") {
		t.Fatalf("POST oauth/url without state: %d %s", a.status, a.body)
	}
}

func TestConsentPage(t *testing.T) {
	s := start(t, Options{})
	q := url.Values{"response_type": {"code"}, "client_id": {DemoAppID}, "redirect_uri": {callback + "?keep=1"}, "state": {`s"<1>`}, "site": {site}}
	a := call(t, "GET", s.URL()+ConsentPath+"?"+q.Encode(), "", nil)
	page := string(a.body)
	if a.status != 200 || !strings.Contains(page, site) || !strings.Contains(page, DemoAppID) ||
		!strings.Contains(page, `value="allow"`) || !strings.Contains(page, `value="deny"`) || strings.Contains(page, "<script") ||
		strings.Contains(page, "s<1>") || strings.Contains(page, `s"`) {
		t.Fatalf("consent page (%d) lacks site, app id, Allow/Deny, or is not escaped:\n%s", a.status, page)
	}
	if csp := a.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// Scripts: GET with decision=allow|deny answers 302 at once.
	for _, tt := range []struct{ decision, want string }{{"allow", "code"}, {"deny", "error"}} {
		q2 := maps.Clone(q) // Set and Del replace whole entries: q stays as it is
		q2.Set("decision", tt.decision)
		a := call(t, "GET", s.URL()+ConsentPath+"?"+q2.Encode(), "", nil)
		loc, _ := url.Parse(a.header.Get("Location"))
		if a.status != 302 || loc == nil || loc.Query().Get(tt.want) == "" || loc.Query().Get("state") != `s"<1>` || loc.Query().Get("keep") != "1" {
			t.Fatalf("%s: %d Location %q", tt.decision, a.status, a.header.Get("Location"))
		}
		if tt.decision == "deny" && loc.Query().Get("error") != "access_denied" {
			t.Fatalf("deny gives %q", loc.Query().Get("error"))
		}
	}
	// A wrong application or a bad redirect URI is shown, never redirected.
	for _, edit := range []func(url.Values){
		func(v url.Values) { v.Set("client_id", "someone-else") },
		func(v url.Values) { v.Del("client_id") },
		func(v url.Values) { v.Set("redirect_uri", "not a url") },
	} {
		q2 := maps.Clone(q) // Set and Del replace whole entries: q stays as it is
		edit(q2)
		q2.Set("decision", "allow")
		if a := call(t, "GET", s.URL()+ConsentPath+"?"+q2.Encode(), "", nil); a.status != 400 || a.header.Get("Location") != "" {
			t.Errorf("bad request to consent: %d Location %q", a.status, a.header.Get("Location"))
		}
	}
}

func TestCreateAndInspect(t *testing.T) {
	s := start(t, Options{})
	code := authorize(t, s, callback)
	a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, seedBody("seed", code))
	if a.status != 200 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	var in struct {
		ID            int64
		Name, Token   string
		Valid         bool
		EventsEnabled bool
		Element       struct{ Key string }
		Configuration map[string]any
	}
	a.json(t, &in)
	if in.ID == 0 || in.Name != "seed" || len(in.Token) != 44 || !in.Valid || !in.EventsEnabled || in.Element.Key != ElementKey {
		t.Fatalf("instance: %+v", in)
	}
	for k, v := range in.Configuration {
		if _, ok := v.(string); !ok {
			t.Errorf("configuration %q is %T, want a string", k, v)
		}
	}
	if in.Configuration["oauth.api.secret"] != "********" || in.Configuration["oauth.api.key"] != "********" || in.Configuration["event.notification.enabled"] != "true" ||
		in.Configuration["event.poller.refresh_interval"] != "15" || !strings.HasPrefix(in.Configuration["event.poller.configuration"].(string), `{"events":`) {
		t.Fatalf("configuration: %v", in.Configuration)
	}
	snap, _ := s.Instance(in.ID)
	if snap.Configuration["oauth.api.secret"] != DemoAppSecret || snap.Configuration["oauth.api.key"] != DemoAppID || snap.Token != in.Token {
		t.Fatalf("stored secret or token differ")
	}
	id := fmt.Sprint(in.ID)
	if a := call(t, "GET", s.BaseURL()+"/instances/"+id, demoAuth, nil); a.status != 200 {
		t.Fatalf("get: %d", a.status)
	}
	// The Element token, when given, must be this instance's.
	if a := call(t, "GET", s.BaseURL()+"/instances/"+id, demoAuth+", Element "+in.Token, nil); a.status != 200 {
		t.Fatalf("get with token: %d", a.status)
	}
	if a := call(t, "GET", s.BaseURL()+"/instances/"+id, demoAuth+", Element nope", nil); a.status != 401 {
		t.Fatalf("get with a bad token: %d", a.status)
	}
	// The swagger's Event: id, eventDate, status, providerData (a string),
	// notifiedData (an array); nothing else.
	var events []map[string]any
	call(t, "GET", s.BaseURL()+"/instances/"+id+"/events", demoAuth, nil).json(t, &events)
	if len(events) < 3 {
		t.Fatalf("events: %+v", events)
	}
	for _, e := range events {
		st, _ := e["status"].(string)
		pd, _ := e["providerData"].(string)
		nd, ndOK := e["notifiedData"].([]any)
		if len(e) != 5 || e["id"] == "" || e["eventDate"] == "" || !slices.Contains(EventStatuses, st) ||
			!json.Valid([]byte(pd)) || !ndOK || nd == nil {
			t.Fatalf("event %v", e)
		}
	}
	// No query parameters: ?status= filters nothing.
	var filtered []map[string]any
	call(t, "GET", s.BaseURL()+"/instances/"+id+"/events?status=NOTIFIED&pageSize=1", demoAuth, nil).json(t, &filtered)
	if len(filtered) != len(events) {
		t.Fatalf("query parameters changed the log: %d of %d", len(filtered), len(events))
	}
	if err := s.AddEvents(in.ID, Event{Status: "FAILED"}); err == nil {
		t.Fatal("a status outside the record was accepted")
	}
	if err := s.SetDisabled(in.ID, true); err != nil {
		t.Fatal(err)
	}
	if a := call(t, "GET", s.BaseURL()+"/instances/"+id+"/events", demoAuth, nil); a.status != 403 {
		t.Fatalf("events of a disabled instance: %d", a.status)
	}
	var list []map[string]any
	call(t, "GET", s.BaseURL()+"/instances", demoAuth, nil).json(t, &list)
	if len(list) != 1 || list[0]["disabled"] != true {
		t.Fatalf("list: %v", list)
	}
	if a := call(t, "DELETE", s.BaseURL()+"/instances/"+id, demoAuth, nil); a.status != 200 {
		t.Fatalf("delete: %d", a.status)
	}
	a = call(t, "GET", s.BaseURL()+"/instances/"+id, demoAuth, nil)
	if a.status != 404 {
		t.Fatalf("get after delete: %d", a.status)
	}
	a.apiErr(t)
	if a := call(t, "PUT", s.BaseURL()+"/instances", demoAuth, nil); a.status != 404 {
		t.Fatalf("unknown method: %d", a.status)
	}
}

func TestCreateValidation(t *testing.T) {
	s := start(t, Options{})
	tests := []struct {
		name   string
		edit   func(b map[string]any, cfg map[string]any)
		status int
		want   string
	}{
		{"seed body", func(b, c map[string]any) {}, 200, ""},
		{"string booleans and numbers", func(b, c map[string]any) {
			c["event.notification.enabled"] = "true"
			c["event.poller.refresh_interval"] = 5
			c["event.poller.configuration"] = `{"files":{"url":"/hubs/documents/files","idField":"id"}}`
		}, 200, ""},
		{"events off needs no notification URL", func(b, c map[string]any) {
			c["event.notification.enabled"] = false
			delete(c, "event.notification.callback.url")
		}, 200, ""},
		{"no element", func(b, c map[string]any) { delete(b, "element") }, 400, "element"},
		{"other element", func(b, c map[string]any) { b["element"] = map[string]any{"key": "box"} }, 404, "box"},
		{"no name", func(b, c map[string]any) { delete(b, "name") }, 400, "name"},
		{"name not a string", func(b, c map[string]any) { b["name"] = 7 }, 400, "name"},
		{"no code", func(b, c map[string]any) { delete(b, "providerData") }, 400, "OAuth code"},
		{"no configuration", func(b, c map[string]any) { delete(b, "configuration") }, 400, "configuration"},
		{"missing api key", func(b, c map[string]any) { delete(c, "oauth.api.key") }, 400, "oauth.api.key"},
		{"missing secret", func(b, c map[string]any) { delete(c, "oauth.api.secret") }, 400, "oauth.api.secret"},
		{"missing callback", func(b, c map[string]any) { delete(c, "oauth.callback.url") }, 400, "oauth.callback.url"},
		{"missing domain", func(b, c map[string]any) { delete(c, "docushare.domain") }, 400, "docushare.domain"},
		{"domain with scheme", func(b, c map[string]any) { c["docushare.domain"] = "https://" + site }, 400, "docushare.domain"},
		{"domain not docushareflex", func(b, c map[string]any) { c["docushare.domain"] = "acme.example.com" }, 400, "docushare.domain"},
		// No https-only rule: Cloud Elements' own examples use http://.
		{"http notification", func(b, c map[string]any) { c["event.notification.callback.url"] = "http://example.com/e" }, 200, ""},
		{"ftp notification", func(b, c map[string]any) { c["event.notification.callback.url"] = "ftp://example.com/e" }, 400, "http(s)"},
		{"empty idField", func(b, c map[string]any) {
			c["event.poller.configuration"] = map[string]any{"a/b": map[string]any{"url": "/hubs/documents/events", "idField": ""}}
		}, 200, ""},
		{"no notification url", func(b, c map[string]any) { delete(c, "event.notification.callback.url") }, 400, "event.notification.callback.url"},
		{"http notification with events off", func(b, c map[string]any) {
			c["event.notification.enabled"] = false
			c["event.notification.callback.url"] = "http://127.0.0.1/e"
		}, 200, ""},
		{"interval words", func(b, c map[string]any) { c["event.poller.refresh_interval"] = "fifteen" }, 400, "refresh_interval"},
		{"interval zero", func(b, c map[string]any) { c["event.poller.refresh_interval"] = "0" }, 400, "refresh_interval"},
		{"enabled yes", func(b, c map[string]any) { c["event.notification.enabled"] = "yes" }, 400, "event.notification.enabled"},
		{"webhook vendor", func(b, c map[string]any) { c["event.vendor.type"] = "webhook" }, 400, "polling"},
		{"poller not json", func(b, c map[string]any) { c["event.poller.configuration"] = "{" }, 400, "event.poller.configuration"},
		{"poller resource without url", func(b, c map[string]any) {
			c["event.poller.configuration"] = map[string]any{"files": map[string]any{"idField": "id"}}
		}, 400, "files"},
		{"key not a string", func(b, c map[string]any) { c["oauth.api.key"] = 12 }, 400, "oauth.api.key"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := s.IssueCode(callback, site, DemoAppID)
			b := seedBody(fmt.Sprintf("v%d", i), code)
			tt.edit(b, b["configuration"].(map[string]any))
			a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, b)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.status != 200 {
				if e := a.apiErr(t); !strings.Contains(e.Message, tt.want) {
					t.Fatalf("message %q does not mention %q", e.Message, tt.want)
				}
			}
		})
	}
	// Not JSON, or not declared as JSON.
	if a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, []byte("{")); a.status != 400 {
		t.Errorf("broken JSON: %d", a.status)
	}
	req, _ := http.NewRequest("POST", s.BaseURL()+"/instances", strings.NewReader("{}"))
	req.Header.Set("Authorization", demoAuth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("no content type: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
}

func TestCodeRules(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := start(t, Options{Now: clock})
	create := func(name string, body map[string]any) answer {
		return call(t, "POST", s.BaseURL()+"/instances", demoAuth, body)
	}
	wantGrant := func(t *testing.T, a answer, what string) {
		t.Helper()
		if a.status != 400 {
			t.Fatalf("%s: status %d, want 400: %s", what, a.status, a.body)
		}
		if e := a.apiErr(t); !strings.Contains(e.ProviderMessage, what) {
			t.Fatalf("providerMessage %q lacks %q", e.ProviderMessage, what)
		}
	}
	t.Run("single use", func(t *testing.T) {
		code := authorize(t, s, callback)
		if a := create("once", seedBody("once", code)); a.status != 200 {
			t.Fatalf("first use: %d %s", a.status, a.body)
		}
		wantGrant(t, create("twice", seedBody("twice", code)), "invalid_grant")
	})
	t.Run("expires", func(t *testing.T) {
		code := authorize(t, s, callback)
		mu.Lock()
		now = now.Add(DefaultCodeTTL + time.Second)
		mu.Unlock()
		wantGrant(t, create("late", seedBody("late", code)), "expired")
	})
	t.Run("bound to its callbackUrl byte for byte", func(t *testing.T) {
		code := authorize(t, s, callback)
		b := seedBody("trailing-slash", code)
		b["configuration"].(map[string]any)["oauth.callback.url"] = callback + "/"
		wantGrant(t, create("x", b), "redirect URI")
	})
	t.Run("bound to its site", func(t *testing.T) {
		code := authorize(t, s, callback)
		b := seedBody("other-site", code)
		b["configuration"].(map[string]any)["docushare.domain"] = "other.docushareflex.com"
		wantGrant(t, create("x", b), "site")
	})
	t.Run("unknown code", func(t *testing.T) {
		wantGrant(t, create("x", seedBody("unknown", "made-up")), "invalid_grant")
	})
	t.Run("wrong application secret", func(t *testing.T) {
		code := authorize(t, s, callback)
		b := seedBody("bad-secret", code)
		b["configuration"].(map[string]any)["oauth.api.secret"] = "nope"
		wantGrant(t, create("x", b), "invalid_client")
	})
	t.Run("a body error does not spend the code", func(t *testing.T) {
		code := authorize(t, s, callback)
		b := seedBody("fix-me", code)
		b["configuration"].(map[string]any)["docushare.domain"] = "nope"
		if a := create("x", b); a.status != 400 {
			t.Fatalf("bad body: %d", a.status)
		}
		if a := create("x", seedBody("fixed", code)); a.status != 200 {
			t.Fatalf("after fixing the body: %d %s", a.status, a.body)
		}
	})
	t.Run("a duplicate name is accepted", func(t *testing.T) {
		// Instance names are not unique (churros creates several of one name).
		a := create("x", seedBody("once", s.IssueCode(callback, site, DemoAppID)))
		if a.status != 200 {
			t.Fatalf("duplicate: %d %s", a.status, a.body)
		}
		n := 0
		for _, in := range s.Instances() {
			if in.Name == "once" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d instances named once, want 2", n)
		}
	})
}

func TestFaults(t *testing.T) {
	s := start(t, Options{})
	list := s.BaseURL() + "/instances"
	if err := s.InjectFault("GET /nowhere", Fault{}); err == nil {
		t.Fatal("unknown route accepted")
	}
	_ = s.InjectFault(RouteListInstances, Fault{Count: 2, Status: 503, RetryAfter: "3"})
	for i := 0; i < 2; i++ {
		a := call(t, "GET", list, demoAuth, nil)
		if a.status != 503 || a.header.Get("Retry-After") != "3" {
			t.Fatalf("fault %d: %d %v", i, a.status, a.header)
		}
		a.apiErr(t)
	}
	if a := call(t, "GET", list, demoAuth, nil); a.status != 200 {
		t.Fatalf("after the faults: %d", a.status)
	}
	if n := s.Count(RouteListInstances); n != 3 {
		t.Fatalf("count %d, want 3", n)
	}

	// Drop: the client sees a broken connection, not an answer.
	_ = s.InjectFault(RouteAny, Fault{Drop: true})
	req, _ := http.NewRequest("GET", list, nil)
	req.Header.Set("Authorization", demoAuth)
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("drop answered %d", resp.StatusCode)
	}

	// After: the create happens, the answer is replaced by a 504.
	_ = s.InjectFault(RouteCreateInstance, Fault{After: true, Status: 504})
	a := call(t, "POST", list, demoAuth, seedBody("ghost", s.IssueCode(callback, site, DemoAppID)))
	if a.status != 504 || len(s.Instances()) != 1 {
		t.Fatalf("after-fault: %d, %d instances", a.status, len(s.Instances()))
	}

	// A delay alone, before or after the handler, still gives the normal answer.
	for _, after := range []bool{false, true} {
		_ = s.InjectFault(RouteListInstances, Fault{After: after, Delay: 10 * time.Millisecond})
		var got []map[string]any
		a := call(t, "GET", list, demoAuth, nil)
		a.json(t, &got)
		if a.status != 200 || len(got) != 1 || got[0]["name"] != "ghost" {
			t.Fatalf("delay (after=%v): %d %s", after, a.status, a.body)
		}
	}

	// Delay, ended early by a client that gives up.
	_ = s.InjectFault(RouteElement, Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", s.BaseURL()+"/elements/docushareflex", nil)
	startT := time.Now()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("delay did not delay")
	}
	if time.Since(startT) > 5*time.Second {
		t.Fatal("the client's deadline did not end the wait")
	}
	s.ClearFaults()
	if len(s.PendingFaults()) != 0 {
		t.Fatal("faults left after ClearFaults")
	}
}

func TestAdminEndpoint(t *testing.T) {
	s := start(t, Options{Admin: true})
	a := call(t, "POST", s.URL()+"/__sandbox/faults", "", map[string]any{"route": "GET /instances", "status": 502, "count": 1, "delay": "10ms"})
	if a.status != 200 {
		t.Fatalf("arm: %d %s", a.status, a.body)
	}
	if a := call(t, "GET", s.BaseURL()+"/instances", demoAuth, nil); a.status != 502 {
		t.Fatalf("armed fault not applied: %d", a.status)
	}
	var counts map[string]int
	call(t, "GET", s.URL()+"/__sandbox/counts", "", nil).json(t, &counts)
	if counts[RouteListInstances] != 1 {
		t.Fatalf("counts %v", counts)
	}
	if a := call(t, "POST", s.URL()+"/__sandbox/faults", "", map[string]any{"route": "nope"}); a.status != 400 {
		t.Fatalf("bad route: %d", a.status)
	}
	for delay, ok := range map[any]bool{"1.5s": true, 250: true, "250": true, "soon": false, -1: false} {
		a := call(t, "POST", s.URL()+"/__sandbox/faults", "", map[string]any{"route": "*", "delay": delay})
		if (a.status == 200) != ok {
			t.Errorf("delay %v: %d", delay, a.status)
		}
	}
	var pending []map[string]any
	call(t, "GET", s.URL()+"/__sandbox/faults", "", nil).json(t, &pending)
	delays := map[any]bool{}
	for _, p := range pending {
		delays[p["delay"]] = true
	}
	if len(pending) != 3 || !delays["1.5s"] || !delays["250ms"] {
		t.Fatalf("pending %v", pending)
	}
	if a := call(t, "DELETE", s.URL()+"/__sandbox/faults", "", nil); a.status != 200 || len(s.PendingFaults()) != 0 {
		t.Fatalf("clear: %d", a.status)
	}
	// Not from loopback: as if it did not exist.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/__sandbox/counts", nil)
	req.RemoteAddr = "192.0.2.7:5555"
	s.ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Fatalf("remote admin: %d", rec.Code)
	}
	// Off unless enabled.
	off := start(t, Options{})
	if a := call(t, "GET", off.URL()+"/__sandbox/counts", "", nil); a.status != 404 {
		t.Fatalf("admin without Options.Admin: %d", a.status)
	}
}

func TestRunPrintsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, "127.0.0.1:0", &out, Options{}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("Run printed %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	text := out.String()
	for _, want := range []string{APIPath, DemoUserSecret, DemoOrgSecret, DemoAppID, DemoAppSecret, "/__sandbox/faults"} {
		if !strings.Contains(text, want) {
			t.Errorf("Run's banner lacks %q", want)
		}
	}
	// The printed base URL answers, and the request is logged without its query.
	base := strings.Fields(text[strings.Index(text, "base URL"):])[2]
	q := url.Values{"apiKey": {DemoAppID}, "apiSecret": {"LOGGED-SECRET?"}, "callbackUrl": {callback}, "siteAddress": {site}}
	if a := call(t, "GET", base+"/elements/docushareflex/oauth/url?"+q.Encode(), demoAuth, nil); a.status != 200 {
		t.Fatalf("printed base URL %q: %d", base, a.status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if !strings.Contains(out.String(), "GET "+APIPath+"/elements/docushareflex/oauth/url 200") || strings.Contains(out.String(), "LOGGED-SECRET") {
		t.Fatalf("log: %s", out.String())
	}
	if err := Run(context.Background(), "256.0.0.1:99999", io.Discard, Options{}); err == nil {
		t.Fatal("a bad address did not fail")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestConcurrentCreates(t *testing.T) {
	s := start(t, Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := s.IssueCode(callback, site, DemoAppID)
			b, _ := json.Marshal(seedBody(fmt.Sprintf("c%d", i), code))
			req, _ := http.NewRequest("POST", s.BaseURL()+"/instances", bytes.NewReader(b))
			req.Header.Set("Authorization", demoAuth)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(s.Instances()); n != 50 {
		t.Fatalf("%d instances, want 50", n)
	}
}

// GET /instances pages with pageSize and the Elements-Next-Page-Token
// header (sent back as nextPage), and filters with searchText.
func TestListInstancesPages(t *testing.T) {
	s := start(t, Options{MaxPageSize: 2})
	for i, name := range []string{"alpha", "beta", "alpha", "Alphabet", "gamma"} {
		body := seedBody(name, s.IssueCode(callback, site, DemoAppID))
		if a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, body); a.status != 200 {
			t.Fatalf("create %d: %d %s", i, a.status, a.body)
		}
	}
	pages := func(query url.Values) [][]string {
		var out [][]string
		for n := 0; n < 10; n++ {
			a := call(t, "GET", s.BaseURL()+"/instances?"+query.Encode(), demoAuth, nil)
			if a.status != 200 {
				t.Fatalf("list %v: %d %s", query, a.status, a.body)
			}
			var list []struct{ Name string }
			a.json(t, &list)
			var names []string
			for _, in := range list {
				names = append(names, in.Name)
			}
			out = append(out, names)
			next := a.header.Get(NextPageHeader)
			if next == "" {
				return out
			}
			query.Set("nextPage", next)
		}
		t.Fatal("the pages never end")
		return nil
	}
	if got := fmt.Sprint(pages(url.Values{})); got != "[[alpha beta] [alpha Alphabet] [gamma]]" {
		t.Fatalf("pages %s", got)
	}
	if got := fmt.Sprint(pages(url.Values{"pageSize": {"1"}, "searchText": {"ALPHA"}})); got != "[[alpha] [alpha] [Alphabet]]" {
		t.Fatalf("search pages %s", got)
	}
	// pageSize above the maximum is capped, not refused.
	if got := fmt.Sprint(pages(url.Values{"pageSize": {"500"}, "searchText": {"a"}})); got != "[[alpha beta] [alpha Alphabet] [gamma]]" {
		t.Fatalf("capped pages %s", got)
	}
	for _, bad := range []string{"pageSize=0", "pageSize=x", "nextPage=not-a-token"} {
		if a := call(t, "GET", s.BaseURL()+"/instances?"+bad, demoAuth, nil); a.status != 400 {
			t.Errorf("%s: %d, want 400", bad, a.status)
		}
	}
}

// Which siteAddress form Cloud Elements wants is not published: the
// sandbox answers a well-formed oauthUrl for the form it is set to expect,
// and for the other one the address a service expecting it would build.
func TestOAuthURLSiteAddressForms(t *testing.T) {
	for _, tt := range []struct {
		wantURL    bool
		site       string
		goodPrefix bool
		broken     string
	}{
		{false, site, true, ""},
		{false, "https://" + site, false, "https://https://" + site + ConsentPath},
		{true, "https://" + site, true, ""},
		{true, site, false, site + ConsentPath},
	} {
		s := start(t, Options{SiteAddressURL: tt.wantURL})
		q := url.Values{"apiKey": {DemoAppID}, "apiSecret": {DemoAppSecret}, "callbackUrl": {callback}, "siteAddress": {tt.site}}
		var out struct{ OAuthURL string }
		call(t, "GET", s.BaseURL()+"/elements/docushareflex/oauth/url?"+q.Encode(), demoAuth, nil).json(t, &out)
		if tt.goodPrefix != strings.HasPrefix(out.OAuthURL, s.URL()+ConsentPath+"?") ||
			(tt.broken != "" && !strings.HasPrefix(out.OAuthURL, tt.broken+"?")) {
			t.Errorf("SiteAddressURL %v, siteAddress %s: oauthUrl %s", tt.wantURL, tt.site, out.OAuthURL)
		}
		if u, err := url.Parse(out.OAuthURL); err == nil && tt.goodPrefix && u.Query().Get("site") != site {
			t.Errorf("consent site %q, want the bare host", u.Query().Get("site"))
		}
	}
}

// A grant code the provider refuses can come back as 502 with its
// invalid_grant text (the error-code table's provider failure).
func TestFaultProviderFailure(t *testing.T) {
	s := start(t, Options{Admin: true})
	if err := s.InjectFault(RouteCreateInstance, Fault{Status: 502, Message: MsgProviderFailure, ProviderMessage: ProviderInvalidGrant}); err != nil {
		t.Fatal(err)
	}
	a := call(t, "POST", s.BaseURL()+"/instances", demoAuth, seedBody("refused", s.IssueCode(callback, site, DemoAppID)))
	e := a.apiErr(t)
	if a.status != 502 || e.Message != MsgProviderFailure || !strings.Contains(e.ProviderMessage, "invalid_grant") {
		t.Fatalf("%d %+v", a.status, e)
	}
	// The same through the admin endpoint.
	arm := map[string]any{"route": RouteCreateInstance, "status": 502, "message": MsgProviderFailure, "providerMessage": ProviderInvalidGrant}
	if a := call(t, "POST", s.URL()+"/__sandbox/faults", "", arm); a.status != 200 {
		t.Fatalf("admin: %d %s", a.status, a.body)
	}
	a = call(t, "POST", s.BaseURL()+"/instances", demoAuth, seedBody("refused", s.IssueCode(callback, site, DemoAppID)))
	if e := a.apiErr(t); a.status != 502 || !strings.Contains(e.ProviderMessage, "invalid_grant") {
		t.Fatalf("admin fault: %d %+v", a.status, e)
	}
}
