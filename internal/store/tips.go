package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Tips from the public reach the store already sealed (age-encrypted) to
// every operator and to the organization's recovery key: the store holds
// ciphertext and a few coarse workflow fields, nothing else. It keeps no IP
// address, user agent, cookie or precise time. Every time the store writes
// is rounded down to the hour, in UTC, by the store itself (see Hour), so
// no caller can leak a precise time through it.

// TipStatus is where a tip is in the operators' workflow.
type TipStatus string

// The statuses of a tip. Every write checks that a status is one of these.
const (
	TipNew      TipStatus = "new"       // not looked at yet; every tip starts here
	TipInReview TipStatus = "in_review" // an operator is working on it
	TipClosed   TipStatus = "closed"    // done: referred, answered or dismissed
)

// Valid reports whether s is one of the statuses above.
func (s TipStatus) Valid() bool {
	switch s {
	case TipNew, TipInReview, TipClosed:
		return true
	}
	return false
}

// Authors of a tip message.
const (
	AuthorTipster  = "tipster"  // the person who sent the tip, holding its receipt
	AuthorOperator = "operator" // any operator; which one is not recorded with the message
)

// ReceiptHashSize is the length of NewTip.ReceiptHash.
const ReceiptHashSize = 32

// TokenIDSize is the length of the id of a redeemed form token
// (TipStore.RedeemToken): a keyed hash of the token, never the token.
const TokenIDSize = 32

// NewTip is a tip as CreateTip stores it.
type NewTip struct {
	// ReceiptHash is the keyed hash of the receipt given to the tipster,
	// ReceiptHashSize bytes. No two tips have the same one.
	ReceiptHash []byte
	// ReplyRecipient is the age public key ("age1...") derived from the
	// receipt; messages to the tipster are sealed to it.
	ReplyRecipient string
	// Sealed is the age ciphertext of the tip; it must not be empty.
	Sealed []byte
	// Attachments are stored with the tip, in this order.
	Attachments []NewAttachment
	// Now is when the tip arrived; the store keeps only its hour (Hour).
	Now time.Time
}

// NewAttachment is one sealed file sent with a tip. Its recorded size is
// len(Sealed), which must not be zero.
type NewAttachment struct {
	Sealed []byte // age ciphertext of the file (its name and type are inside)
}

// Tip is a stored tip.
type Tip struct {
	ID      int64
	Created time.Time // the hour the tip arrived, in UTC
	// Updated is the latest hour, in UTC, the tip was created, changed or
	// given a message. It never moves back; PurgeTips goes by it.
	Updated        time.Time
	Status         TipStatus
	Assignee       string // the name of the operator it is assigned to; "" when none
	Size           int64  // bytes of ciphertext: the tip and its attachments together
	ReplyRecipient string // the tipster's age public key, for sealing replies
	Sealed         []byte // the tip's age ciphertext
	Attachments    int    // how many attachments the tip has
}

// TipMessage is one message of the conversation between a tipster and the
// operators about a tip.
type TipMessage struct {
	ID      int64
	TipID   int64
	Author  string    // AuthorTipster or AuthorOperator
	Created time.Time // the hour it was written, in UTC
	Sealed  []byte    // age ciphertext: to the operators and recovery key, or to the tipster's ReplyRecipient
}

// Attachment is a stored attachment of a tip.
type Attachment struct {
	ID     int64
	TipID  int64
	Size   int64 // len(Sealed)
	Sealed []byte
}

// Operator is a member of staff who reads tips. Tips are sealed to the
// Recipient of every active operator.
type Operator struct {
	ID        int64
	Name      string    // unique
	Recipient string    // the operator's age public key, "age1..."
	Active    bool      // false: no longer sealed to, kept for the record
	Created   time.Time // the hour the operator was added, in UTC
}

// TipFilter narrows ListTips. Zero values mean "any".
type TipFilter struct {
	Status TipStatus // "" for every status
	// UpdatedBefore, when not zero, selects only the tips whose Updated is
	// before it: those PurgeTips(ctx, UpdatedBefore, ...) would delete.
	UpdatedBefore time.Time
	Limit         int // 1..MaxLimit; 0 means MaxLimit
	Offset        int
}

// PurgeKind says what started a purge of tips.
type PurgeKind string

// The kinds of purge.
const (
	PurgeManual    PurgeKind = "manual"    // an operator ran haven tips purge
	PurgeAutomatic PurgeKind = "automatic" // the server's retention sweep
)

