package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrDuplicateNotification is not an error to the sender: the notification
// was applied before and is acknowledged again.
var errDuplicate = errors.New("duplicate notification")

// errIgnored marks a valid notification that changes nothing (stale or
// out of order); it is acknowledged.
var errIgnored = errors.New("notification changes nothing")

// ProcessNotification handles one Midtrans notification of any kind
// (payment, Subscription API, Pay Account). It stores the raw payload
// first, so nothing received is ever lost, then verifies, deduplicates and
// applies it in one transaction. The returned log tells what happened;
// the error is what the sender should be answered (403 bad signature,
// 404 unknown order, 400 unreadable).
func (s *Service) ProcessNotification(ctx context.Context, payload []byte, sourceIP string) (WebhookLog, error) {
	log := WebhookLog{ID: s.ids.NewID(), Payload: append([]byte(nil), payload...), SourceIP: sourceIP, ReceivedAt: s.now(), Status: WebhookReceived}
	return s.processNotification(ctx, log)
}

// processNotification is ProcessNotification for a log not stored yet.
func (s *Service) processNotification(ctx context.Context, log WebhookLog) (WebhookLog, error) {
	gw, err := s.gateway()
	if err != nil {
		// Nothing can read, let alone verify, the body: it is kept as an
		// unverified one.
		return s.finishLog(ctx, log, WebhookRejected, Invalidf("cannot read the notification: %v", ErrNoGateway))
	}
	n, perr := parseNotification(gw, log.Payload)
	if perr == nil {
		log.Kind, log.OrderID = n.Kind, n.OrderID
	}
	if perr == nil && log.Kind == NotifyPayment {
		return s.processPayment(ctx, log, n)
	}
	if perr == nil && log.Kind == "" {
		perr = Invalidf("not a Midtrans notification")
	}
	if perr != nil {
		return s.finishLog(ctx, log, WebhookRejected, perr)
	}
	// Not stored before it is verified: an unverified body is stored only
	// in bounded form and rate limited (finishUnverified). Every outcome
	// below stores the log, and a crash before that answered nothing, so
	// Midtrans sends the notification again.
	return s.applyLog(ctx, log, n)
}

// RecoverNotifications re-applies notifications that were stored but not
// applied (the process died in between). Applying is idempotent.
func (s *Service) RecoverNotifications(ctx context.Context) (int, error) {
	var pending []WebhookLog
	if err := s.store.View(ctx, func(tx Tx) error {
		return tx.WebhookLogs().ScanReceived(func(w WebhookLog) bool {
			pending = append(pending, w)
			return len(pending) < 1000
		})
	}); err != nil {
		return 0, err
	}
	gw, gerr := s.gateway()
	for _, w := range pending {
		if gerr != nil {
			_, _ = s.finishLog(ctx, w, WebhookFailed, gerr)
			continue
		}
		n, err := parseNotification(gw, w.Payload)
		if err != nil {
			_, _ = s.finishLog(ctx, w, WebhookRejected, err)
			continue
		}
		_, _ = s.applyLog(ctx, w, n)
	}
	return len(pending), nil
}

func (s *Service) applyLog(ctx context.Context, log WebhookLog, n GatewayNotification) (WebhookLog, error) {
	var err error
	switch n.Kind {
	case NotifyPayment:
		err = s.applyPaymentNotification(ctx, &log, n)
	case NotifySubscription:
		err = s.applySubscriptionNotification(ctx, &log, n.Subscription)
	case NotifyPayAccount:
		err = s.applyPayAccountNotification(ctx, &log, n.PayAccount)
	default:
		err = Invalidf("not a Midtrans notification")
	}
	if err != nil {
		return s.finishOutcome(ctx, log, err)
	}
	if log.Kind == NotifyPayment {
		s.afterPaymentApplied(ctx, log.OrderID)
	}
	return log, nil // the log was finished inside the apply transaction
}

