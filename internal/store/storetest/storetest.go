// Package storetest is the one contract suite every store.Store backend
// runs: a backend's test calls Run with a function that opens a new, empty
// store. Fixture and Synthetic are the directories it loads, exported for
// backends' own tests and benchmarks.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// IDs is implemented by stores that expose the row ids of records. Ids
// stay the same across loads as long as a record's slug does, and an id is
// never given to another record, so other tables may refer to them. Run
// requires it to check exactly that.
type IDs interface {
	ServiceID(ctx context.Context, slug string) (int64, error)
	OrganizationID(ctx context.Context, slug string) (int64, error)
}

// Run runs the contract suite. open is called once per subtest and must
// return a new, empty store that is closed when that test ends
// (t.Cleanup). Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"EmptyStore", testEmptyStore},
		{"RoundTrip", testRoundTrip},
		{"EmptyListsComeBackNil", testEmptyListsComeBackNil},
		{"ReloadSamePack", testReloadSamePack},
		{"ReloadChanged", testReloadChanged},
		{"LoadEmptyDirectory", testLoadEmptyDirectory},
		{"LoadInvalid", testLoadInvalid},
		{"Filters", testFilters},
		{"Paging", testPaging},
		{"PagingPastMaxLimit", testPagingPastMaxLimit},
		{"BadPaging", testBadPaging},
		{"NotFound", testNotFound},
		{"Pack", testPack},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentReadsDuringLoads", testConcurrentReadsDuringLoads},
		{"EmptyNewListsComeBackNil", testEmptyNewListsComeBackNil},
		{"ImportRoundTrip", testImportRoundTrip},
		{"ImportAgainChangesNothing", testImportAgainChangesNothing},
		{"ImportUpdateAndPrune", testImportUpdateAndPrune},
		{"ImportDryRun", testImportDryRun},
		{"ImportConflicts", testImportConflicts},
		{"ImportInvalid", testImportInvalid},
		{"ImportBatches", testImportBatches},
		{"LoadKeepsImports", testLoadKeepsImports},
		{"OriginAndTermFilters", testOriginAndTermFilters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// packA and packB are two versions of the same pack.
func packA() store.PackInfo { return store.PackInfo{ID: "test", Hash: strings.Repeat("a", 64)} }
func packB() store.PackInfo { return store.PackInfo{ID: "test", Hash: strings.Repeat("b", 64)} }

// changedFixture is Fixture after a pack edit: online-form and the bare
// organization (with its service) are gone, ecoute moved first, a service
// was added, and records were edited.
func changedFixture() *directory.Directory {
	d := Fixture()
	d.Organizations = []directory.Organization{d.Organizations[0], d.Organizations[1], d.Organizations[3]}
	d.Organizations[0].Social = nil
	d.Organizations[1].Notes = []string{"A note added later."}
	svc := func(slug string) directory.Service {
		s, ok := d.Service(slug)
		if !ok {
			panic("storetest: fixture has no service " + slug)
		}
		return s
	}
	hotline, ice, ecoute := svc("national-hotline"), svc("ice-tip-line"), svc("ecoute")
	hotline.Name = "National Human Trafficking Hotline (renamed)"
	hotline.Contacts[1].Hours.Windows = hotline.Contacts[1].Hours.Windows[:1]
	ice.Contacts = ice.Contacts[1:]
	ice.Contacts[0].Keywords = []string{"TIP"}
	ice.AnonymousOK = nil
	added := directory.Service{
		Slug: "new-line", Organization: "polaris", Name: "New Line", Kind: directory.KindExpert,
		Topics: []string{"youth"}, Hours: directory.Hours{Kind: directory.HoursUnknown},
	}
	d.Services = []directory.Service{ecoute, hotline, ice, added}
	return d
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testEmptyStore(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := mustDirectory(t, s)
	if len(d.Organizations) != 0 || len(d.Services) != 0 {
		t.Errorf("Directory of an empty store = %d organizations, %d services; want none", len(d.Organizations), len(d.Services))
	}
	if got, total := listSlugs(t, s, store.ServiceFilter{}); len(got) != 0 || total != 0 {
		t.Errorf("ListServices of an empty store = %v, total %d; want none, 0", got, total)
	}
	orgs, total, err := s.ListOrganizations(ctx, 0, 0)
	if err != nil || len(orgs) != 0 || total != 0 {
		t.Errorf("ListOrganizations of an empty store = %d, total %d, %v; want none, 0, nil", len(orgs), total, err)
	}
}

func testRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := Fixture()
	if !mustLoad(t, s, packA(), Fixture()) {
		t.Fatal("first LoadDirectory returned changed=false")
	}
	equal(t, "Directory()", mustDirectory(t, s), want)

	for _, w := range want.Services {
		got, err := s.Service(ctx, w.Slug)
		if err != nil {
			t.Fatalf("Service(%q): %v", w.Slug, err)
		}
		equal(t, fmt.Sprintf("Service(%q)", w.Slug), got, w)
	}
	for _, w := range want.Organizations {
		got, err := s.Organization(ctx, w.Slug)
		if err != nil {
			t.Fatalf("Organization(%q): %v", w.Slug, err)
		}
		equal(t, fmt.Sprintf("Organization(%q)", w.Slug), got, w)
	}
	svcs, total, err := s.ListServices(ctx, store.ServiceFilter{})
	if err != nil {
		t.Fatalf("ListServices: %v", err)
	}
	if total != len(want.Services) {
		t.Errorf("ListServices total = %d, want %d", total, len(want.Services))
	}
	equal(t, "ListServices({})", svcs, want.Services)
	orgs, total, err := s.ListOrganizations(ctx, 0, 0)
	if err != nil {
		t.Fatalf("ListOrganizations: %v", err)
	}
	if total != len(want.Organizations) {
		t.Errorf("ListOrganizations total = %d, want %d", total, len(want.Organizations))
	}
	equal(t, "ListOrganizations(0, 0)", orgs, want.Organizations)

	// The distinctions a lax store would lose, spelled out.
	hotline, err := s.Service(ctx, "national-hotline")
	if err != nil {
		t.Fatalf("Service: %v", err)
	}
	if hotline.Contacts[0].Hours != nil {
		t.Errorf("contact without hours came back with hours %+v", *hotline.Contacts[0].Hours)
	}
	if h := hotline.Contacts[1].Hours; h == nil || len(h.Windows) != 3 || h.Windows[1].Days != nil {
		t.Errorf("contact hours = %+v; want three windows, the second with nil Days", h)
	}
	form, err := s.Service(ctx, "online-form")
	if err != nil {
		t.Fatalf("Service: %v", err)
	}
	if form.AnonymousOK != nil {
		t.Errorf("AnonymousOK not given came back as %v", *form.AnonymousOK)
	}
	ice, err := s.Service(ctx, "ice-tip-line")
	if err != nil {
		t.Fatalf("Service: %v", err)
	}
	if ice.AnonymousOK == nil || *ice.AnonymousOK {
		t.Errorf("AnonymousOK false came back as %v", ice.AnonymousOK)
	}
}

// testEmptyListsComeBackNil: the store keeps no difference between a nil
// and an empty list; it gives back nil.
func testEmptyListsComeBackNil(t *testing.T, s store.Store) {
	d := Fixture()
	o := &d.Organizations[2]
	o.Social, o.Notes, o.Source.Lines = []directory.Social{}, []string{}, []int{}
	sv := &d.Services[3]
	sv.Topics, sv.Areas, sv.Languages, sv.Contacts, sv.Notes = []string{}, []directory.Area{}, []string{}, []directory.Contact{}, []string{}
	sv.Hours.Windows, sv.Hours.Notes, sv.Source.Lines = []directory.Window{}, []string{}, []int{}
	c := &d.Services[2].Contacts[0]
	c.Keywords = []string{}
	c.Hours = &directory.Hours{Kind: directory.HoursWeekly, Windows: []directory.Window{{Days: []string{}, Opens: "01:00", Closes: "02:00"}}}
	mustLoad(t, s, packA(), d)

	want := Fixture()
	want.Services[2].Contacts[0].Hours = &directory.Hours{Kind: directory.HoursWeekly, Windows: []directory.Window{{Opens: "01:00", Closes: "02:00"}}}
	equal(t, "Directory()", mustDirectory(t, s), want)
}

func testReloadSamePack(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	v1 := mustDataVersion(t, s)
	id1 := mustServiceID(t, s, "national-hotline")

	for i := 0; i < 3; i++ {
		if mustLoad(t, s, packA(), Fixture()) {
			t.Fatalf("load %d of the same pack returned changed=true", i+2)
		}
	}
	// Even a different directory is ignored under the same PackInfo:
	// loading changes nothing when the pack is the one stored.
	if mustLoad(t, s, packA(), Synthetic(3)) {
		t.Fatal("load of a different directory under the same PackInfo returned changed=true")
	}
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after reloading the same pack = %d, want %d", v, v1)
	}
	equal(t, "Directory() after reloads", mustDirectory(t, s), Fixture())
	if _, total := listSlugs(t, s, store.ServiceFilter{}); total != len(Fixture().Services) {
		t.Errorf("ListServices total after reloads = %d, want %d", total, len(Fixture().Services))
	}
	if _, total, err := s.ListOrganizations(ctx, 0, 0); err != nil || total != len(Fixture().Organizations) {
		t.Errorf("ListOrganizations total after reloads = %d, %v; want %d", total, err, len(Fixture().Organizations))
	}
	if id := mustServiceID(t, s, "national-hotline"); id != id1 {
		t.Errorf("service id changed from %d to %d on a reload", id1, id)
	}
}

