package i18n

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmbeddedCatalogsHaveNoProblems(t *testing.T) {
	c := load(t)
	if err := c.CheckErr(); err != nil {
		t.Fatal(err)
	}
	if c.Locales()[0] != SourceLocale {
		t.Fatalf("locales %v: the source locale must come first", c.Locales())
	}
}

// The checks below restate Check's rules as separate tests, so that a
// failure names the rule it breaks.

func TestEveryLocaleHasEveryKey(t *testing.T) {
	c := load(t)
	for _, locale := range c.Locales() {
		for _, key := range c.Keys(SourceLocale) {
			if _, ok := c.Message(locale, key); !ok {
				t.Errorf("%s: missing %s", locale, key)
			}
		}
	}
}

func TestNoEmptyValues(t *testing.T) {
	c := load(t)
	for _, locale := range c.Locales() {
		for _, key := range c.Keys(locale) {
			m, _ := c.Message(locale, key)
			for form, text := range m.Forms {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s (%s) is empty", locale, key, form)
				}
			}
		}
	}
}

func TestPlaceholdersMatchEnglish(t *testing.T) {
	c := load(t)
	for _, locale := range c.Locales() {
		for _, key := range c.Keys(locale) {
			m, _ := c.Message(locale, key)
			ref, ok := c.Message(SourceLocale, key)
			if !ok {
				t.Errorf("%s: %s is not an English key", locale, key)
				continue
			}
			if got, want := MessagePlaceholders(m), MessagePlaceholders(ref); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: %s: placeholders %v, English has %v", locale, key, got, want)
			}
		}
	}
}

func TestPluralFormsPerLocale(t *testing.T) {
	c := load(t)
	plurals := 0
	for _, locale := range c.Locales() {
		need, err := RequiredPluralForms(locale)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range c.Keys(locale) {
			m, _ := c.Message(locale, key)
			if !m.Plural {
				continue
			}
			plurals++
			for _, f := range need {
				if _, ok := m.Forms[f]; !ok {
					t.Errorf("%s: %s lacks plural form %q", locale, key, f)
				}
			}
		}
	}
	if plurals == 0 {
		t.Fatal("no plural messages found; the test checks nothing")
	}
}

func TestRequiredPluralForms(t *testing.T) {
	for locale, want := range map[string]string{
		"en": "one,other",
		"ja": "other",
		"ar": "zero,one,two,few,many,other",
		"ru": "one,few,many,other",
		"es": "one,many,other",
		"fr": "one,many,other",
		"pl": "one,few,many,other",
	} {
		got, err := RequiredPluralForms(locale)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %s", locale, got, want)
		}
	}
}

