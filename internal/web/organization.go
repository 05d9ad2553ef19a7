package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/haven-project/haven/internal/directory"
)

// An organization's page: what it does, its site and handles, its services.

type socialView struct {
	Network string // label
	Handle  string
	URL     string
}

type organizationView struct {
	base
	// OfficialName is the name as the source writes it, when the page
	// shows a translation.
	OfficialName template.HTML
	Slug         string
	Name         template.HTML
	AltName      template.HTML
	Description  template.HTML
	Website      string
	WebsiteText  string
	Social       []socialView
	Notes        []template.HTML
	Source       sourceView
	Services     []serviceItem
}

func (p *Pages) organizationView(locale string, snap *snapshot, o *directory.Organization) (organizationView, error) {
	l := p.cat.Localizer(locale)
	v := organizationView{
		base:        p.base(locale, "", "/organizations/"+o.Slug),
		Slug:        o.Slug,
		Name:        p.trh(locale, "org."+o.Slug+".name", o.Name),
		AltName:     p.trh(locale, "org."+o.Slug+".alternate_name", o.AlternateName),
		Description: p.trh(locale, "org."+o.Slug+".description", o.Description),
		WebsiteText: o.WebsiteText,
		Notes:       p.trhList(locale, "org."+o.Slug+".notes", o.Notes),
		Source:      p.source(l, o.Source),
	}
	if p.tr(locale, "org."+o.Slug+".name", o.Name) != o.Name {
		v.OfficialName = p.inPackLanguage(locale, o.Name)
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

func (p *Pages) organization(w http.ResponseWriter, r *http.Request) {
	ctx, loc := r.Context(), p.locale(r)
	snap, err := p.current(ctx)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	slug := r.PathValue("slug")
	org, ok := snap.orgs[slug]
	if !ok {
		p.notFound(w, r, loc)
		return
	}
	p.serveCached(w, r, loc, snap, pageKey{locale: loc, name: pageOrganization, slug: slug}, func() (any, error) { return p.organizationView(loc, snap, org) })
}
