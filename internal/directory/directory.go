// Package directory holds Haven's record model: organizations, the services
// they run, how to reach them and when. It follows Open Referral HSDS 3.x
// concepts so that HSDS import and export are mappings, not rewrites.
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

// Service area scopes.
const (
	AreaNational      = "national"
	AreaInternational = "international"
	AreaRegion        = "region"
)

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
	Website       string   `yaml:"website,omitempty" json:"website,omitempty"`
	WebsiteText   string   `yaml:"website_display,omitempty" json:"website_display,omitempty"`
	Social        []Social `yaml:"social,omitempty" json:"social,omitempty"`
	Notes         []string `yaml:"notes,omitempty" json:"notes,omitempty"`
	Source        Source   `yaml:"source" json:"source"`
}

// Area is where a service is offered.
type Area struct {
	Scope string `yaml:"scope" json:"scope"`
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
}

// Contact is one way to reach a service.
//
// Display is the form the source writes ("1-800-THE-LOST"); DisplayAlt the
// second form it gives, if any ("1-800-843-5678"). Value is what a device
// dials or opens: E.164 for phone numbers, the short code as written (911,
// 233733), a URL with a scheme, or a lower-cased e-mail address.
type Contact struct {
	Channel    string   `yaml:"channel" json:"channel"`
	Display    string   `yaml:"display" json:"display"`
	DisplayAlt string   `yaml:"display_alt,omitempty" json:"display_alt,omitempty"`
	Value      string   `yaml:"value" json:"value"`
	Keywords   []string `yaml:"keywords,omitempty" json:"keywords,omitempty"`
	Scope      string   `yaml:"scope,omitempty" json:"scope,omitempty"`
	Purpose    string   `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	// Hours, when set, overrides the service's hours for this contact.
	Hours  *Hours `yaml:"hours,omitempty" json:"hours,omitempty"`
	Source Source `yaml:"source" json:"source"`
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
	Source               Source    `yaml:"source" json:"source"`
}

// Directory is a whole set of organizations and services, in the order the
// pack gives them.
type Directory struct {
	Organizations []Organization `yaml:"organizations" json:"organizations"`
	Services      []Service      `yaml:"services" json:"services"`
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
