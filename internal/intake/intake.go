// Package intake is Haven's tip desk: it checks a tip, strips what photos
// say about where and when they were taken, seals everything with age to
// every active operator and the organization's recovery key, stores only
// ciphertext, and gives the tipster a receipt. With the receipt the tipster
// reads the conversation about the tip and adds to it; operators answer.
//
// The plaintext of a tip exists only in memory, for as long as a request
// takes: it is never written to disk, a log, or a temporary file.
package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/imgstrip"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
)

// Limits on what one tip may hold. A request larger than these is refused
// whole, naming the field, and nothing is stored.
const (
	MaxWhatRunes    = 20000 // what_happened
	MaxFieldRunes   = 500   // where, when, reply_contact
	MaxMessageRunes = 10000 // one message in the conversation
	MaxPeople       = 100000
	MaxFiles        = 5
	MaxFileBytes    = 10 << 20
	MaxFileName     = 200
)

// Field names, as the API and the form name them.
const (
	FieldToken       = "token"
	FieldPow         = "pow"
	FieldWhat        = "what_happened"
	FieldWhere       = "where"
	FieldWhen        = "when"
	FieldPeople      = "people_count"
	FieldMinors      = "minors_involved"
	FieldKind        = "kind"
	FieldDanger      = "danger"
	FieldReply       = "reply_contact"
	FieldLanguage    = "language"
	FieldAttachments = "attachments"
	FieldReceipt     = "receipt"
	FieldMessage     = "message"
)

// Answers of the choice fields.
var (
	Kinds  = []string{"sex", "labor", "both", "unsure"}
	Minors = []string{"yes", "no", "unsure"}
)

// File is an attachment as it arrived.
type File struct {
	Name string
	Type string // as the sender declared it; the content decides stripping
	Data []byte
	// stripped: StripFiles removed the image's metadata from Data.
	stripped bool
}

// Tip is what a tipster sends. Only WhatHappened is required.
type Tip struct {
	WhatHappened   string `json:"what_happened"`
	Where          string `json:"where,omitempty"`
	When           string `json:"when,omitempty"`
	PeopleCount    *int   `json:"people_count,omitempty"`
	MinorsInvolved string `json:"minors_involved,omitempty"` // yes, no, unsure
	Kind           string `json:"kind,omitempty"`            // sex, labor, both, unsure
	Danger         *bool  `json:"danger,omitempty"`
	ReplyContact   string `json:"reply_contact,omitempty"`
	Language       string `json:"language,omitempty"`
	Files          []File `json:"-"`
	// filesStripped: StripFiles has run; Submit does not strip again.
	filesStripped bool
}

// Code says what is wrong with a field.
type Code string

// The codes of FieldError.
const (
	CodeRequired     Code = "required"       // a required field is empty
	CodeInvalid      Code = "invalid"        // not a value the field takes
	CodeUnknown      Code = "unknown"        // a field the tip does not have
	CodeDuplicate    Code = "duplicate"      // a field given twice
	CodeNotUTF8      Code = "not_utf8"       // text that is not valid UTF-8
	CodeTooLong      Code = "too_long"       // more than Max characters
	CodeTooLongBytes Code = "too_long_bytes" // more than Max bytes
	CodeTooMany      Code = "too_many"       // more than Max files or parts
	CodeTooBig       Code = "too_big"        // a file, or the body, over Max bytes
	CodeBadImage     Code = "bad_image"      // a photo that is not a valid image
	CodeUnnamedPart  Code = "unnamed_part"   // a multipart part with no field name
)

// FieldError is a tip refused for one field. Code says why, for a message
// in the visitor's language: required, too_long (Max characters),
// too_long_bytes (Max bytes, for one part of a multipart body), invalid,
// unknown, duplicate, not_utf8, unnamed_part (Field is "body"), too_many,
// too_big, bad_image.
type FieldError struct {
	Field string
	Code  Code
	Max   int    // for too_long, too_long_bytes, too_many, too_big
	Name  string // the file, for too_big and bad_image
}

