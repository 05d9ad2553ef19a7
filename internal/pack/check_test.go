package pack_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/packs"
)

// usFiles copies the embedded U.S. pack into a map the test can break.
func usFiles(t testing.TB) fstest.MapFS {
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
	return m
}

// replace changes the first occurrence of old in a pack file; it fails the
// test if old is not there, so a test cannot silently break nothing.
func replace(t testing.TB, m fstest.MapFS, file, old, new string) {
	t.Helper()
	s := string(m[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	m[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
}

func lineOf(t testing.TB, m fstest.MapFS, file, text string) int {
	t.Helper()
	i := strings.Index(string(m[file].Data), text)
	if i < 0 {
		t.Fatalf("%s does not contain %q", file, text)
	}
	return strings.Count(string(m[file].Data[:i]), "\n") + 1
}

func TestBrokenPacks(t *testing.T) {
	cases := []struct {
		name       string
		file       string
		old, new   string
		lineOf     string // the problem is reported on the line holding this text (after the change)
		wantInMsg  string
		noLineWant bool
	}{
		{"wrong digit in a number", "services.yaml", `display: 1-888-373-7888`, `display: 1-888-373-7889`, `display: 1-888-373-7889`, "not written on the cited lines", false},
		{"value does not dial the display", "services.yaml", `value: "+18008435678"`, `value: "+18008435679"`, `value: "+18008435679"`, "dials +18008435678", false},
		{"vanity spelled wrong", "services.yaml", `display: 1-866-DHS-2-ICE`, `display: 1-866-DHS-2-ICF`, `display: 1-866-DHS-2-ICF`, "", false},
		{"value not E.164", "services.yaml", `value: "+18006694000"`, `value: "18006694000"`, `value: "18006694000"`, "neither E.164", false},
		{"unknown field", "services.yaml", `    kind: hotline`, `    kind: hotline
    phone_number: x`, `phone_number: x`, `unknown field "phone_number"`, false},
		{"law enforcement left out", "services.yaml", "    law_enforcement: true\n    immigration_authority: null\n    topics: [general, sex_trafficking, labor_trafficking]\n    hours: {kind: unknown}", "    immigration_authority: null\n    topics: [general, sex_trafficking, labor_trafficking]\n    hours: {kind: unknown}", "- slug: fbi-tips", "law_enforcement must be written out: write true, false, or null when the source does not say", false},
		{"a number under two services", "services.yaml", `value: "+18006694000"`, `value: "+18883737888"`, "value: \"+18883737888\"\n        source: {document: 000_24d3d33fc683f7cc.txt, lines: [15]", "already a contact of nhth", false},
		{"unknown organization", "services.yaml", `organization: eeoc`, `organization: eeoc-x`, `organization: eeoc-x`, `organization "eeoc-x" is not in`, false},
		{"duplicate slug", "services.yaml", `slug: ecpat`, `slug: cast`, "slug: cast\n    organization: ecpat", "used twice", false},
		{"bad kind", "services.yaml", `kind: expert`, `kind: guru`, `kind: guru`, `kind "guru"`, false},
		{"undefined topic", "services.yaml", `topics: [research]`, `topics: [researc]`, `topics: [researc]`, `topic "researc" is not defined`, false},
		{"bad time zone", "services.yaml", `time_zone: America/New_York`, `time_zone: America/Nowhere`, "hours:\n      kind: weekly", "IANA", false},
		{"window closes before it opens", "services.yaml", `closes: "20:00"`, `closes: "06:00"`, "hours:\n      kind: weekly", "closes before it opens", false},
		{"line outside the source", "services.yaml", `lines: [68], verified`, `lines: [99], verified`, `lines: [99], verified`, "outside", false},
		{"bad verified date", "organizations.yaml", `lines: [15], verified: "2026-11-25"`, `lines: [15], verified: "yesterday"`, `verified: "yesterday"`, "verified", false},
		{"email not lower-cased", "services.yaml", `value: traffickingtips@state.gov`, `value: TraffickingTips@state.gov`, `value: TraffickingTips@state.gov`, "lower-cased", false},
		{"link without scheme", "services.yaml", `value: https://www.ice.gov/tips`, `value: www.ice.gov/tips`, `value: www.ice.gov/tips`, "http or https", false},
		{"handle not in the source", "organizations.yaml", `handle: "@IJM"`, `handle: "@IJM_"`, `handle: "@IJM_"`, "not written on the cited lines", false},
		{"learn text not quoted exactly", "learn.yaml", "through the use of force, fraud, or coercion.", "through force.", "text: >-\n      Human Trafficking is a crime", "word for word", false},
		{"yaml syntax error", "services.yaml", `  - slug: cast`, `  - slug: [cast`, `  - slug: [cast`, "did not find expected ',' or ']'", false},
		{"tampered source document", "sources/000_24d3d33fc683f7cc.txt", `1-888-373-7888`, `1-888-373-7880`, ``, "sha256", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := usFiles(t)
			replace(t, m, tc.file, tc.old, tc.new)
			p, err := pack.Load(m)
			if p != nil || err == nil {
				t.Fatal("a broken pack loaded")
			}
			probs := pack.Problems(err)
			if len(probs) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, pr := range probs {
				if pr.Line == 0 && !tc.noLineWant {
					continue
				}
				if tc.wantInMsg != "" && !strings.Contains(pr.Msg, tc.wantInMsg) {
					continue
				}
				if !tc.noLineWant {
					if pr.File != tc.file || pr.Line != lineOf(t, m, tc.file, tc.lineOf) {
						continue
					}
				}
				return // found the expected problem
			}
			t.Fatalf("no problem %q at %s line of %q; got:\n%v", tc.wantInMsg, tc.file, tc.lineOf, err)
		})
	}
}

// A mis-indented key deep in a long list is reported on its own line, not
// on the line where the list starts (which the YAML parser names).
func TestMisindentedLineIsReportedWhereItIs(t *testing.T) {
	for _, indent := range []string{"  ", "   ", " "} {
		t.Run(fmt.Sprintf("indent %d", len(indent)), func(t *testing.T) {
			m := usFiles(t)
			lines := strings.Split(string(m["services.yaml"].Data), "\n")
			last := -1
			for i, ln := range lines {
				if strings.HasPrefix(ln, "    topics: ") {
					last = i
				}
			}
			if last < 100 {
				t.Fatalf("the last topics line of services.yaml is line %d; want one far down", last+1)
			}
			lines[last] = indent + strings.TrimLeft(lines[last], " ")
			m["services.yaml"] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
			_, err := pack.Load(m)
			probs := pack.Problems(err)
			if len(probs) != 1 || probs[0].File != "services.yaml" || probs[0].Line != last+1 {
				t.Fatalf("want one problem at services.yaml:%d (%q), got:\n%v", last+1, lines[last], err)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	m := usFiles(t)
	delete(m, "services.yaml")
	_, err := pack.Load(m)
	probs := pack.Problems(err)
	if len(probs) != 1 || probs[0].File != "services.yaml" {
		t.Fatalf("want one problem with services.yaml, got %v", err)
	}
}

// Hash changes with any byte of the pack, so a changed pack is reloaded.
func TestHashFollowsContent(t *testing.T) {
	m := usFiles(t)
	a, err := pack.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	replace(t, m, "services.yaml", "# Services of", "# The services of")
	b, err := pack.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash == b.Hash || len(a.Hash) != 64 {
		t.Fatalf("hash %q then %q", a.Hash, b.Hash)
	}
}

func FuzzLoadServices(f *testing.F) {
	base := usFiles(f)
	f.Add(base["services.yaml"].Data)
	f.Add([]byte("services:\n  - slug: x\n"))
	f.Add([]byte("services: [{slug: a, hours: {kind: weekly, windows: [{opens: '25:00', closes: '24:00'}]}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		m["services.yaml"] = &fstest.MapFile{Data: data}
		p, err := pack.Load(m)
		if (p == nil) == (err == nil) {
			t.Fatalf("Load returned pack %v and error %v", p != nil, err)
		}
		if err != nil && len(pack.Problems(err)) == 0 {
			t.Fatalf("error without problems: %v", err)
		}
	})
}
