package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/haven-project/haven/internal/i18n"
)

// The frame every page shares: the header, the language switcher, the
// "not reviewed" line, and the view of an error page.

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
	// Current is the nav entry of this page: "home", "services", "help",
	// "report", "status", "safety" or "".
	Current string
	// Switch links this page in every language, for the language
	// switcher. (Not "Languages": a service's view has that field.)
	Switch []languageLink
	// Unreviewed: no native speaker has reviewed this language's texts;
	// the page says so in one small line.
	Unreviewed bool
	// NotAsked: the browser asked for a language the site does not have
	// (Traditional Chinese, Hindi), so "/" answered in another; the page
	// says so, naming the language it is in (LangName).
	NotAsked bool
	LangName string
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
		Current: current, Unreviewed: !meta.Reviewed(), LangName: meta.Name,
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

type errorView struct {
	base
	// Emergency is the emergency call, first on every error page: a
	// person who lands on a wrong address may be the one in danger.
	Emergency *contactView
	Status    int
	Kind      string // errNotFound, errBadParam, errBadAnswer, errInternal
	// Message is the bad-search page's sentence, chosen in Go
	// (badParamKey).
	Message string
}

// label renders a catalog key that Go code chose.
func label(l *i18n.Localizer, key string) (string, error) {
	s, err := l.T(key)
	if err != nil {
		return "", fmt.Errorf("web: %w", err)
	}
	return s, nil
}
