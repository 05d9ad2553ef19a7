package hsdsread

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// kindFromName guesses the kind of the objects of a file from its name:
// "service_full.json", "services.ndjson", "organization_list.json",
// "taxonomies.json" and "taxonomy_term.jsonl" name theirs; "" when the
// name does not tell.
func kindFromName(name string) Kind {
	base := strings.ToLower(path.Base(name))
	for {
		ext := path.Ext(base)
		if ext == "" || len(ext) > 8 {
			break
		}
		base = strings.TrimSuffix(base, ext)
	}
	base = strings.ReplaceAll(strings.ReplaceAll(base, "-", "_"), " ", "_")
	for _, suf := range []string{"_full", "_list", "_page", "_export", "_data"} {
		base = strings.TrimSuffix(base, suf)
	}
	if t, ok := tableAlias[base]; ok && t.kind != nil {
		return t.kind.kind
	}
	if _, ok := kindByName[Kind(base)]; ok {
		return Kind(base)
	}
	return ""
}

// kindFromMembers guesses the kind of a JSON object from its members, for a
// file whose name does not tell (rules in the package documentation).
func kindFromMembers(m map[string]any) Kind {
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := m[n]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("location_type"), has("addresses"), has("latitude"), has("longitude"):
		return KindLocation
	case has("status"), has("service_at_locations"), has("organization"), has("eligibility_description"):
		return KindService
	case has("services"), has("website"), has("tax_status"), has("year_incorporated"), has("organization_identifiers"):
		return KindOrganization
	case has("service_id", "location_id") && !has("number"), has("service", "location"):
		return KindServiceAtLocation
	case has("number"):
		return KindPhone
	case has("address_1"):
		return KindAddress
	case has("opens_at"), has("closes_at"), has("byday"), has("freq"):
		return KindSchedule
	case has("taxonomy_detail"), has("term_uri"), has("parent_id"), has("taxonomy_id"), has("code", "name"):
		return KindTaxonomyTerm
	case has("version", "name"):
		return KindTaxonomy
	case has("name", "description"):
		return KindOrganization
	}
	return ""
}

// flattener turns one JSON document into pending records.
type flattener struct {
	s     *state
	file  string
	row   int
	out   []*pending
	byKey map[string]*pending // kind + id → the record, to merge repeats within the document
}

// document reads one top-level JSON value of a file: an object of kind
// hint (or of the kind its members tell), an API page, or an array of
// objects.
func (s *state) document(file string, row int, hint Kind, v any) error {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			if err := s.document(file, i+1, hint, e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if c, ok := x["contents"]; ok {
			if items, ok := c.([]any); ok {
				for i, e := range items {
					if err := s.object(file, i+1, hint, e); err != nil {
						return err
					}
				}
				return nil
			}
		}
		if isTabularJSON(x) {
			return s.tabularJSON(file, x)
		}
		return s.object(file, row, hint, x)
	}
	s.drop(Problem{File: file, Row: row, Kind: BadJSON, Message: fmt.Sprintf("a %s, not an object", jsonType(v))})
	return nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "number"
}

// object flattens one top-level object and delivers its records, parents
// first.
func (s *state) object(file string, row int, hint Kind, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		s.drop(Problem{File: file, Row: row, Kind: BadJSON, Message: fmt.Sprintf("a %s, not an object", jsonType(v))})
		return nil
	}
	k := hint
	if k == "" {
		k = kindFromMembers(m)
	}
	if k == "" {
		s.drop(Problem{File: file, Row: row, Kind: UnknownKind, Message: "neither the file's name nor the object's members say which HSDS object it is"})
		return nil
	}
	f := &flattener{s: s, file: file, row: row, byKey: map[string]*pending{}}
	f.walk(kindByName[k], m, "", nil, false)
	for _, p := range f.out {
		// A service's program belongs to the service's organization.
		if p.k.kind == KindProgram && p.referrer != nil && getString(p.v, "organization_id") == "" {
			setString(p.v, "organization_id", getString(p.referrer.v, "organization_id"))
		}
	}
	sort.SliceStable(f.out, func(i, j int) bool { return f.out[i].k.rank < f.out[j].k.rank })
	for _, p := range f.out {
		if err := s.deliver(p); err != nil {
			return err
		}
	}
	return nil
}

