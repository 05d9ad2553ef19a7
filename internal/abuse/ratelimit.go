package abuse

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	// DefaultMaxSources is the default cap on sources a Limiter tracks in an
	// hour: about 15 MB at most.
	DefaultMaxSources = 100_000
	// sourceKeyLifetime is how long one hour key, and the per-source table
	// keyed by it, lives.
	sourceKeyLifetime = time.Hour
)

// LimitConfig configures a [Limiter]. A rate is in events per second
// (rate.Every(time.Minute) is one a minute) and a burst is how many events may
// come at once; rate.Inf disables a limit.
type LimitConfig struct {
	Global         rate.Limit // all sources together
	GlobalBurst    int
	PerSource      rate.Limit // each source
	PerSourceBurst int
	// MaxSources caps how many sources are tracked within an hour; default
	// DefaultMaxSources. See Limiter for what happens when it is reached.
	MaxSources int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Limiter rate-limits submissions globally and per source without storing any
// source. It is safe for concurrent use.
//
// A source is identified by HMAC-SHA256 of the normalized address under an
// hour key: 32 random bytes that exist only in memory and are replaced every
// hour, when the whole per-source table is dropped. So the table never holds
// an address, nothing in it links one hour to the next, and a memory dump
// reveals at most which of a guessed list of addresses sent something in the
// current hour. Memory is bounded by MaxSources entries of about 150 bytes.
//
// Addresses are normalized before hashing: a port is dropped, IPv4-mapped
// IPv6 addresses count as IPv4, and IPv6 addresses count by their /64 prefix,
// since one household or phone commonly holds a whole /64. Other strings are
// used as they are.
//
// When MaxSources sources are already tracked, a new source is subject to the
// global limit only, until the next hour. That many distinct sources in an
// hour is a distributed flood, which per-source limits cannot stop but the
// global limit does; refusing every new source instead would let the flood
// lock out every genuine tipster for the rest of the hour.
type Limiter struct {
	cfg LimitConfig

	mu      sync.Mutex
	global  *rate.Limiter
	hourKey [32]byte
	keyBorn time.Time
	sources map[[sha256.Size]byte]*rate.Limiter
}

// NewLimiter returns a Limiter for cfg. Bursts must be at least 1 and rates
// positive.
func NewLimiter(cfg LimitConfig) (*Limiter, error) {
	if cfg.MaxSources == 0 {
		cfg.MaxSources = DefaultMaxSources
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.Global <= 0 || cfg.GlobalBurst < 1:
		return nil, fmt.Errorf("abuse: rate limit: global rate %v and burst %d must be positive", cfg.Global, cfg.GlobalBurst)
	case cfg.PerSource <= 0 || cfg.PerSourceBurst < 1:
		return nil, fmt.Errorf("abuse: rate limit: per-source rate %v and burst %d must be positive", cfg.PerSource, cfg.PerSourceBurst)
	case cfg.MaxSources < 0:
		return nil, fmt.Errorf("abuse: rate limit: MaxSources %d is negative", cfg.MaxSources)
	}
	l := &Limiter{cfg: cfg, global: rate.NewLimiter(cfg.Global, cfg.GlobalBurst)}
	l.rotate(cfg.Now())
	return l, nil
}

// rotate replaces the hour key and drops the per-source table. l.mu must be
// held, or l not yet shared.
func (l *Limiter) rotate(now time.Time) {
	// crypto/rand.Read never fails; it crashes the program if it cannot read.
	_, _ = rand.Read(l.hourKey[:])
	l.keyBorn = now
	l.sources = make(map[[sha256.Size]byte]*rate.Limiter)
}

// Allow reports whether a submission from source may go ahead now, and if so
// counts it against both limits. source is the client's address, such as the
// host of http.Request.RemoteAddr; it is hashed at once and never stored.
func (l *Limiter) Allow(source string) bool {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if age := now.Sub(l.keyBorn); age >= sourceKeyLifetime || age < 0 {
		l.rotate(now)
	}

	key := l.sourceKey(source)
	src := l.sources[key]
	if src == nil && len(l.sources) < l.cfg.MaxSources {
		src = rate.NewLimiter(l.cfg.PerSource, l.cfg.PerSourceBurst)
		l.sources[key] = src
	}
	var srcRes *rate.Reservation
	if src != nil {
		if srcRes = src.ReserveN(now, 1); !srcRes.OK() || srcRes.DelayFrom(now) > 0 {
			srcRes.CancelAt(now)
			return false
		}
	}
	if res := l.global.ReserveN(now, 1); !res.OK() || res.DelayFrom(now) > 0 {
		res.CancelAt(now)
		if srcRes != nil {
			srcRes.CancelAt(now)
		}
		return false
	}
	return true
}

// sourceKey is the HMAC-SHA256 of the normalized source under the hour key.
// l.mu must be held.
func (l *Limiter) sourceKey(source string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, l.hourKey[:])
	mac.Write([]byte(NormalizeSource(source)))
	var k [sha256.Size]byte
	mac.Sum(k[:0])
	return k
}

// NormalizeSource maps the addresses of one client to one string: without a
// port or zone, IPv4-mapped IPv6 as IPv4, and IPv6 as its /64 prefix. A string
// that is not an address is prefixed so it cannot collide with one.
func NormalizeSource(source string) string {
	s := strings.TrimSpace(source)
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return "other:" + source
		}
		addr = ap.Addr()
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return "other:" + source
	}
	return p.String()
}
