package hsds_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/hsds"
)

// schemaDir is shared/hsds/3.0 seen from this package's folder.
const schemaDir = "../../../shared/hsds/3.0"

// TestTagsMatchSchemas checks that each type has a field for every property
// of its schema, named by its json tag exactly as the schema names it, and
// no field the schema does not name (but the documented response
// additions). A misspelled tag would silently drop data.
func TestTagsMatchSchemas(t *testing.T) {
	if _, err := os.Stat(schemaDir); err != nil {
		t.Skipf("HSDS schemas not found: %v", err)
	}
	types := map[string]any{
		"organization":            hsds.Organization{},
		"service":                 hsds.Service{},
		"location":                hsds.Location{},
		"address":                 hsds.Address{},
		"phone":                   hsds.Phone{},
		"schedule":                hsds.Schedule{},
		"service_area":            hsds.ServiceArea{},
		"service_at_location":     hsds.ServiceAtLocation{},
		"taxonomy":                hsds.Taxonomy{},
		"taxonomy_term":           hsds.TaxonomyTerm{},
		"attribute":               hsds.Attribute{},
		"language":                hsds.Language{},
		"accessibility":           hsds.Accessibility{},
		"required_document":       hsds.RequiredDocument{},
		"cost_option":             hsds.CostOption{},
		"contact":                 hsds.Contact{},
		"funding":                 hsds.Funding{},
		"program":                 hsds.Program{},
		"organization_identifier": hsds.OrganizationIdentifier{},
		"metadata":                hsds.Metadata{},
	}
	// Members the API's compiled responses add to the modular schema.
	extra := map[string]string{"organization": "services", "service_at_location": "service"}
	for name, v := range types {
		data, err := os.ReadFile(filepath.Join(schemaDir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var schema struct {
			Properties map[string]struct {
				Type string `json:"type"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(data, &schema); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want []string
		for p := range schema.Properties {
			want = append(want, p)
		}
		if e := extra[name]; e != "" {
			want = append(want, e)
		}
		sort.Strings(want)
		var got []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			got = append(got, tag)
			if p, ok := schema.Properties[tag]; ok && p.Type == "number" && f.Type.Kind() != reflect.Pointer {
				t.Errorf("%s.%s is a number in the schema, so a pointer (left out ≠ 0)", name, tag)
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: json names\n got %v\nwant %v", name, got, want)
		}
	}
}

// TestExamplesDecode decodes the official examples into the types and
// checks that nothing is lost: encoding the value again gives the same
// members (an example member without a field would vanish).
func TestExamplesDecode(t *testing.T) {
	dir := "../../../shared/hsds/3.0-examples"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("HSDS examples not found: %v", err)
	}
	cases := map[string]any{
		"service_full.json":             &hsds.Service{},
		"organization_full.json":        &hsds.Organization{},
		"service_at_location_full.json": &hsds.ServiceAtLocation{},
		"location.json":                 &hsds.Location{},
		"taxonomy.json":                 &hsds.Taxonomy{},
		"taxonomy_term.json":            &hsds.TaxonomyTerm{},
		"service_list.json":             &hsds.Page[hsds.Service]{},
		"organization_list.json":        &hsds.Page[hsds.Organization]{},
		"taxonomy_term_list.json":       &hsds.Page[hsds.TaxonomyTerm]{},
	}
	for file, v := range cases {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(again, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: decoding and encoding again changes it", file)
		}
	}
}
