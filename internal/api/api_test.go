package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/testenv"
)

// scenario is one request and what its answer must be. Every scenario's
// body is also validated against openapi.json (see TestScenarios).
type scenario struct {
	name   string
	method string // GET when empty
	path   string
	query  string // raw, sent as is
	status int
	// For error answers: the code and, for invalid_parameter, the parameter.
	code, param string
	check       func(t *testing.T, f *fixture, w *httptest.ResponseRecorder)
}

// wantServices checks a page of services: its slugs in order and its total.
func wantServices(total int, want ...string) func(*testing.T, *fixture, *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		page := decode[gotServicePage](t, w)
		if got := slugs(page.Items); !slices.Equal(got, want) {
			t.Errorf("slugs = %v, want %v", got, want)
		}
		if page.Total != total {
			t.Errorf("total = %d, want %d", page.Total, total)
		}
	}
}

// wantServicesWhere checks a page of services against the pack: the
// services keep matching, in pack order, paged by limit and offset.
func wantServicesWhere(keep func(directory.Service) bool, limit, offset int) func(*testing.T, *fixture, *httptest.ResponseRecorder) {
	return func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		var all []string
		for _, s := range f.pack.Directory.Services {
			if keep(s) {
				all = append(all, s.Slug)
			}
		}
		want := all[min(offset, len(all)):min(offset+limit, len(all))]
		page := decode[gotServicePage](t, w)
		if got := slugs(page.Items); !slices.Equal(got, want) {
			t.Errorf("slugs = %v, want %v", got, want)
		}
		if page.Total != len(all) || page.Limit != limit || page.Offset != offset {
			t.Errorf("total, limit, offset = %d, %d, %d; want %d, %d, %d", page.Total, page.Limit, page.Offset, len(all), limit, offset)
		}
	}
}

func everyService(directory.Service) bool { return true }

// containsService checks that a page holds the service.
func containsService(slug string) func(*testing.T, *fixture, *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		if got := slugs(decode[gotServicePage](t, w).Items); !slices.Contains(got, slug) {
			t.Errorf("slugs = %v, want %s among them", got, slug)
		}
	}
}

