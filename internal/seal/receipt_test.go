package seal

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func newReceipt(tb testing.TB) Receipt {
	tb.Helper()
	r, err := NewReceipt()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// mustParseReceipt parses a receipt the test knows to be valid.
func mustParseReceipt(tb testing.TB, s string) Receipt {
	tb.Helper()
	r, err := ParseReceipt(s)
	if err != nil {
		tb.Fatalf("ParseReceipt(%q): %v", s, err)
	}
	return r
}

var groupedReceipt = regexp.MustCompile(`^[0-9]{4}( [0-9]{4}){6}$`)

func TestNewReceipt(t *testing.T) {
	t.Parallel()
	seen := make(map[Receipt]bool)
	var counts [10]int
	const n = 2000
	for range n {
		r := newReceipt(t)
		c := r.Canonical()
		if len(c) != ReceiptDigits || strings.Trim(c, "0123456789") != "" {
			t.Fatalf("Canonical() = %q, want %d ASCII digits", c, ReceiptDigits)
		}
		if !groupedReceipt.MatchString(r.String()) {
			t.Fatalf("String() = %q, want 7 groups of 4 digits", r.String())
		}
		if strings.ReplaceAll(r.String(), " ", "") != c {
			t.Fatalf("String() %q and Canonical() %q differ", r.String(), c)
		}
		if got := mustParseReceipt(t, r.String()); got != r {
			t.Fatalf("ParseReceipt(String()) = %v, want %v", got, r)
		}
		if seen[r] {
			t.Fatalf("receipt %v issued twice", r)
		}
		seen[r] = true
		for _, d := range c[:receiptRandomDigits] {
			counts[d-'0']++
		}
	}
	// 54,000 uniform digits: 5,400 each, standard deviation about 70.
	for d, got := range counts {
		if want := n * receiptRandomDigits / 10; got < want-500 || got > want+500 {
			t.Errorf("digit %d drawn %d times, want about %d: %v", d, got, want, counts)
		}
	}
}

func TestReceiptZero(t *testing.T) {
	t.Parallel()
	var r Receipt
	if !r.IsZero() || r.String() != "" || r.Canonical() != "" {
		t.Errorf("zero Receipt: IsZero %v, String %q, Canonical %q", r.IsZero(), r.String(), r.Canonical())
	}
	if newReceipt(t).IsZero() {
		t.Error("a new receipt is zero")
	}
}

func TestDamm(t *testing.T) {
	t.Parallel()
	// The worked example of Damm's algorithm: 572 has check digit 4.
	if got := dammCheck([]byte("572")); got != 4 {
		t.Errorf("dammCheck(572) = %d, want 4", got)
	}
	if got := dammCheck([]byte("5724")); got != 0 {
		t.Errorf("dammCheck(5724) = %d, want 0", got)
	}
	// Each row and each column is a permutation, and the diagonal is zero.
	for i := range 10 {
		var row, col [10]bool
		for j := range 10 {
			row[dammTable[i*10+j]-'0'] = true
			col[dammTable[j*10+i]-'0'] = true
		}
		if row != [10]bool{true, true, true, true, true, true, true, true, true, true} || row != col {
			t.Errorf("row or column %d is not a permutation", i)
		}
		if dammTable[i*11] != '0' {
			t.Errorf("diagonal %d is not 0", i)
		}
	}
}

// TestReceiptCatchesTypos checks the promise of the check digit on real
// receipts: every single wrong digit and every swap of two adjacent, different
// digits is refused with ErrReceiptCheck.
func TestReceiptCatchesTypos(t *testing.T) {
	t.Parallel()
	for range 50 {
		c := []byte(newReceipt(t).Canonical())
		for i := range c {
			orig := c[i]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				c[i] = d
				if _, err := ParseReceipt(string(c)); !errors.Is(err, ErrReceiptCheck) {
					t.Fatalf("digit %d changed %c→%c: err = %v, want ErrReceiptCheck", i, orig, d, err)
				}
			}
			c[i] = orig
		}
		for i := 0; i+1 < len(c); i++ {
			if c[i] == c[i+1] {
				continue
			}
			c[i], c[i+1] = c[i+1], c[i]
			if _, err := ParseReceipt(string(c)); !errors.Is(err, ErrReceiptCheck) {
				t.Fatalf("digits %d and %d swapped: err = %v, want ErrReceiptCheck", i, i+1, err)
			}
			c[i], c[i+1] = c[i+1], c[i]
		}
	}
}

