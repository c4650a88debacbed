package core

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// applyStatus stores p and, when its status really changes, applies the
// effects of the new status. Moves that would go backwards (a "pending"
// after "settlement") or leave a terminal state are ignored: this is what
// makes out-of-order and duplicated notifications harmless.
func (s *Service) applyStatus(tx Tx, p *Payment, to PaymentStatus, now time.Time) error {
	changed := p.Status.CanMove(to)
	if changed {
		p.Status = to
		if to == PaymentPaid && p.PaidAt.IsZero() {
			p.PaidAt = now
		}
		if to == PaymentPaid {
			p.RefundCheckAt = nextRefundCheck(*p, now)
		}
	}
	p.UpdatedAt = now
	if err := tx.Payments().Put(*p); err != nil {
		return fmt.Errorf("store payment %s: %w", p.OrderID, err)
	}
	if !changed {
		return nil
	}
	switch {
	case to == PaymentPaid:
		return s.applyPaid(tx, p, now)
	case to.Dead():
		return s.applyDead(tx, p, now)
	}
	return nil
}

// applyPaid applies a settled payment: the invoice is paid and the
// subscription activated or renewed, or the top-up credited. A payment that
// can no longer pay what it was for (superseded order, cycle already paid,
// subscription ended) is credited to the owner's wallet, never dropped.
func (s *Service) applyPaid(tx Tx, p *Payment, now time.Time) error {
	if err := s.emit(tx, EvPaymentSucceeded, p.OwnerID, now, paymentData(*p)); err != nil {
		return err
	}
	switch p.Purpose {
	case PurposeTopUp:
		return s.applyTopUpPaid(tx, p, now)
	case PurposeCardCheck:
		// A check captured instead of held took money nothing was owed for.
		return s.creditLatePayment(tx, p, now)
	case PurposeSubscription:
	default:
		return nil
	}
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		return fmt.Errorf("load subscription %s: %w", p.SubscriptionID, err)
	}
	inv, err := tx.Invoices().Get(p.InvoiceID)
	if err != nil {
		return fmt.Errorf("load invoice %s: %w", p.InvoiceID, err)
	}
	isCycle := inv.Key == CycleKey(inv.Cycle)
	// A paused subscription is not reactivated by money that arrives for
	// it (an order paid at the bank before the pause cancelled it).
	if p.Superseded || inv.Status == InvoicePaid || inv.Status == InvoiceVoid || sub.Status.Terminal() ||
		sub.Status == SubPaused || (isCycle && p.Cycle <= sub.Cycle) {
		return s.creditLatePayment(tx, p, now)
	}
	if inv.Status == InvoiceDraft {
		// A draft is issued when it is paid: it takes its number now.
		inv.IssueDate = now
	}
	inv.Status, inv.PaidAt, inv.PaymentID, inv.UpdatedAt = InvoicePaid, now, p.ID, now
	if err := s.issueInvoice(tx, &inv); err != nil {
		return err
	}
	if err := tx.Invoices().Put(inv); err != nil {
		return err
	}
	if err := s.emit(tx, EvInvoicePaid, inv.OwnerID, now, map[string]any{"invoice_id": inv.ID, "number": inv.Number, "total": inv.Total.String()}); err != nil {
		return err
	}
	// An immediate plan change is paid by its own invoice; it changes the
	// plan, not the cycle.
	if !isCycle {
		return s.applyChangePaid(tx, &sub, inv, now)
	}
	return s.onCyclePaid(tx, &sub, inv, now)
}

// onCyclePaid activates (first cycle) or renews (later cycles) sub.
func (s *Service) onCyclePaid(tx Tx, sub *Subscription, inv Invoice, now time.Time) error {
	plan, err := tx.Plans().Get(sub.PlanID)
	if err != nil {
		return err
	}
	first := sub.Cycle == 0
	if sub.Anchor.IsZero() {
		sub.Anchor = now
		if !sub.TrialEnd.IsZero() {
			sub.Anchor = sub.TrialEnd
		}
	}
	sub.Cycle = inv.Cycle
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = s.cycleBounds(*sub, plan, inv.Cycle, now)
	sub.NextBillingDate = sub.CurrentPeriodEnd
	sub.DunningAttempts, sub.PastDueSince, sub.RemindersSent = 0, time.Time{}, 0
	if sub.CouponCyclesLeft > 0 && slices.ContainsFunc(inv.Lines, func(l InvoiceLine) bool { return l.Kind == LineDiscount }) {
		sub.CouponCyclesLeft--
	}
	if sub.Status != SubActive {
		if err := sub.Transition(SubActive, now); err != nil {
			return err
		}
	}
	sub.NextActionAt = s.nextAction(*sub, plan, now)
	sub.UpdatedAt = now
	if err := tx.Subscriptions().Put(*sub); err != nil {
		return err
	}
	ev := EvSubscriptionRenewed
	if first {
		ev = EvSubscriptionActivated
	}
	return s.emit(tx, ev, sub.OwnerID, now, subscriptionData(*sub))
}

