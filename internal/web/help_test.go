package web

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/route"

	"golang.org/x/net/html"

	"github.com/haven-project/haven/internal/testenv"
	"github.com/haven-project/haven/internal/triage"
)

// helpNow is a Monday, 10:00 in New York.
var helpNow = time.Date(2026, time.November, 30, 15, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// formQuery is what submitting the page's only form sends with the given
// choices ticked: its hidden fields, then each choice by input id.
func formQuery(tb testing.TB, doc *html.Node, tick ...string) (action string, q url.Values) {
	tb.Helper()
	forms := elements(doc, "form")
	if len(forms) != 1 {
		tb.Fatalf("%d forms, want 1", len(forms))
	}
	if m, _ := attr(forms[0], "method"); m != "get" {
		tb.Errorf("form method %q, want get", m)
	}
	action, _ = attr(forms[0], "action")
	q = url.Values{}
	for _, in := range elements(forms[0], "input") {
		typ, _ := attr(in, "type")
		name, _ := attr(in, "name")
		value, _ := attr(in, "value")
		id, _ := attr(in, "id")
		_, checked := attr(in, "checked")
		if typ == "hidden" || checked || slices.Contains(tick, id) {
			if typ == "radio" {
				q.Set(name, value)
			} else {
				q.Add(name, value)
			}
		}
	}
	return action, q
}

// checkHelpPage checks what every help page must have: the common layout,
// fieldsets with legends, a label for each choice, a Skip link, and
// headers that keep nothing.
func checkHelpPage(t *testing.T, f *fixture, target string) *html.Node {
	t.Helper()
	res, body := f.get(t, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", target, cc)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("%s: sets a cookie", target)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	checkHeadings(t, target, doc)
	checkNoOtherHost(t, target, doc)
	links := elements(doc, "a")
	if href, _ := attr(links[1], "href"); href != f.pack.Meta.QuickExitURL || !hasClass(links[1], "exit") {
		t.Errorf("%s: the quick exit is not the second link", target)
	}
	for _, n := range elements(doc, "") {
		src, _ := attr(n, "src")
		if (n.Data == "script" && (!strings.HasPrefix(src, "/assets/exit.") || n.FirstChild != nil)) || n.Data == "style" {
			t.Errorf("%s: <%s>", target, n.Data)
		}
	}
	labels := map[string]bool{}
	for _, l := range elements(doc, "label") {
		id, _ := attr(l, "for")
		labels[id] = text(l) != ""
	}
	for _, fs := range elements(doc, "fieldset") {
		if lg := elements(fs, "legend"); len(lg) != 1 || text(lg[0]) == "" || fs.FirstChild == nil {
			t.Errorf("%s: a fieldset without its legend", target)
		}
	}
	for _, in := range elements(doc, "input") {
		typ, _ := attr(in, "type")
		if typ == "hidden" {
			continue
		}
		id, _ := attr(in, "id")
		if !labels[id] {
			t.Errorf("%s: input %q has no label", target, id)
		}
		if in.Parent == nil || in.Parent.Parent == nil || in.Parent.Parent.Data != "fieldset" {
			t.Errorf("%s: input %q is not in a fieldset", target, id)
		}
	}
	return doc
}

// TestHelpFlow walks /help from the first question to the plan, as a
// browser without JavaScript would, and checks each page.
func TestHelpFlow(t *testing.T) {
	f := newFixture(t, fixedClock(helpNow))
	ticks := [][]string{
		{"a-danger-yes"},
		{"a-role-self"},
		{"a-what-labor", "a-ffc-unsure"},
		{"a-details-discrimination"},
		{"a-prefs-no_police", "a-channel-text"},
	}
	target := "/en/help"
	for i, tick := range ticks {
		doc := checkHelpPage(t, f, target)
		body := text(doc)
		if !strings.Contains(body, "Question "+string(rune('1'+i))+" of 5") {
			t.Errorf("%s: no progress %d of 5", target, i+1)
		}
		var skip string
		for _, a := range elements(doc, "a") {
			if text(a) == "Skip" {
				skip, _ = attr(a, "href")
			}
		}
		if skip == "" {
			t.Fatalf("%s: no Skip link", target)
		}
		// After "yes, someone is in danger", every page starts with 911.
		var tels []string
		for _, h := range hrefs(doc) {
			if strings.HasPrefix(h, "tel:") {
				tels = append(tels, h)
			}
		}
		if (i > 0) != (len(tels) > 0 && tels[0] == "tel:911") {
			t.Errorf("%s: tel links %v; 911 must show after danger=yes only", target, tels)
		}
		action, q := formQuery(t, doc, tick...)
		// Skip goes where the form goes, with the earlier answers only.
		su, _ := url.Parse(skip)
		if su.Path != action {
			t.Errorf("%s: Skip goes to %s, the form to %s", target, su.Path, action)
		}
		for k := range su.Query() {
			if k != "step" && !q.Has(k) {
				t.Errorf("%s: Skip carries %s, which the form does not", target, k)
			}
		}
		target = action + "?" + q.Encode()
	}
	want := triage.Situation{Danger: true, Role: "self", Labor: true, FFC: "unsure", Discrimination: true, NoPolice: true, Channel: "text"}
	u, _ := url.Parse(target)
	if u.Path != "/en/help/plan" {
		t.Fatalf("the last form goes to %s, want /help/plan", u.Path)
	}
	got, _, bad := parseHelp(u.Query(), false)
	if bad != "" || got != want {
		t.Errorf("the flow sent %+v (bad %q), want %+v", got, bad, want)
	}
	doc := checkHelpPage(t, f, target)
	plan, err := f.pages.engine.Plan(want, helpNow)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := planSteps(doc), engineSteps(plan); !slices.Equal(g, w) {
		t.Errorf("plan page steps\n%v\nwant\n%v", g, w)
	}
}

// planSteps reads "service channel contact" of each step of a plan page.
func planSteps(doc *html.Node) []string {
	var out []string
	for _, li := range elements(doc, "li") {
		if !hasClass(li, "plan-step") {
			continue
		}
		s, _ := attr(li, "data-service")
		c, _ := attr(li, "data-channel")
		v, _ := attr(li, "data-contact")
		out = append(out, s+" "+c+" "+v)
	}
	return out
}

func engineSteps(p triage.Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.Service+" "+s.Channel+" "+s.Contact)
	}
	return out
}

