package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/triage"
)

// The help flow: /help asks a few questions per page with GET forms, and
// /help/plan shows the plan. There is no session: each page carries the
// answers given so far in hidden fields of its form and in its "Skip"
// link, so nothing is stored anywhere, no cookie is set, and the server's
// access log, which records the route pattern only, never sees them. The
// parameters are the JSON field names of triage.Situation.

// paramStep is the question page to show, 1 to len(helpSteps()).
const paramStep = "step"

// Yes/no parameters take "yes" or "no"; a checkbox sends "yes" when ticked.
const (
	answerYes = "yes"
	answerNo  = "no"
)

// boolField is one yes/no parameter and where it goes in a situation.
type boolField struct {
	name string
	v    *bool
}

type stringField struct {
	name string
	v    *string
}

func boolFields(s *triage.Situation) []boolField {
	return []boolField{
		{"danger", &s.Danger}, {"minor", &s.Minor}, {"sex", &s.Sex}, {"labor", &s.Labor},
		{"online_child_abuse", &s.OnlineChildAbuse}, {"visa_fraud", &s.VisaFraud}, {"diplomat", &s.Diplomat},
		{"discrimination", &s.Discrimination}, {"outside_us", &s.OutsideUS}, {"anonymous", &s.Anonymous},
		{"no_police", &s.NoPolice},
	}
}

func stringFields(s *triage.Situation) []stringField {
	return []stringField{{"role", &s.Role}, {"ffc", &s.FFC}, {"visa_program", &s.VisaProgram}, {"channel", &s.Channel}}
}

// questionSpec is one question of a help page. A question with a name is
// one choice among values (radio buttons; the value "" means "none of
// these"); without a name, each value is a yes/no parameter of its own
// (checkboxes). Its texts are the catalog keys help.q.<key>.legend, .hint
// when hint is set, and .<choiceKey(value)> for each choice.
type questionSpec struct {
	key    string
	name   string
	values []string
	hint   bool
}

// helpSteps are the question pages, in order.
func helpSteps() [][]questionSpec {
	withNone := func(vs []string) []string { return append(append([]string(nil), vs...), "") }
	return [][]questionSpec{
		{{key: "danger", name: "danger", values: []string{answerYes, answerNo}}},
		{{key: "role", name: "role", values: triage.Roles}},
		{
			{key: "what", values: []string{"sex", "labor", "minor", "online_child_abuse"}},
			{key: "ffc", name: "ffc", values: triage.FFCAnswers, hint: true},
		},
		{
			{key: "details", values: []string{"visa_fraud", "diplomat", "discrimination", "outside_us"}},
			{key: "visa_program", name: "visa_program", values: withNone(triage.VisaPrograms), hint: true},
		},
		{
			{key: "prefs", values: []string{"anonymous", "no_police"}},
			{key: "channel", name: "channel", values: withNone(triage.Channels)},
		},
	}
}

// choiceKey is the catalog key segment of a choice: "H-2A" is "h2a", and
// "" (none of these) is "none".
func choiceKey(v string) string {
	if v == "" {
		return "none"
	}
	return strings.ToLower(strings.ReplaceAll(v, "-", ""))
}

// helpKeys are the catalog keys the help flow looks up from Go.
func helpKeys() []string {
	var keys []string
	for _, step := range helpSteps() {
		for _, q := range step {
			keys = append(keys, "help.q."+q.key+".legend")
			if q.hint {
				keys = append(keys, "help.q."+q.key+".hint")
			}
			for _, v := range q.values {
				keys = append(keys, "help.q."+q.key+"."+choiceKey(v))
			}
		}
	}
	for _, a := range triage.Assessments {
		keys = append(keys, "plan.assess."+a)
	}
	return keys
}

// fieldsOf are the parameters a page's questions set.
func fieldsOf(step []questionSpec) []string {
	var out []string
	for _, q := range step {
		if q.name != "" {
			out = append(out, q.name)
		} else {
			out = append(out, q.values...)
		}
	}
	return out
}

// parseHelp reads the answers of a help query string, and the page asked
// for when withStep. It names the first parameter whose value Haven does
// not know, or that is given twice. Other parameters are ignored.
func parseHelp(q url.Values, withStep bool) (s triage.Situation, step int, bad string) {
	step = 1
	known := []string{}
	for _, f := range boolFields(&s) {
		known = append(known, f.name)
	}
	for _, f := range stringFields(&s) {
		known = append(known, f.name)
	}
	if withStep {
		known = append(known, paramStep)
	}
	for _, k := range known {
		if len(q[k]) > 1 {
			return s, 0, k
		}
	}
	if withStep && q.Has(paramStep) {
		n, err := strconv.Atoi(q.Get(paramStep))
		if err != nil || n < 1 || n > len(helpSteps()) || strconv.Itoa(n) != q.Get(paramStep) {
			return s, 0, paramStep
		}
		step = n
	}
	for _, f := range boolFields(&s) {
		switch q.Get(f.name) {
		case "", answerNo:
		case answerYes:
			*f.v = true
		default:
			return s, 0, f.name
		}
	}
	for _, f := range stringFields(&s) {
		*f.v = q.Get(f.name)
	}
	if err := s.Validate(); err != nil {
		var fe *triage.FieldError
		if errors.As(err, &fe) {
			return s, 0, fe.Field
		}
		return s, 0, "?"
	}
	return s, step, ""
}

