package core

import (
	"context"
	"errors"
	"strings"
)

// TopUpInput is POST /api/topups/.
type TopUpInput struct {
	// OrganizationID funds the organization's wallet (its owner or admins).
	OrganizationID string
	Amount         string
	PaymentType    string
	Bank           string
	CallbackURL    string
	Customer       CustomerDetails
	Token          string
	Snap           SnapCheckout
}

// CreateTopUp charges a top-up through Midtrans. The wallet is credited
// only when the payment settles, exactly once (see applyTopUpPaid).
func (s *Service) CreateTopUp(ctx context.Context, a Actor, in TopUpInput) (TopUp, error) {
	fe := FieldErrors{}
	amt, err := ParseMoney(in.Amount, IDR)
	switch {
	case err != nil:
		fe.Add("amount", "a whole-rupiah amount")
	case !amt.Amount().IsInteger():
		fe.Add("amount", "must be whole rupiah")
	case amt.Cmp(s.cfg.TopUpMin) < 0 || amt.Cmp(s.cfg.TopUpMax) > 0:
		fe.Add("amount", "between "+s.cfg.TopUpMin.String()+" and "+s.cfg.TopUpMax.String())
	}
	ptype, err := ParsePaymentType(in.PaymentType)
	if err != nil || ptype == PayWallet || ptype == PayManual {
		fe.Add("payment_type", "one of bank_transfer, echannel, gopay, shopeepay, qris, cstore, credit_card, snap")
	}
	snap := checkSnap(ptype, in.Snap, fe)
	bank := strings.ToLower(in.Bank)
	bank = checkBank(ptype, bank, "bank", fe)
	switch ptype {
	case PayCreditCard:
		if in.Token == "" {
			fe.Add("token", "a card token is required for credit_card")
		}
	}
	if len(in.CallbackURL) > 500 {
		fe.Add("callback_url", "at most 500 characters")
	}
	if err := fe.Err(); err != nil {
		return TopUp{}, err
	}
	if _, err := s.gateway(); err != nil {
		return TopUp{}, err
	}
	var t TopUp
	var p Payment
	err = s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		owner := a.UserID
		if in.OrganizationID != "" {
			if err := s.requireOrgManager(tx, a, in.OrganizationID); err != nil {
				return err
			}
			owner = in.OrganizationID
		}
		w, err := s.walletOf(tx, owner, now)
		if err != nil {
			return err
		}
		if !w.IsActive {
			return Unprocessablef("the wallet is not active")
		}
		t = TopUp{ID: s.ids.NewID(), OwnerID: owner, WalletID: w.ID, Amount: amt, Status: TopUpPending,
			PaymentType: ptype, Bank: bank, CreatedAt: now, UpdatedAt: now}
		t.OrderID = TopUpOrderID(t.ID)
		p = Payment{ID: s.ids.NewID(), OwnerID: owner, Purpose: PurposeTopUp, TopUpID: t.ID, OrderID: t.OrderID,
			PaymentType: ptype, Bank: bank, Amount: amt, Status: PaymentCreating, Attempt: 1,
			IdempotencyKey: IdempotencyKey("charge", t.OrderID), Refunded: Zero(IDR), CreatedAt: now, UpdatedAt: now}
		t.PaymentID = p.ID
		if err := tx.TopUps().Put(t); err != nil {
			return err
		}
		return tx.Payments().Put(p)
	})
	if err != nil {
		return TopUp{}, err
	}
	var req ChargeRequest
	if err := s.store.View(ctx, func(tx Tx) error {
		req, err = s.chargeRequest(tx, p)
		return err
	}); err != nil {
		return TopUp{}, err
	}
	req.CardToken, req.CallbackURL, req.Customer = in.Token, in.CallbackURL, in.Customer
	if req.Snap != nil {
		req.Snap.EnabledPayments, req.Snap.FinishURL = snap.EnabledPayments, snap.FinishURL
	}
	if _, err := s.sendCharge(ctx, p, req); err != nil {
		return TopUp{}, err
	}
	return s.GetTopUp(ctx, a, t.ID)
}

// GetTopUp answers 404 for top-ups the actor cannot see. Its payment
// details come from its payment.
func (s *Service) GetTopUp(ctx context.Context, a Actor, id string) (TopUp, error) {
	var t TopUp
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.TopUps().Get(id)
		if errors.Is(err, ErrNotFound) {
			return NotFoundf("top-up not found")
		}
		if err != nil {
			return err
		}
		if err := s.authorize(tx, a, t.OwnerID, "top-up"); err != nil {
			return err
		}
		if p, err := tx.Payments().Get(t.PaymentID); err == nil {
			t.Details = p.Details
		}
		return nil
	})
	return t, err
}

// ListTopUps lists the actor's top-ups, newest first.
func (s *Service) ListTopUps(ctx context.Context, a Actor, status, paymentType string) ([]TopUp, error) {
	var out []TopUp
	err := s.store.View(ctx, func(tx Tx) error {
		list, err := tx.TopUps().ListByOwner(a.UserID)
		if err != nil {
			return err
		}
		for _, t := range list {
			if (status == "" || string(t.Status) == status) && (paymentType == "" || string(t.PaymentType) == paymentType) {
				if p, err := tx.Payments().Get(t.PaymentID); err == nil {
					t.Details = p.Details
				}
				out = append(out, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, sortBy(out, "", "-created_at", map[string]func(a, b TopUp) int{
		"created_at": func(a, b TopUp) int { return a.CreatedAt.Compare(b.CreatedAt) },
	})
}
