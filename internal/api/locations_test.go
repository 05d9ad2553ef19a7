package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
)

func ptrTo[T any](v T) *T { return &v }

// An imported service at a confidential location (a shelter): the API
// serves its city line, phone and hours, never its name, street or
// coordinates, and the answer (with every new field set) validates
// against the OpenAPI document.
func TestServiceLocationsServedPublicly(t *testing.T) {
	db, p := testenv.USStore(t)
	src := directory.Source{Document: "test-211", Verified: "2026-12-01"}
	no := ptrTo(false)
	d := &directory.Directory{
		Organizations: []directory.Organization{{Slug: "t-ngo", Name: "Test NGO", Description: "A test organization.", Email: "intake@example.org", Source: src}},
		Services: []directory.Service{{
			Slug: "t-shelter", Organization: "t-ngo", Name: "Test Shelter Beds", Description: "Beds.", Kind: directory.KindOrganization,
			LawEnforcement: no, ImmigrationAuthority: no, Topics: []string{"general"}, Hours: directory.Hours{Kind: directory.HoursAlways},
			Areas:  []directory.Area{{Scope: directory.AreaCounty, Name: "Albany County", Postcodes: []string{"12207"}}},
			Status: directory.StatusActive, URL: "https://example.org/beds", Email: "beds@example.org", Eligibility: "Adults.", Fees: "Free.",
			ApplicationProcess: "Call.", RequiredDocuments: []string{"None"}, AssuredDate: "2026-11-30", Assurer: "a@example.org",
			Source: src,
		}},
		Locations: []directory.Location{{
			Slug: "t-loc-1", Type: directory.LocationPhysical, Name: "Hidden House Name", Confidential: true, Description: "Blue door.",
			Addresses: []directory.Address{{Type: directory.AddressPhysical, Address1: "77 Secret Street", City: "Albany", StateProvince: "NY", PostalCode: "12207", Country: "US"}},
			Latitude:  ptrTo(42.65261), Longitude: ptrTo(-73.75621),
			Contacts: []directory.Contact{{Channel: directory.ChannelCall, Display: "(202) 555-0142", Value: "+12025550142", Extension: "12", PhoneType: directory.PhoneVoice, Source: src}},
			Hours:    &directory.Hours{Kind: directory.HoursWeekly, TimeZone: "America/New_York", Windows: []directory.Window{{Days: []string{"mon"}, Opens: "09:00", Closes: "17:00"}}, ValidFrom: "2026-01-01", Holidays: "Closed on holidays."},
			Source:   src,
		}},
		ServicesAtLocation: []directory.ServiceAtLocation{{Slug: "t-sal-1", Service: "t-shelter", Location: "t-loc-1", Description: "Ask at Hidden House Name."}},
	}
	if _, err := db.ImportDirectory(context.Background(), "test-211", d, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	a := New(Config{Store: db, Meta: p.Meta, Now: func() time.Time { return testNow }})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	f := &fixture{pack: p, api: a, mux: mux}
	v := newResponseValidator(t, f)
	for _, path := range []string{"/api/v1/services/t-shelter", "/api/v1/services", "/api/v1/organizations/t-ngo"} {
		w := do(t, mux, http.MethodGet, path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		v.validate(t, http.MethodGet, path, w)
		body := w.Body.String()
		for _, secret := range []string{"Hidden House Name", "77 Secret Street", "42.65", "-73.75", "Blue door"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
	}
	got := decode[struct {
		Locations []struct {
			Slug         string `json:"slug"`
			Confidential bool   `json:"confidential"`
			Addresses    []struct {
				City string `json:"city"`
			} `json:"addresses"`
			Contacts []struct {
				Value string `json:"value"`
			} `json:"contacts"`
		} `json:"locations"`
	}](t, do(t, mux, http.MethodGet, "/api/v1/services/t-shelter", ""))
	if len(got.Locations) != 1 || !got.Locations[0].Confidential || len(got.Locations[0].Addresses) != 1 || got.Locations[0].Addresses[0].City != "Albany" ||
		len(got.Locations[0].Contacts) != 1 || got.Locations[0].Contacts[0].Value != "+12025550142" {
		t.Errorf("locations = %+v", got.Locations)
	}
}
