package core

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// TaxReport is a month's issued invoices and credit notes for the tax
// office.
type TaxReport struct {
	Merchant    Merchant
	Month       time.Time // the first moment of the month in Location
	Location    *time.Location
	Entries     []TaxEntry
	CreditNotes []TaxCreditEntry
}

// TaxCreditEntry is one credit note issued in the month, with the invoice
// it credits and that invoice's buyer.
type TaxCreditEntry struct {
	Note     CreditNote
	Invoice  Invoice
	Customer Party
}

// TaxEntry is one issued invoice with its buyer.
type TaxEntry struct {
	Invoice  Invoice
	Customer Party
}

// ParseTaxMonth reads "2026-01" as the first moment of that month in loc.
func ParseTaxMonth(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return time.Time{}, Invalidf("month must be YYYY-MM")
	}
	return t, nil
}

// TaxExport lists the invoices issued (numbered) in month, and the credit
// notes issued in it, each in issue order; admins only. It reads every subscription's invoices: a monthly
// report, not a hot path.
func (s *Service) TaxExport(ctx context.Context, a Actor, month string) (TaxReport, error) {
	if !a.IsAdmin {
		return TaxReport{}, Forbiddenf("only an administrator may export tax data")
	}
	from, err := ParseTaxMonth(month, s.cfg.Location)
	if err != nil {
		return TaxReport{}, err
	}
	to := from.AddDate(0, 1, 0)
	r := TaxReport{Merchant: s.cfg.Merchant, Month: from, Location: s.cfg.Location}
	err = s.store.View(ctx, func(tx Tx) error {
		var subs []string
		if err := tx.Subscriptions().ScanAll("", func(sub Subscription) bool {
			subs = append(subs, sub.ID)
			return true
		}); err != nil {
			return err
		}
		for _, id := range subs {
			invs, err := tx.Invoices().ListBySubscription(id)
			if err != nil {
				return err
			}
			for _, inv := range invs {
				if inv.Number == "" || inv.IssueDate.Before(from) || !inv.IssueDate.Before(to) {
					continue
				}
				c, _ := s.customerOf(tx, inv)
				r.Entries = append(r.Entries, TaxEntry{Invoice: inv, Customer: c})
			}
		}
		var notes []CreditNote
		if err := tx.CreditNotes().ScanIssued(from, to, func(n CreditNote) bool {
			notes = append(notes, n)
			return true
		}); err != nil {
			return err
		}
		for _, n := range notes {
			inv, err := tx.Invoices().Get(n.InvoiceID)
			if err != nil {
				return fmt.Errorf("invoice of credit note %s: %w", n.Number, err)
			}
			c, _ := s.customerOf(tx, inv)
			r.CreditNotes = append(r.CreditNotes, TaxCreditEntry{Note: n, Invoice: inv, Customer: c})
		}
		return nil
	})
	sort.Slice(r.Entries, func(i, j int) bool {
		a, b := r.Entries[i].Invoice, r.Entries[j].Invoice
		if !a.IssueDate.Equal(b.IssueDate) {
			return a.IssueDate.Before(b.IssueDate)
		}
		return a.Number < b.Number
	})
	return r, err
}
