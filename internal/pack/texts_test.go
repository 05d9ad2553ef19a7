package pack_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/packs"
)

// Every translation in the U.S. pack has every text, and keeps every
// number, address and keyword of the English.
func TestUSTranslationsComplete(t *testing.T) {
	p, err := pack.Load(packs.US())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"es", "zh-Hans", "vi", "tl", "ko", "ru", "ar", "ht", "fr", "pt-BR", "km"} {
		tr := p.Translations[want]
		if tr == nil {
			t.Errorf("no translation for %s", want)
			continue
		}
		if len(tr.Texts) != len(p.Texts()) {
			t.Errorf("%s: %d texts, the pack has %d", want, len(tr.Texts), len(p.Texts()))
		}
	}
}

// The loader refuses a translation that changes a number or a keyword, or
// is named for another locale.
func TestBrokenTranslations(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, m fstest.MapFS)
		want string
	}{
		{"changed hotline number", func(t *testing.T, m fstest.MapFS) {
			replaceAll(t, m, "locales/es.yaml", "233733", "233734")
		}, `keep "233733"`},
		{"number changed by an added digit", func(t *testing.T, m fstest.MapFS) {
			replaceAll(t, m, "locales/es.yaml", "233733", "2337330")
		}, `keep "233733"`},
		{"number added", func(t *testing.T, m fstest.MapFS) {
			replace(t, m, "locales/es.yaml", "BEFREE", "BEFREE o llame al 1-555-0199")
		}, `"1-555-0199" is not in the English text`},
		{"groups of a number moved", func(t *testing.T, m fstest.MapFS) {
			replaceAll(t, m, "locales/es.yaml", "1-866-347-2423", "1-866-2423-347")
		}, `keep "1-866-347-2423"`},
		{"translated keyword", func(t *testing.T, m fstest.MapFS) {
			replaceAll(t, m, "locales/es.yaml", "BEFREE", "LIBRE")
		}, `keep "BEFREE"`},
		{"locale differs from file name", func(t *testing.T, m fstest.MapFS) {
			replace(t, m, "locales/es.yaml", "locale: es", "locale: fr")
		}, `the file is named for "es"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := usFiles(t)
			c.edit(t, m)
			_, err := pack.Load(m)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "locales/es.yaml") {
				t.Errorf("error does not say %q about locales/es.yaml:\n%v", c.want, err)
			}
		})
	}
}

// A text a translation lacks, has left empty, made from English that has
// changed since, or that the pack no longer has, is a warning, not a
// refusal: the pack loads, and the page shows the pack's own text.
func TestTranslationGapsWarn(t *testing.T) {
	es := func(m fstest.MapFS) string { return string(m["locales/es.yaml"].Data) }
	cases := []struct {
		name string
		edit func(t *testing.T, m fstest.MapFS)
		want string
		key  string // a text now shown in English, "" for none
	}{
		{"missing text", func(t *testing.T, m fstest.MapFS) {
			lines := strings.Split(es(m), "\n")
			var out []string
			for _, l := range lines {
				if !strings.Contains(l, `"service.nhth.description"`) {
					out = append(out, l)
				}
			}
			m["locales/es.yaml"] = &fstest.MapFile{Data: []byte(strings.Join(out, "\n"))}
		}, "not translated yet: service.nhth.description", "service.nhth.description"},
		{"empty text", func(t *testing.T, m fstest.MapFS) {
			replaceLineValue(t, m, "locales/es.yaml", `"service.nhth.name":`, `""`)
		}, "service.nhth.name is empty", "service.nhth.name"},
		{"unknown text", func(t *testing.T, m fstest.MapFS) {
			replace(t, m, "locales/es.yaml", "texts:\n", "texts:\n  \"service.nobody.name\": \"Nadie\"\n")
		}, "service.nobody.name: the pack has no such text", ""},
		{"English changed since the translation", func(t *testing.T, m fstest.MapFS) {
			// The pack's English now says something else; es.yaml still
			// translates the old words.
			replace(t, m, "services.yaml", "description: In an emergency, please call 911.", "description: In an emergency, please call 911 at once.")
		}, "service.emergency-911.description: the English text is not the one this was translated from", "service.emergency-911.description"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := usFiles(t)
			c.edit(t, m)
			p, err := pack.Load(m)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			found := false
			for _, w := range p.Warnings {
				if w.File == "locales/es.yaml" && strings.Contains(w.Msg, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no warning %q about locales/es.yaml in %v", c.want, p.Warnings)
			}
			if c.key == "" {
				return
			}
			en := p.Texts()[c.key]
			if got, ok := p.Translation("es", c.key, en); ok || got != en {
				t.Errorf("es %s = %q, %v: want the English %q, not translated", c.key, got, ok, en)
			}
			// The other locales keep theirs, unless the English changed.
			if _, ok := p.Translation("fr", c.key, en); !ok && !strings.HasPrefix(c.name, "English changed") {
				t.Errorf("fr %s: want its translation still", c.key)
			}
		})
	}
}

// An NGO adds one local organization and one service to a copy of the
// pack: it loads, with a warning per text and locale, and no refusal.
func TestNewRecordWithoutTranslations(t *testing.T) {
	m := usFiles(t)
	appendFile(t, m, "organizations.yaml", `
  - slug: example-shelter-org
    name: Example Shelter Organization
    description: A local shelter.
    source: {document: 000_24d3d33fc683f7cc.txt, lines: [1], verified: "2026-12-01"}
`)
	appendFile(t, m, "services.yaml", `
  - slug: example-shelter
    organization: example-shelter-org
    name: Example Shelter
    description: Beds for the night.
    kind: organization
    law_enforcement: false
    immigration_authority: false
    topics: [general]
    hours: {kind: unknown}
    source: {document: 000_24d3d33fc683f7cc.txt, lines: [1], verified: "2026-12-01"}
`)
	p, err := pack.Load(m)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	per := map[string]int{}
	for _, w := range p.Warnings {
		if strings.Contains(w.Msg, "example-shelter") {
			per[w.File]++
		}
	}
	if len(per) != 11 {
		t.Errorf("warnings in %d locale files, want 11: %v", len(per), per)
	}
	if got, ok := p.Translation("ar", "service.example-shelter.name", "Example Shelter"); ok || got != "Example Shelter" {
		t.Errorf("ar name = %q, %v: want the English, not translated", got, ok)
	}
}

func appendFile(t *testing.T, m fstest.MapFS, file, text string) {
	t.Helper()
	m[file] = &fstest.MapFile{Data: append(append([]byte(nil), m[file].Data...), text...)}
}

func replaceLineValue(t *testing.T, m fstest.MapFS, file, prefix, value string) {
	t.Helper()
	lines := strings.Split(string(m[file].Data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			lines[i] = l[:strings.Index(l, prefix)+len(prefix)] + " " + value
			m[file] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
			return
		}
	}
	t.Fatalf("%s: no line starting %q", file, prefix)
}

func replaceAll(t *testing.T, m fstest.MapFS, file, old, new string) {
	t.Helper()
	s := string(m[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	m[file] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(s, old, new))}
}

// A translation is shown only for exactly the English it was made from:
// a record changed since (in the store) shows as stored.
func TestTranslatedOnlyFromSameEnglish(t *testing.T) {
	p, err := pack.Load(packs.US())
	if err != nil {
		t.Fatal(err)
	}
	key := "service.nhth.name"
	en := p.Texts()[key]
	if got := p.Translated("es", key, en); got == en || got == "" {
		t.Errorf("es %s = %q: want the translation", key, got)
	}
	if got := p.Translated("es", key, en+" (changed)"); got != en+" (changed)" {
		t.Errorf("changed English: got %q, want it unchanged", got)
	}
	if got := p.Translated("xx", key, en); got != en {
		t.Errorf("unknown locale: got %q", got)
	}
}
