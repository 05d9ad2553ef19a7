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

// openStore opens the database named by --db, creating a SQLite database
// that does not exist yet, and makes sure it holds the pack's directory
// (loading it is a no-op when it already does). It is for haven serve,
// which sets up a new installation.
func openStore(ctx context.Context, db string, p *pack.Pack) (store.DB, bool, error) {
	st, err := openOrCreateDB(ctx, db)
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

// openDB opens the SQLite file or PostgreSQL database named by --db. The
// SQLite file must exist: a command run from another folder, or with a
// mistyped --db, would otherwise work on a new, empty database and report
// no tips and no operators as if that were so. Only haven serve and haven
// keys recovery, which set up an installation, create one
// (openOrCreateDB).
func openDB(ctx context.Context, db string) (store.DB, error) {
	missing, err := sqliteMissing(db)
	if err != nil {
		return nil, err
	}
	if missing {
		return nil, fmt.Errorf("no database at %s: point --db (env HAVEN_DB) at the database haven serve uses, or, on a new installation, run haven keys recovery (or haven serve) first to create it", absPath(db))
	}
	return openOrCreateDB(ctx, db)
}

// sqliteMissing reports whether --db names a SQLite file that does not
// exist. A PostgreSQL URL is never missing: the server says whether the
// database is there.
func sqliteMissing(db string) (bool, error) {
	if isPostgres(db) {
		return false, nil
	}
	if db == "" {
		return false, fmt.Errorf("--db is empty: name a SQLite file or a postgres:// URL: %w", errUsage)
	}
	_, err := os.Stat(db)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("database %s: %w", absPath(db), err)
	}
	return false, nil
}

// absPath is path, followed by its absolute form when path is relative:
// which folder a relative --db was looked for in is the first question
// when it is not there.
func absPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil || abs == path {
		return path
	}
	return fmt.Sprintf("%s (%s)", path, abs)
}

// openOrCreateDB opens the SQLite file or PostgreSQL database named by
// --db, creating a SQLite file, and its folder, that does not exist yet.
func openOrCreateDB(ctx context.Context, db string) (store.DB, error) {
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
// no directory yet gets the pack, so the commands work on a database
// haven keys recovery has just made. A missing SQLite file is refused, as
// by openDB.
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
