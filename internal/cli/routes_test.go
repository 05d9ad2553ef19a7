package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/server"
)

// TestEveryRouteHasItsPolicy lists every route `haven serve` registers and
// checks its policy against this table, so that a new route cannot go in
// without someone deciding whether it is logged, how large a body it
// takes and whether its answer may be cached. Patterns are listed with
// the language as {lang}; every locale must have the same routes.
func TestEveryRouteHasItsPolicy(t *testing.T) {
	tip := route.Policy{Unlogged: true, NoStore: true}
	upload := route.Policy{Unlogged: true, NoStore: true, BodyLimit: intake.MaxMultipartBytes}
	noStore := route.Policy{NoStore: true}
	want := map[string]route.Policy{
		"GET /healthz": noStore, "GET /readyz": noStore,
		"GET /{lang}/{$}": {}, "GET /{lang}/services": {}, "GET /{lang}/services/{slug}": {},
		"GET /{lang}/organizations/{slug}": {}, "GET /{lang}/help": {}, "GET /{lang}/help/plan": noStore,
		"GET /{lang}/safety": {}, "GET /{lang}/report": tip, "GET /{lang}/report/status": tip,
		"POST /{lang}/report": upload, "POST /{lang}/report/status": tip,
		"GET /services": {}, "GET /services/{slug}": {}, "GET /organizations/{slug}": {}, "GET /help": {},
		"GET /help/plan": noStore, "GET /safety": {}, "GET /report": tip, "GET /report/status": tip,
		"GET /{$}": {}, "GET /{lang}": {}, "GET /assets/{file}": {}, "GET /favicon.ico": {}, "GET /": {},
		"GET /api/v1/services": {}, "GET /api/v1/services/{slug}": {}, "GET /api/v1/organizations": {},
		"GET /api/v1/organizations/{slug}": {}, "POST /api/v1/route": noStore, "GET /api/openapi.json": {},
		"GET /api/v1/tips/token": tip, "POST /api/v1/tips": upload, "POST /api/v1/tips/status": tip,
		"POST /api/v1/tips/messages": tip,
	}
	// Every other method on an API path answers 405 under that path's
	// policy (a tipster's path stays unlogged); other paths under /api/
	// answer a JSON 404.
	for _, path := range []string{"/api/v1/services", "/api/v1/services/{slug}", "/api/v1/organizations",
		"/api/v1/organizations/{slug}", "/api/v1/route", "/api/openapi.json", "/api/"} {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
			if _, ok := want[m+" "+path]; !ok {
				want[m+" "+path] = route.Policy{}
			}
		}
	}
	for _, path := range []string{"/api/v1/tips/token", "/api/v1/tips", "/api/v1/tips/status", "/api/v1/tips/messages"} {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
			if _, ok := want[m+" "+path]; !ok {
				want[m+" "+path] = tip
			}
		}
	}

	ctx := context.Background()
	p, err := loadPack("")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := openStore(ctx, tempDB(t), p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	engine, err := newEngine(p)
	if err != nil {
		t.Fatal(err)
	}
	var tf tipFlags
	tf.secret = t.TempDir() + "/tips.secret"
	desk, guard, err := tf.open(st, tempDB(t), Env{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	handlers, err := registrars(Env{}, p, st, engine, desk, guard, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Handlers: handlers})
	if err != nil {
		t.Fatal(err)
	}

	locales, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	lang := regexp.MustCompile(`^([A-Z]+ /)(` + strings.Join(locales.Locales(), "|") + `)(/.*)?$`)
	seen := map[string]int{}
	for _, r := range srv.Routes() {
		pattern := r.Pattern
		if m := lang.FindStringSubmatch(pattern); m != nil {
			pattern = m[1] + "{lang}" + m[3]
		}
		seen[pattern]++
		w, ok := want[pattern]
		switch {
		case !ok:
			t.Errorf("route %q (%+v) has no policy in this test: decide it here", r.Pattern, r.Policy)
		case w != r.Policy:
			t.Errorf("route %q: policy %+v, want %+v", r.Pattern, r.Policy, w)
		}
	}
	for pattern := range want {
		n := seen[pattern]
		if n == 0 {
			t.Errorf("route %q is not registered", pattern)
		}
		if strings.Contains(pattern, "{lang}/") && n != len(locales.Locales()) {
			t.Errorf("route %q is registered in %d locales, want %d", pattern, n, len(locales.Locales()))
		}
	}
}
