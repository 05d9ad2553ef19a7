package directory

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func shelter() Location {
	lat, lon := 40.7128, -74.006
	return Location{
		Slug: "safe-house", Type: LocationPhysical, Organization: "ngo",
		Name: "Maple Street Shelter", AlternateName: "The Maple", Description: "Behind the church on Maple Street.",
		Transportation: "Bus 12 to Maple and 3rd.",
		Addresses: []Address{
			{Type: AddressPhysical, Attention: "Front desk", Address1: "12 Maple Street", Address2: "Back door", City: "Newark", Region: "Essex", StateProvince: "NJ", PostalCode: "07102", Country: "US"},
			{Type: AddressPostal, Address1: "PO Box 9", City: "Newark", StateProvince: "NJ", PostalCode: "07102", Country: "US"},
			{Type: AddressPostal, Address1: "PO Box 1", City: "Trenton", StateProvince: "NJ", PostalCode: "08601", Country: "US"},
		},
		Latitude: &lat, Longitude: &lon,
		Accessibility: []Accessibility{{Description: "Ramp", Details: "At the back, by the alley", URL: "https://example.org/a11y"}},
		Languages:     []string{"en", "es"},
		Confidential:  true,
		Contacts:      []Contact{{Channel: ChannelCall, Display: "1-800-555-0100", Value: "+18005550100"}},
		Hours:         &Hours{Kind: HoursAlways},
		Attributes:    []Attribute{{Term: "t", Value: "v"}},
		Source:        Source{Document: "d", Lines: []int{1}, Verified: "2026-01-01"},
		Origin:        "ngo-import", ExternalID: "42",
	}
}

// TestPublicConfidential: a confidential location shows its area and how
// to reach it, nothing that finds the door.
func TestPublicConfidential(t *testing.T) {
	l := shelter()
	before := shelter()
	got := l.Public()
	want := Location{
		Slug: "safe-house", Type: LocationPhysical, Organization: "ngo",
		Addresses: []Address{
			{Type: AddressPhysical, City: "Newark", StateProvince: "NJ", PostalCode: "07102", Country: "US"},
			{Type: AddressPostal, City: "Trenton", StateProvince: "NJ", PostalCode: "08601", Country: "US"},
		},
		Languages: []string{"en", "es"}, Confidential: true,
		Contacts:   l.Contacts,
		Hours:      l.Hours,
		Attributes: l.Attributes,
		Source:     l.Source,
		Origin:     "ngo-import", ExternalID: "42",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Public() =\n%+v\nwant\n%+v", got, want)
	}
	// Nothing that locates the place survives anywhere in the record.
	s := strings.ToLower(strings.Join([]string{got.Name, got.AlternateName, got.Description, got.Transportation, got.URL}, " "))
	for _, a := range got.Addresses {
		s += " " + strings.ToLower(a.Address1+" "+a.Address2+" "+a.Attention+" "+a.Region)
	}
	for _, leak := range []string{"maple", "po box", "front desk", "essex", "bus 12"} {
		if strings.Contains(s, leak) {
			t.Errorf("Public() still says %q", leak)
		}
	}
	if got.Latitude != nil || got.Longitude != nil || got.Accessibility != nil {
		t.Errorf("Public() kept coordinates or accessibility: %v %v %v", got.Latitude, got.Longitude, got.Accessibility)
	}
	if !reflect.DeepEqual(l, before) {
		t.Error("Public() changed the location it was called on")
	}
}

func TestPublicNotConfidential(t *testing.T) {
	l := shelter()
	l.Confidential = false
	if got := l.Public(); !reflect.DeepEqual(got, l) {
		t.Errorf("Public() of a location that is not confidential changed it:\n%+v", got)
	}
}

