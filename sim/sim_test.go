package sim

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func workers() int { return min(runtime.GOMAXPROCS(0), 2) }

// budgetSeeds are the regular seeds: RegularSeeds, or RaceSeeds under the
// race detector.
func budgetSeeds() []uint64 {
	n := RegularSeeds
	if raceOn {
		n = RaceSeeds
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(1000 + i)
	}
	return seeds
}

// shrinkRuns bounds the replays a test spends shrinking one violation;
// under the race detector none (the report then lists every step run).
func shrinkRuns() int {
	if raceOn {
		return 0
	}
	return 40
}

// TestSameSeedSameRun: two runs of one seed write the same trace, byte
// for byte; another seed writes another. Seed 1001 runs all its steps and
// the final drain (faults, crashes and restarts included).
func TestSameSeedSameRun(t *testing.T) {
	ctx := context.Background()
	var b1, b2 strings.Builder
	r1, err := Run(ctx, Options{Seed: 1001, Steps: RegularSteps, Dir: t.TempDir(), Trace: &b1})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Run(ctx, Options{Seed: 1001, Steps: RegularSteps, Dir: t.TempDir(), Trace: &b2})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Hash != r2.Hash || b1.String() != b2.String() {
		t.Fatalf("seed 1001 ran differently twice: %s vs %s\n%s", r1.Hash, r2.Hash, firstDiff(b1.String(), b2.String()))
	}
	t.Logf("seed 1001: %d steps, %d trace lines, %d crashes, trace %s", r1.Steps, strings.Count(b1.String(), "\n"), r1.Counts["crashes"], r1.Hash)
	r3, err := Run(ctx, Options{Seed: 1002, Steps: RegularSteps, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Hash == r1.Hash {
		t.Fatal("seeds 1001 and 1002 ran the same")
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "first difference, line " + itoa(i) + ":\n" + la[i] + "\n" + lb[i]
		}
	}
	return "one trace is a prefix of the other"
}

func itoa(n int) string { return strconv.Itoa(n) }

// reportFailures shrinks up to two failing seeds (one per invariant) of
// runs made with base's options and reports them as errors.
func reportFailures(t *testing.T, base Options, results []Result) {
	t.Helper()
	open := openDefects(t)
	seen := map[string]bool{}
	failed := 0
	for _, r := range results {
		if r.Violation == nil {
			continue
		}
		if c, ok := open[openKey(r.Seed, r.Violation.Invariant)]; ok && base.Defects == nil {
			t.Logf("seed %d: known open defect %s (%s): %s", r.Seed, r.Violation.Invariant, c, r.Violation.Detail)
			continue
		}
		failed++
		if seen[r.Violation.Invariant] || len(seen) >= 2 {
			t.Errorf("seed %d: %s after step %d: %s", r.Seed, r.Violation.Invariant, r.Violation.Step, r.Violation.Detail)
			continue
		}
		seen[r.Violation.Invariant] = true
		t.Errorf("%s", shrinkReport(base, r))
	}
	if failed > 0 {
		t.Logf("%d of %d seeds found a violation", failed, len(results))
	}
}

// shrinkReport shrinks the violation r found (a run with base's options)
// and answers its report.
func shrinkReport(base Options, r Result) string {
	opts := base
	opts.Seed = r.Seed
	steps, res := Shrink(context.Background(), opts, r.Failing, r.Violation.Invariant, shrinkRuns())
	v := r.Violation
	if res.Violation != nil {
		v = res.Violation
	}
	return Report(opts, v, steps)
}

// TestRegularSeeds runs the regular budget: RegularSeeds seeds of
// RegularSteps steps each, every invariant after every step.
func TestRegularSeeds(t *testing.T) {
	runSeeds(t, Options{Steps: RegularSteps}, budgetSeeds())
}

// runSeeds runs seeds with base's options, logs the speed and reports
// every violation.
func runSeeds(t *testing.T, base Options, seeds []uint64) []Result {
	t.Helper()
	begin := time.Now()
	results, err := Batch(context.Background(), base, seeds, workers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, r := range results {
		steps += r.Steps
	}
	took := time.Since(begin)
	t.Logf("%d seeds, %d steps in %s: %.0f steps/s", len(seeds), steps, took.Round(time.Millisecond), float64(steps)/took.Seconds())
	reportFailures(t, base, results)
	return results
}

// TestRegressionSeeds runs every seed that ever found a bug.
func TestRegressionSeeds(t *testing.T) {
	runRegressions(t, Options{})
}

// runRegressions runs the regression seeds with base's options and
// answers them with their results, in the file's order.
func runRegressions(t *testing.T, base Options) ([]Regression, []Result) {
	t.Helper()
	regs := readTestdata(t, "regressions.txt", ParseRegressions)
	open := openDefects(t)
	// Batched by step count, so that they run on every worker.
	bySteps := map[int][]uint64{}
	for _, r := range regs {
		bySteps[r.Steps] = append(bySteps[r.Steps], r.Seed)
	}
	results := map[[2]uint64]Result{}
	for steps, seeds := range bySteps {
		opts := base
		opts.Steps = steps
		rs, err := Batch(context.Background(), opts, seeds, workers(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range rs {
			results[[2]uint64{res.Seed, uint64(steps)}] = res
		}
	}
	out := make([]Result, len(regs))
	for i, r := range regs {
		res := results[[2]uint64{r.Seed, uint64(r.Steps)}]
		out[i] = res
		if c, ok := open[openKey(r.Seed, invariantOf(res))]; ok {
			t.Logf("regression seed %d: known open defect %s (%s)", r.Seed, invariantOf(res), c)
			continue
		}
		if res.Violation != nil {
			t.Errorf("regression seed %d (%s):\n%s", r.Seed, r.Comment, shrinkReport(base, res))
		}
	}
	return regs, out
}

func openKey(seed uint64, invariant string) string {
	return strconv.FormatUint(seed, 10) + " " + invariant
}

func invariantOf(r Result) string {
	if r.Violation == nil {
		return ""
	}
	return r.Violation.Invariant
}

// readTestdata parses one of the seed lists in testdata.
func readTestdata[T any](t *testing.T, name string, parse func(io.Reader) ([]T, error)) []T {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := parse(f)
	if err != nil {
		t.Fatalf("testdata/%s: %v", name, err)
	}
	return list
}

// openDefects reads testdata/open.txt into seed+invariant → comment.
func openDefects(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range readTestdata(t, "open.txt", ParseOpenDefects) {
		out[openKey(d.Seed, d.Invariant)] = d.Comment
	}
	return out
}

// TestOpenDefectsStillFail: every known open defect still happens. One
// that no longer does was fixed: move its seed to regressions.txt.
func TestOpenDefectsStillFail(t *testing.T) {
	list := readTestdata(t, "open.txt", ParseOpenDefects)
	if raceOn && len(list) > 6 {
		list = list[:6] // the race detector's budget; the rest run without it
	}
	for _, d := range list {
		res, err := Run(context.Background(), Options{Seed: d.Seed, Steps: RegularSteps})
		if err != nil {
			t.Fatal(err)
		}
		if got := invariantOf(res); got != d.Invariant {
			t.Errorf("open defect seed %d (%s) now answers %q, not %s: fixed? move it to regressions.txt", d.Seed, d.Comment, got, d.Invariant)
		}
	}
}
