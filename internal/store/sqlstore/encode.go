package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/directory"
)

// Two short lists are stored as text in one column rather than in tables of
// their own: a source's line numbers ("3,20") and a window's days
// ("mon,tue"). An empty list is stored as "" and read back as nil.

func encodeLines(lines []int) string {
	if len(lines) == 0 {
		return ""
	}
	parts := make([]string, len(lines))
	for i, n := range lines {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func decodeLines(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	lines := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("source lines %q: %w", s, err)
		}
		lines[i] = n
	}
	return lines, nil
}

// checkDays reports a day the comma-joined encoding could not give back.
func checkDays(days []string) error {
	for _, d := range days {
		if d == "" || strings.Contains(d, ",") {
			return fmt.Errorf("day %q: days must be non-empty and hold no comma", d)
		}
	}
	return nil
}

func encodeDays(days []string) string { return strings.Join(days, ",") }

func decodeDays(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// contentHash is the hex SHA-256 of a record and its position, in a form
// that does not tell nil from empty lists (the store gives back neither):
// its JSON with every null and empty list left out, keys in order. A load
// or import leaves a record whose hash is the one stored alone.
func contentHash(rec any, pos int) (string, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("content hash: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers hashed as written, never rounded
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("content hash: %w", err)
	}
	b, err = json.Marshal([]any{pos, dropEmpty(v)})
	if err != nil {
		return "", fmt.Errorf("content hash: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// dropEmpty removes, at every depth, the keys of JSON objects whose value
// is null or an empty list.
func dropEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = dropEmpty(e)
			if l, ok := e.([]any); e == nil || (ok && len(l) == 0) {
				delete(x, k)
				continue
			}
			x[k] = e
		}
	case []any:
		for i, e := range x {
			x[i] = dropEmpty(e)
		}
	}
	return v
}

// reach is how a location or a service at a location stores its contacts
// and hours: one JSON document in its reach column.
type reach struct {
	Contacts []directory.Contact `json:"contacts,omitempty"`
	Hours    *directory.Hours    `json:"hours,omitempty"`
}

func encodeReach(contacts []directory.Contact, hours *directory.Hours) (string, error) {
	b, err := json.Marshal(reach{Contacts: contacts, Hours: hours})
	if err != nil {
		return "", fmt.Errorf("contacts and hours: %w", err)
	}
	return string(b), nil
}

// decodeReach reads a reach column back, its empty lists nil.
func decodeReach(s string) ([]directory.Contact, *directory.Hours, error) {
	var r reach
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, nil, fmt.Errorf("contacts and hours: %w", err)
	}
	if len(r.Contacts) == 0 {
		r.Contacts = nil
	}
	for i := range r.Contacts {
		c := &r.Contacts[i]
		c.Keywords, c.Languages = nilIfEmpty(c.Keywords), nilIfEmpty(c.Languages)
		c.Source.Lines = nilIfEmpty(c.Source.Lines)
		nilHours(c.Hours)
	}
	nilHours(r.Hours)
	return r.Contacts, r.Hours, nil
}

func nilHours(h *directory.Hours) {
	if h == nil {
		return
	}
	h.Windows, h.Notes = nilIfEmpty(h.Windows), nilIfEmpty(h.Notes)
	for i := range h.Windows {
		h.Windows[i].Days = nilIfEmpty(h.Windows[i].Days)
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
