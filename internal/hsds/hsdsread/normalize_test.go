package hsdsread

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeTime(t *testing.T) {
	ok := map[string]string{
		"9:00am": "09:00", "9am": "09:00", "9 AM": "09:00", "9 a.m.": "09:00", "9:30 p.m.": "21:30",
		"0900": "09:00", "900": "09:00", "1730": "17:30", "09:00:00": "09:00", "21:30": "21:30",
		"9.30pm": "21:30", "noon": "12:00", "Noon": "12:00", "midnight": "00:00", "12am": "00:00",
		"12pm": "12:00", "12:15 AM": "00:15", "24:00": "24:00", "9": "09:00", "17": "17:00", " 8:05 ": "08:05",
	}
	for in, want := range ok {
		got, err := NormalizeTime(in)
		if err != nil || got != want {
			t.Errorf("NormalizeTime(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "am", "13pm", "0pm", "25:00", "9:60", "24:30", "nine", "9:00:00:00", "12345", "9:5", "1:2:3", "9-5", "::", "9..30"} {
		if got, err := NormalizeTime(in); err == nil {
			t.Errorf("NormalizeTime(%q) = %q, want an error", in, got)
		}
	}
}

func TestNormalizeTimeRange(t *testing.T) {
	ok := map[string][2]string{
		"9-5":                 {"09:00", "17:00"},
		"9:00 AM - 5:00 PM":   {"09:00", "17:00"},
		"9am-5pm":             {"09:00", "17:00"},
		"9am – noon":          {"09:00", "12:00"},
		"noon-4":              {"12:00", "16:00"},
		"10-2pm":              {"10:00", "14:00"},
		"1-5pm":               {"13:00", "17:00"},
		"12-5pm":              {"12:00", "17:00"},
		"8-12":                {"08:00", "12:00"},
		"10 to 4":             {"10:00", "16:00"},
		"9:30-5:30":           {"09:30", "17:30"},
		"10:30-2:30":          {"10:30", "14:30"},
		"08:00-13:00":         {"08:00", "13:00"},
		"0800-1700":           {"08:00", "17:00"},
		"22:00-02:00":         {"22:00", "02:00"},
		"24 hours":            {"00:00", "24:00"},
		"Open 24 Hours":       {"00:00", "24:00"},
		"24/7":                {"00:00", "24:00"},
		"9am-5":               {"09:00", "17:00"},
		"7pm-11pm":            {"19:00", "23:00"},
		"09:00:00 - 17:00:00": {"09:00", "17:00"},
	}
	for in, want := range ok {
		o, c, err := NormalizeTimeRange(in)
		if err != nil || o != want[0] || c != want[1] {
			t.Errorf("NormalizeTimeRange(%q) = %q, %q, %v; want %q", in, o, c, err, want)
		}
	}
	for _, in := range []string{"1-4", "2-5", "4-5"} {
		if _, _, err := NormalizeTimeRange(in); !errors.Is(err, ErrAmbiguous) {
			t.Errorf("NormalizeTimeRange(%q): %v, want ErrAmbiguous", in, err)
		}
	}
	for _, in := range []string{"", "closed", "by appointment", "9", "9-", "-5", "9-25", "9am-5pm-7pm"} {
		if o, c, err := NormalizeTimeRange(in); err == nil {
			t.Errorf("NormalizeTimeRange(%q) = %q, %q; want an error", in, o, c)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		in             string
		number, ext, t string
	}{
		{"(555) 010-1234 ext. 12", "+15550101234", "12", ""},
		{"Call 555.010.1234 (main)", "+15550101234", "", "Call (main)"},
		{"555-010-1234 x12", "+15550101234", "12", ""},
		{"555-010-1234 #7", "+15550101234", "7", ""},
		{"1-800-THE-LOST", "+18008435678", "", ""},
		{"1-800-THE-LOST (24 hours)", "+18008435678", "", "(24 hours)"},
		{"+44 20 7946 0000", "+442079460000", "", ""},
		{`"+44 1234 234567"`, "+441234234567", "", ""},
		{"211", "211", "", ""},
		{"Text 988", "988", "", "Text"},
		{"TTY: 555-010-1299", "+15550101299", "", "TTY"},
		{"555 010 1234, extension 304 (Spanish)", "+15550101234", "304", "(Spanish)"},
	}
	for _, c := range cases {
		p, err := NormalizePhone(c.in, "US")
		if err != nil || p.Number != c.number || p.Extension != c.ext || p.Text != c.t {
			t.Errorf("NormalizePhone(%q) = %+v, %v; want %q ext %q text %q", c.in, p, err, c.number, c.ext, c.t)
		}
	}
	for _, in := range []string{"", "call us", "12", "N/A", "1234567890123456789"} {
		if p, err := NormalizePhone(in, "US"); err == nil {
			t.Errorf("NormalizePhone(%q) = %+v, want an error", in, p)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	ok := map[string]string{
		"www.example.org":           "https://www.example.org",
		"example.org/help?a=1":      "https://example.org/help?a=1",
		"http://Example.ORG/Path":   "http://example.org/Path",
		"HTTPS://www.example.org":   "https://www.example.org",
		" <https://example.org/> ":  "https://example.org/",
		"//cdn.example.org/x":       "https://cdn.example.org/x",
		"example.org:8080/a":        "https://example.org:8080/a",
		`"http://example.com/help"`: "http://example.com/help",
	}
	for in, want := range ok {
		got, err := NormalizeURL(in)
		if err != nil || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "n/a", "mailto:a@example.org", "javascript:alert(1)", "www example org", "http://", "localhost", "ftp://example.org", "https://user:pw@example.org"} {
		if got, err := NormalizeURL(in); err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", in, got)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	ok := map[string]string{
		"info@example.org":                "info@example.org",
		" info @ Example.ORG ":            "info@example.org",
		"mailto:help@example.org":         "help@example.org",
		"MAILTO:help@example.org?subject": "help@example.org",
		"Help Desk <help@example.org>":    "help@example.org",
		"help@example.org.":               "help@example.org",
	}
	for in, want := range ok {
		got, err := NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "none", "a@b", "a@@example.org", "@example.org", "a@b@example.org", "info at example dot org", "a@.example.org"} {
		if got, err := NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", in, got)
		}
	}
}

// The fuzz targets check that no input makes a normalizer panic, and that
// each is idempotent: normalizing its own output gives the output back.

func FuzzNormalizeTime(f *testing.F) {
	for _, s := range []string{"9:00am", "9am", "0900", "noon", "24:00", "12:15 AM", "9.30pm", "9 a.m.", "17"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeTime(s)
		if err != nil {
			return
		}
		again, err := NormalizeTime(out)
		if err != nil || again != out {
			t.Fatalf("NormalizeTime(%q) = %q, then %q, %v", s, out, again, err)
		}
	})
}

func FuzzNormalizeTimeRange(f *testing.F) {
	for _, s := range []string{"9-5", "9:00 AM - 5:00 PM", "24 hours", "10-2pm", "1-4", "noon-4", "22:00-02:00", "9am–noon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, c, err := NormalizeTimeRange(s)
		if err != nil {
			return
		}
		o2, c2, err := NormalizeTimeRange(o + "-" + c)
		if err != nil || o2 != o || c2 != c {
			t.Fatalf("NormalizeTimeRange(%q) = %q-%q, then %q-%q, %v", s, o, c, o2, c2, err)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"(555) 010-1234 ext. 12", "Call 555.010.1234 (main)", "1-800-THE-LOST", "+44 20 7946 0000", "211", `"+44 1234 234567"`, "x"} {
		f.Add(s, "US")
	}
	f.Add("020 7946 0000", "GB")
	f.Fuzz(func(t *testing.T, s, region string) {
		p, err := NormalizePhone(s, region)
		if err != nil {
			return
		}
		again, err := NormalizePhone(p.Number, region)
		if err != nil || again.Number != p.Number || again.Extension != "" || again.Text != "" {
			t.Fatalf("NormalizePhone(%q) = %+v, then %+v, %v", s, p, again, err)
		}
		if strings.ContainsAny(p.Number, " -()") {
			t.Fatalf("NormalizePhone(%q).Number = %q", s, p.Number)
		}
	})
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"www.example.org", "http://Example.ORG/Path", "//cdn.example.org/x", "example.org:8080/a", "mailto:x@y.z", "https://example.org/a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeURL(s)
		if err != nil {
			return
		}
		again, err := NormalizeURL(out)
		if err != nil || again != out {
			t.Fatalf("NormalizeURL(%q) = %q, then %q, %v", s, out, again, err)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"info@example.org", " info @ Example.ORG ", "mailto:help@example.org", "Help Desk <help@example.org>", "a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := NormalizeEmail(out)
		if err != nil || again != out {
			t.Fatalf("NormalizeEmail(%q) = %q, then %q, %v", s, out, again, err)
		}
	})
}
