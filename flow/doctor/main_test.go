package doctor

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets the parallel tests all run at once unless -parallel is
// given (go test allows as many as CPUs): they wait on hanging servers and
// the checks' timeouts, not on the CPU, and two at a time on a two-CPU
// machine made the last one wait for the others' timeouts.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
