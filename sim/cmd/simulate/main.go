// Command simulate soaks the billing simulator: it runs seeds for as long
// as asked, shows progress, shrinks every violation it finds and prints
// the command that replays it.
//
//	go run ./sim/cmd/simulate -seeds 1000 -steps 300
//	go run ./sim/cmd/simulate -duration 10m
//	go run ./sim/cmd/simulate -seed 1053 -steps 200 -trace
//	go run ./sim/cmd/simulate -seed 1053 -steps-list '0:1a2b,12:ff:3:1' -trace
//	go run ./sim/cmd/simulate -store postgres -seeds 40
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/sim"
)

func main() {
	var (
		seed      = flag.Uint64("seed", 0, "run this one seed (with -steps or -steps-list)")
		from      = flag.Uint64("from", 1, "first seed of a soak")
		seeds     = flag.Int("seeds", 100, "number of seeds to soak (0 = until -duration or interrupted)")
		steps     = flag.Int("steps", sim.RegularSteps, "steps per seed")
		stepsList = flag.String("steps-list", "", "exact steps to run (as a report prints them)")
		plant     = flag.String("plant", "", "comma-separated defects to plant (see core.AllDefects)")
		watch     = flag.String("watch", "", "comma-separated invariants that stop a run (default all)")
		trace     = flag.Bool("trace", false, "print the trace of a single run")
		duration  = flag.Duration("duration", 0, "soak for this long (wall time)")
		workers   = flag.Int("workers", 2, "seeds run at once")
		shrink    = flag.Int("shrink", 200, "replays allowed to shrink one violation")
		record    = flag.String("record", "", "append seeds that found a violation to this regression file")
		store     = flag.String("store", "bolt", "where runs keep their records: bolt (a temporary file) or postgres (a schema of their own in -database-url, dropped at the end)")
		dbURL     = flag.String("database-url", "", "the PostgreSQL database of -store postgres (default: LANGGANAN_TEST_DATABASE_URL, else "+pgtest.DefaultURL+")")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var defects []core.Defect
	for _, d := range split(*plant) {
		defects = append(defects, core.Defect(d))
	}
	base := sim.Options{Steps: *steps, Defects: defects, Watch: split(*watch)}
	switch *store {
	case "bolt":
	case "postgres":
		base.DatabaseURL = *dbURL
		if base.DatabaseURL == "" {
			base.DatabaseURL = pgtest.URL()
		}
	default:
		fmt.Fprintf(os.Stderr, "-store %q: want bolt or postgres\n", *store)
		os.Exit(2)
	}
	if *seed != 0 || *stepsList != "" {
		base.Seed = *seed
		os.Exit(single(ctx, base, *stepsList, *trace, *shrink))
	}
	os.Exit(soak(ctx, base, *from, *seeds, *duration, *workers, *shrink, *record))
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func single(ctx context.Context, opts sim.Options, list string, trace bool, shrink int) int {
	if trace {
		opts.Trace = os.Stdout
	}
	var res sim.Result
	var err error
	if list != "" {
		st, derr := sim.DecodeSteps(list)
		if derr != nil {
			fmt.Fprintln(os.Stderr, derr)
			return 2
		}
		res, err = sim.RunSteps(ctx, opts, st)
	} else {
		res, err = sim.Run(ctx, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("seed %d: %d steps, trace %s\n", opts.Seed, res.Steps, res.Hash)
	if res.Violation == nil {
		return 0
	}
	report(ctx, opts, res, shrink)
	return 1
}

// report shrinks and prints the violation res found in a run with base's
// options.
func report(ctx context.Context, base sim.Options, res sim.Result, shrink int) {
	opts := base
	opts.Seed, opts.Trace = res.Seed, nil
	steps, sres := sim.Shrink(ctx, opts, res.Failing, res.Violation.Invariant, shrink)
	v := res.Violation
	if sres.Violation != nil {
		v = sres.Violation
	}
	fmt.Print(sim.Report(opts, v, steps))
}

func soak(ctx context.Context, base sim.Options, from uint64, n int, d time.Duration, workers, shrink int, record string) int {
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	begin := time.Now()
	var done, total, failed atomic.Int64
	var mu sync.Mutex
	var failures []sim.Result
	next := make(chan uint64)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				opts := base
				opts.Seed = s
				res, err := sim.Run(ctx, opts)
				if err != nil {
					if ctx.Err() == nil {
						fmt.Fprintf(os.Stderr, "\nseed %d: %v\n", s, err)
					}
					continue
				}
				done.Add(1)
				total.Add(int64(res.Steps))
				if res.Violation != nil {
					failed.Add(1)
					mu.Lock()
					failures = append(failures, res)
					mu.Unlock()
				}
			}
		}()
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	progress := func() {
		el := time.Since(begin).Seconds()
		fmt.Fprintf(os.Stderr, "\r%d seeds, %d steps, %.0f steps/s, %d with a violation   ", done.Load(), total.Load(), float64(total.Load())/el, failed.Load())
	}
feed:
	for s := from; n == 0 || s < from+uint64(n); s++ {
		for {
			select {
			case <-ctx.Done():
				break feed
			case <-tick.C:
				progress()
				continue
			case next <- s:
			}
			break
		}
	}
	close(next)
	wg.Wait()
	progress()
	fmt.Fprintln(os.Stderr)
	byInv := map[string]bool{}
	for _, f := range failures {
		fmt.Printf("seed %d: %s after step %d: %s\n", f.Seed, f.Violation.Invariant, f.Violation.Step, f.Violation.Detail)
		if record != "" {
			if fh, err := os.OpenFile(record, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintf(fh, "%d %d # %s\n", f.Seed, base.Steps, f.Violation.Invariant)
				_ = fh.Close()
			}
		}
	}
	for _, f := range failures {
		if byInv[f.Violation.Invariant] {
			continue
		}
		byInv[f.Violation.Invariant] = true
		report(context.Background(), base, f, shrink)
	}
	if len(failures) > 0 {
		return 1
	}
	return 0
}
