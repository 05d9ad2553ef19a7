package triage

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Rules are a pack's routing.yaml: messages, assessment rules (the first
// that matches gives the assessment) and step rules (every one that
// matches adds its steps).
type Rules struct {
	// Messages are the texts of explanations and reasons, by key, in the
	// pack's default locale.
	Messages    map[string]string `yaml:"messages"`
	Assessments []AssessmentRule  `yaml:"assessments"`
	Steps       []StepRule        `yaml:"steps"`
}

// AssessmentRule gives an assessment and its explanation when its
// condition holds. An empty condition always holds.
type AssessmentRule struct {
	When        Cond   `yaml:"when"`
	Assessment  string `yaml:"assessment"`
	Explanation string `yaml:"explanation"`
}

// StepRule adds steps when its condition holds.
type StepRule struct {
	When Cond       `yaml:"when"`
	Add  []StepSpec `yaml:"add"`
}

// StepSpec names one step: a service, a channel, optionally which of the
// service's contacts on that channel (by scope or by value), a rank (lower
// comes first) and the reason, a message key.
type StepSpec struct {
	Service string `yaml:"service"`
	Channel string `yaml:"channel"`
	Scope   string `yaml:"scope,omitempty"`
	Value   string `yaml:"value,omitempty"`
	Rank    int    `yaml:"rank"`
	Reason  string `yaml:"reason"`
	// Urgent steps stay ahead of every other step even when the person
	// avoids police (911 when someone is in immediate danger); NoPoliceReason
	// is then added to say why.
	Urgent         bool   `yaml:"urgent,omitempty"`
	NoPoliceReason string `yaml:"no_police_reason,omitempty"`
}

// Cond is a condition on a situation. Every field set must match; Any
// holds when at least one of its conditions does; Not when its condition
// does not. An empty Cond always holds.
type Cond struct {
	Danger           *bool  `yaml:"danger,omitempty"`
	Minor            *bool  `yaml:"minor,omitempty"`
	Sex              *bool  `yaml:"sex,omitempty"`
	Labor            *bool  `yaml:"labor,omitempty"`
	OnlineChildAbuse *bool  `yaml:"online_child_abuse,omitempty"`
	VisaFraud        *bool  `yaml:"visa_fraud,omitempty"`
	Diplomat         *bool  `yaml:"diplomat,omitempty"`
	Discrimination   *bool  `yaml:"discrimination,omitempty"`
	OutsideUS        *bool  `yaml:"outside_us,omitempty"`
	Anonymous        *bool  `yaml:"anonymous,omitempty"`
	NoPolice         *bool  `yaml:"no_police,omitempty"`
	Role             OneOf  `yaml:"role,omitempty"`
	FFC              OneOf  `yaml:"ffc,omitempty"`
	VisaProgram      OneOf  `yaml:"visa_program,omitempty"`
	Channel          OneOf  `yaml:"channel,omitempty"`
	Any              []Cond `yaml:"any,omitempty"`
	Not              *Cond  `yaml:"not,omitempty"`
}

// OneOf matches a string field against one value or a list of values. The
// value "" (written `none`) matches a field that was not given.
type OneOf []string

// UnmarshalYAML accepts a scalar or a sequence.
func (o *OneOf) UnmarshalYAML(n *yaml.Node) error {
	var vs []string
	switch n.Kind {
	case yaml.ScalarNode:
		vs = []string{n.Value}
	case yaml.SequenceNode:
		if err := n.Decode(&vs); err != nil {
			return err
		}
	default:
		return fmt.Errorf("line %d: want a value or a list of values", n.Line)
	}
	for i, v := range vs {
		if v == "none" {
			vs[i] = ""
		}
	}
	*o = vs
	return nil
}

func (o OneOf) match(v string) bool { return len(o) == 0 || slices.Contains(o, v) }

func matchBool(want *bool, got bool) bool { return want == nil || *want == got }

// Match reports whether the condition holds for s.
func (c *Cond) Match(s Situation) bool {
	if !(matchBool(c.Danger, s.Danger) && matchBool(c.Minor, s.Minor) && matchBool(c.Sex, s.Sex) &&
		matchBool(c.Labor, s.Labor) && matchBool(c.OnlineChildAbuse, s.OnlineChildAbuse) &&
		matchBool(c.VisaFraud, s.VisaFraud) && matchBool(c.Diplomat, s.Diplomat) &&
		matchBool(c.Discrimination, s.Discrimination) && matchBool(c.OutsideUS, s.OutsideUS) &&
		matchBool(c.Anonymous, s.Anonymous) && matchBool(c.NoPolice, s.NoPolice) &&
		c.Role.match(s.Role) && c.FFC.match(s.FFC) && c.VisaProgram.match(s.VisaProgram) && c.Channel.match(s.Channel)) {
		return false
	}
	if len(c.Any) > 0 {
		ok := false
		for i := range c.Any {
			if c.Any[i].Match(s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return c.Not == nil || !c.Not.Match(s)
}
