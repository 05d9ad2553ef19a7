// Package strictjson decodes JSON request bodies strictly, so that a body
// means one thing to Haven and the same thing to anything else that reads
// it. On its own, encoding/json replaces invalid UTF-8 (and unpaired
// surrogate escapes such as "\ud800") with U+FFFD, lets the last of two
// members of the same name win, and matches member names to struct fields
// without regard to case; Decode refuses all of these, naming the member at
// fault.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is what is wrong with a body.
type Problem int

// The problems Decode reports.
const (
	// Syntax: the body is not one JSON value, or has more after it.
	Syntax Problem = iota + 1
	// InvalidUTF8: a string or member name holds bytes that are not UTF-8,
	// or a surrogate escape (\uD800–\uDFFF) that is not one of a pair.
	InvalidUTF8
	// Duplicate: an object names the same member twice.
	Duplicate
	// Unknown: a member the struct decoded into has no field for, exactly
	// as named (a name that differs only in case is unknown too).
	Unknown
	// Type: a value is not of the type of its field.
	Type
)

// String says what the problem is, after the name of the member at fault.
func (p Problem) String() string {
	switch p {
	case Syntax:
		return "is not one JSON value"
	case InvalidUTF8:
		return "is not valid UTF-8"
	case Duplicate:
		return "is given more than once"
	case Unknown:
		return "is not a known field"
	case Type:
		return "has the wrong type"
	}
	return "is invalid"
}

// Error is a body Decode refused.
type Error struct {
	// Field is the member at fault: its name, or for a member of a nested
	// object or array the names and indexes leading to it joined with
	// dots ("a.0.b"). Bytes of a name that are not UTF-8 are replaced with
	// U+FFFD. It is "" when the body as a whole is at fault, as it is for
	// every Syntax problem.
	Field   string
	Problem Problem
	// Err is the encoding/json error behind a Syntax or Type problem, or nil.
	Err error
}

func (e *Error) Error() string {
	what := e.Field
	if what == "" {
		what = "the body"
	}
	msg := "json: " + what + " " + e.Problem.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Decode decodes the JSON body into v, a non-nil pointer, strictly: body
// must be exactly one JSON value, every string and member name valid
// UTF-8, no object may name a member twice, and each member of the object
// decoded into a struct must be one of the struct's fields, named exactly
// as its json tag (or Go name) says. Every refusal is an *Error.
func Decode(body []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictjson: Decode into %T, not a non-nil pointer", v)
	}
	if err := check(body, rv.Type().Elem()); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

// decodeError turns an encoding/json error into an *Error. check has
// already refused every syntax error Decode could meet, but Decode's own
// reading of the body is not relied on to agree.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &Error{Field: te.Field, Problem: Type, Err: err}
	}
	// encoding/json reports an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return &Error{Field: strings.TrimSuffix(name, `"`), Problem: Unknown}
	}
	return &Error{Problem: Syntax, Err: err}
}

