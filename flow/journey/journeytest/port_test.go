package journeytest

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePort: every port is below the ephemeral range, bindable when
// handed out, and never handed out twice in one process.
func TestFreePort(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		if p < portsFrom || p >= portsTo || seen[p] {
			t.Fatalf("port %d: outside [%d, %d) or handed out twice", p, portsFrom, portsTo)
		}
		seen[p] = true
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		ln.Close()
	}
}
