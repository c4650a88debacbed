package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// walletOf returns the owner's wallet, creating an empty active one.
func (s *Service) walletOf(tx Tx, ownerID string, now time.Time) (Wallet, error) {
	w, err := tx.Wallets().GetByOwner(ownerID)
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Wallet{}, err
	}
	w = Wallet{ID: s.ids.NewID(), OwnerID: ownerID, Balance: Zero(IDR), IsActive: true, CreatedAt: now, UpdatedAt: now}
	if err := tx.Wallets().Put(w); err != nil {
		return Wallet{}, err
	}
	return w, nil
}

// postEntry appends one signed ledger entry and moves the cached balance in
// the same transaction. The balance can never go below zero.
func (s *Service) postEntry(tx Tx, w *Wallet, typ EntryType, amount Money, refType, refID, desc string, now time.Time) (WalletEntry, error) {
	if amount.IsZero() {
		return WalletEntry{}, Invalidf("a wallet entry needs a non-zero amount")
	}
	after := w.Balance.Add(amount)
	if after.IsNegative() {
		return WalletEntry{}, UnprocessableCode("insufficient_balance",
			"insufficient wallet balance: %s available, %s needed", w.Balance.String(), amount.Neg().String())
	}
	w.Entries++
	e := WalletEntry{ID: s.ids.NewID(), WalletID: w.ID, Seq: w.Entries, Type: typ, Amount: amount, BalanceAfter: after,
		ReferenceType: refType, ReferenceID: refID, Description: desc, CreatedAt: now}
	if err := tx.Wallets().AppendEntry(e); err != nil {
		return WalletEntry{}, err
	}
	w.Balance, w.UpdatedAt = after, now
	if err := tx.Wallets().Put(*w); err != nil {
		return WalletEntry{}, err
	}
	return e, nil
}

// creditWallet adds a positive amount to the owner's wallet.
func (s *Service) creditWallet(tx Tx, ownerID string, amount Money, typ EntryType, refType, refID, desc string, now time.Time) (WalletEntry, error) {
	if !amount.IsPositive() {
		return WalletEntry{}, Invalidf("a credit must be positive")
	}
	w, err := s.walletOf(tx, ownerID, now)
	if err != nil {
		return WalletEntry{}, err
	}
	e, err := s.postEntry(tx, &w, typ, amount, refType, refID, desc, now)
	if err != nil {
		return e, err
	}
	return e, s.emit(tx, EvWalletCredited, ownerID, now, map[string]any{"wallet_id": w.ID, "amount": amount.String(), "balance": w.Balance.String(), "type": string(typ)})
}

// debitWallet takes a positive amount from the owner's wallet or refuses
// with 422 insufficient_balance.
func (s *Service) debitWallet(tx Tx, ownerID string, amount Money, typ EntryType, refType, refID, desc string, now time.Time) (WalletEntry, error) {
	if !amount.IsPositive() {
		return WalletEntry{}, Invalidf("a debit must be positive")
	}
	w, err := s.walletOf(tx, ownerID, now)
	if err != nil {
		return WalletEntry{}, err
	}
	if !w.IsActive {
		return WalletEntry{}, Unprocessablef("the wallet is not active")
	}
	e, err := s.postEntry(tx, &w, typ, amount.Neg(), refType, refID, desc, now)
	if err != nil {
		return e, err
	}
	return e, s.emit(tx, EvWalletDebited, ownerID, now, map[string]any{"wallet_id": w.ID, "amount": amount.String(), "balance": w.Balance.String(), "type": string(typ)})
}

