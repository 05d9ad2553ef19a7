package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store/sqlite"
	"github.com/haven-project/haven/packs"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t testing.TB, env map[string]string, args ...string) result {
	t.Helper()
	return runWithStdin(t, nil, env, args...)
}

// runWithStdin is run with stdin as the standard input.
func runWithStdin(t testing.TB, stdin io.Reader, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := Main(context.Background(), args, Env{Stdin: stdin, Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return result{code, out.String(), errb.String()}
}

// tempDB is the path of a SQLite database that does not exist yet, in a
// folder that does not either.
func tempDB(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "data", "haven.db")
}

// newDB makes an empty SQLite database, as haven serve or haven keys
// recovery leave it on a new installation, and returns its path.
func newDB(t testing.TB) string {
	t.Helper()
	db := tempDB(t)
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestHelpAndUnknownCommand(t *testing.T) {
	r := run(t, nil, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "serve") || !strings.Contains(r.stdout, "export") {
		t.Fatalf("help: %+v", r)
	}
	if r := run(t, nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %+v", r)
	}
	if r := run(t, nil); r.code != 2 {
		t.Fatalf("no command: %+v", r)
	}
	for _, c := range commands() {
		if c.run == nil {
			continue
		}
		if r := run(t, nil, c.name, "--help"); r.code != 0 || !strings.Contains(r.stdout, "usage: haven "+c.name) {
			t.Errorf("%s --help: %+v", c.name, r)
		}
	}
	if r := run(t, nil, "find", "--no-such-flag"); r.code != 2 || !strings.Contains(r.stderr, "no-such-flag") {
		t.Fatalf("bad flag: %+v", r)
	}
}

func TestVersion(t *testing.T) {
	r := run(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "haven "+Version) {
		t.Fatalf("%+v", r)
	}
}

func TestCheckEmbeddedPack(t *testing.T) {
	r := run(t, nil, "check")
	if r.code != 0 || !strings.Contains(r.stdout, "ok: pack us (United States): 19 organizations, 22 services") {
		t.Fatalf("%+v", r)
	}
	if r.stderr != "" {
		t.Errorf("the embedded pack has warnings:\n%s", r.stderr)
	}
}

// A local organization and service added to a copy of the pack, not
// translated yet: check passes with a warning per locale and text, and
// serve would start.
func TestCheckWarnsOfTextsNotTranslatedYet(t *testing.T) {
	dir := copyPack(t)
	appendTo(t, filepath.Join(dir, "organizations.yaml"), `
  - slug: example-shelter-org
    name: Example Shelter Organization
    description: A local shelter.
    source: {document: 000_24d3d33fc683f7cc.txt, lines: [1], verified: "2026-12-01"}
`)
	appendTo(t, filepath.Join(dir, "services.yaml"), `
  - slug: example-shelter
    organization: example-shelter-org
    name: Example Shelter
    description: Beds for the night.
    kind: organization
    law_enforcement: false
    immigration_authority: false
    topics: [general]
    hours: {kind: unknown}
    source: {document: 000_24d3d33fc683f7cc.txt, lines: [1], verified: "2026-12-01"}
`)
	r := run(t, nil, "check", "--pack", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "20 organizations, 23 services") {
		t.Fatalf("exit %d, want 0: %+v", r.code, r)
	}
	want := filepath.Join(dir, "locales", "ar.yaml") + ":"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "warning: not translated yet: service.example-shelter.name") {
		t.Errorf("no warning for ar naming the text:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "44 warning(s)") {
		t.Errorf("want 44 warnings (2 organization and 2 service texts in 11 locales):\n%s", r.stderr)
	}
}

func appendTo(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyPack writes the embedded U.S. pack to a folder a test can break.
func copyPack(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(packs.US(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, p), 0o755)
		}
		data, err := fs.ReadFile(packs.US(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func breakFile(t testing.TB, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckBrokenPackNamesFileAndLine(t *testing.T) {
	dir := copyPack(t)
	breakFile(t, filepath.Join(dir, "services.yaml"), `value: "+18883737888"`, `value: "+18883737880"`)
	breakFile(t, filepath.Join(dir, "organizations.yaml"), `name: Polaris`, `name: Polaris
    founded: 2002`)
	r := run(t, nil, "check", "--pack", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %+v", r.code, r)
	}
	// Unknown fields stop decoding before record checks, so fix the order:
	// the YAML problem is reported first, alone.
	want := regexp.MustCompile(regexp.QuoteMeta(filepath.Join(dir, "organizations.yaml")) + `:\d+: .*founded`)
	if !want.MatchString(r.stderr) {
		t.Fatalf("no file:line problem for the unknown field:\n%s", r.stderr)
	}
	breakFile(t, filepath.Join(dir, "organizations.yaml"), "\n    founded: 2002", "")
	r = run(t, nil, "check", "--pack", dir)
	want = regexp.MustCompile(regexp.QuoteMeta(filepath.Join(dir, "services.yaml")) + `:\d+: service nhth: "1-888-373-7888" dials \+18883737888, but the value is \+18883737880`)
	if r.code != 1 || !want.MatchString(r.stderr) {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	if r := run(t, nil, "check", "--pack", filepath.Join(dir, "nope")); r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Fatalf("missing folder: %+v", r)
	}
}

// A mis-indented line far down services.yaml is reported on that line,
// not near the top where the list of services starts.
func TestCheckNamesTheLineOfAMisindentedKey(t *testing.T) {
	dir := copyPack(t)
	services := filepath.Join(dir, "services.yaml")
	const expert = "kind: expert\n    law_enforcement: null\n    immigration_authority: null\n"
	breakFile(t, services, expert+"    topics: [research]", expert+"  topics: [research]")
	data, err := os.ReadFile(services)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Count(data[:bytes.Index(data, []byte(expert))], []byte("\n")) + 4
	if line < 100 {
		t.Fatalf("the broken line is line %d; want one far down the file", line)
	}
	r := run(t, nil, "check", "--pack", dir)
	want := fmt.Sprintf("%s:%d: ", services, line)
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, want 1 and a problem at %s; stderr:\n%s", r.code, want, r.stderr)
	}
}

func TestFind(t *testing.T) {
	db := newDB(t)
	r := run(t, nil, "find", "--db", db, "cyber", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var got []directory.Service
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Slug != "ncmec-cybertipline" {
		t.Fatalf("find cyber: %+v", got)
	}
	r = run(t, map[string]string{"HAVEN_DB": db}, "find", "--topic", "child_sexual_exploitation", "--not-law-enforcement")
	if r.code != 0 || !strings.Contains(r.stdout, "ncmec-cybertipline") || !strings.Contains(r.stdout, "call 1-800-THE-LOST (1-800-843-5678)") || strings.Contains(r.stdout, "nhth") {
		t.Fatalf("find by topic: %+v", r)
	}
	r = run(t, nil, "find", "--db", db)
	if r.code != 0 || strings.Count(r.stdout, "\n") < 22 {
		t.Fatalf("find all: %+v", r)
	}
	if r := run(t, nil, "find", "--db", db, "--topic", "nonsense"); r.code != 2 || !strings.Contains(r.stderr, `--topic "nonsense"`) {
		t.Fatalf("bad topic: %+v", r)
	}
	if r := run(t, nil, "find", "--db", db, "--kind", "guru"); r.code != 2 {
		t.Fatalf("bad kind: %+v", r)
	}
	if r := run(t, nil, "find", "--db", db, "zzzz-nothing"); r.code != 0 || !strings.Contains(r.stdout, "No service matches") {
		t.Fatalf("no match: %+v", r)
	}
}

// Read commands show what the database holds; they never load another
// pack over the one a running server loaded.
func TestReadCommandsDoNotReplaceTheDirectory(t *testing.T) {
	dir := copyPack(t)
	breakFile(t, filepath.Join(dir, "services.yaml"), "description: In an emergency, please call 911.", "description: In an emergency, please call 911 (test pack).")
	// The translations were made from the old words and would be refused.
	if err := os.RemoveAll(filepath.Join(dir, "locales")); err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	if r := run(t, nil, "export", "--db", db, "--pack", dir); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := run(t, nil, "show", "emergency-911", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "(test pack)") || !strings.Contains(r.stderr, "another version of pack us") {
		t.Fatalf("show replaced the directory or said nothing: %+v", r)
	}
	r = run(t, nil, "find", "--db", db, "--json")
	if r.code != 0 || !strings.Contains(r.stdout, "(test pack)") || regexp.MustCompile(`"(topics|areas|languages|contacts|lines)": null`).MatchString(r.stdout) {
		t.Fatalf("find --json: %+v", r)
	}
}

func TestShow(t *testing.T) {
	db := newDB(t)
	r := run(t, nil, "show", "dhs-hsi-tip-line", "--db", db)
	for _, want := range []string{"call 1-866-DHS-2-ICE (1-866-347-2423)", "call 1-802-872-6199 (from outside the U.S.)", "law enforcement and immigration authority", "lines 8, 9, 24, 25"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show dhs-hsi-tip-line lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run(t, nil, "show", "--db", db, "ijm")
	if r.code != 0 || !strings.Contains(r.stdout, "International Justice Mission") {
		t.Fatalf("%+v", r)
	}
	r = run(t, nil, "show", "--db", db, "polaris", "--json")
	var s directory.Service
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Slug != "polaris" {
		t.Fatalf("show --json: %v %+v", err, r)
	}
	r = run(t, nil, "show", "--db", db, "dol")
	if r.code != 0 || !strings.Contains(r.stdout, "dol-oig-hotline") || !strings.Contains(r.stdout, "dol-whd") {
		t.Fatalf("organization with its services: %+v", r)
	}
	if r := run(t, nil, "show", "--db", db, "no-such-slug"); r.code != 1 || !strings.Contains(r.stderr, `no service or organization "no-such-slug"`) {
		t.Fatalf("unknown slug: %+v", r)
	}
	if r := run(t, nil, "show", "--db", db); r.code != 2 {
		t.Fatalf("no slug: %+v", r)
	}
}

func TestExport(t *testing.T) {
	db := newDB(t)
	r := run(t, nil, "export", "--format", "json", "--db", db)
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var doc exportDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Services) != 22 || len(doc.Organizations) != 19 || doc.Pack.ID != "us" {
		t.Fatalf("export: %d services, %d organizations, pack %q", len(doc.Services), len(doc.Organizations), doc.Pack.ID)
	}
	calls := 0
	for _, s := range doc.Services {
		for _, c := range s.Contacts {
			if c.Channel == directory.ChannelCall {
				calls++
				if !directory.IsE164(c.Value) && c.Value != "911" {
					t.Errorf("%s: call value %q is not E.164", s.Slug, c.Value)
				}
			}
		}
	}
	if calls != 9 {
		t.Errorf("%d call contacts exported, want 9", calls)
	}
	// Exporting again (a second load of the same pack) duplicates nothing.
	r2 := run(t, nil, "export", "--db", db)
	if r2.stdout != r.stdout {
		t.Fatal("a second export differs from the first")
	}
	if r := run(t, nil, "export", "--format", "csv", "--db", db); r.code != 2 {
		t.Fatalf("csv: %+v", r)
	}
}

var (
	listening        = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`)
	metricsListening = regexp.MustCompile(`msg="server: metrics listening" url=(http://127\.0\.0\.1:\d+/metrics)`)
)

func TestServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		return map[string]string{"HAVEN_ADDR": "127.0.0.1:0", "HAVEN_DB": filepath.Join(dir, "haven.db"), "HAVEN_METRICS_ADDR": "127.0.0.1:0"}[k]
	}}
	go func() { done <- Main(ctx, []string{"serve"}, env) }()
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(errb.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("serve did not start: %s", errb.String())
	}
	for _, path := range []string{"/", "/en/services", "/en/services/nhth", "/en/organizations/polaris", "/api/v1/services", "/healthz", "/readyz"} {
		resp, err := http.Get(base + strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
	}
	// /metrics is served on the metrics address only.
	if resp, err := http.Get(base + "metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address: %v %v, want 404", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	m := metricsListening.FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("no metrics address logged: %s", errb.String())
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "haven_http_requests_total") {
		t.Errorf("GET %s: %s", m[1], resp.Status)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after shutdown: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if _, err := os.Stat(filepath.Join(dir, "haven.db")); err != nil {
		t.Fatalf("no database file: %v", err)
	}
}

func TestServeRefusesBrokenPack(t *testing.T) {
	dir := copyPack(t)
	breakFile(t, filepath.Join(dir, "services.yaml"), "kind: emergency", "kind: emergencyy")
	db := tempDB(t)
	r := run(t, nil, "serve", "--pack", dir, "--db", db, "--addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, filepath.Join(dir, "services.yaml")+":") || !strings.Contains(r.stderr, `kind "emergencyy"`) {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("a broken pack still created the database")
	}
	if r := run(t, nil, "serve", "--log-format", "xml", "--db", db); r.code != 2 {
		t.Fatalf("bad log format: %+v", r)
	}
}

func TestGoTooOld(t *testing.T) {
	for v, want := range map[string]bool{
		"go1.26.8": true, "go1.26.10": true, "go1.27.2": true, "go1.27.3": false, "go1.28": false,
		"devel go1.28-abcdef": false,
	} {
		if got := goTooOld(v); got != want {
			t.Errorf("goTooOld(%q) = %v, want %v", v, got, want)
		}
	}
}
