package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/tiphttp"

	"filippo.io/age"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/server"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/internal/testenv"
)

// The tip endpoints, end to end on a real SQLite store: every answer is
// also validated against openapi.json.

// clock is a settable clock for the guard's tokens and rate limits and the
// desk's store times.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// tipEnv is the API with a tip desk over the U.S. pack in SQLite, sealed to
// one operator and the recovery key.
type tipEnv struct {
	*fixture
	db       *sqlite.DB
	desk     *intake.Desk
	guard    *tiphttp.Gate
	secret   seal.Secret
	recovery *age.X25519Identity
	operator *age.X25519Identity
	clock    *clock
	v        *responseValidator
}

// tipOptions change newTipEnv's defaults: no minimum age, no proof of
// work, no rate limits, a recovery key.
type tipOptions struct {
	guard      intake.GuardConfig // Secret, Now and Store are filled in
	gate       tiphttp.Config
	noRecovery bool
	budget     intake.Budget
	log        *slog.Logger // the API's; nil discards
}

func newTipEnv(tb testing.TB, opt tipOptions) *tipEnv {
	tb.Helper()
	ctx := context.Background()
	db, p := testenv.USStore(tb)
	var secret seal.Secret
	copy(secret[:], randomBytes(tb, len(secret)))
	c := &clock{now: testNow}
	rec, err := seal.GenerateIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	op, err := seal.GenerateIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	if !opt.noRecovery {
		if err := db.SetRecoveryRecipient(ctx, rec.Recipient().String(), c.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.AddOperator(ctx, "ana", op.Recipient().String(), c.Now()); err != nil {
		tb.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: db, Secret: secret, Now: c.Now, Budget: opt.budget})
	if err != nil {
		tb.Fatal(err)
	}
	gc := opt.guard
	gc.Secret, gc.Now, gc.Store = secret, c.Now, db
	if gc.GlobalPerSecond == 0 {
		gc.GlobalPerSecond = -1
	}
	if gc.SourcePerMinute == 0 {
		gc.SourcePerMinute = -1
	}
	g, err := intake.NewGuard(gc)
	if err != nil {
		tb.Fatal(err)
	}
	guard := tiphttp.NewGate(g, opt.gate)
	a := New(Config{Store: db, Meta: p.Meta, Now: c.Now, Desk: desk, Guard: guard, Logger: opt.log})
	mux := route.NewMux(route.Config{})
	a.Register(mux)
	f := &fixture{pack: p, api: a, mux: mux}
	e := &tipEnv{fixture: f, db: db, desk: desk, guard: guard, secret: secret, clock: c}
	e.recovery, e.operator = rec, op
	e.v = newResponseValidator(tb, f)
	return e
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// request is one request to the API.
type request struct {
	method, path string
	body         io.Reader
	contentType  string
	remote       string // RemoteAddr; httptest's default when empty
}

// send serves req, checks the answer against openapi.json and that no tip
// answer may be cached.
func (e *tipEnv) send(tb testing.TB, req request) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(req.method, req.path, req.body)
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	if req.remote != "" {
		r.RemoteAddr = req.remote
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	e.v.validate(tb, req.method, strings.SplitN(req.path, "?", 2)[0], w)
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" && w.Code != http.StatusMethodNotAllowed {
		tb.Errorf("%s %s: Cache-Control = %q, want no-store", req.method, req.path, cc)
	}
	return w
}

func (e *tipEnv) postJSON(tb testing.TB, path string, body string) *httptest.ResponseRecorder {
	tb.Helper()
	return e.send(tb, request{method: "POST", path: path, body: strings.NewReader(body), contentType: "application/json"})
}

// token gets a form token through the API.
func (e *tipEnv) token(tb testing.TB) string {
	tb.Helper()
	w := e.send(tb, request{method: "GET", path: "/api/v1/tips/token"})
	if w.Code != http.StatusOK {
		tb.Fatalf("GET token: %d %s", w.Code, w.Body.Bytes())
	}
	got := decode[struct {
		Token   string `json:"token"`
		PowBits int    `json:"pow_bits"`
	}](tb, w)
	if got.Token == "" || got.PowBits != e.guard.PowBits() {
		tb.Fatalf("token answer %+v", got)
	}
	return got.Token
}

// jsonBody marshals fields into a JSON object.
func jsonBody(tb testing.TB, fields map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// formFile is one file part of a multipart body.
type formFile struct {
	name, contentType string
	data              []byte
}

// multipartBody writes text fields (name, value pairs, in order) and files.
func multipartBody(tb testing.TB, fields [][2]string, files ...formFile) (io.Reader, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		pw, err := mw.CreatePart(h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := pw.Write(f.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func (e *tipEnv) postForm(tb testing.TB, fields [][2]string, files ...formFile) *httptest.ResponseRecorder {
	tb.Helper()
	body, ct := multipartBody(tb, fields, files...)
	return e.send(tb, request{method: "POST", path: "/api/v1/tips", body: body, contentType: ct})
}

// wantError checks an error answer: status, code and parameter.
func wantError(tb testing.TB, w *httptest.ResponseRecorder, status int, code, param string) {
	tb.Helper()
	if w.Code != status {
		tb.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body.Bytes())
	}
	e := decode[gotError](tb, w)
	if e.Error.Code != code || e.Error.Parameter != param || e.Error.Message == "" {
		tb.Fatalf("error = %+v, want code %q, parameter %q and a message", e.Error, code, param)
	}
}

// receiptOf checks a 201 answer to a tip and returns its receipt.
func receiptOf(tb testing.TB, w *httptest.ResponseRecorder) seal.Receipt {
	tb.Helper()
	if w.Code != http.StatusCreated {
		tb.Fatalf("status = %d, want 201; body %s", w.Code, w.Body.Bytes())
	}
	got := decode[struct {
		Receipt string `json:"receipt"`
	}](tb, w)
	rc, err := seal.ParseReceipt(got.Receipt)
	if err != nil || rc.String() != got.Receipt {
		tb.Fatalf("receipt %q: %v", got.Receipt, err)
	}
	return rc
}

// tipCount is how many tips the store holds.
func (e *tipEnv) tipCount(tb testing.TB) int {
	tb.Helper()
	_, n, err := e.db.ListTips(context.Background(), store.TipFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// stored finds the tip of a receipt and opens it with the recovery key and
// with the operator's, which must agree.
func (e *tipEnv) stored(tb testing.TB, rc seal.Receipt) (store.Tip, intake.Sealed) {
	tb.Helper()
	t, err := e.db.TipByReceipt(context.Background(), e.secret.ReceiptHash(rc))
	if err != nil {
		tb.Fatalf("tip of the receipt: %v", err)
	}
	byRecovery, err := intake.OpenTip(t, e.recoveryID(tb))
	if err != nil {
		tb.Fatal(err)
	}
	byOperator, err := intake.OpenTip(t, e.operatorID(tb))
	if err != nil {
		tb.Fatal(err)
	}
	a, _ := json.Marshal(byRecovery)
	b, _ := json.Marshal(byOperator)
	if !bytes.Equal(a, b) {
		tb.Fatalf("the recovery key reads %s, the operator %s", a, b)
	}
	stranger, err := seal.GenerateIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := intake.OpenTip(t, stranger); err == nil {
		tb.Fatal("a key the tip was not sealed to opens it")
	}
	return t, byRecovery
}

// attachments opens the tip's attachments with the recovery key.
func (e *tipEnv) attachments(tb testing.TB, t store.Tip) [][]byte {
	tb.Helper()
	atts, err := e.db.Attachments(context.Background(), t.ID)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := intake.OpenTip(t, e.recoveryID(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if len(doc.Attachments) != len(atts) {
		tb.Fatalf("the tip lists %d attachments, the store holds %d", len(doc.Attachments), len(atts))
	}
	var out [][]byte
	for i, a := range atts {
		plain, err := intake.OpenAttachment(a, &doc.Attachments[i], e.recoveryID(tb))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := seal.Open(a.Sealed, e.operatorID(tb)); err != nil {
			tb.Fatalf("the operator cannot open attachment %d: %v", a.ID, err)
		}
		out = append(out, plain)
	}
	return out
}

func (e *tipEnv) recoveryID(testing.TB) age.Identity { return e.recovery }
func (e *tipEnv) operatorID(testing.TB) age.Identity { return e.operator }

func mustIdentity(tb testing.TB) *age.X25519Identity {
	tb.Helper()
	id, err := seal.GenerateIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestTipToken(t *testing.T) {
	e := newTipEnv(t, tipOptions{guard: intake.GuardConfig{PowBits: 6}})
	a, b := e.token(t), e.token(t)
	if a == b {
		t.Error("two tokens are the same")
	}
	w := e.send(t, request{method: "GET", path: "/api/v1/tips/token?x=1"})
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "x")
	for _, m := range []string{"POST", "DELETE"} {
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, httptest.NewRequest(m, "/api/v1/tips/token", nil))
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s token: %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
}

// TestTipsOff: a server without a desk answers every tip endpoint 501.
func TestTipsOff(t *testing.T) {
	f := newFixture(t, testNow)
	v := newResponseValidator(t, f)
	for _, rt := range []struct{ method, path, ct, body string }{
		{"GET", "/api/v1/tips/token", "", ""},
		{"POST", "/api/v1/tips", "application/json", `{"what_happened":"x"}`},
		{"POST", "/api/v1/tips/status", "application/json", `{"receipt":"1"}`},
		{"POST", "/api/v1/tips/messages", "application/json", `{"receipt":"1","message":"x"}`},
	} {
		r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
		if rt.ct != "" {
			r.Header.Set("Content-Type", rt.ct)
		}
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, r)
		v.validate(t, rt.method, rt.path, w)
		wantError(t, w, http.StatusNotImplemented, "not_implemented", "")
	}
}

// TestSubmitTipJSON: a JSON tip is stored sealed, every field as sent.
func TestSubmitTipJSON(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	tok := e.token(t)
	w := e.postJSON(t, "/api/v1/tips", jsonBody(t, map[string]any{
		"token": tok, "what_happened": "  Workers are locked in at night.  ", "where": "Warehouse on 5th",
		"when": "last week", "people_count": 12, "minors_involved": "unsure", "kind": "labor",
		"danger": true, "reply_contact": "Signal +1 555 0100", "language": "es",
	}))
	rc := receiptOf(t, w)
	tip, doc := e.stored(t, rc)
	if tip.Status != store.TipNew || tip.Attachments != 0 || !tip.Created.Equal(store.Hour(testNow)) {
		t.Errorf("stored tip %+v", tip)
	}
	got := doc.Tip
	if got.WhatHappened != "Workers are locked in at night." || got.Where != "Warehouse on 5th" || got.When != "last week" ||
		got.PeopleCount == nil || *got.PeopleCount != 12 || got.MinorsInvolved != "unsure" || got.Kind != "labor" ||
		got.Danger == nil || !*got.Danger || got.ReplyContact != "Signal +1 555 0100" || got.Language != "es" {
		t.Errorf("opened tip %+v", got)
	}
	if bytes.Contains(tip.Sealed, []byte("locked in")) {
		t.Error("the stored tip holds plaintext")
	}
	// The minimal tip, with a charset.
	w = e.send(t, request{method: "POST", path: "/api/v1/tips", contentType: "application/json; charset=UTF-8",
		body: strings.NewReader(jsonBody(t, map[string]any{"token": e.token(t), "what_happened": "x"}))})
	receiptOf(t, w)
	if n := e.tipCount(t); n != 2 {
		t.Errorf("%d tips stored, want 2", n)
	}
}

// TestSubmitTipJSONRefused: each bad JSON tip is refused naming the field,
// stores nothing and leaves the token usable.
func TestSubmitTipJSONRefused(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	tok := e.token(t)
	tq := strconv.Quote(tok)
	long := func(n int) string { return strconv.Quote(strings.Repeat("é", n)) }
	for _, tc := range []struct {
		name, body, param string
	}{
		{"missing what_happened", `{"token":` + tq + `}`, "what_happened"},
		{"blank what_happened", `{"token":` + tq + `,"what_happened":" \n\t "}`, "what_happened"},
		{"null what_happened", `{"token":` + tq + `,"what_happened":null}`, "what_happened"},
		{"unknown field", `{"token":` + tq + `,"what_happened":"x","name":"Bob"}`, "name"},
		{"what_happened a number", `{"token":` + tq + `,"what_happened":5}`, "what_happened"},
		{"people_count a string", `{"token":` + tq + `,"what_happened":"x","people_count":"3"}`, "people_count"},
		{"people_count a fraction", `{"token":` + tq + `,"what_happened":"x","people_count":1.5}`, "people_count"},
		{"people_count negative", `{"token":` + tq + `,"what_happened":"x","people_count":-1}`, "people_count"},
		{"people_count too many", `{"token":` + tq + `,"what_happened":"x","people_count":100001}`, "people_count"},
		{"danger a string", `{"token":` + tq + `,"what_happened":"x","danger":"yes"}`, "danger"},
		{"minors not a choice", `{"token":` + tq + `,"what_happened":"x","minors_involved":"maybe"}`, "minors_involved"},
		{"kind not a choice", `{"token":` + tq + `,"what_happened":"x","kind":"organ"}`, "kind"},
		{"kind in capitals", `{"token":` + tq + `,"what_happened":"x","kind":"LABOR"}`, "kind"},
		{"what_happened too long", `{"token":` + tq + `,"what_happened":` + long(intake.MaxWhatRunes+1) + `}`, "what_happened"},
		{"where too long", `{"token":` + tq + `,"what_happened":"x","where":` + long(intake.MaxFieldRunes+1) + `}`, "where"},
		{"when too long", `{"token":` + tq + `,"what_happened":"x","when":` + long(intake.MaxFieldRunes+1) + `}`, "when"},
		{"reply_contact too long", `{"token":` + tq + `,"what_happened":"x","reply_contact":` + long(intake.MaxFieldRunes+1) + `}`, "reply_contact"},
		{"language too long", `{"token":` + tq + `,"what_happened":"x","language":` + long(36) + `}`, "language"},
		{"token a number", `{"token":1,"what_happened":"x"}`, "token"},
		{"an array", `[]`, "body"},
		{"a string", `"tip"`, "body"},
		{"empty body", ``, "body"},
		{"two objects", `{"token":` + tq + `,"what_happened":"x"}{}`, "body"},
		{"trailing garbage", `{"token":` + tq + `,"what_happened":"x"} x`, "body"},
		{"truncated", `{"token":` + tq + `,"what_happened":"x"`, "body"},
		{"no token", `{"what_happened":"x"}`, "token"},
		{"a forged token", `{"token":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","what_happened":"x"}`, "token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.postJSON(t, "/api/v1/tips", tc.body)
			wantError(t, w, http.StatusBadRequest, "invalid_parameter", tc.param)
		})
	}
	if n := e.tipCount(t); n != 0 {
		t.Fatalf("%d tips stored after refusals", n)
	}
	// Not one refusal used the token up.
	receiptOf(t, e.postJSON(t, "/api/v1/tips", `{"token":`+tq+`,"what_happened":"x"}`))

	// A query string, a wrong media type, a body too large.
	w := e.send(t, request{method: "POST", path: "/api/v1/tips?ref=1", body: strings.NewReader(`{}`), contentType: "application/json"})
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "ref")
	for _, ct := range []string{"", "text/plain", "application/json; charset=latin1", "application/x-www-form-urlencoded", "multipart/mixed; boundary=x"} {
		w := e.send(t, request{method: "POST", path: "/api/v1/tips", body: strings.NewReader(`{"what_happened":"x"}`), contentType: ct})
		wantError(t, w, http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	}
	huge := `{"token":` + tq + `,"what_happened":"` + strings.Repeat("a", intake.MaxJSONBytes) + `"}`
	wantError(t, e.postJSON(t, "/api/v1/tips", huge), http.StatusRequestEntityTooLarge, "too_large", "")
	if n := e.tipCount(t); n != 1 {
		t.Fatalf("%d tips stored, want 1", n)
	}
}

// failingRedeem is a tip store whose record of used tokens is down.
type failingRedeem struct{ store.TipStore }

func (failingRedeem) RedeemToken(context.Context, []byte, time.Time, time.Time) error {
	return errors.New("disk on fire")
}

// TestSubmitTipTokenAfterRestart: a token used before a restart is still
// used after it (or on another server sharing the database); a store that
// cannot record it is the server's failure, and leaves it unused.
func TestSubmitTipTokenAfterRestart(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	restart := func(st store.TipStore) http.Handler {
		guard, err := intake.NewGuard(intake.GuardConfig{Secret: e.secret, Now: e.clock.Now, Store: st, GlobalPerSecond: -1, SourcePerMinute: -1})
		if err != nil {
			t.Fatal(err)
		}
		mux := route.NewMux(route.Config{})
		New(Config{Store: e.db, Meta: e.pack.Meta, Now: e.clock.Now, Desk: e.desk, Guard: tiphttp.NewGate(guard, tiphttp.Config{})}).Register(mux)
		return mux
	}
	tok := e.token(t)
	body := `{"token":` + strconv.Quote(tok) + `,"what_happened":"x"}`
	receiptOf(t, e.postJSON(t, "/api/v1/tips", body))
	w := post(t, restart(e.db), "/api/v1/tips", "application/json", body)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if !strings.Contains(decode[gotError](t, w).Error.Message, "already used") {
		t.Errorf("reuse after a restart: %s", w.Body.Bytes())
	}

	fresh := `{"token":` + strconv.Quote(e.token(t)) + `,"what_happened":"y"}`
	w = post(t, restart(failingRedeem{e.db}), "/api/v1/tips", "application/json", fresh)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("the store failing: %d %s, want 500", w.Code, w.Body.Bytes())
	}
	receiptOf(t, post(t, restart(e.db), "/api/v1/tips", "application/json", fresh))
	if n := e.tipCount(t); n != 2 {
		t.Fatalf("%d tips stored, want 2", n)
	}
}

// TestSubmitTipTokens: single use, expiry, a token of another server.
func TestSubmitTipTokens(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	tok := e.token(t)
	body := `{"token":` + strconv.Quote(tok) + `,"what_happened":"x"}`
	receiptOf(t, e.postJSON(t, "/api/v1/tips", body))
	w := e.postJSON(t, "/api/v1/tips", body)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if !strings.Contains(decode[gotError](t, w).Error.Message, "already used") {
		t.Errorf("reuse: %s", w.Body.Bytes())
	}

	old := e.token(t)
	e.clock.Add(abuse.DefaultTokenMaxAge + time.Second)
	w = e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(old)+`,"what_happened":"x"}`)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if !strings.Contains(decode[gotError](t, w).Error.Message, "expired") {
		t.Errorf("expired: %s", w.Body.Bytes())
	}

	other := newTipEnv(t, tipOptions{})
	w = e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(other.token(t))+`,"what_happened":"x"}`)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if n := e.tipCount(t); n != 1 {
		t.Fatalf("%d tips stored, want 1", n)
	}
}

// TestSubmitTipMinAge: a form sent sooner than the minimum age is refused
// with Retry-After, and accepted once the token is old enough.
func TestSubmitTipMinAge(t *testing.T) {
	e := newTipEnv(t, tipOptions{guard: intake.GuardConfig{MinAge: 3 * time.Second}})
	tok := e.token(t)
	body := `{"token":` + strconv.Quote(tok) + `,"what_happened":"x"}`
	e.clock.Add(time.Second)
	w := e.postJSON(t, "/api/v1/tips", body)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if ra := w.Header().Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After = %q, want 2", ra)
	}
	e.clock.Add(2 * time.Second)
	receiptOf(t, e.postJSON(t, "/api/v1/tips", body))
}

// TestSubmitTipPow: with proof of work asked, a valid one is accepted at
// the minimum age, an invalid one never, and no proof of work (the
// no-JavaScript path) only once the token is older.
func TestSubmitTipPow(t *testing.T) {
	const bits = 8
	e := newTipEnv(t, tipOptions{guard: intake.GuardConfig{PowBits: bits, MinAge: 3 * time.Second}})
	post := func(tok, pow string) *httptest.ResponseRecorder {
		fields := map[string]any{"token": tok, "what_happened": "x"}
		if pow != "" {
			fields["pow"] = pow
		}
		return e.postJSON(t, "/api/v1/tips", jsonBody(t, fields))
	}

	// A valid proof of work, at the minimum age.
	tok := e.token(t)
	pow := abuse.SolvePow(tok, bits)
	if !abuse.VerifyPow(tok, pow, bits) {
		t.Fatal("SolvePow's answer does not verify")
	}
	e.clock.Add(time.Second)
	w := post(tok, pow)
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if ra := w.Header().Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After = %q, want 2", ra)
	}
	e.clock.Add(2 * time.Second)
	receiptOf(t, post(tok, pow))

	// Invalid proofs of work: wrong, not canonical, not a number.
	tok = e.token(t)
	e.clock.Add(time.Hour)
	wrong := "0"
	for n := 0; abuse.VerifyPow(tok, wrong, bits); n++ {
		wrong = strconv.Itoa(n + 1)
	}
	solved := abuse.SolvePow(tok, bits)
	for _, p := range []string{wrong, "0" + solved, "-1", "1e3", " " + solved, strings.Repeat("9", 21)} {
		wantError(t, post(tok, p), http.StatusBadRequest, "invalid_parameter", "pow")
	}
	// A proof of work for another token.
	otherTok := e.token(t)
	if other := abuse.SolvePow(otherTok, bits); !abuse.VerifyPow(tok, other, bits) {
		wantError(t, post(tok, other), http.StatusBadRequest, "invalid_parameter", "pow")
	}
	receiptOf(t, post(tok, solved))

	// No proof of work: the token must be NoJSMinAge old.
	tok = e.token(t)
	e.clock.Add(5 * time.Second)
	w = post(tok, "")
	wantError(t, w, http.StatusBadRequest, "invalid_parameter", "token")
	if ra := w.Header().Get("Retry-After"); ra != strconv.Itoa(int((abuse.DefaultTokenNoJSMinAge-5*time.Second)/time.Second)) {
		t.Errorf("Retry-After = %q, want %v", ra, abuse.DefaultTokenNoJSMinAge-5*time.Second)
	}
	e.clock.Add(abuse.DefaultTokenNoJSMinAge)
	receiptOf(t, post(tok, ""))
	if n := e.tipCount(t); n != 3 {
		t.Fatalf("%d tips stored, want 3", n)
	}
}

// TestSubmitTipRateLimit: past the burst, one address gets 429 with
// Retry-After while another still gets through; the global limit stops
// everyone.
func TestSubmitTipRateLimit(t *testing.T) {
	e := newTipEnv(t, tipOptions{guard: intake.GuardConfig{SourcePerMinute: 1}})
	send := func(remote string) *httptest.ResponseRecorder {
		body := `{"token":` + strconv.Quote(e.token(t)) + `,"what_happened":"x"}`
		return e.send(t, request{method: "POST", path: "/api/v1/tips", body: strings.NewReader(body), contentType: "application/json", remote: remote})
	}
	ok := 0
	for range 20 {
		w := send("198.51.100.7:4000")
		if w.Code == http.StatusTooManyRequests {
			wantError(t, w, http.StatusTooManyRequests, "rate_limited", "")
			if w.Header().Get("Retry-After") != "60" {
				t.Errorf("Retry-After = %q", w.Header().Get("Retry-After"))
			}
			break
		}
		receiptOf(t, w)
		ok++
	}
	if ok != 10 {
		t.Errorf("%d tips from one address before 429, want the burst of 10", ok)
	}
	receiptOf(t, send("198.51.100.8:4000"))
	// A message counts against the same limit.
	w := e.send(t, request{method: "POST", path: "/api/v1/tips/messages", contentType: "application/json",
		body: strings.NewReader(`{"receipt":"x","message":"y"}`), remote: "198.51.100.7:4001"})
	wantError(t, w, http.StatusTooManyRequests, "rate_limited", "")
	// A minute later one more goes through.
	e.clock.Add(time.Minute)
	receiptOf(t, send("198.51.100.7:4002"))

	g := newTipEnv(t, tipOptions{guard: intake.GuardConfig{GlobalPerSecond: 1}})
	e = g
	codes := map[int]int{}
	for i := range 8 {
		w := send(fmt.Sprintf("203.0.113.%d:1", i))
		codes[w.Code]++
	}
	if codes[http.StatusCreated] != 4 || codes[http.StatusTooManyRequests] != 4 {
		t.Errorf("global limit 1/s: answers %v, want 4 × 201 (the burst) and 4 × 429", codes)
	}
}

// TestSubmitTipClosed: without a recovery key no tip is taken (503).
func TestSubmitTipClosed(t *testing.T) {
	e := newTipEnv(t, tipOptions{noRecovery: true})
	w := e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(e.token(t))+`,"what_happened":"x"}`)
	wantError(t, w, http.StatusServiceUnavailable, "unavailable", "")
	if n := e.tipCount(t); n != 0 {
		t.Fatalf("%d tips stored", n)
	}
	// Once the key is set (the desk rereads its recipients within seconds),
	// tips are taken. A new desk sees it at once.
	if err := e.db.SetRecoveryRecipient(context.Background(), mustIdentity(t).Recipient().String(), testNow); err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: e.db, Secret: e.secret, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !desk.Open(context.Background()) {
		t.Error("the desk is closed with a recovery key")
	}
}