// stepItem returns the plan page's step for service and channel.
func stepItem(tb testing.TB, doc *html.Node, service, channel string) *html.Node {
	tb.Helper()
	for _, li := range elements(doc, "li") {
		s, _ := attr(li, "data-service")
		c, _ := attr(li, "data-channel")
		if hasClass(li, "plan-step") && s == service && c == channel {
			return li
		}
	}
	tb.Fatalf("no %s %s step", service, channel)
	return nil
}

func TestPlanPage(t *testing.T) {
	night := time.Date(2026, time.December, 1, 3, 0, 0, 0, time.UTC) // Monday 22:00 in New York
	f := newFixture(t, fixedClock(night))
	target := "/en/help/plan?role=other&sex=yes&ffc=yes&visa_fraud=yes&discrimination=yes&visa_program=H-2B&anonymous=yes"
	doc := checkHelpPage(t, f, target)
	body := text(doc)
	for _, want := range []string{"Your plan", "This fits the definition of human trafficking", "This is guidance, not a legal finding."} {
		if !strings.Contains(body, want) {
			t.Errorf("plan does not say %q", want)
		}
	}
	var assessed []string
	for _, n := range elements(doc, "") {
		if a, ok := attr(n, "data-assessment"); ok {
			assessed = append(assessed, a)
		}
	}
	if len(assessed) != 1 || assessed[0] != triage.AssessTrafficking {
		t.Errorf("data-assessment %v, want [trafficking]", assessed)
	}
	// The first step comes before the explanation: a person sees what to do first.
	if i, j := strings.Index(body, "Call 1-888-373-7888"), strings.Index(body, "Our source defines human trafficking"); i < 0 || j < 0 || i > j {
		t.Errorf("the steps must come before the explanation")
	}
	links := hrefs(doc)
	for _, want := range []string{"tel:+18883737888", "sms:233733?body=BEFREE", "mailto:traffickingtips@state.gov", "https://www.ice.gov/tips", "tel:+12026936999", "/en/services/eeoc"} {
		if !slices.Contains(links, want) {
			t.Errorf("plan has no link %q: %v", want, links)
		}
	}
	if slices.Contains(links, "tel:911") {
		t.Errorf("no danger was said, yet the plan links 911")
	}
	for _, tc := range []struct{ service, channel, marks, open string }{
		{"nhth", "call", "Not law enforcement or immigration", "Open now"},
		{"nhth", "text", "Not law enforcement or immigration", "Hours not stated in our source"},
		{"dhs-hsi-tip-line", "call", "Law enforcement | Immigration authority", "Open now"},
		{"state-dss", "email", "Law enforcement", "Hours not stated in our source"},
		{"eeoc", "call", "Police or immigration: not stated", "Closed now. Hours: 7:00am to 8:00pm (EST)"},
	} {
		li := stepItem(t, doc, tc.service, tc.channel)
		var marks, open string
		for _, n := range elements(li, "") {
			if hasClass(n, "marks") {
				var ms []string
				for _, m := range elements(n, "li") {
					ms = append(ms, text(m))
				}
				marks = strings.Join(ms, " | ")
			}
			if hasClass(n, "open") {
				open = text(n)
			}
		}
		if marks != tc.marks || open != tc.open {
			t.Errorf("%s %s: marks %q, open %q; want %q, %q", tc.service, tc.channel, marks, open, tc.marks, tc.open)
		}
		if rs := elements(li, "li"); len(rs) == 0 || text(rs[len(rs)-1]) == "" {
			t.Errorf("%s %s: no reasons", tc.service, tc.channel)
		}
	}
	// Each step's button opens the step's own contact.
	for _, li := range elements(doc, "li") {
		if !hasClass(li, "plan-step") {
			continue
		}
		contact, _ := attr(li, "data-contact")
		var btn string
		for _, a := range elements(li, "a") {
			if hasClass(a, "btn") {
				btn, _ = attr(a, "href")
			}
		}
		if !strings.Contains(btn, strings.ToLower(contact)) && !strings.Contains(btn, contact) {
			t.Errorf("step %s: button %q", contact, btn)
		}
	}
}

