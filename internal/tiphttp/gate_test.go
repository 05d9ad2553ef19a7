package tiphttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/intake"
)

// Source is the connection's address, or behind a trusted proxy the
// nearest address it forwards that is not a proxy.
func TestGateSource(t *testing.T) {
	g := newGate(t, Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	cases := []struct {
		remote, xff, want string
	}{
		{"203.0.113.5:4000", "", "203.0.113.5"},
		{"203.0.113.5:4000", "198.51.100.7", "203.0.113.5"}, // not a proxy: its header is ignored
		{"10.1.2.3:80", "198.51.100.7", "198.51.100.7"},
		{"10.1.2.3:80", "192.0.2.1, 198.51.100.7, 10.9.9.9", "198.51.100.7"}, // the nearest untrusted hop
		{"10.1.2.3:80", "", "10.1.2.3"},
		{"[::1]:80", "2001:db8::1", "2001:db8::1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/api/v1/tips", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := g.Source(r); got != c.want {
			t.Errorf("remote %s, X-Forwarded-For %q: source %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}

// A large answer must not reach the client before the floor: the time to
// its first byte, over a real socket, is at least LookupFloor.
func TestFlooredHoldsLargeAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fw, finish := Floored(w, time.Now())
		fw.Header().Set("Content-Type", "text/plain")
		fw.WriteHeader(http.StatusNotFound)
		_, _ = fw.Write(bytes.Repeat([]byte("x"), 256<<10))
		finish()
	}))
	defer srv.Close()
	start := time.Now()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if first < LookupFloor {
		t.Errorf("headers arrived after %v, before the %v floor", first, LookupFloor)
	}
	if res.StatusCode != http.StatusNotFound || len(body) != 256<<10 || res.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("answer changed: %d, %d bytes, %q", res.StatusCode, len(body), res.Header.Get("Content-Type"))
	}
}

// Only MaxBigUploads large tips are read at once; small ones never wait.
func TestBigUploadSlots(t *testing.T) {
	g := newGate(t, Config{})
	n := 0
	big := func(ctx context.Context) (func(), error) {
		r := httptest.NewRequest("POST", "/api/v1/tips", nil).WithContext(ctx)
		r.ContentLength = BigUploadBytes + 1
		n++ // each from its own address: one address has one slot at most
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:4000", n)
		return g.BeginUpload(httptest.NewRecorder(), r)
	}
	var releases []func()
	for i := 0; i < MaxBigUploads; i++ {
		rel, err := big(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, rel)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := big(ctx); err == nil {
		t.Fatal("a large upload beyond the slots did not wait")
	}
	small := httptest.NewRequest("POST", "/api/v1/tips", nil)
	small.ContentLength = 2000
	if rel, err := g.BeginUpload(httptest.NewRecorder(), small); err != nil {
		t.Fatal("a small tip waited for a slot")
	} else {
		rel()
	}
	releases[0]()
	rel, err := big(context.Background())
	if err != nil {
		t.Fatal("a freed slot was not given out")
	}
	rel()
}

// newGate is a Gate over a guard with the default limits.
func newGate(tb testing.TB, cfg Config) *Gate {
	tb.Helper()
	g, err := intake.NewGuard(intake.GuardConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	return NewGate(g, cfg)
}
