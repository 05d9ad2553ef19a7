package cli

import (
	"context"
	"fmt"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/pack"
)

// exportDoc is the JSON export: the pack's metadata and its whole directory.
type exportDoc struct {
	Format        string                   `json:"format"`
	Pack          pack.Meta                `json:"pack"`
	Organizations []directory.Organization `json:"organizations"`
	Services      []directory.Service      `json:"services"`
}

// ExportFormat names the JSON export's shape; it changes when the shape does.
const ExportFormat = "haven-directory/1"

func runExport(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "export", "--format json", "Print every organization and service with all fields, contacts included, to stdout.")
	var sf storeFlags
	sf.register(fs, env)
	format := fs.String("format", "json", "output format: json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	if *format != "json" {
		return fmt.Errorf("--format %q: only json is supported: %w", *format, errUsage)
	}
	p, st, err := openData(ctx, env, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.Directory(ctx)
	if err != nil {
		return fmt.Errorf("read directory: %w", err)
	}
	services := make([]directory.Service, len(d.Services))
	for i, s := range d.Services {
		services[i] = s.ForJSON()
	}
	orgs := make([]directory.Organization, len(d.Organizations))
	for i, o := range d.Organizations {
		orgs[i] = o.ForJSON()
	}
	return writeJSON(env.Stdout, exportDoc{Format: ExportFormat, Pack: p.Meta, Organizations: orgs, Services: services})
}
