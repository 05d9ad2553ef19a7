package triage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/triage"
)

// pick returns the valid value sel chooses (0: none, 1..n: vs[sel-1]) or,
// for any larger sel, the arbitrary string.
func pick(sel uint8, vs []string, arbitrary string) string {
	if int(sel) <= len(vs) {
		if sel == 0 {
			return ""
		}
		return vs[sel-1]
	}
	return arbitrary
}

// FuzzPlan plans situations built from fuzzed answers. Each string field
// takes a valid value or the fuzzed string (the selector decides); an
// invalid value must give a *FieldError naming that field, and a valid
// situation a plan that keeps every invariant of the issue.
func FuzzPlan(f *testing.F) {
	u := loadUS(f)
	f.Add(uint16(0), uint8(0), uint8(0), uint8(0), uint8(0), "", "", "", "", "", int64(0))
	f.Add(uint16(1), uint8(1), uint8(3), uint8(2), uint8(2), "", "", "", "", "en", int64(1768316400))
	f.Add(uint16(1<<10|1<<9|1<<1|1<<2), uint8(2), uint8(2), uint8(4), uint8(1), "", "", "", "", "es", int64(1768352400))
	f.Add(uint16(1<<8|1<<10), uint8(3), uint8(1), uint8(0), uint8(3), "", "", "", "", "", int64(-1))
	f.Add(uint16(0x7ff), uint8(9), uint8(9), uint8(9), uint8(9), "boss", "maybe", "H-9Z", "fax", "x-very-long-language-tag-that-is-too-long", int64(0))
	f.Add(uint16(1<<3), uint8(0), uint8(9), uint8(0), uint8(0), "", "YES", "", "", "", int64(0))
	f.Add(uint16(0), uint8(9), uint8(0), uint8(0), uint8(9), "", "", "", "website", "", int64(0))
	f.Fuzz(func(t *testing.T, bits uint16, roleSel, ffcSel, vpSel, chSel uint8, role, ffc, vp, ch, lang string, atUnix int64) {
		b := func(i int) bool { return bits&(1<<i) != 0 }
		s := triage.Situation{
			Danger: b(0), Minor: b(1), Sex: b(2), Labor: b(3), OnlineChildAbuse: b(4), VisaFraud: b(5),
			Diplomat: b(6), Discrimination: b(7), OutsideUS: b(8), Anonymous: b(9), NoPolice: b(10),
			Role:        pick(roleSel, triage.Roles, role),
			FFC:         pick(ffcSel, triage.FFCAnswers, ffc),
			VisaProgram: pick(vpSel, triage.VisaPrograms, vp),
			Channel:     pick(chSel, triage.Channels, ch),
			Lang:        lang,
		}
		at := fixedAt
		if atUnix != 0 {
			at = time.Unix(atUnix%(1<<40), 0) // about 35,000 years either way
			s.At = &at
		}
		// The first invalid field, in the order Validate checks them.
		wantField := ""
		for _, f := range []struct {
			name, v string
			valid   []string
		}{{"role", s.Role, triage.Roles}, {"ffc", s.FFC, triage.FFCAnswers}, {"visa_program", s.VisaProgram, triage.VisaPrograms}, {"channel", s.Channel, triage.Channels}} {
			if f.v != "" && !slices.Contains(f.valid, f.v) {
				wantField = f.name
				break
			}
		}
		if wantField == "" && len(s.Lang) > 35 {
			wantField = "lang"
		}

		p, err := u.engine.Plan(s, fixedAt)
		if wantField != "" {
			var fe *triage.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%+v: error %v (%T), want a *triage.FieldError for %s", s, err, err, wantField)
			}
			if fe.Field != wantField {
				t.Fatalf("%+v: FieldError names %q, want %q", s, fe.Field, wantField)
			}
			if len(p.Steps) != 0 {
				t.Fatalf("%+v: steps with an error", s)
			}
			return
		}
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		for _, msg := range u.invariants(s, at, p) {
			t.Errorf("%+v: %s\n%s", s, msg, describe(p))
		}
	})
}

// BenchmarkPlan plans a typical situation: someone in the U.S. asking for
// themselves about labor with force, fraud or coercion, a visa program,
// and a preference for text.
func BenchmarkPlan(b *testing.B) {
	u := loadUS(b)
	s := triage.Situation{Role: triage.RoleSelf, Labor: true, FFC: triage.FFCYes, VisaProgram: "H-2A", Channel: "text"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.engine.Plan(s, fixedAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanWithHours is the same with discrimination, which brings in
// the EEOC and its weekly hours in New York time.
func BenchmarkPlanWithHours(b *testing.B) {
	u := loadUS(b)
	s := triage.Situation{Role: triage.RoleSelf, Labor: true, FFC: triage.FFCYes, VisaProgram: "H-2A", Channel: "text", Discrimination: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.engine.Plan(s, fixedAt); err != nil {
			b.Fatal(err)
		}
	}
}
