package hsdsread

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/hsds"
)

// state is one Read: the ids delivered so far (for duplicate and link
// checks), the report and the progress. It holds no records.
type state struct {
	ctx  context.Context
	sink Sink
	opt  Options
	rep  *Report
	ids  map[Kind]map[string]struct{}
	// laterLinks are links within a table whose target had not been read
	// when the record was (a term before its parent term), checked at the
	// end.
	laterLinks []laterLink
	once       map[string]bool // problems reported once per file
	prog       Progress
	sinceProg  int
}

type laterLink struct {
	kind            Kind
	id, field, want string
	file            string
	row             int
}

func newState(ctx context.Context, sink Sink, opt Options) *state {
	opt = opt.withDefaults()
	s := &state{ctx: ctx, sink: sink, opt: opt, rep: newReport(opt.KeepProblems), ids: map[Kind]map[string]struct{}{}, once: map[string]bool{}}
	for _, k := range kinds {
		s.ids[k.kind] = map[string]struct{}{}
	}
	return s
}

func (s *state) problem(p Problem) {
	s.rep.add(p)
	s.prog.Problems++
	if s.opt.OnProblem != nil {
		s.opt.OnProblem(p)
	}
}

// problemOnce reports p unless a problem of the same key was reported for
// its file before.
func (s *state) problemOnce(key string, p Problem) {
	k := p.File + "\x00" + string(p.Kind) + "\x00" + key
	if s.once[k] {
		return
	}
	s.once[k] = true
	s.problem(p)
}

// drop reports p as the reason a record or row was not delivered.
func (s *state) drop(p Problem) {
	p.Dropped = true
	s.rep.Dropped++
	s.problem(p)
}

func (s *state) progress(file string, force bool) {
	s.prog.File = file
	if s.opt.OnProgress == nil {
		return
	}
	s.sinceProg++
	if force || s.sinceProg >= s.opt.ProgressEvery {
		s.sinceProg = 0
		s.opt.OnProgress(s.prog)
	}
}

// pending is a record built but not yet delivered.
type pending struct {
	k    *kindInfo
	v    reflect.Value // pointer to the hsds struct
	file string
	row  int
	path string
	// ref is set for an object nested as a parent of the one holding it
	// (a service's organization): met again, it is the same record.
	ref      bool
	referrer *pending // the object holding a ref
	// cols, for a CSV row, says which fields its table has; nil for JSON,
	// where every field is taken as present.
	cols func(field string) bool
}

func (p *pending) id() string { return getString(p.v, "id") }

func (p *pending) where(kind ProblemKind, field, msg string) Problem {
	return Problem{File: p.file, Row: p.row, Path: p.path, Kind: kind, Table: p.k.kind, ID: p.id(), Field: field, Message: msg}
}

// errStop wraps the errors that end a Read: the context's and the sink's.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }
func (e errStop) Unwrap() error { return e.err }

// deliver cleans p, checks its id and links, and hands it to the sink.
// Only the sink's error and the context's are returned.
func (s *state) deliver(p *pending) error {
	if err := s.ctx.Err(); err != nil {
		return errStop{err}
	}
	if !s.clean(p) {
		return nil
	}
	id := p.id()
	if _, dup := s.ids[p.k.kind][id]; dup {
		if p.ref {
			s.rep.Repeats[p.k.kind]++
			return nil
		}
		s.drop(p.where(DuplicateID, "id", "an id already read for a "+string(p.k.kind)+"; the first is kept"))
		return nil
	}
	if !s.checkLinks(p) {
		return nil
	}
	s.ids[p.k.kind][id] = struct{}{}
	s.rep.Records[p.k.kind]++
	s.prog.Records++
	if err := s.sink.Record(s.ctx, Record{Kind: p.k.kind, ID: id, File: p.file, Row: p.row, Path: p.path, Object: p.v.Interface()}); err != nil {
		return errStop{fmt.Errorf("hsdsread: sink refused %s %s (%s:%d): %w", p.k.kind, id, p.file, p.row, err)}
	}
	s.progress(p.file, false)
	return nil
}

// seen reports whether a record of kind k (or of any kind, for k "") with
// the id has been delivered.
func (s *state) seen(k Kind, id string) bool {
	if k != "" {
		_, ok := s.ids[k][id]
		return ok
	}
	for _, set := range s.ids {
		if _, ok := set[id]; ok {
			return true
		}
	}
	return false
}

// entityKind reads the table named by attribute.link_entity or
// metadata.resource_type ("service", "services", "Service"); "" when it
// names none.
func entityKind(s string) Kind {
	s = strings.ToLower(strings.TrimSpace(s))
	if t, ok := tableAlias[s]; ok && t.kind != nil {
		return t.kind.kind
	}
	if _, ok := kindByName[Kind(s)]; ok {
		return Kind(s)
	}
	return ""
}

