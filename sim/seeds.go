package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// The regular budget: what go test ./... runs on every run, and the seeds
// the planted defects must be found within. See the README's Simulator
// section for what it costs. RaceSeeds is the budget under the race
// detector, which slows a run about eightfold.
const (
	RegularSeeds = 667 // × RegularSteps ≥ 100,000 steps
	RaceSeeds    = 32
	RegularSteps = 150
)

// Regression is a seed that once found a bug; it runs on every test run.
type Regression struct {
	Seed    uint64
	Steps   int
	Comment string
}

// ParseRegressions reads "seed steps # comment" lines; blank lines and
// lines starting with # are skipped.
func ParseRegressions(r io.Reader) ([]Regression, error) {
	var out []Regression
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		body, comment, _ := strings.Cut(line, "#")
		f := strings.Fields(body)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want \"seed steps # comment\"", n)
		}
		seed, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: seed: %w", n, err)
		}
		steps, err := strconv.Atoi(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: steps: %w", n, err)
		}
		out = append(out, Regression{Seed: seed, Steps: steps, Comment: strings.TrimSpace(comment)})
	}
	return out, sc.Err()
}

// Batch runs many seeds on a few workers, each with base's options (Seed
// set to the seed; every run has a directory of its own and no trace),
// and answers their results in seed order. onDone (if set) is called after
// each run, from any worker.
func Batch(ctx context.Context, base Options, seeds []uint64, workers int, onDone func(Result)) ([]Result, error) {
	out := make([]Result, len(seeds))
	errs := make([]error, len(seeds))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				opts := base
				opts.Seed, opts.Dir, opts.Trace = seeds[i], "", nil
				res, err := Run(ctx, opts)
				out[i], errs[i] = res, err
				if onDone != nil && err == nil {
					onDone(res)
				}
			}
		}()
	}
	for i := range seeds {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, ctx.Err()
}
