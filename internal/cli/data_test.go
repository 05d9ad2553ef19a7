package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store/storetest"
)

// identityFile writes a new age identity file, for the commands that need
// one before they open the database.
func identityFile(t testing.TB) string {
	t.Helper()
	id, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	if err := writeIdentityFile(path, "test key", id, time.Now()); err != nil {
		t.Fatal(err)
	}
	return path
}

// missingDBCommands are the commands that read or change a database, with
// what each needs besides --db; out is a folder the command would write.
func missingDBCommands(t testing.TB, out string) [][]string {
	identity := identityFile(t)
	return [][]string{
		{"find", "polaris"},
		{"show", "polaris"},
		{"export", "--format", "json"},
		{"keys", "show"},
		{"keys", "operator", "add", "alice"},
		{"keys", "operator", "add", "alice", "--recipient", storetest.RecipientA},
		{"keys", "operator", "enable", "alice"},
		{"keys", "operator", "disable", "alice"},
		{"tips", "list"},
		{"tips", "show", "1", "--identity", identity},
		{"tips", "reply", "1", "--message", "hello"},
		{"tips", "status", "1", "--set", "closed"},
		{"tips", "export", "--identity", identity, "--out", out},
		{"tips", "purge"},
		{"tips", "purges"},
	}
}

// testName names a subtest by a command's words and flags, without the
// paths and keys given to them.
func testName(args []string) string {
	var words []string
	for _, a := range args {
		if !strings.ContainsAny(a, `/\`) && len(a) < 20 {
			words = append(words, a)
		}
	}
	return strings.Join(words, " ")
}

// checkRefused checks that a command refused a missing database: exit 1, an
// error naming where it looked and how to point elsewhere, and nothing
// written in dir.
func checkRefused(t *testing.T, r result, where, dir string) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("exit %d, want 1: %+v", r.code, r)
	}
	for _, want := range []string{"no database at " + where, "--db", "HAVEN_DB", "haven keys recovery"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if hasSecret(r.stdout + r.stderr) {
		t.Errorf("a private key was printed although nothing was stored:\n%s", r.stdout)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was created in %s", e.Name(), dir)
	}
}

// Every command but serve and keys recovery refuses a SQLite database
// that is not there, and creates nothing: one made by a mistyped --db
// would answer "no tips" or "no operators" as if that were so.
func TestCommandsRefuseAMissingDatabase(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		dir := t.TempDir()
		db := filepath.Join(dir, "data", "haven.db")
		for _, args := range missingDBCommands(t, filepath.Join(dir, "export")) {
			name := testName(args)
			if viaEnv {
				name += " (HAVEN_DB)"
			}
			t.Run(name, func(t *testing.T) {
				var r result
				if viaEnv {
					r = run(t, map[string]string{"HAVEN_DB": db}, args...)
				} else {
					r = run(t, nil, append(args, "--db", db)...)
				}
				checkRefused(t, r, db, dir)
			})
		}
	}
}

// Run from another folder, the default relative database is not there:
// the error gives the folder it was looked for in, and nothing is made
// there.
func TestCommandsRefuseTheDefaultDatabaseElsewhere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	where := defaultDB + " (" + filepath.Join(wd, defaultDB) + ")"
	for _, args := range missingDBCommands(t, "export") {
		t.Run(testName(args), func(t *testing.T) {
			checkRefused(t, run(t, nil, args...), where, dir)
		})
	}
}

// keys recovery is the first step of a new installation: it makes the
// database, saying where, and then the other commands find it.
func TestKeysRecoveryCreatesANewDatabase(t *testing.T) {
	db := tempDB(t)
	r := run(t, nil, "keys", "recovery", "--db", db, "--recipient", storetest.RecipientA)
	if r.code != 0 || !strings.Contains(r.stderr, "No database at "+db+": creating a new one") {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("no database: %v", err)
	}
	r = run(t, nil, "keys", "recovery", "--db", db, "--force", "--recipient", storetest.RecipientA)
	if r.code != 0 || strings.Contains(r.stderr, "creating") {
		t.Fatalf("a second keys recovery: %+v", r)
	}
	for _, args := range [][]string{{"keys", "operator", "add", "alice", "--out", filepath.Join(t.TempDir(), "alice.key")}, {"tips", "list"}, {"find", "polaris"}} {
		if r := run(t, nil, append(args, "--db", db)...); r.code != 0 {
			t.Errorf("%q after keys recovery: %+v", args, r)
		}
	}
}

// A PostgreSQL URL is never missing: the server says whether the database
// is there.
func TestPostgresIsNeverMissing(t *testing.T) {
	for _, db := range []string{"postgres://haven@127.0.0.1/haven", "postgresql:///haven"} {
		if missing, err := sqliteMissing(db); missing || err != nil {
			t.Errorf("sqliteMissing(%q) = %v, %v; want false, nil", db, missing, err)
		}
	}
}