// hiddenField is an answer carried to the next page.
type hiddenField struct{ Name, Value string }

// answers lists the answers given, in a fixed order, leaving out the
// parameters in except.
func answers(s triage.Situation, except []string) []hiddenField {
	skip := func(name string) bool {
		for _, e := range except {
			if e == name {
				return true
			}
		}
		return false
	}
	var out []hiddenField
	for _, f := range boolFields(&s) {
		if *f.v && !skip(f.name) {
			out = append(out, hiddenField{f.name, answerYes})
		}
	}
	for _, f := range stringFields(&s) {
		if *f.v != "" && !skip(f.name) {
			out = append(out, hiddenField{f.name, *f.v})
		}
	}
	return out
}

// helpHref is a link to a help page carrying answers.
func helpHref(path string, step int, fields []hiddenField) string {
	v := url.Values{}
	for _, f := range fields {
		v.Set(f.Name, f.Value)
	}
	if step > 0 {
		v.Set(paramStep, strconv.Itoa(step))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

type choiceView struct {
	ID, Type, Name, Value, Label string
	Checked                      bool
}

type questionView struct {
	ID      string
	Legend  string
	Hint    string
	Choices []choiceView
}

type helpView struct {
	base
	Emergency *contactView // when someone is in immediate danger
	Step      int
	Steps     int
	Action    string // where the form goes
	Next      int    // the next page's step; 0 when the form shows the plan
	Hidden    []hiddenField
	Questions []questionView
	SkipHref  string
}

type planStepView struct {
	marks
	N       int // the step's number in the whole plan, from 1
	Service string
	Name    template.HTML
	Channel string
	Contact string
	Action  contactView
	Open    string        // "open", "closed" or "" (hours not stated)
	Hours   template.HTML // the hours as the source writes them, when closed
	Reasons []template.HTML
}

type planView struct {
	base
	Emergency      *contactView
	Assessment     string
	AssessmentText string
	Explanation    template.HTML
	Steps          []planStepView
	// Apart are the steps the plan sets apart (police and immigration,
	// for a person who avoids them), shown after Steps under their own
	// heading; ApartStart is the number of the first of them.
	Apart      []planStepView
	ApartStart int
	// Report is this site's own report form, offered after the steps to
	// anyone but a person who came to learn, while the form takes tips;
	// nil otherwise.
	Report     *planReport
	ChangeHref string
}

// helpPage answers GET /help: one page of questions.
func (p *Pages) helpPage(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.engine == nil {
		p.notFound(w, r, loc)
		return
	}
	s, step, bad := parseHelp(r.URL.Query(), true)
	if bad != "" {
		p.badAnswer(w, r, loc)
		return
	}
	v, err := p.helpView(r, loc, s, step)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	pg, err := p.renderFresh(r, loc, pageHelp, v)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.writeWith(w, r, http.StatusOK, loc, pg, cacheNoStore)
}

func (p *Pages) helpView(r *http.Request, loc string, s triage.Situation, step int) (helpView, error) {
	l := p.cat.Localizer(loc)
	steps := helpSteps()
	specs := steps[step-1]
	v := helpView{base: p.base(loc, "help", p.here(r)), Step: step, Steps: len(steps), Action: localePath(loc, "/help"), Next: step + 1}
	if step == len(steps) {
		v.Action, v.Next = localePath(loc, "/help/plan"), 0
	}
	own := fieldsOf(specs)
	v.Hidden = answers(s, own)
	v.SkipHref = helpHref(v.Action, v.Next, v.Hidden)
	if s.Danger {
		e, err := p.emergency(r)
		if err != nil {
			return v, err
		}
		v.Emergency = e
	}
	given := map[string]string{}
	for _, f := range answers(s, nil) {
		given[f.Name] = f.Value
	}
	for _, q := range specs {
		qv := questionView{ID: "q-" + q.key}
		var err error
		if qv.Legend, err = label(l, "help.q."+q.key+".legend"); err != nil {
			return v, err
		}
		if q.hint {
			if qv.Hint, err = label(l, "help.q."+q.key+".hint"); err != nil {
				return v, err
			}
		}
		for _, val := range q.values {
			c := choiceView{ID: "a-" + q.key + "-" + choiceKey(val)}
			if c.Label, err = label(l, "help.q."+q.key+"."+choiceKey(val)); err != nil {
				return v, err
			}
			if q.name != "" {
				c.Type, c.Name, c.Value = "radio", q.name, val
				c.Checked = given[q.name] == val && val != ""
			} else {
				c.Type, c.Name, c.Value = "checkbox", val, answerYes
				c.Checked = given[val] == answerYes
			}
			qv.Choices = append(qv.Choices, c)
		}
		v.Questions = append(v.Questions, qv)
	}
	return v, nil
}

// planPage answers GET /help/plan: the plan for the answers given.
func (p *Pages) planPage(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.engine == nil {
		p.notFound(w, r, loc)
		return
	}
	s, _, bad := parseHelp(r.URL.Query(), false)
	if bad != "" {
		p.badAnswer(w, r, loc)
		return
	}
	v, err := p.planView(r, loc, s)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	pg, err := p.renderFresh(r, loc, pagePlan, v)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.writeWith(w, r, http.StatusOK, loc, pg, cacheNoStore)
}

func (p *Pages) planView(r *http.Request, loc string, s triage.Situation) (planView, error) {
	l := p.cat.Localizer(loc)
	v := planView{base: p.base(loc, "help", p.here(r))}
	plan, err := p.engine.Plan(s, p.now())
	if err != nil {
		return v, fmt.Errorf("web: plan: %w", err)
	}
	v.Assessment, v.Explanation = plan.Assessment, p.trhRouting(loc, plan.Explanation)
	if v.AssessmentText, err = label(l, "plan.assess."+plan.Assessment); err != nil {
		return v, err
	}
	v.ChangeHref = helpHref(localePath(loc, "/help"), 1, answers(s, nil))
	if s.Danger {
		if v.Emergency, err = p.emergency(r); err != nil {
			return v, err
		}
	}
	snap, err := p.current(r.Context())
	if err != nil {
		return v, err
	}
	for _, st := range plan.Steps {
		sv := planStepView{
			marks:   newMarks(st.LawEnforcement, st.ImmigrationAuthority),
			Service: st.Service, Name: p.trh(loc, "service."+st.Service+".name", st.Name), Channel: st.Channel, Contact: st.Contact,
			Open: openLabel(st.OpenNow),
		}
		for _, reason := range st.Reasons {
			sv.Reasons = append(sv.Reasons, p.trhRouting(loc, reason))
		}
		if sv.Action, err = p.stepContact(st); err != nil {
			return v, err
		}
		if svc, ok := snap.services[st.Service]; ok {
			hours, key := svc.Hours, "service."+svc.Slug
			for i, c := range svc.Contacts {
				if c.Channel == st.Channel && c.Value == st.Contact {
					sv.Action.DisplayAlt = c.DisplayAlt
					if h, own := contactHours(svc, c); own {
						hours, key = h, key+".contacts."+strconv.Itoa(i)
					}
					break
				}
			}
			if sv.Open == "closed" {
				sv.Hours = p.trh(loc, key+".hours.display", hours.Display)
			}
		}
		sv.N = len(v.Steps) + len(v.Apart) + 1
		if st.SetApart {
			v.Apart = append(v.Apart, sv)
		} else {
			v.Steps = append(v.Steps, sv)
		}
	}
	v.ApartStart = len(v.Steps) + 1
	if s.Role != triage.RoleLearn && p.desk != nil && p.desk.Open(r.Context()) {
		v.Report = &planReport{Recipient: p.trh(loc, "tips.recipient", p.meta.Tips.Recipient)}
		if le := p.meta.Tips.LawEnforcement; le != nil {
			v.Report.LawEnforcement = yesNo(*le)
		}
	}
	return v, nil
}

// planReport is the report form as a plan offers it: who reads the
// reports and whether they are law enforcement ("yes", "no", "" not said).
type planReport struct {
	Recipient      template.HTML
	LawEnforcement string
}

// stepContact is the tap target of a plan step, built and checked as on
// every other page.
func (p *Pages) stepContact(st triage.Step) (contactView, error) {
	v := contactView{Channel: st.Channel, Display: st.Display, Keywords: st.Keywords}
	href, keyword, err := p.tapTarget(st.Channel, st.Contact, st.Keywords)
	if err != nil {
		return v, fmt.Errorf("web: plan step %s: %w", st.Service, err)
	}
	v.Href, v.Keyword = href, keyword
	return v, nil
}

// emergency is the call button of the pack's first emergency service, for
// the top of every help page once someone said they are in danger. Nil
// when the pack has none.
func (p *Pages) emergency(r *http.Request) (*contactView, error) {
	snap, err := p.current(r.Context())
	if err != nil {
		return nil, err
	}
	for i := range snap.dir.Services {
		s := &snap.dir.Services[i]
		if s.Kind != directory.KindEmergency {
			continue
		}
		if calls := s.ContactsBy(directory.ChannelCall); len(calls) > 0 {
			c, err := p.contact(s, calls[0])
			if err != nil {
				return nil, err
			}
			return &c, nil
		}
	}
	return nil, nil
}

// badAnswer answers 400 with a page, never stored, that asks the person to
// start again: an answer Haven cannot read comes from an address changed
// by hand or an old link, and the parameter's name would mean nothing to
// them.
func (p *Pages) badAnswer(w http.ResponseWriter, r *http.Request, loc string) {
	v := errorView{base: p.base(loc, "", p.here(r)), Status: http.StatusBadRequest, Kind: errBadAnswer}
	pg, err := p.renderFresh(r, loc, pageError, v)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.writeWith(w, r, http.StatusBadRequest, loc, pg, cacheNoStore)
}