func scenarios() []scenario {
	lawEnforcement := []string{"emergency-911", "dhs-hsi-tip-line", "fbi-tips", "state-dss"}
	long := strings.Repeat("é", search.MaxQueryRunes)
	return []scenario{
		// Filters.
		{name: "all services, default page", path: "/api/v1/services", status: 200, check: wantServicesWhere(everyService, defaultLimit, 0)},
		{name: "topic child sexual exploitation", path: "/api/v1/services", query: "topic=child_sexual_exploitation", status: 200,
			check: wantServices(2, "ncmec-cybertipline", "ecpat")},
		{name: "topic from the pack", path: "/api/v1/services", query: "topic=research", status: 200,
			check: wantServicesWhere(func(s directory.Service) bool { return s.HasTopic("research") }, defaultLimit, 0)},
		{name: "not law enforcement", path: "/api/v1/services", query: "law_enforcement=false", status: 200,
			check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
				wantServicesWhere(notLawEnforcement, defaultLimit, 0)(t, f, w)
				page := decode[gotServicePage](t, w)
				for _, s := range page.Items {
					if slices.Contains(lawEnforcement, s.Slug) || s.LawEnforcement == nil || *s.LawEnforcement {
						t.Errorf("law_enforcement=false returned %s", s.Slug)
					}
				}
			}},
		{name: "law enforcement only", path: "/api/v1/services", query: "law_enforcement=true", status: 200,
			check: wantServices(4, lawEnforcement...)},
		{name: "kind hotline", path: "/api/v1/services", query: "kind=hotline", status: 200,
			check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
				wantServicesWhere(func(s directory.Service) bool { return s.Kind == directory.KindHotline }, defaultLimit, 0)(t, f, w)
				page := decode[gotServicePage](t, w)
				if !slices.Contains(slugs(page.Items), "nhth") {
					t.Errorf("kind=hotline misses nhth: %v", slugs(page.Items))
				}
			}},
		{name: "q cyber", path: "/api/v1/services", query: "q=cyber", status: 200, check: containsService("ncmec-cybertipline")},
		{name: "q is case-insensitive", path: "/api/v1/services", query: "q=CyBeR", status: 200, check: containsService("ncmec-cybertipline")},
		{name: "q trimmed", path: "/api/v1/services", query: "q=%20CYBERTIPLINE%20", status: 200, check: containsService("ncmec-cybertipline")},
		{name: "q matches nothing", path: "/api/v1/services", query: "q=zzzz-no-such-text", status: 200, check: wantServices(0)},
		{name: "q of 200 characters", path: "/api/v1/services", query: "q=" + long, status: 200, check: wantServices(0)},
		{name: "empty q matches all", path: "/api/v1/services", query: "q=", status: 200, check: wantServicesWhere(everyService, defaultLimit, 0)},
		{name: "filters combine", path: "/api/v1/services", query: "topic=sex_trafficking&law_enforcement=false&kind=tip_line", status: 200,
			check: wantServices(1, "ncmec-cybertipline")},

		// Paging.
		{name: "limit", path: "/api/v1/services", query: "limit=5", status: 200, check: wantServicesWhere(everyService, 5, 0)},
		{name: "limit and offset", path: "/api/v1/services", query: "limit=5&offset=5", status: 200, check: wantServicesWhere(everyService, 5, 5)},
		{name: "last partial page", path: "/api/v1/services", query: "limit=5&offset=20", status: 200, check: wantServicesWhere(everyService, 5, 20)},
		{name: "offset past the end", path: "/api/v1/services", query: "offset=1000", status: 200, check: wantServicesWhere(everyService, defaultLimit, 1000)},
		{name: "largest limit", path: "/api/v1/services", query: "limit=200", status: 200, check: wantServicesWhere(everyService, 200, 0)},
		{name: "filtered paging", path: "/api/v1/services", query: "law_enforcement=false&limit=3&offset=3", status: 200,
			check: wantServicesWhere(notLawEnforcement, 3, 3)},

		// Bad query strings.
		{name: "unknown parameter", path: "/api/v1/services", query: "colour=red", status: 400, code: "invalid_parameter", param: "colour"},
		{name: "unknown parameter beside good ones", path: "/api/v1/services", query: "topic=general&page=2", status: 400, code: "invalid_parameter", param: "page"},
		{name: "unknown topic", path: "/api/v1/services", query: "topic=weather", status: 400, code: "invalid_parameter", param: "topic"},
		{name: "empty topic", path: "/api/v1/services", query: "topic=", status: 400, code: "invalid_parameter", param: "topic"},
		{name: "topic twice", path: "/api/v1/services", query: "topic=general&topic=research", status: 400, code: "invalid_parameter", param: "topic"},
		{name: "unknown kind", path: "/api/v1/services", query: "kind=shelter", status: 400, code: "invalid_parameter", param: "kind"},
		{name: "kind in capitals", path: "/api/v1/services", query: "kind=HOTLINE", status: 400, code: "invalid_parameter", param: "kind"},
		{name: "law_enforcement yes", path: "/api/v1/services", query: "law_enforcement=yes", status: 400, code: "invalid_parameter", param: "law_enforcement"},
		{name: "law_enforcement 1", path: "/api/v1/services", query: "law_enforcement=1", status: 400, code: "invalid_parameter", param: "law_enforcement"},
		{name: "q too long", path: "/api/v1/services", query: "q=" + long + "x", status: 400, code: "invalid_parameter", param: "q"},
		{name: "q not UTF-8", path: "/api/v1/services", query: "q=%FF", status: 400, code: "invalid_parameter", param: "q"},
		{name: "limit 0", path: "/api/v1/services", query: "limit=0", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "limit over the maximum", path: "/api/v1/services", query: "limit=201", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "limit not a number", path: "/api/v1/services", query: "limit=ten", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "limit with a sign", path: "/api/v1/services", query: "limit=%2B5", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "limit empty", path: "/api/v1/services", query: "limit=", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "negative offset", path: "/api/v1/services", query: "offset=-1", status: 400, code: "invalid_parameter", param: "offset"},
		{name: "offset overflow", path: "/api/v1/services", query: "offset=99999999999999999999", status: 400, code: "invalid_parameter", param: "offset"},
		{name: "offset over the maximum", path: "/api/v1/services", query: "offset=2147483648", status: 400, code: "invalid_parameter", param: "offset"},
		{name: "malformed escape", path: "/api/v1/services", query: "q=%zz", status: 400, code: "invalid_parameter"},
		{name: "semicolon separator", path: "/api/v1/services", query: "topic=general;kind=hotline", status: 400, code: "invalid_parameter"},

		// One service.
		{name: "service", path: "/api/v1/services/nhth", status: 200, check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
			s := decode[gotService](t, w)
			want, _ := f.pack.Directory.Service("nhth")
			if s.Slug != want.Slug || s.Name != want.Name || s.Organization != want.Organization || s.Kind != want.Kind {
				t.Errorf("service = %+v, want the pack's nhth", s)
			}
			if len(s.Contacts) != len(want.Contacts) {
				t.Fatalf("%d contacts, want %d", len(s.Contacts), len(want.Contacts))
			}
			if s.Contacts[0].Channel != directory.ChannelCall || s.Contacts[0].Value != "+18883737888" {
				t.Errorf("first contact = %+v, want a call to +18883737888", s.Contacts[0])
			}
		}},
		{name: "service with a vanity number", path: "/api/v1/services/ncmec-cybertipline", status: 200, check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
			s := decode[gotService](t, w)
			c := s.Contacts[0]
			if c.Display != "1-800-THE-LOST" || c.Value != "+18008435678" {
				t.Errorf("contact = %+v, want display 1-800-THE-LOST, value +18008435678", c)
			}
		}},
		{name: "unknown service", path: "/api/v1/services/no-such-service", status: 404, code: "not_found"},
		{name: "slug in capitals", path: "/api/v1/services/NHTH", status: 404, code: "not_found"},
		{name: "slug with odd characters", path: "/api/v1/services/nh%27th", status: 404, code: "not_found"},
		{name: "service with a query", path: "/api/v1/services/nhth", query: "lang=es", status: 400, code: "invalid_parameter", param: "lang"},
		{name: "service path with a trailing slash", path: "/api/v1/services/", status: 404, code: "not_found"},

		// Organizations.
		{name: "organizations", path: "/api/v1/organizations", status: 200, check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
			page := decode[gotOrganizationPage](t, w)
			orgs := f.pack.Directory.Organizations
			if page.Total != len(orgs) || len(page.Items) != min(len(orgs), defaultLimit) {
				t.Fatalf("total %d, %d items; want %d", page.Total, len(page.Items), len(orgs))
			}
			for i, o := range page.Items {
				if o.Slug != orgs[i].Slug || o.Name != orgs[i].Name {
					t.Errorf("item %d = %s %q, want %s %q", i, o.Slug, o.Name, orgs[i].Slug, orgs[i].Name)
				}
			}
		}},
		{name: "organizations paged", path: "/api/v1/organizations", query: "limit=2&offset=1", status: 200, check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
			page := decode[gotOrganizationPage](t, w)
			orgs := f.pack.Directory.Organizations
			if page.Total != len(orgs) || page.Limit != 2 || page.Offset != 1 || len(page.Items) != 2 ||
				page.Items[0].Slug != orgs[1].Slug || page.Items[1].Slug != orgs[2].Slug {
				t.Errorf("page = %+v, want organizations 1 and 2 of %d", page, len(orgs))
			}
		}},
		{name: "organizations with a filter", path: "/api/v1/organizations", query: "topic=general", status: 400, code: "invalid_parameter", param: "topic"},
		{name: "organizations bad limit", path: "/api/v1/organizations", query: "limit=0", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "organizations bad offset", path: "/api/v1/organizations", query: "offset=x", status: 400, code: "invalid_parameter", param: "offset"},
		{name: "organization with its services", path: "/api/v1/organizations/polaris", status: 200, check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
			o := decode[gotOrganization](t, w)
			var want, got []string
			for _, s := range f.pack.Directory.Services {
				if s.Organization == "polaris" {
					want = append(want, s.Slug)
				}
			}
			for _, s := range o.Services {
				got = append(got, s.Slug)
			}
			if o.Slug != "polaris" || o.Name != "Polaris" || !slices.Equal(got, want) || !slices.Contains(got, "nhth") {
				t.Errorf("organization %s %q with services %v, want polaris with %v", o.Slug, o.Name, got, want)
			}
		}},
		{name: "unknown organization", path: "/api/v1/organizations/no-such-org", status: 404, code: "not_found"},
		{name: "organization with a query", path: "/api/v1/organizations/polaris", query: "x=1", status: 400, code: "invalid_parameter", param: "x"},

		// Methods and unknown paths.
		{name: "POST services", method: "POST", path: "/api/v1/services", status: 405, code: "method_not_allowed"},
		{name: "DELETE a service", method: "DELETE", path: "/api/v1/services/nhth", status: 405, code: "method_not_allowed"},
		{name: "PUT an organization", method: "PUT", path: "/api/v1/organizations/polaris", status: 405, code: "method_not_allowed"},
		{name: "OPTIONS openapi", method: "OPTIONS", path: "/api/openapi.json", status: 405, code: "method_not_allowed"},
		{name: "unknown version", path: "/api/v2/services", status: 404, code: "not_found"},
		{name: "unknown endpoint", path: "/api/v1/nothing-here", status: 404, code: "not_found"},
		{name: "POST to an unknown endpoint", method: "POST", path: "/api/v1/nothing-here", status: 404, code: "not_found"},
		{name: "api root", path: "/api/", status: 404, code: "not_found"},

		// The document.
		{name: "openapi", path: "/api/openapi.json", status: 200},
		{name: "openapi with a query", path: "/api/openapi.json", query: "v=2", status: 400, code: "invalid_parameter", param: "v"},
	}
}

