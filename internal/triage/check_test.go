package triage_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/triage"
)

// smallDir is a directory of three services: a 24/7 hotline with a call
// and a text contact, an office reachable by e-mail and only open 9 to 5
// in New York, and a group with no contacts of its own whose organization
// has a website.
func smallDir() *directory.Directory {
	return &directory.Directory{
		Organizations: []directory.Organization{
			{Slug: "org", Name: "Org"},
			{Slug: "grouporg", Name: "Group org", Website: "https://group.example", WebsiteText: "group.example"},
		},
		Services: []directory.Service{
			{Slug: "line", Organization: "org", Name: "Line", Hours: directory.Hours{Kind: directory.HoursAlways},
				Contacts: []directory.Contact{
					{Channel: "call", Display: "1-555-555-0100", Value: "+15555550100"},
					{Channel: "text", Display: "55555", Value: "55555"},
				}},
			{Slug: "office", Organization: "org", Name: "Office", LawEnforcement: func() *bool { b := true; return &b }(),
				Hours:    directory.Hours{Kind: directory.HoursWeekly, TimeZone: eastern, Windows: []directory.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "09:00", Closes: "17:00"}}},
				Contacts: []directory.Contact{{Channel: "email", Display: "tips@office.example", Value: "tips@office.example"}}},
			{Slug: "group", Organization: "grouporg", Name: "Group", Hours: directory.Hours{Kind: directory.HoursUnknown}},
		},
	}
}

// parseRules reads rules written as in routing.yaml.
func parseRules(t *testing.T, src string) triage.Rules {
	t.Helper()
	var r triage.Rules
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("parsing rules: %v", err)
	}
	return r
}

const smallMessages = `
messages:
  e.any: Anything.
  e.sex: Sex.
  r.line: Call the line.
  r.office: Write to the office.
  r.group: Read the group's website.
`

// validSmall is a correct set of rules over smallDir.
const validSmall = smallMessages + `
assessments:
  - {when: {sex: true, ffc: "yes"}, assessment: trafficking, explanation: e.sex}
  - {when: {}, assessment: not_enough_information, explanation: e.any}
steps:
  - when: {}
    add:
      - {service: line, channel: call, rank: 10, reason: r.line}
  - when: {role: [self, none], any: [{sex: true}, {labor: true}], not: {outside_us: true}}
    add:
      - {service: office, channel: email, rank: 20, reason: r.office}
      - {service: group, channel: website, rank: 30, reason: r.group}
`

func pathString(p []any) string { return fmt.Sprint(p) }

func problemsAt(probs []triage.Problem) []string {
	var out []string
	for _, p := range probs {
		out = append(out, pathString(p.Path)+" "+p.Msg)
	}
	return out
}

func TestCheckValidRules(t *testing.T) {
	r := parseRules(t, validSmall)
	if probs := r.Check(smallDir()); len(probs) != 0 {
		t.Errorf("Check of valid rules: %q", problemsAt(probs))
	}
	if probs := r.Unreachable(); len(probs) != 0 {
		t.Errorf("Unreachable of valid rules: %q", problemsAt(probs))
	}
	if _, err := triage.New(r, smallDir()); err != nil {
		t.Errorf("New: %v", err)
	}
}

func TestCheckFindsEachProblem(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		path string // fmt.Sprint of the problem's path
		msg  string // part of its message
	}{
		{"unknown service", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: nowhere, channel: call, rank: 1, reason: r.line}]}]
`, "[steps 0 add 0 service]", `"nowhere" is not in the directory`},
		{"channel the service lacks", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: email, rank: 1, reason: r.line}]}]
`, "[steps 0 add 0 channel]", "line has no email contact"},
		{"scope the service lacks", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, scope: international, rank: 1, reason: r.line}]}]
`, "[steps 0 add 0 channel]", "no call international contact"},
		{"value the service lacks", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, value: "+15555550199", rank: 1, reason: r.line}]}]
`, "[steps 0 add 0 channel]", "+15555550199"},
		{"website of a service without an organization website", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: website, rank: 1, reason: r.line}]}]
`, "[steps 0 add 0 channel]", "no website contact"},
		{"missing reason message", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.nowhere}]}]
`, "[steps 0 add 0 reason]", `"r.nowhere" is not defined`},
		{"no reason at all", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1}]}]
