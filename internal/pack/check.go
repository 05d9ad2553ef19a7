package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/haven-project/haven/internal/directory"
)

var (
	slugRe    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	topicRe   = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	keywordRe = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)
	handleRe  = regexp.MustCompile(`^@[A-Za-z0-9_]{1,50}$`)
)

// nodeAt walks from root along path: a string picks a mapping key, an int a
// sequence item. It returns the deepest node reached; when the last step was
// a mapping key, it returns the key's node, whose line is where the field is
// written.
func nodeAt(root *yaml.Node, path ...any) *yaml.Node {
	if root == nil {
		return nil
	}
	var key *yaml.Node
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, p := range path {
		key = nil
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return n
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					key, n, found = n.Content[i], n.Content[i+1], true
					break
				}
			}
			if !found {
				return n
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return n
			}
			n = n.Content[k]
		}
	}
	if key != nil {
		return key
	}
	return n
}

func (l *loader) line(root *yaml.Node, path ...any) int { return lineAt(root, path...) }

// has reports whether the mapping at path has the key written out.
func has(root *yaml.Node, key string, path ...any) bool {
	n := nodeAt(root, path...)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func lineAt(root *yaml.Node, path ...any) int {
	if n := nodeAt(root, path...); n != nil {
		return n.Line
	}
	return 0
}

// at is a place in a pack file that problems are reported against.
type at struct {
	l    *loader
	file string
	root *yaml.Node
	path []any
}

func (a at) sub(p ...any) at {
	return at{l: a.l, file: a.file, root: a.root, path: append(slices.Clone(a.path), p...)}
}

func (a at) errf(format string, args ...any) {
	a.l.addf(a.file, a.l.line(a.root, a.path...), format, args...)
}

func (l *loader) check(p *Pack, docs map[string][]string, entries []serviceEntry) {
	sources, topics := l.checkMeta(p.Meta)
	c := &checker{l: l, meta: p.Meta, docs: docs, sources: sources, topics: topics, terms: map[string]bool{}}
	for _, t := range p.Directory.Terms {
		c.terms[t.Slug] = true
	}
	orgs := c.organizations(p.Directory.Organizations)
	svcs := c.services(p.Directory.Services, orgs)
	locs := c.locations(p.Directory.Locations, orgs)
	c.serviceLocations(entries, locs)
	c.confidential(p)
	meta := at{l: l, file: MetaFile, root: l.metaRoot}
	for _, h := range append([]string{p.Meta.Home.Emergency, p.Meta.Home.Hotline}, p.Meta.Home.More...) {
		if !svcs[h] {
			meta.sub("home").errf("home: service %q is not in %s", h, ServicesFile)
		}
	}
	c.learn(p.Learn)
}

// checkMeta checks pack.yaml's own fields, and returns the source
// documents and topics it defines.
func (l *loader) checkMeta(m Meta) (sources, topics map[string]bool) {
	meta := at{l: l, file: MetaFile, root: l.metaRoot}
	if !slugRe.MatchString(m.ID) {
		meta.sub("id").errf("id %q: want lower-case letters, digits and hyphens", m.ID)
	}
	if m.Name == "" {
		meta.errf("name is missing")
	}
	if len(m.Country) != 2 || strings.ToUpper(m.Country) != m.Country {
		meta.sub("country").errf("country %q: want an ISO 3166-1 alpha-2 code such as US", m.Country)
	}
	if m.DefaultLocale == "" {
		meta.errf("default_locale is missing")
	}
	if _, err := time.LoadLocation(m.DefaultTimeZone); err != nil || m.DefaultTimeZone == "" {
		meta.sub("default_time_zone").errf("default_time_zone %q is not an IANA time zone", m.DefaultTimeZone)
	}
	if m.QuickExitURL != "" {
		if err := checkURL(m.QuickExitURL); err != nil {
			meta.sub("quick_exit_url").errf("quick_exit_url: %v", err)
		}
	}
	if d := m.Tips.AnswerWithinDays; d < 0 || d > 365 {
		meta.sub("tips", "answer_within_days").errf("tips: answer_within_days %d: want 1 to 365 days, or leave it out when the organization does not promise a time", d)
	}
	sources = map[string]bool{}
	for i, s := range m.Sources {
		if s.Document == "" || strings.ContainsAny(s.Document, `/\`) {
			meta.sub("sources", i).errf("source document %q: want a plain file name", s.Document)
		}
		if sources[s.Document] {
			meta.sub("sources", i).errf("source document %q listed twice", s.Document)
		}
		sources[s.Document] = true
	}
	if len(m.Sources) == 0 {
		meta.errf("sources: at least one source document is required")
	}
	for i, c := range m.ShortCodes {
		if c == "" || strings.Trim(c, "0123456789") != "" || len(c) > 8 {
			meta.sub("short_codes", i).errf("short code %q: want 1 to 8 digits", c)
		}
	}
	topics = map[string]bool{}
	for i, t := range m.Topics {
		if !topicRe.MatchString(t.Slug) {
			meta.sub("topics", i).errf("topic %q: want lower-case letters, digits and underscores", t.Slug)
		}
		if topics[t.Slug] {
			meta.sub("topics", i).errf("topic %q defined twice", t.Slug)
		}
		if t.Label == "" {
			meta.sub("topics", i).errf("topic %q has no label", t.Slug)
		}
		topics[t.Slug] = true
	}
	return sources, topics
}

// organizations checks each organization and returns their slugs.
func (c *checker) organizations(list []directory.Organization) map[string]bool {
	orgs := map[string]bool{}
	for i, o := range list {
		a := at{l: c.l, file: OrganizationsFile, root: c.l.orgRoot, path: []any{"organizations", i}}
		if orgs[o.Slug] {
			a.sub("slug").errf("organization slug %q is used twice", o.Slug)
		}
		orgs[o.Slug] = true
		c.organization(a, o)
	}
	if len(list) == 0 {
		c.l.addf(OrganizationsFile, 0, "no organizations")
	}
	return orgs
}

// services checks each service, that its organization is one of orgs, and
// that no contact belongs to two services; it returns their slugs.
func (c *checker) services(list []directory.Service, orgs map[string]bool) map[string]bool {
	svcs := map[string]bool{}
	seen := map[string]string{} // channel and value -> the service that has it
	for i, s := range list {
		a := at{l: c.l, file: ServicesFile, root: c.l.svcRoot, path: []any{"services", i}}
		if svcs[s.Slug] {
			a.sub("slug").errf("service slug %q is used twice", s.Slug)
		}
		svcs[s.Slug] = true
		if !orgs[s.Organization] {
			a.sub("organization").errf("service %s: organization %q is not in %s", s.Slug, s.Organization, OrganizationsFile)
		}
		c.service(a, s)
		for j, ct := range s.Contacts {
			key := ct.Channel + " " + ct.Value
			if other, dup := seen[key]; dup {
				a.sub("contacts", j, "value").errf("service %s: %s %s is already a contact of %s; a contact belongs to one service", s.Slug, ct.Channel, ct.Value, other)
			}
			seen[key] = s.Slug
		}
	}
	if len(list) == 0 {
		c.l.addf(ServicesFile, 0, "no services")
	}
	return svcs
}

// learn checks the learn items: unique ids, a title and a text quoted from
// the cited source.
func (c *checker) learn(items []LearnItem) {
	ids := map[string]bool{}
	for i, it := range items {
		a := at{l: c.l, file: LearnFile, root: c.l.learnRoot, path: []any{"learn", i}}
		if !slugRe.MatchString(it.ID) || ids[it.ID] {
			a.sub("id").errf("learn id %q: want a unique id of lower-case letters, digits and hyphens", it.ID)
		}
		ids[it.ID] = true
		if it.Title == "" || it.Text == "" {
			a.errf("learn item %s needs a title and a text", it.ID)
		}
		c.source(a.sub("source"), it.Source)
		c.quoted(a.sub("text"), it.Source, it.Text)
	}
}

type checker struct {
	l       *loader
	meta    Meta
	docs    map[string][]string
	sources map[string]bool
	topics  map[string]bool
	terms   map[string]bool // slugs of the taxonomy terms attributes may name
}

func (c *checker) organization(a at, o directory.Organization) {
	if !slugRe.MatchString(o.Slug) {
		a.sub("slug").errf("slug %q: want lower-case letters, digits and hyphens", o.Slug)
	}
	if o.Name == "" {
		a.errf("organization %s has no name", o.Slug)
	}
	if o.Description == "" {
		a.errf("organization %s has no description", o.Slug)
	}
	c.source(a.sub("source"), o.Source)
	if o.Email != "" {
		c.email(a.sub("email"), "organization "+o.Slug, o.Email)
	}
	c.attributes(a, "organization "+o.Slug, o.Attributes)
	if o.Website != "" {
		if err := checkURL(o.Website); err != nil {
			a.sub("website").errf("organization %s: website: %v", o.Slug, err)
		} else if o.WebsiteText == "" {
			a.sub("website").errf("organization %s: website_display is missing", o.Slug)
		} else if !sameLink(o.WebsiteText, o.Website) {
			a.sub("website").errf("organization %s: website %q does not match its display %q", o.Slug, o.Website, o.WebsiteText)
		}
		c.cited(a.sub("website_display"), o.Source, o.WebsiteText)
	}
	for i, s := range o.Social {
		sa := a.sub("social", i)
		if s.Network != "x" {
			sa.errf("social network %q: only x is known", s.Network)
			continue
		}
		if !handleRe.MatchString(s.Handle) {
			sa.errf("X handle %q: want @ and letters, digits or underscores", s.Handle)
		}
		if s.URL != "https://x.com/"+strings.TrimPrefix(s.Handle, "@") {
			sa.errf("X handle %s: url should be https://x.com/%s", s.Handle, strings.TrimPrefix(s.Handle, "@"))
		}
		c.cited(sa, o.Source, s.Handle)
	}
}

func (c *checker) service(a at, s directory.Service) {
	if !slugRe.MatchString(s.Slug) {
		a.sub("slug").errf("slug %q: want lower-case letters, digits and hyphens", s.Slug)
	}
	if s.Name == "" {
		a.errf("service %s has no name", s.Slug)
	}
	if s.Description == "" {
		a.errf("service %s has no description", s.Slug)
	}
	// Whether a service is police or immigration must be said, never
	// assumed: a missing field would silently read as "no".
	for _, f := range []string{"law_enforcement", "immigration_authority"} {
		if !has(a.root, f, a.path...) {
			a.errf("service %s: %s must be written out: write true, false, or null when the source does not say", s.Slug, f)
		}
	}
	if !slices.Contains(directory.Kinds, s.Kind) {
		a.sub("kind").errf("service %s: kind %q: want one of %s", s.Slug, s.Kind, strings.Join(directory.Kinds, ", "))
	}
	if len(s.Topics) == 0 {
		a.errf("service %s has no topics", s.Slug)
	}
	for i, t := range s.Topics {
		if !c.topics[t] {
			a.sub("topics", i).errf("service %s: topic %q is not defined in %s", s.Slug, t, MetaFile)
		}
	}
	for i, ar := range s.Areas {
		switch ar.Scope {
		case directory.AreaNational, directory.AreaInternational:
		case directory.AreaRegion, directory.AreaState, directory.AreaCounty, directory.AreaCity:
			if ar.Name == "" {
				a.sub("areas", i).errf("service %s: a %s area needs a name", s.Slug, ar.Scope)
			}
		case directory.AreaPostcode:
			if len(ar.Postcodes) == 0 {
				a.sub("areas", i).errf("service %s: a postcode area needs its postcodes", s.Slug)
			}
		default:
			a.sub("areas", i).errf("service %s: area scope %q: want one of %s", s.Slug, ar.Scope, strings.Join(directory.AreaScopes, ", "))
		}
		for j, pc := range ar.Postcodes {
			if pc == "" || strings.TrimSpace(pc) != pc {
				a.sub("areas", i, "postcodes", j).errf("service %s: postcode %q: want no surrounding space", s.Slug, pc)
			}
		}
	}
	if s.Status != "" && !slices.Contains(directory.Statuses, s.Status) {
		a.sub("status").errf("service %s: status %q: want one of %s", s.Slug, s.Status, strings.Join(directory.Statuses, ", "))
	}
	if s.URL != "" {
		if err := checkURL(s.URL); err != nil {
			a.sub("url").errf("service %s: url: %v", s.Slug, err)
		}
	}
	if s.Email != "" {
		c.email(a.sub("email"), "service "+s.Slug, s.Email)
	}
	if s.AssuredDate != "" {
		if _, err := time.Parse(time.DateOnly, s.AssuredDate); err != nil {
			a.sub("assured_date").errf("service %s: assured_date %q: want a date such as 2026-11-25", s.Slug, s.AssuredDate)
		}
	}
	for i, d := range s.RequiredDocuments {
		if strings.TrimSpace(d) == "" {
			a.sub("required_documents", i).errf("service %s: a required document is blank", s.Slug)
		}
	}
	c.languages(a, "service "+s.Slug, s.Languages)
	c.attributes(a, "service "+s.Slug, s.Attributes)
	if err := s.Hours.Validate(); err != nil {
		a.sub("hours").errf("service %s: hours: %v", s.Slug, err)
	}
	c.source(a.sub("source"), s.Source)
	for i, ct := range s.Contacts {
		c.contact(a.sub("contacts", i), "service "+s.Slug, ct)
	}
}

func (c *checker) contact(a at, who string, ct directory.Contact) {
	c.source(a.sub("source"), ct.Source)
	if ct.Hours != nil {
		if err := ct.Hours.Validate(); err != nil {
			a.sub("hours").errf("%s: contact hours: %v", who, err)
		}
	}
	switch ct.Scope {
	case "", directory.ScopeDomestic, directory.ScopeInternational:
	default:
		a.sub("scope").errf("%s: contact scope %q: want domestic or international", who, ct.Scope)
	}
	if ct.Display == "" || ct.Value == "" {
		a.errf("%s: a contact needs display and value", who)
		return
	}
	c.cited(a.sub("display"), ct.Source, ct.Display)
	if ct.DisplayAlt != "" {
		c.cited(a.sub("display_alt"), ct.Source, ct.DisplayAlt)
	}
	for i, k := range ct.Keywords {
		if !keywordRe.MatchString(k) {
			a.sub("keywords", i).errf("%s: keyword %q: want capital letters or digits", who, k)
		}
		c.cited(a.sub("keywords", i), ct.Source, k)
	}
	c.phoneFields(a, who, ct)
	switch ct.Channel {
	case directory.ChannelCall, directory.ChannelText:
		c.phone(a, who, ct)
	case directory.ChannelOnline, directory.ChannelWebsite:
		if err := checkURL(ct.Value); err != nil {
			a.sub("value").errf("%s: %v", who, err)
		} else if !sameLink(ct.Display, ct.Value) {
			a.sub("value").errf("%s: link %q does not match its display %q", who, ct.Value, ct.Display)
		}
	case directory.ChannelEmail:
		addr, err := mail.ParseAddress(ct.Value)
		if err != nil || addr.Address != ct.Value || addr.Name != "" {
			a.sub("value").errf("%s: e-mail %q is not a plain address", who, ct.Value)
		} else if ct.Value != strings.ToLower(ct.Display) {
			a.sub("value").errf("%s: e-mail value should be %q, the display lower-cased", who, strings.ToLower(ct.Display))
		}
	case directory.ChannelSocial:
		if !handleRe.MatchString(ct.Display) {
			a.sub("display").errf("%s: social handle %q: want @ and letters, digits or underscores", who, ct.Display)
		}
	default:
		a.sub("channel").errf("%s: channel %q: want one of %s", who, ct.Channel, strings.Join(directory.Channels, ", "))
	}
}

// phone checks a call or text contact: a short code the pack lists, dialled
// as written, or a number valid for the pack's country whose E.164 form is
// the value; vanity letters must spell the same digits as the value.
func (c *checker) phone(a at, who string, ct directory.Contact) {
	if slices.Contains(c.meta.ShortCodes, ct.Value) {
		if ct.Display != ct.Value {
			a.sub("display").errf("%s: short code %s should be displayed as written", who, ct.Value)
		}
		return
	}
	if !directory.IsE164(ct.Value) {
		a.sub("value").errf("%s: %q is neither E.164 (+ and digits) nor a short code listed in %s", who, ct.Value, MetaFile)
		return
	}
	for _, d := range []string{ct.Display, ct.DisplayAlt} {
		if d == "" {
			continue
		}
		e164, err := directory.ToE164(d, c.meta.Country)
		if err != nil {
			a.sub("display").errf("%s: %v", who, err)
			continue
		}
		if e164 != ct.Value {
			a.sub("value").errf("%s: %q dials %s, but the value is %s", who, d, e164, ct.Value)
		}
	}
}

// phoneFields checks what a contact has of an HSDS phone: an extension
// only on a call, a phone type only on a call or a text, languages.
func (c *checker) phoneFields(a at, who string, ct directory.Contact) {
	phone := ct.Channel == directory.ChannelCall || ct.Channel == directory.ChannelText
	if ct.Extension != "" {
		if ct.Channel != directory.ChannelCall {
			a.sub("extension").errf("%s: only a call contact has an extension", who)
		} else if len(ct.Extension) > 10 || strings.Trim(ct.Extension, "0123456789") != "" {
			a.sub("extension").errf("%s: extension %q: want 1 to 10 digits", who, ct.Extension)
		}
	}
	if ct.PhoneType != "" {
		if !phone {
			a.sub("phone_type").errf("%s: only a call or text contact has a phone_type", who)
		} else if !slices.Contains(directory.PhoneTypes, ct.PhoneType) {
			a.sub("phone_type").errf("%s: phone_type %q: want one of %s", who, ct.PhoneType, strings.Join(directory.PhoneTypes, ", "))
		}
	}
	c.languages(a, who, ct.Languages)
}

// languages checks a list of BCP 47 language tags.
func (c *checker) languages(a at, who string, langs []string) {
	for i, tag := range langs {
		if _, err := language.Parse(tag); err != nil || tag == "" {
			a.sub("languages", i).errf("%s: language %q: want a BCP 47 tag such as es or zh-Hant", who, tag)
		}
	}
}

// attributes checks that each attribute names a term the pack knows:
// Haven's (directory.HavenTerms, and one per topic).
func (c *checker) attributes(a at, who string, attrs []directory.Attribute) {
	for i, at := range attrs {
		if !c.terms[at.Term] {
			a.sub("attributes", i, "term").errf("%s: taxonomy term %q is not one Haven defines (haven-... terms, or haven-topic-<topic>)", who, at.Term)
		}
	}
}

// email checks a plain, lower-case e-mail address.
func (c *checker) email(a at, who, addr string) {
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" {
		a.errf("%s: e-mail %q is not a plain address", who, addr)
	} else if addr != strings.ToLower(addr) {
		a.errf("%s: e-mail %q: write it lower-cased", who, addr)
	}
}

// source checks a citation: a known document, lines inside it, a date.
func (c *checker) source(a at, s directory.Source) {
	if !c.sources[s.Document] {
		a.errf("source document %q is not listed in %s", s.Document, MetaFile)
		return
	}
	if len(s.Lines) == 0 {
		a.errf("source cites no lines")
	}
	if lines, ok := c.docs[s.Document]; ok {
		for _, n := range s.Lines {
			if n < 1 || n > len(lines) {
				a.errf("source line %d is outside %s (1-%d)", n, s.Document, len(lines))
			}
		}
	}
	if _, err := time.Parse(time.DateOnly, s.Verified); err != nil {
		a.errf("verified %q: want a date such as 2026-11-25", s.Verified)
	}
}

// cited checks that text is written on one of the lines the source cites,
// when the pack carries that source document.
func (c *checker) cited(a at, s directory.Source, text string) {
	lines, ok := c.docs[s.Document]
	if !ok || text == "" {
		return
	}
	for _, n := range s.Lines {
		if n >= 1 && n <= len(lines) && strings.Contains(lines[n-1], text) {
			return
		}
	}
	a.errf("%q is not written on the cited lines %v of %s", text, s.Lines, s.Document)
}

// quoted checks that text is the cited lines' words, word for word: the
// lines joined by spaces must contain it (white space folded), when the pack
// carries the source document.
func (c *checker) quoted(a at, s directory.Source, text string) {
	lines, ok := c.docs[s.Document]
	if !ok || text == "" {
		return
	}
	var cited []string
	for _, n := range s.Lines {
		if n >= 1 && n <= len(lines) {
			l := strings.TrimSpace(lines[n-1])
			cited = append(cited, strings.TrimPrefix(l, "- "))
		}
	}
	fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if !strings.Contains(fold(strings.Join(cited, " ")), fold(text)) {
		a.errf("the text is not what lines %v of %s say, word for word", s.Lines, s.Document)
	}
}

// checkURL accepts an absolute http or https URL with a host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%q: want an http or https URL", raw)
	}
	if u.Host == "" || !strings.Contains(u.Host, ".") {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

// sameLink reports whether value is display, or display with https://
// added where the source gave no scheme.
func sameLink(display, value string) bool {
	if strings.Contains(display, "://") {
		return display == value
	}
	return value == "https://"+display
}

// locations checks each location of locations.yaml and returns them by
// slug.
func (c *checker) locations(list []directory.Location, orgs map[string]bool) map[string]directory.Location {
	locs := map[string]directory.Location{}
	for i, loc := range list {
		a := at{l: c.l, file: LocationsFile, root: c.l.locRoot, path: []any{"locations", i}}
		who := "location " + loc.Slug
		if !slugRe.MatchString(loc.Slug) {
			a.sub("slug").errf("slug %q: want lower-case letters, digits and hyphens", loc.Slug)
		}
		if _, dup := locs[loc.Slug]; dup {
			a.sub("slug").errf("location slug %q is used twice", loc.Slug)
		}
		locs[loc.Slug] = loc
		if !slices.Contains(directory.LocationTypes, loc.Type) {
			a.sub("location_type").errf("%s: location_type %q: want one of %s", who, loc.Type, strings.Join(directory.LocationTypes, ", "))
		}
		switch {
		case loc.Type == directory.LocationVirtual && loc.URL == "":
			a.errf("%s: a virtual location needs a url", who)
		case loc.Type == directory.LocationVirtual:
			if err := checkURL(loc.URL); err != nil {
				a.sub("url").errf("%s: url: %v", who, err)
			}
			if len(loc.Addresses) > 0 {
				a.sub("addresses").errf("%s: a virtual location has a url, not addresses", who)
			}
		case loc.URL != "":
			a.sub("url").errf("%s: only a virtual location has a url", who)
		}
		if loc.Organization != "" && !orgs[loc.Organization] {
			a.sub("organization").errf("%s: organization %q is not in %s", who, loc.Organization, OrganizationsFile)
		}
		for j, ad := range loc.Addresses {
			c.address(a.sub("addresses", j), who, ad)
		}
		switch {
		case (loc.Latitude == nil) != (loc.Longitude == nil):
			a.errf("%s: give both latitude and longitude, or neither", who)
		case loc.Latitude != nil:
			if lat := *loc.Latitude; math.IsNaN(lat) || lat < -90 || lat > 90 {
				a.sub("latitude").errf("%s: latitude %v: want -90 to 90", who, lat)
			}
			if lon := *loc.Longitude; math.IsNaN(lon) || lon < -180 || lon > 180 {
				a.sub("longitude").errf("%s: longitude %v: want -180 to 180", who, lon)
			}
		}
		for j, ac := range loc.Accessibility {
			if ac.Description == "" && ac.Details == "" {
				a.sub("accessibility", j).errf("%s: accessibility needs a description or details", who)
			}
			if ac.URL != "" {
				if err := checkURL(ac.URL); err != nil {
					a.sub("accessibility", j, "url").errf("%s: accessibility url: %v", who, err)
				}
			}
		}
		c.languages(a, who, loc.Languages)
		if loc.Hours != nil {
			if err := loc.Hours.Validate(); err != nil {
				a.sub("hours").errf("%s: hours: %v", who, err)
			}
		}
		for j, ct := range loc.Contacts {
			c.contact(a.sub("contacts", j), who, ct)
		}
		c.attributes(a, who, loc.Attributes)
		c.source(a.sub("source"), loc.Source)
	}
	return locs
}

// address checks a location's address: a type, and the city, state or
// province, postal code and country every address needs.
func (c *checker) address(a at, who string, ad directory.Address) {
	if ad.Type != directory.AddressPhysical && ad.Type != directory.AddressPostal {
		a.sub("address_type").errf("%s: address_type %q: want physical or postal", who, ad.Type)
	}
	for _, f := range []struct{ name, value string }{
		{"city", ad.City}, {"state_province", ad.StateProvince}, {"postal_code", ad.PostalCode}, {"country", ad.Country},
	} {
		if strings.TrimSpace(f.value) == "" {
			a.errf("%s: an address needs %s", who, f.name)
		}
	}
	if ad.Country != "" && (len(ad.Country) != 2 || strings.ToUpper(ad.Country) != ad.Country) {
		a.sub("country").errf("%s: country %q: want an ISO 3166-1 alpha-2 code such as US", who, ad.Country)
	}
}

// serviceLocations checks the locations: lists of services.yaml: each a
// location of locations.yaml, once.
func (c *checker) serviceLocations(entries []serviceEntry, locs map[string]directory.Location) {
	made := map[string]string{} // service at location slug -> the service that made it
	for i, e := range entries {
		seen := map[string]bool{}
		for j, loc := range e.Locations {
			a := at{l: c.l, file: ServicesFile, root: c.l.svcRoot, path: []any{"services", i, "locations", j}}
			if _, ok := locs[loc]; !ok {
				a.errf("service %s: location %q is not in %s", e.Slug, loc, LocationsFile)
			}
			if seen[loc] {
				a.errf("service %s: location %q is listed twice", e.Slug, loc)
			}
			seen[loc] = true
			slug := ServiceAtLocationSlug(e.Slug, loc)
			if other, dup := made[slug]; dup && other != e.Slug {
				a.errf("service %s at %s makes the slug %s, which service %s at another location makes too; rename one", e.Slug, loc, slug, other)
			}
			made[slug] = e.Slug
		}
	}
}

// confidential checks that no confidential location's street address is
// shown to the public: neither line of any of its addresses may be written
// in anything public pages show, that is the directory as
// directory.Directory.Public leaves it, or any text of the pack.
func (c *checker) confidential(p *Pack) {
	var public bytes.Buffer
	enc := json.NewEncoder(&public)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.Directory.Public()); err != nil {
		c.l.addf(LocationsFile, 0, "cannot check confidential locations: %v", err)
		return
	}
	for _, t := range p.Texts() {
		public.WriteString("\n" + t)
	}
	shown := strings.ToLower(public.String())
	for i, loc := range p.Directory.Locations {
		if !loc.Confidential {
			continue
		}
		for j, ad := range loc.Addresses {
			for _, f := range []struct{ name, value string }{{"address_1", ad.Address1}, {"address_2", ad.Address2}} {
				v := strings.ToLower(strings.TrimSpace(f.value))
				if len(v) < 4 || !strings.Contains(shown, v) {
					continue
				}
				a := at{l: c.l, file: LocationsFile, root: c.l.locRoot, path: []any{"locations", i, "addresses", j, f.name}}
				a.errf("location %s is confidential, but its address %q is written where the public sees it (a name, description, contact or another record); remove it there", loc.Slug, f.value)
			}
		}
	}
}
