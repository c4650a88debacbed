package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Charging a cycle is three steps so that no gateway call ever happens
// inside a store transaction and a crash at any point is repairable:
//
//  1. prepare (one Update): find or create the cycle's invoice and write a
//     payment in state "creating" under its deterministic order id
//     (subscription, cycle, attempt);
//  2. call the gateway with that order id and an idempotency key derived
//     from it, so a retry can never open a second order;
//  3. record (one Update): store the gateway's answer and apply its effects.
//
// A crash between 1 and 3 leaves a "creating" payment that reconciliation
// looks up by order id and either adopts or issues again with the same id.

// errNothingToCharge means the cycle needs no gateway charge (already paid,
// fully discounted, or paid from the wallet).
var errNothingToCharge = errors.New("nothing to charge")

// chargeCycle issues (or returns the live) charge for cycle of subscription
// subID. It never creates a second live order for one invoice.
func (s *Service) chargeCycle(ctx context.Context, subID string, cycle int) (Payment, error) {
	p, _, err := s.chargeCycleSent(ctx, subID, cycle)
	return p, err
}

// chargeCycleSent is chargeCycle that also reports whether it sent a new
// order to the gateway (and so recorded it, with the subscription's next
// action moved to the order's expiry).
func (s *Service) chargeCycleSent(ctx context.Context, subID string, cycle int) (Payment, bool, error) {
	for range 3 {
		p, req, stale, err := s.prepareCharge(ctx, subID, cycle)
		if errors.Is(err, errNothingToCharge) {
			return p, false, nil
		}
		if err != nil {
			return Payment{}, false, err
		}
		if stale != nil {
			// An old order is still open at Midtrans: close it before a new
			// one is issued, then prepare again.
			if err := s.closeStale(ctx, *stale); err != nil {
				return Payment{}, false, err
			}
			continue
		}
		if p.Status != PaymentCreating {
			return p, false, nil // the live order for this cycle
		}
		p, err = s.sendCharge(ctx, p, req)
		return p, true, err
	}
	return Payment{}, false, Conflictf("could not settle the open order of this cycle; try again later")
}

// prepareCharge is step 1. It also builds the gateway request from what the
// transaction read, so step 2 needs no second read.
func (s *Service) prepareCharge(ctx context.Context, subID string, cycle int) (Payment, ChargeRequest, *Payment, error) {
	var pc preparedCharge
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		pc, err = s.prepareChargeTx(tx, subID, cycle, s.now()) // fn may run more than once
		return err
	})
	if err == nil && pc.done {
		return pc.p, pc.req, nil, errNothingToCharge
	}
	return pc.p, pc.req, pc.stale, err
}

// preparedCharge is what step 1 found or wrote for one cycle: the payment
// (in state creating, or the cycle's live order), its gateway request, an
// expired order still open at Midtrans, or done when the cycle completed
// without a gateway charge.
type preparedCharge struct {
	p     Payment
	req   ChargeRequest
	stale *Payment
	done  bool
}

