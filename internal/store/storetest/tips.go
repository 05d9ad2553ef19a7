package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/store"
)

// TipStore is what RunTips tests: a store.TipStore whose rows the suite can
// also count, to check that a purge leaves no message or attachment of a
// purged tip behind. Backends' tests implement CountRows over their own
// pools; no store exposes it.
type TipStore interface {
	store.TipStore
	// CountRows returns the number of rows in the table (tips,
	// tip_messages, tip_attachments, operators, tip_purges or redeemed_tokens).
	CountRows(ctx context.Context, table string) (int, error)
}

// Recipients for the tests: age X25519 public keys as age writes them.
const (
	RecipientA = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	RecipientB = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
)

// base is the hour the tip tests start at; at10 is a precise time in it,
// given in a zone half an hour off UTC so that rounding must go by UTC.
var (
	base = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	at10 = time.Date(2025, 3, 14, 16, 17, 13, 500_000_000, time.FixedZone("UTC+05:30", 5*3600+1800)) // 10:47:13.5 UTC
)

// RunTips runs the tip store's contract suite. open is called once per
// subtest and must return a new, empty store that is closed when that test
// ends (t.Cleanup). Subtests run in parallel.
func RunTips(t *testing.T, open func(t *testing.T) TipStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s TipStore)
	}{
		{"CreateAndRead", testCreateAndRead},
		{"HourRounding", testHourRounding},
		{"CreateInvalid", testCreateInvalid},
		{"DuplicateReceipt", testDuplicateReceipt},
		{"TipsNotFound", testTipsNotFound},
		{"ListTips", testListTips},
		{"ListTipsBadFilter", testListTipsBadFilter},
		{"Messages", testMessages},
		{"Status", testStatus},
		{"Purge", testPurge},
		{"PurgeRecords", testPurgeRecords},
		{"PurgeInvalid", testPurgeInvalid},
		{"TipBytes", testTipBytes},
		{"Operators", testOperators},
		{"Recovery", testRecovery},
		{"CreateCanceled", testCreateCanceled},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentDuplicates", testConcurrentDuplicates},
		{"RedeemToken", testRedeemToken},
		{"RedeemTokenInvalid", testRedeemTokenInvalid},
		{"ConcurrentRedeemToken", testConcurrentRedeemToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// NewTestTip returns a tip with a random receipt hash, sealed bytes that
// hold label, and one attachment per further label, arriving at now.
func NewTestTip(tb testing.TB, now time.Time, label string, attachments ...string) store.NewTip {
	tb.Helper()
	t := store.NewTip{
		ReceiptHash:    random(tb, store.ReceiptHashSize),
		ReplyRecipient: RecipientB,
		Sealed:         []byte("age-encryption.org/v1 (test) " + label),
		Now:            now,
	}
	for _, a := range attachments {
		t.Attachments = append(t.Attachments, store.NewAttachment{Sealed: []byte("attachment " + a)})
	}
	return t
}

func random(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustCreate(tb testing.TB, s store.TipStore, t store.NewTip) int64 {
	tb.Helper()
	id, err := s.CreateTip(context.Background(), t)
	if err != nil {
		tb.Fatalf("CreateTip: %v", err)
	}
	return id
}

func mustTip(tb testing.TB, s store.TipStore, id int64) store.Tip {
	tb.Helper()
	got, err := s.Tip(context.Background(), id)
	if err != nil {
		tb.Fatalf("Tip(%d): %v", id, err)
	}
	return got
}

func mustCount(tb testing.TB, s TipStore, table string) int {
	tb.Helper()
	n, err := s.CountRows(context.Background(), table)
	if err != nil {
		tb.Fatalf("CountRows(%s): %v", table, err)
	}
	return n
}

// wantErr fails the test unless err wraps target.
func wantErr(tb testing.TB, what string, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Errorf("%s: err = %v, want one wrapping %v", what, err, target)
	}
}

// wantHour fails the test unless got is the instant want, in UTC.
func wantHour(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

// expected is the Tip CreateTip should make of t, with id.
func expected(id int64, t store.NewTip) store.Tip {
	size := int64(len(t.Sealed))
	for _, a := range t.Attachments {
		size += int64(len(a.Sealed))
	}
	return store.Tip{
		ID: id, Created: store.Hour(t.Now), Updated: store.Hour(t.Now), Status: store.TipNew,
		Size: size, ReplyRecipient: t.ReplyRecipient, Sealed: t.Sealed, Attachments: len(t.Attachments),
	}
}

// sameTip compares tips, their times as instants.
func sameTip(tb testing.TB, what string, got, want store.Tip) {
	tb.Helper()
	wantHour(tb, what+".Created", got.Created, want.Created)
	wantHour(tb, what+".Updated", got.Updated, want.Updated)
	got.Created, got.Updated, want.Created, want.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s:\ngot  %+v\nwant %+v", what, got, want)
	}
}

func testCreateAndRead(t *testing.T, s TipStore) {
	ctx := context.Background()
	in := NewTestTip(t, at10, "first", "photo", "document")
	id := mustCreate(t, s, in)
	want := expected(id, in)
	sameTip(t, "Tip", mustTip(t, s, id), want)
	got, err := s.TipByReceipt(ctx, in.ReceiptHash)
	if err != nil {
		t.Fatalf("TipByReceipt: %v", err)
	}
	sameTip(t, "TipByReceipt", got, want)

	as, err := s.Attachments(ctx, id)
	if err != nil {
		t.Fatalf("Attachments: %v", err)
	}
	if len(as) != 2 {
		t.Fatalf("Attachments = %d, want 2", len(as))
	}
	for i, a := range as {
		w := in.Attachments[i].Sealed
		if a.TipID != id || !bytes.Equal(a.Sealed, w) || a.Size != int64(len(w)) || a.ID == 0 {
			t.Errorf("attachment %d = %+v, want tip %d, %q, size %d", i, a, id, w, len(w))
		}
	}
	if as[0].ID == as[1].ID {
		t.Errorf("two attachments with id %d", as[0].ID)
	}
	msgs, err := s.TipMessages(ctx, id)
	if err != nil || msgs != nil {
		t.Errorf("TipMessages of a new tip = %v, %v; want nil, nil", msgs, err)
	}

	// A tip without attachments.
	bare := NewTestTip(t, at10, "bare")
	id2 := mustCreate(t, s, bare)
	if id2 == id {
		t.Fatalf("two tips with id %d", id)
	}
	sameTip(t, "Tip(bare)", mustTip(t, s, id2), expected(id2, bare))
	if as, err := s.Attachments(ctx, id2); err != nil || as != nil {
		t.Errorf("Attachments of a tip without = %v, %v; want nil, nil", as, err)
	}
}

// testHourRounding: every time the store writes is the hour, in UTC, of
// the time given; 10:47:13.5 UTC (given as 16:17:13.5 at +05:30) is stored
// as 10:00:00 UTC.
func testHourRounding(t *testing.T, s TipStore) {
	ctx := context.Background()
	id := mustCreate(t, s, NewTestTip(t, at10, "rounding"))
	tip := mustTip(t, s, id)
	wantHour(t, "Created", tip.Created, base)
	wantHour(t, "Updated", tip.Updated, base)
	if tip.Created.Minute() != 0 || tip.Created.Second() != 0 || tip.Created.Nanosecond() != 0 {
		t.Errorf("Created %v is finer than the hour", tip.Created)
	}

	later := at10.Add(2*time.Hour + 5*time.Minute) // 12:52:13.5 UTC
	if _, err := s.AddTipMessage(ctx, id, store.AuthorTipster, []byte("m"), later); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.TipMessages(ctx, id)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("TipMessages = %v, %v", msgs, err)
	}
	wantHour(t, "message Created", msgs[0].Created, base.Add(2*time.Hour))
	wantHour(t, "Updated after a message", mustTip(t, s, id).Updated, base.Add(2*time.Hour))

	if err := s.SetTipStatus(ctx, id, store.TipClosed, "", later.Add(time.Hour+59*time.Minute)); err != nil { // 14:51:13.5
		t.Fatal(err)
	}
	wantHour(t, "Updated after SetTipStatus", mustTip(t, s, id).Updated, base.Add(4*time.Hour))

	o, err := s.AddOperator(ctx, "ana", RecipientA, at10)
	if err != nil {
		t.Fatal(err)
	}
	wantHour(t, "AddOperator's Created", o.Created, base)
	ops, err := s.Operators(ctx)
	if err != nil || len(ops) != 1 {
		t.Fatalf("Operators = %v, %v", ops, err)
	}
	wantHour(t, "Operators' Created", ops[0].Created, base)

	// A time just before an hour stays in the hour before, in UTC.
	id = mustCreate(t, s, NewTestTip(t, base.Add(-time.Nanosecond).In(at10.Location()), "edge"))
	wantHour(t, "Created of 09:59:59.999999999", mustTip(t, s, id).Created, base.Add(-time.Hour))
}

func testCreateInvalid(t *testing.T, s TipStore) {
	ctx := context.Background()
	for name, edit := range map[string]func(*store.NewTip){
		"short receipt hash":      func(n *store.NewTip) { n.ReceiptHash = n.ReceiptHash[:31] },
		"long receipt hash":       func(n *store.NewTip) { n.ReceiptHash = append(n.ReceiptHash, 0) },
		"no receipt hash":         func(n *store.NewTip) { n.ReceiptHash = nil },
		"empty reply recipient":   func(n *store.NewTip) { n.ReplyRecipient = "" },
		"reply recipient no age1": func(n *store.NewTip) { n.ReplyRecipient = "ssh-ed25519 AAAA" },
		"reply recipient upper":   func(n *store.NewTip) { n.ReplyRecipient = strings.ToUpper(RecipientA) },
		"reply recipient space":   func(n *store.NewTip) { n.ReplyRecipient = RecipientA + " " },
		"bare age1":               func(n *store.NewTip) { n.ReplyRecipient = "age1" },
		"empty sealed":            func(n *store.NewTip) { n.Sealed = nil },
		"empty attachment":        func(n *store.NewTip) { n.Attachments = append(n.Attachments, store.NewAttachment{}) },
		"zero now":                func(n *store.NewTip) { n.Now = time.Time{} },
	} {
		in := NewTestTip(t, at10, name, "a")
		edit(&in)
		id, err := s.CreateTip(ctx, in)
		wantErr(t, "CreateTip with "+name, err, store.ErrInvalid)
		if err == nil {
			t.Errorf("CreateTip with %s stored tip %d", name, id)
		}
	}
	if n := mustCount(t, s, "tips"); n != 0 {
		t.Errorf("%d tips stored, want none", n)
	}
	if _, err := s.TipByReceipt(ctx, make([]byte, 31)); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("TipByReceipt(31 bytes): err = %v, want ErrInvalid", err)
	}
}

