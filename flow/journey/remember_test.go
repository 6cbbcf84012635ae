package journey_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey"
)

// One policy for what a success leaves for the next run, the wizard's and
// create's: the answers without secrets, and no callback URL whose port
// was picked for this run only.
func TestRemember(t *testing.T) {
	a := flow.NewAnswers()
	a.APIKey, a.Domain = "app", "acme.docushareflex.com"
	a.Code = flow.NewSecret("the-code")
	tests := []struct {
		name     string
		listen   string
		callback string
		want     string // the remembered callback URL ("": none, the default applies)
	}{
		{"the default port", "", "http://127.0.0.1:23949/callback", "http://127.0.0.1:23949/callback"},
		{"a fixed --listen port", "127.0.0.1:8123", "http://127.0.0.1:8123/callback", "http://127.0.0.1:8123/callback"},
		{"a port picked for this run", "127.0.0.1:0", "http://127.0.0.1:40123/callback", ""},
		{"a registered URL with a picked port", "127.0.0.1:0", "https://auth.cloudelements.io/oauth", "https://auth.cloudelements.io/oauth"},
	}
	for _, tt := range tests {
		mem := flow.Memory{Dir: t.TempDir()}
		b := a.Clone()
		b.CallbackURL = tt.callback
		if err := journey.Remember(mem, journey.Settings{ListenAddr: tt.listen}, b); err != nil {
			t.Fatal(err)
		}
		r, ok, err := mem.Load()
		if !ok || err != nil || r.CallbackURL != tt.want || r.Domain != a.Domain {
			t.Errorf("%s: remembered %+v (%v %v), want callback %q", tt.name, r, ok, err, tt.want)
		}
		p, _ := mem.Path()
		if data, _ := os.ReadFile(p); strings.Contains(string(data), "the-code") {
			t.Errorf("%s: the code was remembered", tt.name)
		}
	}
}
