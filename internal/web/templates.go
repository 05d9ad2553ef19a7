package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/search"
)

//go:embed templates/*.html
var templateFS embed.FS

// Page names; each is templates/<name>.html on top of the shared layout
// and partials.
const (
	pageHome         = "home"
	pageServices     = "services"
	pageService      = "service"
	pageOrganization = "organization"
	pageError        = "error"
	pageHelp         = "help"
	pagePlan         = "plan"
	pageSafety       = "safety"
	pageReport       = "report"
	pageStatus       = "status"
)

var pageNames = []string{pageHome, pageServices, pageService, pageOrganization, pageError, pageHelp, pagePlan, pageSafety, pageReport, pageStatus}

// sharedTemplates are parsed into every page.
var sharedTemplates = []string{"templates/layout.html", "templates/partials.html"}

// tmplSet is one page's template, bound to one locale's messages.
type tmplSet struct {
	t *template.Template
}

// bootFuncs stand in for the localized functions while parsing; each
// locale's clone replaces them.
func bootFuncs() template.FuncMap {
	return template.FuncMap{
		"t":    func(string, ...any) (string, error) { return "", errors.New("t: not bound to a locale") },
		"tn":   func(string, int, ...any) (string, error) { return "", errors.New("tn: not bound to a locale") },
		"path": func(...string) (string, error) { return "", errors.New("path: not bound to a locale") },
		"join": func([]string) (string, error) { return "", errors.New("join: not bound to a locale") },
		"bdis": func([]string) (template.HTML, error) { return "", errors.New("bdis: not bound to a locale") },
		"bdi":  bdi,
		"ltr":  ltr,
	}
}

func localeFuncs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) (any, error) {
			return withMarkup(args, func(a []any) (string, error) { return l.T(key, a...) })
		},
		"tn": func(key string, n int, args ...any) (any, error) {
			return withMarkup(args, func(a []any) (string, error) { return l.N(key, n, a...) })
		},
		"path": func(parts ...string) string { return localePath(l.Locale(), strings.Join(parts, "")) },
		"join": func(items []string) (string, error) {
			sep, err := l.T("format.list_separator")
			return strings.Join(items, sep), err
		},
		// bdis joins texts of their own direction (keywords, names in
		// Latin letters), each isolated: "BEFREE, HELP" keeps its comma
		// where the page's language puts it, on a right-to-left page too.
		"bdis": func(items []string) (template.HTML, error) {
			sep, err := l.T("format.list_separator")
			parts := make([]string, len(items))
			for i, s := range items {
				parts[i] = string(bdi(s))
			}
			return template.HTML(strings.Join(parts, template.HTMLEscapeString(sep))), err
		},
		"bdi": bdi,
		"ltr": ltr,
	}
}

// Markup in a message's arguments is kept out of the message's own text by
// stand-ins from Unicode's private use area, which no catalog holds and
// escaping leaves as they are.
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// withMarkup renders a message whose arguments may be markup: a text
// marked with its language (<span lang="en">), or isolated for
// right-to-left pages (<bdi>). Without such an argument it returns the
// message as text, which the template escapes as always. With one, it
// escapes the message around stand-ins for the markup and then puts the
// markup in: the catalog's words are never taken as HTML.
func withMarkup(args []any, render func([]any) (string, error)) (any, error) {
	var frags []template.HTML
	for i := 1; i < len(args); i += 2 {
		if h, ok := args[i].(template.HTML); ok {
			if frags == nil {
				args = append([]any(nil), args...)
			}
			args[i] = markOpen + strconv.Itoa(len(frags)) + markClose
			frags = append(frags, h)
		}
	}
	s, err := render(args)
	if err != nil || frags == nil {
		return s, err
	}
	esc := template.HTMLEscapeString(s)
	for i, h := range frags {
		esc = strings.ReplaceAll(esc, markOpen+strconv.Itoa(i)+markClose, string(h))
	}
	return template.HTML(esc), nil
}

// bdi isolates a text of another direction: a Latin title or number on a
// right-to-left page keeps its own order and leaves the sentence's alone.
func bdi(s string) template.HTML {
	return template.HTML("<bdi>" + template.HTMLEscapeString(s) + "</bdi>")
}

// ltr isolates a text that always runs left to right: line numbers, a
// receipt's digits.
func ltr(s string) template.HTML {
	return template.HTML(`<bdi dir="ltr">` + template.HTMLEscapeString(s) + "</bdi>")
}

// localePath is the address of a page in a locale: "/es/services" for
// "/services", "/es/" for "/".
func localePath(locale, p string) string {
	if p == "" || p == "/" {
		return "/" + locale + "/"
	}
	return "/" + locale + p
}

