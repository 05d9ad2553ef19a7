package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/tips"
)

func TestGuardSource(t *testing.T) {
	g, err := NewGuard(GuardConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	if err != nil {
		t.Fatal(err)
	}
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

// Tokens are limited per source, at tokenFactor times the tips.
func TestTokenIssueLimit(t *testing.T) {
	g, err := NewGuard(GuardConfig{SourcePerMinute: 1, GlobalPerSecond: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for g.AllowToken("198.51.100.7") {
		n++
		if n > 1000 {
			break
		}
	}
	if n != defaultSourceBurst*tokenFactor {
		t.Errorf("one source got %d tokens at once, want %d", n, defaultSourceBurst*tokenFactor)
	}
	if !g.AllowToken("203.0.113.9") {
		t.Error("another source is refused")
	}
	off, err := NewGuard(GuardConfig{SourcePerMinute: -1, GlobalPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if !off.AllowToken("198.51.100.7") {
			t.Fatalf("limits off, token %d refused", i)
		}
	}
}

// Only MaxBigUploads large tips are read at once; small ones never wait.
func TestBigUploadSlots(t *testing.T) {
	g, err := NewGuard(GuardConfig{})
	if err != nil {
		t.Fatal(err)
	}
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

// TestGuardTokensOutliveRestart: with a store, a token used before a
// restart (a new Guard on the same secret and store) is used after it.
func TestGuardTokensOutliveRestart(t *testing.T) {
	db := testenv.SQLite(t)
	secret := tips.Secret{7}
	newGuard := func() *Guard {
		g, err := NewGuard(GuardConfig{Secret: secret, Store: db})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := newGuard()
	tok, err := g.Token()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); !errors.Is(err, tips.ErrTokenUsed) {
		t.Errorf("the same guard: err = %v, want ErrTokenUsed", err)
	}
	if err := newGuard().Redeem(t.Context(), tok, ""); !errors.Is(err, tips.ErrTokenUsed) {
		t.Errorf("after a restart: err = %v, want ErrTokenUsed", err)
	}
	// Without a store, a restart forgets it, as it did.
	g, err = NewGuard(GuardConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); err != nil {
		t.Errorf("in memory, after a restart: err = %v, want nil", err)
	}
}
