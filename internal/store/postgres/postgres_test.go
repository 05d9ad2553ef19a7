package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/migrate"
	"github.com/haven-project/haven/internal/store/storetest"
)

// The PostgreSQL tests need a server. Set HAVEN_TEST_POSTGRES to the DSN
// of a database the tests may create schemas in, for example
//
//	HAVEN_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./internal/store/postgres
//
// Each test works in a schema of its own, dropped when it ends, so tests
// run in parallel and leave nothing behind.
const envDSN = "HAVEN_TEST_POSTGRES"

// testSchema creates a fresh schema and returns a DSN whose search_path is
// that schema; the schema is dropped when tb ends.
func testSchema(tb testing.TB) string {
	tb.Helper()
	base := requirePostgres(tb)
	admin := adminDB(tb, base)
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	schema := "haven_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(tb, base, schema)
}

// requirePostgres returns the DSN in HAVEN_TEST_POSTGRES, or skips tb.
func requirePostgres(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		tb.Skipf("%s is not set; set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests", envDSN)
	}
	return dsn
}

// adminDB connects to the DSN as given, closed when tb ends.
func adminDB(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("%s: cannot parse the DSN", envDSN)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	return db
}

// withSearchPath adds search_path to a URL or key=value DSN.
func withSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("%s: cannot parse the DSN as a URL", envDSN)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// openTest opens a store in a fresh schema, closed when tb ends.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), testSchema(tb))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestContract(t *testing.T) {
	requirePostgres(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}

func TestTipsContract(t *testing.T) {
	requirePostgres(t)
	storetest.RunTips(t, func(t *testing.T) storetest.TipStore { return tipRows{openTest(t)} })
}

// tipRows gives the tip suite the row counts it checks purges with.
type tipRows struct{ *DB }

func (r tipRows) CountRows(ctx context.Context, table string) (int, error) {
	var n int
	err := r.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// TestSynchronousCommit: commits are durable whatever the connection
// string or the server's default says.
func TestSynchronousCommit(t *testing.T) {
	dsn := testSchema(t)
	sep := "&"
	if !strings.Contains(dsn, "?") {
		sep = "?"
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		sep = " "
	}
	param := func(k, v string) string {
		if sep == " " {
			return " " + k + "='" + v + "'"
		}
		// pgx decodes a URI's query as libpq does: %XX only, "+" is literal.
		return sep + k + "=" + strings.NewReplacer(" ", "%20", "=", "%3D").Replace(v)
	}
	for _, c := range []struct{ dsn, want string }{
		{dsn, "on"},
		{dsn + param("synchronous_commit", "off"), "on"},
		{dsn + param("options", "-c synchronous_commit=off"), "on"},
		{dsn + param("synchronous_commit", "remote_apply"), "remote_apply"},
	} {
		db, err := Open(context.Background(), c.dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		var got string
		err = db.db.QueryRowContext(context.Background(), "SHOW synchronous_commit").Scan(&got)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("synchronous_commit = %q, want %q (DSN %s)", got, c.want, strings.TrimPrefix(c.dsn, dsn))
		}
	}
}

// TestLifecycle: restarts keep the directory and apply nothing twice; a
// newer Haven's database is refused.
func TestLifecycle(t *testing.T) {
	dsn := testSchema(t)
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunLifecycle(t, storetest.Lifecycle[*DB]{
		Open: func(ctx context.Context) (*DB, error) { return Open(ctx, dsn) },
		Exec: func(ctx context.Context, db *DB, q string) error {
			_, err := db.db.ExecContext(ctx, q)
			return err
		},
		Migrations: migrations,
		Known:      len(ms),
	})
}

// TestConcurrentOpen: two Havens starting at once on an empty schema both
// succeed, and the migrations run once.
func TestConcurrentOpen(t *testing.T) {
	dsn := testSchema(t)
	errs := make(chan error, 2)
	dbs := make(chan *DB, 2)
	for i := 0; i < 2; i++ {
		go func() {
			db, err := Open(context.Background(), dsn)
			errs <- err
			dbs <- db
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Errorf("Open: %v", err)
		}
		if db := <-dbs; db != nil {
			t.Cleanup(func() { db.Close() })
		}
	}
	if t.Failed() {
		return
	}
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db := openTest(t) // a third, on the same schema
	_ = db
	if got := migrations(t, db); len(got) != len(ms) {
		t.Errorf("schema_migrations = %v, want %d rows", got, len(ms))
	}
}

func migrations(tb testing.TB, db *DB) []string {
	tb.Helper()
	rows, err := db.db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int
		var name, at string
		if err := rows.Scan(&v, &name, &at); err != nil {
			tb.Fatal(err)
		}
		out = append(out, name+" "+at)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestConstraintErrorsAreInvalid checks the SQLSTATE mapping on real
// violations, which LoadDirectory's own checks keep from happening there.
func TestConstraintErrorsAreInvalid(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	_, err := db.db.ExecContext(ctx, `INSERT INTO services (slug, position, organization_id, name, kind,
		law_enforcement, immigration_authority, multilingual, search_text) VALUES ('x', 0, 12345, 'X', 'hotline', false, false, false, 'x')`)
	if err == nil || !isInvalid(err) {
		t.Errorf("foreign key violation: isInvalid(%v) = false, want true", err)
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO organizations (slug, position, name) VALUES ($1, 0, 'x')`, "a\x00b")
	if err == nil || !isInvalid(err) {
		t.Errorf("NUL in text: isInvalid(%v) = false, want true", err)
	}
	if isUnique(err) {
		t.Errorf("isUnique(%v) = true for a bad character", err)
	}
	_, err = db.db.ExecContext(ctx, `SELECT * FROM no_such_table`)
	if err == nil || isInvalid(err) {
		t.Errorf("isInvalid(%v) = true, want false", err)
	}
	const op = `INSERT INTO operators (name, recipient, created) VALUES ('ana', 'age1x', 0)`
	if _, err := db.db.ExecContext(ctx, op); err != nil {
		t.Fatal(err)
	}
	_, err = db.db.ExecContext(ctx, op)
	if err == nil || !isUnique(err) || !isInvalid(err) {
		t.Errorf("duplicate name: isUnique(%v) = false, want true", err)
	}
}

func TestOpenBadDSN(t *testing.T) {
	_, err := Open(context.Background(), "postgres://user:secret@[bad")
	if err == nil {
		t.Fatal("Open of a malformed DSN succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the error quotes the password: %v", err)
	}
}
