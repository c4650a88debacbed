package core

import (
	"context"
	"errors"
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
//     lines of a "change" invoice, which is charged at once. The upgrade
//     takes effect when that invoice is paid (at once from the wallet or a
//     card that captures); until then it is the pending plan change, and it
//     is dropped if its order fails or expires.
//   - Downgrades default to the period end (immediate=false). An immediate
//     downgrade credits the net difference to the next invoices, by a
//     credit note on the period's invoice (see creditDowngrade).
//   - Trialing subscriptions simply switch. A change is refused (409) while
//     the subscription is pending, paused or past due, once its period has
//     ended unpaid, or while another change awaits payment.
//   - Native subscriptions are updated at Midtrans first: if Midtrans
//     refuses, nothing changes here.
func (s *Service) ChangePlan(ctx context.Context, a Actor, id, planRef string, immediate *bool) (Subscription, error) {
	if planRef == "" {
		return Subscription{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "required"}}
	}
	cur, err := s.GetSubscription(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if err := s.requireManager(ctx, a, cur); err != nil {
		return cur, err
	}
	if cur.Native() {
		// What the subscription will be billed next once the change is
		// stored. An upgrade counts as applied: a native subscription's
		// proration is charged to its saved card or linked account, which
		// captures at once; if it does not, the sync below puts Midtrans back.
		if err := s.preflightNative(ctx, id, func(tx Tx, sub *Subscription) error {
			old, err := tx.Plans().Get(sub.PlanID)
			if err != nil {
				return err
			}
			np, change, err := s.planChange(tx, *sub, old, planRef, immediate, s.now())
			if err != nil {
				return err
			}
			switch {
			case !change.Immediate:
				sub.ScheduledPlanID = np.ID
			default:
				sub.PlanID, sub.ScheduledPlanID = np.ID, ""
				if change.net.IsNegative() {
					return s.creditDowngrade(tx, sub, change.net.Neg(), "", "", s.now(), false)
				}
			}
			return nil
		}); err != nil {
			return cur, err
		}
	}
	var charge *Payment
	sub, err := s.mutateSub(ctx, a, id, func(tx Tx, sub *Subscription, old Plan, now time.Time) error {
		charge = nil // fn may run more than once
		np, change, err := s.planChange(tx, *sub, old, planRef, immediate, now)
		if err != nil {
			return err
		}
		if !change.Immediate {
			sub.ScheduledPlanID = np.ID
			sub.PlanHistory = append(sub.PlanHistory, change.PlanChange)
			recordHistory(sub, change.PlanChange, "scheduled")
			return nil
		}
		if change.net.IsPositive() {
			inv, p, paid, err := s.changeInvoice(tx, sub, old, np, change.credit, change.debit, len(sub.PlanHistory)+1, now)
			if err != nil {
				return err
			}
			if !paid && !s.planted(DefectUnpaidUpgradeApplies) {
				// The upgrade waits for its proration to be paid.
				sub.PendingPlanID, sub.PendingPlanInvoiceID = np.ID, inv.ID
				sub.PlanHistory = append(sub.PlanHistory, change.PlanChange)
				recordHistory(sub, change.PlanChange, "awaiting payment")
				charge = p
				return nil
			}
			charge = p
		} else if change.net.IsNegative() {
			key := fmt.Sprintf("downgrade-%d", len(sub.PlanHistory)+1)
			desc := fmt.Sprintf("Unused time on %s after the change to %s", old.Name, np.Name)
			if err := s.creditDowngrade(tx, sub, change.net.Neg(), key, desc, now, true); err != nil {
				return err
			}
		}
		sub.PlanHistory = append(sub.PlanHistory, change.PlanChange)
		return s.switchPlan(tx, sub, old, np, change.Proration, now)
	})
	if err != nil {
		if cur.Native() {
			_ = s.syncNative(ctx, id) // back to what is stored
		}
		return sub, err
	}
	if charge != nil && charge.Status == PaymentCreating {
		if _, err := s.sendCharge(ctx, *charge, ChargeRequest{}); err != nil {
			return s.currentAfter(ctx, a, id, err)
		}
	}
	if err := s.reissueOpenRenewal(ctx, id); err != nil {
		return s.currentAfter(ctx, a, id, err)
	}
	if sub.Native() {
		_ = s.syncNative(ctx, id) // records what the preflight told Midtrans
	}
	return s.GetSubscription(ctx, a, id)
}

// currentAfter answers the subscription as stored with err.
func (s *Service) currentAfter(ctx context.Context, a Actor, id string, err error) (Subscription, error) {
	sub, gerr := s.GetSubscription(ctx, a, id)
	if gerr != nil {
		return sub, errors.Join(err, gerr)
	}
	return sub, err
}

// planChangeCalc is a validated plan change with its proration.
type planChangeCalc struct {
	PlanChange
	credit, debit, net Money
}

// planChange validates a change of sub (on old) to planRef and prices it;
// it writes nothing. The refusals are the plan-change rules.
func (s *Service) planChange(tx Tx, sub Subscription, old Plan, planRef string, immediate *bool, now time.Time) (Plan, planChangeCalc, error) {
	np, err := s.findPlan(tx, planRef)
	if err != nil || np.Status != PlanActive {
		return np, planChangeCalc{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"plan_id": "no active plan with this id or slug"}}
	}
	if np.ID == sub.PlanID {
		return np, planChangeCalc{}, Conflictf("the subscription is already on plan %q", np.Slug)
	}
	if np.Currency() != old.Currency() {
		return np, planChangeCalc{}, Unprocessablef("cannot change between currencies")
	}
	switch {
	case sub.Status == SubPending:
		return np, planChangeCalc{}, Conflictf("pay or cancel the pending first charge before changing plan")
	case sub.Status == SubCancelled || sub.Status == SubExpired:
		return np, planChangeCalc{}, Conflictf("cannot change the plan of a %s subscription", sub.Status)
	case sub.Status == SubPaused:
		return np, planChangeCalc{}, Conflictf("resume the subscription before changing its plan")
	case sub.Status == SubPastDue || sub.Status == SubActive && !now.Before(sub.CurrentPeriodEnd):
		return np, planChangeCalc{}, Conflictf("pay the renewal before changing the plan")
	case sub.PendingPlanID != "":
		return np, planChangeCalc{}, Conflictf("a change to another plan is awaiting payment")
	}
	if err := s.checkSeatsForPlan(tx, sub, np); err != nil {
		return np, planChangeCalc{}, err
	}
	oldAmt, newAmt := seatPrice(old, sub.Quantity), seatPrice(np, sub.Quantity)
	upgrade := newAmt.Cmp(oldAmt) > 0
	now2 := immediate == nil && upgrade || immediate != nil && *immediate || sub.Status == SubTrialing
	c := planChangeCalc{PlanChange: PlanChange{FromPlanID: old.ID, ToPlanID: np.ID, At: now, Immediate: now2, Proration: "0.00"},
		credit: Zero(np.Currency()), debit: Zero(np.Currency()), net: Zero(np.Currency())}
	if now2 && sub.Status == SubActive {
		c.credit, c.debit = prorate(oldAmt, newAmt, sub.CurrentPeriodStart, sub.CurrentPeriodEnd, now)
		c.net = c.debit.Sub(c.credit)
		c.Proration = c.net.String()
	}
	return np, c, nil
}

