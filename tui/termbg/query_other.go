//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package termbg

import (
	"os"
	"time"
)

// query does not ask on these systems (Windows consoles do not answer
// OSC 11 the same way): the background is guessed dark, as termenv does.
func query(_, _ *os.File, _ time.Duration) Answer {
	return Answer{Dark: true, How: "not asked on this system"}
}
