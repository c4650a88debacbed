package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Refund statuses. A refund is reserved (requested) in the transaction
// that accepts it, before the gateway is called, so overlapping refunds
// can never pay out more than was paid; a second transaction settles it
// (done) or releases it (failed).
const (
	RefundRequested = "requested"
	RefundDone      = "done"
	RefundFailed    = "failed"
)

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

// gatewayRefundable lists the payment types Midtrans can refund: cards,
// e-wallets and QRIS. Virtual accounts, Mandiri bill and convenience
// stores cannot be refunded through Midtrans.
func gatewayRefundable(t PaymentType) bool {
	switch t {
	case PayCreditCard, PayGopay, PayQRIS, PayShopeepay:
		return true
	}
	return false
}

// directRefundable lists the types Midtrans refunds online-direct.
func directRefundable(t PaymentType) bool {
	return t == PayGopay || t == PayShopeepay || t == PayQRIS
}

// refundKey is deterministic per (payment, refunds so far); reserving the
// refund appends it, so two refunds of one payment never share a key.
func refundKey(p Payment) string {
	return fmt.Sprintf("RF-%s-%d", p.OrderID, len(p.Refunds)+1)
}

// RefundPayment refunds all (amount nil) or part of a settled payment.
// Refunds are the merchant's: only an admin may refund. Refunding a
// top-up takes its credit back from the wallet in the reserving
// transaction; refunds to the wallet credit it at once.
func (s *Service) RefundPayment(ctx context.Context, a Actor, id string, in RefundInput) (Payment, error) {
	if !a.IsAdmin && !s.planted(DefectCustomerRefunds) {
		return Payment{}, Forbiddenf("refunds are made by the merchant")
	}
	if len(in.Reason) > 500 {
		return Payment{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"reason": "at most 500 characters"}}
	}
	var p Payment
	var req RefundRequest
	err := s.store.Update(ctx, func(tx Tx) error {
		req = RefundRequest{} // fn may run more than once
		var err error
		if p, err = s.visiblePayment(tx, a, id); err != nil {
			return err
		}
		amt, err := s.checkRefund(p, in)
		if err != nil {
			return err
		}
		now := s.now()
		if p.Purpose == PurposeTopUp && !s.planted(DefectTopUpRefundKeepsCredit) {
			// The credit the top-up bought goes back with the money.
			if _, err := s.debitWallet(tx, p.OwnerID, amt, EntryRefund, "payment", p.ID, "Refund of top-up "+p.OrderID, now); err != nil {
				if errors.Is(err, ErrUnprocessable) {
					return UnprocessableCode("wallet_insufficient", "the wallet no longer holds the %s this refund takes back", amt.String())
				}
				return err
			}
		}
		if p.PaymentType == PayWallet || in.ToWallet {
			// Wallet-paid charges (and refunds asked to go there) are
			// credited to the wallet, at once and in this transaction.
			if _, err := s.creditWallet(tx, p.OwnerID, amt, EntryRefund, "payment", p.ID, "Refund of "+p.OrderID, now); err != nil {
				return err
			}
			p.Refunds = append(p.Refunds, Refund{Key: fmt.Sprintf("wallet-%s-%d", p.ID, len(p.Refunds)+1), Amount: amt,
				Reason: in.Reason, Status: RefundDone, ToWallet: true, CreatedAt: now})
			return s.putRefunds(tx, &p, amt, now)
		}
		req = RefundRequest{RefundKey: refundKey(p), Amount: amt, Reason: in.Reason, Direct: in.Direct}
		req.IdempotencyKey = IdempotencyKey("refund", req.RefundKey)
		if s.planted(DefectRefundNotReserved) {
			return nil
		}
		p.Refunds = append(p.Refunds, Refund{Key: req.RefundKey, Amount: amt, Reason: in.Reason, Direct: in.Direct,
			Status: RefundRequested, CreatedAt: now})
		p.UpdatedAt = now
		return tx.Payments().Put(p)
	})
	if err != nil || req.RefundKey == "" {
		return p, err
	}
	return s.sendRefund(ctx, p, req)
}

// checkRefund validates a refund of p and answers its amount.
func (s *Service) checkRefund(p Payment, in RefundInput) (Money, error) {
	invalid := func(field, msg string) error {
		return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{field: msg}}
	}
	if !p.Status.Settled() {
		return Money{}, Conflictf("only a settled payment can be refunded (this one is %s)", p.Status)
	}
	left := p.Refundable()
	if s.planted(DefectRefundNotReserved) {
		left = p.Amount.Sub(p.Refunded)
	}
	amt := left
	if in.Amount != nil {
		amt = *in.Amount
		if !amt.IsPositive() || !amt.Amount().IsInteger() {
			return Money{}, invalid("amount", "a positive whole-rupiah amount")
		}
	}
	if !left.IsPositive() || amt.Cmp(left) > 0 {
		return Money{}, UnprocessableCode("refund_exceeds_payment", "refund of %s exceeds the refundable %s", amt.String(), left.String())
	}
	switch {
	case in.ToWallet && p.Purpose == PurposeTopUp:
		return Money{}, UnprocessableCode("refund_not_supported", "a top-up is refunded through Midtrans, never to the wallet it funded")
	case in.ToWallet && in.Direct:
		return Money{}, invalid("direct", "a wallet refund cannot be direct")
	case in.Direct && !directRefundable(p.PaidWith()):
		return Money{}, invalid("direct", "direct refunds are for gopay, shopeepay and qris")
	case !in.ToWallet && p.PaymentType != PayWallet && !gatewayRefundable(p.PaidWith()):
		return Money{}, UnprocessableCode("refund_not_supported",
			"Midtrans cannot refund %s payments; refund to the customer's wallet with \"to_wallet\": true, or refund outside Midtrans", p.PaymentType)
	}
	return amt, nil
}

