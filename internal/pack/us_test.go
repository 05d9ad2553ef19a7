package pack_test

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/packs"
)

const seedName = "000_24d3d33fc683f7cc.txt"

// The source document's facts, written by hand from the document (not from
// the pack): the test fails when the pack and the document disagree.
type fact struct {
	channel, display, alt, value, scope string
	keywords                            []string
}

type serviceFacts struct {
	org          string
	kind         string
	law, immig   *bool  // nil: the source does not say
	hours        string // directory.Hours kind
	anonymous    *bool
	multilingual bool
	contacts     []fact
}

var yes, no = true, false

var sourceFacts = map[string]serviceFacts{
	"emergency-911": {org: "emergency-services", kind: "emergency", law: &yes, hours: "unknown",
		contacts: []fact{{channel: "call", display: "911", value: "911"}}},
	"nhth": {org: "polaris", kind: "hotline", law: &no, immig: &no, hours: "24/7", multilingual: true, contacts: []fact{
		{channel: "call", display: "1-888-373-7888", value: "+18883737888", scope: "domestic"},
		{channel: "text", display: "233733", value: "233733", scope: "domestic", keywords: []string{"BEFREE", "HELP"}},
	}},
	"dhs-hsi-tip-line": {org: "dhs", kind: "tip_line", law: &yes, immig: &yes, hours: "24/7", contacts: []fact{
		{channel: "call", display: "1-866-DHS-2-ICE", alt: "1-866-347-2423", value: "+18663472423", scope: "domestic"},
		{channel: "call", display: "1-802-872-6199", value: "+18028726199", scope: "international"},
		{channel: "online", display: "www.ice.gov/tips", value: "https://www.ice.gov/tips"},
	}},
	"fbi-tips": {org: "fbi", kind: "online_reporting", law: &yes, hours: "unknown", contacts: []fact{
		{channel: "online", display: "https://tips.fbi.gov/", value: "https://tips.fbi.gov/"},
		{channel: "website", display: "https://www.fbi.gov/contact-us/field-offices/field-offices", value: "https://www.fbi.gov/contact-us/field-offices/field-offices"},
	}},
	"state-dss": {org: "state-department", kind: "tip_line", law: &yes, hours: "unknown", contacts: []fact{
		{channel: "email", display: "TraffickingTips@state.gov", value: "traffickingtips@state.gov"},
	}},
	"dol-whd": {org: "dol", kind: "hotline", hours: "unknown", contacts: []fact{
		{channel: "call", display: "1-866-4USWAGE", alt: "1-866-487-9243", value: "+18664879243"},
	}},
	"dol-oig-hotline": {org: "dol", kind: "hotline", hours: "24/7", anonymous: &yes, contacts: []fact{
		{channel: "call", display: "1-202-693-6999", value: "+12026936999"},
		{channel: "call", display: "1-800-347-3756", value: "+18003473756"},
		{channel: "email", display: "hotline@oig.dol.gov", value: "hotline@oig.dol.gov"},
		{channel: "online", display: "http://www.oig.dol.gov/hotlinemain.htm", value: "http://www.oig.dol.gov/hotlinemain.htm"},
	}},
	"eeoc": {org: "eeoc", kind: "hotline", hours: "weekly", contacts: []fact{
		{channel: "call", display: "1-800-669-4000", value: "+18006694000"},
	}},
	"ncmec-cybertipline": {org: "ncmec", kind: "tip_line", law: &no, immig: &no, hours: "24/7", contacts: []fact{
		{channel: "call", display: "1-800-THE-LOST", alt: "1-800-843-5678", value: "+18008435678"},
		{channel: "online", display: "www.cybertipline.com", value: "https://www.cybertipline.com"},
	}},
	"polaris":              {org: "polaris", kind: "organization", law: &no, immig: &no, hours: "unknown"},
	"ijm":                  {org: "ijm", kind: "organization", hours: "unknown"},
	"exodus-road":          {org: "exodus-road", kind: "organization", hours: "unknown"},
	"free-the-girls":       {org: "free-the-girls", kind: "organization", hours: "unknown"},
	"rapha-international":  {org: "rapha-international", kind: "organization", hours: "unknown"},
	"aim":                  {org: "aim", kind: "organization", hours: "unknown"},
	"meninadanca":          {org: "meninadanca", kind: "organization", hours: "unknown"},
	"end-slavery-now":      {org: "end-slavery-now", kind: "organization", hours: "unknown"},
	"cast":                 {org: "cast", kind: "organization", hours: "unknown"},
	"ecpat":                {org: "ecpat", kind: "organization", hours: "unknown"},
	"global-slavery-index": {org: "global-slavery-index", kind: "resource", hours: "unknown"},
	"tip-report": {org: "state-department", kind: "resource", hours: "unknown", contacts: []fact{
		{channel: "website", display: "state.gov", value: "https://state.gov"},
	}},
	"siddharth-kara": {org: "siddharth-kara", kind: "expert", hours: "unknown"},
}

