package tipsafety

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cutPaths are the paths of every route of `haven serve`: each public
// page, the API, the operations endpoints, and paths no route serves.
var cutPaths = []string{
	"/", "/en", "/en/", "/en/services", "/en/services/nhth", "/en/organizations/polaris",
	"/en/help", "/en/help/plan", "/en/safety", "/en/report", "/en/report/status",
	"/es/report", "/es/report/status", "/services",
	"/api/v1/services", "/api/v1/services/nhth", "/api/v1/organizations",
	"/api/v1/organizations/polaris", "/api/v1/route", "/api/v1/tips/token", "/api/v1/tips",
	"/api/v1/tips/status", "/api/v1/tips/messages", "/api/openapi.json", "/api/v1/nope",
	"/healthz", "/readyz", "/metrics", "/assets/none.css", "/favicon.ico", "/nope",
}

// cutTypes are the bodies a route may read: JSON, a form, a multipart form.
var cutTypes = []string{
	"application/json",
	"application/x-www-form-urlencoded",
	"multipart/form-data; boundary=cutcutcut",
}

// TestCutBodiesLeaveNoAddress sends every route a body cut short, as a
// phone losing its signal does: once with the sending side closed (the
// answer must be the client's error, never a 500) and once with the
// connection reset. The log must then hold neither the client's address
// and port nor a connection error's text.
func TestCutBodiesLeaveNoAddress(t *testing.T) {
	dataDir, _ := newInstall(t)
	logPath := filepath.Join(t.TempDir(), "haven.log")
	srv := startServer(t, dataDir, logPath, t.TempDir(),
		"--log-level", "debug", "--tip-min-seconds", "0", "--tip-rate", "-1", "--tip-rate-source", "-1")
	host := strings.TrimPrefix(srv.url, "http://")

	var ports []string
	for _, path := range cutPaths {
		for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodPut} {
			for _, ct := range cutTypes {
				for _, reset := range []bool{false, true} {
					port, status := sendCut(t, host, method, path, ct, reset)
					ports = append(ports, port)
					if !reset && status >= 500 {
						t.Errorf("%s %s (%s), body cut short: status %d, want a client error", method, path, ct, status)
					}
				}
			}
		}
	}
	// Give the server time to log what it would.
	time.Sleep(300 * time.Millisecond)
	srv.stop(t)

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(log)
	for _, leak := range []string{"connection reset", "broken pipe", "read tcp", "->127.0.0.1", "unexpected EOF"} {
		if strings.Contains(text, leak) {
			t.Errorf("the log holds %q", leak)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		for _, port := range ports {
			if strings.Contains(line, "127.0.0.1:"+port) || strings.Contains(line, ":"+port+" ") {
				t.Errorf("the log names a client's port %s: %s", port, line)
			}
		}
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("a cut body was logged as the server's error: %s", line)
		}
	}
}

// sendCut sends method path with a declared body of 1000 bytes and only
// the first few of them, then either closes its sending side and reads the
// answer's status, or resets the connection. It returns the client's port.
func sendCut(t *testing.T, host, method, path, contentType string, reset bool) (port string, status int) {
	t.Helper()
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*net.TCPConn)
	_, port, _ = net.SplitHostPort(c.LocalAddr().String())
	body := `{"receipt":"`
	if strings.HasPrefix(contentType, "multipart/") {
		body = "--cutcutcut\r\nContent-Disposition: form-data; name=\"what_happened\"\r\n\r\nsomeone is"
	}
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n%s",
		method, path, host, contentType, body)
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if reset {
		time.Sleep(20 * time.Millisecond) // let the server start reading
		_ = tc.SetLinger(0)               // Close sends RST
		return port, 0
	}
	_ = tc.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("%s %s (%s): no answer to a cut body: %v", method, path, contentType, err)
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("%s %s: status line %q", method, path, line)
	}
	status, _ = strconv.Atoi(f[1])
	return port, status
}
