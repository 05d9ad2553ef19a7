package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/triage"
)

// A service's page: every contact, its hours, areas, languages and sources.

type areaView struct {
	Name  template.HTML
	Scope string // label
}

type serviceView struct {
	base
	marks
	Statement string // what the source says of police and immigration
	// OfficialName is the name as the source writes it, when the page
	// shows a translation.
	OfficialName template.HTML
	Slug         string
	Name         template.HTML
	AltName      template.HTML
	Description  template.HTML
	OrgSlug      string
	OrgName      template.HTML
	Kind         string // label
	Anonymous    string // "yes", "no" or "" (not stated)
	Areas        []areaView
	Topics       []topicView
	Multilingual bool
	Languages    []string
	Hours        hoursView
	Open         string // "open", "closed" or "" (hours unknown)
	Contacts     []contactView
	Notes        []template.HTML
	Source       sourceView
	// Status is "" for a service its record says is active (or says
	// nothing of), else "inactive", "defunct" or "temporarily_closed".
	Status string
	// What the record says of who may use the service and how; empty
	// when it says nothing.
	Eligibility, Fees, Application template.HTML
	Documents                      []template.HTML
	// Assured is the day someone last checked the record with the
	// service itself, written out; "" when the record does not say.
	Assured string
	// Places are the service's locations.
	Places []placeView
}

