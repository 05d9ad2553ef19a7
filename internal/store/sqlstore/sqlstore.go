// Package sqlstore is the one implementation of store.Store over
// database/sql, shared by the sqlite and postgres backends. Those packages
// open the database, apply their own migrations and hand this package their
// pools and a Dialect; every query, and so every behaviour the contract suite
// checks, is written once here.
//
// Exported methods open a transaction and roll it back on return unless they
// committed; unexported helpers take the transaction so that they compose.
// Reads run in one read-only transaction each, so a read sees one version of
// the directory even while a load is committing.
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

// Dialect is everything the SQL in this package needs to know about the
// database it runs on. Each entry is small and named so that the
// differences stay in one place.
type Dialect struct {
	// Name prefixes every error: "sqlite", "postgres".
	Name string
	// Placeholder returns the n-th (1-based) bind parameter: "?" or "$1".
	// Queries here are written with "?" and rebound through it.
	Placeholder func(n int) string
	// Contains returns an SQL condition true when the text needle occurs
	// in the text haystack, literally (no LIKE wildcards).
	Contains func(haystack, needle string) string
	// Collate follows a text column in ORDER BY to order it by bytes, the
	// same on every database: "" where that is the default (SQLite's
	// BINARY), ` COLLATE "C"` for PostgreSQL.
	Collate string
	// ForUpdate is appended to the query that reads the meta row at the
	// start of a load, to serialize concurrent loads (" FOR UPDATE"), or
	// empty where write transactions already exclude each other.
	ForUpdate string
	// ReadTx are the options of read transactions; they must give one
	// snapshot for the whole transaction.
	ReadTx sql.TxOptions
	// IsInvalid reports whether a driver error means the data broke a
	// constraint (a missing organization, a duplicate slug): the caller
	// asked for something impossible. It must decide by error code.
	IsInvalid func(err error) bool
	// IsUnique reports whether a driver error means a row would have
	// repeated a unique key (a receipt hash, an operator's name): a
	// conflict rather than an invalid request. It must decide by error
	// code.
	IsUnique func(err error) bool
}

// Store implements store.Store.
type Store struct {
	read  *sql.DB
	write *sql.DB
	d     Dialect
}

var _ store.Store = (*Store)(nil)

// New returns a Store that reads through read and writes through write
// (they may be the same pool). The schema must already be migrated. Close
// closes both pools.
func New(read, write *sql.DB, d Dialect) *Store {
	return &Store{read: read, write: write, d: d}
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return s.errorf("ping", err)
	}
	if s.write != s.read {
		if err := s.write.PingContext(ctx); err != nil {
			return s.errorf("ping", err)
		}
	}
	return nil
}

// Close closes the pools.
func (s *Store) Close() error {
	err := s.read.Close()
	if s.write != s.read {
		err = errors.Join(err, s.write.Close())
	}
	if err != nil {
		return s.errorf("close", err)
	}
	return nil
}

// Pack returns the PackInfo of the last load; ErrNotFound before any.
func (s *Store) Pack(ctx context.Context) (store.PackInfo, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return store.PackInfo{}, s.errorf("pack", err)
	}
	defer rollback(tx)
	info, ok, err := s.pack(ctx, tx, false)
	if err != nil {
		return store.PackInfo{}, s.errorf("pack", err)
	}
	if !ok {
		return store.PackInfo{}, s.errorf("pack", fmt.Errorf("no pack loaded yet: %w", store.ErrNotFound))
	}
	return info, nil
}

// DataVersion returns the counter every load increases; 0 before any.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return 0, s.errorf("data version", err)
	}
	defer rollback(tx)
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT data_version FROM meta WHERE id = 1`).Scan(&v); err != nil {
		return 0, s.errorf("data version", err)
	}
	return v, nil
}

// ServiceID returns the row id of the service with the slug; ErrNotFound
// when there is none. Ids stay the same across loads as long as the slug
// does, so other tables may refer to them.
func (s *Store) ServiceID(ctx context.Context, slug string) (int64, error) {
	return s.id(ctx, "services", "service", slug)
}

// OrganizationID returns the row id of the organization with the slug;
// ErrNotFound when there is none. Ids are stable like ServiceID's.
func (s *Store) OrganizationID(ctx context.Context, slug string) (int64, error) {
	return s.id(ctx, "organizations", "organization", slug)
}

func (s *Store) id(ctx context.Context, table, what, slug string) (int64, error) {
	op := what + " id"
	tx, err := s.readTx(ctx)
	if err != nil {
		return 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var id int64
	err = tx.QueryRowContext(ctx, s.rebind(`SELECT id FROM `+table+` WHERE slug = ?`), slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, s.errorf(op, fmt.Errorf("%s %q: %w", what, slug, store.ErrNotFound))
	}
	if err != nil {
		return 0, s.errorf(op, err)
	}
	return id, nil
}

// pack reads the meta row; ok is false before the first load. lock takes
// the row for the rest of a write transaction.
func (s *Store) pack(ctx context.Context, tx *sql.Tx, lock bool) (info store.PackInfo, ok bool, err error) {
	q := `SELECT pack_id, pack_hash FROM meta WHERE id = 1`
	if lock {
		q += s.d.ForUpdate
	}
	var id, hash sql.NullString
	if err := tx.QueryRowContext(ctx, q).Scan(&id, &hash); err != nil {
		return store.PackInfo{}, false, fmt.Errorf("read meta: %w", err)
	}
	if !id.Valid {
		return store.PackInfo{}, false, nil
	}
	return store.PackInfo{ID: id.String, Hash: hash.String}, true, nil
}

func (s *Store) readTx(ctx context.Context) (*sql.Tx, error) {
	opts := s.d.ReadTx
	return s.read.BeginTx(ctx, &opts)
}

// errorf wraps err with the dialect's name and the operation:
// "sqlite: load directory: ...".
func (s *Store) errorf(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", s.d.Name, op, err)
}

// invalid marks constraint violations reported by the driver as
// store.ErrInvalid, keeping the driver error in the chain.
func (s *Store) invalid(err error) error {
	if err != nil && s.d.IsInvalid != nil && s.d.IsInvalid(err) && !errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return err
}

// rebind turns the "?" placeholders of q into the dialect's. The queries in
// this package hold no "?" other than placeholders.
func (s *Store) rebind(q string) string {
	if s.d.Placeholder == nil {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString(s.d.Placeholder(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// rollback ends a transaction that was not committed; after a commit it is
// a no-op, so every exported method can defer it.
func rollback(tx *sql.Tx) { _ = tx.Rollback() }

// checkPaging applies the paging rules of store.ServiceFilter.
func checkPaging(limit, offset int) (int, error) {
	if limit < 0 || limit > store.MaxLimit || offset < 0 {
		return 0, fmt.Errorf("limit %d, offset %d: want limit 0..%d and offset >= 0: %w", limit, offset, store.MaxLimit, store.ErrInvalid)
	}
	if limit == 0 {
		limit = store.MaxLimit
	}
	return limit, nil
}

// searchText is what ServiceFilter.Query looks in, lower-cased in Go so
// that both databases fold case the same way, beyond ASCII too. The fields
// are joined with a character no query is expected to hold, so that a query
// does not match across two fields.
func searchText(s directory.Service, orgName string) string {
	return strings.ToLower(strings.Join([]string{s.Name, s.AlternateName, s.Description, orgName}, "\x1f"))
}
