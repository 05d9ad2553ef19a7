package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
)

func TestRouteText(t *testing.T) {
	r := run(t, nil, "route", "--role", "self", "--labor", "--ffc", "unsure", "--channel", "text", "--at", "2026-11-30T10:00:00-05:00")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	lines := strings.Split(r.stdout, "\n")
	if lines[0] != "This may be human trafficking." || !strings.Contains(lines[1], "You are not sure whether there was force, fraud, or coercion") {
		t.Errorf("assessment and explanation first; got:\n%s", r.stdout)
	}
	for _, want := range []string{
		"\n1. Text BEFREE to 233733\n   National Human Trafficking Hotline\n   not law enforcement, not immigration; hours not stated\n   - If it is not safe to talk",
		"\n2. Call 1-888-373-7888\n   National Human Trafficking Hotline\n   not law enforcement, not immigration; open now\n",
		"\n3. Call 1-866-DHS-2-ICE\n   ICE Homeland Security Investigations (HSI) Tip Line\n   law enforcement and immigration authority; open now\n",
		"Go to www.ice.gov/tips",
		"Call 1-866-4USWAGE",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("route does not print %q; got:\n%s", want, r.stdout)
		}
	}
	r = run(t, nil, "route", "--visa-fraud", "--at", "2026-11-30T10:00:00-05:00")
	if !strings.Contains(r.stdout, "E-mail TraffickingTips@state.gov\n   Diplomatic Security Service") || !strings.Contains(r.stdout, "law enforcement; immigration: not stated in the source; hours not stated") {
		t.Errorf("visa fraud: no e-mail step to DSS marked law enforcement:\n%s", r.stdout)
	}
	r = run(t, nil, "route", "--discrimination", "--at", "2026-11-30T22:00:00-05:00")
	if !strings.Contains(r.stdout, "Call 1-800-669-4000") || !strings.Contains(r.stdout, "closed now") {
		t.Errorf("EEOC at 22:00 Eastern is closed:\n%s", r.stdout)
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
