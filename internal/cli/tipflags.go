package cli

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/tiphttp"
)

// maxPowBits bounds --tip-pow-bits. Measured in Chromium with the CPU
// slowed 6x, as on a cheap phone: 16 bits take a median 3.3 s, 20 bits
// 80 s (bench notes in the issue); more would shut such phones out.
const maxPowBits = 20

// tipFlags are the flags of the tip desk, shared by serve and tips.
type tipFlags struct {
	secret     string
	minSeconds int
	powBits    int
	retention  time.Duration
	rate       float64
	rateSource float64
	proxies    []netip.Prefix
	// budgetHour and budgetDay bound the bytes of tips stored per clock
	// hour and per 24 hours, minFree the free bytes the SQLite file's
	// disk keeps; -1 is off (see intake.Budget).
	budgetHour, budgetDay, minFree int64
	// envErr is a bad HAVEN_TIP_* value, reported by check: a retention
	// longer than the organization set, or a proxy ignored, must not pass
	// silently.
	envErr error
}

func (t *tipFlags) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&t.secret, "tip-secret", env.getenv("HAVEN_TIP_SECRET"), "file of the per-installation secret that keys receipt look-ups; created when missing (default: tips.secret beside the SQLite file, or ./haven-data/tips.secret) (env HAVEN_TIP_SECRET)")
	fs.IntVar(&t.minSeconds, "tip-min-seconds", envInt(env, "HAVEN_TIP_MIN_SECONDS", 3), "least seconds between loading the report form and sending it; 0 turns the check off (env HAVEN_TIP_MIN_SECONDS)")
	fs.IntVar(&t.powBits, "tip-pow-bits", envInt(env, "HAVEN_TIP_POW_BITS", 0), "proof-of-work bits the report form's JavaScript solves; 0 asks none (env HAVEN_TIP_POW_BITS)")
	fs.Func("tip-retention", "keep a tip this long after its last change, e.g. 90d or 720h (default 90d) (env HAVEN_TIP_RETENTION)", func(s string) error {
		d, err := parseRetention(s)
		t.retention = d
		return err
	})
	t.retention = intake.DefaultRetention
	if v := env.getenv("HAVEN_TIP_RETENTION"); v != "" {
		d, err := parseRetention(v)
		if err != nil {
			t.envErr = fmt.Errorf("HAVEN_TIP_RETENTION: %v: %w", err, errUsage)
		}
		t.retention = d
	}
	fs.Func("trusted-proxy", "address or CIDR of a reverse proxy in front of Haven, comma-separated; the tip rate limits then go by the address it forwards (env HAVEN_TRUSTED_PROXY)", func(s string) error {
		p, err := parseProxies(s)
		t.proxies = p
		return err
	})
	if v := env.getenv("HAVEN_TRUSTED_PROXY"); v != "" {
		p, err := parseProxies(v)
		if err != nil {
			t.envErr = fmt.Errorf("HAVEN_TRUSTED_PROXY: %v: %w", err, errUsage)
		}
		t.proxies = p
	}
	t.budgetHour, t.budgetDay, t.minFree = intake.DefaultBudgetHour, intake.DefaultBudgetDay, intake.DefaultMinFree
	t.bytesFlag(fs, env, &t.budgetHour, "tip-budget-hour", "HAVEN_TIP_BUDGET_HOUR",
		"most bytes of tips, attachments and messages stored in one clock hour, e.g. 256MiB or 1GB; off turns the budget off (default 256MiB)")
	t.bytesFlag(fs, env, &t.budgetDay, "tip-budget-day", "HAVEN_TIP_BUDGET_DAY",
		"most bytes of tips, attachments and messages stored in the last 24 clock hours (default 1GiB)")
	t.bytesFlag(fs, env, &t.minFree, "tip-min-free", "HAVEN_TIP_MIN_FREE",
		"refuse tips that would leave less free space than this on the SQLite database's disk; 0 or off turns the floor off, and PostgreSQL has none (default 1GiB)")
	fs.Float64Var(&t.rate, "tip-rate", 0, "tips and messages per second from everyone together; 0 is the default (50), -1 turns the limit off")
	fs.Float64Var(&t.rateSource, "tip-rate-source", 0, "tips and messages per minute from one address; 0 is the default (6), -1 turns the limit off")
}

// bytesFlag registers a size flag read by parseBytes, and reads its
// environment variable the way the other HAVEN_TIP_* ones are read.
func (t *tipFlags) bytesFlag(fs *flag.FlagSet, env Env, p *int64, name, key, usage string) {
	fs.Func(name, usage+" (env "+key+")", func(s string) error {
		n, err := parseBytes(s)
		*p = n
		return err
	})
	if v := env.getenv(key); v != "" {
		n, err := parseBytes(v)
		if err != nil {
			t.envErr = fmt.Errorf("%s: %v: %w", key, err, errUsage)
		}
		*p = n
	}
}

