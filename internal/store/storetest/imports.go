package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// The import contract: records of an origin beside the pack's.

// imported returns what the origin "ngo" imports over Fixture: records of
// every kind, some referring to the pack's (a service of the pack's
// organization polaris, a service at location of the pack's hotline, an
// attribute with the pack's term oe-legal).
func imported() *directory.Directory {
	no := false
	return &directory.Directory{
		Taxonomies: []directory.Taxonomy{{Slug: "ngo-topics", Name: "NGO topics", ExternalID: "tax-1"}},
		Terms: []directory.TaxonomyTerm{
			{Slug: "ngo-shelter", Taxonomy: "ngo-topics", Code: "S", Name: "Shelter", ExternalID: "term-1"},
			{Slug: "ngo-beds", Taxonomy: "ngo-topics", Code: "S.1", Name: "Beds", Parent: "ngo-shelter"},
		},
		Organizations: []directory.Organization{{
			Slug: "ngo", Name: "Local NGO", Description: "Runs a shelter.", ExternalID: "org-1",
			Attributes: []directory.Attribute{{Term: "ngo-shelter"}},
		}},
		Locations: []directory.Location{{
			Slug: "ngo-house", Type: directory.LocationPhysical, Organization: "ngo", Name: "The House", Confidential: true,
			Addresses:  []directory.Address{{Type: directory.AddressPhysical, Address1: "3 Hidden Lane", City: "Albany", StateProvince: "NY", PostalCode: "12207", Country: "US"}},
			Contacts:   []directory.Contact{{Channel: directory.ChannelCall, Display: "518-555-0100", Value: "+15185550100", PhoneType: directory.PhoneVoice}},
			Attributes: []directory.Attribute{{Term: "oe-legal"}},
			ExternalID: "loc-1",
		}},
		Services: []directory.Service{
			{
				Slug: "ngo-beds", Organization: "ngo", Name: "Emergency beds", Description: "Beds tonight.",
				Kind: directory.KindOrganization, LawEnforcement: &no, Topics: []string{"labor"},
				Hours: directory.Hours{Kind: directory.HoursAlways}, Status: directory.StatusActive,
				Attributes: []directory.Attribute{{Term: "ngo-beds"}, {Term: directory.TermAnonymousOK, Value: "true"}},
				ExternalID: "svc-1",
			},
			{
				Slug: "ngo-legal", Organization: "polaris", Name: "Legal clinic", Kind: directory.KindOrganization,
				Hours: directory.Hours{Kind: directory.HoursUnknown, Description: "By appointment"}, ExternalID: "svc-2",
			},
		},
		ServicesAtLocation: []directory.ServiceAtLocation{
			{Slug: "ngo-beds-at-house", Service: "ngo-beds", Location: "ngo-house", ExternalID: "sal-1"},
			{Slug: "hotline-at-ngo-house", Service: "national-hotline", Location: "ngo-house", Description: "Ask staff to call."},
		},
	}
}

// withOrigin returns d with every record's Origin set, as a store gives
// them back.
func withOrigin(d *directory.Directory, origin string) *directory.Directory {
	for i := range d.Organizations {
		d.Organizations[i].Origin = origin
	}
	for i := range d.Services {
		d.Services[i].Origin = origin
	}
	for i := range d.Locations {
		d.Locations[i].Origin = origin
	}
	for i := range d.ServicesAtLocation {
		d.ServicesAtLocation[i].Origin = origin
	}
	for i := range d.Taxonomies {
		d.Taxonomies[i].Origin = origin
	}
	for i := range d.Terms {
		d.Terms[i].Origin = origin
	}
	return d
}

// joined is the directory a store holds with a and b loaded: a's records,
// then b's, of each kind.
func joined(a, b *directory.Directory) *directory.Directory {
	return &directory.Directory{
		Organizations:      append(a.Organizations, b.Organizations...),
		Services:           append(a.Services, b.Services...),
		Locations:          append(a.Locations, b.Locations...),
		ServicesAtLocation: append(a.ServicesAtLocation, b.ServicesAtLocation...),
		Taxonomies:         append(a.Taxonomies, b.Taxonomies...),
		Terms:              append(a.Terms, b.Terms...),
	}
}

