package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/triage"
)

// base is what the layout needs on every page.
type base struct {
	// SiteName is the pack's name for the site, in the page's language;
	// empty shows the catalog's ("Haven").
	SiteName  string
	Lang      string
	Dir       string // "ltr" or "rtl"
	CSS       string
	JS        string
	QuickExit string
	// Current is the nav entry of this page: "home", "services" or "".
	Current string
	// Switch links this page in every language, for the language
	// switcher. (Not "Languages": a service's view has that field.)
	Switch []languageLink
	// Unreviewed: no native speaker has reviewed this language's texts;
	// the page says so in one small line.
	Unreviewed bool
}

// languageLink is one language in the switcher, named in itself.
type languageLink struct {
	Tag, Name, Dir, Href string
	Current              bool
}

// base returns the layout's data for a page in locale whose address,
// without the language, is here ("/services?topic=x").
func (p *Pages) base(locale, current, here string) base {
	meta := p.cat.Meta(locale)
	b := base{
		Lang: locale, Dir: meta.Dir, CSS: p.css.path, JS: p.js.path, QuickExit: p.exitURL,
		Current: current, Unreviewed: !meta.Reviewed(),
		SiteName: p.tr(locale, "site_name", p.meta.SiteName),
	}
	for _, l := range p.cat.Locales() {
		m := p.cat.Meta(l)
		b.Switch = append(b.Switch, languageLink{Tag: l, Name: m.Name, Dir: m.Dir, Href: localePath(l, here), Current: l == locale})
	}
	return b
}

// here is a request's address without its language: what the language
// switcher links in every other language.
func (p *Pages) here(r *http.Request) string {
	path := r.URL.Path
	if first, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/"); ok && p.cat.Has(first) {
		path = "/" + rest
	}
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	return path
}

// contactView is one way to reach a service, ready to tap.
type contactView struct {
	Channel string
	Href    template.URL // built and checked here: tel:, sms:, mailto:, http(s):
	// Display and DisplayAlt are the forms the source writes; a page shows
	// them as "1-800-THE-LOST (1-800-843-5678)".
	Display       string
	DisplayAlt    string
	Keyword       string   // text: the keyword the link pre-fills
	Keywords      []string // text: every keyword the source gives
	International bool
	Purpose       string
	// HoursUnknown: the source states no hours for this contact, though it
	// states them for the service.
	HoursUnknown bool
}

// marks is what a source says of a service's ties to police and
// immigration. A field is true only where a source says so; where none
// does, both of a pair are false and the page says it is not stated.
type marks struct {
	LawEnforcement, NotLawEnforcement bool
	Immigration, NotImmigration       bool
}

func newMarks(law, immigration *bool) marks {
	return marks{
		LawEnforcement: law != nil && *law, NotLawEnforcement: law != nil && !*law,
		Immigration: immigration != nil && *immigration, NotImmigration: immigration != nil && !*immigration,
	}
}

// Neither reports that a source says the service is neither.
func (m marks) Neither() bool { return m.NotLawEnforcement && m.NotImmigration }

// Unstated reports that no source says it is law enforcement or
// immigration, nor that it is neither.
func (m marks) Unstated() bool { return !m.LawEnforcement && !m.Immigration && !m.Neither() }

// serviceItem is a service in a list.
type serviceItem struct {
	marks
	Slug    string
	Name    string
	OrgSlug string
	OrgName string
	Topics  []string // labels
	Main    []contactView
}

type homeView struct {
	base
	Emergency    *contactView
	Hotline      *hotlineView
	Others       []serviceItem
	ServiceCount int
	// Help: the site makes plans, so the home page links /help.
	Help bool
}

type hotlineView struct {
	marks
	Slug  string
	Name  string
	Call  *contactView
	Text  *contactView
	Hours string // the source's words, for 24/7 hours; empty otherwise
}

type optionView struct {
	Value, Label string
	Selected     bool
}

type servicesView struct {
	base
	Topics   []optionView
	Kinds    []optionView
	NotLE    bool
	Query    string
	Filtered bool
	Count    int
	Items    []serviceItem
}

type areaView struct {
	Name  string
	Scope string // label
}

type topicView struct {
	Slug, Label string
}

type windowView struct {
	Days          string // "Every day" or "Mon, Tue"
	Opens, Closes string
}

type hoursView struct {
	Always   bool
	Weekly   bool
	Unknown  bool
	Display  string
	TimeZone string
	Windows  []windowView
	Notes    []string
}

type sourceView struct {
	Title     string
	Document  string
	Lines     string
	LineCount int
	Verified  string
}