// byteUnits are the units parseBytes knows, in lower case: SI (kB = 1000)
// and binary (KiB = 1024); a bare K, M, G or T is binary, as most servers
// read it.
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseBytes reads a size: "268435456", "256MiB", "1 GB", "512M", or "off"
// (-1).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return -1, nil
	}
	digits := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit, ok := byteUnits[strings.ToLower(strings.TrimSpace(s[len(digits):]))]
	n, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || n < 0 || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%q: want a size in bytes, like 268435456, 256MiB or 1GB, or off", s)
	}
	return n * unit, nil
}

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// minTipBudget is the least storage budget: the largest tip (MaxFiles
// files of MaxFileBytes, padded, and the text) must fit in it.
const minTipBudget = 64 << 20

// parseProxies reads "10.0.0.1,192.168.0.0/16".
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q: want an address or CIDR like 10.0.0.1 or 10.0.0.0/8", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// parseRetention reads "90d" or a Go duration ("720h").
func parseRetention(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q: want days like 90d, or a duration like 720h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want days like 90d, or a duration like 720h", s)
		}
	}
	if d < time.Hour {
		return 0, fmt.Errorf("%q: keep tips at least an hour", s)
	}
	return d, nil
}

func (t *tipFlags) check() error {
	switch {
	case t.envErr != nil:
		return t.envErr
	case t.minSeconds < 0:
		return fmt.Errorf("--tip-min-seconds %d: want 0 or more: %w", t.minSeconds, errUsage)
	case t.powBits < 0 || t.powBits > maxPowBits:
		return fmt.Errorf("--tip-pow-bits %d: want 0 to %d (16 takes a cheap phone about 3 s, 20 over a minute): %w", t.powBits, maxPowBits, errUsage)
	case t.retention < time.Hour:
		return fmt.Errorf("--tip-retention: keep tips at least an hour: %w", errUsage)
	}
	for _, b := range []struct {
		name string
		n    int64
	}{{"tip-budget-hour", t.budgetHour}, {"tip-budget-day", t.budgetDay}} {
		if b.n >= 0 && b.n < minTipBudget {
			return fmt.Errorf("--%s %s: want at least %s, so that the largest tip (%d files of %d MiB) fits, or off: %w",
				b.name, formatBytes(b.n), formatBytes(minTipBudget), intake.MaxFiles, intake.MaxFileBytes>>20, errUsage)
		}
	}
	if t.budgetHour >= 0 && t.budgetDay >= 0 && t.budgetDay < t.budgetHour {
		return fmt.Errorf("--tip-budget-day %s is less than --tip-budget-hour %s: %w", formatBytes(t.budgetDay), formatBytes(t.budgetHour), errUsage)
	}
	return nil
}

// budget is the desk's storage budget. The free-space floor needs a store
// that knows its disk (SQLite's FreeBytes); PostgreSQL keeps its files
// elsewhere, and has the budgets only.
func (t *tipFlags) budget(st any, logger *slog.Logger) intake.Budget {
	b := intake.Budget{Hour: t.budgetHour, Day: t.budgetDay, MinFree: t.minFree}
	if b.MinFree == 0 {
		b.MinFree = -1 // 0 is intake's default; here it says "no floor"
	}
	fb, ok := st.(interface{ FreeBytes() (int64, error) })
	if !ok || b.MinFree < 0 {
		return b
	}
	if _, err := fb.FreeBytes(); errors.Is(err, errors.ErrUnsupported) {
		logger.Warn("--tip-min-free is not checked: this system does not say how much disk space is free")
		return b
	}
	b.Free = fb.FreeBytes
	return b
}

// secretPath is where the installation's tip secret lives.
func (t *tipFlags) secretPath(db string) string {
	if t.secret != "" {
		return t.secret
	}
	if isPostgres(db) {
		return filepath.Join("haven-data", "tips.secret")
	}
	return filepath.Join(filepath.Dir(db), "tips.secret")
}

// open returns the tip desk over st and the gate its HTTP handlers use.
func (t *tipFlags) open(st store.DB, db string, env Env, logger *slog.Logger) (*intake.Desk, *tiphttp.Gate, error) {
	secret, err := seal.LoadOrCreateSecret(t.secretPath(db))
	if err != nil {
		return nil, nil, fmt.Errorf("tip secret: %w", err)
	}
	desk, err := intake.New(intake.Config{Store: st, Secret: secret, Now: env.Now, Logger: logger, Budget: t.budget(st, logger), Retention: t.retention})
	if err != nil {
		return nil, nil, err
	}
	guard, err := intake.NewGuard(intake.GuardConfig{
		Secret: secret, Store: st, MinAge: time.Duration(t.minSeconds) * time.Second, PowBits: t.powBits,
		GlobalPerSecond: t.rate, SourcePerMinute: t.rateSource, Now: env.Now,
	})
	if err != nil {
		return nil, nil, err
	}
	return desk, tiphttp.NewGate(guard, tiphttp.Config{TrustedProxies: t.proxies}), nil
}
