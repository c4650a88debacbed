package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Native subscriptions: after the first charge is paid, a saved card or a
// linked GoPay account is handed to the Midtrans Subscription API, which
// charges the following cycles on its own schedule, starting at the end of
// the paid period. Its notifications renew or dun the subscription here.

// ensureNative creates the Midtrans subscription of an active subscription
// that wants one and has none yet, charging the next invoice's total from
// the end of the paid period. A next cycle Midtrans must not charge (zero
// total, last period) leaves it on this service's engine for now. The call
// is idempotent by key.
func (s *Service) ensureNative(ctx context.Context, id string) error {
	if err := s.refreshGopayToken(ctx, id); err != nil {
		return err
	}
	var sub Subscription
	var plan Plan
	var token string
	var charge bool
	var amount Money
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sub, err = tx.Subscriptions().Get(id); err != nil {
			return err
		}
		// The schedule is the plan the next cycle is billed on.
		if plan, err = s.nativePlan(tx, sub); err != nil {
			return err
		}
		token = sub.CardToken
		if sub.PaymentType == PayGopay && sub.PaymentMethodID != "" {
			if m, err := tx.PaymentMethods().Get(sub.PaymentMethodID); err == nil {
				token = m.Token
			}
		}
		if sub.Native() || sub.Status != SubActive || !wantsNative(sub) {
			return nil
		}
		charge, amount, _, err = s.nativeWant(tx, sub, s.now())
		return err
	}); err != nil {
		return err
	}
	if sub.Native() || sub.Status != SubActive || !wantsNative(sub) || plan.IntervalUnit == Year || !charge {
		// Midtrans schedules only day, week and month intervals; yearly plans
		// stay on our own engine.
		return nil
	}
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	max := 0
	if plan.MaxCycles > 0 {
		max = plan.MaxCycles - sub.Cycle
		if max <= 0 {
			return nil
		}
	}
	generation := len(anyList(sub.Metadata["midtrans_previous_ids"]))
	ns, err := gw.CreateSubscription(ctx, NativeSubscriptionRequest{
		Name: nativeName(sub), Amount: amount,
		PaymentType: sub.PaymentType, Token: token, Interval: plan.Interval, IntervalUnit: plan.IntervalUnit,
		MaxInterval: max, StartTime: sub.CurrentPeriodEnd, RetryInterval: 1, RetryUnit: "day", RetryMax: s.cfg.DunningRetries,
		GopayAccountID: sub.GopayAccountID, Customer: sub.CustomerDetails,
		Metadata:       map[string]any{"langganan_subscription_id": sub.ID},
		IdempotencyKey: IdempotencyKey("native-create", fmt.Sprintf("%s-%d", sub.ID, generation)),
	})
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Subscriptions().Get(id)
		if err != nil {
			return err
		}
		cur.MidtransSubscriptionID, cur.NativeAmount, cur.NativeDisabled, cur.UpdatedAt = ns.ID, amount, false, s.now()
		// Midtrans counts max_interval from this schedule's start and never
		// lets it change: a plan with another limit needs a new schedule.
		cur.Metadata = withMeta(cur.Metadata, "midtrans_schedule", nativeSchedule(plan))
		return tx.Subscriptions().Put(cur)
	})
}

