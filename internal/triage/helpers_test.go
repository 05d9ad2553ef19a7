package triage_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/triage"
	"github.com/haven-project/haven/packs"
)

// The services the issue names, by slug.
const (
	s911   = "emergency-911"
	sNHTH  = "nhth"
	sDHS   = "dhs-hsi-tip-line"
	sFBI   = "fbi-tips"
	sDSS   = "state-dss"
	sWHD   = "dol-whd"
	sOIG   = "dol-oig-hotline"
	sEEOC  = "eeoc"
	sNCMEC = "ncmec-cybertipline"
)

// Contact values the source document writes.
const (
	v911          = "911"
	vNHTHCall     = "+18883737888"
	vNHTHText     = "233733"
	vDHSDomestic  = "+18663472423"
	vDHSIntl      = "+18028726199"
	vDHSOnline    = "https://www.ice.gov/tips"
	vFBIOnline    = "https://tips.fbi.gov/"
	vDSSEmail     = "traffickingtips@state.gov"
	vWHD          = "+18664879243"
	vOIG1         = "+12026936999"
	vOIG2         = "+18003473756"
	vOIGEmail     = "hotline@oig.dol.gov"
	vOIGOnline    = "http://www.oig.dol.gov/hotlinemain.htm"
	vEEOC         = "+18006694000"
	vNCMECCall    = "+18008435678"
	vNCMECOnline  = "https://www.cybertipline.com"
	eastern       = "America/New_York"
	learnServices = "polaris ijm exodus-road free-the-girls rapha-international aim meninadanca end-slavery-now cast ecpat global-slavery-index tip-report"
)

// usPack is the U.S. pack and an engine on its rules, loaded once.
type usPack struct {
	pack     *pack.Pack
	engine   *triage.Engine
	services map[string]directory.Service
	orgs     map[string]directory.Organization
	// contacts holds every contact of every service (triage.ContactsOf),
	// by service, channel and value.
	contacts map[contactKey]directory.Contact
	openAt   *sync.Map // openKey -> *bool, the hours' answer (OpenAt loads the zone each time)
}

type contactKey struct{ service, channel, value string }

type openKey struct {
	contactKey
	at int64
}

var (
	usOnce sync.Once
	us     usPack
	usErr  error
)

func loadUS(tb testing.TB) usPack {
	tb.Helper()
	usOnce.Do(func() {
		p, err := pack.Load(packs.US())
		if err != nil {
			usErr = err
			return
		}
		if p.Routing == nil {
			usErr = fmt.Errorf("the U.S. pack has no routing rules")
			return
		}
		e, err := triage.New(*p.Routing, &p.Directory)
		if err != nil {
			usErr = err
			return
		}
		us = usPack{pack: p, engine: e, services: map[string]directory.Service{}, orgs: map[string]directory.Organization{},
			contacts: map[contactKey]directory.Contact{}, openAt: &sync.Map{}}
		for _, o := range p.Directory.Organizations {
			us.orgs[o.Slug] = o
		}
		for _, s := range p.Directory.Services {
			us.services[s.Slug] = s
			for _, c := range triage.ContactsOf(s, us.orgs[s.Organization]) {
				us.contacts[contactKey{s.Slug, c.Channel, c.Value}] = c
			}
		}
	})
	if usErr != nil {
		tb.Fatalf("loading the U.S. pack: %v", usErr)
	}
	return us
}