func TestHelpBadParams(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct{ target, param string }{
		{"/en/help?danger=maybe", "danger"},
		{"/en/help?step=9", "step"},
		{"/en/help?step=0", "step"},
		{"/en/help?step=02", "step"},
		{"/en/help?step=two", "step"},
		{"/en/help?step=2&step=3", "step"},
		{"/en/help?role=boss", "role"},
		{"/en/help/plan?ffc=perhaps", "ffc"},
		{"/en/help/plan?visa_program=H-3", "visa_program"},
		{"/en/help/plan?channel=website", "channel"},
		{"/en/help/plan?sex=yes&sex=yes", "sex"},
		{"/en/help/plan?minor=true", "minor"},
	} {
		res, body := f.get(t, tc.target)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q; want 400, no-store", tc.target, res.StatusCode, res.Header.Get("Cache-Control"))
			continue
		}
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		main := text(elements(doc, "main")[0])
		if !strings.Contains(main, "We could not read one of your answers. Please start again.") || !slices.Contains(hrefs(doc), "/en/help") {
			t.Errorf("%s: the 400 page does not say an answer could not be read, or does not offer to start again: %s", tc.target, main)
		}
		if namesParam(main, tc.param) {
			t.Errorf("%s: the 400 page names the parameter %q: %s", tc.target, tc.param, main)
		}
	}
	// Parameters the flow does not use are ignored; "no" and "" mean not said.
	for _, target := range []string{"/en/help?utm_source=x", "/en/help/plan?step=3&danger=no&role=", "/en/help?step=5&channel="} {
		if res, _ := f.get(t, target); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", target, res.StatusCode)
		}
	}
}

// TestHelpAnswersPrefilled: a page shows the answers already given to its
// own questions (as after "Change my answers") and carries the others.
func TestHelpAnswersPrefilled(t *testing.T) {
	f := newFixture(t, nil)
	doc := checkHelpPage(t, f, "/en/help?step=3&role=other&sex=yes&ffc=no&channel=call")
	checked := map[string]bool{}
	hidden := map[string]string{}
	for _, in := range elements(doc, "input") {
		id, _ := attr(in, "id")
		_, c := attr(in, "checked")
		checked[id] = c
		if typ, _ := attr(in, "type"); typ == "hidden" {
			n, _ := attr(in, "name")
			v, _ := attr(in, "value")
			hidden[n] = v
		}
	}
	if !checked["a-what-sex"] || !checked["a-ffc-no"] || checked["a-what-labor"] || checked["a-ffc-yes"] {
		t.Errorf("checked: %v", checked)
	}
	if hidden["role"] != "other" || hidden["channel"] != "call" || hidden["step"] != "4" || hidden["sex"] != "" || hidden["ffc"] != "" {
		t.Errorf("hidden fields %v: want role, channel and step only", hidden)
	}
}

func TestHomeLinksHelp(t *testing.T) {
	f := newFixture(t, nil)
	links := hrefs(f.page(t, "/", http.StatusOK))
	help, nine, hotline := slices.Index(links, "/en/help"), slices.Index(links, "tel:911"), slices.Index(links, "tel:+18883737888")
	if help < 0 || nine < 0 || hotline < 0 || help < nine || help < hotline {
		t.Fatalf("home links %v: want /help after 911 and the Hotline", links)
	}
	if others := slices.Index(links, "/en/services/ncmec-cybertipline"); others >= 0 && others < help {
		t.Errorf("/en/help comes after the other hotlines; want it near the top")
	}
}

