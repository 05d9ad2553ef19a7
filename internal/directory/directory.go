// Package directory holds Haven's record model: organizations, the services
// they run, the locations they run them at, how to reach them and when, and
// the taxonomies that classify them. It follows Open Referral HSDS 3.0
// objects so that HSDS import and export are mappings, not rewrites
// (docs/hsds.md maps each type and field).
//
// Every record that has a slug also has an Origin, the name of the import
// source that brought it ("" for the pack's own records), and an optional
// ExternalID, the id it has in that source. The store keeps records of one
// origin apart from every other's.
//
// The types carry yaml tags because a jurisdiction pack is written in YAML by
// people, and json tags because the same records are served by the API.
package directory

// Service kinds.
const (
	KindEmergency       = "emergency"
	KindHotline         = "hotline"
	KindTipLine         = "tip_line"
	KindOnlineReporting = "online_reporting"
	KindOrganization    = "organization"
	KindResource        = "resource"
	KindExpert          = "expert"
)

// Kinds lists every service kind in display order.
var Kinds = []string{KindEmergency, KindHotline, KindTipLine, KindOnlineReporting, KindOrganization, KindResource, KindExpert}

// Contact channels.
const (
	ChannelCall    = "call"
	ChannelText    = "text"
	ChannelOnline  = "online"
	ChannelEmail   = "email"
	ChannelWebsite = "website"
	ChannelSocial  = "social"
)

// Channels lists every contact channel.
var Channels = []string{ChannelCall, ChannelText, ChannelOnline, ChannelEmail, ChannelWebsite, ChannelSocial}

// Contact scopes.
const (
	ScopeDomestic      = "domestic"
	ScopeInternational = "international"
)

// Service area scopes. Region is a named area of any kind ("Québec",
// "the Bay Area"); city, county and state name one of those; postcode is
// an area given by its postcodes (ZIP codes) alone.
const (
	AreaNational      = "national"
	AreaInternational = "international"
	AreaRegion        = "region"
	AreaState         = "state"
	AreaCounty        = "county"
	AreaCity          = "city"
	AreaPostcode      = "postcode"
)

// AreaScopes lists every service area scope, from the widest.
var AreaScopes = []string{AreaInternational, AreaNational, AreaRegion, AreaState, AreaCounty, AreaCity, AreaPostcode}

// Service statuses (HSDS 3.0 service.status). A service whose Status is ""
// has none recorded and is taken as active: the U.S. pack records none.
const (
	StatusActive            = "active"
	StatusInactive          = "inactive"
	StatusDefunct           = "defunct"
	StatusTemporarilyClosed = "temporarily closed"
)

// Statuses lists every service status.
var Statuses = []string{StatusActive, StatusInactive, StatusDefunct, StatusTemporarilyClosed}

// Phone types (HSDS 3.0 phone.type, from the RFC 6350 TEL types). TTY
// lines are textphone.
const (
	PhoneVoice     = "voice"
	PhoneText      = "text"
	PhoneFax       = "fax"
	PhoneCell      = "cell"
	PhoneVideo     = "video"
	PhonePager     = "pager"
	PhoneTextphone = "textphone"
)

// PhoneTypes lists every phone type.
var PhoneTypes = []string{PhoneVoice, PhoneText, PhoneFax, PhoneCell, PhoneVideo, PhonePager, PhoneTextphone}

// Source says where a fact comes from: a document named in the pack's
// sources, the lines of that document that state it, and the day a person
// last checked it against the document.
type Source struct {
	Document string `yaml:"document" json:"document"`
	Lines    []int  `yaml:"lines" json:"lines"`
	Verified string `yaml:"verified" json:"verified"`
}

// Social is an account on a social network, such as an X handle.
type Social struct {
	Network string `yaml:"network" json:"network"`
	Handle  string `yaml:"handle" json:"handle"`
	URL     string `yaml:"url" json:"url"`
}

