package journeytest

import (
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
)

// Ports FreePort hands out: below every system's ephemeral range (Linux
// starts it at 32768, macOS and Windows at 49152) and away from cewiz's
// own defaults (23949, 23950).
const (
	portsFrom = 10000
	portsTo   = 20000
)

var (
	handedMu sync.Mutex
	handed   = map[int]bool{}
)

// FreePort returns a loopback port that is free now and that nothing else
// is about to take, for a test that must name a port before the program it
// runs binds it (a notification URL, a callback URL). A port the system
// chose (127.0.0.1:0) and closed again is not that: the tests running at
// the same time bind port 0 and open connections, and the system can give
// them the same port first. A port below the ephemeral range is only ever
// taken by a program that names it, and this process never hands it out
// twice.
func FreePort(t testing.TB) int {
	t.Helper()
	handedMu.Lock()
	defer handedMu.Unlock()
	for range 200 {
		p := portsFrom + rand.IntN(portsTo-portsFrom)
		if handed[p] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // taken by another program
		}
		_ = ln.Close()
		handed[p] = true
		return p
	}
	t.Fatalf("no free loopback port between %d and %d", portsFrom, portsTo)
	return 0
}
