package migrate

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite"

	"github.com/haven-project/haven/internal/store"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_topics.sql":    {Data: []byte("CREATE TABLE b (x INTEGER);")},
		"m/0001_directory.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Migration{
		{Version: 1, Name: "directory", SQL: "CREATE TABLE a (x INTEGER);"},
		{Version: 2, Name: "topics", SQL: "CREATE TABLE b (x INTEGER);"},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("Load = %+v, want %+v", ms, want)
	}
	if got := ms[1].String(); got != "0002_topics" {
		t.Errorf("String() = %q, want 0002_topics", got)
	}
}

func TestLoadRefuses(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := map[string]fstest.MapFS{
		"no files":          {"m": {Mode: fs.ModeDir}},
		"hidden file":       {"m/0001_a.sql": sql, "m/.keep": {}},
		"gap":               {"m/0001_a.sql": sql, "m/0003_c.sql": sql},
		"repeat":            {"m/0001_a.sql": sql, "m/0001_b.sql": sql},
		"not from 1":        {"m/0002_b.sql": sql},
		"version 0":         {"m/0000_a.sql": sql, "m/0001_b.sql": sql},
		"dash":              {"m/0001-a.sql": sql},
		"upper case":        {"m/0001_A.sql": sql},
		"short number":      {"m/001_a.sql": sql},
		"other extension":   {"m/0001_a.sql": sql, "m/README.md": sql},
		"no name":           {"m/0001_.sql": sql},
		"missing directory": {"other/0001_a.sql": sql},
	}
	for name, fsys := range tests {
		if ms, err := Load(fsys, "m"); err == nil {
			t.Errorf("%s: Load = %v, want an error", name, ms)
		}
	}
}

func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	ms := []Migration{
		{Version: 1, Name: "a", SQL: "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
		{Version: 2, Name: "b", SQL: "CREATE TABLE b (x INTEGER);"},
	}
	applied, err := Apply(ctx, db, Dialect{}, ms)
	if err != nil || !reflect.DeepEqual(applied, []int{1, 2}) {
		t.Fatalf("Apply = %v, %v; want [1 2]", applied, err)
	}
	applied, err = Apply(ctx, db, Dialect{}, ms)
	if err != nil || len(applied) != 0 {
		t.Fatalf("Apply again = %v, %v; want nothing applied", applied, err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
		t.Errorf("table a has %d rows (%v); the first migration ran more than once", n, err)
	}

	ms = append(ms, Migration{Version: 3, Name: "c", SQL: "CREATE TABLE c (x INTEGER);"})
	applied, err = Apply(ctx, db, Dialect{}, ms)
	if err != nil || !reflect.DeepEqual(applied, []int{3}) {
		t.Fatalf("Apply with a new migration = %v, %v; want [3]", applied, err)
	}

	// A migration that fails halfway leaves nothing behind.
	bad := append(ms, Migration{Version: 4, Name: "bad", SQL: "CREATE TABLE partial (x INTEGER); SELECT nope FROM missing;"})
	if _, err := Apply(ctx, db, Dialect{}, bad); err == nil || !strings.Contains(err.Error(), "0004_bad") {
		t.Fatalf("Apply of a failing migration: err = %v, want one naming 0004_bad", err)
	}
	var tables int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'partial'").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the failed migration left its table behind (%d, %v)", tables, err)
	}
	if v := version(t, db); v != 3 {
		t.Errorf("schema version after a failed migration = %d, want 3", v)
	}

	// A binary that knows fewer migrations than the database has refuses.
	_, err = Apply(ctx, db, Dialect{}, ms[:2])
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Apply of older migrations: err = %v, want ErrSchemaTooNew", err)
	}
	if want := "database schema version 3 is newer than this Haven (knows up to 2); upgrade Haven"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestApplyPlaceholders(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	var seen []int
	d := Dialect{
		// SQLite also understands "?NNN"; this checks that the runner
		// binds through the dialect.
		Placeholder: func(n int) string { seen = append(seen, n); return "?" + string(rune('0'+n)) },
		Lock:        "SELECT 1",
	}
	if _, err := Apply(ctx, db, d, []Migration{{Version: 1, Name: "a", SQL: "SELECT 1;"}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(seen) == 0 {
		t.Error("Apply never asked the dialect for a placeholder")
	}
	if v := version(t, db); v != 1 {
		t.Errorf("schema version = %d, want 1", v)
	}
}

func version(tb testing.TB, db *sql.DB) int {
	tb.Helper()
	var v int
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}
