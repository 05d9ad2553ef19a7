package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"filippo.io/age"
)

// HKDF info strings: one per derived key, versioned so a scheme can change
// without colliding with the old one.
const (
	infoReceiptHash = "haven receipt hash v1"
	infoReplySalt   = "haven reply salt v1"
	infoReplyKey    = "haven reply key v1"
	infoFormToken   = "haven form token v1"
)

// Secret is the per-installation secret from which the receipt-hash key, the
// tipsters' reply keys and the form-token key are derived. It must be kept
// OUTSIDE the database (a file readable only by the server, see
// [LoadOrCreateSecret]), and backed up: without it no receipt can be looked up
// and tipsters can no longer read replies (operators still can).
//
// Formatting a Secret with fmt or logging it with slog prints "[REDACTED]".
type Secret [32]byte

// Format implements fmt.Formatter so that printing a Secret with any verb
// never reveals it.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// LogValue implements slog.LogValuer so that logging a Secret never reveals it.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// derive returns a 32-byte key for one purpose, HKDF-SHA256 of the secret
// with no salt and the given info.
func (s Secret) derive(info string) []byte {
	k, err := hkdf.Key(sha256.New, s[:], nil, info, 32)
	if err != nil {
		// hkdf.Key fails only for output longer than 255 hashes.
		panic("seal: hkdf: " + err.Error())
	}
	return k
}

// ReceiptHash returns the lookup key of a receipt for the database:
// HMAC-SHA256 over the canonical digits, keyed with a key derived from the
// secret by HKDF-SHA256 (info "haven receipt hash v1"). It is 32 bytes.
//
// A fast keyed hash is the right tool here, not a slow password hash: a
// receipt carries about 90 bits of entropy, so without the key (which is not
// in the database) guessing is hopeless, and even with the key an attacker
// would need around 2^89 HMACs to find one receipt. A slow KDF would add
// nothing against that but would cap how many tips and lookups the server can
// handle, and hand attackers a cheap denial of service.
func (s Secret) ReceiptHash(r Receipt) []byte {
	mac := hmac.New(sha256.New, s.derive(infoReceiptHash))
	mac.Write([]byte(r.Canonical()))
	return mac.Sum(nil)
}

// ReplyIdentity returns the tipster's age identity for receipt r: 32 bytes of
// HKDF-SHA256 with the canonical receipt as input key material, a salt derived
// from the secret (info "haven reply salt v1") and info "haven reply key v1",
// used as an X25519 private key.
//
// Messages between operators and a tipster are sealed to the operators, the
// recovery key and ReplyIdentity(r).Recipient(), so both the tipster (who
// presents the receipt) and the operators can read them, while the database
// alone, holding only the public key, cannot. The same receipt and secret
// always give the same identity.
func (s Secret) ReplyIdentity(r Receipt) (*age.X25519Identity, error) {
	if r.IsZero() {
		return nil, errors.New("seal: reply identity: empty receipt")
	}
	key, err := hkdf.Key(sha256.New, []byte(r.Canonical()), s.derive(infoReplySalt), infoReplyKey, 32)
	if err != nil {
		return nil, fmt.Errorf("seal: reply identity: %w", err)
	}
	// age's identity string is the upper-cased bech32 of "age-secret-key-".
	enc, err := bech32Encode("age-secret-key-", key)
	if err != nil {
		return nil, fmt.Errorf("seal: reply identity: %w", err)
	}
	id, err := age.ParseX25519Identity(strings.ToUpper(enc))
	if err != nil {
		return nil, fmt.Errorf("seal: reply identity: %w", err)
	}
	return id, nil
}

// TokenKey returns the key that signs form tokens (see abuse.NewTokens),
// HKDF-SHA256 of the secret with info "haven form token v1".
func (s Secret) TokenKey() []byte { return s.derive(infoFormToken) }

// secretFileMax bounds what LoadOrCreateSecret reads: 64 hex digits and a line
// break, with room to spare for a clear "wrong size" error.
const secretFileMax = 1024

// LoadOrCreateSecret reads the installation secret from path, or creates it
// there if the file does not exist.
//
// The file holds the secret as 64 hexadecimal digits, optionally followed by
// one line break. Hex rather than raw bytes so that it can be backed up on
// paper or in a password manager and checked by eye.
//
// An existing file must be a regular file (a symbolic link to one is fine)
// that neither group nor others can read or write (mode 0600 or 0400); a file
// with looser permissions, of the wrong size, not hexadecimal, or all zeros is
// refused with an error that says so. On Windows the permission check is
// skipped.
//
// A new secret is written atomically with mode 0600: to a temporary file in
// the same directory, synced, then linked into place, and the directory
// synced. If another process creates the file first, its secret is loaded. The
// directory must exist.
func LoadOrCreateSecret(path string) (Secret, error) {
	s, err := loadSecret(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	return createSecret(path)
}

// loadSecret reads and checks an existing secret file.
func loadSecret(path string) (Secret, error) {
	var s Secret
	f, err := os.Open(path)
	if err != nil {
		return s, fmt.Errorf("seal: secret file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return s, fmt.Errorf("seal: secret file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return s, fmt.Errorf("seal: secret file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return s, fmt.Errorf("seal: secret file %s has mode %04o: it must not be readable or writable by group or others (chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, secretFileMax))
	if err != nil {
		return s, fmt.Errorf("seal: secret file %s: %w", path, err)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if len(text) != 2*len(s) {
		return s, fmt.Errorf("seal: secret file %s: want %d hexadecimal digits and an optional line break, got %d bytes", path, 2*len(s), len(b))
	}
	if _, err := hex.Decode(s[:], []byte(text)); err != nil {
		return Secret{}, fmt.Errorf("seal: secret file %s: want %d hexadecimal digits: %w", path, 2*len(s), err)
	}
	if s == (Secret{}) {
		return s, fmt.Errorf("seal: secret file %s: the secret is all zeros", path)
	}
	return s, nil
}

// createSecret writes a new random secret to path atomically, without ever
// replacing an existing file.
func createSecret(path string) (Secret, error) {
	var s Secret
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("seal: new secret: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".haven-secret-*")
	if err != nil {
		return Secret{}, fmt.Errorf("seal: create secret file: %w", err)
	}
	tmpName := tmp.Name()
	placed := false
	defer func() {
		if !placed {
			os.Remove(tmpName)
		}
	}()
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.WriteString(hex.EncodeToString(s[:]) + "\n")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Secret{}, fmt.Errorf("seal: create secret file: %w", err)
	}
	// A hard link, unlike a rename, fails if path exists, so two processes
	// starting at once cannot each keep a different secret. Where the file
	// system has no hard links, fall back to a rename.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return loadSecret(path)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return Secret{}, fmt.Errorf("seal: create secret file: %w", err)
		}
		placed = true
	} else {
		placed = true
		// Should this fail, the leftover name holds the same secret with
		// the same mode next to the real file: not worth failing for.
		_ = os.Remove(tmpName)
	}
	if err := syncDir(dir); err != nil {
		return Secret{}, fmt.Errorf("seal: create secret file: %w", err)
	}
	return s, nil
}

// syncDir makes a new directory entry durable. Windows cannot sync a
// directory, and needs not.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
