package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
)

// testSecret returns a fixed secret whose bytes are seed, seed+1, ….
func testSecret(seed byte) Secret {
	var s Secret
	for i := range s {
		s[i] = seed + byte(i)
	}
	return s
}

func TestLoadOrCreateSecretCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	s, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if s == (Secret{}) {
		t.Fatal("created an all-zero secret")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(s[:]) + "\n"; string(b) != want {
		t.Errorf("file holds %q, want the secret in hex and a line break", b)
	}
	again, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if again != s {
		t.Error("loading the created secret gave another one")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the secret (no temporary files)", len(entries))
	}
}

func TestLoadOrCreateSecretConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret")
	const n = 16
	got := make([]Secret, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreateSecret(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i] != got[0] {
			t.Fatal("concurrent first starts ended with different secrets")
		}
	}
}

func TestLoadOrCreateSecretFiles(t *testing.T) {
	t.Parallel()
	want := testSecret(1)
	hexed := hex.EncodeToString(want[:])
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		errText string // "" for success
	}{
		{"hex", hexed, 0o600, ""},
		{"hex and line break", hexed + "\n", 0o600, ""},
		{"hex and CRLF", hexed + "\r\n", 0o600, ""},
		{"upper-case hex", strings.ToUpper(hexed), 0o400, ""},
		{"readable by group", hexed, 0o640, "group or others"},
		{"readable by all", hexed, 0o644, "chmod 600"},
		{"writable by others", hexed, 0o602, "group or others"},
		{"raw bytes", string(want[:]), 0o600, "hexadecimal digits"},
		{"too short", hexed[:62], 0o600, "hexadecimal digits"},
		{"too long", hexed + "00", 0o600, "hexadecimal digits"},
		{"two line breaks", hexed + "\n\n", 0o600, "hexadecimal digits"},
		{"empty", "", 0o600, "hexadecimal digits"},
		{"not hex", strings.Repeat("zz", 32), 0o600, "hexadecimal digits"},
		{"all zeros", strings.Repeat("0", 64), 0o600, "all zeros"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "secret")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := LoadOrCreateSecret(path)
			if tt.errText == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatal("loaded a different secret")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.errText)
			}
			if got != (Secret{}) {
				t.Error("returned a secret with an error")
			}
			after, rerr := os.ReadFile(path)
			if rerr != nil || string(after) != tt.content {
				t.Error("a refused file was changed")
			}
		})
	}
}

func TestLoadOrCreateSecretBadPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := LoadOrCreateSecret(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: err = %v", err)
	}
	if _, err := LoadOrCreateSecret(filepath.Join(dir, "missing", "secret")); err == nil {
		t.Error("missing directory: no error")
	}
	link := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if _, err := LoadOrCreateSecret(link); err == nil {
		t.Error("dangling symbolic link: no error")
	}
}

func TestSecretIsNeverPrinted(t *testing.T) {
	t.Parallel()
	s := testSecret(0xA0)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "secret", s)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s)
	out := fmt.Sprintf("%v %+v %#v %s %x %X %q %d %T", s, s, s, s, s, s, s, s, s) + logged.String()
	for _, leak := range []string{hex.EncodeToString(s[:4]), strings.ToUpper(hex.EncodeToString(s[:4])), "160 161 162", "0xa0"} {
		if strings.Contains(out, leak) {
			t.Errorf("printing a Secret reveals %q: %s", leak, out)
		}
	}
}

// hkdfSHA256 is an independent HKDF-SHA256 (RFC 5869) for outputs of one
// block, to check the package's key derivations.
func hkdfSHA256(ikm, salt []byte, info string) []byte {
	if salt == nil {
		salt = make([]byte, sha256.Size)
	}
	extract := hmac.New(sha256.New, salt)
	extract.Write(ikm)
	expand := hmac.New(sha256.New, extract.Sum(nil))
	expand.Write([]byte(info))
	expand.Write([]byte{1})
	return expand.Sum(nil)
}

func TestReceiptHash(t *testing.T) {
	t.Parallel()
	s1, s2 := testSecret(1), testSecret(2)
	r1, r2 := newReceipt(t), newReceipt(t)
	h := s1.ReceiptHash(r1)
	if len(h) != 32 {
		t.Fatalf("hash has %d bytes, want 32", len(h))
	}
	mac := hmac.New(sha256.New, hkdfSHA256(s1[:], nil, "haven receipt hash v1"))
	mac.Write([]byte(r1.Canonical()))
	if want := mac.Sum(nil); !bytes.Equal(h, want) {
		t.Errorf("ReceiptHash = %x, want HMAC-SHA256(HKDF(secret), digits) = %x", h, want)
	}
	if !bytes.Equal(h, s1.ReceiptHash(mustParseReceipt(t, inScript(r1.String(), '٠')))) {
		t.Error("the same receipt typed in another script hashes differently")
	}
	if bytes.Equal(h, s1.ReceiptHash(r2)) {
		t.Error("two receipts hash alike")
	}
	if bytes.Equal(h, s2.ReceiptHash(r1)) {
		t.Error("two secrets hash a receipt alike")
	}
	if bytes.Contains(h, []byte(r1.Canonical()[:8])) {
		t.Error("hash contains the receipt")
	}
}

func TestReplyIdentity(t *testing.T) {
	t.Parallel()
	s1, s2 := testSecret(1), testSecret(2)
	r1, r2 := newReceipt(t), newReceipt(t)
	id := func(s Secret, r Receipt) *age.X25519Identity {
		t.Helper()
		id, err := s.ReplyIdentity(r)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := id(s1, r1)
	if got := id(s1, mustParseReceipt(t, r1.String())); got.String() != a.String() {
		t.Error("the same receipt and secret gave different identities")
	}
	if id(s1, r2).String() == a.String() {
		t.Error("two receipts gave the same identity")
	}
	if id(s2, r1).String() == a.String() {
		t.Error("two secrets gave the same identity")
	}

	// The identity is the documented HKDF output, used as the X25519 key.
	key := hkdfSHA256([]byte(r1.Canonical()), hkdfSHA256(s1[:], nil, "haven reply salt v1"), "haven reply key v1")
	_, data, err := bech32Decode(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, key) {
		t.Errorf("identity key = %x, want %x", data, key)
	}

	// A reply sealed to operators and the tipster opens for both.
	operator := newIdentity(t)
	ct, err := Seal([]byte("we received your tip"), operator.Recipient(), a.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []age.Identity{operator, id(s1, r1)} {
		if _, err := Open(ct, who); err != nil {
			t.Errorf("open reply: %v", err)
		}
	}
	if _, err := Open(ct, id(s1, r2)); err == nil {
		t.Error("another receipt's identity opened the reply")
	}

	if _, err := s1.ReplyIdentity(Receipt{}); err == nil {
		t.Error("the zero receipt has a reply identity")
	}
}

func TestDerivedKeysDiffer(t *testing.T) {
	t.Parallel()
	s := testSecret(7)
	k := s.TokenKey()
	if want := hkdfSHA256(s[:], nil, "haven form token v1"); !bytes.Equal(k, want) {
		t.Errorf("TokenKey = %x, want %x", k, want)
	}
	keys := [][]byte{k, s.derive(infoReceiptHash), s.derive(infoReplySalt), s[:]}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if bytes.Equal(keys[i], keys[j]) {
				t.Errorf("keys %d and %d are equal", i, j)
			}
		}
	}
	if !bytes.Equal(k, testSecret(7).TokenKey()) || bytes.Equal(k, testSecret(8).TokenKey()) {
		t.Error("TokenKey is not a function of the secret")
	}
}
