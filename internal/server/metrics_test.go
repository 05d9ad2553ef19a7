package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics and parses the text format.
func scrape(tb testing.TB, s *Server) (map[string]*dto.MetricFamily, string) {
	tb.Helper()
	w := serve(tb, s.MetricsHandler(), httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 {
		tb.Fatalf("GET /metrics: %d", w.Code)
	}
	text := w.Body.String()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		tb.Fatalf("parse metrics: %v", err)
	}
	return fams, text
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// find returns the metric of the family whose labels equal want.
func find(fam *dto.MetricFamily, want map[string]string) *dto.Metric {
	for _, m := range fam.GetMetric() {
		got := labels(m)
		if len(got) != len(want) {
			continue
		}
		match := true
		for k, v := range want {
			match = match && got[k] == v
		}
		if match {
			return m
		}
	}
	return nil
}

func TestMetrics(t *testing.T) {
	s := newServer(t, nil)
	for _, r := range []struct{ method, path string }{
		{"GET", "/things/secret-id-1?q=secret-query"},
		{"GET", "/things/secret-id-2"},
		{"GET", "/secret-unmatched-path"},
		{"DELETE", "/things/secret-id-3"},
		{"SECRET-METHOD", "/things/secret-id-4"},
	} {
		serve(t, s.Handler(), httptest.NewRequest(r.method, r.path, nil))
	}
	fams, text := scrape(t, s)

	requests := fams["haven_http_requests_total"]
	if requests == nil {
		t.Fatal("no haven_http_requests_total")
	}
	for _, tc := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"route": "GET /things/{id}", "method": "GET", "code": "2xx"}, 2},
		{map[string]string{"route": "unmatched", "method": "GET", "code": "4xx"}, 1},
		{map[string]string{"route": "unmatched", "method": "DELETE", "code": "4xx"}, 1},
		{map[string]string{"route": "unmatched", "method": "OTHER", "code": "4xx"}, 1},
	} {
		m := find(requests, tc.labels)
		if m == nil {
			t.Errorf("no request count for %v", tc.labels)
			continue
		}
		if got := m.GetCounter().GetValue(); got != tc.want {
			t.Errorf("requests %v = %v, want %v", tc.labels, got, tc.want)
		}
	}
	duration := fams["haven_http_request_duration_seconds"]
	if m := find(duration, map[string]string{"route": "GET /things/{id}"}); m == nil || m.GetHistogram().GetSampleCount() != 2 {
		t.Errorf("latency histogram for GET /things/{id}: %v, want 2 samples", m)
	}
	for _, name := range []string{"haven_http_requests_in_flight", "go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	// No raw path, query or client-chosen method in any label, anywhere.
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			for k, v := range labels(m) {
				if strings.Contains(v, "secret") || strings.Contains(v, "/things/secret") {
					t.Errorf("%s has label %s=%q", name, k, v)
				}
			}
		}
	}
	if strings.Contains(text, "secret") {
		t.Error("the metrics text mentions a raw path, query or method")
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{200: "2xx", 204: "2xx", 301: "3xx", 404: "4xx", 503: "5xx", 99: "other", 600: "other"} {
		if got := statusClass(status); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", status, got, want)
		}
	}
}
