package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// LoadDirectory replaces the directory with d in one transaction and
// records info, unless the stored PackInfo already equals info: then it
// changes nothing and returns false. Organizations and services are matched
// by slug, so their ids stay stable; their children are replaced; records d
// no longer holds are deleted; the data version goes up by one.
//
// It returns an error wrapping store.ErrInvalid, and changes nothing, when
// d is nil, repeats a slug, names an organization it does not hold, or has
// a window day that is empty or holds a comma.
func (s *Store) LoadDirectory(ctx context.Context, info store.PackInfo, d *directory.Directory) (bool, error) {
	const op = "load directory"
	if d == nil {
		return false, s.errorf(op, fmt.Errorf("nil directory: %w", store.ErrInvalid))
	}
	if err := checkDirectory(d); err != nil {
		return false, s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, s.errorf(op, err)
	}
	defer rollback(tx)

	cur, ok, err := s.pack(ctx, tx, true)
	if err != nil {
		return false, s.errorf(op, err)
	}
	if ok && cur == info {
		return false, nil
	}
	if err := s.loadDirectory(ctx, tx, d); err != nil {
		return false, s.errorf(op, s.invalid(err))
	}
	if _, err := tx.ExecContext(ctx,
		s.rebind(`UPDATE meta SET pack_id = ?, pack_hash = ?, data_version = data_version + 1 WHERE id = 1`),
		info.ID, info.Hash); err != nil {
		return false, s.errorf(op, fmt.Errorf("write meta: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return false, s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return true, nil
}

// checkDirectory finds what would make a load fail halfway or store
// something it could not give back.
func checkDirectory(d *directory.Directory) error {
	orgs := make(map[string]bool, len(d.Organizations))
	for _, o := range d.Organizations {
		if orgs[o.Slug] {
			return fmt.Errorf("organization %q appears twice: %w", o.Slug, store.ErrInvalid)
		}
		orgs[o.Slug] = true
	}
	svcs := make(map[string]bool, len(d.Services))
	for _, sv := range d.Services {
		if svcs[sv.Slug] {
			return fmt.Errorf("service %q appears twice: %w", sv.Slug, store.ErrInvalid)
		}
		svcs[sv.Slug] = true
		if !orgs[sv.Organization] {
			return fmt.Errorf("service %q: organization %q is not in the directory: %w", sv.Slug, sv.Organization, store.ErrInvalid)
		}
		hours := []directory.Hours{sv.Hours}
		for _, c := range sv.Contacts {
			if c.Hours != nil {
				hours = append(hours, *c.Hours)
			}
		}
		for _, h := range hours {
			for _, w := range h.Windows {
				if err := checkDays(w.Days); err != nil {
					return fmt.Errorf("service %q: %w: %w", sv.Slug, err, store.ErrInvalid)
				}
			}
		}
	}
	return nil
}

func (s *Store) loadDirectory(ctx context.Context, tx *sql.Tx, d *directory.Directory) error {
	oldOrgs, err := slugIDs(ctx, tx, "organizations")
	if err != nil {
		return err
	}
	oldSvcs, err := slugIDs(ctx, tx, "services")
	if err != nil {
		return err
	}
	// Children are cleared, leaves first, and written again below.
	for _, t := range []string{
		"hours_notes", "hours_windows", "hours", "contact_keywords", "contacts",
		"service_notes", "service_languages", "service_areas", "service_topics",
		"organization_notes", "organization_socials",
	} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}

	l := &loader{s: s, tx: tx, stmts: make(map[string]*sql.Stmt)}
	defer l.close()

	orgIDs := make(map[string]int64, len(d.Organizations))
	orgNames := make(map[string]string, len(d.Organizations))
	for i, o := range d.Organizations {
		id, err := l.organization(ctx, i, o)
		if err != nil {
			return fmt.Errorf("organization %q: %w", o.Slug, err)
		}
		orgIDs[o.Slug] = id
		orgNames[o.Slug] = o.Name
	}
	svcIDs := make(map[string]int64, len(d.Services))
	for i, sv := range d.Services {
		id, err := l.service(ctx, i, sv, orgIDs[sv.Organization], orgNames[sv.Organization])
		if err != nil {
			return fmt.Errorf("service %q: %w", sv.Slug, err)
		}
		svcIDs[sv.Slug] = id
	}

	// Delete what the directory no longer holds; services first, though
	// deleting an organization would take its remaining services with it.
	for slug, id := range oldSvcs {
		if _, ok := svcIDs[slug]; !ok {
			if err := l.exec(ctx, `DELETE FROM services WHERE id = ?`, id); err != nil {
				return fmt.Errorf("delete service %q: %w", slug, err)
			}
		}
	}
	for slug, id := range oldOrgs {
		if _, ok := orgIDs[slug]; !ok {
			if err := l.exec(ctx, `DELETE FROM organizations WHERE id = ?`, id); err != nil {
				return fmt.Errorf("delete organization %q: %w", slug, err)
			}
		}
	}
	return nil
}

// slugIDs maps the slugs of a table's rows to their ids.
func slugIDs(ctx context.Context, tx *sql.Tx, table string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT slug, id FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	m := make(map[string]int64)
	for rows.Next() {
		var slug string
		var id int64
		if err := rows.Scan(&slug, &id); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		m[slug] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return m, nil
}

// loader writes records in one transaction, preparing each statement once.
type loader struct {
	s     *Store
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (l *loader) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := l.stmts[q]; ok {
		return st, nil
	}
	st, err := l.tx.PrepareContext(ctx, l.s.rebind(q))
	if err != nil {
		return nil, err
	}
	l.stmts[q] = st
	return st, nil
}

func (l *loader) exec(ctx context.Context, q string, args ...any) error {
	st, err := l.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// insertID runs an INSERT ... RETURNING id.
func (l *loader) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	st, err := l.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := st.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

func (l *loader) close() {
	for _, st := range l.stmts {
		_ = st.Close()
	}
}

const upsertOrganization = `INSERT INTO organizations
	(slug, position, name, alternate_name, description, website, website_text,
	 source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	position = excluded.position, name = excluded.name,
	alternate_name = excluded.alternate_name, description = excluded.description,
	website = excluded.website, website_text = excluded.website_text,
	source_document = excluded.source_document, source_lines = excluded.source_lines,
	source_verified = excluded.source_verified
RETURNING id`

func (l *loader) organization(ctx context.Context, pos int, o directory.Organization) (int64, error) {
	id, err := l.insertID(ctx, upsertOrganization, o.Slug, pos, o.Name, o.AlternateName, o.Description,
		o.Website, o.WebsiteText, o.Source.Document, encodeLines(o.Source.Lines), o.Source.Verified)
	if err != nil {
		return 0, err
	}
	for j, so := range o.Social {
		if err := l.exec(ctx, `INSERT INTO organization_socials (organization_id, position, network, handle, url) VALUES (?, ?, ?, ?, ?)`,
			id, j, so.Network, so.Handle, so.URL); err != nil {
			return 0, fmt.Errorf("social: %w", err)
		}
	}
	for j, n := range o.Notes {
		if err := l.exec(ctx, `INSERT INTO organization_notes (organization_id, position, note) VALUES (?, ?, ?)`, id, j, n); err != nil {
			return 0, fmt.Errorf("note: %w", err)
		}
	}
	return id, nil
}

const upsertService = `INSERT INTO services
	(slug, position, organization_id, name, alternate_name, description, kind,
	 law_enforcement, immigration_authority, anonymous_ok, multilingual, search_text,
	 source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	position = excluded.position, organization_id = excluded.organization_id,
	name = excluded.name, alternate_name = excluded.alternate_name,
	description = excluded.description, kind = excluded.kind,
	law_enforcement = excluded.law_enforcement,
	immigration_authority = excluded.immigration_authority,
	anonymous_ok = excluded.anonymous_ok, multilingual = excluded.multilingual,
	search_text = excluded.search_text, source_document = excluded.source_document,
	source_lines = excluded.source_lines, source_verified = excluded.source_verified
RETURNING id`

func (l *loader) service(ctx context.Context, pos int, sv directory.Service, orgID int64, orgName string) (int64, error) {
	id, err := l.insertID(ctx, upsertService, sv.Slug, pos, orgID, sv.Name, sv.AlternateName, sv.Description,
		sv.Kind, nullable(sv.LawEnforcement), nullable(sv.ImmigrationAuthority), nullable(sv.AnonymousOK), sv.Multilingual, searchText(sv, orgName),
		sv.Source.Document, encodeLines(sv.Source.Lines), sv.Source.Verified)
	if err != nil {
		return 0, err
	}
	lists := []struct {
		q      string
		values []string
	}{
		{`INSERT INTO service_topics (service_id, position, topic) VALUES (?, ?, ?)`, sv.Topics},
		{`INSERT INTO service_languages (service_id, position, language) VALUES (?, ?, ?)`, sv.Languages},
		{`INSERT INTO service_notes (service_id, position, note) VALUES (?, ?, ?)`, sv.Notes},
	}
	for _, list := range lists {
		for j, v := range list.values {
			if err := l.exec(ctx, list.q, id, j, v); err != nil {
				return 0, err
			}
		}
	}
	for j, a := range sv.Areas {
		if err := l.exec(ctx, `INSERT INTO service_areas (service_id, position, scope, name) VALUES (?, ?, ?, ?)`,
			id, j, a.Scope, a.Name); err != nil {
			return 0, fmt.Errorf("area: %w", err)
		}
	}
	if err := l.hours(ctx, id, nil, sv.Hours); err != nil {
		return 0, fmt.Errorf("hours: %w", err)
	}
	for j, c := range sv.Contacts {
		if err := l.contact(ctx, id, j, c); err != nil {
			return 0, fmt.Errorf("contact %d: %w", j, err)
		}
	}
	return id, nil
}

func (l *loader) contact(ctx context.Context, serviceID int64, pos int, c directory.Contact) error {
	id, err := l.insertID(ctx, `INSERT INTO contacts
	(service_id, position, channel, display, display_alt, value, scope, purpose,
	 source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`,
		serviceID, pos, c.Channel, c.Display, c.DisplayAlt, c.Value, c.Scope, c.Purpose,
		c.Source.Document, encodeLines(c.Source.Lines), c.Source.Verified)
	if err != nil {
		return err
	}
	for j, k := range c.Keywords {
		if err := l.exec(ctx, `INSERT INTO contact_keywords (contact_id, position, keyword) VALUES (?, ?, ?)`, id, j, k); err != nil {
			return fmt.Errorf("keyword: %w", err)
		}
	}
	if c.Hours != nil {
		if err := l.hours(ctx, serviceID, id, *c.Hours); err != nil {
			return fmt.Errorf("hours: %w", err)
		}
	}
	return nil
}

// hours writes a service's hours (contactID nil) or a contact's.
func (l *loader) hours(ctx context.Context, serviceID int64, contactID any, h directory.Hours) error {
	id, err := l.insertID(ctx, `INSERT INTO hours (service_id, contact_id, kind, time_zone, display) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		serviceID, contactID, h.Kind, h.TimeZone, h.Display)
	if err != nil {
		return err
	}
	for j, w := range h.Windows {
		if err := l.exec(ctx, `INSERT INTO hours_windows (hours_id, position, days, opens, closes) VALUES (?, ?, ?, ?, ?)`,
			id, j, encodeDays(w.Days), w.Opens, w.Closes); err != nil {
			return fmt.Errorf("window: %w", err)
		}
	}
	for j, n := range h.Notes {
		if err := l.exec(ctx, `INSERT INTO hours_notes (hours_id, position, note) VALUES (?, ?, ?)`, id, j, n); err != nil {
			return fmt.Errorf("note: %w", err)
		}
	}
	return nil
}

// nullable is NULL for an unknown yes/no, else the value.
func nullable(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}
