package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is Haven's release; builds may set it with -ldflags "-X".
var Version = "0.1.0-dev"

func runVersion(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "version", "", "Print Haven's version, the Go version and the source revision.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	goVersion, rev := "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = " " + s.Value
			}
		}
	}
	fmt.Fprintf(env.Stdout, "haven %s (%s)%s\n", Version, goVersion, rev)
	return nil
}
