package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
)

func TestRouteText(t *testing.T) {
	r := run(t, nil, "route", "--role", "self", "--labor", "--ffc", "unsure", "--channel", "text", "--at", "2026-11-30T10:00:00-05:00")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	lines := strings.Split(r.stdout, "\n")
	if lines[0] != "This may be human trafficking" || !strings.Contains(lines[1], "You are not sure whether there was force, fraud, or coercion") {
		t.Errorf("assessment and explanation first; got:\n%s", r.stdout)
	}
	for _, want := range []string{
		"\nWhat to do, in this order\n",
		"\n1. Text BEFREE to 233733\n   National Human Trafficking Hotline\n   Not law enforcement or immigration\n   Hours not stated in our source\n   - If it is not safe to talk",
		"\n2. Call 1-888-373-7888\n   National Human Trafficking Hotline\n   Not law enforcement or immigration\n   Open now\n",
		"\n3. Call 1-866-DHS-2-ICE (1-866-347-2423)\n   ICE Homeland Security Investigations (HSI) Tip Line\n   Law enforcement\n   Immigration authority\n   Open now\n",
		"Online: www.ice.gov/tips",
		"Call 1-866-4USWAGE (1-866-487-9243)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("route does not print %q; got:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("route in English writes to stderr: %q", r.stderr)
	}
	r = run(t, nil, "route", "--visa-fraud", "--at", "2026-11-30T10:00:00-05:00")
	if !strings.Contains(r.stdout, "Email TraffickingTips@state.gov\n   Diplomatic Security Service (DSS)\n   Law enforcement\n   Immigration authority: not stated in our source\n   Hours not stated in our source\n") {
		t.Errorf("visa fraud: no e-mail step to DSS marked law enforcement, immigration unstated:\n%s", r.stdout)
	}
	r = run(t, nil, "route", "--discrimination", "--at", "2026-11-30T22:00:00-05:00")
	if !strings.Contains(r.stdout, "Call 1-800-669-4000") || !strings.Contains(r.stdout, "Closed now. Hours: 7:00am to 8:00pm (EST)") {
		t.Errorf("EEOC at 22:00 Eastern is closed, with its hours:\n%s", r.stdout)
	}
}

// translatedPlan is what route --lang must print for a locale: the
// catalog's headings and the pack's translations of the records.
type translatedPlan struct {
	steps, apartTitle, apartWhy, hotline, reason string
}

func planIn(t *testing.T, locale string) translatedPlan {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	msg := func(key string) string {
		m, ok := cat.Message(locale, key)
		if !ok {
			t.Fatalf("%s has no %s", locale, key)
		}
		return m.Text()
	}
	p := testenv.USPack(t)
	svc, _ := p.Directory.Service("nhth")
	rec := func(key, english string) string {
		got := p.Translated(locale, key, english)
		if got == english && locale != i18n.SourceLocale {
			t.Fatalf("the U.S. pack has no %s translation of %s", locale, key)
		}
		return got
	}
	return translatedPlan{
		steps: msg("plan.steps"), apartTitle: msg("plan.apart.title"), apartWhy: msg("plan.apart.why"),
		hotline: rec("service.nhth.name", svc.Name),
		reason:  rec("routing.reason.nhth_help", p.Routing.Messages["reason.nhth_help"]),
	}
}

