package server

import (
	"github.com/haven-project/haven/internal/route"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/testenv"
)

// A route whose Policy is Unlogged leaves no log line and no count in
// /metrics; its BodyLimit lets it take a larger body than the default;
// NoStore answers no-store.
func TestUnloggedRoutesAndBodyLimit(t *testing.T) {
	logger, logs := captureLogs(t)
	s, err := New(Config{
		Addr: "127.0.0.1:0", Logger: logger, Store: testenv.SQLite(t), Handlers: []Registrar{testRoutes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 200<<10) // above the 64 KiB default
	rec := serve(t, s.Handler(), httptest.NewRequest(http.MethodPost, "/tip-upload", strings.NewReader(big)))
	if rec.Code != http.StatusOK {
		t.Errorf("POST /tip-upload with %d bytes: %d", len(big), rec.Code)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("POST /tip-upload: Cache-Control %q, want no-store", cc)
	}
	if rec := serve(t, s.Handler(), httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(big))); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /upload with %d bytes: %d, want 413", len(big), rec.Code)
	}
	serve(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/things/1", nil))
	got := logs.String()
	if strings.Contains(got, `"route":"POST /tip-upload"`) {
		t.Errorf("an unlogged route was logged:\n%s", got)
	}
	if !strings.Contains(got, `"route":"GET /things/{id}"`) {
		t.Errorf("other routes are not logged any more:\n%s", got)
	}
	_, text := scrape(t, s)
	if strings.Contains(text, `route="POST /tip-upload"`) {
		t.Errorf("the unlogged route is counted in /metrics, which shows when it was used")
	}
}

// An unlogged route in flight leaves the in-flight gauge where it was:
// a gauge that rises while a tip uploads would time it.
func TestUnloggedRoutesNotInFlight(t *testing.T) {
	entered, release := make(chan string, 2), make(chan struct{})
	blocking := registrarFunc(func(mux *route.Mux) {
		for p, policy := range map[string]route.Policy{"POST /tip": {Unlogged: true}, "GET /page": {}} {
			mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
				entered <- r.Pattern
				<-release
			}, policy)
		}
	})
	s, err := New(Config{Store: testenv.SQLite(t), Handlers: []Registrar{blocking}})
	if err != nil {
		t.Fatal(err)
	}
	inFlight := func() float64 {
		fams, _ := scrape(t, s)
		return fams["haven_http_requests_in_flight"].GetMetric()[0].GetGauge().GetValue()
	}
	done := make(chan struct{}, 2)
	go func() { serve(t, s.Handler(), httptest.NewRequest(http.MethodPost, "/tip", nil)); done <- struct{}{} }()
	<-entered
	if got := inFlight(); got != 0 {
		t.Errorf("in flight while a tip uploads: %v, want 0", got)
	}
	go func() { serve(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/page", nil)); done <- struct{}{} }()
	<-entered
	if got := inFlight(); got != 1 {
		t.Errorf("in flight while a page is served: %v, want 1", got)
	}
	close(release)
	<-done
	<-done
	if got := inFlight(); got != 0 {
		t.Errorf("in flight after both: %v, want 0", got)
	}
}

// A redirect to a route's canonical address (route.Mux.Canonical) carries
// the security headers like any answer, and the policy of the route it
// leads to: one to a tipster's route leaves no log line and no count.
func TestCanonicalRedirectHeadersAndPolicy(t *testing.T) {
	logger, logs := captureLogs(t)
	canonical := registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /tip-page", func(http.ResponseWriter, *http.Request) {}, route.Policy{Unlogged: true, NoStore: true})
		mux.Canonical(func(path string) string {
			if strings.HasSuffix(path, "/") && len(path) > 1 {
				return strings.TrimSuffix(path, "/")
			}
			return ""
		})
	})
	s := newServer(t, logger, canonical)
	for target, location := range map[string]string{"/tip-page/": "/tip-page", "/things/1/?a=b": "/things/1?a=b"} {
		w := serve(t, s.Handler(), httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != location {
			t.Fatalf("GET %s: %d, Location %q; want 301 to %s", target, w.Code, w.Header().Get("Location"), location)
		}
		for _, kv := range securityHeaders() {
			if got := w.Header().Get(kv[0]); got != kv[1] {
				t.Errorf("GET %s: %s %q, want %q", target, kv[0], got, kv[1])
			}
		}
	}
	got := logs.String()
	if strings.Contains(got, "tip-page") {
		t.Errorf("the redirect to an unlogged route was logged:\n%s", got)
	}
	if !strings.Contains(got, `"route":"GET /things/{id}","status":301`) {
		t.Errorf("the redirect to a logged route is not logged as that route's 301:\n%s", got)
	}
	if _, text := scrape(t, s); strings.Contains(text, "tip-page") {
		t.Errorf("the redirect to an unlogged route is counted in /metrics")
	}
}
