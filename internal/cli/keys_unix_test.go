//go:build unix

package cli

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withUmask runs the rest of the test under the umask, as a shell would.
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// fileMode returns the permission bits of path.
func fileMode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// storedRecovery returns the recovery public key db holds.
func storedRecovery(t *testing.T, db string) string {
	t.Helper()
	st := tipStore(t, db)
	defer st.Close()
	got, err := st.RecoveryRecipient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestKeysOutFile: --out writes the private key to a new file of mode 0600
// under the usual umask of 022, prints nothing private, and never
// overwrites a file.
func TestKeysOutFile(t *testing.T) {
	withUmask(t, 0o022)
	db := tempDB(t)
	key := filepath.Join(t.TempDir(), "recovery.key")
	r := run(t, nil, "keys", "recovery", "--db", db, "--out", key)
	if r.code != 0 || hasSecret(r.stdout+r.stderr) || !strings.Contains(r.stderr, "written to "+key) {
		t.Fatalf("%+v", r)
	}
	if m := fileMode(t, key); m != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", key, m)
	}
	text, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	pub := parseIdentity(t, string(text)).Recipient().String()
	if got := storedRecovery(t, db); got != pub {
		t.Fatalf("stored %s, the file's public key is %s", got, pub)
	}

	// An existing file is refused, and nothing changes.
	r = run(t, nil, "keys", "recovery", "--db", db, "--out", key, "--force")
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || !strings.Contains(r.stderr, "nothing was stored") || hasSecret(r.stdout+r.stderr) {
		t.Fatalf("--out over an existing file: %+v", r)
	}
	if again, err := os.ReadFile(key); err != nil || string(again) != string(text) {
		t.Fatalf("the existing key file changed: %v", err)
	}
	if got := storedRecovery(t, db); got != pub {
		t.Fatalf("the recovery key changed to %s", got)
	}
	// Not through a symbolic link either.
	link := filepath.Join(t.TempDir(), "link.key")
	if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "keys", "recovery", "--db", db, "--out", link, "--force"); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("--out through a dangling link: %+v", r)
	}

	// An operator's key too.
	alice := filepath.Join(t.TempDir(), "alice.key")
	r = run(t, nil, "keys", "operator", "add", "alice", "--db", db, "--out", alice)
	if r.code != 0 || hasSecret(r.stdout+r.stderr) || !strings.Contains(r.stderr, "written to "+alice) {
		t.Fatalf("operator add --out: %+v", r)
	}
	if m := fileMode(t, alice); m != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", alice, m)
	}
	if r := run(t, nil, "keys", "operator", "add", "bob", "--db", db, "--out", alice); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("operator add --out over an existing file: %+v", r)
	}
	if r := run(t, nil, "keys", "show", "--db", db); strings.Contains(r.stdout, "bob") {
		t.Fatalf("bob was added although his key could not be written:\n%s", r.stdout)
	}
}

// TestKeysStdoutFile: `haven keys recovery > FILE`, where the shell made
// FILE 0644, makes FILE 0600 before it writes the private key, and says so.
func TestKeysStdoutFile(t *testing.T) {
	withUmask(t, 0o022)
	db := tempDB(t)
	for _, args := range [][]string{{"keys", "recovery"}, {"keys", "operator", "add", "alice"}} {
		path := filepath.Join(t.TempDir(), "key.txt")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666) // as the shell's >
		if err != nil {
			t.Fatal(err)
		}
		if m := fileMode(t, path); m != 0o644 {
			t.Fatalf("the shell's file has mode %04o, want 0644", m)
		}
		var errb syncBuffer
		code := Main(context.Background(), append(args, "--db", db), Env{Stdout: f, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now})
		f.Close()
		if code != 0 || !strings.Contains(errb.String(), "made it readable by you only (0600)") {
			t.Fatalf("%q: exit %d\n%s", args, code, errb.String())
		}
		if m := fileMode(t, path); m != 0o600 {
			t.Errorf("%q: standard output's file has mode %04o, want 0600", args, m)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		parseIdentity(t, string(text))
	}
}
