package server

import (
	"context"
	"github.com/haven-project/haven/internal/route"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/testenv"
)

// TestGracefulShutdown: cancelling the context stops new connections, lets
// the request in flight finish, and ListenAndServe returns nil.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	slow := registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-release
			if err := r.Context().Err(); err != nil {
				http.Error(w, "cancelled", http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, "done")
		}, route.Policy{})
	})
	s := newServer(t, nil, slow)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe(ctx, func(a net.Addr) { addrc <- a }) }()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-served:
		t.Fatalf("ListenAndServe: %v", err)
	}
	if tcp, ok := addr.(*net.TCPAddr); !ok || tcp.Port == 0 {
		t.Fatalf("ready got %v, want the real TCP address", addr)
	}

	type result struct {
		status int
		body   string
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + addr.String() + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		resc <- result{res.StatusCode, string(b), err}
	}()
	<-started
	cancel()

	// Wait until the listener is closed: shutdown has begun.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr.String(), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("ListenAndServe returned (%v) with a request in flight", err)
	default:
	}

	close(release)
	r := <-resc
	if r.err != nil || r.status != http.StatusOK || r.body != "done" {
		t.Errorf("request in flight: %d %q %v, want 200 \"done\"", r.status, r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ListenAndServe = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after the drain")
	}
}

// TestShutdownTimeout: a request that outlasts the drain is cut off and
// ListenAndServe says so.
func TestShutdownTimeout(t *testing.T) {
	started := make(chan struct{})
	stuck := registrarFunc(func(mux *route.Mux) {
		mux.HandleFunc("GET /stuck", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done() // until the connection is closed
		}, route.Policy{})
	})
	s, err := New(Config{Addr: "127.0.0.1:0", Store: testenv.SQLite(t), Handlers: []Registrar{stuck}, ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe(ctx, func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc
	go func() {
		if res, err := http.Get("http://" + addr.String() + "/stuck"); err == nil {
			res.Body.Close()
		}
	}()
	<-started
	cancel()
	select {
	case err := <-served:
		if err == nil {
			t.Error("ListenAndServe = nil, want a shutdown error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return")
	}
}

func TestListenErrors(t *testing.T) {
	s, err := New(Config{Store: testenv.SQLite(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ListenAndServe(context.Background(), nil); err == nil {
		t.Error("ListenAndServe with no address: no error")
	}
	s, err = New(Config{Addr: "256.0.0.1:0", Store: testenv.SQLite(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ListenAndServe(context.Background(), nil); err == nil {
		t.Error("ListenAndServe on a bad address: no error")
	}
}
