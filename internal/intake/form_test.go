package intake

import (
	"errors"
	"strings"
	"testing"
)

// ReadJSON refuses what encoding/json alone would let through: invalid
// UTF-8 (which it would replace with U+FFFD), a field given twice (the
// last would win) and a field name in other letter case; each names the
// field.
func TestReadJSONRefusesLenientJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		field      string
		code       Code
	}{
		{"invalid UTF-8", "{\"token\":\"t\",\"what_happened\":\"a\xffb\"}", FieldWhat, "not_utf8"},
		{"invalid UTF-8 in where", "{\"what_happened\":\"x\",\"where\":\"\xc3(\"}", FieldWhere, "not_utf8"},
		{"unpaired surrogate", `{"what_happened":"x \ud800 y"}`, FieldWhat, "not_utf8"},
		{"token twice", `{"token":"a","what_happened":"x","token":"b"}`, FieldToken, "duplicate"},
		{"danger twice", `{"what_happened":"x","danger":false,"danger":true}`, FieldDanger, "duplicate"},
		{"null then a value", `{"what_happened":null,"what_happened":"x"}`, FieldWhat, "duplicate"},
		{"name in capitals", `{"what_happened":"x","Danger":true}`, "Danger", "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadJSON([]byte(tc.body))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || fe.Code != tc.code {
				t.Fatalf("ReadJSON(%q) = %v, want field %q code %q", tc.body, err, tc.field, tc.code)
			}
			if !strings.HasPrefix(fe.Error(), tc.field+" ") {
				t.Errorf("message %q does not name the field", fe.Error())
			}
		})
	}
	// Characters outside the BMP, escaped as a surrogate pair, are fine.
	sub, err := ReadJSON([]byte(`{"what_happened":"\ud83d\ude00 ok"}`))
	if err != nil || sub.Tip.WhatHappened != "😀 ok" {
		t.Errorf("a surrogate pair: %q, %v", sub.Tip.WhatHappened, err)
	}
}
