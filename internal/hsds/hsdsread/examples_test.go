package hsdsread

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/hsds"
)

// examplesDir is shared/hsds/3.0-examples seen from this package's folder.
const examplesDir = "../../../../shared/hsds/3.0-examples"

// collect is a Sink that keeps every record.
type collect struct{ recs []Record }

func (c *collect) Record(_ context.Context, r Record) error {
	c.recs = append(c.recs, r)
	return nil
}

func (c *collect) find(k Kind, id string) any {
	for _, r := range c.recs {
		if r.Kind == k && r.ID == id {
			return r.Object
		}
	}
	return nil
}

func dump(rep *Report) string {
	var b strings.Builder
	_ = rep.WriteText(&b, 100)
	return b.String()
}

func ones(ks ...Kind) map[Kind]int {
	m := map[Kind]int{}
	for _, k := range ks {
		m[k] = 1
	}
	return m
}

// TestOfficialExamples reads each official example on its own and checks
// the records of each kind and the problems. The examples hold one object
// of each kind, and these problems are real (they are in the examples):
//   - location 3a19ff88 has latitude 100 (bad_value: no latitude is over 90);
//   - organization d9d5e0f5's parent_organization_id and taxonomy term
//     3f7b145d's parent_id name records no example holds (missing_parent,
//     reported, kept);
//   - the service's attribute says link_entity "link_entity" and its
//     metadata resource_type "location", nested in a service
//     (parent_conflict: the nesting wins);
//   - in the tabular form (csv/ and tabular.json) the term's taxonomy_id,
//     the location's organization_id, the contact's organization_id and
//     service_at_location_id name rows that are not there (cleared), and
//     so do the attribute's link_id and the metadata's resource_id (both
//     dropped);
//   - base.json is the API's root document, no HSDS object (unknown_kind).
func TestOfficialExamples(t *testing.T) {
	if _, err := os.Stat(examplesDir); err != nil {
		t.Skipf("no HSDS examples: %v", err)
	}
	all := ones()
	for _, k := range kinds {
		all[k.kind] = 1
	}
	tabular := maps.Clone(all)
	delete(tabular, KindAttribute)
	delete(tabular, KindMetadata)
	tabProblems := map[ProblemKind]int{BadValue: 1, MissingParent: 8}
	full := map[ProblemKind]int{BadValue: 1, MissingParent: 2, ParentConflict: 2}
	cases := []struct {
		file     string
		records  map[Kind]int
		problems map[ProblemKind]int
		dropped  int
	}{
		{"base.json", ones(), map[ProblemKind]int{UnknownKind: 1}, 1},
		{"location.json", ones(KindAccessibility, KindAddress, KindContact, KindLanguage, KindLocation, KindPhone, KindSchedule), map[ProblemKind]int{BadValue: 1}, 0},
		{"organization_full.json", all, full, 0},
		{"service_full.json", all, full, 0},
		{"service_at_location_full.json", all, full, 0},
		{"organization_list.json", ones(KindOrganization), map[ProblemKind]int{MissingParent: 1}, 0},
		{"service_list.json", ones(KindOrganization, KindProgram, KindService), map[ProblemKind]int{MissingParent: 1}, 0},
		{"service_at_location_list.json", ones(KindOrganization, KindProgram, KindService, KindLocation, KindServiceAtLocation), map[ProblemKind]int{BadValue: 1, MissingParent: 1}, 0},
		{"taxonomy.json", ones(KindTaxonomy), map[ProblemKind]int{}, 0},
		{"taxonomy_list.json", ones(KindTaxonomy), map[ProblemKind]int{}, 0},
		{"taxonomy_term.json", ones(KindTaxonomy, KindTaxonomyTerm), map[ProblemKind]int{MissingParent: 1}, 0},
		{"taxonomy_term_list.json", ones(KindTaxonomy, KindTaxonomyTerm), map[ProblemKind]int{MissingParent: 1}, 0},
		{"tabular.json", tabular, tabProblems, 2},
		{"csv", tabular, tabProblems, 2},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			sink := &collect{}
			rep, err := Read(context.Background(), filepath.Join(examplesDir, c.file), sink, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(rep.Records, c.records) || !maps.Equal(rep.Counts, c.problems) || rep.Dropped != c.dropped {
				t.Errorf("got\n%s\nwant records %v, problems %v, %d dropped", dump(rep), c.records, c.problems, c.dropped)
			}
			if c.file == "csv" {
				if rep.Skipped["meta_table_descriptions.csv"] != 1 {
					t.Errorf("meta_table_descriptions.csv: skipped %v", rep.Skipped)
				}
			}
		})
	}
}

// TestFlattened checks that a nested phone comes out as the tabular
// form's phone row: one record with every parent's id, its number
// normalized.
func TestFlattened(t *testing.T) {
	if _, err := os.Stat(examplesDir); err != nil {
		t.Skipf("no HSDS examples: %v", err)
	}
	for _, file := range []string{"organization_full.json", "csv"} {
		sink := &collect{}
		if _, err := Read(context.Background(), filepath.Join(examplesDir, file), sink, Options{}); err != nil {
			t.Fatal(err)
		}
		ph, _ := sink.find(KindPhone, "1554f2e2-a373-45db-a3fa-9fc48a61c15e").(*hsds.Phone)
		if ph == nil {
			t.Fatalf("%s: no phone", file)
		}
		want := hsds.Phone{ID: ph.ID, LocationID: "3a19ff88-4620-4d17-9830-ac1d859eb5d5", ServiceID: "ac148810-d857-441c-9679-408f346de14b",
			OrganizationID: "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", ContactID: "1e7efce3-639b-4880-940c-b95cd30cdb50",
			ServiceAtLocationID: "e94c9f38-1e8f-4564-91d4-d53501ab1765", Number: "+441234234567"}
		got := *ph
		got.Extension, got.Type, got.Description = nil, "", ""
		if got.Languages != nil || got.Attributes != nil {
			t.Errorf("%s: a flat record holds nested ones", file)
		}
		if got.LocationID != want.LocationID || got.ServiceID != want.ServiceID || got.OrganizationID != want.OrganizationID ||
			got.ContactID != want.ContactID || got.ServiceAtLocationID != want.ServiceAtLocationID || got.Number != want.Number {
			t.Errorf("%s: phone\n got %+v\nwant %+v", file, got, want)
		}
		if ph.Extension == nil || *ph.Extension != 100 {
			t.Errorf("%s: extension %v", file, ph.Extension)
		}
		// Parents come before their children.
		seen := map[Kind]bool{}
		for _, r := range sink.recs {
			if r.Kind == KindPhone && (!seen[KindService] || !seen[KindContact] || !seen[KindLocation]) {
				t.Errorf("%s: the phone came before its parents", file)
			}
			seen[r.Kind] = true
		}
	}
}
