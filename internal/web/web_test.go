package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/store"
)

// The tests parse pages with golang.org/x/net/html, the HTML5 parsing
// algorithm browsers use: encoding/xml rejects ordinary HTML (void
// elements such as <meta> and <link>, unquoted attributes, entities it does
// not know), so it would test the parser rather than the page.

// publicPages lists every page a visitor can reach, from the pack.
func publicPages(f *fixture) []string {
	out := []string{"/", "/en/services", "/en/services?topic=child_sexual_exploitation&law_enforcement=false"}
	for _, s := range f.pack.Directory.Services {
		out = append(out, "/en/services/"+s.Slug)
	}
	for _, o := range f.pack.Directory.Organizations {
		out = append(out, "/en/organizations/"+o.Slug)
	}
	return out
}

func TestHomeEmergencyFirst(t *testing.T) {
	f := newFixture(t, nil)
	doc := f.page(t, "/", http.StatusOK)
	var tels []string
	for _, h := range hrefs(doc) {
		if strings.HasPrefix(h, "tel:") {
			tels = append(tels, h)
		}
	}
	if len(tels) == 0 || tels[0] != "tel:911" {
		t.Fatalf("tel: links on /: %v; want tel:911 first", tels)
	}
	body := text(doc)
	if !strings.Contains(body, "In an emergency, call 911") {
		t.Errorf("home does not say %q", "In an emergency, call 911")
	}
	if i, j := strings.Index(body, "call 911"), strings.Index(body, "National Human Trafficking Hotline"); i < 0 || j < 0 || i > j {
		t.Errorf("the 911 line must come before the Hotline")
	}
}

func TestHomeHotline(t *testing.T) {
	f := newFixture(t, nil)
	doc := f.page(t, "/", http.StatusOK)
	links := hrefs(doc)
	for _, want := range []string{"tel:+18883737888", "sms:233733?body=BEFREE", "/en/services", "/en/services/ncmec-cybertipline", "/en/services/dhs-hsi-tip-line"} {
		if !slices.Contains(links, want) {
			t.Errorf("home has no link %q; links: %v", want, links)
		}
	}
	body := text(doc)
	for _, want := range []string{
		"GET HELP and connect with a service provider in your area",
		"REPORT A TIP with information on potential human trafficking activity",
		"LEARN MORE by requesting training, technical assistance, or resources",
		"The Hotline is not a law enforcement or immigration authority.",
		"CyberTipline",
		"ICE Homeland Security Investigations (HSI) Tip Line",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home does not say %q", want)
		}
	}
	// The number on the button comes from the pack, not from a template.
	nhth, _ := f.pack.Directory.Service("nhth")
	if !strings.Contains(body, "Call "+nhth.ContactsBy(directory.ChannelCall)[0].Display) {
		t.Errorf("home does not show the Hotline's number as the pack writes it")
	}
}

// TestHomeFollowsTheRecord: the "not law enforcement" statement comes from
// the record's fields, so a record that says otherwise changes the page.
func TestHomeFollowsTheRecord(t *testing.T) {
	f := newFixture(t, nil)
	d := f.pack.Directory
	d.Services = append([]directory.Service(nil), d.Services...)
	for i := range d.Services {
		if d.Services[i].Slug == "nhth" {
			yes := true
			d.Services[i].LawEnforcement = &yes
		}
	}
	if _, err := f.db.LoadDirectory(context.Background(), store.PackInfo{ID: "us", Hash: "changed"}, &d); err != nil {
		t.Fatal(err)
	}
	f.pages.mu.Lock()
	f.pages.checked = time.Time{} // skip the once-a-second wait
	f.pages.mu.Unlock()
	body := text(f.page(t, "/", http.StatusOK))
	if strings.Contains(body, "The Hotline is not a law enforcement") {
		t.Errorf("home still says the Hotline is not law enforcement after the data changed")
	}
	if !strings.Contains(body, "This hotline is law enforcement. It is not an immigration authority.") {
		t.Errorf("home does not state the new marking: %s", body)
	}
}

