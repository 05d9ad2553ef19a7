package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"

	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
)

// newRouteFixture is the API over the U.S. pack with the pack's triage
// engine, as haven serve builds it.
func newRouteFixture(tb testing.TB, now time.Time) *fixture {
	tb.Helper()
	db, p := testenv.USStore(tb)
	if p.Routing == nil {
		tb.Fatal("the U.S. pack has no routing rules")
	}
	e, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		tb.Fatalf("triage.New: %v", err)
	}
	a := New(Config{Store: db, Meta: p.Meta, Now: func() time.Time { return now }, Engine: e})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	return &fixture{pack: p, api: a, mux: mux}
}

// post sends body to h with a Content-Type (none when empty).
func post(tb testing.TB, h http.Handler, target, contentType, body string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type gotStep struct {
	Service              string   `json:"service"`
	Name                 string   `json:"name"`
	Channel              string   `json:"channel"`
	Contact              string   `json:"contact"`
	Display              string   `json:"display"`
	Keywords             []string `json:"keywords"`
	LawEnforcement       *bool    `json:"law_enforcement"`
	ImmigrationAuthority *bool    `json:"immigration_authority"`
	OpenNow              *bool    `json:"open_now"`
	Reasons              []string `json:"reasons"`
}

type gotPlan struct {
	Assessment  string    `json:"assessment"`
	Explanation string    `json:"explanation"`
	Steps       []gotStep `json:"steps"`
}

func stepKeys(p gotPlan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Service + " " + s.Channel + " " + s.Contact
	}
	return out
}

// wantPlan checks the assessment and that the steps begin with first.
func wantPlan(assessment string, first ...string) func(*testing.T, *fixture, *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		p := decode[gotPlan](t, w)
		if p.Assessment != assessment || p.Explanation == "" {
			t.Errorf("assessment %q (explanation %q), want %q with an explanation", p.Assessment, p.Explanation, assessment)
		}
		keys := stepKeys(p)
		if len(keys) < len(first) || !slices.Equal(keys[:len(first)], first) {
			t.Errorf("steps %v, want them to begin with %v", keys, first)
		}
		for _, s := range p.Steps {
			if len(s.Reasons) == 0 || s.Name == "" || s.Display == "" {
				t.Errorf("step %+v lacks a name, display or reason", s)
			}
		}
	}
}

