package flow

import (
	"errors"
	"strings"
	"testing"
)

// Bad input gets one clear usage error: secrets from the environment or a
// body file, and hidden characters in the name, tags and Application ID.

// mustUsage fails unless err is a *UsageError for flagName ("" : no flag)
// whose text holds every want.
func mustUsage(t *testing.T, err error, flagName string, want ...string) {
	t.Helper()
	var u *UsageError
	if !errors.As(err, &u) || u.Flag != flagName {
		t.Fatalf("got %v (%T), want a usage error for %q", err, err, flagName)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("the message %q lacks %q", err, w)
		}
	}
}

func TestEnvSecretsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		env, value, want string
	}{
		{EnvUserSecret, "abc def", "contains spaces"},
		{EnvUserSecret, "abc\tdef", "contains spaces"},
		{EnvOrgSecret, "abc\ndef", "line breaks"},
		{EnvUserSecret, "abc\x01def", "control characters"},
		{EnvOrgSecret, "abc\u202edef", "control characters"},
		{EnvUserSecret, "abc, Organization def", "contains spaces"},
		{EnvOrgSecret, "abc,def", "contains a comma"},
		{EnvAPISecret, "abc def", "contains spaces"},
		{EnvAPISecret, "abc\x7fdef", "control characters"},
	} {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			env := map[string]string{tc.env: tc.value}
			_, err := parseOptions(t, nil, env)
			mustUsage(t, err, "", tc.env+": ", tc.want)
			if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "def") {
				t.Fatalf("the message shows the secret: %v", err)
			}
		})
	}
	// Good secrets pass, surrounding spaces trimmed as SecretsFromEnv does;
	// the Application Secret may hold a comma (it travels in the body).
	env := map[string]string{EnvUserSecret: " s3cr3t+/= ", EnvOrgSecret: "0rg=", EnvAPISecret: "app,secret"}
	o, err := parseOptions(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, s, err := o.Resolve(mapLookup(env), files(nil)); err != nil || s.UserSecret.Reveal() != "s3cr3t+/=" || s.APISecret.Reveal() != "app,secret" {
		t.Fatalf("good secrets: %v", err)
	}
}

func TestPlatformSecretPromptRefusesComma(t *testing.T) {
	runValidator(t, "ValidatePlatformSecret", ValidatePlatformSecret("User secret"), []validatorCase{
		{"s3cr3t+/=", true, ""},
		{"", false, "User secret is empty"},
		{"a,b", false, "contains a comma"},
		{"a b", false, "contains spaces"},
		{"a\u2066b", false, "control characters"},
	})
}

func TestBodyFileSecretsAreChecked(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"configuration":{"oauth.api.secret":"app secret"}}`, "Application Secret contains spaces"},
		{`{"configuration":{"oauth.api.secret":"app\u0000secret"}}`, "Application Secret contains control characters"},
		{`{"providerData":{"code":"the code"}}`, "grant code contains spaces"},
	} {
		o, err := parseOptions(t, []string{"--from", "body.json"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = o.Resolve(mapLookup(nil), files(map[string]string{"body.json": tc.body}))
		mustUsage(t, err, "from", tc.want)
		if strings.Contains(err.Error(), "app secret") || strings.Contains(err.Error(), "the code") {
			t.Fatalf("the message shows the secret: %v", err)
		}
	}
}

func TestHiddenCharactersAreRefused(t *testing.T) {
	hidden := map[string]string{
		"RLO": "\u202e", "LRO": "\u202d", "LRE": "\u202a", "PDF": "\u202c", "RLI": "\u2067", "PDI": "\u2069",
		"LRM": "\u200e", "RLM": "\u200f", "ALM": "\u061c", "BEL": "\x07", "ESC": "\x1b", "C1": "\u009b", "LS": "\u2028",
	}
	for name, h := range hidden {
		for _, tc := range []struct {
			what  string
			check func(string) error
		}{{"name", ValidateName}, {"tag", ValidateTag}, {"Application ID", ValidateAPIKey}} {
			err := tc.check("invoice" + h + "fdp.exe")
			if tc.what == "Application ID" && h == "\u2028" { // a space to the Application ID's own rule
				if err == nil || !strings.Contains(err.Error(), "contains spaces") {
					t.Errorf("%s with %s: %v", tc.what, name, err)
				}
				continue
			}
			if err == nil || !strings.Contains(err.Error(), "invisible direction mark") || !strings.Contains(err.Error(), "display as something it is not") {
				t.Errorf("%s with %s: %v", tc.what, name, err)
			}
		}
	}
	// Ordinary text in any script stays accepted.
	for _, ok := range []string{"café-docs ☕", "مستندات", "文档", "docs (prod)"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q): %v", ok, err)
		}
		if err := ValidateTag(ok); err != nil {
			t.Errorf("ValidateTag(%q): %v", ok, err)
		}
	}
	// The flags and a body file use the same rules.
	o, _ := parseOptions(t, []string{"--name", "a\u202eb"}, nil)
	_, _, err := o.Resolve(mapLookup(nil), files(nil))
	mustUsage(t, err, "name", "direction mark")
	o, _ = parseOptions(t, []string{"--from", "b.json"}, nil)
	_, _, err = o.Resolve(mapLookup(nil), files(map[string]string{"b.json": `{"tags":["ok","a\u2066b"]}`}))
	mustUsage(t, err, "from", "direction mark")
}
