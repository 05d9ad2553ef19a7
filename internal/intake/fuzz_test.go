package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fieldNames are the fields a FieldError may name, besides "body" and
// unknown form fields.
var fieldNames = []string{
	FieldToken, FieldPow, FieldWhat, FieldWhere, FieldWhen, FieldPeople, FieldMinors, FieldKind,
	FieldDanger, FieldReply, FieldLanguage, FieldAttachments, "reply", "body",
}

var fieldCodes = []Code{
	CodeRequired, CodeTooLong, CodeTooLongBytes, CodeInvalid, CodeUnknown, CodeDuplicate, CodeNotUTF8, CodeUnnamedPart,
	CodeTooMany, CodeTooBig, CodeBadImage,
}

// checkFieldError checks that err is a *FieldError with a known code and,
// unless unknownOK, a known field.
func checkFieldError(t *testing.T, err error, unknownOK bool) *FieldError {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if !slices.Contains(fieldCodes, fe.Code) {
		t.Fatalf("FieldError code %q", fe.Code)
	}
	if fe.Code == CodeUnknown && !unknownOK {
		t.Fatalf("unknown field %q", fe.Field)
	}
	// A member name that is not UTF-8 is named as sent, its bad bytes replaced.
	if fe.Code != CodeUnknown && !slices.Contains(fieldNames, fe.Field) && !(fe.Code == CodeNotUTF8 && unknownOK && utf8.ValidString(fe.Field)) {
		t.Fatalf("FieldError names the field %q", fe.Field)
	}
	if fe.Error() == "" {
		t.Fatal("FieldError without a message")
	}
	return fe
}

// checkValid checks what Validate says of a tip that was read: nil only
// for a tip within every limit, the same answer a second time, and a tip
// it accepted left as it was.
func checkValid(t *testing.T, tip Tip) {
	t.Helper()
	fe := tip.Validate()
	again := tip
	fe2 := again.Validate()
	if (fe == nil) != (fe2 == nil) || (fe != nil && *fe != *fe2) {
		t.Fatalf("Validate is not stable: %v, then %v", fe, fe2)
	}
	if fe != nil {
		checkFieldError(t, fe, false)
		return
	}
	if !reflect.DeepEqual(tip, again) {
		t.Fatalf("Validate changed a valid tip: %+v, then %+v", tip, again)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{FieldWhat, tip.WhatHappened, MaxWhatRunes}, {FieldWhere, tip.Where, MaxFieldRunes},
		{FieldWhen, tip.When, MaxFieldRunes}, {FieldReply, tip.ReplyContact, MaxFieldRunes}, {FieldLanguage, tip.Language, 35},
	} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > f.max || strings.TrimSpace(f.v) != f.v {
			t.Fatalf("valid tip with %s %q", f.name, f.v)
		}
	}
	switch {
	case tip.WhatHappened == "":
		t.Fatal("valid tip without what_happened")
	case tip.PeopleCount != nil && (*tip.PeopleCount < 0 || *tip.PeopleCount > MaxPeople):
		t.Fatalf("valid tip with people_count %d", *tip.PeopleCount)
	case tip.MinorsInvolved != "" && !slices.Contains(Minors, tip.MinorsInvolved):
		t.Fatalf("valid tip with minors_involved %q", tip.MinorsInvolved)
	case tip.Kind != "" && !slices.Contains(Kinds, tip.Kind):
		t.Fatalf("valid tip with kind %q", tip.Kind)
	case len(tip.Files) > MaxFiles:
		t.Fatalf("valid tip with %d files", len(tip.Files))
	}
	for _, f := range tip.Files {
		if len(f.Data) > MaxFileBytes {
			t.Fatalf("valid tip with a file of %d bytes", len(f.Data))
		}
	}
}

