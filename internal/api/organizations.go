package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// listOrganizations answers GET /api/v1/organizations: one page of
// organizations in pack order.
func (a *API) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r, "limit", "offset")
	if err != nil {
		return err
	}
	limit, offset, err := parsePaging(q)
	if err != nil {
		return err
	}
	items, total, err := a.store.ListOrganizations(r.Context(), limit, offset)
	if err != nil {
		return fmt.Errorf("api: list organizations: %w", err)
	}
	page := organizationPage{Items: make([]directory.Organization, len(items)), Total: total, Limit: limit, Offset: offset}
	for i, o := range items {
		page.Items[i] = newOrganizationView(o)
	}
	a.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// getOrganization answers GET /api/v1/organizations/{slug}: the organization
// and a summary of each of its services, in pack order.
func (a *API) getOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := noQuery(r); err != nil {
		return err
	}
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		return &apiError{kind: kindNotFound, msg: "No organization with that slug."}
	}
	o, err := a.store.Organization(r.Context(), slug)
	if err != nil {
		if isNotFound(err) {
			return &apiError{kind: kindNotFound, msg: "No organization with that slug."}
		}
		return fmt.Errorf("api: organization %q: %w", slug, err)
	}
	d := organizationDetail{Organization: newOrganizationView(o), Services: []serviceSummary{}}
	for offset := 0; ; {
		items, total, err := a.store.ListServices(r.Context(), store.ServiceFilter{Organization: slug, Limit: store.MaxLimit, Offset: offset})
		if err != nil {
			return fmt.Errorf("api: services of organization %q: %w", slug, err)
		}
		for _, s := range items {
			d.Services = append(d.Services, serviceSummary{
				Slug: s.Slug, Name: s.Name, Kind: s.Kind,
				LawEnforcement: s.LawEnforcement, ImmigrationAuthority: s.ImmigrationAuthority,
			})
		}
		offset += len(items)
		if len(items) == 0 || offset >= total {
			break
		}
	}
	a.writeJSON(w, r, http.StatusOK, d)
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