func TestEveryPageLayout(t *testing.T) {
	f := newFixture(t, nil)
	telRE := regexp.MustCompile(`^tel:(911|233733|\+[1-9][0-9]{7,14})$`)
	for _, target := range append(publicPages(f), "/en/services/no-such-service", "/en/services?topic=nope") {
		status := http.StatusOK
		if strings.Contains(target, "no-such") {
			status = http.StatusNotFound
		} else if strings.Contains(target, "nope") {
			status = http.StatusBadRequest
		}
		doc := f.page(t, target, status)
		h := elements(doc, "html")
		if lang, _ := attr(h[0], "lang"); lang != "en" {
			t.Errorf("%s: lang %q", target, lang)
		}
		links := elements(doc, "a")
		if len(links) < 2 {
			t.Fatalf("%s: %d links", target, len(links))
		}
		if href, _ := attr(links[0], "href"); href != "#main" || !hasClass(links[0], "skip") {
			t.Errorf("%s: first link is %q, want the skip link", target, href)
		}
		exit := links[1]
		if href, _ := attr(exit, "href"); href != f.pack.Meta.QuickExitURL {
			t.Errorf("%s: second link goes to %q, want the quick exit %q", target, href, f.pack.Meta.QuickExitURL)
		}
		if rel, _ := attr(exit, "rel"); rel != "noreferrer" {
			t.Errorf("%s: quick exit rel %q", target, rel)
		}
		if text(exit) != "Leave this site" {
			t.Errorf("%s: quick exit says %q", target, text(exit))
		}
		if len(elements(doc, "main")) != 1 || len(elements(doc, "header")) != 1 || len(elements(doc, "footer")) != 1 {
			t.Errorf("%s: want one main, header and footer landmark", target)
		}
		if m := elements(doc, "main"); len(m) == 1 {
			if id, _ := attr(m[0], "id"); id != "main" {
				t.Errorf("%s: main id %q; the skip link targets #main", target, id)
			}
		}
		checkHeadings(t, target, doc)
		for _, href := range hrefs(doc) {
			if strings.HasPrefix(href, "tel:") && !telRE.MatchString(href) {
				t.Errorf("%s: tel link %q is not 911, 233733 or E.164", target, href)
			}
		}
		checkNoOtherHost(t, target, doc)
		for _, n := range elements(doc, "") {
			src, hasSrc := attr(n, "src")
			external := n.Data == "script" && hasSrc && strings.HasPrefix(src, "/assets/") && n.FirstChild == nil
			if _, ok := attr(n, "style"); ok || (n.Data == "script" && !external) || n.Data == "style" {
				t.Errorf("%s: <%s> with inline style or script breaks the CSP", target, n.Data)
			}
		}
	}
}

// checkHeadings: exactly one h1, and no level skipped going down.
func checkHeadings(t *testing.T, target string, doc *html.Node) {
	t.Helper()
	level, h1s := 0, 0
	for _, n := range elements(doc, "") {
		if len(n.Data) != 2 || n.Data[0] != 'h' || n.Data[1] < '1' || n.Data[1] > '6' {
			continue
		}
		l := int(n.Data[1] - '0')
		if l == 1 {
			h1s++
		}
		if l > level+1 {
			t.Errorf("%s: <%s> %q after h%d skips a level", target, n.Data, text(n), level)
		}
		level = l
	}
	if h1s != 1 {
		t.Errorf("%s: %d h1 elements, want 1", target, h1s)
	}
}

// checkNoOtherHost: scripts, styles, images, forms and the like load only
// from this site. Links (<a href>) to other sites are the directory's point.
func checkNoOtherHost(t *testing.T, target string, doc *html.Node) {
	t.Helper()
	for _, n := range elements(doc, "") {
		var attrs []string
		switch n.Data {
		case "script", "img", "iframe", "audio", "video", "source", "track", "embed", "input":
			attrs = []string{"src", "srcset"}
		case "link":
			attrs = []string{"href"}
		case "form":
			attrs = []string{"action"}
		case "object":
			attrs = []string{"data"}
		case "button":
			attrs = []string{"formaction"}
		}
		for _, a := range attrs {
			v, ok := attr(n, a)
			if !ok {
				continue
			}
			u, err := url.Parse(v)
			if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(v, "/") {
				t.Errorf("%s: <%s %s=%q> is not a path on this site", target, n.Data, a, v)
			}
		}
	}
}

