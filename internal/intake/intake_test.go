package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/internal/testenv"
)

var t0 = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// deskEnv is a Desk on SQLite, sealing to the recovery key and operators.
type deskEnv struct {
	db        *sqlite.DB
	desk      *Desk
	secret    seal.Secret
	recovery  *age.X25519Identity
	operators []*age.X25519Identity

	mu  sync.Mutex
	now time.Time
}

func (e *deskEnv) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *deskEnv) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

func newDeskEnv(tb testing.TB, db *sqlite.DB, operators int) *deskEnv {
	tb.Helper()
	ctx := context.Background()
	e := &deskEnv{db: db, now: t0}
	e.secret = seal.Secret{1, 2, 3}
	var err error
	if e.recovery, err = seal.GenerateIdentity(); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetRecoveryRecipient(ctx, e.recovery.Recipient().String(), t0); err != nil {
		tb.Fatal(err)
	}
	for i := range operators {
		id, err := seal.GenerateIdentity()
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := db.AddOperator(ctx, fmt.Sprintf("op%d", i), id.Recipient().String(), t0); err != nil {
			tb.Fatal(err)
		}
		e.operators = append(e.operators, id)
	}
	if e.desk, err = New(Config{Store: db, Secret: e.secret, Now: e.Now}); err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestDeskConversation: a tip, its status, a message each way, each
// readable by whom it should be.
func TestDeskConversation(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 2)
	rc, err := e.desk.Submit(ctx, Tip{WhatHappened: " help ", Files: []File{{Name: "a.txt", Type: "text/plain", Data: []byte("file")}}})
	if err != nil {
		t.Fatal(err)
	}
	tip, err := e.db.TipByReceipt(ctx, e.secret.ReceiptHash(rc))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range append([]age.Identity{e.recovery}, e.operators[0], e.operators[1]) {
		doc, err := OpenTip(tip, id)
		if err != nil || doc.WhatHappened != "help" || len(doc.Attachments) != 1 || doc.Attachments[0].Size != 4 {
			t.Fatalf("opened %+v, %v", doc, err)
		}
	}
	// The tipster's reply key does not open the tip itself.
	reply, err := e.secret.ReplyIdentity(rc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenTip(tip, reply); err == nil {
		t.Error("the receipt's key opens the tip")
	}

	if err := e.desk.AddTipsterMessage(ctx, rc, "more"); err != nil {
		t.Fatal(err)
	}
	e.set(t0.Add(3 * time.Hour))
	if err := e.desk.Reply(ctx, tip.ID, "thanks"); err != nil {
		t.Fatal(err)
	}
	st, err := e.desk.Status(ctx, rc)
	if err != nil || st.Status != store.TipNew || len(st.Messages) != 2 || st.Messages[0].Text != "more" || st.Messages[1].Author != store.AuthorOperator {
		t.Fatalf("status %+v, %v", st, err)
	}
	msgs, err := e.db.TipMessages(ctx, tip.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []age.Identity{e.recovery, e.operators[1], reply} {
		if got, err := OpenMessages(msgs, id); err != nil || len(got) != 2 {
			t.Errorf("messages opened %+v, %v", got, err)
		}
	}
	for _, text := range []string{"", "  ", "\xff", strings.Repeat("x", MaxMessageRunes+1)} {
		var fe *FieldError
		if err := e.desk.AddTipsterMessage(ctx, rc, text); !errors.As(err, &fe) || fe.Field != FieldMessage {
			t.Errorf("message %.10q: %v", text, err)
		}
	}
	other, _ := seal.NewReceipt()
	if _, err := e.desk.Status(ctx, other); !errors.Is(err, ErrUnknownReceipt) {
		t.Errorf("unknown receipt: %v", err)
	}
	if err := e.desk.AddTipsterMessage(ctx, other, "x"); !errors.Is(err, ErrUnknownReceipt) {
		t.Errorf("unknown receipt: %v", err)
	}
}

// TestDeskClosed: no recovery key, no tips; an inactive operator is not
// sealed to.
func TestDeskClosed(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	d, err := New(Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if d.Open(ctx) {
		t.Error("open without a recovery key")
	}
	if _, err := d.Submit(ctx, Tip{WhatHappened: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit: %v", err)
	}
	if _, n, _ := db.ListTips(ctx, store.TipFilter{}); n != 0 {
		t.Error("a tip was stored")
	}

	e := newDeskEnv(t, testenv.SQLite(t), 2)
	if err := e.db.SetOperatorActive(ctx, "op1", false); err != nil {
		t.Fatal(err)
	}
	desk, err := New(Config{Store: e.db, Secret: e.secret, Now: e.Now})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := desk.Submit(ctx, Tip{WhatHappened: "x"})
	if err != nil {
		t.Fatal(err)
	}
	tip, _ := e.db.TipByReceipt(ctx, e.secret.ReceiptHash(rc))
	if _, err := OpenTip(tip, e.operators[1]); err == nil {
		t.Error("an inactive operator reads a new tip")
	}
	if _, err := OpenTip(tip, e.operators[0]); err != nil {
		t.Errorf("an active operator cannot read a new tip: %v", err)
	}
}

// TestDeskPurge: tips not changed within the retention go, with their
// messages; the rest stay.
func TestDeskPurge(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	old, err := e.desk.Submit(ctx, Tip{WhatHappened: "old"})
	if err != nil {
		t.Fatal(err)
	}
	talked, err := e.desk.Submit(ctx, Tip{WhatHappened: "old, but talked about"})
	if err != nil {
		t.Fatal(err)
	}
	e.set(t0.Add(60 * 24 * time.Hour))
	if err := e.desk.AddTipsterMessage(ctx, talked, "still here"); err != nil {
		t.Fatal(err)
	}
	e.set(t0.Add(100 * 24 * time.Hour))
	if _, err := e.desk.Purge(ctx, 0, store.PurgeManual); err == nil {
		t.Error("Purge with no retention")
	}
	if n, err := e.desk.Expired(ctx, DefaultRetention); err != nil || n != 1 {
		t.Fatalf("Expired: %d, %v; want 1", n, err)
	}
	n, err := e.desk.Purge(ctx, DefaultRetention, store.PurgeManual)
	if err != nil || n != 1 {
		t.Fatalf("Purge: %d, %v", n, err)
	}
	if _, err := e.desk.Status(ctx, old); !errors.Is(err, ErrUnknownReceipt) {
		t.Errorf("purged tip: %v", err)
	}
	if st, err := e.desk.Status(ctx, talked); err != nil || len(st.Messages) != 1 {
		t.Errorf("kept tip: %+v, %v", st, err)
	}
	ps, _, err := e.db.Purges(ctx, 0, 0)
	if err != nil || len(ps) != 1 || ps[0].Kind != store.PurgeManual || ps[0].Tips != 1 || !ps[0].Hour.Equal(store.Hour(e.Now())) {
		t.Errorf("purges recorded: %+v, %v; want one manual purge of 1 tip at %v", ps, err, store.Hour(e.Now()))
	}
}

// TestRunRetentionRecords: the server's retention sweep records the purges
// that delete tips, as automatic.
func TestRunRetentionRecords(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	for range 2 {
		if _, err := e.desk.Submit(ctx, Tip{WhatHappened: "old"}); err != nil {
			t.Fatal(err)
		}
	}
	e.set(t0.Add(DefaultRetention + 3*time.Hour + 20*time.Minute))
	sweep, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.desk.RunRetention(sweep, DefaultRetention, time.Hour)
	}()
	var ps []store.Purge
	for deadline := time.Now().Add(10 * time.Second); len(ps) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		if ps, _, err = e.db.Purges(ctx, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	<-done
	if len(ps) != 1 || ps[0].Kind != store.PurgeAutomatic || ps[0].Tips != 2 || !ps[0].Hour.Equal(store.Hour(e.Now())) {
		t.Fatalf("purges recorded: %+v; want one automatic purge of 2 tips at %v", ps, store.Hour(e.Now()))
	}
}

// BenchmarkSubmit: Desk.Submit on SQLite, sealed to three recipients (the
// recovery key and two operators), from many goroutines at once so that
// group commit has something to group. The figure is acknowledged tips
// per second: Submit returns once the tip is durably stored.
func BenchmarkSubmit(b *testing.B) {
	for _, par := range []int{1, 16} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			e := newDeskEnv(b, testenv.SQLite(b), 2)
			tip := Tip{
				WhatHappened: strings.Repeat("They took our passports and we work every day without pay. ", 8),
				Where:        "a farm near the highway", When: "since March", Kind: "labor", MinorsInvolved: "no",
			}
			ctx := context.Background()
			b.SetParallelism(par)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.desk.Submit(ctx, tip); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tips/s")
		})
	}
}
