package pack_test

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/pack"
)

// locationsYAML is a locations.yaml an NGO could write: an office and a
// confidential shelter, citing a source the pack lists but does not carry.
const locationsYAML = `locations:
  - slug: polaris-office
    location_type: physical
    organization: polaris
    name: Polaris office
    description: Offices of the hotline's operator; no walk-ins.
    transportation: Metro to Farragut North.
    addresses:
      - address_type: physical
        address_1: 1 Example Street NW
        city: Washington
        state_province: DC
        postal_code: "20001"
        country: US
    latitude: 38.9072
    longitude: -77.0369
    accessibility:
      - description: Step-free entrance
        url: https://example.org/access
    languages: [en, es]
    contacts:
      - channel: call
        display: 1-888-373-7888
        value: "+18883737888"
        extension: "12"
        phone_type: textphone
        languages: [en]
        source: {document: ngo-records.txt, lines: [3], verified: "2026-11-25"}
    hours:
      kind: weekly
      time_zone: America/New_York
      valid_from: "2026-01-01"
      windows: [{days: [mon, tue, wed, thu, fri], opens: "09:00", closes: "17:00"}]
      holidays: Closed on federal holidays
    attributes: [{term: haven-topic-general}]
    source: {document: ngo-records.txt, lines: [1, 2], verified: "2026-11-25"}
  - slug: safe-house
    location_type: physical
    name: The Safe House
    confidential: true
    addresses:
      - address_type: physical
        address_1: 12 Hidden Lane
        city: Albany
        state_province: NY
        postal_code: "12207"
        country: US
    contacts:
      - channel: email
        display: shelter@example.org
        value: shelter@example.org
        source: {document: ngo-records.txt, lines: [4], verified: "2026-11-25"}
    source: {document: ngo-records.txt, lines: [4], verified: "2026-11-25"}
  - slug: chat
    location_type: virtual
    url: https://chat.example.org
    source: {document: ngo-records.txt, lines: [5], verified: "2026-11-25"}
`

// withLocations is the U.S. pack with locations.yaml, its source listed
// in pack.yaml, and the NHTH offered at the office and the shelter.
func withLocations(t *testing.T) fstest.MapFS {
	t.Helper()
	m := usFiles(t)
	replace(t, m, "pack.yaml", "sources:\n", "sources:\n  - document: ngo-records.txt\n    title: An NGO's own records\n")
	m["locations.yaml"] = &fstest.MapFile{Data: []byte(locationsYAML)}
	replace(t, m, "services.yaml", "    multilingual: true\n", "    multilingual: true\n    locations: [polaris-office, safe-house]\n")
	return m
}