// Organizations' websites and X handles, as the source writes them.
var orgFacts = map[string]struct{ website, display, handle string }{
	"polaris":              {"https://polarisproject.org", "polarisproject.org", "@Polaris_Project"},
	"ijm":                  {"https://ijm.org", "ijm.org", "@IJM"},
	"exodus-road":          {"https://theexodusroad.com", "theexodusroad.com", "@TheExodusRoad"},
	"free-the-girls":       {"https://freethegirls.org", "freethegirls.org", "@FreeTheGirls"},
	"rapha-international":  {"https://rapha.org", "rapha.org", "@RaphaInt"},
	"aim":                  {"https://aimfree.org", "aimfree.org", "@AIMFree"},
	"meninadanca":          {"https://meninadanca.org", "meninadanca.org", "@MeninaDanca"},
	"end-slavery-now":      {"https://endslaverynow.org", "endslaverynow.org", "@EndSlaveryNow"},
	"cast":                 {"https://castla.org", "castla.org", "@CAST_LA"},
	"ecpat":                {"https://ecpat.org", "ecpat.org", "@ECPAT"},
	"global-slavery-index": {"https://globalslaveryindex.org", "globalslaveryindex.org", ""},
}

func loadUS(t testing.TB) *pack.Pack {
	t.Helper()
	p, err := pack.Load(packs.US())
	if err != nil {
		t.Fatalf("the embedded U.S. pack does not load:\n%v", err)
	}
	return p
}

func TestUSPackServicesMatchSource(t *testing.T) {
	p := loadUS(t)
	var got []string
	for _, s := range p.Directory.Services {
		got = append(got, s.Slug)
	}
	var want []string
	for slug := range sourceFacts {
		want = append(want, slug)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("services:\n got %v\nwant %v (the 22 canonical slugs of DESIGN.md)", got, want)
	}
	for _, s := range p.Directory.Services {
		f := sourceFacts[s.Slug]
		if s.Organization != f.org || s.Kind != f.kind {
			t.Errorf("%s: organization/kind = %s/%s, want %s/%s", s.Slug, s.Organization, s.Kind, f.org, f.kind)
		}
		if !sameBool(s.LawEnforcement, f.law) || !sameBool(s.ImmigrationAuthority, f.immig) {
			t.Errorf("%s: law_enforcement/immigration = %s/%s, want %s/%s", s.Slug, showBool(s.LawEnforcement), showBool(s.ImmigrationAuthority), showBool(f.law), showBool(f.immig))
		}
		if s.Hours.Kind != f.hours {
			t.Errorf("%s: hours %q, want %q", s.Slug, s.Hours.Kind, f.hours)
		}
		if !sameBool(s.AnonymousOK, f.anonymous) {
			t.Errorf("%s: anonymous_ok = %v, want %v", s.Slug, s.AnonymousOK, f.anonymous)
		}
		if s.Multilingual != f.multilingual {
			t.Errorf("%s: multilingual = %v, want %v", s.Slug, s.Multilingual, f.multilingual)
		}
		if len(s.Contacts) != len(f.contacts) {
			t.Errorf("%s: %d contacts, want %d", s.Slug, len(s.Contacts), len(f.contacts))
			continue
		}
		for i, c := range s.Contacts {
			w := f.contacts[i]
			if c.Channel != w.channel || c.Display != w.display || c.DisplayAlt != w.alt || c.Value != w.value || c.Scope != w.scope || !slices.Equal(c.Keywords, w.keywords) {
				t.Errorf("%s contact %d:\n got %+v\nwant %+v", s.Slug, i, c, w)
			}
		}
	}
}

