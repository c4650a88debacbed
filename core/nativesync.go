package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A native subscription is one whose renewals Midtrans schedules and
// charges (a saved card or a linked GoPay account). What Midtrans will
// charge next must equal this service's next invoice: every change that
// moves that total updates Midtrans, every local end ends it there, and a
// cycle Midtrans cannot charge (a zero total, a last period) is disabled
// at Midtrans and left to this service's engine.

// nativePlan is the plan the next cycle is billed on.
func (s *Service) nativePlan(tx Tx, sub Subscription) (Plan, error) {
	id := sub.PlanID
	if sub.ScheduledPlanID != "" {
		id = sub.ScheduledPlanID
	}
	return tx.Plans().Get(id)
}

// nativeWant says whether Midtrans should charge sub's next cycle, and how
// much: its next invoice's total. Past due subscriptions are left as they
// are (Midtrans is retrying, or gave up and dunning is ours).
func (s *Service) nativeWant(tx Tx, sub Subscription, now time.Time) (charge bool, amount Money, known bool, err error) {
	plan, err := tx.Plans().Get(sub.PlanID)
	if err != nil {
		return false, Money{}, false, err
	}
	switch {
	case sub.Status == SubPastDue || sub.Status == SubPending:
		return false, Money{}, false, nil
	case sub.Status != SubActive && sub.Status != SubTrialing:
		return false, Money{}, true, nil
	case s.endsAtPeriodEnd(sub, plan):
		return false, Money{}, true, nil
	}
	next, err := s.nativePlan(tx, sub)
	if err != nil {
		return false, Money{}, false, err
	}
	inv, err := s.priceCycle(tx, sub, next, sub.Cycle+1, now)
	if err != nil {
		return false, Money{}, false, err
	}
	if !inv.Total.IsPositive() || !inv.Total.Amount().IsInteger() {
		return false, Money{}, true, nil
	}
	return true, inv.Total, true, nil
}

// syncNative brings Midtrans to what this service expects of a
// subscription that wants Midtrans to charge it: created once it is paid,
// cancelled when it has ended here, disabled when Midtrans must not charge
// the next cycle, at the next invoice's total otherwise; one disabled
// while this service charged its cycles gets a new schedule from the
// current period end. It records what Midtrans was told.
func (s *Service) syncNative(ctx context.Context, id string) error {
	var sub Subscription
	var charge, known, scheduleMoved bool
	var amount Money
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sub, err = tx.Subscriptions().Get(id); err != nil {
			return err
		}
		if !sub.Native() {
			return nil
		}
		next, err := s.nativePlan(tx, sub)
		if err != nil {
			return err
		}
		if was, ok := sub.Metadata["midtrans_schedule"].(string); ok && was != nativeSchedule(next) {
			scheduleMoved = true
		}
		charge, amount, known, err = s.nativeWant(tx, sub, s.now())
		return err
	}); err != nil {
		return err
	}
	switch {
	case !sub.Native() && !wantsNative(sub):
		return nil
	case !sub.Native():
		return s.ensureNative(ctx, id)
	case !known:
		return nil
	case charge && (sub.NativeDisabled || scheduleMoved) && !sub.Status.Terminal():
		return s.replaceNative(ctx, id)
	}
	return s.pushNative(ctx, sub, charge, amount)
}

// pushNative tells Midtrans to charge amount next (charge) or nothing, if
// that differs from what it was last told, and records it.
func (s *Service) pushNative(ctx context.Context, sub Subscription, charge bool, amount Money) error {
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	nid := sub.MidtransSubscriptionID
	terminal := sub.Status.Terminal()
	switch {
	case terminal:
		if sub.NativeDisabled && sub.Metadata["midtrans_cancelled"] == true {
			return nil
		}
		if err := s.stopNative(ctx, gw, sub, true); err != nil {
			return err
		}
	case !charge:
		if sub.NativeDisabled {
			return nil
		}
		if err := s.stopNative(ctx, gw, sub, false); err != nil {
			return nativeErr(err)
		}
	case sub.NativeDisabled:
		return nil // syncNative gives it a new schedule once the change is stored
	default:
		if amount.Valid() && (!sub.NativeAmount.Valid() || !amount.Equal(sub.NativeAmount)) && !s.planted(DefectNativeAmountStale) {
			if err := gw.UpdateSubscription(ctx, nid, NativeSubscriptionUpdate{Amount: &amount}); err != nil {
				return nativeErr(err)
			}
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Subscriptions().Get(sub.ID)
		if err != nil {
			return err
		}
		if cur.MidtransSubscriptionID != nid {
			return nil
		}
		cur.NativeDisabled = terminal || !charge
		if charge {
			cur.NativeAmount = amount
		}
		if terminal {
			cur.Metadata = withMeta(cur.Metadata, "midtrans_cancelled", true)
		}
		return tx.Subscriptions().Put(cur)
	})
}

