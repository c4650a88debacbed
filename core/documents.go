package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Party is a seller or buyer as printed on a document.
type Party struct {
	Name    string
	Address string
	Email   string
	Phone   string
	NPWP    string
}

// InvoiceDocument is everything a printed invoice shows: the invoice, the
// merchant, the customer, and how it was (or is to be) paid. Adapters
// render it; they compute nothing.
type InvoiceDocument struct {
	Invoice  Invoice
	Merchant Merchant
	Customer Party
	// Locale is the customer's: "id" (Indonesian, the default) or "en".
	Locale string
	// Location is the billing time zone dates are printed in.
	Location *time.Location
	// PaymentStatus is the payment's status ("" without one), PaymentType
	// and Bank how it was paid, OrderID the Midtrans order id.
	PaymentStatus PaymentStatus
	PaymentType   PaymentType
	Bank          string
	OrderID       string
	PaidAt        time.Time
}

// InvoiceDocument gathers what the printed invoice id shows; 404 for an
// invoice the actor cannot see. The customer's locale picks the language.
func (s *Service) InvoiceDocument(ctx context.Context, a Actor, id string) (InvoiceDocument, error) {
	var d InvoiceDocument
	err := s.store.View(ctx, func(tx Tx) error {
		inv, err := tx.Invoices().Get(id)
		if err != nil {
			return NotFoundf("invoice not found")
		}
		if err := s.authorize(tx, a, inv.OwnerID, "invoice"); err != nil {
			return err
		}
		d = InvoiceDocument{Invoice: inv, Merchant: s.cfg.Merchant, Location: s.cfg.Location}
		d.Customer, d.Locale = s.customerOf(tx, inv)
		return s.documentPayment(tx, &d)
	})
	return d, err
}

// documentPayment finds the invoice's payment: the one that paid it, else
// the latest attempt.
func (s *Service) documentPayment(tx Tx, d *InvoiceDocument) error {
	inv := d.Invoice
	var p Payment
	found := false
	if inv.PaymentID != "" {
		if got, err := tx.Payments().Get(inv.PaymentID); err == nil {
			p, found = got, true
		}
	}
	if !found && inv.SubscriptionID != "" {
		list, err := tx.Payments().ListBySubscription(inv.SubscriptionID)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.InvoiceID == inv.ID && (!found || c.Attempt > p.Attempt) {
				p, found = c, true
			}
		}
	}
	if found {
		d.PaymentStatus, d.PaymentType, d.Bank, d.OrderID, d.PaidAt = p.Status, p.PaymentType, p.Bank, p.OrderID, p.PaidAt
	}
	return nil
}

// customerOf is the buyer of inv and their locale: the owner (a user, or an
// organization and its owner's locale), with the subscription's customer
// details where given.
func (s *Service) customerOf(tx Tx, inv Invoice) (Party, string) {
	var c Party
	locale := "id"
	if u, err := tx.Users().Get(inv.OwnerID); err == nil {
		locale = normLocale(u.Locale)
		c = Party{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email}
		if c.Name == "" {
			c.Name = u.Username
		}
	} else if o, err := tx.Organizations().Get(inv.OwnerID); err == nil {
		c = Party{Name: o.Name}
		if u, err := tx.Users().Get(o.OwnerID); err == nil {
			locale, c.Email = normLocale(u.Locale), u.Email
		}
	}
	if inv.SubscriptionID != "" {
		if sub, err := tx.Subscriptions().Get(inv.SubscriptionID); err == nil {
			cd := sub.CustomerDetails
			if n := strings.TrimSpace(cd.FirstName + " " + cd.LastName); n != "" {
				c.Name = n
			}
			if cd.Email != "" {
				c.Email = cd.Email
			}
			c.Phone = cd.Phone
		}
	}
	return c, locale
}

// CreditNoteDocument is everything a printed credit note shows: the note,
// the invoice it credits, the merchant and the customer, and for a refund
// how the refunded payment had been made.
type CreditNoteDocument struct {
	Note     CreditNote
	Invoice  Invoice
	Merchant Merchant
	Customer Party
	// Locale is the customer's: "id" (Indonesian, the default) or "en".
	Locale string
	// Location is the billing time zone dates are printed in.
	Location *time.Location
	// PaymentType, Bank and OrderID describe the refunded payment (refund
	// notes only).
	PaymentType PaymentType
	Bank        string
	OrderID     string
}

// CreditNoteDocument gathers what the printed credit note id shows; 404
// for a note the actor cannot see.
func (s *Service) CreditNoteDocument(ctx context.Context, a Actor, id string) (CreditNoteDocument, error) {
	var d CreditNoteDocument
	err := s.store.View(ctx, func(tx Tx) error {
		n, err := tx.CreditNotes().Get(id)
		if err != nil {
			return NotFoundf("credit note not found")
		}
		if err := s.authorize(tx, a, n.OwnerID, "credit note"); err != nil {
			return err
		}
		inv, err := tx.Invoices().Get(n.InvoiceID)
		if err != nil {
			return fmt.Errorf("invoice of credit note %s: %w", n.Number, err)
		}
		d = CreditNoteDocument{Note: n, Invoice: inv, Merchant: s.cfg.Merchant, Location: s.cfg.Location}
		d.Customer, d.Locale = s.customerOf(tx, inv)
		if n.PaymentID != "" {
			if p, err := tx.Payments().Get(n.PaymentID); err == nil {
				d.PaymentType, d.Bank, d.OrderID = p.PaymentType, p.Bank, p.OrderID
			}
		}
		return nil
	})
	return d, err
}