func TestLocations(t *testing.T) {
	base, err := pack.Load(usFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := pack.Load(withLocations(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(p.Directory.Services, base.Directory.Services) || !reflect.DeepEqual(p.Directory.Organizations, base.Directory.Organizations) {
		t.Error("a locations: list changed the services or organizations themselves")
	}
	var slugs []string
	for _, l := range p.Directory.Locations {
		slugs = append(slugs, l.Slug)
	}
	if !reflect.DeepEqual(slugs, []string{"polaris-office", "safe-house", "chat"}) {
		t.Errorf("locations = %v", slugs)
	}
	office := p.Directory.Locations[0]
	if office.Latitude == nil || *office.Latitude != 38.9072 || office.Addresses[0].PostalCode != "20001" ||
		office.Contacts[0].PhoneType != directory.PhoneTextphone || office.Contacts[0].Extension != "12" ||
		office.Hours == nil || office.Hours.ValidFrom != "2026-01-01" || office.Attributes[0].Term != "haven-topic-general" {
		t.Errorf("office = %+v", office)
	}
	if !p.Directory.Locations[1].Confidential {
		t.Error("the shelter is not confidential")
	}
	want := []directory.ServiceAtLocation{
		{Slug: "nhth-at-polaris-office", Service: "nhth", Location: "polaris-office"},
		{Slug: "nhth-at-safe-house", Service: "nhth", Location: "safe-house"},
	}
	if !reflect.DeepEqual(p.Directory.ServicesAtLocation, want) {
		t.Errorf("services at location = %+v, want %+v", p.Directory.ServicesAtLocation, want)
	}
	if pub := p.Directory.Public(); pub.Locations[1].Name != "" || pub.Locations[1].Addresses[0].Address1 != "" {
		t.Errorf("the shelter, as the public sees it: %+v", pub.Locations[1])
	}
}

// TestHavenTaxonomies: the pack's topics are also terms of haven-topics,
// beside the haven terms; the topics themselves are as the pack writes
// them.
func TestHavenTaxonomies(t *testing.T) {
	p, err := pack.Load(usFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Directory.Taxonomies, directory.HavenTaxonomies()) {
		t.Errorf("taxonomies = %+v", p.Directory.Taxonomies)
	}
	haven := directory.HavenTerms()
	if len(p.Directory.Terms) != len(haven)+len(p.Meta.Topics) || !reflect.DeepEqual(p.Directory.Terms[:len(haven)], haven) {
		t.Fatalf("terms = %+v; want the haven terms, then one per topic", p.Directory.Terms)
	}
	for i, topic := range p.Meta.Topics {
		tm := p.Directory.Terms[len(haven)+i]
		if tm.Slug != directory.TopicTermSlug(topic.Slug) || tm.Taxonomy != directory.HavenTopicsTaxonomy || tm.Code != topic.Slug || tm.Name != topic.Label {
			t.Errorf("term of topic %s = %+v", topic.Slug, tm)
		}
	}
	if p.Directory.Locations != nil || p.Directory.ServicesAtLocation != nil {
		t.Error("the U.S. pack, which has no locations.yaml, has locations")
	}
}

func TestBrokenLocations(t *testing.T) {
	cases := []struct {
		name      string
		file      string
		old, new  string
		lineOf    string // the problem is on the line holding this text, after the change
		wantInMsg string
	}{
		{"address without a postal code", "locations.yaml", "        postal_code: \"12207\"\n", "", "      - address_type: physical\n        address_1: 12 Hidden", "an address needs postal_code"},
		{"country not alpha-2", "locations.yaml", "country: US\n    contacts", "country: USA\n    contacts", "country: USA", "ISO 3166-1"},
		{"latitude out of range", "locations.yaml", "latitude: 38.9072", "latitude: 98.9072", "latitude: 98.9072", "want -90 to 90"},
		{"longitude out of range", "locations.yaml", "longitude: -77.0369", "longitude: -277.0369", "longitude: -277.0369", "want -180 to 180"},
		{"latitude alone", "locations.yaml", "    longitude: -77.0369\n", "", "- slug: polaris-office", "both latitude and longitude"},
		{"virtual without url", "locations.yaml", "    url: https://chat.example.org\n", "", "- slug: chat", "needs a url"},
		{"url on a physical location", "locations.yaml", "    name: The Safe House\n", "    name: The Safe House\n    url: https://example.org\n", "url: https://example.org\n", "only a virtual location"},
		{"bad type", "locations.yaml", "location_type: virtual", "location_type: online", "location_type: online", `location_type "online"`},
		{"unknown organization", "locations.yaml", "organization: polaris", "organization: polaris-x", "organization: polaris-x", `organization "polaris-x" is not in`},
		{"bad phone type", "locations.yaml", "phone_type: textphone", "phone_type: tty", "phone_type: tty", `phone_type "tty"`},
		{"extension not digits", "locations.yaml", `extension: "12"`, `extension: "12a"`, `extension: "12a"`, "want 1 to 10 digits"},
		{"bad language", "locations.yaml", "languages: [en, es]", "languages: [en, e s]", "languages: [en, e s]", `language "e s"`},
		{"unknown term", "locations.yaml", "term: haven-topic-general", "term: haven-topic-nope", "term: haven-topic-nope", `term "haven-topic-nope"`},
		{"bad validity", "locations.yaml", `valid_from: "2026-01-01"`, `valid_from: "soon"`, "    hours:\n      kind: weekly", "valid_from"},
		{"duplicate slug", "locations.yaml", "slug: chat", "slug: safe-house", "- slug: safe-house\n    location_type: virtual", "used twice"},
		{"unknown field", "locations.yaml", "    confidential: true\n", "    confidential: true\n    secret: true\n", "secret: true", `unknown field "secret"`},
		{"unknown location", "services.yaml", "locations: [polaris-office, safe-house]", "locations: [polaris-office, safe-housex]", "locations: [polaris-office, safe-housex]", `location "safe-housex" is not in locations.yaml`},
		{"location twice", "services.yaml", "locations: [polaris-office, safe-house]", "locations: [polaris-office, polaris-office]", "locations: [polaris-office, polaris-office]", "listed twice"},
		// The shelter's street written where the public sees it.
		{"confidential address shown", "locations.yaml", "description: Offices of the hotline's operator; no walk-ins.", "description: Our shelter is at 12 hidden lane, ring twice.", "address_1: 12 Hidden Lane", "is confidential, but its address"},
		{"confidential address in a contact", "locations.yaml", "        display: shelter@example.org\n", "        display: shelter@example.org\n        description: Mail to 12 Hidden Lane\n", "address_1: 12 Hidden Lane", "is confidential, but its address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := withLocations(t)
			replace(t, m, tc.file, tc.old, tc.new)
			p, err := pack.Load(m)
			if p != nil || err == nil {
				t.Fatal("a broken pack loaded")
			}
			want := lineOf(t, m, tc.file, tc.lineOf)
			for _, pr := range pack.Problems(err) {
				if pr.File == tc.file && pr.Line == want && strings.Contains(pr.Msg, tc.wantInMsg) {
					return
				}
			}
			t.Fatalf("no problem %q at %s:%d; got:\n%v", tc.wantInMsg, tc.file, want, err)
		})
	}
}

// TestConfidentialAddressMayBeStored: the shelter's address in its own
// record is kept (for the people who run the directory); only showing it
// is refused.
func TestConfidentialAddressMayBeStored(t *testing.T) {
	p, err := pack.Load(withLocations(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Directory.Locations[1].Addresses[0].Address1; got != "12 Hidden Lane" {
		t.Errorf("the shelter's address_1 = %q, want it kept", got)
	}
}

func TestBrokenServiceFields(t *testing.T) {
	cases := []struct{ name, old, new, lineOf, wantInMsg string }{
		{"postcode area without postcodes", "areas: [{scope: national, name: United States}]", "areas: [{scope: postcode}]", "areas: [{scope: postcode}]", "needs its postcodes"},
		{"city area without a name", "areas: [{scope: national, name: United States}]", "areas: [{scope: city}]", "areas: [{scope: city}]", "a city area needs a name"},
		{"unknown scope", "areas: [{scope: national, name: United States}]", "areas: [{scope: galaxy}]", "areas: [{scope: galaxy}]", "want one of international, national, region, state, county, city, postcode"},
		{"bad status", "    kind: hotline\n", "    kind: hotline\n    status: closed\n", "status: closed", `status "closed"`},
		{"bad assured date", "    kind: hotline\n", "    kind: hotline\n    assured_date: soon\n", "assured_date: soon", "assured_date"},
		{"email not lower-cased", "    kind: hotline\n", "    kind: hotline\n    email: Help@example.org\n", "email: Help@example.org", "lower-cased"},
		{"bad url", "    kind: hotline\n", "    kind: hotline\n    url: example.org\n", "url: example.org", "http or https"},
		{"unknown attribute term", "    kind: hotline\n", "    kind: hotline\n    attributes: [{term: oe-legal}]\n", "term: oe-legal", `term "oe-legal"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := usFiles(t)
			replace(t, m, "services.yaml", tc.old, tc.new)
			_, err := pack.Load(m)
			want := lineOf(t, m, "services.yaml", tc.lineOf)
			for _, pr := range pack.Problems(err) {
				if pr.File == "services.yaml" && pr.Line == want && strings.Contains(pr.Msg, tc.wantInMsg) {
					return
				}
			}
			t.Fatalf("no problem %q at services.yaml:%d; got:\n%v", tc.wantInMsg, want, err)
		})
	}
}
