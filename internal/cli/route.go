package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/pack"
	"github.com/haven-project/haven/internal/triage"
)

const routeSummary = `Answer a situation with a plan: how it relates to the definition of human
trafficking, then whom to contact, how, in what order, and why.

Every flag is optional; a flag not given means "not said". The plan comes from
the pack's directory and routing rules directly: route needs no database and
writes nothing, anywhere.`

func runRoute(_ context.Context, env Env, args []string) error {
	fs := flagSet(env, "route", "[flags] [--json]", routeSummary)
	packDir := fs.String("pack", env.getenv("HAVEN_PACK"), "load this jurisdiction pack folder instead of the embedded U.S. pack (env HAVEN_PACK)")
	var s triage.Situation
	fs.BoolVar(&s.Danger, "danger", false, "someone is in immediate danger")
	fs.StringVar(&s.Role, "role", "", "who is asking: "+strings.Join(triage.Roles, ", ")+" (it happens to me, I am worried about someone, I want to learn)")
	fs.BoolVar(&s.Minor, "minor", false, "a person younger than 18 is involved")
	fs.BoolVar(&s.Sex, "sex", false, "a commercial sex act is involved")
	fs.BoolVar(&s.Labor, "labor", false, "labor or services are involved")
	fs.StringVar(&s.FFC, "ffc", "", "was there force, fraud or coercion: "+strings.Join(triage.FFCAnswers, ", "))
	fs.BoolVar(&s.OnlineChildAbuse, "online-child-abuse", false, "online sexual exploitation of a child")
	fs.BoolVar(&s.VisaFraud, "visa-fraud", false, "visa or passport fraud")
	fs.BoolVar(&s.Diplomat, "diplomat", false, "a diplomat is involved")
	fs.StringVar(&s.VisaProgram, "visa-program", "", "fraud in a Labor Department visa program: "+strings.Join(triage.VisaPrograms, ", "))
	fs.BoolVar(&s.Discrimination, "discrimination", false, "employment discrimination")
	fs.BoolVar(&s.OutsideUS, "outside-us", false, "the person asking is outside the United States")
	fs.BoolVar(&s.Anonymous, "anonymous", false, "wants to stay anonymous")
	fs.BoolVar(&s.NoPolice, "no-police", false, "wants to avoid police and immigration")
	fs.StringVar(&s.Channel, "channel", "", "preferred way to reach out: "+strings.Join(triage.Channels, ", "))
	atFlag := fs.String("at", "", "the time of the question, RFC 3339, for \"open now\" (default now)")
	fs.StringVar(&s.Lang, "lang", "", "preferred language, a BCP 47 tag such as es or es-MX: the person's language, and the language of the plan\nwhen Haven has it (else English)")
	asJSON := fs.Bool("json", false, "print the plan as JSON, exactly as POST /api/v1/route answers")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	now := env.now()
	if *atFlag != "" {
		t, err := time.Parse(time.RFC3339, *atFlag)
		if err != nil {
			return fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-11-30T10:00:00-05:00: %w", *atFlag, errUsage)
		}
		s.At = &t
	}
	if err := s.Validate(); err != nil {
		return flagError(err)
	}
	p, err := loadPack(*packDir)
	if err != nil {
		return err
	}
	engine, err := newEngine(p)
	if err != nil {
		return err
	}
	plan, err := engine.Plan(s, now)
	if err != nil {
		return flagError(err)
	}
	if *asJSON {
		return writeJSON(env.Stdout, plan)
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	locale, ok := outputLocale(cat, p, s.Lang)
	if !ok {
		fmt.Fprintf(env.Stderr, "haven route: Haven has no translation for %q, so the plan is in English (Haven has %s)\n", s.Lang, strings.Join(cat.Locales(), ", "))
	}
	return newPlanText(cat, p, locale).print(env.Stdout, plan)
}

// newEngine builds the triage engine of a pack, or says that the pack has
// no routing rules.
func newEngine(p *pack.Pack) (*triage.Engine, error) {
	if p.Routing == nil {
		return nil, fmt.Errorf("pack %s has no routing rules (%s)", p.Meta.ID, pack.RoutingFile)
	}
	e, err := triage.New(*p.Routing, &p.Directory)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", p.Meta.ID, err)
	}
	return e, nil
}

// flagError turns a *triage.FieldError into a usage error naming the flag.
func flagError(err error) error {
	var fe *triage.FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("--%s: %s: %w", strings.ReplaceAll(fe.Field, "_", "-"), fe.Msg, errUsage)
	}
	return err
}

// planText writes a plan in one locale: its headings and labels from the
// message catalog, the services' names, the routing messages and the
// hours from the pack's translations, English where either has none.
type planText struct {
	l      *i18n.Localizer
	p      *pack.Pack
	locale string
	// routing maps a routing message's English text to its key, for the
	// pack's translation of it (the plan carries texts, not keys).
	routing map[string]string
}

func newPlanText(cat *i18n.Catalog, p *pack.Pack, locale string) *planText {
	pt := &planText{l: cat.Localizer(locale), p: p, locale: locale, routing: map[string]string{}}
	if p.Routing != nil {
		for k, text := range p.Routing.Messages {
			pt.routing[text] = k
		}
	}
	return pt
}

// outputLocale is the catalog locale a plan is written in: the one that
// matches --lang as the web matches a browser's languages ("es-MX" is es),
// else the pack's default locale when Haven has it, else English. ok is
// false when --lang names a language Haven has no catalog for.
func outputLocale(cat *i18n.Catalog, p *pack.Pack, lang string) (locale string, ok bool) {
	if lang != "" {
		return cat.MatchTag(lang)
	}
	if l, found := cat.MatchTag(p.Meta.DefaultLocale); found {
		return l, true
	}
	return i18n.SourceLocale, true
}

