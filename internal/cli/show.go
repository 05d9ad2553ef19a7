package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

func runShow(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "show", "SLUG [--json]", "Show one service (or, if no service has that slug, one organization) with every contact.")
	var sf storeFlags
	sf.register(fs, env)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("want exactly one SLUG: %w", errUsage)
	}
	slug := pos[0]
	_, st, err := openData(ctx, env, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Service(ctx, slug)
	if err == nil {
		if *asJSON {
			return writeJSON(env.Stdout, s.ForJSON())
		}
		printService(env.Stdout, s, env.now())
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	o, err := st.Organization(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no service or organization %q (try `haven find`)", slug)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, o)
	}
	services, _, err := st.ListServices(ctx, store.ServiceFilter{Organization: o.Slug})
	if err != nil {
		return err
	}
	printOrganization(env.Stdout, o, services)
	return nil
}

func printService(w io.Writer, s directory.Service, now time.Time) {
	fmt.Fprintf(w, "%s\n", s.Name)
	if s.AlternateName != "" {
		fmt.Fprintf(w, "also: %s\n", s.AlternateName)
	}
	fmt.Fprintf(w, "%s\n\n", s.Description)
	for _, c := range s.Contacts {
		fmt.Fprintf(w, "  %s\n", contactLine(c))
		if c.Hours != nil && c.Hours.Kind == directory.HoursUnknown && s.Hours.Kind != directory.HoursUnknown {
			fmt.Fprintf(w, "    hours not stated for this contact\n")
		}
	}
	fmt.Fprintf(w, "\n%s\n", enforcementLine(s))
	fmt.Fprintf(w, "hours: %s\n", hoursLine(s.Hours, now))
	if s.AnonymousOK != nil && *s.AnonymousOK {
		fmt.Fprintln(w, "you do not have to give your name")
	}
	if len(s.Areas) > 0 {
		var names []string
		for _, a := range s.Areas {
			names = append(names, a.Name)
		}
		fmt.Fprintf(w, "where: %s\n", strings.Join(names, ", "))
	}
	fmt.Fprintf(w, "topics: %s\n", strings.Join(s.Topics, ", "))
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "source: %s\n", sourceLine(s.Source))
}

func hoursLine(h directory.Hours, now time.Time) string {
	var s string
	switch h.Kind {
	case directory.HoursAlways:
		s = "24 hours a day, 7 days a week"
	case directory.HoursWeekly:
		var ws []string
		for _, w := range h.Windows {
			days := "every day"
			if len(w.Days) > 0 {
				days = strings.Join(w.Days, ", ")
			}
			ws = append(ws, fmt.Sprintf("%s %s-%s", days, w.Opens, w.Closes))
		}
		s = strings.Join(ws, "; ") + " (" + h.TimeZone + ")"
	default:
		return "not stated in the source"
	}
	if open := h.OpenAt(now); open != nil {
		if *open {
			s += " - open now"
		} else {
			s += " - closed now"
		}
	}
	for _, n := range h.Notes {
		s += "\n  " + n
	}
	return s
}

func sourceLine(src directory.Source) string {
	lines := make([]string, len(src.Lines))
	for i, l := range src.Lines {
		lines[i] = fmt.Sprint(l)
	}
	word := "lines"
	if len(lines) == 1 {
		word = "line"
	}
	return fmt.Sprintf("%s, %s %s (verified %s)", src.Document, word, strings.Join(lines, ", "), src.Verified)
}

func printOrganization(w io.Writer, o directory.Organization, services []directory.Service) {
	fmt.Fprintf(w, "%s\n", o.Name)
	if o.AlternateName != "" {
		fmt.Fprintf(w, "also: %s\n", o.AlternateName)
	}
	fmt.Fprintf(w, "%s\n", o.Description)
	if o.Website != "" {
		fmt.Fprintf(w, "website: %s\n", o.Website)
	}
	for _, s := range o.Social {
		fmt.Fprintf(w, "X: %s (%s)\n", s.Handle, s.URL)
	}
	for _, n := range o.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(services) > 0 {
		fmt.Fprintln(w, "services:")
		for _, s := range services {
			fmt.Fprintf(w, "  %-22s %s\n", s.Slug, s.Name)
		}
	}
	fmt.Fprintf(w, "source: %s\n", sourceLine(o.Source))
}
