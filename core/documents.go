package core

import (
	"context"
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
		d = InvoiceDocument{Invoice: inv, Merchant: s.cfg.Merchant, Location: s.cfg.Location, Locale: "id"}
		if u, err := tx.Users().Get(inv.OwnerID); err == nil {
			d.Locale = normLocale(u.Locale)
			d.Customer = Party{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email}
			if d.Customer.Name == "" {
				d.Customer.Name = u.Username
			}
		} else if o, err := tx.Organizations().Get(inv.OwnerID); err == nil {
			d.Customer = Party{Name: o.Name}
			if u, err := tx.Users().Get(o.OwnerID); err == nil {
				d.Locale, d.Customer.Email = normLocale(u.Locale), u.Email
			}
		}
		if inv.SubscriptionID != "" {
			if sub, err := tx.Subscriptions().Get(inv.SubscriptionID); err == nil {
				c := sub.CustomerDetails
				if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
					d.Customer.Name = n
				}
				if c.Email != "" {
					d.Customer.Email = c.Email
				}
				d.Customer.Phone = c.Phone
			}
		}
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
