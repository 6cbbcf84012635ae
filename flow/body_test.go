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

	"github.com/cewiz/cewiz/flow/journey/journeytest"
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
	a.Polling, _ = PollingPresets().CopyTo("events", "folders", FolderContentsExample)
	a.Polling, _ = a.Polling.CopyTo("events", "files", "/hubs/documents/folders/contents?path=/Files")
	got := string(mustMarshal(t, BuildBody(a, Secrets{}, SecretsPlaceholder)))
	order := []string{`"element"`, `"configuration"`, `"oauth.api.secret"`, `"oauth.callback.url"`, `"oauth.api.key"`,
		`"event.vendor.type"`, `"event.poller.refresh_interval"`, `"event.notification.enabled"`, `"docushare.domain"`,
		`"event.notification.callback.url"`, `"event.poller.configuration"`, `"events"`, `"folders"`, `"files"`,
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
	if b := BuildBody(a, Secrets{}, SecretsPlaceholder); b.Name != "docushareflex-acme" || InstanceName(a) != b.Name {
		t.Errorf("suggested name %q, InstanceName %q", b.Name, InstanceName(a))
	}
	a.Name = "given"
	if InstanceName(a) != "given" || BuildBody(a, Secrets{}, SecretsPlaceholder).Name != "given" {
		t.Errorf("InstanceName %q for a given name", InstanceName(a))
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
	a.Polling, _ = PollingPresets().CopyTo("events", "folders", FolderContentsExample)
	a.Code = NewSecret("the-grant-code")
	a.ExtraConfiguration = map[string]any{"elements.custom.setting": "kept"}
	a.SignNotifications = true
	return a, Secrets{APISecret: NewSecret("app-secret"), SignatureKey: NewSecret("sig-key-0000")}
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
		`{"configuration":{"docushare.domain":"evil.com"}}`:                   `"docushare.domain"`,
		`{"configuration":{"event.poller.refresh_interval":"0"}}`:             "between 1 and 1440",
		`{"configuration":{"event.notification.enabled":"maybe"}}`:            "true or false",
		`{"configuration":{"event.vendor.type":"webhook"}}`:                   "not supported",
		`{"configuration":{"event.poller.configuration":"[1]"}}`:              "JSON object keyed by resource name",
		`{"configuration":{"event.poller.configuration":{"e":{"url":"x"}}}}`:  "starting with /",
		`{"configuration":{"event.notification.callback.url":"ftp://x.com"}}`: "https://",
		`{"configuration":{"oauth.callback.url":"nope"}}`:                     "absolute URL",
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
	p2, err := p.CopyTo("events", "folders", FolderContentsExample)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p2.Get("folders")
	e, _ := p2.Get("events")
	if f.URL != FolderContentsExample || f.IDField != e.IDField || f.DatesConfiguration.UpdatedDateField != e.DatesConfiguration.UpdatedDateField {
		t.Fatalf("copy: %+v", f)
	}
	f.DatesConfiguration.UpdatedDateField = "changed"
	if e2, _ := p2.Get("events"); e2.DatesConfiguration.UpdatedDateField == "changed" {
		t.Fatal("the copy shares its dates with the original")
	}
	if len(p) != 1 {
		t.Fatal("CopyTo changed its receiver")
	}
	// The URL is the caller's: cewiz never makes one up.
	for _, url := range []string{"", "hubs/documents/x", "/x?${nope}"} {
		if _, err := p.CopyTo("events", "contracts", url); err == nil {
			t.Fatalf("copy with URL %q accepted", url)
		}
	}
	if _, err := p.CopyTo("files", "x", "/x"); err == nil || !strings.Contains(err.Error(), "tick it first") {
		t.Fatalf("copy from a missing resource: %v", err)
	}
	if _, err := p.CopyTo("events", "bad name", "/x"); err == nil {
		t.Fatal("copy to a bad name accepted")
	}
}

func TestOfflinePresetIsOnlyTheEventsGuess(t *testing.T) {
	p := PollingPresets()
	if got := strings.Join(p.Names(), ","); got != "events" {
		t.Fatalf("offline presets %s: cewiz must not offer resources whose URL it does not know", got)
	}
	if !p[0].Guess || !p.HasGuess() {
		t.Fatal("the offline events resource is not marked as a guess")
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("presets do not validate: %v", err)
	}
	// Guess never reaches the JSON.
	if b, _ := p.MarshalJSON(); strings.Contains(string(b), "uess") {
		t.Fatalf("guess written: %s", b)
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
	journeytest.LookPath(t, "the shell syntax check of the cURL export", "sh")
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
	journeytest.LookPath(t, "the cURL export run by a real shell", "sh")
	journeytest.LookPath(t, "the cURL export run by a real curl", "curl")
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
	sh.Env = append(os.Environ(), "CE_USER_SECRET=u-sec", "CE_ORG_SECRET=o-sec",
		"CE_APP_SECRET="+s.APISecret.Reveal(), "CE_GRANT_CODE="+a.Code.Reveal(), "CE_SIGNATURE_KEY="+s.SignatureKey.Reveal())
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
	if err == nil || !strings.Contains(string(out), "set CE_") {
		t.Fatalf("unset variables: err %v, output %s", err, out)
	}
	select {
	case <-got:
		t.Fatal("curl ran without the secrets")
	default:
	}
}

// TestElementDefaultPollerRoundTrip reads the element's default poller
// configuration as Cloud Elements keeps it (a string with literal \n and \t
// artefacts, numbers and booleans as strings, keys cewiz does not model) and
// writes it back: every key survives, numbers become numbers.
func TestElementDefaultPollerRoundTrip(t *testing.T) {
	raw, err := os.ReadFile("testdata/element-default-poller.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`\n`)) || !bytes.Contains(raw, []byte(`\t`)) {
		t.Fatal("the fixture lost its artefacts")
	}
	p, err := ParsePollerText(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden(t, "element-default-poller.golden.json", pretty.Bytes())
	for _, key := range []string{"filterByCurrentDate", "filterByUpdatedDate", "updatedDateTimezone", "createdDateTimezone",
		`"pageSize":200`, `"pollDelay":30`, `"createdCheckTolerance":5`, "someFutureKnob", "dateFieldHint", "pageSizeNote", `"pageSize":"many"`} {
		if !bytes.Contains(out, []byte(key)) {
			t.Errorf("%s was lost on the round trip:\n%s", key, out)
		}
	}
	// A second round trip changes nothing.
	again, err := ParsePollerText(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if out2, _ := again.MarshalJSON(); !bytes.Equal(out, out2) {
		t.Fatalf("second round trip differs:\n%s\n%s", out, out2)
	}
	// The same text as a JSON-encoded string (the defaultValue's form).
	enc, _ := json.Marshal(string(raw))
	var viaString PollerConfig
	if err := json.Unmarshal(enc, &viaString); err != nil {
		t.Fatal(err)
	}
	if out3, _ := viaString.MarshalJSON(); !bytes.Equal(out, out3) {
		t.Fatalf("read from a JSON string it differs:\n%s\n%s", out, out3)
	}
}

func TestCleanPollerText(t *testing.T) {
	cases := map[string]string{
		`{\n"a":1}`:               `{"a":1}`,
		`{\\n"a":1}`:              `{"a":1}`,
		"{\"a\":\"x\ty\"}":        `{"a":"xy"}`,
		`{"a":"keep \n escapes"}`: `{"a":"keep \n escapes"}`,
		`{"a":"q\"\n"}`:           `{"a":"q\"\n"}`,
		`{\t"a":\r1}`:             `{"a":1}`,
	}
	for in, want := range cases {
		if got := CleanPollerText(in); got != want {
			t.Errorf("CleanPollerText(%q) = %q, want %q", in, got, want)
		}
	}
}
