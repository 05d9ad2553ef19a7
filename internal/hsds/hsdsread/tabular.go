package hsdsread

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/hsds"
)

// tableSpec is how the rows of one table (CSV file) become records.
type tableSpec struct {
	name string // as the package documentation names it
	kind *kindInfo
	// legacy is set for the tables of HSDS 1.x and 2.0 only.
	legacy bool
	// alias maps a column to the 3.0 field it holds, when the table has
	// no column of that field's own name.
	alias map[string]string
	// set are fields given a fixed value (an address table's type).
	set map[string]string
	// special columns are read by fix rather than into a field.
	special map[string]bool
	fix     func(get func(string) string, p *pending)
	// skip is set for a table that is known and not delivered.
	skip bool
}

// Common column aliases of published data, for any table.
var commonAlias = map[string]string{
	"zip": "postal_code", "zipcode": "postal_code", "zip_code": "postal_code", "postcode": "postal_code",
	"state": "state_province", "province": "state_province", "address": "address_1", "street": "address_1",
	"phone": "number", "phone_number": "number", "telephone": "number",
}

func spec(k Kind, legacy bool, alias, set map[string]string) *tableSpec {
	return &tableSpec{name: string(k), kind: kindByName[k], legacy: legacy, alias: alias, set: set}
}

var (
	weekdays = map[string]string{
		"1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU", "0": "SU",
		"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU",
	}

	serviceSpec = &tableSpec{name: "service", kind: kindByName[KindService],
		alias: map[string]string{"fees": "fees_description", "eligibility": "eligibility_description", "website": "url"}}
	locationSpec = &tableSpec{name: "location", kind: kindByName[KindLocation]}

	regularSchedule = &tableSpec{name: "regular_schedule", kind: kindByName[KindSchedule], legacy: true,
		alias: map[string]string{"start_date": "valid_from", "end_date": "valid_to"}, special: map[string]bool{"weekday": true}}
	holidaySchedule = &tableSpec{name: "holiday_schedule", kind: kindByName[KindSchedule], legacy: true,
		alias: map[string]string{"start_date": "valid_from", "end_date": "valid_to"}, special: map[string]bool{"closed": true}}
	legacyTaxonomy = spec(KindTaxonomyTerm, true, map[string]string{"vocabulary": "taxonomy", "term": "name"}, nil)
	taxonomySpec   = spec(KindTaxonomy, false, nil, nil)
)

// tableAlias maps a table's name (its file name without .csv, or its
// descriptor resource name) to how it is read. 3.0 names come first,
// then those of HSDS 1.x and 2.0.
var tableAlias = map[string]*tableSpec{}

func init() {
	add := func(t *tableSpec, names ...string) {
		for _, n := range names {
			tableAlias[n] = t
		}
	}
	org := &tableSpec{name: "organization", kind: kindByName[KindOrganization], alias: map[string]string{"url": "website"}}
	add(org, "organization", "organizations")
	add(spec(KindProgram, false, nil, nil), "program", "programs")
	add(serviceSpec, "service", "services")
	add(spec(KindAttribute, false, nil, nil), "attribute", "attributes")
	add(spec(KindServiceAtLocation, false, nil, nil), "service_at_location", "service_at_locations", "services_at_location", "services_at_locations")
	add(locationSpec, "location", "locations")
	phone := &tableSpec{name: "phone", kind: kindByName[KindPhone], special: map[string]bool{"language": true}}
	add(phone, "phone", "phones")
	add(spec(KindContact, false, nil, nil), "contact", "contacts")
	addr := &tableSpec{name: "address", kind: kindByName[KindAddress], special: map[string]bool{"address_3": true, "address_4": true}}
	add(addr, "address", "addresses")
	add(spec(KindSchedule, false, nil, nil), "schedule", "schedules")
	add(spec(KindFunding, false, nil, nil), "funding", "fundings")
	add(spec(KindServiceArea, false, map[string]string{"service_area": "name"}, nil), "service_area", "service_areas")
	add(spec(KindRequiredDocument, false, nil, nil), "required_document", "required_documents")
	add(spec(KindLanguage, false, map[string]string{"language": "name"}, nil), "language", "languages")
	add(spec(KindAccessibility, false, map[string]string{"accessibility": "description"}, nil), "accessibility")
	add(spec(KindTaxonomyTerm, false, map[string]string{"term": "name", "vocabulary": "taxonomy"}, nil), "taxonomy_term", "taxonomy_terms")
	add(spec(KindMetadata, false, nil, nil), "metadata")
	add(spec(KindCostOption, false, nil, nil), "cost_option", "cost_options")
	add(spec(KindOrganizationIdentifier, false, nil, nil), "organization_identifier", "organization_identifiers")
	add(taxonomySpec, "taxonomy", "taxonomies")
	add(&tableSpec{name: "meta_table_description", skip: true}, "meta_table_description", "meta_table_descriptions")

	// HSDS 1.x and 2.0.
	physical := &tableSpec{name: "physical_address", kind: kindByName[KindAddress], legacy: true,
		set: map[string]string{"address_type": "physical"}, special: addr.special}
	postal := &tableSpec{name: "postal_address", kind: kindByName[KindAddress], legacy: true,
		set: map[string]string{"address_type": "postal"}, special: addr.special}
	add(physical, "physical_address", "physical_addresses")
	add(postal, "postal_address", "postal_addresses")
	add(regularSchedule, "regular_schedule", "regular_schedules")
	add(holidaySchedule, "holiday_schedule", "holiday_schedules")
	add(spec(KindAccessibility, true, map[string]string{"accessibility": "description"}, nil), "accessibility_for_disabilities")
	link := func(name, valueCol string, extra map[string]string) *tableSpec {
		a := map[string]string{"service_id": "link_id", "taxonomy_id": "taxonomy_term_id", valueCol: "value"}
		for k, v := range extra {
			a[k] = v
		}
		return &tableSpec{name: name, kind: kindByName[KindAttribute], legacy: true, alias: a,
			set: map[string]string{"link_entity": "service", "link_type": name}}
	}
	add(link("service_taxonomy", "taxonomy_detail", nil), "service_taxonomy", "service_taxonomies")
	add(link("service_attribute", "value", nil), "service_attribute", "service_attributes")
	add(link("eligibility", "eligibility", nil), "eligibility", "eligibilities")
	add(link("payment_accepted", "payment", nil), "payment_accepted", "payments_accepted")
	other := &tableSpec{name: "other_attribute", kind: kindByName[KindAttribute], legacy: true,
		alias: map[string]string{"link_type": "link_entity", "taxonomy_id": "taxonomy_term_id"}}
	add(other, "other_attribute", "other_attributes")
	add(&tableSpec{name: "meta_table_description", skip: true}, "meta_table_description")

	regularSchedule.fix = fixRegular
	holidaySchedule.fix = fixHoliday
	phone.fix = fixPhone
	addr.fix, physical.fix, postal.fix = fixAddress, fixAddress, fixAddress
}