// FuzzReadJSON: ReadJSON never panics, refuses with a *FieldError only,
// and what it accepts reads back the same when encoded again.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{
		`{"token":"t","what_happened":"x"}`,
		`{"token":"t","pow":"12","what_happened":" x ","where":"w","when":"n","people_count":3,"minors_involved":"no","kind":"labor","danger":true,"reply_contact":"r","language":"en"}`,
		`{"what_happened":null,"people_count":null}`,
		`{"people_count":1.5}`, `{"people_count":-1}`, `{"danger":"yes"}`, `{"x":1}`, `{"what_happened":"a"}{}`,
		`[]`, `null`, ``, `{`, `"\ud800"`, `{"what_happened":"\u0000\ud800"}`, `{"WHAT_HAPPENED":"x"}`,
		`{"what_happened":"x","what_happened":"y"}`, `{"people_count":1e3}`, `{"people_count":99999999999999999999}`,
		"{\"what_happened\":\"\xff\"}", `{"what_happened":"\udc00"}`, `{"what_happened":"x","What_happened":"y"}`,
		`{"danger":null,"danger":true}`, "{\"wh\xffat\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := ReadJSON(body)
		if err != nil {
			checkFieldError(t, err, true)
			return
		}
		if len(sub.Tip.Files) != 0 || sub.Reply != "" {
			t.Fatalf("a JSON tip with files or a reply choice: %v", sub)
		}
		again, err := ReadJSON(body)
		if err != nil || !reflect.DeepEqual(sub, again) {
			t.Fatalf("ReadJSON is not deterministic: %+v, then %+v (%v)", sub, again, err)
		}
		// Encoded again, the submission reads back the same.
		out := map[string]any{}
		for k, v := range map[string]string{
			FieldToken: sub.Token, FieldPow: sub.Pow, FieldWhat: sub.Tip.WhatHappened, FieldWhere: sub.Tip.Where,
			FieldWhen: sub.Tip.When, FieldMinors: sub.Tip.MinorsInvolved, FieldKind: sub.Tip.Kind,
			FieldReply: sub.Tip.ReplyContact, FieldLanguage: sub.Tip.Language,
		} {
			if v != "" {
				out[k] = v
			}
		}
		if sub.Tip.PeopleCount != nil {
			out[FieldPeople] = *sub.Tip.PeopleCount
		}
		if sub.Tip.Danger != nil {
			out[FieldDanger] = *sub.Tip.Danger
		}
		enc, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(enc)
		if err != nil || !reflect.DeepEqual(sub, back) {
			t.Fatalf("%s reads back as %+v (%v), want %+v", enc, back, err, sub)
		}
		checkValid(t, sub.Tip)
	})
}

const fuzzBoundary = "fuzzboundary"

// readMultipart runs ReadMultipart on body with the fuzz boundary, the
// body limited as the API limits it.
func readMultipart(body []byte, limit int64) (Submission, error) {
	r := httptest.NewRequest("POST", "/api/v1/tips", bytes.NewReader(body))
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
	w := httptest.NewRecorder()
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return ReadMultipart(r)
}

// formBody builds a multipart body: text fields, then files.
func formBody(fields [][2]string, files ...File) []byte {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.SetBoundary(fuzzBoundary)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.Name))
		if f.Type != "" {
			h.Set("Content-Type", f.Type)
		}
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(f.Data)
	}
	_ = mw.Close()
	return buf.Bytes()
}

