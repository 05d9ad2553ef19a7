package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/haven-project/haven/internal/api"
	"github.com/haven-project/haven/internal/server"
	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
	"github.com/haven-project/haven/internal/web"
)

// fullServer is what haven serve runs: the pages and the API, sharing one
// triage engine, behind the server's middleware, at a fixed time.
func fullServer(tb testing.TB, now time.Time, logs io.Writer) http.Handler {
	tb.Helper()
	db, p := testenv.USStore(tb)
	engine, err := newEngine(p)
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := func() time.Time { return now }
	pages, err := web.New(web.Config{Store: db, Meta: p.Meta, Logger: logger, Now: clock, Engine: engine})
	if err != nil {
		tb.Fatal(err)
	}
	a := api.New(api.Config{Store: db, Meta: p.Meta, Logger: logger, Now: clock, Engine: engine})
	srv, err := server.New(server.Config{Logger: logger, Store: db, Handlers: []server.Registrar{pages, a}})
	if err != nil {
		tb.Fatal(err)
	}
	return srv.Handler()
}

// situationFields is a situation as its JSON fields, "at" left out.
func situationFields(tb testing.TB, s triage.Situation) map[string]any {
	tb.Helper()
	s.At = nil
	raw, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// Each front end's way of saying a situation.
func routeArgs(tb testing.TB, s triage.Situation, at time.Time) []string {
	args := []string{"route", "--json", "--at", at.Format(time.RFC3339)}
	for k, v := range situationFields(tb, s) {
		flag := "--" + strings.ReplaceAll(k, "_", "-")
		if b, ok := v.(bool); ok && b {
			args = append(args, flag)
		} else if str, ok := v.(string); ok {
			args = append(args, flag, str)
		}
	}
	return args
}

func helpQuery(tb testing.TB, s triage.Situation) string {
	q := url.Values{}
	for k, v := range situationFields(tb, s) {
		if b, ok := v.(bool); ok && b {
			q.Set(k, "yes")
		} else if str, ok := v.(string); ok {
			q.Set(k, str)
		}
	}
	return q.Encode()
}

// samePlan is what must agree: the assessment and the ordered steps.
type samePlan struct {
	Assessment string
	Steps      []string // "service channel contact"
}

func fromPlan(p triage.Plan) samePlan {
	out := samePlan{Assessment: p.Assessment}
	for _, s := range p.Steps {
		out.Steps = append(out.Steps, s.Service+" "+s.Channel+" "+s.Contact)
	}
	return out
}

// fromPlanPage reads a /help/plan page: data-assessment, then each step's
// data attributes, checked against its tap target.
func fromPlanPage(tb testing.TB, body []byte) samePlan {
	tb.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	var out samePlan
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			if v, ok := a["data-assessment"]; ok {
				out.Assessment = v
			}
			if strings.Contains(" "+a["class"]+" ", " plan-step ") {
				step := a["data-service"] + " " + a["data-channel"] + " " + a["data-contact"]
				out.Steps = append(out.Steps, step)
				if href := firstButton(n); !strings.Contains(strings.ToLower(href), strings.ToLower(a["data-contact"])) {
					tb.Errorf("step %s: its button opens %q", step, href)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	return out
}

func firstButton(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "a" {
		for _, a := range n.Attr {
			if a.Key == "class" && strings.Contains(a.Val, "btn") {
				for _, h := range n.Attr {
					if h.Key == "href" {
						return h.Val
					}
				}
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if h := firstButton(c); h != "" {
			return h
		}
	}
	return ""
}

func serveBody(tb testing.TB, h http.Handler, r *http.Request) (*http.Response, []byte) {
	tb.Helper()
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatal(err)
		}
	}
	return res, body
}

func planSituations() []triage.Situation {
	return []triage.Situation{
		{},
		{Danger: true},
		{Role: triage.RoleSelf, Labor: true, FFC: triage.FFCUnsure, Channel: "text"},
		{Role: triage.RoleOther, Minor: true, Sex: true, Danger: true, NoPolice: true},
		{Role: triage.RoleSelf, Labor: true, FFC: triage.FFCNo, Discrimination: true},
		{Role: triage.RoleOther, Sex: true, FFC: triage.FFCNo},
		{Role: triage.RoleLearn},
		{OnlineChildAbuse: true, Channel: "online"},
		{OutsideUS: true, Minor: true, Role: triage.RoleOther, Danger: true},
		{VisaProgram: "H-2A", Anonymous: true, Labor: true, FFC: triage.FFCYes},
		{VisaFraud: true, Diplomat: true, Channel: "email", NoPolice: true},
		{Role: triage.RoleSelf, Sex: true, Labor: true, FFC: triage.FFCYes, Channel: "call", Anonymous: true, Discrimination: true},
	}
}

// TestSamePlanEverywhere: the CLI, the API and the web answer every
// situation with the same assessment and the same steps in the same order.
func TestSamePlanEverywhere(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, time.November, 30, 15, 0, 0, 0, time.UTC), // Monday 10:00 in New York
		time.Date(2026, time.December, 1, 3, 0, 0, 0, time.UTC),   // Monday 22:00: EEOC closed
	} {
		h := fullServer(t, at, io.Discard)
		for _, s := range planSituations() {
			name := helpQuery(t, s)
			t.Run(at.Format("15h")+" "+name, func(t *testing.T) {
				r := run(t, nil, routeArgs(t, s, at)...)
				if r.code != 0 {
					t.Fatalf("route: %+v", r)
				}
				var cliPlan triage.Plan
				if err := json.Unmarshal([]byte(r.stdout), &cliPlan); err != nil {
					t.Fatalf("route --json: %v", err)
				}

				sa := s
				sa.At = &at
				reqBody, _ := json.Marshal(sa)
				req := httptest.NewRequest(http.MethodPost, "/api/v1/route", bytes.NewReader(reqBody))
				req.Header.Set("Content-Type", "application/json")
				res, body := serveBody(t, h, req)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("POST /api/v1/route %s: %d %s", reqBody, res.StatusCode, body)
				}
				if a, c := normalJSON(t, body), normalJSON(t, []byte(r.stdout)); a != c {
					t.Errorf("the API's JSON differs from route --json:\napi %s\ncli %s", a, c)
				}
				var apiPlan triage.Plan
				if err := json.Unmarshal(body, &apiPlan); err != nil {
					t.Fatal(err)
				}

				res, body = serveBody(t, h, httptest.NewRequest(http.MethodGet, "/en/help/plan?"+helpQuery(t, s), nil))
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET /help/plan: %d", res.StatusCode)
				}
				webPlan := fromPlanPage(t, body)

				cli, apiP := fromPlan(cliPlan), fromPlan(apiPlan)
				if len(cli.Steps) == 0 {
					t.Fatal("an empty plan proves nothing")
				}
				if cli.Assessment != apiP.Assessment || !slices.Equal(cli.Steps, apiP.Steps) {
					t.Errorf("cli %+v\napi %+v", cli, apiP)
				}
				if cli.Assessment != webPlan.Assessment || !slices.Equal(cli.Steps, webPlan.Steps) {
					t.Errorf("cli %+v\nweb %+v", cli, webPlan)
				}
			})
		}
	}
}