func TestRoute(t *testing.T) {
	f := newRouteFixture(t, testNow)
	v := newResponseValidator(t, f)
	const ct = "application/json"
	for _, tc := range []struct {
		name, contentType, body, query string
		status                         int
		code, param                    string
		check                          func(*testing.T, *fixture, *httptest.ResponseRecorder)
	}{
		{name: "nothing said", contentType: ct, body: `{}`, status: 200,
			check: wantPlan("not_enough_information", "nhth call +18883737888", "nhth text 233733")},
		{name: "danger and a child in commercial sex", contentType: ct, body: `{"danger":true,"minor":true,"sex":true,"role":"other"}`, status: 200,
			check: wantPlan("trafficking", "emergency-911 call 911", "nhth call +18883737888")},
		{name: "labor without force", contentType: ct, body: `{"labor":true,"ffc":"no","role":"self"}`, status: 200,
			check: wantPlan("labor_exploitation", "nhth call +18883737888")},
		{name: "prefers text", contentType: ct, body: `{"role":"self","sex":true,"ffc":"unsure","channel":"text"}`, status: 200,
			check: wantPlan("possible_trafficking", "nhth text 233733")},
		{name: "charset utf-8", contentType: "application/json; charset=UTF-8", body: `{"role":"learn"}`, status: 200,
			check: wantPlan("not_enough_information", "nhth call +18883737888")},
		{name: "every field", contentType: ct, status: 200, check: wantPlan("trafficking", "emergency-911 call 911"),
			body: `{"danger":true,"role":"self","minor":false,"sex":true,"labor":true,"ffc":"yes","online_child_abuse":false,"visa_fraud":true,"diplomat":true,"visa_program":"H-2A","discrimination":true,"outside_us":false,"anonymous":true,"no_police":true,"channel":"call","at":"2026-11-30T10:00:00-05:00","lang":"es"}`},
		{name: "nulls mean not said", contentType: ct, body: `{"role":null,"danger":null,"at":null}`, status: 200,
			check: wantPlan("not_enough_information")},

		{name: "no content type", body: `{}`, status: 415, code: "unsupported_media_type"},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: `danger=true`, status: 415, code: "unsupported_media_type"},
		{name: "text/plain", contentType: "text/plain", body: `{}`, status: 415, code: "unsupported_media_type"},
		{name: "other charset", contentType: "application/json; charset=latin1", body: `{}`, status: 415, code: "unsupported_media_type"},

		{name: "unknown field", contentType: ct, body: `{"colour":"red"}`, status: 400, code: "invalid_parameter", param: "colour"},
		{name: "field in capitals", contentType: ct, body: `{"Danger":true,"Role":"self","nope":1}`, status: 400, code: "invalid_parameter", param: "Danger"},
		{name: "bad role", contentType: ct, body: `{"role":"boss"}`, status: 400, code: "invalid_parameter", param: "role"},
		{name: "bad ffc", contentType: ct, body: `{"ffc":"maybe"}`, status: 400, code: "invalid_parameter", param: "ffc"},
		{name: "bad visa program", contentType: ct, body: `{"visa_program":"H-3"}`, status: 400, code: "invalid_parameter", param: "visa_program"},
		{name: "bad channel", contentType: ct, body: `{"channel":"fax"}`, status: 400, code: "invalid_parameter", param: "channel"},
		{name: "website is not a preference", contentType: ct, body: `{"channel":"website"}`, status: 400, code: "invalid_parameter", param: "channel"},
		{name: "lang too long", contentType: ct, body: `{"lang":"` + strings.Repeat("a", 36) + `"}`, status: 400, code: "invalid_parameter", param: "lang"},
		{name: "bool as a string", contentType: ct, body: `{"danger":"yes"}`, status: 400, code: "invalid_parameter", param: "danger"},
		{name: "string as a number", contentType: ct, body: `{"role":1}`, status: 400, code: "invalid_parameter", param: "role"},
		{name: "bad at", contentType: ct, body: `{"at":"tomorrow"}`, status: 400, code: "invalid_parameter", param: "at"},
		{name: "at without a zone", contentType: ct, body: `{"at":"2026-11-30T10:00:00"}`, status: 400, code: "invalid_parameter", param: "at"},
		{name: "at as a number", contentType: ct, body: `{"at":1764514800}`, status: 400, code: "invalid_parameter", param: "at"},
		{name: "empty body", contentType: ct, body: ``, status: 400, code: "invalid_parameter"},
		{name: "not JSON", contentType: ct, body: `danger=true`, status: 400, code: "invalid_parameter"},
		{name: "an array", contentType: ct, body: `[]`, status: 400, code: "invalid_parameter"},
		{name: "two objects", contentType: ct, body: `{}{}`, status: 400, code: "invalid_parameter"},
		{name: "cut short", contentType: ct, body: `{"danger":tr`, status: 400, code: "invalid_parameter"},
		{name: "a query string", contentType: ct, body: `{}`, query: "danger=true", status: 400, code: "invalid_parameter", param: "danger"},
		{name: "too large", contentType: ct, body: `{"lang":"` + strings.Repeat(" ", maxRouteBody) + `"}`, status: 413, code: "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := "/api/v1/route"
			if tc.query != "" {
				target += "?" + tc.query
			}
			w := post(t, f.mux, target, tc.contentType, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body.Bytes())
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if tc.code != "" {
				e := decode[gotError](t, w)
				if e.Error.Code != tc.code || e.Error.Parameter != tc.param || e.Error.Message == "" {
					t.Errorf("error = %+v, want code %q, parameter %q and a message", e.Error, tc.code, tc.param)
				}
			}
			if tc.check != nil {
				tc.check(t, f, w)
			}
			v.validate(t, http.MethodPost, "/api/v1/route", w)
		})
	}
}

// TestRouteIsTheEnginesPlan: the API serves the engine's plan unchanged.
func TestRouteIsTheEnginesPlan(t *testing.T) {
	f := newRouteFixture(t, testNow)
	for _, s := range []triage.Situation{
		{},
		{Danger: true, NoPolice: true, Role: triage.RoleSelf, Labor: true, FFC: triage.FFCYes},
		{OutsideUS: true, Minor: true, OnlineChildAbuse: true, Channel: "online"},
		{VisaProgram: "PERM", Anonymous: true, Discrimination: true, VisaFraud: true},
	} {
		body, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		w := post(t, f.mux, "/api/v1/route", "application/json", string(body))
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", body, w.Code, w.Body.Bytes())
		}
		plan, err := f.api.engine.Plan(s, testNow)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(plan)
		if got := w.Body.String(); got != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", body, got, want)
		}
	}
}

