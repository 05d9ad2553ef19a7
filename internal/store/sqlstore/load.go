package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// LoadDirectory replaces the pack's records (origin "") with d in one
// transaction and records info, unless the stored PackInfo already equals
// info: then it changes nothing and returns false. It is an import of
// origin "" with pruning (see importer): records are matched by slug, so
// their ids stay stable; a record whose content has not changed is left
// alone, the others are rewritten with their children; the pack's records d
// no longer holds are deleted; records of other origins are not touched.
// The data version goes up by one.
//
// It returns an error wrapping store.ErrInvalid, and changes nothing, when
// d is nil, repeats a slug, holds a record of another origin, refers to a
// record that is neither in d nor the pack's, would remove a record that
// another origin's record refers to, or has a window day that is empty or
// holds a comma; one wrapping store.ErrConflict when a slug of d is held by
// another origin's record.
func (s *Store) LoadDirectory(ctx context.Context, info store.PackInfo, d *directory.Directory) (bool, error) {
	const op = "load directory"
	if d == nil {
		return false, s.errorf(op, fmt.Errorf("nil directory: %w", store.ErrInvalid))
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
	im := newImporter(s, tx, "", store.ImportOptions{Prune: true})
	defer im.l.close()
	if err := im.add(ctx, d); err != nil {
		return false, s.errorf(op, s.invalid(err))
	}
	if err := im.prune(ctx); err != nil {
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

// ImportDirectory writes d as the records of origin: BeginImport, one Add
// and Commit (see store.Store).
func (s *Store) ImportDirectory(ctx context.Context, origin string, d *directory.Directory, opts store.ImportOptions) (store.ImportResult, error) {
	im, err := s.BeginImport(ctx, origin, opts)
	if err != nil {
		return store.ImportResult{}, err
	}
	defer func() { _ = im.Rollback() }() // a no-op after Commit
	if err := im.Add(ctx, d); err != nil {
		return store.ImportResult{}, err
	}
	return im.Commit(ctx)
}

// BeginImport starts an import of origin's records, in batches, in one
// write transaction (see store.Importer).
func (s *Store) BeginImport(ctx context.Context, origin string, opts store.ImportOptions) (store.Importer, error) {
	const op = "import"
	if err := checkOrigin(origin); err != nil {
		return nil, s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	// Imports and loads serialize on the meta row, like loads alone did.
	if _, _, err := s.pack(ctx, tx, true); err != nil {
		rollback(tx)
		return nil, s.errorf(op, err)
	}
	return &importTx{im: newImporter(s, tx, origin, opts)}, nil
}

// checkOrigin accepts the name of an import source: not the pack's "",
// printable, at most 100 bytes.
func checkOrigin(origin string) error {
	if origin == "" {
		return fmt.Errorf("origin \"\" is the pack's; an import needs the name of its source: %w", store.ErrInvalid)
	}
	if len(origin) > 100 {
		return fmt.Errorf("origin %.20q...: longer than 100 bytes: %w", origin, store.ErrInvalid)
	}
	for _, r := range origin {
		if r < 0x21 || r == 0x7f {
			return fmt.Errorf("origin %q: want no spaces or control characters: %w", origin, store.ErrInvalid)
		}
	}
	return nil
}

// importTx is a store.Importer: an importer and the state of its
// transaction.
type importTx struct {
	im   *importer
	err  error // the first error of Add; the import is spoiled
	done bool
}

func (t *importTx) errorf(err error) error {
	return t.im.s.errorf("import "+fmt.Sprintf("%q", t.im.origin), t.im.s.invalid(err))
}

// Add writes a batch of records (see store.Importer).
func (t *importTx) Add(ctx context.Context, d *directory.Directory) error {
	switch {
	case t.done:
		return t.errorf(errors.New("the import has ended"))
	case t.err != nil:
		return t.err
	case d == nil:
		t.err = t.errorf(fmt.Errorf("nil directory: %w", store.ErrInvalid))
		return t.err
	}
	if err := t.im.add(ctx, d); err != nil {
		t.err = t.errorf(err)
		return t.err
	}
	return nil
}

// Commit ends the import (see store.Importer).
func (t *importTx) Commit(ctx context.Context) (store.ImportResult, error) {
	if t.done {
		return store.ImportResult{}, t.errorf(errors.New("the import has ended"))
	}
	if t.err != nil {
		return store.ImportResult{}, t.err
	}
	defer func() { _ = t.Rollback() }()
	im := t.im
	if im.opts.Prune {
		if err := im.prune(ctx); err != nil {
			return store.ImportResult{}, t.errorf(err)
		}
	}
	if im.opts.DryRun {
		return im.res, nil // the deferred Rollback undoes it all
	}
	if im.res.Changed() {
		if _, err := im.tx.ExecContext(ctx, `UPDATE meta SET data_version = data_version + 1 WHERE id = 1`); err != nil {
			return store.ImportResult{}, t.errorf(fmt.Errorf("write meta: %w", err))
		}
	}
	if err := im.tx.Commit(); err != nil {
		return store.ImportResult{}, t.errorf(fmt.Errorf("commit: %w", err))
	}
	t.done = true
	im.l.close()
	return im.res, nil
}

// Rollback abandons the import; after Commit it does nothing.
func (t *importTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	t.im.l.close()
	if err := t.im.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return t.im.s.errorf("import rollback", err)
	}
	return nil
}

// kind is a kind of record with a slug and an origin.
type kind struct {
	name  string // in errors: "service"
	table string
	owner string // its column in attributes; "" when it has no attributes
}

var (
	kindOrganization = kind{"organization", "organizations", "organization_id"}
	kindService      = kind{"service", "services", "service_id"}
	kindLocation     = kind{"location", "locations", "location_id"}
	kindSAL          = kind{"service at location", "services_at_location", "service_at_location_id"}
	kindTaxonomy     = kind{"taxonomy", "taxonomies", ""}
	kindTerm         = kind{"taxonomy term", "taxonomy_terms", ""}
)

// importer writes the records of one origin in a transaction, in batches.
// Each record is looked up by slug: a record of another origin is a
// conflict; one of this origin whose content hash equals the incoming
// record's is left alone; any other is upserted (its id kept) and its
// children are replaced. prune then deletes the origin's records no batch
// held, referrers first, refusing any another record still refers to.
type importer struct {
	s      *Store
	tx     *sql.Tx
	l      *loader
	origin string
	opts   store.ImportOptions
	res    store.ImportResult

	seen map[string]map[string]bool   // table -> slugs this import holds
	ext  map[string]map[string]string // table -> external id -> slug
	pos  map[string]int               // table -> next position
	ids  map[string]map[string]ref    // table -> slug -> the row, for references
}

// ref is a row another record may refer to.
type ref struct {
	id     int64
	origin string
	name   string // organizations only: for the services' search text
}

func newImporter(s *Store, tx *sql.Tx, origin string, opts store.ImportOptions) *importer {
	return &importer{
		s: s, tx: tx, l: &loader{s: s, tx: tx, stmts: make(map[string]*sql.Stmt)},
		origin: origin, opts: opts,
		seen: map[string]map[string]bool{}, ext: map[string]map[string]string{},
		pos: map[string]int{}, ids: map[string]map[string]ref{},
	}
}

func (im *importer) counts(k kind) *store.Counts {
	switch k {
	case kindOrganization:
		return &im.res.Organizations
	case kindService:
		return &im.res.Services
	case kindLocation:
		return &im.res.Locations
	case kindSAL:
		return &im.res.ServicesAtLocation
	case kindTaxonomy:
		return &im.res.Taxonomies
	default:
		return &im.res.Terms
	}
}

// add writes one batch: taxonomies, terms, organizations, locations,
// services, services at locations, so that each may refer to the ones
// before it.
func (im *importer) add(ctx context.Context, d *directory.Directory) error {
	for _, t := range d.Taxonomies {
		if err := im.taxonomy(ctx, t); err != nil {
			return fmt.Errorf("taxonomy %q: %w", t.Slug, err)
		}
	}
	// Terms in two passes, so that a parent may come after its child.
	var parents []func() error
	for _, t := range d.Terms {
		set, err := im.term(ctx, t)
		if err != nil {
			return fmt.Errorf("taxonomy term %q: %w", t.Slug, err)
		}
		if set != nil {
			parents = append(parents, set)
		}
	}
	for _, set := range parents {
		if err := set(); err != nil {
			return err
		}
	}
	for _, o := range d.Organizations {
		if err := im.organization(ctx, o); err != nil {
			return fmt.Errorf("organization %q: %w", o.Slug, err)
		}
	}
	for _, l := range d.Locations {
		if err := im.location(ctx, l); err != nil {
			return fmt.Errorf("location %q: %w", l.Slug, err)
		}
	}
	for _, sv := range d.Services {
		if err := im.service(ctx, sv); err != nil {
			return fmt.Errorf("service %q: %w", sv.Slug, err)
		}
	}
	for _, sal := range d.ServicesAtLocation {
		if err := im.serviceAtLocation(ctx, sal); err != nil {
			return fmt.Errorf("service at location %q: %w", sal.Slug, err)
		}
	}
	return nil
}

// state is what begin found of a record about to be written.
type state struct {
	id        int64
	exists    bool
	unchanged bool
	pos       int
	hash      string
}

// begin checks a record's slug, origin and external id, gives it the next
// position of its kind, and looks it up. rec is the record with Origin set
// to the importer's, recOrigin the Origin it came with. When the stored
// record has the same content, it counts it unchanged.
func (im *importer) begin(ctx context.Context, k kind, slug, recOrigin, externalID string, rec any) (state, error) {
	if slug == "" {
		return state{}, fmt.Errorf("a %s needs a slug: %w", k.name, store.ErrInvalid)
	}
	if recOrigin != "" && recOrigin != im.origin {
		return state{}, fmt.Errorf("%s %q has origin %q, not %q: %w", k.name, slug, recOrigin, im.origin, store.ErrInvalid)
	}
	if im.seen[k.table] == nil {
		im.seen[k.table], im.ext[k.table] = map[string]bool{}, map[string]string{}
	}
	if im.seen[k.table][slug] {
		return state{}, fmt.Errorf("%s %q appears twice: %w", k.name, slug, store.ErrInvalid)
	}
	im.seen[k.table][slug] = true
	if externalID != "" {
		if other, dup := im.ext[k.table][externalID]; dup {
			return state{}, fmt.Errorf("%s %q: external id %q is also %q's: %w", k.name, slug, externalID, other, store.ErrInvalid)
		}
		im.ext[k.table][externalID] = slug
	}
	st := state{pos: im.pos[k.table]}
	im.pos[k.table]++
	var err error
	if st.hash, err = contentHash(rec, st.pos); err != nil {
		return state{}, err
	}
	var origin, hash string
	err = im.l.queryRow(ctx, `SELECT id, origin, content_hash FROM `+k.table+` WHERE slug = ?`, []any{slug}, &st.id, &origin, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil
	case err != nil:
		return state{}, err
	}
	if origin != im.origin {
		return state{}, fmt.Errorf("slug %q is already a %s of %s: %w", slug, k.name, originName(origin), store.ErrConflict)
	}
	st.exists = true
	if hash == st.hash {
		st.unchanged = true
		im.counts(k).Unchanged++
	}
	return st, nil
}

// written counts a record written, and deletes the children of a record
// that existed, in tables, before they are written again.
func (im *importer) written(ctx context.Context, k kind, st state, children ...string) error {
	c := im.counts(k)
	if !st.exists {
		c.Added++
		return nil
	}
	c.Updated++
	for _, child := range children {
		if err := im.l.exec(ctx, `DELETE FROM `+child, st.id); err != nil {
			return fmt.Errorf("clear %s: %w", child, err)
		}
	}
	if k.owner != "" {
		if err := im.l.exec(ctx, `DELETE FROM attributes WHERE `+k.owner+` = ?`, st.id); err != nil {
			return fmt.Errorf("clear attributes: %w", err)
		}
	}
	return nil
}

func originName(origin string) string {
	if origin == "" {
		return "the pack"
	}
	return fmt.Sprintf("origin %q", origin)
}

// lookup returns the row of the record of kind k with the slug, which this
// import's records may refer to: the pack's or this origin's. It is an
// error wrapping store.ErrInvalid when there is none.
func (im *importer) lookup(ctx context.Context, k kind, slug string) (ref, error) {
	if r, ok := im.ids[k.table][slug]; ok {
		return r, nil
	}
	var r ref
	q := `SELECT id, origin, '' FROM ` + k.table + ` WHERE slug = ?`
	if k == kindOrganization {
		q = `SELECT id, origin, name FROM organizations WHERE slug = ?`
	}
	err := im.l.queryRow(ctx, q, []any{slug}, &r.id, &r.origin, &r.name)
	if errors.Is(err, sql.ErrNoRows) {
		return ref{}, fmt.Errorf("%s %q is not in the directory: %w", k.name, slug, store.ErrInvalid)
	}
	if err != nil {
		return ref{}, err
	}
	if r.origin != "" && r.origin != im.origin {
		return ref{}, fmt.Errorf("%s %q belongs to %s; a record may refer only to its own origin's and the pack's: %w", k.name, slug, originName(r.origin), store.ErrInvalid)
	}
	im.remember(k, slug, r)
	return r, nil
}

func (im *importer) remember(k kind, slug string, r ref) {
	if im.ids[k.table] == nil {
		im.ids[k.table] = map[string]ref{}
	}
	im.ids[k.table][slug] = r
}

// attributes writes a record's attributes.
func (im *importer) attributes(ctx context.Context, k kind, id int64, attrs []directory.Attribute) error {
	for j, a := range attrs {
		t, err := im.lookup(ctx, kindTerm, a.Term)
		if err != nil {
			return fmt.Errorf("attribute %d: %w", j, err)
		}
		if err := im.l.exec(ctx, `INSERT INTO attributes (`+k.owner+`, position, term_id, value, link_type) VALUES (?, ?, ?, ?, ?)`,
			id, j, t.id, a.Value, a.LinkType); err != nil {
			return fmt.Errorf("attribute %d: %w", j, err)
		}
	}
	return nil
}

const upsertTaxonomy = `INSERT INTO taxonomies
	(slug, origin, external_id, content_hash, position, name, description, uri, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, name = excluded.name, description = excluded.description,
	uri = excluded.uri, version = excluded.version
RETURNING id`

func (im *importer) taxonomy(ctx context.Context, t directory.Taxonomy) error {
	rec := t
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindTaxonomy, t.Slug, t.Origin, t.ExternalID, rec)
	if err != nil || st.unchanged {
		return err
	}
	id, err := im.l.insertID(ctx, upsertTaxonomy, t.Slug, im.origin, t.ExternalID, st.hash, st.pos,
		t.Name, t.Description, t.URI, t.Version)
	if err != nil {
		return err
	}
	im.remember(kindTaxonomy, t.Slug, ref{id: id, origin: im.origin})
	return im.written(ctx, kindTaxonomy, st)
}

const upsertTerm = `INSERT INTO taxonomy_terms
	(slug, origin, external_id, content_hash, position, taxonomy_id, code, name, description, parent_id, language, uri)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, taxonomy_id = excluded.taxonomy_id, code = excluded.code,
	name = excluded.name, description = excluded.description, parent_id = NULL,
	language = excluded.language, uri = excluded.uri
RETURNING id`

// term writes a term without its parent and returns the function that
// sets the parent, to be called once the batch's terms are all written
// (nil when there is nothing to set).
func (im *importer) term(ctx context.Context, t directory.TaxonomyTerm) (func() error, error) {
	rec := t
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindTerm, t.Slug, t.Origin, t.ExternalID, rec)
	if err != nil || st.unchanged {
		return nil, err
	}
	if t.Taxonomy == "" {
		return nil, fmt.Errorf("names no taxonomy: %w", store.ErrInvalid)
	}
	tax, err := im.lookup(ctx, kindTaxonomy, t.Taxonomy)
	if err != nil {
		return nil, err
	}
	id, err := im.l.insertID(ctx, upsertTerm, t.Slug, im.origin, t.ExternalID, st.hash, st.pos,
		tax.id, t.Code, t.Name, t.Description, t.Language, t.URI)
	if err != nil {
		return nil, err
	}
	im.remember(kindTerm, t.Slug, ref{id: id, origin: im.origin})
	if err := im.written(ctx, kindTerm, st); err != nil {
		return nil, err
	}
	if t.Parent == "" {
		return nil, nil
	}
	return func() error {
		if t.Parent == t.Slug {
			return fmt.Errorf("taxonomy term %q is its own parent: %w", t.Slug, store.ErrInvalid)
		}
		p, err := im.lookup(ctx, kindTerm, t.Parent)
		if err != nil {
			return fmt.Errorf("taxonomy term %q: parent: %w", t.Slug, err)
		}
		if err := im.l.exec(ctx, `UPDATE taxonomy_terms SET parent_id = ? WHERE id = ?`, p.id, id); err != nil {
			return fmt.Errorf("taxonomy term %q: parent: %w", t.Slug, err)
		}
		return nil
	}, nil
}

const upsertOrganization = `INSERT INTO organizations
	(slug, origin, external_id, content_hash, position, name, alternate_name, description, email,
	 website, website_text, source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, name = excluded.name,
	alternate_name = excluded.alternate_name, description = excluded.description,
	email = excluded.email, website = excluded.website, website_text = excluded.website_text,
	source_document = excluded.source_document, source_lines = excluded.source_lines,
	source_verified = excluded.source_verified
RETURNING id`

func (im *importer) organization(ctx context.Context, o directory.Organization) error {
	rec := o
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindOrganization, o.Slug, o.Origin, o.ExternalID, rec)
	if err != nil || st.unchanged {
		return err
	}
	id, err := im.l.insertID(ctx, upsertOrganization, o.Slug, im.origin, o.ExternalID, st.hash, st.pos,
		o.Name, o.AlternateName, o.Description, o.Email, o.Website, o.WebsiteText,
		o.Source.Document, encodeLines(o.Source.Lines), o.Source.Verified)
	if err != nil {
		return err
	}
	im.remember(kindOrganization, o.Slug, ref{id: id, origin: im.origin, name: o.Name})
	if err := im.written(ctx, kindOrganization, st,
		"organization_socials WHERE organization_id = ?", "organization_notes WHERE organization_id = ?"); err != nil {
		return err
	}
	for j, so := range o.Social {
		if err := im.l.exec(ctx, `INSERT INTO organization_socials (organization_id, position, network, handle, url) VALUES (?, ?, ?, ?, ?)`,
			id, j, so.Network, so.Handle, so.URL); err != nil {
			return fmt.Errorf("social: %w", err)
		}
	}
	for j, n := range o.Notes {
		if err := im.l.exec(ctx, `INSERT INTO organization_notes (organization_id, position, note) VALUES (?, ?, ?)`, id, j, n); err != nil {
			return fmt.Errorf("note: %w", err)
		}
	}
	if err := im.attributes(ctx, kindOrganization, id, o.Attributes); err != nil {
		return err
	}
	if st.exists {
		return im.refreshSearchText(ctx, id, o.Name)
	}
	return nil
}

