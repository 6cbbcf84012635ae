package flow

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The notification signature key is a secret like the others: in the body
// only when notifications are signed, masked on review, a placeholder in
// exports unless included, and never an unmodelled extra value.
func TestBodySignatureKey(t *testing.T) {
	key := NewSecret("k3y-0123456789")
	signed := func(events bool) Answers {
		a := seedAnswers()
		a.EventsEnabled = events
		a.SignNotifications = true
		return a
	}
	cases := []struct {
		name string
		a    Answers
		s    Secrets
		mode SecretsMode
		want string // "" : no field at all
	}{
		{"seed inputs: no key, as the seed", seedAnswers(), Secrets{}, SecretsIncluded, ""},
		{"signed, key included", signed(true), Secrets{SignatureKey: key}, SecretsIncluded, key.Reveal()},
		{"signed, review masks it", signed(true), Secrets{SignatureKey: key}, SecretsMasked, Mask},
		{"signed, export writes the placeholder", signed(true), Secrets{SignatureKey: key}, SecretsPlaceholder, PlaceholderSignatureKey},
		{"signed without a key yet", signed(true), Secrets{}, SecretsIncluded, PlaceholderSignatureKey},
		{"a key given signs", seedAnswers(), Secrets{SignatureKey: key}, SecretsIncluded, key.Reveal()},
		{"events off: nothing to sign", signed(false), Secrets{SignatureKey: key}, SecretsIncluded, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m struct {
				Configuration map[string]any `json:"configuration"`
			}
			if err := json.Unmarshal(mustMarshal(t, BuildBody(c.a, c.s, c.mode)), &m); err != nil {
				t.Fatal(err)
			}
			got, present := m.Configuration[KeySignatureKey]
			switch {
			case c.want == "" && present:
				t.Fatalf("the body has %s = %v; want none", KeySignatureKey, got)
			case c.want != "" && got != c.want:
				t.Fatalf("%s = %v, want %q", KeySignatureKey, got, c.want)
			}
		})
	}
}

// A key kept as an extra configuration value (as a body file read before
// cewiz knew the key) never leaves in clear in a placeholder export.
func TestBodySignatureKeyNeverAnExtra(t *testing.T) {
	a := seedAnswers()
	a.ExtraConfiguration = map[string]any{KeySignatureKey: "in-clear"}
	out := string(mustMarshal(t, BuildBody(a, Secrets{}, SecretsPlaceholder)))
	if strings.Contains(out, "in-clear") {
		t.Fatalf("the key leaked through the extra values:\n%s", out)
	}
}

func TestParseBodySignatureKey(t *testing.T) {
	body := func(v string) []byte {
		return []byte(`{"element":{"key":"docushareflex"},"configuration":{"event.notification.enabled":true,"event.notification.signature.key":` + v + `}}`)
	}
	a, s, err := ParseBody(body(`"` + PlaceholderSignatureKey + `"`))
	if err != nil {
		t.Fatal(err)
	}
	if !a.SignNotifications || !s.SignatureKey.IsZero() {
		t.Fatalf("a placeholder means signed, key not given: sign %v key given %v", a.SignNotifications, !s.SignatureKey.IsZero())
	}
	a, s, err = ParseBody(body(`"the-key"`))
	if err != nil {
		t.Fatal(err)
	}
	if !a.SignNotifications || s.SignatureKey.Reveal() != "the-key" || len(a.ExtraConfiguration) != 0 {
		t.Fatalf("a key in the body: sign %v, extras %v", a.SignNotifications, a.ExtraConfiguration)
	}
	if _, _, err := ParseBody(body(`"two words"`)); err == nil || strings.Contains(err.Error(), "two words") {
		t.Fatalf("a key with a space: err %v (it must be refused without quoting the key)", err)
	}
}

func TestResolveSignatureKeyFromEnv(t *testing.T) {
	env := map[string]string{EnvSignatureKey: "  env-key-42  "}
	o, err := parseOptions(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	a, s, err := o.Resolve(mapLookup(env), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !a.SignNotifications || s.SignatureKey.Reveal() != "env-key-42" {
		t.Fatalf("CEWIZ_SIGNATURE_KEY: sign %v", a.SignNotifications)
	}
	// No variable: nothing is signed (create and export keep the seed's body).
	o, _ = parseOptions(t, nil, nil)
	if a, s, _ := o.Resolve(mapLookup(nil), files(nil)); a.SignNotifications || !s.SignatureKey.IsZero() {
		t.Fatal("signed without a key")
	}
	// A bad key is a usage error naming the variable, never the value.
	env = map[string]string{EnvSignatureKey: "pasted with\ttext"}
	_, err = parseOptions(t, nil, env) // ApplyEnv checks the secret variables
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), EnvSignatureKey) || strings.Contains(err.Error(), "pasted") {
		t.Fatalf("bad key: %v", err)
	}
}

func TestNewSignatureKey(t *testing.T) {
	a, b := NewSignatureKey(), NewSignatureKey()
	if a.Reveal() == b.Reveal() || len(a.Reveal()) != 43 {
		t.Fatalf("keys must be random, 43 characters: %d", len(a.Reveal()))
	}
	if err := ValidateSecretText("key")(a.Reveal()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(Secrets{SignatureKey: a}) != "{   "+Mask+"}" {
		t.Fatalf("the key printed: %v", Secrets{SignatureKey: a})
	}
}
