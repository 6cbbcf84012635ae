package journeytest

import (
	"flag"
	"strconv"
	"testing"
)

// RunWaiting runs m's tests with n parallel tests at once unless -parallel
// was given, and returns m.Run's exit code (for TestMain's os.Exit). go
// test otherwise runs as many as there are CPUs, which suits tests that
// compute; the packages that call this run tests that mostly wait (on a
// timeout, a server, a browser or a process), and on a two-CPU machine the
// last of them waited seconds for the others' timeouts.
func RunWaiting(m *testing.M, n int) int {
	AllowParallel(n)
	return m.Run()
}

// AllowParallel parses the test flags and sets -parallel to n unless it
// was given: RunWaiting's first half, for a TestMain with more to do
// between parsing the flags and m.Run.
func AllowParallel(n int) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}
