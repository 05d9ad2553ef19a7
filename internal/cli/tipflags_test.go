package cli

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/storetest"
)

// A bad HAVEN_TIP_* value stops the command instead of being ignored: an
// ignored retention would keep tips longer than the organization set.
func TestBadTipEnvironment(t *testing.T) {
	for _, kv := range [][2]string{{"HAVEN_TIP_RETENTION", "30days"}, {"HAVEN_TRUSTED_PROXY", "not-an-address"}} {
		r := run(t, map[string]string{kv[0]: kv[1]}, "serve", "--db", t.TempDir()+"/h.db", "--addr", "127.0.0.1:0")
		if r.code != 2 || !strings.Contains(r.stderr, kv[0]) {
			t.Errorf("%s=%s: %+v", kv[0], kv[1], r)
		}
	}
	r := run(t, map[string]string{"HAVEN_TIP_RETENTION": "30days"}, "tips", "purge", "--db", t.TempDir()+"/h.db")
	if r.code != 2 || !strings.Contains(r.stderr, "HAVEN_TIP_RETENTION") {
		t.Errorf("tips purge with a bad HAVEN_TIP_RETENTION: %+v", r)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "268435456": 268435456, "256MiB": 256 << 20, "256mib": 256 << 20, "1 GiB": 1 << 30,
		"1GB": 1e9, "500MB": 500e6, "64k": 64 << 10, "2T": 2 << 40, "10B": 10, "off": -1, "OFF": -1,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "MiB", "1.5GiB", "-1", "-5MiB", "1 2", "5PB", "10000000TiB", "99999999999999999999"} {
		if n, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, n)
		}
	}
}

// Budgets too small for the largest tip, a day below its hour and sizes
// that are not sizes are refused before anything starts, naming the flag
// or variable.
func TestBudgetFlagsRefused(t *testing.T) {
	db := tempDB(t)
	for _, args := range [][]string{
		{"--tip-budget-hour", "1MiB"},
		{"--tip-budget-day", "0"},
		{"--tip-budget-hour", "1GiB", "--tip-budget-day", "512MiB"},
		{"--tip-min-free", "plenty"},
	} {
		r := run(t, nil, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, strings.TrimLeft(args[0], "-")) {
			t.Errorf("serve %v: %+v", args, r)
		}
	}
	for _, kv := range [][2]string{{"HAVEN_TIP_BUDGET_HOUR", "lots"}, {"HAVEN_TIP_BUDGET_DAY", "1.5GiB"}, {"HAVEN_TIP_MIN_FREE", "-1"}} {
		r := run(t, map[string]string{kv[0]: kv[1]}, "serve", "--db", db, "--addr", "127.0.0.1:0")
		if r.code != 2 || !strings.Contains(r.stderr, kv[0]) {
			t.Errorf("%s=%s: %+v", kv[0], kv[1], r)
		}
	}
}

// The flags reach the desk: a floor above the disk's free space refuses
// tips on SQLite; a store that cannot tell its free space (PostgreSQL) has
// no floor, only the budgets.
func TestBudgetFlagsReachTheDesk(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	st, err := openDB(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetRecoveryRecipient(ctx, storetest.RecipientA, time.Now()); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var tf tipFlags
	env := map[string]string{"HAVEN_TIP_BUDGET_DAY": "2GiB"}
	tf.register(fs, Env{Getenv: func(k string) string { return env[k] }})
	if err := fs.Parse([]string{"--tip-min-free", "1000000TiB", "--tip-budget-hour", "off", "--tip-secret", filepath.Join(t.TempDir(), "s")}); err != nil {
		t.Fatal(err)
	}
	if err := tf.check(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	if b := tf.budget(st, logger); b.Hour != -1 || b.Day != 2<<30 || b.MinFree != 1000000<<40 || b.Free == nil {
		t.Fatalf("budget %+v, want no hourly budget, 2 GiB a day and a floor", b)
	}
	desk, _, err := tf.open(st, db, Env{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	var full *intake.FullError
	if _, err := desk.Submit(ctx, intake.Tip{WhatHappened: "x"}); !errors.As(err, &full) || full.Limit != intake.LimitDisk {
		t.Errorf("Submit under the floor: %v, want a FullError for the disk", err)
	}
	// No FreeBytes: no floor.
	if b := tf.budget(struct{ store.TipStore }{st}, logger); b.Free != nil {
		t.Errorf("a store without FreeBytes has a floor: %+v", b)
	}
	tf.minFree = 0
	if b := tf.budget(st, logger); b.Free != nil || b.MinFree >= 0 {
		t.Errorf("--tip-min-free 0 keeps a floor: %+v", b)
	}
}
