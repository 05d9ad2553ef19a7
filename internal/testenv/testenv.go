// Package testenv gives tests what haven serve runs on: the embedded U.S.
// pack in a real SQLite database in a temporary folder. Only tests import it.
package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/packs"
)

// USPack loads the embedded United States pack.
func USPack(tb testing.TB) *pack.Pack {
	tb.Helper()
	p, err := pack.Load(packs.US())
	if err != nil {
		tb.Fatalf("load the U.S. pack: %v", err)
	}
	return p
}

// SQLite opens an empty SQLite store in a temporary folder, closed when the
// test ends.
func SQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "haven.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	return db
}

// USStore is a SQLite store loaded with the U.S. pack, and the pack.
func USStore(tb testing.TB) (*sqlite.DB, *pack.Pack) {
	tb.Helper()
	p := USPack(tb)
	db := SQLite(tb)
	if _, err := db.LoadDirectory(context.Background(), store.PackInfo{ID: p.Meta.ID, Hash: p.Hash}, &p.Directory); err != nil {
		tb.Fatalf("load the U.S. pack into sqlite: %v", err)
	}
	return db, p
}