// afterPaymentApplied hands a subscription that just became active with a
// saved card or linked GoPay account to the Midtrans Subscription API. It
// runs after the apply transaction (a gateway call) and is best-effort: the
// engine renews by one-time charges until the link exists.
func (s *Service) afterPaymentApplied(ctx context.Context, orderID string) {
	var subID string
	_ = s.store.View(ctx, func(tx Tx) error {
		p, err := tx.Payments().GetByOrderID(orderID)
		if err == nil && p.Purpose == PurposeSubscription && p.Status == PaymentPaid {
			subID = p.SubscriptionID
		}
		return nil
	})
	s.afterCyclePaid(ctx, subID)
}

// finishLog records the outcome of a notification and returns err.
func (s *Service) finishLog(ctx context.Context, log WebhookLog, st WebhookStatus, err error) (WebhookLog, error) {
	if unverified(log, st, err) {
		return s.finishUnverified(ctx, log, st, err)
	}
	log.Status, log.ProcessedAt = st, s.now()
	if err != nil {
		log.Error = err.Error()
	}
	if uerr := s.store.Update(ctx, func(tx Tx) error { return tx.WebhookLogs().Put(log) }); uerr != nil {
		return log, errors.Join(err, uerr)
	}
	return log, err
}

// parseNotification has the gateway read a notification body. Whatever it
// cannot read is refused as invalid input (400), never a fault.
func parseNotification(gw Gateway, payload []byte) (GatewayNotification, error) {
	n, err := gw.ParseNotification(payload)
	if err != nil && !errors.Is(err, ErrInvalid) {
		return n, Invalidf("unreadable notification: %v", err)
	}
	return n, err
}

// processPayment is ProcessNotification's path for a payment notification
// that parsed: the verified notification is stored and applied in ONE
// transaction, so the common case costs one batched write, not two. The
// raw payload is still never lost: when applying fails (duplicate, unknown
// order, a store error ...) that transaction rolls back and the log is
// stored on its own with the outcome, exactly as the store-first path
// would have finished it; a crash before the commit stored nothing and
// answered nothing, so Midtrans sends the notification again. A stored
// log still in "received" (from an older build, or written by hand) is
// applied by RecoverNotifications as before.
func (s *Service) processPayment(ctx context.Context, log WebhookLog, n GatewayNotification) (WebhookLog, error) {
	to, err := verifyPaymentNotification(&log, n, s.planted(DefectDashboardRefundDeduped))
	if err == nil {
		s.prefetchPayment(ctx, log.OrderID)
		var (
			done  WebhookLog
			subID string
		)
		err = s.store.Update(ctx, func(tx Tx) error {
			// A batched transaction may run more than once: start from
			// the verified log every time.
			l := log
			subID = ""
			p, err := s.applyPaymentTx(tx, &l, n.Payment, to)
			if err != nil {
				return err
			}
			// What afterPaymentApplied would read back after the commit.
			if p.Purpose == PurposeSubscription && p.Status == PaymentPaid {
				subID = p.SubscriptionID
			}
			done = l
			return nil
		})
		if err == nil {
			s.afterCyclePaid(ctx, subID)
			return done, nil
		}
	}
	return s.finishOutcome(ctx, log, err)
}

// finishOutcome stores a notification that was not applied, with what
// happened: a duplicate or a no-op is acknowledged, a bad signature is
// rejected, anything else failed (and Midtrans will retry).
func (s *Service) finishOutcome(ctx context.Context, log WebhookLog, err error) (WebhookLog, error) {
	switch {
	case errors.Is(err, errDuplicate):
		return s.finishLog(ctx, log, WebhookDuplicate, nil)
	case errors.Is(err, errIgnored):
		return s.finishLog(ctx, log, WebhookIgnored, nil)
	case errors.Is(err, ErrForbidden):
		return s.finishLog(ctx, log, WebhookRejected, err)
	default:
		return s.finishLog(ctx, log, WebhookFailed, err)
	}
}

