package logsafe

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"testing"
)

// resetErr is the error a connection reset while reading a body gives,
// as net/http hands it to a handler.
func resetErr() error {
	return &net.OpError{
		Op: "read", Net: "tcp",
		Source: net.TCPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:18301")),
		Addr:   net.TCPAddrFromAddrPort(netip.MustParseAddrPort("203.0.113.7:39782")),
		Err:    fmt.Errorf("read: %w", syscall.ECONNRESET),
	}
}

func TestMayNameClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"a reset while reading a body", fmt.Errorf("api: read route body: %w", resetErr()), true},
		{"a url error", &url.Error{Op: "Get", URL: "http://198.51.100.2/", Err: errors.New("refused")}, true},
		{"a bare reset", fmt.Errorf("copy: %w", syscall.ECONNRESET), true},
		{"a DNS error", &net.DNSError{Err: "no such host", Name: "example.test"}, true},
		{"an address only in the text", errors.New("upstream 192.0.2.44:5432 refused"), true},
		{"an IPv6 address in brackets", errors.New("dial [2001:db8::7]:443 failed"), true},
		{"an IPv6 address bare", errors.New("from 2001:db8::7 refused"), true},
		{"a store error", errors.New("sqlstore: insert tip: database or disk is full"), false},
		{"a template error", errors.New(`web: render "home": template: no such key`), false},
		{"a time", errors.New("deadline 12:30:45 passed"), false},
		{"nil", nil, false},
	} {
		if got := MayNameClient(tc.err); got != tc.want {
			t.Errorf("%s: MayNameClient(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestHandlerWithholdsAddresses(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(slog.NewTextHandler(&buf, nil)))
	err := fmt.Errorf("api: read route body: %w", resetErr())
	log.Error("api: internal error", "route", "POST /api/v1/route", "err", err)
	log.With("bound", err).Warn("bound attrs")
	log.Info("grouped", slog.Group("req", slog.Any("err", err)))
	log.Error("a plain error", "err", errors.New("sqlstore: disk is full"))
	log.Info("listening", "url", "http://127.0.0.1:8080/")

	out := buf.String()
	for _, leak := range []string{"203.0.113.7", "39782", "18301", "connection reset"} {
		if strings.Contains(out, leak) {
			t.Errorf("the log holds %q:\n%s", leak, out)
		}
	}
	if n := strings.Count(out, Withheld); n != 3 {
		t.Errorf("withheld %d errors, want 3:\n%s", n, out)
	}
	for _, kept := range []string{"sqlstore: disk is full", `route="POST /api/v1/route"`, "http://127.0.0.1:8080/"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lost %q:\n%s", kept, out)
		}
	}
}
