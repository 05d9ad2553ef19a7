package hsdsread

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/hsds"
)

func readString(t *testing.T, name, data string) (*collect, *Report) {
	t.Helper()
	sink := &collect{}
	rep, err := ReadFile(context.Background(), strings.NewReader(data), name, sink, Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return sink, rep
}

func hasProblem(rep *Report, kind ProblemKind, id, field string, dropped bool) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind && p.ID == id && p.Field == field && p.Dropped == dropped {
			return true
		}
	}
	return false
}

// TestLegacyPackage reads the fictional, messy HSDS 1.1 package in
// testdata/legacy-messy (its README lists its faults): what is delivered,
// how it is mapped to 3.0 and each problem by kind.
func TestLegacyPackage(t *testing.T) {
	sink := &collect{}
	rep, err := Read(context.Background(), "testdata/legacy-messy", sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantRecords := map[Kind]int{
		KindOrganization: 3, KindProgram: 1, KindService: 4, KindLocation: 3, KindServiceAtLocation: 2,
		KindPhone: 4, KindContact: 1, KindAddress: 3, KindSchedule: 9, KindTaxonomyTerm: 3,
		KindAttribute: 6, KindLanguage: 2, KindAccessibility: 2, KindServiceArea: 2,
	}
	wantProblems := map[ProblemKind]int{
		MissingFile: 1, UnknownColumn: 2, Encoding: 1, BadEmail: 1, DuplicateID: 1, MissingRequired: 4,
		MissingParent: 14, BadValue: 2, BadPhone: 1, BadTime: 2,
	}
	if !maps.Equal(rep.Records, wantRecords) || !maps.Equal(rep.Counts, wantProblems) || rep.Dropped != 13 {
		t.Fatalf("got\n%s\nwant %v\n%v, 13 dropped", dump(rep), wantRecords, wantProblems)
	}
	// Every input row is delivered or dropped with a reason.
	rows := 0
	files, _ := filepath.Glob("testdata/legacy-messy/*.csv")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		rows += strings.Count(strings.ReplaceAll(string(data), "\"Beds for adults.\nCall first.\"", ""), "\n") - 1
	}
	if got := rep.Delivered() + rep.Dropped; got != rows {
		t.Errorf("%d rows in, %d delivered + %d dropped", rows, rep.Delivered(), rep.Dropped)
	}

	org := sink.find(KindOrganization, "2").(*hsds.Organization)
	if org.Name != "Café Esperanza Legal Clinic (fictional)" || org.Email != "legal@casa.example" || org.Website != "http://casa.example/help" {
		t.Errorf("organization 2: %+v", org)
	}
	if o := sink.find(KindOrganization, "1").(*hsds.Organization); o.Email != "intake@harborlight.example" || o.Website != "https://www.harborlight.example" {
		t.Errorf("organization 1: %q %q", o.Email, o.Website)
	}
	s1 := sink.find(KindService, "s1").(*hsds.Service)
	if s1.Status != "active" || s1.Description != "Beds for adults.\nCall first." || s1.URL != "https://harborlight.example/shelter" || s1.FeesDescription != "Free" {
		t.Errorf("service s1: %+v", s1)
	}
	if s := sink.find(KindService, "s2").(*hsds.Service); s.Email != "LEGAL@casa.example" {
		t.Errorf("service s2 email %q", s.Email)
	}
	if l := sink.find(KindLocation, "l1").(*hsds.Location); l.LocationType != "physical" || l.Latitude == nil || *l.Latitude != 40.7128 {
		t.Errorf("location l1: %+v", l)
	}
	ph := sink.find(KindPhone, "ph1").(*hsds.Phone)
	if ph.Number != "+15550101234" || ph.Extension == nil || *ph.Extension != 12 || ph.ServiceID != "s1" {
		t.Errorf("phone ph1: %+v", ph)
	}
	if ph := sink.find(KindPhone, "ph2").(*hsds.Phone); ph.Number != "+15550101299" || ph.Description != "Call (main); Language: Spanish" {
		t.Errorf("phone ph2: %+v", ph)
	}
	if ph := sink.find(KindPhone, "ph3").(*hsds.Phone); ph.Number != "+18005555678" {
		t.Errorf("phone ph3 (vanity): %q", ph.Number)
	}
	if ph := sink.find(KindPhone, "ph6").(*hsds.Phone); ph.Extension == nil || *ph.Extension != 4 || ph.LocationID != "l1" {
		t.Errorf("phone ph6: %+v", ph)
	}
	hours := map[string][4]string{
		"r1": {"MO", "09:00", "17:00"}, "r2": {"TU", "09:00", "17:00"}, "r3": {"WE", "09:00", "17:00"},
		"r4": {"TH", "12:00", "16:00"}, "r5": {"SU", "00:00", "24:00"}, "r6": {"FR", "", ""}, "r7": {"SA", "09:00", ""},
	}
	for id, want := range hours {
		s := sink.find(KindSchedule, id).(*hsds.Schedule)
		if s.ByDay != want[0] || s.OpensAt != want[1] || s.ClosesAt != want[2] || s.Freq != "WEEKLY" {
			t.Errorf("schedule %s: %s %s-%s %s, want %v", id, s.ByDay, s.OpensAt, s.ClosesAt, s.Freq, want)
		}
	}
	if s := sink.find(KindSchedule, "r6").(*hsds.Schedule); s.Description != "1-4" {
		t.Errorf("the ambiguous hours are not kept for a person: %q", s.Description)
	}
	if h := sink.find(KindSchedule, "h1").(*hsds.Schedule); h.ValidFrom != "2026-12-25" || !strings.HasPrefix(h.Description, "Closed") {
		t.Errorf("holiday h1: %+v", h)
	}
	if a := sink.find(KindAddress, "a1").(*hsds.Address); a.AddressType != "physical" || a.Address2 != "Suite 2, Rear door" {
		t.Errorf("address a1: %+v", a)
	}
	if a := sink.find(KindAddress, "pa1").(*hsds.Address); a.AddressType != "postal" {
		t.Errorf("address pa1: %+v", a)
	}
	if a := sink.find(KindAttribute, "st1").(*hsds.Attribute); a.LinkID != "s1" || a.LinkEntity != "service" || a.TaxonomyTermID != "t2" || a.LinkType != "service_taxonomy" {
		t.Errorf("attribute st1: %+v", a)
	}
	if a := sink.find(KindAttribute, "e2").(*hsds.Attribute); a.Value != "survivors of trafficking" || a.LinkType != "eligibility" {
		t.Errorf("attribute e2: %+v", a)
	}
	if tt := sink.find(KindTaxonomyTerm, "t2").(*hsds.TaxonomyTerm); tt.ParentID != "t1" || tt.Taxonomy != "AIRS" {
		t.Errorf("term t2: %+v", tt)
	}
	if l := sink.find(KindLanguage, "lg1").(*hsds.Language); l.Name != "Spanish" {
		t.Errorf("language lg1: %+v", l)
	}
	if a := sink.find(KindAccessibility, "ac1").(*hsds.Accessibility); a.Description != "wheelchair" || a.Details != "ramp at rear door" {
		t.Errorf("accessibility ac1 (tab-delimited): %+v", a)
	}
	for _, c := range []struct {
		kind    ProblemKind
		id      string
		field   string
		dropped bool
	}{
		{DuplicateID, "1", "id", true},
		{MissingRequired, "4", "name", true},
		{MissingParent, "s4", "organization_id", true},
		{MissingParent, "sal4", "service_id", true}, // its service was dropped
		{MissingParent, "s3", "program_id", false},  // cleared, kept
		{BadPhone, "ph4", "number", true},
		{BadTime, "r6", "opens_at", false},
		{BadValue, "s5", "status", false},
		{MissingParent, "t3", "parent_id", false}, // checked at the end: t2's parent t1 came after it
	} {
		if !hasProblem(rep, c.kind, c.id, c.field, c.dropped) {
			t.Errorf("no %s problem for %s .%s (dropped %v)", c.kind, c.id, c.field, c.dropped)
		}
	}
	if hasProblem(rep, MissingParent, "t2", "parent_id", false) {
		t.Error("t2's parent comes later in the file and is there")
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text, 3); err != nil || !strings.Contains(text.String(), "... and 26 more") || !strings.Contains(text.String(), "missing_parent     14") {
		t.Errorf("WriteText:\n%s", text.String())
	}
}