`, "[steps 0 add 0 reason]", "required"},
		{"missing no-police reason message", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line, urgent: true, no_police_reason: r.why}]}]
`, "[steps 0 add 0 no_police_reason]", `"r.why"`},
		{"missing explanation message", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.nowhere}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[assessments 0 explanation]", `"e.nowhere"`},
		{"last assessment not a catch-all", smallMessages + `
assessments:
  - {when: {}, assessment: not_enough_information, explanation: e.any}
  - {when: {sex: true}, assessment: trafficking, explanation: e.sex}
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[assessments 1 when]", "no condition"},
		{"no assessments", smallMessages + `
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[assessments]", "at least one"},
		{"unknown assessment", smallMessages + `
assessments: [{when: {}, assessment: slavery, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[assessments 0 assessment]", `"slavery"`},
		{"unknown role in a condition, deep inside", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {not: {any: [{sex: true}, {role: boss}]}}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[steps 0 when not any 1 role]", `role "boss"`},
		{"unknown channel in a condition", smallMessages + `
assessments: [{when: {channel: fax}, assessment: not_enough_information, explanation: e.any}, {when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[assessments 0 when channel]", `channel "fax"`},
		{"unknown visa program in a condition", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {visa_program: [H-1B, H-9Z]}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, "[steps 0 when visa_program]", `"H-9Z"`},
		{"a step rule that adds nothing", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps: [{when: {}, add: []}]
`, "[steps 0 add]", "at least one step"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := parseRules(t, c.src)
			probs := r.Check(smallDir())
			found := false
			for _, p := range probs {
				if pathString(p.Path) == c.path && strings.Contains(p.Msg, c.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("Check = %q, want a problem at %s saying %q", problemsAt(probs), c.path, c.msg)
			}
			_, err := triage.New(r, smallDir())
			var re *triage.RulesError
			if !errors.As(err, &re) || len(re.Problems) != len(probs) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("New: %v, want a *RulesError with the %d problems", err, len(probs))
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	for _, c := range []struct {
		name  string
		src   string
		paths []string
	}{
		{"assessment shadowed by an earlier broader one", smallMessages + `
assessments:
  - {when: {sex: true}, assessment: possible_trafficking, explanation: e.sex}
  - {when: {sex: true, ffc: "yes"}, assessment: trafficking, explanation: e.sex}
  - {when: {}, assessment: not_enough_information, explanation: e.any}
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, []string{"[assessments 1 when]"}},
		{"assessment shadowed by a list of values", smallMessages + `
assessments:
  - {when: {ffc: ["yes", "no", unsure, none]}, assessment: not_enough_information, explanation: e.any}
  - {when: {labor: true}, assessment: labor_exploitation, explanation: e.sex}
  - {when: {}, assessment: not_enough_information, explanation: e.any}
steps: [{when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}]
`, []string{"[assessments 1 when]", "[assessments 2 when]"}},
		{"step condition that contradicts itself", smallMessages + `
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps:
  - {when: {}, add: [{service: line, channel: call, rank: 1, reason: r.line}]}
  - {when: {danger: true, not: {danger: true}}, add: [{service: office, channel: email, rank: 2, reason: r.office}]}
  - {when: {role: learn, any: [{role: self}, {role: other}]}, add: [{service: office, channel: email, rank: 2, reason: r.office}]}
  - {when: {any: []}, add: [{service: office, channel: email, rank: 2, reason: r.office}]}
`, []string{"[steps 1 when]", "[steps 2 when]"}},
		{"everything reachable, narrow conditions included", validSmall + `
  - when: {danger: true, minor: true, sex: true, labor: true, online_child_abuse: true, visa_fraud: true, diplomat: true,
           discrimination: true, outside_us: true, anonymous: true, no_police: true, role: learn, ffc: unsure,
           visa_program: PERM, channel: email}
    add: [{service: line, channel: text, rank: 5, reason: r.line}]
`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := parseRules(t, c.src)
			if probs := r.Check(smallDir()); len(probs) != 0 {
				t.Fatalf("Check: %q", problemsAt(probs))
			}
			var got []string
			for _, p := range r.Unreachable() {
				if p.Msg == "" {
					t.Errorf("%v: empty message", p.Path)
				}
				got = append(got, pathString(p.Path))
			}
			if !slices.Equal(got, c.paths) {
				t.Errorf("Unreachable at %q, want %q", got, c.paths)
			}
		})
	}
}

// TestUSRulesAllReachable: the shipped rules have no dead rule.
func TestUSRulesAllReachable(t *testing.T) {
	u := loadUS(t)
	if probs := u.pack.Routing.Check(&u.pack.Directory); len(probs) != 0 {
		t.Errorf("Check: %q", problemsAt(probs))
	}
	if testing.Short() {
		t.Skip("Unreachable tries every situation")
	}
	if probs := u.pack.Routing.Unreachable(); len(probs) != 0 {
		t.Errorf("Unreachable: %q", problemsAt(probs))
	}
}

// TestOpenPreferredAtEqualRank: a closed service is kept, but where two
// serve equally (same rank) the one open now comes first; the rules'
// order decides only when both are open or both closed.
func TestOpenPreferredAtEqualRank(t *testing.T) {
	r := parseRules(t, smallMessages+`
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps:
  - when: {}
    add:
      - {service: office, channel: email, rank: 10, reason: r.office}
      - {service: line, channel: call, rank: 10, reason: r.line}
      - {service: group, channel: website, rank: 5, reason: r.group}
`)
	e, err := triage.New(r, smallDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   string
		want []string
		open []string
	}{
		// 20:00 in New York: the office is closed, the line (24/7) goes first.
		{"2026-01-13T20:00:00-05:00", []string{"group", "line", "office"}, []string{"null", "true", "false"}},
		// 10:00: both open, the rules' order stands.
		{"2026-01-13T10:00:00-05:00", []string{"group", "office", "line"}, []string{"null", "true", "true"}},
		// 16:59 EDT open; 17:00 closed.
		{"2026-07-14T16:59:00-04:00", []string{"group", "office", "line"}, []string{"null", "true", "true"}},
		{"2026-07-14T21:00:00Z", []string{"group", "line", "office"}, []string{"null", "true", "false"}},
	} {
		at := mustTime(c.at)
		p, err := e.Plan(triage.Situation{At: &at}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got, open []string
		for _, st := range p.Steps {
			got = append(got, st.Service)
			open = append(open, fmtOpen(st.OpenNow))
		}
		if !slices.Equal(got, c.want) || !slices.Equal(open, c.open) {
			t.Errorf("at %s: steps %q open %q, want %q open %q", c.at, got, open, c.want, c.open)
		}
		if len(p.Steps) == 3 && (p.Steps[0].Contact != "https://group.example" || p.Steps[0].Display != "group.example") {
			t.Errorf("the group's step is %q (%q), want its organization's website", p.Steps[0].Contact, p.Steps[0].Display)
		}
	}
}

// TestNoPoliceWithSmallRules: the engine's ordering for a person who
// avoids the police, on rules where the law-enforcement office outranks
// everything, and an urgent step with its reason.
func TestNoPoliceWithSmallRules(t *testing.T) {
	r := parseRules(t, `
messages:
  e.any: Anything.
  r.line: Call the line.
  r.office: Write to the office.
  r.group: Read the group's website.
  r.urgent: Urgent.
  r.why: It comes first although it is the police, because it is urgent.
assessments: [{when: {}, assessment: not_enough_information, explanation: e.any}]
steps:
  - when: {}
    add:
      - {service: office, channel: email, rank: 1, reason: r.office}
      - {service: line, channel: call, rank: 10, reason: r.line}
      - {service: group, channel: website, rank: 20, reason: r.group}
  - when: {danger: true}
    add:
      - {service: office, channel: email, rank: 50, urgent: true, reason: r.urgent, no_police_reason: r.why}
`)
	e, err := triage.New(r, smallDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    triage.Situation
		want []string
		why  bool
	}{
		{triage.Situation{}, []string{"office", "line", "group"}, false},
		{triage.Situation{NoPolice: true}, []string{"line", "group", "office"}, false},
		{triage.Situation{Danger: true}, []string{"office", "line", "group"}, false},
		{triage.Situation{Danger: true, NoPolice: true}, []string{"office", "line", "group"}, true},
	} {
		p, err := e.Plan(c.s, fixedAt)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range p.Steps {
			got = append(got, st.Service)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: steps %q, want %q", c.s, got, c.want)
			continue
		}
		if why := anyContains(p.Steps[0].Reasons, "although it is the police"); why != c.why {
			t.Errorf("%+v: the urgent step's reasons %q; no-police reason given = %v, want %v", c.s, p.Steps[0].Reasons, why, c.why)
		}
		if c.s.Danger && !anyContains(p.Steps[0].Reasons, "Write to the office") {
			t.Errorf("%+v: merged step lost its first reason: %q", c.s, p.Steps[0].Reasons)
		}
	}
}
