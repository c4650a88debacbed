package core

import (
	"context"
	"fmt"
	"time"
)

// buildCycleInvoice prices one billing cycle: the plan line (× seats), any
// carried credit, the coupon discount, tax, and then credit from credit
// notes. It does not store anything.
func (s *Service) buildCycleInvoice(sub Subscription, plan Plan, coupon *Coupon, cycle int, start, end, now time.Time) Invoice {
	cur := plan.Currency()
	qty := billedSeats(plan, sub.Quantity)
	inv := Invoice{TaxInclusive: plan.PriceIncludesTax,
		ID: s.ids.NewID(), OwnerID: sub.OwnerID, SubscriptionID: sub.ID,
		Key: CycleKey(cycle), Cycle: cycle, PeriodStart: start, PeriodEnd: end,
		Status: InvoiceOpen, Currency: cur, IssueDate: now, DueDate: now.Add(s.cfg.InvoiceDue),
		CreatedAt: now, UpdatedAt: now,
	}
	desc := plan.Name
	if plan.PerSeat {
		desc = fmt.Sprintf("%s × %d seats", plan.Name, qty)
	}
	inv.Lines = append(inv.Lines, InvoiceLine{
		Kind: LinePlan, Description: desc, Quantity: qty, UnitAmount: plan.Price,
		Amount: seatPrice(plan, qty), PeriodStart: start, PeriodEnd: end,
	})
	if applied := creditApplied(sub, inv.Lines[0].Amount); !applied.IsZero() {
		desc := "Credit carried from earlier changes"
		if left := sub.PendingCredit.Sub(applied); !left.IsZero() {
			desc += fmt.Sprintf(" (%s carried to later invoices)", left.Neg().String())
		}
		inv.Lines = append(inv.Lines, InvoiceLine{
			Kind: LineCredit, Description: desc, Quantity: 1, UnitAmount: applied, Amount: applied,
		})
	}
	if coupon != nil {
		base := Zero(cur)
		for _, l := range inv.Lines {
			base = base.Add(l.Amount)
		}
		if d := coupon.DiscountOn(base); d.IsPositive() {
			inv.Lines = append(inv.Lines, InvoiceLine{
				Kind: LineDiscount, Description: "Coupon " + coupon.Code, Quantity: 1,
				UnitAmount: d.Neg(), Amount: d.Neg(),
			})
		}
	}
	s.price(&inv)
	s.applyCreditNoteBalance(sub, &inv)
	return inv
}

// creditApplied is how much of the carried amount an invoice whose plan
// line is planAmount takes: a charge (positive) in full, a credit only up
// to the plan line, so that no invoice total is negative; the rest of a
// credit is carried to the following invoices.
func creditApplied(sub Subscription, planAmount Money) Money {
	c := sub.PendingCredit
	if !c.Valid() {
		return Zero(planAmount.Currency())
	}
	if c.IsNegative() && c.Neg().Cmp(planAmount) > 0 {
		return planAmount.Neg()
	}
	return c
}

// putNewInvoice stores a new invoice, numbering it unless it is a draft;
// the store refuses a second invoice per key.
func (s *Service) putNewInvoice(tx Tx, inv *Invoice) error {
	if err := s.issueInvoice(tx, inv); err != nil {
		return err
	}
	if err := tx.Invoices().Put(*inv); err != nil {
		return fmt.Errorf("store invoice: %w", err)
	}
	return nil
}

// InvoiceFilter narrows ListInvoices.
type InvoiceFilter struct {
	Status   string
	Ordering string // issue_date, due_date, total_amount, each optionally with '-'
}

// ListInvoices lists the actor's invoices.
func (s *Service) ListInvoices(ctx context.Context, a Actor, f InvoiceFilter) ([]Invoice, error) {
	var out []Invoice
	err := s.store.View(ctx, func(tx Tx) error {
		owners, err := s.ownerIDs(tx, a)
		if err != nil {
			return err
		}
		for _, o := range owners {
			list, err := tx.Invoices().ListByOwner(o)
			if err != nil {
				return err
			}
			for _, inv := range list {
				if f.Status == "" || string(inv.Status) == f.Status {
					out = append(out, inv)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = sortBy(out, f.Ordering, "-issue_date", map[string]func(a, b Invoice) int{
		"issue_date":   func(a, b Invoice) int { return a.IssueDate.Compare(b.IssueDate) },
		"due_date":     func(a, b Invoice) int { return a.DueDate.Compare(b.DueDate) },
		"total_amount": func(a, b Invoice) int { return a.Total.Cmp(b.Total) },
		"created_at":   func(a, b Invoice) int { return a.CreatedAt.Compare(b.CreatedAt) },
	})
	return out, err
}

// GetInvoice answers 404 for invoices the actor cannot see.
func (s *Service) GetInvoice(ctx context.Context, a Actor, id string) (Invoice, error) {
	var inv Invoice
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		inv, err = tx.Invoices().Get(id)
		if err != nil {
			return NotFoundf("invoice not found")
		}
		return s.authorize(tx, a, inv.OwnerID, "invoice")
	})
	return inv, err
}
