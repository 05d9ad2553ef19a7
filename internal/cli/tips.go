package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-project/haven/internal/logsafe"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/store"
)

const tipsAbout = `Work with the tips the public sends: list them (metadata only), read one
with your private key, answer the tipster, set a tip's status, export them
all for disaster recovery, delete the expired ones, and see the purges.

Tips are stored sealed; reading one takes an age identity file holding a
private key they were sealed to: the recovery key (haven keys recovery) or
an operator's (haven keys operator add).`

func tipsCommands() []command {
	return []command{
		{"list", "[--status new|in_review|closed] [--db FILE]", "list tips: id, hours, status, assignee, size; never their content", runTipsList},
		{"show", "ID --identity FILE [--db FILE]", "decrypt one tip and its conversation and print them", runTipsShow},
		{"reply", "ID --message TEXT|- [--db FILE] [--tip-secret FILE]", "add an operator's message to a tip's conversation", runTipsReply},
		{"status", "ID --set new|in_review|closed [--assignee NAME] [--db FILE]", "set a tip's status and assignee", runTipsStatus},
		{"export", "--identity FILE --out DIR [--db FILE]", "decrypt every tip, message and attachment into DIR (disaster recovery)", runTipsExport},
		{"purge", "[--tip-retention 90d] [--yes] [--db FILE] [--tip-secret FILE]", "delete the tips not changed within the retention period, now", runTipsPurge},
		{"purges", "[--db FILE]", "list the recorded purges: hour, manual or automatic, tips deleted", runTipsPurges},
	}
}

func runTips(ctx context.Context, env Env, args []string) error {
	return runGroup(ctx, env, "tips", tipsAbout, tipsCommands(), args)
}

// registerTipFlags adds the named flags of tipFlags (their help and
// environment variables included) to fs, and only those.
func registerTipFlags(fs *flag.FlagSet, env Env, tf *tipFlags, names ...string) {
	all := flag.NewFlagSet("tip flags", flag.ContinueOnError)
	tf.register(all, env)
	for _, n := range names {
		f := all.Lookup(n)
		fs.Var(f.Value, f.Name, f.Usage)
	}
}

// openDesk opens the tip desk over st with the installation's tip secret.
// Unlike haven serve it never creates the secret: one made here, beside
// the wrong database or in the wrong folder, would be a second secret that
// matches no receipt.
func openDesk(st store.DB, db string, env Env, tf *tipFlags) (*intake.Desk, error) {
	path := tf.secretPath(db)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no tip secret at %s: point --tip-secret (env HAVEN_TIP_SECRET) at the file haven serve uses", path)
		}
		return nil, fmt.Errorf("tip secret: %w", err)
	}
	logger := slog.New(logsafe.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	desk, _, err := tf.open(st, db, env, logger)
	return desk, err
}

// parseTipID reads a tip's id.
func parseTipID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("ID %q: want a tip number (see haven tips list): %w", s, errUsage)
	}
	return id, nil
}

// parseStatus reads a status given to flag.
func parseStatus(flagName, s string) (store.TipStatus, error) {
	st := store.TipStatus(s)
	if !st.Valid() {
		return "", fmt.Errorf("--%s %q: want new, in_review or closed: %w", flagName, s, errUsage)
	}
	return st, nil
}

// getTip returns the tip with the id, with a clear error when there is none.
func getTip(ctx context.Context, ts store.TipStore, id int64) (store.Tip, error) {
	t, err := ts.Tip(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("no tip %d (see haven tips list)", id)
	}
	return t, err
}

// hour formats a stored hour.
func hour(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04")
}

// maxPasses bounds how often eachTip pages through the tips.
const maxPasses = 5