func TestEveryServiceListedAndServed(t *testing.T) {
	f := newFixture(t, nil)
	doc := f.page(t, "/en/services", http.StatusOK)
	links := hrefs(doc)
	for _, s := range f.pack.Directory.Services {
		if !slices.Contains(links, "/en/services/"+s.Slug) {
			t.Errorf("/en/services does not list %s", s.Slug)
		}
		f.page(t, "/en/services/"+s.Slug, http.StatusOK)
	}
	for _, o := range f.pack.Directory.Organizations {
		f.page(t, "/en/organizations/"+o.Slug, http.StatusOK)
	}
	if got := text(doc); !strings.Contains(got, "22 services") {
		t.Errorf("/en/services does not count 22 services")
	}
}

// listed returns the service slugs a /services page lists.
func listed(doc *html.Node) []string {
	var out []string
	for _, h := range elements(doc, "h3") {
		for _, a := range elements(h, "a") {
			href, _ := attr(a, "href")
			if slug, ok := strings.CutPrefix(href, "/en/services/"); ok {
				out = append(out, slug)
			}
		}
	}
	return out
}

func TestFilters(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		query    string
		want     []string
		wantNot  []string
		selected string
	}{
		{query: "topic=child_sexual_exploitation", want: []string{"ncmec-cybertipline", "ecpat"}, wantNot: []string{"nhth"}},
		// Only services the source says are not law enforcement: the EEOC,
		// of which it says nothing, is not listed as "not".
		{query: "law_enforcement=false", want: []string{"nhth", "ncmec-cybertipline", "polaris"}, wantNot: []string{"dhs-hsi-tip-line", "fbi-tips", "state-dss", "emergency-911", "eeoc", "dol-oig-hotline"}},
		{query: "kind=hotline", want: []string{"nhth", "dol-whd", "dol-oig-hotline", "eeoc"}, wantNot: []string{"polaris", "emergency-911"}},
		{query: "q=CyberTipline", want: []string{"ncmec-cybertipline"}, wantNot: []string{"nhth"}},
		{query: "topic=&kind=&q=", want: []string{"nhth", "emergency-911", "siddharth-kara"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			doc := f.page(t, "/en/services?"+tt.query, http.StatusOK)
			got := listed(doc)
			for _, s := range tt.want {
				if !slices.Contains(got, s) {
					t.Errorf("want %s listed; got %v", s, got)
				}
			}
			for _, s := range tt.wantNot {
				if slices.Contains(got, s) {
					t.Errorf("%s listed; got %v", s, got)
				}
			}
		})
	}
	// The form keeps what was chosen.
	doc := f.page(t, "/en/services?topic=child_sexual_exploitation&law_enforcement=false", http.StatusOK)
	for _, in := range elements(doc, "input") {
		if name, _ := attr(in, "name"); name == "law_enforcement" {
			if _, ok := attr(in, "checked"); !ok {
				t.Errorf("the not-law-enforcement box is not checked")
			}
		}
	}
	for _, o := range elements(doc, "option") {
		if v, _ := attr(o, "value"); v == "child_sexual_exploitation" {
			if _, ok := attr(o, "selected"); !ok {
				t.Errorf("the chosen topic is not selected")
			}
		}
	}
}