// prepareChargeTx is step 1 inside tx.
func (s *Service) prepareChargeTx(tx Tx, subID string, cycle int, now time.Time) (preparedCharge, error) {
	var out Payment
	var req ChargeRequest
	var stale *Payment
	done := false
	err := func() error {
		sub, err := tx.Subscriptions().Get(subID)
		if err != nil {
			return fmt.Errorf("load subscription %s: %w", subID, err)
		}
		if sub.Status.Terminal() || sub.Status == SubPaused {
			return Conflictf("a %s subscription is not charged", sub.Status)
		}
		if cycle <= sub.Cycle {
			return Conflictf("cycle %d is already paid", cycle)
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return fmt.Errorf("load plan %s: %w", sub.PlanID, err)
		}
		inv, err := s.cycleInvoice(tx, &sub, plan, cycle, now)
		if err != nil {
			return err
		}
		if inv.Status == InvoicePaid {
			done = true
			return nil
		}
		payments, err := tx.Payments().ListBySubscription(sub.ID)
		if err != nil {
			return err
		}
		attempt := 1
		for _, p := range payments {
			if p.InvoiceID != inv.ID {
				continue
			}
			attempt = max(attempt, p.Attempt+1)
			if p.Status.Open() && !p.Superseded {
				if p.Status == PaymentCreating || p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt) {
					out = p
					return nil
				}
				stale = &p
				return nil
			}
		}
		if !inv.Total.IsPositive() {
			// A 100% discount (or credit) completes the cycle without Midtrans.
			out = Payment{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeSubscription, SubscriptionID: sub.ID,
				InvoiceID: inv.ID, PaymentType: sub.PaymentType, Amount: inv.Total, Status: PaymentPaid, Cycle: cycle,
				Attempt: attempt, Refunded: Zero(inv.Currency), PaidAt: now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Payments().Put(out); err != nil {
				return err
			}
			done = true
			return s.applyPaid(tx, &out, now)
		}
		paid, err := s.tryWallet(tx, &sub, inv, cycle, attempt, now, &out)
		if err != nil || paid {
			done = paid
			return err
		}
		if s.gw == nil {
			return Unprocessablef("payments are unavailable: %v", ErrNoGateway)
		}
		ptype, bank := chargeMethod(sub)
		orderID := SubscriptionOrderID(sub.ID, cycle, attempt)
		out = Payment{
			ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeSubscription, SubscriptionID: sub.ID,
			InvoiceID: inv.ID, OrderID: orderID, PaymentType: ptype, Bank: bank, Amount: inv.Total,
			Status: PaymentCreating, Cycle: cycle, Attempt: attempt, RetryCount: attempt - 1, IsRetry: attempt > 1,
			IdempotencyKey: IdempotencyKey("charge", orderID), Refunded: Zero(inv.Currency),
			CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Payments().Put(out); err != nil {
			return err
		}
		req, err = s.chargeRequest(tx, out)
		return err
	}()
	return preparedCharge{p: out, req: req, stale: stale, done: done}, err
}

// chargeMethod is the Midtrans method used for a subscription's one-time
// charges. Wallet subscriptions whose balance falls short are charged by
// BCA virtual account, and the owner is told.
func chargeMethod(sub Subscription) (PaymentType, string) {
	switch sub.PaymentType {
	case PayWallet, PayManual, "":
		return PayBankTransfer, "bca"
	case PayBankTransfer:
		if sub.Bank == "" {
			return PayBankTransfer, "bca"
		}
	}
	return sub.PaymentType, sub.Bank
}

// cycleInvoice returns the invoice of a cycle, creating it when missing.
// The store's (subscription, key) uniqueness makes a duplicate impossible.
func (s *Service) cycleInvoice(tx Tx, sub *Subscription, plan Plan, cycle int, now time.Time) (Invoice, error) {
	inv, err := tx.Invoices().GetByKey(sub.ID, CycleKey(cycle))
	if err == nil {
		return inv, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Invoice{}, err
	}
	inv, err = s.priceCycle(tx, *sub, plan, cycle, now)
	if err != nil {
		return Invoice{}, err
	}
	if s.cfg.DisableAutoInvoice {
		// Without automatic invoices the invoice still prices the charge but
		// stays a draft until paid.
		inv.Status = InvoiceDraft
	}
	if err := s.putNewInvoice(tx, &inv); err != nil {
		return Invoice{}, err
	}
	if carried := takeCarried(sub, inv); carried {
		sub.UpdatedAt = now
		if err := tx.Subscriptions().Put(*sub); err != nil {
			return Invoice{}, err
		}
	}
	return inv, nil
}

// takeCarried takes what inv's lines took of the subscription's carried
// credit (before PPN) and credit from credit notes (after PPN) off them,
// and reports whether there was any.
func takeCarried(sub *Subscription, inv Invoice) bool { return moveCarried(sub, inv, -1) }

// returnCarried gives back what inv's lines took (inv is voided or
// priced again).
func returnCarried(sub *Subscription, inv Invoice) bool { return moveCarried(sub, inv, 1) }

// moveCarried moves inv's credit lines back to the subscription (sign 1)
// or takes them from it (sign -1).
func moveCarried(sub *Subscription, inv Invoice, sign int64) bool {
	carried := false
	for _, l := range inv.Lines {
		amt := l.Amount.MulInt(sign)
		switch l.Kind {
		case LineCredit:
			sub.PendingCredit = orZero(sub.PendingCredit, amt.Currency()).Add(amt)
			carried = true
		case LineCreditNote:
			sub.CreditNoteBalance = orZero(sub.CreditNoteBalance, amt.Currency()).Sub(amt)
			carried = true
		}
	}
	return carried
}

// priceCycle builds (without storing) the invoice of a cycle on plan: the
// plan line × seats, the carried credit, the coupon while it lasts and
// covers the plan, and tax. What Midtrans charges a native subscription is
// this total.
func (s *Service) priceCycle(tx Tx, sub Subscription, plan Plan, cycle int, now time.Time) (Invoice, error) {
	start, end := s.cycleBounds(sub, plan, cycle, now)
	var coupon *Coupon
	if sub.CouponID != "" && sub.CouponCyclesLeft != 0 {
		c, err := s.loadCoupon(tx, sub.CouponID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Invoice{}, err
		}
		if err == nil && c.appliesTo(plan) {
			coupon = &c
		}
	}
	return s.buildCycleInvoice(sub, plan, coupon, cycle, start, end, now), nil
}

// cycleBounds is the period a cycle pays for. Before the first payment the
// anchor is not known yet; the period is then estimated from now (or the
// trial end) and fixed when the payment lands.
func (s *Service) cycleBounds(sub Subscription, plan Plan, cycle int, now time.Time) (time.Time, time.Time) {
	anchor := sub.Anchor
	if anchor.IsZero() {
		anchor = now
		if !sub.TrialEnd.IsZero() {
			anchor = sub.TrialEnd
		}
	}
	sch := Schedule{Anchor: anchor, Unit: plan.IntervalUnit, Interval: plan.Interval, Loc: s.cfg.Location}
	n := cycle - 1 - sub.AnchorCycle
	return sch.Boundary(n).UTC(), sch.Boundary(n + 1).UTC()
}

// chargeRequest builds the gateway request for a prepared payment.
func (s *Service) chargeRequest(tx Tx, p Payment) (ChargeRequest, error) {
	req := ChargeRequest{
		OrderID: p.OrderID, Amount: p.Amount, PaymentType: p.PaymentType, Bank: p.Bank,
		IdempotencyKey: p.IdempotencyKey, ExpiryMinutes: int(s.cfg.PaymentExpiry / time.Minute),
		NotificationURL: s.cfg.NotificationURL,
	}
	switch p.Purpose {
	case PurposeSubscription:
		sub, err := tx.Subscriptions().Get(p.SubscriptionID)
		if err != nil {
			return req, err
		}
		req.Customer = sub.CustomerDetails
		req.CardToken = sub.CardToken
		if p.PaymentType == PayGopay && sub.PaymentMethodID != "" {
			if m, err := tx.PaymentMethods().Get(sub.PaymentMethodID); err == nil && m.Status == MethodActive {
				req.GopayPaymentOptionToken, req.GopayAccountID = m.Token, m.AccountID
			}
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err == nil {
			req.Items = []ChargeItem{{ID: plan.Slug, Name: truncate(plan.Name, 50), Price: p.Amount, Quantity: 1}}
		}
	case PurposeTopUp:
		req.Items = []ChargeItem{{ID: "topup", Name: "Wallet top-up", Price: p.Amount, Quantity: 1}}
	case PurposeCardCheck:
		req.Items = []ChargeItem{{ID: "card-check", Name: "Card verification", Price: p.Amount, Quantity: 1}}
		req.PreAuthorize = true
	}
	if p.PaymentType == PaySnap {
		o, err := s.snapOptions(tx, p)
		if err != nil {
			return req, err
		}
		req.Snap = o
	}
	if p.PaymentType == PayCreditCard {
		// Ask for a saved token so later cycles (and the native Midtrans
		// subscription) can charge the card without the customer.
		req.SaveCard = true
	}
	return req, nil
}

// errNoCardToken: a card charge whose single-use token is gone (it is never
// stored) cannot be sent again; the payment fails rather than stay open.
var errNoCardToken = &GatewayError{Kind: ErrGatewayRejected, Op: "charge", Message: "a credit_card charge needs a card token"}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// sendCharge is steps 2 and 3 for a payment in state creating; req is its
// gateway request, or the zero value to build it here.
func (s *Service) sendCharge(ctx context.Context, p Payment, req ChargeRequest) (Payment, error) {
	if req.OrderID == "" {
		if err := s.store.View(ctx, func(tx Tx) error {
			var err error
			req, err = s.chargeRequest(tx, p)
			return err
		}); err != nil {
			return p, err
		}
	}
	gw, err := s.gateway()
	if err != nil {
		return p, err
	}
	if req.PaymentType == PayCreditCard && req.CardToken == "" {
		return s.recordCharge(ctx, p.ID, Transaction{}, errNoCardToken)
	}
	txn, gerr := chargeCall(gw, req)(ctx, req)
	return s.recordCharge(ctx, p.ID, txn, gerr)
}

// chargeCall is the gateway call that opens req's order.
func chargeCall(gw Gateway, req ChargeRequest) func(context.Context, ChargeRequest) (Transaction, error) {
	if req.PaymentType == PaySnap {
		return gw.CreateSnap
	}
	return gw.Charge
}

// recordCharge is step 3: it stores the gateway's answer to a charge.
func (s *Service) recordCharge(ctx context.Context, paymentID string, txn Transaction, gerr error) (Payment, error) {
	var out Payment
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		out, err = s.recordChargeTx(tx, paymentID, txn, gerr, s.now())
		return err
	})
	if err != nil {
		return out, err
	}
	if finalRefusal(gerr) {
		return out, chargeError(gerr)
	}
	return out, nil
}

