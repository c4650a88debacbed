package core

import (
	"context"
	"time"
)

// A refund made at the Midtrans dashboard is learnt from its notification.
// If every delivery of that notification failed, nothing else would tell:
// so the billing run asks Midtrans about each settled payment a few times
// over the refund window, at these gaps after its settlement. That is five
// status calls over a payment's life. Payments the Refund API cannot
// refund (virtual accounts, bill payments, convenience stores) are asked
// too: the dashboard records offline refunds of those
// (refund_method "offline").
var refundCheckGaps = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour, 180 * 24 * time.Hour}

// nextRefundCheck is the first check time after now for p, or zero when
// none is left (or p was not paid through Midtrans).
func nextRefundCheck(p Payment, now time.Time) time.Time {
	if p.OrderID == "" || p.PaymentType == PayWallet || p.PaidAt.IsZero() {
		return time.Time{}
	}
	for _, g := range refundCheckGaps {
		if at := p.PaidAt.Add(g); at.After(now) {
			return at
		}
	}
	return time.Time{}
}

// checkRefunds asks Midtrans about the settled payments whose refund check
// is due, applies what it answers (a refund is recorded as its
// notification would have been), and schedules the next check.
func (s *Service) checkRefunds(ctx context.Context, c *counter) error {
	gw, err := s.gateway()
	if err != nil {
		return err
	}
	now := s.now()
	var due []Payment
	if err := s.store.View(ctx, func(tx Tx) error {
		return tx.Payments().ScanRefundCheck(now, func(p Payment) bool {
			due = append(due, p)
			return len(due) < engineBatch
		})
	}); err != nil {
		return err
	}
	for _, p := range due {
		txn, err := gw.Status(ctx, p.OrderID)
		if err != nil && !Retryable(err) {
			txn, err = Transaction{}, nil // nothing to learn; the next check stays
		}
		if err != nil {
			c.inc("refund_check_errors")
			continue
		}
		if err := s.store.Update(ctx, func(tx Tx) error {
			cur, err := tx.Payments().Get(p.ID)
			if err != nil {
				return err
			}
			if txn.TransactionStatus != "" {
				st, _ := MapTransactionStatus(txn.TransactionStatus, txn.FraudStatus)
				if st == PaymentRefunded || st == PaymentPartiallyRefunded {
					var out Payment
					if err := s.applyTransaction(tx, &cur, txn, s.now(), &out); err != nil {
						return err
					}
					cur = out
				}
			}
			cur.RefundCheckAt = nextRefundCheck(cur, s.now())
			return tx.Payments().Put(cur)
		}); err != nil {
			// One payment's failure must not stop the run: counted, and
			// checked again on the next run (its check time did not move).
			c.inc("refund_check_errors")
			continue
		}
		c.inc("refund_checks")
	}
	return nil
}
