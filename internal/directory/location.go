package directory

// Location types (HSDS 3.0 location.location_type).
const (
	LocationPhysical = "physical"
	LocationPostal   = "postal"
	LocationVirtual  = "virtual"
)

// LocationTypes lists every location type.
var LocationTypes = []string{LocationPhysical, LocationPostal, LocationVirtual}

// Address types (HSDS 3.0 address.address_type, less virtual: a virtual
// location has a URL, not an address).
const (
	AddressPhysical = "physical"
	AddressPostal   = "postal"
)

// Location is a place where services are offered: a building (physical),
// an address that takes mail only (postal) or a web address (virtual).
//
// A Confidential location, such as a shelter, keeps its whole record in
// the store, for the people who run the directory; everything shown to the
// public must go through Public, which leaves only its area.
type Location struct {
	Slug string `yaml:"slug" json:"slug"`
	// Type is one of LocationTypes.
	Type string `yaml:"location_type" json:"location_type"`
	// URL is a virtual location's address.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Organization is the slug of the organization the location belongs
	// to, or "" when none is recorded.
	Organization   string          `yaml:"organization,omitempty" json:"organization,omitempty"`
	Name           string          `yaml:"name,omitempty" json:"name,omitempty"`
	AlternateName  string          `yaml:"alternate_name,omitempty" json:"alternate_name,omitempty"`
	Description    string          `yaml:"description,omitempty" json:"description,omitempty"`
	Transportation string          `yaml:"transportation,omitempty" json:"transportation,omitempty"`
	Addresses      []Address       `yaml:"addresses,omitempty" json:"addresses,omitempty"`
	Latitude       *float64        `yaml:"latitude,omitempty" json:"latitude,omitempty"`
	Longitude      *float64        `yaml:"longitude,omitempty" json:"longitude,omitempty"`
	Accessibility  []Accessibility `yaml:"accessibility,omitempty" json:"accessibility,omitempty"`
	Languages      []string        `yaml:"languages,omitempty" json:"languages,omitempty"`
	Confidential   bool            `yaml:"confidential,omitempty" json:"confidential,omitempty"`
	Contacts       []Contact       `yaml:"contacts,omitempty" json:"contacts,omitempty"`
	// Hours, when set, are the location's opening hours.
	Hours      *Hours      `yaml:"hours,omitempty" json:"hours,omitempty"`
	Attributes []Attribute `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	Source     Source      `yaml:"source" json:"source"`
	// Origin and ExternalID are as for Organization.
	Origin     string `yaml:"-" json:"origin,omitempty"`
	ExternalID string `yaml:"-" json:"external_id,omitempty"`
}

// Address is a location's street or postal address. Country is an ISO
// 3166-1 alpha-2 code.
type Address struct {
	// Type is AddressPhysical or AddressPostal.
	Type          string `yaml:"address_type" json:"address_type"`
	Attention     string `yaml:"attention,omitempty" json:"attention,omitempty"`
	Address1      string `yaml:"address_1,omitempty" json:"address_1,omitempty"`
	Address2      string `yaml:"address_2,omitempty" json:"address_2,omitempty"`
	City          string `yaml:"city" json:"city"`
	Region        string `yaml:"region,omitempty" json:"region,omitempty"`
	StateProvince string `yaml:"state_province" json:"state_province"`
	PostalCode    string `yaml:"postal_code" json:"postal_code"`
	Country       string `yaml:"country" json:"country"`
}

// Accessibility is one arrangement for people with disabilities at a
// location.
type Accessibility struct {
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Details     string `yaml:"details,omitempty" json:"details,omitempty"`
	URL         string `yaml:"url,omitempty" json:"url,omitempty"`
}

// ServiceAtLocation is a service offered at a location, with what is
// particular to that place: a description, contacts and hours of its own.
type ServiceAtLocation struct {
	Slug        string    `yaml:"slug" json:"slug"`
	Service     string    `yaml:"service" json:"service"`
	Location    string    `yaml:"location" json:"location"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Contacts    []Contact `yaml:"contacts,omitempty" json:"contacts,omitempty"`
	// Hours, when set, override the service's hours at this location.
	Hours      *Hours      `yaml:"hours,omitempty" json:"hours,omitempty"`
	Attributes []Attribute `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	Origin     string      `yaml:"-" json:"origin,omitempty"`
	ExternalID string      `yaml:"-" json:"external_id,omitempty"`
}

// Taxonomy is a vocabulary that classifies records: Open Eligibility, the
// 211 LA (AIRS) codes, Haven's own.
type Taxonomy struct {
	Slug        string `yaml:"slug" json:"slug"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	URI         string `yaml:"uri,omitempty" json:"uri,omitempty"`
	Version     string `yaml:"version,omitempty" json:"version,omitempty"`
	Origin      string `yaml:"-" json:"origin,omitempty"`
	ExternalID  string `yaml:"-" json:"external_id,omitempty"`
}

