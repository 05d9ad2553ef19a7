package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/store"
)

// Lifecycle is what RunLifecycle needs of a backend: a way to open one
// database again and again, as a restarted Haven does, and to reach its
// schema_migrations table.
type Lifecycle[S store.Store] struct {
	// Open opens the same database each time it is called.
	Open func(ctx context.Context) (S, error)
	// Exec runs one SQL statement on s's database.
	Exec func(ctx context.Context, s S, query string) error
	// Migrations lists the rows of schema_migrations, in version order.
	Migrations func(tb testing.TB, s S) []string
	// Known is the number of migrations the backend ships.
	Known int
}

// RunLifecycle checks what happens across restarts, on every backend:
// reopening applies no migration twice and keeps the directory, and a
// database written by a newer Haven is refused with a clear error.
func RunLifecycle[S store.Store](t *testing.T, l Lifecycle[S]) {
	ctx := context.Background()
	db, err := l.Open(ctx)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := db.LoadDirectory(ctx, store.PackInfo{ID: "test", Hash: "1"}, Fixture()); err != nil {
		t.Fatal(err)
	}
	before := l.Migrations(t, db)
	if len(before) != l.Known {
		t.Errorf("schema_migrations has %d rows, want one per migration (%d)", len(before), l.Known)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = l.Open(ctx)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if after := l.Migrations(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("schema_migrations changed on reopen:\nbefore %v\nafter  %v", before, after)
	}
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, Fixture()) {
		t.Error("the directory did not survive a reopen")
	}

	// A migration this Haven does not know: a newer Haven wrote the database.
	if err := l.Exec(ctx, db, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2099-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = l.Open(ctx)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database from a newer Haven succeeded")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("err = %v, want ErrSchemaTooNew", err)
	}
	if !strings.Contains(err.Error(), "version 9999") || !strings.Contains(err.Error(), "upgrade Haven") {
		t.Errorf("err = %q; want it to name version 9999 and say to upgrade Haven", err)
	}
}
