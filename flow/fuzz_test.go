package flow

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Any accepted domain normalises to <label>.docushareflex.com, and
// normalising is idempotent.
func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"acme", "acme.docushareflex.com", "https://acme.docushareflex.com/dsweb", "HTTP://A.docushareflex.com.", "", "a..b", "https://:80", "xn--bcher-kva", "acme.docushareflex.com/?#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := NormalizeDomain(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty message")
			}
			return
		}
		label, ok := strings.CutSuffix(d, DomainSuffix)
		if !ok || !dnsLabel().MatchString(label) {
			t.Fatalf("NormalizeDomain(%q) = %q, not <label>%s", in, d, DomainSuffix)
		}
		again, err := NormalizeDomain(d)
		if err != nil || again != d {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, d, again, err)
		}
	})
}

// Whatever body import accepts, exporting it and importing again gives the
// same body: nothing accepted is lost or changed on the way.
func FuzzParseBody(f *testing.F) {
	seed, _ := os.ReadFile("testdata/seed-body.json")
	f.Add(seed)
	a, s := fullAnswers()
	full, _ := MarshalBody(BuildBody(a, s, SecretsIncluded))
	f.Add(full)
	f.Add([]byte(`{"configuration":{"event.poller.configuration":"{\"e\":{\"url\":\"/x\",\"idField\":\"id\"}}","event.poller.refresh_interval":7}}`))
	f.Add([]byte(`{"configuration":{"x.y":[1,{"a":null}],"event.notification.enabled":"true"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, s, err := ParseBody(data)
		if err != nil {
			return
		}
		first, err := MarshalBody(BuildBody(a, s, SecretsIncluded))
		if err != nil {
			t.Fatalf("accepted body cannot be written: %v", err)
		}
		a2, s2, err := ParseBody(first)
		if err != nil {
			t.Fatalf("our own body is rejected: %v\n%s", err, first)
		}
		second, _ := MarshalBody(BuildBody(a2, s2, SecretsIncluded))
		if !bytes.Equal(first, second) {
			t.Fatalf("round trip changed the body\n%s\n%s", first, second)
		}
	})
}