// prefetchPayment reads what applying a notification for orderID reads
// (the payment, its invoice and subscription) in a read transaction first.
// Write transactions run one at a time; the store remembers records
// decoded in read transactions (adapters/bolt memo.go), so the decoding
// is then done here, concurrently, rather than inside the serialized
// write. It changes nothing and its errors do not matter.
func (s *Service) prefetchPayment(ctx context.Context, orderID string) {
	_ = s.store.View(ctx, func(tx Tx) error {
		p, err := tx.Payments().GetByOrderID(orderID)
		if err != nil {
			return nil
		}
		if p.InvoiceID != "" {
			_, _ = tx.Invoices().Get(p.InvoiceID)
		}
		if p.SubscriptionID != "" {
			_, _ = tx.Subscriptions().Get(p.SubscriptionID)
		}
		return nil
	})
}

// applyPaymentNotification verifies and applies a transaction notification.
func (s *Service) applyPaymentNotification(ctx context.Context, log *WebhookLog, n GatewayNotification) error {
	to, err := verifyPaymentNotification(log, n, s.planted(DefectDashboardRefundDeduped))
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := s.applyPaymentTx(tx, log, n.Payment, to)
		return err
	})
}

// verifyPaymentNotification refuses a transaction notification whose
// signature does not hold, sets its dedupe key and names the payment status
// it moves to; errIgnored for a status that moves nothing. oldRefundKey is
// the planted defect that left the refund total out of the key.
func verifyPaymentNotification(log *WebhookLog, n GatewayNotification, oldRefundKey bool) (PaymentStatus, error) {
	t := n.Payment
	if !n.SignatureValid {
		return "", Forbiddenf("invalid signature")
	}
	log.SignatureValid = true
	log.EventKey = t.OrderID + "|" + t.TransactionStatus + "|" + t.StatusCode
	to, ok := MapTransactionStatus(t.TransactionStatus, t.FraudStatus)
	if !ok {
		return "", errIgnored
	}
	if (to == PaymentRefunded || to == PaymentPartiallyRefunded) && !oldRefundKey {
		// Each refund moves the cumulative refund_amount, so a second
		// partial refund is a new event, not a duplicate of the first.
		log.EventKey += "|" + t.refundAmountText()
	}
	return to, nil
}

// refundAmountText is the cumulative refund_amount as sent, "" if none.
func (t Transaction) refundAmountText() string {
	if t.Refunds == nil {
		return ""
	}
	return t.Refunds.AmountText
}

