package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"

	"golang.org/x/net/html"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
)

// fixture is a real SQLite store in a temporary directory, loaded with the
// embedded U.S. pack, and the pages serving it.
type fixture struct {
	pack  *pack.Pack
	db    *sqlite.DB
	pages *Pages
	mux   *route.Mux
}

func newFixture(tb testing.TB, now func() time.Time) *fixture {
	tb.Helper()
	db, p := testenv.USStore(tb)
	engine, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		tb.Fatalf("triage.New: %v", err)
	}
	pages, err := New(Config{Store: db, Meta: p.Meta, Now: now, Engine: engine, Logger: slog.New(slog.NewTextHandler(tbWriter{tb}, nil))})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	mux := route.NewMux(route.Config{})
	pages.Register(mux)
	return &fixture{pack: p, db: db, pages: pages, mux: mux}
}

// get serves one request in memory and returns the response with its body
// decompressed when it was gzipped.
func (f *fixture) get(tb testing.TB, target string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("%s: gzip: %v", target, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("%s: gunzip: %v", target, err)
		}
	}
	return res, body
}

// page gets target, expects status, and parses the HTML.
func (f *fixture) page(tb testing.TB, target string, status int) *html.Node {
	tb.Helper()
	res, body := f.get(tb, target)
	if res.StatusCode != status {
		tb.Fatalf("GET %s: status %d, want %d\n%s", target, res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		tb.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("GET %s: parse HTML: %v", target, err)
	}
	return doc
}

// elements returns every element named tag, in document order.
func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && (tag == "" || n.Data == tag) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return out
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// text returns the text of n with runs of white space made one space.
func text(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// hrefs returns the href of every link, in document order.
func hrefs(doc *html.Node) []string {
	var out []string
	for _, a := range elements(doc, "a") {
		if h, ok := attr(a, "href"); ok {
			out = append(out, h)
		}
	}
	return out
}

// at returns a fixed instant in a named time zone.
func at(tb testing.TB, zone string, year int, month time.Month, day, hour, minute int) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Fatalf("zone %s: %v", zone, err)
	}
	return time.Date(year, month, day, hour, minute, 0, 0, loc)
}

// tbWriter sends log lines to the test's log.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
