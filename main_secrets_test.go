package main

import (
	"strings"
	"testing"
)

// A secret variable that cannot be a secret is a usage error naming the
// variable, not a network error later.
func TestBadSecretVariableIsAUsageError(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	for _, cmd := range [][]string{{"create", "--code", "x"}, {"doctor"}, {"export"}} {
		env := h.env("CEWIZ_USER_SECRET", "user, Organization org")
		code, out, errOut := runCLI(t, env, cmd...)
		if code != exitUsage || !strings.Contains(errOut, "CEWIZ_USER_SECRET: ") || strings.Contains(errOut, "network") {
			t.Fatalf("%v: exit %d, stderr %q", cmd, code, errOut)
		}
		if strings.Contains(errOut+out, "Organization org") {
			t.Fatalf("%v: the secret is shown: %q", cmd, errOut)
		}
	}
}
