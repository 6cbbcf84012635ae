package doctor

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

func answers() flow.Answers {
	a := flow.NewAnswers()
	a.Domain = "acme.docushareflex.com"
	a.NotificationURL = "https://hooks.example.com/events"
	return a
}

func want(t *testing.T, name string, r Result, status Status, inFinding string) {
	t.Helper()
	if r.Status != status || !strings.Contains(r.Finding, inFinding) {
		t.Errorf("%s: got %s %q (next %q); want %s containing %q", name, r.Status, r.Finding, r.Next, status, inFinding)
	}
	if r.ID == "" || r.Title == "" {
		t.Errorf("%s: result without id or title: %+v", name, r)
	}
	if strings.Contains(r.Finding, "\n") || strings.Contains(r.Next, "\n") {
		t.Errorf("%s: not one line: %+v", name, r)
	}
	if r.Status != Pass && r.Status != Skip && r.Next == "" {
		t.Errorf("%s: %s without a next step", name, r.Status)
	}
}

func TestCheckBaseURL(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		p      *fakeProber
		status Status
		in     string
	}{
		{"401 without credentials is an answer", &fakeProber{status: 401}, Pass, "answers at"},
		{"200", &fakeProber{status: 200}, Pass, "region us"},
		{"404 wrong region or path", &fakeProber{status: 404}, Fail, "wrong region"},
		{"503", &fakeProber{status: 503}, Warn, "trouble"},
		{"redirect", &fakeProber{status: 301}, Warn, "redirect"},
		{"429", &fakeProber{status: 429}, Warn, "rate"},
		{"dns", &fakeProber{err: errNX}, Fail, "does not resolve"},
		{"tls", &fakeProber{err: errors.New("tls: failed to verify certificate")}, Fail, "TLS"},
		{"refused", &fakeProber{err: syscall.ECONNREFUSED}, Fail, "connection refused"},
		{"timeout", &fakeProber{err: context.DeadlineExceeded}, Fail, "in time"},
		{"other", &fakeProber{err: errors.New("boom")}, Fail, "Could not reach"},
	}
	for _, c := range cases {
		r := CheckBaseURL(ctx, answers(), c.p)
		want(t, c.name, r, c.status, c.in)
		if c.p.got != flow.Regions["us"]+"/elements/docushareflex" {
			t.Errorf("%s: probed %q", c.name, c.p.got)
		}
	}
	want(t, "nil prober", CheckBaseURL(ctx, answers(), nil), Skip, "")
}

func TestCheckSecrets(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		have   bool
		api    *fakeAPI
		status Status
		in     string
	}{
		{"accepted", true, &fakeAPI{element: &cloudelements.Element{Key: "docushareflex"}}, Pass, "accepted"},
		{"401", true, &fakeAPI{elementErr: &cloudelements.APIError{Status: 401, RequestID: "r1"}}, Fail, "refused"},
		{"404 passed auth", true, &fakeAPI{elementErr: &cloudelements.APIError{Status: 404}}, Pass, "accepted"},
		{"500", true, &fakeAPI{elementErr: &cloudelements.APIError{Status: 500, Message: "oops"}}, Warn, "500"},
		{"403", true, &fakeAPI{elementErr: &cloudelements.APIError{Status: 403}}, Fail, "403"},
		{"net", true, &fakeAPI{elementErr: &cloudelements.NetError{Kind: cloudelements.NetRefused}}, Fail, "refused"},
		{"no secrets", false, &fakeAPI{}, Skip, "No secrets"},
	}
	for _, c := range cases {
		want(t, c.name, CheckSecrets(ctx, c.have, c.api), c.status, c.in)
	}
	if r := CheckSecrets(ctx, true, nil); r.Status != Skip {
		t.Fatalf("nil API: %+v", r)
	}
	// A refused secret or an error answer gets the next step the wizard and
	// create give for the same cause.
	for _, err := range []error{&cloudelements.APIError{Status: 401}, &cloudelements.APIError{Status: 403}, &cloudelements.APIError{Status: 500}} {
		if r := CheckSecrets(ctx, true, &fakeAPI{elementErr: err}); r.Next != journey.Explain(err).Next {
			t.Errorf("%v: next %q, want %q", err, r.Next, journey.Explain(err).Next)
		}
	}
}

