// Package logsafe keeps network addresses out of Haven's log. A client's
// address and port reach error texts by many roads: a connection reset
// while a body is read ("read tcp 127.0.0.1:8080->203.0.113.7:4711: read:
// connection reset by peer"), a *url.Error, a DNS error. Rather than hope
// that every handler remembers, the log's own handler checks every error
// it is given, once, for every line.
//
// An error attribute is withheld (replaced by a fixed text) when its chain
// holds a network error (*net.OpError, *net.AddrError, *net.DNSError,
// *url.Error, any net.Error, a reset or broken connection) or when its text
// holds an IP address. Other attributes and the message are left as they
// are: they are written by Haven's own code (the listen address, a route
// pattern), never taken from a request.
package logsafe

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"syscall"
)

// Withheld replaces the text of an error that may name a client.
const Withheld = "a network error (its text is withheld: it may name the client)"

// Handler wraps another slog.Handler and withholds error texts that may
// hold a network address. It is safe for concurrent use when the wrapped
// handler is.
type Handler struct{ next slog.Handler }

// New returns a Handler writing to next.
func New(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether next handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle checks the record's attributes and passes a copy on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(Attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs checks attrs once, when they are bound.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	safe := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		safe[i] = Attr(a)
	}
	return &Handler{next: h.next.WithAttrs(safe)}
}

// WithGroup passes the group on.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

// Attr returns a with any error value that may name a client withheld,
// inside groups too.
func Attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		g := v.Group()
		safe := make([]slog.Attr, len(g))
		for i, ga := range g {
			safe[i] = Attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(safe...)}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok && MayNameClient(err) {
			return slog.String(a.Key, Withheld)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// ipText matches an IPv4 address, or an IPv6 address in brackets (as in
// "[2001:db8::1]:443") or with at least two groups around a "::".
var ipText = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b|\[[0-9A-Fa-f:.%]+\]|\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4})*::(?:[0-9A-Fa-f]{1,4}:?)*\b|\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b`)

// MayNameClient reports whether err's text may hold a network address: a
// network error anywhere in its chain, or an IP address in its text.
func MayNameClient(err error) bool {
	if err == nil {
		return false
	}
	var (
		opErr   *net.OpError
		addrErr *net.AddrError
		dnsErr  *net.DNSError
		urlErr  *url.Error
		netErr  net.Error
	)
	switch {
	case errors.As(err, &opErr), errors.As(err, &addrErr), errors.As(err, &dnsErr),
		errors.As(err, &urlErr), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, net.ErrClosed):
		return true
	}
	return ipText.MatchString(err.Error())
}