func testReloadChanged(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := mustIDs(t, s)
	mustLoad(t, s, packA(), Fixture())
	v1 := mustDataVersion(t, s)
	svcIDs := map[string]int64{}
	for _, sv := range Fixture().Services {
		svcIDs[sv.Slug] = mustServiceID(t, s, sv.Slug)
	}
	orgIDs := map[string]int64{}
	for _, o := range Fixture().Organizations {
		id, err := ids.OrganizationID(ctx, o.Slug)
		if err != nil {
			t.Fatalf("OrganizationID(%q): %v", o.Slug, err)
		}
		orgIDs[o.Slug] = id
	}

	if !mustLoad(t, s, packB(), changedFixture()) {
		t.Fatal("load of a changed pack returned changed=false")
	}
	v2 := mustDataVersion(t, s)
	if v2 <= v1 {
		t.Errorf("DataVersion after a change = %d, want more than %d", v2, v1)
	}
	equal(t, "Directory() after the change", mustDirectory(t, s), changedFixture())
	if p, err := s.Pack(ctx); err != nil || p != packB() {
		t.Errorf("Pack() = %+v, %v; want %+v", p, err, packB())
	}
	for _, slug := range []string{"online-form", "bare-service"} {
		if _, err := s.Service(ctx, slug); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Service(%q) of a removed service: err = %v, want ErrNotFound", slug, err)
		}
		if _, err := ids.ServiceID(ctx, slug); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ServiceID(%q) of a removed service: err = %v, want ErrNotFound", slug, err)
		}
	}
	if _, err := s.Organization(ctx, "bare"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Organization(\"bare\") of a removed organization: err = %v, want ErrNotFound", err)
	}
	if got, total := listSlugs(t, s, store.ServiceFilter{}); total != 4 {
		t.Errorf("ListServices after the change = %v, total %d; want 4", got, total)
	}
	if got, _ := listSlugs(t, s, store.ServiceFilter{Topic: "labor"}); !reflect.DeepEqual(got, []string{"national-hotline", "ice-tip-line"}) {
		t.Errorf("ListServices(topic labor) after the change = %v; want [national-hotline ice-tip-line]", got)
	}
	for _, slug := range []string{"national-hotline", "ice-tip-line", "ecoute"} {
		if id := mustServiceID(t, s, slug); id != svcIDs[slug] {
			t.Errorf("id of service %q changed from %d to %d", slug, svcIDs[slug], id)
		}
	}
	for _, slug := range []string{"polaris", "dhs", "ecoute"} {
		id, err := ids.OrganizationID(ctx, slug)
		if err != nil || id != orgIDs[slug] {
			t.Errorf("id of organization %q = %d, %v; want %d", slug, id, err, orgIDs[slug])
		}
	}

	// Back to the first version: the removed records return, with new ids.
	if !mustLoad(t, s, packA(), Fixture()) {
		t.Fatal("load of the first pack again returned changed=false")
	}
	if v3 := mustDataVersion(t, s); v3 <= v2 {
		t.Errorf("DataVersion after a second change = %d, want more than %d", v3, v2)
	}
	equal(t, "Directory() after changing back", mustDirectory(t, s), Fixture())
	if id := mustServiceID(t, s, "ice-tip-line"); id != svcIDs["ice-tip-line"] {
		t.Errorf("id of ice-tip-line changed from %d to %d", svcIDs["ice-tip-line"], id)
	}
	for _, slug := range []string{"online-form", "bare-service"} {
		if id := mustServiceID(t, s, slug); id == svcIDs[slug] {
			t.Errorf("service %q, deleted and added again, got its old id %d back; ids must not be reused", slug, id)
		}
	}
}

