package pack

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

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

func (l *loader) check(p *Pack, docs map[string][]string) {
	sources, topics := l.checkMeta(p.Meta)
	c := &checker{l: l, meta: p.Meta, docs: docs, sources: sources, topics: topics}
	orgs := c.organizations(p.Directory.Organizations)
	svcs := c.services(p.Directory.Services, orgs)
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
		case directory.AreaRegion:
			if ar.Name == "" {
				a.sub("areas", i).errf("service %s: a region area needs a name", s.Slug)
			}
		default:
			a.sub("areas", i).errf("service %s: area scope %q: want national, international or region", s.Slug, ar.Scope)
		}
	}
	if err := s.Hours.Validate(); err != nil {
		a.sub("hours").errf("service %s: hours: %v", s.Slug, err)
	}
	c.source(a.sub("source"), s.Source)
	for i, ct := range s.Contacts {
		c.contact(a.sub("contacts", i), s.Slug, ct)
	}
}

func (c *checker) contact(a at, slug string, ct directory.Contact) {
	c.source(a.sub("source"), ct.Source)
	if ct.Hours != nil {
		if err := ct.Hours.Validate(); err != nil {
			a.sub("hours").errf("service %s: contact hours: %v", slug, err)
		}
	}
	switch ct.Scope {
	case "", directory.ScopeDomestic, directory.ScopeInternational:
	default:
		a.sub("scope").errf("service %s: contact scope %q: want domestic or international", slug, ct.Scope)
	}
	if ct.Display == "" || ct.Value == "" {
		a.errf("service %s: a contact needs display and value", slug)
		return
	}
	c.cited(a.sub("display"), ct.Source, ct.Display)
	if ct.DisplayAlt != "" {
		c.cited(a.sub("display_alt"), ct.Source, ct.DisplayAlt)
	}
	for i, k := range ct.Keywords {
		if !keywordRe.MatchString(k) {
			a.sub("keywords", i).errf("service %s: keyword %q: want capital letters or digits", slug, k)
		}
		c.cited(a.sub("keywords", i), ct.Source, k)
	}
	switch ct.Channel {
	case directory.ChannelCall, directory.ChannelText:
		c.phone(a, slug, ct)
	case directory.ChannelOnline, directory.ChannelWebsite:
		if err := checkURL(ct.Value); err != nil {
			a.sub("value").errf("service %s: %v", slug, err)
		} else if !sameLink(ct.Display, ct.Value) {
			a.sub("value").errf("service %s: link %q does not match its display %q", slug, ct.Value, ct.Display)
		}
	case directory.ChannelEmail:
		addr, err := mail.ParseAddress(ct.Value)
		if err != nil || addr.Address != ct.Value || addr.Name != "" {
			a.sub("value").errf("service %s: e-mail %q is not a plain address", slug, ct.Value)
		} else if ct.Value != strings.ToLower(ct.Display) {
			a.sub("value").errf("service %s: e-mail value should be %q, the display lower-cased", slug, strings.ToLower(ct.Display))
		}
	case directory.ChannelSocial:
		if !handleRe.MatchString(ct.Display) {
			a.sub("display").errf("service %s: social handle %q: want @ and letters, digits or underscores", slug, ct.Display)
		}
	default:
		a.sub("channel").errf("service %s: channel %q: want one of %s", slug, ct.Channel, strings.Join(directory.Channels, ", "))
	}
}

// phone checks a call or text contact: a short code the pack lists, dialled
// as written, or a number valid for the pack's country whose E.164 form is
// the value; vanity letters must spell the same digits as the value.
func (c *checker) phone(a at, slug string, ct directory.Contact) {
	if slices.Contains(c.meta.ShortCodes, ct.Value) {
		if ct.Display != ct.Value {
			a.sub("display").errf("service %s: short code %s should be displayed as written", slug, ct.Value)
		}
		return
	}
	if !directory.IsE164(ct.Value) {
		a.sub("value").errf("service %s: %q is neither E.164 (+ and digits) nor a short code listed in %s", slug, ct.Value, MetaFile)
		return
	}
	for _, d := range []string{ct.Display, ct.DisplayAlt} {
		if d == "" {
			continue
		}
		e164, err := directory.ToE164(d, c.meta.Country)
		if err != nil {
			a.sub("display").errf("service %s: %v", slug, err)
			continue
		}
		if e164 != ct.Value {
			a.sub("value").errf("service %s: %q dials %s, but the value is %s", slug, d, e164, ct.Value)
		}
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
