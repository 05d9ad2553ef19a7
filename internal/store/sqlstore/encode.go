package sqlstore

import (
	"fmt"
	"strconv"
	"strings"
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
