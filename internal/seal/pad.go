package seal

import (
	"fmt"
	"io"
	"math/bits"

	"filippo.io/age"
)

// Padding. age hides what a ciphertext says but not how long it is: its
// length is the plaintext's plus a fixed overhead (a header that grows with
// the number of recipients, a nonce, a tag per 64 KiB). Stored as it is,
// the size of a sealed tip would tell a one-line tip from a long account,
// and a photo's size could match a copy of it found elsewhere. So
// [SealPadded] pads the plaintext, inside the encryption, to a size bucket:
//
//   - everything up to MinPadded (4 KiB) is padded to 4 KiB: every short
//     tip and message has one size;
//   - up to 1 MiB, to the next power of two (8, 16, ... 1024 KiB), which
//     leaves only the order of magnitude and costs at most twice the size
//     of text, which is small;
//   - above 1 MiB, to the next multiple of an eighth of the power of two
//     below (1 MiB + 128 KiB, 1 MiB + 256 KiB, ..., 8 MiB + 1 MiB, ...):
//     the size is known to within 12.5 %, and the padding costs at most
//     12.5 % of what photos and files take.
//
// Two plaintexts in one bucket sealed to the same number of recipients give
// ciphertexts of exactly the same length. What is padded is known only to
// the caller, who pads in a way it can undo (see package intake: JSON
// documents are padded with spaces, which a JSON decoder skips, and files
// with zeros cut off at the size recorded in the sealed tip), so that
// ciphertexts sealed before padding existed open as they always did.

// MinPadded is the smallest size [PaddedSize] returns.
const MinPadded = 4 << 10

// padPow2Max is the largest bucket that is a power of two; above it buckets
// are an eighth of a power of two apart.
const padPow2Max = 1 << 20

// PaddedSize returns the size n bytes of plaintext are padded to: the
// bucket n falls in (see the package's padding rules above). It is never
// less than n.
func PaddedSize(n int) int {
	if n <= MinPadded {
		return MinPadded
	}
	p := 1 << bits.Len(uint(n-1)) // the least power of two >= n
	if p <= padPow2Max {
		return p
	}
	step := p / 16 // an eighth of p/2, the power of two below n
	return (n + step - 1) / step * step
}

// SealPadded seals plaintext followed by fill bytes up to
// PaddedSize(len(plaintext)), like [Seal]. The padding is written into the
// encryption in small pieces: the padded plaintext is never held whole.
func SealPadded(plaintext []byte, fill byte, recipients ...age.Recipient) ([]byte, error) {
	return seal(plaintext, PaddedSize(len(plaintext)), fill, recipients)
}

// writePadding writes n fill bytes to w.
func writePadding(w io.Writer, n int, fill byte) error {
	var buf [4096]byte
	if fill != 0 {
		for i := range buf {
			buf[i] = fill
		}
	}
	for n > 0 {
		k := min(n, len(buf))
		if _, err := w.Write(buf[:k]); err != nil {
			return fmt.Errorf("seal: seal: padding: %w", err)
		}
		n -= k
	}
	return nil
}
