package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/haven-project/haven/internal/directory"
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
	if s, ok := q["topic"]; ok {
		if _, known := a.meta.Topic(s); !known {
			return f, invalid("topic", "Want one of the pack's topics: "+strings.Join(a.topicSlugs(), ", ")+".")
		}
		f.Topic = s
	}
	if s, ok := q["kind"]; ok {
		if !slices.Contains(directory.Kinds, s) {
			return f, invalid("kind", "Want one of: "+strings.Join(directory.Kinds, ", ")+".")
		}
		f.Kind = s
	}
	if s, ok := q["law_enforcement"]; ok {
		var b bool
		switch s {
		case "true":
			b = true
		case "false":
		default:
			return f, invalid("law_enforcement", `Want "true" or "false".`)
		}
		f.LawEnforcement = &b
	}
	if s, ok := q["q"]; ok {
		if !utf8.ValidString(s) {
			return f, invalid("q", "Want text in UTF-8.")
		}
		if utf8.RuneCountInString(s) > maxQueryLen {
			return f, invalid("q", fmt.Sprintf("Want at most %d characters.", maxQueryLen))
		}
		f.Query = strings.TrimSpace(s)
	}
	return f, nil
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
	a.writeJSON(w, r, http.StatusOK, newServiceView(s, a.now()))
	return nil
}
