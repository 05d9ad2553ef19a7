// Package sqlite is Haven's SQLite store: one file on disk, pure Go
// (modernc.org/sqlite, no cgo). The SQL itself is shared with the
// PostgreSQL store in package sqlstore; this package opens the file the way
// SQLite wants and applies its migrations.
//
// Every connection runs with busy_timeout 5000 first, then WAL,
// synchronous NORMAL, foreign_keys ON and secure_delete ON (deleted content
// is overwritten, not left in free pages). Reads go through a pool of
// query-only connections; writes through a pool of one connection whose
// transactions begin IMMEDIATE, so writers queue instead of failing with
// SQLITE_BUSY and readers never wait for them.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/haven-project/haven/internal/store/migrate"
	"github.com/haven-project/haven/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open SQLite store. It implements store.Store through the
// embedded *sqlstore.Store.
type DB struct {
	*sqlstore.Store
	read  *sql.DB
	write *sql.DB
}

// Open opens the database at path, creating the file (mode 0600) and its
// parent directory (0700) when missing, and brings its schema up to date.
// It fails with an error wrapping store.ErrSchemaTooNew when the file was
// written by a newer Haven.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Create the file ourselves so that it, and the -wal and -shm files
	// SQLite gives the same mode, are readable by this user only.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	write, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if _, err := migrate.Apply(ctx, write, migrate.Dialect{}, ms); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &DB{Store: sqlstore.New(read, write, dialect()), read: read, write: write}, nil
}

// dsn is the modernc.org/sqlite data source name for the file at path: a
// file: URI, so that any character of the path is escaped, whose _pragma
// parameters every new connection runs (the driver runs busy_timeout
// first). Read connections are query-only; the write connection begins its
// transactions IMMEDIATE, taking the write lock up front.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "secure_delete(ON)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows path: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// dialect is SQLite's side of the shared SQL.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        "sqlite",
		Placeholder: nil, // "?" as written
		Contains:    func(haystack, needle string) string { return "instr(" + haystack + ", " + needle + ") > 0" },
		ForUpdate:   "", // the one write connection and BEGIN IMMEDIATE serialize loads
		ReadTx:      sql.TxOptions{ReadOnly: true},
		IsInvalid:   isConstraint,
	}
}

// isConstraint reports whether err is an SQLITE_CONSTRAINT error of any
// kind (foreign key, unique, check, not null), by its result code.
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
