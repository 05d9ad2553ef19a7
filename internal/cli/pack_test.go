package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPackNew: haven pack new writes a pack that haven check accepts,
// haven route plans with and haven serve runs; it refuses a folder that
// is not empty, naming it.
func TestPackNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ngo", "my-pack")
	r := run(t, nil, "pack", "new", dir)
	if r.code != 0 || !strings.Contains(r.stdout, filepath.Join(dir, "services.yaml")) || !strings.Contains(r.stdout, "haven check --pack "+dir) {
		t.Fatalf("pack new: %+v", r)
	}
	for _, f := range []string{"pack.yaml", "organizations.yaml", "services.yaml", "routing.yaml", "sources/README.md"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	if r := run(t, nil, "check", "--pack", dir); r.code != 0 || !strings.HasPrefix(r.stdout, "ok: pack example") {
		t.Errorf("check of the new pack: %+v", r)
	}
	if r := run(t, nil, "route", "--pack", dir, "--role", "self", "--lang", "es"); r.code != 0 || !strings.Contains(r.stdout, "Example Harbor Shelter") || !strings.Contains(r.stdout, "Llamar (312) 555-0142") {
		t.Errorf("route with the new pack: %+v", r)
	}
	before, err := os.ReadFile(filepath.Join(dir, "pack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "pack", "new", dir); r.code != 1 || !strings.Contains(r.stderr, dir+" already exists and is not empty") {
		t.Errorf("pack new over a pack: %+v", r)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "pack.yaml")); string(after) != string(before) {
		t.Error("a refused pack new changed pack.yaml")
	}
	for _, args := range [][]string{{"pack"}, {"pack", "new"}, {"pack", "new", "a", "b"}, {"pack", "old", "x"}} {
		if r := run(t, nil, args...); r.code != 2 || !strings.Contains(r.stderr, "usage: haven pack") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	if r := run(t, nil, "pack", "new", "--help"); r.code != 0 || !strings.Contains(r.stdout, "usage: haven pack new DIR") {
		t.Errorf("pack new --help: %+v", r)
	}
}

// TestServeNewPack: haven serve starts with the scaffold as written and
// shows its example service.
func TestServeNewPack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pack")
	if r := run(t, nil, "pack", "new", dir); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	go func() {
		done <- Main(ctx, []string{"serve", "--pack", dir, "--db", filepath.Join(t.TempDir(), "haven.db"), "--addr", "127.0.0.1:0"}, env)
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(errb.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("serve did not start: %s", errb.String())
	}
	for path, want := range map[string]string{
		"en/":                                  "Example Harbor Shelter",
		"en/services/example-harbor-shelter":   "555-0142",
		"en/help/plan?role=self&no_police=yes": "Example Harbor Shelter",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET /%s: %s, no %q", path, resp.Status, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