func testLoadEmptyDirectory(t *testing.T, s store.Store) {
	mustLoad(t, s, packA(), Fixture())
	if !mustLoad(t, s, packB(), &directory.Directory{}) {
		t.Fatal("load of an empty directory returned changed=false")
	}
	equal(t, "Directory()", mustDirectory(t, s), &directory.Directory{})
	if _, err := s.Service(context.Background(), "national-hotline"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Service after loading an empty directory: err = %v, want ErrNotFound", err)
	}
}

func testLoadInvalid(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	v1 := mustDataVersion(t, s)
	bad := map[string]func(d *directory.Directory){
		"service slug twice":      func(d *directory.Directory) { d.Services = append(d.Services, d.Services[0]) },
		"organization slug twice": func(d *directory.Directory) { d.Organizations = append(d.Organizations, d.Organizations[1]) },
		"unknown organization":    func(d *directory.Directory) { d.Services[1].Organization = "nobody" },
		"day with a comma": func(d *directory.Directory) {
			d.Services[1].Hours.Windows[0].Days = []string{"mon,tue"}
		},
		"empty day in contact hours": func(d *directory.Directory) {
			d.Services[0].Contacts[1].Hours.Windows[0].Days = []string{"mon", ""}
		},
	}
	for name, spoil := range bad {
		d := Fixture()
		spoil(d)
		changed, err := s.LoadDirectory(ctx, packB(), d)
		if !errors.Is(err, store.ErrInvalid) || changed {
			t.Errorf("%s: LoadDirectory = %v, %v; want false, ErrInvalid", name, changed, err)
		}
	}
	if changed, err := s.LoadDirectory(ctx, packB(), nil); !errors.Is(err, store.ErrInvalid) || changed {
		t.Errorf("nil directory: LoadDirectory = %v, %v; want false, ErrInvalid", changed, err)
	}
	equal(t, "Directory() after refused loads", mustDirectory(t, s), Fixture())
	if v := mustDataVersion(t, s); v != v1 {
		t.Errorf("DataVersion after refused loads = %d, want %d", v, v1)
	}
	if p, err := s.Pack(ctx); err != nil || p != packA() {
		t.Errorf("Pack() after refused loads = %+v, %v; want %+v", p, err, packA())
	}
}