func mustImport(tb testing.TB, s store.Store, origin string, d *directory.Directory, opts store.ImportOptions) store.ImportResult {
	tb.Helper()
	res, err := s.ImportDirectory(context.Background(), origin, d, opts)
	if err != nil {
		tb.Fatalf("ImportDirectory(%q): %v", origin, err)
	}
	return res
}

func counts(added, updated, removed, unchanged int) store.Counts {
	return store.Counts{Added: added, Updated: updated, Removed: removed, Unchanged: unchanged}
}

func testImportRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	v1 := mustDataVersion(t, s)
	res := mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	want := store.ImportResult{
		Organizations: counts(1, 0, 0, 0), Services: counts(2, 0, 0, 0), Locations: counts(1, 0, 0, 0),
		ServicesAtLocation: counts(2, 0, 0, 0), Taxonomies: counts(1, 0, 0, 0), Terms: counts(2, 0, 0, 0),
	}
	if res != want || !res.Changed() {
		t.Errorf("first import = %+v, want %+v", res, want)
	}
	if v := mustDataVersion(t, s); v <= v1 {
		t.Errorf("DataVersion after an import = %d, want more than %d", v, v1)
	}
	all := joined(Fixture(), withOrigin(imported(), "ngo"))
	equal(t, "Directory() after an import", mustDirectory(t, s), all)

	got, err := s.Service(ctx, "ngo-legal")
	if err != nil {
		t.Fatalf("Service: %v", err)
	}
	equal(t, "Service(ngo-legal)", got, all.Services[len(all.Services)-1])
	loc, err := s.Location(ctx, "ngo-house")
	if err != nil || loc.Origin != "ngo" || !loc.Confidential || loc.Addresses[0].Address1 != "3 Hidden Lane" {
		t.Errorf("Location(ngo-house) = %+v, %v; want the whole record, origin ngo, address kept", loc, err)
	}
	// Imported services list after the pack's, in the import's order.
	if slugs, total := listSlugs(t, s, store.ServiceFilter{}); total != 7 || slugs[5] != "ngo-beds" || slugs[6] != "ngo-legal" {
		t.Errorf("ListServices = %v, total %d; want the pack's five then ngo-beds, ngo-legal", slugs, total)
	}
}

func testImportAgainChangesNothing(t *testing.T, s store.Store) {
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	v1 := mustDataVersion(t, s)
	ids := map[string]int64{}
	for _, slug := range []string{"ngo-beds", "ngo-legal", "national-hotline"} {
		ids[slug] = mustServiceID(t, s, slug)
	}
	for _, opts := range []store.ImportOptions{{}, {Prune: true}} {
		res := mustImport(t, s, "ngo", imported(), opts)
		want := store.ImportResult{
			Organizations: counts(0, 0, 0, 1), Services: counts(0, 0, 0, 2), Locations: counts(0, 0, 0, 1),
			ServicesAtLocation: counts(0, 0, 0, 2), Taxonomies: counts(0, 0, 0, 1), Terms: counts(0, 0, 0, 2),
		}
		if res != want || res.Changed() {
			t.Errorf("import again (%+v) = %+v, want every record unchanged", opts, res)
		}
	}
	// Empty lists where the first import had nil change nothing either.
	d := imported()
	d.Services[1].Topics, d.Services[1].Contacts, d.Organizations[0].Notes = []string{}, []directory.Contact{}, []string{}
	if res := mustImport(t, s, "ngo", d, store.ImportOptions{}); res.Changed() {
		t.Errorf("import with empty lists for nil = %+v, want no change", res)
	}
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after imports that changed nothing = %d, want %d", v, v1)
	}
	for slug, id := range ids {
		if got := mustServiceID(t, s, slug); got != id {
			t.Errorf("id of %s changed from %d to %d", slug, id, got)
		}
	}
	equal(t, "Directory()", mustDirectory(t, s), joined(Fixture(), withOrigin(imported(), "ngo")))
}

// changedImport is imported after an edit: ngo-beds renamed, ngo-legal and
// the pack hotline's service at the house gone, a service added.
func changedImport() *directory.Directory {
	d := imported()
	d.Services[0].Name = "Emergency beds (renamed)"
	d.Services[1] = directory.Service{Slug: "ngo-food", Organization: "ngo", Name: "Food", Kind: directory.KindResource,
		Hours: directory.Hours{Kind: directory.HoursUnknown}}
	d.ServicesAtLocation = d.ServicesAtLocation[:1]
	return d
}