// finalRefusal reports whether a charge's gateway error is Midtrans'
// last word (the payment is recorded as failed), not an unknown outcome.
func finalRefusal(gerr error) bool {
	return gerr != nil && !Retryable(gerr) && !errors.Is(gerr, ErrDuplicateOrder)
}

// recordChargeTx is step 3 inside tx; it answers the payment as recorded.
func (s *Service) recordChargeTx(tx Tx, paymentID string, txn Transaction, gerr error, now time.Time) (Payment, error) {
	p, err := tx.Payments().Get(paymentID)
	if err != nil {
		return Payment{}, err
	}
	out := p
	if gerr == nil {
		// Status moves are monotonic, so this is right even when a
		// notification got here first; the answer still carries the
		// payment details the notification may lack.
		if err := s.applyTransaction(tx, &p, txn, now, &out); err != nil {
			return out, err
		}
		return out, s.waitForPayment(tx, out, now)
	}
	if p.Status != PaymentCreating {
		return out, nil
	}
	switch {
	case Retryable(gerr):
		// Unknown outcome: leave it creating; reconciliation asks Midtrans.
		return out, nil
	case errors.Is(gerr, ErrDuplicateOrder):
		// Midtrans has this order already (an earlier attempt whose answer
		// was lost): reconciliation adopts it by a status call.
		return out, nil
	default:
		p.FailureReason = gerr.Error()
		if err := s.applyStatus(tx, &p, PaymentFailed, now); err != nil {
			return out, err
		}
		return p, nil
	}
}

