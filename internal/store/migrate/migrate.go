// Package migrate applies a backend's embedded, numbered SQL migrations to a
// database, each in its own transaction, and records every one it applies in
// the schema_migrations table. Both SQL backends (sqlite and postgres) use it;
// what differs between them is described by a small Dialect.
//
// Migration files are named NNNN_name.sql (0001_directory.sql, ...), numbered
// from 1 without gaps. A database that already has a version newer than the
// last file is refused with an error wrapping store.ErrSchemaTooNew, so an
// old binary never writes to a schema it does not understand.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/store"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int    // 1 for 0001_directory.sql
	Name    string // "directory" for 0001_directory.sql
	SQL     string
}

// String names the migration as its file does, without the extension.
func (m Migration) String() string { return fmt.Sprintf("%04d_%s", m.Version, m.Name) }

// Dialect is what the runner needs to know about a database.
type Dialect struct {
	// Placeholder returns the n-th (1-based) bind parameter: "?" or "$1".
	Placeholder func(n int) string
	// Lock, when set, is executed first in every migration transaction so
	// that two processes starting at once cannot both apply a migration
	// (PostgreSQL: an advisory transaction lock). SQLite needs none: its
	// write transactions already exclude each other.
	Lock string
}

// Load reads the migrations in dir of fsys, in version order. Every file in
// dir must be named NNNN_name.sql, and the versions must run 1, 2, 3, ...
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() {
			return nil, fmt.Errorf("migrate: %s: unexpected directory", path.Join(dir, e.Name()))
		}
		v, name, err := parseName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrate: %s: %w", path.Join(dir, e.Name()), err)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrate: %s: want version %d (versions run 1, 2, 3, ... with no gaps or repeats)", m, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrate: no migrations in %s", dir)
	}
	return ms, nil
}

// parseName splits "0001_directory.sql" into 1 and "directory".
func parseName(file string) (int, string, error) {
	const want = "want NNNN_name.sql, name in a-z, 0-9 and _"
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok || len(base) < 6 || base[4] != '_' {
		return 0, "", errors.New(want)
	}
	digits, name := base[:4], base[5:]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, "", errors.New(want)
		}
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return 0, "", errors.New(want)
		}
	}
	v, err := strconv.Atoi(digits)
	if err != nil || v == 0 {
		return 0, "", errors.New(want)
	}
	return v, name, nil
}

// tooNewError says the database was migrated by a newer Haven.
type tooNewError struct{ have, know int }

func (e tooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this Haven (knows up to %d); upgrade Haven", e.have, e.know)
}

func (e tooNewError) Unwrap() error { return store.ErrSchemaTooNew }

// Apply brings db up to the last of ms (as returned by Load) and returns the
// versions it applied, none when the database was already up to date. Each
// migration runs in its own transaction together with its schema_migrations
// row, so a failed migration leaves no trace. When the database holds a
// version newer than the last of ms, Apply changes nothing and returns an
// error wrapping store.ErrSchemaTooNew.
func Apply(ctx context.Context, db *sql.DB, d Dialect, ms []Migration) ([]int, error) {
	if len(ms) == 0 {
		return nil, errors.New("migrate: no migrations")
	}
	latest := ms[len(ms)-1].Version
	var applied []int
	for _, m := range ms {
		ok, err := apply(ctx, db, d, m, latest)
		if err != nil {
			return applied, err
		}
		if ok {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// apply runs one migration unless the database already has it.
func apply(ctx context.Context, db *sql.DB, d Dialect, m Migration, latest int) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %s: begin: %w", m, err)
	}
	defer func() { _ = tx.Rollback() }()

	if d.Lock != "" {
		if _, err := tx.ExecContext(ctx, d.Lock); err != nil {
			return false, fmt.Errorf("migrate: %s: lock: %w", m, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`); err != nil {
		return false, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var have sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&have); err != nil {
		return false, fmt.Errorf("migrate: read schema version: %w", err)
	}
	if int(have.Int64) > latest {
		return false, tooNewError{have: int(have.Int64), know: latest}
	}
	var n int
	q := "SELECT count(*) FROM schema_migrations WHERE version = " + d.placeholder(1)
	if err := tx.QueryRowContext(ctx, q, m.Version).Scan(&n); err != nil {
		return false, fmt.Errorf("migrate: %s: %w", m, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migrate: %s: %w", m, err)
	}
	q = fmt.Sprintf("INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
		d.placeholder(1), d.placeholder(2), d.placeholder(3))
	if _, err := tx.ExecContext(ctx, q, m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, fmt.Errorf("migrate: %s: record: %w", m, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate: %s: commit: %w", m, err)
	}
	return true, nil
}

func (d Dialect) placeholder(n int) string {
	if d.Placeholder == nil {
		return "?"
	}
	return d.Placeholder(n)
}
