package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// Reads of locations, services at locations, taxonomies and terms, and of
// every record's attributes, one query per table like the rest.

// order is the ORDER BY of lists: the pack's records first, then each
// origin's in byte order of its name, each in its own order. alias is the
// table's alias in the query, or "".
func (s *Store) order(alias string) string {
	if alias != "" {
		alias += "."
	}
	return " ORDER BY " + alias + "origin" + s.d.Collate + ", " + alias + "position"
}

// attributes reads the attributes of records of kind k (those with the
// ids, or all when ids is nil) and hands each to add, in order.
func (s *Store) attributes(ctx context.Context, tx *sql.Tx, k kind, ids []int64, add func(id int64, a directory.Attribute) error) error {
	col := "a." + k.owner
	where, args := in(col, ids)
	if ids == nil {
		where = " WHERE " + col + " IS NOT NULL"
	}
	err := s.eachRow(ctx, tx, `SELECT `+col+`, t.slug, a.value, a.link_type FROM attributes a JOIN taxonomy_terms t ON t.id = a.term_id`+
		where+` ORDER BY `+col+`, a.position`, args, func(r *sql.Rows) error {
		var id int64
		var a directory.Attribute
		if err := r.Scan(&id, &a.Term, &a.Value, &a.LinkType); err != nil {
			return err
		}
		return add(id, a)
	})
	if err != nil {
		return fmt.Errorf("%s attributes: %w", k.name, err)
	}
	return nil
}

const locationQuery = `SELECT l.id, l.slug, l.location_type, l.url, coalesce(o.slug, ''), l.name, l.alternate_name,
	l.description, l.transportation, l.latitude, l.longitude, l.confidential, l.reach,
	l.source_document, l.source_lines, l.source_verified, l.origin, l.external_id
FROM locations l LEFT JOIN organizations o ON o.id = l.organization_id`

