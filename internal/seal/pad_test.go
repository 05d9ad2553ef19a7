package seal

import (
	"bytes"
	"testing"
)

func TestPaddedSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, want int }{
		{0, MinPadded},
		{1, MinPadded},
		{MinPadded, MinPadded},
		{MinPadded + 1, 8 << 10},
		{100_000, 128 << 10},
		{1 << 20, 1 << 20},
		{1<<20 + 1, 1<<20 + 128<<10},
		{2 << 20, 2 << 20},
		{2<<20 + 1, 2<<20 + 256<<10},
		{10_000_000, 10 << 20},
		{10 << 20, 10 << 20}, // intake.MaxFileBytes: a largest file is not padded past the limit
	} {
		if got := PaddedSize(tc.n); got != tc.want {
			t.Errorf("PaddedSize(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	// Never smaller, never shrinking as n grows, and above 1 MiB never
	// more than 12.5 % larger.
	prev := 0
	for n := 0; n <= 40<<20; n += 1 + n/97 {
		p := PaddedSize(n)
		switch {
		case p < n:
			t.Fatalf("PaddedSize(%d) = %d, less than n", n, p)
		case p < prev:
			t.Fatalf("PaddedSize(%d) = %d, less than for a smaller n (%d)", n, p, prev)
		case n > 1<<20 && float64(p) > float64(n)*1.125:
			t.Fatalf("PaddedSize(%d) = %d, more than 12.5 %% padding", n, p)
		}
		prev = p
	}
}

// Two plaintexts of different lengths in one bucket give ciphertexts of
// equal length; each opens to itself followed by the fill, so a caller who
// knows where its plaintext ends gets it back exactly.
func TestSealPaddedHidesLength(t *testing.T) {
	t.Parallel()
	op, recovery := newIdentity(t), newIdentity(t)
	seal := func(p []byte) []byte {
		t.Helper()
		ct, err := SealPadded(p, ' ', op.Recipient(), recovery.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(ct, op)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != PaddedSize(len(p)) || !bytes.Equal(got[:len(p)], p) || len(bytes.Trim(got[len(p):], " ")) != 0 {
			t.Fatalf("a %d-byte plaintext opens to %d bytes, not itself padded with spaces", len(p), len(got))
		}
		return ct
	}
	for _, pair := range [][2]int{{1, MinPadded}, {MinPadded + 1, 8 << 10}, {600 << 10, 1 << 20}, {3<<20 + 1, 3<<20 + 256<<10}} {
		a, b := seal(bytes.Repeat([]byte("a"), pair[0])), seal(bytes.Repeat([]byte("b"), pair[1]))
		if len(a) != len(b) {
			t.Errorf("plaintexts of %d and %d bytes: ciphertexts of %d and %d bytes, want equal", pair[0], pair[1], len(a), len(b))
		}
	}
	if a, b := seal([]byte("short")), seal(bytes.Repeat([]byte("x"), MinPadded+1)); len(a) == len(b) {
		t.Errorf("plaintexts in different buckets give ciphertexts of the same length")
	}
	// Seal itself does not pad.
	plain, err := Seal([]byte("short"), op.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	padded, err := SealPadded([]byte("short"), 0, op.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if len(padded)-len(plain) != MinPadded-len("short") {
		t.Errorf("SealPadded adds %d bytes to Seal's ciphertext, want %d", len(padded)-len(plain), MinPadded-len("short"))
	}
}