// Organization is a body that runs services: an agency, a non-profit, a
// person who is a recognised expert.
type Organization struct {
	Slug          string   `yaml:"slug" json:"slug"`
	Name          string   `yaml:"name" json:"name"`
	AlternateName string   `yaml:"alternate_name,omitempty" json:"alternate_name,omitempty"`
	Description   string   `yaml:"description,omitempty" json:"description,omitempty"`
	Email         string   `yaml:"email,omitempty" json:"email,omitempty"`
	Website       string   `yaml:"website,omitempty" json:"website,omitempty"`
	WebsiteText   string   `yaml:"website_display,omitempty" json:"website_display,omitempty"`
	Social        []Social `yaml:"social,omitempty" json:"social,omitempty"`
	Notes         []string `yaml:"notes,omitempty" json:"notes,omitempty"`
	// Attributes classify the organization by taxonomy terms.
	Attributes []Attribute `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	Source     Source      `yaml:"source" json:"source"`
	// Origin names the import source that brought the record, "" for the
	// pack's own; the store sets it, a pack cannot. ExternalID is the
	// record's id in that source, unique within the origin, or "".
	Origin     string `yaml:"-" json:"origin,omitempty"`
	ExternalID string `yaml:"-" json:"external_id,omitempty"`
}

// Area is where a service is offered: a scope, the name of the place
// (required for region, state, county and city), the postcodes (ZIP codes)
// it covers, which a postcode area must list, and an optional description
// of its extent in words ("within 30 miles of Fresno").
type Area struct {
	Scope       string   `yaml:"scope" json:"scope"`
	Name        string   `yaml:"name,omitempty" json:"name,omitempty"`
	Postcodes   []string `yaml:"postcodes,omitempty" json:"postcodes,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
}

// Contact is one way to reach a service.
//
// Display is the form the source writes ("1-800-THE-LOST"); DisplayAlt the
// second form it gives, if any ("1-800-843-5678"). Value is what a device
// dials or opens: E.164 for phone numbers, the short code as written (911,
// 233733), a URL with a scheme, or a lower-cased e-mail address.
//
// A call or text contact is an HSDS phone; the fields HSDS phone has and
// the others lack are here too: Extension (digits dialled after the number
// answers), PhoneType (voice, text, fax, cell, video, pager, textphone; ""
// when the source does not say), the languages spoken on the line and a
// description. They are optional and empty for other channels.
type Contact struct {
	Channel    string   `yaml:"channel" json:"channel"`
	Display    string   `yaml:"display" json:"display"`
	DisplayAlt string   `yaml:"display_alt,omitempty" json:"display_alt,omitempty"`
	Value      string   `yaml:"value" json:"value"`
	Keywords   []string `yaml:"keywords,omitempty" json:"keywords,omitempty"`
	Scope      string   `yaml:"scope,omitempty" json:"scope,omitempty"`
	Purpose    string   `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	// Hours, when set, overrides the service's hours for this contact.
	Hours       *Hours   `yaml:"hours,omitempty" json:"hours,omitempty"`
	Extension   string   `yaml:"extension,omitempty" json:"extension,omitempty"`
	PhoneType   string   `yaml:"phone_type,omitempty" json:"phone_type,omitempty"`
	Languages   []string `yaml:"languages,omitempty" json:"languages,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Source      Source   `yaml:"source" json:"source"`
}