// sendRefund calls the gateway for a reserved refund and settles it. An
// unknown outcome (timeout, 5xx) leaves it reserved: reconciliation sends
// it again under the same refund key, which Midtrans treats as a retry.
func (s *Service) sendRefund(ctx context.Context, p Payment, req RefundRequest) (Payment, error) {
	gw, err := s.gateway()
	if err != nil {
		return p, err
	}
	_, gerr := gw.Refund(ctx, p.OrderID, req)
	if gerr != nil && Retryable(gerr) {
		// The outcome is unknown: the refund stays reserved and the billing
		// run sends it again under the same refund key. That is an answer,
		// not a failure: a caller retrying after an error would reserve a
		// second refund and pay the customer back twice.
		return p, nil
	}
	// 406 "Duplicate refund ID": Midtrans holds this refund already.
	ok := gerr == nil || errors.Is(gerr, ErrDuplicateOrder)
	out, err := s.settleRefund(ctx, p.ID, req, ok)
	if err != nil {
		return out, err
	}
	if !ok {
		return out, UnprocessableCode("gateway_rejected", "Midtrans refused the refund")
	}
	return out, nil
}

// settleRefund marks a reserved refund done (ok) or failed. A failed
// refund of a top-up gives the wallet its credit back by a reversal entry.
func (s *Service) settleRefund(ctx context.Context, paymentID string, req RefundRequest, ok bool) (Payment, error) {
	var out Payment
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		p, err := tx.Payments().Get(paymentID)
		if err != nil {
			return err
		}
		out = p
		i := -1
		for j, r := range p.Refunds {
			if r.Key == req.RefundKey {
				i = j
			}
		}
		if i < 0 { // not reserved (planted defect): recorded only now
			p.Refunds = append(p.Refunds, Refund{Key: req.RefundKey, Amount: req.Amount, Reason: req.Reason,
				Direct: req.Direct, Status: RefundRequested, CreatedAt: now})
			i = len(p.Refunds) - 1
		}
		if p.Refunds[i].Status != RefundRequested {
			return nil // settled already (a concurrent retry or reconciliation)
		}
		if !ok {
			p.Refunds[i].Status = RefundFailed
			if p.Purpose == PurposeTopUp && !s.planted(DefectTopUpRefundKeepsCredit) {
				if _, err := s.creditWallet(tx, p.OwnerID, req.Amount, EntryReversal, "payment", p.ID,
					"Refund of top-up "+p.OrderID+" refused by Midtrans", now); err != nil {
					return err
				}
			}
			p.UpdatedAt = now
			out = p
			return tx.Payments().Put(p)
		}
		p.Refunds[i].Status = RefundDone
		err = s.putRefunds(tx, &p, req.Amount, now)
		out = p
		return err
	})
	return out, err
}

// putRefunds stores p after a refund of amount was done, with its refunded
// total and status derived from its refunds, and tells the owner.
func (s *Service) putRefunds(tx Tx, p *Payment, amount Money, now time.Time) error {
	p.settleRefunded()
	p.UpdatedAt = now
	if err := tx.Payments().Put(*p); err != nil {
		return err
	}
	if err := s.creditRefunds(tx, *p, now); err != nil {
		return err
	}
	return s.emit(tx, EvPaymentRefunded, p.OwnerID, now, map[string]any{
		"payment_id": p.ID, "order_id": p.OrderID, "amount": amount.String(), "refunded": p.Refunded.String()})
}

// GatewayRefundLine is one refund as a Midtrans refund notification lists it.
type GatewayRefundLine struct {
	Key    string
	Amount Money
	Reason string
}