// applyPaymentTx applies a verified transaction notification inside tx and
// stores the log with its outcome (processed, ignored, or rejected for an
// amount mismatch) and answers the payment as it now stands; errDuplicate
// and errors store nothing.
func (s *Service) applyPaymentTx(tx Tx, log *WebhookLog, n PaymentNotice, to PaymentStatus) (Payment, error) {
	orderID, gross := n.OrderID, n.GrossAmountText
	now := s.now()
	p, err := tx.Payments().GetByOrderID(orderID)
	if errors.Is(err, ErrNotFound) {
		return p, NotFoundf("unknown order %s", orderID)
	}
	if err != nil {
		return p, err
	}
	if !n.GrossAmount.Valid() || n.GrossAmount.Currency() != p.Amount.Currency() || !n.GrossAmount.Equal(p.Amount) {
		// Never act on an amount we did not ask for; raise an alert.
		if err := s.emit(tx, EvAlert, p.OwnerID, now, map[string]any{"alert": "amount_mismatch", "order_id": orderID,
			"expected": p.Amount.String(), "received": gross}); err != nil {
			return p, err
		}
		log.Status, log.Error, log.ProcessedAt = WebhookRejected, "gross_amount "+gross+" differs from "+p.Amount.String(), now
		return p, tx.WebhookLogs().Put(*log)
	}
	fresh, err := tx.WebhookLogs().MarkApplied(log.EventKey, p.ID)
	if err != nil {
		return p, err
	}
	if !fresh {
		return p, errDuplicate
	}
	txn := n.Transaction
	if to == PaymentRefunded || to == PaymentPartiallyRefunded {
		if p.Status.Open() {
			// Refunded means settled first: the settlement's own
			// notification is late (or lost), so the money is applied as
			// paid before the refund is recorded.
			paid := txn
			paid.TransactionStatus, paid.StatusCode = "settlement", "200"
			var out Payment
			if err := s.applyTransaction(tx, &p, paid, now, &out); err != nil {
				return p, err
			}
			p = out
		}
		if p.Status.Settled() {
			return p, s.applyRefundNotification(tx, log, &p, txn, to, now)
		}
	}
	if !p.Status.CanMove(to) {
		// Out of order or stale (a pending after settlement): keep the
		// raw status for audit, change nothing else.
		log.Status, log.ProcessedAt = WebhookIgnored, now
		if err := tx.WebhookLogs().Put(*log); err != nil {
			return p, err
		}
		return p, nil
	}
	var out Payment
	if err := s.applyTransaction(tx, &p, txn, now, &out); err != nil {
		return p, err
	}
	log.Status, log.ProcessedAt = WebhookProcessed, now
	return p, tx.WebhookLogs().Put(*log)
}

// applyRefundNotification records the cumulative refunded total a refund
// notification carries (refund_amount; a full "refund" without it means
// everything). Refunds made at the Midtrans dashboard are recorded too.
func (s *Service) applyRefundNotification(tx Tx, log *WebhookLog, p *Payment, txn Transaction, to PaymentStatus, now time.Time) error {
	if s.planted(DefectDashboardRefundDeduped) && p.Status == to {
		log.Status, log.ProcessedAt = WebhookIgnored, now
		return tx.WebhookLogs().Put(*log)
	}
	lines, cumulative, err := refundTotals(txn.Refunds, *p, to)
	if err != nil {
		log.Status, log.Error, log.ProcessedAt = WebhookRejected, err.Error(), now
		return tx.WebhookLogs().Put(*log)
	}
	p.MidtransStatus = txn.Raw
	changed, err := s.applyGatewayRefund(tx, p, lines, cumulative, now)
	if err != nil {
		return err
	}
	log.Status, log.ProcessedAt = WebhookProcessed, now
	if !changed {
		log.Status = WebhookIgnored
	}
	return tx.WebhookLogs().Put(*log)
}

// refundTotals is what a refund notification or a status answer says
// Midtrans refunded of p: its refund lines and the cumulative
// refund_amount (a full "refund" without one means everything).
func refundTotals(r *GatewayRefunds, p Payment, to PaymentStatus) ([]GatewayRefundLine, Money, error) {
	if r == nil {
		r = &GatewayRefunds{}
	}
	cumulative := p.Amount
	if r.AmountText != "" || to == PaymentPartiallyRefunded {
		if !r.Amount.Valid() || r.Amount.Currency() != p.Amount.Currency() {
			return nil, Money{}, fmt.Errorf("unreadable refund_amount %q", r.AmountText)
		}
		cumulative = r.Amount
	}
	var lines []GatewayRefundLine
	for _, l := range r.Lines {
		if l.Key != "" && l.Amount.Valid() && l.Amount.Currency() == p.Amount.Currency() {
			lines = append(lines, l)
		}
	}
	return lines, cumulative, nil
}