type serviceView struct {
	base
	marks
	// OfficialName is the name as the source writes it, when the page
	// shows a translation.
	OfficialName string
	Slug         string
	Name         string
	AltName      string
	Description  string
	OrgSlug      string
	OrgName      string
	Kind         string // label
	Anonymous    string // "yes", "no" or "" (not stated)
	Areas        []areaView
	Topics       []topicView
	Multilingual bool
	Languages    []string
	Hours        hoursView
	Open         string // "open", "closed" or "" (hours unknown)
	Contacts     []contactView
	Notes        []string
	Source       sourceView
}

type socialView struct {
	Network string // label
	Handle  string
	URL     string
}

type organizationView struct {
	base
	// OfficialName is the name as the source writes it, when the page
	// shows a translation.
	OfficialName string
	Slug         string
	Name         string
	AltName      string
	Description  string
	Website      string
	WebsiteText  string
	Social       []socialView
	Notes        []string
	Source       sourceView
	Services     []serviceItem
}

type errorView struct {
	base
	// Emergency is the emergency call, first on every error page: a
	// person who lands on a wrong address may be the one in danger.
	Emergency *contactView
	Status    int
	Kind      string // errNotFound, errBadParam, errInternal
	Param     string
}

// codeKeys are the catalog keys that Go code (not templates) looks up;
// New checks that each exists.
func codeKeys() []string {
	keys := []string{"hours.every_day", "area.national", "area.international", "area.region"}
	for _, k := range directory.Kinds {
		keys = append(keys, "kind."+k)
	}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		keys = append(keys, "day."+d)
	}
	for _, n := range knownNetworks() {
		keys = append(keys, "social."+n)
	}
	return append(keys, helpKeys()...)
}

// knownNetworks are the social networks the catalog names.
func knownNetworks() []string { return []string{"x"} }

// label renders a catalog key that Go code chose.
func label(l *i18n.Localizer, key string) (string, error) {
	s, err := l.T(key)
	if err != nil {
		return "", fmt.Errorf("web: %w", err)
	}
	return s, nil
}

// contact builds the tap target of a contact. It refuses a value that is
// not a number the pack allows, an e-mail address or an http(s) URL.
func (p *Pages) contact(svc *directory.Service, c directory.Contact) (contactView, error) {
	v := contactView{
		Channel:       c.Channel,
		Display:       c.Display,
		DisplayAlt:    c.DisplayAlt,
		International: c.Scope == directory.ScopeInternational,
		Purpose:       c.Purpose,
		Keywords:      c.Keywords,
		HoursUnknown:  c.Hours != nil && c.Hours.Kind == directory.HoursUnknown && svc.Hours.Kind != directory.HoursUnknown,
	}
	href, keyword, err := p.tapTarget(c.Channel, c.Value, c.Keywords)
	if err != nil {
		return v, fmt.Errorf("web: service %s: %w", svc.Slug, err)
	}
	v.Href, v.Keyword = href, keyword
	return v, nil
}

// tapTarget is the link of a contact: tel: with E.164 or a short code of
// the pack, sms: with the first keyword (returned too), mailto:, or an
// http(s) URL. It refuses a value of another shape. Every page's contacts
// and the plan's steps go through it.
func (p *Pages) tapTarget(channel, value string, keywords []string) (template.URL, string, error) {
	switch channel {
	case directory.ChannelCall, directory.ChannelText:
		if !p.dialable(value) {
			return "", "", fmt.Errorf("%q is neither E.164 nor a short code of the pack", value)
		}
		if channel == directory.ChannelCall {
			return template.URL(directory.TelURI(value)), "", nil
		}
		keyword := ""
		if len(keywords) > 0 {
			keyword = keywords[0]
		}
		return template.URL(directory.SMSURI(value, url.QueryEscape(keyword))), keyword, nil
	case directory.ChannelEmail:
		a, err := mail.ParseAddress(value)
		if err != nil || a.Name != "" || strings.ContainsAny(value, "?&#<>\"' ") {
			return "", "", fmt.Errorf("%q is not an e-mail address", value)
		}
		return template.URL("mailto:" + value), "", nil
	}
	u, err := webURL(value)
	if err != nil {
		return "", "", err
	}
	return template.URL(u), "", nil
}

// dialable reports whether a value may follow tel: or sms:: E.164, or a
// short code the pack lists.
func (p *Pages) dialable(v string) bool {
	if directory.IsE164(v) {
		return true
	}
	for _, s := range p.meta.ShortCodes {
		if v == s {
			return true
		}
	}
	return false
}

func webURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", s)
	}
	return u.String(), nil
}