func TestCSVForms(t *testing.T) {
	want := func(t *testing.T, sink *collect, rep *Report, n int) {
		t.Helper()
		if rep.Records[KindOrganization] != n {
			t.Fatalf("%d organizations, want %d\n%s", rep.Records[KindOrganization], n, dump(rep))
		}
	}
	t.Run("bom crlf quoted newline", func(t *testing.T) {
		sink, rep := readString(t, "organizations.csv", "\ufeffid,name,description\r\n1,\"A\r\nB\",d\r\n2,C,d\r\n")
		want(t, sink, rep, 2)
		if o := sink.find(KindOrganization, "1").(*hsds.Organization); o.Name != "A\nB" && o.Name != "A\r\nB" {
			t.Errorf("name %q", o.Name)
		}
	})
	t.Run("semicolon", func(t *testing.T) {
		_, rep := readString(t, "organizations.csv", "id;name;description\n1;A, Inc.;d\n")
		want(t, nil, rep, 1)
	})
	t.Run("tab", func(t *testing.T) {
		sink, rep := readString(t, "organizations.tsv", "id\tname\tdescription\n1\tA, Inc.\td\n")
		want(t, sink, rep, 1)
	})
	t.Run("windows-1252", func(t *testing.T) {
		sink, rep := readString(t, "organizations.csv", "id,name,description\n1,Caf\xe9 \x93Uno\x94,d\n2,Ni\xf1os,d\n")
		want(t, sink, rep, 2)
		if o := sink.find(KindOrganization, "1").(*hsds.Organization); o.Name != "Café “Uno”" {
			t.Errorf("name %q", o.Name)
		}
		if rep.Counts[Encoding] != 1 {
			t.Errorf("encoding reported %d times, want once", rep.Counts[Encoding])
		}
	})
	t.Run("utf-16", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("\xff\xfe")
		for _, r := range "id,name,description\n1,Café,d\n" {
			b.WriteByte(byte(r))
			b.WriteByte(byte(r >> 8))
		}
		sink, rep := readString(t, "organizations.csv", b.String())
		want(t, sink, rep, 1)
		if o := sink.find(KindOrganization, "1").(*hsds.Organization); o.Name != "Café" {
			t.Errorf("name %q", o.Name)
		}
	})
	t.Run("empty rows and unknown columns", func(t *testing.T) {
		_, rep := readString(t, "organizations.csv", "id,name,description,notes,x\n1,A,d,n,1\n,,,,\n2,B,d,n,2\n")
		want(t, nil, rep, 2)
		if rep.Counts[UnknownColumn] != 2 || rep.Counts[EmptyRow] != 1 {
			t.Errorf("%v", rep.Counts)
		}
	})
	t.Run("no header", func(t *testing.T) {
		_, rep := readString(t, "organizations.csv", "")
		if rep.Counts[BadCSV] != 1 {
			t.Errorf("%v", rep.Counts)
		}
	})
	t.Run("unknown table", func(t *testing.T) {
		_, rep := readString(t, "board_minutes.csv", "id,text\n1,x\n")
		if rep.Counts[UnknownTable] != 1 {
			t.Errorf("%v", rep.Counts)
		}
	})
}

