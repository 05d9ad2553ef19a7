// Package api serves Haven's directory as JSON under /api/v1/, described by
// the OpenAPI 3.1 document at /api/openapi.json.
//
// Every record served comes from the store; the API adds only values it
// computes (open_now) and the paging envelope. All errors share one shape,
// {"error":{"code":"...","message":"..."}}, mapped from a few error kinds in
// one table (errors.go).
package api

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/tiphttp"
	"github.com/haven-project/haven/internal/triage"
)

// Config is what the API needs.
type Config struct {
	// Store is where every record comes from. Required.
	Store store.Store
	// Meta is the loaded pack's metadata; its topics are the values the
	// topic filter accepts and the OpenAPI document lists.
	Meta pack.Meta
	// Logger receives internal errors (never request details). Nil discards.
	Logger *slog.Logger
	// Now is the clock open_now is computed against. Nil means time.Now.
	Now func() time.Time
	// Engine answers POST /api/v1/route. Nil when the pack has no routing
	// rules: the endpoint then answers 501.
	Engine *triage.Engine
	// Desk and Guard take tips; nil answers the tip endpoints with 501.
	Desk  *intake.Desk
	Guard *tiphttp.Gate
}

// API is the JSON API. It is safe for concurrent use.
type API struct {
	store   store.Store
	meta    pack.Meta
	log     *slog.Logger
	now     func() time.Time
	engine  *triage.Engine
	desk    *intake.Desk
	guard   *tiphttp.Gate
	openapi []byte // the OpenAPI document with the pack's topics filled in
}

// New returns the API for cfg. It panics if the embedded OpenAPI document is
// malformed, which is a build defect the tests catch.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, meta: cfg.Meta, log: cfg.Logger, now: cfg.Now, engine: cfg.Engine, desk: cfg.Desk, guard: cfg.Guard}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	doc, err := openAPIDocument(cfg.Meta)
	if err != nil {
		panic("api: " + err.Error())
	}
	a.openapi = doc
	return a
}

// endpoint is one route: a method, a path template in ServeMux syntax (which
// is also the OpenAPI path template) and its handler.
type endpoint struct {
	method  string
	path    string
	handler func(a *API, w http.ResponseWriter, r *http.Request) error
	policy  route.Policy
}

// pattern is the ServeMux pattern of the route, "GET /api/v1/services".
func (rt endpoint) pattern() string { return rt.method + " " + rt.path }

// endpoints is the one route table: Register serves it and the tests check it
// against openapi.json.
func endpoints() []endpoint {
	return []endpoint{
		{http.MethodGet, "/api/v1/services", (*API).listServices, route.Policy{}},
		{http.MethodGet, "/api/v1/services/{slug}", (*API).getService, route.Policy{}},
		{http.MethodGet, "/api/v1/organizations", (*API).listOrganizations, route.Policy{}},
		{http.MethodGet, "/api/v1/organizations/{slug}", (*API).getOrganization, route.Policy{}},
		// A plan answers one person's situation: kept in no cache.
		{http.MethodPost, "/api/v1/route", (*API).postRoute, route.Policy{NoStore: true}},
		// The tipsters' routes: never logged or counted, never cached; a
		// tip may carry files.
		{http.MethodGet, tipsPath + "/token", (*API).getTipToken, tipPolicy},
		{http.MethodPost, tipsPath, (*API).postTip, route.Policy{Unlogged: true, NoStore: true, BodyLimit: intake.MaxMultipartBytes}},
		{http.MethodPost, tipsPath + "/status", (*API).postTipStatus, tipPolicy},
		{http.MethodPost, tipsPath + "/messages", (*API).postTipMessage, tipPolicy},
		{http.MethodGet, "/api/openapi.json", (*API).getOpenAPI, route.Policy{}},
	}
}

// tipsPath is the path under which every tip route lives.
const tipsPath = "/api/v1/tips"

// tipPolicy is the policy of the tipsters' routes that take no files.
var tipPolicy = route.Policy{Unlogged: true, NoStore: true}

// TipRoute reports whether a route pattern is one a tipster uses: its
// failures are counted by the tip desk, never logged.
func TipRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return path == tipsPath || strings.HasPrefix(path, tipsPath+"/")
}

// prefix is the path prefix the API owns: every request under it gets a JSON
// answer, a JSON 404 when no endpoint matches.
const prefix = "/api/"

// standardMethods are the standard methods (RFC 9110, RFC 5789) a path can
// be asked with. Each one a path does not serve is registered explicitly,
// answering 405, rather than with a method-less pattern, so that the API's
// patterns never conflict with another Registrar's "GET /" catch-all on the
// same ServeMux. (GET covers HEAD.)
func standardMethods() []string {
	return []string{
		http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodTrace,
	}
}

// Register adds the API's routes to mux, plus JSON answers for the other
// methods on those paths (405) and for unknown paths under /api/ (404).
func (a *API) Register(mux *route.Mux) {
	var paths []string
	served := map[string][]string{}
	policies := map[string]route.Policy{}
	for _, rt := range endpoints() {
		mux.Handle(rt.pattern(), a.handler(rt.handler), rt.policy)
		if _, ok := served[rt.path]; !ok {
			paths = append(paths, rt.path)
		}
		served[rt.path] = append(served[rt.path], rt.method)
		if rt.policy.Unlogged {
			policies[rt.path] = route.Policy{Unlogged: true, NoStore: true}
		}
	}
	for _, path := range paths {
		methods := served[path]
		allow := allowHeader(methods)
		for _, m := range standardMethods() {
			if !slices.Contains(methods, m) {
				// A wrong method on a tipster's path is as unlogged as
				// the right one.
				mux.Handle(m+" "+path, a.handler(methodNotAllowed(allow)), policies[path])
			}
		}
	}
	for _, m := range standardMethods() {
		mux.Handle(m+" "+prefix, a.handler(notFound), route.Policy{})
	}
}

// allowHeader is the Allow header of a path served with methods.
func allowHeader(methods []string) string {
	var out []string
	for _, m := range methods {
		out = append(out, m)
		if m == http.MethodGet {
			out = append(out, http.MethodHead)
		}
	}
	return strings.Join(out, ", ")
}

// handler adapts an error-returning handler: an error becomes the JSON error
// of its kind.
func (a *API) handler(h func(a *API, w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(a, w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// methodNotAllowed answers 405 on a path served with the methods in allow.
func methodNotAllowed(allow string) func(*API, http.ResponseWriter, *http.Request) error {
	return func(_ *API, w http.ResponseWriter, _ *http.Request) error {
		w.Header().Set("Allow", allow)
		return &apiError{kind: kindMethodNotAllowed, msg: "This endpoint answers " + allow + " only."}
	}
}

func notFound(_ *API, _ http.ResponseWriter, _ *http.Request) error {
	return &apiError{kind: kindNotFound, msg: "No such endpoint; see /api/openapi.json."}
}

func (a *API) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	if err := noQuery(r); err != nil {
		return err
	}
	route.WriteJSON(w, http.StatusOK, a.openapi)
	return nil
}