// refreshSearchText writes again the search text of the organization's
// services, which holds its name, after the organization changed.
func (im *importer) refreshSearchText(ctx context.Context, orgID int64, orgName string) error {
	type row struct {
		id   int64
		text string
	}
	var rows []row
	err := im.s.eachRow(ctx, im.tx, `SELECT id, name, alternate_name, description FROM services WHERE organization_id = ?`, []any{orgID},
		func(r *sql.Rows) error {
			var sv directory.Service
			var id int64
			if err := r.Scan(&id, &sv.Name, &sv.AlternateName, &sv.Description); err != nil {
				return err
			}
			rows = append(rows, row{id, searchText(sv, orgName)})
			return nil
		})
	if err != nil {
		return fmt.Errorf("search text of its services: %w", err)
	}
	for _, r := range rows {
		if err := im.l.exec(ctx, `UPDATE services SET search_text = ? WHERE id = ?`, r.text, r.id); err != nil {
			return fmt.Errorf("search text of its services: %w", err)
		}
	}
	return nil
}

const upsertService = `INSERT INTO services
	(slug, origin, external_id, content_hash, position, organization_id, name, alternate_name, description, kind,
	 law_enforcement, immigration_authority, anonymous_ok, multilingual, search_text,
	 status, url, email, eligibility, fees, application_process, assured_date, assurer,
	 source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, organization_id = excluded.organization_id,
	name = excluded.name, alternate_name = excluded.alternate_name,
	description = excluded.description, kind = excluded.kind,
	law_enforcement = excluded.law_enforcement,
	immigration_authority = excluded.immigration_authority,
	anonymous_ok = excluded.anonymous_ok, multilingual = excluded.multilingual,
	search_text = excluded.search_text, status = excluded.status, url = excluded.url,
	email = excluded.email, eligibility = excluded.eligibility, fees = excluded.fees,
	application_process = excluded.application_process,
	assured_date = excluded.assured_date, assurer = excluded.assurer,
	source_document = excluded.source_document,
	source_lines = excluded.source_lines, source_verified = excluded.source_verified
RETURNING id`

