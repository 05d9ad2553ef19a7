package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

func TestTipsContract(t *testing.T) {
	storetest.RunTips(t, func(t *testing.T) storetest.TipStore { return tipRows{openTest(t)} })
}

// tipRows gives the tip suite the row counts it checks purges with.
type tipRows struct{ *DB }

func (r tipRows) CountRows(ctx context.Context, table string) (int, error) {
	var n int
	err := r.read.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// TestFreeBytes: the free space of the database's file system is known
// (on the systems Haven's servers run), or plainly unsupported.
func TestFreeBytes(t *testing.T) {
	n, err := openTest(t).FreeBytes()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("FreeBytes: %v", err)
	}
	if err != nil || n <= 0 {
		t.Fatalf("FreeBytes = %d, %v; want the free bytes of the temporary folder", n, err)
	}
}

// TestPragmas checks every connection of both pools, not the DSN.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	want := map[string]string{
		"journal_mode":  "wal",
		"foreign_keys":  "1",
		"secure_delete": "1",
		"synchronous":   "2", // FULL: a commit is on disk when it returns
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
	if isUnique(err) {
		t.Errorf("isUnique(%v) = true for a foreign key violation", err)
	}
	_, err = db.write.ExecContext(ctx, `SELECT * FROM no_such_table`)
	if err == nil || isConstraint(err) {
		t.Errorf("isConstraint(%v) = true, want false", err)
	}
	const op = `INSERT INTO operators (name, recipient, created) VALUES ('ana', 'age1x', 0)`
	if _, err := db.write.ExecContext(ctx, op); err != nil {
		t.Fatal(err)
	}
	_, err = db.write.ExecContext(ctx, op)
	if err == nil || !isUnique(err) || !isConstraint(err) {
		t.Errorf("duplicate name: isUnique(%v) = false, want true", err)
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

// TestPurgeLeavesNoTrace: after PurgeTips, not one byte sequence of a
// purged tip (its receipt hash, ciphertext, attachments and messages, in
// row and overflow pages) is left in the database file, its WAL or its
// shared-memory file. A tip that was not purged is still found byte for
// byte, and so were the purged ones before the purge: the scan works.
func TestPurgeLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "haven.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	marker := func() []byte {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	// blob is n bytes of filler with the marker at its start and its end,
	// so that a large blob has one in an overflow page.
	blob := func(m []byte, n int) []byte {
		b := bytes.Repeat([]byte{'.'}, n)
		copy(b, m)
		copy(b[n-len(m):], m)
		return b
	}
	old := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	recent := old.Add(30 * 24 * time.Hour)
	var purged [][]byte
	for i := range 20 {
		hash, tip, small, large, msg := marker(), marker(), marker(), marker(), marker()
		id, err := db.CreateTip(ctx, store.NewTip{
			ReceiptHash: hash, ReplyRecipient: storetest.RecipientB, Sealed: blob(tip, 2048),
			Attachments: []store.NewAttachment{{Sealed: blob(small, 300)}, {Sealed: blob(large, 100_000)}},
			Now:         old.Add(time.Duration(i) * time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddTipMessage(ctx, id, store.AuthorOperator, blob(msg, 1000), old.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		purged = append(purged, hash, tip, small, large, msg)
	}
	control := marker()
	if _, err := db.CreateTip(ctx, store.NewTip{
		ReceiptHash: marker(), ReplyRecipient: storetest.RecipientB, Sealed: blob(control, 2048), Now: recent,
	}); err != nil {
		t.Fatal(err)
	}
	files := func() []byte {
		var all []byte
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	before := files()
	for i, m := range purged {
		if !bytes.Contains(before, m) {
			t.Fatalf("marker %d is not in the files before the purge: the scan finds nothing", i)
		}
	}

	n, err := db.PurgeTips(ctx, recent, store.PurgeManual, recent)
	if err != nil || n != 20 {
		t.Fatalf("PurgeTips = %d, %v; want 20, nil", n, err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("the WAL holds %d bytes after PurgeTips, want 0", fi.Size())
	}
	after := files() // while open
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	closed := files()
	for i, m := range purged {
		if bytes.Contains(after, m) {
			t.Errorf("marker %d of a purged tip is still in the files after PurgeTips", i)
		}
		if bytes.Contains(closed, m) {
			t.Errorf("marker %d of a purged tip is in the files after Close", i)
		}
	}
	if !bytes.Contains(after, control) || !bytes.Contains(closed, control) {
		t.Error("the marker of the tip that was kept is not in the files: the scan is broken")
	}
}

// TestGroupCommit drives the committer by hand: the one write connection
// is held, so tips queue; a caller that gives up while queued leaves
// nothing behind; the queue then commits in one batch in which a
// duplicate fails alone; Close commits what is queued and later calls are
// refused.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

	// Hold the write connection, as a long directory load would.
	conn, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hold, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	// The first tip is taken by the committer, which then waits for the
	// connection; the rest queue behind it.
	type result struct {
		id  int64
		err error
	}
	first := make(chan result, 1)
	go func() {
		id, err := db.CreateTip(ctx, storetest.NewTestTip(t, now, "first"))
		first <- result{id, err}
	}()
	waitFor(t, "the committer to wait for the connection", func() bool { return db.write.Stats().WaitCount > 0 })

	const n = 8
	tips := make([]store.NewTip, n)
	for i := range tips {
		tips[i] = storetest.NewTestTip(t, now, fmt.Sprint("queued ", i), "attachment")
	}
	tips[5].ReceiptHash = bytes.Clone(tips[2].ReceiptHash) // a duplicate in the same batch
	cctx, cancel := context.WithCancel(ctx)
	results := make([]chan result, n)
	for i := range tips {
		results[i] = make(chan result, 1)
		c := ctx
		if i == 7 {
			c = cctx
		}
		go func() {
			id, err := db.CreateTip(c, tips[i])
			results[i] <- result{id, err}
		}()
		waitFor(t, "the tip to queue", func() bool { return db.tips.Stats().Queued == i+1 })
	}
	cancel()
	if r := <-results[7]; !errors.Is(r.err, context.Canceled) {
		t.Errorf("queued tip whose context was canceled: %d, %v; want context.Canceled", r.id, r.err)
	}

	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if r := <-first; r.err != nil {
		t.Fatalf("first tip: %v", r.err)
	}
	for i := 0; i < 7; i++ {
		r := <-results[i]
		if i == 5 {
			if !errors.Is(r.err, store.ErrConflict) {
				t.Errorf("duplicate: %d, %v; want ErrConflict", r.id, r.err)
			}
			continue
		}
		if r.err != nil {
			t.Errorf("tip %d: %v", i, r.err)
			continue
		}
		got, err := db.Tip(ctx, r.id)
		if err != nil || !bytes.Equal(got.Sealed, tips[i].Sealed) {
			t.Errorf("tip %d: Tip(%d) = %q, %v", i, r.id, got.Sealed, err)
		}
	}
	if _, err := db.TipByReceipt(ctx, tips[7].ReceiptHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the canceled tip: TipByReceipt err = %v, want ErrNotFound", err)
	}
	// The first tip alone, then the six queued ones together.
	if st := db.tips.Stats(); st.Batches != 2 || st.Tips != 7 {
		t.Errorf("Stats = %+v, want 2 batches of 7 tips in all", st)
	}
	var count int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM tip_attachments`).Scan(&count); err != nil || count != 6 {
		t.Errorf("tip_attachments has %d rows (%v), want 6: the failed duplicate left some behind", count, err)
	}

	// Close commits what is queued, then refuses.
	db2, err := Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = db2.CreateTip(ctx, storetest.NewTestTip(t, now, "closing")) })
	}
	waitFor(t, "tips to be under way", func() bool { st := db2.tips.Stats(); return st.Tips+int64(st.Queued) > 0 })
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	stored := db2.tips.Stats().Tips
	refused := 0
	for _, err := range errs {
		if err != nil {
			refused++
		}
	}
	if stored+int64(refused) != 20 {
		t.Errorf("after Close: %d stored and %d refused, want 20 in all", stored, refused)
	}
	if _, err := db2.CreateTip(ctx, storetest.NewTestTip(t, now, "late")); err == nil {
		t.Error("CreateTip after Close succeeded")
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

// BenchmarkCreateTip stores tips of 2 KB of ciphertext from many
// goroutines at once, as concurrent HTTP requests would, with group commit
// (DB.CreateTip) and with one transaction and fsync per tip
// (sqlstore.Store.CreateTip).
func BenchmarkCreateTip(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		create func(db *DB) func(context.Context, store.NewTip) (int64, error)
	}{
		{"group-commit", func(db *DB) func(context.Context, store.NewTip) (int64, error) { return db.CreateTip }},
		{"commit-per-tip", func(db *DB) func(context.Context, store.NewTip) (int64, error) { return db.Store.CreateTip }},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := openTest(b)
			create := c.create(db)
			sealed := make([]byte, 2048)
			if _, err := rand.Read(sealed); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			b.SetParallelism(32) // 32 per CPU: many requests in flight
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				hash := make([]byte, store.ReceiptHashSize)
				for pb.Next() {
					if _, err := rand.Read(hash); err != nil {
						b.Error(err)
						return
					}
					if _, err := create(ctx, store.NewTip{
						ReceiptHash: bytes.Clone(hash), ReplyRecipient: storetest.RecipientB, Sealed: sealed, Now: now,
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tips/s")
			if st := db.tips.Stats(); st.Batches > 0 {
				b.ReportMetric(float64(st.Tips)/float64(st.Batches), "tips/batch")
			}
		})
	}
}

// BenchmarkLoadDirectory measures what synchronous FULL costs the
// directory's loads against NORMAL: one more fsync per load.
func BenchmarkLoadDirectory(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"NORMAL", "FULL"} {
		b.Run("synchronous="+mode, func(b *testing.B) {
			db := openTest(b)
			// The write pool is one connection that is never closed, so
			// this applies to every load below.
			if _, err := db.write.ExecContext(ctx, "PRAGMA synchronous = "+mode); err != nil {
				b.Fatal(err)
			}
			d := storetest.Synthetic(1000)
			i := 0
			for b.Loop() {
				i++
				if _, err := db.LoadDirectory(ctx, store.PackInfo{ID: "bench", Hash: fmt.Sprint(i)}, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
