package server

import (
	"context"
	"fmt"
	"github.com/haven-project/haven/internal/route"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// directive is one directive of the Content-Security-Policy.
type directive struct{ name, value string }

// cspDirectives is the Content-Security-Policy, in order. Pages load
// nothing but their own stylesheet and images, submit forms only to
// themselves, and may not be framed. Scripts come only from Haven's own
// assets (the quick exit's Shift key, the report form's proof of work).
func cspDirectives() []directive {
	return []directive{
		{"default-src", "'none'"},
		{"style-src", "'self'"},
		{"script-src", "'self'"},
		{"img-src", "'self'"},
		{"form-action", "'self'"},
		{"base-uri", "'none'"},
		{"frame-ancestors", "'none'"},
	}
}

// contentSecurityPolicy joins the directives into the header value.
func contentSecurityPolicy() string {
	ds := cspDirectives()
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.name + " " + d.value
	}
	return strings.Join(parts, "; ")
}

// deniedFeatures are the browser features Permissions-Policy turns off for
// every page: sensors and devices that could locate or record a person, and
// the interest-tracking APIs.
func deniedFeatures() []string {
	return []string{
		"accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
		"gyroscope", "interest-cohort", "magnetometer", "microphone", "payment", "usb",
	}
}

func permissionsPolicy() string {
	fs := deniedFeatures()
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f + "=()"
	}
	return strings.Join(parts, ", ")
}

// securityHeaders are set on every response, in this order.
func securityHeaders() [][2]string {
	return [][2]string{
		{"Content-Security-Policy", contentSecurityPolicy()},
		{"Referrer-Policy", "no-referrer"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Permissions-Policy", permissionsPolicy()},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
}

// secure sets the security headers before anything else can answer, so
// that every response, errors and panics included, carries them.
func (s *Server) secure(next http.Handler) http.Handler {
	headers := securityHeaders()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range headers {
			h.Set(kv[0], kv[1])
		}
		next.ServeHTTP(w, r)
	})
}

// unmatched is the route label of requests no pattern matched.
const unmatched = "unmatched"

// observe records every request in the metrics and the access log, and
// turns a handler's panic into a 500 (or, when the handler had begun its
// answer, into a cut connection).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &route.Info{}
		rw := &recorder{ResponseWriter: w}
		r = r.WithContext(route.WithInfo(r.Context(), info))
		defer func() {
			p := recover()
			abort := p == http.ErrAbortHandler
			if p != nil && !abort {
				s.logPanic(r.Context(), info.Pattern, p)
				if rw.wroteHeader {
					// Part of the answer is out: cut the connection so the
					// client cannot take it for a whole one.
					abort = true
				} else {
					route.WriteError(rw, r, http.StatusInternalServerError, "internal", "Internal error.")
				}
			}
			pattern := info.Pattern
			if pattern == "" {
				pattern = unmatched
			}
			status := rw.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http sends 200
			}
			if !info.Unlogged {
				s.done(r.Context(), pattern, method(r.Method), status, rw.bytes, time.Since(start))
			}
			if abort {
				panic(http.ErrAbortHandler) // net/http closes the connection and logs nothing
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// done counts and logs one finished request of a logged route. Health
// checks, metric scrapes and assets are logged at debug level, so that
// probes do not bury real traffic.
func (s *Server) done(ctx context.Context, route, method string, status int, bytes int64, d time.Duration) {
	s.metrics.observe(route, method, status, d)
	level := slog.LevelInfo
	switch route {
	case "GET /healthz", "GET /readyz", "GET /metrics", "GET /assets/{file}":
		// Probes, scrapes and static files: at debug level, so they do not
		// bury real traffic (and a script only one page loads does not
		// mark when someone opened it).
		level = slog.LevelDebug
	}
	s.log.LogAttrs(ctx, level, "http request",
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Int64("bytes", bytes),
	)
}

// logPanic logs a handler's panic with the route pattern and the stack,
// never the request. The panic value itself is logged only when it is a
// runtime error (an index out of range, a nil map), whose text holds no
// request data; any other value might.
func (s *Server) logPanic(ctx context.Context, route string, p any) {
	if route == "" {
		route = unmatched
	}
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("type", fmt.Sprintf("%T", p)),
		slog.String("stack", string(debug.Stack())),
	}
	if re, ok := p.(runtime.Error); ok {
		attrs = append(attrs, slog.String("err", re.Error()))
	}
	s.log.LogAttrs(ctx, slog.LevelError, "http handler panicked", attrs...)
}

// method maps the request method to a label: the standard methods as they
// are, anything else "OTHER", so that clients cannot mint label values.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// recorder remembers the status and size of a response, and removes any
// Set-Cookie header before the headers go out: Haven sets no cookies on
// these responses, whoever asks.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (rw *recorder) WriteHeader(code int) {
	if rw.wroteHeader {
		return
	}
	rw.Header().Del("Set-Cookie")
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		rw.ResponseWriter.WriteHeader(code) // informational; the real status follows
		return
	}
	rw.status, rw.wroteHeader = code, true
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// Flush sends buffered data, for handlers that stream.
func (rw *recorder) Flush() {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
