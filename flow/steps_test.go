package flow

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRulesSteps(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		want  []Step
	}{
		{"online", Rules{}, []Step{StepConnect, StepApp, StepSite, StepAuthorize, StepEvents, StepResources, StepInstance, StepReview}},
		{"export only", Rules{ExportOnly: true}, []Step{StepConnect, StepApp, StepSite, StepEvents, StepResources, StepInstance, StepReview}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rules.Steps(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Steps() = %v, want %v", got, tt.want)
			}
			// Next walks the same order, Prev walks it back.
			s := StepConnect
			for i, want := range tt.want {
				if s != want {
					t.Fatalf("walk %d: at %v, want %v", i, s, want)
				}
				s = tt.rules.Next(s)
			}
			for i := len(tt.want) - 1; i > 0; i-- {
				if p := tt.rules.Prev(tt.want[i]); p != tt.want[i-1] {
					t.Fatalf("Prev(%v) = %v, want %v", tt.want[i], p, tt.want[i-1])
				}
			}
		})
	}
}

func TestRulesNextAfterReview(t *testing.T) {
	tests := []struct {
		rules Rules
		from  Step
		want  Step
	}{
		{Rules{}, StepReview, StepCreate},
		{Rules{ExportOnly: true}, StepReview, StepReview},
		{Rules{}, StepSite, StepAuthorize},
		{Rules{ExportOnly: true}, StepSite, StepEvents},
		{Rules{}, StepResult, StepResult},
		{Rules{}, StepConnect, StepApp},
	}
	for _, tt := range tests {
		if got := tt.rules.Next(tt.from); got != tt.want {
			t.Errorf("%+v.Next(%v) = %v, want %v", tt.rules, tt.from, got, tt.want)
		}
	}
	if got := (Rules{}).Prev(StepConnect); got != StepConnect {
		t.Errorf("Prev(Connect) = %v", got)
	}
	if got := (Rules{ExportOnly: true}).Prev(StepEvents); got != StepSite {
		t.Errorf("export-only Prev(Events) = %v, want site", got)
	}
}

func TestProgress(t *testing.T) {
	tests := []struct {
		rules Rules
		step  Step
		i, n  int
	}{
		{Rules{}, StepConnect, 1, 8},
		{Rules{}, StepAuthorize, 4, 8},
		{Rules{}, StepReview, 8, 8},
		{Rules{}, StepResult, 8, 8},
		{Rules{ExportOnly: true}, StepEvents, 4, 7},
		{Rules{ExportOnly: true}, StepAuthorize, 4, 7},
	}
	for _, tt := range tests {
		i, n := tt.rules.Progress(tt.step)
		if i != tt.i || n != tt.n {
			t.Errorf("%+v.Progress(%v) = %d of %d, want %d of %d", tt.rules, tt.step, i, n, tt.i, tt.n)
		}
	}
}

func TestStepTexts(t *testing.T) {
	for _, s := range AllSteps {
		if s.Title() == "" || s.Explain() == "" || s.Name() == "" {
			t.Errorf("step %d lacks a title, explanation or name", int(s))
		}
		if strings.Contains(s.Explain(), "\n") {
			t.Errorf("%v: explanation is not one line", s)
		}
	}
	if !StepInstance.Editable() || StepReview.Editable() || StepAuthorize.Editable() != true {
		t.Error("Editable: questions are editable, review is not")
	}
	if got := EditableSteps(); !reflect.DeepEqual(got, []Step{StepConnect, StepApp, StepSite, StepAuthorize, StepEvents, StepResources, StepInstance}) {
		t.Errorf("EditableSteps = %v", got)
	}
}

