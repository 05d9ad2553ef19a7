package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"filippo.io/age"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
)

// runGroup runs the subcommand args[0] names. "haven GROUP --help" lists
// the subcommands; errors are prefixed with the subcommand's name.
func runGroup(ctx context.Context, env Env, group, about string, subs []command, args []string) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	want := strings.Join(names, ", ")
	if len(args) == 0 {
		return fmt.Errorf("want a subcommand: %s: %w", want, errUsage)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(env.Stdout, "usage: haven %s SUBCOMMAND [flags]\n\n%s\n\nSubcommands:\n", group, about)
		for _, s := range subs {
			fmt.Fprintf(env.Stdout, "  haven %s %s %s\n      %s\n", group, s.name, s.usage, s.summary)
		}
		fmt.Fprintf(env.Stdout, "\nEach subcommand takes --help (haven %s %s --help).\n", group, subs[0].name)
		return flag.ErrHelp
	}
	for _, s := range subs {
		if s.name != args[0] {
			continue
		}
		err := s.run(ctx, env, args[1:])
		if err == nil || errors.Is(err, flag.ErrHelp) || errors.Is(err, errSilent) {
			return err
		}
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return fmt.Errorf("unknown subcommand %q: want %s: %w", args[0], want, errUsage)
}

// registerDB adds the --db flag of storeFlags alone: the key and tip
// commands read no pack.
func registerDB(fs *flag.FlagSet, env Env) *string {
	var sf storeFlags
	sf.registerDB(fs, env)
	return &sf.db
}

// keyFlags are --out and --recipient of the commands that make a key.
type keyFlags struct{ out, recipient string }

func (k *keyFlags) register(fs *flag.FlagSet, recipientUsage string) {
	fs.StringVar(&k.out, "out", "", "write the new private key to this new file (made 0600; never overwrites) instead of standard output")
	fs.StringVar(&k.recipient, "recipient", "", recipientUsage)
}

// publicKey checks that at most one of the flags is given, and returns the
// public key --recipient gives; "" when a key pair is to be made.
func (k *keyFlags) publicKey() (string, error) {
	if k.out != "" && k.recipient != "" {
		return "", fmt.Errorf("--out and --recipient: give one (with --recipient there is no private key to write): %w", errUsage)
	}
	if k.recipient == "" {
		return "", nil
	}
	return parseRecipientFlag(k.recipient)
}

// noArgs refuses positional arguments.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	return nil
}

// oneArg returns the one positional argument, named what.
func oneArg(pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", fmt.Errorf("want exactly one %s, got %d arguments: %w", what, len(pos), errUsage)
	}
	return pos[0], nil
}

const keysAbout = `Manage the keys tips are sealed to: the organization's recovery key and
the operators' keys. Haven stores public keys only.

Every tip, and every message about it, is sealed when it arrives to the
recovery key and to every ACTIVE operator at that moment. An operator added
later cannot read older tips (the recovery key can); an operator disabled
later can still read what was sealed to them before.`

func keysCommands() []command {
	return []command{
		{"recovery", "[--out FILE | --recipient age1...] [--force] [--db FILE]", "make the organization's recovery key, or store one made offline", runKeysRecovery},
		{"show", "[--db FILE]", "print the recovery public key and the operators", runKeysShow},
		{"operator", "add NAME [--out FILE | --recipient age1...] | enable NAME | disable NAME [--db FILE]", "add, enable or disable an operator", runKeysOperator},
	}
}

func runKeys(ctx context.Context, env Env, args []string) error {
	return runGroup(ctx, env, "keys", keysAbout, keysCommands(), args)
}

// writeIdentity writes id in the age identity file format (as age-keygen
// does), which `haven tips show --identity` and age itself read.
func writeIdentity(w io.Writer, what string, id *age.X25519Identity, now time.Time) error {
	_, err := fmt.Fprintf(w, "# %s, created %s\n# public key: %s\n%s\n", what, now.UTC().Format(time.RFC3339), id.Recipient(), id)
	return err
}

