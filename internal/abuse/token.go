// Package abuse keeps spam and floods out of the tip desk without knowing
// anyone: signed, single-use form tokens with a minimum and maximum age
// ([Tokens]), an optional proof of work ([SolvePow], [VerifyPow]), and rate
// limits per source that key an hourly-rotated HMAC of the address and
// never store it ([Limiter]). Nothing in it logs.
package abuse

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors returned by [Tokens.Redeem]; test for them with errors.Is.
var (
	ErrTokenInvalid = errors.New("abuse: form token is invalid")
	ErrTokenTooNew  = errors.New("abuse: form submitted too soon")
	ErrTokenExpired = errors.New("abuse: form token has expired; reload the form")
	ErrTokenUsed    = errors.New("abuse: form token was already used")
	ErrPowInvalid   = errors.New("abuse: proof of work is invalid")
	// ErrTokenBusy means the set of redeemed tokens is full (see
	// TokenConfig.MaxRedeemed): the server is flooded, try again later.
	ErrTokenBusy = errors.New("abuse: too many recent submissions; try again later")
	// ErrTokenStore means the token is good but could not be used up: the
	// RedeemedSet failed. It is the server's failure, not the sender's;
	// the token is not used up.
	ErrTokenStore = errors.New("abuse: cannot record the redeemed form token")
)

// A RedeemedSet remembers redeemed tokens outside the process's memory
// (see TokenConfig.Redeemed), so that a token works once across restarts,
// and across servers that share the set.
type RedeemedSet interface {
	// Redeem records the token with the id as used until expires, and
	// may forget the ones that expired at or before now. It returns an
	// error wrapping ErrTokenUsed when id is recorded already. id is a
	// keyed hash of the token, TokenIDSize bytes; the token itself is
	// never given.
	Redeem(ctx context.Context, id []byte, expires, now time.Time) error
}

// TokenIDSize is the length of the id Tokens gives a RedeemedSet.
const TokenIDSize = sha256.Size

// TooNewError is returned by [Tokens.Redeem] when a form comes back sooner
// than the minimum age allows. Wait is how much longer to wait. It matches
// [ErrTokenTooNew] with errors.Is; use errors.As to get Wait.
type TooNewError struct {
	Wait time.Duration
}

// Error says how long to wait, to a tenth of a second.
func (e TooNewError) Error() string {
	return fmt.Sprintf("%v; wait %v and send again", ErrTokenTooNew, e.Wait.Round(100*time.Millisecond))
}

// Is makes errors.Is(err, ErrTokenTooNew) true for a TooNewError.
func (e TooNewError) Is(target error) bool { return target == ErrTokenTooNew }

// Token defaults; see [TokenConfig].
const (
	DefaultTokenMinAge     = 3 * time.Second
	DefaultTokenMaxAge     = 2 * time.Hour
	DefaultTokenNoJSMinAge = 30 * time.Second
	DefaultMaxRedeemed     = 100_000
	// MaxPowBits is the most proof-of-work bits a configuration may ask for:
	// 2^32 hashes would take a browser hours.
	MaxPowBits = 32
)

