package records

import (
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// The record of a credit note, as both stores write it.

type creditNoteRec struct {
	V              int               `json:"v"`
	ID             string            `json:",omitzero"`
	Number         string            `json:",omitzero"`
	Key            string            `json:",omitzero"`
	Reason         core.CreditReason `json:",omitzero"`
	OwnerID        string            `json:",omitzero"`
	SubscriptionID string            `json:",omitzero"`
	InvoiceID      string            `json:",omitzero"`
	InvoiceNumber  string            `json:",omitzero"`
	PaymentID      string            `json:",omitzero"`
	RefundKeys     []string          `json:",omitzero"`
	Description    string            `json:",omitzero"`
	Amount         money             `json:",omitzero"`
	TaxBase        money             `json:",omitzero"`
	Tax            money             `json:",omitzero"`
	TaxRate        string            `json:",omitzero"`
	TaxInclusive   bool              `json:",omitzero"`
	Currency       core.Currency     `json:",omitzero"`
	IssueDate      time.Time         `json:",omitzero"`
	CreatedAt      time.Time         `json:",omitzero"`
}

func CreditNoteToRecord(n *core.CreditNote) any {
	r := &creditNoteRec{V: recordV, ID: n.ID, Number: n.Number, Key: n.Key, Reason: n.Reason, OwnerID: n.OwnerID,
		SubscriptionID: n.SubscriptionID, InvoiceID: n.InvoiceID, InvoiceNumber: n.InvoiceNumber, PaymentID: n.PaymentID,
		RefundKeys: n.RefundKeys, Description: n.Description, Amount: money(n.Amount), TaxBase: money(n.TaxBase),
		Tax: money(n.Tax), TaxInclusive: n.TaxInclusive, Currency: n.Currency, IssueDate: UTC(n.IssueDate),
		CreatedAt: UTC(n.CreatedAt)}
	if !n.TaxRate.IsZero() {
		r.TaxRate = n.TaxRate.String()
	}
	return r
}

func CreditNoteFromRecord(b []byte) (core.CreditNote, error) {
	r, err := decodeRec(b, func(r *creditNoteRec) int { return r.V })
	n := core.CreditNote{ID: r.ID, Number: r.Number, Key: r.Key, Reason: r.Reason, OwnerID: r.OwnerID,
		SubscriptionID: r.SubscriptionID, InvoiceID: r.InvoiceID, InvoiceNumber: r.InvoiceNumber, PaymentID: r.PaymentID,
		RefundKeys: r.RefundKeys, Description: r.Description, Amount: core.Money(r.Amount), TaxBase: core.Money(r.TaxBase),
		Tax: core.Money(r.Tax), TaxInclusive: r.TaxInclusive, Currency: r.Currency, IssueDate: r.IssueDate,
		CreatedAt: r.CreatedAt}
	if r.TaxRate != "" {
		rate, rerr := core.ParseRate(r.TaxRate)
		if rerr != nil && err == nil {
			err = fmt.Errorf("stored tax rate: %w", rerr)
		}
		n.TaxRate = rate
	}
	return n, err
}
