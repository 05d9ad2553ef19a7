package triage_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/triage"
)

// A ref names steps: "service", "service/channel" or
// "service/channel/value".
type ref string

func (r ref) parts() (service, channel, value string) {
	ps := strings.SplitN(string(r), "/", 3)
	for len(ps) < 3 {
		ps = append(ps, "")
	}
	return ps[0], ps[1], ps[2]
}

func (r ref) index(p triage.Plan) int {
	svc, ch, v := r.parts()
	return indexOf(p, svc, ch, v)
}

// scenario is one situation from the issue and what its plan must be. The
// expectations come from the issue text, not from the rules.
type scenario struct {
	name   string
	s      triage.Situation
	at     time.Time // the time of the question; fixedAt when zero
	assess string
	first  ref      // the first step: service/channel[/value]
	want   []ref    // steps that must appear
	not    []string // services that must not appear
	before [][2]ref // the first step of [0] comes before the first of [1]
	check  check
}

// check adds to the failures of a plan.
type check func(p triage.Plan, fail func(format string, args ...any))

var (
	yes = true
	no  = false
)

func learnRefs() []ref {
	var out []ref
	for _, s := range strings.Fields(learnServices) {
		out = append(out, ref(s+"/website"))
	}
	return out
}

// explains checks that the explanation says each of subs.
func explains(subs ...string) check {
	return func(p triage.Plan, fail func(string, ...any)) {
		for _, sub := range subs {
			if !strings.Contains(strings.ToLower(p.Explanation), strings.ToLower(sub)) {
				fail("explanation does not say %q: %s", sub, p.Explanation)
			}
		}
	}
}

// reasonSays checks that a step of the ref gives a reason saying sub.
func reasonSays(r ref, sub string) check {
	return func(p triage.Plan, fail func(string, ...any)) {
		i := r.index(p)
		if i < 0 {
			fail("no %s step", r)
			return
		}
		if !anyContains(p.Steps[i].Reasons, sub) {
			fail("%s reasons do not say %q: %q", r, sub, p.Steps[i].Reasons)
		}
	}
}

func reasonLacks(r ref, sub string) check {
	return func(p triage.Plan, fail func(string, ...any)) {
		if i := r.index(p); i >= 0 && anyContains(p.Steps[i].Reasons, sub) {
			fail("%s reasons say %q: %q", r, sub, p.Steps[i].Reasons)
		}
	}
}

func openNow(r ref, want *bool) check {
	return func(p triage.Plan, fail func(string, ...any)) {
		i := r.index(p)
		if i < 0 {
			fail("no %s step", r)
			return
		}
		if got := p.Steps[i].OpenNow; !sameOpen(got, want) {
			fail("%s open_now = %s, want %s", r, fmtOpen(got), fmtOpen(want))
		}
	}
}

func all(fs ...check) check {
	return func(p triage.Plan, fail func(string, ...any)) {
		for _, f := range fs {
			f(p, fail)
		}
	}
}

// lawEnforcementMarked checks the plan says which steps are law
// enforcement: 911, the HSI Tip Line, the FBI and DSS are (2); the Hotline
// and the CyberTipline are not (0); of the Labor Department lines and the
// EEOC the source does not say (1).
func lawEnforcementMarked(p triage.Plan, fail func(string, ...any)) {
	le := map[string]int{s911: 2, sDHS: 2, sFBI: 2, sDSS: 2, sNHTH: 0, sNCMEC: 0, sWHD: 1, sOIG: 1, sEEOC: 1}
	for _, st := range p.Steps {
		if want, ok := le[st.Service]; ok && level(st) != want {
			fail("%s: police/immigration level = %d, want %d", st.Service, level(st), want)
		}
	}
	if i := indexOf(p, sDHS, "", ""); i >= 0 && (p.Steps[i].ImmigrationAuthority == nil || !*p.Steps[i].ImmigrationAuthority) {
		fail("the HSI Tip Line is not marked as the immigration authority")
	}
}

