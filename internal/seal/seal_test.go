package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

func newIdentity(tb testing.TB) *age.X25519Identity {
	tb.Helper()
	id, err := GenerateIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	op1, op2, recovery, stranger := newIdentity(t), newIdentity(t), newIdentity(t), newIdentity(t)
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"short", []byte("a tip: the van is parked behind the bakery")},
		{"several chunks", bytes.Repeat([]byte("0123456789abcdef"), 10_000)}, // 160 KB > 64 KiB chunks
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ct, err := Seal(tt.plaintext, op1.Recipient(), op2.Recipient(), recovery.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(ct, []byte("age-encryption.org/v1\n")) {
				t.Errorf("ciphertext does not start with the binary age header: %q", ct[:min(len(ct), 30)])
			}
			if len(tt.plaintext) > 16 && bytes.Contains(ct, tt.plaintext[:16]) {
				t.Error("ciphertext contains plaintext")
			}
			for i, id := range []*age.X25519Identity{op1, op2, recovery} {
				got, err := Open(ct, id)
				if err != nil {
					t.Fatalf("identity %d: %v", i, err)
				}
				if !bytes.Equal(got, tt.plaintext) {
					t.Fatalf("identity %d: plaintext differs", i)
				}
			}
			// The matching identity need not be first.
			if _, err := Open(ct, stranger, recovery); err != nil {
				t.Errorf("stranger then recovery: %v", err)
			}
			_, err = Open(ct, stranger)
			var noMatch *age.NoIdentityMatchError
			if !errors.As(err, &noMatch) {
				t.Errorf("stranger: err = %v, want an age.NoIdentityMatchError", err)
			}
		})
	}
}

func TestSealSealsFreshly(t *testing.T) {
	t.Parallel()
	id := newIdentity(t)
	a, err := Seal([]byte("same"), id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Seal([]byte("same"), id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Error("sealing the same plaintext twice gave the same ciphertext")
	}
}

func TestOpenTampered(t *testing.T) {
	t.Parallel()
	id := newIdentity(t)
	ct, err := Seal([]byte("do not change me"), id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{len(ct) - 1, len(ct) - 20, len(ct) / 2, 30} {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := Open(bad, id); err == nil {
			t.Errorf("flipping byte %d: Open succeeded", i)
		}
	}
	if _, err := Open(ct[:len(ct)-1], id); err == nil {
		t.Error("truncated ciphertext: Open succeeded")
	}
	if _, err := Open(nil, id); err == nil {
		t.Error("empty ciphertext: Open succeeded")
	}
}

func TestSealOpenArgumentErrors(t *testing.T) {
	t.Parallel()
	id := newIdentity(t)
	if _, err := Seal([]byte("x")); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("Seal without recipients: err = %v, want ErrNoRecipients", err)
	}
	var nilRecipient *age.X25519Recipient
	if _, err := Seal([]byte("x"), id.Recipient(), nilRecipient); err == nil {
		t.Error("Seal with a nil *X25519Recipient succeeded")
	}
	if _, err := Seal([]byte("x"), nil); err == nil {
		t.Error("Seal with a nil recipient succeeded")
	}
	ct, err := Seal([]byte("x"), id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ct); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("Open without identities: err = %v, want ErrNoRecipients", err)
	}
	var nilIdentity *age.X25519Identity
	if _, err := Open(ct, nilIdentity); err == nil {
		t.Error("Open with a nil *X25519Identity succeeded")
	}
}

func TestParseRecipient(t *testing.T) {
	t.Parallel()
	id := newIdentity(t)
	pub := id.Recipient().String()
	for _, in := range []string{pub, "  " + pub + "\n", "\t" + pub + "\r\n"} {
		r, err := ParseRecipient(in)
		if err != nil {
			t.Errorf("ParseRecipient(%q): %v", in, err)
			continue
		}
		if r.String() != pub {
			t.Errorf("ParseRecipient(%q) = %s, want %s", in, r, pub)
		}
	}
	for _, in := range []string{"", "   ", "age1", id.String(), pub[:len(pub)-1], pub + "q", strings.ToUpper(pub[:10]) + pub[10:]} {
		if _, err := ParseRecipient(in); err == nil {
			t.Errorf("ParseRecipient(%.12q…) succeeded", in)
		} else if !strings.HasPrefix(err.Error(), "seal: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
}