// stopNative disables (or, with cancel, cancels) sub's Midtrans schedule
// and then records every charge Midtrans made on it that is not known
// here: once the schedule stops, no notification can be waited for any
// more, and a charge whose notifications were all lost (a paused or
// replaced schedule is never synced again) would stay money Midtrans holds
// for nothing this service knows of. A schedule Midtrans does not know any
// more has nothing to stop; a cancel Midtrans refuses for good (already
// cancelled) is taken as done.
func (s *Service) stopNative(ctx context.Context, gw Gateway, sub Subscription, cancel bool) error {
	nid := sub.MidtransSubscriptionID
	if cancel {
		if err := gw.CancelSubscription(ctx, nid); err != nil && !errors.Is(err, ErrGatewayNotFound) && Retryable(err) {
			return fmt.Errorf("cancel Midtrans subscription %s: %w", nid, err)
		}
	} else if err := gw.DisableSubscription(ctx, nid); err != nil {
		return err
	}
	ns, err := gw.GetSubscription(ctx, nid)
	if errors.Is(err, ErrGatewayNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read Midtrans subscription %s: %w", nid, err)
	}
	return s.syncNativeCharges(ctx, sub, ns)
}

// nativeErr maps a refused Subscription API call to a client-safe error.
func nativeErr(err error) error {
	if Retryable(err) {
		return fmt.Errorf("midtrans subscription call: %w", err)
	}
	return UnprocessableCode("gateway_rejected", "Midtrans refused the subscription change")
}

// preflightNative tells Midtrans what a change is about to do to a native
// subscription's next charge before the change is stored: if Midtrans
// refuses, the change is refused and nothing local changes. change edits a
// copy of the subscription the way the real change will.
func (s *Service) preflightNative(ctx context.Context, id string, change func(tx Tx, sub *Subscription) error) error {
	var sub Subscription
	var charge, known bool
	var amount Money
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sub, err = tx.Subscriptions().Get(id); err != nil || !sub.Native() {
			return err
		}
		after := sub
		if err := change(tx, &after); err != nil {
			return err
		}
		charge, amount, known, err = s.nativeWant(tx, after, s.now())
		return err
	}); err != nil || !sub.Native() || !known {
		return err
	}
	return s.pushNative(ctx, sub, charge, amount)
}

// withPreflight runs a change of a subscription the actor manages:
// Midtrans is told first what the change does to the next charge (see
// preflightNative), then commit stores it; if storing fails, Midtrans is
// brought back to what is stored.
func (s *Service) withPreflight(ctx context.Context, a Actor, id string, change func(tx Tx, sub *Subscription) error, commit func() error) error {
	if err := s.store.View(ctx, func(tx Tx) error {
		_, _, err := s.managedSub(tx, a, id)
		return err
	}); err != nil {
		return err
	}
	if err := s.preflightNative(ctx, id, change); err != nil {
		return err
	}
	if err := commit(); err != nil {
		if s.gw != nil {
			_ = s.syncNative(ctx, id)
		}
		return err
	}
	return nil
}

// replaceNative swaps a native subscription's Midtrans schedule for a new
// one starting at the current period end (Midtrans cannot move a
// schedule's start). The old one is cancelled first.
func (s *Service) replaceNative(ctx context.Context, id string) error {
	var sub Subscription
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		sub, err = tx.Subscriptions().Get(id)
		return err
	}); err != nil || !sub.Native() {
		return err
	}
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	if err := s.stopNative(ctx, gw, sub, true); err != nil {
		return err
	}
	replaced := false
	if err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Subscriptions().Get(id)
		if err != nil {
			return err
		}
		// A concurrent replacement (a notification's sync racing the
		// change's own) got here first and may have linked its new
		// schedule already: forgetting that one would leave it charging.
		if replaced = cur.MidtransSubscriptionID != sub.MidtransSubscriptionID; replaced {
			return nil
		}
		prev := anyList(cur.Metadata["midtrans_previous_ids"])
		cur.Metadata = withMeta(cur.Metadata, "midtrans_previous_ids", append(prev, cur.MidtransSubscriptionID))
		cur.MidtransSubscriptionID, cur.NativeAmount, cur.NativeDisabled = "", Money{}, false
		delete(cur.Metadata, "midtrans_cancelled")
		return tx.Subscriptions().Put(cur)
	}); err != nil || replaced {
		return err
	}
	// Failing here leaves a card subscription on this service's engine,
	// which charges the saved card itself; ensureNative tries again after
	// the next payment.
	_ = s.ensureNative(ctx, id)
	return nil
}

