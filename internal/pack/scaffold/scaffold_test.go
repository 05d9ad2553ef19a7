package scaffold_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/pack/scaffold"
	"github.com/haven-project/haven/internal/triage"
)

// TestScaffoldLoads: the scaffold is a pack Load accepts as written, every
// routing rule reachable, so a new pack starts from a folder haven check
// passes.
func TestScaffoldLoads(t *testing.T) {
	p, err := pack.Load(scaffold.FS())
	if err != nil {
		t.Fatalf("the scaffold does not load:\n%v", err)
	}
	if probs := p.Unreachable(); len(probs) > 0 {
		t.Errorf("unreachable rules: %v", probs)
	}
	if len(p.Directory.Organizations) == 0 || len(p.Directory.Services) == 0 || p.Routing == nil {
		t.Fatalf("the scaffold lacks a record: %+v", p.Directory)
	}
	e, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(triage.Situation{Role: triage.RoleSelf}, time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC))
	if err != nil || len(plan.Steps) == 0 || plan.Steps[0].Service != "example-harbor-shelter" {
		t.Errorf("a plan for someone it happens to does not start with the shelter: %+v, %v", plan, err)
	}
}

// The scaffold shows what it promises: an organization service with call
// and text, weekly hours, a region, and a source of notes that says it is
// an example; its phone numbers are all in the fictional 555-01xx range.
func TestScaffoldShowsEachRecord(t *testing.T) {
	p, err := pack.Load(scaffold.FS())
	if err != nil {
		t.Fatal(err)
	}
	svc, ok := p.Directory.Service("example-harbor-shelter")
	if !ok || svc.Kind != "organization" || svc.Hours.Kind != "weekly" || len(svc.Areas) != 1 || svc.Areas[0].Scope != "region" {
		t.Fatalf("shelter: %+v", svc)
	}
	if len(svc.ContactsBy("call")) != 1 || len(svc.ContactsBy("text")) != 1 {
		t.Errorf("shelter contacts: %+v", svc.Contacts)
	}
	for _, s := range p.Directory.Services {
		for _, c := range s.Contacts {
			if (c.Channel == "call" || c.Channel == "text") && s.Kind != "emergency" && !strings.HasPrefix(c.Value[len(c.Value)-7:], "55501") {
				t.Errorf("%s: %s is not a fictional 555-01xx number", s.Slug, c.Value)
			}
		}
	}
	notes, err := fs.ReadFile(scaffold.FS(), "sources/example-harbor-notes.txt")
	if err != nil || !strings.HasPrefix(string(notes), "EXAMPLE SOURCE") {
		t.Errorf("the notes do not say first that they are an example: %v", err)
	}
	for _, f := range []string{"pack.yaml", "organizations.yaml", "services.yaml", "routing.yaml", "sources/README.md"} {
		data, err := fs.ReadFile(scaffold.FS(), f)
		if err != nil || !strings.Contains(string(data), "EXAMPLE") && !strings.Contains(string(data), "example") {
			t.Errorf("%s does not say it holds an example: %v", f, err)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "my-pack")
	wrote, err := scaffold.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrote) < 6 {
		t.Errorf("wrote %v", wrote)
	}
	if _, err := pack.Load(os.DirFS(dir)); err != nil {
		t.Fatalf("the written scaffold does not load: %v", err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		want := scaffold.FileMode
		if d.IsDir() {
			want = scaffold.DirMode | fs.ModeDir
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second time, the folder is no longer empty: refused, nothing changed.
	before, _ := os.ReadFile(filepath.Join(dir, "pack.yaml"))
	if _, err := scaffold.Write(dir); err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a non-empty folder: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "pack.yaml")); string(after) != string(before) {
		t.Error("a refused write changed pack.yaml")
	}
	// An empty folder that exists is fine; a file in the way is not.
	empty := t.TempDir()
	if _, err := scaffold.Write(empty); err != nil {
		t.Errorf("an empty folder: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.Write(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("a file: %v", err)
	}
}
