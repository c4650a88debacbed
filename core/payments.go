package core

import (
	"context"
	"errors"
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
	return s.ChargeSubscriptionWith(ctx, a, subID, ChargeInput{})
}

// ChargeInput chooses how POST /api/payments/charge/ charges a cycle: by
// the subscription's own method, or (payment_type snap) on a Snap page.
type ChargeInput struct {
	PaymentType string
	Snap        SnapCheckout
}

// ChargeSubscriptionWith is ChargeSubscription with a choice of method.
func (s *Service) ChargeSubscriptionWith(ctx context.Context, a Actor, subID string, in ChargeInput) (Payment, error) {
	fe := FieldErrors{}
	var ptype PaymentType
	if in.PaymentType != "" {
		var err error
		if ptype, err = ParsePaymentType(in.PaymentType); err != nil || ptype != PaySnap {
			fe.Add("payment_type", "snap, or absent for the subscription's own method")
		}
	}
	snap := checkSnap(ptype, in.Snap, fe)
	if err := fe.Err(); err != nil {
		return Payment{}, err
	}
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
	if ptype == PaySnap {
		return s.chargeCycleBySnap(ctx, a, sub, snap)
	}
	return s.chargeCycle(ctx, sub.ID, sub.Cycle+1)
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
	if err == nil {
		s.afterApplied(ctx, p, local)
	}
	raw := txn.Raw
	if raw == nil {
		raw = map[string]any{"transaction_status": strings.ToLower(txn.TransactionStatus), "status_code": txn.StatusCode}
	}
	return local, raw, err
}