// TestRouteInTheLanguageAsked: --lang is also the language of the plan,
// headings and records alike, matched as the web matches a browser's
// languages (es-MX is es); the police steps are set apart under the
// heading the web page uses.
func TestRouteInTheLanguageAsked(t *testing.T) {
	english := planIn(t, "en")
	for _, tc := range []struct{ lang, locale, call, action string }{
		{"es", "es", "Llamar 1-888-373-7888", "Llamar 1-866-DHS-2-ICE (1-866-347-2423)"},
		{"es-MX", "es", "Llamar 1-888-373-7888", "En línea: www.ice.gov/tips"},
		{"ar", "ar", "اتصال 1-888-373-7888", "عبر الإنترنت: www.ice.gov/tips"},
	} {
		want := planIn(t, tc.locale)
		if want.apartTitle == english.apartTitle || want.hotline == english.hotline {
			t.Fatalf("%s: the catalog or the pack gives English", tc.locale)
		}
		r := run(t, nil, "route", "--lang", tc.lang, "--no-police", "--role", "self", "--labor", "--ffc", "yes", "--at", "2026-11-30T10:00:00-05:00")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("route --lang %s: %+v", tc.lang, r)
		}
		for _, w := range []string{
			"\n" + want.steps + "\n", "\n" + want.apartTitle + "\n" + want.apartWhy + "\n",
			"\n1. " + tc.call + "\n   " + want.hotline + "\n", "   - " + want.reason + "\n", tc.action,
		} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("route --lang %s does not print %q:\n%s", tc.lang, w, r.stdout)
			}
		}
		for _, en := range []string{english.steps, english.apartTitle, english.hotline, english.reason, "Call ", "Law enforcement"} {
			if strings.Contains(r.stdout, en) {
				t.Errorf("route --lang %s prints English %q:\n%s", tc.lang, en, r.stdout)
			}
		}
	}
	// The example of issue 11: no police steps, so no heading for them.
	es := planIn(t, "es")
	r := run(t, nil, "route", "--lang", "es", "--no-police", "--role", "self", "--labor")
	if r.code != 0 || !strings.Contains(r.stdout, "\n"+es.steps+"\n") || !strings.Contains(r.stdout, "\n   "+es.hotline+"\n") || !strings.Contains(r.stdout, es.reason) {
		t.Errorf("route --lang es --no-police --role self --labor: %+v", r)
	}
}

// Every locale of the catalog prints its own headings.
func TestRouteEveryLocale(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, locale := range cat.Locales() {
		title, _ := cat.Message(locale, "plan.apart.title")
		r := run(t, nil, "route", "--lang", locale, "--no-police", "--labor", "--ffc", "yes")
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "\n"+title.Text()+"\n") {
			t.Errorf("route --lang %s: no heading %q: %+v", locale, title.Text(), r)
		}
	}
}

// A language Haven has no catalog for keeps its meaning for the plan's
// situation and gives an English plan, with a note on stderr.
func TestRouteUnknownLanguageFallsBackToEnglish(t *testing.T) {
	for _, lang := range []string{"de", "de-AT", "not a tag"} {
		r := run(t, nil, "route", "--lang", lang, "--no-police", "--labor", "--ffc", "yes")
		if r.code != 0 || !strings.Contains(r.stdout, "\n"+setApartTitle+"\n") || !strings.Contains(r.stdout, "National Human Trafficking Hotline") {
			t.Errorf("route --lang %q: want an English plan: %+v", lang, r)
		}
		if !strings.Contains(r.stderr, `no translation for "`+lang+`"`) || !strings.Contains(r.stderr, "in English") || !strings.Contains(r.stderr, "es") {
			t.Errorf("route --lang %q: stderr %q does not say the plan is in English", lang, r.stderr)
		}
	}
}

// --json is the API's answer whatever the language: --lang goes into
// the situation only.
func TestRouteJSONIgnoresOutputLanguage(t *testing.T) {
	args := []string{"route", "--json", "--no-police", "--labor", "--ffc", "yes", "--at", "2026-11-30T10:00:00-05:00"}
	en := run(t, nil, append(args, "--lang", "en")...)
	es := run(t, nil, append(args, "--lang", "es")...)
	de := run(t, nil, append(args, "--lang", "de")...)
	if en.code != 0 || en.stdout != es.stdout || en.stdout != de.stdout || de.stderr != "" {
		t.Errorf("route --json differs by --lang:\nen %+v\nes %+v\nde %+v", en, es, de)
	}
}