// eachTip calls fn once for every tip with the status ("" for all), paging
// through ListTips. Offset paging can skip a tip when another is deleted
// meanwhile, so it pages through again until a pass finds no tip it had
// not seen (at most maxPasses times).
func eachTip(ctx context.Context, ts store.TipStore, status store.TipStatus, fn func(store.Tip) error) error {
	seen := map[int64]bool{}
	for range maxPasses {
		found := false
		for offset := 0; ; {
			page, _, err := ts.ListTips(ctx, store.TipFilter{Status: status, Limit: store.MaxLimit, Offset: offset})
			if err != nil {
				return err
			}
			for _, t := range page {
				if seen[t.ID] {
					continue
				}
				seen[t.ID], found = true, true
				if err := fn(t); err != nil {
					return err
				}
			}
			if len(page) < store.MaxLimit {
				break
			}
			offset += len(page)
		}
		if !found {
			break
		}
	}
	return nil
}

func runTipsList(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips list", "[--status new|in_review|closed] [--db FILE]", `List the tips, newest first: id, the hours (UTC) it arrived and last
changed, status, assignee, size of its ciphertext and number of
attachments. Never their content: read one with haven tips show.`)
	db := registerDB(fs, env)
	statusFlag := fs.String("status", "", "list only tips with this status: new, in_review or closed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	var status store.TipStatus
	if *statusFlag != "" {
		if status, err = parseStatus("status", *statusFlag); err != nil {
			return err
		}
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	var list []store.Tip
	err = eachTip(ctx, st, status, func(t store.Tip) error {
		t.Sealed = nil
		list = append(list, t)
		return nil
	})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if status != "" {
			fmt.Fprintf(env.Stdout, "no tips with status %s\n", status)
		} else {
			fmt.Fprintln(env.Stdout, "no tips")
		}
		return nil
	}
	slices.SortFunc(list, func(a, b store.Tip) int { return cmp.Compare(b.ID, a.ID) })
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED (UTC)\tUPDATED (UTC)\tSTATUS\tASSIGNEE\tSIZE\tATTACHMENTS")
	for _, t := range list {
		assignee := t.Assignee
		if assignee == "" {
			assignee = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\n", t.ID, hour(t.Created), hour(t.Updated), t.Status, clean(assignee), t.Size, t.Attachments)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%d tip(s)\n", len(list))
	return nil
}

// maxIdentityFile bounds what an identity file may hold.
const maxIdentityFile = 1 << 20

// loadIdentities reads an age identity file, as haven keys writes it.
func loadIdentities(env Env, path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--identity: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
		fmt.Fprintf(env.Stderr, "warning: the identity file %s can be read by others (chmod 600 %s)\n", path, path)
	}
	ids, err := age.ParseIdentities(io.LimitReader(f, maxIdentityFile))
	if err != nil {
		return nil, fmt.Errorf("--identity %s: not an age identity file: %w", path, err)
	}
	return ids, nil
}

// openErr explains a tip or message the identity cannot open.
func openErr(what string, err error) error {
	if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
		return fmt.Errorf("this identity cannot open %s: it is sealed to the recovery key and the operators active when it arrived", what)
	}
	return fmt.Errorf("open %s: %w", what, err)
}

// clean makes untrusted text safe to print on a terminal: control
// characters other than line breaks and tabs (escape sequences, carriage
// returns) become U+FFFD, and the invisible characters that change the
// direction text is shown in (the bidirectional embeddings, overrides,
// isolates and marks: U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
// U+2069), by which "\u202Egnp.exe" shows as "exe.png", become visible
// escapes such as <U+202E>. Every command prints tipster-supplied text
// (and operator names) through it.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			b.WriteRune(r)
		default:
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func runTipsShow(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips show", "ID --identity FILE [--db FILE]", `Decrypt the tip ID and its conversation with the private key in FILE (an
age identity file, as haven keys writes it) and print them to standard
output. Attachments are listed; haven tips export saves them.`)
	db := registerDB(fs, env)
	identity := fs.String("identity", env.getenv("HAVEN_IDENTITY"), "age identity file with the recovery or an operator's private key (env HAVEN_IDENTITY)")
	id, err := parseTipIDArgs(fs, args)
	if err != nil {
		return err
	}
	if *identity == "" {
		return fmt.Errorf("--identity FILE is required: %w", errUsage)
	}
	ids, err := loadIdentities(env, *identity)
	if err != nil {
		return err
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := getTip(ctx, st, id)
	if err != nil {
		return err
	}
	doc, err := intake.OpenTip(t, ids...)
	if err != nil {
		return openErr(fmt.Sprintf("tip %d", id), err)
	}
	msgs, err := st.TipMessages(ctx, id)
	if err != nil {
		return err
	}
	printTip(env.Stdout, t, doc)
	if failed := printMessages(env.Stdout, msgs, ids); failed > 0 {
		fmt.Fprintf(env.Stderr, "%d message(s) could not be opened with this identity\n", failed)
	}
	return nil
}

// printTip prints an opened tip's fields, its text and its attachments'
// names, every tipster text through clean.
func printTip(w io.Writer, t store.Tip, doc intake.Sealed) {
	fmt.Fprintf(w, "tip %d\n", t.ID)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(w, "%-16s %s\n", name+":", clean(value))
		}
	}
	field("status", string(t.Status))
	field("assignee", t.Assignee)
	field("created", hour(t.Created)+" UTC")
	field("updated", hour(t.Updated)+" UTC")
	field("kind", doc.Kind)
	field("minors involved", doc.MinorsInvolved)
	if doc.PeopleCount != nil {
		field("people", strconv.Itoa(*doc.PeopleCount))
	}
	if doc.Danger != nil {
		field("danger", map[bool]string{true: "yes", false: "no"}[*doc.Danger])
	}
	field("where", doc.Where)
	field("when", doc.When)
	field("reply contact", doc.ReplyContact)
	field("language", doc.Language)
	fmt.Fprintf(w, "what happened:\n%s\n", indent(clean(doc.WhatHappened), "  "))
	if len(doc.Attachments) > 0 {
		fmt.Fprintln(w, "attachments (haven tips export saves them):")
		for i, a := range doc.Attachments {
			stripped := ""
			if a.Stripped {
				stripped = ", metadata stripped"
			}
			fmt.Fprintf(w, "  %d. %s (%s, %d bytes%s)\n", i+1, clean(a.Name), clean(a.Type), a.Size, stripped)
		}
	}
}

// printMessages prints the conversation, oldest first, and returns how
// many messages the identities could not open.
func printMessages(w io.Writer, msgs []store.TipMessage, ids []age.Identity) (failed int) {
	if len(msgs) == 0 {
		fmt.Fprintln(w, "messages: none")
		return 0
	}
	fmt.Fprintln(w, "messages:")
	for _, m := range msgs {
		opened, err := intake.OpenMessages([]store.TipMessage{m}, ids...)
		if err != nil {
			failed++
			fmt.Fprintf(w, "  [%s UTC] %s: (%v)\n", hour(m.Created), m.Author, openErr("this message", err))
			continue
		}
		fmt.Fprintf(w, "  [%s UTC] %s:\n%s\n", hour(m.Created), m.Author, indent(clean(opened[0].Text), "    "))
	}
	return failed
}

// maxReplyBytes bounds a message read from standard input.
const maxReplyBytes = 4 * intake.MaxMessageRunes

func runTipsReply(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips reply", "ID --message TEXT|- [--db FILE] [--tip-secret FILE]", `Add an operator's message to the conversation about tip ID. It is sealed to
the tipster (who reads it with their receipt), the active operators and the
recovery key. --message - reads the message from standard input.`)
	db := registerDB(fs, env)
	var tf tipFlags
	registerTipFlags(fs, env, &tf, "tip-secret")
	message := fs.String("message", "", "the message, or - to read it from standard input")
	id, err := parseTipIDArgs(fs, args)
	if err != nil {
		return err
	}
	text := *message
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(env.stdin(), maxReplyBytes+1))
		if err != nil {
			return fmt.Errorf("read the message from standard input: %w", err)
		}
		if len(b) > maxReplyBytes {
			return fmt.Errorf("--message -: the message is longer than %d characters: %w", intake.MaxMessageRunes, errUsage)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("--message TEXT is required and must not be blank: %w", errUsage)
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := getTip(ctx, st, id); err != nil {
		return err
	}
	desk, err := openDesk(st, *db, env, &tf)
	if err != nil {
		return err
	}
	if err := desk.Reply(ctx, id, text); err != nil {
		if fe, ok := errors.AsType[*intake.FieldError](err); ok {
			return fmt.Errorf("--message: %v: %w", fe, errUsage)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "added a message to tip %d; the tipster reads it with their receipt\n", id)
	return nil
}

func runTipsStatus(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips status", "ID --set new|in_review|closed [--assignee NAME] [--db FILE]", `Set the status of tip ID, and with --assignee the operator it is assigned to
(--assignee "" assigns nobody; without --assignee the assignee stays).`)
	db := registerDB(fs, env)
	set := fs.String("set", "", "the new status: new, in_review or closed")
	assignee := fs.String("assignee", "", "the operator the tip is assigned to; \"\" for nobody")
	id, err := parseTipIDArgs(fs, args)
	if err != nil {
		return err
	}
	if *set == "" {
		return fmt.Errorf("--set STATUS is required: %w", errUsage)
	}
	status, err := parseStatus("set", *set)
	if err != nil {
		return err
	}
	assigneeSet := false
	fs.Visit(func(f *flag.Flag) { assigneeSet = assigneeSet || f.Name == "assignee" })
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := getTip(ctx, st, id)
	if err != nil {
		return err
	}
	who := t.Assignee
	if assigneeSet {
		who = *assignee
	}
	if err := st.SetTipStatus(ctx, id, status, who, env.now()); err != nil {
		switch {
		case errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("no tip %d (see haven tips list)", id)
		case errors.Is(err, store.ErrInvalid) && who != "":
			return fmt.Errorf("--assignee %q is not an operator (see haven keys show)", who)
		}
		return err
	}
	if who == "" {
		who = "nobody"
	}
	fmt.Fprintf(env.Stdout, "tip %d: %s, assigned to %s\n", id, status, clean(who))
	return nil
}

// exportedTip is tip.json in an export: the stored fields and the opened
// tip.
type exportedTip struct {
	ID       int64           `json:"id"`
	Status   store.TipStatus `json:"status"`
	Assignee string          `json:"assignee,omitempty"`
	Created  time.Time       `json:"created"`
	Updated  time.Time       `json:"updated"`
	intake.Sealed
}

// exportedMessage is one entry of messages.json.
type exportedMessage struct {
	intake.Message
	// Error says why the message could not be opened; Text is empty then.
	Error string `json:"error,omitempty"`
}

// safeName makes an attachment's name safe as a file name: letters (with
// their combining marks), digits, '.', '-' and '_' stay, everything else becomes '_', and no name
// starts with a dot.
func safeName(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == 100 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
		n++
	}
	s := strings.TrimLeft(b.String(), ".")
	if strings.Trim(s, "_") == "" {
		return "attachment"
	}
	return s
}

// writeNew writes data to a new file readable by its owner only.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeJSONFile writes v as indented JSON to a new file, and wipes the
// encoding from memory.
func writeJSONFile(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	err := writeNew(path, buf.Bytes())
	clear(buf.Bytes())
	return err
}

// prepareOut makes dir, or checks that it exists and is empty.
func prepareOut(env Env, dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("--out %s is not empty: export into a new or empty folder", dir)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
		fmt.Fprintf(env.Stderr, "warning: %s can be read by others; the export holds every tip in plain text (chmod 700 %s)\n", dir, dir)
	}
	return nil
}

func runTipsExport(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips export", "--identity FILE --out DIR [--db FILE]", `Disaster recovery: decrypt every tip, its conversation and its attachments
with the private key in FILE (the recovery key opens them all) into the new
or empty folder DIR:

  DIR/ID/tip.json                 the tip's fields, status and hours
  DIR/ID/messages.json            the conversation, oldest first
  DIR/ID/attachments/N-NAME       the attachments, numbered from 1

Folders are made 0700 and files 0600. Nothing secret is printed; DIR holds
plain text, so keep it on an encrypted disk and delete it when done.
Anything the identity cannot open is named on standard error, and the
command then exits 1 after exporting the rest.`)
	db := registerDB(fs, env)
	identity := fs.String("identity", env.getenv("HAVEN_IDENTITY"), "age identity file with the recovery or an operator's private key (env HAVEN_IDENTITY)")
	out := fs.String("out", "", "the folder to write, new or empty")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *identity == "" {
		return fmt.Errorf("--identity FILE is required: %w", errUsage)
	}
	if *out == "" {
		return fmt.Errorf("--out DIR is required: %w", errUsage)
	}
	ids, err := loadIdentities(env, *identity)
	if err != nil {
		return err
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := prepareOut(env, *out); err != nil {
		return err
	}
	x := &exporter{st: st, ids: ids, out: *out, stderr: env.Stderr}
	err = eachTip(ctx, st, "", func(t store.Tip) error { return x.tip(ctx, t) })
	if err != nil {
		return fmt.Errorf("after exporting %d tip(s) to %s: %w", x.tips, *out, err)
	}
	fmt.Fprintf(env.Stdout, "exported %d tip(s), %d message(s), %d attachment(s) to %s\n", x.tips, x.msgs, x.atts, *out)
	if x.problems > 0 {
		fmt.Fprintf(env.Stderr, "%d item(s) could not be opened with this identity (see above)\n", x.problems)
		return errSilent
	}
	return nil
}

// exporter writes opened tips into the folder out, counting what it wrote
// and naming on stderr what its identities cannot open.
type exporter struct {
	st     store.DB
	ids    []age.Identity
	out    string
	stderr io.Writer

	tips, msgs, atts, problems int
}

func (x *exporter) problem(format string, args ...any) {
	x.problems++
	fmt.Fprintf(x.stderr, format+"\n", args...)
}

// tip exports one tip into out/ID: tip.json, messages.json and its
// attachments. A tip it cannot open is named and skipped.
func (x *exporter) tip(ctx context.Context, t store.Tip) error {
	doc, err := intake.OpenTip(t, x.ids...)
	if err != nil {
		x.problem("tip %d: %v; not exported", t.ID, openErr("it", err))
		return nil
	}
	dir := filepath.Join(x.out, strconv.FormatInt(t.ID, 10))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, "tip.json"), exportedTip{
		ID: t.ID, Status: t.Status, Assignee: t.Assignee, Created: t.Created, Updated: t.Updated, Sealed: doc,
	}); err != nil {
		return err
	}
	x.tips++
	if err := x.messages(ctx, t, dir); err != nil {
		return err
	}
	return x.attachments(ctx, t, doc, dir)
}

// messages writes the tip's conversation, each message opened or, when it
// cannot be, listed with the reason.
func (x *exporter) messages(ctx context.Context, t store.Tip, dir string) error {
	msgs, err := x.st.TipMessages(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("tip %d: %w", t.ID, err)
	}
	list := make([]exportedMessage, 0, len(msgs))
	for _, m := range msgs {
		opened, err := intake.OpenMessages([]store.TipMessage{m}, x.ids...)
		if err != nil {
			e := openErr(fmt.Sprintf("message %d", m.ID), err)
			x.problem("tip %d: %v", t.ID, e)
			list = append(list, exportedMessage{Message: intake.Message{Author: m.Author, Created: m.Created}, Error: e.Error()})
			continue
		}
		list = append(list, exportedMessage{Message: opened[0]})
		x.msgs++
	}
	return writeJSONFile(filepath.Join(dir, "messages.json"), list)
}

// attachments writes the tip's files as attachments/N-NAME, with safe
// names.
func (x *exporter) attachments(ctx context.Context, t store.Tip, doc intake.Sealed, dir string) error {
	atts, err := x.st.Attachments(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("tip %d: %w", t.ID, err)
	}
	if len(atts) == 0 {
		return nil
	}
	adir := filepath.Join(dir, "attachments")
	if err := os.Mkdir(adir, 0o700); err != nil {
		return err
	}
	for i, a := range atts {
		name := "attachment"
		var info *intake.AttachmentInfo
		if i < len(doc.Attachments) {
			info = &doc.Attachments[i]
			name = info.Name
		}
		plain, err := intake.OpenAttachment(a, info, x.ids...)
		if err != nil {
			x.problem("tip %d: %v", t.ID, openErr(fmt.Sprintf("attachment %d", i+1), err))
			continue
		}
		err = writeNew(filepath.Join(adir, fmt.Sprintf("%d-%s", i+1, safeName(name))), plain)
		clear(plain)
		if err != nil {
			return err
		}
		x.atts++
	}
	return nil
}

func runTipsPurge(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips purge", "[--tip-retention 90d] [--yes] [--db FILE] [--tip-secret FILE]", `Delete now every tip not changed within the retention period, with its
messages and attachments, for good. haven serve does this every hour by
itself; this is for a retention shorter than the server's, or a server that
is off.

A retention shorter than the configured one (HAVEN_TIP_RETENTION, or 90
days) deletes tips the organization meant to keep: without --yes the
command only says how many it would delete, and exits 1. Every purge, and
every one of the server's that deleted a tip, is recorded (the hour, the
number of tips and manual or automatic): see haven tips purges.`)
	db := registerDB(fs, env)
	var tf tipFlags
	registerTipFlags(fs, env, &tf, "tip-retention", "tip-secret")
	// Before parsing, tf holds the retention the environment configures
	// (or the default); --tip-retention may then shorten it.
	configured := tf.retention
	yes := fs.Bool("yes", false, "delete even with a --tip-retention shorter than the configured retention")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if tf.envErr != nil {
		return tf.envErr
	}
	if tf.retention < time.Hour {
		return fmt.Errorf("--tip-retention: keep tips at least an hour: %w", errUsage)
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	desk, err := openDesk(st, *db, env, &tf)
	if err != nil {
		return err
	}
	if tf.retention < configured && !*yes {
		n, err := desk.Expired(ctx, tf.retention)
		if err != nil {
			return err
		}
		return fmt.Errorf(`--tip-retention %s is shorter than the configured retention of %s: it would delete %d tip(s) not changed for %s, with their messages and attachments, for good. Nothing was deleted. To delete them, run again with --yes`,
			retentionText(tf.retention), retentionText(configured), n, retentionText(tf.retention))
	}
	n, err := desk.Purge(ctx, tf.retention, store.PurgeManual)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "deleted %d tip(s) not changed for %s\n", n, retentionText(tf.retention))
	return nil
}

func runTipsPurges(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "tips purges", "[--db FILE]", `List the recorded purges of tips, newest first: the hour (UTC) each ran,
whether an operator ran it (manual: haven tips purge) or the server's
retention sweep did (automatic; recorded only when it deleted a tip), and
how many tips it deleted.`)
	db := registerDB(fs, env)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	var all []store.Purge
	for offset := 0; ; {
		page, total, err := st.Purges(ctx, store.MaxLimit, offset)
		if err != nil {
			return err
		}
		all = append(all, page...)
		offset += len(page)
		if len(page) == 0 || offset >= total {
			break
		}
	}
	if len(all) == 0 {
		fmt.Fprintln(env.Stdout, "no purges recorded")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOUR (UTC)\tKIND\tTIPS DELETED")
	deleted := 0
	for _, p := range all {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", hour(p.Hour), p.Kind, p.Tips)
		deleted += p.Tips
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%d purge(s), %d tip(s) deleted\n", len(all), deleted)
	return nil
}

// retentionText writes a retention in days when it is whole days.
func retentionText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// parseTipIDArgs parses the flags of a command that takes one tip ID.
func parseTipIDArgs(fs *flag.FlagSet, args []string) (int64, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return 0, err
	}
	arg, err := oneArg(pos, "ID")
	if err != nil {
		return 0, err
	}
	return parseTipID(arg)
}