// TestBadParams: a search Haven cannot read is answered 400 with a page
// that speaks of what the person chose or typed, in their language, and
// never names a parameter of the address.
func TestBadParams(t *testing.T) {
	f := newFixture(t, nil)
	cat := f.pages.cat
	cases := []struct{ query, param, key, english string }{
		{"topic=nope", "topic", "error.bad_param.topic", "We do not know that topic."},
		{"kind=police", "kind", "error.bad_param.kind", "We do not know that kind of service."},
		{"law_enforcement=maybe", "law_enforcement", "error.bad_param.law_enforcement", "We could not read your choice about law enforcement."},
		{"q=" + strings.Repeat("a", search.MaxQueryRunes+1), "q", "error.bad_param.q", "That search is too long or has characters we cannot read."},
		{"q=%00", "q", "error.bad_param.q", "That search is too long or has characters we cannot read."},
		{"topic=general&topic=research", "topic", "error.bad_param.text", "We could not read this search."},
	}
	for _, loc := range cat.Locales() {
		for _, tt := range cases {
			target := "/" + loc + "/services?" + tt.query
			doc := f.page(t, target, http.StatusBadRequest)
			main := elements(doc, "main")[0]
			msg, _ := cat.Message(loc, tt.key)
			want := msg.Text()
			var said bool
			for _, p := range elements(main, "p") {
				if text(p) == want {
					said = true
				}
			}
			if !said {
				t.Errorf("%s: the 400 page does not say %q: %s", target, want, text(main))
			}
			if loc == "en" && !strings.Contains(text(main), tt.english) {
				t.Errorf("%s: the 400 page does not say %q: %s", target, tt.english, text(main))
			}
			if got := text(main); namesParam(got, tt.param) {
				t.Errorf("%s: the 400 page names the parameter %q: %s", target, tt.param, got)
			}
			if tt.param == "q" && strings.Contains(text(main), "not one we know") {
				t.Errorf("%s: a free-text box is never %q", target, "not one we know")
			}
		}
	}
}

// namesParam reports whether a page's text quotes a parameter's name, in
// any of the catalogs' quotation marks, or holds a placeholder.
func namesParam(text, param string) bool {
	for _, q := range [][2]string{{"“", "”"}, {"«", "»"}, {"« ", " »"}, {`"`, `"`}, {"„", "“"}} {
		if strings.Contains(text, q[0]+param+q[1]) {
			return true
		}
	}
	return strings.Contains(text, "{{")
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, nil)
	for _, target := range []string{"/en/services/no-such", "/en/organizations/no-such", "/assets/haven.0000000000.css", "/no-such-page", "/en/services/nhth/extra"} {
		doc := f.page(t, target, http.StatusNotFound)
		if got := text(doc); !strings.Contains(got, "Page not found") {
			t.Errorf("%s: not the 404 page: %s", target, got)
		}
		if !slices.Contains(hrefs(doc), "tel:911") {
			t.Errorf("%s: the 404 page does not offer the emergency call", target)
		}
	}
}

func TestServicePage(t *testing.T) {
	f := newFixture(t, nil)
	body := text(f.page(t, "/en/services/ncmec-cybertipline", http.StatusOK))
	for _, want := range []string{
		"Call 1-800-THE-LOST (1-800-843-5678)",
		"Online: www.cybertipline.com",
		"This service is not a law enforcement or immigration authority.",
		"24 hours a day, 7 days a week",
		"Open now",
		"lines 16, 17, 22, 23",
		"November 25, 2026",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("ncmec-cybertipline does not say %q", want)
		}
	}
	doc := f.page(t, "/en/services/dhs-hsi-tip-line", http.StatusOK)
	body = text(doc)
	for _, want := range []string{"This service is law enforcement and an immigration authority.", "International number. From outside the United States", "Call 1-866-DHS-2-ICE (1-866-347-2423)", "Hours for this contact are not stated in our source."} {
		if !strings.Contains(body, want) {
			t.Errorf("dhs-hsi-tip-line does not say %q", want)
		}
	}
	if links := hrefs(doc); !slices.Contains(links, "tel:+18028726199") || !slices.Contains(links, "https://www.ice.gov/tips") {
		t.Errorf("dhs-hsi-tip-line links: %v", links)
	}
	body = text(f.page(t, "/en/services/state-dss", http.StatusOK))
	if !strings.Contains(body, "Hours not stated in our source.") || strings.Contains(body, "Open now") || strings.Contains(body, "Closed now") {
		t.Errorf("state-dss: unknown hours must say so and claim no open state: %s", body)
	}
	doc = f.page(t, "/en/services/state-dss", http.StatusOK)
	if !slices.Contains(hrefs(doc), "mailto:traffickingtips@state.gov") {
		t.Errorf("state-dss has no mailto link")
	}
	body = text(f.page(t, "/en/services/dol-oig-hotline", http.StatusOK))
	if !strings.Contains(body, "You do not have to give your name") {
		t.Errorf("dol-oig-hotline does not say it takes anonymous complaints")
	}
	doc = f.page(t, "/en/services/nhth", http.StatusOK)
	if links := hrefs(doc); !slices.Contains(links, "tel:+18883737888") || !slices.Contains(links, "sms:233733?body=BEFREE") || !slices.Contains(links, "/en/organizations/polaris") {
		t.Errorf("nhth links: %v", links)
	}
	if body := text(doc); !strings.Contains(body, "Keywords you can text: BEFREE, HELP") {
		t.Errorf("nhth does not list its text keywords")
	}
}