// A registered non-loopback callback URL means the code is pasted: the
// Authorize step goes straight to the paste field.
func TestCallbackIsLoopback(t *testing.T) {
	tests := []struct {
		cb    string
		paste bool // not a loopback callback: the code is pasted
	}{
		{"http://127.0.0.1:23949/callback", false},
		{"http://localhost:8080/cb", false},
		{"https://auth.cloudelements.io/oauth", true},
		{"", true},
	}
	for _, tt := range tests {
		a := NewAnswers()
		a.CallbackURL = tt.cb
		if got := !CallbackIsLoopback(a); got != tt.paste {
			t.Errorf("!CallbackIsLoopback(%q) = %v, want %v", tt.cb, got, tt.paste)
		}
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestCodeAgeWarning(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		obtained time.Time
		now      time.Time
		warn     bool
	}{
		{"no code", time.Time{}, t0, false},
		{"fresh", t0, t0.Add(time.Minute), false},
		{"just under", t0, t0.Add(CodeOldAfter - time.Second), false},
		{"old", t0, t0.Add(CodeOldAfter), true},
		{"very old", t0, t0.Add(3 * time.Hour), true},
	}
	for _, tt := range tests {
		got := CodeAgeWarning(tt.obtained, fixedClock(tt.now))
		if (got != "") != tt.warn {
			t.Errorf("%s: warning %q, want warn=%v", tt.name, got, tt.warn)
		}
	}
	if w := CodeAgeWarning(t0, fixedClock(t0.Add(7*time.Minute))); !strings.Contains(w, "7 minutes") {
		t.Errorf("warning %q does not say the age", w)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		pre      bool
		opts     WriteOptions
		wantErr  error
		wantMode os.FileMode
	}{
		{"new secret", false, WriteOptions{Secret: true}, nil, 0o600},
		{"new plain", false, WriteOptions{}, nil, 0o644},
		{"exists refused", true, WriteOptions{}, ErrFileExists, 0},
		{"exists overwrite", true, WriteOptions{Overwrite: true, Secret: true}, nil, 0o600},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "f"+string(rune('a'+i))+".json")
			if tt.pre {
				if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFileAtomic(p, []byte("new"), tt.opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if b, _ := os.ReadFile(p); string(b) != "old" {
					t.Fatalf("existing file changed: %q", b)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != tt.wantMode {
					t.Fatalf("mode %v, want %v", st.Mode().Perm(), tt.wantMode)
				}
				if b, _ := os.ReadFile(p); string(b) != "new" {
					t.Fatalf("content %q", b)
				}
			}
		})
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.json"), []byte("x"), WriteOptions{}); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestExportBodyModes(t *testing.T) {
	dir := t.TempDir()
	a := NewAnswers()
	a.Code = NewSecret("the-code")
	s := Secrets{APISecret: NewSecret("app-secret")}
	tests := []struct {
		mode     SecretsMode
		wantMode os.FileMode
		leak     bool
	}{
		{SecretsPlaceholder, 0o644, false},
		{SecretsMasked, 0o644, false},
		{SecretsIncluded, 0o600, true},
	}
	for i, tt := range tests {
		p := filepath.Join(dir, "body"+string(rune('0'+i))+".json")
		if err := ExportBody(p, a, s, tt.mode, false); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != tt.wantMode {
			t.Errorf("mode %v: file mode %v, want %v", tt.mode, st.Mode().Perm(), tt.wantMode)
		}
		b, _ := os.ReadFile(p)
		if got := strings.Contains(string(b), "app-secret") || strings.Contains(string(b), "the-code"); got != tt.leak {
			t.Errorf("mode %v: secrets in file = %v, want %v", tt.mode, got, tt.leak)
		}
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := Memory{Dir: filepath.Join(dir, "cewiz")}
	if _, ok, err := m.Load(); ok || err != nil {
		t.Fatalf("empty dir: ok=%v err=%v", ok, err)
	}
	a := NewAnswers()
	a.Domain = "acme.docushareflex.com"
	a.APIKey = "app-id"
	a.Name = "my-instance"
	a.Tags = []string{"x", "y"}
	a.EventsEnabled = false
	a.NotificationURL = "https://example.com/events"
	a.RefreshInterval = 30
	a.Polling = PollingPresets()[:1]
	a.Code = NewSecret("grant-code-123")
	if err := m.Save(a); err != nil {
		t.Fatal(err)
	}
	p, _ := m.Path()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "grant-code-123") || strings.Contains(string(data), "my-instance") {
		t.Fatalf("remembered file holds the code or the name:\n%s", data)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	got := m.Prefill(NewAnswers())
	if got.Domain != a.Domain || got.APIKey != a.APIKey || got.EventsEnabled || got.RefreshInterval != 30 ||
		got.NotificationURL != a.NotificationURL || !reflect.DeepEqual(got.Tags, a.Tags) || len(got.Polling) != 1 {
		t.Fatalf("prefill lost answers: %+v", got)
	}
	if got.Name != "" || !got.Code.IsZero() {
		t.Fatalf("prefill restored the name or the code")
	}
}

func TestMemoryNeverSecrets(t *testing.T) {
	// Remembered has no field that could hold a secret: every field is a
	// plain answer. Guard against someone adding one.
	typ := reflect.TypeOf(Remembered{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Type == reflect.TypeOf(Secret{}) || strings.Contains(strings.ToLower(f.Name), "secret") || strings.Contains(strings.ToLower(f.Name), "code") {
			t.Errorf("Remembered.%s looks like a secret", f.Name)
		}
	}
}

func TestMemoryDamagedAndInvalid(t *testing.T) {
	dir := t.TempDir()
	m := Memory{Dir: dir}
	p, _ := m.Path()
	if err := os.WriteFile(p, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Load(); err == nil {
		t.Fatal("damaged file loaded")
	}
	if got := m.Prefill(NewAnswers()); got.Domain != "" {
		t.Fatal("damaged file prefilled")
	}
	// Values that no longer validate are skipped.
	if err := os.WriteFile(p, []byte(`{"version":1,"domain":"not a domain!","refreshInterval":99999,"baseUrl":"http://evil.example.com"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got := m.Prefill(NewAnswers())
	if got.Domain != "" || got.RefreshInterval != DefaultRefreshInterval || got.BaseURL != Regions["us"] {
		t.Fatalf("invalid remembered values applied: %+v", got)
	}
}

// An answers file written by an earlier cewiz may hold its files/folders
// presets, whose URLs DocuShare Flex cannot poll: they are not written again.
func TestMemoryDropsInventedPollURLs(t *testing.T) {
	m := Memory{Dir: t.TempDir()}
	p, _ := m.Path()
	old := `{"version":1,"pollerConfiguration":{"events":{"url":"/hubs/documents/events","idField":"id"},` +
		`"files":{"url":"/hubs/documents/files","idField":"id"},"folders":{"url":"/hubs/documents/folders","idField":"id"},` +
		`"shared":{"url":"/hubs/documents/folders/contents?path=/Shared","idField":"id"}}}`
	if err := os.WriteFile(p, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	got := m.Prefill(NewAnswers())
	if names := strings.Join(got.Polling.Names(), ","); names != "events,shared" {
		t.Fatalf("remembered resources %s, want events,shared", names)
	}
	if err := os.WriteFile(p, []byte(`{"version":1,"pollerConfiguration":{"files":{"url":"/hubs/documents/files","idField":"id"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := m.Prefill(NewAnswers()); got.Polling != nil {
		t.Fatalf("only invented URLs remembered, yet polling %v", got.Polling.Names())
	}
}

// The remembered answers fill in only what the given ones leave at their
// defaults: a flag, a variable or --from always wins (the wizard and the
// doctor share this prefill).
func TestMemoryPrefillKeepsGivenAnswers(t *testing.T) {
	m := Memory{Dir: t.TempDir()}
	r := NewAnswers()
	r.APIKey, r.Domain, r.RefreshInterval = "remembered-app", "remembered.docushareflex.com", 30
	r.Tags = []string{"old"}
	if err := m.Save(r); err != nil {
		t.Fatal(err)
	}
	given := NewAnswers()
	given.APIKey, given.RefreshInterval = "from-flag", 42
	got := m.Prefill(given)
	if got.APIKey != "from-flag" || got.RefreshInterval != 42 {
		t.Errorf("a given answer was replaced: %+v", got)
	}
	if got.Domain != "remembered.docushareflex.com" || !reflect.DeepEqual(got.Tags, []string{"old"}) {
		t.Errorf("a remembered answer was not used: %+v", got)
	}
}
