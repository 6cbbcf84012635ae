package oauthlistener

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkStartCallbackResult: Start on an ephemeral port, a browser-like
// client sends the callback and follows the 303 to /done, Wait returns the
// code, Close frees the port.
func BenchmarkStartCallbackResult(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	b.ReportAllocs()
	for b.Loop() {
		l, err := Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := client.Get("http://" + l.Addrs()[0] + l.path + "?code=benchcode&state=" + l.State())
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		res, err := l.Wait(context.Background())
		if err != nil || res.Code.Reveal() != "benchcode" {
			b.Fatal(err)
		}
		_ = l.Close()
	}
}

// BenchmarkCallbackToResult measures only the callback → Wait latency on a
// running listener (the part the user waits for after the browser redirect).
func BenchmarkCallbackToResult(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for b.Loop() {
		b.StopTimer()
		l, err := Start(context.Background(), Options{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		u := "http://" + l.Addrs()[0] + l.path + "?code=benchcode&state=" + l.State()
		b.StartTimer()
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if _, err := l.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_, _ = client.Get("http://" + l.Addrs()[0] + "/done")
		_ = l.Close()
		b.StartTimer()
	}
}