func TestOrganizationPage(t *testing.T) {
	f := newFixture(t, nil)
	doc := f.page(t, "/en/organizations/polaris", http.StatusOK)
	links := hrefs(doc)
	for _, want := range []string{"https://polarisproject.org", "https://x.com/Polaris_Project", "/en/services/nhth", "/en/services/polaris"} {
		if !slices.Contains(links, want) {
			t.Errorf("polaris: no link %q in %v", want, links)
		}
	}
	body := text(doc)
	for _, want := range []string{"Website: polarisproject.org", "X (Twitter): @Polaris_Project", "2 services"} {
		if !strings.Contains(body, want) {
			t.Errorf("polaris does not say %q", want)
		}
	}
	body = text(f.page(t, "/en/organizations/ncmec", http.StatusOK))
	for _, want := range []string{"Also called NCMEC", "A nongovernmental organization."} {
		if !strings.Contains(body, want) {
			t.Errorf("ncmec does not say %q", want)
		}
	}
}

// An organization's own work is reached through the website and handle
// the source gives the organization; its service page shows them.
func TestOrganizationServiceShowsItsWebsite(t *testing.T) {
	f := newFixture(t, nil)
	links := hrefs(f.page(t, "/en/services/cast", http.StatusOK))
	for _, want := range []string{"https://castla.org", "https://x.com/CAST_LA"} {
		if !slices.Contains(links, want) {
			t.Errorf("cast: no link %q in %v", want, links)
		}
	}
	if body := text(f.page(t, "/en/services/siddharth-kara", http.StatusOK)); !strings.Contains(body, "Our source gives no way to contact this service.") {
		t.Error("siddharth-kara: the source gives no contact, and the page should say so")
	}
}

func TestOpenNow(t *testing.T) {
	for _, tt := range []struct {
		name string
		now  time.Time
		want string
	}{
		// The source names no days: inside the hours, "open now" is unknown.
		{"tuesday 10:00", at(t, "America/New_York", 2026, time.November, 24, 10, 0), ""},
		{"tuesday 21:00", at(t, "America/New_York", 2026, time.November, 24, 21, 0), "Closed now"},
		{"summer 07:00 EDT", at(t, "America/New_York", 2026, time.July, 7, 7, 0), ""},
		{"summer 06:59 EDT", at(t, "America/New_York", 2026, time.July, 7, 6, 59), "Closed now"},
		{"tuesday 06:59", at(t, "America/New_York", 2026, time.November, 24, 6, 59), "Closed now"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			f := newFixture(t, func() time.Time { return now })
			body := text(f.page(t, "/en/services/eeoc", http.StatusOK))
			if tt.want == "" && (strings.Contains(body, "Open now") || strings.Contains(body, "Closed now")) {
				t.Errorf("eeoc at %s: says open or closed, but the source names no days", now)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("eeoc at %s: want %q", now, tt.want)
			}
			if !strings.Contains(body, "7:00am to 8:00pm (EST)") || !strings.Contains(body, "America/New_York") {
				t.Errorf("eeoc does not show its hours as written, with the time zone")
			}
		})
	}
}