func TestDirectoryPublic(t *testing.T) {
	open := shelter()
	open.Slug, open.Confidential = "office", false
	d := &Directory{
		Locations: []Location{shelter(), open},
		ServicesAtLocation: []ServiceAtLocation{
			{Slug: "beds-at-safe-house", Service: "beds", Location: "safe-house", Description: "Ring at 12 Maple Street."},
			{Slug: "beds-at-office", Service: "beds", Location: "office", Description: "Ask at reception."},
		},
	}
	p := d.Public()
	if p.Locations[0].Name != "" || p.Locations[0].Addresses[0].Address1 != "" {
		t.Errorf("Directory.Public kept the confidential location's name or street: %+v", p.Locations[0])
	}
	if !reflect.DeepEqual(p.Locations[1], open) {
		t.Errorf("Directory.Public changed a location that is not confidential")
	}
	if p.ServicesAtLocation[0].Description != "" || p.ServicesAtLocation[1].Description != "Ask at reception." {
		t.Errorf("services at location: %+v", p.ServicesAtLocation)
	}
	if d.Locations[0].Name == "" || d.ServicesAtLocation[0].Description == "" {
		t.Error("Directory.Public changed the directory it was called on")
	}
	if (&Directory{}).Public().Locations != nil {
		t.Error("Directory.Public of no locations made an empty list")
	}
}

func TestOpenAtValidity(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	summer := Hours{Kind: HoursWeekly, TimeZone: "America/New_York", ValidFrom: "2026-06-01", ValidTo: "2026-08-31",
		Windows: []Window{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Opens: "00:00", Closes: "24:00"}}}
	always := Hours{Kind: HoursAlways, ValidTo: "2026-12-31"}
	cases := []struct {
		name string
		h    Hours
		at   time.Time
		want *bool
	}{
		{"first valid day", summer, time.Date(2026, 6, 1, 0, 0, 0, 0, ny), ptr(true)},
		{"last valid day, late", summer, time.Date(2026, 8, 31, 23, 59, 0, 0, ny), ptr(true)},
		{"the day before", summer, time.Date(2026, 5, 31, 23, 59, 0, 0, ny), nil},
		{"the day after", summer, time.Date(2026, 9, 1, 0, 0, 0, 0, ny), nil},
		// 02:00 UTC on 1 June is still 31 May in New York.
		{"day taken in the hours' zone", summer, time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC), nil},
		{"24/7 until the end of the year", always, time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), ptr(true)},
		{"24/7 past its end", always, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"a bad bound is never open", Hours{Kind: HoursAlways, ValidFrom: "soon"}, time.Now(), nil},
	}
	for _, tc := range cases {
		got := tc.h.OpenAt(tc.at)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: OpenAt = %v, want %v", tc.name, show(got), show(tc.want))
		}
	}
}

func TestHoursValidateValidity(t *testing.T) {
	for _, h := range []Hours{
		{Kind: HoursUnknown, Description: "By appointment", Holidays: "Closed on federal holidays"},
		{Kind: HoursAlways, ValidFrom: "2026-01-01", ValidTo: "2026-01-01"},
	} {
		if err := h.Validate(); err != nil {
			t.Errorf("%+v: %v", h, err)
		}
	}
	for _, h := range []Hours{
		{Kind: HoursAlways, ValidFrom: "2026-13-01"},
		{Kind: HoursAlways, ValidTo: "tomorrow"},
		{Kind: HoursAlways, ValidFrom: "2026-02-01", ValidTo: "2026-01-31"},
		{Kind: HoursAlways, TimeZone: "Nowhere/City"},
	} {
		if err := h.Validate(); err == nil {
			t.Errorf("%+v: want an error", h)
		}
	}
}

func TestTopicTermSlug(t *testing.T) {
	if got := TopicTermSlug("sex_trafficking"); got != "haven-topic-sex-trafficking" {
		t.Errorf("TopicTermSlug = %q", got)
	}
	slugs := map[string]bool{}
	for _, tm := range HavenTerms() {
		if tm.Taxonomy != HavenTaxonomy || slugs[tm.Slug] || tm.Name == "" || tm.Description == "" {
			t.Errorf("Haven term %+v: want a unique slug in the haven taxonomy, a name and a description", tm)
		}
		slugs[tm.Slug] = true
	}
	if len(slugs) != 5 {
		t.Errorf("%d Haven terms, want 5 (law_enforcement, immigration_authority, anonymous_ok, channel, source)", len(slugs))
	}
}

func TestServiceActive(t *testing.T) {
	for status, want := range map[string]bool{"": true, StatusActive: true, StatusInactive: false, StatusDefunct: false, StatusTemporarilyClosed: false} {
		if got := (Service{Status: status}).Active(); got != want {
			t.Errorf("Active() with status %q = %v", status, got)
		}
	}
}