func scenarios() []scenario {
	ffcYes, ffcNo, ffcUnsure := triage.FFCYes, triage.FFCNo, triage.FFCUnsure
	learn, self, other := triage.RoleLearn, triage.RoleSelf, triage.RoleOther
	trafficking, possible := triage.AssessTrafficking, triage.AssessPossibleTrafficking
	laborEx, outside, notEnough := triage.AssessLaborExploitation, triage.AssessOutsideDefinition, triage.AssessNotEnoughInfo
	report := []ref{"dhs-hsi-tip-line/call/" + vDHSDomestic, "dhs-hsi-tip-line/online/" + vDHSOnline, "fbi-tips/online/" + vFBIOnline}
	nhthFirst := [2]ref{sNHTH, sDHS}

	sc := []scenario{
		// Assessments.
		{name: "nothing said", s: triage.Situation{}, assess: notEnough, first: "nhth/call/" + vNHTHCall,
			want: []ref{"nhth/call", "nhth/text/" + vNHTHText}, not: []string{s911, sDHS, sFBI, sNCMEC, sWHD, sOIG, sDSS, sEEOC},
			before: [][2]ref{{"nhth/call", "nhth/text"}}},
		{name: "self, nothing else", s: triage.Situation{Role: self}, assess: notEnough, first: "nhth/call",
			check: reasonSays("nhth/call", "service provider")},
		{name: "other, nothing else", s: triage.Situation{Role: other}, assess: notEnough, first: "nhth/call",
			check: reasonSays("nhth/call", "tip")},
		{name: "adult sex, ffc yes", s: triage.Situation{Role: self, Sex: true, FFC: ffcYes}, assess: trafficking, first: "nhth/call",
			want: report, not: []string{s911, sNCMEC, sWHD}, before: [][2]ref{nhthFirst, {sNHTH, sFBI}},
			check: all(explains("force, fraud, or coercion"), lawEnforcementMarked)},
		{name: "labor, ffc yes", s: triage.Situation{Role: other, Labor: true, FFC: ffcYes}, assess: trafficking, first: "nhth/call",
			want: report, not: []string{s911, sNCMEC, sWHD}, before: [][2]ref{nhthFirst}},
		{name: "labor, ffc unsure", s: triage.Situation{Role: self, Labor: true, FFC: ffcUnsure}, assess: possible, first: "nhth/call",
			want: report, not: []string{s911, sNCMEC}, before: [][2]ref{nhthFirst},
			check: explains("not sure")},
		{name: "adult sex, ffc unsure", s: triage.Situation{Sex: true, FFC: ffcUnsure}, assess: possible, first: "nhth/call",
			want: report, not: []string{sNCMEC, sWHD}, before: [][2]ref{nhthFirst}},
		{name: "labor, ffc no", s: triage.Situation{Role: self, Labor: true, FFC: ffcNo}, assess: laborEx, first: "nhth/call",
			want: []ref{"dol-whd/call/" + vWHD}, not: []string{s911, sDHS, sFBI, sNCMEC},
			check: all(explains("threshold", "Wage and Hour"), reasonSays("dol-whd/call", "threshold"))},
		{name: "adult sex, ffc no: outside the definition, Hotline still offered", s: triage.Situation{Role: self, Sex: true, FFC: ffcNo},
			assess: outside, first: "nhth/call/" + vNHTHCall, want: []ref{"nhth/text"}, not: []string{s911, sDHS, sFBI, sWHD, sNCMEC},
			check: explains("outside the definition", "Hotline")},
		{name: "sex, no ffc answer", s: triage.Situation{Sex: true}, assess: notEnough, first: "nhth/call", not: []string{sDHS, sFBI, sNCMEC}},
		{name: "labor, no ffc answer", s: triage.Situation{Labor: true}, assess: notEnough, first: "nhth/call", not: []string{sDHS, sFBI}},
		{name: "ffc yes, nothing exploited", s: triage.Situation{FFC: ffcYes}, assess: notEnough, first: "nhth/call", not: []string{sDHS, sFBI}},

		// Minors in commercial sex: trafficking whatever the answer about force, fraud or coercion.
		{name: "minor sex, ffc yes", s: triage.Situation{Minor: true, Sex: true, FFC: ffcYes}, assess: trafficking, first: "nhth/call",
			want:   append([]ref{"ncmec-cybertipline/call/" + vNCMECCall, "ncmec-cybertipline/online/" + vNCMECOnline}, report...),
			before: [][2]ref{nhthFirst, {sNHTH, sNCMEC}}},
		{name: "minor sex, ffc no", s: triage.Situation{Minor: true, Sex: true, FFC: ffcNo}, assess: trafficking, first: "nhth/call",
			want: append([]ref{"ncmec-cybertipline/call", "ncmec-cybertipline/online"}, report...), not: []string{sWHD},
			check: explains("younger than 18", "regardless")},
		{name: "minor sex, ffc unsure", s: triage.Situation{Minor: true, Sex: true, FFC: ffcUnsure}, assess: trafficking, first: "nhth/call",
			want: []ref{"ncmec-cybertipline/call", "ncmec-cybertipline/online", sDHS}},
		{name: "minor sex, ffc not given", s: triage.Situation{Minor: true, Sex: true}, assess: trafficking, first: "nhth/call",
			want:  []ref{"ncmec-cybertipline/call", "ncmec-cybertipline/online", sDHS, sFBI},
			check: reasonSays("ncmec-cybertipline/call", "child")},
		{name: "minor sex, other, ffc not given", s: triage.Situation{Role: other, Minor: true, Sex: true}, assess: trafficking, first: "nhth/call",
			want: []ref{sNCMEC}, check: reasonSays("nhth/call", "tip")},
		{name: "minor labor, ffc no", s: triage.Situation{Minor: true, Labor: true, FFC: ffcNo}, assess: laborEx, first: "nhth/call",
			want: []ref{sWHD}, not: []string{sNCMEC, sDHS}},
		{name: "minor, nothing else", s: triage.Situation{Minor: true}, assess: notEnough, first: "nhth/call", not: []string{sNCMEC, sDHS}},
		{name: "online child abuse alone", s: triage.Situation{OnlineChildAbuse: true}, assess: notEnough, first: "nhth/call",
			want:   []ref{"ncmec-cybertipline/call/" + vNCMECCall, "ncmec-cybertipline/online/" + vNCMECOnline, "nhth/call"},
			before: [][2]ref{{"nhth", "ncmec-cybertipline"}}, not: []string{s911},
			check: explains("CyberTipline")},
		{name: "online child abuse, online preferred", s: triage.Situation{OnlineChildAbuse: true, Channel: "online"}, assess: notEnough,
			first: "nhth/call", before: [][2]ref{{"ncmec-cybertipline/online", "ncmec-cybertipline/call"}}},

		// Immediate danger: 911 first, always.
		{name: "danger alone", s: triage.Situation{Danger: true}, assess: notEnough, first: "emergency-911/call/911",
			want: []ref{"nhth/call"}, before: [][2]ref{{s911, sNHTH}},
			check: all(reasonSays(s911, "emergency"), openNow(s911, nil))},
		{name: "danger, minor sex", s: triage.Situation{Danger: true, Minor: true, Sex: true}, assess: trafficking, first: "emergency-911/call/911",
			want: []ref{sNCMEC, sNHTH, sDHS}, before: [][2]ref{{s911, sNCMEC}}},
		{name: "danger, role learn", s: triage.Situation{Danger: true, Role: learn}, assess: notEnough, first: "emergency-911/call/911",
			want: append(learnRefs(), "nhth/call"), not: []string{sDHS, sFBI}},
		{name: "danger, outside the U.S.", s: triage.Situation{Danger: true, OutsideUS: true}, assess: notEnough, first: "emergency-911/call/911",
			want: []ref{"dhs-hsi-tip-line/call/" + vDHSIntl}, not: []string{sNHTH},
			check: reasonSays(s911, "local emergency number")},
		{name: "danger, no police", s: triage.Situation{Danger: true, NoPolice: true}, assess: notEnough, first: "emergency-911/call/911",
			want: []ref{sNHTH}, check: all(reasonSays(s911, "police"), lawEnforcementMarked)},
		{name: "danger, no police, labor ffc yes", s: triage.Situation{Danger: true, NoPolice: true, Labor: true, FFC: ffcYes}, assess: trafficking,
			first: "emergency-911/call/911", want: report, before: [][2]ref{{sNHTH, sDHS}},
			check: all(reasonSays(s911, "police"), lawEnforcementMarked)},
		{name: "danger, no police, outside the U.S.", s: triage.Situation{Danger: true, NoPolice: true, OutsideUS: true}, assess: notEnough,
			first: "emergency-911/call/911", want: []ref{"dhs-hsi-tip-line/call/" + vDHSIntl, "ijm/website"}, not: []string{sNHTH},
			before: [][2]ref{{"ijm", sDHS}}, check: reasonSays(s911, "police")},
		{name: "danger, no police, learn, outside the U.S.", s: triage.Situation{Danger: true, NoPolice: true, Role: learn, OutsideUS: true},
			assess: notEnough, first: "emergency-911/call/911", want: learnRefs(), not: []string{sNHTH, sDHS}, check: reasonSays(s911, "police")},

		// No police.
		{name: "no police, adult sex ffc yes", s: triage.Situation{NoPolice: true, Sex: true, FFC: ffcYes}, assess: trafficking, first: "nhth/call",
			want: report, before: [][2]ref{{"nhth/text", sDHS}}, check: lawEnforcementMarked},
		{name: "no police, labor unsure, visa fraud, discrimination", s: triage.Situation{NoPolice: true, Labor: true, FFC: ffcUnsure, VisaFraud: true, Discrimination: true},
			assess: possible, first: "nhth/call", want: append([]ref{"state-dss/email/" + vDSSEmail, sEEOC, sWHD}, report...),
			before: [][2]ref{{sEEOC, sDSS}, {sWHD, sDSS}, {sWHD, sDHS}}, check: lawEnforcementMarked},
		{name: "no police, outside the U.S.", s: triage.Situation{NoPolice: true, OutsideUS: true}, assess: notEnough, first: "ijm/website",
			want: []ref{"dhs-hsi-tip-line/call/" + vDHSIntl, "aim/website", "meninadanca/website"}, not: []string{sNHTH},
			before: [][2]ref{{"meninadanca", sDHS}}},
		{name: "no police, online, minor sex", s: triage.Situation{NoPolice: true, Channel: "online", Minor: true, Sex: true}, assess: trafficking,
			first: "nhth/call", want: report, before: [][2]ref{{"ncmec-cybertipline/online", "ncmec-cybertipline/call"}, {"ncmec-cybertipline/call", "dhs-hsi-tip-line/online"}}},
		{name: "no police, diplomat", s: triage.Situation{NoPolice: true, Diplomat: true}, assess: notEnough, first: "nhth/call",
			want: []ref{"state-dss/email"}, before: [][2]ref{{"nhth/text", sDSS}}},
		{name: "no police, visa program, anonymous", s: triage.Situation{NoPolice: true, VisaProgram: "H-2A", Anonymous: true, VisaFraud: true},
			assess: notEnough, first: "nhth/call", want: []ref{sOIG, sDSS}, before: [][2]ref{{sOIG, sDSS}}},

		// Channels.
		{name: "text preferred", s: triage.Situation{Channel: "text"}, assess: notEnough, first: "nhth/text/" + vNHTHText,
			want: []ref{"nhth/call"}, before: [][2]ref{{"nhth/text", "nhth/call"}},
			check: func(p triage.Plan, fail func(string, ...any)) {
				st := p.Steps[0]
				if !slices.Equal(st.Keywords, []string{"BEFREE", "HELP"}) {
					fail("text keywords = %q, want BEFREE, HELP", st.Keywords)
				}
				if !anyContains(st.Reasons, "BEFREE") {
					fail("text reasons do not name BEFREE: %q", st.Reasons)
				}
			}},
		{name: "text preferred, danger", s: triage.Situation{Channel: "text", Danger: true}, assess: notEnough, first: "emergency-911/call/911",
			before: [][2]ref{{s911, "nhth/text"}, {"nhth/text", "nhth/call"}}},
		{name: "text preferred, trafficking, no police", s: triage.Situation{Channel: "text", Labor: true, FFC: ffcYes, NoPolice: true},
			assess: trafficking, first: "nhth/text", want: report, before: [][2]ref{{"nhth/call", sDHS}}},
		{name: "no channel: the Hotline's call before its text line", s: triage.Situation{Role: other, Sex: true, FFC: ffcYes}, assess: trafficking,
			first: "nhth/call", before: [][2]ref{{"nhth/call", "nhth/text"}}},
		{name: "online preferred, trafficking", s: triage.Situation{Channel: "online", Labor: true, FFC: ffcYes}, assess: trafficking,
			first: "nhth/call", want: report, before: [][2]ref{{"dhs-hsi-tip-line/online/" + vDHSOnline, "dhs-hsi-tip-line/call"}, {nhthFirst[0], nhthFirst[1]}}},
		{name: "online preferred, minor sex", s: triage.Situation{Channel: "online", Minor: true, Sex: true}, assess: trafficking,
			first: "nhth/call", want: []ref{"fbi-tips/online/" + vFBIOnline}, before: [][2]ref{{"ncmec-cybertipline/online/" + vNCMECOnline, "ncmec-cybertipline/call"}}},
		{name: "online preferred, visa program", s: triage.Situation{Channel: "online", VisaProgram: "PERM"}, assess: notEnough, first: "nhth/call",
			want: []ref{"dol-oig-hotline/online/" + vOIGOnline}, before: [][2]ref{{"dol-oig-hotline/online", "dol-oig-hotline/call"}}},
		{name: "online preferred, outside the U.S.", s: triage.Situation{Channel: "online", OutsideUS: true}, assess: notEnough,
			first: "dhs-hsi-tip-line/online/" + vDHSOnline, want: []ref{"dhs-hsi-tip-line/call/" + vDHSIntl}, not: []string{sNHTH}},
		{name: "email preferred, visa program", s: triage.Situation{Channel: "email", VisaProgram: "H-1B"}, assess: notEnough, first: "nhth/call",
			want: []ref{"dol-oig-hotline/email/" + vOIGEmail}, before: [][2]ref{{"dol-oig-hotline/email", "dol-oig-hotline/call"}}},
		{name: "email preferred, visa fraud", s: triage.Situation{Channel: "email", VisaFraud: true}, assess: notEnough, first: "nhth/call",
			want: []ref{"state-dss/email/" + vDSSEmail}},

		// Visa and passport fraud, diplomats.
		{name: "visa fraud", s: triage.Situation{VisaFraud: true}, assess: notEnough, first: "nhth/call",
			want: []ref{"state-dss/email/" + vDSSEmail}, before: [][2]ref{{sNHTH, sDSS}}, check: reasonSays(sDSS, "visa and passport fraud")},
		{name: "diplomat", s: triage.Situation{Diplomat: true}, assess: notEnough, first: "nhth/call",
			want: []ref{"state-dss/email/" + vDSSEmail}, check: all(reasonSays(sDSS, "diplomats"), reasonLacks(sDSS, "passport"))},
		{name: "visa fraud and a diplomat: one DSS step, both reasons", s: triage.Situation{VisaFraud: true, Diplomat: true, Labor: true, FFC: ffcYes},
			assess: trafficking, first: "nhth/call", want: []ref{"state-dss/email"},
			check: all(reasonSays(sDSS, "passport"), reasonSays(sDSS, "diplomats"))},

		// Employment discrimination: the EEOC, 7:00am to 8:00pm Eastern.
		{name: "discrimination, Tuesday 10:00 New York", s: triage.Situation{Discrimination: true}, assess: notEnough, first: "nhth/call",
			want: []ref{"eeoc/call/" + vEEOC}, check: all(openNow(sEEOC, nil), openNow("nhth/call", &yes), openNow("nhth/text", nil))},
		{name: "discrimination, Tuesday 21:00 New York: closed, still there", s: triage.Situation{Discrimination: true},
			at: mustTime("2026-01-13T21:00:00-05:00"), assess: notEnough, first: "nhth/call", want: []ref{sEEOC}, check: openNow(sEEOC, &no)},
		{name: "discrimination, 20:00 sharp: closed", s: triage.Situation{Discrimination: true}, at: mustTime("2026-01-14T01:00:00Z"),
			assess: notEnough, first: "nhth/call", check: openNow(sEEOC, &no)},
		{name: "discrimination, 19:59: open", s: triage.Situation{Discrimination: true}, at: mustTime("2026-01-14T00:59:00Z"),
			assess: notEnough, first: "nhth/call", check: openNow(sEEOC, nil)},
		{name: "discrimination, first weekday of daylight time, 11:30 UTC = 7:30 EDT: open", s: triage.Situation{Discrimination: true},
			at: mustTime("2026-03-09T11:30:00Z"), assess: notEnough, first: "nhth/call", check: openNow(sEEOC, nil)},
		{name: "discrimination, first weekday of standard time, 11:30 UTC = 6:30 EST: closed", s: triage.Situation{Discrimination: true},
			at: mustTime("2026-11-02T11:30:00Z"), assess: notEnough, first: "nhth/call", check: openNow(sEEOC, &no)},
		{name: "discrimination, summer, 23:30 UTC = 19:30 EDT: open", s: triage.Situation{Discrimination: true},
			at: mustTime("2026-07-14T23:30:00Z"), assess: notEnough, first: "nhth/call", check: openNow(sEEOC, nil)},

		// Outside the United States.
		{name: "outside the U.S.", s: triage.Situation{OutsideUS: true}, assess: notEnough, first: "dhs-hsi-tip-line/call/" + vDHSIntl,
			want: []ref{"ijm/website", "aim/website", "meninadanca/website"}, not: []string{sNHTH, sFBI, s911, "ecpat"},
			check: all(reasonSays("dhs-hsi-tip-line/call", "1-802-872-6199"), openNow("dhs-hsi-tip-line/call", nil))},
		{name: "outside the U.S., minor sex", s: triage.Situation{OutsideUS: true, Minor: true, Sex: true, Role: other}, assess: trafficking,
			first: "dhs-hsi-tip-line/call/" + vDHSIntl, want: []ref{"ecpat/website", sNCMEC, "ijm/website"}, not: []string{sNHTH, sFBI}},
		{name: "outside the U.S., labor ffc yes", s: triage.Situation{OutsideUS: true, Labor: true, FFC: ffcYes, Role: self}, assess: trafficking,
			first: "dhs-hsi-tip-line/call/" + vDHSIntl, not: []string{sNHTH, sFBI}},
		{name: "outside the U.S., role learn", s: triage.Situation{OutsideUS: true, Role: learn}, assess: notEnough, first: "polaris/website",
			want: learnRefs(), not: []string{sNHTH, sDHS, sFBI, s911}},

		// Role learn.
		{name: "learn", s: triage.Situation{Role: learn}, assess: notEnough, first: "nhth/call/" + vNHTHCall,
			want: learnRefs(), not: []string{s911, sDHS, sFBI, sNCMEC},
			check: all(reasonSays("nhth/call", "training"), reasonSays("nhth/call", "technical assistance"), explains("compelled labor"))},
		{name: "learn, no police", s: triage.Situation{Role: learn, NoPolice: true}, assess: notEnough, first: "nhth/call",
			want: learnRefs(), not: []string{s911, sDHS}},
		{name: "learn, minor sex", s: triage.Situation{Role: learn, Minor: true, Sex: true}, assess: trafficking, first: "nhth/call",
			want: learnRefs(), not: []string{s911}},
	}
	// Each Labor Department visa program, with and without anonymity.
	for _, vp := range triage.VisaPrograms {
		for _, anon := range []bool{false, true} {
			name := "visa program " + vp
			chk := all(reasonSays("dol-oig-hotline/call/"+vOIG1, vp), reasonLacks("dol-oig-hotline/call/"+vOIG1, "identifying"))
			if anon {
				name += ", anonymous"
				chk = all(reasonSays("dol-oig-hotline/call/"+vOIG1, vp), reasonSays("dol-oig-hotline/call/"+vOIG1, "identifying"))
			}
			sc = append(sc, scenario{name: name, s: triage.Situation{VisaProgram: vp, Anonymous: anon}, assess: notEnough, first: "nhth/call",
				want:   []ref{"dol-oig-hotline/call/" + vOIG1, "dol-oig-hotline/call/" + vOIG2, "dol-oig-hotline/email/" + vOIGEmail, "dol-oig-hotline/online/" + vOIGOnline},
				not:    []string{sDHS, sFBI},
				before: [][2]ref{{sNHTH, sOIG}}, check: chk})
		}
	}
	return sc
}