// applySubscriptionNotification applies a Subscription API notification.
// Those carry no signature, so the subscription is confirmed
// by reading it back from Midtrans before anything changes.
func (s *Service) applySubscriptionNotification(ctx context.Context, log *WebhookLog, n SubscriptionNotice) error {
	nativeID := n.ID
	if nativeID == "" {
		return Invalidf("subscription notification without subscription id")
	}
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	ns, err := s.lookupSubscription(ctx, gw, nativeID, n.failed())
	if err != nil {
		if errors.Is(err, ErrGatewayNotFound) {
			return Forbiddenf("Midtrans does not know subscription %s", nativeID)
		}
		return err
	}
	log.SignatureValid = true
	if !n.ChargeEvent || n.Charge == nil {
		return errIgnored // creation echo or status change: nothing to apply
	}
	code, txID := n.Charge.StatusCode, n.Charge.TransactionID
	log.EventKey = "subscription|" + nativeID + "|" + code + "|" + txID + "|" + fmt.Sprint(ns.CurrentInterval)
	// A charge: confirm it by its status before renewing on it. One held
	// for review (challenge) or still pending is recorded open, so that its
	// own payment notification finds it when it settles.
	paid := (code == "200" || code == "201") && txID != ""
	var verified Transaction
	if paid {
		if verified, err = s.lookupTransaction(ctx, gw, txID); err != nil {
			return err
		}
		st, _ := MapTransactionStatus(verified.TransactionStatus, verified.FraudStatus)
		paid = st == PaymentPaid || st.Open()
	}
	var refund *strayRefund
	var subID string
	orphan := false
	err = s.store.Update(ctx, func(tx Tx) error {
		refund, subID, orphan = nil, "", false // fn may run more than once
		now := s.now()
		sub, err := tx.Subscriptions().GetByNativeID(nativeID)
		if errors.Is(err, ErrNotFound) {
			// A schedule whose creation answer was lost (or a second one made
			// by a retry) names our subscription in its metadata.
			if sub, orphan, err = s.adoptNative(tx, ns, now); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
		fresh, err := tx.WebhookLogs().MarkApplied(log.EventKey, "")
		if err != nil {
			return err
		}
		if !fresh {
			return errDuplicate
		}
		plan, err := tx.Plans().Get(sub.PlanID)
		if err != nil {
			return err
		}
		log.Status, log.ProcessedAt = WebhookProcessed, now
		if err := tx.WebhookLogs().Put(*log); err != nil {
			return err
		}
		if !paid {
			if orphan {
				return nil
			}
			if sub.Status == SubActive && strings.EqualFold(ns.Status, "inactive") {
				if err := s.midtransGaveUp(&sub, plan, now); err != nil {
					return err
				}
				if err := tx.Subscriptions().Put(sub); err != nil {
					return err
				}
				return s.emit(tx, EvSubscriptionPastDue, sub.OwnerID, now, subscriptionData(sub))
			}
			return nil
		}
		if orphan {
			// Charged by a schedule this service does not use: never kept.
			sub.Status = SubCancelled
		}
		refund, err = s.applyNativeCharge(tx, sub, plan, txID, verified, now)
		if refund == nil && err == nil {
			subID = sub.ID
		}
		return err
	})
	if orphan && err == nil {
		_ = gw.CancelSubscription(ctx, nativeID)
	}
	if err != nil {
		return err
	}
	if refund != nil {
		_, _ = s.sendRefund(ctx, refund.payment, refund.req)
		return nil
	}
	s.afterCyclePaid(ctx, subID)
	return nil
}

// adoptNative finds the subscription a Midtrans schedule unknown here was
// made for (its metadata names it). A schedule this service replaced (see
// replaceNative) is not adopted again, but a charge it made before it was
// cancelled paid the subscription's next cycle and counts. A subscription
// still waiting for its Midtrans schedule adopts it; any other answers
// orphan: the schedule is a duplicate, its charges are refunded and it is
// cancelled.
func (s *Service) adoptNative(tx Tx, ns NativeSubscription, now time.Time) (Subscription, bool, error) {
	id, _ := ns.Metadata["langganan_subscription_id"].(string)
	if id == "" {
		return Subscription{}, false, NotFoundf("unknown subscription %s", ns.ID)
	}
	sub, err := tx.Subscriptions().Get(id)
	if errors.Is(err, ErrNotFound) {
		return Subscription{}, false, NotFoundf("unknown subscription %s", ns.ID)
	}
	if err != nil {
		return Subscription{}, false, err
	}
	if slices.Contains(anyList(sub.Metadata["midtrans_previous_ids"]), any(ns.ID)) {
		return sub, sub.Status.Terminal(), nil
	}
	if sub.Native() || sub.Status.Terminal() || !wantsNative(sub) {
		return sub, true, nil
	}
	sub.MidtransSubscriptionID, sub.NativeAmount, sub.NativeDisabled, sub.UpdatedAt = ns.ID, ns.Amount, false, now
	return sub, false, tx.Subscriptions().Put(sub)
}

// applyNativeCharge records a paid Subscription API charge (txID, verified
// by a status call) of sub inside tx: it pays the next cycle, or, when
// nothing was owed, is refunded or credited (the answered refund is to be
// sent after the commit). A charge recorded before is errDuplicate.
func (s *Service) applyNativeCharge(tx Tx, sub Subscription, plan Plan, txID string, verified Transaction, now time.Time) (*strayRefund, error) {
	orderID := verified.OrderID
	if orderID == "" {
		orderID = "SUBS-" + txID
	}
	if _, err := tx.Payments().GetByOrderID(orderID); err == nil {
		return nil, errDuplicate // recorded already (by a notification or a sync)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	st, _ := MapTransactionStatus(verified.TransactionStatus, verified.FraudStatus)
	if st != PaymentPaid && !st.Open() {
		return nil, nil
	}
	cycle := sub.Cycle + 1
	p := Payment{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeSubscription, SubscriptionID: sub.ID,
		OrderID: orderID, TransactionID: txID, PaymentType: sub.PaymentType, Status: PaymentPending, Cycle: cycle,
		Attempt: 1, Refunded: Zero(plan.Currency()), MidtransStatus: verified.Raw, CreatedAt: now, UpdatedAt: now}
	if verified.GrossAmount.Valid() {
		p.Amount = verified.GrossAmount
	}
	if st != PaymentPaid {
		// Held by Midtrans: recorded open for the cycle; settling applies it.
		inv, err := s.cycleInvoice(tx, &sub, plan, cycle, now)
		if err != nil {
			return nil, err
		}
		p.InvoiceID, p.Status, p.FraudStatus = inv.ID, st, verified.FraudStatus
		if !p.Amount.Valid() {
			p.Amount = inv.Total
		}
		return nil, tx.Payments().Put(p)
	}
	if sub.Status.Terminal() || sub.Status == SubPaused || sub.Status == SubPending {
		// Charged for nothing owed: never dropped.
		return s.strayNativeCharge(tx, sub, &p, now)
	}
	if sub.ScheduledPlanID != "" && !now.Before(sub.CurrentPeriodEnd) {
		var err error
		if plan, err = s.switchScheduledPlan(tx, &sub, now); err != nil {
			return nil, err
		}
	}
	inv, err := s.cycleInvoice(tx, &sub, plan, cycle, now)
	if err != nil {
		return nil, err
	}
	p.InvoiceID = inv.ID
	if !p.Amount.Valid() {
		p.Amount = inv.Total
	}
	if !p.Amount.Equal(inv.Total) && inv.Status != InvoicePaid {
		// Midtrans charged what it was last told; the invoice follows the
		// money and the admins are told. An overcharge is credited to the
		// next invoice.
		diff := p.Amount.Sub(inv.Total)
		if err := s.emit(tx, EvAlert, sub.OwnerID, now, map[string]any{"alert": "native_amount_mismatch",
			"subscription_id": sub.ID, "order_id": orderID, "charged": p.Amount.String(), "invoice": inv.Total.String()}); err != nil {
			return nil, err
		}
		inv.Lines = append(inv.Lines, InvoiceLine{Kind: LineAdjustment, Description: "Charged by Midtrans at " + p.Amount.String(),
			Quantity: 1, UnitAmount: diff, Amount: diff})
		s.price(&inv)
		inv.UpdatedAt = now
		if err := tx.Invoices().Put(inv); err != nil {
			return nil, err
		}
		if diff.IsPositive() {
			cur, err := tx.Subscriptions().Get(sub.ID)
			if err != nil {
				return nil, err
			}
			cur.PendingCredit = orZero(cur.PendingCredit, diff.Currency()).Sub(diff)
			if err := tx.Subscriptions().Put(cur); err != nil {
				return nil, err
			}
		}
	}
	return nil, s.applyStatus(tx, &p, PaymentPaid, now)
}

// strayRefund is a refund reserved for a native charge nothing was owed for.
type strayRefund struct {
	payment Payment
	req     RefundRequest
}

// strayNativeCharge keeps a Midtrans charge for a subscription that has
// ended (or is paused) here: a paused one's money goes to the owner's
// wallet; an ended one's is refunded through Midtrans. The admins are
// alerted either way.
func (s *Service) strayNativeCharge(tx Tx, sub Subscription, p *Payment, now time.Time) (*strayRefund, error) {
	p.Status, p.PaidAt = PaymentPaid, now
	if err := s.emit(tx, EvAlert, sub.OwnerID, now, map[string]any{"alert": "native_charge_not_owed",
		"subscription_id": sub.ID, "order_id": p.OrderID, "amount": p.Amount.String(), "status": string(sub.Status)}); err != nil {
		return nil, err
	}
	if sub.Status == SubPaused || !gatewayRefundable(p.PaidWith()) {
		return nil, s.creditLatePayment(tx, p, now)
	}
	const reason = "charged after the subscription ended"
	key := refundKey(*p)
	p.Refunds = append(p.Refunds, Refund{Key: key, Amount: p.Amount, Reason: reason, Status: RefundRequested, CreatedAt: now})
	if err := tx.Payments().Put(*p); err != nil {
		return nil, err
	}
	return &strayRefund{payment: *p, req: RefundRequest{RefundKey: key, Amount: p.Amount, Reason: reason,
		IdempotencyKey: IdempotencyKey("refund", key)}}, nil
}

// applyPayAccountNotification confirms a GoPay link (or unlink) by reading
// the account back from Midtrans, whose answer is authoritative.
func (s *Service) applyPayAccountNotification(ctx context.Context, log *WebhookLog, n PayAccountNotice) error {
	accountID := n.AccountID
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	acct, err := s.lookupPayAccount(ctx, gw, accountID)
	if err != nil {
		if errors.Is(err, ErrGatewayNotFound) {
			return Forbiddenf("Midtrans does not know account %s", accountID)
		}
		return err
	}
	log.SignatureValid = true
	log.EventKey = "payaccount|" + accountID + "|" + acct.Status
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		m, err := tx.PaymentMethods().GetByAccountID(accountID)
		if errors.Is(err, ErrNotFound) {
			return NotFoundf("unknown account %s", accountID)
		}
		if err != nil {
			return err
		}
		s.applyPayAccount(&m, acct, now)
		if err := tx.PaymentMethods().Put(m); err != nil {
			return err
		}
		log.Status, log.ProcessedAt = WebhookProcessed, now
		return tx.WebhookLogs().Put(*log)
	})
}

