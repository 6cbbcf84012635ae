//go:build unix

package flow

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO blocked for ever and /dev/zero grew until the kernel killed the
// process: both are refused at once, naming the flag.
func TestFileInputsRefuseFIFOsAndDevices(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "body.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flagName := range []string{"from", "poller-config"} {
		mustUsage(t, resolveWithin(t, []string{"--" + flagName, fifo}), flagName, "is a named pipe (FIFO), not a regular file")
		mustUsage(t, resolveWithin(t, []string{"--" + flagName, "/dev/zero"}), flagName, "/dev/zero is a device, not a regular file")
		mustUsage(t, resolveWithin(t, []string{"--" + flagName, "/dev/null"}), flagName, "is a device")
	}
}
