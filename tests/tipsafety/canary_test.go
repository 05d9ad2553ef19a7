package tipsafety

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
)

// sender is one tipster's traffic: the canaries it sends and the headers
// its requests carry, all unique to it.
type sender struct {
	name                             string
	text, where, contact, file, exif string // canaries in the tip
	message                          string // canary in a later message
	path                             string // canary in a URL (path and query)
	forwarded, agent, referer        string // headers of its requests
	receipt                          seal.Receipt
}

func newSender(t *testing.T, name string) *sender {
	c := func(what string) string { return fmt.Sprintf("CANARY-%s-%s-%s", name, what, randomHex(t, 12)) }
	s := &sender{
		name: name, text: c("text"), where: c("where"), contact: c("contact"), file: c("file"), exif: c("exif"), message: c("message"),
		path: c("path"),
	}
	b := []byte(randomHex(t, 3))
	s.forwarded = fmt.Sprintf("203.0.%d.%d, 198.51.%d.%d", 100+int(b[0])%100, 1+int(b[1])%250, 100+int(b[2])%100, 1+int(b[3])%250)
	s.agent = "Mozilla/5.0 (CanaryOS " + randomHex(t, 8) + ") HavenTest/1"
	s.referer = "https://referer-" + randomHex(t, 6) + ".example/path?q=" + randomHex(t, 4)
	return s
}

func (s *sender) client(base string) *client {
	c := newClient(base)
	c.forwarded, c.agent, c.referer = s.forwarded, s.agent, s.referer
	return c
}

// secrets are the strings of a sender that must be nowhere on disk or in
// a log: the canaries in the clear, the headers, the receipt.
func (s *sender) secrets() []string {
	out := []string{s.text, s.where, s.contact, s.file, s.exif, s.message, s.path, s.forwarded, s.agent, s.referer}
	out = append(out, strings.Split(s.forwarded, ", ")...)
	if !s.receipt.IsZero() {
		out = append(out, s.receipt.String(), s.receipt.Canonical())
	}
	return out
}

