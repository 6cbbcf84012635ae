package flow

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

func parseOptions(t *testing.T, args []string, env map[string]string) (*Options, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o Options
	o.Register(fs, FlagsConnection|FlagsBody|FlagsAuthorize|FlagsJSON|FlagsIncludeSecrets|FlagsAccessible)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &o, o.ApplyEnv(mapLookup(env))
}

func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := m[name]; ok {
			return []byte(v), nil
		}
		return nil, os.ErrNotExist
	}
}

func TestResolveFlagsEnvAndPrecedence(t *testing.T) {
	env := map[string]string{
		"CEWIZ_DOMAIN":           "https://fromenv.docushareflex.com/",
		"CEWIZ_NAME":             "env-name",
		"CEWIZ_TAG":              "a, b",
		"CEWIZ_REFRESH_INTERVAL": "30",
		"CEWIZ_POLL":             "events,folders=/hubs/documents/folders/contents?path=/A",
		"CEWIZ_EVENTS":           "false",
		"CEWIZ_USER_SECRET":      "u",
		"CEWIZ_ORG_SECRET":       "o",
		"CEWIZ_API_SECRET":       "api",
		"CEWIZ_CODE":             "code-from-env",
		"ACCESSIBLE":             "1",
	}
	o, err := parseOptions(t, []string{"--name", "flag-name", "--region", "eu", "--api-key", "id1"}, env)
	if err != nil {
		t.Fatal(err)
	}
	a, s, err := o.Resolve(mapLookup(env), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "flag-name" {
		t.Errorf("a flag must win over its variable: name %q", a.Name)
	}
	if a.Domain != "fromenv.docushareflex.com" || a.RefreshInterval != 30 || a.EventsEnabled || strings.Join(a.Tags, "|") != "a|b" {
		t.Errorf("from the environment: %+v", a)
	}
	if a.BaseURL != Regions["eu"] || a.Region != "eu" || a.APIKey != "id1" {
		t.Errorf("region/api key: %q %q %q", a.BaseURL, a.Region, a.APIKey)
	}
	if len(a.Polling) != 0 {
		t.Errorf("Resolve built the polling before knowing the element's default: %v", a.Polling.Names())
	}
	if _, err := o.ResolvePoll(&a, PollBase{Offline: "offline"}); err != nil || strings.Join(a.Polling.Names(), ",") != "events,folders" {
		t.Errorf("poll: %v %v", a.Polling.Names(), err)
	}
	if s.UserSecret.Reveal() != "u" || s.OrgSecret.Reveal() != "o" || s.APISecret.Reveal() != "api" || a.Code.Reveal() != "code-from-env" {
		t.Error("secrets from the environment were not read")
	}
	if o.Accessible {
		t.Error("ACCESSIBLE=1 set --accessible: main decides it once, with the streams")
	}
}

func TestResolveFromFileWithOverrides(t *testing.T) {
	a0, s0 := fullAnswers()
	body, _ := MarshalBody(BuildBody(a0, s0, SecretsIncluded))
	fsys := files(map[string]string{"body.json": string(body)})
	o, err := parseOptions(t, []string{"--from", "body.json", "--refresh-interval", "5", "--events=true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, s, err := o.Resolve(mapLookup(nil), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if a.RefreshInterval != 5 || a.Name != a0.Name || a.Domain != a0.Domain || s.APISecret.Reveal() != "app-secret" || len(a.Polling) != len(a0.Polling) {
		t.Fatalf("from file: %+v", a)
	}
	// Environment secrets win over the file's.
	a, s, _ = o.Resolve(mapLookup(map[string]string{"CEWIZ_API_SECRET": "newer"}), fsys)
	if s.APISecret.Reveal() != "newer" {
		t.Fatal("CEWIZ_API_SECRET did not override the file")
	}
}

func TestResolveUsageErrorsNameTheFlag(t *testing.T) {
	fsys := files(map[string]string{"bad.json": "{", "poller.json": `{"files":{"url":"/hubs/documents/files","idField":"id"}}`, "badpoller.json": `{"files":{"url":"nope","idField":"id"}}`})
	cases := []struct {
		args []string
		env  map[string]string
		flag string
		msg  string
	}{
		{[]string{"--domain", "evil.com"}, nil, "domain", "expected <company>.docushareflex.com"},
		{nil, map[string]string{"CEWIZ_DOMAIN": "evil.com"}, "domain", "expected"},
		{[]string{"--refresh-interval", "0"}, nil, "refresh-interval", "between 1 and 1440"},
		{nil, map[string]string{"CEWIZ_REFRESH_INTERVAL": "soon"}, "refresh-interval", "CEWIZ_REFRESH_INTERVAL"},
		{[]string{"--notify-url", "ftp://example.com"}, nil, "notify-url", "https://"},
		{[]string{"--poll", "folders="}, nil, "poll", "resource URL is empty"},
		{[]string{"--poll", "folders=hubs/x"}, nil, "poll", "starting with /"},
		{[]string{"--callback-url", "x"}, nil, "callback-url", "absolute URL"},
		{[]string{"--base-url", "ftp://x"}, nil, "base-url", "https"},
		{[]string{"--region", "mars"}, nil, "region", "unknown region"},
		{[]string{"--region", "eu", "--base-url", "https://x.com"}, nil, "base-url", "not both"},
		{[]string{"--sandbox", "--region", "eu"}, nil, "sandbox", "leave out --base-url and --region"},
		{[]string{"--sandbox"}, map[string]string{"CEWIZ_BASE_URL": "https://x.com"}, "sandbox", "leave out"},
		{[]string{"--name", " "}, nil, "name", "empty"},
		{[]string{"--tag", "a,b"}, nil, "tag", "comma"},
		{[]string{"--api-key", "a b"}, nil, "api-key", "spaces"},
		{[]string{"--poll", "bad name"}, nil, "poll", "not a resource name"},
		{[]string{"--poll", "events", "--poller-config", "poller.json"}, nil, "poll", "not both"},
		{[]string{"--poller-config", "missing.json"}, nil, "poller-config", "cannot read"},
		{[]string{"--poller-config", "badpoller.json"}, nil, "poller-config", "starting with /"},
		{[]string{"--from", "bad.json"}, nil, "from", "not valid JSON"},
		{[]string{"--from", "missing.json"}, nil, "from", "cannot read"},
		{[]string{"--code", "a b"}, nil, "code", "spaces"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			o, err := parseOptions(t, c.args, c.env)
			if err == nil {
				_, _, err = o.Resolve(mapLookup(c.env), fsys)
			}
			var u *UsageError
			if !errors.As(err, &u) || u.Flag != c.flag || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want a usage error for --%s containing %q", err, c.flag, c.msg)
			}
			if !strings.HasPrefix(err.Error(), "--"+c.flag+": ") {
				t.Fatalf("the message %q does not start with the flag", err)
			}
		})
	}
}

