package abuse

import (
	"crypto/sha256"
	"math/bits"
	"strconv"
)

// maxPowNonce is the longest nonce VerifyPow accepts: the digits of the
// largest uint64.
const maxPowNonce = 20

// SolvePow finds the proof of work for a form token: the smallest decimal
// nonce n (no sign, no leading zeros) such that SHA-256(token + ":" + n)
// begins with at least bits zero bits. The form's JavaScript does the same
// with crypto.subtle.digest, counting n up from 0, and sends n with the form.
//
// On average it takes 2^bits hashes. bits ≤ 0 returns "0".
func SolvePow(token string, bits int) string {
	buf := make([]byte, 0, len(token)+1+maxPowNonce)
	buf = append(buf, token...)
	buf = append(buf, ':')
	prefix := len(buf)
	for n := uint64(0); ; n++ {
		buf = strconv.AppendUint(buf[:prefix], n, 10)
		if leadingZeroBits(sha256.Sum256(buf)) >= bits {
			return string(buf[prefix:])
		}
	}
}

// VerifyPow reports whether nonce solves the proof of work of token with at
// least bits leading zero bits (see [SolvePow]). The nonce must be a decimal
// number of at most 20 digits without sign or leading zeros, so verifying
// costs one hash. bits ≤ 0 accepts any such nonce.
func VerifyPow(token, nonce string, bits int) bool {
	if !validPowNonce(nonce) {
		return false
	}
	buf := make([]byte, 0, len(token)+1+len(nonce))
	buf = append(buf, token...)
	buf = append(buf, ':')
	buf = append(buf, nonce...)
	return leadingZeroBits(sha256.Sum256(buf)) >= bits
}

// validPowNonce reports whether s is a canonical decimal nonce.
func validPowNonce(s string) bool {
	if s == "" || len(s) > maxPowNonce || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// leadingZeroBits counts the zero bits at the start of a hash.
func leadingZeroBits(h [sha256.Size]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}
