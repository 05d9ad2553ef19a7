package hsdsread

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// maxNormalizeInput bounds what the normalizers look at: no real time,
// phone number, address or e-mail is longer, and the bound keeps their work
// linear in a small number.
const maxNormalizeInput = 1024

// ErrAmbiguous is wrapped by NormalizeTimeRange's error for a range whose
// meaning is a guess, such as "1-4" (a.m. or p.m.?).
var ErrAmbiguous = errors.New("ambiguous")

// clock is a time of day in minutes since midnight, and whether it said
// a.m. or p.m. (0: neither).
type clock struct {
	min      int
	meridiem byte // 'a', 'p' or 0
	hour12   bool // written as a 12-hour clock hour without a meridiem (1–12, no leading zero, no minutes past 12:59)
}

func (c clock) String() string { return fmt.Sprintf("%02d:%02d", c.min/60, c.min%60) }

// NormalizeTime turns a time of day as people write it into "HH:MM" on a
// 24-hour clock: "9:00am", "9am", "9 a.m.", "0900", "900", "09:00:00",
// "21:30", "9.30 PM", "noon" and "midnight" (00:00). "24:00" is kept, for a
// closing time at the end of the day. A bare hour ("9") is read on the
// 24-hour clock. Anything else is an error.
func NormalizeTime(s string) (string, error) {
	c, err := parseClock(s)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

func parseClock(s string) (clock, error) {
	if len(s) > maxNormalizeInput {
		return clock{}, fmt.Errorf("time %.20q…: too long", s)
	}
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "noon", "midday", "12 noon":
		return clock{min: 12 * 60, meridiem: 'p'}, nil
	case "midnight", "12 midnight":
		return clock{min: 0, meridiem: 'a'}, nil
	}
	var mer byte
	for _, suf := range []struct {
		text string
		m    byte
	}{{"a.m.", 'a'}, {"p.m.", 'p'}, {"a.m", 'a'}, {"p.m", 'p'}, {"am", 'a'}, {"pm", 'p'}, {"a", 'a'}, {"p", 'p'}} {
		if rest, ok := strings.CutSuffix(s, suf.text); ok {
			s, mer = strings.TrimSpace(rest), suf.m
			break
		}
	}
	if s == "" {
		return clock{}, fmt.Errorf("time %q: no hour", orig)
	}
	var h, m, sec int
	var err error
	switch {
	case strings.ContainsAny(s, ":."):
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '.' })
		if len(parts) < 2 || len(parts) > 3 || strings.Count(s, ":")+strings.Count(s, ".") != len(parts)-1 {
			return clock{}, fmt.Errorf("time %q: not hours and minutes", orig)
		}
		if h, err = twoDigits(parts[0], 1); err == nil {
			if m, err = twoDigits(parts[1], 2); err == nil && len(parts) == 3 {
				sec, err = twoDigits(parts[2], 2)
			}
		}
	case len(s) <= 2:
		h, err = twoDigits(s, 1)
	case len(s) == 3 || len(s) == 4:
		if !allDigits(s) {
			return clock{}, fmt.Errorf("time %q: not a time", orig)
		}
		h, _ = strconv.Atoi(s[:len(s)-2])
		m, _ = strconv.Atoi(s[len(s)-2:])
	default:
		return clock{}, fmt.Errorf("time %q: not a time", orig)
	}
	if err != nil {
		return clock{}, fmt.Errorf("time %q: %w", orig, err)
	}
	if m > 59 || sec > 59 {
		return clock{}, fmt.Errorf("time %q: minutes or seconds past 59", orig)
	}
	c := clock{meridiem: mer}
	switch {
	case mer != 0:
		if h < 1 || h > 12 {
			return clock{}, fmt.Errorf("time %q: hour %d with am or pm", orig, h)
		}
		if h == 12 {
			h = 0
		}
		if mer == 'p' {
			h += 12
		}
	case h == 24 && m == 0 && sec == 0:
		// the end of the day, kept as 24:00
	case h > 23:
		return clock{}, fmt.Errorf("time %q: hour %d", orig, h)
	default:
		// It could be on a 12-hour clock if it is an hour of 1 to 12 with
		// no leading zero, written alone ("9", "10") or with one hour digit
		// and minutes ("9:30"); "10:30", "0930" and "930" are taken as the
		// 24-hour clock.
		hourText, _, hasMinutes := strings.Cut(strings.ReplaceAll(s, ".", ":"), ":")
		compact := !hasMinutes && len(s) > 2
		c.hour12 = h >= 1 && h <= 12 && hourText[0] != '0' && !compact && (!hasMinutes || len(hourText) == 1)
	}
	c.min = h*60 + m
	return c, nil
}