// serviceChildren are the tables of a service's children, as DELETE
// clauses; hours go with their windows and notes, contacts with their
// keywords, languages and hours, areas with their postcodes.
var serviceChildren = []string{
	"hours WHERE service_id = ?", "contacts WHERE service_id = ?",
	"service_topics WHERE service_id = ?", "service_languages WHERE service_id = ?",
	"service_notes WHERE service_id = ?", "service_required_documents WHERE service_id = ?",
	"service_areas WHERE service_id = ?",
}

func (im *importer) service(ctx context.Context, sv directory.Service) error {
	if err := checkServiceDays(sv); err != nil {
		return err
	}
	rec := sv
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindService, sv.Slug, sv.Origin, sv.ExternalID, rec)
	if err != nil || st.unchanged {
		return err
	}
	org, err := im.lookup(ctx, kindOrganization, sv.Organization)
	if err != nil {
		return err
	}
	id, err := im.l.insertID(ctx, upsertService, sv.Slug, im.origin, sv.ExternalID, st.hash, st.pos, org.id,
		sv.Name, sv.AlternateName, sv.Description, sv.Kind,
		nullable(sv.LawEnforcement), nullable(sv.ImmigrationAuthority), nullable(sv.AnonymousOK), sv.Multilingual,
		searchText(sv, org.name),
		sv.Status, sv.URL, sv.Email, sv.Eligibility, sv.Fees, sv.ApplicationProcess, sv.AssuredDate, sv.Assurer,
		sv.Source.Document, encodeLines(sv.Source.Lines), sv.Source.Verified)
	if err != nil {
		return err
	}
	im.remember(kindService, sv.Slug, ref{id: id, origin: im.origin})
	if err := im.written(ctx, kindService, st, serviceChildren...); err != nil {
		return err
	}
	l := im.l
	lists := []struct {
		q      string
		values []string
	}{
		{`INSERT INTO service_topics (service_id, position, topic) VALUES (?, ?, ?)`, sv.Topics},
		{`INSERT INTO service_languages (service_id, position, language) VALUES (?, ?, ?)`, sv.Languages},
		{`INSERT INTO service_notes (service_id, position, note) VALUES (?, ?, ?)`, sv.Notes},
		{`INSERT INTO service_required_documents (service_id, position, document) VALUES (?, ?, ?)`, sv.RequiredDocuments},
	}
	for _, list := range lists {
		for j, v := range list.values {
			if err := l.exec(ctx, list.q, id, j, v); err != nil {
				return err
			}
		}
	}
	for j, a := range sv.Areas {
		if err := l.exec(ctx, `INSERT INTO service_areas (service_id, position, scope, name, description) VALUES (?, ?, ?, ?, ?)`,
			id, j, a.Scope, a.Name, a.Description); err != nil {
			return fmt.Errorf("area: %w", err)
		}
		for k, p := range a.Postcodes {
			if err := l.exec(ctx, `INSERT INTO service_area_postcodes (service_id, area_position, position, postcode) VALUES (?, ?, ?, ?)`,
				id, j, k, p); err != nil {
				return fmt.Errorf("area postcode: %w", err)
			}
		}
	}
	if err := l.hours(ctx, id, nil, sv.Hours); err != nil {
		return fmt.Errorf("hours: %w", err)
	}
	for j, c := range sv.Contacts {
		if err := l.contact(ctx, id, j, c); err != nil {
			return fmt.Errorf("contact %d: %w", j, err)
		}
	}
	return im.attributes(ctx, kindService, id, sv.Attributes)
}