// TestSubmitTipFull: once the hour's storage budget is used up, tips and
// messages are refused with 503 and Retry-After (the next hour), nothing
// is stored, the token is not used up, a large tip is refused before its
// body is read, and no refusal is logged.
func TestSubmitTipFull(t *testing.T) {
	var logs bytes.Buffer
	// A short tip is sealed to 4 KiB and some 250 bytes of header: two fit.
	e := newTipEnv(t, tipOptions{budget: intake.Budget{Hour: 10_000, Day: -1}, log: slog.New(slog.NewTextHandler(&logs, nil))})
	rc := receiptOf(t, e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(e.token(t))+`,"what_happened":"first"}`))
	receiptOf(t, e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(e.token(t))+`,"what_happened":"second"}`))

	tok := e.token(t)
	body := `{"token":` + strconv.Quote(tok) + `,"what_happened":"third"}`
	e.clock.Add(20 * time.Minute) // 15:20: the hour ends in 40 minutes
	w := e.postJSON(t, "/api/v1/tips", body)
	wantError(t, w, http.StatusServiceUnavailable, "unavailable", "")
	if ra := w.Header().Get("Retry-After"); ra != "2400" {
		t.Errorf("Retry-After = %q, want 2400 (the next hour)", ra)
	}
	w = e.postJSON(t, "/api/v1/tips/messages", `{"receipt":"`+rc.String()+`","message":"more"}`)
	wantError(t, w, http.StatusServiceUnavailable, "unavailable", "")
	if ra := w.Header().Get("Retry-After"); ra != "2400" {
		t.Errorf("message: Retry-After = %q, want 2400", ra)
	}

	// A large tip is answered before its body is read.
	r := httptest.NewRequest("POST", "/api/v1/tips", unreadable{t})
	r.ContentLength = 20 << 20
	r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, r)
	e.v.validate(t, "POST", "/api/v1/tips", rec)
	wantError(t, rec, http.StatusServiceUnavailable, "unavailable", "")

	if n := e.tipCount(t); n != 2 {
		t.Fatalf("%d tips stored, want 2", n)
	}
	st, err := e.desk.Status(context.Background(), rc)
	if err != nil || len(st.Messages) != 0 {
		t.Fatalf("status %+v, %v: a refused message was stored", st, err)
	}
	if logs.Len() != 0 {
		t.Errorf("refusals logged:\n%s", logs.String())
	}
	// The next hour the same token goes through.
	e.clock.Add(40 * time.Minute)
	receiptOf(t, e.postJSON(t, "/api/v1/tips", body))
}