func TestCheckElement(t *testing.T) {
	ctx := context.Background()
	el := &cloudelements.Element{ID: 5127, Key: "docushareflex"}
	polling := &cloudelements.Metadata{Events: cloudelements.EventsMetadata{Supported: true, Methods: []string{"polling"}}}
	cases := []struct {
		name   string
		api    *fakeAPI
		status Status
		in     string
	}{
		{"exists and polls", &fakeAPI{element: el, meta: polling}, Pass, "id 5127"},
		{"unknown", &fakeAPI{elementErr: &cloudelements.APIError{Status: 404}}, Fail, "not found"},
		{"no polling", &fakeAPI{element: el, meta: &cloudelements.Metadata{}}, Fail, "does not say"},
		{"metadata error", &fakeAPI{element: el, metaErr: &cloudelements.APIError{Status: 500}}, Warn, "metadata could not be read"},
		{"element 500", &fakeAPI{elementErr: &cloudelements.APIError{Status: 502}}, Warn, "502"},
	}
	for _, c := range cases {
		want(t, c.name, CheckElement(ctx, "", c.api), c.status, c.in)
	}
	// Metadata is asked for by the element's numeric id, never its key.
	api := &fakeAPI{element: el, meta: polling}
	CheckElement(ctx, "", api)
	if api.metaID != 5127 {
		t.Fatalf("metadata asked for element %d, want 5127", api.metaID)
	}
	noID := &fakeAPI{element: &cloudelements.Element{Key: "docushareflex"}, meta: polling}
	want(t, "no id", CheckElement(ctx, "", noID), Warn, "no numeric id")
	if noID.calls["metadata"] != 0 {
		t.Fatal("metadata asked for without an id")
	}
}

func TestCheckDomain(t *testing.T) {
	ctx := context.Background()
	r := fakeResolver{"nope.docushareflex.com": errNX, "slow.docushareflex.com": errDNSTimeout}
	cases := []struct {
		raw     string
		sandbox bool
		status  Status
		in      string
	}{
		{"", false, Skip, "No domain"},
		{"evil.com/x y", false, Fail, "not a DocuShare Flex domain"},
		{"https://acme.docushareflex.com/dsweb", false, Pass, "acme.docushareflex.com is well formed and resolves (192.0.2.10)"},
		{"nope", false, Fail, "does not resolve"},
		{"slow", false, Warn, "did not answer"},
		{"nope", true, Pass, "sandbox"},
	}
	for _, c := range cases {
		want(t, "domain "+c.raw, CheckDomain(ctx, c.raw, c.sandbox, r), c.status, c.in)
	}
}

func TestCheckNotifyURL(t *testing.T) {
	ctx := context.Background()
	r := fakeResolver{"gone.example.com": errNX}
	cases := []struct {
		raw    string
		events bool
		status Status
		in     string
	}{
		{"", true, Warn, "No notification URL"},
		{"", false, Skip, "Events are off"},
		// No https-only rule: the doctor warns about plain http, it does not fail.
		{"http://hooks.example.com/e", true, Warn, "unencrypted"},
		{"ftp://hooks.example.com/e", true, Fail, "https"},
		{"http://127.0.0.1:8080/e", true, Warn, "testing only"},
		{"https://gone.example.com/e", true, Fail, "does not resolve"},
		{"https://hooks.example.com/e", true, Pass, "resolves"},
		{"https://192.0.2.1/e", true, Pass, "https"},
	}
	for _, c := range cases {
		want(t, "notify "+c.raw, CheckNotifyURL(ctx, c.raw, c.events, r), c.status, c.in)
	}
}

func TestCheckLoopbackPort(t *testing.T) {
	ctx := context.Background()
	a := answers()
	inUse := &oauthlistener.PortUnavailableError{Addr: "127.0.0.1:23949", Port: 23949, Cause: oauthlistener.CauseInUse, Err: syscall.EADDRINUSE}
	cases := []struct {
		name   string
		a      flow.Answers
		listen string
		ports  PortProber
		status Status
		in     string
	}{
		{"free", a, "", fakePorts{}, Pass, "127.0.0.1:23949 is free"},
		{"in use by", a, "", fakePorts{err: inUse, holder: "node (pid 42)"}, Fail, "in use by node (pid 42)"},
		{"in use, holder unknown", a, "", fakePorts{err: inUse}, Fail, "is in use."},
		{"another cewiz", a, "", fakePorts{err: &oauthlistener.AlreadyWaitingError{Port: 23949}}, Fail, "Another cewiz"},
		{"ephemeral", a, "127.0.0.1:0", fakePorts{err: inUse}, Pass, "free port is picked"},
		{"registered callback", func() flow.Answers { b := a; b.CallbackURL = "https://auth.cloudelements.io/oauth"; return b }(), "", fakePorts{}, Skip, "registered URL"},
		{"no prober", a, "", nil, Skip, ""},
	}
	for _, c := range cases {
		want(t, c.name, CheckLoopbackPort(ctx, c.a, c.listen, c.ports), c.status, c.in)
	}
}

