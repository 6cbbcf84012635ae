package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCreateBody: whatever the body, POST /instances answers 200 or a
// 4xx in the real error shape, and never panics.
func FuzzCreateBody(f *testing.F) {
	seed, _ := json.Marshal(seedBody("f", "code"))
	f.Add(seed)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"element":{"id":5127},"name":"x","providerData":{"code":"c"},"configuration":{"event.poller.configuration":"{\"a\":{}}"}}`))
	f.Add([]byte(`{"configuration":{"event.poller.refresh_interval":1e99,"event.notification.enabled":"TRUE"}}`))
	f.Add([]byte(`[1,2`))
	sb := New(Options{})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", APIPath+"/instances", bytes.NewReader(body))
		req.Header.Set("Authorization", demoAuth)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			return
		case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		var e apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.RequestID == "" || strings.TrimSpace(e.Message) == "" {
			t.Fatalf("error body %q for %q", rec.Body.String(), body)
		}
	})
}

func TestStartAtUnspecifiedAddressPrintsLoopback(t *testing.T) {
	s, err := StartAt("0.0.0.0:0", Options{})
	if err != nil {
		t.Skip("cannot listen on all interfaces here:", err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.BaseURL(), "http://127.0.0.1:") || !strings.HasSuffix(s.BaseURL(), APIPath) {
		t.Fatalf("BaseURL %q", s.BaseURL())
	}
	if _, err := StartAt(s.Addr().String(), Options{}); err == nil {
		t.Fatal("a port in use was accepted")
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Logf("Close after Shutdown: %v", err) // harmless, must not hang
	}
}
