package hsdsread

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// lineLimit fails once a CSV record (with all its quoted lines) is over
// max bytes: encoding/csv would otherwise hold a 100 MB line in memory.
type lineLimit struct {
	r         io.Reader
	n, marked int64
	max       int64
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.n-l.marked > l.max {
		return 0, fmt.Errorf("a CSV record over %d bytes: %w", l.max, ErrTooLarge)
	}
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// sniffDelimiter picks the delimiter of a CSV file from its first line:
// the most frequent of , ; tab and | outside quotes; a comma when none is
// there.
func sniffDelimiter(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t' || b == '|'):
			counts[b]++
		}
	}
	best, n := byte(','), counts[',']
	for _, b := range []byte{';', '\t', '|'} {
		if counts[b] > n {
			best, n = b, counts[b]
		}
	}
	return rune(best)
}

// readCSV reads one table. Rows stream through: only the current row is
// held.
func (s *state) readCSV(r io.Reader, file string) error {
	tr := newTextReader(r)
	br := bufio.NewReaderSize(tr, 64<<10)
	head, _ := br.Peek(64 << 10)
	lim := &lineLimit{r: br, max: int64(s.opt.Limits.MaxLineBytes) + 64<<10}
	cr := csv.NewReader(lim)
	cr.Comma = sniffDelimiter(head)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	encodingReported := false
	reportEncoding := func() {
		if tr.fixed != "" && !encodingReported {
			encodingReported = true
			s.problem(Problem{File: file, Kind: Encoding, Message: "not UTF-8; read as " + tr.fixed})
		}
	}
	defer reportEncoding()

	rec, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			s.drop(Problem{File: file, Kind: BadCSV, Message: "empty: no header row"})
			return nil
		}
		return s.csvError(file, 0, err)
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = normColumn(h)
	}
	t := pickSpec(tableName(file), header)
	if t == nil {
		s.drop(Problem{File: file, Kind: UnknownTable, Message: "not a table HSDS names; not read"})
		return nil
	}
	cols := []column(nil)
	idFromRow := false
	if !t.skip {
		cols = t.columns(header)
		s.unknownColumns(file, t, cols)
		hasID := false
		for _, h := range header {
			hasID = hasID || h == "id"
		}
		if !hasID && t.kind.kind != KindOrganization && t.kind.kind != KindService && t.kind.kind != KindLocation {
			idFromRow = true
			s.problem(Problem{File: file, Kind: MissingRequired, Table: t.kind.kind, Field: "id",
				Message: "the table has no id column; ids are made of the file's name and row number"})
		}
	}
	for n := 1; ; n++ {
		lim.marked = lim.n
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.csvError(file, n, err)
		}
		reportEncoding()
		if t.skip {
			s.rep.Skipped[file]++
			continue
		}
		p := s.row(t, cols, rec, file, n, idFromRow)
		if p == nil {
			continue
		}
		if err := s.deliver(p); err != nil {
			return err
		}
	}
}

func (s *state) csvError(file string, row int, err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, ErrTooLarge):
		s.drop(Problem{File: file, Row: row, Kind: TooLarge, Message: err.Error() + "; the rest of the file is not read"})
	case errors.Is(err, errRead):
		return fmt.Errorf("hsdsread: %s: %w", file, err)
	case errors.As(err, &pe):
		s.drop(Problem{File: file, Row: row, Kind: BadCSV, Message: err.Error() + "; the rest of the file is not read"})
	default:
		return fmt.Errorf("hsdsread: %s: %w", file, err)
	}
	return nil
}
