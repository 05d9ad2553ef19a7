package abuse

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func newLimiter(tb testing.TB, cfg LimitConfig) (*Limiter, *fakeClock) {
	tb.Helper()
	clock := newFakeClock()
	cfg.Now = clock.Now
	l, err := NewLimiter(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return l, clock
}

// allowN calls Allow n times and returns how many were allowed.
func allowN(l *Limiter, source string, n int) int {
	ok := 0
	for range n {
		if l.Allow(source) {
			ok++
		}
	}
	return ok
}

func TestLimiterPerSource(t *testing.T) {
	t.Parallel()
	l, clock := newLimiter(t, LimitConfig{
		Global: rate.Inf, GlobalBurst: 1,
		PerSource: rate.Every(time.Minute), PerSourceBurst: 3,
	})
	if got := allowN(l, "192.0.2.1", 10); got != 3 {
		t.Errorf("source A: %d of 10 allowed, want the burst of 3", got)
	}
	if got := allowN(l, "192.0.2.2", 10); got != 3 {
		t.Errorf("source B: %d of 10 allowed, want 3: A's limit must not touch B", got)
	}
	// The same client from another port, or IPv4-mapped, is the same source.
	for _, same := range []string{"192.0.2.1:5555", "::ffff:192.0.2.1", "[::ffff:192.0.2.1]:80"} {
		if l.Allow(same) {
			t.Errorf("%s was allowed: it is 192.0.2.1", same)
		}
	}
	clock.Advance(time.Minute)
	if got := allowN(l, "192.0.2.1", 10); got != 1 {
		t.Errorf("a minute later: %d allowed, want 1", got)
	}
}

func TestLimiterIPv6Prefix(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(t, LimitConfig{
		Global: rate.Inf, GlobalBurst: 1,
		PerSource: rate.Every(time.Hour), PerSourceBurst: 2,
	})
	if allowN(l, "2001:db8:1:2::1", 1)+allowN(l, "[2001:db8:1:2:ffff::9]:443", 1) != 2 {
		t.Fatal("first two from the /64 refused")
	}
	if l.Allow("2001:db8:1:2:abcd::1") {
		t.Error("a third address in the same /64 was allowed")
	}
	if !l.Allow("2001:db8:1:3::1") {
		t.Error("an address in another /64 was refused")
	}
}

func TestLimiterGlobal(t *testing.T) {
	t.Parallel()
	l, clock := newLimiter(t, LimitConfig{
		Global: rate.Every(time.Second), GlobalBurst: 5,
		PerSource: rate.Every(time.Hour), PerSourceBurst: 2,
	})
	ok := 0
	for _, src := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
		ok += allowN(l, src, 2)
	}
	if ok != 5 {
		t.Errorf("%d allowed across sources, want the global burst of 5", ok)
	}
	// A source refused by the global limit keeps its own allowance.
	if l.Allow("192.0.2.9") {
		t.Fatal("allowed beyond the global limit")
	}
	clock.Advance(2 * time.Second)
	if got := allowN(l, "192.0.2.9", 2); got != 2 {
		t.Errorf("after the global limit refilled: %d of its burst of 2 allowed, want 2", got)
	}
}

func TestLimiterRotation(t *testing.T) {
	t.Parallel()
	l, clock := newLimiter(t, LimitConfig{
		Global: rate.Inf, GlobalBurst: 1,
		PerSource: rate.Every(24 * time.Hour), PerSourceBurst: 1,
	})
	if !l.Allow("192.0.2.1") || l.Allow("192.0.2.1") {
		t.Fatal("burst of 1 not enforced")
	}
	key := l.hourKey
	clock.Advance(59 * time.Minute)
	if l.Allow("192.0.2.1") {
		t.Fatal("allowed before the hour is over")
	}
	clock.Advance(time.Minute)
	if !l.Allow("192.0.2.1") {
		t.Fatal("not allowed after rotation")
	}
	if l.hourKey == key {
		t.Error("hour key not replaced")
	}
	if len(l.sources) != 1 {
		t.Errorf("%d sources tracked after rotation, want 1", len(l.sources))
	}
	// A clock set back also rotates rather than keep a key forever.
	key = l.hourKey
	clock.Advance(-time.Minute)
	l.Allow("192.0.2.1")
	if l.hourKey == key {
		t.Error("hour key kept when the clock went back")
	}
}

