// Package server is Haven's HTTP server: it joins the routes of other
// packages (the JSON API, the public pages) on one route.Mux, which applies
// each route's policy (body limit, unlogged, no-store), adds health and
// readiness endpoints, serves /metrics on its own address, and wraps
// everything in the middleware every response needs: security headers,
// panic recovery, metrics by route pattern and an access log that records
// no one.
//
// Privacy rule: nothing that identifies a client or what it asked for is
// ever logged or counted. The access log and the metrics know the route
// pattern ("GET /api/v1/services/{slug}"), the method, the status, the
// duration and the bytes sent; never the remote address, user agent,
// referrer, query string or raw path.
package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
)

// Timeouts and limits of the http.Server.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10

	// DefaultMaxBodyBytes is the request body limit when Config sets none.
	DefaultMaxBodyBytes = route.DefaultMaxBodyBytes
	// DefaultShutdownTimeout is how long shutdown waits for requests in
	// flight when Config sets none.
	DefaultShutdownTimeout = 10 * time.Second

	// readyTimeout bounds the store ping of /readyz.
	readyTimeout = 2 * time.Second
)

// Registrar adds routes, each with its Policy, to a Mux. *api.API and
// *web.Pages are Registrars.
type Registrar interface {
	Register(mux *route.Mux)
}

// Config is what the server needs.
type Config struct {
	// Addr is the TCP address to listen on, such as "127.0.0.1:8080";
	// port 0 picks a free port. Needed by ListenAndServe only.
	Addr string
	// MetricsAddr, when set, is a second TCP address that serves only
	// GET /metrics, for the operator's monitoring. The public address
	// never serves /metrics: process-wide figures such as memory jump when
	// a photo tip arrives, and polling them would time it.
	MetricsAddr string
	// Logger receives the access log and server events. Nil discards.
	Logger *slog.Logger
	// Store is pinged by /readyz. Required.
	Store store.Store
	// Handlers register their routes, in order, on the server's mux, after
	// /healthz and /readyz.
	Handlers []Registrar
	// MaxBodyBytes limits request bodies of routes whose Policy sets no
	// BodyLimit; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ShutdownTimeout bounds the graceful drain; 0 means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// Server is Haven's HTTP server. Serve it once.
type Server struct {
	addr            string
	metricsAddr     string
	metricsHandler  http.Handler
	log             *slog.Logger
	store           store.Store
	maxBody         int64
	mux             *route.Mux
	shutdownTimeout time.Duration
	metrics         *metrics
	handler         http.Handler
	http            *http.Server
}

// New builds the server: the mux with every Registrar's routes and the
// middleware around it. It fails when the config is incomplete or two
// Registrars claim conflicting patterns.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: new: Config.Store is required")
	}
	s := &Server{
		addr:            cfg.Addr,
		metricsAddr:     cfg.MetricsAddr,
		log:             cfg.Logger,
		store:           cfg.Store,
		maxBody:         cfg.MaxBodyBytes,
		shutdownTimeout: cfg.ShutdownTimeout,
		metrics:         newMetrics(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.shutdownTimeout <= 0 {
		s.shutdownTimeout = DefaultShutdownTimeout
	}

	mux := route.NewMux(route.Config{
		MaxBodyBytes: s.maxBody,
		InFlight:     s.metrics.inFlight.Add,
	})
	mux.HandleFunc("GET /healthz", s.healthz, route.Policy{NoStore: true})
	mux.HandleFunc("GET /readyz", s.readyz, route.Policy{NoStore: true})
	for _, h := range cfg.Handlers {
		if err := register(mux, h); err != nil {
			return nil, err
		}
	}
	s.mux = mux
	s.handler = s.secure(s.observe(mux))
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", s.metrics.handler())
	s.metricsHandler = s.secure(metricsMux)

	s.http = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(httpErrorLog{s.log}, "", 0),
	}
	return s, nil
}

// register calls h.Register, turning the ServeMux's panic on a conflicting
// or malformed pattern into an error, so that a bad route stops the server
// at boot.
func register(mux *route.Mux, h Registrar) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("server: new: register %T: %v", h, p)
		}
	}()
	h.Register(mux)
	return nil
}

// Handler returns the server's whole handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns every route the server serves, with its policy, in the
// order they were registered.
func (s *Server) Routes() []route.Route { return s.mux.Routes() }

// MetricsHandler returns the handler of the metrics address: GET /metrics
// and nothing else. Its own requests are not counted or logged.
func (s *Server) MetricsHandler() http.Handler { return s.metricsHandler }

// ListenAndServe listens on Config.Addr, calls ready (when not nil) with the
// address it listens on, and serves until ctx is cancelled. Then it stops
// accepting connections and waits for requests in flight, up to the
// shutdown timeout, before closing the rest. It returns nil after a clean
// shutdown. Requests in flight do not see ctx's cancellation.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr net.Addr)) error {
	if s.addr == "" {
		return errors.New("server: listen: Config.Addr is empty")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.addr, err)
	}
	s.log.InfoContext(ctx, "server: listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}
	served := make(chan error, 2)
	go func() { served <- s.http.Serve(ln) }()
	var metricsSrv *http.Server
	if s.metricsAddr != "" {
		mln, err := lc.Listen(ctx, "tcp", s.metricsAddr)
		if err != nil {
			_ = s.http.Close()
			return fmt.Errorf("server: listen for metrics on %s: %w", s.metricsAddr, err)
		}
		metricsSrv = &http.Server{
			Handler: s.metricsHandler, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
			WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
			ErrorLog: log.New(httpErrorLog{s.log}, "", 0),
		}
		s.log.InfoContext(ctx, "server: metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
		go func() {
			if err := metricsSrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				served <- fmt.Errorf("metrics: %w", err)
			}
		}()
	}

	select {
	case err := <-served:
		if metricsSrv != nil {
			_ = metricsSrv.Close()
		}
		return fmt.Errorf("server: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.InfoContext(ctx, "server: shutting down", "drain", s.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	if err := s.http.Shutdown(sctx); err != nil {
		closeErr := s.http.Close()
		return errors.Join(fmt.Errorf("server: shutdown: %w", err), closeErr)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: serve: %w", err)
	}
	s.log.InfoContext(ctx, "server: stopped")
	return nil
}

// healthz answers 200 while the process runs.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz answers 200 when the store answers a ping within readyTimeout,
// 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "server: not ready: store ping failed", "err", err)
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	writeText(w, http.StatusOK, "ready")
}

func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// httpErrorLog takes the log lines of net/http. Most of them name the
// client ("TLS handshake error from 203.0.113.7:4711", "panic serving
// ..."), so only the known-safe ones are passed on; the others are reported
// without their text.
type httpErrorLog struct{ log *slog.Logger }

func (e httpErrorLog) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	for _, safe := range []string{"http: Accept error:", "http: superfluous response.WriteHeader call"} {
		if strings.HasPrefix(line, safe) {
			e.log.Warn("server: net/http: " + line)
			return len(p), nil
		}
	}
	e.log.Warn("server: net/http reported an error; its text is withheld because it may name the client")
	return len(p), nil
}
