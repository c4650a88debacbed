package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// PaymentFilter narrows ListPayments.
type PaymentFilter struct {
	Status      string
	PaymentType string
	Ordering    string // created_at, gross_amount (with '-')
}

// ListPayments lists the actor's payments (subscription charges and top-ups).
func (s *Service) ListPayments(ctx context.Context, a Actor, f PaymentFilter) ([]Payment, error) {
	var out []Payment
	err := s.store.View(ctx, func(tx Tx) error {
		owners, err := s.ownerIDs(tx, a)
		if err != nil {
			return err
		}
		for _, o := range owners {
			list, err := tx.Payments().ListByOwner(o)
			if err != nil {
				return err
			}
			for _, p := range list {
				if (f.Status == "" || string(p.Status) == f.Status) && (f.PaymentType == "" || string(p.PaymentType) == f.PaymentType) {
					out = append(out, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, sortBy(out, f.Ordering, "-created_at", map[string]func(a, b Payment) int{
		"created_at":   func(a, b Payment) int { return a.CreatedAt.Compare(b.CreatedAt) },
		"gross_amount": func(a, b Payment) int { return a.Amount.Cmp(b.Amount) },
	})
}

// GetPayment answers 404 for payments the actor cannot see.
func (s *Service) GetPayment(ctx context.Context, a Actor, id string) (Payment, error) {
	var p Payment
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = s.visiblePayment(tx, a, id)
		return err
	})
	return p, err
}

func (s *Service) visiblePayment(tx Tx, a Actor, id string) (Payment, error) {
	p, err := tx.Payments().Get(id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Payment{}, NotFoundf("payment not found")
		}
		return Payment{}, err
	}
	return p, s.authorize(tx, a, p.OwnerID, "payment")
}

// ChargeSubscription issues (or returns the live) charge for the
// subscription's next unpaid cycle: POST /api/payments/charge/.
func (s *Service) ChargeSubscription(ctx context.Context, a Actor, subID string) (Payment, error) {
	sub, err := s.GetSubscription(ctx, a, subID)
	if err != nil {
		return Payment{}, err
	}
	switch {
	case sub.Status.Terminal() || sub.Status == SubPaused:
		return Payment{}, Conflictf("a %s subscription cannot be charged", sub.Status)
	case sub.Status == SubTrialing:
		return Payment{}, Conflictf("a trialing subscription is charged when its trial ends")
	case sub.Native() && sub.Status == SubActive:
		return Payment{}, Conflictf("Midtrans charges this subscription on its own schedule")
	case sub.Status == SubActive && s.now().Before(sub.CurrentPeriodEnd):
		return Payment{}, Conflictf("the current period is paid until %s", sub.CurrentPeriodEnd.Format("2006-01-02"))
	}
	return s.chargeCycle(ctx, sub.ID, sub.Cycle+1)
}

// RefundPayment refunds all (amount nil) or part of a settled payment.
// The refund key is derived from the payment and the running refunded
// total, so a retried request reuses it and Midtrans refuses a second one;
// the refunded total can never exceed the settled amount.
// RefundInput is one refund request. Amount nil refunds what is left.
// ToWallet credits the owner's wallet instead of returning the money
// through Midtrans; it is the only way to refund the methods Midtrans
// cannot refund (virtual accounts, Mandiri bill, convenience stores).
type RefundInput struct {
	Amount   *Money
	Reason   string
	Direct   bool
	ToWallet bool
}

// gatewayRefundable lists the payment types Midtrans can refund (facts §6.2).
func gatewayRefundable(t PaymentType) bool {
	switch t {
	case PayCreditCard, PayGopay, PayQRIS, PayShopeepay:
		return true
	}
	return false
}

func (s *Service) RefundPayment(ctx context.Context, a Actor, id string, in RefundInput) (Payment, error) {
	amount, reason, direct := in.Amount, in.Reason, in.Direct
	if len(reason) > 500 {
		return Payment{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"reason": "at most 500 characters"}}
	}
	var p Payment
	var req RefundRequest
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if p, err = s.visiblePayment(tx, a, id); err != nil {
			return err
		}
		if !p.Status.Settled() {
			return Conflictf("only a settled payment can be refunded (this one is %s)", p.Status)
		}
		left := p.Refundable()
		amt := left
		if amount != nil {
			amt = *amount
		}
		if amount != nil && (!amt.IsPositive() || !amt.Amount().IsInteger()) {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"amount": "a positive whole-rupiah amount"}}
		}
		if !left.IsPositive() || amt.Cmp(left) > 0 {
			return UnprocessableCode("refund_exceeds_payment", "refund of %s exceeds the refundable %s", amt.String(), left.String())
		}
		if direct && !directRefundable(p.PaymentType) {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"direct": "direct refunds are for gopay, shopeepay and qris"}}
		}
		now := s.now()
		if !in.ToWallet && p.PaymentType != PayWallet && !gatewayRefundable(p.PaymentType) {
			return UnprocessableCode("refund_not_supported",
				"Midtrans cannot refund %s payments; refund to the customer's wallet with \"to_wallet\": true, or refund outside Midtrans", p.PaymentType)
		}
		if in.ToWallet && direct {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"direct": "a wallet refund cannot be direct"}}
		}
		if p.PaymentType == PayWallet || in.ToWallet {
			// Wallet-paid charges (and refunds asked to go there) are
			// credited to the wallet, at once and in this transaction.
			if _, err := s.creditWallet(tx, p.OwnerID, amt, EntryRefund, "payment", p.ID, "Refund of "+p.OrderID, now); err != nil {
				return err
			}
			return s.recordRefund(tx, &p, Refund{Key: fmt.Sprintf("wallet-%s-%d", p.ID, len(p.Refunds)+1), Amount: amt,
				Reason: reason, Status: "done", ToWallet: true, CreatedAt: now})
		}
		req = RefundRequest{RefundKey: refundKey(p), Amount: amt, Reason: reason, Direct: direct}
		req.IdempotencyKey = IdempotencyKey("refund", req.RefundKey)
		return nil
	})
	if err != nil || req.RefundKey == "" {
		return p, err
	}
	gw, err := s.gateway()
	if err != nil {
		return p, err
	}
	res, gerr := gw.Refund(ctx, p.OrderID, req)
	if gerr != nil && !errors.Is(gerr, ErrDuplicateOrder) {
		if Retryable(gerr) {
			return p, fmt.Errorf("refund %s: %w", p.OrderID, gerr)
		}
		return p, UnprocessableCode("gateway_rejected", "Midtrans refused the refund")
	}
	_ = res
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Payments().Get(p.ID)
		if err != nil {
			return err
		}
		for _, r := range cur.Refunds {
			if r.Key == req.RefundKey {
				p = cur
				return nil // recorded already (a concurrent retry)
			}
		}
		// The refund's own notification may have been applied while the
		// gateway call ran; it carries Midtrans' cumulative refunded total,
		// which already includes this refund. The total is therefore the
		// larger of what is recorded now and what was refunded before this
		// refund plus this refund: counted once whichever came first.
		total := p.Refunded.Add(req.Amount)
		if cur.Refunded.Cmp(total) > 0 {
			total = cur.Refunded
		}
		err = s.recordRefundTotal(tx, &cur, Refund{Key: req.RefundKey, Amount: req.Amount, Reason: reason, Direct: direct, Status: "done", CreatedAt: s.now()}, total)
		p = cur
		return err
	})
	return p, err
}

