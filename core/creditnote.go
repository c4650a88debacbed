package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// CreditReason says why a credit note was issued.
type CreditReason string

const (
	// CreditRefund: money of the invoice's payment went back to the
	// customer (through Midtrans, direct, at the Midtrans dashboard, or to
	// the wallet).
	CreditRefund CreditReason = "refund"
	// CreditDowngrade: an immediate downgrade credited the unused time of
	// the period the invoice paid for.
	CreditDowngrade CreditReason = "downgrade"
)

// CreditNote (nota kredit) credits part of an issued invoice and reverses
// the PPN of that part. It is numbered from its own gapless sequence
// (Config.CreditNoteNumberPattern) in the transaction that records the
// refund or the downgrade it credits.
type CreditNote struct {
	ID     string
	Number string
	// Key is unique per invoice: "refund-<payment id>-<refunded total>" or
	// "downgrade-<N>" (the Nth plan change); the store refuses a second
	// note with the same one.
	Key            string
	Reason         CreditReason
	OwnerID        string
	SubscriptionID string
	InvoiceID      string
	InvoiceNumber  string
	// PaymentID is the refunded payment and RefundKeys the refunds of it
	// this note credits (refund notes only).
	PaymentID   string
	RefundKeys  []string
	Description string
	// Amount is what is credited, PPN included; Tax is the PPN and TaxBase
	// the DPP it reverses (TaxBase unset when the invoice had none), at the
	// invoice's TaxRate. TaxInclusive: the invoice's total included its PPN.
	Amount       Money
	TaxBase      Money
	Tax          Money
	TaxRate      Rate
	TaxInclusive bool
	Currency     Currency
	IssueDate    time.Time
	CreatedAt    time.Time
}

// Subtotal is the credited amount in the invoice lines' terms: before PPN,
// or with it when the invoice's prices included it.
func (n CreditNote) Subtotal() Money {
	if n.TaxInclusive {
		return n.Amount
	}
	return n.Amount.Sub(n.Tax)
}

// creditedShare is the part of inv's PPN and DPP that credit notes
// crediting credited (PPN included) of its total reverse together:
// ⌊credited × PPN / total⌋, rounded down to the rupiah, and
// credited × DPP / total to the sen (half away from zero). Each credit note
// reverses what its amount adds to this share, so one invoice's credit
// notes never reverse more PPN than it carried, and reverse all of it,
// and all of its DPP, once they credit its whole total.
func creditedShare(inv Invoice, credited Money) (tax, base Money) {
	cur := inv.Currency
	total := inv.TaxedTotal()
	tax, base = Zero(cur), Money{}
	if inv.TaxBase.Valid() {
		base = Zero(cur)
	}
	if !total.IsPositive() || !credited.IsPositive() {
		return tax, base
	}
	c := credited.Min(total).amount
	q, _ := c.Mul(orZero(inv.Tax, cur).amount).QuoRem(total.amount, 0) // truncates: the floor of a non-negative share
	tax = Money{amount: q, currency: cur}
	if inv.TaxBase.Valid() {
		base = Money{amount: c.Mul(inv.TaxBase.amount).DivRound(total.amount, moneyPlaces), currency: cur}
	}
	return tax, base
}

// creditedSoFar sums the credit notes of an invoice, and those of them
// crediting one payment's refunds with the refund keys they cover.
func creditedSoFar(notes []CreditNote, cur Currency, paymentID string) (all, payment Money, covered map[string]bool) {
	all, payment, covered = Zero(cur), Zero(cur), map[string]bool{}
	for _, n := range notes {
		all = all.Add(n.Amount)
		if paymentID != "" && n.PaymentID == paymentID {
			payment = payment.Add(n.Amount)
			for _, k := range n.RefundKeys {
				covered[k] = true
			}
		}
	}
	return all, payment, covered
}

// issueCreditNote completes n as crediting amount (PPN included) of inv,
// of which credit notes already credit credited, numbers it and stores it.
func (s *Service) issueCreditNote(tx Tx, inv Invoice, credited, amount Money, n *CreditNote, now time.Time) error {
	taxBefore, baseBefore := creditedShare(inv, credited)
	taxAfter, baseAfter := creditedShare(inv, credited.Add(amount))
	n.ID = s.ids.NewID()
	n.OwnerID, n.SubscriptionID, n.InvoiceID, n.InvoiceNumber = inv.OwnerID, inv.SubscriptionID, inv.ID, inv.Number
	n.Amount, n.Tax, n.TaxRate, n.Currency = amount, taxAfter.Sub(taxBefore), inv.TaxRate, inv.Currency
	if inv.TaxBase.Valid() {
		n.TaxBase = baseAfter.Sub(baseBefore)
	}
	// Prices with PPN included leave the total equal to the net amount.
	n.TaxInclusive = inv.TaxInclusive && inv.TaxedTotal().Equal(inv.Net())
	n.IssueDate, n.CreatedAt = now, now
	num, err := s.nextNumber(tx, "credit_note", s.cfg.CreditNoteNumberPattern, now)
	if err != nil {
		return err
	}
	n.Number = num
	if err := tx.CreditNotes().Put(*n); err != nil {
		return fmt.Errorf("store credit note: %w", err)
	}
	return nil
}

