package cli

import (
	"context"
	"fmt"
	"go/version"
	"log/slog"
	"net"
	"runtime"
	"time"

	"github.com/haven-project/haven/internal/api"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/server"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/tiphttp"
	"github.com/haven-project/haven/internal/triage"
	"github.com/haven-project/haven/internal/web"
)

// minSafeGo is the oldest Go release whose standard library has none of
// the vulnerabilities govulncheck finds on Haven's code paths (see the
// Makefile's GOTOOLCHAIN).
const minSafeGo = "go1.27.3"

// goTooOld reports whether the Go release v (runtime.Version) is older
// than minSafeGo; a development build, whose version is not a release,
// is not.
func goTooOld(v string) bool {
	return version.IsValid(v) && version.Compare(v, minSafeGo) < 0
}

func runServe(ctx context.Context, env Env, args []string) error {
	start := time.Now()
	fs := flagSet(env, "serve", "[flags]", "Run the public web site, the JSON API, /healthz and /readyz (and /metrics on --metrics-addr).\nWith no flags: SQLite at ./haven-data/haven.db, the embedded U.S. pack, 127.0.0.1:8080.")
	var sf storeFlags
	sf.register(fs, env)
	addr := fs.String("addr", envDefault(env, "HAVEN_ADDR", defaultAddr), "listen address (env HAVEN_ADDR)")
	metricsAddr := fs.String("metrics-addr", env.getenv("HAVEN_METRICS_ADDR"), "a second, private listen address that serves only /metrics, e.g. 127.0.0.1:9090; off when empty (env HAVEN_METRICS_ADDR)")
	logFormat := fs.String("log-format", envDefault(env, "HAVEN_LOG_FORMAT", "text"), "log format: text or json (env HAVEN_LOG_FORMAT)")
	logLevel := fs.String("log-level", envDefault(env, "HAVEN_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env HAVEN_LOG_LEVEL)")
	var tf tipFlags
	tf.register(fs, env)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	logger, err := newLogger(env.Stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	if err := tf.check(); err != nil {
		return err
	}
	p, err := loadPack(sf.pack)
	if err != nil {
		return err
	}
	st, changed, err := openStore(ctx, sf.db, p)
	if err != nil {
		return err
	}
	defer st.Close()
	if v := runtime.Version(); goTooOld(v) {
		logger.Warn("built with a Go whose standard library has known vulnerabilities: build with `make run` (or GOTOOLCHAIN="+minSafeGo+")", "go", v, "want", minSafeGo)
	}
	if n := len(p.Warnings); n > 0 {
		logger.Warn("pack texts not translated yet are shown in the pack's language; `haven check` lists them", "pack", p.Meta.ID, "warnings", n)
	}
	logger.Info("directory ready", "pack", p.Meta.ID, "loaded", changed,
		"organizations", len(p.Directory.Organizations), "services", len(p.Directory.Services))

	// The triage engine is built once, from the pack, and shared by /help
	// and the API; without routing rules both say they cannot make a plan.
	var engine *triage.Engine
	if p.Routing != nil {
		if engine, err = newEngine(p); err != nil {
			return err
		}
	} else {
		logger.Warn("the pack has no routing rules: /help and /api/v1/route are off", "pack", p.Meta.ID)
	}
	desk, guard, err := tf.open(st, sf.db, env, logger)
	if err != nil {
		return err
	}
	if !desk.Open(ctx) {
		logger.Warn("tips are off until a recovery key is set: run `haven keys recovery`")
	}
	go desk.RunRetention(ctx, tf.retention, time.Hour)
	go desk.LogFailures(ctx, time.Hour)
	handlers, err := registrars(env, p, st, engine, desk, guard, logger)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Addr: *addr, MetricsAddr: *metricsAddr, Logger: logger, Store: st, Handlers: handlers,
	})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, func(a net.Addr) {
		logger.Info("listening", "url", "http://"+a.String()+"/", "startup", time.Since(start).Round(time.Millisecond).String())
	})
}

// registrars are the route owners of `haven serve`, in order: the public
// pages and the JSON API.
func registrars(env Env, p *pack.Pack, st store.Store, engine *triage.Engine, desk *intake.Desk, guard *tiphttp.Gate, logger *slog.Logger) ([]server.Registrar, error) {
	pages, err := web.New(web.Config{Store: st, Meta: p.Meta, Logger: logger, Now: env.Now, Engine: engine, Texts: p})
	if err != nil {
		return nil, fmt.Errorf("public pages: %w", err)
	}
	pages.SetTips(desk, guard)
	apiHandler := api.New(api.Config{Store: st, Meta: p.Meta, Logger: logger, Now: env.Now, Engine: engine, Desk: desk, Guard: guard})
	return []server.Registrar{pages, apiHandler}, nil
}
