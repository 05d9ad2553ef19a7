package abuse

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for Tokens and Limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTokens(tb testing.TB, cfg TokenConfig) (*Tokens, *fakeClock) {
	tb.Helper()
	clock := newFakeClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	key := testKey(3)
	tk, err := NewTokens(key, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return tk, clock
}

func issue(tb testing.TB, tk *Tokens) string {
	tb.Helper()
	tok, err := tk.Issue()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{})
	tok := issue(t, tk)
	if len(tok) != 55 {
		t.Errorf("token %q has %d characters, want 55", tok, len(tok))
	}
	if other := issue(t, tk); other == tok {
		t.Error("two tokens are equal")
	}

	clock.Advance(time.Second)
	err := tk.Redeem(t.Context(), tok, "")
	var tooNew TooNewError
	if !errors.Is(err, ErrTokenTooNew) || !errors.As(err, &tooNew) {
		t.Fatalf("after 1s: err = %v, want a TooNewError", err)
	}
	if tooNew.Wait != 2*time.Second {
		t.Errorf("Wait = %v, want 2s", tooNew.Wait)
	}

	// Sending too early did not use the token up.
	clock.Advance(tooNew.Wait)
	if err := tk.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatalf("after MinAge: %v", err)
	}
	if err := tk.Redeem(t.Context(), tok, ""); !errors.Is(err, ErrTokenUsed) {
		t.Errorf("second redemption: err = %v, want ErrTokenUsed", err)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{MaxAge: time.Hour})
	tok := issue(t, tk)
	clock.Advance(time.Hour)
	fresh := issue(t, tk)
	clock.Advance(time.Second)
	if err := tk.Redeem(t.Context(), tok, ""); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("after MaxAge: err = %v, want ErrTokenExpired", err)
	}
	clock.Advance(2 * time.Second)
	if err := tk.Redeem(t.Context(), fresh, ""); err != nil {
		t.Errorf("fresh token: %v", err)
	}
}

func TestTokenMinAgeDisabled(t *testing.T) {
	t.Parallel()
	tk, _ := newTokens(t, TokenConfig{MinAge: -1})
	if err := tk.Redeem(t.Context(), issue(t, tk), ""); err != nil {
		t.Errorf("MinAge disabled: %v", err)
	}
}

func TestTokenSecondResolution(t *testing.T) {
	t.Parallel()
	// Issued at 12:00:00.9, the token counts as issued at 12:00:00.
	tk, clock := newTokens(t, TokenConfig{})
	clock.Advance(900 * time.Millisecond)
	tok := issue(t, tk)
	clock.Advance(2 * time.Second)
	var tooNew TooNewError
	if err := tk.Redeem(t.Context(), tok, ""); !errors.As(err, &tooNew) || tooNew.Wait != 100*time.Millisecond {
		t.Errorf("2s after issue: err = %v, want a wait of 100ms", err)
	}
	// With MinAge disabled, a token is good at once, whatever the fraction.
	tk, clock = newTokens(t, TokenConfig{MinAge: -1})
	clock.Advance(999 * time.Millisecond)
	if err := tk.Redeem(t.Context(), issue(t, tk), ""); err != nil {
		t.Errorf("MinAge disabled: %v", err)
	}
}

func TestTokenInvalid(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{})
	other, err := NewTokens(testKey(4), TokenConfig{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tok := issue(t, tk)
	clock.Advance(time.Minute)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{
		"",
		"x",
		tok[:len(tok)-1],
		tok + "A",
		tok + "=",
		base64.URLEncoding.EncodeToString(raw), // padded
		base64.RawStdEncoding.EncodeToString(append([]byte{0xfb, 0xff}, raw[2:]...)),
		issue(t, other),
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= bit
			bad = append(bad, base64.RawURLEncoding.EncodeToString(b))
		}
	}
	// The last character carries 4 data bits and 2 unused ones: lax base64
	// would decode these variants to the same bytes; strict decoding refuses.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	for unused := 1; unused < 4; unused++ {
		bad = append(bad, tok[:len(tok)-1]+string(alphabet[last&^3|unused]))
	}
	for _, tb := range bad {
		if err := tk.Redeem(t.Context(), tb, ""); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("Redeem(%q): err = %v, want ErrTokenInvalid", tb, err)
		}
	}
	if err := tk.Redeem(t.Context(), tok, ""); err != nil {
		t.Errorf("the untampered token was spoilt: %v", err)
	}
}