// TestHelpWithoutEngine: a pack without routing rules gets no /help: it
// answers 404 and the home page does not link it.
func TestHelpWithoutEngine(t *testing.T) {
	db, p := testenv.USStore(t)
	pages, err := New(Config{Store: db, Meta: p.Meta, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := route.NewMux(route.Config{})
	pages.Register(mux)
	f := &fixture{pack: p, db: db, pages: pages, mux: mux}
	for _, target := range []string{"/en/help", "/en/help/plan?role=self"} {
		f.page(t, target, http.StatusNotFound)
	}
	if slices.Contains(hrefs(f.page(t, "/", http.StatusOK)), "/en/help") {
		t.Errorf("home links /help without routing rules")
	}
}

func TestHelpPageSizes(t *testing.T) {
	f := newFixture(t, fixedClock(helpNow))
	for _, target := range []string{
		"/en/help", "/en/help?step=2&danger=yes", "/en/help?step=3&role=self", "/en/help?step=4&role=self", "/en/help?step=5&role=self",
		"/en/help/plan?role=self&sex=yes&ffc=unsure", "/en/help/plan?role=learn", "/en/help/plan?danger=yes&role=other&minor=yes&sex=yes&online_child_abuse=yes",
	} {
		res, body := f.get(t, target)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", target, res.StatusCode)
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		t.Logf("%-90s %6d bytes, %5d gzip", target, len(body), buf.Len())
		if buf.Len() > 10<<10 {
			t.Errorf("%s: %d bytes gzip; keep help pages small", target, buf.Len())
		}
	}
}

// A person who would rather avoid police and immigration sees those steps
// apart: after every other step, in their own section under a heading
// that says they are the person's choice; without no_police there is no
// such section, and no step of the main list is police or immigration.
func TestPlanSetsPoliceApart(t *testing.T) {
	f := newFixture(t, fixedClock(time.Date(2026, time.December, 1, 15, 0, 0, 0, time.UTC)))
	for _, loc := range []string{"en", "es", "ar"} {
		doc := checkHelpPage(t, f, "/"+loc+"/help/plan?labor=yes&ffc=yes&no_police=yes")
		var main, apart []string
		var heading string
		for _, sec := range elements(doc, "section") {
			label, _ := attr(sec, "aria-labelledby")
			for _, li := range elements(sec, "li") {
				if svc, ok := attr(li, "data-service"); ok {
					switch label {
					case "steps-title":
						main = append(main, svc)
					case "apart-title":
						apart = append(apart, svc)
					}
				}
			}
			if label == "apart-title" {
				for _, h := range elements(sec, "h2") {
					heading = text(h)
				}
			}
		}
		if len(main) == 0 || slices.Contains(main, "dhs-hsi-tip-line") || slices.Contains(main, "fbi-tips") {
			t.Errorf("%s: main steps %v hold police or immigration", loc, main)
		}
		if !slices.Contains(apart, "dhs-hsi-tip-line") || !slices.Contains(apart, "fbi-tips") || slices.Contains(apart, "nhth") {
			t.Errorf("%s: steps set apart %v, want the HSI Tip Line and the FBI only", loc, apart)
		}
		if want := f.pages.msg(f.pages.cat.Localizer(loc), "plan.apart.title"); heading != want || want == "" {
			t.Errorf("%s: heading %q, want %q", loc, heading, want)
		}
	}
	doc := checkHelpPage(t, f, "/en/help/plan?labor=yes&ffc=yes")
	for _, sec := range elements(doc, "section") {
		if label, _ := attr(sec, "aria-labelledby"); label == "apart-title" {
			t.Error("a plan without no_police sets steps apart")
		}
	}
}

// The plan page says that the answers are in its address, in every
// language: it is reached by a GET, so the browser's history keeps them.
func TestPlanSaysAnswersAreInTheAddress(t *testing.T) {
	f := newFixture(t, nil)
	for _, loc := range f.pages.cat.Locales() {
		doc := checkHelpPage(t, f, "/"+loc+"/help/plan?labor=yes")
		want := f.pages.msg(f.pages.cat.Localizer(loc), "plan.address_note")
		found := false
		for _, p := range elements(doc, "p") {
			found = found || (hasClass(p, "address-note") && text(p) == want)
		}
		if !found || want == "" {
			t.Errorf("%s: the plan does not say %q", loc, want)
		}
	}
}
