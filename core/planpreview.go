package core

import (
	"context"
	"errors"
	"time"
)

// PlanChangePreview is what ChangePlan would do if called now with the
// same arguments, computed by the same rules (planChange, prorate, the
// change invoice's pricing) and writing nothing.
type PlanChangePreview struct {
	From, To Plan
	// Immediate: the change applies now; else at EffectiveAt (the period end).
	Immediate   bool
	EffectiveAt time.Time
	// Credit is the unused time on the old plan, Charge the rest of the
	// period on the new one; Net = Charge - Credit, rounded once to the
	// rupiah (zero for a change at the period end or of a trial).
	Credit, Charge, Net Money
	// Invoice is the "change" invoice an immediate upgrade is billed with
	// (its lines, tax and Total, without id or number); nil when nothing is
	// charged.
	Invoice *Invoice
	// Credited is what an immediate downgrade credits to the next invoices:
	// by credit notes on the period's invoices (PPN included) and, beyond
	// what those can take, as carried credit.
	Credited Money
	// AwaitsPayment: the upgrade takes effect once its invoice is paid
	// (not at once from the wallet).
	AwaitsPayment bool
}

// PreviewPlanChange answers what changing subscription id to planRef
// would charge or credit now, with ChangePlan's authorization and
// refusals, without changing anything.
func (s *Service) PreviewPlanChange(ctx context.Context, a Actor, id, planRef string, immediate *bool) (PlanChangePreview, error) {
	if planRef == "" {
		return PlanChangePreview{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "required"}}
	}
	var pv PlanChangePreview
	err := s.store.View(ctx, func(tx Tx) error {
		now := s.now()
		sub, old, err := s.managedSub(tx, a, id)
		if err != nil {
			return err
		}
		np, change, err := s.planChange(tx, sub, old, planRef, immediate, now)
		if err != nil {
			return err
		}
		cur := np.Currency()
		pv = PlanChangePreview{From: old, To: np, Immediate: change.Immediate, EffectiveAt: now,
			Credit: change.credit, Charge: change.debit, Net: change.net, Credited: Zero(cur)}
		switch {
		case !change.Immediate:
			pv.EffectiveAt = sub.CurrentPeriodEnd
		case change.net.IsPositive():
			inv := s.changeInvoiceDraft(sub, old, np, change.credit, change.debit, len(sub.PlanHistory)+1, now)
			pv.Invoice = &inv
			pv.AwaitsPayment = sub.PaymentType != PayWallet
		case change.net.IsNegative():
			// The change's own rule, on a copy, storing nothing.
			after := sub
			if err := s.creditDowngrade(tx, &after, change.net.Neg(), "", "", now, false); err != nil {
				return err
			}
			pv.Credited = creditedBy(sub, after, cur)
		}
		return nil
	})
	return pv, err
}

// creditedBy is the credit after holds beyond before: credit-note balance
// and carried credit (kept negative in PendingCredit).
func creditedBy(before, after Subscription, cur Currency) Money {
	notes := orZero(after.CreditNoteBalance, cur).Sub(orZero(before.CreditNoteBalance, cur))
	carried := orZero(before.PendingCredit, cur).Sub(orZero(after.PendingCredit, cur))
	return notes.Add(carried)
}

// UpcomingInvoice is the next cycle's invoice of a subscription as it
// would be priced now (plan or scheduled plan, seats, coupon, carried
// credit, tax), without id or number; ok is false when no cycle follows
// (ended, paused, or ending at the period end) and while the current one
// is still to be paid (pending, past due): its open invoice comes first.
func (s *Service) UpcomingInvoice(ctx context.Context, a Actor, id string) (inv Invoice, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sub, err := s.visibleSub(tx, a, id)
		if err != nil {
			return err
		}
		switch sub.Status {
		case SubPending, SubPastDue, SubPaused, SubCancelled, SubExpired:
			return nil
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return err
		}
		if sub.Cycle > 0 && s.endsAtPeriodEnd(sub, plan) {
			return nil
		}
		next, err := s.nativePlan(tx, sub)
		if errors.Is(err, ErrNotFound) {
			next = plan
		} else if err != nil {
			return err
		}
		inv, err = s.priceCycle(tx, sub, next, sub.Cycle+1, s.now())
		ok = err == nil
		return err
	})
	return inv, ok, err
}
