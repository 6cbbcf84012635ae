//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Every command that reads --from or --poller-config refuses a FIFO (which
// blocked for ever) and a device such as /dev/zero (which grew until the
// kernel killed cewiz), at once, with exit 2 naming the flag.
func TestFileInputsAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	h := isolate(t)
	fifo := filepath.Join(t.TempDir(), "body.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"export", "create", ""} {
		for _, flagName := range []string{"from", "poller-config"} {
			for _, path := range []string{fifo, "/dev/zero"} {
				args := []string{"--" + flagName, path}
				if cmd != "" {
					args = append([]string{cmd}, args...)
				}
				_, errOut, done := runAsync(t, nil, h.env(), nil, args...)
				if code := finished(t, done); code != exitUsage {
					t.Fatalf("%v: exit %d, want %d\n%s", args, code, exitUsage, errOut)
				}
				if !strings.Contains(errOut.String(), "--"+flagName+": ") || !strings.Contains(errOut.String(), "not a regular file") {
					t.Fatalf("%v: stderr %q", args, errOut)
				}
			}
		}
	}
}