func testDuplicateReceipt(t *testing.T, s TipStore) {
	ctx := context.Background()
	first := NewTestTip(t, at10, "first", "a")
	id := mustCreate(t, s, first)
	again := NewTestTip(t, at10.Add(time.Hour), "second", "b", "c")
	again.ReceiptHash = bytes.Clone(first.ReceiptHash)
	_, err := s.CreateTip(ctx, again)
	wantErr(t, "CreateTip with a receipt hash already used", err, store.ErrConflict)
	if errors.Is(err, store.ErrInvalid) {
		t.Errorf("a duplicate receipt hash is also ErrInvalid: %v", err)
	}
	sameTip(t, "the first tip", mustTip(t, s, id), expected(id, first))
	for table, want := range map[string]int{"tips": 1, "tip_attachments": 1} {
		if n := mustCount(t, s, table); n != want {
			t.Errorf("%s has %d rows, want %d: the refused tip left rows behind", table, n, want)
		}
	}
	// The store still works after the refusal.
	mustCreate(t, s, NewTestTip(t, at10, "third"))
}

func testTipsNotFound(t *testing.T, s TipStore) {
	ctx := context.Background()
	_, err := s.Tip(ctx, 12345)
	wantErr(t, "Tip(12345)", err, store.ErrNotFound)
	_, err = s.TipByReceipt(ctx, make([]byte, store.ReceiptHashSize))
	wantErr(t, "TipByReceipt(unknown)", err, store.ErrNotFound)
	_, err = s.Attachments(ctx, 12345)
	wantErr(t, "Attachments(12345)", err, store.ErrNotFound)
	_, err = s.TipMessages(ctx, 12345)
	wantErr(t, "TipMessages(12345)", err, store.ErrNotFound)
	_, err = s.AddTipMessage(ctx, 12345, store.AuthorTipster, []byte("x"), at10)
	wantErr(t, "AddTipMessage(12345)", err, store.ErrNotFound)
	err = s.SetTipStatus(ctx, 12345, store.TipClosed, "", at10)
	wantErr(t, "SetTipStatus(12345)", err, store.ErrNotFound)
	err = s.SetOperatorActive(ctx, "nobody", false)
	wantErr(t, "SetOperatorActive(nobody)", err, store.ErrNotFound)
	_, err = s.RecoveryRecipient(ctx)
	wantErr(t, "RecoveryRecipient before any", err, store.ErrNotFound)
	tips, total, err := s.ListTips(ctx, store.TipFilter{})
	if err != nil || tips != nil || total != 0 {
		t.Errorf("ListTips of an empty store = %v, %d, %v; want nil, 0, nil", tips, total, err)
	}
	ops, err := s.Operators(ctx)
	if err != nil || ops != nil {
		t.Errorf("Operators of an empty store = %v, %v; want nil, nil", ops, err)
	}
}