// nativeName is the Midtrans subscription name: ours, short, stable.
func nativeName(sub Subscription) string {
	return "LGN-" + strings.ToUpper(strings.ReplaceAll(sub.ID, "-", ""))[:12]
}

// nativeCheckLead is how long before a period end the engine makes sure
// Midtrans will charge the right amount: a sync that failed or was cut
// short by a crash after the change was stored is repaired before Midtrans
// charges.
const nativeCheckLead = time.Hour

// needsNativeCheck reports whether sub's Midtrans charge at end has not
// been checked yet.
func needsNativeCheck(sub Subscription, end time.Time) bool {
	return sub.Native() && !sub.NativeDisabled && sub.Metadata["midtrans_checked_for"] != end.UTC().Format(time.RFC3339)
}

// checkNative is the engine's step before a native subscription's period
// end: Midtrans is brought in step, and the check is recorded for that end.
func (s *Service) checkNative(ctx context.Context, sub Subscription, end time.Time) error {
	if err := s.syncNative(ctx, sub.ID); err != nil {
		retry := s.now().Add(5 * time.Minute)
		if retry.After(end) {
			retry = end
		}
		return errors.Join(err, s.reschedule(ctx, sub.ID, retry))
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Subscriptions().Get(sub.ID)
		if err != nil {
			return err
		}
		plan, err := tx.Plans().Get(cur.PlanID)
		if err != nil {
			return err
		}
		cur.Metadata = withMeta(cur.Metadata, "midtrans_checked_for", end.UTC().Format(time.RFC3339))
		cur.NextActionAt = s.nextAction(cur, plan, s.now())
		return tx.Subscriptions().Put(cur)
	})
}

// afterCyclePaid runs after a transaction that paid a cycle (one-time
// charge, wallet, or Midtrans' own charge): the subscription is handed to,
// or kept in step with, the Midtrans Subscription API. It is best-effort
// (gateway calls); the billing run repeats it at each period end.
func (s *Service) afterCyclePaid(ctx context.Context, subID string) {
	if subID != "" && s.gw != nil {
		_ = s.syncNative(ctx, subID)
	}
}

// afterApplied is afterCyclePaid for a payment that a status call (a poll,
// reconciliation, an admin's check) moved to paid, after that commit: a
// plan change waiting for this payment has just taken effect, and
// Midtrans must charge the new amount.
func (s *Service) afterApplied(ctx context.Context, before, after Payment) {
	if after.Purpose == PurposeSubscription && after.Status == PaymentPaid && before.Status != PaymentPaid {
		s.afterCyclePaid(ctx, after.SubscriptionID)
	}
}

// switchScheduledPlan moves sub to the plan scheduled for its period end,
// inside tx, and answers that plan.
func (s *Service) switchScheduledPlan(tx Tx, sub *Subscription, now time.Time) (Plan, error) {
	np, err := tx.Plans().Get(sub.ScheduledPlanID)
	if err != nil {
		return Plan{}, err
	}
	from := sub.PlanID
	if old, err := tx.Plans().Get(from); err == nil {
		reanchor(sub, old, np)
	}
	sub.PlanID, sub.ScheduledPlanID = np.ID, ""
	recordHistory(sub, PlanChange{FromPlanID: from, ToPlanID: np.ID, At: now, Proration: "0.00"}, "applied")
	sub.UpdatedAt = now
	if err := tx.Subscriptions().Put(*sub); err != nil {
		return Plan{}, err
	}
	return np, s.emit(tx, EvSubscriptionPlanChanged, sub.OwnerID, now, map[string]any{"subscription_id": sub.ID, "from_plan_id": from, "to_plan_id": np.ID})
}