// applyGatewayRefund records what a refund notification says Midtrans
// refunded of p: the refunds it lists (those made at its dashboard are
// recorded as external ones; ours still reserved are done) and the
// cumulative total. A top-up refunded at Midtrans takes its credit back;
// what the wallet no longer holds is raised as an alert.
func (s *Service) applyGatewayRefund(tx Tx, p *Payment, lines []GatewayRefundLine, cumulative Money, now time.Time) (bool, error) {
	before := p.Refunded
	external := Zero(p.Amount.Currency())
	for _, l := range lines {
		i := slices.IndexFunc(p.Refunds, func(r Refund) bool { return r.Key == l.Key })
		switch {
		case i >= 0 && p.Refunds[i].Status == RefundRequested:
			p.Refunds[i].Status = RefundDone // Midtrans applied it
		case i < 0 && l.Amount.IsPositive():
			p.Refunds = append(p.Refunds, Refund{Key: l.Key, Amount: l.Amount, Reason: l.Reason, Status: RefundDone,
				External: true, CreatedAt: now})
			external = external.Add(l.Amount)
		}
	}
	if cumulative.Cmp(p.Amount) > 0 {
		cumulative = p.Amount
	}
	if cumulative.Cmp(orZero(p.GatewayRefunded, cumulative.Currency())) > 0 {
		p.GatewayRefunded = cumulative
	}
	p.settleRefunded()
	if err := s.reclaimWalletRefund(tx, p, now); err != nil {
		return false, err
	}
	delta := p.Refunded.Sub(before)
	if err := tx.Payments().Put(*p); err != nil {
		return false, err
	}
	if err := s.creditRefunds(tx, *p, now); err != nil {
		return false, err
	}
	if !delta.IsPositive() {
		return false, nil
	}
	if p.Purpose == PurposeTopUp && len(lines) == 0 {
		// Without the list, what our own refunds did not take back already
		// is what was refunded at the dashboard.
		external = delta
	}
	if p.Purpose == PurposeTopUp && external.IsPositive() {
		if err := s.takeBackTopUp(tx, *p, external, now); err != nil {
			return false, err
		}
	}
	return true, s.emit(tx, EvPaymentRefunded, p.OwnerID, now, paymentData(*p))
}

// reclaimWalletRefund takes back from the wallet what Midtrans refunded of
// a payment that had been refunded to the wallet already (a refund at the
// dashboard of a late settlement, or racing a wallet refund): the customer
// is paid back once. What the wallet no longer holds is raised as an alert.
func (s *Service) reclaimWalletRefund(tx Tx, p *Payment, now time.Time) error {
	wallet, gateway := p.refundParts()
	over := wallet.Add(gateway).Sub(p.Amount)
	if !over.IsPositive() || !wallet.IsPositive() {
		return nil
	}
	if over.Cmp(wallet) > 0 {
		over = wallet
	}
	w, err := s.walletOf(tx, p.OwnerID, now)
	if err != nil {
		return err
	}
	take := over
	if w.Balance.Cmp(take) < 0 {
		take = w.Balance
	}
	if take.IsPositive() {
		if _, err := s.debitWallet(tx, p.OwnerID, take, EntryReversal, "payment", p.ID,
			"Refunded at Midtrans after a wallet refund of "+p.OrderID, now); err != nil {
			return err
		}
	}
	p.Refunds = append(p.Refunds, Refund{Key: fmt.Sprintf("wallet-reclaim-%s-%d", p.ID, len(p.Refunds)+1), Amount: over.Neg(),
		Reason: "refunded at Midtrans after a wallet refund", Status: RefundDone, ToWallet: true, CreatedAt: now})
	p.settleRefunded()
	if short := over.Sub(take); short.IsPositive() {
		return s.emit(tx, EvAlert, p.OwnerID, now, map[string]any{"alert": "refund_paid_twice",
			"order_id": p.OrderID, "amount": short.String()})
	}
	return nil
}

// takeBackTopUp debits a wallet for a top-up refunded outside this service.
func (s *Service) takeBackTopUp(tx Tx, p Payment, amount Money, now time.Time) error {
	w, err := s.walletOf(tx, p.OwnerID, now)
	if err != nil {
		return err
	}
	take := amount
	if w.Balance.Cmp(take) < 0 {
		take = w.Balance
	}
	if take.IsPositive() {
		if _, err := s.debitWallet(tx, p.OwnerID, take, EntryRefund, "payment", p.ID, "Top-up "+p.OrderID+" refunded at Midtrans", now); err != nil {
			return err
		}
	}
	if short := amount.Sub(take); short.IsPositive() {
		return s.emit(tx, EvAlert, p.OwnerID, now, map[string]any{"alert": "topup_refund_uncovered",
			"order_id": p.OrderID, "amount": short.String()})
	}
	return nil
}

// resendRefunds sends again every refund still reserved (its gateway call
// was lost or timed out), under its own refund key.
func (s *Service) resendRefunds(ctx context.Context, c *counter) error {
	var todo []Payment
	if err := s.store.View(ctx, func(tx Tx) error {
		return tx.Payments().ScanRefunding(func(p Payment) bool {
			todo = append(todo, p)
			return len(todo) < engineBatch
		})
	}); err != nil {
		return err
	}
	for _, p := range todo {
		for _, r := range p.Refunds {
			if r.Status != RefundRequested {
				continue
			}
			req := RefundRequest{RefundKey: r.Key, Amount: r.Amount, Reason: r.Reason, Direct: r.Direct,
				IdempotencyKey: IdempotencyKey("refund", r.Key)}
			if _, err := s.sendRefund(ctx, p, req); err != nil && Retryable(err) {
				c.inc("refund_errors")
				continue
			}
			c.inc("refunds_resent")
		}
	}
	return nil
}
