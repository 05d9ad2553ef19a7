package triage

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/haven-project/haven/internal/directory"
)

// Engine applies a pack's rules to situations. It is safe for concurrent
// use; it never changes after New.
type Engine struct {
	rules    Rules
	services map[string]directory.Service
	orgs     map[string]directory.Organization
	zones    map[string]*time.Location // every time zone the hours name, loaded once
}

// New checks the rules against the directory and returns an engine, or an
// error listing every problem.
func New(r Rules, d *directory.Directory) (*Engine, error) {
	if probs := r.Check(d); len(probs) > 0 {
		return nil, &RulesError{Problems: probs}
	}
	e := &Engine{rules: r, services: map[string]directory.Service{}, orgs: map[string]directory.Organization{}, zones: map[string]*time.Location{}}
	for _, s := range d.Services {
		e.services[s.Slug] = s
		for _, h := range append([]*directory.Hours{&s.Hours}, contactHours(s)...) {
			if h.Kind != directory.HoursWeekly {
				continue
			}
			if _, ok := e.zones[h.TimeZone]; ok {
				continue
			}
			loc, err := time.LoadLocation(h.TimeZone)
			if err != nil {
				return nil, fmt.Errorf("triage: service %s: time zone %q: %w", s.Slug, h.TimeZone, err)
			}
			e.zones[h.TimeZone] = loc
		}
	}
	for _, o := range d.Organizations {
		e.orgs[o.Slug] = o
	}
	return e, nil
}

// Message returns the text of a message key of the rules.
func (e *Engine) Message(key string) string { return e.rules.Messages[key] }

// Messages returns a copy of every message of the rules, by key.
func (e *Engine) Messages() map[string]string {
	out := make(map[string]string, len(e.rules.Messages))
	for k, v := range e.rules.Messages {
		out[k] = v
	}
	return out
}

// candidate is a step while the plan is being built.
type candidate struct {
	Step
	rank   int
	urgent bool
	order  int
	group  *group // the service's steps, kept together
	level  directory.Enforcement
}

// group is what a service's steps share when they are ordered.
type group struct {
	rank  int  // the best rank of the service's steps
	open  bool // one of them is open now
	order int  // where the service first appeared
}

// Plan answers a situation. The time of the question is s.At when given,
// else now. It returns a *FieldError for an invalid situation.
func (e *Engine) Plan(s Situation, now time.Time) (Plan, error) {
	if err := s.Validate(); err != nil {
		return Plan{}, err
	}
	at := now
	if s.At != nil {
		at = *s.At
	}
	p := Plan{Assessment: AssessNotEnoughInfo, Steps: []Step{}}
	p.Assessment, p.Explanation = e.assess(s)
	cands, err := e.candidates(s, at)
	if err != nil {
		return Plan{}, err
	}
	for _, c := range cands {
		c.SetApart = s.NoPolice && !c.urgent && c.level == directory.Enforcing
	}
	order(cands, s)
	for _, c := range cands {
		p.Steps = append(p.Steps, c.Step)
	}
	return p, nil
}

// assess is the first assessment rule that matches s, and its
// explanation; AssessNotEnoughInfo when none does.
func (e *Engine) assess(s Situation) (string, string) {
	for i := range e.rules.Assessments {
		r := &e.rules.Assessments[i]
		if r.When.Match(s) {
			return r.Assessment, e.rules.Messages[r.Explanation]
		}
	}
	return AssessNotEnoughInfo, ""
}

// candidates are the steps of every rule that matches s, one per service
// contact: a contact two rules add is one step with both reasons, the
// better rank, and urgent if either is.
func (e *Engine) candidates(s Situation, at time.Time) ([]*candidate, error) {
	var cands []*candidate
	byContact := map[string]*candidate{}
	for i := range e.rules.Steps {
		r := &e.rules.Steps[i]
		if !r.When.Match(s) {
			continue
		}
		for _, spec := range r.Add {
			svc := e.services[spec.Service]
			c, ok := e.contact(svc, spec)
			if !ok {
				return nil, fmt.Errorf("triage: service %s has no %s contact (the rules were checked; this is a bug)", spec.Service, spec.Channel)
			}
			key := svc.Slug + "\x00" + c.Channel + "\x00" + c.Value
			cd, ok := byContact[key]
			if ok {
				cd.rank = min(cd.rank, spec.Rank)
				cd.urgent = cd.urgent || spec.Urgent
				cd.addReason(e.rules.Messages[spec.Reason])
			} else {
				cd = e.newCandidate(svc, c, spec, at, len(cands))
				byContact[key] = cd
				cands = append(cands, cd)
			}
			if spec.Urgent && s.NoPolice && spec.NoPoliceReason != "" {
				cd.addReason(e.rules.Messages[spec.NoPoliceReason])
			}
		}
	}
	return cands, nil
}

