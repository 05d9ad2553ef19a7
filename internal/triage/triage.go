// Package triage turns a few facts about a person's situation into an
// ordered plan: whom to contact, how, whether they are open now, whether
// they are law enforcement, and why. The rules are data (a pack's
// routing.yaml); this package is the one small engine that applies them.
package triage

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Who is asking.
const (
	RoleSelf  = "self"  // it is happening to me
	RoleOther = "other" // I am worried about someone
	RoleLearn = "learn" // I want to learn or help
)

// Roles lists the valid roles.
var Roles = []string{RoleSelf, RoleOther, RoleLearn}

// Answers about force, fraud or coercion.
const (
	FFCYes    = "yes"
	FFCNo     = "no"
	FFCUnsure = "unsure"
)

// FFCAnswers lists the valid answers about force, fraud or coercion.
var FFCAnswers = []string{FFCYes, FFCNo, FFCUnsure}

// VisaPrograms lists the Labor Department visa programs the source names.
var VisaPrograms = []string{"H-1B", "H-2A", "H-2B", "PERM"}

// Channels a person can prefer. A step can also use "website" (an
// organization to learn from or support).
var Channels = []string{"call", "text", "online", "email"}

// Assessments.
const (
	AssessTrafficking         = "trafficking"
	AssessPossibleTrafficking = "possible_trafficking"
	AssessLaborExploitation   = "labor_exploitation"
	AssessOutsideDefinition   = "outside_definition"
	AssessNotEnoughInfo       = "not_enough_information"
)

// Assessments lists every assessment.
var Assessments = []string{AssessTrafficking, AssessPossibleTrafficking, AssessLaborExploitation, AssessOutsideDefinition, AssessNotEnoughInfo}

// Situation is what a person tells Haven. Every field is optional; a false
// or empty field means "not said".
type Situation struct {
	Danger           bool       `json:"danger,omitempty"`
	Role             string     `json:"role,omitempty"`
	Minor            bool       `json:"minor,omitempty"`
	Sex              bool       `json:"sex,omitempty"`
	Labor            bool       `json:"labor,omitempty"`
	FFC              string     `json:"ffc,omitempty"`
	OnlineChildAbuse bool       `json:"online_child_abuse,omitempty"`
	VisaFraud        bool       `json:"visa_fraud,omitempty"`
	Diplomat         bool       `json:"diplomat,omitempty"`
	VisaProgram      string     `json:"visa_program,omitempty"`
	Discrimination   bool       `json:"discrimination,omitempty"`
	OutsideUS        bool       `json:"outside_us,omitempty"`
	Anonymous        bool       `json:"anonymous,omitempty"`
	NoPolice         bool       `json:"no_police,omitempty"`
	Channel          string     `json:"channel,omitempty"`
	At               *time.Time `json:"at,omitempty"`
	Lang             string     `json:"lang,omitempty"`
}

// FieldError says which field of a situation is wrong.
type FieldError struct {
	Field string // the snake_case name, as in JSON
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Validate returns a *FieldError for the first field with a value Haven
// does not know, or nil.
func (s Situation) Validate() error {
	check := func(field, v string, allowed []string) error {
		if v != "" && !slices.Contains(allowed, v) {
			return &FieldError{Field: field, Msg: fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))}
		}
		return nil
	}
	for _, err := range []error{
		check("role", s.Role, Roles),
		check("ffc", s.FFC, FFCAnswers),
		check("visa_program", s.VisaProgram, VisaPrograms),
		check("channel", s.Channel, Channels),
	} {
		if err != nil {
			return err
		}
	}
	if len(s.Lang) > 35 {
		return &FieldError{Field: "lang", Msg: "too long for a BCP 47 tag"}
	}
	return nil
}

// Plan is the answer: how the facts relate to the legal definition, and
// the ordered steps to take.
type Plan struct {
	Assessment  string `json:"assessment"`
	Explanation string `json:"explanation"`
	Steps       []Step `json:"steps"`
}

// Step is one service to contact on one channel.
type Step struct {
	Service  string   `json:"service"`
	Name     string   `json:"name"`
	Channel  string   `json:"channel"`
	Contact  string   `json:"contact"`
	Display  string   `json:"display"`
	Keywords []string `json:"keywords,omitempty"`
	// LawEnforcement and ImmigrationAuthority are null where the pack's
	// source does not say.
	LawEnforcement       *bool    `json:"law_enforcement"`
	ImmigrationAuthority *bool    `json:"immigration_authority"`
	OpenNow              *bool    `json:"open_now"`
	Reasons              []string `json:"reasons"`
	// SetApart is true for a step that is law enforcement or an
	// immigration authority in a plan for someone who would rather avoid
	// them, unless it is urgent (911 in danger): such steps come after
	// every other step, and a page shows them apart, under their own
	// heading, as the person's choice.
	SetApart bool `json:"set_apart"`
}
