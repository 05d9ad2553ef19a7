package hsdsread

import (
	"reflect"
	"strings"

	"github.com/haven-project/haven/internal/hsds"
)

// Kind is the HSDS 3.0 object (table) a record is: its schema's name,
// such as "service" or "service_at_location".
type Kind string

// The kinds of records Read delivers.
const (
	KindOrganization           Kind = "organization"
	KindProgram                Kind = "program"
	KindOrganizationIdentifier Kind = "organization_identifier"
	KindTaxonomy               Kind = "taxonomy"
	KindTaxonomyTerm           Kind = "taxonomy_term"
	KindLocation               Kind = "location"
	KindService                Kind = "service"
	KindServiceAtLocation      Kind = "service_at_location"
	KindContact                Kind = "contact"
	KindPhone                  Kind = "phone"
	KindAddress                Kind = "address"
	KindSchedule               Kind = "schedule"
	KindServiceArea            Kind = "service_area"
	KindLanguage               Kind = "language"
	KindAccessibility          Kind = "accessibility"
	KindRequiredDocument       Kind = "required_document"
	KindCostOption             Kind = "cost_option"
	KindFunding                Kind = "funding"
	KindAttribute              Kind = "attribute"
	KindMetadata               Kind = "metadata"
)

// linkRule says what a link (foreign key) field must point to.
type linkRule int

const (
	// needed: the record is dropped unless the field names a record
	// already delivered (sal.service_id, address.location_id, ...).
	needed linkRule = iota
	// anyOf: the record is dropped unless at least one of its anyOf
	// fields names a delivered record (a phone belongs to a service, a
	// location, an organization, a contact or a service at a location);
	// the others that name nothing are reported and cleared.
	anyOf
	// optional: a field naming nothing is reported and cleared; the
	// record is kept (service.program_id, location.organization_id).
	optional
	// later: a link within the same table (taxonomy_term.parent_id,
	// organization.parent_organization_id), which may point forwards;
	// checked when the whole input is read, and reported only.
	later
)

// link is a foreign key field of a kind. to is "" for the polymorphic
// attribute.link_id and metadata.resource_id, whose table is named by
// another field (typeField).
type link struct {
	field     string
	to        Kind
	rule      linkRule
	typeField string
}

// kindInfo is what the reader knows of a kind.
type kindInfo struct {
	kind Kind
	typ  reflect.Type // the hsds struct
	// rank orders kinds so that parents come before children: tables are
	// read, and the records of one JSON document delivered, in rank order.
	rank  int
	links []link
	// fatal fields must be non-empty, or the record is dropped
	// (missing_required); soft ones are reported and the record kept.
	fatal, soft []string
}

