package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCreateSandboxFlag(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	code, out, errOut := runSafe(t, h.env("BROWSER", consentScript(t)), nil, "create", "--sandbox", "--listen", "127.0.0.1:0", "--timeout", "20s")
	if code != exitOK || !strings.Contains(out, "Created instance") || !strings.Contains(errOut, "built-in sandbox") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// A throwaway sandbox run is not remembered.
	if _, err := os.Stat(filepath.Join(h.configDir(), "answers.json")); err == nil {
		t.Fatal("the sandbox's answers were remembered")
	}
}

// --sandbox keeps the summaries of its throwaway instances in a directory
// of its own, created 0700 for this run: a $TMPDIR/cewiz-sandbox planted by
// someone else (a symlink to their directory) is never written through.
func TestSandboxPrivateDirectory(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	tmp := t.TempDir()
	planted := t.TempDir()
	if err := os.Symlink(planted, filepath.Join(tmp, "cewiz-sandbox")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runSafe(t, h.env("BROWSER", consentScript(t), "TMPDIR", tmp), nil, "create", "--sandbox", "--listen", "127.0.0.1:0", "--timeout", "20s")
	if code != exitOK || !strings.Contains(out, "Created instance") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(planted); len(entries) != 0 {
		t.Fatalf("the sandbox wrote through the planted symlink: %v", entries)
	}
	m := regexp.MustCompile(`Saved the instance's id and token in (\S+) \(mode 0600\)`).FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("no summary saved:\n%s", errOut)
	}
	summary := m[1]
	// The private directory is the summaries' grandparent: <dir>/instances/<id>.json.
	dir := filepath.Dir(filepath.Dir(summary))
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the sandbox's directory %s: %v %v", dir, fi, err)
	}
	if filepath.Dir(dir) != tmp {
		t.Fatalf("the sandbox's directory %s is not under $TMPDIR %s", dir, tmp)
	}
	if st, err := os.Stat(summary); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("summary %s: %v %v", summary, st, err)
	}
}
