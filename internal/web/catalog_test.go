package web

import (
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/i18n"
)

// TestTemplateKeysExist: every t and tn call in the templates names a key
// of every locale's catalog, with the placeholders the message uses.
func TestTemplateKeysExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	calls, err := catalogCalls()
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 50 {
		t.Fatalf("found only %d catalog calls; is the template walk broken?", len(calls))
	}
	if err := checkCalls(cat, calls); err != nil {
		t.Fatal(err)
	}
	for _, locale := range cat.Locales() {
		for _, c := range calls {
			if _, ok := cat.Message(locale, c.Key); !ok {
				t.Errorf("%s:%d: locale %s has no key %q", c.File, c.Line, locale, c.Key)
			}
		}
		for _, key := range codeKeys() {
			if _, ok := cat.Message(locale, key); !ok {
				t.Errorf("locale %s has no key %q, which Go code uses", locale, key)
			}
		}
	}
}

// TestCheckCallsRefuses: a wrong key, a wrong function or a wrong
// placeholder is caught at boot.
func TestCheckCallsRefuses(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []catalogCall{
		{File: "x.html", Func: "t", Key: "no.such.key"},
		{File: "x.html", Func: "t", Key: "services.count"},
		{File: "x.html", Func: "tn", Key: "layout.skip"},
		{File: "x.html", Func: "t", Key: "home.emergency.lead"},
		{File: "x.html", Func: "t", Key: "home.emergency.lead", Params: []string{"Numbr"}},
	} {
		if err := checkCalls(cat, []catalogCall{c}); err == nil {
			t.Errorf("%+v: accepted", c)
		} else if !strings.Contains(err.Error(), c.Key) {
			t.Errorf("%+v: error does not name the key: %v", c, err)
		}
	}
}

// TestNoTextOutsideCatalog: the templates write no words of their own;
// every visible word comes from the catalog or the data.
func TestNoTextOutsideCatalog(t *testing.T) {
	files, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := templateFS.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		// Drop actions, tags and comments; what stays is literal text.
		for _, pair := range [][2]string{{"{{", "}}"}, {"<", ">"}} {
			var b strings.Builder
			for {
				i := strings.Index(s, pair[0])
				if i < 0 {
					b.WriteString(s)
					break
				}
				b.WriteString(s[:i])
				b.WriteString(" ")
				j := strings.Index(s[i:], pair[1])
				if j < 0 {
					break
				}
				s = s[i+j+len(pair[1]):]
			}
			s = b.String()
		}
		for _, word := range strings.Fields(s) {
			if strings.Trim(word, "()·:,.;") != "" {
				t.Errorf("%s: literal text %q; put it in the catalog", f.Name(), word)
			}
		}
	}
}
