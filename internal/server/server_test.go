package server

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/haven-project/haven/internal/route"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/internal/testenv"
)

// The exact headers every response carries.
const (
	wantCSP         = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	wantPermissions = "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), interest-cohort=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t, nil)
	big := bytes.Repeat([]byte("x"), DefaultMaxBodyBytes+1)
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		metrics bool // on the metrics address
	}{
		{"health", httptest.NewRequest("GET", "/healthz", nil), 200, false},
		{"a handler that sets a cookie", httptest.NewRequest("GET", "/things/1", nil), 200, false},
		{"unmatched", httptest.NewRequest("GET", "/nowhere", nil), 404, false},
		{"wrong method", httptest.NewRequest("DELETE", "/things/1", nil), 405, false},
		{"panic", httptest.NewRequest("GET", "/panic", nil), 500, false},
		{"too large", httptest.NewRequest("POST", "/upload", bytes.NewReader(big)), 413, false},
		{"metrics, on the public address", httptest.NewRequest("GET", "/metrics", nil), 404, false},
		{"metrics", httptest.NewRequest("GET", "/metrics", nil), 200, true},
		{"another path on the metrics address", httptest.NewRequest("GET", "/healthz", nil), 404, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := s.Handler()
			if tc.metrics {
				h = s.MetricsHandler()
			}
			w := serve(t, h, tc.req)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			hdr := w.Result().Header
			for name, want := range map[string]string{
				"Content-Security-Policy":    wantCSP,
				"Referrer-Policy":            "no-referrer",
				"X-Content-Type-Options":     "nosniff",
				"X-Frame-Options":            "DENY",
				"Permissions-Policy":         wantPermissions,
				"Cross-Origin-Opener-Policy": "same-origin",
			} {
				if got := hdr.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := hdr.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("Set-Cookie = %q, want none", got)
			}
		})
	}
}

func TestContentSecurityPolicyOrder(t *testing.T) {
	if got := contentSecurityPolicy(); got != wantCSP {
		t.Errorf("CSP = %q\nwant  %q", got, wantCSP)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	check := func(path string, status int, body string) {
		t.Helper()
		w := serve(t, s.Handler(), httptest.NewRequest("GET", path, nil))
		if w.Code != status || w.Body.String() != body {
			t.Errorf("GET %s = %d %q, want %d %q", path, w.Code, w.Body.String(), status, body)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control = %q, want no-store", path, cc)
		}
	}
	check("/healthz", 200, "ok")
	check("/readyz", 200, "ready")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	check("/healthz", 200, "ok")
	check("/readyz", 503, "not ready")
}

func TestBodyLimit(t *testing.T) {
	s := newServer(t, nil)
	limit := DefaultMaxBodyBytes
	chunked := func(path string, n int) *http.Request {
		r := httptest.NewRequest("POST", path, io.NopCloser(bytes.NewReader(make([]byte, n))))
		r.ContentLength = -1 // length unknown: the limit applies while reading
		return r
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		json   bool
	}{
		{"at the limit", httptest.NewRequest("POST", "/upload", bytes.NewReader(make([]byte, limit))), 200, false},
		{"declared over the limit", httptest.NewRequest("POST", "/upload", bytes.NewReader(make([]byte, limit+1))), 413, false},
		{"declared over the limit, API", httptest.NewRequest("POST", "/api/upload", bytes.NewReader(make([]byte, limit+1))), 413, true},
		{"chunked at the limit", chunked("/upload", limit), 200, false},
		{"chunked over the limit", chunked("/upload", limit+1), 413, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(t, s.Handler(), tc.req)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %q", w.Code, tc.status, w.Body.String())
			}
			if tc.status == 200 {
				if n, err := strconv.Atoi(w.Body.String()); err != nil || n != limit {
					t.Errorf("handler read %q bytes, want %d", w.Body.String(), limit)
				}
			}
			if tc.json {
				var e struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
					t.Fatalf("413 body is not JSON: %v", err)
				}
				if e.Error.Code != "too_large" || e.Error.Message == "" {
					t.Errorf("error = %+v, want too_large", e.Error)
				}
			}
		})
	}
}

func TestTimeoutsConfigured(t *testing.T) {
	s := newServer(t, nil)
	for _, tc := range []struct {
		name      string
		got, want time.Duration
	}{
		{"ReadHeaderTimeout", s.http.ReadHeaderTimeout, 5 * time.Second},
		{"ReadTimeout", s.http.ReadTimeout, 15 * time.Second},
		{"WriteTimeout", s.http.WriteTimeout, 30 * time.Second},
		{"IdleTimeout", s.http.IdleTimeout, 60 * time.Second},
		{"shutdown", s.shutdownTimeout, 10 * time.Second},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if s.http.MaxHeaderBytes != 16<<10 {
		t.Errorf("MaxHeaderBytes = %d, want %d", s.http.MaxHeaderBytes, 16<<10)
	}
	if s.maxBody != 64<<10 {
		t.Errorf("body limit = %d, want %d", s.maxBody, 64<<10)
	}
	if s.http.ErrorLog == nil {
		t.Error("ErrorLog is nil: net/http would log client addresses to stderr")
	}
}

func TestPanic(t *testing.T) {
	logger, logs := captureLogs(t)
	s := newServer(t, logger)

	w := serve(t, s.Handler(), httptest.NewRequest("GET", "/panic", nil))
	if w.Code != 500 || w.Body.String() != "Internal error." {
		t.Errorf("panic: %d %q, want 500 %q", w.Code, w.Body.String(), "Internal error.")
	}
	w = serve(t, s.Handler(), httptest.NewRequest("GET", "/api/panic", nil))
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 500 || e.Error.Code != "internal" || e.Error.Message != "Internal error." {
		t.Errorf("API panic: %d %s, want 500 with the internal JSON error", w.Code, w.Body.Bytes())
	}

	var panics []map[string]any
	for _, line := range logLines(t, logs.String()) {
		if line["msg"] == "http handler panicked" {
			panics = append(panics, line)
		}
	}
	if len(panics) != 2 {
		t.Fatalf("%d panics logged, want 2", len(panics))
	}
	if panics[0]["route"] != "GET /panic" || panics[0]["err"] != nil {
		t.Errorf("first panic logged as %v; want route GET /panic and no value (it may hold request data)", panics[0])
	}
	if panics[1]["route"] != "GET /api/panic" || !strings.Contains(panics[1]["err"].(string), "index out of range") {
		t.Errorf("runtime-error panic logged as %v; want route and the runtime error", panics[1])
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without a store: no error")
	}
	twice := registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {}, route.Policy{})
	})
	if _, err := New(Config{Store: testenv.SQLite(t), Handlers: []Registrar{twice, twice}}); err == nil {
		t.Error("New with conflicting routes: no error")
	}
	if _, err := New(Config{Store: testenv.SQLite(t), Handlers: []Registrar{registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {}, route.Policy{})
	})}}); err == nil {
		t.Error("New with a route that takes /healthz: no error")
	}
}

// logLines decodes JSON log output, one object a line.
func logLines(tb testing.TB, out string) []map[string]any {
	tb.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			tb.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestPanicAfterWriting: a handler that panics mid-answer gets its
// connection cut, so the client sees an error, not a short answer.
func TestPanicAfterWriting(t *testing.T) {
	srv := httptest.NewServer(newServer(t, nil, halfway()).Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/halfway")
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if err == nil {
		t.Error("a half-written answer reached the client as a whole one")
	}
}
