package hsdsread

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// ProblemKind is a short, stable code for what is wrong; tests and tools
// may match on it.
type ProblemKind string

// The problems Read reports. Unless said otherwise, the record is still
// delivered (Problem.Dropped is false) with the field repaired or cleared.
const (
	// MissingParent: a link (foreign key) names no record read before it.
	// The link is cleared; the record is dropped if it then belongs to
	// nothing (a phone of no service, location, ...).
	MissingParent ProblemKind = "missing_parent"
	// DuplicateID: a second record of a kind with an id already
	// delivered; the first is kept, this one dropped.
	DuplicateID ProblemKind = "duplicate_id"
	// ParentConflict: the same object nested twice in one document with
	// different values for a link; the first value is kept.
	ParentConflict ProblemKind = "parent_conflict"
	// MissingRequired: a required field is empty. Dropped for an id, a
	// name, a phone's number, an address's first line; kept otherwise.
	MissingRequired ProblemKind = "missing_required"
	// BadTime: an opening or closing time that NormalizeTime (or, for
	// "9-5" in one field, NormalizeTimeRange) cannot read; cleared.
	BadTime ProblemKind = "bad_time"
	// BadPhone: a number NormalizePhone cannot read; the phone is dropped.
	BadPhone ProblemKind = "bad_phone"
	// BadURL: a web address NormalizeURL refuses; cleared.
	BadURL ProblemKind = "bad_url"
	// BadEmail: an e-mail address NormalizeEmail refuses; cleared.
	BadEmail ProblemKind = "bad_email"
	// BadValue: a number or enum field with a value it cannot have
	// ("twelve" as an age, an unknown status); cleared.
	BadValue ProblemKind = "bad_value"
	// MissingFile: a file the data package's descriptor lists is not in it.
	MissingFile ProblemKind = "missing_file"
	// Encoding: a file is not UTF-8; its bytes were read as Windows-1252
	// (or UTF-16, by its byte order mark). Once per file.
	Encoding ProblemKind = "encoding"
	// UnknownColumn: a CSV column no HSDS version names; ignored. Once
	// per file and column.
	UnknownColumn ProblemKind = "unknown_column"
	// UnknownTable: a CSV file that is no HSDS table; not read.
	UnknownTable ProblemKind = "unknown_table"
	// UnknownKind: a JSON object whose kind neither its file's name nor
	// its members tell; dropped.
	UnknownKind ProblemKind = "unknown_kind"
	// BadJSON: a file or line that is not JSON, or not an object; the
	// rest of the file is read where it can be (NDJSON), else dropped.
	BadJSON ProblemKind = "bad_json"
	// BadCSV: a CSV file that cannot be read on (a row the CSV reader
	// refuses, no header); the rest of the file is dropped.
	BadCSV ProblemKind = "bad_csv"
	// EmptyRow: a CSV row with no value in any column; dropped.
	EmptyRow ProblemKind = "empty_row"
	// TooLarge: a line, field, object or file over a Limits bound; the
	// rest of the file is dropped.
	TooLarge ProblemKind = "too_large"
)

// Problem is one thing wrong with the input.
type Problem struct {
	File string // the file's path inside the input ("services.csv"), or the name given
	// Row is the 1-based data row of a CSV file (the header is row 0), the
	// line of an NDJSON file, or the 1-based position of the object in a
	// JSON file (its place in an array or in contents); 0 for the file as
	// a whole.
	Row   int
	Path  string // where in a JSON document: "services[0].phones[1]"; "" at its top
	Kind  ProblemKind
	Table Kind   // the kind of record, when known
	ID    string // the record's id, when known
	Field string // the field at fault, when there is one
	// Dropped is true when the record (or, for a file-level problem, the
	// rest of the file) was not delivered because of this problem.
	Dropped bool
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Row > 0 {
		fmt.Fprintf(&b, ":%d", p.Row)
	}
	if p.Path != "" {
		b.WriteString(" " + p.Path)
	}
	b.WriteString(": " + string(p.Kind))
	if p.Table != "" {
		b.WriteString(" " + string(p.Table))
		if p.ID != "" {
			b.WriteString(" " + p.ID)
		}
	}
	if p.Field != "" {
		b.WriteString(" ." + p.Field)
	}
	if p.Message != "" {
		b.WriteString(": " + p.Message)
	}
	if p.Dropped {
		b.WriteString(" (dropped)")
	}
	return b.String()
}

// Report is what Read did: the records delivered and every problem found.
type Report struct {
	// Records counts the records delivered, by kind.
	Records map[Kind]int
	// Repeats counts nested objects met again that are the same record:
	// an organization embedded in each of its services, a location in
	// each service at it. They are delivered once, not reported.
	Repeats map[Kind]int
	// Skipped counts rows of tables Read knows and does not deliver
	// (meta_table_description), by file.
	Skipped map[string]int
	// Problems holds the first KeepProblems problems (Options), in order.
	Problems []Problem
	// Counts counts all problems by kind, kept or not.
	Counts map[ProblemKind]int
	// Dropped counts the input records (rows, objects) not delivered.
	Dropped int
	keep    int
}

func newReport(keep int) *Report {
	return &Report{Records: map[Kind]int{}, Repeats: map[Kind]int{}, Skipped: map[string]int{}, Counts: map[ProblemKind]int{}, keep: keep}
}

func (r *Report) add(p Problem) {
	r.Counts[p.Kind]++
	if len(r.Problems) < r.keep {
		r.Problems = append(r.Problems, p)
	}
}

// Total is the number of problems of every kind.
func (r *Report) Total() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// Delivered is the number of records delivered, of every kind.
func (r *Report) Delivered() int {
	n := 0
	for _, c := range r.Records {
		n += c
	}
	return n
}

// WriteText writes the report for a person: the records delivered by
// kind, the first max problems (those kept), then the number of problems
// of each kind.
func (r *Report) WriteText(w io.Writer, max int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d records delivered", r.Delivered())
	for _, k := range sortedKeys(r.Records) {
		fmt.Fprintf(&b, ", %s %d", k, r.Records[k])
	}
	fmt.Fprintf(&b, "\n%d problems, %d input records dropped\n", r.Total(), r.Dropped)
	for i, p := range r.Problems {
		if i == max {
			break
		}
		b.WriteString("  " + p.String() + "\n")
	}
	if shown := min(max, len(r.Problems)); r.Total() > shown {
		fmt.Fprintf(&b, "  ... and %d more\n", r.Total()-shown)
	}
	for _, k := range sortedKeys(r.Counts) {
		fmt.Fprintf(&b, "%-18s %d\n", k, r.Counts[k])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
