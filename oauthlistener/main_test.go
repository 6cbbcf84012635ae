package oauthlistener

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more parallel tests run at once than there are CPUs
// (go test's default for -parallel) unless -parallel is given: this
// package's tests wait, for a second of /done grace, a timeout or a real
// browser, and with two at a time on a two-CPU machine the browser test
// waited seven seconds for its turn.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "16")
	}
	os.Exit(m.Run())
}
