package sim

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

func TestDevSmoke(t *testing.T) {
	if os.Getenv("SIM_DEV") == "" {
		t.Skip()
	}
	var tr *os.File
	if os.Getenv("SIM_TRACE") != "" {
		tr = os.Stdout
	}
	start := time.Now()
	total := 0
	found := map[string]int{}
	for seed := uint64(1); seed <= 20; seed++ {
		opts := Options{Seed: seed, Steps: 200, Dir: t.TempDir()}
		if tr != nil {
			opts.Trace = tr
		}
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		total += res.Steps
		if res.Violation != nil {
			found[res.Violation.Invariant]++
			t.Logf("seed %d step %d: %v", seed, res.Violation.Step, res.Violation)
		}
	}
	t.Logf("%d steps in %s (%.0f/s) %v", total, time.Since(start), float64(total)/time.Since(start).Seconds(), found)
}

func TestDevSeed(t *testing.T) {
	if os.Getenv("SIM_SEED") == "" {
		t.Skip()
	}
	var seed uint64
	fmt.Sscan(os.Getenv("SIM_SEED"), &seed)
	res, err := Run(context.Background(), Options{Seed: seed, Steps: 200, Dir: t.TempDir(), Trace: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v", res.Violation)
}
