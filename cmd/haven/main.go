// Command haven serves and manages a Haven directory. See `haven help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/haven-project/haven/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
