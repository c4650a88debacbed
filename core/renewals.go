package core

import (
	"context"
	"errors"
	"sync"
	"time"
)

// A billing run charges the cycles that fell due in batches: the three
// steps of a charge (charges.go) are each taken for a whole batch at once,
//
//  1. one Update prepares every cycle: invoice and a payment in state
//     creating under its deterministic order id (subscription, cycle,
//     attempt);
//  2. the gateway is called for each, concurrently, outside any
//     transaction, with the idempotency key derived from the order id;
//  3. one Update records every answer.
//
// so a renewal costs a share of two commits instead of two (or more) of
// its own. A crash between the steps leaves what a crash in the middle of
// one charge leaves: payments in state creating, which reconciliation
// adopts or issues again under the same order ids. A cycle whose step
// fails inside a batch's transaction is taken out and charged on its own
// (chargeNative), so it cannot hold the others back, and it answers its
// own error.

// cycleCharge is one cycle a batch charges and what became of it.
type cycleCharge struct {
	sub   Subscription
	cycle int
	step  string // the run's count it adds to

	pc    preparedCharge
	alone bool // charged on its own instead
	sent  bool // a new order went to the gateway (or was refused before)
	txn   Transaction
	gerr  error
	err   error // the cycle's outcome, as chargeNative would answer it
}

// batchable reports whether a subscription's cycles may be charged in a
// batch: after the charge of one that Midtrans may charge itself (a saved
// card, a linked GoPay account) the Subscription API is brought in step,
// which chargeNative does one by one.
func batchable(sub Subscription) bool { return !sub.Native() && !wantsNative(sub) }

// chargeCycles charges every item's cycle, each with chargeNative's
// outcome. sem bounds the gateway calls in flight.
func (s *Service) chargeCycles(ctx context.Context, items []*cycleCharge, sem chan struct{}) {
	if len(items) == 0 {
		return
	}
	gw, err := s.gateway()
	if err != nil {
		for _, it := range items {
			it.err = err
		}
		return
	}
	// Step 1.
	prepared := s.batchUpdate(ctx, items, func(tx Tx, it *cycleCharge, now time.Time) error {
		var err error
		it.pc, err = s.prepareChargeTx(tx, it.sub.ID, it.cycle, now)
		return err
	})
	var send, record []*cycleCharge
	var alone []*cycleCharge
	for _, it := range prepared {
		switch {
		case it.err != nil: // the store failed
		case it.alone || it.pc.stale != nil:
			// An old order still open at Midtrans is closed first, which
			// chargeNative does.
			alone = append(alone, it)
		case it.pc.done:
		case it.pc.p.Status != PaymentCreating:
			record = append(record, it) // the cycle's live order: wait for it
		default:
			send = append(send, it)
			record = append(record, it)
		}
	}
	// Step 2, with the cycles charged on their own alongside.
	var wg sync.WaitGroup
	for _, it := range send {
		it.sent = true
		if it.pc.req.PaymentType == PayCreditCard && it.pc.req.CardToken == "" {
			it.gerr = errNoCardToken
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			it.txn, it.gerr = chargeCall(gw, it.pc.req)(ctx, it.pc.req)
		}()
	}
	for _, it := range alone {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			it.err = s.chargeNative(ctx, it.sub, it.cycle)
		}()
	}
	wg.Wait()
	// Step 3, and the next look at each subscription (chargeAndWait's).
	recorded := s.batchUpdate(ctx, record, func(tx Tx, it *cycleCharge, now time.Time) error {
		p := it.pc.p
		if it.sent {
			var err error
			if p, err = s.recordChargeTx(tx, p.ID, it.txn, it.gerr, now); err != nil {
				return err
			}
		}
		switch {
		case !p.Status.Open():
			return nil
		case p.ExpiresAt.IsZero():
			// The gateway did not answer: look again shortly (reconciliation
			// will have asked Midtrans by then).
			return s.rescheduleIfDueTx(tx, it.sub.ID, now.Add(10*time.Minute), now)
		case !it.sent:
			return s.rescheduleIfDueTx(tx, it.sub.ID, p.ExpiresAt, now) // an older live order
		}
		return nil // recordChargeTx moved the next action to the order's expiry
	})
	for _, it := range recorded {
		if !it.alone {
			continue
		}
		// Its record failed inside the batch: alone, with its own error.
		if it.sent {
			var p Payment
			if p, it.err = s.recordCharge(ctx, it.pc.p.ID, it.txn, it.gerr); it.err == nil {
				it.err = s.afterCharge(ctx, it.sub.ID, p, true)
			}
		} else {
			it.err = s.afterCharge(ctx, it.sub.ID, it.pc.p, false)
		}
		var ce *Error
		if errors.As(it.err, &ce) && (errors.Is(it.err, ErrUnprocessable) || errors.Is(it.err, ErrConflict)) {
			it.err = nil // a final refusal, recorded as a failed payment; dunning carries on
		}
	}
}

// afterCharge is chargeAndWait's next look at a subscription after its
// cycle's charge p was sent (or found live).
func (s *Service) afterCharge(ctx context.Context, subID string, p Payment, sent bool) error {
	switch {
	case !p.Status.Open():
		return nil
	case p.ExpiresAt.IsZero():
		return s.rescheduleIfDue(ctx, subID, s.now().Add(10*time.Minute))
	case !sent:
		return s.rescheduleIfDue(ctx, subID, p.ExpiresAt)
	}
	return nil
}

// batchUpdate runs step for every item in one Update. An item whose step
// fails is taken out (alone set), and the others run again without it; a
// failure of the store itself is every item's error. It answers the items
// again, for convenience.
func (s *Service) batchUpdate(ctx context.Context, items []*cycleCharge, step func(tx Tx, it *cycleCharge, now time.Time) error) []*cycleCharge {
	todo := append([]*cycleCharge(nil), items...)
	for len(todo) > 0 {
		failed := -1
		err := s.store.Update(ctx, func(tx Tx) error {
			failed = -1 // fn may run more than once
			now := s.now()
			for i, it := range todo {
				if err := step(tx, it, now); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if err == nil {
			break
		}
		if failed < 0 {
			for _, it := range todo {
				it.err = err
			}
			break
		}
		todo[failed].alone = true
		todo = append(todo[:failed], todo[failed+1:]...)
	}
	return items
}