// unreadable is a request body a test must not see read.
type unreadable struct{ tb testing.TB }

func (u unreadable) Read([]byte) (int, error) {
	u.tb.Error("the body was read")
	return 0, io.EOF
}

// TestSubmitTipMultipart: a multipart tip with attachments; the fields as
// the report form sends them.
func TestSubmitTipMultipart(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	pngCanary := fmt.Sprintf("CANARY-PNG-%x", randomBytes(t, 8))
	png := pngImage(t, pngCanary)
	if _, _, err := image.Decode(bytes.NewReader(png)); err != nil || !bytes.Contains(png, []byte(pngCanary)) {
		t.Fatalf("the test PNG: %v", err)
	}
	w := e.postForm(t, [][2]string{
		{"token", e.token(t)}, {"pow", ""}, {"language", "en"}, {"what_happened", "Seen at the port."},
		{"where", "Pier 4"}, {"when", ""}, {"people_count", " 3 "}, {"danger", "no"}, {"minors_involved", "yes"},
		{"kind", "both"}, {"reply", "contact"}, {"reply_contact", "call 555"},
	},
		formFile{"note.txt", "text/plain; charset=utf-8", []byte("a note")},
		formFile{"shot.png", "image/png", png},
		formFile{"", "application/octet-stream", nil}, // a file input left empty
	)
	rc := receiptOf(t, w)
	tip, doc := e.stored(t, rc)
	got := doc.Tip
	if got.WhatHappened != "Seen at the port." || got.Where != "Pier 4" || got.PeopleCount == nil || *got.PeopleCount != 3 ||
		got.Danger == nil || *got.Danger || got.MinorsInvolved != "yes" || got.Kind != "both" || got.ReplyContact != "call 555" || got.Language != "en" {
		t.Errorf("opened tip %+v", got)
	}
	if tip.Attachments != 2 || len(doc.Attachments) != 2 {
		t.Fatalf("%d attachments stored, %d listed; want 2", tip.Attachments, len(doc.Attachments))
	}
	files := e.attachments(t, tip)
	if string(files[0]) != "a note" || doc.Attachments[0].Name != "note.txt" || doc.Attachments[0].Type != "text/plain" || doc.Attachments[0].Stripped {
		t.Errorf("attachment 0: %+v %q", doc.Attachments[0], files[0])
	}
	if doc.Attachments[1].Name != "shot.png" || !doc.Attachments[1].Stripped || doc.Attachments[1].Size != len(files[1]) {
		t.Errorf("attachment 1: %+v", doc.Attachments[1])
	}
	if _, _, err := image.Decode(bytes.NewReader(files[1])); err != nil {
		t.Errorf("the stored PNG does not decode: %v", err)
	}
	if bytes.Contains(files[1], []byte(pngCanary)) {
		t.Error("the stored PNG keeps its tEXt chunk")
	}

	// reply=receipt drops a contact typed before choosing so.
	w = e.postForm(t, [][2]string{{"token", e.token(t)}, {"what_happened", "x"}, {"reply_contact", "me@example.org"}, {"reply", "receipt"}})
	if _, doc := e.stored(t, receiptOf(t, w)); doc.ReplyContact != "" {
		t.Errorf("reply=receipt kept the contact %q", doc.ReplyContact)
	}
	// Five files of the largest size are taken.
	big := make([]byte, intake.MaxFileBytes)
	var five []formFile
	for i := range intake.MaxFiles {
		five = append(five, formFile{fmt.Sprintf("f%d.bin", i), "application/octet-stream", big})
	}
	tip, _ = e.stored(t, receiptOf(t, e.postForm(t, [][2]string{{"token", e.token(t)}, {"what_happened", "x"}}, five...)))
	if tip.Attachments != intake.MaxFiles {
		t.Errorf("%d attachments stored, want %d", tip.Attachments, intake.MaxFiles)
	}
}