func fixRegular(get func(string) string, p *pending) {
	sch := p.v.Interface().(*hsds.Schedule)
	if w := strings.ToLower(strings.TrimSpace(get("weekday"))); w != "" {
		d := weekdays[w]
		if d == "" && len(w) >= 2 {
			d = weekdays[w[:2]]
		}
		if d == "" {
			sch.Description = strings.TrimSpace(sch.Description + " " + get("weekday"))
			return
		}
		sch.ByDay, sch.Freq = d, "WEEKLY"
	}
}

func fixHoliday(get func(string) string, p *pending) {
	sch := p.v.Interface().(*hsds.Schedule)
	if c := strings.ToLower(strings.TrimSpace(get("closed"))); c == "true" || c == "1" || c == "yes" || c == "t" || c == "y" {
		sch.OpensAt, sch.ClosesAt = "", ""
		sch.Description = strings.TrimSpace("Closed. " + sch.Description)
	}
	if sch.Notes == "" {
		sch.Notes = "holiday"
	}
}

func fixPhone(get func(string) string, p *pending) {
	if l := strings.TrimSpace(get("language")); l != "" {
		ph := p.v.Interface().(*hsds.Phone)
		ph.Description = strings.TrimSpace(ph.Description + " Language: " + l)
	}
}

func fixAddress(get func(string) string, p *pending) {
	a := p.v.Interface().(*hsds.Address)
	for _, c := range []string{"address_3", "address_4"} {
		if v := strings.TrimSpace(get(c)); v != "" {
			a.Address2 = strings.TrimPrefix(a.Address2+", "+v, ", ")
		}
	}
}

// normColumn is a header cell as a column name: "Opens At " is "opens_at".
func normColumn(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Join(strings.FieldsFunc(h, func(r rune) bool { return r == ' ' || r == '-' }), "_")
}

// tableName is a file's or resource's name as a table name.
func tableName(name string) string {
	base := strings.ToLower(path.Base(name))
	base = strings.TrimSuffix(base, path.Ext(base))
	return normColumn(base)
}

// pickSpec returns how a table of that name with that header is read, or
// nil for a table HSDS does not name. A 1.x taxonomy.csv (terms, with
// parent_id or vocabulary) is told from a 3.0 taxonomies.csv by its
// columns; so is a 1.x location (no location_type).
func pickSpec(name string, header []string) *tableSpec {
	t := tableAlias[name]
	if t == taxonomySpec {
		for _, h := range header {
			if h == "parent_id" || h == "vocabulary" || h == "parent_name" {
				return legacyTaxonomy
			}
		}
	}
	return t
}

// column is what a CSV column is read into.
type column struct {
	name    string
	field   fieldInfo
	target  string // the field's name
	special bool
	known   bool
}