func TestResolvePoll(t *testing.T) {
	elementDefault, err := ParsePollerText(`{"events":{"url":"/hubs/documents/events","idField":"eventId","pageSize":"50"},` +
		`"folders":{"url":"/hubs/documents/folders/contents?path=/","idField":"id"}}`)
	if err != nil {
		t.Fatal(err)
	}
	online := PollBase{Default: elementDefault}
	offline := PollBase{Offline: "export never contacts Cloud Elements"}
	unreadable := PollBase{Err: errors.New("503 Service Unavailable")}
	cases := []struct {
		name  string
		args  []string
		base  PollBase
		want  map[string]string // resource → URL
		guess bool
		note  string // in the notes
		err   string // in a --poll usage error
	}{
		{"bare name of the element's default", []string{"--poll", "folders", "--poll", "events"}, online,
			map[string]string{"folders": "/hubs/documents/folders/contents?path=/", "events": "/hubs/documents/events"}, false, "", ""},
		{"NAME=URL copies the element's events", []string{"--poll", "contracts=/hubs/documents/folders/contents?path=/Contracts"}, online,
			map[string]string{"contracts": "/hubs/documents/folders/contents?path=/Contracts"}, false, "", ""},
		{"bare unknown name online", []string{"--poll", "files"}, online, nil, false, "", `defines no "files" resource (it defines events, folders)`},
		{"offline events is a guess", []string{"--poll", "events"}, offline,
			map[string]string{"events": "/hubs/documents/events"}, true, "guess", ""},
		{"offline bare unknown name", []string{"--poll", "files"}, offline, nil, false, "", "export never contacts Cloud Elements, so cewiz knows only the events resource"},
		{"offline NAME=URL", []string{"--poll", "files=/hubs/documents/folders/contents?path=/F"}, offline,
			map[string]string{"files": "/hubs/documents/folders/contents?path=/F"}, true, "guess", ""},
		{"unreadable default is said, not silent", []string{"--poll", "events"}, unreadable,
			map[string]string{"events": "/hubs/documents/events"}, true, "could not be read (503 Service Unavailable)", ""},
		{"a default without events copies the guess, and says so", []string{"--poll", "x=/hubs/documents/folders/contents?path=/X"},
			PollBase{Default: elementDefault.Without("events")},
			map[string]string{"x": "/hubs/documents/folders/contents?path=/X"}, true, "no events resource to copy", ""},
		{"duplicates keep the first", []string{"--poll", "events", "--poll", "events=/other"}, online,
			map[string]string{"events": "/hubs/documents/events"}, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := parseOptions(t, c.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, _, err := o.Resolve(mapLookup(nil), files(nil))
			if err != nil {
				t.Fatal(err)
			}
			notes, err := o.ResolvePoll(&a, c.base)
			if c.err != "" {
				var u *UsageError
				if !errors.As(err, &u) || u.Flag != "poll" || !strings.Contains(err.Error(), c.err) ||
					!strings.Contains(err.Error(), "NAME=URL") || !strings.Contains(err.Error(), "/hubs/documents/folders/contents?path=/") {
					t.Fatalf("got %v, want a --poll usage error with %q, the NAME=URL form and the folder-contents example", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Polling) != len(c.want) {
				t.Fatalf("resources %v, want %v", a.Polling.Names(), c.want)
			}
			for name, url := range c.want {
				if r, ok := a.Polling.Get(name); !ok || r.URL != url {
					t.Errorf("%s: %+v, want url %s", name, r, url)
				}
			}
			if a.Polling.HasGuess() != c.guess {
				t.Errorf("guess %v, want %v", a.Polling.HasGuess(), c.guess)
			}
			if got := strings.Join(notes, "\n"); (c.note == "") != (got == "") || !strings.Contains(got, c.note) {
				t.Errorf("notes %q, want %q", got, c.note)
			}
			if err := a.Polling.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("copies keep the element's knobs", func(t *testing.T) {
		o, _ := parseOptions(t, []string{"--poll", "x=/hubs/documents/folders/contents?path=/X"}, nil)
		a, _, _ := o.Resolve(mapLookup(nil), files(nil))
		if _, err := o.ResolvePoll(&a, online); err != nil {
			t.Fatal(err)
		}
		if r, _ := a.Polling.Get("x"); r.IDField != "eventId" || r.PageSize == nil || *r.PageSize != 50 {
			t.Fatalf("copy %+v", r)
		}
	})
}

func TestEnvName(t *testing.T) {
	if EnvName("refresh-interval") != "CEWIZ_REFRESH_INTERVAL" || EnvName("no-browser") != "CEWIZ_NO_BROWSER" {
		t.Fatal(EnvName("refresh-interval"))
	}
}