func TestScenarios(t *testing.T) {
	f := newFixture(t, testNow)
	v := newResponseValidator(t, f)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			w := do(t, f.mux, method, sc.path, sc.query)
			if w.Code != sc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, sc.status, w.Body.Bytes())
			}
			if ct := w.Header().Get("Content-Type"); ct != contentTypeJSON {
				t.Errorf("Content-Type = %q, want %q", ct, contentTypeJSON)
			}
			if sc.code != "" {
				e := decode[gotError](t, w)
				if e.Error.Code != sc.code || e.Error.Parameter != sc.param || e.Error.Message == "" {
					t.Errorf("error = %+v, want code %q, parameter %q and a message", e.Error, sc.code, sc.param)
				}
			}
			if sc.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want %q", w.Header().Get("Allow"), "GET, HEAD")
			}
			if sc.check != nil {
				sc.check(t, f, w)
			}
			v.validate(t, method, sc.path, w)
		})
	}
}

// TestContactValues checks what a device dials: every call contact's value
// is E.164 or one of the pack's short codes.
func TestContactValues(t *testing.T) {
	f := newFixture(t, testNow)
	page := decode[gotServicePage](t, do(t, f.mux, "GET", "/api/v1/services", "limit=200"))
	calls := 0
	for _, s := range page.Items {
		for _, c := range s.Contacts {
			if c.Channel != directory.ChannelCall && c.Channel != directory.ChannelText {
				continue
			}
			calls++
			if !directory.IsE164(c.Value) && !slices.Contains(f.pack.Meta.ShortCodes, c.Value) {
				t.Errorf("%s: %s contact value %q is neither E.164 nor a short code", s.Slug, c.Channel, c.Value)
			}
		}
	}
	if calls == 0 {
		t.Fatal("no call or text contacts served")
	}
}