// TestOpenNowMovesWithTheClock: the cached service page follows the clock.
func TestOpenNowMovesWithTheClock(t *testing.T) {
	now := at(t, "America/New_York", 2026, time.November, 24, 10, 0)
	f := newFixture(t, func() time.Time { return now })
	if body := text(f.page(t, "/en/services/eeoc", http.StatusOK)); strings.Contains(body, "Closed now") {
		t.Fatalf("10:00: closed")
	}
	now = now.Add(11 * time.Hour)
	if body := text(f.page(t, "/en/services/eeoc", http.StatusOK)); !strings.Contains(body, "Closed now") {
		t.Fatalf("21:00: not closed")
	}
}

func TestCachingHeaders(t *testing.T) {
	f := newFixture(t, nil)
	res, body := f.get(t, "/", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("/: headers %v", res.Header)
	}
	if vary := strings.Join(res.Header.Values("Vary"), ", "); !strings.Contains(vary, "Accept-Encoding") || !strings.Contains(vary, "Accept-Language") {
		t.Errorf("/: Vary %q", vary)
	}
	res2, body2 := f.get(t, "/")
	if res2.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, body2) {
		t.Errorf("/: the plain and gzip bodies differ")
	}
	res3, _ := f.get(t, "/", "If-None-Match", res2.Header.Get("ETag"))
	if res3.StatusCode != http.StatusNotModified {
		t.Errorf("/ with its ETag: status %d, want 304", res3.StatusCode)
	}
	if res4, _ := f.get(t, "/", "Accept-Encoding", "gzip;q=0, identity"); res4.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got gzip")
	}

	css := f.pages.StylesheetPath()
	if !regexp.MustCompile(`^/assets/haven\.[0-9a-f]{10}\.css$`).MatchString(css) {
		t.Fatalf("stylesheet path %q", css)
	}
	doc := f.page(t, "/", http.StatusOK)
	var linked []string
	for _, l := range elements(doc, "link") {
		h, _ := attr(l, "href")
		linked = append(linked, h)
	}
	if len(linked) != 1 || linked[0] != css {
		t.Errorf("pages link stylesheets %v, want [%s]", linked, css)
	}
	res, cssBody := f.get(t, css, "Accept-Encoding", "gzip, deflate, br")
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		res.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("%s: %d %v", css, res.StatusCode, res.Header)
	}
	if !bytes.Equal(cssBody, stylesheet) {
		t.Errorf("%s: body is not the stylesheet", css)
	}
}

// TestHomeFitsInFirstRoundTrip: the home page and its stylesheet, gzipped,
// fit in the first 14 KB a new connection sends (TCP's initial window).
func TestHomeFitsInFirstRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	res, body := f.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	_, css := f.get(t, f.pages.StylesheetPath())
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	htmlGz := buf.Len()
	buf.Reset()
	zw, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(css)
	zw.Close()
	total := htmlGz + buf.Len()
	t.Logf("home: %d bytes gzip, stylesheet %d bytes gzip, %d in all", htmlGz, buf.Len(), total)
	if total > 14336 {
		t.Errorf("home + stylesheet gzipped: %d bytes, want at most 14336", total)
	}
}

func TestPageSizes(t *testing.T) {
	f := newFixture(t, nil)
	for _, target := range []string{"/", "/en/services", "/en/services?law_enforcement=false", "/en/services/nhth", "/en/services/eeoc", "/en/organizations/polaris", f.pages.StylesheetPath()} {
		res, body := f.get(t, target, "Accept-Encoding", "gzip")
		t.Logf("%-40s %6d bytes, %5s bytes gzip", target, len(body), res.Header.Get("Content-Length"))
	}
}

