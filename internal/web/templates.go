package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"text/template/parse"

	"github.com/haven-project/haven/internal/i18n"
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
		"join": joinList,
	}
}

func localeFuncs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"t":    l.T,
		"tn":   l.N,
		"path": func(parts ...string) string { return localePath(l.Locale(), strings.Join(parts, "")) },
		"join": joinList,
	}
}

// localePath is the address of a page in a locale: "/es/services" for
// "/services", "/es/" for "/".
func localePath(locale, p string) string {
	if p == "" || p == "/" {
		return "/" + locale + "/"
	}
	return "/" + locale + p
}

// joinList joins a list of names the pack gives (languages, keywords).
func joinList(items []string) string { return strings.Join(items, ", ") }

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

// catalogCall is one {{t "key" "Name" value}} or {{tn "key" n "Name" value}}
// in a template file.
type catalogCall struct {
	File   string
	Line   int
	Func   string // "t" or "tn"
	Key    string
	Params []string // placeholder names the call passes
}

// catalogCalls finds every t and tn call in the template files by walking
// their parse trees. Keys must be string literals so that they can be
// checked here, before any page is served.
func catalogCalls() ([]catalogCall, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	var calls []catalogCall
	for _, file := range files {
		src, err := fs.ReadFile(templateFS, file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		trees := map[string]*parse.Tree{}
		pt := parse.New(file)
		pt.Mode = parse.SkipFuncCheck
		if _, err := pt.Parse(string(src), "", "", trees); err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		names := make([]string, 0, len(trees))
		for n := range trees {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			tr := trees[n]
			if tr.Root == nil {
				continue
			}
			var werr error
			walk(tr.Root, func(c *parse.CommandNode) {
				if werr != nil || len(c.Args) == 0 {
					return
				}
				id, ok := c.Args[0].(*parse.IdentifierNode)
				if !ok || (id.Ident != "t" && id.Ident != "tn") {
					return
				}
				line, _ := tr.ErrorContext(c)
				call := catalogCall{File: file, Func: id.Ident, Line: lineOf(line)}
				args := c.Args[1:]
				if len(args) == 0 {
					werr = fmt.Errorf("%s: %s without a key", line, id.Ident)
					return
				}
				key, ok := args[0].(*parse.StringNode)
				if !ok {
					werr = fmt.Errorf("%s: %s: the key must be a string literal", line, id.Ident)
					return
				}
				call.Key = key.Text
				args = args[1:]
				if id.Ident == "tn" {
					if len(args) == 0 {
						werr = fmt.Errorf("%s: tn %q without a count", line, call.Key)
						return
					}
					args = args[1:]
				}
				if len(args)%2 != 0 {
					werr = fmt.Errorf("%s: %s %q: arguments come in name/value pairs", line, id.Ident, call.Key)
					return
				}
				for i := 0; i < len(args); i += 2 {
					name, ok := args[i].(*parse.StringNode)
					if !ok {
						werr = fmt.Errorf("%s: %s %q: placeholder names must be string literals", line, id.Ident, call.Key)
						return
					}
					call.Params = append(call.Params, name.Text)
				}
				sort.Strings(call.Params)
				calls = append(calls, call)
			})
			if werr != nil {
				return nil, werr
			}
		}
	}
	return calls, nil
}

func lineOf(loc string) int {
	// loc is "file:line:col".
	parts := strings.Split(loc, ":")
	if len(parts) < 2 {
		return 0
	}
	var n int
	_, _ = fmt.Sscanf(parts[1], "%d", &n)
	return n
}

// walk calls fn for every command node under n.
func walk(n parse.Node, fn func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		fn(n)
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(*parse.CommandNode)) {
	walk(b.Pipe, fn)
	walk(b.List, fn)
	if b.ElseList != nil {
		walk(b.ElseList, fn)
	}
}

// checkCalls checks each call against the source catalog: the key exists,
// t is used for simple messages and tn for plural ones, and the call passes
// exactly the placeholders the message uses (tn passes Count itself).
func checkCalls(cat *i18n.Catalog, calls []catalogCall) error {
	var problems []string
	for _, c := range calls {
		m, ok := cat.Message(i18n.SourceLocale, c.Key)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: no catalog key %q", c.File, c.Line, c.Key))
			continue
		}
		if m.Plural != (c.Func == "tn") {
			problems = append(problems, fmt.Sprintf("%s:%d: %q: use tn for plural messages and t for the others", c.File, c.Line, c.Key))
			continue
		}
		want := i18n.MessagePlaceholders(m)
		got := c.Params
		if c.Func == "tn" {
			want = without(want, "Count")
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			problems = append(problems, fmt.Sprintf("%s:%d: %q passes [%s], the message uses [%s]", c.File, c.Line, c.Key, strings.Join(got, ", "), strings.Join(want, ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("templates and catalog disagree:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

func without(list []string, s string) []string {
	var out []string
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
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

func (p *Pages) badParam(w http.ResponseWriter, r *http.Request, locale, param string) {
	p.errorPage(w, r, locale, http.StatusBadRequest, errorView{Kind: errBadParam, Param: param})
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
