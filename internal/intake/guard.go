package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
)

// Default rate limits, per server process.
const (
	DefaultGlobalPerSecond = 50 // tips and messages, from everyone together
	DefaultSourcePerMinute = 6  // tips and messages, from one address
	defaultSourceBurst     = 10
	lookupGlobalPerSecond  = 200 // status look-ups, from everyone together
	lookupSourcePerMinute  = 30
)

// GuardConfig configures a Guard.
type GuardConfig struct {
	Secret seal.Secret
	// Store remembers the form tokens used (store.TipStore.RedeemToken),
	// so that a token works once even across restarts. Nil keeps them in
	// memory only, forgotten at a restart: for tests.
	Store store.TipStore
	// MinAge is how old a form token must be when a tip comes back; 0
	// turns the check off (for tests and benchmarks).
	MinAge time.Duration
	// NoJSMinAge replaces MinAge for a visitor who sends no proof of work
	// while PowBits > 0; 0 means abuse.DefaultTokenNoJSMinAge.
	NoJSMinAge time.Duration
	// PowBits is the proof of work asked of a browser with JavaScript; 0
	// asks none.
	PowBits int
	// GlobalPerSecond and SourcePerMinute limit tips and messages; a
	// negative value turns a limit off, 0 means the default.
	GlobalPerSecond float64
	SourcePerMinute float64
	Now             func() time.Time
}

// Guard keeps abuse out without knowing anyone: signed single-use form
// tokens with a minimum age, remembered as used in the store until they
// expire, an optional proof of work, and in-memory rate limits keyed by an
// hourly-rotated HMAC of the address (see abuse.Limiter).
type Guard struct {
	tokens  *abuse.Tokens
	submit  *abuse.Limiter
	lookup  *abuse.Limiter
	issue   *abuse.Limiter
	powBits int
}

// NewGuard returns a Guard.
func NewGuard(cfg GuardConfig) (*Guard, error) {
	minAge := cfg.MinAge
	if minAge == 0 {
		minAge = -1 // abuse.TokenConfig: negative disables
	}
	tc := abuse.TokenConfig{MinAge: minAge, PowBits: cfg.PowBits, NoJSMinAge: cfg.NoJSMinAge, Now: cfg.Now}
	if cfg.Store != nil {
		tc.Redeemed = storeRedeemed{cfg.Store}
	}
	tokens, err := abuse.NewTokens(cfg.Secret.TokenKey(), tc)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	global, perSource := cfg.GlobalPerSecond, cfg.SourcePerMinute
	if global == 0 {
		global = DefaultGlobalPerSecond
	}
	if perSource == 0 {
		perSource = DefaultSourcePerMinute
	}
	lim := func(g float64, s float64, burst int) (*abuse.Limiter, error) {
		c := abuse.LimitConfig{Global: rate.Inf, PerSource: rate.Inf, GlobalBurst: 1, PerSourceBurst: 1, Now: cfg.Now}
		if g > 0 {
			c.Global, c.GlobalBurst = rate.Limit(g), max(1, int(g*4))
		}
		if s > 0 {
			c.PerSource, c.PerSourceBurst = rate.Limit(s/60), burst
		}
		return abuse.NewLimiter(c)
	}
	g := &Guard{tokens: tokens, powBits: cfg.PowBits}
	if g.submit, err = lim(global, perSource, defaultSourceBurst); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	if g.lookup, err = lim(lookupGlobalPerSecond, lookupSourcePerMinute, lookupSourcePerMinute); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	// Form tokens are free to ask for, so a bot could gather many, wait
	// once, and send without proof of work: issuing is limited too, at
	// tokenFactor times the tip limits (a visitor reloads the form now and
	// then; nobody needs a hundred tokens a minute).
	if g.issue, err = lim(global*tokenFactor, perSource*tokenFactor, defaultSourceBurst*tokenFactor); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	return g, nil
}

// tokenFactor is how many form tokens one may take per tip allowed.
const tokenFactor = 5

// AllowToken reports whether source may have another form token.
func (g *Guard) AllowToken(source string) bool { return g.issue.Allow(source) }

// Token issues a form token.
func (g *Guard) Token() (string, error) { return g.tokens.Issue() }

// PowBits is the proof of work asked of a browser with JavaScript.
func (g *Guard) PowBits() int { return g.powBits }

// Redeem checks a form's token and proof of work, and uses the token up
// (see abuse.Tokens.Redeem). An error wrapping abuse.ErrTokenStore is the
// server's failure: the token is fine and not used up.
func (g *Guard) Redeem(ctx context.Context, token, pow string) error {
	return g.tokens.Redeem(ctx, token, pow)
}

// storeRedeemed keeps redeemed form tokens in the tip store.
type storeRedeemed struct{ st store.TipStore }

func (s storeRedeemed) Redeem(ctx context.Context, id []byte, expires, now time.Time) error {
	err := s.st.RedeemToken(ctx, id, expires, now)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", abuse.ErrTokenUsed, err)
	}
	return err
}

// AllowSubmit reports whether a tip or message from source may go on.
// source is the connection's address; it is hashed, never kept.
func (g *Guard) AllowSubmit(source string) bool { return g.submit.Allow(source) }

// AllowLookup reports whether a receipt look-up from source may go on.
func (g *Guard) AllowLookup(source string) bool { return g.lookup.Allow(source) }
