package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
)

// runAt runs the program with its clock at now.
func runAt(t testing.TB, now time.Time, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: func() time.Time { return now }})
	return result{code, out.String(), errb.String()}
}

// parseIdentity reads the one X25519 identity in an identity file's text.
func parseIdentity(t testing.TB, text string) *age.X25519Identity {
	t.Helper()
	ids, err := age.ParseIdentities(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not an identity file: %v\n%s", err, text)
	}
	if len(ids) != 1 {
		t.Fatalf("%d identities, want 1", len(ids))
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		t.Fatalf("identity is a %T", ids[0])
	}
	return id
}

// secretKey matches an age private key.
var secretKey = regexp.MustCompile(`AGE-SECRET-KEY-1[0-9A-Z]`)

// hasSecret reports whether text holds an age private key.
func hasSecret(text string) bool { return secretKey.MatchString(text) }

// dbFiles returns the bytes of every file of the SQLite database beside
// db (the file, its WAL and anything else in the folder).
func dbFiles(t testing.TB, db string) []byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(filepath.Dir(db), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// tipStore opens db directly, for checks behind the command's back.
func tipStore(t testing.TB, db string) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestKeysRecovery(t *testing.T) {
	db := tempDB(t)
	r := run(t, nil, "keys", "recovery", "--db", db)
	if r.code != 0 || strings.Count(r.stdout, "AGE-SECRET-KEY-1") != 1 {
		t.Fatalf("%+v", r)
	}
	id := parseIdentity(t, r.stdout)
	pub := id.Recipient().String()
	if !strings.Contains(r.stderr, "offline") || !strings.Contains(r.stderr, "decrypts every tip") || !strings.Contains(r.stderr, pub) || strings.Contains(r.stderr, id.String()) {
		t.Fatalf("stderr does not explain, or shows the key:\n%s", r.stderr)
	}
	// Only the public key is stored.
	files := dbFiles(t, db)
	if !bytes.Contains(files, []byte(pub)) {
		t.Fatal("the public key is not in the database's files: wrong files read")
	}
	if bytes.Contains(bytes.ToUpper(files), []byte(id.String())) {
		t.Fatal("the private key is in the database's files")
	}
	if r := run(t, nil, "keys", "show", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "recovery key: "+pub) || strings.Contains(r.stdout, "AGE-SECRET") {
		t.Fatalf("show: %+v", r)
	}

	// A second key only with --force, and the first stays meanwhile.
	r = run(t, map[string]string{"HAVEN_DB": db}, "keys", "recovery")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "--force") || !strings.Contains(r.stderr, pub) {
		t.Fatalf("replaced without --force: %+v", r)
	}
	if r := run(t, nil, "keys", "show", "--db", db); !strings.Contains(r.stdout, pub) {
		t.Fatalf("the key changed: %+v", r)
	}
	r = run(t, nil, "keys", "recovery", "--db", db, "--force")
	if r.code != 0 {
		t.Fatalf("--force: %+v", r)
	}
	pub2 := parseIdentity(t, r.stdout).Recipient().String()
	if pub2 == pub || !strings.Contains(r.stderr, "Replaced the recovery key "+pub) {
		t.Fatalf("--force: %+v", r)
	}
	st := tipStore(t, db)
	got, err := st.RecoveryRecipient(context.Background())
	st.Close()
	if err != nil || got != pub2 {
		t.Fatalf("stored %q, %v; want %s", got, err, pub2)
	}
}

// TestKeysRecoveryRecipient: --recipient stores a recovery key made
// offline; nothing private is made or printed.
func TestKeysRecoveryRecipient(t *testing.T) {
	db := tempDB(t)
	offline, err := seal.GenerateIdentity() // as age-keygen would, elsewhere
	if err != nil {
		t.Fatal(err)
	}
	pub := offline.Recipient().String()
	r := run(t, nil, "keys", "recovery", "--db", db, "--recipient", pub)
	if r.code != 0 || hasSecret(r.stdout+r.stderr) || !strings.Contains(r.stdout, "recovery key set: "+pub) {
		t.Fatalf("%+v", r)
	}
	st := tipStore(t, db)
	got, err := st.RecoveryRecipient(context.Background())
	st.Close()
	if err != nil || got != pub {
		t.Fatalf("stored %q, %v; want %s", got, err, pub)
	}
	// Replacing it still takes --force.
	other, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "keys", "recovery", "--db", db, "--recipient", other.Recipient().String()); r.code != 1 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("replaced without --force: %+v", r)
	}
	r = run(t, nil, "keys", "recovery", "--db", db, "--force", "--recipient", other.Recipient().String())
	if r.code != 0 || hasSecret(r.stdout+r.stderr) || !strings.Contains(r.stderr, "Replaced the recovery key "+pub) {
		t.Fatalf("--force --recipient: %+v", r)
	}
}

