package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Details of a client that must never reach the logs.
const (
	fakeRemote  = "203.0.113.201:54321"
	fakeAgent   = "zz-agent-5517/1.0"
	fakeXFF     = "198.51.100.202"
	fakeReferer = "https://zz-referrer-6631.example/page"
	fakeQuery   = "zz-query-8843=zz-value-1209"
	fakePath    = "zz-raw-path-7714"
)

// secrets are substrings that would show a leak of the details above.
var secrets = []string{"203.0.113.201", "54321", "zz-agent-5517", "198.51.100.202", "zz-referrer-6631", "zz-query-8843", "zz-value-1209", "zz-raw-path-7714"}

func withClientDetails(r *http.Request) *http.Request {
	r.RemoteAddr = fakeRemote
	r.Header.Set("User-Agent", fakeAgent)
	r.Header.Set("X-Forwarded-For", fakeXFF)
	r.Header.Set("Referer", fakeReferer)
	return r
}

// TestLogsHoldNoClientDetails sends requests of every outcome carrying a
// unique remote address, user agent, forwarded-for, referrer, query and
// path, and checks that none of them appears anywhere in the log output,
// while the access log still says what happened.
func TestLogsHoldNoClientDetails(t *testing.T) {
	logger, logs := captureLogs(t)
	s := newServer(t, logger)
	big := bytes.Repeat([]byte("x"), DefaultMaxBodyBytes+1)
	requests := []struct {
		req          *http.Request
		route        string
		status       int
		method       string
		wantAccessed bool
	}{
		{httptest.NewRequest("GET", "/things/"+fakePath+"?"+fakeQuery, nil), "GET /things/{id}", 200, "GET", true},
		{httptest.NewRequest("GET", "/panic?"+fakeQuery, nil), "GET /panic", 500, "GET", true},
		{httptest.NewRequest("GET", "/"+fakePath+"?"+fakeQuery, nil), "unmatched", 404, "GET", true},
		{httptest.NewRequest("POST", "/upload?"+fakeQuery, bytes.NewReader(big)), "POST /upload", 413, "POST", true},
		{httptest.NewRequest("ZZ-METHOD-4471", "/things/"+fakePath, nil), "unmatched", 405, "OTHER", true},
	}
	for _, rq := range requests {
		serve(t, s.Handler(), withClientDetails(rq.req))
	}

	// The same through a real connection, so that net/http's own logging is
	// covered too.
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, func(a net.Addr) { addrc <- a }) }()
	base := "http://" + (<-addrc).String()
	for _, path := range []string{"/things/" + fakePath + "?" + fakeQuery, "/panic?" + fakeQuery} {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", fakeAgent)
		req.Header.Set("X-Forwarded-For", fakeXFF)
		req.Header.Set("Referer", fakeReferer)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// A malformed request makes net/http itself answer and possibly log.
	if c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://")); err == nil {
		_, _ = c.Write([]byte("GET /" + fakePath + " HTTP/1.1\r\nHost: x\r\nUser-Agent: " + fakeAgent + "\r\nBad Header\r\n\r\n"))
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = c.Read(make([]byte, 512))
		c.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	out := logs.String()
	for _, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}

	var access []map[string]any
	for _, l := range logLines(t, out) {
		if l["msg"] == "http request" {
			access = append(access, l)
		}
	}
	if len(access) < len(requests) {
		t.Fatalf("%d access log lines, want at least %d", len(access), len(requests))
	}
	for i, rq := range requests {
		l := access[i]
		if l["route"] != rq.route || l["method"] != rq.method || l["status"] != float64(rq.status) {
			t.Errorf("access line %d = %v; want %s %s %d", i, l, rq.method, rq.route, rq.status)
		}
		if _, ok := l["duration"].(float64); !ok {
			t.Errorf("access line %d has no duration: %v", i, l)
		}
		if _, ok := l["bytes"].(float64); !ok {
			t.Errorf("access line %d has no bytes: %v", i, l)
		}
		for k := range l {
			switch k {
			case "time", "level", "msg", "method", "route", "status", "duration", "bytes":
			default:
				t.Errorf("access line %d has an unexpected field %q", i, k)
			}
		}
	}
}