// saveIdentity writes id as an identity file (writeIdentity) to the new
// file path, or to standard output when path is "". It returns where the
// key went, for the messages that follow.
func saveIdentity(env Env, path, what string, id *age.X25519Identity, now time.Time) (string, error) {
	if path != "" {
		return path, writeIdentityFile(path, what, id, now)
	}
	if err := privateStdout(env); err != nil {
		return "", err
	}
	return "standard output", writeIdentity(env.Stdout, what, id, now)
}

// writeIdentityFile writes id to a new file at path, readable by its owner
// only whatever the umask. It never overwrites a file (O_EXCL, which also
// refuses a symbolic link there), and removes what it made if writing
// fails.
func writeIdentityFile(path, what string, id *age.X25519Identity, now time.Time) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("--out %s already exists: refusing to overwrite it; name a new file", path)
	}
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	err = writeIdentity(f, what, id, now)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}

// privateStdout makes standard output readable by its owner only when it
// is a regular file others may read: `haven keys recovery > key.txt` has
// the shell create key.txt under the umask, often 0644, before Haven runs.
// Nothing may be written when that fails. A pipe or a terminal is left
// alone.
func privateStdout(env Env) error {
	f, ok := env.Stdout.(*os.File)
	if !ok || runtime.GOOS == "windows" {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("standard output is a file others can read (mode %04o) and cannot be made private: %w; write the key with --out FILE instead", fi.Mode().Perm(), err)
	}
	fmt.Fprintf(env.Stderr, "Standard output is a file others could read (mode %04o): made it readable by you only (0600) before writing the private key to it. --out FILE creates the file 0600 from the start.\n", fi.Mode().Perm())
	return nil
}

// parseRecipientFlag checks an age public key given with --recipient and
// returns it in its canonical form. The value is never repeated in the
// error: it may be a private key pasted by mistake.
func parseRecipientFlag(s string) (string, error) {
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "AGE-SECRET-KEY-") {
		return "", fmt.Errorf("--recipient: that is a PRIVATE key; give its public key (age1..., which age-keygen -y FILE prints), and keep the private key off this server: %w", errUsage)
	}
	r, err := seal.ParseRecipient(s)
	if err != nil {
		return "", fmt.Errorf("--recipient: want an age X25519 public key (age1..., as age-keygen prints it): %w", errUsage)
	}
	return r.String(), nil
}