// checkServiceDays finds a window day the comma-joined encoding could not
// give back, in a service's hours or its contacts'.
func checkServiceDays(sv directory.Service) error {
	hours := []directory.Hours{sv.Hours}
	for _, c := range sv.Contacts {
		if c.Hours != nil {
			hours = append(hours, *c.Hours)
		}
	}
	for _, h := range hours {
		for _, w := range h.Windows {
			if err := checkDays(w.Days); err != nil {
				return fmt.Errorf("%w: %w", err, store.ErrInvalid)
			}
		}
	}
	return nil
}

const upsertLocation = `INSERT INTO locations
	(slug, origin, external_id, content_hash, position, organization_id, location_type, url,
	 name, alternate_name, description, transportation, latitude, longitude, confidential, reach,
	 source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, organization_id = excluded.organization_id,
	location_type = excluded.location_type, url = excluded.url, name = excluded.name,
	alternate_name = excluded.alternate_name, description = excluded.description,
	transportation = excluded.transportation, latitude = excluded.latitude,
	longitude = excluded.longitude, confidential = excluded.confidential, reach = excluded.reach,
	source_document = excluded.source_document, source_lines = excluded.source_lines,
	source_verified = excluded.source_verified
RETURNING id`

func (im *importer) location(ctx context.Context, loc directory.Location) error {
	rec := loc
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindLocation, loc.Slug, loc.Origin, loc.ExternalID, rec)
	if err != nil || st.unchanged {
		return err
	}
	var orgID any
	if loc.Organization != "" {
		org, err := im.lookup(ctx, kindOrganization, loc.Organization)
		if err != nil {
			return err
		}
		orgID = org.id
	}
	r, err := encodeReach(loc.Contacts, loc.Hours)
	if err != nil {
		return err
	}
	id, err := im.l.insertID(ctx, upsertLocation, loc.Slug, im.origin, loc.ExternalID, st.hash, st.pos, orgID,
		loc.Type, loc.URL, loc.Name, loc.AlternateName, loc.Description, loc.Transportation,
		nullableFloat(loc.Latitude), nullableFloat(loc.Longitude), loc.Confidential, r,
		loc.Source.Document, encodeLines(loc.Source.Lines), loc.Source.Verified)
	if err != nil {
		return err
	}
	im.remember(kindLocation, loc.Slug, ref{id: id, origin: im.origin})
	if err := im.written(ctx, kindLocation, st, "location_addresses WHERE location_id = ?",
		"location_languages WHERE location_id = ?", "location_accessibility WHERE location_id = ?"); err != nil {
		return err
	}
	for j, a := range loc.Addresses {
		if err := im.l.exec(ctx, `INSERT INTO location_addresses (location_id, position, address_type, attention, address_1, address_2,
	city, region, state_province, postal_code, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, j, a.Type, a.Attention, a.Address1, a.Address2, a.City, a.Region, a.StateProvince, a.PostalCode, a.Country); err != nil {
			return fmt.Errorf("address %d: %w", j, err)
		}
	}
	for j, lang := range loc.Languages {
		if err := im.l.exec(ctx, `INSERT INTO location_languages (location_id, position, language) VALUES (?, ?, ?)`, id, j, lang); err != nil {
			return fmt.Errorf("language: %w", err)
		}
	}
	for j, a := range loc.Accessibility {
		if err := im.l.exec(ctx, `INSERT INTO location_accessibility (location_id, position, description, details, url) VALUES (?, ?, ?, ?, ?)`,
			id, j, a.Description, a.Details, a.URL); err != nil {
			return fmt.Errorf("accessibility: %w", err)
		}
	}
	return im.attributes(ctx, kindLocation, id, loc.Attributes)
}

const upsertSAL = `INSERT INTO services_at_location
	(slug, origin, external_id, content_hash, position, service_id, location_id, description, reach)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET
	external_id = excluded.external_id, content_hash = excluded.content_hash,
	position = excluded.position, service_id = excluded.service_id,
	location_id = excluded.location_id, description = excluded.description, reach = excluded.reach
RETURNING id`

func (im *importer) serviceAtLocation(ctx context.Context, sal directory.ServiceAtLocation) error {
	rec := sal
	rec.Origin = im.origin
	st, err := im.begin(ctx, kindSAL, sal.Slug, sal.Origin, sal.ExternalID, rec)
	if err != nil || st.unchanged {
		return err
	}
	svc, err := im.lookup(ctx, kindService, sal.Service)
	if err != nil {
		return err
	}
	loc, err := im.lookup(ctx, kindLocation, sal.Location)
	if err != nil {
		return err
	}
	r, err := encodeReach(sal.Contacts, sal.Hours)
	if err != nil {
		return err
	}
	id, err := im.l.insertID(ctx, upsertSAL, sal.Slug, im.origin, sal.ExternalID, st.hash, st.pos,
		svc.id, loc.id, sal.Description, r)
	if err != nil {
		return err
	}
	if err := im.written(ctx, kindSAL, st); err != nil {
		return err
	}
	return im.attributes(ctx, kindSAL, id, sal.Attributes)
}

// prune deletes the origin's records that no batch held: referrers first
// (services at location, services, locations, organizations, terms,
// taxonomies), so that a record is deleted only once nothing refers to it.
// A record that a record it keeps, or another origin's, still refers to is
// an error wrapping store.ErrInvalid.
func (im *importer) prune(ctx context.Context) error {
	for _, k := range []kind{kindSAL, kindService, kindLocation, kindOrganization, kindTerm, kindTaxonomy} {
		type row struct {
			id   int64
			slug string
		}
		var gone []row
		err := im.s.eachRow(ctx, im.tx, `SELECT id, slug FROM `+k.table+` WHERE origin = ? ORDER BY position`, []any{im.origin},
			func(r *sql.Rows) error {
				var x row
				if err := r.Scan(&x.id, &x.slug); err != nil {
					return err
				}
				if !im.seen[k.table][x.slug] {
					gone = append(gone, x)
				}
				return nil
			})
		if err != nil {
			return fmt.Errorf("read %s: %w", k.table, err)
		}
		if k == kindTerm {
			// Terms that go may be each other's parents.
			for _, x := range gone {
				if err := im.l.exec(ctx, `UPDATE taxonomy_terms SET parent_id = NULL WHERE id = ?`, x.id); err != nil {
					return fmt.Errorf("remove %s %q: %w", k.name, x.slug, err)
				}
			}
		}
		for _, x := range gone {
			if err := im.unused(ctx, k, x.id, x.slug); err != nil {
				return err
			}
			if err := im.l.exec(ctx, `DELETE FROM `+k.table+` WHERE id = ?`, x.id); err != nil {
				return fmt.Errorf("remove %s %q: %w", k.name, x.slug, err)
			}
			im.counts(k).Removed++
		}
	}
	return nil
}

// referrers are, for each kind, the queries that find a record referring
// to one of that kind: what refers, its slug and its origin.
var referrers = map[string][]string{
	"services":  {`SELECT 'service at location', slug, origin FROM services_at_location WHERE service_id = ?`},
	"locations": {`SELECT 'service at location', slug, origin FROM services_at_location WHERE location_id = ?`},
	"organizations": {
		`SELECT 'service', slug, origin FROM services WHERE organization_id = ?`,
		`SELECT 'location', slug, origin FROM locations WHERE organization_id = ?`,
	},
	"taxonomy_terms": {
		`SELECT 'taxonomy term', slug, origin FROM taxonomy_terms WHERE parent_id = ?`,
		`SELECT 'organization', x.slug, x.origin FROM attributes a JOIN organizations x ON x.id = a.organization_id WHERE a.term_id = ?`,
		`SELECT 'service', x.slug, x.origin FROM attributes a JOIN services x ON x.id = a.service_id WHERE a.term_id = ?`,
		`SELECT 'location', x.slug, x.origin FROM attributes a JOIN locations x ON x.id = a.location_id WHERE a.term_id = ?`,
		`SELECT 'service at location', x.slug, x.origin FROM attributes a JOIN services_at_location x ON x.id = a.service_at_location_id WHERE a.term_id = ?`,
	},
	"taxonomies": {`SELECT 'taxonomy term', slug, origin FROM taxonomy_terms WHERE taxonomy_id = ?`},
}

// unused returns an error wrapping store.ErrInvalid when a record still
// refers to the record of kind k with the id.
func (im *importer) unused(ctx context.Context, k kind, id int64, slug string) error {
	for _, q := range referrers[k.table] {
		var what, by, origin string
		err := im.l.queryRow(ctx, q+` LIMIT 1`, []any{id}, &what, &by, &origin)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("remove %s %q: %w", k.name, slug, err)
		}
		return fmt.Errorf("%s %q cannot be removed: %s %q of %s refers to it: %w", k.name, slug, what, by, originName(origin), store.ErrInvalid)
	}
	return nil
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

// queryRow runs a query of one row and scans it into dest.
func (l *loader) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	st, err := l.stmt(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// insertID runs an INSERT ... RETURNING id.
func (l *loader) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	if err := l.queryRow(ctx, q, args, &id); err != nil {
		return 0, err
	}
	return id, nil
}

func (l *loader) close() {
	for q, st := range l.stmts {
		_ = st.Close()
		delete(l.stmts, q)
	}
}

func (l *loader) contact(ctx context.Context, serviceID int64, pos int, c directory.Contact) error {
	id, err := l.insertID(ctx, `INSERT INTO contacts
	(service_id, position, channel, display, display_alt, value, scope, purpose,
	 extension, phone_type, description, source_document, source_lines, source_verified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`,
		serviceID, pos, c.Channel, c.Display, c.DisplayAlt, c.Value, c.Scope, c.Purpose,
		c.Extension, c.PhoneType, c.Description, c.Source.Document, encodeLines(c.Source.Lines), c.Source.Verified)
	if err != nil {
		return err
	}
	for j, k := range c.Keywords {
		if err := l.exec(ctx, `INSERT INTO contact_keywords (contact_id, position, keyword) VALUES (?, ?, ?)`, id, j, k); err != nil {
			return fmt.Errorf("keyword: %w", err)
		}
	}
	for j, lang := range c.Languages {
		if err := l.exec(ctx, `INSERT INTO contact_languages (contact_id, position, language) VALUES (?, ?, ?)`, id, j, lang); err != nil {
			return fmt.Errorf("language: %w", err)
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
	id, err := l.insertID(ctx, `INSERT INTO hours (service_id, contact_id, kind, time_zone, display, valid_from, valid_to, description, holidays)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		serviceID, contactID, h.Kind, h.TimeZone, h.Display, h.ValidFrom, h.ValidTo, h.Description, h.Holidays)
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

// nullableFloat is NULL for a coordinate not given, else the value.
func nullableFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