// TokenConfig configures [Tokens]. Durations follow net.Dialer.KeepAlive: zero
// means the default and a negative value disables the check.
type TokenConfig struct {
	// MinAge is how old a token must be before it is redeemed, which stops
	// bots that post a form the instant they fetch it. Default 3s.
	MinAge time.Duration
	// MaxAge is how long a token stays valid. Default 2h; it cannot be
	// disabled, as it bounds the memory used to remember redeemed tokens.
	MaxAge time.Duration
	// PowBits is the proof of work required of visitors with JavaScript: the
	// number of leading zero bits of SHA-256(token ":" nonce). 0 turns proof
	// of work off; at most MaxPowBits.
	PowBits int
	// NoJSMinAge replaces MinAge when PowBits > 0 and the visitor sends no
	// proof of work (JavaScript off): waiting longer stands in for the work.
	// Default 30s; negative means MinAge applies.
	NoJSMinAge time.Duration
	// MaxRedeemed caps how many redeemed tokens are remembered at once
	// in memory (default 100,000, a few megabytes). When it is reached,
	// Redeem refuses with ErrTokenBusy until old entries expire. It does
	// not apply to Redeemed.
	MaxRedeemed int
	// Redeemed, when set, is where redeemed tokens are remembered instead
	// of in memory, so that a token redeemed before a restart is still
	// refused after it. Tips come through a database anyway: give it one
	// backed by the tip store.
	Redeemed RedeemedSet
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Token layout: version, issue time, nonce, then a truncated HMAC-SHA256 tag
// over the preceding bytes.
const (
	tokenVersion = 1
	tokenNonce   = 16
	tokenTag     = 16
	tokenBody    = 1 + 8 + tokenNonce
	tokenLen     = tokenBody + tokenTag
	// pruneEvery is how often Redeem scans for redeemed tokens past MaxAge.
	pruneEvery     = time.Minute
	pruneFullEvery = time.Second
)

// tokenEncoding is URL-safe base64 without padding, strict so that each token
// has one encoding.
var tokenEncoding = base64.RawURLEncoding.Strict()

// Tokens issues and redeems signed, single-use form tokens. A token holds a
// version byte, its issue time in Unix seconds and a random 16-byte nonce,
// signed with HMAC-SHA256 (tag truncated to 16 bytes); it carries no client
// data. It is safe for concurrent use.
//
// The issue time has a resolution of one second, so a token's age, and with it
// MinAge and MaxAge, are accurate to within a second.
//
// Redeemed tokens are remembered until they are older than MaxAge: in the
// TokenConfig's RedeemedSet, by a keyed hash of the token, so a token works
// once even across restarts; or, without one, in memory, so a token works
// once per process. Memory is then bounded by MaxRedeemed entries of about
// 50 bytes, and in practice by the number of forms accepted within MaxAge,
// which the rate limiter caps.
type Tokens struct {
	key []byte
	cfg TokenConfig

	mu        sync.Mutex
	redeemed  map[[tokenNonce]byte]int64 // nonce → issue time, Unix seconds
	lastPrune time.Time
}

// NewTokens returns Tokens signing with key, which must be at least 32 bytes
// (use [Secret.TokenKey]), and the defaults of cfg filled in.
func NewTokens(key []byte, cfg TokenConfig) (*Tokens, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("abuse: form token key has %d bytes, want at least 32", len(key))
	}
	if cfg.MinAge == 0 {
		cfg.MinAge = DefaultTokenMinAge
	} else if cfg.MinAge < 0 {
		cfg.MinAge = 0
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultTokenMaxAge
	}
	if cfg.NoJSMinAge == 0 {
		cfg.NoJSMinAge = DefaultTokenNoJSMinAge
	} else if cfg.NoJSMinAge < 0 {
		cfg.NoJSMinAge = cfg.MinAge
	}
	if cfg.MaxRedeemed == 0 {
		cfg.MaxRedeemed = DefaultMaxRedeemed
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.MaxAge < time.Second:
		return nil, fmt.Errorf("abuse: form token MaxAge %v is less than a second", cfg.MaxAge)
	case cfg.MinAge >= cfg.MaxAge:
		return nil, fmt.Errorf("abuse: form token MinAge %v is not less than MaxAge %v", cfg.MinAge, cfg.MaxAge)
	case cfg.PowBits > 0 && cfg.NoJSMinAge >= cfg.MaxAge:
		return nil, fmt.Errorf("abuse: form token NoJSMinAge %v is not less than MaxAge %v", cfg.NoJSMinAge, cfg.MaxAge)
	case cfg.PowBits < 0 || cfg.PowBits > MaxPowBits:
		return nil, fmt.Errorf("abuse: form token PowBits %d is not between 0 and %d", cfg.PowBits, MaxPowBits)
	case cfg.MaxRedeemed < 0:
		return nil, fmt.Errorf("abuse: form token MaxRedeemed %d is negative", cfg.MaxRedeemed)
	}
	return &Tokens{
		key:      append([]byte(nil), key...),
		cfg:      cfg,
		redeemed: make(map[[tokenNonce]byte]int64),
	}, nil
}

// Issue returns a new token to embed in a form.
func (t *Tokens) Issue() (string, error) {
	var b [tokenLen]byte
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(t.cfg.Now().Unix()))
	if _, err := rand.Read(b[9:tokenBody]); err != nil {
		return "", fmt.Errorf("abuse: issue form token: %w", err)
	}
	copy(b[tokenBody:], t.tag(b[:tokenBody]))
	return tokenEncoding.EncodeToString(b[:]), nil
}

// tag returns the truncated HMAC-SHA256 of a token body.
func (t *Tokens) tag(body []byte) []byte {
	mac := hmac.New(sha256.New, t.key)
	mac.Write(body)
	return mac.Sum(nil)[:tokenTag]
}

// idLabel separates the ids of redeemed tokens from the tokens' tags,
// which are HMACs of the bare body with the same key.
const idLabel = "haven redeemed form token v1\x00"