// TestRouteOpenNowFollowsAt: "at" decides open_now, not the server's clock.
func TestRouteOpenNowFollowsAt(t *testing.T) {
	no := false
	f := newRouteFixture(t, testNow)
	for _, tc := range []struct {
		at   string
		open *bool
	}{
		{"2026-11-30T10:00:00-05:00", nil}, // Monday 10:00 in New York: the source names no days
		{"2026-11-30T22:00:00-05:00", &no}, // Monday 22:00
		{"2026-12-01T03:00:00Z", &no},      // the same instant in UTC
	} {
		w := post(t, f.mux, "/api/v1/route", "application/json", `{"discrimination":true,"at":"`+tc.at+`"}`)
		p := decode[gotPlan](t, w)
		i := slices.IndexFunc(p.Steps, func(s gotStep) bool { return s.Service == "eeoc" })
		if i < 0 {
			t.Fatalf("at %s: no eeoc step in %v", tc.at, stepKeys(p))
		}
		if o := p.Steps[i].OpenNow; !sameBool(o, tc.open) {
			t.Errorf("at %s: eeoc open_now = %s, want %s", tc.at, showBool(o), showBool(tc.open))
		}
	}
}

func TestRouteMethodsAndNoEngine(t *testing.T) {
	f := newRouteFixture(t, testNow)
	for _, m := range []string{"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		w := do(t, f.mux, m, "/api/v1/route", "")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" {
			t.Errorf("%s /api/v1/route: %d, Allow %q; want 405, Allow POST", m, w.Code, w.Header().Get("Allow"))
		}
	}
	// The GET endpoints still say GET, HEAD.
	if w := do(t, f.mux, "POST", "/api/v1/services", ""); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /api/v1/services: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}

	db, p := testenv.USStore(t)
	a := New(Config{Store: db, Meta: p.Meta})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	w := post(t, mux, "/api/v1/route", "application/json", `{}`)
	if w.Code != http.StatusNotImplemented {
		t.Fatalf("without an engine: %d, want 501", w.Code)
	}
	if e := decode[gotError](t, w); e.Error.Code != "not_implemented" || !strings.Contains(e.Error.Message, "routing rules") {
		t.Errorf("without an engine: %+v", e.Error)
	}
	newResponseValidator(t, f).validate(t, http.MethodPost, "/api/v1/route", w)
}

// TestRouteDocumentAgrees: the request and response schemas list the values
// the triage package knows.
func TestRouteDocumentAgrees(t *testing.T) {
	f := newRouteFixture(t, testNow)
	doc := servedDoc(t, f)
	for _, tc := range []struct {
		ptr  string
		want []string
	}{
		{"/components/schemas/Situation/properties/role/enum", triage.Roles},
		{"/components/schemas/Situation/properties/ffc/enum", triage.FFCAnswers},
		{"/components/schemas/Situation/properties/visa_program/enum", triage.VisaPrograms},
		{"/components/schemas/Situation/properties/channel/enum", triage.Channels},
		{"/components/schemas/Plan/properties/assessment/enum", triage.Assessments},
		{"/components/schemas/Step/properties/channel/enum", append(slices.Clone(triage.Channels), "website")},
	} {
		got, err := resolve(doc, tc.ptr)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fmt.Sprint(got), fmt.Sprint(tc.want); g != w {
			t.Errorf("%s = %s, want %s", tc.ptr, g, w)
		}
	}
	// Every JSON field of triage.Situation is a property of Situation, and
	// no other.
	props, err := resolve(doc, "/components/schemas/Situation/properties")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(triage.Situation{Danger: true, Role: "x", Minor: true, Sex: true, Labor: true, FFC: "x", OnlineChildAbuse: true,
		VisaFraud: true, Diplomat: true, VisaProgram: "x", Discrimination: true, OutsideUS: true, Anonymous: true, NoPolice: true,
		Channel: "x", At: &testNow, Lang: "x"})
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) != len(props.(map[string]any)) {
		t.Errorf("triage.Situation has %d fields, the schema %d", len(fields), len(props.(map[string]any)))
	}
	for k := range fields {
		if _, ok := props.(map[string]any)[k]; !ok {
			t.Errorf("Situation schema has no property %q", k)
		}
	}
}
