package flow

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// resolveWithin runs Resolve with the real file reader and fails the test,
// instead of hanging it, when Resolve does not return within a deadline.
func resolveWithin(t *testing.T, args []string) error {
	t.Helper()
	o, err := parseOptions(t, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := o.Resolve(mapLookup(nil), ReadInputFile)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("Resolve %v did not return within 30 s", args)
		return nil
	}
}

func TestFileInputsAreBounded(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.json", append([]byte("{}"), bytes.Repeat([]byte(" "), MaxInputFile)...)) // 1 MiB + 2
	justFits := write("fits.json", append(bytes.Repeat([]byte(" "), MaxInputFile-2), "{}"...))
	deep := write("deep.json", []byte(`{"configuration":{"x":`+strings.Repeat("[", MaxJSONDepth)+strings.Repeat("]", MaxJSONDepth)+`}}`))
	deepPoller := write("deep-poller.json", []byte(strings.Repeat(`{"a":`, 100)+"1"+strings.Repeat("}", 100)))
	for _, flagName := range []string{"from", "poller-config"} {
		t.Run(flagName, func(t *testing.T) {
			mustUsage(t, resolveWithin(t, []string{"--" + flagName, dir}), flagName, "is a directory, not a regular file")
			mustUsage(t, resolveWithin(t, []string{"--" + flagName, big}), flagName, "larger than 1024 KiB")
			mustUsage(t, resolveWithin(t, []string{"--" + flagName, filepath.Join(dir, "missing.json")}), flagName, "no such file")
		})
	}
	if err := resolveWithin(t, []string{"--from", justFits}); err != nil {
		t.Fatalf("a 1 MiB body file: %v", err)
	}
	mustUsage(t, resolveWithin(t, []string{"--from", deep}), "from", "nested more than 64 levels")
	mustUsage(t, resolveWithin(t, []string{"--poller-config", deepPoller}), "poller-config", "nested more than 64 levels")
}

func TestCheckJSONDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{nest(MaxJSONDepth), true},
		{nest(MaxJSONDepth + 1), false},
		{`{"a":"` + strings.Repeat("[", 500) + `"}`, true},     // brackets in a string do not nest
		{`{"a":"\"` + strings.Repeat("{", 500) + `\\"}`, true}, // nor after escaped quotes
		{`{"a":"\\"` + strings.Repeat(",[", 100) + `}`, false}, // an escaped backslash ends the escape
	} {
		if err := checkJSONDepth([]byte(tc.in)); (err == nil) != tc.ok {
			t.Errorf("%.40q…: %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestExportPath(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	getenv := func(k string) string { return map[string]string{"HOME": home, "USERPROFILE": home, "home": home}[k] }
	wd, _ := os.Getwd()
	for in, want := range map[string]string{
		"~/a.json":      filepath.Join(home, "a.json"),
		" ~/d/b.json ":  filepath.Join(home, "d", "b.json"),
		"rel.json":      filepath.Join(wd, "rel.json"),
		"/abs/c.json":   "/abs/c.json",
		"~other/x.json": filepath.Join(wd, "~other", "x.json"), // another user's ~ is not guessed
	} {
		if got, err := ExportPath(in, getenv); err != nil || got != want {
			t.Errorf("ExportPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ExportPath("  ", getenv); err == nil {
		t.Error("an empty path was accepted")
	}
	// No home in the environment given: ~ is refused, saying why, even
	// when the process has one.
	if _, err := ExportPath("~/a.json", func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "home directory") {
		t.Errorf("~ without a home: %v", err)
	}
}