// TestLimiterStoresNoAddress checks that the only per-source state is keyed by
// HMAC-SHA256 under the in-memory hour key, and that no key holds the address.
func TestLimiterStoresNoAddress(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(t, LimitConfig{
		Global: rate.Inf, GlobalBurst: 1,
		PerSource: 1, PerSourceBurst: 1,
	})
	addrs := []string{"192.0.2.77", "2001:db8:cafe:1::77", "unix-socket-peer"}
	for _, a := range addrs {
		l.Allow(a)
	}
	if len(l.sources) != len(addrs) {
		t.Fatalf("%d sources tracked, want %d", len(l.sources), len(addrs))
	}
	for _, a := range addrs {
		mac := hmac.New(sha256.New, l.hourKey[:])
		mac.Write([]byte(NormalizeSource(a)))
		var want [sha256.Size]byte
		copy(want[:], mac.Sum(nil))
		if _, ok := l.sources[want]; !ok {
			t.Errorf("no entry keyed by HMAC(hour key, %s)", a)
		}
		for k := range l.sources {
			if bytes.Contains(k[:], []byte(a)) || bytes.Contains(k[:], []byte(NormalizeSource(a))) {
				t.Errorf("a key contains the address %s", a)
			}
		}
	}
}

func TestLimiterMaxSources(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(t, LimitConfig{
		Global: rate.Every(time.Hour), GlobalBurst: 10,
		PerSource: rate.Every(time.Hour), PerSourceBurst: 1,
		MaxSources: 2,
	})
	allowN(l, "192.0.2.1", 1)
	allowN(l, "192.0.2.2", 1)
	// The table is full: a new source is held to the global limit only.
	if got := allowN(l, "192.0.2.3", 3); got != 3 {
		t.Errorf("untracked source: %d of 3 allowed, want 3 (global limit only)", got)
	}
	if len(l.sources) != 2 {
		t.Errorf("%d sources tracked, want the cap of 2", len(l.sources))
	}
	if l.Allow("192.0.2.1") {
		t.Error("a tracked source escaped its limit")
	}
	if got := allowN(l, "192.0.2.4", 10); got != 5 {
		t.Errorf("untracked source: %d allowed, want the 5 left of the global burst", got)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(t, LimitConfig{
		Global: rate.Every(time.Hour), GlobalBurst: 100,
		PerSource: rate.Every(time.Hour), PerSourceBurst: 10,
	})
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			n := allowN(l, []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1"}[i%4], 10)
			mu.Lock()
			ok += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if ok != 40 {
		t.Errorf("%d allowed, want 4 sources × burst 10", ok)
	}
}

func TestNormalizeSource(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{" 192.0.2.1 ", "192.0.2.1"},
		{"192.0.2.1:8080", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:443", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"example.org", "other:example.org"},
		{"", "other:"},
		{"192.0.2.1/24", "other:192.0.2.1/24"},
	}
	for _, tt := range tests {
		if got := NormalizeSource(tt.in); got != tt.want {
			t.Errorf("NormalizeSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewLimiterConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []LimitConfig{
		{Global: 0, GlobalBurst: 1, PerSource: 1, PerSourceBurst: 1},
		{Global: 1, GlobalBurst: 0, PerSource: 1, PerSourceBurst: 1},
		{Global: 1, GlobalBurst: 1, PerSource: -1, PerSourceBurst: 1},
		{Global: 1, GlobalBurst: 1, PerSource: 1, PerSourceBurst: 0},
		{Global: 1, GlobalBurst: 1, PerSource: 1, PerSourceBurst: 1, MaxSources: -1},
	} {
		if _, err := NewLimiter(cfg); err == nil {
			t.Errorf("NewLimiter(%+v) succeeded", cfg)
		}
	}
	l, err := NewLimiter(LimitConfig{Global: 1, GlobalBurst: 1, PerSource: 1, PerSourceBurst: 1})
	if err != nil {
		t.Fatal(err)
	}
	if l.cfg.MaxSources != DefaultMaxSources || l.cfg.Now == nil {
		t.Errorf("defaults not applied: %+v", l.cfg)
	}
}
