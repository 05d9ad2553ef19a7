package api

import (
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzServicesQuery feeds arbitrary query strings to GET /api/v1/services:
// the answer is never a 5xx, always JSON, and always what openapi.json
// allows.
func FuzzServicesQuery(f *testing.F) {
	for _, sc := range scenarios() {
		if sc.path == "/api/v1/services" {
			f.Add(sc.query)
		}
	}
	f.Add("q=%00")
	f.Add("q=%25%5F") // LIKE wildcards, if a store used LIKE
	f.Add("q=\x00&&=&limit=01")
	fx := newFixture(f, testNow)
	v := newResponseValidator(f, fx)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		w := do(t, fx.mux, http.MethodGet, "/api/v1/services", rawQuery)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("query %q: status %d; body %s", rawQuery, w.Code, w.Body.Bytes())
		}
		if ct := w.Header().Get("Content-Type"); ct != contentTypeJSON {
			t.Fatalf("query %q: Content-Type %q", rawQuery, ct)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("query %q: body is not JSON: %s", rawQuery, w.Body.Bytes())
		}
		v.validate(t, http.MethodGet, "/api/v1/services", w)
	})
}