func (t *tableSpec) columns(header []string) []column {
	has := map[string]bool{}
	for _, h := range header {
		has[h] = true
	}
	fields := fieldsOf[t.kind.typ]
	cols := make([]column, len(header))
	for i, h := range header {
		c := column{name: h}
		target := h
		if a, ok := t.alias[h]; ok && !has[a] {
			target = a
		} else if a, ok := commonAlias[h]; ok && !has[a] {
			if _, isField := fields[h]; !isField {
				target = a
			}
		}
		if fi, ok := fields[target]; ok && fi.child == "" {
			c.field, c.target, c.known = fi, target, true
		}
		if t.special[h] {
			c.special, c.known = true, true
		}
		cols[i] = c
	}
	return cols
}

// row turns one CSV row into a pending record.
func (s *state) row(t *tableSpec, cols []column, rec []string, file string, n int, idFromRow bool) *pending {
	p := &pending{k: t.kind, v: newObject(t.kind), file: file, row: n}
	present := map[string]bool{}
	for f, v := range t.set {
		setString(p.v, f, v)
		present[f] = true
	}
	empty := true
	for i, c := range cols {
		if i >= len(rec) {
			break
		}
		if strings.TrimSpace(rec[i]) != "" {
			empty = false
		}
		if !c.known || c.special {
			continue
		}
		present[c.target] = true
		if err := setValue(p.v, c.field, rec[i]); err != nil {
			s.problem(p.where(BadValue, c.target, err.Error()+"; cleared"))
		}
	}
	if empty {
		s.drop(Problem{File: file, Row: n, Kind: EmptyRow, Table: t.kind.kind, Message: "no value in any column"})
		return nil
	}
	if idFromRow && p.id() == "" {
		setString(p.v, "id", fmt.Sprintf("%s:%d", tableName(file), n))
	}
	if t.fix != nil {
		get := func(col string) string {
			for i, c := range cols {
				if c.name == col && i < len(rec) {
					return rec[i]
				}
			}
			return ""
		}
		t.fix(get, p)
	}
	if t.kind.kind == KindLocation && getString(p.v, "location_type") == "" && !present["location_type"] {
		// HSDS 1.x had no location_type: its locations were places.
		setString(p.v, "location_type", "physical")
	}
	p.cols = func(f string) bool { return present[f] }
	return p
}

// descriptor is what Read takes from a datapackage.json.
type descriptor struct {
	Resources []struct {
		Name string          `json:"name"`
		Path json.RawMessage `json:"path"`
	} `json:"resources"`
}

// paths returns the files the descriptor lists, by resource.
func (d descriptor) paths() []string {
	var out []string
	for _, r := range d.Resources {
		var one string
		var many []string
		if json.Unmarshal(r.Path, &one) == nil && one != "" {
			out = append(out, one)
		} else if json.Unmarshal(r.Path, &many) == nil {
			out = append(out, many...)
		} else if r.Name != "" {
			out = append(out, r.Name+".csv")
		}
	}
	return out
}

// rankOfFile orders a package's files: tables (and JSON files) whose
// kind comes first in dependency order are read first; unknown ones last.
func rankOfFile(name string) int {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".tsv") || strings.HasSuffix(lower, ".txt") {
		if t := tableAlias[tableName(name)]; t != nil && t.kind != nil {
			return t.kind.rank
		}
		return len(kinds)
	}
	if k := kindFromName(name); k != "" {
		return kindByName[k].rank
	}
	return len(kinds)
}

// tabularJSON reads the tabular form written as one JSON object, each
// member a table ("phones.csv") and its rows as objects.
func (s *state) tabularJSON(file string, m map[string]any) error {
	names := sortedKeys(m)
	sortByRank(names)
	for _, name := range names {
		rows := m[name].([]any)
		var header []string
		seen := map[string]bool{}
		for _, r := range rows {
			if o, ok := r.(map[string]any); ok {
				for _, k := range sortedKeys(o) {
					if !seen[k] {
						seen[k] = true
						header = append(header, k)
					}
				}
			}
		}
		table := file + "#" + name
		t := pickSpec(tableName(name), header)
		if t == nil {
			s.drop(Problem{File: table, Kind: UnknownTable, Message: "not a table HSDS names; not read"})
			continue
		}
		if t.skip {
			s.rep.Skipped[table] += len(rows)
			continue
		}
		cols := t.columns(header)
		s.unknownColumns(table, t, cols)
		for i, r := range rows {
			o, _ := r.(map[string]any)
			rec := make([]string, len(header))
			for j, h := range header {
				switch v := o[h].(type) {
				case nil:
				case string:
					rec[j] = v
				case json.Number:
					rec[j] = v.String()
				case bool:
					rec[j] = strconv.FormatBool(v)
				default:
					b, _ := json.Marshal(v)
					rec[j] = string(b)
				}
			}
			if p := s.row(t, cols, rec, table, i+1, false); p != nil {
				if err := s.deliver(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *state) unknownColumns(file string, t *tableSpec, cols []column) {
	for _, c := range cols {
		if !c.known && c.name != "" {
			s.problemOnce(c.name, Problem{File: file, Kind: UnknownColumn, Table: t.kind.kind, Field: c.name,
				Message: "a column no HSDS version names for this table; ignored"})
		}
	}
}