func TestTokenPow(t *testing.T) {
	t.Parallel()
	const bits = 8
	tk, clock := newTokens(t, TokenConfig{PowBits: bits})

	// With proof of work, MinAge applies.
	tok := issue(t, tk)
	clock.Advance(3 * time.Second)
	if err := tk.Redeem(t.Context(), tok, "not a number"); !errors.Is(err, ErrPowInvalid) {
		t.Fatalf("bad nonce: err = %v, want ErrPowInvalid", err)
	}
	wrong := "0"
	for VerifyPow(tok, wrong, bits) {
		n, _ := strconv.Atoi(wrong)
		wrong = strconv.Itoa(n + 1)
	}
	if err := tk.Redeem(t.Context(), tok, wrong); !errors.Is(err, ErrPowInvalid) {
		t.Fatalf("wrong nonce: err = %v, want ErrPowInvalid", err)
	}
	if err := tk.Redeem(t.Context(), tok, SolvePow(tok, bits)); err != nil {
		t.Fatalf("solved after MinAge: %v", err)
	}

	// Without it (no JavaScript), NoJSMinAge applies.
	tok = issue(t, tk)
	clock.Advance(10 * time.Second)
	var tooNew TooNewError
	if err := tk.Redeem(t.Context(), tok, ""); !errors.As(err, &tooNew) || tooNew.Wait != 20*time.Second {
		t.Fatalf("no proof after 10s: err = %v, want a wait of 20s", err)
	}
	clock.Advance(20 * time.Second)
	if err := tk.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatalf("no proof after NoJSMinAge: %v", err)
	}

	// A solution for one token does not fit another.
	a, b := issue(t, tk), issue(t, tk)
	clock.Advance(time.Minute)
	sol := SolvePow(a, bits)
	if VerifyPow(b, sol, bits) {
		t.Skip("improbable: one nonce solves both tokens")
	}
	if err := tk.Redeem(t.Context(), b, sol); !errors.Is(err, ErrPowInvalid) {
		t.Errorf("another token's solution: err = %v, want ErrPowInvalid", err)
	}
}

func TestTokenPowIgnoredWhenOff(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{})
	tok := issue(t, tk)
	clock.Advance(3 * time.Second)
	if err := tk.Redeem(t.Context(), tok, "garbage"); err != nil {
		t.Errorf("pow given while PowBits is 0: %v", err)
	}
}

func TestTokenPruneAndCap(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{MaxAge: time.Hour, MaxRedeemed: 3})
	for range 3 {
		tok := issue(t, tk)
		clock.Advance(3 * time.Second)
		if err := tk.Redeem(t.Context(), tok, ""); err != nil {
			t.Fatal(err)
		}
	}
	tok := issue(t, tk)
	clock.Advance(3 * time.Second)
	if err := tk.Redeem(t.Context(), tok, ""); !errors.Is(err, ErrTokenBusy) {
		t.Fatalf("beyond MaxRedeemed: err = %v, want ErrTokenBusy", err)
	}
	// Refused for being full, the token is still good once there is room:
	// the first three (issued at 0s, 3s, 6s) have expired, it (9s) has not.
	clock.Advance(time.Hour - 4*time.Second)
	if err := tk.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatalf("after the first tokens expired: %v", err)
	}
	tk.mu.Lock()
	n := len(tk.redeemed)
	tk.mu.Unlock()
	if n != 1 {
		t.Errorf("%d redeemed tokens remembered after pruning, want 1", n)
	}
}

