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

// The loader refuses a translation that changes a number or a keyword,
// drops a text, or adds one the pack does not have.
func TestBrokenTranslations(t *testing.T) {
	es := func(m fstest.MapFS) string { return string(m["locales/es.yaml"].Data) }
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
		{"missing text", func(t *testing.T, m fstest.MapFS) {
			lines := strings.Split(es(m), "\n")
			var out []string
			for _, l := range lines {
				if !strings.Contains(l, `"service.nhth.description"`) {
					out = append(out, l)
				}
			}
			m["locales/es.yaml"] = &fstest.MapFile{Data: []byte(strings.Join(out, "\n"))}
		}, "missing text service.nhth.description"},
		{"unknown text", func(t *testing.T, m fstest.MapFS) {
			replace(t, m, "locales/es.yaml", "texts:\n", "texts:\n  \"service.nobody.name\": \"Nadie\"\n")
		}, "service.nobody.name: the pack has no such text"},
		{"English changed since the translation", func(t *testing.T, m fstest.MapFS) {
			// The pack's English now says something else; es.yaml still
			// translates the old words.
			replace(t, m, "services.yaml", "description: In an emergency, please call 911.", "description: In an emergency, please call 911 at once.")
		}, "service.emergency-911.description: the English text is not the one this was translated from"},
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
