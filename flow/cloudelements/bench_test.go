package cloudelements_test

import (
	"fmt"
	"testing"

	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// BenchmarkClientRoundTrip is one GET /instances/{id} through the client:
// request building, the real HTTP exchange on loopback, and tolerant
// decoding of a full instance.
func BenchmarkClientRoundTrip(b *testing.B) {
	e := newEnv(b)
	in := e.create("bench")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.c.GetInstance(ctx, in.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkClientCreate is a create through the client (body encoding,
// POST, decoding), with a code minted by the sandbox for each.
func BenchmarkClientCreate(b *testing.B) {
	e := newEnv(b)
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		i++
		code := e.srv.IssueCode(callback, site, sandbox.DemoAppID)
		if _, err := e.c.CreateInstance(ctx, body(fmt.Sprint("bench-", i), code)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}
