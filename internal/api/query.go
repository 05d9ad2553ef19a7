package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/haven-project/haven/internal/store"
)

// Paging defaults and bounds. The store caps a page at store.MaxLimit.
const (
	defaultLimit = 50
	maxOffset    = 1<<31 - 1
	// maxEcho bounds how much of a client's own input an error message
	// repeats back.
	maxEcho = 64
)

// parseQuery parses the request's query string strictly: a malformed query,
// a parameter not in allowed, or one given twice is an invalid_parameter
// error. It returns each parameter's single value.
func parseQuery(r *http.Request, allowed ...string) (map[string]string, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalid("", "The query string is malformed.")
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same parameter every time
	out := make(map[string]string, len(vals))
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return nil, invalid(echo(k), "Unknown query parameter.")
		}
		if len(vals[k]) > 1 {
			return nil, invalid(k, "Give this parameter once.")
		}
		out[k] = vals[k][0]
	}
	return out, nil
}

// noQuery rejects any query parameter: the endpoint takes none.
func noQuery(r *http.Request) error {
	_, err := parseQuery(r)
	return err
}

// echo returns at most maxEcho characters of s, as valid UTF-8.
func echo(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxEcho {
		return s
	}
	return string([]rune(s)[:maxEcho]) + "…"
}

// parsePaging reads limit (1..store.MaxLimit, default 50) and offset
// (0..maxOffset, default 0).
func parsePaging(q map[string]string) (limit, offset int, err error) {
	limit, offset = defaultLimit, 0
	if s, ok := q["limit"]; ok {
		n, ok := parseUint(s)
		if !ok || n < 1 || n > store.MaxLimit {
			return 0, 0, invalid("limit", "Want a whole number from 1 to "+strconv.Itoa(store.MaxLimit)+".")
		}
		limit = n
	}
	if s, ok := q["offset"]; ok {
		n, ok := parseUint(s)
		if !ok || n > maxOffset {
			return 0, 0, invalid("offset", "Want a whole number from 0 to "+strconv.Itoa(maxOffset)+".")
		}
		offset = n
	}
	return limit, offset, nil
}

// parseUint accepts plain decimal digits only: no sign, no spaces, at most
// ten digits.
func parseUint(s string) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// validSlug reports whether s could be a slug: 1 to 100 of [a-z0-9-]. Any
// other value is answered 404 without asking the store.
func validSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