func TestUSPackOrganizationsMatchSource(t *testing.T) {
	p := loadUS(t)
	for _, o := range p.Directory.Organizations {
		f, listed := orgFacts[o.Slug]
		if !listed {
			if o.Website != "" || len(o.Social) > 0 {
				t.Errorf("%s: the source gives it no website or handle, the pack does: %q %v", o.Slug, o.Website, o.Social)
			}
			continue
		}
		if o.Website != f.website || o.WebsiteText != f.display {
			t.Errorf("%s: website %q (%q), want %q (%q)", o.Slug, o.Website, o.WebsiteText, f.website, f.display)
		}
		var handle string
		if len(o.Social) == 1 {
			handle = o.Social[0].Handle
		}
		if len(o.Social) > 1 || handle != f.handle {
			t.Errorf("%s: social %v, want only %q", o.Slug, o.Social, f.handle)
		}
	}
	for slug := range orgFacts {
		if _, ok := p.Directory.Organization(slug); !ok {
			t.Errorf("organization %s is missing", slug)
		}
	}
}

// Every number, e-mail, link and handle written in the source document is in
// the pack exactly once, and the pack has no contact the source lacks.
func TestUSPackHoldsEverySourceContactOnce(t *testing.T) {
	p := loadUS(t)
	src, err := packs.US().(interface {
		ReadFile(string) ([]byte, error)
	}).ReadFile("sources/" + seedName)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string // every display form in the pack
	for _, s := range p.Directory.Services {
		for _, c := range s.Contacts {
			shown = append(shown, c.Display)
			if c.DisplayAlt != "" {
				shown = append(shown, c.DisplayAlt)
			}
			shown = append(shown, c.Keywords...)
		}
	}
	for _, o := range p.Directory.Organizations {
		if o.WebsiteText != "" {
			shown = append(shown, o.WebsiteText)
		}
		for _, s := range o.Social {
			shown = append(shown, s.Handle)
		}
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\b1-\d{3}-[0-9A-Z-]{6,}[0-9A-Z]`),               // phone numbers, vanity included
		regexp.MustCompile(`\b911\b|\b233733\b`),                            // short codes
		regexp.MustCompile(`[A-Za-z0-9.]+@[a-z0-9.]+\.[a-z]+`),              // e-mail addresses
		regexp.MustCompile(`https?://[^\s)]+|www\.[^\s)]+`),                 // links
		regexp.MustCompile(`(?m)(?:^|\s)([a-z]+\.(?:org|com|gov))(?:\s|$)`), // bare domains
		regexp.MustCompile(`X \(Twitter\): (@[A-Za-z0-9_]+)`),               // X handles
		regexp.MustCompile(`“([A-Z]+)”`),                                    // text keywords
	}
	found := map[string]bool{}
	for _, re := range patterns {
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			tok := m[len(m)-1]
			found[strings.TrimRight(tok, ".,")] = true
		}
	}
	if len(found) != 44 { // 11 phone forms, 2 short codes, 2 e-mails, 5 links, 12 domains, 10 handles, 2 keywords
		t.Fatalf("found %d contact tokens in the source, want 44; the patterns are broken: %v", len(found), found)
	}
	for tok := range found {
		n := 0
		for _, s := range shown {
			if s == tok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("source writes %q; the pack shows it %d times, want exactly once", tok, n)
		}
	}
	for _, s := range shown {
		if !found[s] {
			t.Errorf("the pack shows %q, which the source's contacts do not include", s)
		}
	}
}