func testImportUpdateAndPrune(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	mustImport(t, s, "other", otherImport(), store.ImportOptions{})
	bedsID := mustServiceID(t, s, "ngo-beds")

	// Without Prune, what the import leaves out stays.
	res := mustImport(t, s, "ngo", changedImport(), store.ImportOptions{})
	if want := counts(1, 1, 0, 0); res.Services != want {
		t.Errorf("services of an updated import = %+v, want %+v", res.Services, want)
	}
	if want := counts(0, 0, 0, 1); res.ServicesAtLocation != want || res.Organizations != want {
		t.Errorf("import = %+v; want the organization and the service at location left unchanged", res)
	}
	if _, err := s.Service(ctx, "ngo-legal"); err != nil {
		t.Errorf("Service(ngo-legal) after an import without Prune: %v", err)
	}
	if got := mustServiceID(t, s, "ngo-beds"); got != bedsID {
		t.Errorf("id of an updated service changed from %d to %d", bedsID, got)
	}
	if sv, err := s.Service(ctx, "ngo-beds"); err != nil || sv.Name != "Emergency beds (renamed)" {
		t.Errorf("Service(ngo-beds) = %q, %v; want the new name", sv.Name, err)
	}
	if slugs, _ := listSlugs(t, s, store.ServiceFilter{Query: "renamed"}); !reflect.DeepEqual(slugs, []string{"ngo-beds"}) {
		t.Errorf("query for the new name = %v", slugs)
	}

	// With Prune, it goes; nothing of the pack or of another origin does.
	res = mustImport(t, s, "ngo", changedImport(), store.ImportOptions{Prune: true})
	if want := counts(0, 0, 1, 2); res.Services != want {
		t.Errorf("services of a pruning import = %+v, want %+v", res.Services, want)
	}
	if want := counts(0, 0, 1, 1); res.ServicesAtLocation != want {
		t.Errorf("services at location of a pruning import = %+v, want %+v", res.ServicesAtLocation, want)
	}
	want := joined(joined(Fixture(), withOrigin(changedImport(), "ngo")), withOrigin(otherImport(), "other"))
	equal(t, "Directory() after a pruning import", mustDirectory(t, s), want)

	// Pruning everything leaves the pack and the other origin.
	res = mustImport(t, s, "ngo", &directory.Directory{}, store.ImportOptions{Prune: true})
	if res.Organizations.Removed != 1 || res.Terms.Removed != 2 || res.Taxonomies.Removed != 1 || res.Locations.Removed != 1 {
		t.Errorf("pruning import of nothing = %+v, want every ngo record removed", res)
	}
	equal(t, "Directory() after pruning an origin away", mustDirectory(t, s), joined(Fixture(), withOrigin(otherImport(), "other")))
}

// otherImport is a second origin's records, one of them referring to the
// pack's organization.
func otherImport() *directory.Directory {
	return &directory.Directory{
		Services: []directory.Service{{Slug: "other-line", Organization: "dhs", Name: "Other line", Kind: directory.KindHotline,
			Hours: directory.Hours{Kind: directory.HoursAlways}, ExternalID: "svc-1"}},
	}
}

func testImportDryRun(t *testing.T, s store.Store) {
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	v1 := mustDataVersion(t, s)
	before := mustDirectory(t, s)
	dry := mustImport(t, s, "ngo", changedImport(), store.ImportOptions{DryRun: true, Prune: true})
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after a dry run = %d, want %d", v, v1)
	}
	equal(t, "Directory() after a dry run", mustDirectory(t, s), before)
	real := mustImport(t, s, "ngo", changedImport(), store.ImportOptions{Prune: true})
	if dry != real || !dry.Changed() {
		t.Errorf("dry run = %+v, the import itself = %+v; want the same, with changes", dry, real)
	}
	// A first import's dry run leaves no trace either.
	if res := mustImport(t, s, "fresh", imported2(), store.ImportOptions{DryRun: true}); res.Services.Added != 1 {
		t.Errorf("dry run of a first import = %+v, want one service added", res)
	}
	if _, err := s.Service(context.Background(), "fresh-line"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Service of a dry run's record: err = %v, want ErrNotFound", err)
	}
}

