package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestJSONBodiesStrict: every JSON body the API reads refuses invalid
// UTF-8 (encoding/json alone would put U+FFFD in its place) and a field
// given twice (the last would win), with a 400 that names the field.
func TestJSONBodiesStrict(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	route := newRouteFixture(t, testNow)
	const rc = `"1234 5678 9012 3456 7890 1234 5678"`
	for _, tc := range []struct {
		name, path, body, param string
	}{
		{"route: invalid UTF-8", "/api/v1/route", "{\"role\":\"se\xfflf\"}", "role"},
		{"route: unpaired surrogate", "/api/v1/route", `{"lang":"e\udc00s"}`, "lang"},
		{"route: danger twice", "/api/v1/route", `{"danger":false,"danger":true}`, "danger"},
		{"route: danger twice, in capitals", "/api/v1/route", `{"danger":false,"DANGER":true}`, "DANGER"},
		{"tip: invalid UTF-8", "/api/v1/tips", "{\"token\":\"t\",\"what_happened\":\"a\xc3\"}", "what_happened"},
		{"tip: unpaired surrogate", "/api/v1/tips", `{"token":"t","what_happened":"\ud83d!"}`, "what_happened"},
		{"tip: what_happened twice", "/api/v1/tips", `{"token":"t","what_happened":"x","what_happened":"y"}`, "what_happened"},
		{"status: invalid UTF-8", "/api/v1/tips/status", "{\"receipt\":\"12\xff\"}", "receipt"},
		{"status: receipt twice", "/api/v1/tips/status", `{"receipt":"1","receipt":` + rc + `}`, "receipt"},
		{"message: invalid UTF-8", "/api/v1/tips/messages", "{\"receipt\":" + rc + ",\"message\":\"\xe2\x82\"}", "message"},
		{"message: message twice", "/api/v1/tips/messages", `{"receipt":` + rc + `,"message":"a","message":"b"}`, "message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w = post(t, route.mux, tc.path, "application/json", tc.body)
			if tc.path != "/api/v1/route" {
				w = e.postJSON(t, tc.path, tc.body)
			}
			wantError(t, w, http.StatusBadRequest, "invalid_parameter", tc.param)
			if msg := decode[gotError](t, w).Error.Message; strings.Contains(msg, "\uFFFD") && !strings.Contains(tc.param, "\uFFFD") {
				t.Errorf("message %q", msg)
			}
		})
	}
	if n := e.tipCount(t); n != 0 {
		t.Errorf("%d tips stored", n)
	}
}

// TestMultipartProblemsNamed: a part that names no field is named as such,
// and a text part's limit is given in bytes, as it is counted.
func TestMultipartProblemsNamed(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	const b = "xyz"
	body := "--" + b + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + b + "--\r\n"
	w := e.send(t, request{method: "POST", path: "/api/v1/tips", body: strings.NewReader(body), contentType: "multipart/form-data; boundary=" + b})
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "body")
	if msg := decode[gotError](t, w).Error.Message; !strings.Contains(msg, "a part without a Content-Disposition header") {
		t.Errorf("a part without Content-Disposition: message %q", msg)
	}

	w = e.postForm(t, [][2]string{{"token", e.token(t)}, {"what_happened", strings.Repeat("a", 128<<10+1)}})
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "what_happened")
	if msg := decode[gotError](t, w).Error.Message; !strings.Contains(msg, "131072 bytes") || strings.Contains(msg, "characters") {
		t.Errorf("a text part over its limit: message %q, want the limit in bytes", msg)
	}
}
