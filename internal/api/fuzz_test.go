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

// FuzzRouteBody feeds arbitrary bodies to POST /api/v1/route: the answer is
// a plan (200) or a client error (400, 413), never a 5xx, always JSON that
// openapi.json allows, never cached.
func FuzzRouteBody(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"danger":true,"minor":true,"sex":true}`, `{"role":"self","ffc":"unsure","labor":true,"channel":"text"}`,
		`{"visa_program":"H-1B","anonymous":true,"at":"2026-11-30T10:00:00Z"}`, `{"role":"boss"}`, `{"x":1}`,
		`[]`, `null`, `{"at":"2026-13-01T00:00:00Z"}`, `{"lang":"\u0000"}`, `{} {}`, `{"danger":1e999}`,
		"{\"role\":\"\xff\"}", `{"lang":"\ud800"}`, `{"danger":true,"danger":false}`, `{"danger":true,"Danger":false}`,
	} {
		f.Add([]byte(seed))
	}
	fx := newRouteFixture(f, testNow)
	v := newResponseValidator(f, fx)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := post(t, fx.mux, "/api/v1/route", "application/json", string(body))
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("body %q: status %d; %s", body, w.Code, w.Body.Bytes())
		}
		if !json.Valid(w.Body.Bytes()) || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("body %q: answer %q, Cache-Control %q", body, w.Body.Bytes(), w.Header().Get("Cache-Control"))
		}
		v.validate(t, http.MethodPost, "/api/v1/route", w)
	})
}
