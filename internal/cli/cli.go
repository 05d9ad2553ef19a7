// Package cli is the haven command: one file per subcommand, each returning
// an error rather than exiting, so tests drive the whole program.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/logsafe"
)

// Env is what the program gets from the outside world.
type Env struct {
	// Stdin is what a command reads from standard input (`haven tips
	// reply --message -`); nil reads nothing.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e Env) stdin() io.Reader {
	if e.Stdin == nil {
		return strings.NewReader("")
	}
	return e.Stdin
}

func (e Env) getenv(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

// command is one command of haven (serve, find, ...) or one subcommand of
// a command with several (keys, tips).
type command struct {
	name    string
	usage   string // arguments after the name
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "run the web site and JSON API", runServe},
		{"find", "[QUERY] [--topic T] [--kind K] [--json]", "search the directory", runFind},
		{"show", "SLUG [--json]", "show one service or organization", runShow},
		{"route", "[flags] [--json]", "from a situation to a plan: whom to contact, how, and why", runRoute},
		{"check", "[--pack DIR]", "check a jurisdiction pack and list every problem", runCheck},
		{"pack", "new DIR", "write a new jurisdiction pack folder to start from", runPack},
		{"export", "--format json", "print every organization and service", runExport},
		{"keys", "recovery|show|operator add|enable|disable NAME [flags]", "manage the recovery key and the operators who read tips", runKeys},
		{"tips", "list|show|reply|status|export|purge|purges [ID] [flags]", "list, read, answer, export and purge tips (operators)", runTips},
		{"version", "", "print the version", runVersion},
		{"help", "[COMMAND]", "list the commands, or explain one", nil},
	}
}

// errUsage marks an error caused by how the command was called (exit 2).
var errUsage = errors.New("usage")

// errSilent marks a failure whose message was already printed (exit 1).
var errSilent = errors.New("failed")

// Main runs the program and returns its exit code: 0 success, 1 failure,
// 2 bad usage.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		usage(env.Stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(rest) > 0 {
			return Main(ctx, []string{rest[0], "--help"}, env)
		}
		usage(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name || c.run == nil {
			continue
		}
		err := c.run(ctx, env, rest)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errSilent):
			return 1
		case errors.Is(err, errUsage):
			fmt.Fprintf(env.Stderr, "haven %s: %v\n", name, strings.TrimSuffix(err.Error(), ": "+errUsage.Error()))
			fmt.Fprintf(env.Stderr, "usage: haven %s %s (see haven %s --help)\n", c.name, c.usage, c.name)
			return 2
		default:
			fmt.Fprintf(env.Stderr, "haven %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "haven: unknown command %q\n", name)
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Haven: the right help for people touched by human trafficking, fast and safely.")
	fmt.Fprintln(w, "\nUsage: haven COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --help. Flags can also be set by environment variables (HAVEN_ADDR, HAVEN_DB, ...).")
}

// flagSet makes a FlagSet whose --help prints to stdout and whose errors are
// returned, not printed twice.
func flagSet(env Env, name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "usage: haven %s %s\n\n%s\n\nFlags:\n", name, args, summary)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags that may come before or after positional arguments
// ("haven find polaris --json"), and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err // the FlagSet has printed its usage
			}
			return nil, fmt.Errorf("%v: %w", err, errUsage)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// envDefault returns the environment variable's value, or def.
func envDefault(env Env, key, def string) string {
	if v := env.getenv(key); v != "" {
		return v
	}
	return def
}

// Common flags.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "haven-data/haven.db"
)

type storeFlags struct {
	db   string
	pack string
}

func (s *storeFlags) register(fs *flag.FlagSet, env Env) {
	s.registerDB(fs, env)
	fs.StringVar(&s.pack, "pack", env.getenv("HAVEN_PACK"), "load this jurisdiction pack folder instead of the embedded U.S. pack (env HAVEN_PACK)")
}

// registerDB adds the --db flag alone; the one place it is defined.
func (s *storeFlags) registerDB(fs *flag.FlagSet, env Env) {
	fs.StringVar(&s.db, "db", envDefault(env, "HAVEN_DB", defaultDB), "SQLite database file, or a postgres:// URL (env HAVEN_DB)")
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error: %w", level, errUsage)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(logsafe.New(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(logsafe.New(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json: %w", format, errUsage)
}

// envInt is the integer in the environment variable key, or def when it is
// unset or not a number (the flag's own parsing then reports a bad value
// given on the command line).
func envInt(env Env, key string, def int) int {
	if v := env.getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}