func testFilters(t *testing.T, s store.Store) {
	mustLoad(t, s, packA(), Fixture())
	yes, no := true, false
	all := []string{"national-hotline", "ice-tip-line", "online-form", "bare-service", "ecoute"}
	tests := []struct {
		name string
		f    store.ServiceFilter
		want []string
	}{
		{"none", store.ServiceFilter{}, all},
		{"topic labor", store.ServiceFilter{Topic: "labor"}, []string{"national-hotline", "ice-tip-line", "online-form"}},
		{"topic sex", store.ServiceFilter{Topic: "sex"}, []string{"national-hotline", "ice-tip-line", "ecoute"}},
		{"topic youth", store.ServiceFilter{Topic: "youth"}, []string{"national-hotline"}},
		{"unknown topic", store.ServiceFilter{Topic: "nope"}, nil},
		{"topic is exact", store.ServiceFilter{Topic: "LABOR"}, nil},
		{"kind hotline", store.ServiceFilter{Kind: directory.KindHotline}, []string{"national-hotline", "ecoute"}},
		{"kind resource", store.ServiceFilter{Kind: directory.KindResource}, []string{"bare-service"}},
		{"unknown kind", store.ServiceFilter{Kind: "nope"}, nil},
		{"organization dhs", store.ServiceFilter{Organization: "dhs"}, []string{"ice-tip-line", "online-form"}},
		{"organization bare", store.ServiceFilter{Organization: "bare"}, []string{"bare-service"}},
		{"unknown organization", store.ServiceFilter{Organization: "nope"}, nil},
		{"law enforcement", store.ServiceFilter{LawEnforcement: &yes}, []string{"ice-tip-line", "online-form"}},
		// Unknown (bare-service says nothing) is neither: "not law
		// enforcement" lists only services a source says are not.
		{"not law enforcement", store.ServiceFilter{LawEnforcement: &no}, []string{"national-hotline", "ecoute"}},
		{"query in name, other case", store.ServiceFilter{Query: "HOTLINE"}, []string{"national-hotline"}},
		{"query trimmed", store.ServiceFilter{Query: "  hotline\t"}, []string{"national-hotline"}},
		{"blank query is no query", store.ServiceFilter{Query: "   "}, all},
		{"query in alternate name", store.ServiceFilter{Query: "nhth"}, []string{"national-hotline"}},
		{"query in description", store.ServiceFilter{Query: "CONFIDENTI"}, []string{"national-hotline", "ecoute"}},
		{"query in organization name", store.ServiceFilter{Query: "homeland"}, []string{"ice-tip-line", "online-form"}},
		{"query in organization name only", store.ServiceFilter{Query: "polaris"}, []string{"national-hotline"}},
		{"query not in organization alternate name", store.ServiceFilter{Query: "dhs"}, nil},
		{"query not in organization description", store.ServiceFilter{Query: "non-profit"}, nil},
		{"query not in notes", store.ServiceFilter{Query: "interpreters"}, nil},
		{"query beyond ASCII, other case", store.ServiceFilter{Query: "ÉCOUTE"}, []string{"ecoute"}},
		{"query beyond ASCII in organization name", store.ServiceFilter{Query: "SOLIDARITÉ"}, []string{"ecoute"}},
		{"query percent is literal", store.ServiceFilter{Query: "%"}, []string{"ice-tip-line"}},
		{"query underscore is literal", store.ServiceFilter{Query: "_"}, nil},
		{"query does not span fields", store.ServiceFilter{Query: "line hsi"}, nil},
		{"no match", store.ServiceFilter{Query: "zzz"}, nil},
		{"topic and not law enforcement", store.ServiceFilter{Topic: "labor", LawEnforcement: &no}, []string{"national-hotline"}},
		{"topic, law enforcement and query", store.ServiceFilter{Topic: "labor", LawEnforcement: &yes, Query: "form"}, []string{"online-form"}},
		{"kind and organization, none", store.ServiceFilter{Kind: directory.KindHotline, Organization: "dhs"}, nil},
		{"organization and kind", store.ServiceFilter{Organization: "dhs", Kind: directory.KindOnlineReporting}, []string{"online-form"}},
		{"topic and query beyond ASCII", store.ServiceFilter{Topic: "sex", Query: "écoute"}, []string{"ecoute"}},
		{"kind, not law enforcement, query", store.ServiceFilter{Kind: directory.KindHotline, LawEnforcement: &no, Query: "confidenti"}, []string{"national-hotline", "ecoute"}},
		{"every filter", store.ServiceFilter{Topic: "labor", Kind: directory.KindTipLine, Organization: "dhs", LawEnforcement: &yes, Query: "ice"}, []string{"ice-tip-line"}},
		{"every filter, one off", store.ServiceFilter{Topic: "youth", Kind: directory.KindTipLine, Organization: "dhs", LawEnforcement: &yes, Query: "ice"}, nil},
	}
	for _, tc := range tests {
		got, total := listSlugs(t, s, tc.f)
		if !reflect.DeepEqual(got, tc.want) || total != len(tc.want) {
			t.Errorf("%s: ListServices(%s) = %v, total %d; want %v, total %d", tc.name, filter(tc.f), got, total, tc.want, len(tc.want))
		}
	}
}

func testPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	tests := []struct {
		f     store.ServiceFilter
		want  []string
		total int
	}{
		{store.ServiceFilter{Limit: 2}, []string{"national-hotline", "ice-tip-line"}, 5},
		{store.ServiceFilter{Limit: 2, Offset: 2}, []string{"online-form", "bare-service"}, 5},
		{store.ServiceFilter{Limit: 2, Offset: 4}, []string{"ecoute"}, 5},
		{store.ServiceFilter{Limit: 2, Offset: 5}, nil, 5},
		{store.ServiceFilter{Offset: 100}, nil, 5},
		{store.ServiceFilter{Limit: store.MaxLimit, Offset: 3}, []string{"bare-service", "ecoute"}, 5},
		{store.ServiceFilter{Topic: "labor", Limit: 1, Offset: 1}, []string{"ice-tip-line"}, 3},
		{store.ServiceFilter{Topic: "labor", Limit: 5, Offset: 1}, []string{"ice-tip-line", "online-form"}, 3},
		{store.ServiceFilter{Topic: "labor", Offset: 3}, nil, 3},
	}
	for _, tc := range tests {
		got, total := listSlugs(t, s, tc.f)
		if !reflect.DeepEqual(got, tc.want) || total != tc.total {
			t.Errorf("ListServices(%s) = %v, total %d; want %v, total %d", filter(tc.f), got, total, tc.want, tc.total)
		}
	}
	orgTests := []struct {
		limit, offset int
		want          []string
	}{
		{0, 0, []string{"polaris", "dhs", "bare", "ecoute"}},
		{2, 0, []string{"polaris", "dhs"}},
		{2, 2, []string{"bare", "ecoute"}},
		{3, 3, []string{"ecoute"}},
		{2, 4, nil},
	}
	for _, tc := range orgTests {
		orgs, total, err := s.ListOrganizations(ctx, tc.limit, tc.offset)
		if err != nil {
			t.Fatalf("ListOrganizations(%d, %d): %v", tc.limit, tc.offset, err)
		}
		var got []string
		for _, o := range orgs {
			got = append(got, o.Slug)
		}
		if !reflect.DeepEqual(got, tc.want) || total != 4 {
			t.Errorf("ListOrganizations(%d, %d) = %v, total %d; want %v, total 4", tc.limit, tc.offset, got, total, tc.want)
		}
	}
	// A page holds whole records, like Service does.
	svcs, _, err := s.ListServices(ctx, store.ServiceFilter{Limit: 1, Offset: 1})
	if err != nil || len(svcs) != 1 {
		t.Fatalf("ListServices: %d services, %v", len(svcs), err)
	}
	equal(t, "second page of one", svcs[0], Fixture().Services[1])
}

