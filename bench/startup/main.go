// Command startup measures Haven's cold start: from exec of `haven serve` on
// an existing database to the first 200 from GET / . It runs the binary N
// times on a free loopback port and prints min, median and max.
//
//	go build -o /tmp/haven ./cmd/haven && go run ./bench/startup -bin /tmp/haven
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	bin := flag.String("bin", "", "path to the haven binary")
	runs := flag.Int("n", 15, "number of starts")
	flag.Parse()
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func run(bin string, runs int) error {
	if bin == "" {
		return fmt.Errorf("-bin is required")
	}
	dir, err := os.MkdirTemp("", "haven-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "haven.db")
	// The first start creates the database and loads the pack; not measured.
	if _, err := once(bin, db); err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	var times []time.Duration
	for range runs {
		d, err := once(bin, db)
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	fmt.Printf("cold start to first 200 on an existing database (%d runs): min %v, median %v, max %v\n",
		runs, times[0].Round(time.Millisecond/10), times[len(times)/2].Round(time.Millisecond/10), times[len(times)-1].Round(time.Millisecond/10))
	return nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func once(bin, db string) (time.Duration, error) {
	addr, err := freePort()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--db", db, "--log-level", "error")
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	for ctx.Err() == nil {
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
			return 0, fmt.Errorf("GET / answered %s", resp.Status)
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("no 200 within 10s")
}
