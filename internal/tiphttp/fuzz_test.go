package tiphttp

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/intake/intaketest"
)

// readMultipart runs ReadMultipart on body with the fuzz boundary, the
// body limited as the API limits it.
func readMultipart(body []byte, limit int64) (intake.Submission, error) {
	r := httptest.NewRequest("POST", "/api/v1/tips", bytes.NewReader(body))
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+intaketest.FuzzBoundary)
	w := httptest.NewRecorder()
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return ReadMultipart(r)
}

// FuzzReadMultipart: ReadMultipart never panics, refuses with a
// *intake.FieldError only, keeps to the limits on files, drops the contact when
// the tipster chose to be answered only through the receipt, and reads a
// body the same way twice.
func FuzzReadMultipart(f *testing.F) {
	f.Add(intaketest.FormBody([][2]string{{"token", "t"}, {"what_happened", "x"}}))
	f.Add(intaketest.FormBody([][2]string{
		{"token", "t"}, {"pow", "1"}, {"language", "en"}, {"what_happened", "x"}, {"where", "w"}, {"when", ""},
		{"people_count", " 7 "}, {"danger", "yes"}, {"minors_involved", "unsure"}, {"kind", "sex"},
		{"reply", "receipt"}, {"reply_contact", "c"},
	}, intake.File{Name: "a.jpg", Type: "image/jpeg", Data: []byte("\xff\xd8\xff\xe1")}, intake.File{Name: "", Data: nil}))
	f.Add(intaketest.FormBody([][2]string{{"what_happened", "x"}, {"what_happened", "y"}}))
	f.Add(intaketest.FormBody([][2]string{{"people_count", "x"}, {"danger", "maybe"}, {"reply", "mail"}, {"other", ""}}))
	f.Add(intaketest.FormBody(nil, intake.File{Name: "1"}, intake.File{Name: "2"}, intake.File{Name: "3"}, intake.File{Name: "4"}, intake.File{Name: "5"}, intake.File{Name: "6"}))
	f.Add([]byte("--" + intaketest.FuzzBoundary + "\r\nContent-Disposition: form-data; name=\"what_happened\"\r\n\r\nx"))
	f.Add([]byte("--" + intaketest.FuzzBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + intaketest.FuzzBoundary + "--\r\n"))
	f.Add([]byte("garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		const limit = 1 << 20
		sub, err := readMultipart(body, limit)
		if err != nil {
			fe := intaketest.CheckFieldError(t, err, true)
			if fe.Field == "body" && fe.Code == intake.CodeTooBig && len(body) <= limit {
				t.Fatalf("a body of %d bytes is too big", len(body))
			}
			return
		}
		if len(sub.Tip.Files) > intake.MaxFiles {
			t.Fatalf("%d files read", len(sub.Tip.Files))
		}
		for _, file := range sub.Tip.Files {
			if len(file.Data) > intake.MaxFileBytes || file.Type == "" || strings.ContainsAny(file.Type, " ;") {
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
		intaketest.CheckValid(t, sub.Tip)
	})
}

// TestReadMultipartRoundTrip: what a form sends is what ReadMultipart
// reads, files in order and empty file inputs skipped.
func TestReadMultipartRoundTrip(t *testing.T) {
	files := []intake.File{
		{Name: "a.png", Type: "image/png", Data: []byte("png")},
		{Name: "", Type: "application/octet-stream", Data: nil},
		{Name: "b.txt", Type: "text/plain", Data: []byte("b")},
	}
	sub, err := readMultipart(intaketest.FormBody([][2]string{
		{"token", "tok"}, {"pow", "42"}, {"what_happened", "what"}, {"where", "where"}, {"when", "when"},
		{"people_count", "5"}, {"danger", "true"}, {"minors_involved", "no"}, {"kind", "both"},
		{"reply", "contact"}, {"reply_contact", "call"}, {"language", "fr"},
	}, files...), intake.MaxMultipartBytes)
	if err != nil {
		t.Fatal(err)
	}
	five, yes := 5, true
	want := intake.Submission{Token: "tok", Pow: "42", Reply: "contact", Tip: intake.Tip{
		WhatHappened: "what", Where: "where", When: "when", PeopleCount: &five, Danger: &yes,
		MinorsInvolved: "no", Kind: "both", ReplyContact: "call", Language: "fr",
		Files: []intake.File{files[0], files[2]},
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
	if _, err := ReadMultipart(r); intaketest.CheckFieldError(t, err, false).Field != "body" {
		t.Errorf("a JSON request: %v", err)
	}
	// Past the body limit: body too_big, with the limit.
	_, err = readMultipart(intaketest.FormBody([][2]string{{"what_happened", strings.Repeat("x", 2000)}}), 1000)
	if fe := intaketest.CheckFieldError(t, err, false); fe.Field != "body" || fe.Code != intake.CodeTooBig || fe.Max != 1000 {
		t.Errorf("past the limit: %+v", fe)
	}
	// At most maxParts parts, even empty file inputs.
	empty := slices.Repeat([]intake.File{{}}, maxParts+1)
	_, err = readMultipart(intaketest.FormBody([][2]string{{"what_happened", "x"}}, empty...), 1<<20)
	if fe := intaketest.CheckFieldError(t, err, false); fe.Field != "body" || fe.Code != intake.CodeTooMany {
		t.Errorf("too many parts: %+v", fe)
	}
}
