package web

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

func ptr[T any](v T) *T { return &v }

// An imported shelter at a confidential location and a clinic at a public
// one: the service pages show the clinic's address and the shelter's city
// and phone only; nothing of the shelter's name, street or coordinates is
// in any page.
func TestPlacesOnServicePages(t *testing.T) {
	f := newFixture(t, nil)
	src := directory.Source{Document: "000_24d3d33fc683f7cc.txt", Lines: []int{1}, Verified: "2026-12-01"}
	no := ptr(false)
	d := &directory.Directory{
		Organizations: []directory.Organization{{Slug: "t-ngo", Name: "Test NGO", Description: "A test organization.", Source: src}},
		Services: []directory.Service{
			{Slug: "t-shelter", Organization: "t-ngo", Name: "Test Shelter Beds", Description: "Beds.", Kind: directory.KindOrganization, LawEnforcement: no, ImmigrationAuthority: no, Topics: []string{"general"}, Hours: directory.Hours{Kind: directory.HoursAlways}, Source: src,
				Eligibility: "Adults over 18.", Fees: "Free.", RequiredDocuments: []string{"None"}, AssuredDate: "2026-11-30"},
			{Slug: "t-clinic", Organization: "t-ngo", Name: "Test Clinic", Description: "Care.", Kind: directory.KindOrganization, Status: directory.StatusTemporarilyClosed, Topics: []string{"general"}, Hours: directory.Hours{Kind: directory.HoursUnknown}, Source: src},
		},
		Locations: []directory.Location{
			{Slug: "t-loc-1", Type: directory.LocationPhysical, Name: "Hidden House Name", Confidential: true,
				Addresses: []directory.Address{{Type: directory.AddressPhysical, Address1: "77 Secret Street", City: "Albany", StateProvince: "NY", PostalCode: "12207", Country: "US"}},
				Latitude:  ptr(42.65261), Longitude: ptr(-73.75621),
				Contacts: []directory.Contact{{Channel: directory.ChannelCall, Display: "(202) 555-0142", Value: "+12025550142", Source: src}}, Source: src},
			{Slug: "t-loc-2", Type: directory.LocationPhysical, Name: "Main Street Clinic",
				Addresses:      []directory.Address{{Type: directory.AddressPhysical, Address1: "1 Main Street", City: "Troy", StateProvince: "NY", PostalCode: "12180", Country: "US"}},
				Transportation: "Bus 22.", Source: src},
		},
		ServicesAtLocation: []directory.ServiceAtLocation{
			{Slug: "t-sal-1", Service: "t-shelter", Location: "t-loc-1", Description: "Ask for the night desk at Hidden House Name."},
			{Slug: "t-sal-2", Service: "t-clinic", Location: "t-loc-2"},
		},
	}
	if _, err := f.db.ImportDirectory(context.Background(), "test-211", d, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	shelter := f.body(t, "/en/services/t-shelter")
	for _, secret := range []string{"Hidden House Name", "77 Secret Street", "42.65", "-73.75"} {
		if strings.Contains(shelter, secret) {
			t.Errorf("the shelter's page shows %q", secret)
		}
	}
	for _, want := range []string{"In Albany, NY 12207.", "The address is kept private", `href="tel:&#43;12025550142"`, "Adults over 18.", "Free.", "Checked with the service itself on November 30, 2026."} {
		if !strings.Contains(shelter, want) {
			t.Errorf("the shelter's page does not show %q:\n%s", want, excerpt(shelter, "where-title"))
		}
	}
	clinic := f.body(t, "/en/services/t-clinic")
	for _, want := range []string{"Main Street Clinic", "1 Main Street<br>Troy, NY 12180", "Getting there: Bus 22.", "temporarily closed"} {
		if !strings.Contains(clinic, want) {
			t.Errorf("the clinic's page does not show %q", want)
		}
	}
	// No page or list shows the shelter's details either.
	for _, target := range []string{"/en/services", "/en/services?q=test", "/en/organizations/t-ngo", "/es/services/t-shelter"} {
		body := f.body(t, target)
		if strings.Contains(body, "Hidden House Name") || strings.Contains(body, "77 Secret Street") {
			t.Errorf("%s shows the confidential location", target)
		}
	}
}