// TestKeysBadRecipient: a recipient that is not an age public key is
// refused with a clear error, before the database is opened, and a private
// key given by mistake is not repeated.
func TestKeysBadRecipient(t *testing.T) {
	db := tempDB(t)
	secret, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		value, want string
	}{
		{"age1nope", "want an age X25519 public key"},
		{"ssh-ed25519 AAAA", "want an age X25519 public key"},
		{secret.Recipient().String() + "x", "want an age X25519 public key"},
		{secret.String(), "that is a PRIVATE key"},
		{strings.ToLower(secret.String()), "that is a PRIVATE key"},
	} {
		for _, args := range [][]string{{"keys", "recovery"}, {"keys", "operator", "add", "alice"}} {
			r := run(t, map[string]string{"HAVEN_DB": db}, append(args, "--recipient", c.value)...)
			if r.code != 2 || !strings.Contains(r.stderr, "--recipient: "+c.want) {
				t.Errorf("%q --recipient %q: exit %d, want 2 and %q:\n%s", args, c.value, r.code, c.want, r.stderr)
			}
			if strings.Contains(strings.ToUpper(r.stdout+r.stderr), strings.ToUpper(secret.String())) {
				t.Errorf("%q: the error repeats the private key:\n%s", args, r.stderr)
			}
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a bad recipient created the database")
	}
}

func TestKeysShowEmpty(t *testing.T) {
	r := run(t, nil, "keys", "show", "--db", newDB(t))
	if r.code != 0 || !strings.Contains(r.stdout, "recovery key: none") || !strings.Contains(r.stdout, "operators: none") {
		t.Fatalf("%+v", r)
	}
}

func TestKeysOperator(t *testing.T) {
	db := newDB(t)
	alice, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "keys", "operator", "add", "alice", "--recipient", alice.Recipient().String(), "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "added operator alice") || strings.Contains(r.stdout, "AGE-SECRET") {
		t.Fatalf("add with --recipient: %+v", r)
	}
	r = run(t, nil, "keys", "operator", "add", "--db", db, "bob")
	if r.code != 0 || strings.Count(r.stdout, "AGE-SECRET-KEY-1") != 1 || !strings.Contains(r.stderr, "not be shown again") {
		t.Fatalf("add with a new key: %+v", r)
	}
	bob := parseIdentity(t, r.stdout)
	if bytes.Contains(bytes.ToUpper(dbFiles(t, db)), []byte(bob.String())) {
		t.Fatal("bob's private key is in the database's files")
	}
	if r := run(t, nil, "keys", "operator", "add", "alice", "--db", db); r.code != 1 || !strings.Contains(r.stderr, `operator "alice" already exists`) || r.stdout != "" {
		t.Fatalf("duplicate: %+v", r)
	}
	if r := run(t, nil, "keys", "operator", "disable", "alice", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "operator alice disabled") {
		t.Fatalf("disable: %+v", r)
	}
	r = run(t, nil, "keys", "show", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, alice.Recipient().String()) || !strings.Contains(r.stdout, bob.Recipient().String()) {
		t.Fatalf("show: %+v", r)
	}
	st := tipStore(t, db)
	ops, err := st.Operators(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Operator{{Name: "alice", Recipient: alice.Recipient().String()}, {Name: "bob", Recipient: bob.Recipient().String(), Active: true}}
	if len(ops) != 2 {
		t.Fatalf("operators: %+v", ops)
	}
	for i, o := range ops {
		if o.Name != want[i].Name || o.Recipient != want[i].Recipient || o.Active != want[i].Active {
			t.Errorf("operator %d: %+v, want %+v", i, o, want[i])
		}
	}
	if r := run(t, nil, "keys", "operator", "disable", "bob", "--db", db); r.code != 0 || !strings.Contains(r.stderr, "no active operator is left") {
		t.Fatalf("disable the last: %+v", r)
	}
	if r := run(t, nil, "keys", "operator", "enable", "alice", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "operator alice enabled") {
		t.Fatalf("enable: %+v", r)
	}
	if r := run(t, nil, "keys", "operator", "disable", "carol", "--db", db); r.code != 1 || !strings.Contains(r.stderr, `no operator "carol"`) {
		t.Fatalf("unknown operator: %+v", r)
	}
}

func TestKeysUsage(t *testing.T) {
	db := tempDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"keys"}, "want a subcommand"},
		{[]string{"keys", "rotate"}, `unknown subcommand "rotate"`},
		{[]string{"keys", "recovery", "now"}, `unexpected argument "now"`},
		{[]string{"keys", "recovery", "--bogus"}, "bogus"},
		{[]string{"keys", "operator"}, "want a subcommand"},
		{[]string{"keys", "operator", "add"}, "NAME"},
		{[]string{"keys", "operator", "add", " alice"}, "NAME"},
		{[]string{"keys", "operator", "add", "alice", "--recipient", "age1nope"}, "--recipient"},
		{[]string{"keys", "operator", "add", "alice", "--recipient", "ssh-ed25519:AAAA"}, "--recipient"},
		{[]string{"keys", "operator", "enable"}, "NAME"},
		{[]string{"keys", "recovery", "--out", "k", "--recipient", "age1x"}, "--out and --recipient"},
		{[]string{"keys", "operator", "add", "alice", "--out", "k", "--recipient", "age1x"}, "--out and --recipient"},
	} {
		r := run(t, map[string]string{"HAVEN_DB": db}, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "usage: haven keys") {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
	for _, args := range [][]string{{"keys", "--help"}, {"keys", "recovery", "--help"}, {"keys", "operator", "--help"}, {"keys", "operator", "add", "--help"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "usage: haven "+strings.Join(args[:len(args)-1], " ")) {
			t.Errorf("%q: %+v", args, r)
		}
	}
	if r := run(t, nil, "keys", "operator", "add", "--help"); !strings.Contains(r.stdout, "cannot read older") {
		t.Errorf("operator add --help does not warn about older tips:\n%s", r.stdout)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("bad usage created the database")
	}
}
