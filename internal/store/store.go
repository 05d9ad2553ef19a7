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
	// operator's name) already exists.
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
	Organization   string // organization slug
	LawEnforcement *bool  // true: only law enforcement; false: only services a source says are not (unknown is neither)
	Query          string // case-insensitive text in name, alternate name, description or organization name
	Limit          int    // 1..MaxLimit; 0 means MaxLimit
	Offset         int
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
// order the pack file gives them), with the total count before paging.
// Records come back exactly as they were loaded, except that a list that
// was empty, anywhere in a record, comes back nil; a list call that finds
// nothing returns a nil slice.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	// LoadDirectory replaces the directory with d in one transaction and
	// records info. When the stored PackInfo equals info it changes nothing
	// and returns false: loading again is idempotent. Records are matched by
	// slug, so their ids stay stable across loads. A nil d, a repeated slug
	// or a service naming an organization d does not hold returns an error
	// wrapping ErrInvalid and changes nothing.
	LoadDirectory(ctx context.Context, info PackInfo, d *directory.Directory) (changed bool, err error)
	// Pack returns the PackInfo of the last load; ErrNotFound before any.
	Pack(ctx context.Context) (PackInfo, error)
	// DataVersion increases every time the directory changes; caches compare
	// it to know when to render again.
	DataVersion(ctx context.Context) (int64, error)

	// Directory returns every organization and service, in pack order.
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
}