func imported2() *directory.Directory {
	return &directory.Directory{Services: []directory.Service{{Slug: "fresh-line", Organization: "polaris", Name: "Fresh",
		Kind: directory.KindHotline, Hours: directory.Hours{Kind: directory.HoursAlways}}}}
}

func testImportConflicts(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	before, v1 := mustDirectory(t, s), mustDataVersion(t, s)
	cases := map[string]struct {
		origin string
		d      *directory.Directory
		slug   string
	}{
		// The first service is new and fine; the second takes the
		// pack's slug: nothing of the import is kept.
		"a pack slug": {"other", &directory.Directory{Services: []directory.Service{imported2().Services[0],
			{Slug: "ecoute", Organization: "polaris", Name: "Mine", Kind: directory.KindHotline}}}, "ecoute"},
		"another origin's slug": {"other", &directory.Directory{Organizations: []directory.Organization{{Slug: "ngo", Name: "Mine"}}}, "ngo"},
		"another origin's term": {"other", &directory.Directory{Taxonomies: []directory.Taxonomy{{Slug: "t", Name: "T"}},
			Terms: []directory.TaxonomyTerm{{Slug: "ngo-beds", Taxonomy: "t", Name: "Beds"}}}, "ngo-beds"},
		"a pack location": {"other", &directory.Directory{Locations: []directory.Location{{Slug: "safe-house", Type: directory.LocationPhysical}}}, "safe-house"},
	}
	for name, tc := range cases {
		_, err := s.ImportDirectory(ctx, tc.origin, tc.d, store.ImportOptions{})
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), `"`+tc.slug+`"`) {
			t.Errorf("%s: ImportDirectory: err = %v, want ErrConflict naming %q", name, err, tc.slug)
		}
	}
	// The pack cannot take an imported record's slug either.
	d := Fixture()
	d.Services[3].Slug = "ngo-beds"
	if changed, err := s.LoadDirectory(ctx, packB(), d); !errors.Is(err, store.ErrConflict) || changed || !strings.Contains(err.Error(), `"ngo-beds"`) {
		t.Errorf("LoadDirectory with an imported slug = %v, %v; want false, ErrConflict naming ngo-beds", changed, err)
	}
	equal(t, "Directory() after refused imports", mustDirectory(t, s), before)
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after refused imports = %d, want %d", v, v1)
	}
}

func testImportInvalid(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	before, v1 := mustDirectory(t, s), mustDataVersion(t, s)
	bad := map[string]struct {
		origin string
		spoil  func(d *directory.Directory)
	}{
		"the pack's origin":          {"", func(*directory.Directory) {}},
		"an origin with a space":     {"my source", func(*directory.Directory) {}},
		"slug twice":                 {"ngo", func(d *directory.Directory) { d.Services = append(d.Services, d.Services[0]) }},
		"external id twice":          {"ngo", func(d *directory.Directory) { d.Services[1].ExternalID = d.Services[0].ExternalID }},
		"no slug":                    {"ngo", func(d *directory.Directory) { d.Locations[0].Slug = "" }},
		"a record of another origin": {"ngo", func(d *directory.Directory) { d.Services[0].Origin = "other" }},
		"unknown organization":       {"ngo", func(d *directory.Directory) { d.Services[0].Organization = "nobody" }},
		"unknown term":               {"ngo", func(d *directory.Directory) { d.Services[0].Attributes[0].Term = "nope" }},
		"unknown parent":             {"ngo", func(d *directory.Directory) { d.Terms[1].Parent = "nope" }},
		"own parent":                 {"ngo", func(d *directory.Directory) { d.Terms[1].Parent = d.Terms[1].Slug }},
		"unknown location":           {"ngo", func(d *directory.Directory) { d.ServicesAtLocation[0].Location = "nowhere" }},
		"bad location type":          {"ngo", func(d *directory.Directory) { d.Locations[0].Type = "imaginary" }},
		"latitude out of range": {"ngo", func(d *directory.Directory) {
			lat := 91.0
			d.Locations[0].Latitude = &lat
		}},
		"bad status": {"ngo", func(d *directory.Directory) { d.Services[0].Status = "closed" }},
		"day with a comma": {"ngo", func(d *directory.Directory) {
			d.Services[0].Hours = directory.Hours{Kind: directory.HoursWeekly, Windows: []directory.Window{{Days: []string{"mon,tue"}, Opens: "01:00", Closes: "02:00"}}}
		}},
		// Removing ngo-shelter while ngo keeps its attribute.
		"prune a term still used": {"ngo", func(d *directory.Directory) { d.Terms = d.Terms[1:]; d.Terms[0].Parent = "" }},
	}
	for name, tc := range bad {
		d := changedImport()
		tc.spoil(d)
		res, err := s.ImportDirectory(ctx, tc.origin, d, store.ImportOptions{Prune: true})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: ImportDirectory = %+v, %v; want ErrInvalid", name, res, err)
		}
	}
	if _, err := s.ImportDirectory(ctx, "ngo", nil, store.ImportOptions{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("nil directory: err = %v, want ErrInvalid", err)
	}
	// Another origin may refer to the pack's records, never to ngo's.
	_, err := s.ImportDirectory(ctx, "other", &directory.Directory{Services: []directory.Service{{Slug: "x", Organization: "ngo", Name: "X",
		Kind: directory.KindHotline}}}, store.ImportOptions{})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), `"ngo"`) {
		t.Errorf("a reference to another origin's organization: err = %v, want ErrInvalid naming it", err)
	}
	equal(t, "Directory() after refused imports", mustDirectory(t, s), before)
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after refused imports = %d, want %d", v, v1)
	}
}