// applyDead applies a payment that will never be paid.
func (s *Service) applyDead(tx Tx, p *Payment, now time.Time) error {
	if err := s.emit(tx, EvPaymentFailed, p.OwnerID, now, paymentData(*p)); err != nil {
		return err
	}
	switch p.Purpose {
	case PurposeTopUp:
		return s.applyTopUpDead(tx, p, now)
	case PurposeCardCheck:
		return s.applyCardCheckDead(tx, p, now)
	case PurposeSubscription:
	default:
		return nil
	}
	if p.Superseded {
		return nil
	}
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		return err
	}
	if sub.PendingPlanInvoiceID != "" && sub.PendingPlanInvoiceID == p.InvoiceID {
		return s.dropPendingChange(tx, &sub, p, now)
	}
	if sub.Status.Terminal() || p.Cycle <= sub.Cycle {
		return nil
	}
	plan, err := tx.Plans().Get(sub.PlanID)
	if err != nil {
		return err
	}
	if sub.Cycle == 0 {
		// Never paid: the subscription never goes past_due, it expires.
		if err := sub.Transition(SubExpired, now); err != nil {
			return err
		}
		sub.NextActionAt = time.Time{}
		if err := s.voidOpenInvoice(tx, sub.ID, p.InvoiceID, now); err != nil {
			return err
		}
		if err := tx.Subscriptions().Put(sub); err != nil {
			return err
		}
		return s.emit(tx, EvSubscriptionExpired, sub.OwnerID, now, subscriptionData(sub))
	}
	changed, err := s.enterPastDue(&sub, plan, p.Attempt, now)
	if err != nil {
		return err
	}
	if err := tx.Subscriptions().Put(sub); err != nil {
		return err
	}
	if changed {
		return s.emit(tx, EvSubscriptionPastDue, sub.OwnerID, now, subscriptionData(sub))
	}
	return nil
}

func (s *Service) voidOpenInvoice(tx Tx, subID, invoiceID string, now time.Time) error {
	if invoiceID == "" {
		return nil
	}
	inv, err := tx.Invoices().Get(invoiceID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inv.Status == InvoiceOpen || inv.Status == InvoiceOverdue || inv.Status == InvoiceDraft {
		inv.Status, inv.UpdatedAt = InvoiceVoid, now
		return tx.Invoices().Put(inv)
	}
	return nil
}

// creditLatePayment keeps money that arrived for something no longer owed:
// it goes to the owner's wallet, and the credit is recorded on the payment.
func (s *Service) creditLatePayment(tx Tx, p *Payment, now time.Time) error {
	if p.Amount.IsZero() || p.PaymentType == PayWallet {
		return nil
	}
	if _, err := s.creditWallet(tx, p.OwnerID, p.Amount, EntryRefund, "payment", p.ID,
		"Late payment of superseded order "+p.OrderID+" credited to wallet", now); err != nil {
		return err
	}
	p.Refunds = append(p.Refunds, Refund{Key: "wallet-credit-" + p.OrderID, Amount: p.Amount,
		Reason: "late settlement credited to wallet", Status: RefundDone, ToWallet: true, CreatedAt: now})
	p.settleRefunded()
	p.UpdatedAt = now
	if err := tx.Payments().Put(*p); err != nil {
		return err
	}
	return s.emit(tx, EvAlert, p.OwnerID, now, map[string]any{
		"alert": "late_settlement_credited", "order_id": p.OrderID, "amount": p.Amount.String()})
}

// schedule is the billing schedule of a subscription on its plan.
func (s *Service) schedule(sub Subscription, plan Plan) Schedule {
	return Schedule{Anchor: sub.Anchor, Unit: plan.IntervalUnit, Interval: plan.Interval, Loc: s.cfg.Location}
}

// reminderDays are the expiring-soon notices before a subscription's end.
var reminderDays = []int{7, 3, 1}

// nextAction is when the billing engine must next look at sub.
func (s *Service) nextAction(sub Subscription, plan Plan, now time.Time) time.Time {
	switch sub.Status {
	case SubPending:
		return now.Add(s.cfg.PaymentExpiry)
	case SubTrialing:
		if r := sub.TrialEnd.Add(-3 * 24 * time.Hour); sub.RemindersSent == 0 && r.After(now) {
			return r
		}
		return sub.TrialEnd
	case SubActive:
		end := sub.CurrentPeriodEnd
		if !sub.EndsAt.IsZero() && sub.EndsAt.Before(end) {
			end = sub.EndsAt
		}
		if s.endsAtPeriodEnd(sub, plan) {
			for i, d := range reminderDays {
				if sub.RemindersSent&(1<<i) == 0 {
					if r := end.Add(-time.Duration(d) * 24 * time.Hour); r.After(now) {
						return r
					}
				}
			}
		}
		if needsNativeCheck(sub, end) {
			if r := end.Add(-nativeCheckLead); r.After(now) {
				return r
			}
		}
		return end
	case SubPastDue:
		next := s.graceEnd(sub)
		if r, ok := s.retryDue(sub); ok && r.Before(next) {
			next = r
		}
		return next
	case SubPaused:
		if !sub.EndsAt.IsZero() {
			return sub.EndsAt
		}
	}
	return time.Time{}
}

// endsAtPeriodEnd reports whether the current period is the last one.
func (s *Service) endsAtPeriodEnd(sub Subscription, plan Plan) bool {
	if sub.CancelAtPeriodEnd {
		return true
	}
	if !sub.EndsAt.IsZero() && !sub.EndsAt.After(sub.CurrentPeriodEnd) {
		return true
	}
	return plan.MaxCycles > 0 && sub.Cycle >= plan.MaxCycles
}

func paymentData(p Payment) map[string]any {
	return map[string]any{
		"payment_id": p.ID, "order_id": p.OrderID, "amount": p.Amount.String(), "currency": string(p.Amount.Currency()),
		"status": string(p.Status), "payment_type": string(p.PaymentType), "subscription_id": p.SubscriptionID,
		"invoice_id": p.InvoiceID, "payment_details": p.Details,
	}
}

func subscriptionData(s Subscription) map[string]any {
	d := map[string]any{
		"subscription_id": s.ID, "status": string(s.Status), "plan_id": s.PlanID, "cycle": s.Cycle,
	}
	if !s.CurrentPeriodEnd.IsZero() {
		d["current_period_end"] = s.CurrentPeriodEnd.Format(time.RFC3339)
	}
	return d
}
