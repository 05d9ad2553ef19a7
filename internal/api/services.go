package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/store"
)

// listServices answers GET /api/v1/services: one page of services in pack
// order, narrowed by topic, kind, law_enforcement and q.
func (a *API) listServices(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r, "topic", "kind", "law_enforcement", "q", "limit", "offset")
	if err != nil {
		return err
	}
	f, err := a.serviceFilter(q)
	if err != nil {
		return err
	}
	items, total, err := a.store.ListServices(r.Context(), f)
	if err != nil {
		return fmt.Errorf("api: list services: %w", err)
	}
	now := a.now()
	page := servicePage{Items: make([]serviceView, len(items)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for i, s := range items {
		page.Items[i] = newServiceView(s, now)
	}
	a.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// serviceFilter checks every filter and paging parameter.
func (a *API) serviceFilter(q map[string]string) (store.ServiceFilter, error) {
	var f store.ServiceFilter
	var err error
	if f.Limit, f.Offset, err = parsePaging(q); err != nil {
		return f, err
	}
	vals := url.Values{}
	for _, name := range search.Params() {
		if v, ok := q[name]; ok {
			vals.Set(name, v)
		}
	}
	sf, err := search.ParseFilter(vals, a.meta.HasTopic, search.Options{})
	var pe *search.ParamError
	if errors.As(err, &pe) {
		return f, invalid(pe.Param, a.filterMessage(pe))
	}
	sf.Limit, sf.Offset = f.Limit, f.Offset
	return sf, err
}

// filterMessage says what a refused filter parameter should be.
func (a *API) filterMessage(pe *search.ParamError) string {
	switch {
	case pe.Problem == search.Repeated:
		return "Give this parameter once."
	case pe.Param == search.ParamTopic:
		return "Want one of the pack's topics: " + strings.Join(a.topicSlugs(), ", ") + "."
	case pe.Param == search.ParamKind:
		return "Want one of: " + strings.Join(directory.Kinds, ", ") + "."
	case pe.Param == search.ParamLawEnforcement:
		return `Want "true" or "false".`
	case pe.Problem == search.TooLong:
		return fmt.Sprintf("Want at most %d characters.", search.MaxQueryRunes)
	}
	return "Want text in UTF-8, without control characters."
}

func (a *API) topicSlugs() []string {
	out := make([]string, len(a.meta.Topics))
	for i, t := range a.meta.Topics {
		out[i] = t.Slug
	}
	return out
}

// getService answers GET /api/v1/services/{slug}.
func (a *API) getService(w http.ResponseWriter, r *http.Request) error {
	if err := noQuery(r); err != nil {
		return err
	}
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		return &apiError{kind: kindNotFound, msg: "No service with that slug."}
	}
	s, err := a.store.Service(r.Context(), slug)
	if err != nil {
		if isNotFound(err) {
			return &apiError{kind: kindNotFound, msg: "No service with that slug."}
		}
		return fmt.Errorf("api: service %q: %w", slug, err)
	}
	now := a.now()
	v := newServiceView(s, now)
	places, err := a.store.ServiceLocations(r.Context(), slug)
	if err != nil {
		return fmt.Errorf("api: service %q: locations: %w", slug, err)
	}
	for _, sl := range places {
		v.Locations = append(v.Locations, newLocationView(sl, now))
	}
	a.writeJSON(w, r, http.StatusOK, v)
	return nil
}