// testListTips: newest first, paged, with the total, filtered by status.
func testListTips(t *testing.T, s TipStore) {
	ctx := context.Background()
	var ids []int64
	var ins []store.NewTip
	for i := range 7 {
		in := NewTestTip(t, at10.Add(time.Duration(i)*time.Hour), fmt.Sprint("tip ", i))
		ins = append(ins, in)
		ids = append(ids, mustCreate(t, s, in))
	}
	list := func(f store.TipFilter) ([]int64, int) {
		t.Helper()
		tips, total, err := s.ListTips(ctx, f)
		if err != nil {
			t.Fatalf("ListTips(%+v): %v", f, err)
		}
		var got []int64
		for _, tip := range tips {
			got = append(got, tip.ID)
		}
		return got, total
	}
	for _, c := range []struct {
		f    store.TipFilter
		want []int64
	}{
		{store.TipFilter{}, []int64{ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{store.TipFilter{Limit: 3}, []int64{ids[6], ids[5], ids[4]}},
		{store.TipFilter{Limit: 3, Offset: 3}, []int64{ids[3], ids[2], ids[1]}},
		{store.TipFilter{Limit: 3, Offset: 6}, []int64{ids[0]}},
		{store.TipFilter{Limit: 3, Offset: 7}, nil},
		{store.TipFilter{Offset: 100}, nil},
	} {
		got, total := list(c.f)
		if !reflect.DeepEqual(got, c.want) || total != 7 {
			t.Errorf("ListTips(%+v) = %v, total %d; want %v, total 7", c.f, got, total, c.want)
		}
	}
	// Whole tips, Sealed included.
	tips, _, err := s.ListTips(ctx, store.TipFilter{Limit: 1, Offset: 1})
	if err != nil || len(tips) != 1 {
		t.Fatalf("ListTips = %v, %v", tips, err)
	}
	sameTip(t, "ListTips' tip", tips[0], expected(ids[5], ins[5]))

	// By status.
	if err := s.SetTipStatus(ctx, ids[1], store.TipInReview, "", at10); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTipStatus(ctx, ids[4], store.TipInReview, "", at10); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTipStatus(ctx, ids[2], store.TipClosed, "", at10); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    store.TipFilter
		want []int64
		tot  int
	}{
		{store.TipFilter{Status: store.TipInReview}, []int64{ids[4], ids[1]}, 2},
		{store.TipFilter{Status: store.TipInReview, Limit: 1, Offset: 1}, []int64{ids[1]}, 2},
		{store.TipFilter{Status: store.TipClosed}, []int64{ids[2]}, 1},
		{store.TipFilter{Status: store.TipNew}, []int64{ids[6], ids[5], ids[3], ids[0]}, 4},
	} {
		got, total := list(c.f)
		if !reflect.DeepEqual(got, c.want) || total != c.tot {
			t.Errorf("ListTips(%+v) = %v, total %d; want %v, total %d", c.f, got, total, c.want, c.tot)
		}
	}
}

func testListTipsBadFilter(t *testing.T, s TipStore) {
	mustCreate(t, s, NewTestTip(t, at10, "x"))
	for _, f := range []store.TipFilter{
		{Limit: -1}, {Limit: store.MaxLimit + 1}, {Offset: -1}, {Status: "open"}, {Status: "NEW"},
	} {
		_, _, err := s.ListTips(context.Background(), f)
		wantErr(t, fmt.Sprintf("ListTips(%+v)", f), err, store.ErrInvalid)
	}
}

func testMessages(t *testing.T, s TipStore) {
	ctx := context.Background()
	id := mustCreate(t, s, NewTestTip(t, at10, "tip"))
	other := mustCreate(t, s, NewTestTip(t, at10, "other"))
	type msg struct {
		author string
		text   string
		at     time.Time
	}
	send := []msg{
		{store.AuthorTipster, "more details", at10.Add(time.Hour)},
		{store.AuthorOperator, "thank you; a question", at10.Add(3 * time.Hour)},
		// Written at an earlier hour (a clock set back): stored in order,
		// and Updated does not move back.
		{store.AuthorTipster, "an answer", at10.Add(2 * time.Hour)},
	}
	var ids []int64
	for _, m := range send {
		mid, err := s.AddTipMessage(ctx, id, m.author, []byte(m.text), m.at)
		if err != nil {
			t.Fatalf("AddTipMessage: %v", err)
		}
		ids = append(ids, mid)
	}
	if _, err := s.AddTipMessage(ctx, other, store.AuthorOperator, []byte("elsewhere"), at10); err != nil {
		t.Fatal(err)
	}
	got, err := s.TipMessages(ctx, id)
	if err != nil {
		t.Fatalf("TipMessages: %v", err)
	}
	if len(got) != len(send) {
		t.Fatalf("TipMessages = %d messages, want %d", len(got), len(send))
	}
	for i, m := range got {
		w := send[i]
		if m.ID != ids[i] || m.TipID != id || m.Author != w.author || string(m.Sealed) != w.text {
			t.Errorf("message %d = %+v, want id %d of tip %d by %s: %q", i, m, ids[i], id, w.author, w.text)
		}
		wantHour(t, fmt.Sprintf("message %d Created", i), m.Created, store.Hour(w.at))
	}
	wantHour(t, "Updated after the messages", mustTip(t, s, id).Updated, store.Hour(at10.Add(3*time.Hour)))
	wantHour(t, "Created after the messages", mustTip(t, s, id).Created, base)
	wantHour(t, "the other tip's Updated", mustTip(t, s, other).Updated, base)

	for _, c := range []struct {
		name, author string
		sealed       []byte
		now          time.Time
	}{
		{"author nobody", "nobody", []byte("x"), at10},
		{"author empty", "", []byte("x"), at10},
		{"empty sealed", store.AuthorTipster, nil, at10},
		{"zero now", store.AuthorTipster, []byte("x"), time.Time{}},
	} {
		_, err := s.AddTipMessage(ctx, id, c.author, c.sealed, c.now)
		wantErr(t, "AddTipMessage with "+c.name, err, store.ErrInvalid)
	}
	if n := mustCount(t, s, "tip_messages"); n != 4 {
		t.Errorf("tip_messages has %d rows, want 4", n)
	}
}

func testStatus(t *testing.T, s TipStore) {
	ctx := context.Background()
	in := NewTestTip(t, at10, "tip")
	id := mustCreate(t, s, in)
	if _, err := s.AddOperator(ctx, "ana", RecipientA, at10); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTipStatus(ctx, id, store.TipInReview, "ana", at10.Add(2*time.Hour)); err != nil {
		t.Fatalf("SetTipStatus: %v", err)
	}
	want := expected(id, in)
	want.Status, want.Assignee, want.Updated = store.TipInReview, "ana", base.Add(2*time.Hour)
	sameTip(t, "Tip after SetTipStatus", mustTip(t, s, id), want)

	// An inactive operator may still be named (a tip closed after they left).
	if err := s.SetOperatorActive(ctx, "ana", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTipStatus(ctx, id, store.TipClosed, "ana", at10.Add(time.Hour)); err != nil {
		t.Fatalf("SetTipStatus: %v", err)
	}
	want.Status = store.TipClosed // Updated stays: the time given was earlier
	sameTip(t, "Tip after closing", mustTip(t, s, id), want)
	if err := s.SetTipStatus(ctx, id, store.TipNew, "", at10.Add(3*time.Hour)); err != nil {
		t.Fatalf("SetTipStatus: %v", err)
	}
	want.Status, want.Assignee, want.Updated = store.TipNew, "", base.Add(3*time.Hour)
	sameTip(t, "Tip after reopening", mustTip(t, s, id), want)

	for name, call := range map[string]func() error{
		"status empty":     func() error { return s.SetTipStatus(ctx, id, "", "", at10) },
		"status open":      func() error { return s.SetTipStatus(ctx, id, "open", "", at10) },
		"unknown assignee": func() error { return s.SetTipStatus(ctx, id, store.TipInReview, "bob", at10) },
		"zero now":         func() error { return s.SetTipStatus(ctx, id, store.TipInReview, "", time.Time{}) },
	} {
		wantErr(t, "SetTipStatus with "+name, call(), store.ErrInvalid)
	}
	sameTip(t, "Tip after refused changes", mustTip(t, s, id), want)
}

// testPurge: tips last updated before the time are deleted with their
// messages and attachments; the others are kept whole.
func testPurge(t *testing.T, s TipStore) {
	ctx := context.Background()
	day := 24 * time.Hour
	// old: created and last touched on day 0. touched: created on day 0,
	// a message on day 2. recent: created on day 2.
	old := mustCreate(t, s, NewTestTip(t, at10, "old", "a1", "a2"))
	if _, err := s.AddTipMessage(ctx, old, store.AuthorOperator, []byte("old message"), at10); err != nil {
		t.Fatal(err)
	}
	touchedIn := NewTestTip(t, at10, "touched", "b1")
	touched := mustCreate(t, s, touchedIn)
	if _, err := s.AddTipMessage(ctx, touched, store.AuthorTipster, []byte("later"), at10.Add(2*day)); err != nil {
		t.Fatal(err)
	}
	recentIn := NewTestTip(t, at10.Add(2*day), "recent", "c1")
	recent := mustCreate(t, s, recentIn)

	now := at10.Add(3 * day)
	if n, err := s.PurgeTips(ctx, base, store.PurgeManual, now); err != nil || n != 0 {
		t.Errorf("PurgeTips(the hour of the oldest) = %d, %v; want 0, nil (only Updated < before goes)", n, err)
	}
	// ListTips' UpdatedBefore selects what PurgeTips deletes.
	for before, want := range map[time.Time]int{base: 0, base.Add(day): 1, base.Add(2 * day): 1, base.Add(2*day + time.Nanosecond): 3} {
		if _, total, err := s.ListTips(ctx, store.TipFilter{UpdatedBefore: before, Limit: 1}); err != nil || total != want {
			t.Errorf("ListTips(UpdatedBefore %v) total = %d, %v; want %d", before, total, err, want)
		}
	}
	n, err := s.PurgeTips(ctx, base.Add(day), store.PurgeManual, now)
	if err != nil || n != 1 {
		t.Fatalf("PurgeTips = %d, %v; want 1, nil", n, err)
	}
	_, err = s.Tip(ctx, old)
	wantErr(t, "Tip(purged)", err, store.ErrNotFound)
	_, err = s.Attachments(ctx, old)
	wantErr(t, "Attachments(purged)", err, store.ErrNotFound)
	_, err = s.TipMessages(ctx, old)
	wantErr(t, "TipMessages(purged)", err, store.ErrNotFound)
	for table, want := range map[string]int{"tips": 2, "tip_attachments": 2, "tip_messages": 1} {
		if n := mustCount(t, s, table); n != want {
			t.Errorf("after the purge %s has %d rows, want %d", table, n, want)
		}
	}
	want := expected(touched, touchedIn)
	want.Updated = base.Add(2 * day)
	sameTip(t, "the touched tip", mustTip(t, s, touched), want)
	sameTip(t, "the recent tip", mustTip(t, s, recent), expected(recent, recentIn))
	if as, err := s.Attachments(ctx, touched); err != nil || len(as) != 1 {
		t.Errorf("Attachments(touched) = %v, %v; want 1", as, err)
	}

	// Updated equal to before stays; a nanosecond later it goes.
	if n, err := s.PurgeTips(ctx, base.Add(2*day), store.PurgeAutomatic, now); err != nil || n != 0 {
		t.Errorf("PurgeTips(= Updated) = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.PurgeTips(ctx, base.Add(2*day+time.Nanosecond), store.PurgeAutomatic, now); err != nil || n != 2 {
		t.Errorf("PurgeTips(just after Updated) = %d, %v; want 2, nil", n, err)
	}
	for _, table := range []string{"tips", "tip_attachments", "tip_messages"} {
		if n := mustCount(t, s, table); n != 0 {
			t.Errorf("after purging all, %s has %d rows", table, n)
		}
	}
	// A purged tip's id is not given to a new tip.
	if id := mustCreate(t, s, NewTestTip(t, at10, "new")); id == old || id == touched || id == recent {
		t.Errorf("a new tip got the id %d of a purged one", id)
	}
}

// testPurgeRecords: every manual purge, and every automatic one that
// deletes a tip, is recorded with its hour, its count and its kind, and
// Purges lists them newest first.
func testPurgeRecords(t *testing.T, s TipStore) {
	ctx := context.Background()
	if ps, total, err := s.Purges(ctx, 0, 0); err != nil || ps != nil || total != 0 {
		t.Fatalf("Purges of a new store = %v, %d, %v; want nil, 0, nil", ps, total, err)
	}
	// An automatic sweep that finds nothing leaves no record; a manual
	// purge is recorded even when it deletes nothing.
	if n, err := s.PurgeTips(ctx, base, store.PurgeAutomatic, at10); err != nil || n != 0 {
		t.Fatalf("PurgeTips(automatic, nothing) = %d, %v", n, err)
	}
	if n := mustCount(t, s, "tip_purges"); n != 0 {
		t.Errorf("an automatic purge of nothing left %d records, want 0", n)
	}
	if n, err := s.PurgeTips(ctx, base, store.PurgeManual, at10); err != nil || n != 0 {
		t.Fatalf("PurgeTips(manual, nothing) = %d, %v", n, err)
	}
	for i := range 3 {
		mustCreate(t, s, NewTestTip(t, at10, fmt.Sprint("tip ", i)))
	}
	later := at10.Add(50*time.Hour + 7*time.Minute)
	if n, err := s.PurgeTips(ctx, base.Add(time.Hour), store.PurgeAutomatic, later); err != nil || n != 3 {
		t.Fatalf("PurgeTips(automatic) = %d, %v; want 3", n, err)
	}
	mustCreate(t, s, NewTestTip(t, later, "recent"))
	mustCreate(t, s, NewTestTip(t, later, "recent too"))
	last := later.Add(90 * time.Minute)
	if n, err := s.PurgeTips(ctx, last, store.PurgeManual, last); err != nil || n != 2 {
		t.Fatalf("PurgeTips(manual) = %d, %v; want 2", n, err)
	}

	want := []store.Purge{
		{Hour: store.Hour(last), Tips: 2, Kind: store.PurgeManual},
		{Hour: store.Hour(later), Tips: 3, Kind: store.PurgeAutomatic},
		{Hour: base, Tips: 0, Kind: store.PurgeManual},
	}
	ps, total, err := s.Purges(ctx, 0, 0)
	if err != nil || total != len(want) || len(ps) != len(want) {
		t.Fatalf("Purges = %+v, %d, %v; want %d", ps, total, err, len(want))
	}
	for i, p := range ps {
		w := want[i]
		if p.ID == 0 || p.Tips != w.Tips || p.Kind != w.Kind {
			t.Errorf("purge %d = %+v, want %+v", i, p, w)
		}
		wantHour(t, fmt.Sprintf("purge %d Hour", i), p.Hour, w.Hour)
		if i > 0 && p.ID >= ps[i-1].ID {
			t.Errorf("purge %d has id %d, not below %d: not newest first", i, p.ID, ps[i-1].ID)
		}
	}
	for _, c := range []struct {
		limit, offset int
		want          []int64
	}{
		{1, 0, []int64{ps[0].ID}},
		{2, 1, []int64{ps[1].ID, ps[2].ID}},
		{1, 2, []int64{ps[2].ID}},
		{1, 3, nil},
		{0, 100, nil},
	} {
		page, total, err := s.Purges(ctx, c.limit, c.offset)
		var got []int64
		for _, p := range page {
			got = append(got, p.ID)
		}
		if err != nil || total != 3 || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Purges(%d, %d) = %v, %d, %v; want %v, 3", c.limit, c.offset, got, total, err, c.want)
		}
	}
	for _, c := range [][2]int{{-1, 0}, {store.MaxLimit + 1, 0}, {0, -1}} {
		_, _, err := s.Purges(ctx, c[0], c[1])
		wantErr(t, fmt.Sprintf("Purges(%d, %d)", c[0], c[1]), err, store.ErrInvalid)
	}
}

// testPurgeInvalid: a purge of no known kind, or at no time, deletes
// nothing and records nothing.
func testPurgeInvalid(t *testing.T, s TipStore) {
	ctx := context.Background()
	id := mustCreate(t, s, NewTestTip(t, at10, "kept"))
	after := at10.Add(48 * time.Hour)
	for name, call := range map[string]func() (int, error){
		"empty kind":   func() (int, error) { return s.PurgeTips(ctx, after, "", after) },
		"unknown kind": func() (int, error) { return s.PurgeTips(ctx, after, "cron", after) },
		"zero now":     func() (int, error) { return s.PurgeTips(ctx, after, store.PurgeManual, time.Time{}) },
	} {
		n, err := call()
		wantErr(t, "PurgeTips with "+name, err, store.ErrInvalid)
		if n != 0 {
			t.Errorf("PurgeTips with %s = %d", name, n)
		}
	}
	mustTip(t, s, id)
	if n := mustCount(t, s, "tip_purges"); n != 0 {
		t.Errorf("refused purges left %d records", n)
	}
}

// testTipBytes: the bytes stored from an hour on are the sizes of the tips
// created in it or later and the lengths of the messages written in it or
// later, on any tip, old or new; a purged tip's bytes are gone.
func testTipBytes(t *testing.T, s TipStore) {
	ctx := context.Background()
	bytesSince := func(since time.Time) int64 {
		t.Helper()
		n, err := s.TipBytes(ctx, since)
		if err != nil {
			t.Fatalf("TipBytes(%v): %v", since, err)
		}
		return n
	}
	if n := bytesSince(at10); n != 0 {
		t.Errorf("TipBytes of an empty store = %d, want 0", n)
	}
	_, err := s.TipBytes(ctx, time.Time{})
	wantErr(t, "TipBytes(zero time)", err, store.ErrInvalid)

	size := func(nt store.NewTip) int64 {
		n := int64(len(nt.Sealed))
		for _, a := range nt.Attachments {
			n += int64(len(a.Sealed))
		}
		return n
	}
	msg := func(id int64, text string, at time.Time) int64 {
		t.Helper()
		if _, err := s.AddTipMessage(ctx, id, store.AuthorTipster, []byte(text), at); err != nil {
			t.Fatal(err)
		}
		return int64(len(text))
	}
	// at10 is 10:47 UTC. Tips at 9, 10 and 11; messages at 10 and 11 and
	// one written at 8 (a clock set back) on the tip of 10.
	a := NewTestTip(t, at10, "ten", "photo", "second photo")
	b := NewTestTip(t, at10.Add(time.Hour), "eleven")
	c := NewTestTip(t, at10.Add(-time.Hour), "nine", "file")
	idA, _, idC := mustCreate(t, s, a), mustCreate(t, s, b), mustCreate(t, s, c)
	if got := mustTip(t, s, idA).Size; got != size(a) {
		t.Fatalf("Size = %d, want %d", got, size(a))
	}
	mA := msg(idA, "at ten", at10)
	mC := msg(idC, "an old tip, a new message at eleven", at10.Add(time.Hour))
	m8 := msg(idA, "at eight", at10.Add(-2*time.Hour))
	for _, c := range []struct {
		name  string
		since time.Time
		want  int64
	}{
		{"from 12", at10.Add(2 * time.Hour), 0},
		{"from 11", at10.Add(time.Hour), size(b) + mC},
		{"from 11:00 exactly", base.Add(time.Hour), size(b) + mC},
		{"from 10 (10:47 in another zone)", at10, size(a) + size(b) + mA + mC},
		{"from 9", at10.Add(-time.Hour), size(a) + size(b) + size(c) + mA + mC},
		{"from 8", at10.Add(-2 * time.Hour), size(a) + size(b) + size(c) + mA + mC + m8},
	} {
		if got := bytesSince(c.since); got != c.want {
			t.Errorf("TipBytes %s = %d, want %d", c.name, got, c.want)
		}
	}
	// The tip of 10 (last updated at 10) is purged with its messages.
	if n, err := s.PurgeTips(ctx, base.Add(time.Hour), store.PurgeManual, at10.Add(48*time.Hour)); err != nil || n != 1 {
		t.Fatalf("PurgeTips = %d, %v; want 1", n, err)
	}
	if got, want := bytesSince(at10.Add(-2*time.Hour)), size(b)+size(c)+mC; got != want {
		t.Errorf("TipBytes after a purge = %d, want %d", got, want)
	}
}

func testOperators(t *testing.T, s TipStore) {
	ctx := context.Background()
	ana, err := s.AddOperator(ctx, "ana", RecipientA, at10)
	if err != nil {
		t.Fatalf("AddOperator: %v", err)
	}
	if ana.ID == 0 || ana.Name != "ana" || ana.Recipient != RecipientA || !ana.Active {
		t.Errorf("AddOperator = %+v", ana)
	}
	bo, err := s.AddOperator(ctx, "Bo Ng", RecipientB, at10.Add(time.Hour))
	if err != nil {
		t.Fatalf("AddOperator: %v", err)
	}
	_, err = s.AddOperator(ctx, "ana", RecipientB, at10)
	wantErr(t, "AddOperator(ana again)", err, store.ErrConflict)
	for name, c := range map[string][2]string{
		"empty name":       {"", RecipientA},
		"blank name":       {"  ", RecipientA},
		"spaced name":      {" cy", RecipientA},
		"control in name":  {"c\ny", RecipientA},
		"empty recipient":  {"cy", ""},
		"ssh recipient":    {"cy", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"},
		"recipient suffix": {"cy", RecipientA + "\n"},
	} {
		_, err := s.AddOperator(ctx, c[0], c[1], at10)
		wantErr(t, "AddOperator with "+name, err, store.ErrInvalid)
	}
	_, err = s.AddOperator(ctx, "cy", RecipientA, time.Time{})
	wantErr(t, "AddOperator with zero now", err, store.ErrInvalid)

	list := func() []store.Operator {
		t.Helper()
		ops, err := s.Operators(ctx)
		if err != nil {
			t.Fatalf("Operators: %v", err)
		}
		return ops
	}
	if got, want := list(), []store.Operator{ana, bo}; !sameOperators(got, want) {
		t.Errorf("Operators = %+v, want %+v", got, want)
	}
	if err := s.SetOperatorActive(ctx, "ana", false); err != nil {
		t.Fatalf("SetOperatorActive: %v", err)
	}
	ana.Active = false
	if got, want := list(), []store.Operator{ana, bo}; !sameOperators(got, want) {
		t.Errorf("Operators after deactivating ana = %+v, want %+v", got, want)
	}
	if err := s.SetOperatorActive(ctx, "ana", true); err != nil {
		t.Fatalf("SetOperatorActive: %v", err)
	}
	ana.Active = true
	if got, want := list(), []store.Operator{ana, bo}; !sameOperators(got, want) {
		t.Errorf("Operators after activating ana again = %+v, want %+v", got, want)
	}
	if err := s.SetOperatorActive(ctx, "ANA", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetOperatorActive(ANA): err = %v, want ErrNotFound (names are exact)", err)
	}
	if n := mustCount(t, s, "operators"); n != 2 {
		t.Errorf("operators has %d rows, want 2", n)
	}
}

func sameOperators(got, want []store.Operator) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Created.Equal(w.Created) || g.Created.Location() != time.UTC {
			return false
		}
		g.Created, w.Created = time.Time{}, time.Time{}
		if g != w {
			return false
		}
	}
	return true
}

func testRecovery(t *testing.T, s TipStore) {
	ctx := context.Background()
	if err := s.SetRecoveryRecipient(ctx, "not a key", at10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetRecoveryRecipient(not a key): err = %v, want ErrInvalid", err)
	}
	if err := s.SetRecoveryRecipient(ctx, RecipientA, time.Time{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetRecoveryRecipient(zero now): err = %v, want ErrInvalid", err)
	}
	_, err := s.RecoveryRecipient(ctx)
	wantErr(t, "RecoveryRecipient after refused sets", err, store.ErrNotFound)
	for _, r := range []string{RecipientA, RecipientB} {
		if err := s.SetRecoveryRecipient(ctx, r, at10); err != nil {
			t.Fatalf("SetRecoveryRecipient: %v", err)
		}
		got, err := s.RecoveryRecipient(ctx)
		if err != nil || got != r {
			t.Errorf("RecoveryRecipient = %q, %v; want %q", got, err, r)
		}
	}
}

// testCreateCanceled: a call whose context is already canceled stores
// nothing.
func testCreateCanceled(t *testing.T, s TipStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := NewTestTip(t, at10, "canceled")
	_, err := s.CreateTip(ctx, in)
	wantErr(t, "CreateTip with a canceled context", err, context.Canceled)
	_, err = s.TipByReceipt(context.Background(), in.ReceiptHash)
	wantErr(t, "TipByReceipt of the canceled tip", err, store.ErrNotFound)
	if n := mustCount(t, s, "tips"); n != 0 {
		t.Errorf("%d tips stored, want none", n)
	}
}

// testConcurrentCreate: 50 tips created at once all get distinct ids and
// read back whole.
func testConcurrentCreate(t *testing.T, s TipStore) {
	ctx := context.Background()
	const n = 50
	ins := make([]store.NewTip, n)
	for i := range ins {
		ins[i] = NewTestTip(t, at10, fmt.Sprint("concurrent ", i), fmt.Sprint("attachment ", i))
	}
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range ins {
		wg.Go(func() { ids[i], errs[i] = s.CreateTip(ctx, ins[i]) })
	}
	wg.Wait()
	seen := make(map[int64]int)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateTip %d: %v", i, err)
		}
		if j, ok := seen[ids[i]]; ok {
			t.Fatalf("tips %d and %d both got id %d", j, i, ids[i])
		}
		seen[ids[i]] = i
	}
	for i, in := range ins {
		sameTip(t, fmt.Sprint("Tip ", i), mustTip(t, s, ids[i]), expected(ids[i], in))
		got, err := s.TipByReceipt(ctx, in.ReceiptHash)
		if err != nil || got.ID != ids[i] {
			t.Errorf("TipByReceipt %d = %d, %v; want %d", i, got.ID, err, ids[i])
		}
		as, err := s.Attachments(ctx, ids[i])
		if err != nil || len(as) != 1 || !bytes.Equal(as[0].Sealed, in.Attachments[0].Sealed) {
			t.Errorf("Attachments %d = %v, %v", i, as, err)
		}
	}
	if _, total, err := s.ListTips(ctx, store.TipFilter{}); err != nil || total != n {
		t.Errorf("ListTips total = %d, %v; want %d", total, err, n)
	}
}