func testPagingPastMaxLimit(t *testing.T, s store.Store) {
	ctx := context.Background()
	n := store.MaxLimit + 7
	d := Synthetic(n)
	mustLoad(t, s, packA(), d)
	equal(t, "Directory() of a synthetic pack", mustDirectory(t, s), Synthetic(n))

	got, total := listSlugs(t, s, store.ServiceFilter{})
	if len(got) != store.MaxLimit || total != n || got[0] != "service-0000" || got[len(got)-1] != "service-0199" {
		t.Errorf("ListServices with Limit 0: %d services (%s..%s), total %d; want %d (service-0000..service-0199), total %d",
			len(got), first(got), last(got), total, store.MaxLimit, n)
	}
	got, total = listSlugs(t, s, store.ServiceFilter{Offset: store.MaxLimit})
	if len(got) != 7 || total != n || got[0] != "service-0200" {
		t.Errorf("ListServices from offset %d: %d services from %s, total %d; want 7 from service-0200, total %d",
			store.MaxLimit, len(got), first(got), total, n)
	}
	svcs, _, err := s.ListServices(ctx, store.ServiceFilter{Offset: 195, Limit: 20})
	if err != nil {
		t.Fatalf("ListServices: %v", err)
	}
	equal(t, "ListServices(offset 195, limit 20)", svcs, d.Services[195:n])
	orgs, total, err := s.ListOrganizations(ctx, 0, 0)
	if err != nil || len(orgs) != len(d.Organizations) || total != len(d.Organizations) {
		t.Errorf("ListOrganizations(0, 0) = %d, total %d, %v; want %d", len(orgs), total, err, len(d.Organizations))
	}
}

func testBadPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustLoad(t, s, packA(), Fixture())
	for _, f := range []store.ServiceFilter{
		{Limit: -1},
		{Limit: store.MaxLimit + 1},
		{Offset: -1},
		{Limit: 10, Offset: -5},
	} {
		if _, _, err := s.ListServices(ctx, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListServices(%s): err = %v, want ErrInvalid", filter(f), err)
		}
	}
	for _, p := range [][2]int{{-1, 0}, {store.MaxLimit + 1, 0}, {0, -1}} {
		if _, _, err := s.ListOrganizations(ctx, p[0], p[1]); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListOrganizations(%d, %d): err = %v, want ErrInvalid", p[0], p[1], err)
		}
	}
	if _, _, err := s.ListServices(ctx, store.ServiceFilter{Limit: store.MaxLimit}); err != nil {
		t.Errorf("ListServices(Limit MaxLimit): %v", err)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		for _, slug := range []string{"nope", "", "polaris"} {
			if _, err := s.Service(ctx, slug); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: Service(%q): err = %v, want ErrNotFound", when, slug, err)
			}
		}
		for _, slug := range []string{"nope", "", "national-hotline"} {
			if _, err := s.Organization(ctx, slug); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: Organization(%q): err = %v, want ErrNotFound", when, slug, err)
			}
		}
	}
	check("before a load")
	mustLoad(t, s, packA(), Fixture())
	check("after a load")
}

func testPack(t *testing.T, s store.Store) {
	ctx := context.Background()
	if p, err := s.Pack(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Pack() before a load = %+v, %v; want ErrNotFound", p, err)
	}
	v0 := mustDataVersion(t, s)
	mustLoad(t, s, packA(), Fixture())
	if p, err := s.Pack(ctx); err != nil || p != packA() {
		t.Errorf("Pack() = %+v, %v; want %+v", p, err, packA())
	}
	v1 := mustDataVersion(t, s)
	if v1 <= v0 {
		t.Errorf("DataVersion after the first load = %d, want more than %d", v1, v0)
	}
	other := store.PackInfo{ID: "other", Hash: packA().Hash}
	if !mustLoad(t, s, other, Fixture()) {
		t.Error("load under another pack id with the same hash returned changed=false")
	}
	if p, err := s.Pack(ctx); err != nil || p != other {
		t.Errorf("Pack() = %+v, %v; want %+v", p, err, other)
	}
}

func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.LoadDirectory(ctx, packA(), Fixture()); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadDirectory with a canceled context: err = %v, want context.Canceled", err)
	}
	if _, err := s.Directory(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Directory with a canceled context: err = %v, want context.Canceled", err)
	}
	if _, err := s.Pack(context.Background()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Pack() after a canceled load: err = %v, want ErrNotFound", err)
	}
}