func (e *FieldError) Error() string {
	switch e.Code {
	case CodeRequired:
		return fmt.Sprintf("%s is required", e.Field)
	case CodeTooLong:
		return fmt.Sprintf("%s is too long (at most %d characters)", e.Field, e.Max)
	case CodeTooLongBytes:
		return fmt.Sprintf("%s is too long (at most %d bytes)", e.Field, e.Max)
	case CodeUnknown:
		return fmt.Sprintf("%s is not a known field", e.Field)
	case CodeDuplicate:
		return fmt.Sprintf("%s is given more than once", e.Field)
	case CodeNotUTF8:
		return fmt.Sprintf("%s is not valid UTF-8", e.Field)
	case CodeUnnamedPart:
		return fmt.Sprintf("%s: a part without a Content-Disposition header naming its form field", e.Field)
	case CodeTooMany:
		return fmt.Sprintf("%s: at most %d", e.Field, e.Max)
	case CodeTooBig:
		return fmt.Sprintf("%s: file %q is larger than %d bytes", e.Field, e.Name, e.Max)
	case CodeBadImage:
		return fmt.Sprintf("%s: file %q is not a readable JPEG or PNG image", e.Field, e.Name)
	}
	return fmt.Sprintf("%s is invalid", e.Field)
}

// Validate checks every field; it returns the first problem.
func (t *Tip) Validate() *FieldError {
	t.WhatHappened = strings.TrimSpace(t.WhatHappened)
	if t.WhatHappened == "" {
		return &FieldError{Field: FieldWhat, Code: CodeRequired}
	}
	for _, f := range []struct {
		name  string
		value *string
		max   int
	}{
		{FieldWhat, &t.WhatHappened, MaxWhatRunes},
		{FieldWhere, &t.Where, MaxFieldRunes},
		{FieldWhen, &t.When, MaxFieldRunes},
		{FieldReply, &t.ReplyContact, MaxFieldRunes},
		{FieldLanguage, &t.Language, 35},
	} {
		*f.value = strings.TrimSpace(*f.value)
		if !utf8.ValidString(*f.value) {
			return &FieldError{Field: f.name, Code: CodeInvalid}
		}
		if utf8.RuneCountInString(*f.value) > f.max {
			return &FieldError{Field: f.name, Code: CodeTooLong, Max: f.max}
		}
	}
	if t.PeopleCount != nil && (*t.PeopleCount < 0 || *t.PeopleCount > MaxPeople) {
		return &FieldError{Field: FieldPeople, Code: CodeInvalid}
	}
	if t.MinorsInvolved != "" && !slices.Contains(Minors, t.MinorsInvolved) {
		return &FieldError{Field: FieldMinors, Code: CodeInvalid}
	}
	if t.Kind != "" && !slices.Contains(Kinds, t.Kind) {
		return &FieldError{Field: FieldKind, Code: CodeInvalid}
	}
	if len(t.Files) > MaxFiles {
		return &FieldError{Field: FieldAttachments, Code: CodeTooMany, Max: MaxFiles}
	}
	for _, f := range t.Files {
		if len(f.Data) > MaxFileBytes {
			return &FieldError{Field: FieldAttachments, Code: CodeTooBig, Max: MaxFileBytes, Name: f.Name}
		}
	}
	return nil
}

// StripFiles removes the metadata of JPEG and PNG attachments, in place,
// once. A handler calls it before using up a form token, so that a tip
// with an image that cannot be read is refused with the token still good;
// Submit calls it for a tip that has not been through it.
func (t *Tip) StripFiles() *FieldError {
	if t.filesStripped {
		return nil
	}
	for i := range t.Files {
		f := &t.Files[i]
		data, stripped, err := imgstrip.Strip(f.Type, f.Data)
		if err != nil {
			return &FieldError{Field: FieldAttachments, Code: CodeBadImage, Name: f.Name}
		}
		f.Data, f.stripped = data, stripped
	}
	t.filesStripped = true
	return nil
}

