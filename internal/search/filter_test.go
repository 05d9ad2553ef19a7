package search

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/store"
)

func known(slug string) bool { return slug == "general" || slug == "research" }

func TestParseFilter(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		query   string
		opt     Options
		want    store.ServiceFilter
		param   string
		problem Problem
	}{
		{query: "", want: store.ServiceFilter{}},
		{query: "topic=general&kind=hotline&law_enforcement=false&q=+labor+", want: store.ServiceFilter{Topic: "general", Kind: "hotline", LawEnforcement: &no, Query: "labor"}},
		{query: "law_enforcement=true", want: store.ServiceFilter{LawEnforcement: &yes}},
		{query: "page=2&topic=research", want: store.ServiceFilter{Topic: "research"}},
		{query: "topic=weather", param: "topic", problem: Unknown},
		{query: "topic=", param: "topic", problem: Unknown},
		{query: "topic=&kind=&law_enforcement=&q=", opt: Options{EmptyIsAny: true}, want: store.ServiceFilter{}},
		{query: "topic=general&topic=research", param: "topic", problem: Repeated},
		{query: "q=a&q=b", opt: Options{EmptyIsAny: true}, param: "q", problem: Repeated},
		{query: "kind=HOTLINE", param: "kind", problem: Unknown},
		{query: "law_enforcement=1", param: "law_enforcement", problem: Unknown},
		{query: "q=" + strings.Repeat("é", MaxQueryRunes), want: store.ServiceFilter{Query: strings.Repeat("é", MaxQueryRunes)}},
		{query: "q=" + strings.Repeat("a", MaxQueryRunes+1), param: "q", problem: TooLong},
		{query: "q=%FF", param: "q", problem: BadText},
		{query: "q=a%07b", param: "q", problem: BadText},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseFilter(q, known, tc.opt)
		var pe *ParamError
		switch {
		case tc.param == "" && err != nil:
			t.Errorf("%q: %v", tc.query, err)
		case tc.param != "" && (!errors.As(err, &pe) || pe.Param != tc.param || pe.Problem != tc.problem):
			t.Errorf("%q: error %v, want %s %s", tc.query, err, tc.param, tc.problem)
		case tc.param == "" && !same(got, tc.want):
			t.Errorf("%q: %+v, want %+v", tc.query, got, tc.want)
		}
	}
}

func same(a, b store.ServiceFilter) bool {
	if (a.LawEnforcement == nil) != (b.LawEnforcement == nil) || (a.LawEnforcement != nil && *a.LawEnforcement != *b.LawEnforcement) {
		return false
	}
	a.LawEnforcement, b.LawEnforcement = nil, nil
	return a == b
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"topic=general&q=labor", "q=%FF", "kind=hotline&kind=x", "law_enforcement=false"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, o := range []Options{{}, {EmptyIsAny: true}} {
			got, err := ParseFilter(q, known, o)
			if err != nil {
				var pe *ParamError
				if !errors.As(err, &pe) {
					t.Fatalf("%q: %T %v", raw, err, err)
				}
				continue
			}
			if checkText(got.Query) != "" || (got.Topic != "" && !known(got.Topic)) {
				t.Fatalf("%q: accepted %+v", raw, got)
			}
		}
	})
}