// tryWallet pays a cycle invoice from the wallet when the subscription is a
// wallet subscription, or its owner turned on auto-pay, and the balance
// covers it. It reports whether it paid; out receives the payment.
func (s *Service) tryWallet(tx Tx, sub *Subscription, inv Invoice, cycle, attempt int, now time.Time, out *Payment) (bool, error) {
	w, err := tx.Wallets().GetByOwner(sub.OwnerID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	// Auto-pay covers renewals; the first payment follows the payment type
	// the customer chose.
	wanted := sub.PaymentType == PayWallet || sub.Cycle > 0 && (sub.AutoPay || (err == nil && w.AutoPay))
	if !wanted {
		return false, nil
	}
	if err != nil || !w.IsActive || w.Balance.Cmp(inv.Total) < 0 {
		// Refused only at sign-up, where nothing is written; a trial's end
		// falls back to a Midtrans order like any renewal.
		if sub.PaymentType == PayWallet && sub.Status == SubPending {
			have := Zero(IDR)
			if err == nil {
				have = w.Balance
			}
			return false, UnprocessableCode("insufficient_balance",
				"insufficient wallet balance: %s available, %s needed", have.String(), inv.Total.String())
		}
		// Renewals and trial ends fall back to a Midtrans charge; the owner is told.
		return false, s.emit(tx, EvAlert, sub.OwnerID, now, map[string]any{
			"alert": "wallet_autopay_insufficient", "subscription_id": sub.ID, "needed": inv.Total.String()})
	}
	p := Payment{ID: s.ids.NewID(), OwnerID: sub.OwnerID, Purpose: PurposeSubscription, SubscriptionID: sub.ID,
		InvoiceID: inv.ID, OrderID: "WALLET-" + SubscriptionOrderID(sub.ID, cycle, attempt)[4:], PaymentType: PayWallet,
		Amount: inv.Total, Status: PaymentCreating, Cycle: cycle, Attempt: attempt, Refunded: Zero(inv.Currency),
		CreatedAt: now, UpdatedAt: now}
	if _, err := s.debitWallet(tx, sub.OwnerID, inv.Total, EntrySubscriptionPayment, "payment", p.ID,
		"Subscription payment, invoice "+inv.Number, now); err != nil {
		return false, err
	}
	if err := s.applyStatus(tx, &p, PaymentPaid, now); err != nil {
		return false, err
	}
	*out = p
	return true, nil
}

// applyTopUpPaid credits a settled top-up, once: the payment's transition
// to paid happens once, and the top-up's own status guards a replay.
func (s *Service) applyTopUpPaid(tx Tx, p *Payment, now time.Time) error {
	t, err := tx.TopUps().Get(p.TopUpID)
	if err != nil {
		return fmt.Errorf("load top-up %s: %w", p.TopUpID, err)
	}
	if t.Status == TopUpPaid {
		return nil
	}
	t.Status, t.PaidAt, t.UpdatedAt = TopUpPaid, now, now
	if err := tx.TopUps().Put(t); err != nil {
		return err
	}
	if _, err := s.creditWallet(tx, t.OwnerID, t.Amount, EntryTopUp, "topup", t.ID, "Top-up "+t.OrderID, now); err != nil {
		return err
	}
	return s.emit(tx, EvTopUpSucceeded, t.OwnerID, now, map[string]any{"topup_id": t.ID, "order_id": t.OrderID, "amount": t.Amount.String()})
}

func (s *Service) applyTopUpDead(tx Tx, p *Payment, now time.Time) error {
	t, err := tx.TopUps().Get(p.TopUpID)
	if err != nil {
		return fmt.Errorf("load top-up %s: %w", p.TopUpID, err)
	}
	if t.Status != TopUpPending {
		return nil
	}
	t.Status = TopUpFailed
	if p.Status == PaymentExpired {
		t.Status = TopUpExpired
	}
	t.UpdatedAt = now
	return tx.TopUps().Put(t)
}

// GetWallet returns (creating on first use) the actor's wallet.
func (s *Service) GetWallet(ctx context.Context, a Actor) (Wallet, error) {
	var w Wallet
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		w, err = s.walletOf(tx, a.UserID, s.now())
		return err
	})
	return w, err
}

// GetOrgWallet returns (creating on first use) an organization's wallet,
// where its credits land (refunds to the wallet, late payments, unused
// credit); its owner and admins see and fund it.
func (s *Service) GetOrgWallet(ctx context.Context, a Actor, orgID string) (Wallet, error) {
	var w Wallet
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.requireOrgManager(tx, a, orgID); err != nil {
			return err
		}
		var err error
		w, err = s.walletOf(tx, orgID, s.now())
		return err
	})
	return w, err
}

