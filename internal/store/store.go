// Package store is Haven's storage contract. Every backend (sqlite/ and
// postgres/, both built on the shared SQL of sqlstore/) implements Store and
// passes the one contract suite in storetest/.
package store

import (
	"context"
	"errors"

	"github.com/haven-project/haven/internal/directory"
)

// Errors every backend returns, wrapped with context; match with errors.Is.
var (
	// ErrNotFound: no record with that slug, id or key.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a record with that unique key (a receipt hash, an
	// operator's name, a slug another origin's record holds) already
	// exists.
	ErrConflict = errors.New("conflict")
	// ErrSchemaTooNew: the database was written by a newer Haven.
	ErrSchemaTooNew = errors.New("database schema is newer than this Haven")
	// ErrInvalid: the caller asked for something impossible (bad paging, say).
	ErrInvalid = errors.New("invalid request")
)

// MaxLimit is the largest page a List call returns.
const MaxLimit = 200

// ServiceFilter narrows ListServices. Zero values mean "any".
type ServiceFilter struct {
	Topic          string
	Kind           string
	Organization   string  // organization slug
	LawEnforcement *bool   // true: only law enforcement; false: only services a source says are not (unknown is neither)
	Query          string  // case-insensitive text in name, alternate name, description or organization name
	Origin         *string // only services of this origin ("" the pack's)
	Term           string  // only services with an attribute of this taxonomy term (slug)
	Limit          int     // 1..MaxLimit; 0 means MaxLimit
	Offset         int
}

// LocationFilter narrows ListLocations. Zero values mean "any".
type LocationFilter struct {
	Organization string  // organization slug
	Origin       *string // only locations of this origin ("" the pack's)
	Limit        int     // 1..MaxLimit; 0 means MaxLimit
	Offset       int
}

// ServiceLocation is a service at a location, with the location.
type ServiceLocation struct {
	At       directory.ServiceAtLocation
	Location directory.Location
}

// ImportOptions tune ImportDirectory.
type ImportOptions struct {
	// DryRun computes the result and changes nothing.
	DryRun bool
	// Prune removes the origin's records that the import does not hold.
	Prune bool
}

// Counts says what a load or import did to the records of one kind.
type Counts struct {
	Added, Updated, Removed, Unchanged int
}

// Changed reports whether any record of the kind was added, updated or
// removed.
func (c Counts) Changed() bool { return c.Added+c.Updated+c.Removed > 0 }

// ImportResult counts what an import did, per kind of record.
type ImportResult struct {
	Organizations      Counts
	Services           Counts
	Locations          Counts
	ServicesAtLocation Counts
	Taxonomies         Counts
	Terms              Counts
}

// Changed reports whether the import changed any record.
func (r ImportResult) Changed() bool {
	for _, c := range []Counts{r.Organizations, r.Services, r.Locations, r.ServicesAtLocation, r.Taxonomies, r.Terms} {
		if c.Changed() {
			return true
		}
	}
	return false
}

// Importer imports one origin's records in batches, in one transaction:
// see Store.BeginImport.
type Importer interface {
	// Add writes a batch. Its records may refer to records of earlier
	// batches, to the origin's records already stored and to the pack's;
	// within a batch, taxonomies, terms, organizations, locations,
	// services and services at locations are written in that order. After
	// an error the import is spoiled: every later call fails, and the
	// caller must Rollback.
	Add(ctx context.Context, d *directory.Directory) error
	// Commit prunes (with ImportOptions.Prune), bumps the data version if
	// a record changed, and commits; with DryRun it rolls back instead.
	// It returns what the import did, or did would.
	Commit(ctx context.Context) (ImportResult, error)
	// Rollback abandons the import; after Commit it is a no-op.
	Rollback() error
}

// PackInfo records which pack the directory was last loaded from.
type PackInfo struct {
	ID   string
	Hash string // hex SHA-256 of the pack's files
}

// DB is a whole Haven database: the directory and the tips. Every backend
// is one; the command line opens a DB and hands each part to what needs it.
type DB interface {
	Store
	TipStore
}

