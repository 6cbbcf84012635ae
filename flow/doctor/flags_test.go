package doctor

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
)

// parse registers the doctor's flags, parses args and applies env as
// main does.
func parse(t *testing.T, env map[string]string, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f Flags
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := f.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	return &f
}

func TestFlagsConfig(t *testing.T) {
	mem := flow.Memory{Dir: t.TempDir()}
	remembered := flow.NewAnswers()
	remembered.Domain, remembered.NotificationURL = "remembered.docushareflex.com", "https://remembered.example.com/e"
	if err := mem.Save(remembered); err != nil {
		t.Fatal(err)
	}

	cfg, err := parse(t, nil, "--base-url", "https://api.cloud-elements.co.uk", "--domain", "https://acme.docushareflex.com/",
		"--notify-url", "http://not-https.example.com", "--listen", "127.0.0.1:0", "--instance", "42", "--events=false").Config(mem)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Answers
	if a.BaseURL != flow.Regions["eu"] || a.Region != "eu" {
		t.Errorf("base url %q region %q", a.BaseURL, a.Region)
	}
	// Checked, not refused: the checks report a bad domain or URL.
	if a.Domain != "https://acme.docushareflex.com/" || a.NotificationURL != "http://not-https.example.com" || a.EventsEnabled {
		t.Errorf("answers %+v", a)
	}
	if cfg.ListenAddr != "127.0.0.1:0" || cfg.InstanceID != 42 || cfg.Sandbox || cfg.HaveSecrets {
		t.Errorf("config %+v", cfg)
	}

	// Not given: the last successful run's answers; CEWIZ_* variables count as given.
	cfg, err = parse(t, map[string]string{"CEWIZ_NOTIFY_URL": "https://env.example.com/e"}).Config(mem)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Answers.Domain != "remembered.docushareflex.com" || cfg.Answers.NotificationURL != "https://env.example.com/e" || cfg.InstanceID != 0 {
		t.Errorf("remembered/env: %+v", cfg.Answers)
	}
	// --sandbox does not take the remembered answers.
	cfg, err = parse(t, nil, "--sandbox").Config(mem)
	if err != nil || cfg.Answers.Domain != "" {
		t.Errorf("sandbox: %v %+v", err, cfg.Answers)
	}
	cfg, _ = parse(t, nil, "--callback-url", "https://auth.cloudelements.io/oauth").Config(mem)
	if cfg.Answers.CallbackURL != "https://auth.cloudelements.io/oauth" {
		t.Errorf("callback %q", cfg.Answers.CallbackURL)
	}

	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--instance", "abc"}, "instance"},
		{[]string{"--instance", "-3"}, "instance"},
		{[]string{"--callback-url", "ftp://x"}, "callback-url"},
		{[]string{"--sandbox", "--region", "eu"}, "sandbox"},
		{[]string{"--region", "mars"}, "region"},
		{[]string{"--base-url", "https://a.example.com", "--region", "eu"}, "base-url"},
	} {
		_, err := parse(t, nil, c.args...).Config(mem)
		var ue *flow.UsageError
		if !errors.As(err, &ue) || ue.Flag != c.flag {
			t.Errorf("%v: %v; want a usage error naming --%s", c.args, err, c.flag)
		}
	}
}

func TestRequireSecretsForInstance(t *testing.T) {
	both := flow.Secrets{UserSecret: flow.NewSecret("u"), OrgSecret: flow.NewSecret("o")}
	cases := []struct {
		name    string
		f       Flags
		cfg     Config
		s       flow.Secrets
		wantErr bool
	}{
		{"no instance, no secrets", Flags{}, Config{}, flow.Secrets{}, false},
		{"instance with secrets", Flags{}, Config{InstanceID: 7}, both, false},
		{"instance without secrets", Flags{}, Config{InstanceID: 7}, flow.Secrets{}, true},
		{"instance, org secret missing", Flags{}, Config{InstanceID: 7}, flow.Secrets{UserSecret: flow.NewSecret("u")}, true},
		{"sandbox brings its own", Flags{Options: flow.Options{Sandbox: true}}, Config{InstanceID: 7}, flow.Secrets{}, false},
	}
	for _, c := range cases {
		err := c.f.RequireSecrets(c.cfg, c.s)
		var u *flow.UsageError
		if got := errors.As(err, &u); got != c.wantErr {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.wantErr && (u.Flag != "instance" || !strings.Contains(err.Error(), flow.EnvUserSecret)) {
			t.Errorf("%s: message %q", c.name, err)
		}
	}
}