// TestCanary sends tips through the report form and the API, each with
// unique canaries in its text and attachments and unique client headers,
// looks them up and adds messages, then stops the server and reads every
// file of the data folder, the server's temporary folder, the log, and
// every file created meanwhile in the system's temporary folder: no canary,
// no header, no receipt appears in any of them. The operator's and the
// recovery key then open every tip and find the canaries (all but the
// photo's metadata, which is stripped).
func TestCanary(t *testing.T) {
	start := time.Now().Add(-2 * time.Second) // file times are coarse
	dataDir, k := newInstall(t)
	serverTmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(serverTmp, 0o700); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServer(t, dataDir, logPath, serverTmp, "--log-level", "debug", "--tip-min-seconds", "0")

	web, apiForm, apiJSON := newSender(t, "web"), newSender(t, "apiform"), newSender(t, "apijson")
	senders := []*sender{web, apiForm, apiJSON}

	// The report form: the token from the page, a multipart POST.
	c := web.client(srv.url)
	status, page := c.do(t, "GET", "/en/report", "", nil)
	m := tokenIn.FindSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("GET /en/report: %d, token found: %v", status, m != nil)
	}
	ct, body := form(t, [][2]string{
		{"token", string(m[1])}, {"pow", ""}, {"language", "en"}, {"what_happened", "Seen: " + web.text},
		{"where", web.where}, {"when", "yesterday"}, {"people_count", "2"}, {"danger", "no"},
		{"minors_involved", "unsure"}, {"kind", "labor"}, {"reply", "contact"}, {"reply_contact", web.contact},
	}, attachment{"notes.txt", "text/plain", []byte("notes: " + web.file)}, attachment{"IMG_1.jpg", "image/jpeg", photo(t, web.exif)})
	status, page = c.do(t, "POST", "/en/report", ct, body)
	m = receiptIn.FindSubmatch(page)
	if status != http.StatusCreated || m == nil {
		t.Fatalf("POST /en/report: %d\n%s", status, page)
	}
	web.receipt = mustReceipt(t, strings.NewReplacer("<span>", "", "</span>", "").Replace(string(m[1])))

	// The API, multipart with attachments.
	c = apiForm.client(srv.url)
	ct, body = form(t, [][2]string{
		{"token", c.apiToken(t)}, {"what_happened", apiForm.text}, {"where", apiForm.where}, {"reply_contact", apiForm.contact},
	}, attachment{"file.bin", "application/octet-stream", []byte(apiForm.file)}, attachment{"p.jpg", "application/octet-stream", photo(t, apiForm.exif)})
	apiForm.receipt = submitAPI(t, c, ct, body.Bytes())

	// The API, JSON: no attachments, so the file canary goes in "when" and
	// there is no photo.
	c = apiJSON.client(srv.url)
	tip, err := json.Marshal(map[string]any{
		"token": c.apiToken(t), "what_happened": apiJSON.text, "where": apiJSON.where, "when": apiJSON.file,
		"reply_contact": apiJSON.contact, "people_count": 1, "danger": true, "kind": "sex", "minors_involved": "yes",
	})
	if err != nil {
		t.Fatal(err)
	}
	apiJSON.receipt = submitAPI(t, c, "application/json", tip)
	apiJSON.exif = "" // not sent

	// Look-ups and messages: through the API, and through the status page.
	for _, s := range []*sender{apiForm, apiJSON} {
		c := s.client(srv.url)
		msg, _ := json.Marshal(map[string]string{"receipt": s.receipt.String(), "message": s.message})
		if status, b := c.do(t, "POST", "/api/v1/tips/messages", "application/json", bytes.NewReader(msg)); status != http.StatusCreated {
			t.Fatalf("POST /api/v1/tips/messages: %d %s", status, b)
		}
		lookup, _ := json.Marshal(map[string]string{"receipt": s.receipt.Canonical()})
		status, b := c.do(t, "POST", "/api/v1/tips/status", "application/json", bytes.NewReader(lookup))
		if status != http.StatusOK || !bytes.Contains(b, []byte(s.message)) {
			t.Fatalf("POST /api/v1/tips/status: %d", status)
		}
	}
	c = web.client(srv.url)
	status, page = c.do(t, "POST", "/en/report/status", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"receipt": {web.receipt.String()}, "message": {web.message}}.Encode()))
	if status != http.StatusOK || !bytes.Contains(page, []byte(web.message)) {
		t.Fatalf("POST /en/report/status: %d", status)
	}
	// URLs with canaries: a page that does not exist, a query no endpoint
	// takes. The access log names routes, never paths or queries.
	for _, s := range senders {
		c := s.client(srv.url)
		for _, u := range []string{"/en/" + s.path, "/api/v1/tips/token?" + s.path + "=1", "/en/report?ref=" + s.path} {
			if status, _ := c.do(t, "GET", u, "", nil); status == http.StatusOK && !strings.HasPrefix(u, "/en/report") {
				t.Errorf("GET %s: 200", u)
			}
		}
	}
	unknown, err := seal.NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	lookup, _ := json.Marshal(map[string]string{"receipt": unknown.String()})
	if status, _ := c.do(t, "POST", "/api/v1/tips/status", "application/json", bytes.NewReader(lookup)); status != http.StatusNotFound {
		t.Fatalf("unknown receipt: %d", status)
	}

	// Nothing in the clear, anywhere: in the data folder while the server
	// runs (the WAL and shared-memory files are there then) and once it
	// has stopped.
	var secrets []string
	for _, s := range senders {
		for _, v := range s.secrets() {
			if v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q is too short to search for", s)
		}
	}
	scanData := func(when string) {
		t.Helper()
		found, n := scanFiles(t, append(secrets, "127.0.0.1"), nil, dataDir, serverTmp)
		entries, _ := os.ReadDir(dataDir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Logf("%s: %d files scanned in the data and temporary folders; data folder: %v", when, n, names)
		for _, f := range found {
			t.Errorf("%s: %s holds %q", when, f.file, f.secret)
		}
	}
	scanData("server running")
	srv.stop(t)
	scanData("server stopped")
	logFound, _ := scanFiles(t, secrets, nil, logPath)
	for _, f := range logFound {
		t.Errorf("the log holds %q at line %d", f.secret, f.line)
	}
	lines := logLines(t, logPath)
	requests := 0
	for i, line := range lines {
		if strings.Contains(line, "msg=\"http request\"") {
			requests++
			if strings.Contains(line, "/report") || strings.Contains(line, "/api/v1/tips") {
				t.Errorf("log line %d records a tipster's request (with its time): %s", i+1, line)
			}
		}
		if strings.Contains(line, "127.0.0.1") && !strings.Contains(line, "listening") {
			t.Errorf("log line %d names the client's address: %s", i+1, line)
		}
	}
	// Tip routes are never logged, but the others are: the log is on.
	if requests < 1 {
		t.Errorf("the log has %d request lines; is --log-level debug logging anything?", requests)
	}
	// Every file the test's time created under the system's temporary
	// folder (this test's own folders included), bar the session tooling's.
	tmpFound, tmpFiles := scanFiles(t, secrets, func(path string, info os.FileInfo) bool {
		if info.IsDir() {
			return !strings.HasPrefix(info.Name(), "bash_jobs.")
		}
		return !info.ModTime().Before(start)
	}, os.TempDir())
	t.Logf("%s: %d files created during the test scanned", os.TempDir(), tmpFiles)
	for _, f := range tmpFound {
		t.Errorf("%s holds %q", f.file, f.secret)
	}

	// The operator and the recovery key read everything.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dataDir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret, err := seal.LoadOrCreateSecret(filepath.Join(dataDir, "tips.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, total, err := db.ListTips(ctx, store.TipFilter{}); err != nil || total != len(senders) {
		t.Fatalf("%d tips stored (%v), want %d", total, err, len(senders))
	}
	for _, s := range senders {
		tip, err := db.TipByReceipt(ctx, secret.ReceiptHash(s.receipt))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		atts, err := db.Attachments(ctx, tip.ID)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := db.TipMessages(ctx, tip.ID)
		if err != nil {
			t.Fatal(err)
		}
		for who, id := range map[string]*age.X25519Identity{"operator": k.operator, "recovery": k.recovery} {
			doc, err := intake.OpenTip(tip, id)
			if err != nil {
				t.Fatalf("%s: the %s key: %v", s.name, who, err)
			}
			plain, _ := json.Marshal(doc)
			var files []byte
			for _, a := range atts {
				b, err := seal.Open(a.Sealed, id)
				if err != nil {
					t.Fatalf("%s: the %s key: attachment: %v", s.name, who, err)
				}
				files = append(files, b...)
			}
			opened, err := intake.OpenMessages(msgs, id)
			if err != nil || len(opened) != 1 || opened[0].Text != s.message {
				t.Errorf("%s: the %s key reads messages %v, %v", s.name, who, opened, err)
			}
			all := append(plain, files...)
			for _, want := range []string{s.text, s.where, s.contact, s.file} {
				if !bytes.Contains(all, []byte(want)) {
					t.Errorf("%s: the %s key does not find %q", s.name, who, want)
				}
			}
			if s.exif != "" && bytes.Contains(all, []byte(s.exif)) {
				t.Errorf("%s: the photo's metadata was kept", s.name)
			}
		}
	}
}

// submitAPI sends a tip to POST /api/v1/tips and returns its receipt.
func submitAPI(t *testing.T, c *client, contentType string, body []byte) seal.Receipt {
	t.Helper()
	status, b := c.do(t, "POST", "/api/v1/tips", contentType, bytes.NewReader(body))
	var got struct {
		Receipt string `json:"receipt"`
	}
	if err := json.Unmarshal(b, &got); status != http.StatusCreated || err != nil {
		t.Fatalf("POST /api/v1/tips: %d %s", status, b)
	}
	return mustReceipt(t, got.Receipt)
}