// waitForPayment points an overdue subscription's next action at the
// expiry of its open order, in the transaction that recorded the order.
func (s *Service) waitForPayment(tx Tx, p Payment, now time.Time) error {
	if p.Purpose != PurposeSubscription || !p.Status.Open() || p.ExpiresAt.IsZero() {
		return nil
	}
	sub, err := tx.Subscriptions().Get(p.SubscriptionID)
	if err != nil {
		return err
	}
	if !sub.NextActionAt.IsZero() && sub.NextActionAt.After(now) {
		return nil
	}
	sub.NextActionAt = p.ExpiresAt
	return tx.Subscriptions().Put(sub)
}

// chargeError turns a final gateway refusal into a client-safe error.
func chargeError(err error) error {
	var ge *GatewayError
	msg := "the payment gateway refused the charge"
	if errors.As(err, &ge) && ge.Message != "" {
		msg += ": " + ge.Message
	}
	if errors.Is(err, ErrPaymentDeclined) {
		return UnprocessableCode("payment_declined", "the payment was declined")
	}
	return UnprocessableCode("gateway_rejected", "%s", msg)
}

// applyTransaction copies a gateway transaction into p and applies the
// status it carries. out receives the updated payment.
func (s *Service) applyTransaction(tx Tx, p *Payment, txn Transaction, now time.Time, out *Payment) error {
	if txn.TransactionID != "" {
		p.TransactionID = txn.TransactionID
	}
	if len(txn.Details) > 0 {
		p.Details = mergeSnapDetails(p.Details, txn.Details)
	}
	if txn.Raw != nil {
		p.MidtransStatus = txn.Raw
	}
	if !txn.ExpiryTime.IsZero() {
		p.ExpiresAt = snapExpiry(*p, txn.ExpiryTime.UTC())
	} else if p.ExpiresAt.IsZero() {
		p.ExpiresAt = now.Add(s.cfg.PaymentExpiry)
	}
	if txn.FraudStatus != "" {
		p.FraudStatus = txn.FraudStatus
	}
	if txn.SavedTokenID != "" && p.SubscriptionID != "" {
		if err := s.saveCardToken(tx, *p, txn, now); err != nil {
			return err
		}
	}
	st, ok := MapTransactionStatus(txn.TransactionStatus, txn.FraudStatus)
	if !ok {
		st = PaymentPending
	}
	if st == PaymentFailed && snapMayRetry(*p, now) {
		st = PaymentPending
	}
	if p.PaymentType == PaySnap && p.SubscriptionID != "" && st == PaymentPaid {
		if err := s.adoptSnapMethod(tx, *p, txn, now); err != nil {
			return err
		}
	}
	if st == PaymentRefunded || st == PaymentPartiallyRefunded {
		// A status answer of a refunded order (check-status, reconciliation):
		// it was paid first, and what it says was refunded is recorded as a
		// refund notification's would be.
		if p.Status.Open() {
			if err := s.applyStatus(tx, p, PaymentPaid, now); err != nil {
				return err
			}
		}
		if s.planted(DefectDashboardRefundDeduped) && p.Status == st {
			*out = *p // the old rule: a second partial refund was no move
			return nil
		}
		if p.Status.Settled() && (txn.Refunds != nil || st == PaymentRefunded) {
			// An answer without a readable refund amount teaches nothing.
			if lines, cumulative, err := refundTotals(txn.Refunds, *p, st); err == nil {
				if _, err := s.applyGatewayRefund(tx, p, lines, cumulative, now); err != nil {
					return err
				}
			}
		}
		*out = *p
		return nil
	}
	if err := s.applyStatus(tx, p, st, now); err != nil {
		return err
	}
	*out = *p
	return nil
}

