package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
)

const (
	whatMarker       = "what-marker-7731: three workers locked in at night"
	attachmentMarker = "attachment-marker-5520"
	tipsterMarker    = "tipster-marker-0413"
	operatorMarker   = "operator-marker-9087"
	stdinMarker      = "stdin-marker-2246"
)

// submitTip sends a tip with an attachment and a tipster's message
// through the tip desk, as the web site does, with the tip secret where
// the commands look for it. It returns the tip's id and receipt.
func submitTip(t *testing.T, db string) (int64, seal.Receipt) {
	t.Helper()
	ctx := context.Background()
	st := tipStore(t, db)
	defer st.Close()
	secret, err := seal.LoadOrCreateSecret((&tipFlags{}).secretPath(db))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: st, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	people, danger := 3, true
	receipt, err := desk.Submit(ctx, intake.Tip{
		WhatHappened: whatMarker + "\x1b[2J", Where: "Springfield", Kind: "labor",
		PeopleCount: &people, Danger: &danger,
		Files: []intake.File{{Name: "../notes \x1b[31m.txt", Type: "text/plain", Data: []byte(attachmentMarker)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := desk.AddTipsterMessage(ctx, receipt, tipsterMarker); err != nil {
		t.Fatal(err)
	}
	list, _, err := st.ListTips(ctx, store.TipFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d tips, %v", len(list), err)
	}
	return list[0].ID, receipt
}

// deskStatus returns what the receipt's holder sees.
func deskStatus(t *testing.T, db string, r seal.Receipt) intake.Status {
	t.Helper()
	st := tipStore(t, db)
	defer st.Close()
	secret, err := seal.LoadOrCreateSecret((&tipFlags{}).secretPath(db))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: st, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	s, err := desk.Status(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func noPlaintext(t *testing.T, what string, r result) {
	t.Helper()
	for _, m := range []string{"what-marker", attachmentMarker, tipsterMarker, operatorMarker, stdinMarker} {
		if strings.Contains(r.stdout, m) || strings.Contains(r.stderr, m) {
			t.Errorf("%s prints %q:\n%s\n%s", what, m, r.stdout, r.stderr)
		}
	}
}

func TestTipsRoundTrip(t *testing.T) {
	db := tempDB(t)
	r := run(t, nil, "keys", "recovery", "--db", db)
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	identity := filepath.Join(t.TempDir(), "recovery.key")
	if err := os.WriteFile(identity, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "keys", "operator", "add", "alice", "--db", db); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	id, receipt := submitTip(t, db)
	ids := strconv.FormatInt(id, 10)

	// list: metadata only.
	r = run(t, nil, "tips", "list", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "ATTACHMENTS") || !strings.Contains(r.stdout, " new ") {
		t.Fatalf("list: %+v", r)
	}
	noPlaintext(t, "list", r)
	if !strings.Contains(strings.Split(r.stdout, "\n")[1], ids+"  ") {
		t.Errorf("list lacks tip %d:\n%s", id, r.stdout)
	}
	if r := run(t, nil, "tips", "list", "--db", db, "--status", "closed"); r.code != 0 || !strings.Contains(r.stdout, "no tips with status closed") {
		t.Fatalf("list --status closed: %+v", r)
	}

	// show: decrypts with the identity file, with no terminal escapes.
	r = run(t, nil, "tips", "show", ids, "--identity", identity, "--db", db)
	if r.code != 0 {
		t.Fatalf("show: %+v", r)
	}
	for _, want := range []string{whatMarker, "Springfield", "labor", "people:", "danger:          yes", tipsterMarker, "] tipster:", "1. ../notes \uFFFD[31m.txt (text/plain, 22 bytes)", "status:          new"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Error("show prints a terminal escape from the tip")
	}
	if strings.Contains(r.stdout, attachmentMarker) {
		t.Error("show prints an attachment's content")
	}
	other, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "tips", "show", ids, "--identity", otherFile, "--db", db); r.code != 1 || !strings.Contains(r.stderr, "cannot open tip "+ids) {
		t.Fatalf("show with another key: %+v", r)
	}
	if r := run(t, nil, "tips", "show", "999", "--identity", identity, "--db", db); r.code != 1 || !strings.Contains(r.stderr, "no tip 999") {
		t.Fatalf("show a missing tip: %+v", r)
	}

	// reply: the tipster reads it with the receipt.
	r = run(t, nil, "tips", "reply", ids, "--message", operatorMarker, "--db", db)
	if r.code != 0 {
		t.Fatalf("reply: %+v", r)
	}
	noPlaintext(t, "reply", r)
	r = runWithStdin(t, strings.NewReader(stdinMarker+"\n"), nil, "tips", "reply", ids, "--db", db, "--message", "-")
	if r.code != 0 {
		t.Fatalf("reply from stdin: %+v", r)
	}
	s := deskStatus(t, db, receipt)
	if len(s.Messages) != 3 || s.Messages[1].Author != store.AuthorOperator || s.Messages[1].Text != operatorMarker || s.Messages[2].Text != stdinMarker {
		t.Fatalf("the tipster sees %+v", s)
	}
	missing := filepath.Join(t.TempDir(), "tips.secret")
	if r := run(t, nil, "tips", "reply", ids, "--message", "x", "--db", db, "--tip-secret", missing); r.code != 1 || !strings.Contains(r.stderr, "no tip secret at "+missing) {
		t.Fatalf("reply without the secret: %+v", r)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("reply made a new tip secret")
	}

	// status.
	if r := run(t, nil, "tips", "status", ids, "--set", "in_review", "--assignee", "alice", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "in_review, assigned to alice") {
		t.Fatalf("status: %+v", r)
	}
	if r := run(t, nil, "tips", "status", ids, "--set", "closed", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "closed, assigned to alice") {
		t.Fatalf("status keeps the assignee: %+v", r)
	}
	if r := run(t, nil, "tips", "status", ids, "--set", "closed", "--assignee", "mallory", "--db", db); r.code != 1 || !strings.Contains(r.stderr, `--assignee "mallory" is not an operator`) {
		t.Fatalf("unknown assignee: %+v", r)
	}
	r = run(t, nil, "tips", "list", "--db", db, "--status", "closed")
	if r.code != 0 || !strings.Contains(r.stdout, "closed") || !strings.Contains(r.stdout, "alice") {
		t.Fatalf("list after status: %+v", r)
	}
	if s := deskStatus(t, db, receipt); s.Status != store.TipClosed {
		t.Fatalf("the tipster sees status %s", s.Status)
	}

	// export.
	out := filepath.Join(t.TempDir(), "export")
	r = run(t, nil, "tips", "export", "--identity", identity, "--out", out, "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "exported 1 tip(s), 3 message(s), 1 attachment(s)") {
		t.Fatalf("export: %+v", r)
	}
	noPlaintext(t, "export", r)
	var tip exportedTip
	readJSON(t, filepath.Join(out, ids, "tip.json"), &tip)
	if tip.ID != id || tip.Status != store.TipClosed || tip.Assignee != "alice" || tip.WhatHappened != whatMarker+"\x1b[2J" || tip.Where != "Springfield" ||
		len(tip.Attachments) != 1 || tip.Attachments[0].Name != "../notes \x1b[31m.txt" {
		t.Errorf("tip.json: %+v", tip)
	}
	var msgs []intake.Message
	readJSON(t, filepath.Join(out, ids, "messages.json"), &msgs)
	if len(msgs) != 3 || msgs[0].Text != tipsterMarker || msgs[0].Author != store.AuthorTipster || msgs[1].Text != operatorMarker || msgs[2].Text != stdinMarker {
		t.Errorf("messages.json: %+v", msgs)
	}
	att, err := os.ReadFile(filepath.Join(out, ids, "attachments", "1-_notes___31m.txt"))
	if err != nil || string(att) != attachmentMarker {
		t.Errorf("attachment: %q, %v", att, err)
	}
	files := 0
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if p != out && fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil || files != 3 {
		t.Fatalf("%d files, %v", files, err)
	}
	if r := run(t, nil, "tips", "export", "--identity", identity, "--out", out, "--db", db); r.code != 1 || !strings.Contains(r.stderr, "is not empty") {
		t.Fatalf("export into a full folder: %+v", r)
	}
	out2 := t.TempDir()
	r = run(t, nil, "tips", "export", "--identity", otherFile, "--out", out2, "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "tip "+ids+": this identity cannot open it") || !strings.Contains(r.stdout, "exported 0 tip(s)") {
		t.Fatalf("export with another key: %+v", r)
	}
	if entries, _ := os.ReadDir(out2); len(entries) != 0 {
		t.Fatalf("export with another key wrote %v", entries)
	}

	// purge: nothing is old enough, until the clock moves on.
	if r := run(t, nil, "tips", "purge", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "deleted 0 tip(s) not changed for 90 days") {
		t.Fatalf("purge: %+v", r)
	}
	r = runAt(t, time.Now().Add(72*time.Hour), "tips", "purge", "--tip-retention", "24h", "--yes", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "deleted 1 tip(s)") {
		t.Fatalf("purge later: %+v", r)
	}
	if r := run(t, nil, "tips", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "no tips") {
		t.Fatalf("list after purge: %+v", r)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestTipsUsage(t *testing.T) {
	db := tempDB(t)
	key := filepath.Join(t.TempDir(), "k")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tips"}, "want a subcommand"},
		{[]string{"tips", "read"}, `unknown subcommand "read"`},
		{[]string{"tips", "list", "--status", "open"}, `--status "open"`},
		{[]string{"tips", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"tips", "show", "1"}, "--identity"},
		{[]string{"tips", "show", "--identity", key}, "ID"},
		{[]string{"tips", "show", "one", "--identity", key}, `ID "one"`},
		{[]string{"tips", "reply", "1"}, "--message"},
		{[]string{"tips", "reply", "1", "--message", "  "}, "--message"},
		{[]string{"tips", "status", "1"}, "--set"},
		{[]string{"tips", "status", "1", "--set", "done"}, `--set "done"`},
		{[]string{"tips", "status", "0", "--set", "new"}, `ID "0"`},
		{[]string{"tips", "export", "--identity", key}, "--out"},
		{[]string{"tips", "export", "--out", t.TempDir()}, "--identity"},
		{[]string{"tips", "purge", "--tip-retention", "5m"}, "tip-retention"},
		{[]string{"tips", "purge", "--tip-retention", "soon"}, "tip-retention"},
		{[]string{"tips", "purge", "--tip-rate", "3"}, "tip-rate"},
	} {
		r := run(t, map[string]string{"HAVEN_DB": db}, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "usage: haven tips") {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
	for _, sub := range tipsCommands() {
		r := run(t, nil, "tips", sub.name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "usage: haven tips "+sub.name) {
			t.Errorf("tips %s --help: %+v", sub.name, r)
		}
	}
	if r := run(t, nil, "tips", "--help"); r.code != 0 || !strings.Contains(r.stdout, "haven tips export --identity FILE --out DIR") {
		t.Errorf("tips --help: %+v", r)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("bad usage created the database")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"photo.jpg":                "photo.jpg",
		"../../etc/passwd":         "_.._etc_passwd",
		".hidden":                  "hidden",
		"":                         "attachment",
		"///":                      "attachment",
		"ដំណឹង.png":                "ដំណឹង.png",
		"a\x00b\nc":                "a_b_c",
		"\u202egnp.exe":            "_gnp.exe",
		"x\u2066y\u2069\u200e.txt": "x_y__.txt",
		"\u061c\u200f":             "attachment",
		strings.Repeat("x", 300):   strings.Repeat("x", 100),
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// bidiControls are the characters that change the direction text is shown
// in: U+061C, U+200E, U+200F, U+202A to U+202E and U+2066 to U+2069.
const bidiControls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

// hasBidi reports whether s holds any of bidiControls.
func hasBidi(s string) bool { return strings.ContainsAny(s, bidiControls) }

func TestCleanBidi(t *testing.T) {
	for in, want := range map[string]string{
		"\u202egnp.exe":            "<U+202E>gnp.exe",
		"a\u2066b\u2069c":          "a<U+2066>b<U+2069>c",
		"\u061c\u200e\u200f":       "<U+061C><U+200E><U+200F>",
		"\u202a\u202b\u202c\u202d": "<U+202A><U+202B><U+202C><U+202D>",
		"\u2067\u2068":             "<U+2067><U+2068>",
		"\x1b[2J\r\nok\tfine":      "\uFFFD[2J\uFFFD\nok\tfine",
		"שלום مرحبا ដំណឹង":         "שלום مرحبا ដំណឹង", // right-to-left and other scripts stay
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	for _, r := range bidiControls {
		if got := clean(string(r)); hasBidi(got) || got != fmt.Sprintf("<U+%04X>", r) {
			t.Errorf("clean(%U) = %q", r, got)
		}
	}
}

// TestTipsBidi: text a tipster wrote with bidirectional controls, and an
// operator's name holding one, are printed with the controls made visible,
// and exported attachments' file names on disk hold none.
func TestTipsBidi(t *testing.T) {
	db := tempDB(t)
	r := run(t, nil, "keys", "recovery", "--db", db)
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	identity := filepath.Join(t.TempDir(), "recovery.key")
	if err := os.WriteFile(identity, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	op, err := seal.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "keys", "operator", "add", "eve\u202e", "--recipient", op.Recipient().String(), "--db", db); r.code != 0 || hasBidi(r.stdout+r.stderr) {
		t.Fatalf("operator add: %+v", r)
	}

	ctx := context.Background()
	st := tipStore(t, db)
	secret, err := seal.LoadOrCreateSecret((&tipFlags{}).secretPath(db))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: st, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := desk.Submit(ctx, intake.Tip{
		WhatHappened: "see the photo \u202egnp.exe", Where: "\u2067Springfield\u2069",
		Files: []intake.File{{Name: "\u202egnp.exe", Type: "text/plain\u200f", Data: []byte("not a photo")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := desk.AddTipsterMessage(ctx, receipt, "call me \u2066+1 555\u2069 \u061cnow"); err != nil {
		t.Fatal(err)
	}
	list, _, err := st.ListTips(ctx, store.TipFilter{})
	st.Close()
	if err != nil || len(list) != 1 {
		t.Fatalf("%d tips, %v", len(list), err)
	}
	ids := strconv.FormatInt(list[0].ID, 10)

	r = run(t, nil, "tips", "status", ids, "--set", "in_review", "--assignee", "eve\u202e", "--db", db)
	if r.code != 0 || hasBidi(r.stdout+r.stderr) || !strings.Contains(r.stdout, "assigned to eve<U+202E>") {
		t.Fatalf("status: %+v", r)
	}
	for _, args := range [][]string{
		{"tips", "show", ids, "--identity", identity},
		{"tips", "list"},
		{"keys", "show"},
	} {
		r := run(t, nil, append(args, "--db", db)...)
		if r.code != 0 {
			t.Fatalf("%q: %+v", args, r)
		}
		if hasBidi(r.stdout + r.stderr) {
			t.Errorf("%q prints a bidirectional control:\n%q", args, r.stdout)
		}
		if !strings.Contains(r.stdout, "eve<U+202E>") {
			t.Errorf("%q does not show the operator's name escaped:\n%s", args, r.stdout)
		}
	}
	r = run(t, nil, "tips", "show", ids, "--identity", identity, "--db", db)
	for _, want := range []string{
		"see the photo <U+202E>gnp.exe", "<U+2067>Springfield<U+2069>",
		"1. <U+202E>gnp.exe (text/plain<U+200F>, 11 bytes)", "call me <U+2066>+1 555<U+2069> <U+061C>now",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}

	out := filepath.Join(t.TempDir(), "export")
	if r := run(t, nil, "tips", "export", "--identity", identity, "--out", out, "--db", db); r.code != 0 || hasBidi(r.stdout+r.stderr) {
		t.Fatalf("export: %+v", r)
	}
	entries, err := os.ReadDir(filepath.Join(out, ids, "attachments"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("attachments: %v, %v", entries, err)
	}
	if name := entries[0].Name(); name != "1-_gnp.exe" || hasBidi(name) {
		t.Errorf("exported as %q, want 1-_gnp.exe", name)
	}
	var tip exportedTip
	readJSON(t, filepath.Join(out, ids, "tip.json"), &tip)
	if tip.Attachments[0].Name != "\u202egnp.exe" {
		t.Errorf("tip.json changed the name to %q: it keeps what the tipster sent", tip.Attachments[0].Name)
	}
}

// runEnvAt runs the program with the environment env and its clock at now.
func runEnvAt(t testing.TB, env map[string]string, now time.Time, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }})
	return result{code, out.String(), errb.String()}
}

// tipCount returns how many tips db holds.
func tipCount(t *testing.T, db string) int {
	t.Helper()
	st := tipStore(t, db)
	defer st.Close()
	_, n, err := st.ListTips(context.Background(), store.TipFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTipsPurgeConfirm: a retention shorter than the configured one deletes
// nothing without --yes, and says how many tips it would delete and how to
// confirm; with --yes it deletes them.
func TestTipsPurgeConfirm(t *testing.T) {
	db := tempDB(t)
	if r := run(t, nil, "keys", "recovery", "--db", db); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	submitTip(t, db)
	submitTip2(t, db)
	later := time.Now().Add(3 * time.Hour)

	r := runAt(t, later, "tips", "purge", "--tip-retention", "1h", "--db", db)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("purge --tip-retention 1h without --yes: %+v", r)
	}
	for _, want := range []string{"shorter than the configured retention of 90 days", "would delete 2 tip(s) not changed for 1h0m0s", "Nothing was deleted", "run again with --yes"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := tipCount(t, db); n != 2 {
		t.Fatalf("%d tips left after a refused purge, want 2", n)
	}
	// Shorter than what HAVEN_TIP_RETENTION configures needs --yes too;
	// as long as it does not.
	env := map[string]string{"HAVEN_TIP_RETENTION": "2h"}
	if r := runEnvAt(t, env, later, "tips", "purge", "--tip-retention", "1h", "--db", db); r.code != 1 || !strings.Contains(r.stderr, "configured retention of 2h0m0s") {
		t.Fatalf("purge shorter than HAVEN_TIP_RETENTION: %+v", r)
	}
	if r := runEnvAt(t, env, later, "tips", "purge", "--tip-retention", "2h", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "deleted 2 tip(s) not changed for 2h0m0s") {
		t.Fatalf("purge at HAVEN_TIP_RETENTION: %+v", r)
	}

	submitTip(t, db)
	r = runAt(t, later.Add(3*time.Hour), "tips", "purge", "--tip-retention", "1h", "--yes", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "deleted 1 tip(s) not changed for 1h0m0s") {
		t.Fatalf("purge --yes: %+v", r)
	}
	if n := tipCount(t, db); n != 0 {
		t.Fatalf("%d tips left after purge --yes", n)
	}
}

// submitTip2 sends a second tip, as submitTip does the first.
func submitTip2(t *testing.T, db string) {
	t.Helper()
	st := tipStore(t, db)
	defer st.Close()
	secret, err := seal.LoadOrCreateSecret((&tipFlags{}).secretPath(db))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := intake.New(intake.Config{Store: st, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Submit(context.Background(), intake.Tip{WhatHappened: "another"}); err != nil {
		t.Fatal(err)
	}
}

// TestTipsPurges: every manual purge, and each of the server's that deleted
// a tip, is listed by haven tips purges with its hour and count.
func TestTipsPurges(t *testing.T) {
	db := newDB(t)
	if r := run(t, nil, "tips", "purges", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "no purges recorded") {
		t.Fatalf("purges of a new database: %+v", r)
	}
	if r := run(t, nil, "keys", "recovery", "--db", db); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	submitTip(t, db)
	first := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
	if r := runAt(t, first, "tips", "purge", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "deleted 1 tip(s)") {
		t.Fatalf("purge: %+v", r)
	}
	if r := runAt(t, first.Add(26*time.Hour), "tips", "purge", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "deleted 0 tip(s)") {
		t.Fatalf("purge: %+v", r)
	}
	// The server's sweep (Desk.RunRetention) records its purges as
	// automatic; one is made here through the store as it does.
	submitTip2(t, db)
	st := tipStore(t, db)
	if n, err := st.PurgeTips(context.Background(), first, store.PurgeAutomatic, first.Add(27*time.Hour+30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("PurgeTips = %d, %v", n, err)
	}
	st.Close()

	r := run(t, nil, "tips", "purges", "--db", db)
	if r.code != 0 {
		t.Fatalf("purges: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := [][]string{
		{"HOUR", "(UTC)", "KIND", "TIPS", "DELETED"},
		{"2099-01-03", "06:00", "automatic", "1"},
		{"2099-01-03", "05:00", "manual", "0"},
		{"2099-01-02", "03:00", "manual", "1"},
	}
	if len(lines) != len(want) {
		t.Fatalf("purges printed %d lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, w := range want {
		if got := strings.Fields(lines[i]); !slices.Equal(got, w) {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
	}
	if !strings.Contains(r.stderr, "3 purge(s), 2 tip(s) deleted") {
		t.Errorf("purges stderr: %s", r.stderr)
	}
}
