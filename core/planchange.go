package core

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// ChangePlan moves a subscription to another plan.
//
//   - Upgrades (a higher price per period) apply immediately by default; the
//     unused time of the old plan is credited and the rest of the period
//     charged at the new price, prorated to the second, and the net is
//     rounded once to whole rupiah (half away from zero). Both appear as
//     lines of a "change" invoice, which is charged at once.
//   - Downgrades default to the period end (immediate=false). An immediate
//     downgrade credits the net difference to the next invoice.
//   - Trialing subscriptions simply switch; pending ones are refused (pay or
//     cancel the first charge first).
//   - Native subscriptions are PATCHed at Midtrans to the new amount.
func (s *Service) ChangePlan(ctx context.Context, a Actor, id, planRef string, immediate *bool) (Subscription, error) {
	if planRef == "" {
		return Subscription{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "required"}}
	}
	var charge *Payment
	var native *NativeSubscriptionUpdate
	var nativeID string
	sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, old Plan, now time.Time) error {
		charge, native, nativeID = nil, nil, "" // fn may run more than once
		np, err := s.findPlan(tx, planRef)
		if err != nil || np.Status != PlanActive {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "no active plan with this id or slug"}}
		}
		if np.ID == sub.PlanID {
			return Conflictf("the subscription is already on plan %q", np.Slug)
		}
		if np.Currency() != old.Currency() {
			return Unprocessablef("cannot change between currencies")
		}
		switch sub.Status {
		case SubPending:
			return Conflictf("pay or cancel the pending first charge before changing plan")
		case SubCancelled, SubExpired:
			return Conflictf("cannot change the plan of a %s subscription", sub.Status)
		}
		if err := s.checkSeatsForPlan(tx, *sub, np); err != nil {
			return err
		}
		qty := int64(max(sub.Quantity, 1))
		oldAmt, newAmt := old.Price.MulInt(seatCount(old, qty)), np.Price.MulInt(seatCount(np, qty))
		upgrade := newAmt.Cmp(oldAmt) > 0
		now2 := immediate == nil && upgrade || immediate != nil && *immediate
		if sub.Status == SubTrialing || sub.Status == SubPaused || sub.Status == SubPastDue {
			now2 = true
		}
		change := PlanChange{FromPlanID: old.ID, ToPlanID: np.ID, At: now, Immediate: now2, Proration: "0.00"}
		if !now2 {
			sub.ScheduledPlanID = np.ID
			sub.PlanHistory = append(sub.PlanHistory, change)
			recordHistory(sub, change, "scheduled")
			return nil
		}
		if sub.Status == SubActive && now.Before(sub.CurrentPeriodEnd) {
			credit, debit := prorate(oldAmt, newAmt, sub.CurrentPeriodStart, sub.CurrentPeriodEnd, now)
			net := debit.Sub(credit)
			change.Proration = net.String()
			switch {
			case net.IsPositive():
				inv, p, err := s.changeInvoice(tx, sub, old, np, credit, debit, len(sub.PlanHistory)+1, now)
				if err != nil {
					return err
				}
				_ = inv
				charge = p
			case net.IsNegative():
				sub.PendingCredit = sub.PendingCredit.Add(net)
			}
		}
		sub.PlanID = np.ID
		sub.ScheduledPlanID = ""
		sub.PlanHistory = append(sub.PlanHistory, change)
		recordHistory(sub, change, "applied")
		sub.NextActionAt = s.nextAction(*sub, np, now)
		if sub.Native() {
			amt := newAmt
			native, nativeID = &NativeSubscriptionUpdate{Amount: &amt}, sub.MidtransSubscriptionID
		}
		return s.emit(tx, EvSubscriptionPlanChanged, sub.OwnerID, now, map[string]any{
			"subscription_id": sub.ID, "from_plan_id": old.ID, "to_plan_id": np.ID, "proration": change.Proration})
	})
	if err != nil {
		return sub, err
	}
	if native != nil {
		if err := s.nativeCall(ctx, func(gw Gateway) error { return gw.UpdateSubscription(ctx, nativeID, *native) }); err != nil {
			return sub, err
		}
	}
	if charge != nil && charge.Status == PaymentCreating {
		if _, err := s.sendCharge(ctx, *charge, ChargeRequest{}); err != nil {
			return sub, err
		}
	}
	return s.GetSubscription(ctx, a, id)
}

