package web

import (
	"html/template"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
)

// The places of a service: where it is offered, as the public may see
// them (the snapshot holds the directory through Directory.Public).

// placeView is one location of a service on its page.
type placeView struct {
	// Name is the location's name; empty for a confidential one, which
	// shows only its Area.
	Name         template.HTML
	Confidential bool
	// Lines are the street address as written, one line each, then the
	// city line; Area is the city line alone, for a confidential place.
	Lines          []string
	Area           string
	URL            template.URL // a virtual location's address, checked
	Description    template.HTML
	Transportation template.HTML
	Accessibility  []template.HTML
	Contacts       []contactView
	Hours          template.HTML
}

// places builds the service's locations for its page, in the order the
// directory gives them.
func (p *Pages) places(l *i18n.Localizer, snap *snapshot, svc *directory.Service) ([]placeView, error) {
	loc := l.Locale()
	var out []placeView
	for _, pl := range snap.places[svc.Slug] {
		lo := pl.loc
		v := placeView{Confidential: lo.Confidential}
		if !lo.Confidential {
			v.Name = p.inPackLanguage(loc, lo.Name)
			for _, a := range lo.Addresses {
				for _, line := range []string{a.Attention, a.Address1, a.Address2} {
					if line != "" {
						v.Lines = append(v.Lines, line)
					}
				}
				v.Lines = append(v.Lines, cityLine(a))
			}
			v.Transportation = p.inPackLanguage(loc, lo.Transportation)
			for _, ac := range lo.Accessibility {
				if t := strings.TrimSpace(strings.Join(nonEmpty(ac.Description, ac.Details), ": ")); t != "" {
					v.Accessibility = append(v.Accessibility, p.inPackLanguage(loc, t))
				}
			}
			if lo.URL != "" {
				if u, err := webURL(lo.URL); err == nil {
					v.URL = template.URL(u)
				}
			}
		} else {
			var areas []string
			for _, a := range lo.Addresses {
				areas = append(areas, cityLine(a))
			}
			v.Area = strings.Join(areas, "; ")
		}
		desc := pl.at.Description
		if desc == "" && !lo.Confidential {
			desc = lo.Description
		}
		v.Description = p.inPackLanguage(loc, desc)
		contacts := append(append([]directory.Contact(nil), pl.at.Contacts...), lo.Contacts...)
		for _, c := range contacts {
			cv, err := p.contact(svc, c)
			if err != nil {
				// A number the pack's country cannot dial is left out,
				// never shown as a broken button.
				p.log.Warn("web: a location's contact is not shown", "service", svc.Slug, "location", lo.Slug, "err", err)
				continue
			}
			out := cv
			out.Purpose = p.inPackLanguage(loc, c.Purpose)
			v.Contacts = append(v.Contacts, out)
		}
		hours := pl.at.Hours
		if hours == nil {
			hours = lo.Hours
		}
		if hours != nil && hours.Kind != "" {
			h, err := p.hoursLine(l, "location."+lo.Slug, *hours)
			if err != nil {
				return nil, err
			}
			v.Hours = h
		}
		out = append(out, v)
	}
	return out, nil
}

// cityLine is an address's city, state and postal code, as a U.S.
// address writes them ("Albany, NY 12207").
func cityLine(a directory.Address) string {
	line := strings.Join(nonEmpty(a.City, strings.TrimSpace(a.StateProvince+" "+a.PostalCode)), ", ")
	return line
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