// mainContacts are the ones a list shows: the domestic calls and the
// texts; when a service has neither, its first online form, e-mail or
// website.
func (p *Pages) mainContacts(svc *directory.Service) ([]contactView, error) {
	var out []contactView
	for _, c := range svc.Contacts {
		if (c.Channel == directory.ChannelCall && c.Scope != directory.ScopeInternational) || c.Channel == directory.ChannelText {
			v, err := p.contact(svc, c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	for _, ch := range []string{directory.ChannelOnline, directory.ChannelEmail, directory.ChannelWebsite} {
		for _, c := range svc.Contacts {
			if c.Channel == ch {
				v, err := p.contact(svc, c)
				if err != nil {
					return nil, err
				}
				return []contactView{v}, nil
			}
		}
	}
	return nil, nil
}

func (p *Pages) item(locale string, snap *snapshot, svc *directory.Service) (serviceItem, error) {
	it := serviceItem{
		marks:   newMarks(svc.LawEnforcement, svc.ImmigrationAuthority),
		Slug:    svc.Slug,
		Name:    p.tr(locale, "service."+svc.Slug+".name", svc.Name),
		OrgSlug: svc.Organization,
		OrgName: svc.Organization,
	}
	if o, ok := snap.orgs[svc.Organization]; ok {
		it.OrgName = p.tr(locale, "org."+o.Slug+".name", o.Name)
	}
	for _, t := range svc.Topics {
		if tp, ok := p.meta.Topic(t); ok {
			it.Topics = append(it.Topics, p.topicLabel(locale, tp))
		}
	}
	var err error
	if it.Main, err = p.mainContacts(svc); err != nil {
		return it, err
	}
	return it, nil
}

func (p *Pages) homeView(locale string, snap *snapshot) (homeView, error) {
	v := homeView{base: p.base(locale, "home", "/"), ServiceCount: len(snap.dir.Services), Help: p.engine != nil}
	var emergency, hotline *directory.Service
	for i := range snap.dir.Services {
		s := &snap.dir.Services[i]
		if emergency == nil && s.Kind == directory.KindEmergency {
			emergency = s
		}
		if hotline == nil && s.Kind == directory.KindHotline {
			hotline = s
		}
	}
	// The pack names the home page's services (pack.yaml, home:); the
	// first emergency service and the first hotline stand in for a pack
	// that does not.
	if s, ok := snap.services[p.meta.Home.Emergency]; ok {
		emergency = s
	}
	if s, ok := snap.services[p.meta.Home.Hotline]; ok {
		hotline = s
	}
	if emergency != nil {
		if calls := emergency.ContactsBy(directory.ChannelCall); len(calls) > 0 {
			c, err := p.contact(emergency, calls[0])
			if err != nil {
				return v, err
			}
			v.Emergency = &c
		}
	}
	if hotline != nil {
		h := &hotlineView{
			marks: newMarks(hotline.LawEnforcement, hotline.ImmigrationAuthority),
			Slug:  hotline.Slug,
			Name:  p.tr(locale, "service."+hotline.Slug+".name", hotline.Name),
		}
		if hotline.Hours.Kind == directory.HoursAlways {
			h.Hours = p.tr(locale, "service."+hotline.Slug+".hours.display", hotline.Hours.Display)
		}
		if calls := hotline.ContactsBy(directory.ChannelCall); len(calls) > 0 {
			c, err := p.contact(hotline, calls[0])
			if err != nil {
				return v, err
			}
			h.Call = &c
		}
		if texts := hotline.ContactsBy(directory.ChannelText); len(texts) > 0 {
			c, err := p.contact(hotline, texts[0])
			if err != nil {
				return v, err
			}
			h.Text = &c
		}
		v.Hotline = h
	}
	for _, slug := range p.meta.Home.More {
		s, ok := snap.services[slug]
		if !ok {
			continue
		}
		it, err := p.item(locale, snap, s)
		if err != nil {
			return v, err
		}
		v.Others = append(v.Others, it)
	}
	return v, nil
}

func (p *Pages) servicesView(locale string, snap *snapshot, f store.ServiceFilter, list []directory.Service, total int) (servicesView, error) {
	l := p.cat.Localizer(locale)
	v := servicesView{
		base:     p.base(locale, "services", "/services"+filterQuery(f)),
		NotLE:    f.LawEnforcement != nil && !*f.LawEnforcement,
		Query:    f.Query,
		Filtered: f != (store.ServiceFilter{}),
		Count:    total,
	}
	for _, t := range p.meta.Topics {
		v.Topics = append(v.Topics, optionView{Value: t.Slug, Label: p.topicLabel(locale, t), Selected: t.Slug == f.Topic})
	}
	for _, k := range directory.Kinds {
		lb, err := label(l, "kind."+k)
		if err != nil {
			return v, err
		}
		v.Kinds = append(v.Kinds, optionView{Value: k, Label: lb, Selected: k == f.Kind})
	}
	for i := range list {
		it, err := p.item(locale, snap, &list[i])
		if err != nil {
			return v, err
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}

func (p *Pages) source(l *i18n.Localizer, s directory.Source) sourceView {
	v := sourceView{Document: s.Document, Verified: s.Verified, LineCount: len(s.Lines), Title: s.Document}
	if d, ok := p.sources[s.Document]; ok && d.Title != "" {
		v.Title = d.Title
	}
	if t, err := time.Parse(time.DateOnly, s.Verified); err == nil {
		if d, err := date(l, t); err == nil {
			v.Verified = d
		}
	}
	lines := make([]string, len(s.Lines))
	for i, n := range s.Lines {
		lines[i] = strconv.Itoa(n)
	}
	v.Lines = strings.Join(lines, ", ")
	return v
}

// date writes a day as the locale does (format.date, format.month.mN).
func date(l *i18n.Localizer, t time.Time) (string, error) {
	month, err := l.T("format.month.m" + strconv.Itoa(int(t.Month())))
	if err != nil {
		return "", err
	}
	return l.T("format.date", "Month", month, "Day", strconv.Itoa(t.Day()), "Year", strconv.Itoa(t.Year()))
}

// clock writes a time of day given as "HH:MM" as the locale does: on a
// 12-hour or a 24-hour clock (format.hour_cycle).
func clock(l *i18n.Localizer, hhmm string) (string, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return "", fmt.Errorf("web: time of day %q: %w", hhmm, err)
	}
	cycle, err := l.T("format.hour_cycle")
	if err != nil {
		return "", err
	}
	mm := fmt.Sprintf("%02d", t.Minute())
	if cycle == "24" {
		return l.T("format.time", "H", fmt.Sprintf("%02d", t.Hour()), "MM", mm)
	}
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	key := "format.time_am"
	if t.Hour() >= 12 {
		key = "format.time_pm"
	}
	return l.T(key, "H", strconv.Itoa(h), "MM", mm)
}

// hours is a record's hours in l's locale; key is the record's text key
// ("service.nhth") for the translations of its display and notes.
func (p *Pages) hours(l *i18n.Localizer, key string, h directory.Hours) (hoursView, error) {
	loc := l.Locale()
	v := hoursView{Display: p.tr(loc, key+".hours.display", h.Display), TimeZone: h.TimeZone, Notes: p.trList(loc, key+".hours.notes", h.Notes)}
	switch h.Kind {
	case directory.HoursAlways:
		v.Always = true
	case directory.HoursWeekly:
		v.Weekly = true
		for _, w := range h.Windows {
			opens, err := clock(l, w.Opens)
			if err != nil {
				return v, err
			}
			closes, err := clock(l, w.Closes)
			if err != nil {
				return v, err
			}
			wv := windowView{Opens: opens, Closes: closes}
			if len(w.Days) == 0 {
				s, err := label(l, "hours.every_day")
				if err != nil {
					return v, err
				}
				wv.Days = s
			} else {
				names := make([]string, len(w.Days))
				for i, d := range w.Days {
					s, err := label(l, "day."+strings.ToLower(d))
					if err != nil {
						return v, err
					}
					names[i] = s
				}
				wv.Days = strings.Join(names, ", ")
			}
			v.Windows = append(v.Windows, wv)
		}
	default:
		v.Unknown = true
	}
	return v, nil
}

func (p *Pages) serviceView(locale string, snap *snapshot, svc *directory.Service, open string) (serviceView, error) {
	l := p.cat.Localizer(locale)
	v := serviceView{
		base:         p.base(locale, "", "/services/"+svc.Slug),
		marks:        newMarks(svc.LawEnforcement, svc.ImmigrationAuthority),
		Slug:         svc.Slug,
		Name:         p.tr(locale, "service."+svc.Slug+".name", svc.Name),
		AltName:      p.tr(locale, "service."+svc.Slug+".alternate_name", svc.AlternateName),
		Description:  p.tr(locale, "service."+svc.Slug+".description", svc.Description),
		OrgSlug:      svc.Organization,
		OrgName:      svc.Organization,
		Multilingual: svc.Multilingual,
		Languages:    svc.Languages,
		Open:         open,
		Notes:        p.trList(locale, "service."+svc.Slug+".notes", svc.Notes),
		Source:       p.source(l, svc.Source),
	}
	if v.Name != svc.Name {
		v.OfficialName = svc.Name
	}
	if o, ok := snap.orgs[svc.Organization]; ok {
		v.OrgName = p.tr(locale, "org."+o.Slug+".name", o.Name)
	}
	var err error
	if v.Kind, err = label(l, "kind."+svc.Kind); err != nil {
		return v, err
	}
	if svc.AnonymousOK != nil {
		v.Anonymous = "no"
		if *svc.AnonymousOK {
			v.Anonymous = "yes"
		}
	}
	for i, a := range svc.Areas {
		sc, err := label(l, "area."+a.Scope)
		if err != nil {
			return v, err
		}
		name := p.tr(locale, "service."+svc.Slug+".areas."+strconv.Itoa(i), a.Name)
		if name == "" {
			name, sc = sc, ""
		}
		v.Areas = append(v.Areas, areaView{Name: name, Scope: sc})
	}
	for _, t := range svc.Topics {
		if tp, ok := p.meta.Topic(t); ok {
			v.Topics = append(v.Topics, topicView{Slug: tp.Slug, Label: p.topicLabel(locale, tp)})
		}
	}
	if v.Hours, err = p.hours(l, "service."+svc.Slug, svc.Hours); err != nil {
		return v, err
	}
	// An organization's own work is reached through its website and
	// handles, as the source gives them.
	org := snap.orgs[svc.Organization]
	var o directory.Organization
	if org != nil {
		o = *org
	}
	contacts := triage.ContactsOf(*svc, o)
	for _, sc := range o.Social {
		if svc.Kind == directory.KindOrganization && len(svc.ContactsBy(directory.ChannelSocial)) == 0 {
			contacts = append(contacts, directory.Contact{Channel: directory.ChannelSocial, Display: sc.Handle, Value: sc.URL, Source: o.Source})
		}
	}
	for _, c := range contacts {
		cv, err := p.contact(svc, c)
		if err != nil {
			return v, err
		}
		for i, own := range svc.Contacts {
			if own.Channel == c.Channel && own.Value == c.Value {
				cv.Purpose = p.tr(locale, "service."+svc.Slug+".contacts."+strconv.Itoa(i)+".purpose", c.Purpose)
			}
		}
		v.Contacts = append(v.Contacts, cv)
	}
	return v, nil
}

func (p *Pages) organizationView(locale string, snap *snapshot, o *directory.Organization) (organizationView, error) {
	l := p.cat.Localizer(locale)
	v := organizationView{
		base:        p.base(locale, "", "/organizations/"+o.Slug),
		Slug:        o.Slug,
		Name:        p.tr(locale, "org."+o.Slug+".name", o.Name),
		AltName:     p.tr(locale, "org."+o.Slug+".alternate_name", o.AlternateName),
		Description: p.tr(locale, "org."+o.Slug+".description", o.Description),
		WebsiteText: o.WebsiteText,
		Notes:       p.trList(locale, "org."+o.Slug+".notes", o.Notes),
		Source:      p.source(l, o.Source),
	}
	if v.Name != o.Name {
		v.OfficialName = o.Name
	}
	if o.Website != "" {
		u, err := webURL(o.Website)
		if err != nil {
			return v, fmt.Errorf("web: organization %s: %w", o.Slug, err)
		}
		v.Website = u
		if v.WebsiteText == "" {
			v.WebsiteText = o.Website
		}
	}
	for _, s := range o.Social {
		u, err := webURL(s.URL)
		if err != nil {
			return v, fmt.Errorf("web: organization %s: %w", o.Slug, err)
		}
		network := s.Network
		for _, n := range knownNetworks() {
			if n == s.Network {
				if network, err = label(l, "social."+n); err != nil {
					return v, err
				}
			}
		}
		v.Social = append(v.Social, socialView{Network: network, Handle: s.Handle, URL: u})
	}
	list := snap.byOrg[o.Slug]
	for i := range list {
		it, err := p.item(locale, snap, &list[i])
		if err != nil {
			return v, err
		}
		v.Services = append(v.Services, it)
	}
	return v, nil
}

// filterQuery is the canonical query string of a filter without free text
// ("?topic=x&kind=y"), or "" for none.
func filterQuery(f store.ServiceFilter) string {
	v := url.Values{}
	if f.Topic != "" {
		v.Set(search.ParamTopic, f.Topic)
	}
	if f.Kind != "" {
		v.Set(search.ParamKind, f.Kind)
	}
	if f.LawEnforcement != nil {
		v.Set(search.ParamLawEnforcement, strconv.FormatBool(*f.LawEnforcement))
	}
	if f.Query != "" {
		v.Set(search.ParamQuery, f.Query)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