func TestLocalize(t *testing.T) {
	l := load(t).Localizer("en")
	got, err := l.T("home.emergency.lead", "Number", "911")
	if err != nil || got != "In an emergency, call 911" {
		t.Errorf("T = %q, %v", got, err)
	}
	for n, want := range map[int]string{0: "0 services", 1: "1 service", 2: "2 services", 22: "22 services"} {
		got, err := l.N("services.count", n)
		if err != nil || got != want {
			t.Errorf("N(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
	if _, err := l.T("no.such.key"); err == nil {
		t.Error("T of a missing key: no error")
	}
	if _, err := l.T("services.count"); err == nil {
		t.Error("T of a plural message: no error")
	}
	if _, err := l.N("layout.skip", 2); err == nil {
		t.Error("N of a simple message: no error")
	}
	if _, err := l.T("home.emergency.lead", "Number"); err == nil {
		t.Error("T with an odd argument list: no error")
	}
}

// A small catalog pair written here, to show that the checks catch what
// they promise to and that a lagging locale falls back to English.
const enMeta = "meta: {name: English, dir: ltr, produced_by: test}\n"
const esMeta = "meta: {name: Español, dir: ltr, produced_by: test}\n"

func testFS(es string) fstest.MapFS {
	return fstest.MapFS{
		"en.yaml": {Data: []byte(enMeta + `
greeting: "Hello {{.Name}}"
bye: "Bye"
items:
  one: "{{.Count}} item"
  other: "{{.Count}} items"
`)},
		"es.yaml": {Data: []byte(esMeta + es)},
	}
}

func TestCheckFindsProblems(t *testing.T) {
	c, err := LoadFS(testFS(`
greeting: "Hola {{.Nombre}}"
extra: "Sobra"
items:
  one: "{{.Count}} elemento"
  other: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Check() {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"es: bye: missing",
		"es: extra: not in the en catalog",
		`es: greeting: placeholders [Nombre], en has [Name]`,
		`es: items: form "other" is empty`,
		`es: items: missing plural form "many"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("Check did not report %q; got:\n%s", want, all)
		}
	}
	if err := c.CheckErr(); !errors.Is(err, ErrProblems) {
		t.Errorf("CheckErr = %v, want ErrProblems", err)
	}
	// The missing key falls back to English.
	if s, err := c.Localizer("es").T("bye"); err != nil || s != "Bye" {
		t.Errorf("fallback: %q, %v", s, err)
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no English":        {"es.yaml": {Data: []byte(esMeta + `a: "b"`)}},
		"bad tag":           {"en.yaml": {Data: []byte(enMeta + `a: "b"`)}, "xx-!!.yaml": {Data: []byte(enMeta + `a: "b"`)}},
		"not a string":      {"en.yaml": {Data: []byte(enMeta + "a: 12\n")}},
		"bad YAML":          {"en.yaml": {Data: []byte(enMeta + "a: [\n")}},
		"dotted key":        {"en.yaml": {Data: []byte(enMeta + `a.b: "c"`)}},
		"non-canonical tag": {"en.yaml": {Data: []byte(enMeta + `a: "b"`)}, "pt-br.yaml": {Data: []byte(esMeta + `a: "b"`)}},
		"no meta":           {"en.yaml": {Data: []byte(`a: "b"`)}},
		"no name":           {"en.yaml": {Data: []byte("meta: {dir: ltr, produced_by: x}\na: \"b\"\n")}},
		"bad direction":     {"en.yaml": {Data: []byte("meta: {name: E, dir: up, produced_by: x}\na: \"b\"\n")}},
		"no producer":       {"en.yaml": {Data: []byte("meta: {name: E, dir: ltr}\na: \"b\"\n")}},
	} {
		if _, err := LoadFS(fsys); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestMatch(t *testing.T) {
	c, err := LoadFS(testFS(`
greeting: "Hola {{.Name}}"
bye: "Adiós"
items:
  one: "{{.Count}} elemento"
  many: "{{.Count}} elementos"
  other: "{{.Count}} elementos"
`))
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"":                     "en",
		"es-MX,es;q=0.9":       "es",
		"de-DE,de;q=0.9":       "en",
		"fr;q=0.8, es;q=0.9":   "es",
		"not a header at all!": "en",
	} {
		if got := c.Match(header, "en"); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
	if s, _ := c.Localizer("es").N("items", 1); s != "1 elemento" {
		t.Errorf("es one: %q", s)
	}
}

func TestFold(t *testing.T) {
	c := load(t)
	for tag, want := range map[string]string{
		"en": "en", "EN": "en", "zh-hans": "zh-Hans", "ZH-HANS": "zh-Hans", "pt-br": "pt-BR", "Pt-Br": "pt-BR",
		"pt": "", "zh": "", "en-US": "", "": "", "e": "",
	} {
		if got := c.Fold(tag); got != want {
			t.Errorf("Fold(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestMetaOfEveryLocale(t *testing.T) {
	c := load(t)
	for _, locale := range c.Locales() {
		m := c.Meta(locale)
		if m.Name == "" || m.ProducedBy == "" {
			t.Errorf("%s: meta %+v: want a name and a producer", locale, m)
		}
		want := "ltr"
		if locale == "ar" {
			want = "rtl"
		}
		if m.Dir != want {
			t.Errorf("%s: dir %q, want %q", locale, m.Dir, want)
		}
	}
}

// The languages the public pages must offer (issue 5): a locale that goes
// missing fails here, not in front of a visitor.
func TestRequiredLocales(t *testing.T) {
	c := load(t)
	for _, want := range []string{"en", "es", "zh-Hans", "vi", "tl", "ko", "ru", "ar", "ht", "fr", "pt-BR", "km"} {
		if !c.Has(want) {
			t.Errorf("no catalog for %s", want)
		}
	}
}

// Haitian Creole has no CLDR plural rules: every count takes "other", and
// rendering a counted message works.
func TestPluralWithoutCLDRRules(t *testing.T) {
	c := load(t)
	if forms, err := RequiredPluralForms("ht"); err != nil || strings.Join(forms, ",") != "other" {
		t.Fatalf("ht forms %v, %v", forms, err)
	}
	for _, n := range []int{0, 1, 2, 5} {
		s, err := c.Localizer("ht").N("services.count", n)
		if err != nil || !strings.Contains(s, strconv.Itoa(n)) {
			t.Errorf("ht services.count %d = %q, %v", n, s, err)
		}
	}
}

// Tagalog is served as tl, and a browser asking for Filipino gets it.
func TestTagalogMatches(t *testing.T) {
	c := load(t)
	for _, h := range []string{"tl", "fil-PH,fil;q=0.9", "tl-PH"} {
		if got := c.Match(h, "en"); got != "tl" {
			t.Errorf("Match(%q) = %q, want tl", h, got)
		}
	}
}

// Negotiate says whether the page is close to the first language asked:
// Simplified Chinese for a Traditional Chinese browser is not, even when
// the browser also takes any Chinese.
func TestNegotiateCloseness(t *testing.T) {
	c := load(t)
	for header, want := range map[string]struct {
		loc   string
		close bool
	}{
		"zh-TW,zh;q=0.9,en;q=0.8": {"zh-Hans", false},
		"zh-Hant-HK":              {"zh-Hans", false},
		"zh-CN,zh;q=0.9":          {"zh-Hans", true},
		"fil-PH":                  {"tl", true},
		"tl":                      {"tl", true},
		"pt-PT":                   {"pt-BR", true},
		"hi-IN,en;q=0.5":          {"en", false},
		"de":                      {"en", false},
		"":                        {"en", true},
	} {
		loc, close := c.Negotiate(header, "en")
		if loc != want.loc || close != want.close {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", header, loc, close, want.loc, want.close)
		}
	}
}

// TestMatchTag: one tag, as `haven route --lang` takes it, matched as a
// header would be, and saying when nothing matches.
func TestMatchTag(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		tag, want string
		ok        bool
	}{
		{"es", "es", true}, {"es-MX", "es", true}, {"ES-mx", "es", true}, {"pt", "pt-BR", true},
		{"zh-CN", "zh-Hans", true}, {"ar-EG", "ar", true}, {"en-GB", "en", true},
		{"de", "en", false}, {"", "en", false}, {"not a tag", "en", false},
	} {
		got, ok := c.MatchTag(tc.tag)
		if got != tc.want || ok != tc.ok {
			t.Errorf("MatchTag(%q) = %q, %v; want %q, %v", tc.tag, got, ok, tc.want, tc.ok)
		}
	}
}