// TaxonomyTerm is one term of a taxonomy. Slug identifies it in Haven;
// Code is its identifier in the taxonomy ("BD-1800.2000"). Parent is the
// slug of the broader term in a hierarchical taxonomy, or "". Language is
// the BCP 47 tag of the term's name and description, or "".
type TaxonomyTerm struct {
	Slug        string `yaml:"slug" json:"slug"`
	Taxonomy    string `yaml:"taxonomy" json:"taxonomy"`
	Code        string `yaml:"code,omitempty" json:"code,omitempty"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Parent      string `yaml:"parent,omitempty" json:"parent,omitempty"`
	Language    string `yaml:"language,omitempty" json:"language,omitempty"`
	URI         string `yaml:"uri,omitempty" json:"uri,omitempty"`
	Origin      string `yaml:"-" json:"origin,omitempty"`
	ExternalID  string `yaml:"-" json:"external_id,omitempty"`
}

// Attribute links the record that holds it to a taxonomy term (by slug),
// with a value where the term needs one (HSDS 3.0 attribute). LinkType is
// HSDS's optional code for what the term describes, such as eligibility.
type Attribute struct {
	Term     string `yaml:"term" json:"term"`
	Value    string `yaml:"value,omitempty" json:"value,omitempty"`
	LinkType string `yaml:"link_type,omitempty" json:"link_type,omitempty"`
}

// Haven's own taxonomies. Haven holds facts HSDS has no field for; they
// travel in HSDS as attributes whose terms belong to the taxonomy "haven".
// The pack's topics are the terms of "haven-topics", one per topic, whose
// code is the topic's slug: a service's Topics stay as the pack writes
// them and are not repeated in its Attributes.
const (
	HavenTaxonomy       = "haven"
	HavenTopicsTaxonomy = "haven-topics"
)

// Slugs of the terms of the haven taxonomy. Each attribute's value is
// written as the term's description says.
const (
	TermLawEnforcement       = "haven-law-enforcement"
	TermImmigrationAuthority = "haven-immigration-authority"
	TermAnonymousOK          = "haven-anonymous-ok"
	TermChannel              = "haven-channel"
	TermSource               = "haven-source"
)

// HavenTaxonomies returns the two taxonomies Haven defines.
func HavenTaxonomies() []Taxonomy {
	return []Taxonomy{
		{
			Slug: HavenTaxonomy, Name: "Haven",
			Description: "Facts Haven records about services that HSDS has no field for.",
			URI:         "https://github.com/haven-project/haven/blob/main/docs/hsds.md", Version: "1",
		},
		{
			Slug: HavenTopicsTaxonomy, Name: "Haven topics",
			Description: "The topics a jurisdiction pack files its services under.",
			URI:         "https://github.com/haven-project/haven/blob/main/docs/hsds.md", Version: "1",
		},
	}
}

// HavenTerms returns the terms of the haven taxonomy.
func HavenTerms() []TaxonomyTerm {
	term := func(slug, code, name, desc string) TaxonomyTerm {
		return TaxonomyTerm{Slug: slug, Taxonomy: HavenTaxonomy, Code: code, Name: name, Description: desc, Language: "en"}
	}
	return []TaxonomyTerm{
		term(TermLawEnforcement, "law_enforcement", "Law enforcement",
			"Whether the service is law enforcement: value true, false, or unstated when no source says."),
		term(TermImmigrationAuthority, "immigration_authority", "Immigration authority",
			"Whether the service is an immigration authority: value true, false, or unstated when no source says."),
		term(TermAnonymousOK, "anonymous_ok", "Anonymous use",
			"Whether a person may use the service without giving their name: value true, false, or unstated."),
		term(TermChannel, "channel", "Contact channel",
			"A way to reach the service: value call, text, online, email, website or social."),
		term(TermSource, "source", "Source",
			"Where a fact comes from: value the document, its lines and the day it was verified, as document#lines@verified."),
	}
}

// TopicTermSlug returns the slug of the haven-topics term of a pack topic:
// "haven-topic-" and the topic with its underscores as hyphens (topic
// slugs hold no hyphen, so no two topics share a term).
func TopicTermSlug(topic string) string {
	b := []byte(topic)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		}
	}
	return "haven-topic-" + string(b)
}

// Location returns the location with the slug, if any.
func (d *Directory) Location(slug string) (Location, bool) {
	for _, l := range d.Locations {
		if l.Slug == slug {
			return l, true
		}
	}
	return Location{}, false
}

// Public returns the location as the public may see it. A location that is
// not confidential is returned as it is. Of a confidential one it keeps
// only what says roughly where it serves, and how to reach it: its slug,
// type, organization, languages, contacts, hours, attributes, source and
// the city, state or province, postal code and country of each address
// (each distinct area once, in order). Its name, alternate name,
// description, transportation, street address lines, attention, region,
// coordinates, virtual URL and accessibility details go. Every public page
// and API must show locations only through Public (docs/security.md); the
// location it is called on is not changed.
func (l Location) Public() Location {
	if !l.Confidential {
		return l
	}
	out := Location{
		Slug:         l.Slug,
		Type:         l.Type,
		Organization: l.Organization,
		Languages:    l.Languages,
		Confidential: true,
		Contacts:     l.Contacts,
		Hours:        l.Hours,
		Attributes:   l.Attributes,
		Source:       l.Source,
		Origin:       l.Origin,
		ExternalID:   l.ExternalID,
	}
	seen := map[Address]bool{}
	for _, a := range l.Addresses {
		area := Address{Type: a.Type, City: a.City, StateProvince: a.StateProvince, PostalCode: a.PostalCode, Country: a.Country}
		key := area
		key.Type = ""
		if seen[key] {
			continue
		}
		seen[key] = true
		out.Addresses = append(out.Addresses, area)
	}
	return out
}

// Public returns a copy of the directory as the public may see it: every
// location through Location.Public, and the description of a service at a
// confidential location left out, since it may say where the place is.
// The directory it is called on is not changed.
func (d *Directory) Public() *Directory {
	out := *d
	confidential := map[string]bool{}
	out.Locations = nil
	if d.Locations != nil {
		out.Locations = make([]Location, len(d.Locations))
	}
	for i, l := range d.Locations {
		out.Locations[i] = l.Public()
		if l.Confidential {
			confidential[l.Slug] = true
		}
	}
	out.ServicesAtLocation = nil
	if d.ServicesAtLocation != nil {
		out.ServicesAtLocation = make([]ServiceAtLocation, len(d.ServicesAtLocation))
	}
	for i, sal := range d.ServicesAtLocation {
		if confidential[sal.Location] {
			sal.Description = ""
		}
		out.ServicesAtLocation[i] = sal
	}
	return &out
}