// TestCanonicalRedirects: a page's address with a slash at the end, or
// with its language tag in other letters, is sent on (301, query kept) to
// the address the page's links use, under that page's policy: a
// tipster's page stays unlogged and uncached. The API's paths and paths
// where no page is are not sent anywhere.
func TestCanonicalRedirects(t *testing.T) {
	f := newTipFixture(t, 0)
	serve := func(method, target string) (*httptest.ResponseRecorder, *route.Info) {
		r := httptest.NewRequest(method, target, nil)
		info := &route.Info{}
		r = r.WithContext(route.WithInfo(r.Context(), info))
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, r)
		return w, info
	}
	tip, plan := route.Policy{Unlogged: true, NoStore: true}, route.Policy{NoStore: true}
	for _, tt := range []struct {
		target, location string
		policy           route.Policy
	}{
		{"/en/services/", "/en/services", route.Policy{}},
		{"/en/services/?topic=general&kind=", "/en/services?topic=general&kind=", route.Policy{}},
		{"/en/services/nhth/", "/en/services/nhth", route.Policy{}},
		{"/EN/", "/en/", route.Policy{}},
		{"/EN", "/en/", route.Policy{}},
		{"/Es/services", "/es/services", route.Policy{}},
		{"/ES/services/?q=l%C3%ADnea", "/es/services?q=l%C3%ADnea", route.Policy{}},
		{"/zh-hans/organizations/polaris/", "/zh-Hans/organizations/polaris", route.Policy{}},
		{"/PT-br/safety", "/pt-BR/safety", route.Policy{}},
		{"/en/help/plan/?danger=yes", "/en/help/plan?danger=yes", plan},
		{"/services/", "/en/services", route.Policy{}},
		{"/Ar/report", "/ar/report", tip},
		{"/en/report/", "/en/report", tip},
		{"/KM/report/status/", "/km/report/status", tip},
	} {
		w, info := serve(http.MethodGet, tt.target)
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != tt.location {
			t.Errorf("GET %s: %d, Location %q; want 301 to %q", tt.target, w.Code, w.Header().Get("Location"), tt.location)
			continue
		}
		if info.Unlogged != tt.policy.Unlogged || (w.Header().Get("Cache-Control") == "no-store") != tt.policy.NoStore {
			t.Errorf("GET %s: unlogged %v, Cache-Control %q; want the policy of %s, %+v", tt.target, info.Unlogged, w.Header().Get("Cache-Control"), tt.location, tt.policy)
		}
		// Where it leads is the page, with the quick exit.
		doc := f.page(t, tt.location, http.StatusOK)
		var exit bool
		for _, a := range elements(doc, "a") {
			if h, _ := attr(a, "href"); hasClass(a, "exit") && h == f.pack.Meta.QuickExitURL {
				exit = true
			}
		}
		if !exit {
			t.Errorf("%s: no quick exit", tt.location)
		}
	}
	// ("/en/services/no-such/" is sent on: only the service's page knows
	// that there is none, and answers 404.)
	for _, target := range []string{"/api/v1/services/", "/API/v1/services/", "/en/no-such-page/", "/EN/no-such-page", "/assets/haven.css/", "/Xx/services"} {
		if w, _ := serve(http.MethodGet, target); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, Location %q; want 404", target, w.Code, w.Header().Get("Location"))
		}
	}
	if w, _ := serve(http.MethodPost, "/EN/report"); w.Code == http.StatusMovedPermanently {
		t.Errorf("POST /EN/report was redirected: a form's body is not sent on")
	}
}