// normalJSON decodes and re-encodes a JSON document, so that two
// encodings of the same value (indentation, escaping) compare equal.
func normalJSON(tb testing.TB, b []byte) string {
	tb.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("not JSON: %v\n%s", err, b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

// TestAnswersAreNotLogged: the access log of the whole server records the
// route patterns of /help and /api/v1/route, never the answers.
func TestAnswersAreNotLogged(t *testing.T) {
	var logs syncBuffer
	h := fullServer(t, time.Date(2026, time.November, 30, 15, 0, 0, 0, time.UTC), &logs)
	answers := "danger=yes&role=other&minor=yes&sex=yes&ffc=unsure&visa_program=H-2A&channel=text&no_police=yes"
	for _, target := range []string{"/en/help?step=3&" + answers, "/en/help/plan?" + answers, "/en/help?danger=maybe"} {
		serveBody(t, h, httptest.NewRequest(http.MethodGet, target, nil))
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/route", strings.NewReader(`{"danger":true,"role":"other","minor":true,"visa_program":"H-2A","lang":"zz-secret"}`))
	req.Header.Set("Content-Type", "application/json")
	serveBody(t, h, req)
	got := logs.String()
	for _, want := range []string{`route="GET /en/help"`, `route="GET /en/help/plan"`, `route="POST /api/v1/route"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the access log does not record %s:\n%s", want, got)
		}
	}
	for _, leak := range []string{"danger", "minor", "unsure", "H-2A", "no_police", "zz-secret", "step=", "maybe", "?"} {
		if strings.Contains(got, leak) {
			t.Errorf("the log holds %q:\n%s", leak, got)
		}
	}
}
