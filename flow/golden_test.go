package flow

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite flow's golden files")

// golden compares got with testdata/name, or rewrites it with -update.
// These pin the exact bytes a user sees: indentation, key order, quoting.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./flow -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Fatalf("%s differs from the golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestGoldenExports(t *testing.T) {
	a, s := fullAnswers()
	golden(t, "full-body-placeholders.golden.json", mustMarshal(t, BuildBody(a, s, SecretsPlaceholder)))
	golden(t, "full-body-masked.golden.json", mustMarshal(t, BuildBody(a, s, SecretsMasked)))
	golden(t, "seed-inputs.golden.json", mustMarshal(t, BuildBody(seedAnswers(), Secrets{}, SecretsPlaceholder)))
	cmd, err := ExportCurl(a, Regions["eu"])
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.curl.golden", []byte(cmd))
}

func BenchmarkBuildAndMarshalBody(b *testing.B) {
	a, s := fullAnswers()
	for _, n := range []string{"folders", "contracts", "search", "archive"} {
		a.Polling, _ = a.Polling.CopyTo("events", n, "/hubs/documents/folders/contents?path=/"+n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalBody(BuildBody(a, s, SecretsMasked)); err != nil {
			b.Fatal(err)
		}
	}
}