// parseTemplates parses every page for every locale of the catalog and
// checks each catalog call against the source catalog.
func parseTemplates(cat *i18n.Catalog) (map[string]map[string]tmplSet, error) {
	base := map[string]*template.Template{}
	for _, name := range pageNames {
		files := append(append([]string(nil), sharedTemplates...), "templates/"+name+".html")
		t, err := template.New(name).Funcs(bootFuncs()).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("main") == nil || t.Lookup("title") == nil {
			return nil, fmt.Errorf("page %s: want templates layout, title and main", name)
		}
		base[name] = t
	}
	calls, err := catalogCalls()
	if err != nil {
		return nil, err
	}
	if err := checkCalls(cat, calls); err != nil {
		return nil, err
	}
	out := map[string]map[string]tmplSet{}
	for _, locale := range cat.Locales() {
		funcs := localeFuncs(cat.Localizer(locale))
		out[locale] = map[string]tmplSet{}
		for name, t := range base {
			c, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("clone %s: %w", name, err)
			}
			out[locale][name] = tmplSet{t: c.Funcs(funcs)}
		}
	}
	return out, nil
}

// render executes a page into a buffer, so that a failing template never
// sends half a page, and prepares it for the cache.
func (p *Pages) render(locale, name string, view any) (*rendered, error) {
	body, err := p.execute(locale, name, view)
	if err != nil {
		return nil, err
	}
	return newRendered(body)
}

// renderFresh renders a page for one response only: compressed fast
// when the client takes gzip, and not otherwise.
func (p *Pages) renderFresh(r *http.Request, locale, name string, view any) (*rendered, error) {
	body, err := p.execute(locale, name, view)
	if err != nil {
		return nil, err
	}
	return newFresh(body, acceptsGzip(r.Header.Get("Accept-Encoding")))
}

func (p *Pages) execute(locale, name string, view any) ([]byte, error) {
	set, ok := p.tmpl[locale][name]
	if !ok {
		return nil, fmt.Errorf("web: no template %s for locale %s", name, locale)
	}
	var buf bytes.Buffer
	if err := set.t.ExecuteTemplate(&buf, "layout", view); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Cache-Control values of pages: most may be kept but must be revalidated;
// the help pages and plans carry a person's answers and must not be kept.
const (
	cacheRevalidate = "no-cache"
	cacheNoStore    = "no-store"
)

// write sends an HTML page.
func (p *Pages) write(w http.ResponseWriter, r *http.Request, status int, locale string, pg *rendered) {
	p.writeWith(w, r, status, locale, pg, cacheRevalidate)
}

// writeWith sends an HTML page with the Cache-Control value cc.
func (p *Pages) writeWith(w http.ResponseWriter, r *http.Request, status int, locale string, pg *rendered, cc string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cc)
	h.Set("Content-Language", locale)
	serve(w, r, status, pg)
}

// Kinds of error page.
const (
	errNotFound = "not_found"
	errBadParam = "bad_param"
	// errBadAnswer: a help page's query holds a value Haven does not know.
	errBadAnswer = "bad_answer"
	errInternal  = "internal"
)

func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, locale string) {
	p.errorPage(w, r, locale, http.StatusNotFound, errorView{Kind: errNotFound})
}

// badParam answers 400 with a page that says, in the person's words, which
// of their choices could not be read.
func (p *Pages) badParam(w http.ResponseWriter, r *http.Request, locale string, pe *search.ParamError) {
	msg, err := label(p.cat.Localizer(locale), badParamKey(pe))
	if err != nil {
		p.fail(w, r, locale, err)
		return
	}
	p.errorPage(w, r, locale, http.StatusBadRequest, errorView{Kind: errBadParam, Message: msg})
}

// fail logs err and answers 500 with a page that says nothing about it.
// On the tipsters' pages the error is only counted by the tip desk (see
// intake.Desk.Failed): they log nothing about a single request.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, locale string, err error) {
	p.logFailure(r, "web: page failed", err)
	p.errorPage(w, r, locale, http.StatusInternalServerError, errorView{Kind: errInternal})
}

// logFailure logs err, or on a tipster's page counts it with the desk.
func (p *Pages) logFailure(r *http.Request, msg string, err error) {
	if TipRoute(r.Pattern) {
		if p.desk != nil {
			p.desk.Failed(fmt.Errorf("%s: %s: %w", msg, r.Pattern, err))
		}
		return
	}
	p.log.ErrorContext(r.Context(), msg, "route", r.Pattern, "err", err)
}

// TipRoute reports whether a route pattern is a tipster's page: the report
// form and the receipt page, in every language.
func TipRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasSuffix(path, "/report") || strings.HasSuffix(path, "/report/status")
}

func (p *Pages) errorPage(w http.ResponseWriter, r *http.Request, locale string, status int, v errorView) {
	v.base = p.base(locale, "", p.here(r))
	v.Status = status
	if status != http.StatusInternalServerError {
		// An internal error may be the store failing: the page must not
		// depend on it.
		v.Emergency, _ = p.emergency(r)
	}
	pg, err := p.renderFresh(r, locale, pageError, v)
	if err != nil {
		p.logFailure(r, "web: error page failed", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	p.write(w, r, status, locale, pg)
}
