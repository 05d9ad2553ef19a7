package seal

import (
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

// bech32Decode is a test-only BIP-173 decoder, the inverse of bech32Encode.
func bech32Decode(s string) (hrp string, data []byte, err error) {
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, errors.New("mixed case")
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, errors.New("no separator")
	}
	hrp = s[:pos]
	var values []byte
	for _, c := range s[pos+1:] {
		v := strings.IndexRune(bech32Charset, c)
		if v < 0 {
			return "", nil, errors.New("invalid character")
		}
		values = append(values, byte(v))
	}
	if bech32Polymod(append(bech32HRPExpand(hrp), values...)) != 1 {
		return "", nil, errors.New("bad checksum")
	}
	var acc uint32
	var bits uint
	for _, v := range values[:len(values)-6] {
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			data = append(data, byte(acc>>bits))
		}
	}
	if bits >= 5 || acc&(1<<bits-1) != 0 {
		return "", nil, errors.New("bad padding")
	}
	return hrp, data, nil
}

func TestBech32Vectors(t *testing.T) {
	t.Parallel()
	// Valid BIP-173 checksums whose data part is a whole number of bytes.
	for _, s := range []string{
		"A12UEL5L",
		"a12uel5l",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	} {
		hrp, data, err := bech32Decode(s)
		if err != nil {
			t.Errorf("decode %s: %v", s, err)
			continue
		}
		got, err := bech32Encode(hrp, data)
		if err != nil {
			t.Errorf("encode %s: %v", s, err)
			continue
		}
		if got != strings.ToLower(s) {
			t.Errorf("encode(decode(%s)) = %s", s, got)
		}
	}
	for _, s := range []string{"a12uel5m", "A12uEL5L", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx", "1qzzfhee", "a1b"} {
		if _, _, err := bech32Decode(s); err == nil {
			t.Errorf("decode %s succeeded", s)
		}
	}
	for _, hrp := range []string{"", "a b", "é"} {
		if _, err := bech32Encode(hrp, []byte{1}); err == nil {
			t.Errorf("encode with hrp %q succeeded", hrp)
		}
	}
}

// TestBech32AgeKeys checks the encoder against age's own: a generated age
// identity and recipient decode and re-encode identically.
func TestBech32AgeKeys(t *testing.T) {
	t.Parallel()
	for range 20 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{id.String(), id.Recipient().String()} {
			hrp, data, err := bech32Decode(s)
			if err != nil {
				t.Fatalf("decode %.20s…: %v", s, err)
			}
			if len(data) != 32 {
				t.Fatalf("decoded %d bytes, want 32", len(data))
			}
			enc, err := bech32Encode(hrp, data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ToUpper(s) == s {
				enc = strings.ToUpper(enc)
			}
			if enc != s {
				t.Fatalf("re-encoded %.20s… as %.20s…", s, enc)
			}
		}
	}
}