func TestJSONForms(t *testing.T) {
	org := `{"id":"o1","name":"A","description":"d","phones":[{"id":"p1","number":"555-010-1234"}]}`
	for _, c := range []struct {
		name, data string
		orgs       int
		problems   map[ProblemKind]int
	}{
		{"organization.json", org, 1, map[ProblemKind]int{}},
		{"organizations.json", "[" + org + "," + strings.Replace(org, "o1", "o2", 1) + "]", 2, map[ProblemKind]int{DuplicateID: 1}}, // p1 twice, in two documents
		{"x.json", `{"total_items":1,"contents":[` + org + `]}`, 1, map[ProblemKind]int{}},
		{"organizations.ndjson", org + "\n\n{bad json\n" + strings.Replace(org, `"o1"`, `"o3"`, 1) + "\n", 2, map[ProblemKind]int{BadJSON: 1, DuplicateID: 1}},
		{"things.json", `{"id":7,"name":"Numeric id","description":"d","website":"example.org"}`, 1, map[ProblemKind]int{}},
		{"organization.json", `{"id":"o1","name":"A","description":"d","year_incorporated":"199x","colour":"red"}`, 1, map[ProblemKind]int{BadValue: 1, UnknownColumn: 1}},
		{"organization.json", `{"id":"o1","name":"A"`, 0, map[ProblemKind]int{BadJSON: 1}},
		{"organization.json", `"just a string"`, 0, map[ProblemKind]int{BadJSON: 1}},
		{"things.json", `{"foo":1}`, 0, map[ProblemKind]int{UnknownKind: 1}},
	} {
		_, rep := readString(t, c.name, c.data)
		if rep.Records[KindOrganization] != c.orgs || !maps.Equal(rep.Counts, c.problems) {
			t.Errorf("%s %.40s: got\n%s\nwant %d organizations, %v", c.name, c.data, dump(rep), c.orgs, c.problems)
		}
	}
	// A numeric id is kept as its text; a repeated embedded parent is
	// delivered once.
	sink, rep := readString(t, "services.ndjson",
		`{"id":1,"name":"S1","status":"active","organization":{"id":"o1","name":"O","description":"d"}}`+"\n"+
			`{"id":2,"name":"S2","status":"active","organization":{"id":"o1","name":"O","description":"d","phones":[{"id":"p","number":"211"}]}}`)
	if rep.Records[KindService] != 2 || rep.Records[KindOrganization] != 1 || rep.Repeats[KindOrganization] != 1 || rep.Total() != 0 || rep.Records[KindPhone] != 0 {
		t.Errorf("got\n%s repeats %v", dump(rep), rep.Repeats)
	}
	if s := sink.find(KindService, "2").(*hsds.Service); s.OrganizationID != "o1" || s.Organization != nil {
		t.Errorf("service 2: %+v", s)
	}
}

