package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/testenv"
)

// testNow is a Monday, 10:00 in New York: EEOC (07:00-20:00 Eastern) is open.
var testNow = time.Date(2026, time.November, 30, 15, 0, 0, 0, time.UTC)

// fixture is an API over the US pack in a real SQLite store.
type fixture struct {
	pack *pack.Pack
	api  *API
	mux  *route.Mux
}

func newFixture(tb testing.TB, now time.Time) *fixture {
	tb.Helper()
	db, p := testenv.USStore(tb)
	a := New(Config{Store: db, Meta: p.Meta, Now: func() time.Time { return now }})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	return &fixture{pack: p, api: a, mux: mux}
}

// do sends a request with a raw (unparsed) query to h.
func do(tb testing.TB, h http.Handler, method, path, rawQuery string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, path, nil)
	r.URL.RawQuery = rawQuery
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// decode unmarshals a JSON response body into a T, failing on anything else.
func decode[T any](tb testing.TB, w *httptest.ResponseRecorder) T {
	tb.Helper()
	var v T
	if ct := w.Header().Get("Content-Type"); ct != contentTypeJSON {
		tb.Fatalf("Content-Type = %q, want %q", ct, contentTypeJSON)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		tb.Fatalf("decode %T: %v\nbody: %s", v, err, w.Body.Bytes())
	}
	return v
}

// Decoded response shapes, written independently of the handlers' types so
// that the tests read the JSON as a client would.
type (
	gotService struct {
		Slug           string       `json:"slug"`
		Name           string       `json:"name"`
		Kind           string       `json:"kind"`
		LawEnforcement *bool        `json:"law_enforcement"`
		Organization   string       `json:"organization"`
		Topics         []string     `json:"topics"`
		OpenNow        *bool        `json:"open_now"`
		Contacts       []gotContact `json:"contacts"`
	}
	gotContact struct {
		Channel string `json:"channel"`
		Display string `json:"display"`
		Value   string `json:"value"`
		OpenNow *bool  `json:"open_now"`
	}
	gotServicePage struct {
		Items  []gotService `json:"items"`
		Total  int          `json:"total"`
		Limit  int          `json:"limit"`
		Offset int          `json:"offset"`
	}
	gotOrganization struct {
		Slug     string `json:"slug"`
		Name     string `json:"name"`
		Services []struct {
			Slug           string `json:"slug"`
			Name           string `json:"name"`
			Kind           string `json:"kind"`
			LawEnforcement *bool  `json:"law_enforcement"`
		} `json:"services"`
	}
	gotOrganizationPage struct {
		Items  []gotOrganization `json:"items"`
		Total  int               `json:"total"`
		Limit  int               `json:"limit"`
		Offset int               `json:"offset"`
	}
	gotError struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			Parameter string `json:"parameter"`
		} `json:"error"`
	}
)

func slugs(items []gotService) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s.Slug
	}
	return out
}

// contentTypeJSON is the Content-Type of every API answer.
const contentTypeJSON = "application/json; charset=utf-8"
