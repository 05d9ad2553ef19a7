package tipsafety

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
)

// window is how many bytes of ciphertext are searched for at once: long
// enough that random bytes never match by chance, short enough to fit
// between the headers of SQLite's overflow pages.
const window = 32

// windows cuts b into non-overlapping windows, leaving out those that
// occur in common, which are the fixed text of the age header
// ("age-encryption.org/v1\n-> X25519 ") rather than ciphertext.
func windows(b, common []byte) [][]byte {
	var out [][]byte
	for i := 0; i+window <= len(b); i += window {
		if w := b[i : i+window]; !bytes.Contains(common, w) {
			out = append(out, w)
		}
	}
	return out
}

// dbFiles reads the database, its WAL and shared-memory file, and any
// other file SQLite left beside them. It reads them in a child process
// (cat): closing a descriptor of the database file in this process, which
// has the database open, would drop every POSIX lock SQLite holds on it
// here, and another process could then delete the WAL under it.
func dbFiles(t *testing.T, dataDir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "haven.db") {
			continue
		}
		b, err := exec.Command("cat", filepath.Join(dataDir, e.Name())).Output()
		if err != nil {
			t.Fatalf("read %s: %v", e.Name(), err)
		}
		out[e.Name()] = b
	}
	return out
}

// countFound counts the windows of the ciphertexts present in files.
func countFound(files map[string][]byte, ciphertexts [][]byte, common []byte) (found, total int, where map[string]int) {
	where = map[string]int{}
	for _, c := range ciphertexts {
		for _, w := range windows(c, common) {
			total++
			for name, b := range files {
				if bytes.Contains(b, w) {
					found++
					where[name]++
					break
				}
			}
		}
	}
	return found, total, where
}