// Valid reports whether k is one of the kinds above.
func (k PurgeKind) Valid() bool {
	return k == PurgeManual || k == PurgeAutomatic
}

// Purge is the record PurgeTips keeps of a purge: when it ran, to the hour
// like every time of the tip store, how many tips it deleted and what
// started it. It names no tip.
type Purge struct {
	ID   int64
	Hour time.Time // the hour it ran, in UTC
	Tips int       // how many tips it deleted
	Kind PurgeKind
}

// TipStore stores sealed tips, the messages about them, the operators who
// read them and the organization's recovery key. Every time a method takes
// is rounded down to the hour (Hour) before it is stored. Methods return
// errors wrapping ErrInvalid for input they refuse (the validation of each
// is given below), ErrNotFound for a missing record and ErrConflict for a
// duplicate key.
type TipStore interface {
	// CreateTip stores t and its attachments in one transaction and
	// returns the tip's id. When it returns nil the tip is durably on
	// disk: it survives a crash or power loss from then on. The tip starts
	// with status TipNew, no assignee and Created = Updated = Hour(t.Now).
	// A receipt hash some tip already has returns an error wrapping
	// ErrConflict; a receipt hash that is not ReceiptHashSize bytes, a
	// reply recipient that is not an age public key, an empty Sealed (of
	// the tip or an attachment) or a zero Now returns ErrInvalid. A
	// context canceled before the call returns its error and stores
	// nothing; an error from CreateTip otherwise means the tip was not
	// stored, except that a failure while committing leaves it unknown.
	CreateTip(ctx context.Context, t NewTip) (int64, error)
	// TipByReceipt returns the tip with the receipt hash; ErrNotFound when
	// none, ErrInvalid when hash is not ReceiptHashSize bytes.
	TipByReceipt(ctx context.Context, hash []byte) (Tip, error)
	// Tip returns the tip with the id; ErrNotFound when none.
	Tip(ctx context.Context, id int64) (Tip, error)
	// ListTips returns the page of tips f selects, newest first (in the
	// reverse of the order they were stored), with their Sealed
	// ciphertext, and the number of tips f selects in all. Paging outside the limits of TipFilter, or
	// a Status that is not "" or valid, returns ErrInvalid.
	// f.UpdatedBefore selects exactly the tips PurgeTips would delete.
	ListTips(ctx context.Context, f TipFilter) ([]Tip, int, error)
	// Attachments returns the attachments of the tip, in the order they
	// were given; nil when it has none, ErrNotFound when there is no tip
	// with that id.
	Attachments(ctx context.Context, tipID int64) ([]Attachment, error)
	// AddTipMessage stores a sealed message about the tip, written at now,
	// and moves the tip's Updated to Hour(now) unless it is later already.
	// Like CreateTip it returns only once the message is durably on disk.
	// An author other than AuthorTipster or AuthorOperator, an empty
	// sealed or a zero now returns ErrInvalid; a missing tip ErrNotFound.
	AddTipMessage(ctx context.Context, tipID int64, author string, sealed []byte, now time.Time) (int64, error)
	// TipMessages returns the tip's messages, oldest first (in the order
	// they were stored); nil when it has none, ErrNotFound when there is no tip with that id.
	TipMessages(ctx context.Context, tipID int64) ([]TipMessage, error)
	// SetTipStatus sets the tip's status and assignee ("" for none) and
	// moves its Updated to Hour(now) unless it is later already. An
	// invalid status, an assignee who is not an operator (active or not)
	// or a zero now returns ErrInvalid; a missing tip ErrNotFound.
	SetTipStatus(ctx context.Context, id int64, s TipStatus, assignee string, now time.Time) error
	// PurgeTips deletes every tip whose Updated is before before, with its
	// messages and attachments, and returns how many tips it deleted.
	// Deletion is real: when it returns nil, the deleted ciphertext is gone
	// from the database's files as far as the backend can make it so (see
	// each backend's documentation).
	//
	// In the same transaction it records the purge, Purge{Hour:
	// Hour(now), Tips: the number deleted, Kind: kind}, so that no tip is
	// deleted without a record (Purges lists them). A manual purge is
	// recorded always; an automatic one only when it deleted a tip, since
	// the server sweeps every hour. A kind that is not valid or a zero now
	// returns ErrInvalid and deletes nothing.
	PurgeTips(ctx context.Context, before time.Time, kind PurgeKind, now time.Time) (int, error)
	// Purges returns the page of recorded purges, newest first (in the
	// reverse of the order they were recorded), and the number recorded
	// in all. Paging outside 0..MaxLimit (0 means MaxLimit) and offset >=
	// 0 returns ErrInvalid.
	Purges(ctx context.Context, limit, offset int) ([]Purge, int, error)
	// TipBytes returns how many bytes of ciphertext were stored from the
	// hour of since (Hour(since)) on and are still held: the Size of every
	// tip created in that hour or later, and the length of every message
	// written in that hour or later, whichever tip it is about. It is what
	// a storage budget counts, from the hours the store already keeps; a
	// zero since returns ErrInvalid.
	TipBytes(ctx context.Context, since time.Time) (int64, error)

	// AddOperator adds an active operator. A name already taken returns
	// ErrConflict; a blank name, a name with surrounding space or control
	// characters, a recipient that is not an age public key or a zero now
	// returns ErrInvalid.
	AddOperator(ctx context.Context, name, recipient string, now time.Time) (Operator, error)
	// Operators returns every operator, active or not, in the order they
	// were added.
	Operators(ctx context.Context) ([]Operator, error)
	// SetOperatorActive activates or deactivates the operator with the
	// name; ErrNotFound when none.
	SetOperatorActive(ctx context.Context, name string, active bool) error
	// SetRecoveryRecipient sets the organization's recovery public key,
	// replacing any earlier one. A recipient that is not an age public key
	// or a zero now returns ErrInvalid.
	SetRecoveryRecipient(ctx context.Context, recipient string, now time.Time) error
	// RecoveryRecipient returns the recovery public key; ErrNotFound before
	// one is set.
	RecoveryRecipient(ctx context.Context) (string, error)

	// RedeemToken records that the form token whose keyed hash is id was
	// used, so that it is refused as used again until it expires, across
	// restarts and across servers sharing the database. The record is kept
	// until expires rounded up to the hour (HourUp): no later than the
	// next whole hour, never earlier, and no finer time is stored. In the
	// same transaction RedeemToken deletes every record that expired at or
	// before now. An id recorded already (and not expired at now) returns
	// an error wrapping ErrConflict; an id that is not TokenIDSize bytes, a
	// zero now, or an expires whose hour is not after now returns
	// ErrInvalid. Like CreateTip it returns nil only once the record is
	// durably on disk.
	RedeemToken(ctx context.Context, id []byte, expires, now time.Time) error
}