func (p *Pages) serviceView(locale string, snap *snapshot, svc *directory.Service, open string, contactOpen []string) (serviceView, error) {
	l := p.cat.Localizer(locale)
	v := serviceView{
		base:         p.base(locale, "", "/services/"+svc.Slug),
		marks:        newMarks(svc.LawEnforcement, svc.ImmigrationAuthority),
		Slug:         svc.Slug,
		Name:         p.trh(locale, "service."+svc.Slug+".name", svc.Name),
		AltName:      p.trh(locale, "service."+svc.Slug+".alternate_name", svc.AlternateName),
		Description:  p.trh(locale, "service."+svc.Slug+".description", svc.Description),
		OrgSlug:      svc.Organization,
		OrgName:      p.inPackLanguage(locale, svc.Organization),
		Multilingual: svc.Multilingual,
		Languages:    svc.Languages,
		Open:         open,
		Notes:        p.trhList(locale, "service."+svc.Slug+".notes", svc.Notes),
		Source:       p.source(l, svc.Source),
	}
	var err error
	if v.Statement, err = label(l, v.statementKey("service")); err != nil {
		return v, err
	}
	if !svc.Active() {
		v.Status = strings.ReplaceAll(svc.Status, " ", "_")
	}
	v.Eligibility = p.inPackLanguage(locale, svc.Eligibility)
	v.Fees = p.inPackLanguage(locale, svc.Fees)
	v.Application = p.inPackLanguage(locale, svc.ApplicationProcess)
	for _, d := range svc.RequiredDocuments {
		v.Documents = append(v.Documents, p.inPackLanguage(locale, d))
	}
	if t, err := time.Parse(time.DateOnly, svc.AssuredDate); err == nil {
		if v.Assured, err = date(l, t); err != nil {
			return v, err
		}
	}
	if v.Places, err = p.places(l, snap, svc); err != nil {
		return v, err
	}
	if p.tr(locale, "service."+svc.Slug+".name", svc.Name) != svc.Name {
		v.OfficialName = p.inPackLanguage(locale, svc.Name)
	}
	if o, ok := snap.orgs[svc.Organization]; ok {
		v.OrgName = p.trh(locale, "org."+o.Slug+".name", o.Name)
	}
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
		name := p.trh(locale, "service."+svc.Slug+".areas."+strconv.Itoa(i), a.Name)
		if name == "" {
			name, sc = template.HTML(template.HTMLEscapeString(sc)), ""
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
	// An imported service may give its web page and e-mail address as
	// fields of its own rather than as contacts.
	if svc.URL != "" && len(svc.ContactsBy(directory.ChannelWebsite)) == 0 {
		contacts = append(contacts, directory.Contact{Channel: directory.ChannelWebsite, Display: svc.URL, Value: svc.URL, Source: svc.Source})
	}
	if svc.Email != "" && len(svc.ContactsBy(directory.ChannelEmail)) == 0 {
		contacts = append(contacts, directory.Contact{Channel: directory.ChannelEmail, Display: svc.Email, Value: svc.Email, Source: svc.Source})
	}
	for _, sc := range o.Social {
		if svc.Kind == directory.KindOrganization && len(svc.ContactsBy(directory.ChannelSocial)) == 0 {
			contacts = append(contacts, directory.Contact{Channel: directory.ChannelSocial, Display: sc.Handle, Value: sc.URL, Source: o.Source})
		}
	}
	for _, c := range contacts {
		cv, err := p.contact(svc, c)
		if err != nil && svc.Origin != "" {
			// An imported record's contact that cannot be tapped is
			// left out rather than shown broken; a pack's is checked
			// when the pack loads, so it is an error here.
			p.log.Warn("web: an imported service's contact is not shown", "service", svc.Slug, "err", err)
			continue
		}
		if err != nil {
			return v, err
		}
		for i, own := range svc.Contacts {
			if own.Channel != c.Channel || own.Value != c.Value {
				continue
			}
			cv.Purpose = p.trh(locale, contactKey(svc, i)+".purpose", c.Purpose)
			if ownHours(own) {
				if cv.Hours, err = p.hoursLine(l, contactKey(svc, i), *own.Hours); err != nil {
					return v, err
				}
				cv.Open = contactOpen[i]
			}
		}
		v.Contacts = append(v.Contacts, cv)
	}
	return v, nil
}

func (p *Pages) service(w http.ResponseWriter, r *http.Request) {
	ctx, loc := r.Context(), p.locale(r)
	snap, err := p.current(ctx)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	slug := r.PathValue("slug")
	svc, ok := snap.services[slug]
	if !ok {
		p.notFound(w, r, loc)
		return
	}
	// The page depends on the time only through "open now": one cached
	// copy per state (open, closed, unknown) of the service and of each
	// contact with hours of its own, the states computed per request.
	now := p.now()
	open := snap.openState(svc.Slug, svc.Hours, now)
	key := open
	contactOpen := make([]string, len(svc.Contacts))
	for i, c := range svc.Contacts {
		if ownHours(c) {
			contactOpen[i] = snap.openState(contactKey(svc, i), *c.Hours, now)
			key += " " + strconv.Itoa(i) + ":" + contactOpen[i]
		}
	}
	p.serveCached(w, r, loc, snap, pageKey{locale: loc, name: pageService, slug: slug, open: key}, func() (any, error) {
		return p.serviceView(loc, snap, svc, open, contactOpen)
	})
}

// hoursLine writes a contact's own hours in one line: as the source
// writes them when it does, else 24/7 or each window and the time zone.
func (p *Pages) hoursLine(l *i18n.Localizer, key string, h directory.Hours) (template.HTML, error) {
	v, err := p.hours(l, key, h)
	if err != nil {
		return "", err
	}
	switch {
	case v.Display != "":
		return v.Display, nil
	case v.Always:
		s, err := label(l, "service.hours.always")
		return template.HTML(template.HTMLEscapeString(s)), err
	}
	var parts []string
	for _, w := range v.Windows {
		s, err := l.T("service.hours.window", "Days", w.Days, "Opens", w.Opens, "Closes", w.Closes)
		if err != nil {
			return "", fmt.Errorf("web: %w", err)
		}
		parts = append(parts, s)
	}
	tz, err := l.T("service.hours.time_zone", "TimeZone", v.TimeZone)
	if err != nil {
		return "", fmt.Errorf("web: %w", err)
	}
	return template.HTML(template.HTMLEscapeString(strings.Join(append(parts, tz), "; "))), nil
}
