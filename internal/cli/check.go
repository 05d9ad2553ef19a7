package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

func runCheck(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "check", "[--pack DIR]", "Check a jurisdiction pack: every phone parses for the pack's country or is a listed\nshort code, links and e-mails are well formed, slugs are unique, hours are valid, and\nevery record cites a source whose lines hold what the record shows. Prints one line\nper problem (file:line: problem) and exits 1 if there is any.")
	dir := fs.String("pack", env.getenv("HAVEN_PACK"), "pack folder to check (default: the embedded U.S. pack)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	p, err := loadPack(*dir)
	if err != nil {
		var pe *packError
		if errors.As(err, &pe) {
			for _, l := range pe.lines {
				fmt.Fprintln(env.Stderr, l)
			}
			fmt.Fprintf(env.Stderr, "%d problem(s)\n", len(pe.lines))
			return errSilent
		}
		return err
	}
	if probs := p.Unreachable(); len(probs) > 0 {
		for _, pr := range probs {
			if *dir != "" {
				pr.File = filepath.Join(*dir, pr.File)
			}
			fmt.Fprintln(env.Stderr, pr.String())
		}
		fmt.Fprintf(env.Stderr, "%d problem(s)\n", len(probs))
		return errSilent
	}
	for _, w := range p.Warnings {
		if *dir != "" {
			w.File = filepath.Join(*dir, w.File)
		}
		w.Msg = "warning: " + w.Msg
		fmt.Fprintln(env.Stderr, w.String())
	}
	if n := len(p.Warnings); n > 0 {
		fmt.Fprintf(env.Stderr, "%d warning(s): the pack serves; a text not translated yet shows in the pack's language until it is\n", n)
	}
	contacts := 0
	for _, s := range p.Directory.Services {
		contacts += len(s.Contacts)
	}
	rules := "no routing rules"
	if p.Routing != nil {
		rules = fmt.Sprintf("%d assessment and %d step rules, all reachable", len(p.Routing.Assessments), len(p.Routing.Steps))
	}
	if len(p.Learn) > 0 {
		rules += fmt.Sprintf("; %d learn passages", len(p.Learn))
	}
	fmt.Fprintf(env.Stdout, "ok: pack %s (%s): %d organizations, %d services, %d contacts; %s\n",
		p.Meta.ID, p.Meta.Name, len(p.Directory.Organizations), len(p.Directory.Services), contacts, rules)
	return nil
}
