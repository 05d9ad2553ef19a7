package web

import (
	"fmt"
	"html/template"
	"net/mail"
	"net/url"
	"strings"

	"github.com/haven-project/haven/internal/directory"
)

// Contacts: one tap to call, text, write or open, and whether a service
// is police or immigration.

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
	Purpose       template.HTML // set by the page, in its language
	// Police: the service is law enforcement, so a call can bring the
	// police; the emergency block says so.
	Police bool
	// HoursUnknown: the source states no hours for this contact, though it
	// states them for the service.
	HoursUnknown bool
	// Hours and Open are set, on a service's page, for a contact with
	// known hours of its own: those hours written out, and whether it is
	// open now ("open", "closed", or "" when the hours cannot say). A
	// contact without hours of its own has its service's, shown once for
	// the service.
	Hours template.HTML
	Open  string
}

// contactHours is a contact's hours: its own when its record gives them,
// else its service's; own says which. Triage (newCandidate) and the API
// (newServiceView) follow the same rule. A contact whose record says its
// hours are unknown keeps them unknown, even when the service's are
// known: the source states hours for the service but not for it.
func contactHours(svc *directory.Service, c directory.Contact) (h directory.Hours, own bool) {
	if c.Hours != nil {
		return *c.Hours, true
	}
	return svc.Hours, false
}

// ownHours reports whether c has known hours of its own, which its
// service's page shows beside it.
func ownHours(c directory.Contact) bool {
	return c.Hours != nil && c.Hours.Kind != directory.HoursUnknown
}

// marks is what a source says of a service's ties to police and
// immigration. A field is true only where a source says so; where none
// does, both of a pair are false and the page says it is not stated.
type marks struct {
	LawEnforcement, NotLawEnforcement bool
	Immigration, NotImmigration       bool
}

// statementEndings end the catalog keys of the statement of what a
// source says of a service's ties to police and immigration.
var statementEndings = []string{"le_and_immigration", "le_only", "le", "immigration_only", "immigration", "neither", "unstated"}

// statementKey is the catalog key, under subject ("home.hotline" for the
// home page's hotline, "service" for a service's page), of the one
// sentence that says what m says.
func (m marks) statementKey(subject string) string {
	var end string
	switch {
	case m.LawEnforcement && m.Immigration:
		end = "le_and_immigration"
	case m.LawEnforcement && m.NotImmigration:
		end = "le_only"
	case m.LawEnforcement:
		end = "le"
	case m.Immigration && m.NotLawEnforcement:
		end = "immigration_only"
	case m.Immigration:
		end = "immigration"
	case m.Neither():
		end = "neither"
	default:
		end = "unstated"
	}
	return subject + "." + end
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

// contact builds the tap target of a contact. It refuses a value that is
// not a number the pack allows, an e-mail address or an http(s) URL.
func (p *Pages) contact(svc *directory.Service, c directory.Contact) (contactView, error) {
	v := contactView{
		Channel:       c.Channel,
		Display:       c.Display,
		DisplayAlt:    c.DisplayAlt,
		International: c.Scope == directory.ScopeInternational,
		Keywords:      c.Keywords,
		Police:        svc.LawEnforcement != nil && *svc.LawEnforcement,
	}
	if h, own := contactHours(svc, c); own {
		v.HoursUnknown = h.Kind == directory.HoursUnknown && svc.Hours.Kind != directory.HoursUnknown
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