// twoDigits parses a number of at least min and at most two digits.
func twoDigits(s string, min int) (int, error) {
	if len(s) < min || len(s) > 2 || !allDigits(s) {
		return 0, fmt.Errorf("%q is not a number of %d or 2 digits", s, min)
	}
	n, _ := strconv.Atoi(s)
	return n, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormalizeTimeRange turns opening hours written as one range into opening
// and closing times ("HH:MM"): "9:00 AM - 5:00 PM", "9am-5pm", "9-5",
// "10 to 2pm", "9am–noon", and "24 hours" (or "24/7", "open 24 hours"),
// which is 00:00 to 24:00.
//
// Where a side says neither a.m. nor p.m., the heuristic is:
//   - a side written on the 24-hour clock (a leading zero, or an hour over
//     12: "08:00-13:00") is taken as written;
//   - if only one side says a.m. or p.m., the other takes the same one when
//     that keeps the opening before the closing ("1-5pm" is 13:00–17:00),
//     and the other one otherwise ("10-2pm" is 10:00–14:00);
//   - with neither said: a range that goes backwards closes in the
//     afternoon ("9-5" is 09:00–17:00, "10-4" 10:00–16:00); one that goes
//     forwards and opens at 6 or later is taken as written ("8-12" is
//     08:00–12:00); one that opens before 6 ("1-4": night or afternoon?) is
//     an error wrapping ErrAmbiguous rather than a guess.
//
// A closing time before the opening one that is not explained by the rules
// above (such as "22:00-02:00", overnight) is kept as written.
func NormalizeTimeRange(s string) (opens, closes string, err error) {
	if len(s) > maxNormalizeInput {
		return "", "", fmt.Errorf("hours %.20q…: too long", s)
	}
	l := strings.ToLower(strings.TrimSpace(s))
	l = strings.Join(strings.Fields(l), " ")
	switch l {
	case "24 hours", "24 hrs", "24hrs", "24h", "24 hr", "24/7", "open 24 hours", "24 hours a day", "00:00-24:00", "00:00–24:00":
		return "00:00", "24:00", nil
	}
	var a, b string
	found := false
	for _, sep := range []string{" to ", " until ", " till ", "–", "—", "-"} {
		if i := strings.Index(l, sep); i >= 0 {
			a, b, found = l[:i], l[i+len(sep):], true
			break
		}
	}
	if !found {
		return "", "", fmt.Errorf("hours %q: not a range from one time to another", s)
	}
	o, err := parseClock(a)
	if err != nil {
		return "", "", fmt.Errorf("hours %q: opening %w", s, err)
	}
	c, err := parseClock(b)
	if err != nil {
		return "", "", fmt.Errorf("hours %q: closing %w", s, err)
	}
	switch {
	case o.hour12 && c.meridiem != 0:
		// "1-5pm", "10-2pm": the opening takes the closing's half of the
		// day when that keeps it before the closing, else the other half.
		if c.meridiem == 'p' && o.min+12*60 <= c.min && o.min < 12*60 {
			o.min += 12 * 60
		}
	case c.hour12 && o.meridiem != 0:
		// "9am-5": the closing is after the opening, in the afternoon if
		// it must be.
		if c.min <= o.min && c.min < 12*60 {
			c.min += 12 * 60
		}
	case c.hour12 && o.meridiem == 0 && !o.hour12 && o.min < 12*60:
		// "10:30-2:30": a morning opening, so a closing before it is in
		// the afternoon.
		if c.min <= o.min {
			c.min += 12 * 60
		}
	case o.hour12 && c.hour12:
		switch {
		case c.min <= o.min && c.min < 12*60:
			c.min += 12 * 60
		case o.min < 6*60:
			return "", "", fmt.Errorf("hours %q: a.m. or p.m.? %w", s, ErrAmbiguous)
		}
	}
	if c.min > 24*60 {
		return "", "", fmt.Errorf("hours %q: closing after the end of the day", s)
	}
	return o.String(), c.String(), nil
}

// Phone is a telephone number found in a text by NormalizePhone.
type Phone struct {
	// Number is in E.164 ("+15550101234") when the number is a possible
	// number for its country (the region given, unless it starts with a
	// country code), and otherwise its digits alone ("211", "988",
	// "+" first if it was written with one). Letters of a vanity number
	// are turned into the digits of a phone keypad.
	Number string
	// Extension is the extension's digits, or "".
	Extension string
	// Text is what was written around the number, such as "Call" or
	// "(main)", spaces tidied; "" when there was nothing else.
	Text string
}

// keypad maps the letters of a vanity number to their keys.
const keypad = "22233344455566677778889999"

// NormalizePhone finds the telephone number in s, as published data writes
// it: "(555) 010-1234 ext. 12", "Call 555.010.1234 (main)", "555-0100 x12",
// "1-800-THE-LOST", "+44 20 7946 0000", "211". region is the ISO 3166
// country ("US") for numbers written without a country code. A text with
// fewer than 3 or more than 15 digits in the number is an error.
func NormalizePhone(s, region string) (Phone, error) {
	if len(s) > maxNormalizeInput {
		return Phone{}, fmt.Errorf("phone %.20q…: too long", s)
	}
	rs := []rune(s)
	start, end := -1, -1
	// The number is the first run of digits, spaces, ( ) - . / that holds a
	// digit, with capital letters allowed next to a digit, letter or dash
	// (vanity numbers), and a + before it.
	for i := 0; i < len(rs) && start < 0; i++ {
		if !isDigit(rs[i]) {
			continue
		}
		j := i
		for j > 0 && (rs[j-1] == '(' || rs[j-1] == '+' || rs[j-1] == ' ' && j-2 >= 0 && rs[j-2] == '+') {
			j--
		}
		k, seen, open := i, 0, strings.ContainsRune(string(rs[j:i]), '(')
		for k < len(rs) {
			r := rs[k]
			switch {
			case isDigit(r):
				seen++
			case r == '(' && seen < 4 && !open:
				// "1 (800) ...", "+44 (0)20 ...": a bracket in a number
				// comes before its first digits; "(24 hours)" after one
				// is text.
				open = true
			case r == ')' && open:
				open = false
			case r == ' ', r == '-', r == '.', r == '/', r == '\u00a0':
			case r >= 'A' && r <= 'Z' && k > 0 && (isDigit(rs[k-1]) || rs[k-1] == '-' || rs[k-1] >= 'A' && rs[k-1] <= 'Z'):
			default:
				goto out
			}
			k++
		}
	out:
		for k > i && !isDigit(rs[k-1]) && !(rs[k-1] >= 'A' && rs[k-1] <= 'Z') {
			k--
		}
		start, end = j, k
	}
	if start < 0 {
		return Phone{}, fmt.Errorf("phone %q: no number", s)
	}
	plus := false
	var digits []byte
	for _, r := range rs[start:end] {
		switch {
		case r == '+' && len(digits) == 0:
			plus = true
		case isDigit(r):
			digits = append(digits, byte(r))
		case r >= 'A' && r <= 'Z':
			digits = append(digits, keypad[r-'A'])
		}
	}
	rest := string(rs[end:])
	p := Phone{}
	// The extension: "ext. 12", "extension 12", "x12", "#12" right after.
	trimmed := strings.TrimLeft(rest, " ,;")
	low := strings.ToLower(trimmed)
	for _, w := range []string{"extension", "ext.", "ext", "x.", "x", "#"} {
		if after, ok := strings.CutPrefix(low, w); ok {
			a := strings.TrimLeft(after, " .:")
			n := 0
			for n < len(a) && a[n] >= '0' && a[n] <= '9' && n < 8 {
				n++
			}
			if n > 0 {
				p.Extension = a[:n]
				rest = trimmed[len(trimmed)-len(a)+n:]
			}
			break
		}
	}
	if len(digits) < 3 || len(digits) > 15 {
		return Phone{}, fmt.Errorf("phone %q: %d digits", s, len(digits))
	}
	p.Number = string(digits)
	if plus {
		p.Number = "+" + p.Number
	}
	if len(digits) >= 7 {
		if num, err := phonenumbers.Parse(p.Number, strings.ToUpper(region)); err == nil && phonenumbers.IsPossibleNumber(num) {
			// Kept only if it reads back as itself: libphonenumber drops a
			// national prefix ("0...") in some countries, and a number that
			// changes each time it is read is not one number.
			e := phonenumbers.Format(num, phonenumbers.E164)
			if again, err := phonenumbers.Parse(e, ""); err == nil && phonenumbers.Format(again, phonenumbers.E164) == e {
				p.Number = e
			}
		}
	}
	p.Text = tidy(string(rs[:start]) + " " + rest)
	return p, nil
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// tidy collapses runs of space and trims spaces and the punctuation that
// is left at the ends when a number is cut out of a text.
func tidy(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, " ,;:-–\"'")
	if s == "()" {
		return ""
	}
	return s
}

// NormalizeURL turns a web address as published into an absolute http or
// https URL: "www.example.org" becomes "https://www.example.org", the
// scheme and host are lower-cased, and surrounding spaces, quotes and angle
// brackets are dropped. An address with spaces in its host, another
// scheme (mailto:, javascript:, ...) or no host with a dot is an error.
func NormalizeURL(s string) (string, error) {
	if len(s) > 4*maxNormalizeInput {
		return "", fmt.Errorf("url %.20q…: too long", s)
	}
	orig := s
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "\"'<> ")
	if s == "" {
		return "", fmt.Errorf("url %q: empty", orig)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("url %q: has spaces", orig)
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		if i := strings.Index(s, ":"); i >= 0 && !strings.ContainsAny(s[:i], "./") && !allDigits(strings.SplitN(s[i+1:], "/", 2)[0]) {
			return "", fmt.Errorf("url %q: not a web address", orig)
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("url %q: %w", orig, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	host := u.Hostname()
	if host == "" || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || u.User != nil {
		return "", fmt.Errorf("url %q: no host name", orig)
	}
	for _, r := range host {
		if !(r == '.' || r == '-' || r == '_' || r == ':' || r == '[' || r == ']' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return "", fmt.Errorf("url %q: host %q", orig, host)
		}
	}
	out := u.String()
	if again, err := url.Parse(out); err != nil || again.String() != out {
		return "", fmt.Errorf("url %q: does not survive being read again", orig)
	}
	return out, nil
}

// NormalizeEmail turns an e-mail address as published into a plain address:
// "mailto:" and angle brackets are dropped, spaces removed ("info @
// example.org"), a display name ("Help Desk <help@example.org>") left out,
// and the domain lower-cased. What does not then parse as one address with
// a dot in its domain is an error.
func NormalizeEmail(s string) (string, error) {
	if len(s) > maxNormalizeInput {
		return "", fmt.Errorf("email %.20q…: too long", s)
	}
	orig := s
	s = strings.TrimSpace(s)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i]
		}
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		s = s[i+1 : len(s)-1]
	}
	s = strings.Join(strings.Fields(s), "")
	s = strings.Trim(s, "<>\"'.,;")
	if strings.Count(s, "@") != 1 {
		return "", fmt.Errorf("email %q: not one address", orig)
	}
	local, domain, _ := strings.Cut(s, "@")
	domain = strings.ToLower(domain)
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", fmt.Errorf("email %q: not an address", orig)
	}
	out := local + "@" + domain
	a, err := mail.ParseAddress(out)
	if err != nil || a.Address != out || a.Name != "" {
		return "", fmt.Errorf("email %q: not an address", orig)
	}
	return out, nil
}
