package cli

import (
	"context"
	"fmt"

	"github.com/haven-project/haven/internal/pack/scaffold"
)

const packAbout = `Work on jurisdiction packs: the folders of YAML that hold a country's or a
region's directory and routing rules (docs/packs.md explains every file).`

func packCommands() []command {
	return []command{
		{"new", "DIR", "write a new pack folder with one commented example of each record", runPackNew},
	}
}

func runPack(ctx context.Context, env Env, args []string) error {
	return runGroup(ctx, env, "pack", packAbout, packCommands(), args)
}

func runPackNew(_ context.Context, env Env, args []string) error {
	fs := flagSet(env, "pack new", "DIR", `Write a new pack folder at DIR (its parents are made as needed; an existing
DIR must be empty): pack.yaml, organizations.yaml, services.yaml,
routing.yaml and sources/, each with one commented example of each record.
Every name and number in it is invented (555-01xx numbers, kept for
fiction): replace them with your own. As written it passes haven check
and haven serve runs it.`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return fmt.Errorf("want the folder to write the pack in: %w", errUsage)
	case len(pos) > 1:
		return fmt.Errorf("unexpected argument %q: %w", pos[1], errUsage)
	case pos[0] == "":
		return fmt.Errorf("the folder name is empty: %w", errUsage)
	}
	dir := pos[0]
	wrote, err := scaffold.Write(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote a new pack in %s:\n", dir)
	for _, f := range wrote {
		fmt.Fprintf(env.Stdout, "  %s\n", f)
	}
	fmt.Fprintf(env.Stdout, `Every organization, service, number and source in it is an invented example.
Next:
  1. replace the examples with your own records and sources (docs/packs.md)
  2. haven check --pack %[1]s
  3. haven serve --pack %[1]s
`, dir)
	return nil
}
