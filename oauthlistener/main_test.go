package oauthlistener

import (
	"os"
	"testing"

	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// TestMain lets more parallel tests run at once than there are CPUs: this
// package's tests wait, for a second of /done grace, a timeout or a real
// browser, and with two at a time on a two-CPU machine the browser test
// waited seven seconds for its turn.
func TestMain(m *testing.M) {
	os.Exit(journeytest.RunWaiting(m, 16))
}
