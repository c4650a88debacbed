package core

import (
	"fmt"
	"time"
)

// InvoiceStatus is draft, open, paid, void or overdue.
type InvoiceStatus string

const (
	InvoiceDraft   InvoiceStatus = "draft"
	InvoiceOpen    InvoiceStatus = "open"
	InvoicePaid    InvoiceStatus = "paid"
	InvoiceVoid    InvoiceStatus = "void"
	InvoiceOverdue InvoiceStatus = "overdue"
)

// LineKind classifies invoice lines.
type LineKind string

const (
	LinePlan            LineKind = "plan"
	LineProrationCredit LineKind = "proration_credit"
	LineProrationCharge LineKind = "proration_charge"
	LineDiscount        LineKind = "discount"
	LineCredit          LineKind = "credit"
	LineTax             LineKind = "tax"
	// LineAdjustment records that Midtrans charged a native subscription
	// other than the invoice said (it was told the amount before a change
	// reached it): the invoice follows the money.
	LineAdjustment LineKind = "adjustment"
	// LineCreditNote applies credit from credit notes (an immediate
	// downgrade's) as money already paid: after PPN, never lowering the
	// tax base, because the credit note reversed that PPN on the invoice
	// it credits.
	LineCreditNote LineKind = "credit_note"
)

// InvoiceLine is one line of an invoice. Amount = UnitAmount × Quantity,
// negative for credits and discounts.
type InvoiceLine struct {
	Kind        LineKind
	Description string
	Quantity    int
	UnitAmount  Money
	Amount      Money
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// Invoice bills one cycle of one subscription (Cycle), or a one-off
// proration charge (Cycle with Kind "proration").
type Invoice struct {
	ID string
	// Number is the legal number (Config.InvoiceNumberPattern), assigned
	// when the invoice is issued; a draft has none. It is never reused.
	Number         string
	OwnerID        string
	SubscriptionID string
	// Key is unique per subscription: "cycle-N" for a billing cycle,
	// "change-N" for an immediate plan change. The store enforces it.
	Key         string
	Cycle       int
	PeriodStart time.Time
	PeriodEnd   time.Time
	Status      InvoiceStatus
	Lines       []InvoiceLine
	Subtotal    Money
	Discount    Money
	Tax         Money
	Total       Money
	// TaxBase is the DPP PPN was computed on, TaxRate the PPN rate (both
	// unset when no tax applies); TaxInclusive: the plan's price includes PPN.
	TaxBase      Money
	TaxRate      Rate
	TaxInclusive bool
	Currency     Currency
	IssueDate    time.Time
	DueDate      time.Time
	PaidAt       time.Time
	PaymentID    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CycleKey is the invoice key of billing cycle n.
func CycleKey(n int) string { return fmt.Sprintf("cycle-%d", n) }

// sums adds up the lines: the subtotal (every line but discounts, tax and
// applied credit notes), the discount, and the credit applied from credit
// notes, each as a positive amount.
func (inv *Invoice) sums() (sub, disc, noted Money) {
	sub, disc, noted = Zero(inv.Currency), Zero(inv.Currency), Zero(inv.Currency)
	for _, l := range inv.Lines {
		switch l.Kind {
		case LineDiscount:
			disc = disc.Add(l.Amount.Neg())
		case LineCreditNote:
			noted = noted.Add(l.Amount.Neg())
		case LineTax:
		default:
			sub = sub.Add(l.Amount)
		}
	}
	return sub, disc, noted
}

// taxable is the net amount tax is computed on: subtotal less discount,
// never negative.
func taxable(sub, disc Money) Money {
	net := sub.Sub(disc)
	if net.IsNegative() {
		return Zero(net.Currency())
	}
	return net
}

// applyNoted takes the credit applied from credit notes off a taxed total
// (never below zero).
func (inv *Invoice) applyNoted(noted Money) {
	if inv.Total = inv.Total.Sub(noted); inv.Total.IsNegative() {
		inv.Total = Zero(inv.Currency)
	}
}

// Totals computes subtotal, discount, tax and total from lines. Tax applies
// to the discounted subtotal at rate (e.g. 0.11), rounded once to whole
// rupiah; credit from credit notes is taken off after tax.
func (inv *Invoice) Totals(rate Rate) {
	sub, disc, noted := inv.sums()
	net := taxable(sub, disc)
	tax := rate.Of(net)
	inv.Subtotal, inv.Discount, inv.Tax, inv.Total = sub, disc, tax, net.Add(tax)
	inv.TaxRate, inv.TaxBase = rate, Money{}
	if !rate.IsZero() {
		inv.TaxBase = net
	}
	inv.applyNoted(noted)
}

// TaxedTotal is the invoice's total before credit from credit notes was
// applied: the amount its tax belongs to, and what credit notes may
// credit of it.
func (inv Invoice) TaxedTotal() Money {
	_, _, noted := inv.sums()
	return inv.Total.Add(noted)
}

// Net is the invoice's taxable net amount (subtotal less discount, never
// negative): its lines' worth before PPN, or with PPN for prices that
// include it.
func (inv Invoice) Net() Money {
	sub, disc, _ := inv.sums()
	return taxable(sub, disc)
}