func TestCheckBrowser(t *testing.T) {
	cases := []struct {
		name   string
		b      BrowserChecker
		status Status
		in     string
		next   string
	}{
		{"xdg-open", fakeBrowser{plan: oauthlistener.Plan{From: "xdg-open"}}, Pass, "xdg-open", ""},
		{"ssh", fakeBrowser{err: &oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonSSH, Detail: "this is an SSH session"}}, Warn, "SSH", "ssh -L 23949:127.0.0.1:23949"},
		{"no display", fakeBrowser{err: &oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonNoDisplay, Detail: "there is no graphical display"}}, Warn, "display", "paste"},
		{"launch", fakeBrowser{err: errors.New("weird")}, Warn, "weird", "paste"},
		{"nil", nil, Skip, "", ""},
	}
	for _, c := range cases {
		r := CheckBrowser(c.b, 23949, "me@host")
		want(t, c.name, r, c.status, c.in)
		if !strings.Contains(r.Next, c.next) {
			t.Errorf("%s: next %q lacks %q", c.name, r.Next, c.next)
		}
	}
}

func goodInstance() *cloudelements.Instance {
	return &cloudelements.Instance{
		ID: 7, Name: "docushareflex-acme", Valid: true, EventsEnabled: true,
		Element: cloudelements.InstanceElement{Key: "docushareflex"},
		Configuration: map[string]string{
			"event.notification.enabled":      "true",
			"event.notification.callback.url": "https://hooks.example.com/events",
			"event.vendor.type":               "polling",
			"event.poller.refresh_interval":   "15",
			"event.poller.configuration":      `{"events":{"url":"/hubs/documents/events","idField":"id","datesConfiguration":{"updatedDateField":"modifiedDate","updatedDateFormat":"yyyy-MM-dd'T'HH:mm:ss'Z'","createdDateField":"createdDate","createdDateFormat":"milliseconds"}}}`,
		},
	}
}

func TestCheckInstance(t *testing.T) {
	ctx := context.Background()
	mod := func(f func(*cloudelements.Instance)) *cloudelements.Instance { in := goodInstance(); f(in); return in }
	cases := []struct {
		name   string
		api    *fakeAPI
		status Status
		in     string
	}{
		{"good", &fakeAPI{inst: goodInstance()}, Pass, "valid and enabled"},
		{"404", &fakeAPI{instErr: &cloudelements.APIError{Status: 404}}, Fail, "no instance 7"},
		{"disabled", &fakeAPI{inst: mod(func(i *cloudelements.Instance) { i.Disabled = true })}, Fail, "disabled"},
		{"invalid", &fakeAPI{inst: mod(func(i *cloudelements.Instance) { i.Valid = false })}, Fail, "not valid"},
		{"other element", &fakeAPI{inst: mod(func(i *cloudelements.Instance) { i.Element.Key = "box" })}, Warn, "box"},
	}
	for _, c := range cases {
		r, _ := CheckInstance(ctx, c.api, 7)
		want(t, c.name, r, c.status, c.in)
	}
}

