package web

import (
	"html/template"
	"net/http"

	"github.com/haven-project/haven/internal/directory"
)

// The home page: 911 first, the Hotline's three jobs, more services.

// serviceItem is a service in a list.
type serviceItem struct {
	marks
	Slug    string
	Name    template.HTML
	OrgSlug string
	OrgName template.HTML
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
	Statement string // what the source says of police and immigration
	Slug      string
	Name      template.HTML
	Call      *contactView
	Text      *contactView
	Hours     template.HTML // the source's words, for 24/7 hours; empty otherwise
}

func (p *Pages) item(locale string, snap *snapshot, svc *directory.Service) (serviceItem, error) {
	it := serviceItem{
		marks:   newMarks(svc.LawEnforcement, svc.ImmigrationAuthority),
		Slug:    svc.Slug,
		Name:    p.trh(locale, "service."+svc.Slug+".name", svc.Name),
		OrgSlug: svc.Organization,
		OrgName: p.inPackLanguage(locale, svc.Organization),
	}
	if o, ok := snap.orgs[svc.Organization]; ok {
		it.OrgName = p.trh(locale, "org."+o.Slug+".name", o.Name)
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
			Name:  p.trh(locale, "service."+hotline.Slug+".name", hotline.Name),
		}
		var err error
		if h.Statement, err = label(p.cat.Localizer(locale), h.statementKey("home.hotline")); err != nil {
			return v, err
		}
		if hotline.Hours.Kind == directory.HoursAlways {
			h.Hours = p.trh(locale, "service."+hotline.Slug+".hours.display", hotline.Hours.Display)
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

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	ctx, loc := r.Context(), p.locale(r)
	snap, err := p.current(ctx)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	notAsked, _ := ctx.Value(notAskedKey{}).(bool)
	key := pageKey{locale: loc, name: pageHome, notAsked: notAsked}
	p.serveCached(w, r, loc, snap, key, func() (any, error) {
		v, err := p.homeView(loc, snap)
		v.NotAsked = notAsked
		return v, err
	})
}
