package seal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// ErrNoRecipients is returned by [Seal] when it is given no recipient, and by
// [Open] when it is given no identity.
var ErrNoRecipients = errors.New("seal: no age recipients or identities given")

// Seal encrypts plaintext to every recipient and returns the ciphertext in the
// binary age format (not ASCII-armored). Any one of the recipients' identities
// can [Open] it.
//
// Seal works only in memory: the plaintext is never written to disk or to a
// temporary file. It returns [ErrNoRecipients] if recipients is empty, since
// sealing to nobody would destroy the tip.
func Seal(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	return seal(plaintext, len(plaintext), 0, recipients)
}

// seal encrypts plaintext followed by fill bytes up to size bytes in all.
func seal(plaintext []byte, size int, fill byte, recipients []age.Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	for i, r := range recipients {
		if isNilRecipient(r) {
			return nil, fmt.Errorf("seal: seal: recipient %d is nil", i)
		}
	}
	var buf bytes.Buffer
	// The header is about 100 bytes per recipient, and the payload grows by a
	// 16-byte tag per 64 KiB chunk plus a 16-byte nonce.
	buf.Grow(size + 64 + 128*len(recipients) + 16*(size/(64<<10)+2))
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, fmt.Errorf("seal: seal: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("seal: seal: %w", err)
	}
	if err := writePadding(w, size-len(plaintext), fill); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal: seal: %w", err)
	}
	return buf.Bytes(), nil
}

// isNilRecipient reports whether r is nil or a nil pointer of the recipient
// types this package hands out, which age would dereference and panic on.
func isNilRecipient(r age.Recipient) bool {
	if r == nil {
		return true
	}
	x, ok := r.(*age.X25519Recipient)
	return ok && x == nil
}

// Open decrypts a binary age ciphertext made by [Seal] with the first of ids
// that matches, and authenticates all of it before returning. The plaintext
// is returned as in-memory bytes only.
//
// If no identity matches, the error wraps an [*age.NoIdentityMatchError]; it
// returns [ErrNoRecipients] if ids is empty.
func Open(ciphertext []byte, ids ...age.Identity) ([]byte, error) {
	if len(ids) == 0 {
		return nil, ErrNoRecipients
	}
	for i, id := range ids {
		if id == nil {
			return nil, fmt.Errorf("seal: open: identity %d is nil", i)
		}
		if x, ok := id.(*age.X25519Identity); ok && x == nil {
			return nil, fmt.Errorf("seal: open: identity %d is nil", i)
		}
	}
	r, err := age.Decrypt(bytes.NewReader(ciphertext), ids...)
	if err != nil {
		return nil, fmt.Errorf("seal: open: %w", err)
	}
	plaintext, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("seal: open: %w", err)
	}
	return plaintext, nil
}

// ParseRecipient parses an age X25519 public key ("age1…"), as operators paste
// it into the configuration. Surrounding white space is ignored.
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New(`seal: empty age recipient: want a public key starting with "age1"`)
	}
	r, err := age.ParseX25519Recipient(s)
	if err != nil {
		return nil, fmt.Errorf(`seal: invalid age recipient (want an X25519 public key starting with "age1"): %w`, err)
	}
	return r, nil
}

// GenerateIdentity returns a new random age X25519 identity (private key).
// Its Recipient method gives the public key to seal to.
func GenerateIdentity() (*age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("seal: generate age identity: %w", err)
	}
	return id, nil
}