// Sealed is the document sealed for a tip: the tip's fields and a list of
// its attachments. Operators and the recovery key open it.
type Sealed struct {
	Tip
	Attachments []AttachmentInfo `json:"attachments,omitempty"`
}

// AttachmentInfo describes one sealed attachment, inside the sealed tip.
type AttachmentInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int    `json:"size"`
	Stripped bool   `json:"metadata_stripped"`
}

// Message is one message of a conversation, opened.
type Message struct {
	Author  string    `json:"author"` // tipster or operator
	Created time.Time `json:"created"`
	Text    string    `json:"text"`
}

// sealedMessage is the document sealed for a message.
type sealedMessage struct {
	Text string `json:"text"`
}

// Status is what a receipt holder may see of a tip.
type Status struct {
	Status   store.TipStatus `json:"status"`
	Messages []Message       `json:"messages"`
}

// ErrClosed means the desk takes no tips: no recovery key is set, so
// nobody could ever be sure to read them.
var ErrClosed = errors.New("intake: tips are not accepted until a recovery key is set (haven keys recovery)")

// ErrUnknownReceipt means no tip has the receipt.
var ErrUnknownReceipt = errors.New("intake: no tip has this receipt")

// Config is what a Desk needs.
type Config struct {
	Store  store.TipStore
	Secret seal.Secret
	Now    func() time.Time
	Logger *slog.Logger
	// Budget limits the bytes the desk stores (see Budget).
	Budget Budget
	// Retention is how long a tip is kept after its last change, as the
	// receipt page tells the tipster; 0 is DefaultRetention. RunRetention
	// is given the period it sweeps by.
	Retention time.Duration
}

// recipientsTTL is how long the list of recipients is reused before the
// store is read again: adding or removing an operator takes effect within it.
const recipientsTTL = 5 * time.Second

// Desk takes tips and conversations. It is safe for concurrent use.
type Desk struct {
	store  store.TipStore
	secret seal.Secret
	now    func() time.Time
	log    *slog.Logger
	budget *budget
	keep   time.Duration

	mu      sync.Mutex
	recips  []age.Recipient
	fetched time.Time

	fails failures
}