func runKeysRecovery(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "keys recovery", "[--out FILE | --recipient age1...] [--force] [--db FILE]", `Set the organization's recovery key. Haven stores only its public key; the
private key (AGE-SECRET-KEY-1...) decrypts every tip and message.

Best, the key pair is made offline and never touches the server: make it
with age-keygen on an offline machine and give Haven the public key it
prints:

  age-keygen -o recovery.key                 (offline)
  haven keys recovery --recipient age1...    (on the server)

Or Haven makes the pair and writes the private key ONCE, as an age
identity file, to a new file readable by you only (an existing file is
never overwritten):

  haven keys recovery --out recovery.key

Without --out it goes to standard output (made readable by you only when
that is a file). Keep the private key offline (paper, or an encrypted USB
stick in a safe), not on the server. Haven takes no tips until a recovery
key is set. With it, `+"`haven tips export --identity recovery.key`"+`
recovers every tip.

Replacing the key needs --force: tips that arrived before stay sealed to the
old key, so keep its private key too.

On a new installation this makes the database --db names (as haven serve
does), and says so on standard error.`)
	db := registerDB(fs, env)
	force := fs.Bool("force", false, "replace an existing recovery key")
	var kf keyFlags
	kf.register(fs, "store this age public key (age1...), made offline with age-keygen; nothing private is made or printed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	pub, err := kf.publicKey()
	if err != nil {
		return err
	}
	// The recovery key is the first step of a new installation, so it may
	// make the database; it says so, in case --db named the wrong place.
	missing, err := sqliteMissing(*db)
	if err != nil {
		return err
	}
	if missing {
		fmt.Fprintf(env.Stderr, "No database at %s: creating a new one. To use an existing database, give --db FILE (env HAVEN_DB).\n", absPath(*db))
	}
	st, err := openOrCreateDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	old, err := st.RecoveryRecipient(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		old = ""
	case err != nil:
		return err
	case !*force:
		return fmt.Errorf("a recovery key is already set (%s). Replacing it does not reseal older tips: they stay readable only with the old private key (and their operators' keys). To replace it anyway, run again with --force", old)
	}
	now := env.now()
	where := ""
	if pub == "" {
		id, err := seal.GenerateIdentity()
		if err != nil {
			return err
		}
		// Write the private key first: a key stored but never shown
		// would seal tips nobody can recover.
		if where, err = saveIdentity(env, kf.out, "Haven recovery key", id, now); err != nil {
			return fmt.Errorf("write the private key: %w (nothing was stored)", err)
		}
		pub = id.Recipient().String()
	}
	if err := st.SetRecoveryRecipient(ctx, pub, now); err != nil {
		return fmt.Errorf("store the public key: %w%s", err, discardNote(kf.out, where))
	}
	switch {
	case where == "":
		fmt.Fprintf(env.Stdout, "recovery key set: %s\n", pub)
		fmt.Fprintln(env.Stderr, "Haven keeps only this public key; keep its private key offline: it decrypts every tip.")
	default:
		fmt.Fprintf(env.Stderr, `
The private key (AGE-SECRET-KEY-1...) was written to %s
and will not be shown again. Store it offline: it decrypts every tip.
Haven keeps only the public key %s.
`, where, pub)
	}
	if old != "" {
		fmt.Fprintf(env.Stderr, "Replaced the recovery key %s: keep its private key, it alone recovers the tips that arrived before now.\n", old)
	}
	fmt.Fprintln(env.Stderr, "Tips are sealed to it from now on (a running haven serve notices within seconds).")
	return nil
}

// discardNote says what to do with a private key written by a command that
// then failed to store its public key: the file --out made is removed, a
// key printed must be discarded.
func discardNote(out, where string) string {
	switch {
	case where == "":
		return ""
	case out != "":
		if err := os.Remove(out); err == nil {
			return fmt.Sprintf(" (the private key is NOT in use; %s was removed)", out)
		}
		return fmt.Sprintf(" (the private key in %s is NOT in use; delete it)", out)
	}
	return " (the private key printed is NOT in use; discard it)"
}