// applyPayAccount copies Midtrans' view of a pay account into m.
func (s *Service) applyPayAccount(m *PaymentMethod, acct PayAccount, now time.Time) {
	switch strings.ToUpper(acct.Status) {
	case "ENABLED":
		m.Status = MethodActive
		for _, o := range acct.PaymentOptions {
			if o.Token != "" && (o.Name == "GOPAY_WALLET" || m.Token == "") {
				m.Token = o.Token
			}
		}
	case "DISABLED", "EXPIRED":
		m.Status = MethodDisabled
	default:
		m.Status = MethodPending
	}
	m.UpdatedAt = now
}

// MaxWebhookLogScan bounds how many logs one unfiltered listing reads:
// its count is then at most this many (the newest), unless a later page
// is asked for.
const MaxWebhookLogScan = 10000

// WebhookLogFilter narrows ListWebhookLogs; empty fields match all.
type WebhookLogFilter struct {
	OrderID string // this order's logs only (read through the order index)
	Status  string
	Offset  int
	Limit   int // 0: no limit
}

// ListWebhookLogs lists stored notifications, newest first (admin), with
// the count of matches: all of an order's, else among the newest
// MaxWebhookLogScan (or as many as the page asked for needs).
func (s *Service) ListWebhookLogs(ctx context.Context, a Actor, f WebhookLogFilter) ([]WebhookLog, int, error) {
	if !a.IsAdmin {
		return nil, 0, Forbiddenf("admin only")
	}
	switch WebhookStatus(f.Status) {
	case "", WebhookReceived, WebhookProcessed, WebhookDuplicate, WebhookIgnored, WebhookRejected, WebhookFailed:
	default:
		return nil, 0, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{
			"status": "one of received, processed, duplicate, ignored, rejected, failed"}}
	}
	var all []WebhookLog
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if f.OrderID != "" {
			all, err = tx.WebhookLogs().ListByOrder(f.OrderID)
			slices.Reverse(all)
			return err
		}
		scan := MaxWebhookLogScan
		if f.Limit > 0 {
			scan = max(scan, f.Offset+f.Limit)
		}
		all, err = tx.WebhookLogs().List(scan)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	out := all[:0]
	for _, w := range all {
		if f.Status == "" || string(w.Status) == f.Status {
			out = append(out, w)
		}
	}
	return page(out, f.Offset, f.Limit), len(out), nil
}