func (s *state) checkLinks(p *pending) bool {
	var anyField []string
	anySet := false
	for _, l := range p.k.links {
		val := getString(p.v, l.field)
		if l.rule == anyOf {
			anyField = append(anyField, l.field)
		}
		if val == "" {
			if l.rule == needed {
				s.drop(p.where(MissingRequired, l.field, "empty; each "+string(p.k.kind)+" must name its "+strings.TrimSuffix(l.field, "_id")))
				return false
			}
			continue
		}
		to := l.to
		if l.typeField != "" {
			to = entityKind(getString(p.v, l.typeField))
		}
		if s.seen(to, val) {
			if l.rule == anyOf {
				anySet = true
			}
			continue
		}
		what := string(to)
		if what == "" {
			what = "record"
		}
		switch l.rule {
		case later:
			s.laterLinks = append(s.laterLinks, laterLink{kind: p.k.kind, id: p.id(), field: l.field, want: val, file: p.file, row: p.row})
		case needed:
			s.drop(p.where(MissingParent, l.field, fmt.Sprintf("names %s %q, which is not in the input (or was dropped)", what, val)))
			return false
		default:
			s.problem(p.where(MissingParent, l.field, fmt.Sprintf("names %s %q, which is not in the input (or was dropped); cleared", what, val)))
			setString(p.v, l.field, "")
		}
	}
	if len(anyField) > 0 && !anySet {
		s.drop(p.where(MissingParent, "", "belongs to nothing read: none of "+strings.Join(anyField, ", ")+" names a record"))
		return false
	}
	return true
}

// finish checks the links left for the end.
func (s *state) finish() {
	for _, l := range s.laterLinks {
		if !s.seen(l.kind, l.want) {
			s.problem(Problem{File: l.file, Row: l.row, Kind: MissingParent, Table: l.kind, ID: l.id, Field: l.field,
				Message: fmt.Sprintf("names %s %q, which is not in the input (or was dropped)", l.kind, l.want)})
		}
	}
	s.laterLinks = nil
}

// setValue sets member fi of the struct v points to from a JSON value
// (string, json.Number, bool, nil) or a CSV cell (string).
func setValue(v reflect.Value, fi fieldInfo, val any) error {
	f := v.Elem().FieldByIndex(fi.index)
	if fi.number {
		var text string
		switch x := val.(type) {
		case nil:
			return nil
		case string:
			text = strings.TrimSpace(x)
			if text == "" {
				return nil
			}
		case fmt.Stringer: // json.Number
			text = x.String()
		default:
			return fmt.Errorf("a %T, not a number", val)
		}
		n, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return fmt.Errorf("%q is not a number", text)
		}
		f.Set(reflect.ValueOf(&n))
		return nil
	}
	switch x := val.(type) {
	case nil:
		f.SetString("")
	case string:
		f.SetString(x)
	case bool:
		f.SetString(strconv.FormatBool(x))
	case fmt.Stringer:
		f.SetString(x.String())
	default:
		return fmt.Errorf("a %T, not a string", val)
	}
	return nil
}

var (
	urlFields = map[Kind][]string{
		KindOrganization: {"website", "logo"}, KindService: {"url"}, KindLocation: {"url"},
		KindAccessibility: {"url"}, KindSchedule: {"schedule_link"},
	}
	emailFields = map[Kind][]string{
		KindOrganization: {"email"}, KindService: {"email", "assurer_email"}, KindContact: {"email"},
	}
	enums = map[Kind]map[string][]string{
		KindService:  {"status": {"active", "inactive", "defunct", "temporarily closed"}},
		KindLocation: {"location_type": {"physical", "postal", "virtual"}},
		KindAddress:  {"address_type": {"physical", "postal", "virtual"}},
		KindSchedule: {"freq": {"WEEKLY", "MONTHLY"}, "wkst": {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}},
	}
)

