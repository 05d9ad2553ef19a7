// Package web serves Haven's public pages: server-rendered HTML and one
// stylesheet, with no cookies and no request to any other host. Every page
// works without JavaScript; two small scripts of Haven's own only improve
// it (the quick exit's Shift key and history replacement; the report
// form's length counter and proof of work).
//
// Templates and the stylesheet are embedded and parsed once, in New, which
// fails if a template does not parse or calls a catalog key that does not
// exist. A page that is the same for every visitor in a locale is rendered
// once and kept in memory (bytes and a gzip copy) until the directory's
// DataVersion changes; the version is compared at most once a second.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	pathpkg "path"
	"strings"
	"sync"
	"time"

	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/tiphttp"
	"github.com/haven-project/haven/internal/triage"
)

// Config is what the pages need.
type Config struct {
	// Store is read for the directory; it is never written.
	Store store.Store
	// Meta is the pack's pack.yaml: topics, quick-exit URL, sources.
	Meta pack.Meta
	// Logger receives errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock for "open now"; nil means time.Now.
	Now func() time.Time
	// Engine makes the plans of /help. Nil when the pack has no routing
	// rules: /help then answers 404 and the home page does not link it.
	Engine *triage.Engine
	// Texts translates the pack's records; nil shows them as stored.
	Texts Translator
}

// Translator gives a record's text in a locale. english is the text as
// stored; a Translator returns it unchanged, and false, when it has no
// translation made from exactly that text. *pack.Pack is a Translator.
type Translator interface {
	Translation(locale, key, english string) (string, bool)
}

// versionCheckEvery bounds how often the store's DataVersion is read.
const versionCheckEvery = time.Second

// Pages is the public site. It is safe for concurrent use.
type Pages struct {
	store   store.Store
	meta    pack.Meta
	log     *slog.Logger
	now     func() time.Time
	engine  *triage.Engine
	texts   Translator
	routing map[string]string // routing message text -> key, for Texts
	cat     *i18n.Catalog
	tmpl    map[string]map[string]tmplSet // locale -> page name -> template
	css     *asset
	js      *asset
	// reportJS counts what the report form's "What happened?" holds and
	// solves its proof of work; only the form loads it.
	reportJS *asset
	sources  map[string]pack.SourceDoc
	exitURL  string
	desk     *intake.Desk
	guard    *tiphttp.Gate

	mu      sync.Mutex
	snap    *snapshot
	checked time.Time // monotonic time of the last DataVersion read
}