// GetWebhookLog answers one stored notification (admin).
func (s *Service) GetWebhookLog(ctx context.Context, a Actor, id string) (WebhookLog, error) {
	if err := requireAdmin(a); err != nil {
		return WebhookLog{}, err
	}
	var w WebhookLog
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		w, err = getWebhookLog(tx, id)
		return err
	})
	return w, err
}

func getWebhookLog(tx Tx, id string) (WebhookLog, error) {
	if !IsUUID(id) {
		return WebhookLog{}, NotFoundf("webhook log not found")
	}
	w, err := tx.WebhookLogs().Get(id)
	if errors.Is(err, ErrNotFound) {
		return w, NotFoundf("webhook log not found")
	}
	return w, err
}

// ReapplyNotification applies a stored notification's body again (admin),
// as a new notification through the path a live one takes, so it is
// verified again, deduplicated and applied monotonically: one already
// applied comes back duplicate and changes nothing, one that failed (an
// order unknown at the time, a fault) is applied now. The stored log is
// left as it was; the answer is the new one, naming it in ReplayOf. A
// body kept only in part (an unverified one) cannot be applied again.
func (s *Service) ReapplyNotification(ctx context.Context, a Actor, id string) (WebhookLog, error) {
	orig, err := s.GetWebhookLog(ctx, a, id)
	if err != nil {
		return WebhookLog{}, err
	}
	if orig.PayloadSize != 0 || orig.PayloadSHA256 != "" {
		return WebhookLog{}, Unprocessablef("only the first bytes of this notification were kept; it cannot be applied again")
	}
	log := WebhookLog{ID: s.ids.NewID(), Payload: orig.Payload, SourceIP: orig.SourceIP, ReceivedAt: s.now(),
		Status: WebhookReceived, ReplayOf: orig.ID, ReplayBy: a.UserID}
	return s.processNotification(ctx, log)
}