// TestSubmitTipMultipartRefused: each bad form is refused naming the
// field, stores nothing and leaves the token usable.
func TestSubmitTipMultipartRefused(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	tok := e.token(t)
	file := formFile{"a.txt", "text/plain", []byte("x")}
	six := slices.Repeat([]formFile{file}, intake.MaxFiles+1)
	for _, tc := range []struct {
		name   string
		fields [][2]string
		files  []formFile
		param  string
	}{
		{"missing what_happened", [][2]string{{"token", tok}, {"where", "x"}}, nil, "what_happened"},
		{"blank what_happened", [][2]string{{"token", tok}, {"what_happened", "  "}}, nil, "what_happened"},
		{"unknown field", [][2]string{{"token", tok}, {"what_happened", "x"}, {"email", "a@b"}}, nil, "email"},
		{"repeated field", [][2]string{{"token", tok}, {"what_happened", "x"}, {"what_happened", "y"}}, nil, "what_happened"},
		{"people_count not a number", [][2]string{{"token", tok}, {"what_happened", "x"}, {"people_count", "three"}}, nil, "people_count"},
		{"people_count negative", [][2]string{{"token", tok}, {"what_happened", "x"}, {"people_count", "-2"}}, nil, "people_count"},
		{"danger not a choice", [][2]string{{"token", tok}, {"what_happened", "x"}, {"danger", "maybe"}}, nil, "danger"},
		{"kind not a choice", [][2]string{{"token", tok}, {"what_happened", "x"}, {"kind", "organ"}}, nil, "kind"},
		{"reply not a choice", [][2]string{{"token", tok}, {"what_happened", "x"}, {"reply", "email"}}, nil, "reply"},
		{"invalid UTF-8", [][2]string{{"token", tok}, {"what_happened", "x"}, {"where", "\xff\xfe"}}, nil, "where"},
		{"field part too long", [][2]string{{"token", tok}, {"what_happened", strings.Repeat("a", 128<<10+1)}}, nil, "what_happened"},
		{"too many files", [][2]string{{"token", tok}, {"what_happened", "x"}}, six, "attachments"},
		{"file too big", [][2]string{{"token", tok}, {"what_happened", "x"}}, []formFile{{"big.bin", "application/octet-stream", make([]byte, intake.MaxFileBytes+1)}}, "attachments"},
		{"no token", [][2]string{{"what_happened", "x"}}, nil, "token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.postForm(t, tc.fields, tc.files...)
			wantError(t, w, http.StatusBadRequest, "invalid_parameter", tc.param)
		})
	}
	// Malformed bodies.
	for _, tc := range []struct{ name, ct, body, param string }{
		{"no boundary", "multipart/form-data", "--x\r\n", "body"},
		// No boundary line at all reads as a form without parts.
		{"garbage", "multipart/form-data; boundary=xyz", "this is not multipart", "what_happened"},
		{"unterminated", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"what_happened\"\r\n\r\nhello", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.send(t, request{method: "POST", path: "/api/v1/tips", body: strings.NewReader(tc.body), contentType: tc.ct})
			wantError(t, w, http.StatusBadRequest, "invalid_parameter", tc.param)
		})
	}
	if n := e.tipCount(t); n != 0 {
		t.Fatalf("%d tips stored after refusals", n)
	}
	receiptOf(t, e.postForm(t, [][2]string{{"token", tok}, {"what_happened", "x"}}, slices.Repeat([]formFile{file}, intake.MaxFiles)...))

	// A file that claims to be an image and is not, or a broken JPEG:
	// refused, and (found only while sealing) the token is used up.
	for _, f := range []formFile{
		{"photo.jpg", "image/jpeg", []byte("not a photo")},
		{"photo.png", "image/png", []byte("GIF89a")},
		{"cut.jpg", "application/octet-stream", jpegImage(t)[:200]},
	} {
		w := e.postForm(t, [][2]string{{"token", e.token(t)}, {"what_happened", "x"}}, f)
		wantError(t, w, http.StatusBadRequest, "invalid_parameter", "attachments")
		if msg := decode[gotError](t, w).Error.Message; !strings.Contains(msg, f.name) {
			t.Errorf("bad image %s: message %q does not name the file", f.name, msg)
		}
	}
	if n := e.tipCount(t); n != 1 {
		t.Fatalf("%d tips stored, want 1", n)
	}
}

