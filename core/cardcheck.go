package core

import (
	"context"
	"time"
)

// A card given to a trial is verified at sign-up by a pre-authorization
// with save_token_id: Midtrans answers the card's saved token, which the
// charge at the trial's end uses (the token the customer gave is
// single-use and would have timed out by then). The hold is voided at
// once; a declined card ends the trial before it starts.

// newCardCheck is the pre-authorization payment of a trial's card, written
// in the sign-up transaction before the gateway is called.
func (s *Service) newCardCheck(sub Subscription, plan Plan, now time.Time) *Payment {
	order := orderID("SUB-", "cardcheck", sub.ID)
	amount := seatPrice(plan, sub.Quantity)
	return &Payment{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeCardCheck, SubscriptionID: sub.ID,
		OrderID: order, PaymentType: PayCreditCard, Amount: amount, Status: PaymentCreating, Attempt: 1,
		IdempotencyKey: IdempotencyKey("charge", order), Refunded: Zero(amount.Currency()), CreatedAt: now, UpdatedAt: now}
}

// checkCard sends the pre-authorization with the customer's token, then
// voids it. A decline answers 422 payment_declined (the subscription has
// expired by then).
func (s *Service) checkCard(ctx context.Context, p Payment, token string) error {
	var req ChargeRequest
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		req, err = s.chargeRequest(tx, p)
		return err
	}); err != nil {
		return err
	}
	req.CardToken = token
	out, err := s.sendCharge(ctx, p, req)
	if err != nil {
		return err
	}
	if out.Status.Open() && out.Status != PaymentCreating {
		s.cancelAtGateway(ctx, out)
	}
	return nil
}

// applyCardCheckDead ends a trial whose card was declined and that has no
// saved card to charge when it ends. A voided check changes nothing.
func (s *Service) applyCardCheckDead(tx Tx, p *Payment, now time.Time) error {
	if p.Status != PaymentFailed {
		return nil
	}
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		return err
	}
	if sub.Status != SubTrialing || sub.CardToken != "" {
		return nil
	}
	if err := sub.Transition(SubExpired, now); err != nil {
		return err
	}
	sub.NextActionAt, sub.CancelReason = time.Time{}, "card declined at sign-up"
	if err := tx.Subscriptions().Put(sub); err != nil {
		return err
	}
	return s.emit(tx, EvSubscriptionExpired, sub.OwnerID, now, subscriptionData(sub))
}
