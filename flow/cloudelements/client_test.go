package cloudelements_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

var ctx = context.Background()

func TestNewNormalisesBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"api.cloud-elements.com":                                               "https://api.cloud-elements.com/elements/api-v2",
		"https://api.cloud-elements.co.uk/":                                    "https://api.cloud-elements.co.uk/elements/api-v2",
		"http://127.0.0.1:8080/elements/api-v2/":                               "http://127.0.0.1:8080/elements/api-v2",
		"https://staging.cloud-elements.com/elements/":                         "https://staging.cloud-elements.com/elements/api-v2",
		"https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2": "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2",
	} {
		c, err := cloudelements.New(in, flow.NewSecret("u"), flow.NewSecret("o"))
		if err != nil || c.BaseURL() != want {
			t.Errorf("New(%q): %v %q, want %q", in, err, c.BaseURL(), want)
		}
	}
	if _, err := cloudelements.New("http://api.cloud-elements.com", flow.Secret{}, flow.Secret{}); err == nil {
		t.Error("plain http to a remote host accepted")
	}
}

func TestElementCalls(t *testing.T) {
	e := newEnv(t)
	el, err := e.c.ElementInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if el.ID != sandbox.ElementID || el.Key != "docushareflex" || el.Hub != "documents" || !el.Active {
		t.Fatalf("element %+v", el)
	}
	for _, k := range []string{"oauth.api.key", "oauth.api.secret", "oauth.callback.url", "docushare.domain"} {
		if c, ok := el.Config(k); !ok || !c.Required {
			t.Errorf("configuration %q missing or not required: %+v", k, c)
		}
	}
	p, err := e.c.ElementPollerDefaults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The element's default, not cewiz's presets: events has a pageSize
	// (given as a string, with literal \n artefacts around it).
	if strings.Join(p.Names(), ",") != "events,folders" {
		t.Fatalf("poller defaults %v", p.Names())
	}
	ev, _ := p.Get("events")
	if ev.URL != "/hubs/documents/events" || ev.PageSize == nil || *ev.PageSize != 200 || ev.DatesConfiguration.UpdatedDateField != "modifiedDate" {
		t.Fatalf("events default %+v", ev)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("the element's default does not pass flow's validation: %v", err)
	}
	md, err := e.c.ElementMetadata(ctx, sandbox.ElementID)
	if err != nil || !md.SupportsPolling() || len(md.Events.Polling) == 0 {
		t.Fatalf("metadata %+v %v", md, err)
	}
}

func TestUserAgentAndHeaders(t *testing.T) {
	sb := sandbox.New(sandbox.Options{})
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			got = r.Header.Clone()
		}
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := cloudelements.New(srv.URL, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret), cloudelements.WithVersion("1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	code := sb.IssueCode(callback, site, sandbox.DemoAppID)
	if _, err := c.CreateInstance(ctx, body("headers", code)); err != nil {
		t.Fatal(err)
	}
	if got.Get("User-Agent") != "cewiz/1.2.3" || got.Get("Content-Type") != "application/json" ||
		got.Get("Authorization") != "User "+sandbox.DemoUserSecret+", Organization "+sandbox.DemoOrgSecret {
		t.Fatalf("headers %v", got)
	}
}

