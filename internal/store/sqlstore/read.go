package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// Reads hydrate whole records with one query per table, never one per
// record: a page of services takes the count, the services, and one query
// each for topics, areas, languages, notes, contacts, keywords, hours,
// windows and hours notes. Lists that are empty come back nil.

// Directory returns every record of every origin, in list order.
func (s *Store) Directory(ctx context.Context) (*directory.Directory, error) {
	const op = "directory"
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	defer rollback(tx)
	orgs, err := s.organizations(ctx, tx, "", nil, true)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	svcs, err := s.services(ctx, tx, "", nil, true)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	d := &directory.Directory{Organizations: orgs, Services: svcs}
	if d.Locations, err = s.locations(ctx, tx, "", nil, true); err != nil {
		return nil, s.errorf(op, err)
	}
	if d.ServicesAtLocation, err = s.servicesAtLocation(ctx, tx, "", nil, true); err != nil {
		return nil, s.errorf(op, err)
	}
	if d.Taxonomies, err = s.taxonomies(ctx, tx); err != nil {
		return nil, s.errorf(op, err)
	}
	if d.Terms, err = s.terms(ctx, tx); err != nil {
		return nil, s.errorf(op, err)
	}
	return d, nil
}

// ListServices returns the page of services f asks for, in pack order, and
// how many services match f in all. f.Query is trimmed of surrounding
// space, lower-cased and looked for literally. Bad paging returns an error
// wrapping store.ErrInvalid; an offset past the end returns no services and
// the total.
func (s *Store) ListServices(ctx context.Context, f store.ServiceFilter) ([]directory.Service, int, error) {
	const op = "list services"
	limit, err := checkPaging(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	where, args := s.serviceWhere(f)
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var total int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM services s JOIN organizations o ON o.id = s.organization_id`+where), args...).Scan(&total); err != nil {
		return nil, 0, s.errorf(op, fmt.Errorf("count: %w", err))
	}
	if f.Offset >= total {
		return nil, total, nil
	}
	pageArgs := append(append(make([]any, 0, len(args)+2), args...), limit, f.Offset)
	svcs, err := s.services(ctx, tx, where+s.order("s")+` LIMIT ? OFFSET ?`, pageArgs, false)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	return svcs, total, nil
}

// serviceWhere turns a filter into a WHERE clause over services s joined
// with organizations o.
func (s *Store) serviceWhere(f store.ServiceFilter) (string, []any) {
	var conds []string
	var args []any
	if f.Topic != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM service_topics t WHERE t.service_id = s.id AND t.topic = ?)`)
		args = append(args, f.Topic)
	}
	if f.Kind != "" {
		conds = append(conds, `s.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Organization != "" {
		conds = append(conds, `o.slug = ?`)
		args = append(args, f.Organization)
	}
	if f.LawEnforcement != nil {
		conds = append(conds, `s.law_enforcement = ?`)
		args = append(args, *f.LawEnforcement)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, s.d.Contains("s.search_text", "?"))
		args = append(args, strings.ToLower(q))
	}
	if f.Origin != nil {
		conds = append(conds, `s.origin = ?`)
		args = append(args, *f.Origin)
	}
	if f.Term != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM attributes a JOIN taxonomy_terms t ON t.id = a.term_id WHERE a.service_id = s.id AND t.slug = ?)`)
		args = append(args, f.Term)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Service returns the service with the slug; ErrNotFound when none.
func (s *Store) Service(ctx context.Context, slug string) (directory.Service, error) {
	const op = "service"
	tx, err := s.readTx(ctx)
	if err != nil {
		return directory.Service{}, s.errorf(op, err)
	}
	defer rollback(tx)
	svcs, err := s.services(ctx, tx, ` WHERE s.slug = ?`, []any{slug}, false)
	if err != nil {
		return directory.Service{}, s.errorf(op, err)
	}
	if len(svcs) == 0 {
		return directory.Service{}, s.errorf(op, fmt.Errorf("service %q: %w", slug, store.ErrNotFound))
	}
	return svcs[0], nil
}

// ListOrganizations returns a page of organizations in pack order and how
// many there are in all. Paging follows ListServices.
func (s *Store) ListOrganizations(ctx context.Context, limit, offset int) ([]directory.Organization, int, error) {
	const op = "list organizations"
	limit, err := checkPaging(limit, offset)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organizations`).Scan(&total); err != nil {
		return nil, 0, s.errorf(op, fmt.Errorf("count: %w", err))
	}
	if offset >= total {
		return nil, total, nil
	}
	orgs, err := s.organizations(ctx, tx, s.order("")+` LIMIT ? OFFSET ?`, []any{limit, offset}, false)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	return orgs, total, nil
}

// Organization returns the organization with the slug; ErrNotFound when
// none.
func (s *Store) Organization(ctx context.Context, slug string) (directory.Organization, error) {
	const op = "organization"
	tx, err := s.readTx(ctx)
	if err != nil {
		return directory.Organization{}, s.errorf(op, err)
	}
	defer rollback(tx)
	orgs, err := s.organizations(ctx, tx, ` WHERE slug = ?`, []any{slug}, false)
	if err != nil {
		return directory.Organization{}, s.errorf(op, err)
	}
	if len(orgs) == 0 {
		return directory.Organization{}, s.errorf(op, fmt.Errorf("organization %q: %w", slug, store.ErrNotFound))
	}
	return orgs[0], nil
}

// organizations reads the organizations the clause selects (or every one,
// in pack order, when all is set) with their children.
func (s *Store) organizations(ctx context.Context, tx *sql.Tx, clause string, args []any, all bool) ([]directory.Organization, error) {
	if all {
		clause = s.order("")
	}
	var orgs []directory.Organization
	var ids []int64
	err := s.eachRow(ctx, tx, `SELECT id, slug, name, alternate_name, description, email, website, website_text,
	source_document, source_lines, source_verified, origin, external_id
FROM organizations`+clause, args, func(r *sql.Rows) error {
		var o directory.Organization
		var id int64
		var lines string
		if err := r.Scan(&id, &o.Slug, &o.Name, &o.AlternateName, &o.Description, &o.Email, &o.Website, &o.WebsiteText,
			&o.Source.Document, &lines, &o.Source.Verified, &o.Origin, &o.ExternalID); err != nil {
			return err
		}
		var err error
		if o.Source.Lines, err = decodeLines(lines); err != nil {
			return err
		}
		orgs = append(orgs, o)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	idx := index(ids)
	at := func(id int64) (*directory.Organization, error) {
		i, ok := idx[id]
		if !ok {
			return nil, fmt.Errorf("row of organization %d, which was not read", id)
		}
		return &orgs[i], nil
	}
	if all {
		ids = nil // no WHERE: read whole tables
	}
	where, wargs := in("organization_id", ids)
	err = s.eachRow(ctx, tx, `SELECT organization_id, network, handle, url FROM organization_socials`+where+
		` ORDER BY organization_id, position`, wargs, func(r *sql.Rows) error {
		var id int64
		var so directory.Social
		if err := r.Scan(&id, &so.Network, &so.Handle, &so.URL); err != nil {
			return err
		}
		o, err := at(id)
		if err != nil {
			return err
		}
		o.Social = append(o.Social, so)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organization socials: %w", err)
	}
	err = s.eachRow(ctx, tx, `SELECT organization_id, note FROM organization_notes`+where+
		` ORDER BY organization_id, position`, wargs, func(r *sql.Rows) error {
		var id int64
		var n string
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		o, err := at(id)
		if err != nil {
			return err
		}
		o.Notes = append(o.Notes, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organization notes: %w", err)
	}
	err = s.attributes(ctx, tx, kindOrganization, ids, func(id int64, a directory.Attribute) error {
		o, err := at(id)
		if err != nil {
			return err
		}
		o.Attributes = append(o.Attributes, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return orgs, nil
}

const serviceQuery = `SELECT s.id, s.slug, o.slug, s.name, s.alternate_name, s.description, s.kind,
	s.law_enforcement, s.immigration_authority, s.anonymous_ok, s.multilingual,
	s.status, s.url, s.email, s.eligibility, s.fees, s.application_process, s.assured_date, s.assurer,
	s.source_document, s.source_lines, s.source_verified, s.origin, s.external_id
FROM services s JOIN organizations o ON o.id = s.organization_id`

// services reads the services the clause selects (or every one, in pack
// order, when all is set) with all their children.
func (s *Store) services(ctx context.Context, tx *sql.Tx, clause string, args []any, all bool) ([]directory.Service, error) {
	if all {
		clause = s.order("s")
	}
	var svcs []directory.Service
	var ids []int64
	err := s.eachRow(ctx, tx, serviceQuery+clause, args, func(r *sql.Rows) error {
		var sv directory.Service
		var id int64
		var law, immig, anon sql.NullBool
		var lines string
		if err := r.Scan(&id, &sv.Slug, &sv.Organization, &sv.Name, &sv.AlternateName, &sv.Description, &sv.Kind,
			&law, &immig, &anon, &sv.Multilingual,
			&sv.Status, &sv.URL, &sv.Email, &sv.Eligibility, &sv.Fees, &sv.ApplicationProcess, &sv.AssuredDate, &sv.Assurer,
			&sv.Source.Document, &lines, &sv.Source.Verified, &sv.Origin, &sv.ExternalID); err != nil {
			return err
		}
		sv.LawEnforcement, sv.ImmigrationAuthority, sv.AnonymousOK = boolPtr(law), boolPtr(immig), boolPtr(anon)
		var err error
		if sv.Source.Lines, err = decodeLines(lines); err != nil {
			return err
		}
		svcs = append(svcs, sv)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	if len(svcs) == 0 {
		return nil, nil
	}
	idx := index(ids)
	if all {
		ids = nil // no WHERE: read whole tables
	}
	if err := s.hydrateServices(ctx, tx, svcs, idx, ids); err != nil {
		return nil, err
	}
	return svcs, nil
}

// hydrateServices reads the children of svcs. idx maps a service's row id
// to its index in svcs; ids limits the reads to those services, or is nil
// when svcs holds every service.
func (s *Store) hydrateServices(ctx context.Context, tx *sql.Tx, svcs []directory.Service, idx map[int64]int, ids []int64) error {
	h := &hydration{s: s, ctx: ctx, tx: tx, svcs: svcs, idx: idx, ids: ids}
	h.where, h.wargs = in("service_id", ids)
	for _, step := range []func() error{h.lists, h.areas, h.postcodes, h.contacts, h.keywords, h.contactLanguages, h.hours, h.windows, h.hoursNotes, h.attributes} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// hydration fills in the rows of other tables that belong to services
// already read, one query per table. svcs stop growing before any pointer
// into them is taken.
type hydration struct {
	s     *Store
	ctx   context.Context
	tx    *sql.Tx
	svcs  []directory.Service
	idx   map[int64]int // service row id -> index in svcs
	ids   []int64
	where string // WHERE service_id IN (...)
	wargs []any

	contactAt map[int64]place            // contact row id -> its place
	hoursAt   map[int64]*directory.Hours // hours row id -> the hours
}

// place is where a contact is: svcs[svc].Contacts[contact].
type place struct{ svc, contact int }

func (h *hydration) service(id int64) (*directory.Service, error) {
	i, ok := h.idx[id]
	if !ok {
		return nil, fmt.Errorf("row of service %d, which was not read", id)
	}
	return &h.svcs[i], nil
}

func (h *hydration) contact(id int64) (*directory.Contact, error) {
	p, ok := h.contactAt[id]
	if !ok {
		return nil, fmt.Errorf("row of contact %d, which was not read", id)
	}
	return &h.svcs[p.svc].Contacts[p.contact], nil
}

func (h *hydration) hoursOf(id int64) (*directory.Hours, error) {
	hs, ok := h.hoursAt[id]
	if !ok {
		return nil, fmt.Errorf("row of hours %d, which were not read", id)
	}
	return hs, nil
}

// lists reads topics, languages and notes: (service id, text), in order.
func (h *hydration) lists() error {
	lists := []struct {
		table, column string
		field         func(*directory.Service) *[]string
	}{
		{"service_topics", "topic", func(sv *directory.Service) *[]string { return &sv.Topics }},
		{"service_languages", "language", func(sv *directory.Service) *[]string { return &sv.Languages }},
		{"service_notes", "note", func(sv *directory.Service) *[]string { return &sv.Notes }},
		{"service_required_documents", "document", func(sv *directory.Service) *[]string { return &sv.RequiredDocuments }},
	}
	for _, l := range lists {
		err := h.s.eachRow(h.ctx, h.tx, `SELECT service_id, `+l.column+` FROM `+l.table+h.where+` ORDER BY service_id, position`, h.wargs,
			func(r *sql.Rows) error {
				var id int64
				var v string
				if err := r.Scan(&id, &v); err != nil {
					return err
				}
				sv, err := h.service(id)
				if err != nil {
					return err
				}
				f := l.field(sv)
				*f = append(*f, v)
				return nil
			})
		if err != nil {
			return fmt.Errorf("%s: %w", l.table, err)
		}
	}
	return nil
}

func (h *hydration) areas() error {
	err := h.s.eachRow(h.ctx, h.tx, `SELECT service_id, scope, name, description FROM service_areas`+h.where+` ORDER BY service_id, position`, h.wargs,
		func(r *sql.Rows) error {
			var id int64
			var a directory.Area
			if err := r.Scan(&id, &a.Scope, &a.Name, &a.Description); err != nil {
				return err
			}
			sv, err := h.service(id)
			if err != nil {
				return err
			}
			sv.Areas = append(sv.Areas, a)
			return nil
		})
	if err != nil {
		return fmt.Errorf("service areas: %w", err)
	}
	return nil
}

// postcodes reads the areas' postcodes; the Areas slices are complete.
func (h *hydration) postcodes() error {
	err := h.s.eachRow(h.ctx, h.tx, `SELECT service_id, area_position, postcode FROM service_area_postcodes`+h.where+
		` ORDER BY service_id, area_position, position`, h.wargs, func(r *sql.Rows) error {
		var id int64
		var pos int
		var p string
		if err := r.Scan(&id, &pos, &p); err != nil {
			return err
		}
		sv, err := h.service(id)
		if err != nil {
			return err
		}
		if pos < 0 || pos >= len(sv.Areas) {
			return fmt.Errorf("postcode of area %d of service %d, which was not read", pos, id)
		}
		sv.Areas[pos].Postcodes = append(sv.Areas[pos].Postcodes, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("service area postcodes: %w", err)
	}
	return nil
}

func (h *hydration) attributes() error {
	return h.s.attributes(h.ctx, h.tx, kindService, h.ids, func(id int64, a directory.Attribute) error {
		sv, err := h.service(id)
		if err != nil {
			return err
		}
		sv.Attributes = append(sv.Attributes, a)
		return nil
	})
}

// contacts reads the contacts; the Contacts slices stop growing before
// any pointer into them is taken.
func (h *hydration) contacts() error {
	h.contactAt = make(map[int64]place)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT id, service_id, channel, display, display_alt, value, scope, purpose,
	extension, phone_type, description, source_document, source_lines, source_verified
FROM contacts`+h.where+` ORDER BY service_id, position`, h.wargs, func(r *sql.Rows) error {
		var id, svcID int64
		var c directory.Contact
		var lines string
		if err := r.Scan(&id, &svcID, &c.Channel, &c.Display, &c.DisplayAlt, &c.Value, &c.Scope, &c.Purpose,
			&c.Extension, &c.PhoneType, &c.Description, &c.Source.Document, &lines, &c.Source.Verified); err != nil {
			return err
		}
		var err error
		if c.Source.Lines, err = decodeLines(lines); err != nil {
			return err
		}
		i, ok := h.idx[svcID]
		if !ok {
			return fmt.Errorf("contact of service %d, which was not read", svcID)
		}
		h.svcs[i].Contacts = append(h.svcs[i].Contacts, c)
		h.contactAt[id] = place{i, len(h.svcs[i].Contacts) - 1}
		return nil
	})
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	return nil
}