// New returns a Desk.
func New(cfg Config) (*Desk, error) {
	if cfg.Store == nil {
		return nil, errors.New("intake: Config.Store is nil")
	}
	d := &Desk{store: cfg.Store, secret: cfg.Secret, now: cfg.Now, log: cfg.Logger, budget: newBudget(cfg.Budget), keep: cfg.Retention}
	if d.keep <= 0 {
		d.keep = DefaultRetention
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

// Retention is how long a tip is kept after its last change.
func (d *Desk) Retention() time.Duration { return d.keep }

// Recipients returns the keys every tip is sealed to: each active
// operator's and the recovery key. ErrClosed when there is no recovery key.
func (d *Desk) Recipients(ctx context.Context) ([]age.Recipient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.recips != nil && time.Since(d.fetched) < recipientsTTL {
		return d.recips, nil
	}
	rec, err := d.store.RecoveryRecipient(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("intake: recovery key: %w", err)
	}
	r, err := seal.ParseRecipient(rec)
	if err != nil {
		return nil, fmt.Errorf("intake: recovery key: %w", err)
	}
	out := []age.Recipient{r}
	ops, err := d.store.Operators(ctx)
	if err != nil {
		return nil, fmt.Errorf("intake: operators: %w", err)
	}
	for _, o := range ops {
		if !o.Active {
			continue
		}
		r, err := seal.ParseRecipient(o.Recipient)
		if err != nil {
			return nil, fmt.Errorf("intake: operator %s: %w", o.Name, err)
		}
		out = append(out, r)
	}
	d.recips, d.fetched = out, time.Now()
	return out, nil
}

// Open reports whether the desk takes tips.
func (d *Desk) Open(ctx context.Context) bool {
	_, err := d.Recipients(ctx)
	return err == nil
}

// Submit validates, strips, seals and stores a tip, and returns its
// receipt once the tip is durably stored. A *FieldError says what is wrong
// with the tip, a *FullError that there is no room for it now (see Budget);
// nothing is stored then.
func (d *Desk) Submit(ctx context.Context, t Tip) (seal.Receipt, error) {
	if fe := t.Validate(); fe != nil {
		return seal.Receipt{}, fe
	}
	recips, err := d.Recipients(ctx)
	if err != nil {
		return seal.Receipt{}, err
	}
	if fe := t.StripFiles(); fe != nil {
		return seal.Receipt{}, fe
	}
	var atts []store.NewAttachment
	var size int64
	for _, f := range t.Files {
		sealed, err := seal.SealPadded(f.Data, padFile, recips...)
		if err != nil {
			return seal.Receipt{}, fmt.Errorf("intake: seal attachment: %w", err)
		}
		atts = append(atts, store.NewAttachment{Sealed: sealed})
		size += int64(len(sealed))
	}
	plain, err := json.Marshal(t.document())
	if err != nil {
		return seal.Receipt{}, fmt.Errorf("intake: encode tip: %w", err)
	}
	sealed, err := seal.SealPadded(plain, padJSON, recips...)
	clear(plain)
	if err != nil {
		return seal.Receipt{}, fmt.Errorf("intake: seal tip: %w", err)
	}
	size += int64(len(sealed))
	if err := d.Room(ctx, size); err != nil {
		return seal.Receipt{}, err
	}
	receipt, err := seal.NewReceipt()
	if err != nil {
		return seal.Receipt{}, fmt.Errorf("intake: receipt: %w", err)
	}
	reply, err := d.secret.ReplyIdentity(receipt)
	if err != nil {
		return seal.Receipt{}, fmt.Errorf("intake: reply key: %w", err)
	}
	if _, err := d.store.CreateTip(ctx, store.NewTip{
		ReceiptHash:    d.secret.ReceiptHash(receipt),
		ReplyRecipient: reply.Recipient().String(),
		Sealed:         sealed,
		Attachments:    atts,
		Now:            d.now(),
	}); err != nil {
		return seal.Receipt{}, fmt.Errorf("intake: store tip: %w", err)
	}
	d.budget.add(size)
	return receipt, nil
}

// document is what is sealed for t: its fields and a list of its files,
// in order.
func (t *Tip) document() Sealed {
	doc := Sealed{Tip: *t}
	for _, f := range t.Files {
		name := f.Name
		if utf8.RuneCountInString(name) > MaxFileName || !utf8.ValidString(name) {
			name = "attachment"
		}
		doc.Attachments = append(doc.Attachments, AttachmentInfo{Name: name, Type: f.Type, Size: len(f.Data), Stripped: f.stripped})
	}
	return doc
}

// lookup finds the tip of a receipt.
func (d *Desk) lookup(ctx context.Context, r seal.Receipt) (store.Tip, error) {
	t, err := d.store.TipByReceipt(ctx, d.secret.ReceiptHash(r))
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrUnknownReceipt
	}
	if err != nil {
		return t, fmt.Errorf("intake: find tip: %w", err)
	}
	return t, nil
}

// Status returns the tip's status and its conversation, opened with the
// key the receipt gives. ErrUnknownReceipt when no tip has the receipt.
func (d *Desk) Status(ctx context.Context, r seal.Receipt) (Status, error) {
	t, err := d.lookup(ctx, r)
	if err != nil {
		return Status{}, err
	}
	id, err := d.secret.ReplyIdentity(r)
	if err != nil {
		return Status{}, fmt.Errorf("intake: reply key: %w", err)
	}
	msgs, err := d.store.TipMessages(ctx, t.ID)
	if err != nil {
		return Status{}, fmt.Errorf("intake: messages: %w", err)
	}
	st := Status{Status: t.Status, Messages: []Message{}}
	for _, m := range msgs {
		text, err := openMessage(m.Sealed, id)
		if err != nil {
			return Status{}, fmt.Errorf("intake: open message %d: %w", m.ID, err)
		}
		st.Messages = append(st.Messages, Message{Author: m.Author, Created: m.Created, Text: text})
	}
	return st, nil
}

// AddTipsterMessage adds a message from the holder of the receipt. A
// *FullError says there is no room for it now (see Budget).
func (d *Desk) AddTipsterMessage(ctx context.Context, r seal.Receipt, text string) error {
	t, err := d.lookup(ctx, r)
	if err != nil {
		return err
	}
	return d.addMessage(ctx, t, store.AuthorTipster, text)
}

// Reply adds an operator's message to the tip with the id. The storage
// budget counts it but never refuses it.
func (d *Desk) Reply(ctx context.Context, id int64, text string) error {
	t, err := d.store.Tip(ctx, id)
	if err != nil {
		return fmt.Errorf("intake: tip %d: %w", id, err)
	}
	return d.addMessage(ctx, t, store.AuthorOperator, text)
}

func (d *Desk) addMessage(ctx context.Context, t store.Tip, author, text string) error {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return &FieldError{Field: FieldMessage, Code: CodeRequired}
	case !utf8.ValidString(text):
		return &FieldError{Field: FieldMessage, Code: CodeInvalid}
	case utf8.RuneCountInString(text) > MaxMessageRunes:
		return &FieldError{Field: FieldMessage, Code: CodeTooLong, Max: MaxMessageRunes}
	}
	recips, err := d.Recipients(ctx)
	if err != nil {
		return err
	}
	tipster, err := seal.ParseRecipient(t.ReplyRecipient)
	if err != nil {
		return fmt.Errorf("intake: tip %d: reply key: %w", t.ID, err)
	}
	plain, err := json.Marshal(sealedMessage{Text: text})
	if err != nil {
		return fmt.Errorf("intake: encode message: %w", err)
	}
	sealed, err := seal.SealPadded(plain, padJSON, append(append([]age.Recipient(nil), recips...), tipster)...)
	clear(plain)
	if err != nil {
		return fmt.Errorf("intake: seal message: %w", err)
	}
	if author == store.AuthorTipster {
		if err := d.Room(ctx, int64(len(sealed))); err != nil {
			return err
		}
	}
	if _, err := d.store.AddTipMessage(ctx, t.ID, author, sealed, d.now()); err != nil {
		return fmt.Errorf("intake: store message: %w", err)
	}
	d.budget.add(int64(len(sealed)))
	return nil
}