func directRefundable(t PaymentType) bool {
	return t == PayGopay || t == PayShopeepay || t == PayQRIS
}

// refundKey is deterministic per (payment, refunds so far).
func refundKey(p Payment) string {
	return fmt.Sprintf("RF-%s-%d", p.OrderID, len(p.Refunds)+1)
}

func (s *Service) recordRefund(tx Tx, p *Payment, r Refund) error {
	return s.recordRefundTotal(tx, p, r, p.Refunded.Add(r.Amount))
}

// recordRefundTotal records r with the payment's refunded total now at total.
func (s *Service) recordRefundTotal(tx Tx, p *Payment, r Refund, total Money) error {
	p.Refunds = append(p.Refunds, r)
	p.Refunded = total
	to := PaymentPartiallyRefunded
	if p.Refunded.Equal(p.Amount) {
		to = PaymentRefunded
	}
	if p.Status != to {
		p.Status = to
	}
	p.UpdatedAt = r.CreatedAt
	if err := tx.Payments().Put(*p); err != nil {
		return err
	}
	return s.emit(tx, EvPaymentRefunded, p.OwnerID, r.CreatedAt, map[string]any{
		"payment_id": p.ID, "order_id": p.OrderID, "amount": r.Amount.String(), "refunded": p.Refunded.String()})
}

// CheckPaymentStatus asks Midtrans for a payment's status, applies it, and
// answers both views.
func (s *Service) CheckPaymentStatus(ctx context.Context, a Actor, id string) (Payment, map[string]any, error) {
	p, err := s.GetPayment(ctx, a, id)
	if err != nil {
		return p, nil, err
	}
	if p.PaymentType == PayWallet || p.OrderID == "" {
		return p, nil, nil
	}
	gw, err := s.gateway()
	if err != nil {
		return p, nil, err
	}
	txn, err := gw.Status(ctx, p.OrderID)
	if errors.Is(err, ErrGatewayNotFound) {
		return p, map[string]any{"status_code": "404", "status_message": "Transaction doesn't exist."}, nil
	}
	if err != nil {
		return p, nil, err
	}
	local := p
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Payments().Get(p.ID)
		if err != nil {
			return err
		}
		var out Payment
		if err := s.applyTransaction(tx, &cur, txn, s.now(), &out); err != nil {
			return err
		}
		local = out
		return nil
	})
	raw := txn.Raw
	if raw == nil {
		raw = map[string]any{"transaction_status": strings.ToLower(txn.TransactionStatus), "status_code": txn.StatusCode}
	}
	return local, raw, err
}
