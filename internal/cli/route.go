package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
	fs.StringVar(&s.Lang, "lang", "", "preferred language, a BCP 47 tag such as es")
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
	printPlan(env.Stdout, plan)
	return nil
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

// assessmentWords are the assessments in plain words.
var assessmentWords = map[string]string{
	triage.AssessTrafficking:         "This fits the definition of human trafficking.",
	triage.AssessPossibleTrafficking: "This may be human trafficking.",
	triage.AssessLaborExploitation:   "This sounds like labor exploitation.",
	triage.AssessOutsideDefinition:   "This is outside the definition of human trafficking.",
	triage.AssessNotEnoughInfo:       "We cannot say yet.",
}

func printPlan(w io.Writer, p triage.Plan) {
	head := assessmentWords[p.Assessment]
	if head == "" {
		head = p.Assessment
	}
	fmt.Fprintf(w, "%s\n", head)
	if p.Explanation != "" {
		fmt.Fprintf(w, "%s\n", p.Explanation)
	}
	if len(p.Steps) == 0 {
		fmt.Fprintln(w, "\nThe rules give no step for this situation.")
		return
	}
	fmt.Fprintln(w, "\nWhat to do, in this order:")
	apart := false
	for i, st := range p.Steps {
		if st.SetApart && !apart {
			apart = true
			fmt.Fprintf(w, "\n%s\n%s\n", setApartTitle, setApartWhy)
		}
		fmt.Fprintf(w, "\n%d. %s\n", i+1, stepAction(st))
		fmt.Fprintf(w, "   %s\n", st.Name)
		fmt.Fprintf(w, "   %s; %s\n", stepMarks(st), openWords(st.OpenNow))
		for _, r := range st.Reasons {
			fmt.Fprintf(w, "   - %s\n", r)
		}
	}
}

// The heading of the steps a plan sets apart, as the web page says it.
const (
	setApartTitle = "Only if you decide to contact police or immigration:"
	setApartWhy   = "You said you would rather not. These services are police or immigration; they are listed because some situations need them. Whether to contact them is your choice."
)

// stepAction says what to do: "Call 1-888-373-7888", "Text BEFREE to 233733".
func stepAction(st triage.Step) string {
	switch st.Channel {
	case "call":
		return "Call " + st.Display
	case "text":
		if len(st.Keywords) > 0 {
			return "Text " + st.Keywords[0] + " to " + st.Display
		}
		return "Text " + st.Display
	case "email":
		return "E-mail " + st.Display
	}
	return "Go to " + st.Display
}

func stepMarks(st triage.Step) string {
	return enforcementWords(st.LawEnforcement, st.ImmigrationAuthority)
}

func openWords(open *bool) string {
	switch {
	case open == nil:
		return "hours not stated"
	case *open:
		return "open now"
	}
	return "closed now"
}