// testConcurrentDuplicates: tips sent at the same time as copies of
// themselves: exactly one of each receipt hash is stored, the copies fail
// with ErrConflict alone, and the tips beside them are unharmed.
func testConcurrentDuplicates(t *testing.T, s TipStore) {
	ctx := context.Background()
	const n, copies = 20, 3
	var ins []store.NewTip
	for i := range n {
		in := NewTestTip(t, at10, fmt.Sprint("tip ", i), "a")
		for range copies {
			ins = append(ins, in)
		}
	}
	ids := make([]int64, len(ins))
	errs := make([]error, len(ins))
	var wg sync.WaitGroup
	for i := range ins {
		wg.Go(func() { ids[i], errs[i] = s.CreateTip(ctx, ins[i]) })
	}
	wg.Wait()
	for i := 0; i < len(ins); i += copies {
		var stored int64
		for j := i; j < i+copies; j++ {
			switch {
			case errs[j] == nil:
				if stored != 0 {
					t.Errorf("tip %d stored twice, as %d and %d", i/copies, stored, ids[j])
				}
				stored = ids[j]
			case !errors.Is(errs[j], store.ErrConflict):
				t.Errorf("copy of tip %d: err = %v, want ErrConflict", i/copies, errs[j])
			}
		}
		if stored == 0 {
			t.Errorf("tip %d was not stored", i/copies)
			continue
		}
		sameTip(t, fmt.Sprint("tip ", i/copies), mustTip(t, s, stored), expected(stored, ins[i]))
	}
	for table, want := range map[string]int{"tips": n, "tip_attachments": n} {
		if got := mustCount(t, s, table); got != want {
			t.Errorf("%s has %d rows, want %d", table, got, want)
		}
	}
}