func TestScenarios(t *testing.T) {
	u := loadUS(t)
	sc := scenarios()
	if len(sc) < 45 {
		t.Fatalf("%d scenarios, want at least 45", len(sc))
	}
	names := map[string]bool{}
	for _, c := range sc {
		if names[c.name] {
			t.Fatalf("two scenarios named %q", c.name)
		}
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			for _, msg := range u.run(u.engine, c) {
				t.Error(msg)
			}
		})
	}
}

// run plans the scenario with the engine and returns every way the plan
// falls short of it, the plan last.
func (u usPack) run(e *triage.Engine, c scenario) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	at := c.at
	if at.IsZero() {
		at = fixedAt
	}
	s := c.s
	s.At = &at
	// The time passed as "now" must not win over s.At.
	p, err := e.Plan(s, at.Add(-5*time.Hour-17*time.Minute))
	if err != nil {
		return []string{fmt.Sprintf("Plan: %v", err)}
	}
	for _, msg := range u.invariants(c.s, at, p) {
		fail("invariant: %s", msg)
	}
	if p.Assessment != c.assess {
		fail("assessment = %s, want %s", p.Assessment, c.assess)
	}
	if len(p.Steps) == 0 {
		return append(bad, "no steps")
	}
	if svc, ch, v := c.first.parts(); p.Steps[0].Service != svc || (ch != "" && p.Steps[0].Channel != ch) || (v != "" && p.Steps[0].Contact != v) {
		fail("first step = %s/%s/%s, want %s", p.Steps[0].Service, p.Steps[0].Channel, p.Steps[0].Contact, c.first)
	}
	for _, r := range c.want {
		if r.index(p) < 0 {
			fail("no %s step", r)
		}
	}
	for _, svc := range c.not {
		if has(p, svc) {
			fail("has a %s step; it must not", svc)
		}
	}
	for _, b := range c.before {
		i, j := b[0].index(p), b[1].index(p)
		if i < 0 || j < 0 {
			fail("%s before %s: missing (%d, %d)", b[0], b[1], i, j)
		} else if i >= j {
			fail("%s (at %d) is not before %s (at %d)", b[0], i, b[1], j)
		}
	}
	if c.check != nil {
		c.check(p, fail)
	}
	if len(bad) > 0 {
		bad = append(bad, "plan: "+describe(p))
	}
	return bad
}

