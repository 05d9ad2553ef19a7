package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/haven-project/haven/internal/api"
	"github.com/haven-project/haven/internal/testenv"
)

// newAPIServer is the whole HTTP stack as haven serve builds it: the US
// pack in SQLite, the JSON API, and the server's middleware.
func newAPIServer(tb testing.TB) *Server {
	tb.Helper()
	db, p := testenv.USStore(tb)
	s, err := New(Config{Store: db, Handlers: []Registrar{api.New(api.Config{Store: db, Meta: p.Meta})}})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	return s
}

func benchmarkGET(b *testing.B, target string) {
	h := newAPIServer(b).Handler()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", target, w.Code)
		}
	}
}

func BenchmarkListServices(b *testing.B) { benchmarkGET(b, "/api/v1/services") }

func BenchmarkGetService(b *testing.B) { benchmarkGET(b, "/api/v1/services/nhth") }

// TestAPIThroughServer checks that the API and the server fit: a JSON
// route, a JSON 404 and a JSON 405 under the full middleware.
func TestAPIThroughServer(t *testing.T) {
	s := newAPIServer(t)
	h := s.Handler()
	cases := []struct {
		method, path string
		status       int
		route        string
	}{
		{"GET", "/api/v1/services/nhth", 200, "GET /api/v1/services/{slug}"},
		{"GET", "/api/v1/nothing", 404, "GET /api/"},
		{"POST", "/api/v1/services", 405, "POST /api/v1/services"},
	}
	for _, tc := range cases {
		w := serve(t, h, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.status || w.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
			w.Header().Get("Content-Security-Policy") != wantCSP {
			t.Errorf("%s %s: %d %q, want %d JSON with the security headers", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), tc.status)
		}
	}
	// Metrics count each by the API's pattern.
	fams, _ := scrape(t, s)
	for _, tc := range cases {
		want := map[string]string{"route": tc.route, "method": tc.method, "code": statusClass(tc.status)}
		if m := find(fams["haven_http_requests_total"], want); m == nil || m.GetCounter().GetValue() != 1 {
			t.Errorf("request count %v = %v, want 1", want, m)
		}
	}
}