// testConcurrentReadsDuringLoads: while one goroutine loads two versions of
// the pack in turn, readers always see one whole version, never a mix.
func testConcurrentReadsDuringLoads(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := Fixture(), changedFixture()
	mustLoad(t, s, packA(), a)

	const loads, readers = 20, 4
	done := make(chan struct{})
	errs := make(chan error, readers+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; i < loads; i++ {
			info, d := packB(), changedFixture()
			if i%2 == 1 {
				info, d = packA(), Fixture()
			}
			if _, err := s.LoadDirectory(ctx, info, d); err != nil {
				errs <- fmt.Errorf("load %d: %w", i, err)
				return
			}
		}
	}()
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for reads := 0; ; reads++ {
				select {
				case <-done:
					if reads > 0 {
						return
					}
				default:
				}
				d, err := s.Directory(ctx)
				if err != nil {
					errs <- fmt.Errorf("reading the directory during loads: %w", err)
					return
				}
				if !reflect.DeepEqual(d, a) && !reflect.DeepEqual(d, b) {
					errs <- fmt.Errorf("the directory read during loads is neither version:\n%s", describe(d, a))
					return
				}
				svcs, total, err := s.ListServices(ctx, store.ServiceFilter{})
				if err != nil {
					errs <- fmt.Errorf("listing services during loads: %w", err)
					return
				}
				if total != len(svcs) || (!reflect.DeepEqual(svcs, a.Services) && !reflect.DeepEqual(svcs, b.Services)) {
					errs <- fmt.Errorf("services listed during loads: %d, total %d, neither version", len(svcs), total)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Helpers.

func mustLoad(tb testing.TB, s store.Store, info store.PackInfo, d *directory.Directory) bool {
	tb.Helper()
	changed, err := s.LoadDirectory(context.Background(), info, d)
	if err != nil {
		tb.Fatalf("LoadDirectory: %v", err)
	}
	return changed
}

func mustDirectory(tb testing.TB, s store.Store) *directory.Directory {
	tb.Helper()
	d, err := s.Directory(context.Background())
	if err != nil {
		tb.Fatalf("Directory: %v", err)
	}
	return d
}

func mustDataVersion(tb testing.TB, s store.Store) int64 {
	tb.Helper()
	v, err := s.DataVersion(context.Background())
	if err != nil {
		tb.Fatalf("DataVersion: %v", err)
	}
	return v
}

func mustIDs(tb testing.TB, s store.Store) IDs {
	tb.Helper()
	ids, ok := s.(IDs)
	if !ok {
		tb.Fatalf("%T does not implement storetest.IDs", s)
	}
	return ids
}

func mustServiceID(tb testing.TB, s store.Store, slug string) int64 {
	tb.Helper()
	id, err := mustIDs(tb, s).ServiceID(context.Background(), slug)
	if err != nil {
		tb.Fatalf("ServiceID(%q): %v", slug, err)
	}
	return id
}

// listSlugs runs ListServices and returns the slugs it gave and the total.
func listSlugs(tb testing.TB, s store.Store, f store.ServiceFilter) ([]string, int) {
	tb.Helper()
	svcs, total, err := s.ListServices(context.Background(), f)
	if err != nil {
		tb.Fatalf("ListServices(%s): %v", filter(f), err)
	}
	var slugs []string
	for _, sv := range svcs {
		slugs = append(slugs, sv.Slug)
	}
	return slugs, total
}

// equal fails the test when got and want differ in any way, nil against
// empty included.
func equal(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s differs from what was loaded:\n%s", what, describe(got, want))
	}
}

// describe shows where got and want differ: the first differing line of
// their JSON, or, when the JSON is the same, that they differ only in nil
// against empty.
func describe(got, want any) string {
	gj, _ := json.MarshalIndent(got, "", "  ")
	wj, _ := json.MarshalIndent(want, "", "  ")
	if string(gj) == string(wj) {
		return fmt.Sprintf("same JSON, so a nil/empty difference:\ngot  %#v\nwant %#v", got, want)
	}
	gl, wl := strings.Split(string(gj), "\n"), strings.Split(string(wj), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			from := max(0, i-4)
			return fmt.Sprintf("first difference at JSON line %d:\n...\n%s\ngot:  %s\nwant: %s",
				i+1, strings.Join(wl[from:i], "\n"), strings.TrimSpace(g), strings.TrimSpace(w))
		}
	}
	return "no difference found"
}

// filter shows a filter's fields that are set.
func filter(f store.ServiceFilter) string {
	var parts []string
	add := func(name string, v any) { parts = append(parts, fmt.Sprintf("%s:%q", name, fmt.Sprint(v))) }
	if f.Topic != "" {
		add("Topic", f.Topic)
	}
	if f.Kind != "" {
		add("Kind", f.Kind)
	}
	if f.Organization != "" {
		add("Organization", f.Organization)
	}
	if f.LawEnforcement != nil {
		add("LawEnforcement", *f.LawEnforcement)
	}
	if f.Query != "" {
		add("Query", f.Query)
	}
	if f.Limit != 0 {
		add("Limit", f.Limit)
	}
	if f.Offset != 0 {
		add("Offset", f.Offset)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func first(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[len(s)-1]
}