// switchPlan puts sub on plan np now (inside tx).
func (s *Service) switchPlan(tx Tx, sub *Subscription, old, np Plan, proration string, now time.Time) error {
	reanchor(sub, old, np)
	sub.PlanID, sub.ScheduledPlanID = np.ID, ""
	sub.PendingPlanID, sub.PendingPlanInvoiceID = "", ""
	recordHistory(sub, PlanChange{FromPlanID: old.ID, ToPlanID: np.ID, At: now, Immediate: true, Proration: proration}, "applied")
	sub.NextActionAt = s.nextAction(*sub, np, now)
	return s.emit(tx, EvSubscriptionPlanChanged, sub.OwnerID, now, map[string]any{
		"subscription_id": sub.ID, "from_plan_id": old.ID, "to_plan_id": np.ID, "proration": proration})
}

// reanchor restarts the schedule at the current period end when a plan
// change moves the billing interval: the next cycle is one interval of the
// new plan from there, never counted from the old anchor in new units.
func reanchor(sub *Subscription, old, np Plan) {
	if old.Interval == np.Interval && old.IntervalUnit == np.IntervalUnit || sub.Cycle == 0 {
		return
	}
	sub.Anchor, sub.AnchorCycle = sub.CurrentPeriodEnd, sub.Cycle
}

// applyChangePaid applies the upgrade a paid change invoice was for.
func (s *Service) applyChangePaid(tx Tx, sub *Subscription, inv Invoice, now time.Time) error {
	if sub.PendingPlanInvoiceID != inv.ID || sub.PendingPlanID == "" {
		return nil
	}
	old, err := tx.Plans().Get(sub.PlanID)
	if err != nil {
		return err
	}
	np, err := tx.Plans().Get(sub.PendingPlanID)
	if err != nil {
		return err
	}
	if err := s.switchPlan(tx, sub, old, np, inv.Total.String(), now); err != nil {
		return err
	}
	sub.UpdatedAt = now
	return tx.Subscriptions().Put(*sub)
}

// dropPendingChange drops an upgrade whose proration order failed or
// expired, and tells the owner.
func (s *Service) dropPendingChange(tx Tx, sub *Subscription, p *Payment, now time.Time) error {
	if sub.PendingPlanInvoiceID == "" || sub.PendingPlanInvoiceID != p.InvoiceID {
		return nil
	}
	to := sub.PendingPlanID
	sub.PendingPlanID, sub.PendingPlanInvoiceID, sub.UpdatedAt = "", "", now
	if err := s.voidOpenInvoice(tx, sub.ID, p.InvoiceID, now); err != nil {
		return err
	}
	if err := tx.Subscriptions().Put(*sub); err != nil {
		return err
	}
	return s.emit(tx, EvSubscriptionPlanChangeFailed, sub.OwnerID, now, map[string]any{
		"subscription_id": sub.ID, "plan_id": sub.PlanID, "to_plan_id": to, "order_id": p.OrderID})
}