// zipOf builds a zip in memory.
func zipOf(t *testing.T, files map[string]string, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestZip(t *testing.T) {
	pkg := map[string]string{
		"data/datapackage.json":         `{"resources":[{"name":"organization","path":"organizations.csv"},{"name":"service","path":"services.csv"},{"name":"phone","path":"phones.csv"}]}`,
		"data/services.csv":             "id,organization_id,name,status\ns1,o1,S,active\n",
		"data/organizations.csv":        "id,name,description\no1,O,d\n",
		"__MACOSX/data/._services.csv":  "junk",
		"data/service_at_location.csv":  "id,service_id,location_id\n",
		"data/notes/README.txt.unknown": "x",
	}
	data := zipOf(t, pkg, zip.Deflate)
	rep, err := ReadZip(context.Background(), bytes.NewReader(data), int64(len(data)), &collect{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records[KindService] != 1 || rep.Records[KindOrganization] != 1 || rep.Counts[MissingFile] != 1 || rep.Total() != 1 {
		t.Errorf("got\n%s", dump(rep))
	}

	t.Run("truncated", func(t *testing.T) {
		_, err := ReadZip(context.Background(), bytes.NewReader(data[:len(data)/2]), int64(len(data)/2), &collect{}, Options{})
		if !errors.Is(err, ErrNotZip) {
			t.Errorf("err %v, want ErrNotZip", err)
		}
	})
	for _, bad := range []string{"../x.csv", "/etc/organizations.csv", `..\x.csv`, "a/../../x.csv", "C:/x.csv"} {
		t.Run("path "+bad, func(t *testing.T) {
			z := zipOf(t, map[string]string{bad: "id,name\n"}, zip.Store)
			_, err := ReadZip(context.Background(), bytes.NewReader(z), int64(len(z)), &collect{}, Options{})
			if !errors.Is(err, ErrUnsafePath) {
				t.Errorf("err %v, want ErrUnsafePath", err)
			}
		})
	}
	t.Run("bomb", func(t *testing.T) {
		z := zipOf(t, map[string]string{"organizations.csv": "id,name,description\n" + strings.Repeat("1,a,b\n", 1<<20)}, zip.Deflate)
		_, err := ReadZip(context.Background(), bytes.NewReader(z), int64(len(z)), &collect{}, Options{})
		if !errors.Is(err, ErrZipBomb) {
			t.Errorf("err %v, want ErrZipBomb (%d bytes zipped)", err, len(z))
		}
	})
	t.Run("total", func(t *testing.T) {
		z := zipOf(t, map[string]string{"organizations.csv": strings.Repeat("x", 5000), "services.csv": strings.Repeat("y", 5000)}, zip.Store)
		_, err := ReadZip(context.Background(), bytes.NewReader(z), int64(len(z)), &collect{}, Options{Limits: Limits{MaxTotalBytes: 8000}})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("err %v, want ErrTooLarge", err)
		}
	})
}

// endless is a reader of a header and then one line that never ends.
type endless struct {
	head string
	n    int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.head != "" {
		n := copy(p, e.head)
		e.head = e.head[n:]
		return n, nil
	}
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestLongLine(t *testing.T) {
	for _, quoted := range []string{"", `"`} {
		r := &endless{head: "id,name,description\n1,A,d\n2," + quoted}
		rep, err := ReadFile(context.Background(), r, "organizations.csv", &collect{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Counts[TooLarge] != 1 || rep.Records[KindOrganization] != 1 {
			t.Errorf("got\n%s", dump(rep))
		}
		if r.n > 4<<20 {
			t.Errorf("read %d bytes of one line before stopping", r.n)
		}
	}
	r := &endless{head: `[{"id":"o1","name":"`}
	rep, err := ReadFile(context.Background(), r, "organizations.json", &collect{}, Options{Limits: Limits{MaxObjectBytes: 1 << 20}})
	if err != nil || rep.Counts[TooLarge] != 1 || r.n > 4<<20 {
		t.Errorf("JSON: %v, read %d\n%s", err, r.n, dump(rep))
	}
}

func TestSymlinkOut(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "organizations.csv"), []byte("id,name,description\n1,A,d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "organizations.csv"), filepath.Join(dir, "organizations.csv")); err != nil {
		t.Skip(err)
	}
	_, err := Read(context.Background(), dir, &collect{}, Options{})
	if !errors.Is(err, ErrUnsafePath) {
		t.Errorf("err %v, want ErrUnsafePath", err)
	}
	// A link inside the folder is read.
	dir2 := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir2, "orgs.data"), []byte("id,name,description\n1,A,d\n"), 0o600)
	_ = os.Symlink("orgs.data", filepath.Join(dir2, "organizations.csv"))
	rep, err := Read(context.Background(), dir2, &collect{}, Options{})
	if err != nil || rep.Records[KindOrganization] != 1 {
		t.Errorf("link inside: %v\n%s", err, dump(rep))
	}
}

func TestCancelAndProgress(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,name,description\n")
	for i := range 5000 {
		csv.WriteString("o" + strconv.Itoa(i) + ",N,d\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	sink := SinkFunc(func(context.Context, Record) error {
		n++
		if n == 100 {
			cancel()
		}
		return nil
	})
	_, err := ReadFile(ctx, strings.NewReader(csv.String()), "organizations.csv", sink, Options{})
	if !errors.Is(err, context.Canceled) || n != 100 {
		t.Errorf("err %v after %d records", err, n)
	}

	var seen []Progress
	stop := errors.New("stop")
	_, err = ReadFile(context.Background(), strings.NewReader(csv.String()), "organizations.csv",
		SinkFunc(func(_ context.Context, r Record) error {
			if r.ID == "o4000" {
				return stop
			}
			return nil
		}),
		Options{OnProgress: func(p Progress) { seen = append(seen, p) }, ProgressEvery: 1000})
	if !errors.Is(err, stop) {
		t.Errorf("the sink's error: %v", err)
	}
	if len(seen) < 3 || seen[len(seen)-1].Records < 3000 || seen[len(seen)-1].BytesRead == 0 {
		t.Errorf("progress %+v", seen)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("organizations.csv", "id,name,description\n1,A,d\n")
	f.Add("phones.csv", "id,service_id,number\n1,s,\"(555) 010-1234 ext. 9\"\n")
	f.Add("regular_schedules.csv", "\ufeffid;service_id;weekday;opens_at\r\n1;s;Monday;9-5\r\n")
	f.Add("taxonomy.csv", "id,name,parent_id\n\"a\"\"b,c\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		_, _ = ReadFile(context.Background(), strings.NewReader(data), name+".csv", &collect{}, Options{})
	})
}

func FuzzReadJSON(f *testing.F) {
	f.Add(`{"id":"o1","name":"A","description":"d","services":[{"id":"s","name":"S","status":"active","phones":[{"id":"p","number":"211"}]}]}`)
	f.Add(`{"contents":[{"id":1,"name":"S","status":"active","organization":{"id":"o","name":"O","description":"d"}}]}`)
	f.Add(`[{"id":"t","name":"T","description":"d","taxonomy_detail":{"id":"x","name":"X","description":"d"}}]`)
	f.Add(`{"organizations.csv":[{"id":"o","name":"O","description":"d"}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		for _, name := range []string{"x.json", "services.ndjson"} {
			_, _ = ReadFile(context.Background(), strings.NewReader(data), name, &collect{}, Options{})
		}
	})
}
