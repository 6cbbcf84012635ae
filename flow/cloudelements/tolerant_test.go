package cloudelements_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
)

// TestTolerantParsing serves answers in the other shapes the API page says
// may occur (native types instead of strings, the poller configuration as
// an object, string ids, unknown fields) over real HTTP.
func TestTolerantParsing(t *testing.T) {
	answers := map[string]string{
		"/elements/api-v2/instances/7": `{"id":"7","name":"n","token":"tok","createdDate":1700000000000,
			"element":{"id":"5127","key":"docushareflex","unknown":{"deep":[1,2]}},
			"valid":"true","disabled":"false","eventsEnabled":true,"tags":["a",1],
			"configuration":{"event.notification.enabled":true,"event.poller.refresh_interval":15,
				"event.poller.configuration":{"files":{"url":"/hubs/documents/files","idField":"id"}},
				"oauth.api.secret":null},
			"brandNewField":{"x":1}}`,
		"/elements/api-v2/instances/7/events": `[{"id":99,"eventDate":"2026-01-02T03:04:05.000+0000","status":"notified","extra":true},
			{"id":"100","eventDate":1767323045000,"status":"NEW"}]`,
		"/elements/api-v2/elements/docushareflex/configuration": `{"configuration":[
			{"key":"event.poller.configuration","defaultValue":{"events":{"url":"/hubs/documents/events","idField":"id"}},"required":"false"}]}`,
		"/elements/api-v2/elements/5127/metadata": `{"events":{"supported":"true","methods":"polling, webhook"}}`,
		"/elements/api-v2/elements/docushareflex": `{"id":"5127","key":"docushareflex","configuration":[{"key":"a","defaultValue":15,"required":true}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			http.Error(w, "<html>gateway page</html>", http.StatusBadGateway)
			return
		}
		w.Write([]byte(a))
	}))
	defer srv.Close()
	c, _ := cloudelements.New(srv.URL, flow.NewSecret("u"), flow.NewSecret("o"), cloudelements.WithRetry(fastRetry))

	in, err := c.GetInstance(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != 7 || in.Element.ID != 5127 || !in.Valid || in.Disabled || !in.EventsEnabled || strings.Join(in.Tags, ",") != "a,1" || in.Created().Year() != 2023 {
		t.Fatalf("instance %+v", in)
	}
	if on, err := in.NotificationsEnabled(); !on || err != nil {
		t.Fatalf("enabled %v %v", on, err)
	}
	if n, err := in.RefreshInterval(); n != 15 || err != nil {
		t.Fatalf("interval %v %v", n, err)
	}
	if p, err := in.PollerConfig(); err != nil || strings.Join(p.Names(), ",") != "files" {
		t.Fatalf("poller %v %v", p, err)
	}
	events, err := c.InstanceEvents(ctx, 7)
	if err != nil || len(events) != 2 || events[0].ID != "99" || events[0].Status != "NOTIFIED" || events[0].Date().IsZero() || events[1].Date().IsZero() {
		t.Fatalf("events %+v %v", events, err)
	}
	p, err := c.ElementPollerDefaults(ctx)
	if err != nil || strings.Join(p.Names(), ",") != "events" {
		t.Fatalf("defaults %v %v", p, err)
	}
	md, err := c.ElementMetadata(ctx, 5127)
	if err != nil || !md.SupportsPolling() || len(md.Events.Methods) != 2 {
		t.Fatalf("metadata %+v %v", md, err)
	}
	el, err := c.ElementInfo(ctx)
	if err != nil || el.ID != 5127 || el.Configuration[0].DefaultValue != "15" || !el.Active {
		t.Fatalf("element %+v %v", el, err)
	}
	// A gateway's HTML page: the status and its text, nothing of the page.
	_, err = c.ListInstances(ctx, cloudelements.InstanceQuery{})
	if ae := apiErr(t, err); ae.Status != 502 || strings.Contains(ae.Error(), "<html>") {
		t.Fatalf("gateway error %v", err)
	}
}

func TestParsePollerDefault(t *testing.T) {
	for _, v := range []string{"", "  ", "{}", `""`} {
		if _, err := cloudelements.ParsePollerDefault(v); err != cloudelements.ErrNoPollerDefaults {
			t.Errorf("%q: %v", v, err)
		}
	}
	if _, err := cloudelements.ParsePollerDefault("{"); err == nil || err == cloudelements.ErrNoPollerDefaults {
		t.Errorf("broken JSON: %v", err)
	}
	p, err := cloudelements.ParsePollerDefault(`"{\"a\":{\"url\":\"/x\",\"idField\":\"id\"}}"`)
	if err != nil || len(p) != 1 || p[0].Name != "a" {
		t.Errorf("string form: %v %v", p, err)
	}
}

// create --json prints the instance as Cloud Elements sent it: every field,
// unknown ones included, with the token and secret-looking configuration
// values masked.
func TestInstanceMaskedJSON(t *testing.T) {
	raw := `{"id":7,"name":"n","token":"TOKEN-VALUE","maxCacheSize":0,"user":{"id":1},
		"configuration":{"oauth.api.secret":"********","oauth.user.token":"ACCESS-VALUE","oauth.user.refresh_token":"REFRESH-VALUE","event.notification.signature.key":"SIGNING-VALUE","docushare.domain":"a.docushareflex.com"}}`
	var in cloudelements.Instance
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatal(err)
	}
	out, err := in.MaskedJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"TOKEN-VALUE", "ACCESS-VALUE", "REFRESH-VALUE", "SIGNING-VALUE"} {
		if strings.Contains(string(out), leak) {
			t.Fatalf("%s leaked:\n%s", leak, out)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m["maxCacheSize"] != float64(0) || m["user"] == nil || m["token"] != flow.Mask {
		t.Fatalf("fields lost or token not masked:\n%s", out)
	}
	if cfg := m["configuration"].(map[string]any); cfg["docushare.domain"] != "a.docushareflex.com" || cfg["oauth.user.token"] != flow.Mask {
		t.Fatalf("configuration: %v", cfg)
	}
	if _, ok := m["recovered"]; ok {
		t.Fatal("recovered is cewiz's, not Cloud Elements'")
	}
}
