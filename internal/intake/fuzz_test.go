package intake_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/intake/intaketest"
)

// FuzzReadJSON: intake.ReadJSON never panics, refuses with a *FieldError only,
// and what it accepts reads back the same when encoded again.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{
		`{"token":"t","what_happened":"x"}`,
		`{"token":"t","pow":"12","what_happened":" x ","where":"w","when":"n","people_count":3,"minors_involved":"no","kind":"labor","danger":true,"reply_contact":"r","language":"en"}`,
		`{"what_happened":null,"people_count":null}`,
		`{"people_count":1.5}`, `{"people_count":-1}`, `{"danger":"yes"}`, `{"x":1}`, `{"what_happened":"a"}{}`,
		`[]`, `null`, ``, `{`, `"\ud800"`, `{"what_happened":"\u0000\ud800"}`, `{"WHAT_HAPPENED":"x"}`,
		`{"what_happened":"x","what_happened":"y"}`, `{"people_count":1e3}`, `{"people_count":99999999999999999999}`,
		"{\"what_happened\":\"\xff\"}", `{"what_happened":"\udc00"}`, `{"what_happened":"x","What_happened":"y"}`,
		`{"danger":null,"danger":true}`, "{\"wh\xffat\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := intake.ReadJSON(body)
		if err != nil {
			intaketest.CheckFieldError(t, err, true)
			return
		}
		if len(sub.Tip.Files) != 0 || sub.Reply != "" {
			t.Fatalf("a JSON tip with files or a reply choice: %v", sub)
		}
		again, err := intake.ReadJSON(body)
		if err != nil || !reflect.DeepEqual(sub, again) {
			t.Fatalf("intake.ReadJSON is not deterministic: %+v, then %+v (%v)", sub, again, err)
		}
		// Encoded again, the submission reads back the same.
		out := map[string]any{}
		for k, v := range map[string]string{
			intake.FieldToken: sub.Token, intake.FieldPow: sub.Pow, intake.FieldWhat: sub.Tip.WhatHappened, intake.FieldWhere: sub.Tip.Where,
			intake.FieldWhen: sub.Tip.When, intake.FieldMinors: sub.Tip.MinorsInvolved, intake.FieldKind: sub.Tip.Kind,
			intake.FieldReply: sub.Tip.ReplyContact, intake.FieldLanguage: sub.Tip.Language,
		} {
			if v != "" {
				out[k] = v
			}
		}
		if sub.Tip.PeopleCount != nil {
			out[intake.FieldPeople] = *sub.Tip.PeopleCount
		}
		if sub.Tip.Danger != nil {
			out[intake.FieldDanger] = *sub.Tip.Danger
		}
		enc, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := intake.ReadJSON(enc)
		if err != nil || !reflect.DeepEqual(sub, back) {
			t.Fatalf("%s reads back as %+v (%v), want %+v", enc, back, err, sub)
		}
		intaketest.CheckValid(t, sub.Tip)
	})
}
