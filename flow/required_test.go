package flow

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMissingForCreate(t *testing.T) {
	full := func() (Answers, Secrets) {
		a := NewAnswers()
		a.APIKey, a.Domain, a.NotificationURL = "app", "acme.docushareflex.com", "https://h.example.com/e"
		return a, Secrets{UserSecret: NewSecret("u"), OrgSecret: NewSecret("o"), APISecret: NewSecret("a")}
	}
	cases := []struct {
		name     string
		edit     func(*Answers, *Secrets)
		canPaste bool
		flag     string
		text     string
	}{
		{"complete", func(*Answers, *Secrets) {}, false, "", ""},
		{"user secret", func(_ *Answers, s *Secrets) { s.UserSecret = Secret{} }, false, "", "CEWIZ_USER_SECRET"},
		{"org secret", func(_ *Answers, s *Secrets) { s.OrgSecret = Secret{} }, false, "", "CEWIZ_ORG_SECRET"},
		{"api key", func(a *Answers, _ *Secrets) { a.APIKey = "" }, false, "api-key", "CEWIZ_API_KEY"},
		{"api secret", func(_ *Answers, s *Secrets) { s.APISecret = Secret{} }, false, "", "CEWIZ_API_SECRET"},
		{"domain", func(a *Answers, _ *Secrets) { a.Domain = "" }, false, "domain", "acme.docushareflex.com"},
		{"notify url", func(a *Answers, _ *Secrets) { a.NotificationURL = "" }, false, "notify-url", "events are on"},
		{"notify url not needed without events", func(a *Answers, _ *Secrets) { a.NotificationURL, a.EventsEnabled = "", false }, false, "", ""},
		{"registered callback, no terminal", func(a *Answers, _ *Secrets) { a.CallbackURL = "https://auth.cloudelements.io/oauth" }, false, "code", "pasted"},
		{"registered callback, terminal", func(a *Answers, _ *Secrets) { a.CallbackURL = "https://auth.cloudelements.io/oauth" }, true, "", ""},
		{"registered callback with code", func(a *Answers, _ *Secrets) {
			a.CallbackURL, a.Code = "https://auth.cloudelements.io/oauth", NewSecret("c")
		}, false, "", ""},
		{"a body that signs needs the key", func(a *Answers, _ *Secrets) { a.SignNotifications = true }, false, "", "CEWIZ_SIGNATURE_KEY"},
		{"signed with its key", func(a *Answers, s *Secrets) { a.SignNotifications, s.SignatureKey = true, NewSecret("k") }, false, "", ""},
		{"nothing to sign without events", func(a *Answers, _ *Secrets) {
			a.SignNotifications, a.EventsEnabled, a.NotificationURL = true, false, ""
		}, false, "", ""},
		{"two missing are both named", func(a *Answers, s *Secrets) { a.Domain, s.UserSecret = "", Secret{} }, false, "", "2 answers are missing"},
	}
	for _, c := range cases {
		a, s := full()
		c.edit(&a, &s)
		err := MissingForCreate(a, s, c.canPaste)
		if c.text == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var u *UsageError
		if !errors.As(err, &u) || u.Flag != c.flag || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v (flag %q); want flag %q and %q", c.name, err, func() string {
				if u != nil {
					return u.Flag
				}
				return ""
			}(), c.flag, c.text)
		}
	}
}

// TestMissingForCreateListsEveryAnswer: one run names every missing
// answer, each with its flag or variable, and never points a secret at
// --help (a secret is not a flag).
func TestMissingForCreateListsEveryAnswer(t *testing.T) {
	a := NewAnswers()
	a.CallbackURL = "https://auth.cloudelements.io/oauth"
	err := MissingForCreate(a, Secrets{}, false)
	var u *UsageError
	if !errors.As(err, &u) || u.Flag != "" {
		t.Fatalf("%v: want a usage error naming no single flag", err)
	}
	msg := err.Error()
	for _, want := range []string{"7 answers are missing", "set CEWIZ_USER_SECRET", "set CEWIZ_ORG_SECRET", "--api-key <Application ID>",
		"set CEWIZ_API_SECRET", "--domain acme.docushareflex.com", "--notify-url https://example.com/events", "give --code"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	for _, l := range strings.Split(msg, "\n") {
		if strings.Contains(l, "SECRET") && strings.Contains(l, "--help") {
			t.Errorf("a secret is sent to --help: %q", l)
		}
	}
}

func TestCheckAuthorizeFlags(t *testing.T) {
	cases := []struct {
		listen  string
		timeout time.Duration
		flag    string
	}{
		{"", 5 * time.Minute, ""},
		{"127.0.0.1:0", time.Second, ""},
		{"127.0.0.1:23949", time.Minute, ""},
		{"localhost:8080", time.Minute, ""},
		{"[::1]:8080", time.Minute, ""},
		{":23949", time.Minute, ""},
		{"", 0, "timeout"},
		{"", -time.Second, "timeout"},
		{"nonsense", time.Minute, "listen"},
		{"127.0.0.1", time.Minute, "listen"},
		{"127.0.0.1:99999", time.Minute, "listen"},
		{"127.0.0.1:http", time.Minute, "listen"},
		{"8.8.8.8:80", time.Minute, "listen"},
		{"0.0.0.0:23949", time.Minute, "listen"},
		{"example.com:80", time.Minute, "listen"},
	}
	for _, c := range cases {
		err := CheckAuthorizeFlags(c.listen, c.timeout)
		var ue *UsageError
		switch {
		case c.flag == "" && err != nil:
			t.Errorf("%q %s: %v", c.listen, c.timeout, err)
		case c.flag != "" && (!errors.As(err, &ue) || ue.Flag != c.flag):
			t.Errorf("%q %s: %v; want a usage error naming --%s", c.listen, c.timeout, err, c.flag)
		}
	}
}