// FuzzReadMultipart: ReadMultipart never panics, refuses with a
// *FieldError only, keeps to the limits on files, drops the contact when
// the tipster chose to be answered only through the receipt, and reads a
// body the same way twice.
func FuzzReadMultipart(f *testing.F) {
	f.Add(formBody([][2]string{{"token", "t"}, {"what_happened", "x"}}))
	f.Add(formBody([][2]string{
		{"token", "t"}, {"pow", "1"}, {"language", "en"}, {"what_happened", "x"}, {"where", "w"}, {"when", ""},
		{"people_count", " 7 "}, {"danger", "yes"}, {"minors_involved", "unsure"}, {"kind", "sex"},
		{"reply", "receipt"}, {"reply_contact", "c"},
	}, File{Name: "a.jpg", Type: "image/jpeg", Data: []byte("\xff\xd8\xff\xe1")}, File{Name: "", Data: nil}))
	f.Add(formBody([][2]string{{"what_happened", "x"}, {"what_happened", "y"}}))
	f.Add(formBody([][2]string{{"people_count", "x"}, {"danger", "maybe"}, {"reply", "mail"}, {"other", ""}}))
	f.Add(formBody(nil, File{Name: "1"}, File{Name: "2"}, File{Name: "3"}, File{Name: "4"}, File{Name: "5"}, File{Name: "6"}))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"what_happened\"\r\n\r\nx"))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + fuzzBoundary + "--\r\n"))
	f.Add([]byte("garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		const limit = 1 << 20
		sub, err := readMultipart(body, limit)
		if err != nil {
			fe := checkFieldError(t, err, true)
			if fe.Field == "body" && fe.Code == CodeTooBig && len(body) <= limit {
				t.Fatalf("a body of %d bytes is too big", len(body))
			}
			return
		}
		if len(sub.Tip.Files) > MaxFiles {
			t.Fatalf("%d files read", len(sub.Tip.Files))
		}
		for _, file := range sub.Tip.Files {
			if len(file.Data) > MaxFileBytes || file.Type == "" || strings.ContainsAny(file.Type, " ;") {
				t.Fatalf("file %q of %d bytes, type %q", file.Name, len(file.Data), file.Type)
			}
		}
		if sub.Reply != "" && sub.Reply != "receipt" && sub.Reply != "contact" {
			t.Fatalf("reply %q", sub.Reply)
		}
		if sub.Reply == "receipt" && sub.Tip.ReplyContact != "" {
			t.Fatal("reply=receipt kept a contact")
		}
		if s, want := sub.String(), fmt.Sprintf("tip submission (%d files)", len(sub.Tip.Files)); s != want {
			t.Fatalf("String() = %q, want %q: it must tell nothing of the content", s, want)
		}
		again, err := readMultipart(body, limit)
		if err != nil || !reflect.DeepEqual(sub, again) {
			t.Fatalf("ReadMultipart is not deterministic: %+v, then %+v (%v)", sub, again, err)
		}
		checkValid(t, sub.Tip)
	})
}

// TestReadMultipartRoundTrip: what a form sends is what ReadMultipart
// reads, files in order and empty file inputs skipped.
func TestReadMultipartRoundTrip(t *testing.T) {
	files := []File{
		{Name: "a.png", Type: "image/png", Data: []byte("png")},
		{Name: "", Type: "application/octet-stream", Data: nil},
		{Name: "b.txt", Type: "text/plain", Data: []byte("b")},
	}
	sub, err := readMultipart(formBody([][2]string{
		{"token", "tok"}, {"pow", "42"}, {"what_happened", "what"}, {"where", "where"}, {"when", "when"},
		{"people_count", "5"}, {"danger", "true"}, {"minors_involved", "no"}, {"kind", "both"},
		{"reply", "contact"}, {"reply_contact", "call"}, {"language", "fr"},
	}, files...), MaxMultipartBytes)
	if err != nil {
		t.Fatal(err)
	}
	five, yes := 5, true
	want := Submission{Token: "tok", Pow: "42", Reply: "contact", Tip: Tip{
		WhatHappened: "what", Where: "where", When: "when", PeopleCount: &five, Danger: &yes,
		MinorsInvolved: "no", Kind: "both", ReplyContact: "call", Language: "fr",
		Files: []File{files[0], files[2]},
	}}
	if !reflect.DeepEqual(sub, want) {
		t.Errorf("read %+v\nwant %+v", sub, want)
	}
	if s := sub.String(); s != "tip submission (2 files)" {
		t.Errorf("String() = %q", s)
	}
	// A request that is not multipart.
	r := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	if _, err := ReadMultipart(r); checkFieldError(t, err, false).Field != "body" {
		t.Errorf("a JSON request: %v", err)
	}
	// Past the body limit: body too_big, with the limit.
	_, err = readMultipart(formBody([][2]string{{"what_happened", strings.Repeat("x", 2000)}}), 1000)
	if fe := checkFieldError(t, err, false); fe.Field != "body" || fe.Code != CodeTooBig || fe.Max != 1000 {
		t.Errorf("past the limit: %+v", fe)
	}
	// At most maxParts parts, even empty file inputs.
	empty := slices.Repeat([]File{{}}, maxParts+1)
	_, err = readMultipart(formBody([][2]string{{"what_happened", "x"}}, empty...), 1<<20)
	if fe := checkFieldError(t, err, false); fe.Field != "body" || fe.Code != CodeTooMany {
		t.Errorf("too many parts: %+v", fe)
	}
}