// testRedeemToken: a redeemed token is refused as used until its expiry,
// kept to the next whole hour and no longer; expired records are deleted
// by the next redemption.
func testRedeemToken(t *testing.T, s TipStore) {
	ctx := context.Background()
	a, b, c := random(t, store.TokenIDSize), random(t, store.TokenIDSize), random(t, store.TokenIDSize)
	expA := at10.Add(2 * time.Hour) // 12:47:13.5 UTC: kept until 13:00
	if err := s.RedeemToken(ctx, a, expA, at10); err != nil {
		t.Fatalf("RedeemToken(a): %v", err)
	}
	wantErr(t, "RedeemToken(a) again", s.RedeemToken(ctx, a, expA, at10), store.ErrConflict)
	if err := s.RedeemToken(ctx, b, at10.Add(5*time.Hour), at10); err != nil {
		t.Fatalf("RedeemToken(b): %v", err)
	}
	if n := mustCount(t, s, "redeemed_tokens"); n != 2 {
		t.Errorf("%d redeemed tokens stored, want 2", n)
	}
	// Past its expiry, before the hour it was rounded up to: still used.
	justBefore := base.Add(3*time.Hour - time.Second)
	wantErr(t, "RedeemToken(a) after its expiry, before the hour", s.RedeemToken(ctx, a, justBefore.Add(time.Hour), justBefore), store.ErrConflict)

	// At 13:00 a's record has expired: the next redemption deletes it.
	at13 := base.Add(3 * time.Hour)
	if err := s.RedeemToken(ctx, c, at13.Add(2*time.Hour), at13); err != nil {
		t.Fatalf("RedeemToken(c): %v", err)
	}
	if n := mustCount(t, s, "redeemed_tokens"); n != 2 {
		t.Errorf("after a's expiry %d redeemed tokens stored, want 2 (b and c)", n)
	}
	wantErr(t, "RedeemToken(b) before its expiry", s.RedeemToken(ctx, b, at10.Add(5*time.Hour), at13), store.ErrConflict)
	if err := s.RedeemToken(ctx, a, at13.Add(2*time.Hour), at13); err != nil {
		t.Errorf("RedeemToken(a) once its record expired: %v", err)
	}

	// Much later every record has expired, and goes.
	later := base.Add(24 * time.Hour)
	if err := s.RedeemToken(ctx, random(t, store.TokenIDSize), later.Add(time.Hour), later); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, s, "redeemed_tokens"); n != 1 {
		t.Errorf("a day later %d redeemed tokens stored, want 1", n)
	}
}

