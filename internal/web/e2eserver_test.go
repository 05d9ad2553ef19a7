package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// csp is the Content-Security-Policy internal/server sets; the pages must
// work under it, so the browser tests serve them with it.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// TestServeForBrowserTests is not a test: it serves the pages with the
// embedded U.S. pack for the browser tests in e2e/ until they stop it, when
// HAVEN_E2E_ADDR is set (the e2e runner uses it while cmd/haven cannot
// serve yet). It prints "listening on http://ADDR" once ready.
func TestServeForBrowserTests(t *testing.T) {
	addr := os.Getenv("HAVEN_E2E_ADDR")
	if addr == "" {
		t.Skip("HAVEN_E2E_ADDR not set")
	}
	limit := 15 * time.Minute
	if s := os.Getenv("HAVEN_E2E_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("HAVEN_E2E_SECONDS: %v", err)
		}
		limit = time.Duration(n) * time.Second
	}
	f := newFixture(t, nil)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		f.mux.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	os.Stdout.WriteString("listening on http://" + ln.Addr().String() + "\n")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("serve: %v", err)
	}
}
