// Package tiphttp is the HTTP side of the tip desk, shared by the JSON API
// and the report form: which address a request's limits go by, reading a
// multipart tip in memory, upload slots for large tips, and the time floor
// of receipt look-ups. The desk itself (package intake) knows no HTTP.
package tiphttp

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/haven-project/haven/internal/intake"
)

// Config configures a Gate.
type Config struct {
	// TrustedProxies are the addresses of reverse proxies in front of
	// Haven. A request from one of them is limited by the address its
	// X-Forwarded-For names; without it every tipster behind the proxy
	// would share one limit.
	TrustedProxies []netip.Prefix
	// UploadProgress is the least a large tip's body must send in each
	// window; the zero value means DefaultUploadProgress.
	UploadProgress UploadProgress
}

// Gate is the tip desk's guard (its rate limits and form tokens, which
// it embeds) as HTTP handlers use it: it knows a request's address and
// holds the upload slots.
type Gate struct {
	*intake.Guard
	proxies []netip.Prefix
	uploads *uploads
}

// NewGate returns a Gate over guard.
func NewGate(guard *intake.Guard, cfg Config) *Gate {
	return &Gate{Guard: guard, proxies: cfg.TrustedProxies, uploads: newUploads(cfg.UploadProgress)}
}

// Source is the address a request's rate limits go by: the connection's,
// or, when the connection comes from a trusted proxy, the nearest address
// in X-Forwarded-For that is not a trusted proxy. It is only ever hashed
// (see tips.Limiter); never stored or logged.
func (g *Gate) Source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !g.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if !g.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

func (g *Gate) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range g.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
