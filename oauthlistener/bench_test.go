package oauthlistener

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
)

// benchClient is a browser-like client for the benchmarks that leaves no
// TIME_WAIT socket behind: it keeps its connection alive for the callback
// and /done, and the benchmark closes it (closeConns) before the listener,
// with an RST (SO_LINGER 0). Each Start binds a new ephemeral port, and the
// kernel's search for a free one slows with every socket in TIME_WAIT: with
// one left per iteration (the server closing a "Connection: close"
// exchange), a second run of the benchmarks within a minute took four to
// eight times as long as the first.
func benchClient(follow bool) (c *http.Client, closeConns func()) {
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			return conn, err
		},
	}
	c = &http.Client{Transport: tr}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c, tr.CloseIdleConnections
}

// BenchmarkStartCallbackResult: Start on an ephemeral port, a browser-like
// client sends the callback and follows the 303 to /done, Wait returns the
// code, Close frees the port.
func BenchmarkStartCallbackResult(b *testing.B) {
	client, closeConns := benchClient(true)
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
		if resp.Request.URL.Path != DonePath || resp.StatusCode != http.StatusOK {
			b.Fatalf("ended on %s with %d, want %s 200", resp.Request.URL.Path, resp.StatusCode, DonePath)
		}
		res, err := l.Wait(context.Background())
		if err != nil || res.Code.Reveal() != "benchcode" {
			b.Fatal(err)
		}
		closeConns()
		_ = l.Close()
	}
}

// BenchmarkCallbackToResult measures only the callback → Wait latency on a
// running listener (the part the user waits for after the browser redirect).
func BenchmarkCallbackToResult(b *testing.B) {
	client, closeConns := benchClient(false)
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
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if _, err := l.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if resp, err := client.Get("http://" + l.Addrs()[0] + DonePath); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		closeConns()
		_ = l.Close()
		b.StartTimer()
	}
}
