// Package postgres is Haven's PostgreSQL store, for operators who run
// Haven beside a PostgreSQL they already keep. The SQL is shared with the
// SQLite store in package sqlstore; this package connects, applies its own
// migrations (the postgres dialect of the same schema) and supplies the
// dialect.
//
// It uses pgx through its database/sql adapter (pgx/v5/stdlib) rather than
// pgxpool directly: the shared implementation is written against
// database/sql, so one body of SQL, and one contract suite, serves both
// backends and their behaviour cannot drift apart. pgx still does the
// protocol work and caches prepared statements per connection.
//
// Tips must be on disk when CreateTip or AddTipMessage returns, which in
// PostgreSQL is synchronous_commit: Open sets it to on for its sessions
// when the connection string leaves it out or turns it off, so that no
// server or role default of off applies (local, remote_write and
// remote_apply, given in the connection string, are kept: they also flush
// the local WAL). Concurrent commits share WAL flushes on their own, so
// tips need no group commit of Haven's here.
//
// Purged tips are deleted, not erased: PostgreSQL leaves a deleted row's
// bytes in the table's pages until VACUUM prunes the page and new rows
// overwrite the space, in the WAL until its segments are recycled, and in
// any base backup or replica. VACUUM cannot run inside a transaction; an
// operator who needs the bytes gone at once runs VACUUM FULL on tips,
// tip_messages and tip_attachments (it rewrites them into new files, under
// an exclusive lock) and a CHECKPOINT, and keeps the data directory on an
// encrypted disk. The WAL's commit records also carry precise commit times
// (and track_commit_timestamp, if on, keeps them per row); Haven's own
// columns hold only hours.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/migrate"
	"github.com/haven-project/haven/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the advisory lock taken while migrating, so
// that two Havens starting at once do not both apply a migration. Any
// constant works; this one reads "haven" in ASCII.
const migrationLock int64 = 0x686176656e

// DB is an open PostgreSQL store. It implements store.Store and
// store.TipStore through the embedded *sqlstore.Store.
type DB struct {
	*sqlstore.Store
	db *sql.DB
}

var (
	_ store.Store    = (*DB)(nil)
	_ store.TipStore = (*DB)(nil)
)

// Open connects to the database dsn names (a URL such as
// postgres://haven@localhost/haven?sslmode=disable, or key=value pairs;
// run-time parameters like search_path may be given in it) and brings its
// schema up to date. It fails with an error wrapping store.ErrSchemaTooNew
// when the schema was written by a newer Haven.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message, and the error it wraps, may quote the DSN with
		// its password; keep them out of an error that may be shown.
		return nil, errors.New("postgres: open: cannot parse the connection string")
	}
	durableCommits(cfg)
	db := stdlib.OpenDB(*cfg)
	// A modest pool: Haven serves mostly cached pages, and the server's
	// connections are shared with whatever else the operator runs there.
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(5)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	md := migrate.Dialect{
		Placeholder: placeholder,
		Lock:        "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(migrationLock, 10) + ")",
	}
	if _, err := migrate.Apply(ctx, db, md, ms); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return &DB{Store: sqlstore.New(db, db, dialect()), db: db}, nil
}

// durableCommits makes every session commit durably: synchronous_commit
// on, unless the connection string asks for another level that still
// flushes the local WAL.
func durableCommits(cfg *pgx.ConnConfig) {
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	switch strings.ToLower(strings.TrimSpace(cfg.RuntimeParams["synchronous_commit"])) {
	case "on", "true", "yes", "1", "local", "remote_write", "remote_apply":
	default: // unset, or off and its spellings
		cfg.RuntimeParams["synchronous_commit"] = "on"
	}
}

func placeholder(n int) string { return "$" + strconv.Itoa(n) }

// dialect is PostgreSQL's side of the shared SQL.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        "postgres",
		Placeholder: placeholder,
		Contains:    func(haystack, needle string) string { return "strpos(" + haystack + ", " + needle + ") > 0" },
		// Origins sort by bytes whatever the database's collation.
		Collate: ` COLLATE "C"`,
		// Concurrent loads would otherwise both see the old PackInfo.
		ForUpdate: " FOR UPDATE",
		// READ COMMITTED would give each query of a read its own
		// snapshot; a page and its children must come from one.
		ReadTx:    sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		IsInvalid: isInvalid,
		IsUnique:  isUnique,
	}
}

// isUnique reports whether err is a unique violation (SQLSTATE 23505).
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// isInvalid reports whether err is a PostgreSQL error of class 23
// (integrity constraint violation: foreign key, unique, check, not null) or
// 22021 (a character the encoding cannot hold, such as NUL), by SQLSTATE.
func isInvalid(err error) bool {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return false
	}
	return strings.HasPrefix(e.Code, "23") || e.Code == "22021"
}