// The pack carries a byte-identical copy of the shared source document.
func TestUSPackSourceIsTheSharedSeed(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/seed/" + seedName)
	if err != nil {
		t.Skipf("shared seed not beside the repository: %v", err)
	}
	embedded, err := packs.US().(interface {
		ReadFile(string) ([]byte, error)
	}).ReadFile("sources/" + seedName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, embedded) {
		t.Fatal("packs/us/sources differs from ../shared/seed: copy it again and re-check the pack")
	}
}

func TestEEOCHoursAsTheSourceWritesThem(t *testing.T) {
	s, _ := loadUS(t).Directory.Service("eeoc")
	h := s.Hours
	if h.TimeZone != "America/New_York" || len(h.Windows) != 1 || h.Windows[0].Opens != "07:00" || h.Windows[0].Closes != "20:00" || len(h.Windows[0].Days) != 0 {
		t.Fatalf("EEOC hours %+v, want 07:00-20:00 America/New_York with no days named", h)
	}
	if h.Display != "7:00am to 8:00pm (EST)" {
		t.Errorf("EEOC hours display %q", h.Display)
	}
}

func TestEveryRecordCitesTheSource(t *testing.T) {
	p := loadUS(t)
	check := func(what string, s directory.Source) {
		if s.Document != seedName || len(s.Lines) == 0 || s.Verified == "" {
			t.Errorf("%s: source %+v", what, s)
		}
	}
	for _, o := range p.Directory.Organizations {
		check("organization "+o.Slug, o.Source)
	}
	for _, s := range p.Directory.Services {
		check("service "+s.Slug, s.Source)
		for _, c := range s.Contacts {
			check("contact "+c.Display, c.Source)
		}
	}
}

// Routing messages may name numbers, short codes and links, but only ones
// the directory holds: a number typed into a message is checked like any
// other.
func TestRoutingMessagesNameOnlyPackContacts(t *testing.T) {
	p := loadUS(t)
	if p.Routing == nil {
		t.Fatal("the U.S. pack has no routing rules")
	}
	known := map[string]bool{}
	for _, s := range p.Directory.Services {
		for _, c := range s.Contacts {
			known[c.Display] = true
			known[c.DisplayAlt] = true
			for _, k := range c.Keywords {
				known[k] = true
			}
		}
	}
	tokens := regexp.MustCompile(`\b1-\d{3}-[0-9A-Z-]{6,}[0-9A-Z]\b|\b\d{3,6}\b|[A-Za-z0-9.]+@[a-z0-9.]+\.[a-z]+|www\.[^\s,;]+|https?://[^\s,;]+`)
	checked := 0
	for key, msg := range p.Routing.Messages {
		for _, tok := range tokens.FindAllString(msg, -1) {
			tok = strings.TrimRight(tok, ".")
			if tok == "24" || tok == "18" || tok == "400" {
				continue // hours a day, an age, the count of laws: not contacts
			}
			checked++
			if !known[tok] {
				t.Errorf("message %s names %q, which is no contact in the pack", key, tok)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("only %d contact tokens found in the messages; the pattern is broken", checked)
	}
}

// The source's sentences about trafficking and about using the help it
// lists are in the pack, quoted: the definition (line 1), 911 (line 2), the
// Hotline's three jobs (lines 4-6), the first-step advice (line 75) and
// "use the hotline numbers" (line 76).
func TestUSPackLearnCoversTheSourcesProse(t *testing.T) {
	p := loadUS(t)
	lines := map[int]bool{}
	for _, it := range p.Learn {
		for _, n := range it.Source.Lines {
			lines[n] = true
		}
	}
	for _, n := range []int{1, 2, 4, 5, 6, 75, 76} {
		if !lines[n] {
			t.Errorf("no learn item quotes line %d of the source", n)
		}
	}
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showBool(b *bool) string {
	if b == nil {
		return "unknown"
	}
	if *b {
		return "true"
	}
	return "false"
}