// reissueOpenRenewal reprices an open renewal order after a change of
// plan or seats: the order is cancelled at Midtrans and the cycle charged
// again at the new total under the next attempt's order id.
func (s *Service) reissueOpenRenewal(ctx context.Context, id string) error {
	var stale *Payment
	cycle := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		stale, cycle = nil, 0
		now := s.now()
		sub, err := tx.Subscriptions().Get(id)
		if err != nil || sub.Status.Terminal() || sub.Status == SubPaused {
			return err
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return err
		}
		open, err := s.openPayments(tx, id)
		if err != nil {
			return err
		}
		for _, p := range open {
			inv, err := tx.Invoices().Get(p.InvoiceID)
			if err != nil || inv.Key != CycleKey(sub.Cycle+1) {
				continue
			}
			// Priced again with the credit it took given back, and taking
			// it anew: credit is neither lost nor taken twice.
			priced := sub
			carried := returnCarried(&priced, inv)
			fresh, err := s.priceCycle(tx, priced, plan, inv.Cycle, now)
			if err != nil {
				return err
			}
			samePeriod := inv.PeriodStart.Equal(fresh.PeriodStart) && inv.PeriodEnd.Equal(fresh.PeriodEnd)
			if fresh.Total.Equal(p.Amount) && samePeriod {
				return nil
			}
			// The new plan's interval may differ (yearly to monthly): the
			// invoice states the period the new price pays for.
			inv.Lines, inv.Subtotal, inv.Discount, inv.Tax, inv.Total = fresh.Lines, fresh.Subtotal, fresh.Discount, fresh.Tax, fresh.Total
			inv.TaxBase, inv.TaxRate, inv.TaxInclusive = fresh.TaxBase, fresh.TaxRate, fresh.TaxInclusive
			inv.PeriodStart, inv.PeriodEnd, inv.UpdatedAt = fresh.PeriodStart, fresh.PeriodEnd, now
			if err := tx.Invoices().Put(inv); err != nil {
				return err
			}
			if takeCarried(&priced, fresh) || carried {
				priced.UpdatedAt = now
				if err := tx.Subscriptions().Put(priced); err != nil {
					return err
				}
			}
			if fresh.Total.Equal(p.Amount) {
				return nil // the open order still asks for the right amount
			}
			p.Superseded, p.UpdatedAt = true, now
			if err := tx.Payments().Put(p); err != nil {
				return err
			}
			stale, cycle = &p, inv.Cycle
			return nil
		}
		return nil
	})
	if err != nil || stale == nil {
		return err
	}
	s.cancelAtGateway(ctx, *stale)
	_, err = s.chargeCycle(ctx, id, cycle)
	return err
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
func (s *Service) changeInvoice(tx Tx, sub *Subscription, old, np Plan, credit, debit Money, n int, now time.Time) (Invoice, *Payment, bool, error) {
	cur := np.Currency()
	inv := s.changeInvoiceDraft(*sub, old, np, credit, debit, n, now)
	inv.ID = s.ids.NewID()
	if err := s.putNewInvoice(tx, &inv); err != nil {
		return inv, nil, false, err
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
			return inv, nil, false, err
		}
		return inv, &p, true, s.applyStatus(tx, &p, PaymentPaid, now)
	}
	if s.gw == nil {
		return inv, nil, false, Unprocessablef("payments are unavailable: %v", ErrNoGateway)
	}
	return inv, &p, false, tx.Payments().Put(p)
}

// changeInvoiceDraft is the priced "change" invoice of an immediate
// upgrade, without id or number: ChangePlan stores it, PreviewPlanChange
// shows it.
func (s *Service) changeInvoiceDraft(sub Subscription, old, np Plan, credit, debit Money, n int, now time.Time) Invoice {
	inv := Invoice{OwnerID: sub.OwnerID, SubscriptionID: sub.ID, Key: fmt.Sprintf("change-%d", n), TaxInclusive: np.PriceIncludesTax,
		Cycle: sub.Cycle, PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd, Status: InvoiceOpen, Currency: np.Currency(),
		IssueDate: now, DueDate: now.Add(s.cfg.InvoiceDue), CreatedAt: now, UpdatedAt: now,
		Lines: []InvoiceLine{
			{Kind: LineProrationCredit, Description: "Unused time on " + old.Name, Quantity: 1, UnitAmount: credit.Neg(), Amount: credit.Neg(), PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd},
			{Kind: LineProrationCharge, Description: "Remaining time on " + np.Name, Quantity: 1, UnitAmount: debit, Amount: debit, PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd},
		}}
	s.price(&inv)
	return inv
}

// recordHistory also keeps the plan change in metadata["plan_history"], where
// integrations written against the original service read it.
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
