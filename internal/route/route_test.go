package route

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMuxAppliesPolicy(t *testing.T) {
	var flight []float64
	m := NewMux(Config{MaxBodyBytes: 10, InFlight: func(d float64) { flight = append(flight, d) }})
	read := func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = io.WriteString(w, "read")
	}
	m.HandleFunc("POST /small", read, Policy{})
	m.HandleFunc("POST /tip", read, Policy{Unlogged: true, NoStore: true, BodyLimit: 100})

	serve := func(path, body string, chunked bool) (*httptest.ResponseRecorder, *Info) {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		if chunked {
			r.ContentLength = -1
		}
		info := &Info{}
		r = r.WithContext(WithInfo(r.Context(), info))
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		return w, info
	}
	w, info := serve("/small", "0123456789", false)
	if w.Code != 200 || info.Pattern != "POST /small" || info.Unlogged || w.Header().Get("Cache-Control") != "" {
		t.Errorf("at the limit: %d %+v %q", w.Code, info, w.Header().Get("Cache-Control"))
	}
	w, _ = serve("/small", "0123456789x", false)
	var b ErrorBody
	if w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("Connection") != "close" || json.Unmarshal(w.Body.Bytes(), &b) == nil {
		t.Errorf("declared over the limit: %d %q %q (want plain text off /api/)", w.Code, w.Header().Get("Connection"), w.Body.String())
	}
	if w, _ = serve("/small", "0123456789x", true); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked over the limit: %d", w.Code)
	}
	flightBefore := len(flight)
	w, info = serve("/tip", strings.Repeat("x", 100), false)
	if w.Code != 200 || !info.Unlogged || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("the tip route: %d %+v %q", w.Code, info, w.Header().Get("Cache-Control"))
	}
	if len(flight) != flightBefore {
		t.Errorf("the unlogged route moved the in-flight gauge: %v", flight[flightBefore:])
	}
	if len(flight) == 0 || flight[0] != 1 || flight[1] != -1 {
		t.Errorf("a logged route's in-flight calls: %v, want +1 then -1", flight)
	}
	want := []Route{{"POST /small", Policy{}}, {"POST /tip", Policy{Unlogged: true, NoStore: true, BodyLimit: 100}}}
	got := m.Routes()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Routes() = %+v, want %+v", got, want)
	}
}

func TestWriteErrorJSONUnderAPI(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, httptest.NewRequest("GET", "/api/v1/x", nil), http.StatusRequestEntityTooLarge, "too_large", "The request body is too large.")
	var b ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Error.Code != "too_large" || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("%v %+v %q", err, b, w.Header().Get("Content-Type"))
	}
}

// TestMuxCanonical: a path a canon rewrites is sent on, query and all,
// under the policy of the route it is sent to; a path no other route would
// serve, a POST, and a target off the site are not.
func TestMuxCanonical(t *testing.T) {
	m := NewMux(Config{})
	ok := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Pattern) }
	tip := Policy{Unlogged: true, NoStore: true}
	m.HandleFunc("GET /page", ok, Policy{})
	m.HandleFunc("GET /tip", ok, tip)
	m.HandleFunc("POST /tip", ok, tip)
	m.HandleFunc("GET /", ok, Policy{})
	m.Canonical(func(path string) string {
		switch path {
		case "/away/":
			return "//elsewhere.example/page"
		case "/lost/":
			return ""
		}
		if c := strings.ToLower(strings.TrimSuffix(path, "/")); c != path {
			return c
		}
		return ""
	})
	m.Canonical(func(path string) string {
		if path == "/lost/" {
			return "/page"
		}
		return ""
	})
	for _, tt := range []struct {
		method, target string
		code           int
		location       string
		pattern        string
		policy         Policy
	}{
		{"GET", "/page/?a=1&b=%20", http.StatusMovedPermanently, "/page?a=1&b=%20", "GET /page", Policy{}},
		{"HEAD", "/PAGE", http.StatusMovedPermanently, "/page", "GET /page", Policy{}},
		{"GET", "/Tip/", http.StatusMovedPermanently, "/tip", "GET /tip", tip},
		{"GET", "/lost/", http.StatusMovedPermanently, "/page", "GET /page", Policy{}}, // the second canon
		{"GET", "/page", http.StatusOK, "", "GET /page", Policy{}},
		{"GET", "/Nowhere/", http.StatusOK, "", "GET /", Policy{}}, // "/nowhere" is the same route's
		{"GET", "/away/", http.StatusOK, "", "GET /", Policy{}},
		{"POST", "/Tip/", http.StatusOK, "", "GET /", Policy{}}, // GET / answers POST with 405
	} {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		info := &Info{}
		r = r.WithContext(WithInfo(r.Context(), info))
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		if tt.method == "POST" {
			if w.Code == http.StatusMovedPermanently {
				t.Errorf("POST %s was redirected", tt.target)
			}
			continue
		}
		if w.Code != tt.code || w.Header().Get("Location") != tt.location {
			t.Errorf("%s %s: %d, Location %q; want %d, %q", tt.method, tt.target, w.Code, w.Header().Get("Location"), tt.code, tt.location)
		}
		if info.Pattern != tt.pattern || info.Unlogged != tt.policy.Unlogged {
			t.Errorf("%s %s: route %q, unlogged %v; want %q, %v", tt.method, tt.target, info.Pattern, info.Unlogged, tt.pattern, tt.policy.Unlogged)
		}
		if got, want := w.Header().Get("Cache-Control") == "no-store", tt.policy.NoStore; got != want {
			t.Errorf("%s %s: no-store %v, want %v", tt.method, tt.target, got, want)
		}
	}
}
