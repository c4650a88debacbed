package sim

import (
	"context"
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
}

// TestPlantedDefectsAreFound: a simulator that cannot find a planted bug
// proves nothing. Each defect is planted on the service and the regular
// seeds run, watching the invariant it breaks, until one seed reports it.
func TestPlantedDefectsAreFound(t *testing.T) {
	for _, pd := range plantedDefects {
		t.Run(string(pd.defect), func(t *testing.T) {
			seeds := budgetSeeds()
			// In small batches: stop at the first batch with a find.
			for lo := 0; lo < len(seeds); lo += workers() {
				hi := min(lo+workers(), len(seeds))
				results, err := Batch(context.Background(), seeds[lo:hi], RegularSteps, []core.Defect{pd.defect}, pd.watch, workers(), nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range results {
					if r.Violation == nil {
						continue
					}
					opts := Options{Seed: r.Seed, Defects: []core.Defect{pd.defect}, Watch: pd.watch}
					steps, sres := Shrink(context.Background(), opts, r.Failing, r.Violation.Invariant, shrinkRuns())
					v := r.Violation
					if sres.Violation != nil {
						v = sres.Violation
					}
					t.Logf("found by seed %d after %d steps, shrunk to %d: %s: %s", r.Seed, len(r.Failing), len(steps), v.Invariant, v.Detail)
					return
				}
			}
			t.Fatalf("defect %s planted, and no seed of the regular budget found it", pd.defect)
		})
	}
}