// id is what a RedeemedSet keeps of a token with the signed bytes body:
// HMAC-SHA256 of a label and body. Without the key, which is not kept
// where the set is, it tells nothing of the token.
func (t *Tokens) id(body []byte) []byte {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(idLabel))
	mac.Write(body)
	return mac.Sum(nil)
}

// parsedToken is the content of a well-formed token.
type parsedToken struct {
	issued int64
	nonce  [tokenNonce]byte
	body   []byte // the signed bytes
	tag    []byte
}

// parseToken decodes a token's layout without checking its tag.
func parseToken(s string) (parsedToken, error) {
	var p parsedToken
	if len(s) != tokenEncoding.EncodedLen(tokenLen) {
		return p, fmt.Errorf("%w: wrong length", ErrTokenInvalid)
	}
	b, err := tokenEncoding.DecodeString(s)
	if err != nil || len(b) != tokenLen {
		return p, fmt.Errorf("%w: not base64url", ErrTokenInvalid)
	}
	if b[0] != tokenVersion {
		return p, fmt.Errorf("%w: unknown version %d", ErrTokenInvalid, b[0])
	}
	p.issued = int64(binary.BigEndian.Uint64(b[1:9]))
	copy(p.nonce[:], b[9:tokenBody])
	p.body, p.tag = b[:tokenBody], b[tokenBody:]
	return p, nil
}

// Redeem accepts a token once. It checks, in order, that the token is one
// Issue made with this key ([ErrTokenInvalid]), is not older than MaxAge
// ([ErrTokenExpired]), that pow, if given and PowBits > 0, solves the proof of
// work ([ErrPowInvalid]), that it is at least MinAge old, or NoJSMinAge when
// PowBits > 0 and pow is empty (a [TooNewError]), and that the token was not
// redeemed before ([ErrTokenUsed]). pow is ignored when PowBits is 0. If
// MaxRedeemed tokens are already remembered in memory, it returns
// [ErrTokenBusy]; if the RedeemedSet fails, an error wrapping
// [ErrTokenStore].
//
// Only a token that passes every check is marked used, so a tipster who
// pressed send too early can simply press it again.
func (t *Tokens) Redeem(ctx context.Context, token, pow string) error {
	p, err := parseToken(token)
	if err != nil {
		return err
	}
	if !hmac.Equal(p.tag, t.tag(p.body)) {
		return fmt.Errorf("%w: bad signature", ErrTokenInvalid)
	}
	now := t.cfg.Now()
	age := now.Sub(time.Unix(p.issued, 0))
	if p.issued < 0 || age > t.cfg.MaxAge {
		return ErrTokenExpired
	}
	minAge := t.cfg.MinAge
	if t.cfg.PowBits > 0 {
		if pow == "" {
			minAge = t.cfg.NoJSMinAge
		} else if !VerifyPow(token, pow, t.cfg.PowBits) {
			return ErrPowInvalid
		}
	}

	if age < minAge {
		return TooNewError{Wait: minAge - age}
	}
	if t.cfg.Redeemed != nil {
		expires := time.Unix(p.issued, 0).Add(t.cfg.MaxAge)
		err := t.cfg.Redeemed.Redeem(ctx, t.id(p.body), expires, now)
		switch {
		case errors.Is(err, ErrTokenUsed):
			return ErrTokenUsed
		case err != nil:
			return fmt.Errorf("%w: %w", ErrTokenStore, err)
		}
		return nil
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	if _, used := t.redeemed[p.nonce]; used {
		return ErrTokenUsed
	}
	t.prune(now)
	if len(t.redeemed) >= t.cfg.MaxRedeemed {
		return ErrTokenBusy
	}
	t.redeemed[p.nonce] = p.issued
	return nil
}

// prune forgets redeemed tokens older than MaxAge, which Redeem would refuse
// as expired anyway. It scans at most once per pruneEvery, or once per
// pruneFullEvery while the set is full, so a flood costs no more than that.
// t.mu must be held.
func (t *Tokens) prune(now time.Time) {
	every := pruneEvery
	if len(t.redeemed) >= t.cfg.MaxRedeemed {
		every = pruneFullEvery
	}
	if since := now.Sub(t.lastPrune); since >= 0 && since < every {
		return
	}
	t.lastPrune = now
	// Redeem refuses a token issued before now-MaxAge as expired, and
	// issued < floor(now-MaxAge) implies that.
	cutoff := now.Add(-t.cfg.MaxAge).Unix()
	for nonce, issued := range t.redeemed {
		if issued < cutoff {
			delete(t.redeemed, nonce)
		}
	}
}
