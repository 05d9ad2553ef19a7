package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
)

// TestSealedSizeIsABucket: tips, attachments and messages of different
// lengths in one size bucket are stored as ciphertexts of one length, and
// each opens to exactly what was sent.
func TestSealedSizeIsABucket(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	// The second file ends in zeros, as padding does: it must come back
	// with them and no more.
	short := []byte("a short file")
	long := append(bytes.Repeat([]byte{0xff}, 3000), 0, 0, 0)
	submit := func(what string, file []byte) (seal.Receipt, store.Tip) {
		t.Helper()
		rc, err := e.desk.Submit(ctx, Tip{WhatHappened: what, Files: []File{{Name: "f.bin", Type: "application/octet-stream", Data: file}}})
		if err != nil {
			t.Fatal(err)
		}
		tip, err := e.db.TipByReceipt(ctx, e.secret.ReceiptHash(rc))
		if err != nil {
			t.Fatal(err)
		}
		return rc, tip
	}
	rcA, a := submit("x", short)
	_, b := submit(strings.Repeat("They work nights and sleep in the van. ", 60), long)
	if len(a.Sealed) != len(b.Sealed) || a.Size != b.Size {
		t.Errorf("tips of different lengths: sealed %d and %d bytes, sizes %d and %d; want equal", len(a.Sealed), len(b.Sealed), a.Size, b.Size)
	}
	for _, c := range []struct {
		tip  store.Tip
		what string
		file []byte
	}{{a, "x", short}, {b, strings.TrimSpace(strings.Repeat("They work nights and sleep in the van. ", 60)), long}} {
		doc, err := OpenTip(c.tip, e.recovery)
		if err != nil || doc.WhatHappened != c.what {
			t.Fatalf("tip %d opens to %.20q, %v", c.tip.ID, doc.WhatHappened, err)
		}
		atts, err := e.db.Attachments(ctx, c.tip.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("attachments %v, %v", atts, err)
		}
		if atts[0].Size < seal.MinPadded {
			t.Errorf("attachment of %d bytes stored as %d: not padded", len(c.file), atts[0].Size)
		}
		got, err := OpenAttachment(atts[0], &doc.Attachments[0], e.operators[0])
		if err != nil || !bytes.Equal(got, c.file) {
			t.Errorf("attachment of %d bytes opens to %d bytes, %v", len(c.file), len(got), err)
		}
	}
	attA, _ := e.db.Attachments(ctx, a.ID)
	attB, _ := e.db.Attachments(ctx, b.ID)
	if len(attA[0].Sealed) != len(attB[0].Sealed) {
		t.Errorf("files of %d and %d bytes: sealed %d and %d bytes, want equal", len(short), len(long), len(attA[0].Sealed), len(attB[0].Sealed))
	}

	// Messages: one word and a paragraph, one length; both read back.
	for _, text := range []string{"ok", strings.Repeat("More: the owner's truck is white. ", 30)} {
		if err := e.desk.AddTipsterMessage(ctx, rcA, text); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := e.db.TipMessages(ctx, a.ID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	if len(msgs[0].Sealed) != len(msgs[1].Sealed) {
		t.Errorf("messages of different lengths: sealed %d and %d bytes, want equal", len(msgs[0].Sealed), len(msgs[1].Sealed))
	}
	st, err := e.desk.Status(ctx, rcA)
	if err != nil || len(st.Messages) != 2 || st.Messages[0].Text != "ok" || st.Messages[1].Text != strings.TrimSpace(strings.Repeat("More: the owner's truck is white. ", 30)) {
		t.Fatalf("status %+v, %v", st, err)
	}
}

// TestUnpaddedStillOpens: tips, attachments and messages sealed the way
// Haven sealed them before it padded (seal.Seal of the bare document) open
// exactly as before.
func TestUnpaddedStillOpens(t *testing.T) {
	ctx := context.Background()
	e := newDeskEnv(t, testenv.SQLite(t), 1)
	recips := []age.Recipient{e.recovery.Recipient(), e.operators[0].Recipient()}
	file := []byte("old file\x00")
	doc, err := json.Marshal(Sealed{Tip: Tip{WhatHappened: "an old tip"}, Attachments: []AttachmentInfo{{Name: "old.bin", Size: len(file)}}})
	if err != nil {
		t.Fatal(err)
	}
	sealedTip, err := seal.Seal(doc, recips...)
	if err != nil {
		t.Fatal(err)
	}
	sealedFile, err := seal.Seal(file, recips...)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.secret.ReplyIdentity(rc)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.db.CreateTip(ctx, store.NewTip{
		ReceiptHash: e.secret.ReceiptHash(rc), ReplyRecipient: reply.Recipient().String(),
		Sealed: sealedTip, Attachments: []store.NewAttachment{{Sealed: sealedFile}}, Now: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := json.Marshal(sealedMessage{Text: "an old message"})
	if err != nil {
		t.Fatal(err)
	}
	sealedMsg, err := seal.Seal(msg, append(recips, reply.Recipient())...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddTipMessage(ctx, id, store.AuthorTipster, sealedMsg, t0); err != nil {
		t.Fatal(err)
	}

	tip, err := e.db.Tip(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := OpenTip(tip, e.operators[0])
	if err != nil || opened.WhatHappened != "an old tip" || len(opened.Attachments) != 1 {
		t.Fatalf("old tip opens to %+v, %v", opened, err)
	}
	atts, err := e.db.Attachments(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenAttachment(atts[0], &opened.Attachments[0], e.recovery)
	if err != nil || !bytes.Equal(got, file) {
		t.Errorf("old attachment opens to %q, %v", got, err)
	}
	st, err := e.desk.Status(ctx, rc)
	if err != nil || len(st.Messages) != 1 || st.Messages[0].Text != "an old message" {
		t.Errorf("old message: %+v, %v", st, err)
	}
}
