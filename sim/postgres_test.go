package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/langganan/langganan/adapters/postgres/pgtest"
	"github.com/langganan/langganan/core"
)

// The budget on PostgreSQL, where a run costs about ten times the CPU it
// costs on a bbolt file (every unit of work and every check takes round
// trips to the server); see the README's Simulator section. Under the race detector
// only the first postgresRaceSeeds run, and neither the regression seeds
// nor the planted defect.
const (
	postgresSeeds     = 32
	postgresRaceSeeds = 4
)

// postgresDefect is the defect planted on PostgreSQL to prove the mode can
// fail: a refunded top-up whose wallet credit stays, which the first
// regular seed finds.
const postgresDefect = core.DefectTopUpRefundKeepsCredit

// TestPostgres runs the simulator over the PostgreSQL store, each run in a
// schema of its own (dropped at its end), a crash closing the connection
// pool and a restart opening a new one on the same schema. Every seed must
// hold the invariants there too, and write the trace it writes on a bbolt
// file, byte for byte: the stores keep the same contract, and a run
// depends on nothing a store generates or on how long it takes. Without a
// reachable PostgreSQL it fails when CI=true and is skipped elsewhere.
func TestPostgres(t *testing.T) {
	pg := Options{Steps: RegularSteps, DatabaseURL: pgtest.Require(t), KeepTrace: true}
	t.Run("Seeds", func(t *testing.T) {
		seeds := budgetSeeds()[:postgresSeeds]
		if raceOn {
			seeds = seeds[:postgresRaceSeeds]
		}
		results := runSeeds(t, pg, seeds)
		sameAsBolt(t, pg, results, func(int) int { return RegularSteps })
	})
	t.Run("RegressionSeeds", func(t *testing.T) {
		if raceOn {
			t.Skip("the regression seeds run on PostgreSQL without the race detector (go test ./sim)")
		}
		regs, results := runRegressions(t, pg)
		sameAsBolt(t, pg, results, func(i int) int { return regs[i].Steps })
	})
	t.Run("PlantedDefect", func(t *testing.T) {
		if raceOn {
			t.Skip("the planted defect runs on PostgreSQL without the race detector (go test ./sim)")
		}
		for _, pd := range plantedDefects {
			if pd.defect == postgresDefect {
				// Not shrunk: on PostgreSQL that would cost minutes.
				findPlanted(t, pg, pd.defect, pd.watch, postgresSeeds, 0)
				return
			}
		}
		t.Fatalf("%s is not a planted defect", postgresDefect)
	})
}

// sameAsBolt runs again on a bbolt file each run of results (made with
// base's options on PostgreSQL, the i-th of steps(i) steps, with their
// traces kept) and fails, naming the first line that differs, where the
// traces are not the same and the difference comes back when both run
// again. A difference that does not come back means a run depended on
// something besides its seed (a defect of the simulator or of a store): it
// is logged, with the lines of the original runs, but does not fail the
// test, since the same replay would not show it.
func sameAsBolt(t *testing.T, base Options, results []Result, steps func(i int) int) {
	t.Helper()
	ctx := context.Background()
	differ, once := 0, 0
	for i, r := range results {
		if r.Store != "postgres" {
			t.Fatalf("seed %d ran on %q, not on PostgreSQL", r.Seed, r.Store)
		}
		opts := base
		opts.Seed, opts.Steps, opts.DatabaseURL, opts.KeepTrace = r.Seed, steps(i), "", true
		b, err := Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Hash == r.Hash {
			continue
		}
		first := firstDiff(b.Trace, r.Trace)
		replay := fmt.Sprintf("replay: go run ./sim/cmd/simulate -seed %d -steps %d -trace [-store postgres]", r.Seed, opts.Steps)
		b2, err := Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.DatabaseURL = base.DatabaseURL
		p2, err := Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b2.Hash == p2.Hash {
			once++
			t.Logf("NONDETERMINISM: seed %d (%d steps): the first runs on bbolt and PostgreSQL differed, the second runs did not (bbolt again %s, PostgreSQL again %s); the first runs, bbolt first:\n%s\n%s",
				r.Seed, opts.Steps, sameOrNot(b2.Hash, b.Hash), sameOrNot(p2.Hash, r.Hash), first, replay)
			continue
		}
		if differ++; differ > 3 {
			t.Errorf("seed %d: PostgreSQL and bbolt traces differ", r.Seed)
			continue
		}
		t.Errorf("seed %d (%d steps): the run on PostgreSQL differs from the run on bbolt (bbolt first)\n%s\n%s",
			r.Seed, opts.Steps, firstDiff(b2.Trace, p2.Trace), replay)
	}
	t.Logf("%d runs compared with bbolt, %d differ, %d differed once", len(results), differ, once)
}

// sameOrNot says whether a run's hash is its first run's.
func sameOrNot(again, first string) string {
	if again == first {
		return "as its first run"
	}
	return "unlike its first run"
}