// creditRefunds issues the credit note for what was refunded of p since
// its last one, in the transaction that records the refund: p's refunded
// total (refunds done, through Midtrans or to the wallet, net of a wallet
// refund taken back) less what credit notes already credit. So a refund
// learnt twice (a replayed notification, a refund check finding it again)
// is credited once, and a refund reserved and then released never is. Only
// the payment that paid an invoice is credited: money that paid nothing
// (a late settlement credited to the wallet, a top-up) has no invoice to
// credit.
func (s *Service) creditRefunds(tx Tx, p Payment, now time.Time) error {
	if p.InvoiceID == "" || !p.Refunded.Valid() || !p.Refunded.IsPositive() {
		return nil
	}
	inv, err := tx.Invoices().Get(p.InvoiceID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inv.PaymentID != p.ID || inv.Number == "" || inv.Currency != p.Refunded.Currency() {
		return nil
	}
	notes, err := tx.CreditNotes().ListByInvoice(inv.ID)
	if err != nil {
		return err
	}
	credited, mine, covered := creditedSoFar(notes, inv.Currency, p.ID)
	key := fmt.Sprintf("refund-%s-%s", p.ID, p.Refunded.String())
	if s.planted(DefectCreditNoteTwice) {
		mine, covered = Zero(inv.Currency), map[string]bool{}
		key = fmt.Sprintf("%s-%d", key, len(notes))
	}
	var fresh []Refund // done refunds no note names yet
	for _, r := range p.Refunds {
		if r.Status == RefundDone && r.Amount.IsPositive() && !covered[r.Key] {
			fresh = append(fresh, r)
		}
	}
	amount := p.Refunded.Sub(mine)
	if room := inv.TaxedTotal().Sub(credited); room.Cmp(amount) < 0 {
		amount = room // the invoice is credited in full
	}
	if !amount.IsPositive() {
		return nameRefunds(tx, notes, p, fresh)
	}
	n := CreditNote{Key: key, Reason: CreditRefund, PaymentID: p.ID}
	toWallet := true
	for _, r := range fresh {
		n.RefundKeys = append(n.RefundKeys, r.Key)
		toWallet = toWallet && r.ToWallet
	}
	n.Description = "Refund of order " + p.OrderID
	if toWallet && len(n.RefundKeys) > 0 {
		n.Description += " to the wallet"
	}
	return s.issueCreditNote(tx, inv, credited, amount, &n, now)
}

// nameRefunds records which refunds of a payment its credit notes credit
// when a note was issued before the refund it credits was: Midtrans told
// the refunded total (a notification during the refund call) before the
// refund itself was recorded as done. Each such refund is named on the
// payment's first note whose amount its named refunds do not yet cover;
// the notes' amounts never change.
func nameRefunds(tx Tx, notes []CreditNote, p Payment, fresh []Refund) error {
	amounts := map[string]Money{}
	for _, r := range p.Refunds {
		amounts[r.Key] = r.Amount
	}
	for _, r := range fresh {
		for i := range notes {
			n := &notes[i]
			if n.PaymentID != p.ID {
				continue
			}
			named := Zero(n.Currency)
			for _, k := range n.RefundKeys {
				if a, ok := amounts[k]; ok {
					named = named.Add(a)
				}
			}
			if n.Amount.Sub(named).Cmp(r.Amount) < 0 {
				continue
			}
			n.RefundKeys = append(n.RefundKeys, r.Key)
			if err := tx.CreditNotes().Put(*n); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// creditDowngrade records the credit an immediate downgrade gives for the
// unused time of the current period (credit, in the invoice lines' terms:
// before PPN for prices without it). It is credited on the period's paid
// invoices, latest first: each credit note credits credit × total / net of
// its invoice (PPN included, rounded to the rupiah, half away from zero),
// as much as the invoice's credit notes leave of its total, and that
// amount is carried in sub.CreditNoteBalance, taken by the next invoices
// after PPN. Credit no invoice can take (the period was paid by discount or
// credit) is carried before PPN in sub.PendingCredit, as it was before
// credit notes existed. With issue false nothing is stored: the caller
// learns what the subscription will carry (a native subscription's
// preflight).
func (s *Service) creditDowngrade(tx Tx, sub *Subscription, credit Money, key, desc string, now time.Time, issue bool) error {
	cur := credit.Currency()
	left := credit
	if left.IsPositive() {
		invs, err := tx.Invoices().ListBySubscription(sub.ID)
		if err != nil {
			return err
		}
		for i := len(invs) - 1; i >= 0 && left.IsPositive(); i-- {
			inv := invs[i]
			if inv.Cycle != sub.Cycle || inv.Status != InvoicePaid || inv.Number == "" || inv.Currency != cur {
				continue
			}
			net, total := inv.Net(), inv.TaxedTotal()
			if !net.IsPositive() {
				continue
			}
			notes, err := tx.CreditNotes().ListByInvoice(inv.ID)
			if err != nil {
				return err
			}
			credited, _, _ := creditedSoFar(notes, cur, "")
			room := total.Sub(credited)
			amount, covered := left.mulRatio(total.amount, net.amount).RoundRupiah(), left
			if amount.Cmp(room) > 0 {
				amount = room
				covered = room.mulRatio(net.amount, total.amount).RoundRupiah().Min(left)
			}
			if !amount.IsPositive() {
				continue
			}
			if issue {
				n := CreditNote{Key: key, Reason: CreditDowngrade, Description: desc}
				if err := s.issueCreditNote(tx, inv, credited, amount, &n, now); err != nil {
					return err
				}
			}
			sub.CreditNoteBalance = orZero(sub.CreditNoteBalance, cur).Add(amount)
			left = left.Sub(covered)
		}
	}
	if left.IsPositive() {
		sub.PendingCredit = orZero(sub.PendingCredit, cur).Sub(left)
	}
	return nil
}

// applyCreditNoteBalance takes what it can of the subscription's credit
// from credit notes off a priced invoice, after PPN, as a line of its own.
func (s *Service) applyCreditNoteBalance(sub Subscription, inv *Invoice) {
	bal := sub.CreditNoteBalance
	if !bal.Valid() || !bal.IsPositive() || bal.Currency() != inv.Currency || !inv.Total.IsPositive() {
		return
	}
	applied := bal.Min(inv.Total)
	desc := "Credit from credit notes"
	if left := bal.Sub(applied); left.IsPositive() {
		desc += fmt.Sprintf(" (%s carried to later invoices)", left.String())
	}
	inv.Lines = append(inv.Lines, InvoiceLine{Kind: LineCreditNote, Description: desc, Quantity: 1,
		UnitAmount: applied.Neg(), Amount: applied.Neg()})
	s.price(inv)
}

// CreditNoteFilter narrows ListCreditNotes.
type CreditNoteFilter struct {
	InvoiceID string
	Ordering  string // issue_date, amount, each optionally with '-'
}

// ListCreditNotes lists the credit notes of the actor's invoices (its own
// and its organizations'); an admin's lists every credit note.
func (s *Service) ListCreditNotes(ctx context.Context, a Actor, f CreditNoteFilter) ([]CreditNote, error) {
	var out []CreditNote
	keep := func(n CreditNote) {
		if f.InvoiceID == "" || n.InvoiceID == f.InvoiceID {
			out = append(out, n)
		}
	}
	err := s.store.View(ctx, func(tx Tx) error {
		if a.IsAdmin {
			return tx.CreditNotes().ScanIssued(time.Time{}, time.Time{}, func(n CreditNote) bool {
				keep(n)
				return true
			})
		}
		owners, err := s.ownerIDs(tx, a)
		if err != nil {
			return err
		}
		for _, o := range owners {
			list, err := tx.CreditNotes().ListByOwner(o)
			if err != nil {
				return err
			}
			for _, n := range list {
				keep(n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = sortBy(out, f.Ordering, "-issue_date", map[string]func(a, b CreditNote) int{
		"issue_date": func(a, b CreditNote) int { return a.IssueDate.Compare(b.IssueDate) },
		"amount":     func(a, b CreditNote) int { return a.Amount.Cmp(b.Amount) },
		"number":     func(a, b CreditNote) int { return cmp.Compare(a.Number, b.Number) },
	})
	return out, err
}

// GetCreditNote answers 404 for credit notes the actor cannot see.
func (s *Service) GetCreditNote(ctx context.Context, a Actor, id string) (CreditNote, error) {
	var n CreditNote
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.CreditNotes().Get(id); err != nil {
			return NotFoundf("credit note not found")
		}
		return s.authorize(tx, a, n.OwnerID, "credit note")
	})
	return n, err
}

// CreditNotesOf answers the credit notes of each of the invoices the actor
// may see, by invoice id (invoices it may not see answer none).
func (s *Service) CreditNotesOf(ctx context.Context, a Actor, invoiceIDs ...string) (map[string][]CreditNote, error) {
	out := map[string][]CreditNote{}
	err := s.store.View(ctx, func(tx Tx) error {
		for _, id := range invoiceIDs {
			notes, err := tx.CreditNotes().ListByInvoice(id)
			if err != nil {
				return err
			}
			for _, n := range notes {
				if err := s.authorize(tx, a, n.OwnerID, "credit note"); err == nil {
					out[id] = append(out[id], n)
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
