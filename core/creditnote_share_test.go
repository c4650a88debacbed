package core

import (
	"testing"
	"time"
)

// TestCreditNoteShareGolden pins how credit notes reverse an invoice's PPN:
// the PPN reversed by all the notes of an invoice so far is
// ⌊credited × PPN / total⌋ (rounded down to the rupiah) and the DPP
// credited × DPP / total (to the sen, half away from zero); each note
// reverses what it adds. So the notes never reverse more PPN than the
// invoice carried, and reverse all of it, and all of the DPP, once they
// credit the whole total.
func TestCreditNoteShareGolden(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	issued := time.Date(2026, 1, 5, 9, 0, 0, 0, wib)
	rate, _ := RateOn(DefaultPPNRates(wib), issued)
	invoice := func(price string, inclusive bool) Invoice {
		inv := Invoice{Currency: IDR, IssueDate: issued, TaxInclusive: inclusive, Lines: []InvoiceLine{
			{Kind: LinePlan, Description: "Pro", Quantity: 1, UnitAmount: MustMoney(price), Amount: MustMoney(price)}}}
		inv.TotalsPPN(rate)
		return inv
	}
	untaxed := Invoice{Currency: IDR, Lines: []InvoiceLine{{Kind: LinePlan, Quantity: 1, UnitAmount: MustMoney("49000"), Amount: MustMoney("49000")}}}
	untaxed.Totals(Rate{})
	type note struct{ amount, ppn, dpp string }
	tests := []struct {
		name  string
		inv   Invoice
		notes []note
	}{
		// 49,000 + PPN 5,390 = 54,390; DPP 44,916.67.
		{"partial then the rest", invoice("49000", false), []note{{"20000", "1981", "16516.52"}, {"34390", "3409", "28400.15"}}},
		// Thirds: 1,796.67 each; the floor of the running share gives 1,796, 1,797, 1,797.
		{"three equal thirds", invoice("49000", false), []note{{"18130", "1796", "14972.22"}, {"18130", "1797", "14972.23"}, {"18130", "1797", "14972.22"}}},
		{"one rupiah reverses no PPN", invoice("49000", false), []note{{"1", "0", "0.83"}, {"54389", "5390", "44915.84"}}},
		// 49,000 with PPN included: PPN 4,855, DPP 40,466.25.
		{"price includes PPN", invoice("49000", true), []note{{"10000", "990", "8258.42"}, {"39000", "3865", "32207.83"}}},
		// A downgrade's credit of 50,000 before PPN on a 99,000 invoice is 55,500 with PPN.
		{"downgrade credit then refund of the rest", invoice("99000", false), []note{{"55500", "5500", "45833.33"}, {"54390", "5390", "44916.67"}}},
		{"non-PKP: nothing to reverse", untaxed, []note{{"49000", "0", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			credited, ppn, dpp := Zero(IDR), Zero(IDR), Zero(IDR)
			for i, n := range tt.notes {
				amount := MustMoney(n.amount)
				t0, b0 := creditedShare(tt.inv, credited)
				credited = credited.Add(amount)
				t1, b1 := creditedShare(tt.inv, credited)
				if got := t1.Sub(t0); got.String() != MustMoney(n.ppn).String() {
					t.Errorf("note %d of %s reverses PPN %s, want %s", i+1, n.amount, got, n.ppn)
				}
				ppn = ppn.Add(t1.Sub(t0))
				if n.dpp == "" {
					if b1.Valid() {
						t.Errorf("note %d reverses DPP %s of an invoice without one", i+1, b1)
					}
					continue
				}
				if got := b1.Sub(b0); got.String() != MustMoney(n.dpp).String() {
					t.Errorf("note %d of %s reverses DPP %s, want %s", i+1, n.amount, got, n.dpp)
				}
				dpp = dpp.Add(b1.Sub(b0))
			}
			if ppn.Cmp(tt.inv.Tax) > 0 {
				t.Errorf("notes reverse PPN %s, the invoice carried %s", ppn, tt.inv.Tax)
			}
			if credited.Equal(tt.inv.TaxedTotal()) && (!ppn.Equal(tt.inv.Tax) || tt.inv.TaxBase.Valid() && !dpp.Equal(tt.inv.TaxBase)) {
				t.Errorf("the whole total credited reverses PPN %s and DPP %s, the invoice carried %s and %s", ppn, dpp, tt.inv.Tax, tt.inv.TaxBase)
			}
		})
	}
}

// TestCreditNoteBalanceAfterPPN: credit from credit notes is taken off an
// invoice after its PPN, so the PPN the credit note reversed is not
// reversed a second time on the next invoice.
func TestCreditNoteBalanceAfterPPN(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	issued := time.Date(2026, 2, 5, 9, 0, 0, 0, wib)
	rate, _ := RateOn(DefaultPPNRates(wib), issued)
	for _, tt := range []struct {
		name, applied, total, taxed string
	}{
		{"part of the invoice", "20000", "34390", "54390"},
		{"all of the invoice", "54390", "0", "54390"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := Invoice{Currency: IDR, IssueDate: issued, Lines: []InvoiceLine{
				{Kind: LinePlan, Quantity: 1, UnitAmount: MustMoney("49000"), Amount: MustMoney("49000")},
				{Kind: LineCreditNote, Quantity: 1, UnitAmount: MustMoney(tt.applied).Neg(), Amount: MustMoney(tt.applied).Neg()}}}
			inv.TotalsPPN(rate)
			if inv.Tax.String() != "5390.00" || inv.TaxBase.String() != "44916.67" || inv.Subtotal.String() != "49000.00" {
				t.Errorf("PPN %s DPP %s subtotal %s, want 5390.00, 44916.67, 49000.00 (credit after PPN)", inv.Tax, inv.TaxBase, inv.Subtotal)
			}
			if inv.Total.String() != MustMoney(tt.total).String() || inv.TaxedTotal().String() != MustMoney(tt.taxed).String() {
				t.Errorf("total %s taxed total %s, want %s and %s", inv.Total, inv.TaxedTotal(), tt.total, tt.taxed)
			}
		})
	}
}
