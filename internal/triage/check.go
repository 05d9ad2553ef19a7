package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/haven-project/haven/internal/directory"
)

// Problem is one thing wrong with a set of rules. Path locates it in the
// routing file: keys and list indexes from the top, such as
// ["steps", 3, "add", 0, "service"].
type Problem struct {
	Path []any
	Msg  string
}

// RulesError lists every problem New found.
type RulesError struct{ Problems []Problem }

func (e *RulesError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = fmt.Sprintf("%v: %s", p.Path, p.Msg)
	}
	return "triage: routing rules: " + strings.Join(msgs, "; ")
}

// Check reports every problem with the rules against a directory: unknown
// services, channels a service lacks, missing messages, unknown values in
// conditions, and a last assessment that is not a catch-all.
func (r *Rules) Check(d *directory.Directory) []Problem {
	var probs []Problem
	add := func(msg string, path ...any) { probs = append(probs, Problem{Path: path, Msg: msg}) }
	msg := func(key string, path ...any) {
		if key == "" {
			add("a message key is required", path...)
		} else if strings.TrimSpace(r.Messages[key]) == "" {
			add(fmt.Sprintf("message %q is not defined in messages", key), path...)
		}
	}
	if len(r.Assessments) == 0 {
		add("at least one assessment rule is required", "assessments")
	}
	for i, a := range r.Assessments {
		checkCond(&a.When, add, "assessments", i, "when")
		if !slices.Contains(Assessments, a.Assessment) {
			add(fmt.Sprintf("assessment %q: want one of %s", a.Assessment, strings.Join(Assessments, ", ")), "assessments", i, "assessment")
		}
		msg(a.Explanation, "assessments", i, "explanation")
	}
	if n := len(r.Assessments); n > 0 && !r.Assessments[n-1].When.empty() {
		add("the last assessment rule must have no condition, so every situation gets an assessment", "assessments", n-1, "when")
	}
	orgs := map[string]directory.Organization{}
	for _, o := range d.Organizations {
		orgs[o.Slug] = o
	}
	for i, sr := range r.Steps {
		checkCond(&sr.When, add, "steps", i, "when")
		if len(sr.Add) == 0 {
			add("a step rule must add at least one step", "steps", i, "add")
		}
		for j, sp := range sr.Add {
			msg(sp.Reason, "steps", i, "add", j, "reason")
			if sp.NoPoliceReason != "" {
				msg(sp.NoPoliceReason, "steps", i, "add", j, "no_police_reason")
			}
			svc, ok := d.Service(sp.Service)
			if !ok {
				add(fmt.Sprintf("service %q is not in the directory", sp.Service), "steps", i, "add", j, "service")
				continue
			}
			found := false
			for _, c := range ContactsOf(svc, orgs[svc.Organization]) {
				if c.Channel == sp.Channel && (sp.Scope == "" || c.Scope == sp.Scope) && (sp.Value == "" || c.Value == sp.Value) {
					found = true
					break
				}
			}
			if !found {
				what := sp.Channel
				if sp.Scope != "" {
					what += " " + sp.Scope
				}
				if sp.Value != "" {
					what += " " + sp.Value
				}
				add(fmt.Sprintf("service %s has no %s contact", sp.Service, what), "steps", i, "add", j, "channel")
			}
		}
	}
	return probs
}

func checkCond(c *Cond, add func(string, ...any), path ...any) {
	for _, f := range []struct {
		name    string
		vals    OneOf
		allowed []string
	}{{"role", c.Role, Roles}, {"ffc", c.FFC, FFCAnswers}, {"visa_program", c.VisaProgram, VisaPrograms}, {"channel", c.Channel, Channels}} {
		for _, v := range f.vals {
			if v != "" && !slices.Contains(f.allowed, v) {
				add(fmt.Sprintf("%s %q: want one of %s or none", f.name, v, strings.Join(f.allowed, ", ")), append(slices.Clone(path), f.name)...)
			}
		}
	}
	for i := range c.Any {
		checkCond(&c.Any[i], add, append(slices.Clone(path), "any", i)...)
	}
	if c.Not != nil {
		checkCond(c.Not, add, append(slices.Clone(path), "not")...)
	}
}

func (c *Cond) empty() bool {
	return c.Danger == nil && c.Minor == nil && c.Sex == nil && c.Labor == nil && c.OnlineChildAbuse == nil &&
		c.VisaFraud == nil && c.Diplomat == nil && c.Discrimination == nil && c.OutsideUS == nil &&
		c.Anonymous == nil && c.NoPolice == nil && len(c.Role) == 0 && len(c.FFC) == 0 &&
		len(c.VisaProgram) == 0 && len(c.Channel) == 0 && len(c.Any) == 0 && c.Not == nil
}

// Every enumerates every situation that differs in a way the rules can
// see: each yes/no question both ways and each choice with every answer
// (none included). Time and language do not matter to the rules.
func Every(yield func(Situation) bool) {
	withNone := func(vs []string) []string { return append([]string{""}, vs...) }
	for bits := 0; bits < 1<<11; bits++ {
		b := func(i int) bool { return bits&(1<<i) != 0 }
		for _, role := range withNone(Roles) {
			for _, ffc := range withNone(FFCAnswers) {
				for _, vp := range withNone(VisaPrograms) {
					for _, ch := range withNone(Channels) {
						s := Situation{
							Danger: b(0), Minor: b(1), Sex: b(2), Labor: b(3), OnlineChildAbuse: b(4), VisaFraud: b(5),
							Diplomat: b(6), Discrimination: b(7), OutsideUS: b(8), Anonymous: b(9), NoPolice: b(10),
							Role: role, FFC: ffc, VisaProgram: vp, Channel: ch,
						}
						if !yield(s) {
							return
						}
					}
				}
			}
		}
	}
}

// Unreachable reports assessment rules that no situation reaches (an
// earlier rule always matches first) and step rules whose condition no
// situation meets. It tries every situation the rules can tell apart, so
// it is exact, and takes a second or two: `haven check` runs it, serving
// does not.
func (r *Rules) Unreachable() []Problem {
	reachedA := make([]bool, len(r.Assessments))
	reachedS := make([]bool, len(r.Steps))
	left := len(reachedA) + len(reachedS)
	Every(func(s Situation) bool {
		for i := range r.Assessments {
			if r.Assessments[i].When.Match(s) {
				if !reachedA[i] {
					reachedA[i] = true
					left--
				}
				break
			}
		}
		for i := range r.Steps {
			if !reachedS[i] && r.Steps[i].When.Match(s) {
				reachedS[i] = true
				left--
			}
		}
		return left > 0
	})
	var probs []Problem
	for i, ok := range reachedA {
		if !ok {
			probs = append(probs, Problem{Path: []any{"assessments", i, "when"}, Msg: "no situation reaches this assessment rule: an earlier rule always matches first"})
		}
	}
	for i, ok := range reachedS {
		if !ok {
			probs = append(probs, Problem{Path: []any{"steps", i, "when"}, Msg: "no situation meets this step rule's condition"})
		}
	}
	return probs
}