// Types that decode themselves take what members they like.
var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fields returns the fields of struct type t (or of what t points to) by
// JSON name, with their types; nil when t is not a struct, or decodes
// itself.
func fields(t reflect.Type) map[string]reflect.Type {
	t = deref(t)
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		return nil
	}
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		if !f.IsExported() || f.Anonymous && deref(f.Type).Kind() == reflect.Struct && tag == "" {
			continue // unexported, or embedded: its fields are listed themselves
		}
		name, _, _ := strings.Cut(tag, ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// elem is the type of the values inside a value of type t: a struct's
// member name (by fields), a map's or an array's elements; nil when not
// known.
func elem(t reflect.Type, fields map[string]reflect.Type, name string) reflect.Type {
	t = deref(t)
	switch {
	case fields != nil:
		return fields[name]
	case t == nil:
		return nil
	case t.Kind() == reflect.Map, t.Kind() == reflect.Slice, t.Kind() == reflect.Array:
		return t.Elem()
	}
	return nil
}

// level is an object or array check is inside.
type level struct {
	typ     reflect.Type            // what it is decoded into; nil when not known
	fields  map[string]reflect.Type // the members allowed, when typ is a struct
	object  bool
	names   map[string]bool // the members named so far, for an object
	key     string          // the member whose value comes next, for an object
	wantKey bool            // an object's next token is a member name or its end
	index   int             // the element that comes next, for an array
}

// check walks the tokens of body and refuses what encoding/json would let
// pass or read leniently: more than one value, strings that are not UTF-8,
// repeated member names and members of an object decoded into a struct that
// are not exactly the name of one of its fields. t is the type the body is
// decoded into.
func check(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // no number is refused here for being too large for a float64
	var stack []*level
	done := false // the top-level value is complete
	var start int64
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !done {
				return &Error{Problem: Syntax, Err: io.ErrUnexpectedEOF}
			}
			return nil
		}
		if err != nil {
			return &Error{Problem: Syntax, Err: err}
		}
		raw := body[start:dec.InputOffset()] // the token and the separators before it
		start = dec.InputOffset()
		if done {
			return &Error{Problem: Syntax, Err: errors.New("more after the JSON value")}
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				done = valueDone(stack)
				continue
			}
			name := tok.(string) // the decoder allows nothing else here
			switch {
			case !validString(raw):
				return &Error{Field: path(stack, name), Problem: InvalidUTF8}
			case top.names[name]:
				return &Error{Field: path(stack, name), Problem: Duplicate}
			case top.fields != nil && top.fields[name] == nil:
				return &Error{Field: path(stack, name), Problem: Unknown}
			}
			top.names[name] = true
			top.key, top.wantKey = name, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			vt := t // the top-level value
			if top != nil {
				vt = elem(top.typ, top.fields, top.key)
			}
			l := &level{typ: vt}
			if tok == json.Delim('{') {
				l.object, l.names, l.wantKey, l.fields = true, map[string]bool{}, true, fields(vt)
			}
			stack = append(stack, l)
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done = valueDone(stack)
			continue
		}
		if _, ok := tok.(string); ok && !validString(raw) {
			return &Error{Field: path(stack, ""), Problem: InvalidUTF8}
		}
		done = valueDone(stack)
	}
}

// valueDone records that a value inside the innermost level of stack has
// ended, and reports whether it was the top-level value.
func valueDone(stack []*level) bool {
	if len(stack) == 0 {
		return true
	}
	top := stack[len(stack)-1]
	if top.object {
		top.wantKey = true
	} else {
		top.index++
	}
	return false
}

// path names the value that comes next in stack, or the member name when
// it is not "" and an object's member name is what comes next.
func path(stack []*level, name string) string {
	var parts []string
	for i, l := range stack {
		switch {
		case !l.object:
			parts = append(parts, strconv.Itoa(l.index))
		case i == len(stack)-1 && l.wantKey:
			if name != "" {
				parts = append(parts, name)
			}
		default:
			parts = append(parts, l.key)
		}
	}
	return strings.ToValidUTF8(strings.Join(parts, "."), "\uFFFD")
}

// validString reports whether raw, a JSON string token as it is in the
// body (with its quotes, and perhaps the separators before it), is valid
// UTF-8 and has every surrogate escape in a pair: a high one
// (\uD800–\uDBFF) followed at once by a low one (\uDC00–\uDFFF).
// encoding/json has checked the token's syntax already.
func validString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case 0xDC00 <= r && r <= 0xDFFF:
			return false
		case 0xD800 <= r && r <= 0xDBFF:
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return false
			}
			if lo := hex4(raw[i+3 : i+7]); lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

// hex4 decodes the four hexadecimal digits of a \u escape; -1 if they are
// not.
func hex4(b []byte) rune {
	n, err := strconv.ParseUint(string(b), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}
