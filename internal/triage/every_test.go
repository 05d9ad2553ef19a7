package triage_test

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/haven-project/haven/internal/triage"
)

// TestEverySituation plans every situation the rules can tell apart and
// checks the invariants of the issue on each. The workers split the
// situations by index; each keeps the first few failures of every kind.
func TestEverySituation(t *testing.T) {
	if testing.Short() {
		t.Skip("plans all 819,200 situations; skipped with -short")
	}
	u := loadUS(t)
	n := runtime.GOMAXPROCS(0)
	type result struct {
		count    int
		failures map[string][]string // kind of failure -> examples
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := result{failures: map[string][]string{}}
			i := 0
			triage.Every(func(s triage.Situation) bool {
				i++
				if i%n != w {
					return true
				}
				r.count++
				p, err := u.engine.Plan(s, fixedAt)
				if err != nil {
					r.failures["error"] = append(r.failures["error"], fmt.Sprintf("%+v: %v", s, err))
					return true
				}
				for _, msg := range u.invariants(s, fixedAt, p) {
					kind := kindOf(msg)
					if len(r.failures[kind]) < 3 {
						r.failures[kind] = append(r.failures[kind], fmt.Sprintf("%s\n\tsituation %+v\n\tplan %s", msg, s, describe(p)))
					}
				}
				return true
			})
			results[w] = r
		}()
	}
	wg.Wait()
	total := 0
	all := map[string][]string{}
	for _, r := range results {
		total += r.count
		for k, v := range r.failures {
			all[k] = append(all[k], v...)
		}
	}
	if total != 819200 {
		t.Errorf("planned %d situations, want 819,200", total)
	}
	kinds := make([]string, 0, len(all))
	for k := range all {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ex := all[k]
		if len(ex) > 3 {
			ex = ex[:3]
		}
		t.Errorf("%s", strings.Join(ex, "\n"))
	}
}

// kindOf groups failure messages by their text without numbers, so that
// one broken rule is reported a few times, not thousands.
func kindOf(msg string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, msg)
}
