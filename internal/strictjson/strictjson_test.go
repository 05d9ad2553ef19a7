package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// body is a struct like the request bodies Haven decodes.
type body struct {
	Name   *string  `json:"name"`
	Count  int      `json:"count"`
	Flag   bool     `json:"flag,omitempty"`
	List   []string `json:"list"`
	Nested struct {
		Inner string `json:"inner"`
	} `json:"nested"`
	Skipped string `json:"-"`
	Plain   string
}

func TestDecode(t *testing.T) {
	t.Parallel()
	var b body
	in := `{"name":"Zoë \ud83d\ude00","count":3,"flag":true,"list":["a","b"],"nested":{"inner":"x"},"Plain":"p"}`
	if err := Decode([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if b.Name == nil || *b.Name != "Zoë 😀" || b.Count != 3 || !b.Flag || len(b.List) != 2 || b.Nested.Inner != "x" || b.Plain != "p" {
		t.Errorf("decoded %+v", b)
	}
	// Whatever Decode accepts, encoding/json reads the same way.
	var want body
	if err := json.Unmarshal([]byte(in), &want); err != nil || !reflect.DeepEqual(b, want) {
		t.Errorf("encoding/json reads %+v (%v)", want, err)
	}
	for _, ok := range []string{`{}`, ` {"count": 1} `, `null`, `{"name":null}`, `{"name":"\u0000"}`, `{"name":"\uFFFD"}`, `{"list":[]}`} {
		if err := Decode([]byte(ok), new(body)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		field    string
		problem  Problem
	}{
		{"invalid UTF-8 in a value", "{\"name\":\"a\xffb\"}", "name", InvalidUTF8},
		{"invalid UTF-8 in a later value", "{\"count\":1,\"name\":\"\xc3\"}", "name", InvalidUTF8},
		{"invalid UTF-8 in an array", "{\"list\":[\"a\",\"\xed\xa0\x80\"]}", "list.1", InvalidUTF8},
		{"invalid UTF-8 nested", "{\"nested\":{\"inner\":\"\xfe\"}}", "nested.inner", InvalidUTF8},
		{"invalid UTF-8 in a name", "{\"na\xffme\":\"x\"}", "na\uFFFDme", InvalidUTF8},
		{"lone high surrogate", `{"name":"\ud800"}`, "name", InvalidUTF8},
		{"high surrogate then text", `{"name":"\ud83dxx"}`, "name", InvalidUTF8},
		{"two high surrogates", `{"name":"\ud83d\ud83d"}`, "name", InvalidUTF8},
		{"lone low surrogate", `{"name":"a\uDC00"}`, "name", InvalidUTF8},
		{"surrogate in a name", `{"\ud800":1}`, "\uFFFD", InvalidUTF8},
		{"duplicate", `{"name":"a","name":"b"}`, "name", Duplicate},
		{"duplicate null", `{"name":null,"count":1,"name":"b"}`, "name", Duplicate},
		{"duplicate nested", `{"nested":{"inner":"a","inner":"b"}}`, "nested.inner", Duplicate},
		{"duplicate object", `{"nested":{},"nested":{}}`, "nested", Duplicate},
		{"name in capitals", `{"NAME":"a"}`, "NAME", Unknown},
		{"duplicate by case", `{"name":"a","Name":"b"}`, "Name", Unknown},
		{"unknown", `{"colour":"red"}`, "colour", Unknown},
		{"skipped field", `{"Skipped":"x"}`, "Skipped", Unknown},
		{"unknown nested", `{"nested":{"outer":1}}`, "nested.outer", Unknown},
		{"wrong type", `{"count":"3"}`, "count", Type},
		{"wrong type nested", `{"nested":{"inner":1}}`, "nested.inner", Type},
		{"an array", `[]`, "", Type},
		{"empty", ``, "", Syntax},
		{"spaces", `  `, "", Syntax},
		{"cut short", `{"name":"a"`, "", Syntax},
		{"two objects", `{}{}`, "", Syntax},
		{"trailing garbage", `{} x`, "", Syntax},
		{"not JSON", `name=a`, "", Syntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode([]byte(tc.in), new(body))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) = %v, want an *Error", tc.in, err)
			}
			if e.Field != tc.field || e.Problem != tc.problem {
				t.Errorf("Decode(%q) = field %q, problem %d; want %q, %d", tc.in, e.Field, e.Problem, tc.field, tc.problem)
			}
			if !utf8.ValidString(e.Error()) {
				t.Errorf("message %q is not UTF-8", e.Error())
			}
		})
	}
	if err := Decode([]byte(`{}`), body{}); err == nil {
		t.Error("Decode into a struct, not a pointer: no error")
	}
}

// FuzzDecode: Decode never panics, refuses with an *Error only, accepts
// nothing that is not valid UTF-8 or that names a member twice, and reads
// what it accepts as encoding/json does.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","count":1,"flag":true,"list":["x"],"nested":{"inner":"y"},"Plain":""}`,
		`{"name":"\ud83d\ude00"}`, `{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"name":"a","name":"b"}`,
		`{"Name":"a"}`, `{"nested":{"inner":"a","inner":"b"}}`, `[{"a":1,"a":2}]`, `{} {}`, ``, `null`,
		`{"count":1e400}`, `{"list":[[[[]]]]}`, `"\\u"`, `{"a\\"b":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var got body
		err := Decode(in, &got)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Problem < Syntax || e.Problem > Type || !utf8.ValidString(e.Error()) {
				t.Fatalf("Decode(%q) = %v", in, err)
			}
			return
		}
		if !utf8.Valid(in) || bytes.Contains(bytes.ToLower(in), []byte(`\ud`)) && !pairedSurrogates(in) {
			t.Fatalf("Decode(%q) accepted text that is not UTF-8", in)
		}
		if names := topNames(in); len(names) != len(uniq(names)) {
			t.Fatalf("Decode(%q) accepted a member named twice: %q", in, names)
		}
		var want body
		if err := json.Unmarshal(in, &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) = %+v; encoding/json reads %+v (%v)", in, got, want, err)
		}
		// Encoded again, the value decodes the same.
		enc, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var again body
		if err := Decode(enc, &again); err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("%s decodes as %+v (%v), want %+v", enc, again, err, got)
		}
	})
}

// pairedSurrogates reports whether every surrogate in the JSON text in
// decodes to a real character, by decoding its strings one at a time:
// encoding/json turns an unpaired one into U+FFFD, which a valid text can
// hold only as itself, written out or as \ufffd.
func pairedSurrogates(in []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(in))
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		if s, ok := tok.(string); ok && bytes.ContainsRune([]byte(s), utf8.RuneError) &&
			!bytes.Contains(in, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(in), []byte(`\ufffd`)) {
			return false
		}
	}
}

// topNames returns the member names of the top-level object of the JSON
// text in, in order, repeats included.
func topNames(in []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(in))
	var names []string
	depth, wantKey := 0, false
	for {
		tok, err := dec.Token()
		if err != nil {
			return names
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			wantKey = depth == 1
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 1 {
			if s, ok := tok.(string); ok && wantKey {
				names = append(names, s)
				wantKey = false
				continue
			}
			wantKey = true
		}
	}
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}