// tr is a record's text in the plan's locale (see pack.Pack.Translated).
func (pt *planText) tr(key, english string) string {
	if english == "" {
		return english
	}
	return pt.p.Translated(pt.locale, key, english)
}

// trRouting is a routing message in the plan's locale, found by its text.
func (pt *planText) trRouting(english string) string {
	if key, ok := pt.routing[english]; ok {
		return pt.tr("routing."+key, english)
	}
	return english
}

func (pt *planText) print(w io.Writer, plan triage.Plan) error {
	head, err := pt.l.T("plan.assess." + plan.Assessment)
	if err != nil {
		head = plan.Assessment // an assessment the catalog does not know yet
	}
	fmt.Fprintf(w, "%s\n", head)
	if plan.Explanation != "" {
		fmt.Fprintf(w, "%s\n", pt.trRouting(plan.Explanation))
	}
	if len(plan.Steps) == 0 {
		none, err := pt.l.T("cli.route.none", "Command", "haven find")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s\n", none)
		return nil
	}
	steps, err := pt.l.T("plan.steps")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", steps)
	apart := false
	for i, st := range plan.Steps {
		if st.SetApart && !apart {
			apart = true
			title, err := pt.l.T("plan.apart.title")
			if err != nil {
				return err
			}
			why, err := pt.l.T("plan.apart.why")
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "\n%s\n%s\n", title, why)
		}
		if err := pt.step(w, i+1, st); err != nil {
			return err
		}
	}
	return nil
}

// step writes one numbered step: what to do, whom, what the source says
// of its ties to police and immigration, whether it is open, and why.
func (pt *planText) step(w io.Writer, n int, st triage.Step) error {
	svc, _ := pt.p.Directory.Service(st.Service)
	contact, hoursKey := pt.contactOf(svc, st)
	action, err := pt.action(st, contact)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d. %s\n", n, action)
	fmt.Fprintf(w, "   %s\n", pt.tr("service."+st.Service+".name", st.Name))
	marks, err := pt.marks(st.LawEnforcement, st.ImmigrationAuthority)
	if err != nil {
		return err
	}
	for _, m := range marks {
		fmt.Fprintf(w, "   %s\n", m)
	}
	open, err := pt.open(st.OpenNow, hoursKey, contact.hours)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   %s\n", open)
	for _, r := range st.Reasons {
		fmt.Fprintf(w, "   - %s\n", pt.trRouting(r))
	}
	return nil
}

// stepContact is what a step needs of the contact it names.
type stepContact struct {
	displayAlt string
	hours      directory.Hours
}

// contactOf finds the step's contact in its service, for its second
// display form and its hours, and returns the text key of those hours.
func (pt *planText) contactOf(svc directory.Service, st triage.Step) (stepContact, string) {
	c, key := stepContact{hours: svc.Hours}, "service."+svc.Slug
	for i, ct := range svc.Contacts {
		if ct.Channel == st.Channel && ct.Value == st.Contact {
			c.displayAlt = ct.DisplayAlt
			if ct.Hours != nil {
				c.hours, key = *ct.Hours, key+".contacts."+strconv.Itoa(i)
			}
			break
		}
	}
	return c, key
}

// action says what to do, as the web page's buttons do: "Call
// 1-888-373-7888", "Text BEFREE to 233733".
func (pt *planText) action(st triage.Step, c stepContact) (string, error) {
	switch st.Channel {
	case directory.ChannelCall:
		call, err := pt.l.T("contact.call")
		if err != nil {
			return "", err
		}
		if c.displayAlt != "" {
			return call + " " + st.Display + " (" + c.displayAlt + ")", nil
		}
		return call + " " + st.Display, nil
	case directory.ChannelText:
		if len(st.Keywords) > 0 {
			return pt.l.T("contact.text_keyword", "Keyword", st.Keywords[0], "Number", st.Display)
		}
		return pt.l.T("contact.text", "Number", st.Display)
	case directory.ChannelEmail:
		return pt.l.T("contact.email", "Address", st.Display)
	case directory.ChannelOnline:
		return pt.l.T("contact.online", "Address", st.Display)
	}
	return pt.l.T("organization.website", "Address", st.Display)
}

// marks says what the source says of a service's ties to police and
// immigration, one line each, or one line when both are the same: the
// web page's marks, and the half it cannot show when a source speaks of
// one and not of the other.
func (pt *planText) marks(law, immigration *bool) ([]string, error) {
	var keys []string
	switch {
	case isFalse(law) && isFalse(immigration):
		keys = []string{"mark.neither"}
	case law == nil && immigration == nil:
		keys = []string{"mark.unstated"}
	default:
		keys = []string{
			pick(law, "mark.law_enforcement", "cli.route.marks.not_law_enforcement", "cli.route.marks.law_enforcement_unstated"),
			pick(immigration, "mark.immigration", "cli.route.marks.not_immigration", "cli.route.marks.immigration_unstated"),
		}
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		s, err := pt.l.T(k)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// pick is yes, no or unstated for a true, false or nil b.
func pick(b *bool, yes, no, unstated string) string {
	switch {
	case b == nil:
		return unstated
	case *b:
		return yes
	}
	return no
}

func isFalse(b *bool) bool { return b != nil && !*b }

// open says whether the step's contact is open now; when it is closed,
// with its hours as the source writes them, if it does.
func (pt *planText) open(open *bool, hoursKey string, h directory.Hours) (string, error) {
	switch {
	case open == nil:
		return pt.l.T("plan.hours_unknown")
	case *open:
		return pt.l.T("plan.open")
	case h.Display != "":
		return pt.l.T("plan.closed_hours", "Hours", pt.tr(hoursKey+".hours.display", h.Display))
	}
	return pt.l.T("plan.closed")
}
