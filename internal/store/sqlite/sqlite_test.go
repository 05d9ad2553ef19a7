package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/migrate"
	"github.com/haven-project/haven/internal/store/storetest"
)

// openTest opens a new database in its own temporary directory, closed
// when tb ends.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "haven.db"))
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
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}

// TestPragmas checks every connection of both pools, not the DSN.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	want := map[string]string{
		"journal_mode":  "wal",
		"foreign_keys":  "1",
		"secure_delete": "1",
		"synchronous":   "1", // NORMAL
		"busy_timeout":  "5000",
	}
	check := func(pool string, conn *sql.Conn, queryOnly string) {
		t.Helper()
		for name, w := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatalf("%s pool: PRAGMA %s: %v", pool, name, err)
			}
			if strings.ToLower(got) != w {
				t.Errorf("%s pool: PRAGMA %s = %q, want %q", pool, name, got, w)
			}
		}
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA query_only").Scan(&got); err != nil {
			t.Fatalf("%s pool: PRAGMA query_only: %v", pool, err)
		}
		if got != queryOnly {
			t.Errorf("%s pool: PRAGMA query_only = %q, want %q", pool, got, queryOnly)
		}
	}

	w, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("write", w, "0")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Hold several read connections at once so that each is a new one.
	var conns []*sql.Conn
	for i := 0; i < 3; i++ {
		c, err := db.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		check("read", c, "1")
	}
	for _, c := range conns {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.read.ExecContext(ctx, "DELETE FROM services"); err == nil {
		t.Error("a write through the read pool succeeded")
	}
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "haven")
	path := filepath.Join(dir, "haven.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	// A write makes the -wal and -shm files, which must be as private.
	if _, err := db.LoadDirectory(context.Background(), store.PackInfo{ID: "test"}, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{
		dir: 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

// TestOpenOddPath: the path goes into a file: URI; characters that mean
// something in a URI must still name the file given.
func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a b?c#d%20e")
	path := filepath.Join(dir, "haven?.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := db.LoadDirectory(ctx, store.PackInfo{ID: "test"}, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) == 0 || names[0] != "haven?.db" {
		t.Fatalf("files in %s: %v; want haven?.db", dir, names)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("the database was not written at %s (%v)", path, err)
	}
}

// TestLifecycle: restarts keep the directory and apply nothing twice; a
// newer Haven's database is refused. An up-to-date database also gets
// nothing from the migration runner itself.
func TestLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haven.db")
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunLifecycle(t, storetest.Lifecycle[*DB]{
		Open: func(ctx context.Context) (*DB, error) { return Open(ctx, path) },
		Exec: func(ctx context.Context, db *DB, q string) error {
			if applied, err := migrate.Apply(ctx, db.write, migrate.Dialect{}, ms); err != nil || len(applied) != 0 {
				t.Errorf("Apply on an up-to-date database applied %v, %v; want nothing", applied, err)
			}
			_, err := db.write.ExecContext(ctx, q)
			return err
		},
		Migrations: migrations,
		Known:      len(ms),
	})
}

// migrations lists the rows of schema_migrations.
func migrations(tb testing.TB, db *DB) []string {
	tb.Helper()
	rows, err := db.read.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v, name, at string
		if err := rows.Scan(&v, &name, &at); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v+" "+name+" "+at)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestConstraintErrorsAreInvalid checks the driver error mapping on a real
// violation, which LoadDirectory's own checks keep from happening there.
func TestConstraintErrorsAreInvalid(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	_, err := db.write.ExecContext(ctx, `INSERT INTO services (slug, position, organization_id, name, kind,
		law_enforcement, immigration_authority, multilingual, search_text) VALUES ('x', 0, 12345, 'X', 'hotline', 0, 0, 0, 'x')`)
	if err == nil {
		t.Fatal("a service of a missing organization was stored")
	}
	if !isConstraint(err) {
		t.Errorf("isConstraint(%v) = false, want true", err)
	}
	_, err = db.write.ExecContext(ctx, `SELECT * FROM no_such_table`)
	if err == nil || isConstraint(err) {
		t.Errorf("isConstraint(%v) = true, want false", err)
	}
}

func BenchmarkListServices(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	if _, err := db.LoadDirectory(ctx, store.PackInfo{ID: "bench", Hash: "1"}, storetest.Fixture()); err != nil {
		b.Fatal(err)
	}
	run := func(name string, f store.ServiceFilter, want int) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				svcs, _, err := db.ListServices(ctx, f)
				if err != nil || len(svcs) != want {
					b.Fatalf("ListServices: %d services, %v; want %d", len(svcs), err, want)
				}
			}
		})
	}
	run("fixture/all", store.ServiceFilter{}, 5)
	run("fixture/topic+query", store.ServiceFilter{Topic: "labor", Query: "tip"}, 2)

	big := openTest(b)
	if _, err := big.LoadDirectory(ctx, store.PackInfo{ID: "bench", Hash: "1"}, storetest.Synthetic(1000)); err != nil {
		b.Fatal(err)
	}
	db = big
	run("synthetic-1000/page-of-20", store.ServiceFilter{Limit: 20, Offset: 500}, 20)
	run("synthetic-1000/page-of-200", store.ServiceFilter{}, 200)
	run("synthetic-1000/topic+query", store.ServiceFilter{Topic: "youth", Query: "number 99", Limit: 20}, 5) // 990, 993, 994, 997, 998
}

func BenchmarkService(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	if _, err := db.LoadDirectory(ctx, store.PackInfo{ID: "bench", Hash: "1"}, storetest.Fixture()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.Service(ctx, "national-hotline"); err != nil {
			b.Fatal(err)
		}
	}
}
