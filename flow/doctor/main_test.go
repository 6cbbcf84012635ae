package doctor

import (
	"os"
	"testing"

	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// TestMain lets the parallel tests all run at once: they wait on hanging
// servers and the checks' timeouts, not on the CPU.
func TestMain(m *testing.M) {
	os.Exit(journeytest.RunWaiting(m, 8))
}