func TestInstanceDerivedChecks(t *testing.T) {
	mod := func(f func(*cloudelements.Instance)) *cloudelements.Instance { in := goodInstance(); f(in); return in }
	set := func(k, v string) *cloudelements.Instance {
		return mod(func(i *cloudelements.Instance) { i.Configuration[k] = v })
	}
	cases := []struct {
		name   string
		check  func(*cloudelements.Instance) Result
		in     *cloudelements.Instance
		status Status
		text   string
	}{
		{"events on", CheckInstanceEvents, goodInstance(), Pass, "hooks.example.com"},
		{"events off", CheckInstanceEvents, mod(func(i *cloudelements.Instance) {
			i.EventsEnabled = false
			i.Configuration["event.notification.enabled"] = "false"
		}), Fail, "Events are off"},
		{"events flag garbage", CheckInstanceEvents, set("event.notification.enabled", "maybe"), Warn, "cannot be read"},
		{"no callback url", CheckInstanceEvents, set("event.notification.callback.url", ""), Warn, "no event.notification.callback.url"},
		// No https-only rule: plain http warns (unencrypted), it does not fail.
		{"http callback", CheckInstanceEvents, set("event.notification.callback.url", "http://x.example.com/"), Warn, "unencrypted"},
		{"ftp callback", CheckInstanceEvents, set("event.notification.callback.url", "ftp://x.example.com/"), Fail, "not usable"},
		{"polling", CheckVendorType, goodInstance(), Pass, "polling"},
		{"webhook", CheckVendorType, set("event.vendor.type", "webhook"), Fail, `"webhook"`},
		{"vendor unset", CheckVendorType, set("event.vendor.type", ""), Fail, "not set"},
		{"interval", CheckInterval, goodInstance(), Pass, "every 15 minutes"},
		{"interval text", CheckInterval, set("event.poller.refresh_interval", "soon"), Fail, "not a whole number"},
		{"interval range", CheckInterval, set("event.poller.refresh_interval", "0"), Fail, "between"},
		{"interval long", CheckInterval, set("event.poller.refresh_interval", "600"), Warn, "600"},
		{"interval unset", CheckInterval, set("event.poller.refresh_interval", ""), Warn, "not set"},
		{"poller", CheckPoller, goodInstance(), Pass, "Polls events"},
		{"poller unset", CheckPoller, set("event.poller.configuration", ""), Pass, "default"},
		{"poller garbage", CheckPoller, set("event.poller.configuration", "{not json"), Fail, "does not parse"},
		{"poller bad format", CheckPoller, set("event.poller.configuration", `{"events":{"url":"/hubs/documents/events","idField":"id","datesConfiguration":{"updatedDateField":"modifiedDate","updatedDateFormat":"yyyy-MM-dd'T"}}}`), Fail, "updatedDateFormat"},
		{"poller bad url", CheckPoller, set("event.poller.configuration", `{"events":{"url":"no slash","idField":"id"}}`), Fail, "url"},
		{"poller no dates", CheckPoller, set("event.poller.configuration", `{"events":{"url":"/hubs/documents/events","idField":"id"}}`), Warn, "no date fields"},
		// What Cloud Elements' docs use: '/' in a resource name, an empty idField.
		{"poller as the docs write it", CheckPoller, set("event.poller.configuration", `{"calendars/primary/changed-events":{"url":"/hubs/scheduling/calendars/primary/changed-events","idField":"",`+
			`"datesConfiguration":{"updatedDateField":"updated","updatedDateFormat":"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}}}`), Pass, "calendars/primary/changed-events"},
		{"poller with artefacts and string numbers", CheckPoller, set("event.poller.configuration", `{\n\t"events": {"url":"/hubs/documents/events","idField":"id","pageSize":"200",`+
			`"datesConfiguration":{"updatedDateField":"modifiedDate","updatedDateFormat":"yyyy-MM-dd'T'HH:mm:ss'Z'"}}\n}`), Pass, "Polls events"},
	}
	for _, c := range cases {
		want(t, c.name, c.check(c.in), c.status, c.text)
	}
}

func TestCheckEventLog(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	inst := func(interval string, age time.Duration) *cloudelements.Instance {
		return &cloudelements.Instance{ID: 7, CreatedDate: at(age), Configuration: map[string]string{"event.poller.refresh_interval": interval}}
	}
	old := inst("15", 48*time.Hour)
	cases := []struct {
		name   string
		api    *fakeAPI
		in     *cloudelements.Instance
		status Status
		text   string
	}{
		{"none on an old instance", &fakeAPI{}, old, Warn, "No events"},
		{"none on a new instance", &fakeAPI{}, inst("15", 10*time.Minute), Pass, "new and polls every 15 minutes"},
		{"none, instance unknown", &fakeAPI{}, nil, Warn, "No events"},
		// Sorted by eventDate whatever the order of the answer.
		{"all delivered", &fakeAPI{events: []cloudelements.Event{
			{ID: "1", Status: "NEW", EventDate: at(10 * time.Second)},
			{ID: "3", Status: "NOTIFIED", EventDate: at(time.Minute)},
			{ID: "2", Status: "NOTIFIED", EventDate: at(2 * time.Hour)},
		}}, old, Pass, "3 recent events: 1 NEW, 2 NOTIFIED; the newest at " + at(10*time.Second)},
		// No failure status in the record: an unknown one is counted, not judged.
		{"unknown status is not a failure", &fakeAPI{events: []cloudelements.Event{
			{ID: "9", Status: "NOTIFIED", EventDate: at(time.Minute)},
			{ID: "8", Status: "FAILED", EventDate: at(time.Hour)},
		}}, old, Pass, "1 NOTIFIED, 1 FAILED"},
		{"stuck NEW past two intervals", &fakeAPI{events: []cloudelements.Event{
			{ID: "6", Status: "NOTIFIED", EventDate: at(time.Minute)},
			{ID: "5", Status: "NEW", EventDate: at(31 * time.Minute)},
			{ID: "4", Status: "RECEIVED", EventDate: at(3 * time.Hour)},
		}}, old, Warn, "2 still NEW or RECEIVED after more than 30 minutes (2 polling intervals), the oldest event 4"},
		{"NEW within two intervals is not stuck", &fakeAPI{events: []cloudelements.Event{
			{ID: "5", Status: "NEW", EventDate: at(29 * time.Minute)},
		}}, old, Pass, "1 NEW"},
		{"the interval comes from the instance", &fakeAPI{events: []cloudelements.Event{
			{ID: "5", Status: "RECEIVED", EventDate: at(3 * time.Hour)},
		}}, inst("120", 48*time.Hour), Pass, "1 RECEIVED"},
		{"DISPATCHED is never stuck", &fakeAPI{events: []cloudelements.Event{
			{ID: "5", Status: "DISPATCHED", EventDate: at(30 * time.Hour)},
		}}, old, Pass, "1 DISPATCHED"},
		{"disabled 403", &fakeAPI{eventsErr: &cloudelements.APIError{Status: 403}}, old, Fail, "disabled"},
		{"500", &fakeAPI{eventsErr: &cloudelements.APIError{Status: 500}}, old, Warn, "500"},
	}
	for _, c := range cases {
		want(t, c.name, CheckEventLog(ctx, c.api, 7, c.in, flow.Secret{}, now), c.status, c.text)
	}
}