// newCandidate is the step for contact c of svc, as spec adds it. Hours
// are the contact's own when it has them, else the service's.
func (e *Engine) newCandidate(svc directory.Service, c directory.Contact, spec StepSpec, at time.Time, order int) *candidate {
	hours := svc.Hours
	if c.Hours != nil {
		hours = *c.Hours
	}
	return &candidate{
		Step: Step{
			Service: svc.Slug, Name: svc.Name, Channel: c.Channel, Contact: c.Value, Display: c.Display,
			Keywords: c.Keywords, LawEnforcement: svc.LawEnforcement, ImmigrationAuthority: svc.ImmigrationAuthority,
			OpenNow: e.openAt(hours, at), Reasons: []string{e.rules.Messages[spec.Reason]},
		},
		rank: spec.Rank, urgent: spec.Urgent, order: order, level: svc.Enforcement(),
	}
}

// order sorts the candidates (see less), each service's steps sharing one
// group.
func order(cands []*candidate, s Situation) {
	groups := map[string]*group{}
	for _, c := range cands {
		g, ok := groups[c.Service]
		if !ok {
			g = &group{rank: c.rank, order: c.order}
			groups[c.Service] = g
		}
		g.rank = min(g.rank, c.rank)
		g.open = g.open || isOpen(c)
		c.group = g
	}
	sort.SliceStable(cands, func(i, j int) bool { return less(cands[i], cands[j], s) })
}

// openAt is hours.OpenAt with the engine's loaded time zones.
func (e *Engine) openAt(h directory.Hours, t time.Time) *bool {
	if loc, ok := e.zones[h.TimeZone]; ok {
		return h.OpenIn(t, loc)
	}
	return h.OpenAt(t)
}

func contactHours(s directory.Service) []*directory.Hours {
	var hs []*directory.Hours
	for _, c := range s.Contacts {
		if c.Hours != nil {
			hs = append(hs, c.Hours)
		}
	}
	return hs
}

func (c *candidate) addReason(r string) {
	if r != "" && !slices.Contains(c.Reasons, r) {
		c.Reasons = append(c.Reasons, r)
	}
}

func isOpen(c *candidate) bool { return c.OpenNow != nil && *c.OpenNow }

// less orders steps: steps set apart (police and immigration, for a
// person who avoids them) after every other; then urgent first; for a person avoiding police, services
// a source says are neither law enforcement nor immigration, then those no
// source speaks of, then law enforcement and immigration;
// then services by the best rank of their steps, an open service first
// where two rank the same, each service's steps together; within a
// service, the channel the person prefers, then rank, then open now; last,
// the order the rules gave.
func less(a, b *candidate, s Situation) bool {
	if a.SetApart != b.SetApart {
		return b.SetApart
	}
	if a.urgent != b.urgent {
		return a.urgent
	}
	if s.NoPolice && a.level != b.level {
		return a.level < b.level
	}
	if a.group != b.group {
		if a.group.rank != b.group.rank {
			return a.group.rank < b.group.rank
		}
		if a.group.open != b.group.open {
			return a.group.open
		}
		return a.group.order < b.group.order
	}
	if s.Channel != "" && (a.Channel == s.Channel) != (b.Channel == s.Channel) {
		return a.Channel == s.Channel
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	if isOpen(a) != isOpen(b) {
		return isOpen(a)
	}
	return a.order < b.order
}

// contact picks the service's contact a step names: the first on the
// channel that matches the spec's scope and value. For the website channel
// a service with no website contact of its own is reached through its
// organization's website.
func (e *Engine) contact(svc directory.Service, spec StepSpec) (directory.Contact, bool) {
	for _, c := range ContactsOf(svc, e.orgs[svc.Organization]) {
		if c.Channel != spec.Channel {
			continue
		}
		if spec.Scope != "" && c.Scope != spec.Scope {
			continue
		}
		if spec.Value != "" && c.Value != spec.Value {
			continue
		}
		return c, true
	}
	return directory.Contact{}, false
}

// ContactsOf is every way to reach a service: its own contacts, then, when
// it has no website of its own, its organization's website.
func ContactsOf(svc directory.Service, org directory.Organization) []directory.Contact {
	cs := svc.Contacts
	if org.Website != "" && len(svc.ContactsBy(directory.ChannelWebsite)) == 0 {
		cs = append(slices.Clip(cs), directory.Contact{
			Channel: directory.ChannelWebsite, Display: org.WebsiteText, Value: org.Website, Source: org.Source,
		})
	}
	return cs
}