func openMessage(sealed []byte, ids ...age.Identity) (string, error) {
	plain, err := openDocument(sealed, ids...)
	if err != nil {
		return "", err
	}
	var m sealedMessage
	err = json.Unmarshal(plain, &m)
	clear(plain)
	if err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	return m.Text, nil
}

// OpenTip opens a stored tip with an operator's or the recovery identity.
func OpenTip(t store.Tip, ids ...age.Identity) (Sealed, error) {
	var doc Sealed
	plain, err := openDocument(t.Sealed, ids...)
	if err != nil {
		return doc, fmt.Errorf("intake: open tip %d: %w", t.ID, err)
	}
	err = json.Unmarshal(plain, &doc)
	clear(plain)
	if err != nil {
		return doc, fmt.Errorf("intake: decode tip %d: %w", t.ID, err)
	}
	return doc, nil
}

// Padding (see seal.SealPadded): what a sealed tip, message or attachment
// says about the size of what it holds is only its size bucket. Tips and
// messages are JSON documents, padded with spaces: JSON from json.Marshal
// never ends in one, so trimming them gives back the document exactly, and
// documents sealed before padding (Haven before it padded) open unchanged.
// Files are padded with zeros, and cut back to the size the sealed tip
// records for them (AttachmentInfo.Size); files sealed before padding are
// already that size.
const (
	padJSON byte = ' '
	padFile byte = 0
)