// testLoadKeepsImports: a pack load changes only the pack's records, and
// refuses to remove one an imported record refers to.
func testLoadKeepsImports(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	beds := mustServiceID(t, s, "ngo-beds")

	// changedFixture drops the bare organization, which nothing imported
	// refers to, and keeps polaris, the hotline and oe-legal, which are.
	if !mustLoad(t, s, packB(), changedFixture()) {
		t.Fatal("load of a changed pack returned changed=false")
	}
	equal(t, "Directory() after a pack load", mustDirectory(t, s), joined(changedFixture(), withOrigin(imported(), "ngo")))
	if id := mustServiceID(t, s, "ngo-beds"); id != beds {
		t.Errorf("id of an imported service changed across a pack load from %d to %d", beds, id)
	}
	v := mustDataVersion(t, s)
	for name, spoil := range map[string]func(d *directory.Directory){
		"organization of an imported service, and the hotline": func(d *directory.Directory) {
			d.Organizations = d.Organizations[1:] // polaris, and with it its services and location
			d.Services = []directory.Service{d.Services[0], d.Services[2]}
			d.Locations, d.ServicesAtLocation = d.Locations[1:], d.ServicesAtLocation[1:]
			d.Services[0].Organization = "dhs"
		},
		"service of an imported service at location": func(d *directory.Directory) {
			d.Services = d.Services[:1] // ecoute only
			d.ServicesAtLocation = d.ServicesAtLocation[1:]
		},
		"term of an imported attribute": func(d *directory.Directory) {
			d.Terms = append(d.Terms[:1], d.Terms[2:]...) // oe-legal
			d.Terms[0].Parent = ""
			d.Organizations[0].Attributes = d.Organizations[0].Attributes[1:]
			d.Locations[0].Attributes = nil
		},
	} {
		d := changedFixture()
		spoil(d)
		changed, err := s.LoadDirectory(ctx, packA(), d)
		if !errors.Is(err, store.ErrInvalid) || changed || !strings.Contains(err.Error(), `of origin "ngo" refers to it`) {
			t.Errorf("%s: LoadDirectory = %v, %v; want false, ErrInvalid saying an ngo record refers to it", name, changed, err)
		}
	}
	if got := mustDataVersion(t, s); got != v {
		t.Errorf("DataVersion after refused loads = %d, want %d", got, v)
	}
	equal(t, "Directory() after refused loads", mustDirectory(t, s), joined(changedFixture(), withOrigin(imported(), "ngo")))
}