// fixedAt is a Tuesday, 10:00 in New York (2026-01-13 is a Tuesday; EST).
var fixedAt = mustTime("2026-01-13T10:00:00-05:00")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// level is what the pack's source says of a step's ties to police and
// immigration: 0 neither, 1 not stated, 2 law enforcement or immigration.
func level(st triage.Step) int {
	isTrue := func(b *bool) bool { return b != nil && *b }
	isFalse := func(b *bool) bool { return b != nil && !*b }
	switch {
	case isTrue(st.LawEnforcement) || isTrue(st.ImmigrationAuthority):
		return 2
	case isFalse(st.LawEnforcement) && isFalse(st.ImmigrationAuthority):
		return 0
	}
	return 1
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// contactOf returns the service's contact that a step uses.
func (u usPack) contactOf(st triage.Step) (directory.Contact, bool) {
	c, ok := u.contacts[contactKey{st.Service, st.Channel, st.Contact}]
	return c, ok
}

// open is whether the contact answers at t, by its hours or else its
// service's.
func (u usPack) open(svc directory.Service, c directory.Contact, t time.Time) *bool {
	k := openKey{contactKey{svc.Slug, c.Channel, c.Value}, t.UnixNano()}
	if v, ok := u.openAt.Load(k); ok {
		return v.(*bool)
	}
	hours := svc.Hours
	if c.Hours != nil {
		hours = *c.Hours
	}
	v := hours.OpenAt(t)
	u.openAt.Store(k, v)
	return v
}

// invariants returns every way the plan breaks what the issue asks of any
// plan for s, asked at time at. It says nothing about a valid plan.
func (u usPack) invariants(s triage.Situation, at time.Time, p triage.Plan) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }

	if !slices.Contains(triage.Assessments, p.Assessment) {
		fail("assessment %q is not one of %v", p.Assessment, triage.Assessments)
	}
	if strings.TrimSpace(p.Explanation) == "" {
		fail("empty explanation")
	}
	if len(p.Steps) == 0 {
		fail("no steps")
		return bad
	}
	for i, st := range p.Steps {
		svc, ok := u.services[st.Service]
		if !ok {
			fail("step %d: service %q is not in the pack", i, st.Service)
			continue
		}
		c, ok := u.contactOf(st)
		if !ok {
			fail("step %d: %s %s %q is not one of the service's contacts", i, st.Service, st.Channel, st.Contact)
		} else {
			if st.Display != c.Display {
				fail("step %d: %s display %q, the contact's is %q", i, st.Service, st.Display, c.Display)
			}
			if want := u.open(svc, c, at); !sameOpen(want, st.OpenNow) {
				fail("step %d: %s %s open_now %s, its hours give %s", i, st.Service, st.Channel, fmtOpen(st.OpenNow), fmtOpen(want))
			}
		}
		if !sameBool(st.LawEnforcement, svc.LawEnforcement) || !sameBool(st.ImmigrationAuthority, svc.ImmigrationAuthority) {
			fail("step %d: %s law_enforcement/immigration_authority %s/%s, the service's are %s/%s",
				i, st.Service, fmtOpen(st.LawEnforcement), fmtOpen(st.ImmigrationAuthority), fmtOpen(svc.LawEnforcement), fmtOpen(svc.ImmigrationAuthority))
		}
		if st.Name != svc.Name {
			fail("step %d: name %q, the service's is %q", i, st.Name, svc.Name)
		}
		if len(st.Reasons) == 0 {
			fail("step %d: %s has no reason", i, st.Service)
		}
		for _, r := range st.Reasons {
			if strings.TrimSpace(r) == "" {
				fail("step %d: %s has an empty reason", i, st.Service)
			}
		}
		for j := range i {
			o := p.Steps[j]
			if o.Service == st.Service && o.Channel == st.Channel && o.Contact == st.Contact {
				fail("steps %d and %d are both %s %s %s", j, i, st.Service, st.Channel, st.Contact)
			}
			// A service's steps are kept together.
			if o.Service == st.Service && j < i-1 && p.Steps[i-1].Service != st.Service {
				fail("step %d: %s is apart from its earlier step %d", i, st.Service, j)
			}
		}
		if s.OutsideUS && c.Scope == "domestic" {
			fail("step %d: %s %s is a domestic contact, but the person is outside the U.S.", i, st.Service, st.Contact)
		}
	}

	first := p.Steps[0]
	// Immediate danger: 911 is the first step, always; and only then.
	if s.Danger {
		if first.Service != s911 || first.Channel != "call" || first.Contact != v911 {
			fail("danger: first step is %s %s %s, want emergency-911 call 911", first.Service, first.Channel, first.Contact)
		} else if s.NoPolice && !anyContains(first.Reasons, "police") {
			fail("danger with no_police: the 911 step does not say why it comes first: %q", first.Reasons)
		}
	} else if has(p, s911) {
		fail("no danger, but the plan has an emergency-911 step")
	}
	// The Hotline is in every plan for a person in the U.S., and first
	// when there is no emergency.
	if !s.OutsideUS {
		if !has(p, sNHTH) {
			fail("in the U.S. but no nhth step")
		}
		if !s.Danger && first.Service != sNHTH {
			fail("in the U.S., no danger: first step is %s, want nhth", first.Service)
		}
	} else if has(p, sNHTH) {
		fail("outside the U.S., but the plan has the (domestic) Hotline")
	}
	// Outside the U.S.: reports go to the HSI Tip Line's international number.
	if s.OutsideUS && s.Role != triage.RoleLearn && indexOf(p, sDHS, "call", vDHSIntl) < 0 {
		fail("outside the U.S.: no HSI international call step")
	}
	// No police: no law-enforcement or immigration step before one that
	// is neither, and none the source is silent about before one it says
	// is neither; except 911 first when someone is in danger.
	if s.NoPolice {
		start := 0
		if s.Danger {
			start = 1
		}
		for i := start + 1; i < len(p.Steps); i++ {
			if level(p.Steps[i-1]) > level(p.Steps[i]) {
				fail("no_police: %s (level %d) at %d comes before %s (level %d) at %d", p.Steps[i-1].Service, level(p.Steps[i-1]), i-1, p.Steps[i].Service, level(p.Steps[i]), i)
				break
			}
		}
	}
	// Set apart: exactly the police and immigration steps of a person
	// who avoids them, but 911 in danger; and after every other step.
	for i, st := range p.Steps {
		urgent911 := s.Danger && i == 0 && st.Service == s911
		if want := s.NoPolice && level(st) == 2 && !urgent911; st.SetApart != want {
			fail("step %d: %s set_apart %v, want %v (no_police %v, level %d)", i, st.Service, st.SetApart, want, s.NoPolice, level(st))
		}
		if i > 0 && p.Steps[i-1].SetApart && !st.SetApart {
			fail("step %d: %s is not set apart but comes after %s, which is", i, st.Service, p.Steps[i-1].Service)
		}
	}
	// Role learn: no emergency steps unless someone is in danger; the
	// Hotline's "learn more" and the organizations.
	if s.Role == triage.RoleLearn {
		if !s.OutsideUS && !anyContains(reasonsOf(p, sNHTH), "training") {
			fail("role learn: no Hotline 'learn more' reason")
		}
		for _, slug := range strings.Fields(learnServices) {
			if !has(p, slug) {
				fail("role learn: no %s step", slug)
			}
		}
	}
	// The assessment, from the definitions.
	if want := expectedAssessment(s); p.Assessment != want {
		fail("assessment %s, want %s", p.Assessment, want)
	}
	// Children.
	if (s.Minor && s.Sex) || s.OnlineChildAbuse {
		if !has(p, sNCMEC) {
			fail("child sexual exploitation but no CyberTipline step")
		}
	}
	if s.Labor && s.FFC == triage.FFCNo && !s.OutsideUS && !has(p, sWHD) {
		fail("labor without force, fraud or coercion but no Wage and Hour Division step")
	}
	if (s.VisaFraud || s.Diplomat) && indexOf(p, sDSS, "email", vDSSEmail) < 0 {
		fail("visa fraud or diplomat but no DSS email step")
	}
	if s.VisaProgram != "" {
		if !has(p, sOIG) {
			fail("visa program %s but no OIG Hotline step", s.VisaProgram)
		}
		if s.Anonymous && !anyContains(reasonsOf(p, sOIG), "identifying") {
			fail("anonymous: the OIG steps do not say no identifying information is needed")
		}
	}
	if s.Discrimination && !has(p, sEEOC) {
		fail("discrimination but no EEOC step")
	}
	// The channel the person prefers comes first within each service.
	if s.Channel != "" {
		for i := 1; i < len(p.Steps); i++ {
			a, b := p.Steps[i-1], p.Steps[i]
			if a.Service == b.Service && a.Channel != s.Channel && b.Channel == s.Channel {
				fail("channel %s: %s %s comes before %s %s", s.Channel, a.Service, a.Channel, b.Service, b.Channel)
			}
		}
	}
	return bad
}