func TestTokenConcurrentRedeem(t *testing.T) {
	t.Parallel()
	tk, clock := newTokens(t, TokenConfig{})
	toks := make([]string, 20)
	for i := range toks {
		toks[i] = issue(t, tk)
	}
	clock.Advance(time.Minute)
	var ok, used atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		for _, tok := range toks {
			wg.Go(func() {
				switch err := tk.Redeem(t.Context(), tok, ""); {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrTokenUsed):
					used.Add(1)
				default:
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if ok.Load() != int32(len(toks)) || used.Load() != int32(7*len(toks)) {
		t.Errorf("%d redemptions succeeded and %d were refused as used, want %d and %d", ok.Load(), used.Load(), len(toks), 7*len(toks))
	}
}

// memorySet is a RedeemedSet in a map, like a database would keep it; it
// outlives the Tokens that use it, as a database outlives a process.
type memorySet struct {
	mu      sync.Mutex
	expires map[string]time.Time
	fail    error // returned by Redeem when set
	calls   int
}

func (m *memorySet) Redeem(_ context.Context, id []byte, expires, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail != nil {
		return m.fail
	}
	if m.expires == nil {
		m.expires = map[string]time.Time{}
	}
	for k, e := range m.expires {
		if !e.After(now) {
			delete(m.expires, k)
		}
	}
	if _, ok := m.expires[string(id)]; ok {
		return fmt.Errorf("memory set: %w", ErrTokenUsed)
	}
	m.expires[string(id)] = expires
	return nil
}

// A token redeemed before a restart is refused after it, until it expires,
// when Tokens keep redeemed tokens in a RedeemedSet: here, two Tokens with
// the same key and set stand for the server before and after a restart.
func TestTokenRedeemedAcrossRestart(t *testing.T) {
	t.Parallel()
	set := &memorySet{}
	clock := newFakeClock()
	key := testKey(3)
	start := func(set RedeemedSet) *Tokens {
		tk, err := NewTokens(key, TokenConfig{MaxAge: time.Hour, Now: clock.Now, Redeemed: set})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	before := start(set)
	tok := issue(t, before)
	clock.Advance(3 * time.Second)
	if err := before.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatal(err)
	}
	after := start(set)
	if err := after.Redeem(t.Context(), tok, ""); !errors.Is(err, ErrTokenUsed) {
		t.Errorf("after a restart: err = %v, want ErrTokenUsed", err)
	}
	// Kept in memory alone, as before, a restart forgets it.
	if err := start(nil).Redeem(t.Context(), tok, ""); err != nil {
		t.Errorf("without a set, after a restart: err = %v, want nil (memory is all it had)", err)
	}

	// The set keeps a keyed hash of the token, not the token, until the
	// token expires.
	set.mu.Lock()
	for id, exp := range set.expires {
		raw, _ := tokenEncoding.DecodeString(tok)
		if len(id) != TokenIDSize || strings.Contains(id, tok) || strings.Contains(id, string(raw[9:tokenBody])) {
			t.Errorf("the set keeps %x of token %s", id, tok)
		}
		if want := clock.Now().Add(-3 * time.Second).Truncate(time.Second).Add(time.Hour); !exp.Equal(want) {
			t.Errorf("kept until %v, want %v (issue time + MaxAge)", exp, want)
		}
	}
	set.mu.Unlock()
	// Another key makes other ids: a set does not tell which tokens of
	// one installation another used.
	other, err := NewTokens(testKey(4), TokenConfig{MaxAge: time.Hour, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := parseToken(tok); string(other.id(p.body)) == string(before.id(p.body)) {
		t.Error("two keys give a token the same id")
	}

	// Sent too soon, a token is not recorded: it can be sent again.
	calls := set.calls
	fresh := issue(t, after)
	if err := after.Redeem(t.Context(), fresh, ""); !errors.Is(err, ErrTokenTooNew) || set.calls != calls {
		t.Errorf("too soon: err = %v, %d calls to the set, want a TooNewError and none", err, set.calls-calls)
	}
	// When the set fails, the token is not used up.
	clock.Advance(3 * time.Second)
	set.fail = errors.New("disk on fire")
	if err := after.Redeem(t.Context(), fresh, ""); !errors.Is(err, ErrTokenStore) || errors.Is(err, ErrTokenUsed) {
		t.Errorf("the set failing: err = %v, want ErrTokenStore", err)
	}
	set.fail = nil
	if err := after.Redeem(t.Context(), fresh, ""); err != nil {
		t.Errorf("once the set works again: %v", err)
	}
	// Expired, a token is refused as such before the set is asked.
	clock.Advance(time.Hour)
	calls = set.calls
	if err := after.Redeem(t.Context(), tok, ""); !errors.Is(err, ErrTokenExpired) || set.calls != calls {
		t.Errorf("expired: err = %v, %d calls to the set", err, set.calls-calls)
	}
}

func TestNewTokensConfig(t *testing.T) {
	t.Parallel()
	key := testKey(3)
	tests := []struct {
		name string
		key  []byte
		cfg  TokenConfig
		ok   bool
	}{
		{"defaults", key, TokenConfig{}, true},
		{"short key", key[:16], TokenConfig{}, false},
		{"MinAge ≥ MaxAge", key, TokenConfig{MinAge: time.Hour, MaxAge: time.Hour}, false},
		{"NoJSMinAge ≥ MaxAge", key, TokenConfig{PowBits: 10, NoJSMinAge: 3 * time.Hour}, false},
		{"NoJSMinAge unused without pow", key, TokenConfig{NoJSMinAge: 3 * time.Hour}, true},
		{"negative PowBits", key, TokenConfig{PowBits: -1}, false},
		{"too many PowBits", key, TokenConfig{PowBits: MaxPowBits + 1}, false},
		{"tiny MaxAge", key, TokenConfig{MinAge: -1, MaxAge: time.Millisecond}, false},
		{"negative MaxRedeemed", key, TokenConfig{MaxRedeemed: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewTokens(tt.key, tt.cfg)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok = %v", err, tt.ok)
			}
		})
	}
	tk, err := NewTokens(key, TokenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if c := tk.cfg; c.MinAge != 3*time.Second || c.MaxAge != 2*time.Hour || c.NoJSMinAge != 30*time.Second || c.MaxRedeemed != DefaultMaxRedeemed || c.Now == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
	// The key is copied.
	k := append([]byte(nil), key...)
	tk, err = NewTokens(k, TokenConfig{MinAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	tok := issue(t, tk)
	k[0] ^= 1
	if err := tk.Redeem(t.Context(), tok, ""); err != nil {
		t.Errorf("changing the caller's key slice changed the Tokens: %v", err)
	}
}

func TestTooNewError(t *testing.T) {
	t.Parallel()
	var err error = fmt.Errorf("wrapped: %w", TooNewError{Wait: 1500 * time.Millisecond})
	if !errors.Is(err, ErrTokenTooNew) || errors.Is(err, ErrTokenExpired) {
		t.Error("errors.Is does not match ErrTokenTooNew alone")
	}
	if got := err.Error(); got != "wrapped: abuse: form submitted too soon; wait 1.5s and send again" {
		t.Errorf("Error() = %q", got)
	}
}

func TestPow(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{0, 1, 4, 12} {
		tok := fmt.Sprintf("token-%d", bits)
		n := SolvePow(tok, bits)
		if !VerifyPow(tok, n, bits) {
			t.Errorf("bits %d: SolvePow's %s does not verify", bits, n)
		}
		if bits > 0 {
			// SolvePow returns the smallest solution.
			v, _ := strconv.ParseUint(n, 10, 64)
			for m := uint64(0); m < v; m++ {
				if VerifyPow(tok, strconv.FormatUint(m, 10), bits) {
					t.Errorf("bits %d: %d solves too, before %s", bits, m, n)
					break
				}
			}
		}
	}
	tok := "abc"
	n := SolvePow(tok, 12)
	for _, bad := range []string{"", "0" + n, "+" + n, "-1", n + " ", " " + n, "1e3", "0x10", "123456789012345678901", "１２"} {
		if VerifyPow(tok, bad, 0) {
			t.Errorf("VerifyPow accepted nonce %q", bad)
		}
	}
	if !VerifyPow(tok, "0", 0) || !VerifyPow(tok, "18446744073709551615", -5) {
		t.Error("VerifyPow refused a well-formed nonce with no work required")
	}
	if VerifyPow(tok, n, 256+1) {
		t.Error("VerifyPow accepted more zero bits than a hash has")
	}
}

func TestLeadingZeroBits(t *testing.T) {
	t.Parallel()
	var h [32]byte
	if got := leadingZeroBits(h); got != 256 {
		t.Errorf("all zeros: %d", got)
	}
	for _, tt := range []struct {
		i    int
		b    byte
		want int
	}{{0, 0x80, 0}, {0, 0x01, 7}, {1, 0xff, 8}, {2, 0x10, 19}, {31, 0x01, 255}} {
		h := [32]byte{}
		h[tt.i] = tt.b
		if got := leadingZeroBits(h); got != tt.want {
			t.Errorf("byte %d = %#x: %d, want %d", tt.i, tt.b, got, tt.want)
		}
	}
}

func BenchmarkSolvePow(b *testing.B) {
	tk, _ := newTokens(b, TokenConfig{})
	for _, bits := range []int{16, 20} {
		b.Run(fmt.Sprintf("bits=%d", bits), func(b *testing.B) {
			for b.Loop() {
				SolvePow(issue(b, tk), bits)
			}
		})
	}
}

func FuzzParseToken(f *testing.F) {
	tk, clock := newTokens(f, TokenConfig{PowBits: 4})
	tok := issue(f, tk)
	f.Add(tok, "")
	f.Add(tok, SolvePow(tok, 4))
	f.Add(tok[:20], "1")
	f.Add("", "")
	f.Add("AQAAAABp9ZKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0")
	clock.Advance(time.Minute)
	f.Fuzz(func(t *testing.T, s, pow string) {
		p, err := parseToken(s)
		if err == nil {
			b := append(append([]byte(nil), p.body...), p.tag...)
			if tokenEncoding.EncodeToString(b) != s {
				t.Fatalf("token %q has a second encoding", s)
			}
			if p.body[0] != tokenVersion || len(p.tag) != tokenTag {
				t.Fatalf("parsed %q badly", s)
			}
		} else if !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("parse error %v is not ErrTokenInvalid", err)
		}
		// Redeem never panics, answers with one of its errors, and accepts
		// only a signed token, once. (The seeds' token comes from another
		// process when fuzzing, with the same key and clock.)
		switch err := tk.Redeem(t.Context(), s, pow); {
		case err == nil:
			if p.body == nil || !hmac.Equal(p.tag, tk.tag(p.body)) {
				t.Fatalf("unsigned token %q accepted", s)
			}
			if err := tk.Redeem(t.Context(), s, pow); !errors.Is(err, ErrTokenUsed) {
				t.Fatalf("second redemption: err = %v, want ErrTokenUsed", err)
			}
		case !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenExpired) && !errors.Is(err, ErrPowInvalid) &&
			!errors.Is(err, ErrTokenUsed) && !errors.Is(err, ErrTokenTooNew) && !errors.Is(err, ErrTokenBusy):
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// testKey is a form-token key made from seed.
func testKey(seed byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}
