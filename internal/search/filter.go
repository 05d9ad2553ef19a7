// Package search is the directory's one front door for finding services:
// it turns what a person or a client asks for (the query parameters of
// /{lang}/services, GET /api/v1/services and their successors) into a
// store.ServiceFilter, with one set of rules and limits for everyone.
package search

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// The filter's query parameters.
const (
	ParamTopic          = "topic"
	ParamKind           = "kind"
	ParamLawEnforcement = "law_enforcement"
	ParamQuery          = "q"
)

// Params are the filter's parameters, in the order they are checked.
var params = [...]string{ParamTopic, ParamKind, ParamLawEnforcement, ParamQuery}

// Params returns the filter's query parameters.
func Params() []string { return params[:] }

// MaxQueryRunes is the most characters the text query may hold.
const MaxQueryRunes = 200

// Problem says why a parameter was refused.
type Problem string

// The problems a parameter can have.
const (
	Repeated Problem = "repeated" // given more than once
	Unknown  Problem = "unknown"  // not a value Haven knows (a topic, a kind, true or false)
	BadText  Problem = "bad_text" // not UTF-8, or with control characters
	TooLong  Problem = "too_long" // more than MaxQueryRunes characters
)

// ParamError names the first parameter that was refused, and why.
type ParamError struct {
	Param   string
	Problem Problem
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("search: parameter %s: %s", e.Param, e.Problem)
}

// Options change how values are read.
type Options struct {
	// EmptyIsAny reads an empty value as "any", as an HTML form with
	// nothing chosen sends it; without it an empty topic, kind or
	// law_enforcement is Unknown.
	EmptyIsAny bool
}

// ParseFilter reads the filter parameters of q: topic (one knownTopic
// accepts), kind (one of directory.Kinds), law_enforcement ("true" or
// "false") and q (text, trimmed). Other parameters are left alone, for the
// caller to check. The error is a *ParamError.
func ParseFilter(q url.Values, knownTopic func(slug string) bool, o Options) (store.ServiceFilter, error) {
	var f store.ServiceFilter
	for _, name := range params {
		if len(q[name]) > 1 {
			return f, &ParamError{name, Repeated}
		}
	}
	given := func(name string) (string, bool) {
		v, ok := q[name]
		if !ok || (o.EmptyIsAny && v[0] == "") {
			return "", false
		}
		return v[0], true
	}
	if t, ok := given(ParamTopic); ok {
		if !knownTopic(t) {
			return f, &ParamError{ParamTopic, Unknown}
		}
		f.Topic = t
	}
	if k, ok := given(ParamKind); ok {
		if !slices.Contains(directory.Kinds, k) {
			return f, &ParamError{ParamKind, Unknown}
		}
		f.Kind = k
	}
	if v, ok := given(ParamLawEnforcement); ok {
		var b bool
		switch v {
		case "true":
			b = true
		case "false":
		default:
			return f, &ParamError{ParamLawEnforcement, Unknown}
		}
		f.LawEnforcement = &b
	}
	if s, ok := q[ParamQuery]; ok {
		text := strings.TrimSpace(s[0])
		if p := checkText(text); p != "" {
			return f, &ParamError{ParamQuery, p}
		}
		f.Query = text
	}
	return f, nil
}

// checkText accepts the text a person types in a search box: valid UTF-8,
// no control characters, at most MaxQueryRunes.
func checkText(s string) Problem {
	if !utf8.ValidString(s) {
		return BadText
	}
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		return TooLong
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return BadText
	}
	return ""
}