// TestSubmitTipTooLarge: a multipart body past MaxMultipartBytes is 413.
func TestSubmitTipTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 52 MiB")
	}
	e := newTipEnv(t, tipOptions{})
	tok := e.token(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("token", tok)
		_ = mw.WriteField("what_happened", "x")
		chunk := make([]byte, 1<<20)
		for i, size := range []int{10, 10, 10, 10, 10, 2} { // MiB; 52 > 51
			fw, err := mw.CreateFormFile("attachments", fmt.Sprintf("f%d", i))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			for range size {
				if _, err := fw.Write(chunk); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	w := e.send(t, request{method: "POST", path: "/api/v1/tips", body: pr, contentType: mw.FormDataContentType()})
	_ = pr.CloseWithError(errors.New("done"))
	wantError(t, w, http.StatusRequestEntityTooLarge, "too_large", "")
	if n := e.tipCount(t); n != 0 {
		t.Fatalf("%d tips stored", n)
	}
}

// TestSubmitTipStripsEXIF: the EXIF segment (and a comment) of a JPEG is
// gone from the stored attachment, which still decodes to the same image.
func TestSubmitTipStripsEXIF(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	canary := fmt.Sprintf("CANARY-GPS-%x", randomBytes(t, 8))
	comment := fmt.Sprintf("CANARY-COM-%x", randomBytes(t, 8))
	plain := jpegImage(t)
	photo := withEXIF(t, plain, canary, comment)
	if !bytes.Contains(photo, []byte(canary)) {
		t.Fatal("the test photo has no canary")
	}
	if _, err := jpeg.Decode(bytes.NewReader(photo)); err != nil {
		t.Fatalf("the test photo does not decode: %v", err)
	}
	// Declared as octet-stream: the bytes decide.
	for _, ct := range []string{"image/jpeg", "application/octet-stream"} {
		w := e.postForm(t, [][2]string{{"token", e.token(t)}, {"what_happened", "photo attached"}}, formFile{"IMG_0001.JPG", ct, photo})
		tip, doc := e.stored(t, receiptOf(t, w))
		files := e.attachments(t, tip)
		if len(files) != 1 {
			t.Fatalf("%d attachments", len(files))
		}
		got := files[0]
		for _, c := range []string{canary, comment, "Exif"} {
			if bytes.Contains(got, []byte(c)) {
				t.Errorf("%s: the stored photo still holds %q", ct, c)
			}
		}
		if !doc.Attachments[0].Stripped || doc.Attachments[0].Size != len(got) {
			t.Errorf("%s: attachment %+v", ct, doc.Attachments[0])
		}
		a, err := jpeg.Decode(bytes.NewReader(got))
		if err != nil {
			t.Fatalf("%s: the stored photo does not decode: %v", ct, err)
		}
		b, _ := jpeg.Decode(bytes.NewReader(plain))
		if a.Bounds() != b.Bounds() || a.At(3, 3) != b.At(3, 3) {
			t.Errorf("%s: the stored photo is not the same image", ct)
		}
		for _, s := range [][]byte{tip.Sealed} {
			if bytes.Contains(s, []byte(canary)) {
				t.Error("the canary is in the stored ciphertext")
			}
		}
	}
}

// TestTipStatusAndMessages: the receipt holder reads the status and the
// conversation and adds to it; the operators answer.
func TestTipStatusAndMessages(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	ctx := context.Background()
	rc := receiptOf(t, e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(e.token(t))+`,"what_happened":"x"}`))
	tip, _ := e.stored(t, rc)
	q := strconv.Quote

	type status struct {
		Status   string `json:"status"`
		Messages []struct {
			Author  string    `json:"author"`
			Created time.Time `json:"created"`
			Text    string    `json:"text"`
		} `json:"messages"`
	}
	read := func(receipt string) status {
		t.Helper()
		w := e.postJSON(t, "/api/v1/tips/status", `{"receipt":`+q(receipt)+`}`)
		if w.Code != http.StatusOK {
			t.Fatalf("status: %d %s", w.Code, w.Body.Bytes())
		}
		return decode[status](t, w)
	}
	if st := read(rc.String()); st.Status != "new" || st.Messages == nil || len(st.Messages) != 0 {
		t.Errorf("status %+v", st)
	}
	// The receipt as typed: without spaces, with hyphens, in another script.
	arabic := strings.Map(func(r rune) rune { return r - '0' + '٠' }, rc.Canonical())
	for _, s := range []string{rc.Canonical(), strings.ReplaceAll(rc.String(), " ", "-"), arabic} {
		read(s)
	}

	w := e.postJSON(t, "/api/v1/tips/messages", `{"receipt":`+q(rc.String())+`,"message":"  More: they move them on Fridays.  "}`)
	if w.Code != http.StatusCreated || strings.TrimSpace(w.Body.String()) != "{}" {
		t.Fatalf("message: %d %s", w.Code, w.Body.Bytes())
	}
	e.clock.Add(2 * time.Hour)
	if err := e.desk.Reply(ctx, tip.ID, "Thank you. Are you safe?"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetTipStatus(ctx, tip.ID, store.TipInReview, "ana", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	st := read(rc.String())
	if st.Status != "in_review" || len(st.Messages) != 2 ||
		st.Messages[0].Author != "tipster" || st.Messages[0].Text != "More: they move them on Fridays." || !st.Messages[0].Created.Equal(store.Hour(testNow)) ||
		st.Messages[1].Author != "operator" || st.Messages[1].Text != "Thank you. Are you safe?" || !st.Messages[1].Created.Equal(store.Hour(testNow.Add(2*time.Hour))) {
		t.Errorf("status %+v", st)
	}
	// The operators read the conversation with their own key.
	msgs, err := e.db.TipMessages(ctx, tip.ID)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := intake.OpenMessages(msgs, e.operatorID(t))
	if err != nil || len(opened) != 2 || opened[0].Text != st.Messages[0].Text {
		t.Errorf("the operator reads %+v, %v", opened, err)
	}

	// Refusals.
	for _, tc := range []struct {
		name, path, body, param string
		status                  int
	}{
		{"status: bad check digit", "/api/v1/tips/status", `{"receipt":` + q(mistype(rc)) + `}`, "receipt", 400},
		{"status: too short", "/api/v1/tips/status", `{"receipt":"1234"}`, "receipt", 400},
		{"status: letters", "/api/v1/tips/status", `{"receipt":"abcd"}`, "receipt", 400},
		{"status: no receipt", "/api/v1/tips/status", `{}`, "receipt", 400},
		{"status: with a message", "/api/v1/tips/status", `{"receipt":` + q(rc.String()) + `,"message":"x"}`, "message", 400},
		{"status: unknown field", "/api/v1/tips/status", `{"receipt":` + q(rc.String()) + `,"tip":1}`, "tip", 400},
		{"status: receipt a number", "/api/v1/tips/status", `{"receipt":1}`, "receipt", 400},
		{"status: not an object", "/api/v1/tips/status", `[]`, "body", 400},
		{"message: empty", "/api/v1/tips/messages", `{"receipt":` + q(rc.String()) + `,"message":" "}`, "message", 400},
		{"message: missing", "/api/v1/tips/messages", `{"receipt":` + q(rc.String()) + `}`, "message", 400},
		{"message: too long", "/api/v1/tips/messages", `{"receipt":` + q(rc.String()) + `,"message":` + q(strings.Repeat("ж", intake.MaxMessageRunes+1)) + `}`, "message", 400},
		{"message: bad receipt", "/api/v1/tips/messages", `{"receipt":"0","message":"x"}`, "receipt", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.postJSON(t, tc.path, tc.body), tc.status, "invalid_parameter", tc.param)
		})
	}
	unknown, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, e.postJSON(t, "/api/v1/tips/status", `{"receipt":`+q(unknown.String())+`}`), http.StatusNotFound, "not_found", "")
	wantError(t, e.postJSON(t, "/api/v1/tips/messages", `{"receipt":`+q(unknown.String())+`,"message":"x"}`), http.StatusNotFound, "not_found", "")
	for _, path := range []string{"/api/v1/tips/status", "/api/v1/tips/messages"} {
		w := e.send(t, request{method: "POST", path: path, body: strings.NewReader(`{"receipt":` + q(rc.String()) + `}`), contentType: "text/plain"})
		wantError(t, w, http.StatusUnsupportedMediaType, "unsupported_media_type", "")
		w = e.send(t, request{method: "POST", path: path + "?receipt=1", body: strings.NewReader(`{}`), contentType: "application/json"})
		wantError(t, w, http.StatusBadRequest, "invalid_parameter", "receipt")
		w = e.postJSON(t, path, `{"receipt":"`+strings.Repeat("1", 64<<10)+`"}`)
		wantError(t, w, http.StatusRequestEntityTooLarge, "too_large", "")
	}
	if msgs, _ := e.db.TipMessages(ctx, tip.ID); len(msgs) != 2 {
		t.Errorf("%d messages stored, want 2", len(msgs))
	}
}