// New parses every template and the catalogs, and checks that the
// templates use only keys that exist.
func New(cfg Config) (*Pages, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is nil")
	}
	exit, err := url.Parse(cfg.Meta.QuickExitURL)
	if err != nil || exit.Scheme != "https" || exit.Host == "" {
		return nil, fmt.Errorf("web: quick_exit_url %q: want an https URL", cfg.Meta.QuickExitURL)
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	p := &Pages{
		store:   cfg.Store,
		meta:    cfg.Meta,
		log:     cfg.Logger,
		now:     cfg.Now,
		engine:  cfg.Engine,
		texts:   cfg.Texts,
		routing: map[string]string{},
		cat:     cat,
		sources: map[string]pack.SourceDoc{},
		exitURL: exit.String(),
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, s := range cfg.Meta.Sources {
		p.sources[s.Document] = s
	}
	if p.engine != nil {
		for k, text := range p.engine.Messages() {
			p.routing[text] = k
		}
	}
	if p.css, err = newAsset("haven", ".css", "text/css; charset=utf-8", stylesheet); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if p.js, err = newAsset("exit", ".js", "text/javascript; charset=utf-8", exitScript); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if p.reportJS, err = newAsset("report", ".js", "text/javascript; charset=utf-8", reportScript); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if p.tmpl, err = parseTemplates(cat); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for _, key := range codeKeys() {
		if _, ok := cat.Message(i18n.SourceLocale, key); !ok {
			return nil, fmt.Errorf("web: catalog has no key %q", key)
		}
	}
	return p, nil
}

// pageRoutes are the public pages; each is served under every locale's
// prefix ("/es/services"), and answers without one by a redirect to the
// pack's default locale.
func (p *Pages) pageRoutes() []struct {
	pattern string
	h       http.HandlerFunc
} {
	return []struct {
		pattern string
		h       http.HandlerFunc
	}{
		{"/{$}", p.home},
		{"/services", p.services},
		{"/services/{slug}", p.service},
		{"/organizations/{slug}", p.organization},
		{"/help", p.helpPage},
		{"/help/plan", p.planPage},
		{"/safety", p.safetyPage},
		{"/report", p.reportPage},
		{"/report/status", p.statusPage},
	}
}

// Register adds the public routes to mux. The language is the first part
// of every page's path ("/es/services"), so that a page is the same for
// everyone who opens its address and nothing needs remembering; only "/"
// chooses one, from Accept-Language.
func (p *Pages) Register(mux *route.Mux) {
	for _, pr := range p.pageRoutes() {
		policy := pagePolicy(pr.pattern)
		for _, loc := range p.cat.Locales() {
			mux.Handle("GET /"+loc+pr.pattern, withLocale(loc, pr.h), policy)
		}
		if pr.pattern != "/{$}" {
			mux.HandleFunc("GET "+pr.pattern, p.toDefaultLocale, policy)
		}
	}
	// The report form may carry files.
	formPolicy := route.Policy{Unlogged: true, NoStore: true, BodyLimit: intake.MaxMultipartBytes}
	for _, loc := range p.cat.Locales() {
		mux.Handle("POST /"+loc+"/report", withLocale(loc, p.reportPost), formPolicy)
		mux.Handle("POST /"+loc+"/report/status", withLocale(loc, p.statusPost), tipPolicy)
	}
	// "/EN/services/" is sent to "/en/services", under that page's policy.
	mux.Canonical(p.canonicalPath)
	mux.HandleFunc("GET /{$}", p.root, route.Policy{})
	mux.HandleFunc("GET /{lang}", p.bareLocale, route.Policy{})
	mux.HandleFunc("GET /assets/{file}", p.asset, route.Policy{})
	mux.HandleFunc("GET /favicon.ico", favicon, route.Policy{})
	// Every other GET gets the HTML 404 page, quick exit included. More
	// specific patterns (the API's "/api/", health, metrics) still win.
	mux.HandleFunc("GET /", p.NotFound, route.Policy{})
}

// tipPolicy is the policy of the tipsters' pages: the report form and the
// receipt page are never logged or counted, and never cached.
var tipPolicy = route.Policy{Unlogged: true, NoStore: true}

// pagePolicy is the policy of a page route (a pattern after the language).
func pagePolicy(pattern string) route.Policy {
	if TipRoute("GET " + pattern) {
		return tipPolicy
	}
	if pattern == "/help/plan" {
		// A plan answers one person's situation: kept in no cache.
		return route.Policy{NoStore: true}
	}
	return route.Policy{}
}

type localeKey struct{}

// withLocale serves h with the locale in the request's context.
func withLocale(locale string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), localeKey{}, locale)))
	})
}

// root answers "/": the home page in the language the browser asks for.
// The page's links all carry that language, so it is chosen only here.
// A browser that asked for a language the site lacks gets the closest one
// (Simplified Chinese for Traditional) or the default, and a line saying so.
func (p *Pages) root(w http.ResponseWriter, r *http.Request) {
	loc, close := p.cat.Negotiate(r.Header.Get("Accept-Language"), p.meta.DefaultLocale)
	w.Header().Add("Vary", "Accept-Language")
	ctx := context.WithValue(r.Context(), localeKey{}, loc)
	if !close {
		ctx = context.WithValue(ctx, notAskedKey{}, true)
	}
	p.home(w, r.WithContext(ctx))
}

// notAskedKey marks a request for "/" answered in a language the browser
// did not ask for.
type notAskedKey struct{}

