package tipsafety

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
)

// havenBin is the haven binary TestMain builds.
var havenBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "haven-tipsafety-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	havenBin = filepath.Join(dir, "haven")
	build := exec.Command("go", "build", "-o", havenBin, "./cmd/haven")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/haven: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// moduleRoot is the folder of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// keys are the age identities a test seals tips to. Only the public keys
// are given to the server.
type keys struct {
	recovery, operator *age.X25519Identity
}

// newInstall makes a data folder whose database has a recovery key and one
// operator, made with `haven keys recovery` and `haven keys operator add`.
// The private keys they print are read from their standard output, kept in
// memory only.
func newInstall(t *testing.T) (dataDir string, k keys) {
	t.Helper()
	dataDir = filepath.Join(t.TempDir(), "data")
	db := filepath.Join(dataDir, "haven.db")
	k.recovery = cliIdentity(t, "keys", "recovery", "--db", db)
	k.operator = cliIdentity(t, "keys", "operator", "add", "ana", "--db", db)
	return dataDir, k
}

// cliIdentity runs haven with args and reads the one age identity it
// prints.
func cliIdentity(t *testing.T, args ...string) *age.X25519Identity {
	t.Helper()
	out, err := havenCmd(t, args...)
	if err != nil {
		t.Fatalf("haven %s: %v", strings.Join(args, " "), err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(out))
	if err != nil || len(ids) != 1 {
		t.Fatalf("haven %s printed %d identities: %v", strings.Join(args, " "), len(ids), err)
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		t.Fatalf("haven %s printed a %T", strings.Join(args, " "), ids[0])
	}
	return id
}

// havenCmd runs haven with args and returns its standard output; its
// standard error goes into the error.
func havenCmd(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(havenBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%w\n%s", err, stderr.Bytes())
	}
	return out, nil
}

// server is a running `haven serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// listening matches the line the server logs once it listens.
var listening = regexp.MustCompile(`msg=listening url=(http://127\.0\.0\.1:[0-9]+)/`)

// startServer runs `haven serve` on a free loopback port over dataDir's
// database, its output appended to logPath, with TMPDIR set to tmpDir, and
// waits until it listens (which it logs at level info: args must not ask
// for a higher level).
func startServer(t *testing.T, dataDir, logPath, tmpDir string, args ...string) *server {
	t.Helper()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	offset, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"serve", "--db", filepath.Join(dataDir, "haven.db"), "--addr", "127.0.0.1:0", "--log-format", "text"}, args...)
	cmd := exec.Command(havenBin, all...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "TMPDIR="+tmpDir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		if m := listening.FindSubmatch(b[offset:]); m != nil {
			s.url = string(m[1])
			return s
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("haven serve exited: %v\n%s", err, b[offset:])
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("haven serve did not listen within a minute")
	return nil
}

// stop ends the server as an operator would (SIGTERM) and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cmd.ProcessState != nil {
		return
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Errorf("haven serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("haven serve did not stop within 30s of SIGTERM")
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	err := <-s.done
	s.done <- err
}

// client is a browser stand-in: every request carries the headers a
// proxy and a browser would add, which the server must not keep.
type client struct {
	http      *http.Client
	base      string
	forwarded string // X-Forwarded-For
	agent     string // User-Agent
	referer   string
}

func newClient(base string) *client {
	return &client{http: &http.Client{Timeout: 30 * time.Second}, base: base}
}

func (c *client) do(t *testing.T, method, path, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range map[string]string{"X-Forwarded-For": c.forwarded, "User-Agent": c.agent, "Referer": c.referer} {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// apiToken gets a form token from the API.
func (c *client) apiToken(t *testing.T) string {
	t.Helper()
	status, b := c.do(t, "GET", "/api/v1/tips/token", "", nil)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &tok); status != http.StatusOK || err != nil || tok.Token == "" {
		t.Fatalf("GET /api/v1/tips/token: %d %s", status, b)
	}
	return tok.Token
}

// attachment is one file of a form.
type attachment struct {
	name, contentType string
	data              []byte
}

// form builds a multipart body: text fields in order, then files.
func form(t *testing.T, fields [][2]string, files ...attachment) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &buf
}

// randomHex is n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// photo is a small JPEG whose EXIF ImageDescription and comment are desc.
func photo(t *testing.T, desc string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	jpg := buf.Bytes()
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	le := binary.LittleEndian
	for _, v := range []any{uint32(8), uint16(1), uint16(0x010E), uint16(2), uint32(len(desc) + 1), uint32(26), uint32(0)} {
		_ = binary.Write(&tiff, le, v)
	}
	tiff.WriteString(desc + "\x00")
	seg := func(marker byte, payload []byte) []byte {
		s := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg(0xE1, append([]byte("Exif\x00\x00"), tiff.Bytes()...))...)
	out = append(out, seg(0xFE, []byte(desc))...)
	return append(out, jpg[2:]...)
}

// finding is a secret found where it must not be.
type finding struct {
	file, secret string
	line         int // 1-based, for text files; 0 otherwise
}

// scanFiles reads every regular file under each root (at most maxBytes
// each; larger ones are reported) and reports where any secret occurs.
// keep, when set, decides which files to read.
func scanFiles(t *testing.T, secrets []string, keep func(path string, info os.FileInfo) bool, roots ...string) (found []finding, files int) {
	t.Helper()
	const maxBytes = 256 << 20
	for _, root := range roots {
		err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
					return nil // a file another process removed meanwhile
				}
				return err
			}
			if info.IsDir() {
				if keep != nil && !keep(path, info) {
					return filepath.SkipDir
				}
				return nil
			}
			if !info.Mode().IsRegular() || (keep != nil && !keep(path, info)) {
				return nil
			}
			if info.Size() > maxBytes {
				t.Logf("not scanned, larger than %d bytes: %s", maxBytes, path)
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
					return nil
				}
				return err
			}
			files++
			for _, s := range secrets {
				if i := bytes.Index(b, []byte(s)); i >= 0 {
					found = append(found, finding{file: path, secret: s, line: bytes.Count(b[:i], []byte("\n")) + 1})
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan %s: %v", root, err)
		}
	}
	return found, files
}

// logLines returns the lines of a log file.
func logLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// counter counts concurrent events.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// receiptIn finds the receipt in the report form's answer page
// (seven groups of four digits, each in a span that never breaks).
var receiptIn = regexp.MustCompile(`<p class="receipt" id="receipt"[^>]*>((?:<span>[0-9]{4}</span> ){6}<span>[0-9]{4}</span>)</p>`)

// tokenIn finds the form token in the report form.
var tokenIn = regexp.MustCompile(`<input type="hidden" name="token" value="([A-Za-z0-9_-]+)">`)

func mustReceipt(t *testing.T, s string) seal.Receipt {
	t.Helper()
	rc, err := seal.ParseReceipt(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("receipt %q: %v", s, err)
	}
	return rc
}
