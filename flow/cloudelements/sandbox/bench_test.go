package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
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

// BenchmarkGetInstance is one GET /instances/{id} over loopback HTTP.
func BenchmarkGetInstance(b *testing.B) {
	s, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body, _ := json.Marshal(seedBody("one", s.IssueCode(callback, site, DemoAppID)))
	req, _ := http.NewRequest("POST", s.BaseURL()+"/instances", bytes.NewReader(body))
	req.Header.Set("Authorization", demoAuth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	id := s.Instances()[0].ID
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/instances/%d", s.BaseURL(), id), nil)
		req.Header.Set("Authorization", demoAuth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