// TestPurgeErases: tips past their retention are purged, by `haven tips
// purge` and by Desk.Purge with the clock moved on (as the server's
// retention loop runs it), and afterwards no window of their ciphertext
// (the tip, its attachments, its messages) is left in the database file,
// the WAL or the shared-memory file, while newer tips are kept and open.
func TestPurgeErases(t *testing.T) {
	dataDir, k := newInstall(t)
	dbPath := filepath.Join(dataDir, "haven.db")
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServer(t, dataDir, logPath, t.TempDir(), "--tip-min-seconds", "0")
	c := newClient(srv.url)
	big := bytes.Repeat([]byte(randomHex(t, 32)), 3000) // 192 KB, over many overflow pages
	var recent []seal.Receipt
	for i, files := range [][]attachment{
		nil,
		{{"big.txt", "text/plain", big}},
		{{"a.txt", "text/plain", []byte("small")}, {"p.jpg", "image/jpeg", photo(t, "purge me")}},
	} {
		ct, body := form(t, [][2]string{{"token", c.apiToken(t)}, {"what_happened", strings.Repeat("tip to purge ", 50+i)}}, files...)
		rc := submitAPI(t, c, ct, body.Bytes())
		msg, _ := json.Marshal(map[string]string{"receipt": rc.String(), "message": strings.Repeat("more ", 40)})
		if status, b := c.do(t, "POST", "/api/v1/tips/messages", "application/json", bytes.NewReader(msg)); status != http.StatusCreated {
			t.Fatalf("message: %d %s", status, b)
		}
		recent = append(recent, rc)
	}
	// Killed, not stopped: the tips are still in the WAL, not yet
	// checkpointed into the database file, as after a crash.
	srv.kill()

	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := seal.LoadOrCreateSecret(filepath.Join(dataDir, "tips.secret"))
	if err != nil {
		t.Fatal(err)
	}
	// Tips that arrived long ago, through a desk whose clock says so.
	past := time.Now().Add(-intake.DefaultRetention - 48*time.Hour)
	oldDesk, err := intake.New(intake.Config{Store: db, Secret: secret, Now: func() time.Time { return past }})
	if err != nil {
		t.Fatal(err)
	}
	var old []seal.Receipt
	for i := range 2 {
		rc, err := oldDesk.Submit(ctx, intake.Tip{WhatHappened: "an old tip", Files: []intake.File{{Name: "old.txt", Type: "text/plain", Data: big[i*1000:]}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := oldDesk.AddTipsterMessage(ctx, rc, strings.Repeat("old message ", 30)); err != nil {
			t.Fatal(err)
		}
		tip, err := db.TipByReceipt(ctx, secret.ReceiptHash(rc))
		if err != nil {
			t.Fatal(err)
		}
		if err := oldDesk.Reply(ctx, tip.ID, strings.Repeat("old reply ", 30)); err != nil {
			t.Fatal(err)
		}
		old = append(old, rc)
	}
	oldCiphertexts, recentCiphertexts := ciphertextsOf(t, db, secret, old), ciphertextsOf(t, db, secret, recent)
	defer db.Close()
	// What every ciphertext to these keys has in common.
	common, err := seal.Seal([]byte("x"), k.recovery.Recipient(), k.operator.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	// present checks that nearly every window of the ciphertexts is in the
	// files (a window across a page boundary is not): the search works.
	present := func(when string, ciphertexts [][]byte) {
		t.Helper()
		found, total, where := countFound(dbFiles(t, dataDir), ciphertexts, common)
		if found < total*9/10 {
			t.Fatalf("%s: only %d of %d ciphertext windows are found (%v)", when, found, total, where)
		}
		t.Logf("%s: %d of %d windows found, by file %v", when, found, total, where)
	}
	gone := func(when string, ciphertexts [][]byte) {
		t.Helper()
		files := dbFiles(t, dataDir)
		found, total, where := countFound(files, ciphertexts, common)
		if found > 0 {
			t.Errorf("%s: %d of %d windows of purged ciphertext are still in %v", when, found, total, where)
		}
		sizes := map[string]int{}
		for name, b := range files {
			sizes[name] = len(b)
		}
		t.Logf("%s: no window left; files %v", when, sizes)
	}
	present("before any purge, the old tips", oldCiphertexts)
	present("before any purge, the recent tips", recentCiphertexts)

	// haven tips purge, with the real clock, while this process has the
	// database open too: the old tips go, from the WAL as well.
	out, err := havenCmd(t, "tips", "purge", "--db", dbPath)
	if err != nil || !strings.Contains(string(out), "deleted 2 tip(s)") {
		t.Fatalf("haven tips purge: %q, %v", out, err)
	}
	gone("after haven tips purge", oldCiphertexts)
	present("after haven tips purge, the recent tips", recentCiphertexts)

	// Desk.Purge with the clock past the retention of the recent tips; a
	// tip that arrives then is kept.
	later := time.Now().Add(intake.DefaultRetention + 48*time.Hour)
	desk, err := intake.New(intake.Config{Store: db, Secret: secret, Now: func() time.Time { return later }})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := desk.Submit(ctx, intake.Tip{WhatHappened: "a newer tip", Files: []intake.File{{Name: "k.txt", Type: "text/plain", Data: big[:5000]}}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := desk.Purge(ctx, intake.DefaultRetention, store.PurgeManual)
	if err != nil || n != len(recent) {
		t.Fatalf("Purge: %d, %v; want %d", n, err, len(recent))
	}
	gone("after Desk.Purge", append(oldCiphertexts, recentCiphertexts...))
	for _, rc := range append(old, recent...) {
		if _, err := desk.Status(ctx, rc); !errors.Is(err, intake.ErrUnknownReceipt) {
			t.Errorf("a purged tip answers its receipt: %v", err)
		}
	}
	tip, err := db.TipByReceipt(ctx, secret.ReceiptHash(keep))
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := intake.OpenTip(tip, k.operator); err != nil || doc.WhatHappened != "a newer tip" {
		t.Errorf("the kept tip opens to %+v, %v", doc, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	gone("after closing the database", append(oldCiphertexts, recentCiphertexts...))
}

// ciphertextsOf returns every ciphertext of the tips: each tip's, its
// attachments' and its messages'.
func ciphertextsOf(t *testing.T, db *sqlite.DB, secret seal.Secret, receipts []seal.Receipt) [][]byte {
	t.Helper()
	ctx := context.Background()
	var out [][]byte
	for _, rc := range receipts {
		tip, err := db.TipByReceipt(ctx, secret.ReceiptHash(rc))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tip.Sealed)
		atts, err := db.Attachments(ctx, tip.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range atts {
			out = append(out, a.Sealed)
		}
		msgs, err := db.TipMessages(ctx, tip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			t.Fatal("a tip without messages")
		}
		for _, m := range msgs {
			out = append(out, m.Sealed)
		}
	}
	return out
}
