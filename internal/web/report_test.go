package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/tiphttp"
)

type tipFixture struct {
	*fixture
	desk   *intake.Desk
	secret seal.Secret
}

func newTipFixture(t *testing.T, minAge time.Duration) *tipFixture {
	t.Helper()
	return newTipFixtureWith(t, minAge, intake.Config{})
}

// newTipFixtureWith is newTipFixture with the desk's clock and budget
// taken from cfg.
func newTipFixtureWith(t *testing.T, minAge time.Duration, cfg intake.Config) *tipFixture {
	t.Helper()
	f := newFixture(t, nil)
	secret, err := seal.LoadOrCreateSecret(filepath.Join(t.TempDir(), "tips.secret"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetRecoveryRecipient(context.Background(), id.Recipient().String(), time.Now()); err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: f.db, Secret: secret, Now: cfg.Now, Budget: cfg.Budget, Retention: cfg.Retention})
	if err != nil {
		t.Fatal(err)
	}
	guard, err := intake.NewGuard(intake.GuardConfig{Secret: secret, Store: f.db, MinAge: minAge})
	if err != nil {
		t.Fatal(err)
	}
	f.pages.SetTips(desk, tiphttp.NewGate(guard, tiphttp.Config{}))
	return &tipFixture{fixture: f, desk: desk, secret: secret}
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

func (f *tipFixture) token(t *testing.T, lang string) string {
	t.Helper()
	res, body := f.get(t, "/"+lang+"/report")
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != cacheNoStore {
		t.Fatalf("GET /%s/report: %d, Cache-Control %q", lang, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no token in the form:\n%s", body)
	}
	return string(m[1])
}

func (f *tipFixture) post(t *testing.T, target string, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, target, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

// receiptRE finds the receipt page's number: seven groups of four digits,
// each in a span that never breaks, with a space between groups.
var receiptRE = regexp.MustCompile(`<p class="receipt" id="receipt"[^>]*>((?:<span>[0-9]{4}</span> ){6}<span>[0-9]{4}</span>)</p>`)

// receiptIn is the receipt on a receipt page, as "1234 5678 ...", or "".
func receiptIn(html string) string {
	m := receiptRE.FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return strings.NewReplacer("<span>", "", "</span>", "").Replace(m[1])
}

func TestReportFormSendsATip(t *testing.T) {
	f := newTipFixture(t, 0)
	doc := f.page(t, "/en/report", http.StatusOK)
	body := text(doc)
	for _, want := range []string{"Your report will be read by the team that runs this Haven site.", "This is not an emergency service", "They are not law enforcement or an immigration authority.", "call 911 first"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form does not say %q", want)
		}
	}
	res, html := f.post(t, "/en/report", map[string]string{"token": f.token(t, "en"), "what_happened": "A canary tip", "danger": "yes", "kind": "labor"})
	if res.StatusCode != http.StatusCreated || res.Header.Get("Cache-Control") != cacheNoStore {
		t.Fatalf("POST: %d %q\n%s", res.StatusCode, res.Header.Get("Cache-Control"), html)
	}
	receipt := receiptIn(html)
	if receipt == "" {
		t.Fatalf("no receipt on the page:\n%s", html)
	}
	// Danger: 911 comes before the receipt.
	if i, j := strings.Index(html, "tel:911"), strings.Index(html, `id="receipt"`); i < 0 || i > j {
		t.Errorf("911 is not shown before the receipt")
	}
	// The page says how long the report is kept, and that the
	// organization has not said how soon it answers (the U.S. pack sets
	// no answer_within_days).
	for _, want := range []string{"deleted 90 days after the last change", "has not said how soon it answers", "Tap the number once to select all of it", `id="copy-receipt"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the receipt page does not say %q", want)
		}
	}
	rc, err := seal.ParseReceipt(receipt)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.desk.Status(context.Background(), rc)
	if err != nil || st.Status != "new" {
		t.Fatalf("status %+v, %v", st, err)
	}
	// Read the conversation and add to it; the receipt stays out of URLs.
	if err := f.desk.Reply(context.Background(), 1, "We received your report."); err != nil {
		t.Fatal(err)
	}
	res, html = f.postForm(t, "/en/report/status", url.Values{"receipt": {receipt}})
	if res.StatusCode != http.StatusOK || !strings.Contains(html, "We received your report.") || !strings.Contains(html, "Received, not yet read") {
		t.Fatalf("status page: %d\n%s", res.StatusCode, html)
	}
	res, html = f.postForm(t, "/en/report/status", url.Values{"receipt": {receipt}, "message": {"More details"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(html, "More details") || !strings.Contains(html, "Your message was sent.") {
		t.Fatalf("add message: %d\n%s", res.StatusCode, html)
	}
	if strings.Contains(html, "receipt="+strings.ReplaceAll(receipt, " ", "")) {
		t.Errorf("the receipt appears in a link")
	}
}

func (f *tipFixture) postForm(t *testing.T, target string, v url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestReportFormProblems(t *testing.T) {
	f := newTipFixture(t, time.Hour)
	tok := f.token(t, "es")
	// Nothing written: the form comes back in Spanish, nothing stored.
	res, html := f.post(t, "/es/report", map[string]string{"token": tok, "where": "Houston"})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, `value="Houston"`) || !strings.Contains(html, `lang="es"`) {
		t.Errorf("empty tip: %d\n%s", res.StatusCode, html)
	}
	// Too soon after the form was loaded: wait, text kept, same token.
	res, html = f.post(t, "/es/report", map[string]string{"token": tok, "what_happened": "Texto guardado"})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, "Texto guardado") || !strings.Contains(html, tok) {
		t.Errorf("too soon: %d\n%s", res.StatusCode, html)
	}
	// A bad choice names the field.
	res, _ = f.post(t, "/es/report", map[string]string{"token": tok, "what_happened": "x", "kind": "other"})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad kind: %d", res.StatusCode)
	}
	n, _ := countTips(t, f)
	if n != 0 {
		t.Errorf("%d tips stored from refused forms", n)
	}
	// An unknown receipt: 404, after the floor.
	start := time.Now()
	res, _ = f.postForm(t, "/es/report/status", url.Values{"receipt": {"1234 5678 9012 3456 7890 1234 5670"}})
	if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown receipt: %d", res.StatusCode)
	}
	if time.Since(start) < tiphttp.LookupFloor {
		t.Errorf("look-up answered in %v, before the %v floor", time.Since(start), tiphttp.LookupFloor)
	}
}

// TestReportFormFull: once the storage budget is used up, the form comes
// back with 503, Retry-After and a message in the visitor's language, the
// text and the token kept, nothing stored and nothing logged; a message on
// the status page likewise, the conversation still shown.
func TestReportFormFull(t *testing.T) {
	now := time.Date(2026, time.November, 30, 15, 20, 0, 0, time.UTC)
	// A short tip sealed to the recovery key takes 4 KiB and a header.
	f := newTipFixtureWith(t, 0, intake.Config{Now: func() time.Time { return now }, Budget: intake.Budget{Hour: 10_000, Day: -1}})
	var logs bytes.Buffer
	f.pages.log = slog.New(slog.NewTextHandler(&logs, nil))
	var receipt string
	for i := range 2 {
		res, html := f.post(t, "/es/report", map[string]string{"token": f.token(t, "es"), "what_happened": "Denuncia " + strconv.Itoa(i)})
		receipt = receiptIn(html)
		if res.StatusCode != http.StatusCreated || receipt == "" {
			t.Fatalf("tip %d within the budget: %d\n%s", i, res.StatusCode, html)
		}
	}
	tok := f.token(t, "es")
	res, html := f.post(t, "/es/report", map[string]string{"token": tok, "what_happened": "Texto guardado", "where": "Houston"})
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2400" {
		t.Fatalf("over the budget: %d, Retry-After %q, want 503 and 2400 (the next hour)", res.StatusCode, res.Header.Get("Retry-After"))
	}
	for _, want := range []string{"En este momento este sitio no puede guardar más denuncias.", "Texto guardado", `value="Houston"`, tok} {
		if !strings.Contains(html, want) {
			t.Errorf("the refused form does not hold %q:\n%s", want, html)
		}
	}
	if n, _ := countTips(t, f); n != 2 {
		t.Errorf("%d tips stored, want 2", n)
	}

	res, html = f.postForm(t, "/es/report/status", url.Values{"receipt": {receipt}, "message": {"Mensaje guardado"}})
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2400" {
		t.Fatalf("a message over the budget: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	for _, want := range []string{"no puede guardar más mensajes", ">Mensaje guardado</textarea>", "Recibida"} {
		if !strings.Contains(html, want) {
			t.Errorf("the status page does not hold %q:\n%s", want, html)
		}
	}
	rc, err := seal.ParseReceipt(receipt)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.desk.Status(context.Background(), rc); err != nil || len(st.Messages) != 0 {
		t.Errorf("status %+v, %v: the refused message was stored", st, err)
	}
	if logs.Len() != 0 {
		t.Errorf("refusals logged:\n%s", logs.String())
	}
}

// A form that comes back refused carries a new token only when the token
// limit allows one, as the form's own page does: else each refused post
// would hand out a token past the limit. Past it, the text is kept and the
// visitor told to wait.
func TestReportFormRefusalsKeepToTokenLimit(t *testing.T) {
	f := newTipFixture(t, 0)
	guard := f.pages.guard
	source := guard.Source(httptest.NewRequest(http.MethodPost, "/en/report", nil))

	// Within the limit a refused form, here without a token, gets a
	// token, and it counts against the limit.
	before := 0
	for guard.AllowToken(source) {
		before++
	}
	f = newTipFixture(t, 0)
	guard = f.pages.guard
	res, html := f.post(t, "/en/report", map[string]string{"where": "Houston"})
	if res.StatusCode != http.StatusBadRequest || tokenRE.FindStringSubmatch(html) == nil {
		t.Fatalf("a refused form within the limit: %d, token %q", res.StatusCode, tokenRE.FindStringSubmatch(html))
	}
	after := 0
	for guard.AllowToken(source) {
		after++
	}
	if after != before-1 {
		t.Errorf("the refused form's token was not counted: %d tokens left, want %d", after, before-1)
	}

	// Past the limit: no token, whatever the refusal, the text kept.
	for _, fields := range []map[string]string{
		{"where": "Houston", "what_happened": "Kept text"},                         // no token
		{"token": "not a token", "where": "Houston", "what_happened": "Kept text"}, // a bad one
	} {
		res, html := f.post(t, "/en/report", fields)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%v: status %d, want 429", fields, res.StatusCode)
		}
		if m := tokenRE.FindStringSubmatch(html); m != nil {
			t.Errorf("%v: the form carries token %q past the limit", fields, m[1])
		}
		if !strings.Contains(html, "Kept text") || !strings.Contains(html, `value="Houston"`) {
			t.Errorf("%v: the text is not kept", fields)
		}
		if !strings.Contains(html, "this form cannot be sent again just yet") {
			t.Errorf("%v: the visitor is not told to wait:\n%s", fields, html)
		}
	}
	// Refused by the tip limit too, the answer hands out no token.
	for guard.AllowSubmit(source) {
	}
	res, html = f.post(t, "/en/report", map[string]string{"what_happened": "x"})
	if res.StatusCode != http.StatusTooManyRequests || tokenRE.FindStringSubmatch(html) != nil {
		t.Errorf("past both limits: %d, token %q", res.StatusCode, tokenRE.FindStringSubmatch(html))
	}
}

// A token used before a restart is refused after it: the store remembers
// it, not the process.
func TestReportFormTokenAfterRestart(t *testing.T) {
	f := newTipFixture(t, 0)
	tok := f.token(t, "en")
	if res, html := f.post(t, "/en/report", map[string]string{"token": tok, "what_happened": "Once"}); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d\n%s", res.StatusCode, html)
	}
	// The restart: a new guard, as the server makes at start.
	guard, err := intake.NewGuard(intake.GuardConfig{Secret: f.secret, Store: f.db})
	if err != nil {
		t.Fatal(err)
	}
	f.pages.SetTips(f.desk, tiphttp.NewGate(guard, tiphttp.Config{}))
	res, html := f.post(t, "/en/report", map[string]string{"token": tok, "what_happened": "Twice"})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, "Twice") || strings.Contains(html, tok) {
		t.Errorf("the used token after a restart: %d\n%s", res.StatusCode, html)
	}
	if n, _ := countTips(t, f); n != 1 {
		t.Errorf("%d tips stored, want 1", n)
	}
}

// A text part over its limit, which is in bytes, says so in bytes.
func TestReportFormPartLimitInBytes(t *testing.T) {
	f := newTipFixture(t, 0)
	res, html := f.post(t, "/en/report", map[string]string{"token": f.token(t, "en"), "what_happened": "x", "where": strings.Repeat("é", 64<<10+1)})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	if !strings.Contains(html, "is too long: at most 128 KB.") || strings.Contains(html, "131072") {
		t.Errorf("the limit is not given in bytes:\n%s", html)
	}
}

func countTips(t *testing.T, f *tipFixture) (int, error) {
	t.Helper()
	_, n, err := f.db.ListTips(context.Background(), store.TipFilter{})
	return n, err
}

// Every page is served in every language, with lang and dir set, a
// switcher naming every language in itself, and a tab title that does not
// say what the site is about.
func TestLanguagesAndNeutralTitles(t *testing.T) {
	f := newTipFixture(t, 0)
	locales := f.pages.cat.Locales()
	if len(locales) < 12 {
		t.Fatalf("%d locales", len(locales))
	}
	for _, loc := range locales {
		for _, path := range []string{"/", "/services", "/services/nhth", "/organizations/polaris", "/help", "/help/plan?danger=yes", "/safety", "/report", "/report/status"} {
			target := "/" + loc + path
			if path == "/" {
				target = "/" + loc + "/"
			}
			res, body := f.get(t, target)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", target, res.StatusCode)
				continue
			}
			dir := "ltr"
			if loc == "ar" {
				dir = "rtl"
			}
			if !bytes.Contains(body, []byte(`<html lang="`+loc+`" dir="`+dir+`">`)) {
				t.Errorf("%s: lang/dir not %s/%s", target, loc, dir)
			}
			for _, other := range locales {
				if !bytes.Contains(body, []byte(`hreflang="`+other+`"`)) {
					t.Errorf("%s: the switcher lacks %s", target, other)
				}
			}
			title := regexp.MustCompile(`<title>([^<]*)</title>`).FindSubmatch(body)
			if loc == "en" && (title == nil || bytes.Contains(bytes.ToLower(title[1]), []byte("traffick"))) {
				t.Errorf("%s: title %q", target, title)
			}
		}
	}
	// "/" follows Accept-Language; other pages never do.
	_, body := f.get(t, "/", "Accept-Language", "ar-EG,ar;q=0.9")
	if !bytes.Contains(body, []byte(`lang="ar" dir="rtl"`)) {
		t.Error("/ with Accept-Language ar is not Arabic")
	}
	_, body = f.get(t, "/en/services", "Accept-Language", "ar")
	if !bytes.Contains(body, []byte(`lang="en"`)) {
		t.Error("/en/services followed Accept-Language")
	}
	res, _ := f.get(t, "/services?topic=general")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/en/services?topic=general" {
		t.Errorf("/services: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// A pack may name the site neutrally; the header and every tab title use it.
func TestPackSiteName(t *testing.T) {
	db, p := testenv.USStore(t)
	p.Meta.SiteName = "Community resources"
	pages, err := New(Config{Store: db, Meta: p.Meta})
	if err != nil {
		t.Fatal(err)
	}
	mux := route.NewMux(route.Config{})
	pages.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/es/services", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "· Community resources</title>") || !strings.Contains(body, `class="brand" href="/es/">Community resources</a>`) || strings.Contains(body, ">Haven<") {
		t.Errorf("the site name is not the pack's:\n%s", body)
	}
}

// While one large tip from an address is being read, the form's next
// large tip from that address comes back at once with 429 and "try again",
// rather than waiting for a slot behind it.
func TestReportFormOneLargeTipPerAddress(t *testing.T) {
	f := newTipFixture(t, 0)
	// The first large tip: its head is in, its body still arriving.
	held := httptest.NewRequest(http.MethodPost, "/en/report", io.MultiReader(
		strings.NewReader(strings.Repeat("x", tiphttp.UploadHeadBytes)), blockingReader{}))
	held.ContentLength = 3 << 20
	release, err := f.pages.guard.BeginUpload(httptest.NewRecorder(), held)
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("what_happened", "Second tip")
	pw, _ := mw.CreateFormFile("attachments", "photo.bin")
	_, _ = pw.Write(make([]byte, 2<<20))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/en/report", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Please try again in a few minutes.") {
		t.Errorf("a second large tip from one address: %d\n%s", rec.Code, rec.Body.String())
	}
}

// blockingReader never returns: a body whose sender has gone quiet.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

// TestReceiptPageLinked: a tipster who comes back finds the receipt page
// from the home page, the report form and the footer of every page, in
// every language, as a tap target of at least 44 px (.more, .foot-nav).
func TestReceiptPageLinked(t *testing.T) {
	f := newTipFixture(t, 0)
	for _, loc := range f.pages.cat.Locales() {
		status := "/" + loc + "/report/status"
		msg, _ := f.pages.cat.Message(loc, "nav.status")
		want := msg.Text()
		// links returns the links to the receipt page under n that say
		// want.
		links := func(n *html.Node) []*html.Node {
			var out []*html.Node
			for _, a := range elements(n, "a") {
				if h, _ := attr(a, "href"); h == status && text(a) == want {
					out = append(out, a)
				}
			}
			return out
		}
		for _, path := range []string{"/", "/services", "/services/nhth", "/organizations/polaris", "/help", "/safety", "/report", "/report/status", "/services/no-such"} {
			target := "/" + loc + path
			code := http.StatusOK
			if path == "/services/no-such" {
				code = http.StatusNotFound
			}
			doc := f.page(t, target, code)
			foot := elements(doc, "footer")
			if len(foot) != 1 {
				t.Fatalf("%s: %d footers", target, len(foot))
			}
			in := links(foot[0])
			if len(in) != 1 || !hasClass(in[0].Parent.Parent, "foot-nav") {
				t.Errorf("%s: the footer's nav has %d links %q to %s", target, len(in), want, status)
			}
			current := len(in) == 1 && slices.ContainsFunc(in[0].Attr, func(a html.Attribute) bool { return a.Key == "aria-current" })
			if current != (path == "/report/status") {
				t.Errorf("%s: the footer's receipt link has aria-current %v", target, current)
			}
			if path != "/" && path != "/report" {
				continue
			}
			in = links(elements(doc, "main")[0])
			if len(in) != 1 || !hasClass(in[0], "more") {
				t.Errorf("%s: main has %d links %q to %s with class more", target, len(in), want, status)
			}
		}
	}
}

// The same form sent twice (a double tap, a reload) says it was already
// sent, keeps the text, and stores one tip.
func TestReportFormSentTwice(t *testing.T) {
	f := newTipFixture(t, 0)
	tok := f.token(t, "en")
	fields := map[string]string{"token": tok, "what_happened": "Sent twice"}
	if res, html := f.post(t, "/en/report", fields); res.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d\n%s", res.StatusCode, html)
	}
	res, html := f.post(t, "/en/report", fields)
	want := f.pages.msg(f.pages.cat.Localizer("en"), "report.error.already_sent")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, want) || !strings.Contains(html, "Sent twice") {
		t.Errorf("second: %d, want 400 with %q and the text kept\n%s", res.StatusCode, want, html)
	}
	if n, _ := countTips(t, f); n != 1 {
		t.Errorf("%d tips stored, want 1", n)
	}
}

// "What happened?" says how much it takes and cuts nothing: the field has
// no maxlength, and a text over the limit is refused with every character
// kept, so the visitor can shorten it.
func TestReportFormWhatLimit(t *testing.T) {
	f := newTipFixture(t, 0)
	doc := f.page(t, "/en/report", http.StatusOK)
	for _, n := range elements(doc, "textarea") {
		if id, _ := attr(n, "id"); id == "what_happened" {
			if _, ok := attr(n, "maxlength"); ok {
				t.Error("the textarea cuts what is pasted into it (maxlength)")
			}
		}
	}
	limit := f.pages.msg(f.pages.cat.Localizer("en"), "report.what.limit", "Max", intake.MaxWhatRunes)
	if !strings.Contains(text(doc), limit) {
		t.Errorf("the form does not say %q", limit)
	}
	long := strings.Repeat("ж", intake.MaxWhatRunes+5)
	res, html := f.post(t, "/en/report", map[string]string{"token": f.token(t, "en"), "what_happened": long})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, long) {
		t.Errorf("a text over the limit: %d, the text kept whole: %v", res.StatusCode, strings.Contains(html, long))
	}
	if n, _ := countTips(t, f); n != 0 {
		t.Errorf("%d tips stored, want 0", n)
	}
}

// The pack's answer_within_days and the desk's retention are what the
// receipt page promises.
func TestReceiptSaysWhenToExpectAnAnswer(t *testing.T) {
	f := newTipFixtureWith(t, 0, intake.Config{Retention: 30 * 24 * time.Hour})
	f.pages.meta.Tips.AnswerWithinDays = 3
	res, html := f.post(t, "/en/report", map[string]string{"token": f.token(t, "en"), "what_happened": "A tip"})
	if res.StatusCode != http.StatusCreated || receiptIn(html) == "" {
		t.Fatalf("POST: %d\n%s", res.StatusCode, html)
	}
	for _, want := range []string{"Allow 3 days for a first answer", "deleted 30 days after the last change"} {
		if !strings.Contains(html, want) {
			t.Errorf("the receipt page does not say %q", want)
		}
	}
}

// The nurse's plan (someone else, a minor, commercial sex) offers this
// site's report form after the steps, with who reads it, while the form
// takes tips; a person who came to learn is not offered it, and without a
// tip desk nobody is.
func TestPlanOffersTheReportForm(t *testing.T) {
	f := newTipFixture(t, 0)
	const nurse = "/en/help/plan?role=other&minor=yes&sex=yes"
	_, body := f.get(t, nurse)
	html := string(body)
	i := strings.Index(html, `class="site-report"`)
	if i < 0 {
		t.Fatalf("the nurse's plan does not offer the report form:\n%s", html)
	}
	offer := html[i:]
	offer = offer[:strings.Index(offer, "</section>")]
	for _, want := range []string{`href="/en/report"`, "Your report will be read by the team that runs this Haven site.", "not law enforcement"} {
		if !strings.Contains(offer, want) {
			t.Errorf("the offer does not have %q:\n%s", want, offer)
		}
	}
	if j := strings.Index(html, `class="plan-step"`); j < 0 || j > i {
		t.Errorf("the offer does not come after the steps")
	}
	if _, body := f.get(t, "/en/help/plan?role=learn"); strings.Contains(string(body), `class="site-report"`) {
		t.Errorf("a person who came to learn is offered the report form")
	}
	plain := newFixture(t, nil)
	if _, body := plain.get(t, nurse); strings.Contains(string(body), `class="site-report"`) {
		t.Errorf("a site without a tip desk offers the report form")
	}
}
