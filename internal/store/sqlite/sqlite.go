// Package sqlite is Haven's SQLite store: one file on disk, pure Go
// (modernc.org/sqlite, no cgo). The SQL itself is shared with the
// PostgreSQL store in package sqlstore; this package opens the file the way
// SQLite wants and applies its migrations.
//
// Every connection runs with busy_timeout 5000 first, then WAL,
// synchronous FULL, foreign_keys ON and secure_delete ON (deleted content
// is overwritten, not left in free pages). Reads go through a pool of
// query-only connections; writes through a pool of one connection whose
// transactions begin IMMEDIATE, so writers queue instead of failing with
// SQLITE_BUSY and readers never wait for them.
//
// synchronous FULL makes every commit fsync the WAL before it returns, so
// a tip or message whose write returned is on disk even if the machine
// loses power the next moment (NORMAL would only fsync at checkpoints,
// and could lose the last commits). It is set for every write, not only
// tips': the directory's loads are rare and large, and one more fsync is
// lost in their noise (BenchmarkLoadDirectory: about 84 ms a load of 1,000
// services either way). What it would cost tips, one fsync each (2,000 to
// 3,000 tips a second at most on a small server), CreateTip wins back by
// group commit (sqlstore.TipBatcher): tips arriving together share one
// transaction and one fsync (about 10,000 a second; BenchmarkCreateTip).
//
// PurgeTips empties the WAL after it deletes (a TRUNCATE checkpoint), so
// that, with secure_delete, no byte of a purged tip is left in the
// database's files. The file system below may still hold old blocks (of a
// truncated WAL, or on an SSD); keep the database on an encrypted disk.
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
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/migrate"
	"github.com/haven-project/haven/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open SQLite store. It implements store.Store and
// store.TipStore through the embedded *sqlstore.Store, with CreateTip
// group-committed by tips.
type DB struct {
	*sqlstore.Store
	read  *sql.DB
	write *sql.DB
	tips  *sqlstore.TipBatcher
	dir   string // the folder of the database file, its WAL and -shm
}

var (
	_ store.Store    = (*DB)(nil)
	_ store.TipStore = (*DB)(nil)
)

// tipBatch is the most tips one group commit writes.
const tipBatch = 256

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
	// SQLite gives the same mode, are readable by this user only. Only
	// when it is missing: closing any descriptor of a database drops the
	// POSIX locks this process holds on it, so an open database's file is
	// never opened and closed here.
	if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		if err == nil {
			if err := f.Close(); err != nil {
				return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
			}
		}
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
	s := sqlstore.New(read, write, dialect())
	return &DB{Store: s, read: read, write: write, tips: s.NewTipBatcher(tipBatch), dir: filepath.Dir(abs)}, nil
}

// FreeBytes returns the bytes still free, for this user, on the file system
// that holds the database and its WAL: what a free-space floor on tips
// (intake.Budget) watches. Where the system cannot say (only Linux, macOS,
// FreeBSD and DragonFly can here), the error wraps errors.ErrUnsupported.
func (db *DB) FreeBytes() (int64, error) {
	return freeBytes(db.dir)
}

// CreateTip stores a tip durably (see store.TipStore), in a group commit
// with whatever other tips are waiting.
func (db *DB) CreateTip(ctx context.Context, t store.NewTip) (int64, error) {
	return db.tips.CreateTip(ctx, t)
}

// PurgeTips deletes the tips last updated before before and records the
// purge (see store.TipStore), then checkpoints the WAL into the database file and
// truncates it, so that the deleted rows, which secure_delete has zeroed
// in the pages, survive in no older page image either. When a reader holds
// a snapshot from before the purge for longer than the busy timeout, the
// WAL cannot be emptied: PurgeTips returns the number deleted with an
// error, and calling it again later empties the WAL.
func (db *DB) PurgeTips(ctx context.Context, before time.Time, kind store.PurgeKind, now time.Time) (int, error) {
	n, err := db.Store.PurgeTips(ctx, before, kind, now)
	if err != nil {
		return n, err
	}
	var busy, frames, done int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
		return n, fmt.Errorf("sqlite: purge tips: empty the WAL: %w", err)
	}
	if busy != 0 {
		return n, fmt.Errorf("sqlite: purge tips: empty the WAL: a reader held an older snapshot (%d of %d frames checkpointed); purge again", done, frames)
	}
	return n, nil
}

// Close commits the tips already queued, then closes the database.
func (db *DB) Close() error {
	db.tips.Close()
	return db.Store.Close()
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
	q.Add("_pragma", "synchronous(FULL)")
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
		Collate:     "", // BINARY
		ForUpdate:   "", // the one write connection and BEGIN IMMEDIATE serialize loads
		ReadTx:      sql.TxOptions{ReadOnly: true},
		IsInvalid:   isConstraint,
		IsUnique:    isUnique,
	}
}

// isConstraint reports whether err is an SQLITE_CONSTRAINT error of any
// kind (foreign key, unique, check, not null), by its result code.
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint
// error, by its extended result code (the driver turns extended codes on).
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