// inScript writes ASCII digits s in the script whose zero is zero.
func inScript(s string, zero rune) string {
	return strings.Map(func(c rune) rune {
		if '0' <= c && c <= '9' {
			return zero + (c - '0')
		}
		return c
	}, s)
}

func TestParseReceiptForms(t *testing.T) {
	t.Parallel()
	r := newReceipt(t)
	c, g := r.Canonical(), r.String()
	tests := []struct {
		name string
		in   string
	}{
		{"canonical", c},
		{"grouped", g},
		{"surrounding space", "  " + g + "\n"},
		{"hyphens", strings.ReplaceAll(g, " ", "-")},
		{"dots", strings.ReplaceAll(g, " ", ".")},
		{"no-break spaces", strings.ReplaceAll(g, " ", "\u00A0")},
		{"thin spaces", strings.ReplaceAll(g, " ", "\u2009")},
		{"narrow no-break spaces", strings.ReplaceAll(g, " ", "\u202F")},
		{"ideographic spaces", strings.ReplaceAll(g, " ", "\u3000")},
		{"en dashes", strings.ReplaceAll(g, " ", "\u2013")},
		{"double spaces and tabs", strings.ReplaceAll(g, " ", " \t ")},
		{"ungrouped pairs", c[:2] + " " + c[2:9] + "-" + c[9:]},
		{"Arabic-Indic", inScript(g, '٠')},
		{"Arabic-Indic with thousands separators", inScript(strings.ReplaceAll(g, " ", "\u066C"), '٠')},
		{"Arabic-Indic with bidi marks", "\u200F" + inScript(strings.ReplaceAll(g, " ", " \u200F"), '٠') + "\u200E"},
		{"Extended Arabic-Indic (Persian, Urdu)", inScript(g, '۰')},
		{"Devanagari", inScript(g, '०')},
		{"Bengali", inScript(g, '০')},
		{"Khmer", inScript(g, '០')},
		{"Thai", inScript(g, '๐')},
		{"Myanmar", inScript(g, '၀')},
		{"full-width", inScript(strings.ReplaceAll(g, " ", "\uFF0D"), '０')},
		{"mathematical double-struck", inScript(g, '\U0001D7D8')},
		{"mixed scripts", inScript(c[:10], '٠') + " " + inScript(c[10:20], '०') + " " + c[20:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseReceipt(tt.in)
			if err != nil {
				t.Fatalf("ParseReceipt(%q): %v", tt.in, err)
			}
			if got != r {
				t.Fatalf("ParseReceipt(%q) = %v, want %v", tt.in, got, r)
			}
		})
	}
}

func TestParseReceiptErrors(t *testing.T) {
	t.Parallel()
	c := newReceipt(t).Canonical()
	badCheck := c[:27] + string('0'+(c[27]-'0'+1)%10)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrReceiptLength},
		{"only spaces", "    ", ErrReceiptLength},
		{"27 digits", c[:27], ErrReceiptLength},
		{"29 digits", c + "0", ErrReceiptLength},
		{"twice", c + c, ErrReceiptLength},
		{"huge", strings.Repeat("1", 10_000), ErrReceiptLength},
		{"bad check digit", badCheck, ErrReceiptCheck},
		{"letter O for zero", "O" + c[1:], ErrReceiptChar},
		{"letter", c[:10] + "x" + c[10:], ErrReceiptChar},
		{"superscript two", c[:27] + "²", ErrReceiptChar},
		{"Roman numeral", c[:27] + "Ⅰ", ErrReceiptChar},
		{"vulgar fraction", c[:27] + "½", ErrReceiptChar},
		{"plus sign", "+" + c, ErrReceiptChar},
		{"comma", c[:4] + "," + c[4:], ErrReceiptChar},
		{"invalid UTF-8", c[:4] + "\xff" + c[4:], ErrReceiptChar},
		{"NUL", c + "\x00", ErrReceiptChar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseReceipt(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseReceipt: err = %v, want %v", err, tt.want)
			}
			if !r.IsZero() {
				t.Errorf("ParseReceipt returned %v with an error", r)
			}
			// Errors end up in logs: they must not repeat the receipt.
			if strings.Contains(err.Error(), c[:8]) {
				t.Errorf("error %q contains the input", err)
			}
		})
	}
}