// clean trims every text, normalizes times, phones, URLs and e-mails,
// checks enums and required fields, reporting what it changes; it
// reports false when the record must be dropped.
func (s *state) clean(p *pending) bool {
	e := p.v.Elem()
	for _, fi := range fieldsOf[e.Type()] {
		if fi.child == "" && !fi.number {
			f := e.FieldByIndex(fi.index)
			if t := strings.TrimSpace(f.String()); t != f.String() {
				f.SetString(t)
			}
		}
	}
	if p.id() == "" {
		s.drop(p.where(MissingRequired, "id", "no id"))
		return false
	}
	for _, f := range p.k.fatal {
		if getString(p.v, f) == "" {
			if f == "number" && p.k.kind == KindPhone {
				s.drop(p.where(BadPhone, f, "no number"))
			} else {
				s.drop(p.where(MissingRequired, f, "empty"))
			}
			return false
		}
	}
	for _, f := range urlFields[p.k.kind] {
		if raw := getString(p.v, f); raw != "" {
			u, err := NormalizeURL(raw)
			if err != nil {
				s.problem(p.where(BadURL, f, err.Error()+"; cleared"))
			}
			setString(p.v, f, u)
		}
	}
	for _, f := range emailFields[p.k.kind] {
		if raw := getString(p.v, f); raw != "" {
			a, err := NormalizeEmail(raw)
			if err != nil {
				s.problem(p.where(BadEmail, f, err.Error()+"; cleared"))
			}
			setString(p.v, f, a)
		}
	}
	for f, allowed := range enums[p.k.kind] {
		raw := getString(p.v, f)
		if raw == "" {
			continue
		}
		val := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(raw, "_", " ")), " "))
		if strings.ToUpper(allowed[0]) == allowed[0] {
			val = strings.ToUpper(val)
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == val
		}
		if !ok {
			s.problem(p.where(BadValue, f, fmt.Sprintf("%q is not one of %s; cleared", raw, strings.Join(allowed, ", "))))
			val = ""
		}
		setString(p.v, f, val)
	}
	switch o := p.v.Interface().(type) {
	case *hsds.Phone:
		ph, err := NormalizePhone(o.Number, s.opt.Region)
		if err != nil {
			s.drop(p.where(BadPhone, "number", err.Error()))
			return false
		}
		o.Number = ph.Number
		if ph.Extension != "" && o.Extension == nil {
			n, _ := strconv.ParseFloat(ph.Extension, 64)
			o.Extension = &n
		}
		if ph.Text != "" && !strings.Contains(o.Description, ph.Text) {
			o.Description = strings.TrimSpace(ph.Text + "; " + o.Description)
			o.Description = strings.TrimSuffix(o.Description, ";")
		}
	case *hsds.Schedule:
		s.cleanTimes(p, o)
		o.ByDay = strings.ToUpper(strings.ReplaceAll(o.ByDay, " ", ""))
	case *hsds.Location:
		if o.Latitude != nil && math.Abs(*o.Latitude) > 90 {
			s.problem(p.where(BadValue, "latitude", fmt.Sprintf("%v is not a latitude; cleared", *o.Latitude)))
			o.Latitude = nil
		}
		if o.Longitude != nil && math.Abs(*o.Longitude) > 180 {
			s.problem(p.where(BadValue, "longitude", fmt.Sprintf("%v is not a longitude; cleared", *o.Longitude)))
			o.Longitude = nil
		}
	case *hsds.Service:
		for _, a := range []struct {
			name string
			v    **float64
		}{{"minimum_age", &o.MinimumAge}, {"maximum_age", &o.MaximumAge}} {
			if *a.v != nil && (**a.v < 0 || **a.v > 150) {
				s.problem(p.where(BadValue, a.name, fmt.Sprintf("%v is not an age; cleared", **a.v)))
				*a.v = nil
			}
		}
	}
	for _, f := range p.k.soft {
		if getString(p.v, f) == "" && (p.cols == nil || p.cols(f)) {
			s.problem(p.where(MissingRequired, f, "empty"))
		}
	}
	return true
}

func (s *state) cleanTimes(p *pending, o *hsds.Schedule) {
	if o.OpensAt != "" && o.ClosesAt == "" && strings.ContainsAny(o.OpensAt, "-–—") || strings.Contains(strings.ToLower(o.OpensAt), "24") && o.ClosesAt == "" {
		if op, cl, err := NormalizeTimeRange(o.OpensAt); err == nil {
			o.OpensAt, o.ClosesAt = op, cl
			return
		} else if strings.ContainsAny(o.OpensAt, "-–—") {
			s.problem(p.where(BadTime, "opens_at", err.Error()+"; cleared"))
			if errors.Is(err, ErrAmbiguous) && o.Description == "" {
				o.Description = o.OpensAt // kept for a person to read
			}
			o.OpensAt = ""
			return
		}
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"opens_at", &o.OpensAt}, {"closes_at", &o.ClosesAt}} {
		if *f.v == "" {
			continue
		}
		t, err := NormalizeTime(*f.v)
		if err != nil {
			s.problem(p.where(BadTime, f.name, err.Error()+"; cleared"))
		}
		*f.v = t
	}
}
