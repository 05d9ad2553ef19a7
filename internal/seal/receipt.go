package seal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

const (
	// ReceiptDigits is the number of digits in a receipt, check digit included.
	ReceiptDigits = 28
	// receiptRandomDigits are drawn uniformly at random: 27·log2(10) ≈ 89.7 bits.
	receiptRandomDigits = ReceiptDigits - 1
	// receiptGroup is the number of digits per group in the display form.
	receiptGroup = 4
	// maxReceiptInput bounds the input ParseReceipt looks at, so a huge paste
	// costs nothing. It leaves room for 28 four-byte digits and separators.
	maxReceiptInput = 256
)

// Errors returned by ParseReceipt. They are wrapped with detail that never
// contains the input itself; test for them with errors.Is.
var (
	ErrReceiptLength = errors.New("seal: a receipt has 28 digits")
	ErrReceiptCheck  = errors.New("seal: receipt check digit does not match (a digit is probably mistyped)")
	ErrReceiptChar   = errors.New("seal: a receipt contains only digits, spaces and hyphens")
)

// Receipt is the tipster's receipt: 27 random decimal digits and a Damm check
// digit. It is what a tipster presents to read replies and add to a tip, so it
// is as secret as a password; the database stores only [Secret.ReceiptHash].
//
// Digits suit every language and a cheap phone keypad, and are easy to read out
// over a phone. The check digit catches every single mistyped digit and every
// swap of two adjacent digits before the server is asked.
//
// The zero Receipt is not a valid receipt. Receipts are comparable with ==.
type Receipt struct {
	digits string // ReceiptDigits ASCII digits, or "" for the zero Receipt
}

// NewReceipt returns a new receipt whose first 27 digits are uniformly random,
// drawn from crypto/rand.
func NewReceipt() (Receipt, error) {
	d := make([]byte, 0, ReceiptDigits)
	var buf [32]byte
	for len(d) < receiptRandomDigits {
		if _, err := rand.Read(buf[:]); err != nil {
			return Receipt{}, fmt.Errorf("seal: new receipt: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling: 250 is the largest multiple of 10 ≤ 256,
			// so b%10 is uniform over the accepted bytes.
			if b < 250 && len(d) < receiptRandomDigits {
				d = append(d, '0'+b%10)
			}
		}
	}
	d = append(d, '0'+dammCheck(d))
	return Receipt{digits: string(d)}, nil
}

// String returns the receipt as shown to the tipster: seven groups of four
// digits separated by spaces, like "4821 0937 5512 …". The zero Receipt
// returns "".
func (r Receipt) String() string {
	if r.digits == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(ReceiptDigits + ReceiptDigits/receiptGroup)
	for i := 0; i < len(r.digits); i += receiptGroup {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.digits[i : i+receiptGroup])
	}
	return b.String()
}

// Canonical returns the 28 ASCII digits without separators; keyed hashes and
// derived keys are computed over this form. The zero Receipt returns "".
func (r Receipt) Canonical() string { return r.digits }

// IsZero reports whether r is the zero Receipt.
func (r Receipt) IsZero() bool { return r.digits == "" }

// ParseReceipt parses a receipt as a tipster typed, pasted or dictated it.
//
// Digits may be any Unicode decimal digits (category Nd): ASCII, Arabic-Indic
// (٠–٩), Extended Arabic-Indic (۰–۹), Devanagari (०–९), Khmer (០–៩), full-width
// (０–９) and every other script's; each counts for its numeric value. Spaces
// (any Unicode space separator, tabs and line breaks), hyphens and dashes,
// dots and the Arabic thousands separator are ignored wherever they appear, as
// are the invisible bidirectional marks that copying right-to-left text adds.
//
// ParseReceipt returns an error wrapping [ErrReceiptChar] for any other
// character, [ErrReceiptLength] if there are not exactly 28 digits, and
// [ErrReceiptCheck] if the check digit does not match, in that order.
func ParseReceipt(s string) (Receipt, error) {
	if len(s) > maxReceiptInput {
		return Receipt{}, fmt.Errorf("%w: the input is far too long", ErrReceiptLength)
	}
	d := make([]byte, 0, ReceiptDigits)
	n := 0 // digits seen, which may exceed ReceiptDigits
	pos := 0
	for _, c := range s {
		pos++
		if v, ok := digitValue(c); ok {
			n++
			if len(d) < ReceiptDigits {
				d = append(d, '0'+byte(v))
			}
			continue
		}
		if isReceiptSeparator(c) {
			continue
		}
		return Receipt{}, fmt.Errorf("%w: character %d is neither", ErrReceiptChar, pos)
	}
	if n != ReceiptDigits {
		return Receipt{}, fmt.Errorf("%w: got %d", ErrReceiptLength, n)
	}
	if dammCheck(d) != 0 {
		return Receipt{}, ErrReceiptCheck
	}
	return Receipt{digits: string(d)}, nil
}

// isReceiptSeparator reports whether c may appear between the digits of a
// receipt and is ignored.
func isReceiptSeparator(c rune) bool {
	switch c {
	case '\t', '\n', '\r',
		'-', '.',
		'\u00AD',                                         // soft hyphen
		'\u2010', '\u2011', '\u2012', '\u2013', '\u2212', // hyphen, non-breaking hyphen, figure dash, en dash, minus
		'\u066C',                               // Arabic thousands separator
		'\u061C', '\u200E', '\u200F', '\u200B', // Arabic letter mark, LRM, RLM, zero-width space
		'\u2066', '\u2067', '\u2068', '\u2069', // bidirectional isolates
		'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', // bidirectional embeddings and overrides
		'\uFEFF',           // byte order mark, zero-width no-break space
		'\uFF0D', '\uFF0E': // full-width hyphen-minus and full stop
		return true
	}
	// Zs: space, no-break space, thin space, narrow no-break space, ideographic
	// space and the rest.
	return unicode.Is(unicode.Zs, c)
}

// digitValue returns the numeric value of a Unicode decimal digit (category
// Nd). Unicode guarantees that decimal digits are encoded in complete,
// contiguous runs 0 to 9 in ascending order, so a digit's value is its
// distance, modulo 10, from the start of the run of consecutive decimal digits
// it belongs to (runs may hold several sets, such as the 50 mathematical
// digits U+1D7CE–U+1D7FF).
func digitValue(c rune) (int, bool) {
	if '0' <= c && c <= '9' {
		return int(c - '0'), true
	}
	if !unicode.IsDigit(c) {
		return 0, false
	}
	start := c
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(c-start) % 10, true
}

// dammTable is the quasigroup of order 10 from H. Michael Damm's 2004 thesis,
// row by row (row = interim digit, column = next digit): weakly totally
// anti-symmetric with a zero diagonal, so its check digit detects every
// single-digit error and every adjacent transposition. A string, so that it
// is a constant.
const dammTable = "" +
	"0317598642" +
	"7092154863" +
	"4206871359" +
	"1750983426" +
	"6123045978" +
	"3674209581" +
	"5869720134" +
	"8945362017" +
	"9438617205" +
	"2581436790"

// dammCheck returns the Damm interim digit of the ASCII digits d. Appending it
// to d gives a number whose dammCheck is 0, which is how a number with its
// check digit is validated.
func dammCheck(d []byte) byte {
	var interim byte
	for _, c := range d {
		interim = dammTable[int(interim)*10+int(c-'0')] - '0'
	}
	return interim
}
