package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/tips"
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
	fs.Float64Var(&t.rate, "tip-rate", 0, "tips and messages per second from everyone together; 0 is the default (50), -1 turns the limit off")
	fs.Float64Var(&t.rateSource, "tip-rate-source", 0, "tips and messages per minute from one address; 0 is the default (6), -1 turns the limit off")
}

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
	return nil
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

// open returns the tip desk and guard over st.
func (t *tipFlags) open(st store.Store, db string, env Env, logger *slog.Logger) (*intake.Desk, *intake.Guard, error) {
	ts, ok := st.(store.TipStore)
	if !ok {
		return nil, nil, fmt.Errorf("this database cannot store tips")
	}
	secret, err := tips.LoadOrCreateSecret(t.secretPath(db))
	if err != nil {
		return nil, nil, fmt.Errorf("tip secret: %w", err)
	}
	desk, err := intake.New(intake.Config{Store: ts, Secret: secret, Now: env.Now, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	guard, err := intake.NewGuard(intake.GuardConfig{
		Secret: secret, Store: ts, MinAge: time.Duration(t.minSeconds) * time.Second, PowBits: t.powBits,
		GlobalPerSecond: t.rate, SourcePerMinute: t.rateSource, TrustedProxies: t.proxies, Now: env.Now,
	})
	if err != nil {
		return nil, nil, err
	}
	return desk, guard, nil
}

// tipBodyLimit lets the tip endpoints take attachments; every other
// request keeps the server's small default limit.
func tipBodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && (r.URL.Path == "/api/v1/tips" || strings.HasSuffix(r.URL.Path, "/report")) {
		return intake.MaxMultipartBytes
	}
	return 0
}

// tipRoute reports whether a route pattern is one a tipster uses: the
// report form, the receipt page and the tip API. Their requests are not
// logged, so no log line's time sits next to a tip's.
func tipRoute(route string) bool {
	return strings.Contains(route, "/report") || strings.Contains(route, "/api/v1/tips")
}