// TestOAuthURLSendsTheFields: the query of GET .../oauth/url carries the
// real Application Secret (not its mask) and the callback URL byte for byte
// (rule 2 of oauth-loopback.md: one string everywhere).
func TestOAuthURLSendsTheFields(t *testing.T) {
	sb := sandbox.New(sandbox.Options{})
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth/url") {
			got = r.URL.Query()
		}
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := cloudelements.New(srv.URL, flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
	if err != nil {
		t.Fatal(err)
	}
	const cb = "http://localhost:23949/oauth%2Fcb?tenant=a+b&x=%7E"
	if _, err := c.OAuthURL(ctx, cloudelements.OAuthRequest{
		APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret), CallbackURL: cb, SiteAddress: site, State: "st/+=1",
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"apiKey": sandbox.DemoAppID, "apiSecret": sandbox.DemoAppSecret, "callbackUrl": cb,
		"siteAddress": site, "docushare.domain": site, "state": "st/+=1"}
	for k, v := range want {
		if len(got[k]) != 1 || got[k][0] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestOAuthURLAndConsent(t *testing.T) {
	e := newEnv(t)
	u, err := e.c.OAuthURL(ctx, cloudelements.OAuthRequest{
		APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret), CallbackURL: callback, SiteAddress: site, State: "s1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, e.srv.URL()+sandbox.ConsentPath+"?") || !strings.Contains(u, "state=s1") {
		t.Fatalf("oauthUrl %q", u)
	}
	if q := consent(t, u, "deny"); q.Get("error") != "access_denied" || q.Get("state") != "s1" || q.Has("code") {
		t.Fatalf("deny gives %v", q)
	}
	if q := consent(t, u, "allow"); q.Get("code") == "" || q.Get("state") != "s1" {
		t.Fatalf("allow gives %v", q)
	}
	// A missing field is the API's 400, naming it.
	_, err = e.c.OAuthURL(ctx, cloudelements.OAuthRequest{APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret("x"), CallbackURL: callback})
	if ae := apiErr(t, err); ae.Status != 400 || !contains(ae.Message, "siteAddress") {
		t.Fatalf("missing site: %v", err)
	}
}

func TestCreateListGetEventsDelete(t *testing.T) {
	e := newEnv(t)
	in := e.create("docushareflex-acme")
	if in.ID == 0 || in.Name != "docushareflex-acme" || in.Token.IsZero() || in.Recovered || !in.Valid || in.Disabled || !in.EventsEnabled {
		t.Fatalf("instance %+v", in)
	}
	if in.Element.Key != "docushareflex" || in.Configuration[flow.KeyAPISecret] != flow.Mask || in.Configuration[flow.KeyAPIKey] != flow.Mask || in.Created().IsZero() {
		t.Fatalf("instance details %+v", in)
	}
	if n, err := in.RefreshInterval(); err != nil || n != 15 {
		t.Fatalf("refresh interval %d %v", n, err)
	}
	if on, err := in.NotificationsEnabled(); err != nil || !on || in.VendorType() != "polling" {
		t.Fatalf("notifications %v %v %q", on, err, in.VendorType())
	}
	// No --poll: the element's default poller configuration applies, read
	// back despite its literal \n artefacts.
	if p, err := in.PollerConfig(); err != nil || len(p) != 2 {
		t.Fatalf("poller configuration %v %v", p.Names(), err)
	}
	// The token prints masked, however the instance is printed.
	tok := in.Token.Reveal()
	js, _ := json.Marshal(in)
	if strings.Contains(fmt.Sprintf("%v %+v %#v %s", in, in, in, js), tok) {
		t.Fatal("the token leaks when the instance is printed")
	}
	snap, _ := e.srv.Instance(in.ID)
	if snap.Token != tok || snap.Configuration["oauth.api.secret"] != sandbox.DemoAppSecret {
		t.Fatal("the sandbox did not get the real secret, or the token differs")
	}

	list, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{})
	if err != nil || len(list.Instances) != 1 || list.Instances[0].ID != in.ID || list.NextPage != "" {
		t.Fatalf("list %v %v", list, err)
	}
	got, err := e.c.GetInstance(ctx, in.ID)
	if err != nil || got.Name != in.Name || got.Token.Reveal() != tok {
		t.Fatalf("get %+v %v", got, err)
	}
	events, err := e.c.InstanceEvents(ctx, in.ID)
	if err != nil || len(events) < 3 {
		t.Fatalf("events %v %v", events, err)
	}
	for _, ev := range events {
		if ev.ID == "" || ev.Date().IsZero() || !strings.Contains(strings.Join(cloudelements.EventStatuses, " "), ev.Status) {
			t.Fatalf("event %+v", ev)
		}
	}
	if err := e.srv.AddEvents(in.ID, sandbox.Event{Status: "NEW", ObjectType: "files"}, sandbox.Event{Status: "NEW"}); err != nil {
		t.Fatal(err)
	}
	events, _ = e.c.InstanceEvents(ctx, in.ID)
	if by := cloudelements.CountByStatus(events); by["NEW"] < 3 {
		t.Fatalf("counts by status %v", by)
	}
	if err := e.c.DeleteInstance(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.GetInstance(ctx, in.ID); statusOf(err) != 404 {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestCreateWithPollerConfiguration(t *testing.T) {
	e := newEnv(t)
	b := body("with-poller", e.authorize(callback))
	folders, err := flow.PollingPresets().CopyTo("events", "folders", flow.FolderContentsExample)
	if err != nil {
		t.Fatal(err)
	}
	b.Configuration.PollerConfiguration = folders.Without("events")
	b.Configuration.RefreshInterval = "5"
	in, err := e.c.CreateInstance(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	p, err := in.PollerConfig()
	if err != nil || strings.Join(p.Names(), ",") != "folders" {
		t.Fatalf("poller %v %v", p.Names(), err)
	}
	if n, _ := in.RefreshInterval(); n != 5 {
		t.Fatalf("interval %d", n)
	}
}

// TestInspectBrokenInstance is what the doctor sees for an instance whose
// state went bad after creation.
func TestInspectBrokenInstance(t *testing.T) {
	e := newEnv(t)
	in := e.create("broken")
	_ = e.srv.SetDisabled(in.ID, true)
	_ = e.srv.SetValid(in.ID, false)
	_ = e.srv.SetEventsEnabled(in.ID, false)
	_ = e.srv.SetConfiguration(in.ID, flow.KeyPollerConfiguration, "{not json")
	_ = e.srv.SetConfiguration(in.ID, flow.KeyRefreshInterval, "soon")
	got, err := e.c.GetInstance(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Disabled || got.Valid || got.EventsEnabled {
		t.Fatalf("flags %+v", got)
	}
	if on, _ := got.NotificationsEnabled(); on {
		t.Fatal("notifications still on")
	}
	if _, err := got.PollerConfig(); err == nil {
		t.Fatal("a broken poller configuration parsed")
	}
	if _, err := got.RefreshInterval(); err == nil {
		t.Fatal("a broken interval parsed")
	}
	_, err = e.c.InstanceEvents(ctx, in.ID)
	if ae := apiErr(t, err); ae.Status != 403 || !contains(ae.Hint(), "disabled") {
		t.Fatalf("events of a disabled instance: %v / %s", err, ae.Hint())
	}
}