// Hour is t rounded down to the hour, in UTC: the only precision at which
// the tip store records time. 10:47:13.5 becomes 10:00:00.
func Hour(t time.Time) time.Time {
	return t.UTC().Truncate(time.Hour)
}

// HourUp is t rounded up to the hour, in UTC: the time the store keeps of
// an expiry, which must not come early. 10:47:13.5 becomes 11:00:00; 10:00
// stays 10:00.
func HourUp(t time.Time) time.Time {
	h := Hour(t)
	if h.Before(t) {
		h = h.Add(time.Hour)
	}
	return h
}

// CheckRecipient returns an error wrapping ErrInvalid unless r looks like
// an age public key: "age1" followed by Bech32 characters, in lower case
// (the form age writes; plugin and post-quantum recipients have it too).
// It does not decode the key.
func CheckRecipient(r string) error {
	rest, ok := strings.CutPrefix(r, "age1")
	if !ok || rest == "" {
		return fmt.Errorf("recipient %q is not an age public key (age1...): %w", clip(r), ErrInvalid)
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return fmt.Errorf("recipient %q is not an age public key (age1... in lower-case letters and digits): %w", clip(r), ErrInvalid)
		}
	}
	return nil
}

// CheckOperatorName returns an error wrapping ErrInvalid unless name is a
// usable operator name: not blank, no surrounding space, valid UTF-8
// without control characters, at most 100 bytes.
func CheckOperatorName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("operator name is blank: %w", ErrInvalid)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("operator name %q has surrounding space: %w", clip(name), ErrInvalid)
	case len(name) > 100:
		return fmt.Errorf("operator name %q is longer than 100 bytes: %w", clip(name), ErrInvalid)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("operator name %q holds invalid or control characters: %w", clip(name), ErrInvalid)
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