// expectedAssessment is the reading of the source's definition,
// written independently of the rules.
func expectedAssessment(s triage.Situation) string {
	exploited := s.Sex || s.Labor
	switch {
	case s.Minor && s.Sex:
		return triage.AssessTrafficking
	case s.FFC == triage.FFCYes && exploited:
		return triage.AssessTrafficking
	case s.FFC == triage.FFCUnsure && exploited:
		return triage.AssessPossibleTrafficking
	case s.FFC == triage.FFCNo && s.Labor:
		return triage.AssessLaborExploitation
	case s.FFC == triage.FFCNo && s.Sex:
		return triage.AssessOutsideDefinition
	}
	return triage.AssessNotEnoughInfo
}

func sameOpen(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func fmtOpen(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

func has(p triage.Plan, service string) bool { return indexOf(p, service, "", "") >= 0 }

// indexOf is the index of the first step of the service (on the channel,
// with the contact value, when given), or -1.
func indexOf(p triage.Plan, service, channel, value string) int {
	for i, st := range p.Steps {
		if st.Service == service && (channel == "" || st.Channel == channel) && (value == "" || st.Contact == value) {
			return i
		}
	}
	return -1
}

func reasonsOf(p triage.Plan, service string) []string {
	var out []string
	for _, st := range p.Steps {
		if st.Service == service {
			out = append(out, st.Reasons...)
		}
	}
	return out
}

func anyContains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

func describe(p triage.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", p.Assessment)
	for _, st := range p.Steps {
		fmt.Fprintf(&b, " [%s %s %s]", st.Service, st.Channel, st.Contact)
	}
	return b.String()
}
