package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/store"
)

// The directory page: every service, filtered by topic, kind, police or
// not, and text.

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

type topicView struct {
	Slug, Label string
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

func (p *Pages) services(w http.ResponseWriter, r *http.Request) {
	ctx, loc := r.Context(), p.locale(r)
	f, bad := p.parseFilter(r.URL.Query())
	if bad != nil {
		p.badParam(w, r, loc, bad)
		return
	}
	snap, err := p.current(ctx)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	list := func() ([]directory.Service, int, error) {
		if f == (store.ServiceFilter{}) {
			return snap.dir.Services, len(snap.dir.Services), nil
		}
		lf := f
		lf.Limit = store.MaxLimit
		list, total, err := p.store.ListServices(ctx, lf)
		if err != nil {
			return nil, 0, fmt.Errorf("web: list services: %w", err)
		}
		return list, total, nil
	}
	view := func() (servicesView, error) {
		l, total, err := list()
		if err != nil {
			return servicesView{}, err
		}
		return p.servicesView(loc, snap, f, l, total)
	}
	var pg *rendered
	if f.Query == "" {
		// Without free text there are few combinations of filters (topics
		// x kinds x 3), so each is cached like any other page.
		pg, err = cachedPage(p, snap, pageKey{locale: loc, name: pageServices, slug: filterKey(f)}, func() (any, error) { return view() })
	} else {
		var v servicesView
		if v, err = view(); err == nil {
			pg, err = p.renderFresh(r, loc, pageServices, v)
		}
	}
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.write(w, r, http.StatusOK, loc, pg)
}

// filterKey names a filter without free text, for the page cache.
func filterKey(f store.ServiceFilter) string {
	le := ""
	if f.LawEnforcement != nil {
		le = strconv.FormatBool(*f.LawEnforcement)
	}
	return f.Topic + "|" + f.Kind + "|" + le
}

// parseFilter turns /services query parameters into a filter, or says
// which parameter was refused and why. An empty value means "any", as a
// form with nothing chosen sends it.
func (p *Pages) parseFilter(q url.Values) (store.ServiceFilter, *search.ParamError) {
	f, err := search.ParseFilter(q, p.meta.HasTopic, search.Options{EmptyIsAny: true})
	var pe *search.ParamError
	if errors.As(err, &pe) {
		return f, pe
	}
	return f, nil
}

// badParamKey is the catalog key of the sentence the bad-search page says
// for pe: it speaks of what the person chose or typed, never of the
// parameter's name, and a free-text box is never "not one we know".
func badParamKey(pe *search.ParamError) string {
	if pe.Problem == search.Repeated {
		// Only a hand-made address gives a parameter twice.
		return "error.bad_param.text"
	}
	switch pe.Param {
	case search.ParamTopic:
		return "error.bad_param.topic"
	case search.ParamKind:
		return "error.bad_param.kind"
	case search.ParamLawEnforcement:
		return "error.bad_param.law_enforcement"
	case search.ParamQuery:
		return "error.bad_param.q"
	}
	return "error.bad_param.text"
}

// badParamKeys are every key badParamKey returns.
func badParamKeys() []string {
	return []string{"error.bad_param.text", "error.bad_param.topic", "error.bad_param.kind", "error.bad_param.law_enforcement", "error.bad_param.q"}
}
