package tiphttp

import (
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/intake/intaketest"
)

// A multipart part that names no field, and a text part over its limit in
// bytes, are refused with messages that say so.
func TestReadMultipartNamesTheProblem(t *testing.T) {
	unnamed := "--" + intaketest.FuzzBoundary + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + intaketest.FuzzBoundary + "--\r\n"
	notForm := "--" + intaketest.FuzzBoundary + "\r\nContent-Disposition: attachment\r\n\r\nhello\r\n--" + intaketest.FuzzBoundary + "--\r\n"
	for name, body := range map[string]string{"no Content-Disposition": unnamed, "no form-data name": notForm} {
		_, err := readMultipart([]byte(body), 1<<20)
		fe := intaketest.CheckFieldError(t, err, false)
		if fe.Field != "body" || fe.Code != intake.CodeUnnamedPart || !strings.Contains(fe.Error(), "a part without a Content-Disposition header") {
			t.Errorf("%s: %+v: %q", name, fe, fe.Error())
		}
	}

	_, err := readMultipart(intaketest.FormBody([][2]string{{intake.FieldWhere, strings.Repeat("é", MaxPartBytes/2+1)}}), 1<<20)
	fe := intaketest.CheckFieldError(t, err, false)
	if fe.Field != intake.FieldWhere || fe.Code != intake.CodeTooLongBytes || fe.Max != MaxPartBytes {
		t.Fatalf("a long part: %+v", fe)
	}
	if msg := fe.Error(); !strings.Contains(msg, "131072 bytes") || strings.Contains(msg, "characters") {
		t.Errorf("a long part: %q, want its limit in bytes", msg)
	}
}