func TestOpenNow(t *testing.T) {
	yes, no := true, false
	closed := testNow.Add(-12 * time.Hour) // 22:00 in New York
	for _, tc := range []struct {
		name      string
		now       time.Time
		slug      string
		service   *bool
		contactOf map[int]*bool
	}{
		{"24/7 hotline; its text line has unknown hours", testNow, "nhth", &yes, map[int]*bool{0: &yes, 1: nil}},
		// The source names no days: inside the hours, unknown.
		{"weekly hours without days, inside them", testNow, "eeoc", nil, map[int]*bool{0: nil}},
		{"weekly hours, closed", closed, "eeoc", &no, map[int]*bool{0: &no}},
		{"unknown hours", testNow, "emergency-911", nil, map[int]*bool{0: nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.now)
			s := decode[gotService](t, do(t, f.mux, "GET", "/api/v1/services/"+tc.slug, ""))
			if !sameBool(s.OpenNow, tc.service) {
				t.Errorf("open_now = %s, want %s", showBool(s.OpenNow), showBool(tc.service))
			}
			for i, want := range tc.contactOf {
				if !sameBool(s.Contacts[i].OpenNow, want) {
					t.Errorf("contact %d open_now = %s, want %s", i, showBool(s.Contacts[i].OpenNow), showBool(want))
				}
			}
		})
	}
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showBool(b *bool) string {
	if b == nil {
		return "null"
	}
	return strconv.FormatBool(*b)
}

func TestHead(t *testing.T) {
	f := newFixture(t, testNow)
	srv := httptest.NewServer(f.mux)
	defer srv.Close()
	res, err := srv.Client().Head(srv.URL + "/api/v1/services")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != contentTypeJSON {
		t.Errorf("HEAD: %d %q, want 200 %q", res.StatusCode, res.Header.Get("Content-Type"), contentTypeJSON)
	}
}

func TestInternalErrorLeaksNothing(t *testing.T) {
	db, p := testenv.USStore(t)
	var logs strings.Builder
	a := New(Config{Store: db, Meta: p.Meta, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/services", "/api/v1/services/nhth", "/api/v1/organizations", "/api/v1/organizations/polaris"} {
		w := do(t, mux, "GET", path, "")
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("%s: status %d, want 500", path, w.Code)
		}
		e := decode[gotError](t, w)
		if e.Error.Code != "internal" || e.Error.Message != "Internal error." || e.Error.Parameter != "" {
			t.Errorf("%s: error = %+v, want internal / Internal error.", path, e.Error)
		}
	}
	if !strings.Contains(logs.String(), "api: internal error") {
		t.Errorf("internal errors not logged: %s", logs.String())
	}
}

// notLawEnforcement: a source says the service is not law enforcement;
// one it is silent about is not listed as "not".
func notLawEnforcement(s directory.Service) bool {
	return s.LawEnforcement != nil && !*s.LawEnforcement
}