// SetAutoPay turns wallet auto-pay of renewals on or off.
func (s *Service) SetAutoPay(ctx context.Context, a Actor, on bool) (Wallet, error) {
	var w Wallet
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if w, err = s.walletOf(tx, a.UserID, s.now()); err != nil {
			return err
		}
		w.AutoPay, w.UpdatedAt = on, s.now()
		return tx.Wallets().Put(w)
	})
	return w, err
}

// ListWalletEntries lists the actor's ledger, newest first by default.
func (s *Service) ListWalletEntries(ctx context.Context, a Actor, typ, ordering string) ([]WalletEntry, error) {
	var out []WalletEntry
	err := s.store.View(ctx, func(tx Tx) error {
		w, err := tx.Wallets().GetByOwner(a.UserID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		all, err := tx.Wallets().Entries(w.ID)
		for _, e := range all {
			if typ == "" || string(e.Type) == typ {
				out = append(out, e)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, sortBy(out, ordering, "-created_at", map[string]func(a, b WalletEntry) int{
		"created_at": func(a, b WalletEntry) int { return cmp.Compare(a.Seq, b.Seq) },
		"amount":     func(a, b WalletEntry) int { return a.Amount.Cmp(b.Amount) },
	})
}

// AdjustWallet is an admin correction; the reason is required and kept in the ledger.
func (s *Service) AdjustWallet(ctx context.Context, a Actor, walletID string, amount Money, reason string) (WalletEntry, error) {
	if !a.IsAdmin {
		return WalletEntry{}, Forbiddenf("only an admin may adjust a wallet")
	}
	fe := FieldErrors{}
	if reason == "" {
		fe.Add("reason", "required")
	}
	if amount.IsZero() {
		fe.Add("amount", "must not be zero")
	}
	if err := fe.Err(); err != nil {
		return WalletEntry{}, err
	}
	var e WalletEntry
	err := s.store.Update(ctx, func(tx Tx) error {
		w, err := tx.Wallets().Get(walletID)
		if err != nil {
			return NotFoundf("wallet not found")
		}
		now := s.now()
		e, err = s.postEntry(tx, &w, EntryAdjustment, amount, "admin", a.UserID, reason, now)
		return err
	})
	return e, err
}

// LedgerProblem is a wallet whose cached balance disagrees with its entries.
type LedgerProblem struct {
	WalletID string `json:"wallet_id"`
	Balance  string `json:"balance"`
	Ledger   string `json:"ledger"`
	Detail   string `json:"detail"`
}

// CheckLedgers verifies every wallet: balance = Σ entries, each
// balance_after is the running sum, and no running sum is negative.
func (s *Service) CheckLedgers(ctx context.Context) ([]LedgerProblem, int, error) {
	var problems []LedgerProblem
	n := 0
	err := s.store.View(ctx, func(tx Tx) error {
		var inner error
		err := tx.Wallets().ScanAll(func(w Wallet) bool {
			n++
			entries, err := tx.Wallets().Entries(w.ID)
			if err != nil {
				inner = err
				return false
			}
			sum := Zero(w.Balance.Currency())
			detail := ""
			for _, e := range entries {
				sum = sum.Add(e.Amount)
				if !sum.Equal(e.BalanceAfter) && detail == "" {
					detail = fmt.Sprintf("entry %d balance_after %s, running sum %s", e.Seq, e.BalanceAfter, sum)
				}
				if sum.IsNegative() && detail == "" {
					detail = fmt.Sprintf("running sum negative at entry %d", e.Seq)
				}
			}
			if !sum.Equal(w.Balance) || detail != "" || len(entries) != w.Entries {
				if detail == "" {
					detail = "balance differs from the sum of entries"
				}
				problems = append(problems, LedgerProblem{WalletID: w.ID, Balance: w.Balance.String(), Ledger: sum.String(), Detail: detail})
			}
			return true
		})
		if inner != nil {
			return inner
		}
		return err
	})
	return problems, n, err
}