// mistype changes one digit of a receipt, which the check digit catches.
func mistype(rc seal.Receipt) string {
	b := []byte(rc.Canonical())
	b[5] = '0' + (b[5]-'0'+1)%10
	return string(b)
}

// TestTipLookupTiming: a look-up of an unknown receipt takes as long as
// one of a known receipt: at least the 250 ms floor, and about the same.
func TestTipLookupTiming(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	rc := receiptOf(t, e.postJSON(t, "/api/v1/tips", `{"token":`+strconv.Quote(e.token(t))+`,"what_happened":"x"}`))
	for range 3 {
		if w := e.postJSON(t, "/api/v1/tips/messages", `{"receipt":`+strconv.Quote(rc.String())+`,"message":"more"}`); w.Code != http.StatusCreated {
			t.Fatalf("message: %d", w.Code)
		}
	}
	unknown, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	measure := func(receipt string, want int) time.Duration {
		var ds []time.Duration
		for range 5 {
			start := time.Now()
			w := e.postJSON(t, "/api/v1/tips/status", `{"receipt":`+strconv.Quote(receipt)+`}`)
			ds = append(ds, time.Since(start))
			if w.Code != want {
				t.Fatalf("status %d, want %d", w.Code, want)
			}
		}
		slices.Sort(ds)
		if ds[0] < tiphttp.LookupFloor {
			t.Errorf("a look-up (%d) took %v, less than the floor %v", want, ds[0], tiphttp.LookupFloor)
		}
		return ds[len(ds)/2]
	}
	known, missing := measure(rc.String(), http.StatusOK), measure(unknown.String(), http.StatusNotFound)
	if d := known - missing; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("median look-up: known receipt %v, unknown %v", known, missing)
	}
	t.Logf("median look-up: known receipt %v, unknown %v", known, missing)
}

