package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/postgres"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/packs"
)

// loadPack loads the pack folder dir, or the embedded U.S. pack when dir is
// empty. Problems are named with the folder, file and line.
func loadPack(dir string) (*pack.Pack, error) {
	var fsys fs.FS = packs.US()
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("pack folder: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("pack folder %s is not a folder", dir)
		}
		fsys = os.DirFS(dir)
	}
	p, err := pack.Load(fsys)
	if err != nil {
		probs := pack.Problems(err)
		if probs == nil {
			return nil, err
		}
		lines := make([]string, len(probs))
		for i, pr := range probs {
			if dir != "" {
				pr.File = filepath.Join(dir, pr.File)
			}
			lines[i] = pr.String()
		}
		return nil, &packError{lines: lines}
	}
	return p, nil
}

// packError lists a pack's problems, one per line.
type packError struct{ lines []string }

func (e *packError) Error() string {
	return fmt.Sprintf("the pack has %d problem(s):\n%s", len(e.lines), strings.Join(e.lines, "\n"))
}

// isPostgres reports whether the --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the database named by --db and makes sure it holds the
// pack's directory (loading it is a no-op when it already does).
func openStore(ctx context.Context, db string, p *pack.Pack) (store.DB, bool, error) {
	st, err := openDB(ctx, db)
	if err != nil {
		return nil, false, err
	}
	changed, err := st.LoadDirectory(ctx, store.PackInfo{ID: p.Meta.ID, Hash: p.Hash}, &p.Directory)
	if err != nil {
		st.Close()
		return nil, false, fmt.Errorf("load pack %s into the database: %w", p.Meta.ID, err)
	}
	return st, changed, nil
}

// openDB opens the SQLite file or PostgreSQL database named by --db.
func openDB(ctx context.Context, db string) (store.DB, error) {
	var (
		st  store.DB
		err error
	)
	if isPostgres(db) {
		st, err = postgres.Open(ctx, db)
	} else {
		st, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		if errors.Is(err, store.ErrSchemaTooNew) {
			return nil, fmt.Errorf("%w (database %s)", err, redactDSN(db))
		}
		return nil, fmt.Errorf("open database %s: %w", redactDSN(db), err)
	}
	return st, nil
}

// redactDSN hides a password in a database URL before it is printed.
func redactDSN(db string) string {
	if !isPostgres(db) {
		return db
	}
	at := strings.LastIndex(db, "@")
	scheme := strings.Index(db, "://") + 3
	if at < scheme {
		return db
	}
	if colon := strings.Index(db[scheme:at], ":"); colon >= 0 {
		return db[:scheme+colon] + ":xxxxx" + db[at:]
	}
	return db
}

// openData opens the database for the read commands (find, show,
// export). They read what the database holds and never replace it: only
// `haven serve` loads a pack into a database that has one. A database with
// no directory yet gets the pack, so the commands work on a fresh machine.
func openData(ctx context.Context, env Env, sf storeFlags) (*pack.Pack, store.DB, error) {
	p, err := loadPack(sf.pack)
	if err != nil {
		return nil, nil, err
	}
	st, err := openDB(ctx, sf.db)
	if err != nil {
		return nil, nil, err
	}
	info, err := st.Pack(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, err := st.LoadDirectory(ctx, store.PackInfo{ID: p.Meta.ID, Hash: p.Hash}, &p.Directory); err != nil {
			st.Close()
			return nil, nil, fmt.Errorf("load pack %s into the database: %w", p.Meta.ID, err)
		}
	case err != nil:
		st.Close()
		return nil, nil, fmt.Errorf("read the database's pack: %w", err)
	case info.Hash != p.Hash:
		fmt.Fprintf(env.Stderr, "note: the database holds another version of pack %s than this one; showing the database's. `haven serve` with this pack loads it.\n", info.ID)
	}
	return p, st, nil
}