func (h *hydration) keywords() error {
	if len(h.contactAt) == 0 {
		return nil
	}
	cwhere, cargs := in("c.service_id", h.ids)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT k.contact_id, k.keyword FROM contact_keywords k JOIN contacts c ON c.id = k.contact_id`+
		cwhere+` ORDER BY k.contact_id, k.position`, cargs, func(r *sql.Rows) error {
		var id int64
		var k string
		if err := r.Scan(&id, &k); err != nil {
			return err
		}
		c, err := h.contact(id)
		if err != nil {
			return err
		}
		c.Keywords = append(c.Keywords, k)
		return nil
	})
	if err != nil {
		return fmt.Errorf("contact keywords: %w", err)
	}
	return nil
}

func (h *hydration) contactLanguages() error {
	if len(h.contactAt) == 0 {
		return nil
	}
	cwhere, cargs := in("c.service_id", h.ids)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT k.contact_id, k.language FROM contact_languages k JOIN contacts c ON c.id = k.contact_id`+
		cwhere+` ORDER BY k.contact_id, k.position`, cargs, func(r *sql.Rows) error {
		var id int64
		var lang string
		if err := r.Scan(&id, &lang); err != nil {
			return err
		}
		c, err := h.contact(id)
		if err != nil {
			return err
		}
		c.Languages = append(c.Languages, lang)
		return nil
	})
	if err != nil {
		return fmt.Errorf("contact languages: %w", err)
	}
	return nil
}

