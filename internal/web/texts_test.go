package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
	"github.com/haven-project/haven/packs"
)

// textsFixture serves the U.S. pack with its translations and one local
// service added that no locale translates yet.
func textsFixture(t *testing.T) *fixture {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(packs.US(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(packs.US(), path)
		m[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m["services.yaml"].Data = append(m["services.yaml"].Data, `
  - slug: example-shelter
    organization: polaris
    name: Example Shelter
    description: Beds for the night.
    kind: organization
    law_enforcement: false
    immigration_authority: false
    topics: [general]
    hours: {kind: unknown}
    source: {document: 000_24d3d33fc683f7cc.txt, lines: [1], verified: "2026-12-01"}
`...)
	p, err := pack.Load(m)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(p.Warnings) == 0 {
		t.Fatal("no warning for the texts not translated yet")
	}
	db := testenv.SQLite(t)
	if _, err := db.LoadDirectory(context.Background(), store.PackInfo{ID: p.Meta.ID, Hash: p.Hash}, &p.Directory); err != nil {
		t.Fatal(err)
	}
	engine, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := New(Config{Store: db, Meta: p.Meta, Engine: engine, Texts: p, Logger: slog.New(slog.NewTextHandler(tbWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := route.NewMux(route.Config{})
	pages.Register(mux)
	return &fixture{pack: p, db: db, pages: pages, mux: mux}
}

// A record no locale translates yet shows in English within the Spanish
// page, marked lang="en"; a translated one is not marked.
func TestUntranslatedRecordMarkedEnglish(t *testing.T) {
	f := textsFixture(t)
	body := f.body(t, "/es/services/example-shelter")
	if !strings.Contains(body, `<h1><bdi lang="en">Example Shelter</bdi></h1>`) {
		t.Errorf("the name is not marked as English:\n%s", excerpt(body, "<h1>"))
	}
	if !strings.Contains(body, `<bdi lang="en">Beds for the night.</bdi>`) {
		t.Errorf("the description is not marked as English")
	}
	if !strings.Contains(body, `<html lang="es"`) {
		t.Errorf("the page is not Spanish")
	}
	// The English page marks nothing.
	if body := f.body(t, "/en/services/example-shelter"); !strings.Contains(body, "<h1>Example Shelter</h1>") {
		t.Errorf("English page:\n%s", excerpt(body, "<h1>"))
	}
	// A translated record is shown translated, unmarked.
	body = f.body(t, "/es/services/nhth")
	h1 := excerpt(body, "<h1>")
	h1 = h1[:strings.Index(h1, "</h1>")]
	if strings.Contains(h1, "lang=") || strings.Contains(h1, "National Human Trafficking Hotline") {
		t.Errorf("nhth in Spanish: %s", h1)
	}
	// The list and the plan mark it the same way.
	if body := f.body(t, "/es/services?topic=general"); !strings.Contains(body, `<bdi lang="en">Example Shelter</bdi>`) {
		t.Errorf("the services list does not mark the English name")
	}
}

// The source line names the document by its title, not its file name,
// with the title and the line numbers isolated: an Arabic page keeps its
// right-to-left order around them. Keywords are isolated each, with the
// locale's list separator between them.
func TestSourceLineAndKeywordsIsolated(t *testing.T) {
	f := textsFixture(t)
	body := f.body(t, "/ar/services/nhth")
	src := excerpt(body, `<p class="source">`)
	if strings.Contains(body, "000_24d3d33fc683f7cc.txt") {
		t.Errorf("the page shows the source's file name: %s", src)
	}
	if !strings.Contains(src, `<bdi lang="en">Human trafficking: hotlines`) || !strings.Contains(src, `<bdi dir="ltr">`) {
		t.Errorf("source line not isolated: %s", src)
	}
	if !strings.Contains(body, `<bdi>BEFREE</bdi>، <bdi>HELP</bdi>`) && !strings.Contains(body, `<bdi>HELP</bdi>، <bdi>BEFREE</bdi>`) {
		t.Errorf("keywords not isolated with the Arabic comma: %s", excerpt(body, "BEFREE"))
	}
	if body := f.body(t, "/en/services/nhth"); !strings.Contains(body, `<bdi>BEFREE</bdi>, <bdi>HELP</bdi>`) && !strings.Contains(body, `<bdi>HELP</bdi>, <bdi>BEFREE</bdi>`) {
		t.Errorf("English keywords: %s", excerpt(body, "BEFREE"))
	}
}

func (f *fixture) body(t *testing.T, target string) string {
	t.Helper()
	res, body := f.get(t, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", target, res.StatusCode)
	}
	return string(body)
}

// excerpt is the text of s from the first at, for messages.
func excerpt(s, at string) string {
	i := strings.Index(s, at)
	if i < 0 {
		return "(no " + at + ")"
	}
	end := min(len(s), i+300)
	return s[i:end]
}

// A browser asking for Traditional Chinese gets Simplified Chinese, and a
// browser asking for a language the site lacks gets English: each page
// says so instead of switching silently. A close match says nothing.
func TestRootSaysWhenNotInTheLanguageAsked(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		accept, lang string
		notice       bool
	}{
		{"zh-TW,zh;q=0.9", "zh-Hans", true},
		{"zh-Hant", "zh-Hans", true},
		{"zh-HK", "zh-Hans", true},
		{"zh-CN", "zh-Hans", false},
		{"hi-IN", "en", true},
		{"en-US,en;q=0.9", "en", false},
		{"es-MX", "es", false},
		{"", "en", false},
	}
	for _, c := range cases {
		res, body := f.get(t, "/", "Accept-Language", c.accept)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%q: %d", c.accept, res.StatusCode)
		}
		html := string(body)
		if !strings.Contains(html, `<html lang="`+c.lang+`"`) {
			t.Errorf("%q: not served in %s", c.accept, c.lang)
		}
		if got := strings.Contains(html, `class="unreviewed not-asked"`); got != c.notice {
			t.Errorf("%q: notice shown %v, want %v", c.accept, got, c.notice)
		}
	}
	// The line is the page's language and names it.
	_, body := f.get(t, "/", "Accept-Language", "zh-TW")
	if !strings.Contains(string(body), "此页面为中文（简体）") {
		t.Errorf("the zh-TW notice does not say the page is in Simplified Chinese:\n%s", excerpt(string(body), "not-asked"))
	}
	// The address of a language says nothing: it was chosen.
	if _, body := f.get(t, "/zh-Hans/", "Accept-Language", "zh-TW"); strings.Contains(string(body), "not-asked") {
		t.Errorf("/zh-Hans/ shows the notice")
	}
}