func runKeysShow(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "keys show", "[--db FILE]", "Print the recovery public key and every operator: name, public key, whether tips are sealed to them (active), and when they were added.")
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
	rec, err := st.RecoveryRecipient(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		fmt.Fprintln(env.Stdout, "recovery key: none; tips are not accepted until one is set (haven keys recovery)")
	case err != nil:
		return err
	default:
		fmt.Fprintf(env.Stdout, "recovery key: %s\n", rec)
	}
	ops, err := st.Operators(ctx)
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		fmt.Fprintln(env.Stdout, "operators: none (haven keys operator add NAME)")
		return nil
	}
	fmt.Fprintln(env.Stdout, "operators:")
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tPUBLIC KEY\tACTIVE\tADDED (UTC)")
	for _, o := range ops {
		active := "yes"
		if !o.Active {
			active = "no"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", clean(o.Name), o.Recipient, active, o.Created.UTC().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

const operatorNote = `Tips, and messages about them, are sealed when they arrive to every ACTIVE
operator and to the recovery key. A newly added operator cannot read older
tips (the recovery key can); a disabled operator is no longer sealed to but
can still read what was sealed to them before.`

func runKeysOperator(ctx context.Context, env Env, args []string) error {
	subs := []command{
		{"add", "NAME [--recipient age1...] [--db FILE]", "add an active operator, with their public key or a new key pair", runOperatorAdd},
		{"disable", "NAME [--db FILE]", "stop sealing new tips to an operator", func(ctx context.Context, env Env, args []string) error {
			return runOperatorActive(ctx, env, args, false)
		}},
		{"enable", "NAME [--db FILE]", "seal new tips to a disabled operator again", func(ctx context.Context, env Env, args []string) error {
			return runOperatorActive(ctx, env, args, true)
		}},
	}
	return runGroup(ctx, env, "keys operator", "Add, disable or enable the operators who read tips.\n\n"+operatorNote, subs, args)
}

func runOperatorAdd(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "keys operator add", "NAME [--out FILE | --recipient age1...] [--db FILE]", `Add an active operator named NAME. With --recipient, store that age public
key: the operator makes the pair with age-keygen and keeps the private key,
which never touches the server. Without it, make a key pair, store the
public key, and write the private key ONCE as an age identity file for the
operator, to a new file readable by you only (--out; an existing file is
never overwritten) or to standard output (made readable by you only when
that is a file):

  haven keys operator add alice --recipient age1...
  haven keys operator add alice --out alice.key

The database must exist: on a new installation, set the recovery key first
(haven keys recovery, which makes the database) or run haven serve once.

`+operatorNote)
	db := registerDB(fs, env)
	var kf keyFlags
	kf.register(fs, "the operator's age public key (age1...); empty makes a new key pair")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneArg(pos, "NAME")
	if err != nil {
		return err
	}
	if err := store.CheckOperatorName(name); err != nil {
		return fmt.Errorf("NAME: %v: %w", strings.TrimSuffix(err.Error(), ": "+store.ErrInvalid.Error()), errUsage)
	}
	pub, err := kf.publicKey()
	if err != nil {
		return err
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	ops, err := st.Operators(ctx)
	if err != nil {
		return err
	}
	for _, o := range ops {
		if o.Name == name {
			return fmt.Errorf("operator %q already exists (see haven keys show)", name)
		}
	}
	now := env.now()
	where := ""
	if pub == "" {
		id, err := seal.GenerateIdentity()
		if err != nil {
			return err
		}
		if where, err = saveIdentity(env, kf.out, "Haven operator key of "+name, id, now); err != nil {
			return fmt.Errorf("write the private key: %w (nothing was stored)", err)
		}
		pub = id.Recipient().String()
	}
	if _, err := st.AddOperator(ctx, name, pub, now); err != nil {
		return fmt.Errorf("%w%s", err, discardNote(kf.out, where))
	}
	if where == "" {
		fmt.Fprintf(env.Stdout, "added operator %s (%s)\n", clean(name), pub)
	} else {
		fmt.Fprintf(env.Stderr, "\nAdded operator %s. Their private key was written to %s and will not be shown again: give it to them only, over a safe channel. Haven keeps only the public key %s.\n", clean(name), where, pub)
	}
	fmt.Fprintln(env.Stderr, "Tips that arrive from now on are sealed to them; older tips are not (the recovery key reads those).")
	return nil
}

func runOperatorActive(ctx context.Context, env Env, args []string, active bool) error {
	verb, about := "disable", "Stop sealing new tips and messages to the operator NAME. They can still read what was sealed to them before: to cut that off, the private key itself must be destroyed."
	if active {
		verb, about = "enable", "Seal new tips and messages to the operator NAME again. What arrived while they were disabled stays unreadable to them (the recovery key reads it)."
	}
	fs := flagSet(env, "keys operator "+verb, "NAME [--db FILE]", about)
	db := registerDB(fs, env)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneArg(pos, "NAME")
	if err != nil {
		return err
	}
	st, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetOperatorActive(ctx, name, active); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no operator %q (see haven keys show)", name)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "operator %s %sd\n", clean(name), verb)
	if !active {
		ops, err := st.Operators(ctx)
		if err != nil {
			return err
		}
		left := 0
		for _, o := range ops {
			if o.Active {
				left++
			}
		}
		if left == 0 {
			fmt.Fprintln(env.Stderr, "note: no active operator is left: only the recovery key can read tips that arrive now.")
		}
	}
	fmt.Fprintln(env.Stderr, "A running haven serve notices within seconds.")
	return nil
}