// SyncSubscription brings a subscription up to date with Midtrans: its open
// payments are polled, and a native subscription's status is read.
func (s *Service) SyncSubscription(ctx context.Context, a Actor, id string) (Subscription, error) {
	sub, err := s.GetSubscription(ctx, a, id)
	if err != nil {
		return sub, err
	}
	var open []Payment
	if err := s.store.View(ctx, func(tx Tx) error {
		open, err = s.openPayments(tx, id)
		return err
	}); err != nil {
		return sub, err
	}
	for _, p := range open {
		if _, err := s.pollPayment(ctx, p); err != nil && !Retryable(err) {
			return sub, err
		}
	}
	if sub.Native() {
		gw, err := s.gateway()
		if err != nil {
			return sub, err
		}
		ns, err := gw.GetSubscription(ctx, sub.MidtransSubscriptionID)
		if err != nil {
			if errors.Is(err, ErrGatewayNotFound) {
				return sub, UnprocessableCode("gateway_not_found", "Midtrans has no subscription %s", sub.MidtransSubscriptionID)
			}
			return sub, err
		}
		if err := s.syncNativeCharges(ctx, sub, ns); err != nil {
			return sub, err
		}
		// Syncing reads Midtrans' view; any member who sees the
		// subscription may ask for it.
		if _, err := s.mutateSub(ctx, Actor{IsAdmin: true}, id, func(tx Tx, cur *Subscription, plan Plan, now time.Time) error {
			cur.Metadata = withMeta(cur.Metadata, "midtrans_status", ns.Status)
			if !ns.NextExecutionAt.IsZero() {
				cur.Metadata["midtrans_next_execution_at"] = ns.NextExecutionAt.UTC().Format(time.RFC3339)
			}
			// Midtrans gave up (retries exhausted): dunning is ours now.
			if ns.Status == "inactive" && cur.Status == SubActive && now.After(cur.CurrentPeriodEnd) {
				if err := s.midtransGaveUp(cur, plan, now); err != nil {
					return err
				}
				return s.emit(tx, EvSubscriptionPastDue, cur.OwnerID, now, subscriptionData(*cur))
			}
			return nil
		}); err != nil {
			return sub, err
		}
	}
	return s.GetSubscription(ctx, a, id)
}

// pollPayment asks Midtrans for an open payment's status and applies it.
// A payment still "creating" that Midtrans does not know is issued again
// under the same order id.
func (s *Service) pollPayment(ctx context.Context, p Payment) (Payment, error) {
	gw, err := s.gateway()
	if err != nil {
		return p, err
	}
	txn, err := gw.Status(ctx, p.OrderID)
	if errors.Is(err, ErrGatewayNotFound) {
		if p.Status == PaymentCreating {
			out, err := s.sendCharge(ctx, p, ChargeRequest{})
			if err == nil {
				s.afterApplied(ctx, p, out)
			}
			return out, err
		}
		if p.PaymentType == PaySnap {
			return s.expireUnchosenSnap(ctx, p)
		}
		return p, nil
	}
	if err != nil {
		return p, err
	}
	var out Payment
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Payments().Get(p.ID)
		if err != nil {
			return err
		}
		return s.applyTransaction(tx, &cur, txn, s.now(), &out)
	})
	if err == nil {
		s.afterApplied(ctx, p, out)
	}
	return out, err
}

// syncNativeCharges records the Midtrans charges of a native subscription
// whose notifications never arrived: every transaction of its schedule
// that no payment here names is read back, and a paid one is applied as
// its notification would have been. Transactions recorded already cost no
// call, so a long-lived schedule is cheap to sync.
func (s *Service) syncNativeCharges(ctx context.Context, sub Subscription, ns NativeSubscription) error {
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	if err := s.store.View(ctx, func(tx Tx) error {
		ps, err := tx.Payments().ListBySubscription(sub.ID)
		for _, p := range ps {
			if p.TransactionID != "" {
				known[p.TransactionID] = true
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, txID := range ns.TransactionIDs {
		if known[txID] {
			continue
		}
		verified, err := gw.Status(ctx, txID)
		if errors.Is(err, ErrGatewayNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if st, _ := MapTransactionStatus(verified.TransactionStatus, verified.FraudStatus); st != PaymentPaid && !st.Open() {
			continue
		}
		var refund *strayRefund
		err = s.store.Update(ctx, func(tx Tx) error {
			refund = nil
			cur, err := tx.Subscriptions().Get(sub.ID)
			if err != nil {
				return err
			}
			plan, err := tx.Plans().Get(cur.PlanID)
			if err != nil {
				return err
			}
			refund, err = s.applyNativeCharge(tx, cur, plan, txID, verified, s.now())
			return err
		})
		switch {
		case errors.Is(err, errDuplicate):
			continue
		case err != nil:
			return err
		case refund != nil:
			_, _ = s.sendRefund(ctx, refund.payment, refund.req)
		default:
			s.afterCyclePaid(ctx, sub.ID)
		}
	}
	return nil
}

// nativeSchedule names what a Midtrans schedule was made for: interval,
// unit and cycle limit, none of which a Midtrans update can move (only
// amount and token are updated in place).
func nativeSchedule(p Plan) string {
	return fmt.Sprintf("%d %s max %d", p.Interval, p.IntervalUnit, p.MaxCycles)
}
