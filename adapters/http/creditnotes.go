package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

type creditNoteJSON struct {
	ID             string    `json:"id"`
	Number         string    `json:"number"`
	Reason         string    `json:"reason" oa:"enum=credit_reason"`
	OwnerID        string    `json:"owner_id"`
	SubscriptionID *string   `json:"subscription_id"`
	InvoiceID      string    `json:"invoice_id"`
	InvoiceNumber  string    `json:"invoice_number"`
	PaymentID      *string   `json:"payment_id" doc:"The refunded payment; null for a downgrade's credit"`
	RefundKeys     []string  `json:"refund_keys" doc:"The refunds of the payment this note credits"`
	Description    string    `json:"description"`
	Subtotal       string    `json:"subtotal" oa:"ref=Money" doc:"The credited amount before PPN (with PPN when the invoice's prices included it)"`
	TaxBase        *string   `json:"tax_base" oa:"ref=Money" doc:"The DPP reversed; null without tax"`
	TaxRate        *string   `json:"tax_rate" doc:"The invoice's PPN rate as a decimal fraction (0.12); null without tax"`
	Tax            string    `json:"tax" oa:"ref=Money" doc:"The PPN reversed"`
	Total          string    `json:"total" oa:"ref=Money" doc:"What is credited, PPN included"`
	TaxInclusive   bool      `json:"tax_inclusive"`
	Currency       string    `json:"currency"`
	IssueDate      time.Time `json:"issue_date"`
	CreatedAt      time.Time `json:"created_at"`
}

func toCreditNoteJSON(n core.CreditNote) creditNoteJSON {
	j := creditNoteJSON{ID: n.ID, Number: n.Number, Reason: string(n.Reason), OwnerID: n.OwnerID,
		SubscriptionID: optString(n.SubscriptionID), InvoiceID: n.InvoiceID, InvoiceNumber: n.InvoiceNumber,
		PaymentID: optString(n.PaymentID), RefundKeys: n.RefundKeys, Description: n.Description,
		Subtotal: money(n.Subtotal()), Tax: money(n.Tax), Total: money(n.Amount), TaxInclusive: n.TaxInclusive,
		Currency: string(n.Currency), IssueDate: n.IssueDate, CreatedAt: n.CreatedAt}
	if j.RefundKeys == nil {
		j.RefundKeys = []string{}
	}
	if n.TaxBase.Valid() {
		b := money(n.TaxBase)
		j.TaxBase = &b
	}
	if !n.TaxRate.IsZero() {
		r := n.TaxRate.String()
		j.TaxRate = &r
	}
	return j
}

// creditNoteRefJSON names a credit note on the invoice it credits.
type creditNoteRefJSON struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Total  string `json:"total" oa:"ref=Money"`
}

func (s *Server) listCreditNotes(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "invoice_id", "ordering")
	if err != nil {
		return err
	}
	list, err := s.svc.ListCreditNotes(c.UserContext(), actor(c), core.CreditNoteFilter{InvoiceID: q.Get("invoice_id"), Ordering: q.Get("ordering")})
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]creditNoteJSON, len(items))
	for i, n := range items {
		out[i] = toCreditNoteJSON(n)
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) getCreditNote(c *fiber.Ctx) error {
	id, err := pathID(c, "credit note")
	if err != nil {
		return err
	}
	n, err := s.svc.GetCreditNote(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toCreditNoteJSON(n))
}

// withCreditNotes answers invoices with the credit notes that credit them.
func (s *Server) withCreditNotes(c *fiber.Ctx, invs ...core.Invoice) ([]invoiceJSON, error) {
	ids := make([]string, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
	}
	notes, err := s.svc.CreditNotesOf(c.UserContext(), actor(c), ids...)
	if err != nil {
		return nil, err
	}
	out := make([]invoiceJSON, len(invs))
	for i, inv := range invs {
		out[i] = toInvoiceJSON(inv)
		for _, n := range notes[inv.ID] {
			out[i].CreditNotes = append(out[i].CreditNotes, creditNoteRefJSON{ID: n.ID, Number: n.Number, Total: money(n.Amount)})
		}
	}
	return out, nil
}