// toDefaultLocale redirects a page address without a language to the
// same page in the pack's default language.
func (p *Pages) toDefaultLocale(w http.ResponseWriter, r *http.Request) {
	target := localePath(p.defaultLocale(), r.URL.Path)
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// canonicalPath is a page's address as its links write it, for a path
// written otherwise: the language tag in its own letter case ("/EN/" is
// "/en/", "/pt-br/safety" is "/pt-BR/safety") and no slash after the page
// ("/en/services/" is "/en/services", "/services/" "/en/services"). It is
// "" for a path it leaves as it is: one already so written, one the mux
// cleans itself ("/en//services"), and the API's, which answer for
// themselves. The mux sends a path on only when a page is there.
func (p *Pages) canonicalPath(path string) string {
	if path == "/api" || strings.HasPrefix(path, "/api/") {
		return ""
	}
	// Every page request asks, and nearly all are canonical already: a
	// locale as written, then no trailing slash but the home page's. Say so
	// before anything below allocates.
	if first, rest, found := strings.Cut(strings.TrimPrefix(path, "/"), "/"); found && p.cat.Has(first) &&
		(rest == "" || !strings.HasSuffix(rest, "/")) {
		return ""
	}
	trimmed := strings.TrimSuffix(path, "/")
	if len(trimmed) < 2 || pathpkg.Clean(trimmed) != trimmed {
		return ""
	}
	first, rest, _ := strings.Cut(trimmed[1:], "/")
	loc := p.cat.Fold(first)
	if loc == "" {
		if trimmed == path {
			return ""
		}
		return localePath(p.defaultLocale(), trimmed)
	}
	canon := localePath(loc, "/"+rest)
	if rest == "" {
		canon = localePath(loc, "/")
	}
	if canon == path {
		return ""
	}
	return canon
}

// bareLocale redirects "/es" to "/es/"; any other one-part path is not
// found.
func (p *Pages) bareLocale(w http.ResponseWriter, r *http.Request) {
	if loc := r.PathValue("lang"); p.cat.Has(loc) {
		http.Redirect(w, r, localePath(loc, "/"), http.StatusMovedPermanently)
		return
	}
	p.NotFound(w, r)
}

// favicon answers the browser's own request for an icon with nothing: a
// tab shows no picture that could say what the site is about.
func favicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=604800")
	w.WriteHeader(http.StatusNoContent)
}

// StylesheetPath returns the fingerprinted path of the stylesheet.
func (p *Pages) StylesheetPath() string { return p.css.path }

// NotFound answers with the HTML "page not found" page, in the language
// the path starts with, or the pack's default one.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	loc := p.defaultLocale()
	if first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); p.cat.Has(first) {
		loc = first
	}
	p.notFound(w, r, loc)
}

// defaultLocale is the pack's default locale when the catalogs have it.
func (p *Pages) defaultLocale() string {
	if p.cat.Has(p.meta.DefaultLocale) {
		return p.meta.DefaultLocale
	}
	return i18n.SourceLocale
}

// locale is the locale a page is served in: set by the route.
func (p *Pages) locale(r *http.Request) string {
	if loc, ok := r.Context().Value(localeKey{}).(string); ok {
		return loc
	}
	return p.defaultLocale()
}

// current returns the directory snapshot, reading the store's DataVersion
// at most once per versionCheckEvery and the whole directory only when the
// version moved. When the store fails and a snapshot exists, the old
// snapshot keeps being served.
func (p *Pages) current(ctx context.Context) (*snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.snap != nil && time.Since(p.checked) < versionCheckEvery {
		return p.snap, nil
	}
	v, err := p.store.DataVersion(ctx)
	if err != nil {
		if p.snap != nil {
			p.log.WarnContext(ctx, "web: data version; serving the last directory", "err", err)
			p.checked = time.Now()
			return p.snap, nil
		}
		return nil, fmt.Errorf("web: data version: %w", err)
	}
	if p.snap != nil && p.snap.version == v {
		p.checked = time.Now()
		return p.snap, nil
	}
	dir, err := p.store.Directory(ctx)
	if err != nil {
		if p.snap != nil {
			p.log.WarnContext(ctx, "web: directory; serving the last one", "err", err)
			p.checked = time.Now()
			return p.snap, nil
		}
		return nil, fmt.Errorf("web: directory: %w", err)
	}
	// Pages see only what the public may: a confidential location (a
	// shelter) keeps its city and contacts, never its name, street or
	// coordinates.
	p.snap = newSnapshot(v, dir.Public())
	p.checked = time.Now()
	return p.snap, nil
}

// cachedPage returns the page for key from the snapshot's cache, building
// its view and rendering it only on a miss.
func cachedPage(p *Pages, snap *snapshot, key pageKey, view func() (any, error)) (*rendered, error) {
	return snap.page(key, func() (*rendered, error) {
		v, err := view()
		if err != nil {
			return nil, err
		}
		return p.render(key.locale, key.name, v)
	})
}

// serveCached answers 200 with the page key names, from the snapshot's
// cache, building it with view on a miss.
func (p *Pages) serveCached(w http.ResponseWriter, r *http.Request, loc string, snap *snapshot, key pageKey, view func() (any, error)) {
	pg, err := cachedPage(p, snap, key, view)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.write(w, r, http.StatusOK, loc, pg)
}
