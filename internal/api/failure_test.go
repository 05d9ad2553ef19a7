package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/tiphttp"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
)

// fullDisk is a tip store whose writes fail as a full disk's do.
type fullDisk struct{ store.TipStore }

var errFull = errors.New("sqlite: database or disk is full (13)")

func (fullDisk) CreateTip(context.Context, store.NewTip) (int64, error) { return 0, errFull }

// TestTipFailuresAreCountedNotLogged: a tip the store cannot keep answers
// an error, and leaves no log line of its own (whose time would sit next
// to the tip's); the desk logs the count once an interval instead.
func TestTipFailuresAreCountedNotLogged(t *testing.T) {
	ctx := context.Background()
	db, p := testenv.USStore(t)
	rec, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRecoveryRecipient(ctx, rec.Recipient().String(), testNow); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var secret seal.Secret
	copy(secret[:], randomBytes(t, len(secret)))
	desk, err := intake.New(intake.Config{Store: fullDisk{db}, Secret: secret, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	guard, err := intake.NewGuard(intake.GuardConfig{Secret: secret, MinAge: -1, GlobalPerSecond: -1, SourcePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Store: db, Meta: p.Meta, Logger: logger, Desk: desk, Guard: tiphttp.NewGate(guard, tiphttp.Config{})})
	mux := route.NewMux(route.Config{})
	a.Register(mux)

	for range 3 {
		tok, err := guard.Token()
		if err != nil {
			t.Fatal(err)
		}
		body := jsonBody(t, map[string]any{"token": tok, "what_happened": "Someone is kept at the farm."})
		r := httptest.NewRequest("POST", "/api/v1/tips", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code < 500 {
			t.Fatalf("a tip on a full disk: %d %s", w.Code, w.Body.Bytes())
		}
	}
	if logs.Len() != 0 {
		t.Fatalf("a failed tip was logged on its own:\n%s", logs.String())
	}

	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { desk.LogFailures(lctx, 20*time.Millisecond); close(done) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	out := logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "failed=3") || !strings.Contains(out, "disk is full") {
		t.Errorf("want one line counting 3 failures, got:\n%s", out)
	}
}