// TestRouteJSON: --json prints the engine's plan, as the API does.
func TestRouteJSON(t *testing.T) {
	at := time.Date(2026, time.November, 30, 15, 0, 0, 0, time.UTC)
	p := testenv.USPack(t)
	e, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		t.Fatal(err)
	}
	s := triage.Situation{Danger: true, NoPolice: true, Role: triage.RoleOther, Minor: true, Sex: true, VisaProgram: "H-2B", Anonymous: true}
	want, err := e.Plan(s, at)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "route", "--json", "--danger", "--no-police", "--role", "other", "--minor", "--sex", "--visa-program", "H-2B", "--anonymous", "--at", at.Format(time.RFC3339))
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var got triage.Plan
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("route --json:\n%s\nwant %s", g, w)
	}
	if got.Steps[0].Service != "emergency-911" {
		t.Errorf("first step %s, want emergency-911", got.Steps[0].Service)
	}
}

func TestRouteBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--role", "boss"}, "--role"},
		{[]string{"--ffc", "maybe"}, "--ffc"},
		{[]string{"--visa-program", "H-3"}, "--visa-program"},
		{[]string{"--channel", "fax"}, "--channel"},
		{[]string{"--channel", "website"}, "--channel"},
		{[]string{"--at", "tomorrow"}, "--at"},
		{[]string{"--at", "2026-11-30 10:00"}, "--at"},
		{[]string{"--lang", strings.Repeat("x", 36)}, "--lang"},
		{[]string{"--db", "x.db"}, "-db"},
		{[]string{"extra"}, "extra"},
	} {
		r := run(t, nil, append([]string{"route"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.flag) {
			t.Errorf("route %v: exit %d, stderr %q; want 2 naming %s", tc.args, r.code, r.stderr, tc.flag)
		}
	}
}

// TestRouteNeedsNoDatabase: route reads the pack only; it opens and
// creates no database even when one is configured.
func TestRouteNeedsNoDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "haven.db")
	r := run(t, map[string]string{"HAVEN_DB": db}, "route", "--role", "self")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Errorf("route created %s", filepath.Dir(db))
	}
	if r := run(t, nil, "route", "--help"); r.code != 0 || !strings.Contains(r.stdout, "needs no database") {
		t.Errorf("route --help does not say it needs no database: %+v", r)
	}
}

func TestRoutePackWithoutRules(t *testing.T) {
	dir := copyPack(t)
	if err := os.Remove(filepath.Join(dir, "routing.yaml")); err != nil {
		t.Fatal(err)
	}
	// The translations translate the routing messages too; without the
	// rules they would name texts the pack no longer has.
	if err := os.RemoveAll(filepath.Join(dir, "locales")); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "route", "--pack", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "no routing rules") {
		t.Errorf("pack without routing.yaml: %+v", r)
	}
}

// setApartTitle is the English heading of the steps a plan sets apart.
const setApartTitle = "Only if you decide to contact police or immigration"

// A plan for someone who avoids police sets their steps apart, under one
// heading, after every other step; without no-police there is none.
func TestRouteSetsPoliceApart(t *testing.T) {
	r := run(t, nil, "route", "--no-police", "--labor", "--ffc", "yes")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	head := strings.Index(r.stdout, setApartTitle)
	ice, nhth := strings.Index(r.stdout, "Call 1-866-DHS-2-ICE"), strings.Index(r.stdout, "Call 1-888-373-7888")
	if head < 0 || strings.Count(r.stdout, setApartTitle) != 1 || ice < head || nhth > head {
		t.Errorf("heading at %d, ICE at %d, the Hotline at %d:\n%s", head, ice, nhth, r.stdout)
	}
	if r := run(t, nil, "route", "--labor", "--ffc", "yes"); strings.Contains(r.stdout, setApartTitle) {
		t.Errorf("a plan without no-police sets steps apart:\n%s", r.stdout)
	}
}