// locations reads the locations the clause selects (or every one, in list
// order, when all is set) with their children.
func (s *Store) locations(ctx context.Context, tx *sql.Tx, clause string, args []any, all bool) ([]directory.Location, error) {
	if all {
		clause = s.order("l")
	}
	var locs []directory.Location
	var ids []int64
	err := s.eachRow(ctx, tx, locationQuery+clause, args, func(r *sql.Rows) error {
		var l directory.Location
		var id int64
		var lat, lon sql.NullFloat64
		var lines, rch string
		if err := r.Scan(&id, &l.Slug, &l.Type, &l.URL, &l.Organization, &l.Name, &l.AlternateName,
			&l.Description, &l.Transportation, &lat, &lon, &l.Confidential, &rch,
			&l.Source.Document, &lines, &l.Source.Verified, &l.Origin, &l.ExternalID); err != nil {
			return err
		}
		l.Latitude, l.Longitude = floatPtr(lat), floatPtr(lon)
		var err error
		if l.Source.Lines, err = decodeLines(lines); err != nil {
			return err
		}
		if l.Contacts, l.Hours, err = decodeReach(rch); err != nil {
			return err
		}
		locs = append(locs, l)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	if len(locs) == 0 {
		return nil, nil
	}
	idx := index(ids)
	at := func(id int64) (*directory.Location, error) {
		i, ok := idx[id]
		if !ok {
			return nil, fmt.Errorf("row of location %d, which was not read", id)
		}
		return &locs[i], nil
	}
	if all {
		ids = nil // no WHERE: read whole tables
	}
	where, wargs := in("location_id", ids)
	err = s.eachRow(ctx, tx, `SELECT location_id, address_type, attention, address_1, address_2, city, region,
	state_province, postal_code, country FROM location_addresses`+where+` ORDER BY location_id, position`, wargs,
		func(r *sql.Rows) error {
			var id int64
			var a directory.Address
			if err := r.Scan(&id, &a.Type, &a.Attention, &a.Address1, &a.Address2, &a.City, &a.Region,
				&a.StateProvince, &a.PostalCode, &a.Country); err != nil {
				return err
			}
			l, err := at(id)
			if err != nil {
				return err
			}
			l.Addresses = append(l.Addresses, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("location addresses: %w", err)
	}
	err = s.eachRow(ctx, tx, `SELECT location_id, language FROM location_languages`+where+` ORDER BY location_id, position`, wargs,
		func(r *sql.Rows) error {
			var id int64
			var lang string
			if err := r.Scan(&id, &lang); err != nil {
				return err
			}
			l, err := at(id)
			if err != nil {
				return err
			}
			l.Languages = append(l.Languages, lang)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("location languages: %w", err)
	}
	err = s.eachRow(ctx, tx, `SELECT location_id, description, details, url FROM location_accessibility`+where+` ORDER BY location_id, position`, wargs,
		func(r *sql.Rows) error {
			var id int64
			var a directory.Accessibility
			if err := r.Scan(&id, &a.Description, &a.Details, &a.URL); err != nil {
				return err
			}
			l, err := at(id)
			if err != nil {
				return err
			}
			l.Accessibility = append(l.Accessibility, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("location accessibility: %w", err)
	}
	err = s.attributes(ctx, tx, kindLocation, ids, func(id int64, a directory.Attribute) error {
		l, err := at(id)
		if err != nil {
			return err
		}
		l.Attributes = append(l.Attributes, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return locs, nil
}

const salQuery = `SELECT x.id, x.slug, s.slug, l.slug, x.description, x.reach, x.origin, x.external_id
FROM services_at_location x JOIN services s ON s.id = x.service_id JOIN locations l ON l.id = x.location_id`

// servicesAtLocation reads the services at location the clause selects (or
// every one, in list order, when all is set).
func (s *Store) servicesAtLocation(ctx context.Context, tx *sql.Tx, clause string, args []any, all bool) ([]directory.ServiceAtLocation, error) {
	if all {
		clause = s.order("x")
	}
	var sals []directory.ServiceAtLocation
	var ids []int64
	err := s.eachRow(ctx, tx, salQuery+clause, args, func(r *sql.Rows) error {
		var x directory.ServiceAtLocation
		var id int64
		var rch string
		if err := r.Scan(&id, &x.Slug, &x.Service, &x.Location, &x.Description, &rch, &x.Origin, &x.ExternalID); err != nil {
			return err
		}
		var err error
		if x.Contacts, x.Hours, err = decodeReach(rch); err != nil {
			return err
		}
		sals = append(sals, x)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("services at location: %w", err)
	}
	if len(sals) == 0 {
		return nil, nil
	}
	idx := index(ids)
	if all {
		ids = nil
	}
	err = s.attributes(ctx, tx, kindSAL, ids, func(id int64, a directory.Attribute) error {
		i, ok := idx[id]
		if !ok {
			return fmt.Errorf("row of service at location %d, which was not read", id)
		}
		sals[i].Attributes = append(sals[i].Attributes, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sals, nil
}

// taxonomies reads every taxonomy, in list order.
func (s *Store) taxonomies(ctx context.Context, tx *sql.Tx) ([]directory.Taxonomy, error) {
	var out []directory.Taxonomy
	err := s.eachRow(ctx, tx, `SELECT slug, name, description, uri, version, origin, external_id FROM taxonomies`+s.order(""), nil,
		func(r *sql.Rows) error {
			var t directory.Taxonomy
			if err := r.Scan(&t.Slug, &t.Name, &t.Description, &t.URI, &t.Version, &t.Origin, &t.ExternalID); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("taxonomies: %w", err)
	}
	return out, nil
}

// terms reads every taxonomy term, in list order.
func (s *Store) terms(ctx context.Context, tx *sql.Tx) ([]directory.TaxonomyTerm, error) {
	var out []directory.TaxonomyTerm
	err := s.eachRow(ctx, tx, `SELECT t.slug, x.slug, t.code, t.name, t.description, coalesce(p.slug, ''), t.language, t.uri,
	t.origin, t.external_id
FROM taxonomy_terms t JOIN taxonomies x ON x.id = t.taxonomy_id LEFT JOIN taxonomy_terms p ON p.id = t.parent_id`+s.order("t"), nil,
		func(r *sql.Rows) error {
			var t directory.TaxonomyTerm
			if err := r.Scan(&t.Slug, &t.Taxonomy, &t.Code, &t.Name, &t.Description, &t.Parent, &t.Language, &t.URI,
				&t.Origin, &t.ExternalID); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("taxonomy terms: %w", err)
	}
	return out, nil
}

// ListLocations returns the page of locations f selects, in list order,
// and how many f selects in all. Paging follows ListServices.
func (s *Store) ListLocations(ctx context.Context, f store.LocationFilter) ([]directory.Location, int, error) {
	const op = "list locations"
	limit, err := checkPaging(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	var conds []string
	var args []any
	if f.Organization != "" {
		conds = append(conds, `o.slug = ?`)
		args = append(args, f.Organization)
	}
	if f.Origin != nil {
		conds = append(conds, `l.origin = ?`)
		args = append(args, *f.Origin)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var total int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM locations l LEFT JOIN organizations o ON o.id = l.organization_id`+where), args...).Scan(&total); err != nil {
		return nil, 0, s.errorf(op, fmt.Errorf("count: %w", err))
	}
	if f.Offset >= total {
		return nil, total, nil
	}
	pageArgs := append(append(make([]any, 0, len(args)+2), args...), limit, f.Offset)
	locs, err := s.locations(ctx, tx, where+s.order("l")+` LIMIT ? OFFSET ?`, pageArgs, false)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	return locs, total, nil
}

// Location returns the location with the slug; ErrNotFound when none.
func (s *Store) Location(ctx context.Context, slug string) (directory.Location, error) {
	const op = "location"
	tx, err := s.readTx(ctx)
	if err != nil {
		return directory.Location{}, s.errorf(op, err)
	}
	defer rollback(tx)
	locs, err := s.locations(ctx, tx, ` WHERE l.slug = ?`, []any{slug}, false)
	if err != nil {
		return directory.Location{}, s.errorf(op, err)
	}
	if len(locs) == 0 {
		return directory.Location{}, s.errorf(op, fmt.Errorf("location %q: %w", slug, store.ErrNotFound))
	}
	return locs[0], nil
}

// ServiceLocations returns the service's services at location with their
// locations, in list order; ErrNotFound when there is no such service.
func (s *Store) ServiceLocations(ctx context.Context, service string) ([]store.ServiceLocation, error) {
	const op = "service locations"
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	defer rollback(tx)
	var id int64
	err = tx.QueryRowContext(ctx, s.rebind(`SELECT id FROM services WHERE slug = ?`), service).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(op, fmt.Errorf("service %q: %w", service, store.ErrNotFound))
	}
	if err != nil {
		return nil, s.errorf(op, err)
	}
	sals, err := s.servicesAtLocation(ctx, tx, ` WHERE x.service_id = ?`+s.order("x"), []any{id}, false)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	if len(sals) == 0 {
		return nil, nil
	}
	locs, err := s.locations(ctx, tx, ` WHERE l.id IN (SELECT location_id FROM services_at_location WHERE service_id = ?)`, []any{id}, false)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	bySlug := make(map[string]directory.Location, len(locs))
	for _, l := range locs {
		bySlug[l.Slug] = l
	}
	out := make([]store.ServiceLocation, len(sals))
	for i, x := range sals {
		out[i] = store.ServiceLocation{At: x, Location: bySlug[x.Location]}
	}
	return out, nil
}

// floatPtr is nil for NULL, else a pointer to the value.
func floatPtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	f := n.Float64
	return &f
}