func TestDigitValue(t *testing.T) {
	t.Parallel()
	zeros := map[string]rune{
		"ASCII": '0', "Arabic-Indic": '٠', "Extended Arabic-Indic": '۰', "Devanagari": '०',
		"Bengali": '০', "Khmer": '០', "Thai": '๐', "full-width": '０', "Adlam": '\U0001E950',
		"mathematical bold": '\U0001D7CE', "mathematical double-struck": '\U0001D7D8',
		"mathematical monospace": '\U0001D7F6',
	}
	for name, zero := range zeros {
		for v := range 10 {
			got, ok := digitValue(zero + rune(v))
			if !ok || got != v {
				t.Errorf("%s %d (%U): digitValue = %d, %v", name, v, zero+rune(v), got, ok)
			}
		}
	}
	for _, c := range []rune{'a', 'O', '²', '½', 'Ⅻ', '〇', '一', ' ', -1, unicode.MaxRune + 1} {
		if v, ok := digitValue(c); ok {
			t.Errorf("digitValue(%U) = %d, want not a digit", c, v)
		}
	}
	// Every decimal digit in Unicode lies in a complete run from 0 to 9.
	n := 0
	for c := rune(0); c <= unicode.MaxRune; c++ {
		v, ok := digitValue(c)
		if ok != unicode.IsDigit(c) {
			t.Fatalf("digitValue(%U) ok = %v, unicode.IsDigit = %v", c, ok, !ok)
		}
		if !ok {
			continue
		}
		n++
		lo, hi := c-rune(v), c+rune(9-v)
		if z, ok := digitValue(lo); !ok || z != 0 {
			t.Fatalf("%U has value %d but %U is not a zero", c, v, lo)
		}
		if z, ok := digitValue(hi); !ok || z != 9 {
			t.Fatalf("%U has value %d but %U is not a nine", c, v, hi)
		}
	}
	if n%10 != 0 || n < 600 {
		t.Errorf("found %d decimal digits, want a multiple of 10 and at least 600", n)
	}
}

func FuzzParseReceipt(f *testing.F) {
	r := newReceipt(f)
	f.Add(r.String())
	f.Add(r.Canonical())
	f.Add(inScript(r.String(), '٠'))
	f.Add(inScript(r.String(), '०'))
	f.Add(strings.ReplaceAll(r.String(), " ", "\u00A0"))
	f.Add("")
	f.Add("0000 0000 0000 0000 0000 0000 0000")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceipt(s)
		if err != nil {
			if !r.IsZero() {
				t.Fatal("non-zero receipt with an error")
			}
			if !errors.Is(err, ErrReceiptChar) && !errors.Is(err, ErrReceiptLength) && !errors.Is(err, ErrReceiptCheck) {
				t.Fatalf("error %v is none of the sentinels", err)
			}
			return
		}
		c := r.Canonical()
		if len(c) != ReceiptDigits || strings.Trim(c, "0123456789") != "" || dammCheck([]byte(c)) != 0 {
			t.Fatalf("parsed %q into invalid canonical form %q", s, c)
		}
		if !groupedReceipt.MatchString(r.String()) {
			t.Fatalf("String() = %q", r.String())
		}
		for _, form := range []string{r.String(), c} {
			if got, err := ParseReceipt(form); err != nil || got != r {
				t.Fatalf("ParseReceipt(%q) = %v, %v; want %v", form, got, err, r)
			}
		}
	})
}
