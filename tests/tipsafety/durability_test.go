package tipsafety

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
)

// TestDurability: a tip whose 201 arrived is on disk. Rounds of
// concurrent clients send tips to the real server; the instant a chosen
// 201 arrives the server gets SIGKILL. The database, opened directly
// after each kill (recovering its WAL), holds every tip that was
// acknowledged, and each one opens to the text that was sent. The next
// round restarts the server on the same files.
func TestDurability(t *testing.T) {
	rounds, clients := 20, 8
	if testing.Short() {
		rounds = 3
	}
	dataDir, k := newInstall(t)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	tmpDir := t.TempDir()
	ctx := context.Background()
	acked := map[seal.Receipt]string{} // every acknowledged tip, all rounds
	for round := range rounds {
		srv := startServer(t, dataDir, logPath, tmpDir,
			"--log-level", "info", "--tip-min-seconds", "0", "--tip-rate", "-1", "--tip-rate-source", "-1")
		// Kill at the killAt-th acknowledgment of the round: sometimes the
		// first, sometimes well into a stream of concurrent commits.
		killAt := 1 + rand.IntN(60)
		var (
			mu     sync.Mutex
			got    = map[seal.Receipt]string{}
			n      counter
			killed = make(chan struct{})
			once   sync.Once
		)
		kill := func() {
			once.Do(func() {
				_ = srv.cmd.Process.Kill() // SIGKILL
				close(killed)
			})
		}
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				hc := &http.Client{Timeout: 10 * time.Second}
				for seq := 0; ; seq++ {
					select {
					case <-killed:
						return
					default:
					}
					text := fmt.Sprintf("round %d client %d tip %d %016x", round, c, seq, rand.Uint64())
					rc, ok := sendTip(hc, srv.url, text)
					if !ok {
						continue // refused or cut off by the kill: not acknowledged
					}
					mu.Lock()
					got[rc] = text
					mu.Unlock()
					if n.inc() == killAt {
						kill()
					}
				}
			})
		}
		// A server that never reaches killAt (it cannot: clients loop until
		// the kill) would hang the test; bound the round.
		select {
		case <-killed:
		case <-time.After(60 * time.Second):
			kill()
			t.Errorf("round %d: %d acknowledgments in a minute, want %d", round, n.n, killAt)
		}
		wg.Wait()
		srv.kill()

		// Open the files as the crash left them.
		db, err := sqlite.Open(ctx, filepath.Join(dataDir, "haven.db"))
		if err != nil {
			t.Fatalf("round %d: open after SIGKILL: %v", round, err)
		}
		secret, err := seal.LoadOrCreateSecret(filepath.Join(dataDir, "tips.secret"))
		if err != nil {
			t.Fatal(err)
		}
		for rc, text := range got {
			acked[rc] = text
		}
		missing := 0
		for rc, text := range acked {
			tip, err := db.TipByReceipt(ctx, secret.ReceiptHash(rc))
			if err != nil {
				missing++
				continue
			}
			doc, err := intake.OpenTip(tip, k.recovery)
			if err != nil || doc.WhatHappened != text {
				t.Errorf("round %d: a tip opens to %q (%v), want %q", round, doc.WhatHappened, err, text)
			}
		}
		_, total, err := db.ListTips(ctx, store.TipFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if missing > 0 {
			t.Fatalf("round %d (killed at the %d. acknowledgment): %d of %d acknowledged tips are missing", round, killAt, missing, len(acked))
		}
		if total < len(acked) {
			t.Fatalf("round %d: %d tips stored, %d acknowledged", round, total, len(acked))
		}
		t.Logf("round %d: killed at acknowledgment %d; %d acknowledged this round, %d in all, %d stored", round, killAt, len(got), len(acked), total)
	}
	if b, err := os.ReadFile(logPath); err == nil && bytes.Contains(b, []byte("level=ERROR")) {
		t.Logf("server errors:\n%s", b)
	}
}

// sendTip gets a token and sends a JSON tip; ok only for a 201 with a
// receipt.
func sendTip(hc *http.Client, base, text string) (seal.Receipt, bool) {
	resp, err := hc.Get(base + "/api/v1/tips/token")
	if err != nil {
		return seal.Receipt{}, false
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return seal.Receipt{}, false
	}
	body, _ := json.Marshal(map[string]string{"token": tok.Token, "what_happened": text})
	resp, err = hc.Post(base+"/api/v1/tips", "application/json", bytes.NewReader(body))
	if err != nil {
		return seal.Receipt{}, false
	}
	defer resp.Body.Close()
	var got struct {
		Receipt string `json:"receipt"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		return seal.Receipt{}, false
	}
	rc, err := seal.ParseReceipt(got.Receipt)
	return rc, err == nil
}
