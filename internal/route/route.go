// Package route is the table of Haven's HTTP routes: each package that
// serves requests (the pages, the API, the server's own endpoints)
// registers its routes on a Mux with a Policy, and the Mux applies it.
// So a new route cannot forget a policy, nothing outside the package that
// owns a route guesses by path, and the server can list every route with
// its policy.
package route

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxBodyBytes is the body limit of a route whose Policy sets none,
// unless the Mux is given another.
const DefaultMaxBodyBytes = 64 << 10

// Policy is what the server does around one route's handler.
type Policy struct {
	// BodyLimit is the most bytes the request body may hold; 0 means the
	// Mux's default. A larger declared body is answered 413 before it is
	// read; a longer body fails the handler's read with
	// *http.MaxBytesError.
	BodyLimit int64
	// Unlogged routes are neither logged nor counted in /metrics, not
	// even in the in-flight gauge: a log line's precise time, or a
	// counter moving, next to a tip's arrival could tie a tipster to it.
	Unlogged bool
	// NoStore answers with Cache-Control: no-store, set before the
	// handler runs: what the answer holds must stay in no cache.
	NoStore bool
}

// Route is one registered pattern and its policy.
type Route struct {
	Pattern string
	Policy  Policy
}

// Info is what a request's route tells the middleware around the Mux. The
// middleware puts an Info in the request's context (WithInfo); the Mux
// fills it in when a route matches.
type Info struct {
	Pattern  string // the matched pattern; "" when none matched
	Unlogged bool   // the route's Policy.Unlogged
}

type infoKey struct{}

// WithInfo returns a context that carries info for the Mux to fill in.
func WithInfo(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// Config configures a Mux. The zero value is ready to use.
type Config struct {
	// MaxBodyBytes is the body limit of routes whose Policy sets none;
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// InFlight, when set, is called with +1 when a logged route's handler
	// starts and -1 when it ends.
	InFlight func(delta float64)
	// TooLarge answers a request whose declared body is over the limit;
	// nil answers WriteError's 413.
	TooLarge http.HandlerFunc
}

// Mux is an http.ServeMux whose every route has a Policy, applied by the
// handler the Mux wraps around the route's own.
type Mux struct {
	cfg      Config
	mux      *http.ServeMux
	routes   []Route
	policies map[string]Policy // pattern -> its route's policy
	canon    []func(path string) string
}

// NewMux returns an empty Mux.
func NewMux(cfg Config) *Mux {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.TooLarge == nil {
		cfg.TooLarge = func(w http.ResponseWriter, r *http.Request) {
			WriteError(w, r, http.StatusRequestEntityTooLarge, "too_large", "The request body is too large.")
		}
	}
	return &Mux{cfg: cfg, mux: http.NewServeMux(), policies: map[string]Policy{}}
}

// Handle registers h for pattern (http.ServeMux syntax) with policy p. It
// panics, as http.ServeMux does, on a malformed or conflicting pattern.
func (m *Mux) Handle(pattern string, h http.Handler, p Policy) {
	m.mux.Handle(pattern, m.apply(p, h))
	m.routes = append(m.routes, Route{Pattern: pattern, Policy: p})
	m.policies[pattern] = p
}

// Canonical adds canon, which returns the canonical form of a request
// path (a package's own way of writing its addresses: "/en/services" for
// "/EN/services/"), or "" when it has none other to give. A GET or HEAD
// whose path a canon rewrites to one that another route serves is
// answered 301 to that path, with the request's query, under the Policy
// of the route it is sent to: the redirect to a page is logged, counted
// and cached exactly as the page is. The first canon to rewrite a path
// decides; a path no route but the one it already matches would serve is
// left to that route.
func (m *Mux) Canonical(canon func(path string) string) {
	m.canon = append(m.canon, canon)
}

// HandleFunc registers f for pattern with policy p.
func (m *Mux) HandleFunc(pattern string, f http.HandlerFunc, p Policy) {
	m.Handle(pattern, f, p)
}

// ServeHTTP serves the route that matches r and records its pattern in
// the request's Info, if it has one.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if info, ok := r.Context().Value(infoKey{}).(*Info); ok {
		defer func() { info.Pattern = r.Pattern }()
	}
	if h, pattern := m.redirect(r); h != nil {
		r.Pattern = pattern // for the log and the metrics, as the route's own answer
		h.ServeHTTP(w, r)
		return
	}
	m.mux.ServeHTTP(w, r)
}

// redirect returns the handler that sends r to its canonical address and
// the pattern of the route there, or nil when r is to be served where it
// is (see Canonical).
func (m *Mux) redirect(r *http.Request) (http.Handler, string) {
	if len(m.canon) == 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return nil, ""
	}
	var target string
	for _, canon := range m.canon {
		if target = canon(r.URL.Path); target != "" {
			break
		}
	}
	// Only a path of this site: never "//host", which a browser reads as
	// another site.
	if target == "" || target == r.URL.Path || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") {
		return nil, ""
	}
	to := &url.URL{Path: target}
	_, pattern := m.mux.Handler(&http.Request{Method: r.Method, URL: to, Host: r.Host, Header: http.Header{}})
	p, ok := m.policies[pattern]
	if !ok {
		return nil, ""
	}
	if _, from := m.mux.Handler(r); from == pattern {
		return nil, ""
	}
	to.RawQuery = r.URL.RawQuery
	return m.apply(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to.String(), http.StatusMovedPermanently)
	})), pattern
}

// Handler returns the handler and the pattern that would serve r, as
// http.ServeMux.Handler does.
func (m *Mux) Handler(r *http.Request) (http.Handler, string) { return m.mux.Handler(r) }

// Routes returns every registered route and its policy, in the order they
// were registered.
func (m *Mux) Routes() []Route { return slices.Clone(m.routes) }

// apply wraps h in policy p.
func (m *Mux) apply(p Policy, h http.Handler) http.Handler {
	limit := p.BodyLimit
	if limit <= 0 {
		limit = m.cfg.MaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(infoKey{}).(*Info); ok {
			info.Unlogged = p.Unlogged
		}
		if !p.Unlogged && m.cfg.InFlight != nil {
			m.cfg.InFlight(1)
			defer m.cfg.InFlight(-1)
		}
		if p.NoStore {
			w.Header().Set("Cache-Control", "no-store")
		}
		if r.ContentLength > limit {
			// Close the connection rather than read a body we refuse.
			w.Header().Set("Connection", "close")
			m.cfg.TooLarge(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r = r.WithContext(r.Context()) // a copy: handlers may not change the request they are given
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}

// apiPrefix is where the JSON API lives; the errors the server and the Mux
// answer themselves (413, a panic's 500) are JSON there, in the API's
// error shape, and plain text elsewhere.
const apiPrefix = "/api/"

// ErrorBody is the JSON of every error the API answers, and of the errors
// the server and the Mux answer under /api/.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error's code, message and, when one parameter is at
// fault, its name.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Parameter string `json:"parameter,omitempty"`
}

// WriteJSON answers status with body, encoded JSON, and its length.
func WriteJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError answers status with code and msg: JSON in the API's error
// shape under /api/, plain text elsewhere.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	body, _ := json.Marshal(ErrorBody{Error: ErrorDetail{Code: code, Message: msg}}) // cannot fail: strings
	WriteJSON(w, status, body)
}