// TestPlanUsesNowWithoutAt: with no time in the situation, open_now is
// computed for the time passed to Plan.
func TestPlanUsesNowWithoutAt(t *testing.T) {
	u := loadUS(t)
	s := triage.Situation{Discrimination: true}
	for _, c := range []struct {
		now  string
		open *bool
	}{{"2026-01-13T10:00:00-05:00", nil}, {"2026-01-13T21:00:00-05:00", &no}, {"2026-01-13T06:59:00-05:00", &no}} {
		p, err := u.engine.Plan(s, mustTime(c.now))
		if err != nil {
			t.Fatal(err)
		}
		i := indexOf(p, sEEOC, "call", vEEOC)
		if i < 0 {
			t.Fatalf("no EEOC step: %s", describe(p))
		}
		if got := p.Steps[i].OpenNow; !sameOpen(got, c.open) {
			t.Errorf("at %s: EEOC open_now = %s, want %s", c.now, fmtOpen(got), fmtOpen(c.open))
		}
	}
}

// TestInvalidSituations: a value Haven does not know gives a *FieldError
// naming the field, and no plan.
func TestInvalidSituations(t *testing.T) {
	u := loadUS(t)
	for _, c := range []struct {
		s     triage.Situation
		field string
	}{
		{triage.Situation{Role: "boss"}, "role"},
		{triage.Situation{FFC: "maybe"}, "ffc"},
		{triage.Situation{FFC: "Yes"}, "ffc"},
		{triage.Situation{VisaProgram: "H-1C"}, "visa_program"},
		{triage.Situation{Channel: "fax"}, "channel"},
		{triage.Situation{Channel: "website"}, "channel"},
		{triage.Situation{Lang: strings.Repeat("x", 36)}, "lang"},
		{triage.Situation{Role: "boss", Channel: "fax"}, "role"},
	} {
		p, err := u.engine.Plan(c.s, fixedAt)
		fe, ok := err.(*triage.FieldError)
		if !ok {
			t.Errorf("%+v: error %v (%T), want a *triage.FieldError", c.s, err, err)
			continue
		}
		if fe.Field != c.field || fe.Msg == "" {
			t.Errorf("%+v: FieldError{%q, %q}, want field %q and a message", c.s, fe.Field, fe.Msg, c.field)
		}
		if len(p.Steps) != 0 || p.Assessment != "" {
			t.Errorf("%+v: a plan came with the error: %s", c.s, describe(p))
		}
	}
}