func seatCount(p Plan, qty int64) int64 {
	if p.PerSeat {
		return qty
	}
	return 1
}

// prorate returns the credit for the old amount's unused time and the
// charge for the new amount over the same time, each exact; the caller
// rounds the net once.
func prorate(oldAmt, newAmt Money, start, end, at time.Time) (Money, Money) {
	total := decimal.NewFromInt(int64(end.Sub(start) / time.Second))
	left := decimal.NewFromInt(int64(end.Sub(at) / time.Second))
	if total.IsZero() || left.IsNegative() {
		return Zero(oldAmt.Currency()), Zero(oldAmt.Currency())
	}
	credit := oldAmt.mulRatio(left, total)
	debit := newAmt.mulRatio(left, total)
	// Round the net once; express both lines so that they sum to it.
	net := debit.Sub(credit).RoundRupiah()
	credit = credit.RoundRupiah()
	return credit, credit.Add(net)
}

// changeInvoice bills an immediate upgrade: a credit line, a charge line,
// and a payment for the net, paid from the wallet for wallet subscriptions.
func (s *Service) changeInvoice(tx Tx, sub *Subscription, old, np Plan, credit, debit Money, n int, now time.Time) (Invoice, *Payment, error) {
	cur := np.Currency()
	inv := Invoice{ID: s.ids.NewID(), OwnerID: sub.OwnerID, SubscriptionID: sub.ID, Key: fmt.Sprintf("change-%d", n),
		Cycle: sub.Cycle, PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd, Status: InvoiceOpen, Currency: cur,
		IssueDate: now, DueDate: now.Add(s.cfg.InvoiceDue), CreatedAt: now, UpdatedAt: now,
		Lines: []InvoiceLine{
			{Kind: LineProrationCredit, Description: "Unused time on " + old.Name, Quantity: 1, UnitAmount: credit.Neg(), Amount: credit.Neg(), PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd},
			{Kind: LineProrationCharge, Description: "Remaining time on " + np.Name, Quantity: 1, UnitAmount: debit, Amount: debit, PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd},
		}}
	inv.Totals(s.cfg.TaxRate)
	if err := s.putNewInvoice(tx, &inv); err != nil {
		return inv, nil, err
	}
	orderID := orderID("SUB-", "change", sub.ID, fmt.Sprint(n))
	p := Payment{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeSubscription, SubscriptionID: sub.ID,
		InvoiceID: inv.ID, OrderID: orderID, Amount: inv.Total, Status: PaymentCreating, Cycle: sub.Cycle, Attempt: 1,
		IdempotencyKey: IdempotencyKey("charge", orderID), Refunded: Zero(cur), CreatedAt: now, UpdatedAt: now}
	p.PaymentType, p.Bank = chargeMethod(*sub)
	if sub.PaymentType == PayWallet {
		p.OrderID = "WALLET-" + orderID[4:]
		p.PaymentType = PayWallet
		if _, err := s.debitWallet(tx, sub.OwnerID, inv.Total, EntrySubscriptionPayment, "payment", p.ID, "Plan change, invoice "+inv.Number, now); err != nil {
			return inv, nil, err
		}
		return inv, &p, s.applyStatus(tx, &p, PaymentPaid, now)
	}
	if s.gw == nil {
		return inv, nil, Unprocessablef("payments are unavailable: %v", ErrNoGateway)
	}
	return inv, &p, tx.Payments().Put(p)
}

// recordHistory keeps the plan change in metadata, as the seed does.
func recordHistory(sub *Subscription, c PlanChange, state string) {
	h, _ := sub.Metadata["plan_history"].([]any)
	h = append(h, map[string]any{"from_plan_id": c.FromPlanID, "to_plan_id": c.ToPlanID,
		"at": c.At.Format(time.RFC3339), "immediate": c.Immediate, "proration": c.Proration, "state": state})
	sub.Metadata = withMeta(sub.Metadata, "plan_history", h)
}

// applyScheduledPlan switches to the plan scheduled for the period end.
func (s *Service) applyScheduledPlan(ctx context.Context, id string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		sub, err := tx.Subscriptions().Get(id)
		if err != nil || sub.ScheduledPlanID == "" {
			return err
		}
		sub.NextActionAt = now
		_, err = s.switchScheduledPlan(tx, &sub, now)
		return err
	})
}