// closeStale expires an open order at Midtrans that outlived its expiry, then
// records whatever Midtrans says it is now (it may have been paid after all).
func (s *Service) closeStale(ctx context.Context, p Payment) error {
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	closeOrder := gw.Expire
	if p.Purpose == PurposeCardCheck {
		closeOrder = gw.Cancel // a pre-authorization is voided, not expired
	}
	txn, err := closeOrder(ctx, p.OrderID)
	if err != nil {
		// Refused for a paid or already closed order: ask for the truth.
		txn, err = gw.Status(ctx, p.OrderID)
		if errors.Is(err, ErrGatewayNotFound) {
			txn = Transaction{TransactionStatus: "expire"}
			err = nil
		}
		if err != nil {
			return fmt.Errorf("close stale order %s: %w", p.OrderID, err)
		}
	}
	var out Payment
	if err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Payments().Get(p.ID)
		if err != nil {
			return err
		}
		if err := s.applyTransaction(tx, &cur, txn, s.now(), &out); err != nil {
			return err
		}
		if cur.Status.Open() {
			// Midtrans still says pending: mark it superseded so it no longer
			// blocks the cycle; a late settlement is credited to the wallet.
			cur.Superseded = true
			cur.UpdatedAt = s.now()
			return tx.Payments().Put(cur)
		}
		return nil
	}); err != nil {
		return err
	}
	s.afterApplied(ctx, p, out)
	return nil
}
