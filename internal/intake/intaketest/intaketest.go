// Package intaketest checks what the tip desk's readers return, for the
// tests of intake and of the HTTP side (tiphttp): every FieldError names a
// known field and code, and a tip Validate accepts is within every limit.
// Only tests import it.
package intaketest

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/haven-project/haven/internal/intake"
)

// FieldNames are the fields a intake.FieldError may name, besides "body" and
// unknown form fields.
var FieldNames = []string{
	intake.FieldToken, intake.FieldPow, intake.FieldWhat, intake.FieldWhere, intake.FieldWhen, intake.FieldPeople, intake.FieldMinors, intake.FieldKind,
	intake.FieldDanger, intake.FieldReply, intake.FieldLanguage, intake.FieldAttachments, "reply", "body",
}

var FieldCodes = []intake.Code{
	intake.CodeRequired, intake.CodeTooLong, intake.CodeTooLongBytes, intake.CodeInvalid, intake.CodeUnknown, intake.CodeDuplicate, intake.CodeNotUTF8, intake.CodeUnnamedPart,
	intake.CodeTooMany, intake.CodeTooBig, intake.CodeBadImage,
}

// CheckFieldError checks that err is a *intake.FieldError with a known code and,
// unless unknownOK, a known field.
func CheckFieldError(t testing.TB, err error, unknownOK bool) *intake.FieldError {
	t.Helper()
	var fe *intake.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if !slices.Contains(FieldCodes, fe.Code) {
		t.Fatalf("FieldError code %q", fe.Code)
	}
	if fe.Code == intake.CodeUnknown && !unknownOK {
		t.Fatalf("unknown field %q", fe.Field)
	}
	// A member name that is not UTF-8 is named as sent, its bad bytes replaced.
	if fe.Code != intake.CodeUnknown && !slices.Contains(FieldNames, fe.Field) && !(fe.Code == intake.CodeNotUTF8 && unknownOK && utf8.ValidString(fe.Field)) {
		t.Fatalf("FieldError names the field %q", fe.Field)
	}
	if fe.Error() == "" {
		t.Fatal("FieldError without a message")
	}
	return fe
}

// CheckValid checks what Validate says of a tip that was read: nil only
// for a tip within every limit, the same answer a second time, and a tip
// it accepted left as it was.
func CheckValid(t testing.TB, tip intake.Tip) {
	t.Helper()
	fe := tip.Validate()
	again := tip
	fe2 := again.Validate()
	if (fe == nil) != (fe2 == nil) || (fe != nil && *fe != *fe2) {
		t.Fatalf("Validate is not stable: %v, then %v", fe, fe2)
	}
	if fe != nil {
		CheckFieldError(t, fe, false)
		return
	}
	if !reflect.DeepEqual(tip, again) {
		t.Fatalf("Validate changed a valid tip: %+v, then %+v", tip, again)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{intake.FieldWhat, tip.WhatHappened, intake.MaxWhatRunes}, {intake.FieldWhere, tip.Where, intake.MaxFieldRunes},
		{intake.FieldWhen, tip.When, intake.MaxFieldRunes}, {intake.FieldReply, tip.ReplyContact, intake.MaxFieldRunes}, {intake.FieldLanguage, tip.Language, 35},
	} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > f.max || strings.TrimSpace(f.v) != f.v {
			t.Fatalf("valid tip with %s %q", f.name, f.v)
		}
	}
	switch {
	case tip.WhatHappened == "":
		t.Fatal("valid tip without what_happened")
	case tip.PeopleCount != nil && (*tip.PeopleCount < 0 || *tip.PeopleCount > intake.MaxPeople):
		t.Fatalf("valid tip with people_count %d", *tip.PeopleCount)
	case tip.MinorsInvolved != "" && !slices.Contains(intake.Minors, tip.MinorsInvolved):
		t.Fatalf("valid tip with minors_involved %q", tip.MinorsInvolved)
	case tip.Kind != "" && !slices.Contains(intake.Kinds, tip.Kind):
		t.Fatalf("valid tip with kind %q", tip.Kind)
	case len(tip.Files) > intake.MaxFiles:
		t.Fatalf("valid tip with %d files", len(tip.Files))
	}
	for _, f := range tip.Files {
		if len(f.Data) > intake.MaxFileBytes {
			t.Fatalf("valid tip with a file of %d bytes", len(f.Data))
		}
	}
}

// FuzzBoundary is the boundary of FormBody's bodies.
const FuzzBoundary = "fuzzboundary"

// FormBody builds a multipart body: text fields, then files.
func FormBody(fields [][2]string, files ...intake.File) []byte {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.SetBoundary(FuzzBoundary)
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
