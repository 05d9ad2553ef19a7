package directory

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// keypad maps letters to the digits of a telephone keypad (ITU E.161).
var keypad = map[rune]byte{
	'A': '2', 'B': '2', 'C': '2', 'D': '3', 'E': '3', 'F': '3',
	'G': '4', 'H': '4', 'I': '4', 'J': '5', 'K': '5', 'L': '5',
	'M': '6', 'N': '6', 'O': '6', 'P': '7', 'Q': '7', 'R': '7', 'S': '7',
	'T': '8', 'U': '8', 'V': '8', 'W': '9', 'X': '9', 'Y': '9', 'Z': '9',
}

// DialDigits turns a displayed number, vanity letters included
// ("1-866-DHS-2-ICE"), into the digits a keypad sends ("18663472423").
func DialDigits(display string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(display) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.IsLetter(r):
			if d, ok := keypad[r]; ok {
				b.WriteByte(d)
			}
		}
	}
	return b.String()
}

// ToE164 parses a displayed number for a region ("US") and returns its
// E.164 form, or an error that says why it is not a valid number there.
func ToE164(display, region string) (string, error) {
	digits := DialDigits(display)
	if digits == "" {
		return "", fmt.Errorf("%q has no digits", display)
	}
	n, err := phonenumbers.Parse(digits, region)
	if err != nil {
		return "", fmt.Errorf("%q does not parse as a %s number: %w", display, region, err)
	}
	if !phonenumbers.IsValidNumberForRegion(n, region) {
		return "", fmt.Errorf("%q is not a valid %s number", display, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// IsE164 reports whether v looks like an E.164 number: "+" and 8 to 15 digits.
func IsE164(v string) bool {
	if len(v) < 9 || len(v) > 16 || v[0] != '+' || v[1] == '0' {
		return false
	}
	for _, r := range v[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// TelURI returns the tel: link for a dial value.
func TelURI(value string) string { return "tel:" + value }

// SMSURI returns the sms: link for a short code or number with an optional
// pre-filled body (RFC 5724).
func SMSURI(value, body string) string {
	if body == "" {
		return "sms:" + value
	}
	return "sms:" + value + "?body=" + body
}