// TestTipLookupRateLimit: past the look-up burst of one address, 429.
func TestTipLookupRateLimit(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	unknown, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 40 {
		wg.Go(func() {
			r := httptest.NewRequest("POST", "/api/v1/tips/status", strings.NewReader(`{"receipt":"`+unknown.String()+`"}`))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			e.mux.ServeHTTP(w, r)
			mu.Lock()
			codes[w.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusNotFound] != 30 || codes[http.StatusTooManyRequests] != 10 {
		t.Errorf("40 look-ups at once from one address: %v, want 30 × 404 and 10 × 429", codes)
	}
}

// TestTipRequestSchemas: the request schemas of openapi.json accept what
// the server takes, refuse what it refuses, and agree with intake's limits.
func TestTipRequestSchemas(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	schema := func(name string) *jsonschema.Schema { return e.v.schema(t, pointer("components", "schemas", name)) }
	check := func(name, body string, ok bool) {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema(name).Validate(inst); (err == nil) != ok {
			t.Errorf("%s on %s: %v, want ok=%v", name, body, err, ok)
		}
	}
	check("Tip", `{"token":"abc","what_happened":"x","where":"","when":"","people_count":0,"minors_involved":"no","kind":"sex","danger":false,"reply_contact":"","language":"en","pow":"123"}`, true)
	check("Tip", `{"token":"abc","what_happened":"x"}`, true)
	for _, bad := range []string{
		`{"token":"abc"}`, `{"token":"abc","what_happened":""}`, `{"token":"abc","what_happened":"x","name":"y"}`,
		`{"token":"abc","what_happened":"x","people_count":-1}`, `{"token":"abc","what_happened":"x","people_count":"1"}`,
		`{"token":"abc","what_happened":"x","kind":"organ"}`, `{"token":"abc","what_happened":"x","pow":"007"}`,
	} {
		check("Tip", bad, false)
	}
	check("ReceiptLookup", `{"receipt":"1234"}`, true)
	check("ReceiptLookup", `{"receipt":"1234","message":"x"}`, false)
	check("TipMessageRequest", `{"receipt":"1234","message":"x"}`, true)
	check("TipMessageRequest", `{"receipt":"1234","message":""}`, false)
	rc, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	check("TipReceipt", `{"receipt":"`+rc.String()+`"}`, true)
	check("TipReceipt", `{"receipt":"`+rc.Canonical()+`"}`, false)

	for _, tc := range []struct {
		ptr  string
		want any
	}{
		{"/components/schemas/TipKind/enum", intake.Kinds},
		{"/components/schemas/TipMinors/enum", intake.Minors},
		{"/components/schemas/TipStatus/properties/status/enum", []store.TipStatus{store.TipNew, store.TipInReview, store.TipClosed}},
		{"/components/schemas/TipMessage/properties/author/enum", []string{store.AuthorTipster, store.AuthorOperator}},
		{"/components/schemas/Tip/properties/what_happened/maxLength", intake.MaxWhatRunes},
		{"/components/schemas/Tip/properties/where/maxLength", intake.MaxFieldRunes},
		{"/components/schemas/Tip/properties/when/maxLength", intake.MaxFieldRunes},
		{"/components/schemas/Tip/properties/reply_contact/maxLength", intake.MaxFieldRunes},
		{"/components/schemas/Tip/properties/people_count/maximum", intake.MaxPeople},
		{"/components/schemas/TipForm/properties/attachments/maxItems", intake.MaxFiles},
		{"/components/schemas/TipMessageRequest/properties/message/maxLength", intake.MaxMessageRunes},
		{"/components/schemas/TipToken/properties/pow_bits/maximum", abuse.MaxPowBits},
	} {
		got, err := resolve(e.v.doc, tc.ptr)
		if err != nil {
			t.Error(err)
			continue
		}
		if n, ok := got.(float64); ok {
			got = int(n)
		}
		if g, w := fmt.Sprint(got), fmt.Sprint(tc.want); g != w {
			t.Errorf("%s = %s, want %s", tc.ptr, g, w)
		}
	}
	// The multipart form has the JSON tip's fields, and more.
	jsonProps, _ := resolve(e.v.doc, "/components/schemas/Tip/properties")
	formProps, _ := resolve(e.v.doc, "/components/schemas/TipForm/properties")
	for name := range jsonProps.(map[string]any) {
		if _, ok := formProps.(map[string]any)[name]; !ok {
			t.Errorf("TipForm has no %s", name)
		}
	}
	// A receipt in the example pattern matches what the server gives.
	if !regexp.MustCompile(`^[0-9]{4}( [0-9]{4}){6}$`).MatchString(rc.String()) {
		t.Errorf("receipt %q", rc)
	}
}

// jpegImage encodes a small test picture.
func jpegImage(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pngImage is a small PNG with a tEXt chunk holding text.
func pngImage(tb testing.TB, text string) []byte {
	tb.Helper()
	img, err := jpeg.Decode(bytes.NewReader(jpegImage(tb)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	data := []byte("Comment\x00" + text)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return slices.Concat(b[:afterIHDR], chunk, b[afterIHDR:])
}

// withEXIF inserts after the start-of-image marker an APP1 EXIF segment
// whose ImageDescription is desc, and a COM segment holding comment.
func withEXIF(tb testing.TB, jpg []byte, desc, comment string) []byte {
	tb.Helper()
	// TIFF header (little-endian), one IFD with one ASCII entry.
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(8))
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(1))
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(0x010E)) // ImageDescription
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(2))      // ASCII
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(len(desc)+1))
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(8+2+12+4))
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(0)) // no next IFD
	tiff.WriteString(desc + "\x00")
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := func(marker byte, payload []byte) []byte {
		s := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg(0xE1, payload)...)
	out = append(out, seg(0xFE, []byte(comment))...)
	return append(out, jpg[2:]...)
}

// BenchmarkTipRoundTrip is what a tipster's browser costs the server, in
// process: GET a token, then POST a JSON tip of 500 bytes, through the
// whole handler chain of haven serve (security headers, body limit, access
// log at level info, metrics, the API), sealed to three recipients and
// committed to SQLite. bench/tips.sh measures the same over HTTP.
func BenchmarkTipRoundTrip(b *testing.B) {
	e := newTipEnv(b, tipOptions{})
	if _, err := e.db.AddOperator(context.Background(), "ben", mustIdentity(b).Recipient().String(), testNow); err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(server.Config{
		Store: e.db, Handlers: []server.Registrar{e.api},
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	what := strings.Repeat("They took our passports and make us work without pay. ", 10)[:500]
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/tips/token", nil))
			var tok struct {
				Token string `json:"token"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || w.Code != http.StatusOK {
				b.Errorf("token: %d %v", w.Code, err)
				return
			}
			body, _ := json.Marshal(map[string]any{"token": tok.Token, "what_happened": what, "kind": "labor", "people_count": 4})
			r := httptest.NewRequest("POST", "/api/v1/tips", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w = httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Errorf("tip: %d %s", w.Code, w.Body.Bytes())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tips/s")
}
