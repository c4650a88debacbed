package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/langganan/langganan/core"
)

// plantedDefects maps each money defect Plant can re-create to the
// invariants that must catch it.
var plantedDefects = []struct {
	defect core.Defect
	watch  []string
}{
	{core.DefectTopUpRefundKeepsCredit, []string{"topUpCreditMatchesMoneyHeld"}},
	{core.DefectPauseBillsPausedTime, []string{"noPausedOrCancelledTimeBilled"}},
	{core.DefectUnpaidUpgradeApplies, []string{"planChangeOnlyWhenPaid"}},
	{core.DefectRefundNotReserved, []string{"refundsStayWithinPayment", "settledMoneyIsHeldByMidtrans"}},
	{core.DefectCardTrialKeepsSingleUseToken, []string{"reusableTokenForLaterCharges"}},
	{core.DefectCustomerRefunds, []string{"refundsOnlyByAdmin"}},
	{core.DefectDashboardRefundDeduped, []string{"everyRupiahAccountedOnce"}},
	{core.DefectNativeAmountStale, []string{"nativeMatchesLocal"}},
	{core.DefectCreditNoteTwice, []string{"everyRefundCreditedOnce"}},
}

// TestPlantedDefectsAreFound: a simulator that cannot find a planted bug
// proves nothing. Each defect is planted on the service and the regular
// seeds run, watching the invariant it breaks, until one seed reports it
// that does not report it without the defect.
func TestPlantedDefectsAreFound(t *testing.T) {
	// The regular budget (48 seeds under the race detector, which slows a
	// run eightfold); the search stops at the first seed that finds the
	// defect.
	n := RegularSeeds
	if raceOn {
		n = 48
	}
	for _, pd := range plantedDefects {
		t.Run(string(pd.defect), func(t *testing.T) {
			findPlanted(t, Options{Steps: RegularSteps}, pd.defect, pd.watch, n, shrinkRuns())
		})
	}
}

// findPlanted plants defect and runs the first n regular seeds with base's
// options, watching the invariants that must catch it, until one seed
// reports it that does not without the defect; it fails if none does. The
// find is shrunk with up to shrink replays.
func findPlanted(t *testing.T, base Options, defect core.Defect, watch []string, n, shrink int) {
	t.Helper()
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(1000 + i)
	}
	planted := base
	planted.Defects, planted.Watch = []core.Defect{defect}, watch
	// In small batches: stop at the first batch with a find.
	for lo := 0; lo < len(seeds); lo += workers() {
		hi := min(lo+workers(), len(seeds))
		results, err := Batch(context.Background(), planted, seeds[lo:hi], workers(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Violation == nil {
				continue
			}
			// The find counts only if the same seed without the defect
			// does not break the same invariant: the defect caused it.
			clean := base
			clean.Seed, clean.Watch = r.Seed, watch
			c, err := Run(context.Background(), clean)
			if err != nil {
				t.Fatal(err)
			}
			if c.Violation != nil && c.Violation.Invariant == r.Violation.Invariant {
				t.Logf("seed %d breaks %s without the defect too; not counted", r.Seed, r.Violation.Invariant)
				continue
			}
			opts := planted
			opts.Seed = r.Seed
			steps, sres := Shrink(context.Background(), opts, r.Failing, r.Violation.Invariant, shrink)
			v := r.Violation
			if sres.Violation != nil {
				v = sres.Violation
			}
			shrunk := fmt.Sprintf("shrunk to %d", len(steps))
			if shrink == 0 {
				shrunk = "not shrunk"
			}
			t.Logf("found by seed %d after %d steps, %s: %s: %s", r.Seed, len(r.Failing), shrunk, v.Invariant, v.Detail)
			return
		}
	}
	t.Fatalf("defect %s planted, and none of the first %d regular seeds found it", defect, n)
}
