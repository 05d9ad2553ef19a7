package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// discard is a ResponseWriter that keeps nothing, so that benchmarks
// measure the handler and not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchPage(b *testing.B, target string) {
	f := newFixture(b, func() time.Time { return time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC) })
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	w := &discard{h: http.Header{}}
	f.mux.ServeHTTP(w, req) // render once
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		f.mux.ServeHTTP(w, req)
	}
}

func BenchmarkHome(b *testing.B)         { benchPage(b, "/") }
func BenchmarkServicePage(b *testing.B)  { benchPage(b, "/en/services/eeoc") }
func BenchmarkServicesList(b *testing.B) { benchPage(b, "/en/services") }
func BenchmarkServicesFilter(b *testing.B) {
	benchPage(b, "/en/services?topic=general&law_enforcement=false")
}

func BenchmarkServicesSearch(b *testing.B) { benchPage(b, "/en/services?q=hotline") }
