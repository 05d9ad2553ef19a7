package triage_test

import (
	"slices"
	"testing"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/triage"
)

// cloneRules copies the rules deeply enough that a mutation of a rule or
// of a step spec does not reach the original.
func cloneRules(r triage.Rules) triage.Rules {
	out := triage.Rules{Messages: r.Messages, Assessments: slices.Clone(r.Assessments), Steps: slices.Clone(r.Steps)}
	for i := range out.Steps {
		out.Steps[i].Add = slices.Clone(out.Steps[i].Add)
	}
	return out
}

// specs calls f on every step spec of the service (and channel, when given).
func specs(r *triage.Rules, service, channel string, f func(rule *triage.StepRule, spec *triage.StepSpec)) int {
	n := 0
	for i := range r.Steps {
		for j := range r.Steps[i].Add {
			sp := &r.Steps[i].Add[j]
			if sp.Service == service && (channel == "" || sp.Channel == channel) {
				f(&r.Steps[i], sp)
				n++
			}
		}
	}
	return n
}

// assessmentRule returns the first assessment rule giving the assessment
// with the explanation key.
func assessmentRule(r *triage.Rules, explanation string) *triage.AssessmentRule {
	for i := range r.Assessments {
		if r.Assessments[i].Explanation == explanation {
			return &r.Assessments[i]
		}
	}
	return nil
}

// TestScenariosCatchWrongRules breaks the U.S. rules (and once the
// directory) in ways the issue forbids, one at a time, and checks that
// the scenario table notices each.
func TestScenariosCatchWrongRules(t *testing.T) {
	u := loadUS(t)
	sc := scenarios()
	bTrue := true
	for _, m := range []struct {
		name   string
		mutate func(r *triage.Rules, d *directory.Directory) bool // false: the rule to break was not found
	}{
		{"911 not urgent and ranked late", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, s911, "", func(_ *triage.StepRule, sp *triage.StepSpec) { sp.Urgent, sp.Rank = false, 50 }) > 0
		}},
		{"no reason for 911 with no police", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, s911, "", func(_ *triage.StepRule, sp *triage.StepSpec) { sp.NoPoliceReason = "" }) > 0
		}},
		{"minor in commercial sex needs force, fraud or coercion", func(r *triage.Rules, _ *directory.Directory) bool {
			a := assessmentRule(r, "explain.minor_sex")
			if a == nil {
				return false
			}
			a.When.FFC = triage.OneOf{triage.FFCYes}
			return true
		}},
		{"unsure counted as trafficking", func(r *triage.Rules, _ *directory.Directory) bool {
			a := assessmentRule(r, "explain.unsure")
			if a == nil {
				return false
			}
			a.Assessment = triage.AssessTrafficking
			return true
		}},
		{"adult sex without ffc called labor exploitation", func(r *triage.Rules, _ *directory.Directory) bool {
			a := assessmentRule(r, "explain.adult_sex_no_ffc")
			if a == nil {
				return false
			}
			a.Assessment = triage.AssessLaborExploitation
			return true
		}},
		{"no CyberTipline", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sNCMEC, "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				rule.When.Danger = &bTrue
				rule.When.Diplomat = &bTrue
			}) > 0
		}},
		{"Wage and Hour for ffc yes instead of no", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sWHD, "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				if slices.Contains(rule.When.FFC, triage.FFCNo) {
					rule.When.FFC = triage.OneOf{triage.FFCYes}
				}
			}) > 0
		}},
		{"HSI Tip Line ahead of the Hotline", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sDHS, "call", func(_ *triage.StepRule, sp *triage.StepSpec) { sp.Rank = 1 }) > 0
		}},
		{"domestic HSI number outside the U.S.", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sDHS, "call", func(_ *triage.StepRule, sp *triage.StepSpec) { sp.Scope = "domestic" }) > 0
		}},
		{"the Hotline's learn-more also outside the U.S.", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sNHTH, "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				if slices.Contains(rule.When.Role, triage.RoleLearn) {
					rule.When.OutsideUS = nil
				}
			}) > 0
		}},
		{"the Hotline only for role self", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sNHTH, "", func(rule *triage.StepRule, _ *triage.StepSpec) { rule.When.Role = triage.OneOf{triage.RoleSelf} }) > 0
		}},
		{"DSS only for visa fraud", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sDSS, "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				if rule.When.Diplomat != nil {
					rule.When.Diplomat, rule.When.VisaFraud = nil, &bTrue
				}
			}) > 0
		}},
		{"OIG anonymity not said", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sOIG, "", func(_ *triage.StepRule, sp *triage.StepSpec) { sp.Reason = "reason.oig" }) > 0
		}},
		{"no EEOC", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, sEEOC, "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				rule.When.Danger = &bTrue
				rule.When.Diplomat = &bTrue
			}) > 0
		}},
		{"911 for role learn without danger", func(r *triage.Rules, _ *directory.Directory) bool {
			return specs(r, "tip-report", "", func(rule *triage.StepRule, _ *triage.StepSpec) {
				rule.Add = append(rule.Add, triage.StepSpec{Service: s911, Channel: "call", Rank: 50, Reason: "reason.danger"})
			}) > 0
		}},
		{"EEOC hours read in Central time", func(_ *triage.Rules, d *directory.Directory) bool {
			d.Services = slices.Clone(d.Services)
			for i := range d.Services {
				if d.Services[i].Slug == sEEOC {
					d.Services[i].Hours.TimeZone = "America/Chicago"
					return true
				}
			}
			return false
		}},
	} {
		t.Run(m.name, func(t *testing.T) {
			r, d := cloneRules(*u.pack.Routing), u.pack.Directory
			if !m.mutate(&r, &d) {
				t.Fatalf("the rule to break is not in the U.S. rules any more; update this mutation")
			}
			e, err := triage.New(r, &d)
			if err != nil {
				t.Fatalf("the broken rules do not load: %v", err)
			}
			caught := 0
			for _, c := range sc {
				if len(u.run(e, c)) > 0 {
					caught++
				}
			}
			if caught == 0 {
				t.Errorf("no scenario notices it")
			}
			t.Logf("%d of %d scenarios notice it", caught, len(sc))
		})
	}
}
