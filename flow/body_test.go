package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// seedAnswers are the inputs of the seed document's example.
func seedAnswers() Answers {
	a := NewAnswers()
	a.Name = "myCoolInstance"
	a.CallbackURL = "https://auth.cloudelements.io/oauth"
	a.NotificationURL = "https://www.mycoolapplication.com/events"
	return a
}

func parseJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return v
}

func mustMarshal(t *testing.T, b Body) []byte {
	t.Helper()
	out, err := MarshalBody(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSeedInputsGiveSeedBody(t *testing.T) {
	want, err := os.ReadFile("testdata/seed-body.json")
	if err != nil {
		t.Fatal(err)
	}
	got := mustMarshal(t, BuildBody(seedAnswers(), Secrets{}, SecretsPlaceholder))
	if !reflect.DeepEqual(parseJSON(t, got), parseJSON(t, want)) {
		t.Fatalf("body differs from the seed's\ngot:\n%s\nwant:\n%s", got, want)
	}
	// Placeholders are written as typed, not HTML-escaped.
	if !bytes.Contains(got, []byte(`"<INSERT_API_SECRET>"`)) {
		t.Fatalf("placeholders were escaped:\n%s", got)
	}
}

func TestBodyFieldOrderFollowsSeed(t *testing.T) {
	a := seedAnswers()
	a.Tags = []string{"t"}
	a.Polling = PollingPresets()
	got := string(mustMarshal(t, BuildBody(a, Secrets{}, SecretsPlaceholder)))
	order := []string{`"element"`, `"configuration"`, `"oauth.api.secret"`, `"oauth.callback.url"`, `"oauth.api.key"`,
		`"event.vendor.type"`, `"event.poller.refresh_interval"`, `"event.notification.enabled"`, `"docushare.domain"`,
		`"event.notification.callback.url"`, `"event.poller.configuration"`, `"events"`, `"files"`, `"folders"`,
		`"name"`, `"providerData"`, `"tags"`}
	last := -1
	for _, k := range order {
		i := strings.Index(got, k)
		if i <= last {
			t.Fatalf("%s is out of order in\n%s", k, got)
		}
		last = i
	}
}

func TestBuildBodyValueTypesAndOptionalParts(t *testing.T) {
	a := seedAnswers()
	a.RefreshInterval = 60
	a.EventsEnabled = false
	a.NotificationURL = ""
	var m map[string]any
	if err := json.Unmarshal(mustMarshal(t, BuildBody(a, Secrets{}, SecretsPlaceholder)), &m); err != nil {
		t.Fatal(err)
	}
	cfg := m["configuration"].(map[string]any)
	if cfg[KeyRefreshInterval] != "60" {
		t.Errorf("refresh interval %#v, want the string \"60\"", cfg[KeyRefreshInterval])
	}
	if cfg[KeyNotificationEnabled] != false {
		t.Errorf("notifications %#v, want the boolean false", cfg[KeyNotificationEnabled])
	}
	if _, ok := cfg[KeyNotificationURL]; ok {
		t.Error("events off and no URL: the notification URL should be left out")
	}
	if _, ok := cfg[KeyPollerConfiguration]; ok {
		t.Error("no resources chosen: event.poller.configuration must be left out")
	}
	if _, ok := m["tags"]; ok {
		t.Error("no tags: tags must be left out")
	}
	a.EventsEnabled = true
	if b := BuildBody(a, Secrets{}, SecretsPlaceholder); b.Configuration.NotificationURL != PlaceholderNotificationURL {
		t.Errorf("events on without a URL: got %q, want the placeholder", b.Configuration.NotificationURL)
	}
	a.Domain = "acme.docushareflex.com"
	a.Name = ""
	if b := BuildBody(a, Secrets{}, SecretsPlaceholder); b.Name != "docushareflex-acme" {
		t.Errorf("suggested name %q", b.Name)
	}
}

func TestBuildBodySecretsModes(t *testing.T) {
	a := seedAnswers()
	a.Code = NewSecret("code-XYZ")
	s := Secrets{APISecret: NewSecret("app-secret-XYZ")}
	cases := []struct {
		mode             SecretsMode
		wantSec, wantCod string
	}{
		{SecretsPlaceholder, PlaceholderAPISecret, PlaceholderCode},
		{SecretsMasked, Mask, Mask},
		{SecretsIncluded, "app-secret-XYZ", "code-XYZ"},
	}
	for _, c := range cases {
		b := BuildBody(a, s, c.mode)
		if b.Configuration.APISecret != c.wantSec || b.ProviderData.Code != c.wantCod {
			t.Errorf("mode %d: secret %q code %q; want %q %q", c.mode, b.Configuration.APISecret, b.ProviderData.Code, c.wantSec, c.wantCod)
		}
	}
	// Missing secrets are placeholders in every mode, never an empty string.
	b := BuildBody(NewAnswers(), Secrets{}, SecretsIncluded)
	if b.Configuration.APISecret != PlaceholderAPISecret || b.ProviderData.Code != PlaceholderCode {
		t.Errorf("missing secrets: %q %q", b.Configuration.APISecret, b.ProviderData.Code)
	}
}

func fullAnswers() (Answers, Secrets) {
	a := NewAnswers()
	a.Name = "docushareflex-acme"
	a.Tags = []string{"prod", "docs"}
	a.Domain = "acme.docushareflex.com"
	a.APIKey = "app-id-123"
	a.CallbackURL = "https://auth.cloudelements.io/oauth"
	a.NotificationURL = "https://hooks.example.com/ce?team=docs&x=1"
	a.RefreshInterval = 30
	a.Polling, _ = PollingPresets().CopyTo("events", "search")
	a.Code = NewSecret("the-grant-code")
	a.ExtraConfiguration = map[string]any{"event.notification.signature.key": "sig"}
	return a, Secrets{APISecret: NewSecret("app-secret")}
}

func TestRoundTripBodyAnswersBody(t *testing.T) {
	a, s := fullAnswers()
	first := mustMarshal(t, BuildBody(a, s, SecretsIncluded))
	a2, s2, err := ParseBody(first)
	if err != nil {
		t.Fatal(err)
	}
	second := mustMarshal(t, BuildBody(a2, s2, SecretsIncluded))
	if !bytes.Equal(first, second) {
		t.Fatalf("round trip changed the body\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	// The seed body round-trips too, placeholders staying placeholders.
	seed, _ := os.ReadFile("testdata/seed-body.json")
	sa, ss, err := ParseBody(seed)
	if err != nil {
		t.Fatal(err)
	}
	if sa.APIKey != "" || sa.Domain != "" || !sa.Code.IsZero() || !ss.APISecret.IsZero() {
		t.Fatalf("placeholders were read as values: %+v", sa)
	}
	if !reflect.DeepEqual(parseJSON(t, mustMarshal(t, BuildBody(sa, ss, SecretsPlaceholder))), parseJSON(t, seed)) {
		t.Fatal("seed body did not survive the round trip")
	}
}

func TestParseBodyTolerance(t *testing.T) {
	// Cloud Elements' answer style: every value a string, the poller
	// configuration a JSON-encoded string, a URL as the domain.
	in := `{"element":{"key":"docushareflex"},"name":"n","configuration":{
		"event.poller.refresh_interval": 20, "event.notification.enabled": "false",
		"docushare.domain": "https://acme.docushareflex.com/",
		"oauth.api.secret": "********",
		"event.poller.configuration": "{\"files\":{\"url\":\"/hubs/documents/files\",\"idField\":\"id\",\"pageSize\":50}}"}}`
	a, s, err := ParseBody([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if a.RefreshInterval != 20 || a.EventsEnabled || a.Domain != "acme.docushareflex.com" || !s.APISecret.IsZero() {
		t.Fatalf("parsed %+v", a)
	}
	if r, ok := a.Polling.Get("files"); !ok || *r.PageSize != 50 {
		t.Fatalf("poller configuration: %+v", a.Polling)
	}
	bad := map[string]string{
		`{`:                         "not valid JSON",
		`{"element":{"key":"box"}}`: `element "box"`,
		`{"configuration":{"docushare.domain":"evil.com"}}`:                    `"docushare.domain"`,
		`{"configuration":{"event.poller.refresh_interval":"0"}}`:              "between 1 and 1440",
		`{"configuration":{"event.notification.enabled":"maybe"}}`:             "true or false",
		`{"configuration":{"event.vendor.type":"webhook"}}`:                    "not supported",
		`{"configuration":{"event.poller.configuration":"[1]"}}`:               "JSON object keyed by resource name",
		`{"configuration":{"event.poller.configuration":{"e":{"url":"x"}}}}`:   "starting with /",
		`{"configuration":{"event.notification.callback.url":"http://x.com"}}`: "https",
		`{"configuration":{"oauth.callback.url":"nope"}}`:                      "absolute URL",
		`{"name":""}`:      "name",
		`{"tags":["a,b"]}`: "comma",
		`{} {}`:            "more than one JSON value",
		`{"configuration":{"oauth.api.key":{"x":1}}}`:                      "string, a number or a boolean",
		`{"configuration":{"event.poller.configuration":{"a":{},"a":{}}}}`: "appears twice",
	}
	for in, want := range bad {
		if _, _, err := ParseBody([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBody(%s) error %v, want it to contain %q", in, err, want)
		}
	}
}

func TestCopyEventsConfiguration(t *testing.T) {
	p := PollerConfig{PollingPresets()[0]}
	p2, err := p.CopyTo("events", "folders")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p2.Get("folders")
	e, _ := p2.Get("events")
	if f.URL != "/hubs/documents/folders" || f.IDField != e.IDField || *f.DatesConfiguration != *e.DatesConfiguration {
		t.Fatalf("copy: %+v", f)
	}
	f.DatesConfiguration.UpdatedDateField = "changed"
	if e2, _ := p2.Get("events"); e2.DatesConfiguration.UpdatedDateField == "changed" {
		t.Fatal("the copy shares its dates with the original")
	}
	if len(p) != 1 {
		t.Fatal("CopyTo changed its receiver")
	}
	p3, _ := p2.CopyTo("events", "contracts")
	if c, _ := p3.Get("contracts"); c.URL != "/hubs/documents/contracts" {
		t.Fatalf("unknown resource URL %q", c.URL)
	}
	if _, err := p.CopyTo("files", "x"); err == nil || !strings.Contains(err.Error(), "tick it first") {
		t.Fatalf("copy from a missing resource: %v", err)
	}
	if _, err := p.CopyTo("events", "bad name"); err == nil {
		t.Fatal("copy to a bad name accepted")
	}
	if got := strings.Join(PollingPresets().Names(), ","); got != "events,files,folders" {
		t.Fatalf("presets %s, want events first", got)
	}
	if err := PollingPresets().Validate(); err != nil {
		t.Fatalf("presets do not validate: %v", err)
	}
}

func TestSecretNeverFormats(t *testing.T) {
	const value = "hunter2-VALUE"
	s := NewSecret(value)
	type holder struct {
		S  Secret
		SS Secrets
	}
	h := holder{S: s, SS: Secrets{UserSecret: s, OrgSecret: s, APISecret: s}}
	a := NewAnswers()
	a.Code = s
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, a))
	}
	js, _ := json.Marshal(h)
	outs = append(outs, string(js), fmt.Sprint(s), s.String(), s.GoString())
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "s", s, "h", h)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "s", s, "a", a)
	outs = append(outs, logBuf.String())
	for _, o := range outs {
		if strings.Contains(o, value) || strings.Contains(o, fmt.Sprintf("%x", value)) {
			t.Fatalf("a secret leaked: %s", o)
		}
	}
	if s.Reveal() != value || s.String() != Mask || NewSecret("").String() != "" {
		t.Fatal("Reveal/String")
	}
}

func TestExportCurlQuotingAndVariables(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	a, _ := fullAnswers()
	a.Name = `it's "quoted" $HOME ` + "`id`"
	cmd, err := ExportCurl(a, "https://api.cloud-elements.com/elements/api-v2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cmd, "the-grant-code") || strings.Contains(cmd, "app-secret") {
		t.Fatalf("the cURL command holds a secret:\n%s", cmd)
	}
	check := exec.Command("sh", "-n")
	check.Stdin = strings.NewReader(cmd)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s\n%s", err, out, cmd)
	}
}

// The cURL command, run by a real shell and a real curl, sends the same
// body and header as the client would.
func TestExportCurlRunsWithRealCurl(t *testing.T) {
	for _, tool := range []string{"sh", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	type received struct {
		method, path, auth, ctype string
		body                      []byte
	}
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b}
		w.Write([]byte(`{"id":1}`))
	}))
	defer srv.Close()

	a, s := fullAnswers()
	a.Name = `it's "quoted" $HOME ` + "`id`"
	cmd, err := ExportCurl(a, srv.URL+"/elements/api-v2/")
	if err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("sh", "-c", cmd)
	sh.Env = append(os.Environ(), "CEWIZ_USER_SECRET=u-sec", "CEWIZ_ORG_SECRET=o-sec",
		"CEWIZ_API_SECRET="+s.APISecret.Reveal(), "CEWIZ_CODE="+a.Code.Reveal())
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("running the command: %v\n%s", err, out)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/elements/api-v2/instances" || r.auth != "User u-sec, Organization o-sec" || r.ctype != "application/json" {
		t.Fatalf("request: %s %s auth=%q type=%q", r.method, r.path, r.auth, r.ctype)
	}
	want := mustMarshal(t, BuildBody(a, s, SecretsIncluded))
	if !reflect.DeepEqual(parseJSON(t, r.body), parseJSON(t, want)) {
		t.Fatalf("curl sent\n%s\nwant\n%s", r.body, want)
	}

	// An unset secret stops the shell with a message before curl runs.
	sh = exec.Command("sh", "-c", cmd)
	sh.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := sh.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "set CEWIZ_") {
		t.Fatalf("unset variables: err %v, output %s", err, out)
	}
	select {
	case <-got:
		t.Fatal("curl ran without the secrets")
	default:
	}
}
