package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
)

// BenchmarkCreate measures the sandbox handling POST /instances over real
// HTTP on loopback (keep-alive connections, parallel clients): creates/s.
// Each create needs its own code, minted with IssueCode (a map insert).
func BenchmarkCreate(b *testing.B) {
	s, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body, _ := json.Marshal(seedBody(fmt.Sprint("bench-", i), s.IssueCode(callback, site, DemoAppID)))
			req, _ := http.NewRequest("POST", s.BaseURL()+"/instances", bytes.NewReader(body))
			req.Header.Set("Authorization", demoAuth)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var sink map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&sink)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// BenchmarkGetInstance is one GET /instances/{id} over loopback HTTP, as a
// client does it: the body read to the end and decoded, the connection kept
// alive and reused (it fails if a request opened a new one).
func BenchmarkGetInstance(b *testing.B) {
	s, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	body, _ := json.Marshal(seedBody("one", s.IssueCode(callback, site, DemoAppID)))
	req, _ := http.NewRequest("POST", s.BaseURL()+"/instances", bytes.NewReader(body))
	req.Header.Set("Authorization", demoAuth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := s.Instances()[0].ID
	var dials int
	trace := &httptrace.ClientTrace{ConnectStart: func(string, string) { dials++ }}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	u := fmt.Sprintf("%s/instances/%d", s.BaseURL(), id)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		req.Header.Set("Authorization", demoAuth)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var in struct{ ID int64 }
		err = json.NewDecoder(resp.Body).Decode(&in)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || in.ID != id {
			b.Fatalf("GET: %d, id %d, %v", resp.StatusCode, in.ID, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if dials > 0 {
		b.Fatalf("%d new connections for %d requests: the connection was not reused", dials, b.N)
	}
}