// Service is something a person can use: a hotline, a tip line, an online
// form, an organization's work, a resource.
type Service struct {
	Slug          string `yaml:"slug" json:"slug"`
	Organization  string `yaml:"organization" json:"organization"`
	Name          string `yaml:"name" json:"name"`
	AlternateName string `yaml:"alternate_name,omitempty" json:"alternate_name,omitempty"`
	Description   string `yaml:"description" json:"description"`
	Kind          string `yaml:"kind" json:"kind"`
	// LawEnforcement and ImmigrationAuthority are true or false where a
	// source says so, nil where none does: Haven never tells a person who
	// fears the police that a service is safe on a guess.
	LawEnforcement       *bool     `yaml:"law_enforcement" json:"law_enforcement"`
	ImmigrationAuthority *bool     `yaml:"immigration_authority" json:"immigration_authority"`
	Topics               []string  `yaml:"topics" json:"topics"`
	Areas                []Area    `yaml:"areas,omitempty" json:"areas"`
	AnonymousOK          *bool     `yaml:"anonymous_ok,omitempty" json:"anonymous_ok"`
	Multilingual         bool      `yaml:"multilingual,omitempty" json:"multilingual"`
	Languages            []string  `yaml:"languages,omitempty" json:"languages"`
	Hours                Hours     `yaml:"hours" json:"hours"`
	Contacts             []Contact `yaml:"contacts,omitempty" json:"contacts"`
	Notes                []string  `yaml:"notes,omitempty" json:"notes,omitempty"`
	// Status is one of Statuses, or "" when none is recorded (taken as
	// active).
	Status string `yaml:"status,omitempty" json:"status,omitempty"`
	// URL is the service's own web page; Email an address for it.
	URL   string `yaml:"url,omitempty" json:"url,omitempty"`
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	// Eligibility says who the service is for, Fees what it costs,
	// ApplicationProcess how to get it, RequiredDocuments what to bring:
	// text as the source gives it.
	Eligibility        string   `yaml:"eligibility,omitempty" json:"eligibility,omitempty"`
	Fees               string   `yaml:"fees,omitempty" json:"fees,omitempty"`
	ApplicationProcess string   `yaml:"application_process,omitempty" json:"application_process,omitempty"`
	RequiredDocuments  []string `yaml:"required_documents,omitempty" json:"required_documents,omitempty"`
	// AssuredDate is the day (YYYY-MM-DD) someone last checked the whole
	// record with the service itself, and Assurer who did (a name or an
	// e-mail address). Source.Verified is the day a fact was checked
	// against its document.
	AssuredDate string `yaml:"assured_date,omitempty" json:"assured_date,omitempty"`
	Assurer     string `yaml:"assurer,omitempty" json:"assurer,omitempty"`
	// Attributes classify the service by taxonomy terms, with a value
	// where the term needs one.
	Attributes []Attribute `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	Source     Source      `yaml:"source" json:"source"`
	// Origin and ExternalID are as for Organization.
	Origin     string `yaml:"-" json:"origin,omitempty"`
	ExternalID string `yaml:"-" json:"external_id,omitempty"`
}

// Active reports whether the service works now as far as its record says:
// its status is active or not recorded.
func (s Service) Active() bool { return s.Status == "" || s.Status == StatusActive }

// Directory is a whole set of records, in the order the pack (or the
// import) gives them. Services at locations name their service and
// location by slug; taxonomy terms name their taxonomy.
type Directory struct {
	Organizations      []Organization      `yaml:"organizations" json:"organizations"`
	Services           []Service           `yaml:"services" json:"services"`
	Locations          []Location          `yaml:"locations,omitempty" json:"locations,omitempty"`
	ServicesAtLocation []ServiceAtLocation `yaml:"services_at_location,omitempty" json:"services_at_location,omitempty"`
	Taxonomies         []Taxonomy          `yaml:"taxonomies,omitempty" json:"taxonomies,omitempty"`
	Terms              []TaxonomyTerm      `yaml:"terms,omitempty" json:"terms,omitempty"`
}

// Organization returns the organization with the slug, if any.
func (d *Directory) Organization(slug string) (Organization, bool) {
	for _, o := range d.Organizations {
		if o.Slug == slug {
			return o, true
		}
	}
	return Organization{}, false
}

// Service returns the service with the slug, if any.
func (d *Directory) Service(slug string) (Service, bool) {
	for _, s := range d.Services {
		if s.Slug == slug {
			return s, true
		}
	}
	return Service{}, false
}

// ContactsBy returns the service's contacts on one channel.
func (s Service) ContactsBy(channel string) []Contact {
	var out []Contact
	for _, c := range s.Contacts {
		if c.Channel == channel {
			out = append(out, c)
		}
	}
	return out
}

// Enforcement says what is known of a service's ties to police and
// immigration.
type Enforcement int

// What is known of a service's ties to police and immigration, from the
// safest to approach for a person who fears them to the least.
const (
	// Neither: a source says it is neither law enforcement nor an
	// immigration authority.
	Neither Enforcement = iota
	// Unknown: no source says one way or the other for at least one of them.
	Unknown
	// Enforcing: a source says it is law enforcement or an immigration
	// authority.
	Enforcing
)

// Enforcement classifies the service for a person who avoids police and
// immigration.
func (s Service) Enforcement() Enforcement {
	switch {
	case isTrue(s.LawEnforcement) || isTrue(s.ImmigrationAuthority):
		return Enforcing
	case isFalse(s.LawEnforcement) && isFalse(s.ImmigrationAuthority):
		return Neither
	}
	return Unknown
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

// HasTopic reports whether the service covers the topic.
func (s Service) HasTopic(topic string) bool {
	for _, t := range s.Topics {
		if t == topic {
			return true
		}
	}
	return false
}

// orEmpty returns s, or an empty slice where s is nil, so that JSON shows
// [] where a list belongs, never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ForJSON returns a copy of the service whose lists are empty, not nil.
// The service it is called on is not changed.
func (s Service) ForJSON() Service {
	s.Topics = orEmpty(s.Topics)
	s.Areas = orEmpty(s.Areas)
	s.Languages = orEmpty(s.Languages)
	s.Source.Lines = orEmpty(s.Source.Lines)
	cs := make([]Contact, len(s.Contacts))
	for i, c := range s.Contacts {
		c.Source.Lines = orEmpty(c.Source.Lines)
		cs[i] = c
	}
	s.Contacts = cs
	return s
}

// ForJSON returns a copy of the organization whose source lines are an
// empty list, not nil.
func (o Organization) ForJSON() Organization {
	o.Source.Lines = orEmpty(o.Source.Lines)
	return o
}