// hours reads a service's own hours (contact_id NULL) and its contacts'.
func (h *hydration) hours() error {
	h.hoursAt = make(map[int64]*directory.Hours)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT id, service_id, contact_id, kind, time_zone, display,
	valid_from, valid_to, description, holidays FROM hours`+h.where, h.wargs,
		func(r *sql.Rows) error {
			var id, svcID int64
			var contactID sql.NullInt64
			var hs directory.Hours
			if err := r.Scan(&id, &svcID, &contactID, &hs.Kind, &hs.TimeZone, &hs.Display,
				&hs.ValidFrom, &hs.ValidTo, &hs.Description, &hs.Holidays); err != nil {
				return err
			}
			if !contactID.Valid {
				sv, err := h.service(svcID)
				if err != nil {
					return err
				}
				sv.Hours = hs
				h.hoursAt[id] = &sv.Hours
				return nil
			}
			c, err := h.contact(contactID.Int64)
			if err != nil {
				return err
			}
			c.Hours = &hs
			h.hoursAt[id] = c.Hours
			return nil
		})
	if err != nil {
		return fmt.Errorf("hours: %w", err)
	}
	return nil
}

func (h *hydration) windows() error {
	hwhere, hargs := in("h.service_id", h.ids)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT w.hours_id, w.days, w.opens, w.closes FROM hours_windows w JOIN hours h ON h.id = w.hours_id`+
		hwhere+` ORDER BY w.hours_id, w.position`, hargs, func(r *sql.Rows) error {
		var id int64
		var days string
		var w directory.Window
		if err := r.Scan(&id, &days, &w.Opens, &w.Closes); err != nil {
			return err
		}
		w.Days = decodeDays(days)
		hs, err := h.hoursOf(id)
		if err != nil {
			return err
		}
		hs.Windows = append(hs.Windows, w)
		return nil
	})
	if err != nil {
		return fmt.Errorf("hours windows: %w", err)
	}
	return nil
}

func (h *hydration) hoursNotes() error {
	hwhere, hargs := in("h.service_id", h.ids)
	err := h.s.eachRow(h.ctx, h.tx, `SELECT n.hours_id, n.note FROM hours_notes n JOIN hours h ON h.id = n.hours_id`+
		hwhere+` ORDER BY n.hours_id, n.position`, hargs, func(r *sql.Rows) error {
		var id int64
		var n string
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		hs, err := h.hoursOf(id)
		if err != nil {
			return err
		}
		hs.Notes = append(hs.Notes, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("hours notes: %w", err)
	}
	return nil
}

// eachRow runs a query and hands each row to scan.
func (s *Store) eachRow(ctx context.Context, tx *sql.Tx, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// in returns " WHERE col IN (?, ...)" and its arguments, or nothing when
// ids is nil (every row).
func in(col string, ids []int64) (string, []any) {
	if ids == nil {
		return "", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return " WHERE " + col + " IN (?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}

// index maps each id to its position in ids.
func index(ids []int64) map[int64]int {
	m := make(map[int64]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}

// boolPtr is nil for NULL, else a pointer to the value.
func boolPtr(n sql.NullBool) *bool {
	if !n.Valid {
		return nil
	}
	b := n.Bool
	return &b
}