// openDocument opens a sealed JSON document and removes its padding.
func openDocument(sealed []byte, ids ...age.Identity) ([]byte, error) {
	plain, err := seal.Open(sealed, ids...)
	if err != nil {
		return nil, err
	}
	doc := bytes.TrimRight(plain, string(padJSON))
	clear(plain[len(doc):])
	return doc, nil
}

// OpenAttachment opens a stored attachment with an operator's or the
// recovery identity, and returns the file exactly as it was sealed: info is
// what the opened tip says of it (Sealed.Attachments, in the same order as
// store.TipStore.Attachments). A nil info leaves the padding on.
func OpenAttachment(a store.Attachment, info *AttachmentInfo, ids ...age.Identity) ([]byte, error) {
	plain, err := seal.Open(a.Sealed, ids...)
	if err != nil {
		return nil, fmt.Errorf("intake: open attachment %d: %w", a.ID, err)
	}
	if info == nil {
		return plain, nil
	}
	if info.Size < 0 || info.Size > len(plain) {
		clear(plain)
		return nil, fmt.Errorf("intake: open attachment %d: it holds %d bytes, less than the %d its tip records", a.ID, len(plain), info.Size)
	}
	clear(plain[info.Size:])
	return plain[:info.Size], nil
}

// OpenMessages opens the conversation of a tip with an operator's or the
// recovery identity.
func OpenMessages(msgs []store.TipMessage, ids ...age.Identity) ([]Message, error) {
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		text, err := openMessage(m.Sealed, ids...)
		if err != nil {
			return nil, fmt.Errorf("intake: open message %d: %w", m.ID, err)
		}
		out = append(out, Message{Author: m.Author, Created: m.Created, Text: text})
	}
	return out, nil
}

// DefaultRetention is how long a tip is kept after its last change.
const DefaultRetention = 90 * 24 * time.Hour

// Purge deletes every tip not changed within retention, with its messages
// and attachments, returns how many it deleted, and records the purge as
// kind (store.PurgeManual for an operator's, store.PurgeAutomatic for the
// retention sweep) in the same transaction.
func (d *Desk) Purge(ctx context.Context, retention time.Duration, kind store.PurgeKind) (int, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("intake: retention %v: want a positive duration", retention)
	}
	now := d.now()
	n, err := d.store.PurgeTips(ctx, now.Add(-retention), kind, now)
	if err != nil {
		return n, fmt.Errorf("intake: purge: %w", err)
	}
	return n, nil
}

// Expired returns how many tips Purge(ctx, retention, ...) would delete
// now: those not changed within retention.
func (d *Desk) Expired(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("intake: retention %v: want a positive duration", retention)
	}
	_, n, err := d.store.ListTips(ctx, store.TipFilter{UpdatedBefore: d.now().Add(-retention), Limit: 1})
	if err != nil {
		return 0, fmt.Errorf("intake: count expired tips: %w", err)
	}
	return n, nil
}

// RunRetention purges expired tips now and then every interval, until ctx
// ends; each purge that deletes a tip is recorded as store.PurgeAutomatic.
// Failures are logged and retried at the next interval. Each interval it
// also logs how many tips and messages found no room (see Budget).
func (d *Desk) RunRetention(ctx context.Context, retention, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := d.Purge(ctx, retention, store.PurgeAutomatic)
		switch {
		case err != nil && ctx.Err() == nil:
			d.log.ErrorContext(ctx, "tip retention", "err", err)
		case n > 0:
			d.log.InfoContext(ctx, "tip retention: deleted expired tips", "tips", n)
		}
		d.reportRefusals(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
