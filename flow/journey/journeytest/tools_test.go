package journeytest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// probeEnv makes the test binary run TestProbe for real, in a child.
const probeEnv = "CEWIZ_E2E_PROBE"

// TestProbe looks for a tool that does not exist (in the child only).
func TestProbe(t *testing.T) {
	if os.Getenv(probeEnv) == "" {
		t.Skip("run by TestMissingToolSkipsOrFails")
	}
	LookPath(t, "the probe", "cewiz-no-such-tool")
	t.Log("FOUND")
}

// TestMissingToolSkipsOrFails: a missing tool skips the test, and fails it
// under CEWIZ_REQUIRE_E2E=1.
func TestMissingToolSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		require string
		fails   bool
		says    string
	}{
		{"", false, "--- SKIP: TestProbe"},
		{"0", false, "--- SKIP: TestProbe"},
		{"1", true, "--- FAIL: TestProbe"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProbe$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), probeEnv+"=1", RequireEnv+"="+tc.require)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.fails || !strings.Contains(string(out), tc.says) || !strings.Contains(string(out), "cewiz-no-such-tool is not installed") {
			t.Fatalf("%s=%q: err %v, output:\n%s", RequireEnv, tc.require, err, out)
		}
	}
	if p := LookPath(t, "this test", "cewiz-no-such-tool", "sh"); !strings.HasSuffix(p, "/sh") {
		t.Fatalf("the second name was not found: %q", p)
	}
}
