package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
)

// budgetDesk is a desk over e's store with the budget b.
func budgetDesk(tb testing.TB, e *deskEnv, b Budget, log *slog.Logger) *Desk {
	tb.Helper()
	d, err := New(Config{Store: e.db, Secret: e.secret, Now: e.Now, Budget: b, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// tipSize is what a text-only tip costs in ciphertext: all short tips
// have one size once padded.
func tipSize(tb testing.TB, e *deskEnv) int64 {
	tb.Helper()
	ctx := context.Background()
	rc, err := e.desk.Submit(ctx, Tip{WhatHappened: "measure"})
	if err != nil {
		tb.Fatal(err)
	}
	tip, err := e.db.TipByReceipt(ctx, e.secret.ReceiptHash(rc))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.db.PurgeTips(ctx, e.Now().Add(24*time.Hour), store.PurgeManual, e.Now()); err != nil {
		tb.Fatal(err)
	}
	return tip.Size
}

func wantFull(tb testing.TB, what string, err error, limit string, retry time.Duration) {
	tb.Helper()
	var full *FullError
	if !errors.As(err, &full) || !errors.Is(err, ErrFull) || full.Limit != limit || full.RetryAfter != retry {
		tb.Fatalf("%s: %v (%+v), want a FullError for %s, retry after %v", what, err, full, limit, retry)
	}
}

func countStored(tb testing.TB, e *deskEnv) int {
	tb.Helper()
	_, n, err := e.db.ListTips(context.Background(), store.TipFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestBudgetHour: once a clock hour's budget is used up, tips and
// tipsters' messages are refused until the next hour, operators' replies
// still go through, and the figures come from the store: a desk started
// afresh over it (a restart, or another server) refuses too.
func TestBudgetHour(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	size := tipSize(t, e)
	d := budgetDesk(t, e, Budget{Hour: 2*size + size/2, Day: -1}, nil)
	var rc seal.Receipt
	for i := range 2 {
		var err error
		if rc, err = d.Submit(ctx, Tip{WhatHappened: fmt.Sprint("tip ", i)}); err != nil {
			t.Fatalf("tip %d within the budget: %v", i, err)
		}
	}
	// t0 is 9:30: the hour ends in 30 minutes.
	_, err := d.Submit(ctx, Tip{WhatHappened: "one too many"})
	wantFull(t, "a third tip", err, LimitHour, 30*time.Minute)
	wantFull(t, "a tipster's message", d.AddTipsterMessage(ctx, rc, "more"), LimitHour, 30*time.Minute)
	wantFull(t, "Room", d.Room(ctx, size), LimitHour, 30*time.Minute)
	if err := d.Room(ctx, size/4); err != nil {
		t.Errorf("Room for what is left of the budget: %v", err)
	}
	if n := countStored(t, e); n != 2 {
		t.Fatalf("%d tips stored, want 2", n)
	}
	tip, err := e.db.TipByReceipt(ctx, e.secret.ReceiptHash(rc))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Reply(ctx, tip.ID, "an operator always answers"); err != nil {
		t.Errorf("an operator's reply over the budget: %v", err)
	}

	restarted := budgetDesk(t, e, Budget{Hour: 2*size + size/2, Day: -1}, nil)
	_, err = restarted.Submit(ctx, Tip{WhatHappened: "after a restart"})
	wantFull(t, "a tip to a new desk", err, LimitHour, 30*time.Minute)

	e.set(t0.Add(time.Hour))
	if _, err := d.Submit(ctx, Tip{WhatHappened: "the next hour"}); err != nil {
		t.Errorf("a tip in the next hour: %v", err)
	}
	if err := d.AddTipsterMessage(ctx, rc, "the next hour"); err != nil {
		t.Errorf("a message in the next hour: %v", err)
	}
}

// TestBudgetDay: the day's budget spans the last 24 clock hours; the
// oldest hour's bytes leave it when the hour turns.
func TestBudgetDay(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	size := tipSize(t, e)
	d := budgetDesk(t, e, Budget{Hour: -1, Day: 3*size + size/2}, nil)
	for i, h := range []int{0, 5, 23} {
		e.set(t0.Add(time.Duration(h) * time.Hour))
		if _, err := d.Submit(ctx, Tip{WhatHappened: fmt.Sprint("tip ", i)}); err != nil {
			t.Fatalf("tip %d: %v", i, err)
		}
	}
	e.set(t0.Add(23*time.Hour + 10*time.Minute)) // 8:40 the next day
	_, err := d.Submit(ctx, Tip{WhatHappened: "a fourth within 24 hours"})
	wantFull(t, "a fourth tip", err, LimitDay, 20*time.Minute)
	e.set(t0.Add(24*time.Hour + 40*time.Minute)) // 10:10: the tip of 9:30 yesterday is out of the window
	if _, err := d.Submit(ctx, Tip{WhatHappened: "a day later"}); err != nil {
		t.Errorf("a tip once the oldest hour left the window: %v", err)
	}
}

// TestBudgetDiskFloor: a tip that would leave less free space than the
// floor is refused; a system that cannot tell its free space is not held
// to a floor.
func TestBudgetDiskFloor(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	size := tipSize(t, e)
	var free atomic.Int64
	free.Store(1<<30 + size + size/2)
	d := budgetDesk(t, e, Budget{Hour: -1, Day: -1, MinFree: 1 << 30, Free: func() (int64, error) { return free.Load(), nil }}, nil)
	if _, err := d.Submit(ctx, Tip{WhatHappened: "fits"}); err != nil {
		t.Fatalf("a tip above the floor: %v", err)
	}
	// What the desk stored counts before the free space is read again.
	_, err := d.Submit(ctx, Tip{WhatHappened: "would cross the floor"})
	wantFull(t, "a tip crossing the floor", err, LimitDisk, diskRetry)
	// The operators make room; it is seen within budgetTTL.
	free.Store(2 << 30)
	e.set(t0.Add(budgetTTL))
	if _, err := d.Submit(ctx, Tip{WhatHappened: "room again"}); err != nil {
		t.Errorf("a tip once there is room: %v", err)
	}

	unknown := budgetDesk(t, e, Budget{Free: func() (int64, error) { return 0, fmt.Errorf("statfs: %w", errors.ErrUnsupported) }}, nil)
	if _, err := unknown.Submit(ctx, Tip{WhatHappened: "free space unknown"}); err != nil {
		t.Errorf("free space unsupported: %v", err)
	}
	broken := budgetDesk(t, e, Budget{Free: func() (int64, error) { return 0, errors.New("statfs: input/output error") }}, nil)
	if _, err := broken.Submit(ctx, Tip{WhatHappened: "x"}); err == nil || errors.Is(err, ErrFull) {
		t.Errorf("free space unreadable: %v, want an error that is not ErrFull", err)
	}
}

// TestBudgetRefusalsNotLogged: refusals write no log line of their own;
// the retention loop reports how many there were, once an interval.
func TestBudgetRefusalsNotLogged(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	var logs bytes.Buffer
	d := budgetDesk(t, e, Budget{Hour: 1, Day: -1}, slog.New(slog.NewTextHandler(&logs, nil)))
	for range 3 {
		if _, err := d.Submit(ctx, Tip{WhatHappened: "refused"}); !errors.Is(err, ErrFull) {
			t.Fatalf("Submit: %v, want ErrFull", err)
		}
	}
	if logs.Len() != 0 {
		t.Fatalf("refusals logged:\n%s", logs.String())
	}
	d.reportRefusals(ctx)
	if got := logs.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "level=WARN") || !strings.Contains(got, "hour_budget=3") {
		t.Errorf("the report is %q, want one warning counting 3", got)
	}
	logs.Reset()
	d.reportRefusals(ctx)
	if logs.Len() != 0 {
		t.Errorf("a second report with no new refusal: %q", logs.String())
	}
}

// TestSealedSizeEstimate: what RoomFor expects a tip to take is never less
// than what sealing takes, and not much more.
func TestSealedSizeEstimate(t *testing.T) {
	var recips []age.Recipient
	for range 4 {
		id, err := seal.GenerateIdentity()
		if err != nil {
			t.Fatal(err)
		}
		recips = append(recips, id.Recipient())
		for _, n := range []int{0, 5000, 64 << 10, 1<<20 + 1, 3 << 20} {
			ct, err := seal.SealPadded(make([]byte, n), 0, recips...)
			if err != nil {
				t.Fatal(err)
			}
			est := sealedSize(seal.PaddedSize(n), len(recips))
			if est < int64(len(ct)) || est > int64(len(ct))+16*int64(len(recips))+64 {
				t.Errorf("%d bytes to %d recipients: estimated %d, sealed %d", n, len(recips), est, len(ct))
			}
		}
	}
}