func testRedeemTokenInvalid(t *testing.T, s TipStore) {
	ctx := context.Background()
	id := random(t, store.TokenIDSize)
	exp := at10.Add(time.Hour)
	for _, tc := range []struct {
		name         string
		id           []byte
		expires, now time.Time
	}{
		{"short id", id[:store.TokenIDSize-1], exp, at10},
		{"long id", append(bytes.Clone(id), 0), exp, at10},
		{"no id", nil, exp, at10},
		{"zero now", id, exp, time.Time{}},
		{"zero expiry", id, time.Time{}, at10},
		{"expired", id, at10.Add(-time.Hour), at10},
		{"expiring this hour, at now", id, base.Add(time.Hour), base.Add(time.Hour)},
	} {
		wantErr(t, "RedeemToken with "+tc.name, s.RedeemToken(ctx, tc.id, tc.expires, tc.now), store.ErrInvalid)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	wantErr(t, "RedeemToken with a canceled context", s.RedeemToken(canceled, id, exp, at10), context.Canceled)
	if n := mustCount(t, s, "redeemed_tokens"); n != 0 {
		t.Errorf("%d redeemed tokens stored by refused calls", n)
	}
	// The refusals recorded nothing: the id is still free.
	if err := s.RedeemToken(ctx, id, exp, at10); err != nil {
		t.Errorf("RedeemToken after the refusals: %v", err)
	}
}

// testConcurrentRedeemToken: the same token sent many times at once is
// redeemed exactly once.
func testConcurrentRedeemToken(t *testing.T, s TipStore) {
	ctx := context.Background()
	const tokens, copies = 10, 4
	ids := make([][]byte, tokens)
	for i := range ids {
		ids[i] = random(t, store.TokenIDSize)
	}
	errs := make([]error, tokens*copies)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = s.RedeemToken(ctx, ids[i/copies], at10.Add(time.Hour), at10) })
	}
	wg.Wait()
	for i := 0; i < len(errs); i += copies {
		ok := 0
		for _, err := range errs[i : i+copies] {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("token %d: err = %v, want ErrConflict", i/copies, err)
			}
		}
		if ok != 1 {
			t.Errorf("token %d redeemed %d times, want once", i/copies, ok)
		}
	}
	if n := mustCount(t, s, "redeemed_tokens"); n != tokens {
		t.Errorf("%d redeemed tokens stored, want %d", n, tokens)
	}
}