// testImportBatches: an import fed in batches is the import of the whole,
// and a batch that fails spoils the whole import.
func testImportBatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	d := imported()
	batches := []*directory.Directory{
		{Taxonomies: d.Taxonomies, Terms: d.Terms[:1]},
		{Terms: d.Terms[1:], Organizations: d.Organizations},
		{Locations: d.Locations, Services: d.Services[:1]},
		{Services: d.Services[1:], ServicesAtLocation: d.ServicesAtLocation},
	}
	im, err := s.BeginImport(ctx, "ngo", store.ImportOptions{Prune: true})
	if err != nil {
		t.Fatalf("BeginImport: %v", err)
	}
	for i, b := range batches {
		if err := im.Add(ctx, b); err != nil {
			t.Fatalf("Add(batch %d): %v", i, err)
		}
	}
	res, err := im.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := im.Rollback(); err != nil {
		t.Errorf("Rollback after Commit: %v", err)
	}
	if res.Services.Added != 2 || res.Terms.Added != 2 || res.ServicesAtLocation.Added != 2 {
		t.Errorf("batched import = %+v", res)
	}
	equal(t, "Directory() after a batched import", mustDirectory(t, s), joined(Fixture(), withOrigin(imported(), "ngo")))

	// A failed batch: the next Add and Commit fail, nothing is kept.
	v := mustDataVersion(t, s)
	im, err = s.BeginImport(ctx, "other", store.ImportOptions{})
	if err != nil {
		t.Fatalf("BeginImport: %v", err)
	}
	if err := im.Add(ctx, imported2Renamed()); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := im.Add(ctx, &directory.Directory{Services: []directory.Service{{Slug: "y", Organization: "nobody"}}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Add of a bad batch: err = %v, want ErrInvalid", err)
	}
	if err := im.Add(ctx, &directory.Directory{}); err == nil {
		t.Error("Add after a failed batch succeeded")
	}
	if _, err := im.Commit(ctx); err == nil {
		t.Error("Commit after a failed batch succeeded")
	}
	if err := im.Rollback(); err != nil {
		t.Errorf("Rollback: %v", err)
	}
	if _, err := s.Service(ctx, "other-fresh"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Service of a spoiled import's first batch: err = %v, want ErrNotFound", err)
	}
	if got := mustDataVersion(t, s); got != v {
		t.Errorf("DataVersion after a spoiled import = %d, want %d", got, v)
	}
	// The store is free for the next import.
	mustImport(t, s, "other", imported2Renamed(), store.ImportOptions{})
}

func imported2Renamed() *directory.Directory {
	d := imported2()
	d.Services[0].Slug = "other-fresh"
	return d
}

func testOriginAndTermFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	mustImport(t, s, "ngo", imported(), store.ImportOptions{})
	pack, ngo, none := "", "ngo", "nobody"
	tests := []struct {
		name string
		f    store.ServiceFilter
		want []string
	}{
		{"the pack's", store.ServiceFilter{Origin: &pack}, []string{"national-hotline", "ice-tip-line", "online-form", "bare-service", "ecoute"}},
		{"ngo's", store.ServiceFilter{Origin: &ngo}, []string{"ngo-beds", "ngo-legal"}},
		{"unknown origin", store.ServiceFilter{Origin: &none}, nil},
		{"organization across origins", store.ServiceFilter{Organization: "polaris"}, []string{"national-hotline", "ngo-legal"}},
		{"term of the pack", store.ServiceFilter{Term: directory.TermLawEnforcement}, []string{"national-hotline"}},
		{"term of an import", store.ServiceFilter{Term: "ngo-beds"}, []string{"ngo-beds"}},
		{"term on no service", store.ServiceFilter{Term: "ngo-shelter"}, nil},
		{"term and origin", store.ServiceFilter{Term: directory.TermAnonymousOK, Origin: &pack}, nil},
		{"topic across origins", store.ServiceFilter{Topic: "labor", Origin: &ngo}, []string{"ngo-beds"}},
	}
	for _, tc := range tests {
		got, total := listSlugs(t, s, tc.f)
		if !reflect.DeepEqual(got, tc.want) || total != len(tc.want) {
			t.Errorf("%s: ListServices(%s) = %v, total %d; want %v", tc.name, filter(tc.f), got, total, tc.want)
		}
	}

	locSlugs := func(f store.LocationFilter) ([]string, int) {
		t.Helper()
		locs, total, err := s.ListLocations(ctx, f)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		var out []string
		for _, l := range locs {
			out = append(out, l.Slug)
		}
		return out, total
	}
	for _, tc := range []struct {
		f     store.LocationFilter
		want  []string
		total int
	}{
		{store.LocationFilter{}, []string{"polaris-office", "safe-house", "online", "ngo-house"}, 4},
		{store.LocationFilter{Origin: &ngo}, []string{"ngo-house"}, 1},
		{store.LocationFilter{Origin: &pack, Limit: 1, Offset: 1}, []string{"safe-house"}, 3},
		{store.LocationFilter{Organization: "polaris"}, []string{"polaris-office"}, 1},
		{store.LocationFilter{Offset: 9}, nil, 4},
	} {
		if got, total := locSlugs(tc.f); !reflect.DeepEqual(got, tc.want) || total != tc.total {
			t.Errorf("ListLocations(%+v) = %v, total %d; want %v, total %d", tc.f, got, total, tc.want, tc.total)
		}
	}
	locs, _, err := s.ListLocations(ctx, store.LocationFilter{Limit: 1})
	if err != nil || len(locs) != 1 {
		t.Fatalf("ListLocations: %v", err)
	}
	equal(t, "first location", locs[0], Fixture().Locations[0])
	for _, f := range []store.LocationFilter{{Limit: -1}, {Limit: store.MaxLimit + 1}, {Offset: -1}} {
		if _, _, err := s.ListLocations(ctx, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListLocations(%+v): err = %v, want ErrInvalid", f, err)
		}
	}
	if _, err := s.Location(ctx, "nowhere"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Location(nowhere): err = %v, want ErrNotFound", err)
	}

	// The hotline is at the pack's office and at the imported house.
	sl, err := s.ServiceLocations(ctx, "national-hotline")
	if err != nil {
		t.Fatalf("ServiceLocations: %v", err)
	}
	all := joined(Fixture(), withOrigin(imported(), "ngo"))
	want := []store.ServiceLocation{
		{At: all.ServicesAtLocation[0], Location: all.Locations[0]},
		{At: all.ServicesAtLocation[3], Location: all.Locations[3]},
	}
	equal(t, "ServiceLocations(national-hotline)", sl, want)
	if sl, err := s.ServiceLocations(ctx, "bare-service"); err != nil || sl != nil {
		t.Errorf("ServiceLocations of a service at no location = %v, %v; want nil, nil", sl, err)
	}
	if _, err := s.ServiceLocations(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ServiceLocations(nope): err = %v, want ErrNotFound", err)
	}
}

// testEmptyNewListsComeBackNil: as testEmptyListsComeBackNil, for the
// lists of the records and fields migration 0005 added.
func testEmptyNewListsComeBackNil(t *testing.T, s store.Store) {
	d := Fixture()
	l := &d.Locations[0]
	l.Addresses, l.Accessibility, l.Languages, l.Attributes = nil, []directory.Accessibility{}, []string{}, []directory.Attribute{}
	l.Contacts[0].Languages, l.Contacts[0].Keywords, l.Contacts[0].Source.Lines = []string{}, []string{}, []int{}
	l.Hours.Notes, l.Hours.Windows[0].Days = []string{}, []string{}
	d.Locations[2].Contacts = []directory.Contact{}
	d.ServicesAtLocation[0].Contacts = []directory.Contact{}
	d.ServicesAtLocation[1].Attributes = []directory.Attribute{}
	d.Services[0].RequiredDocuments, d.Services[0].Areas[1].Postcodes = []string{}, []string{}
	d.Services[0].Contacts[0].Languages = []string{}
	mustLoad(t, s, packA(), d)

	want := Fixture()
	w := &want.Locations[0]
	w.Addresses, w.Accessibility, w.Languages, w.Attributes = nil, nil, nil, nil
	w.Contacts[0].Source.Lines, w.Contacts[0].Languages = nil, nil
	w.Hours.Notes, w.Hours.Windows[0].Days = nil, nil
	want.ServicesAtLocation[0].Contacts = nil
	want.Services[0].RequiredDocuments, want.Services[0].Areas[1].Postcodes = nil, nil
	want.Services[0].Contacts[0].Languages = nil
	equal(t, "Directory()", mustDirectory(t, s), want)
}
