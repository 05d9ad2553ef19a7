// Command tips is the load generator of bench/tips.sh: N concurrent
// clients, each over its own keep-alive connection, get a form token
// (GET /api/v1/tips/token) and send a JSON tip with it (POST
// /api/v1/tips), for a while, against a running `haven serve` on this
// machine. It reports acknowledged tips a second (201 answers: each one a
// tip durably stored) and latency percentiles.
//
//	go run ./bench/tips -url http://127.0.0.1:8080 -c 32 -d 10s
//
// The script also uses it to count the tips stored, to compare with the
// tips acknowledged:
//
//	go run ./bench/tips -count DB
//
// It only ever sends to a loopback address, and stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/store"
	"github.com/haven-project/haven/internal/store/sqlite"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the server (a loopback address)")
	clients := flag.Int("c", 32, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "how long to send tips (at most 10m)")
	warm := flag.Duration("warmup", time.Second, "send for this long first, not measured")
	size := flag.Int("size", 500, "bytes of what_happened in each tip")
	wait := flag.Duration("wait", 0, "first wait up to this long for /readyz to answer 200")
	count := flag.String("count", "", "print how many tips this SQLite file holds, then exit")
	flag.Parse()
	var err error
	switch {
	case *count != "":
		err = countTips(*count)
	default:
		err = load(*base, *clients, *dur, *warm, *size, *wait)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tips:", err)
		os.Exit(1)
	}
}

func countTips(path string) error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, n, err := db.ListTips(ctx, store.TipFilter{Limit: 1})
	if err != nil {
		return err
	}
	fmt.Printf("tips stored: %d\n", n)
	return db.Close()
}

// checkLoopback refuses a URL whose host is not a loopback address.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url %s: only a loopback address (127.0.0.0/8, ::1, localhost) is a target", base)
	}
	return nil
}

// result is what one client saw.
type result struct {
	tip, cycle []time.Duration // latency of the POST, and of token + POST
	statuses   map[int]int     // answers to the POST
	errs       int
	firstErr   error
}

func load(base string, clients int, dur, warm time.Duration, size int, wait time.Duration) error {
	if err := checkLoopback(base); err != nil {
		return err
	}
	if clients < 1 || dur <= 0 || dur > 10*time.Minute {
		return errors.New("want -c ≥ 1 and 0 < -d ≤ 10m")
	}
	base = strings.TrimSuffix(base, "/")
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	if wait > 0 {
		if err := waitReady(client, base, wait); err != nil {
			return err
		}
	}
	text := strings.Repeat("They took our passports and make us work without pay. ", size/55+1)[:size]

	start := time.Now()
	measureFrom, end := start.Add(warm), start.Add(warm+dur)
	results := make([]result, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			r := &results[i]
			r.statuses = map[int]int{}
			for time.Now().Before(end) {
				t0 := time.Now()
				tipTime, status, err := once(client, base, text)
				done := time.Now()
				if t0.Before(measureFrom) || done.After(end) {
					continue
				}
				if err != nil {
					r.errs++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.statuses[status]++
				if status == http.StatusCreated {
					r.tip = append(r.tip, tipTime)
					r.cycle = append(r.cycle, done.Sub(t0))
				}
			}
		})
	}
	wg.Wait()

	var all result
	all.statuses = map[int]int{}
	for _, r := range results {
		all.tip = append(all.tip, r.tip...)
		all.cycle = append(all.cycle, r.cycle...)
		for k, v := range r.statuses {
			all.statuses[k] += v
		}
		all.errs += r.errs
		if all.firstErr == nil {
			all.firstErr = r.firstErr
		}
	}
	acked := len(all.tip)
	fmt.Printf("clients %d, measured %v (after %v warm-up), tips of %d bytes\n", clients, dur, warm, size)
	fmt.Printf("acknowledged tips: %d = %.0f tips/s\n", acked, float64(acked)/dur.Seconds())
	fmt.Printf("POST /api/v1/tips latency: %s\n", percentiles(all.tip))
	fmt.Printf("token + tip latency:       %s\n", percentiles(all.cycle))
	var codes []string
	for _, k := range slices.Sorted(mapKeys(all.statuses)) {
		codes = append(codes, fmt.Sprintf("%d×%d", all.statuses[k], k))
	}
	fmt.Printf("answers: %s; transport errors: %d\n", strings.Join(codes, ", "), all.errs)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Printf("load generator CPU (warm-up included): %.2f s\n", used.Seconds())
	}
	if all.firstErr != nil {
		fmt.Printf("first error: %v\n", all.firstErr)
	}
	if acked == 0 {
		return errors.New("no tip was acknowledged")
	}
	return nil
}

func mapKeys(m map[int]int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration {
		return ds[min(len(ds)-1, int(q*float64(len(ds))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v", p(0.50), p(0.90), p(0.99), ds[len(ds)-1].Round(10*time.Microsecond))
}

// once gets a token and sends one tip with it; it returns the POST's
// latency and status.
func once(client *http.Client, base, text string) (time.Duration, int, error) {
	resp, err := client.Get(base + "/api/v1/tips/token")
	if err != nil {
		return 0, 0, err
	}
	var tok struct {
		Token   string `json:"token"`
		PowBits int    `json:"pow_bits"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	drain(resp)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET token: %d %v", resp.StatusCode, err)
	}
	body := map[string]any{"token": tok.Token, "what_happened": text, "kind": "labor", "people_count": 4}
	if tok.PowBits > 0 {
		body["pow"] = abuse.SolvePow(tok.Token, tok.PowBits)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err = client.Post(base+"/api/v1/tips", "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	drain(resp)
	return time.Since(start), resp.StatusCode, nil
}

// drain reads and closes a body so that the connection is reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func waitReady(client *http.Client, base string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			drain(resp)
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/readyz did not answer 200 within %v", base, wait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
