package server

import (
	"errors"
	"fmt"
	"github.com/haven-project/haven/internal/route"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/haven-project/haven/internal/testenv"
)

// registrarFunc adapts a function to Registrar.
type registrarFunc func(*route.Mux)

func (f registrarFunc) Register(mux *route.Mux) { f(mux) }

// testRoutes are handlers that exercise the middleware.
func testRoutes() Registrar {
	return registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
			// A handler that tries to set a cookie: the server must drop it.
			http.SetCookie(w, &http.Cookie{Name: "track", Value: "me"})
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "thing "+r.PathValue("id"))
		}, route.Policy{})
		mux.HandleFunc("GET /panic", func(_ http.ResponseWriter, r *http.Request) {
			// The panic value carries request details; they must not reach the log.
			panic(fmt.Sprintf("boom: %s %s %s", r.URL.RequestURI(), r.UserAgent(), r.RemoteAddr))
		}, route.Policy{})
		mux.HandleFunc("GET /api/panic", func(_ http.ResponseWriter, r *http.Request) {
			var none []byte
			_ = none[len(r.Method)] // a runtime error: index out of range
		}, route.Policy{})
		mux.HandleFunc("POST /upload", upload, route.Policy{})
		mux.HandleFunc("POST /api/upload", upload, route.Policy{})
		// A tipster's route: unlogged, with a larger body.
		mux.HandleFunc("POST /tip-upload", upload, route.Policy{Unlogged: true, NoStore: true, BodyLimit: 1 << 20})
	})
}

// upload reads the whole body and answers its length.
func upload(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
}

// newServer builds a server around testRoutes and extra registrars.
func newServer(tb testing.TB, logger *slog.Logger, extra ...Registrar) *Server {
	tb.Helper()
	s, err := New(Config{
		Addr:     "127.0.0.1:0",
		Logger:   logger,
		Store:    testenv.SQLite(tb),
		Handlers: append([]Registrar{testRoutes()}, extra...),
	})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	return s
}

func serve(tb testing.TB, h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// captureLogs returns a logger that writes JSON lines at every level into
// the returned buffer.
func captureLogs(tb testing.TB) (*slog.Logger, *syncBuffer) {
	tb.Helper()
	var buf syncBuffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// halfway is a handler that panics after writing part of its answer.
func halfway() Registrar {
	return registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /halfway", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "part of")
			w.(http.Flusher).Flush()
			panic("after writing")
		}, route.Policy{})
	})
}