// walk builds the record of object m of kind k at path, links it to its
// parent (nil at the top; ref when m is the parent's own parent, such as
// a service's organization) and walks its nested objects.
func (f *flattener) walk(k *kindInfo, m map[string]any, at string, parent *pending, ref bool) {
	p := &pending{k: k, v: newObject(k), file: f.file, row: f.row, path: at, ref: ref}
	if ref {
		p.referrer = parent
	}
	fields := fieldsOf[k.typ]
	type nested struct {
		name string
		fi   fieldInfo
		val  any
	}
	var kids []nested
	for _, name := range sortedKeys(m) {
		val := m[name]
		fi, ok := fields[name]
		if !ok {
			f.s.problemOnce(string(k.kind)+"."+name, Problem{File: f.file, Row: f.row, Path: at, Kind: UnknownColumn, Table: k.kind, Field: name,
				Message: "a member HSDS 3.0 does not name; ignored (reported once per file)"})
			continue
		}
		if fi.child != "" {
			kids = append(kids, nested{name, fi, val})
			continue
		}
		if err := setValue(p.v, fi, val); err != nil {
			f.s.problem(p.where(BadValue, name, err.Error()+"; cleared"))
		}
	}
	id := p.id()
	if parent != nil {
		f.link(parent, p, ref)
	}
	if id != "" {
		key := string(k.kind) + "\x00" + id
		if first, ok := f.byKey[key]; ok {
			// The same object nested again in this document (a phone of a
			// service and of its contact): one record, with both links.
			f.merge(first, p)
			f.s.rep.Repeats[k.kind]++
			p = first
		} else if ref && f.s.seen(k.kind, id) {
			// A parent delivered with an earlier document: its nested
			// objects were too.
			f.s.rep.Repeats[k.kind]++
			return
		} else {
			f.byKey[key] = p
			f.out = append(f.out, p)
		}
	} else {
		f.out = append(f.out, p)
	}
	for _, n := range kids {
		ck := kindByName[n.fi.child]
		childRef := !hasField(ck, string(k.kind)+"_id") && hasField(k, string(ck.kind)+"_id")
		var items []any
		if n.fi.slice {
			arr, ok := n.val.([]any)
			if !ok && n.val != nil {
				f.s.problem(p.where(BadValue, n.name, "a "+jsonType(n.val)+", not an array; ignored"))
			}
			items = arr
		} else if n.val != nil {
			items = []any{n.val}
		}
		for i, item := range items {
			cp := joinPath(at, n.name)
			if n.fi.slice {
				cp += "[" + strconv.Itoa(i) + "]"
			}
			cm, ok := item.(map[string]any)
			if !ok {
				f.s.drop(Problem{File: f.file, Row: f.row, Path: cp, Kind: BadJSON, Table: ck.kind, Message: "a " + jsonType(item) + ", not an object"})
				continue
			}
			f.walk(ck, cm, cp, p, childRef)
		}
	}
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// link fills in the foreign key between a nested object and the one
// holding it: the child's parent_id for an owned child (a service's
// phone), or the parent's child_id for a referenced one (a service's
// organization); attribute.link_id and metadata.resource_id name any
// parent, with its table.
func (f *flattener) link(parent, child *pending, ref bool) {
	switch {
	case child.k.kind == KindAttribute && !ref:
		f.force(child, "link_id", parent.id())
		f.force(child, "link_entity", string(parent.k.kind))
	case child.k.kind == KindMetadata:
		f.force(child, "resource_id", parent.id())
		f.force(child, "resource_type", string(parent.k.kind))
	case ref:
		f.set(parent, string(child.k.kind)+"_id", child.id())
	default:
		f.set(child, string(parent.k.kind)+"_id", parent.id())
	}
}

// set sets a link, keeping (and reporting) a different value already there.
func (f *flattener) set(p *pending, field, val string) {
	if val == "" {
		return
	}
	old := getString(p.v, field)
	switch {
	case old == "":
		setString(p.v, field, val)
	case old != val:
		f.s.problem(p.where(ParentConflict, field, fmt.Sprintf("%q where it is nested under %q; %q kept", old, val, old)))
	}
}

// force sets a link of an attribute or metadata to the object it is
// nested in: where it is nested is what it is about, whatever its own
// members say.
func (f *flattener) force(p *pending, field, val string) {
	if old := getString(p.v, field); old != "" && old != val {
		f.s.problem(p.where(ParentConflict, field, fmt.Sprintf("%q where it is nested under %q; the nesting is kept", old, val)))
	}
	setString(p.v, field, val)
}

// merge copies into first the links of a repeat that first lacks.
func (f *flattener) merge(first, again *pending) {
	for _, l := range first.k.links {
		if v := getString(again.v, l.field); v != "" {
			f.set(first, l.field, v)
			if l.typeField != "" && getString(first.v, l.typeField) == "" {
				setString(first.v, l.typeField, getString(again.v, l.typeField))
			}
		}
	}
}

// budget is a reader that fails once more than max bytes have been read
// since the last mark: it bounds one JSON document without reading it
// into memory first.
type budget struct {
	r         io.Reader
	n, marked int64
	max       int64
}

var errBudget = errors.New("over the limit")

func (b *budget) Read(p []byte) (int, error) {
	if b.n-b.marked > b.max {
		return 0, errBudget
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *budget) mark() { b.marked = b.n }

// readJSON reads a JSON file: one value or several after each other
// (objects, API pages, arrays), or NDJSON line by line when its name says
// so (.ndjson, .jsonl), so that one bad line costs only that line.
func (s *state) readJSON(r io.Reader, file string) error {
	hint := kindFromName(file)
	lower := strings.ToLower(file)
	if strings.HasSuffix(lower, ".ndjson") || strings.HasSuffix(lower, ".jsonl") {
		return s.readNDJSON(r, file, hint)
	}
	b := &budget{r: r, max: int64(s.opt.Limits.MaxObjectBytes)}
	dec := json.NewDecoder(b)
	dec.UseNumber()
	for n := 1; ; n++ {
		b.mark()
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			if n == 1 {
				s.drop(Problem{File: file, Kind: BadJSON, Message: "empty: no JSON value"})
			}
			return nil
		}
		if err != nil {
			return s.fileError(file, n, err)
		}
		if err := s.document(file, n, hint, v); err != nil {
			return err
		}
	}
}

// fileError reports why the rest of a file could not be read, and returns
// only an error that stops Read.
func (s *state) fileError(file string, row int, err error) error {
	var stop errStop
	switch {
	case errors.As(err, &stop):
		return err
	case errors.Is(err, errBudget), errors.Is(err, bufio.ErrTooLong), errors.Is(err, ErrTooLarge):
		s.drop(Problem{File: file, Row: row, Kind: TooLarge, Message: "over the size limit (Options.Limits); the rest of the file is not read"})
	case errors.Is(err, errRead):
		return err
	default:
		s.drop(Problem{File: file, Row: row, Kind: BadJSON, Message: err.Error() + "; the rest of the file is not read"})
	}
	return nil
}

func (s *state) readNDJSON(r io.Reader, file string, hint Kind) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), s.opt.Limits.MaxObjectBytes)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			s.drop(Problem{File: file, Row: line, Kind: BadJSON, Message: err.Error()})
			continue
		}
		if dec.More() {
			s.drop(Problem{File: file, Row: line, Kind: BadJSON, Message: "more than one JSON value on the line"})
			continue
		}
		if err := s.document(file, line, hint, v); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return s.fileError(file, line+1, err)
	}
	return nil
}

// isTabularJSON tells the tabular form written as one JSON object
// ({"organizations.csv": [rows...], ...}, the examples' tabular.json).
func isTabularJSON(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for k, v := range m {
		if _, ok := v.([]any); !ok || !strings.HasSuffix(k, ".csv") {
			return false
		}
	}
	return true
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