// Store is the storage contract. Lists return records in pack order (the
// order the pack file gives them), then each import origin's records in the
// order of its import, origins in byte order of their names, with the total
// count before paging. Records come back exactly as they were loaded, with
// Origin set, except that a list that was empty, anywhere in a record,
// comes back nil; a list call that finds nothing returns a nil slice.
//
// Every record belongs to one origin: "" for the pack's (LoadDirectory),
// the source's name for imported ones (ImportDirectory). Slugs are unique
// across origins, and ExternalIDs within one. A record may refer to
// records of its own origin and to the pack's; a record that another still
// refers to cannot be removed (ErrInvalid, naming both).
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	// LoadDirectory replaces the pack's records (origin "") with d in one
	// transaction and records info; records of other origins are left as
	// they are. When the stored PackInfo equals info it changes nothing
	// and returns false: loading again is idempotent. Records are matched by
	// slug, so their ids stay stable across loads. A nil d, a repeated slug,
	// a record of another origin in d, a reference to a record that is
	// neither in d nor the pack's, or the removal of a record another
	// origin's record refers to returns an error wrapping ErrInvalid; a slug
	// another origin holds, one wrapping ErrConflict; both change nothing.
	LoadDirectory(ctx context.Context, info PackInfo, d *directory.Directory) (changed bool, err error)
	// ImportDirectory writes d as the records of origin in one transaction,
	// all or nothing: records are matched by slug within the origin;
	// those whose content has not changed are left alone (Unchanged), the
	// others updated or added, and with opts.Prune the origin's records d
	// does not hold are removed. The pack's records and other origins' are
	// never changed. The data version goes up when a record changed. With
	// opts.DryRun it returns the same result and changes nothing. origin
	// must not be ""; the errors are LoadDirectory's. It is BeginImport,
	// one Add and Commit.
	ImportDirectory(ctx context.Context, origin string, d *directory.Directory, opts ImportOptions) (ImportResult, error)
	// BeginImport starts an import of origin that takes its records in
	// batches (Importer). The import holds the database's write
	// transaction until it ends: on SQLite, tips wait for it.
	BeginImport(ctx context.Context, origin string, opts ImportOptions) (Importer, error)
	// Pack returns the PackInfo of the last load; ErrNotFound before any.
	Pack(ctx context.Context) (PackInfo, error)
	// DataVersion increases every time the directory changes; caches compare
	// it to know when to render again.
	DataVersion(ctx context.Context) (int64, error)

	// Directory returns every record of every origin, in list order.
	Directory(ctx context.Context) (*directory.Directory, error)
	// ListServices returns the page of services f selects and the number
	// of services f selects in all. f.Query is trimmed of surrounding space
	// and matched literally (no wildcards); a blank Query matches all.
	// Paging outside the limits of ServiceFilter returns an error wrapping
	// ErrInvalid; an offset past the end returns no services.
	ListServices(ctx context.Context, f ServiceFilter) ([]directory.Service, int, error)
	// Service returns the service with the slug; ErrNotFound if none.
	Service(ctx context.Context, slug string) (directory.Service, error)
	// ListOrganizations pages through organizations like ListServices.
	ListOrganizations(ctx context.Context, limit, offset int) ([]directory.Organization, int, error)
	// Organization returns the organization with the slug; ErrNotFound if
	// none.
	Organization(ctx context.Context, slug string) (directory.Organization, error)
	// ListLocations pages through the locations f selects like
	// ListServices. Locations come back whole, confidential ones too:
	// public surfaces show them through directory.Location.Public.
	ListLocations(ctx context.Context, f LocationFilter) ([]directory.Location, int, error)
	// Location returns the location with the slug; ErrNotFound if none.
	Location(ctx context.Context, slug string) (directory.Location, error)
	// ServiceLocations returns the service's services at location, each
	// with its location, in list order; ErrNotFound if there is no such
	// service.
	ServiceLocations(ctx context.Context, service string) ([]ServiceLocation, error)
}