// kinds is every kind, in rank order. It is not changed after init.
var kinds = []kindInfo{
	{kind: KindOrganization, typ: reflect.TypeFor[hsds.Organization](),
		links: []link{{field: "parent_organization_id", to: KindOrganization, rule: later}},
		fatal: []string{"name"}, soft: []string{"description"}},
	{kind: KindProgram, typ: reflect.TypeFor[hsds.Program](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: needed}},
		fatal: []string{"name"}, soft: []string{"description"}},
	{kind: KindOrganizationIdentifier, typ: reflect.TypeFor[hsds.OrganizationIdentifier](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: needed}},
		fatal: []string{"identifier"}, soft: []string{"identifier_type"}},
	{kind: KindTaxonomy, typ: reflect.TypeFor[hsds.Taxonomy](),
		fatal: []string{"name"}, soft: []string{"description"}},
	{kind: KindTaxonomyTerm, typ: reflect.TypeFor[hsds.TaxonomyTerm](),
		links: []link{{field: "taxonomy_id", to: KindTaxonomy, rule: optional}, {field: "parent_id", to: KindTaxonomyTerm, rule: later}},
		fatal: []string{"name"}, soft: []string{"description"}},
	{kind: KindLocation, typ: reflect.TypeFor[hsds.Location](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: optional}},
		soft:  []string{"location_type"}},
	{kind: KindService, typ: reflect.TypeFor[hsds.Service](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: needed}, {field: "program_id", to: KindProgram, rule: optional}},
		fatal: []string{"name"}, soft: []string{"status"}},
	{kind: KindServiceAtLocation, typ: reflect.TypeFor[hsds.ServiceAtLocation](),
		links: []link{{field: "service_id", to: KindService, rule: needed}, {field: "location_id", to: KindLocation, rule: needed}}},
	{kind: KindContact, typ: reflect.TypeFor[hsds.Contact](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: anyOf}, {field: "service_id", to: KindService, rule: anyOf},
			{field: "service_at_location_id", to: KindServiceAtLocation, rule: anyOf}, {field: "location_id", to: KindLocation, rule: anyOf}}},
	{kind: KindPhone, typ: reflect.TypeFor[hsds.Phone](),
		links: []link{{field: "location_id", to: KindLocation, rule: anyOf}, {field: "service_id", to: KindService, rule: anyOf},
			{field: "organization_id", to: KindOrganization, rule: anyOf}, {field: "contact_id", to: KindContact, rule: anyOf},
			{field: "service_at_location_id", to: KindServiceAtLocation, rule: anyOf}},
		fatal: []string{"number"}},
	{kind: KindAddress, typ: reflect.TypeFor[hsds.Address](),
		links: []link{{field: "location_id", to: KindLocation, rule: needed}},
		fatal: []string{"address_1"}, soft: []string{"city", "state_province", "postal_code", "country", "address_type"}},
	{kind: KindSchedule, typ: reflect.TypeFor[hsds.Schedule](),
		links: []link{{field: "service_id", to: KindService, rule: anyOf}, {field: "location_id", to: KindLocation, rule: anyOf},
			{field: "service_at_location_id", to: KindServiceAtLocation, rule: anyOf}}},
	{kind: KindServiceArea, typ: reflect.TypeFor[hsds.ServiceArea](),
		links: []link{{field: "service_id", to: KindService, rule: needed}}},
	{kind: KindLanguage, typ: reflect.TypeFor[hsds.Language](),
		links: []link{{field: "service_id", to: KindService, rule: anyOf}, {field: "location_id", to: KindLocation, rule: anyOf},
			{field: "phone_id", to: KindPhone, rule: anyOf}}},
	{kind: KindAccessibility, typ: reflect.TypeFor[hsds.Accessibility](),
		links: []link{{field: "location_id", to: KindLocation, rule: needed}}},
	{kind: KindRequiredDocument, typ: reflect.TypeFor[hsds.RequiredDocument](),
		links: []link{{field: "service_id", to: KindService, rule: needed}}},
	{kind: KindCostOption, typ: reflect.TypeFor[hsds.CostOption](),
		links: []link{{field: "service_id", to: KindService, rule: needed}}},
	{kind: KindFunding, typ: reflect.TypeFor[hsds.Funding](),
		links: []link{{field: "organization_id", to: KindOrganization, rule: anyOf}, {field: "service_id", to: KindService, rule: anyOf}}},
	{kind: KindAttribute, typ: reflect.TypeFor[hsds.Attribute](),
		links: []link{{field: "link_id", rule: needed, typeField: "link_entity"}, {field: "taxonomy_term_id", to: KindTaxonomyTerm, rule: optional}}},
	{kind: KindMetadata, typ: reflect.TypeFor[hsds.Metadata](),
		links: []link{{field: "resource_id", rule: needed, typeField: "resource_type"}}},
}

// fieldInfo is one JSON member of an hsds struct.
type fieldInfo struct {
	index []int
	// child is the kind of a nested object or array of objects, or "".
	child  Kind
	slice  bool
	number bool // *float64
}

var kindByName, fieldsOf = indexKinds()

// indexKinds ranks kinds and lists each hsds struct's members by JSON
// name. The maps are not changed after.
func indexKinds() (map[Kind]*kindInfo, map[reflect.Type]map[string]fieldInfo) {
	byName := map[Kind]*kindInfo{}
	byType := map[reflect.Type]*kindInfo{}
	fields := map[reflect.Type]map[string]fieldInfo{}
	for i := range kinds {
		k := &kinds[i]
		k.rank = i
		byName[k.kind] = k
		byType[k.typ] = k
	}
	for i := range kinds {
		t := kinds[i].typ
		m := map[string]fieldInfo{}
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fi := fieldInfo{index: f.Index}
			ft := f.Type
			switch ft.Kind() {
			case reflect.Slice:
				if c, ok := byType[ft.Elem()]; ok {
					fi.child, fi.slice = c.kind, true
				}
			case reflect.Pointer:
				if c, ok := byType[ft.Elem()]; ok {
					fi.child = c.kind
				} else if ft.Elem().Kind() == reflect.Float64 {
					fi.number = true
				}
			}
			m[name] = fi
		}
		fields[t] = m
	}
	return byName, fields
}

// newObject returns a new, empty object of kind k, as a pointer.
func newObject(k *kindInfo) reflect.Value { return reflect.New(k.typ) }

// getString returns the string member name of the struct v points to, or "".
func getString(v reflect.Value, name string) string {
	fi, ok := fieldsOf[v.Elem().Type()][name]
	if !ok || fi.child != "" || fi.number {
		return ""
	}
	return v.Elem().FieldByIndex(fi.index).String()
}

// setString sets the string member name of the struct v points to; it
// reports whether there is such a member.
func setString(v reflect.Value, name, s string) bool {
	fi, ok := fieldsOf[v.Elem().Type()][name]
	if !ok || fi.child != "" || fi.number {
		return false
	}
	v.Elem().FieldByIndex(fi.index).SetString(s)
	return true
}

// hasField reports whether kind k has a string member name.
func hasField(k *kindInfo, name string) bool {
	fi, ok := fieldsOf[k.typ][name]
	return ok && fi.child == "" && !fi.number
}