// The doctor names the last events with their statuses (and the object
// when providerData says), newest first.
func TestCheckEventLogLastEvents(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	api := &fakeAPI{events: []cloudelements.Event{
		{ID: "1", Status: "NOTIFIED", EventDate: at(4 * time.Minute)},
		{ID: "4", Status: "CONSUMED", EventDate: at(time.Minute), ProviderData: `{"objectType":"events","objectId":10407,"eventType":"updated"}`},
		{ID: "3", Status: "NOTIFIED", EventDate: at(2 * time.Minute)},
		{ID: "2", Status: "NOTIFIED", EventDate: at(3 * time.Minute)},
	}}
	r := CheckEventLog(context.Background(), api, 7, nil, flow.Secret{}, now)
	want(t, "last events", r, Pass, "last events, newest first: 4 CONSUMED (events UPDATED 10407), 3 NOTIFIED, 2 NOTIFIED.")
}

// The log is read with the platform secrets, as the public record does; the
// instance token from the saved summary is tried only when that is refused.
func TestCheckEventLogInstanceToken(t *testing.T) {
	now := time.Now()
	refused := &cloudelements.APIError{Status: 401}
	api := &fakeAPI{eventsErr: refused, tokenEvents: []cloudelements.Event{{ID: "9", Status: "NOTIFIED", EventDate: now.Format(time.RFC3339)}}}
	want(t, "no token", CheckEventLog(context.Background(), api, 7, nil, flow.Secret{}, now), Fail, "401")
	r := CheckEventLog(context.Background(), api, 7, nil, flow.NewSecret("instance-token"), now)
	want(t, "with the token", r, Pass, "1 NOTIFIED")
	if api.tokenSeen != "instance-token" || strings.Contains(r.Finding, "instance-token") {
		t.Fatalf("token sent %q; finding %q", api.tokenSeen, r.Finding)
	}
	api = &fakeAPI{events: []cloudelements.Event{{ID: "9", Status: "NEW", EventDate: now.Format(time.RFC3339)}}}
	CheckEventLog(context.Background(), api, 7, nil, flow.NewSecret("instance-token"), now)
	if api.calls["events-token"] != 0 {
		t.Fatal("the token was sent although the log was read without it")
	}
}

func TestParseInstanceID(t *testing.T) {
	if n, err := ParseInstanceID(" 42 "); err != nil || n != 42 {
		t.Fatal(n, err)
	}
	for _, s := range []string{"", "x", "-1", "0"} {
		if _, err := ParseInstanceID(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// startedWaiter is the real receiver, telling the test when the wait began.
type startedWaiter struct {
	ReceiverWaiter
	started chan struct{}
}

func (w startedWaiter) WaitNotification(ctx context.Context, addr string, id int64) (events.Delivery, error) {
	close(w.started)
	return w.ReceiverWaiter.WaitNotification(ctx, addr, id)
}

// TestCheckNotificationDeliveryCanceled: Ctrl-C while --listen-events waits
// (the caller's context canceled, the wait's own time not run out) is a
// skipped row, not a failure to listen.
func TestCheckNotificationDeliveryCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := startedWaiter{started: make(chan struct{})}
	go func() {
		<-w.started
		cancel()
	}()
	r := CheckNotificationDelivery(ctx, w, "127.0.0.1:0", 0, time.Hour)
	want(t, "canceled", r, Skip, "Canceled.")
}