// TestContactOwnHours: a contact's hours are its own when its record
// gives them, else its service's. A contact with known hours of its own
// shows them and whether it is open now on its service's page, and the
// cached page follows its state; a contact whose record says its hours
// are unknown (the Hotline's text line: the source gives 24/7 for calls
// only) keeps saying so, as triage and the API do.
func TestContactOwnHours(t *testing.T) {
	now := at(t, "America/New_York", 2026, time.November, 24, 21, 0) // a Tuesday
	f := newFixture(t, func() time.Time { return now })
	d := f.pack.Directory
	d.Services = append([]directory.Service(nil), d.Services...)
	for i := range d.Services {
		s := &d.Services[i]
		s.Contacts = append([]directory.Contact(nil), s.Contacts...)
		switch s.Slug {
		case "eeoc":
			s.Contacts[0].Hours = &directory.Hours{Kind: directory.HoursWeekly, TimeZone: "America/New_York",
				Windows: []directory.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Opens: "22:00", Closes: "23:30"}}}
		case "emergency-911":
			s.Contacts[0].Hours = &directory.Hours{Kind: directory.HoursAlways, Display: "Around the clock"}
		}
	}
	if _, err := f.db.LoadDirectory(context.Background(), store.PackInfo{ID: "us", Hash: "own hours"}, &d); err != nil {
		t.Fatal(err)
	}
	f.pages.mu.Lock()
	f.pages.checked = time.Time{} // skip the once-a-second wait
	f.pages.mu.Unlock()

	// notes returns the text of the notes under the contact linked href,
	// and of the page's hours section.
	notes := func(target, href string) (contact, hours string) {
		t.Helper()
		doc := f.page(t, target, http.StatusOK)
		for _, li := range elements(doc, "li") {
			if a := elements(li, "a"); li.Parent != nil && hasClass(li.Parent, "contacts") && len(a) > 0 {
				if h, _ := attr(a[0], "href"); h == href {
					for _, ul := range elements(li, "ul") {
						contact = text(ul)
					}
				}
			}
		}
		for _, s := range elements(doc, "section") {
			if l, _ := attr(s, "aria-labelledby"); l == "hours-title" {
				hours = text(s)
			}
		}
		return contact, hours
	}
	eeocHours := "Hours for this contact: Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday: 10:00 p.m. to 11:30 p.m.; Time zone: America/New_York"
	contact, hours := notes("/en/services/eeoc", "tel:+18006694000")
	if contact != "Closed now "+eeocHours || !strings.Contains(hours, "Closed now") {
		t.Errorf("eeoc at 21:00: contact says %q, the service %q", contact, hours)
	}
	now = now.Add(2 * time.Hour) // the service still closed, the contact open
	contact, hours = notes("/en/services/eeoc", "tel:+18006694000")
	if contact != "Open now "+eeocHours || !strings.Contains(hours, "Closed now") {
		t.Errorf("eeoc at 23:00: contact says %q, the service %q", contact, hours)
	}
	contact, hours = notes("/en/services/emergency-911", "tel:911")
	if contact != "Open now Hours for this contact: Around the clock" || !strings.Contains(hours, "Hours not stated in our source.") {
		t.Errorf("911: contact says %q, the service %q", contact, hours)
	}
	// The Hotline: calls have the service's 24/7, the text line its own
	// "unknown".
	if contact, _ := notes("/en/services/nhth", "tel:+18883737888"); contact != "" {
		t.Errorf("the Hotline's call line has notes %q; its hours are the service's", contact)
	}
	if contact, _ := notes("/en/services/nhth", "sms:233733?body=BEFREE"); !strings.Contains(contact, "Hours for this contact are not stated in our source.") || strings.Contains(contact, "Open now") {
		t.Errorf("the Hotline's text line: %q", contact)
	}
}

// The home page says, in the 911 block, that a 911 call can bring the
// police (the pack marks 911 as law enforcement), and puts the Hotline's
// police-and-immigration statement before its call buttons, so that both
// are in a phone's first view; in every language.
func TestHomeSaysWhoIsPolice(t *testing.T) {
	f := newFixture(t, nil)
	for _, loc := range f.pages.cat.Locales() {
		doc := f.page(t, "/"+loc+"/", http.StatusOK)
		want := f.pages.msg(f.pages.cat.Localizer(loc), "home.emergency.police", "Number", "911")
		var police bool
		for _, sec := range elements(doc, "section") {
			if hasClass(sec, "emergency") {
				for _, p := range elements(sec, "p") {
					police = police || (hasClass(p, "emergency-police") && text(p) == want)
				}
			}
			if label, _ := attr(sec, "aria-labelledby"); label == "hotline-title" {
				statement, call := -1, -1
				for i, n := range elements(sec, "") {
					if statement < 0 && hasClass(n, "statement") {
						statement = i
					}
					if call < 0 && hasClass(n, "btn-call") {
						call = i
					}
				}
				if statement < 0 || call < 0 || statement > call {
					t.Errorf("%s: the Hotline's statement (%d) does not come before its call button (%d)", loc, statement, call)
				}
			}
		}
		if !police {
			t.Errorf("%s: the 911 block does not say %q", loc, want)
		}
	}
}
