package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

type invoiceLineJSON struct {
	Kind        string     `json:"kind" oa:"enum=line_kind"`
	Description string     `json:"description"`
	Quantity    int        `json:"quantity"`
	UnitAmount  string     `json:"unit_amount" oa:"ref=Money"`
	Amount      string     `json:"amount" oa:"ref=Money"`
	PeriodStart *time.Time `json:"period_start"`
	PeriodEnd   *time.Time `json:"period_end"`
}

type invoiceJSON struct {
	ID             string              `json:"id"`
	Number         string              `json:"number"`
	Status         string              `json:"status" oa:"enum=invoice_status"`
	OwnerID        string              `json:"owner_id"`
	SubscriptionID *string             `json:"subscription_id"`
	PaymentID      *string             `json:"payment_id"`
	Cycle          int                 `json:"cycle"`
	Subtotal       string              `json:"subtotal" oa:"ref=Money"`
	Discount       string              `json:"discount" oa:"ref=Money"`
	Tax            string              `json:"tax" oa:"ref=Money"`
	Total          string              `json:"total" oa:"ref=Money"`
	TaxBase        *string             `json:"tax_base" oa:"ref=Money" doc:"DPP, the base PPN is computed on; null without tax"`
	TaxRate        *string             `json:"tax_rate" doc:"The PPN rate as a decimal fraction (0.12); null without tax"`
	TaxInclusive   bool                `json:"tax_inclusive" doc:"Prices on the lines include PPN"`
	Currency       string              `json:"currency"`
	IssueDate      *time.Time          `json:"issue_date"`
	DueDate        *time.Time          `json:"due_date"`
	PaidAt         *time.Time          `json:"paid_at"`
	PeriodStart    *time.Time          `json:"period_start"`
	PeriodEnd      *time.Time          `json:"period_end"`
	LineItems      []invoiceLineJSON   `json:"line_items"`
	CreditNotes    []creditNoteRefJSON `json:"credit_notes" doc:"The credit notes that credit this invoice, oldest first"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
}

func toInvoiceJSON(inv core.Invoice) invoiceJSON {
	j := invoiceJSON{
		ID: inv.ID, Number: inv.Number, Status: string(inv.Status), OwnerID: inv.OwnerID,
		SubscriptionID: optString(inv.SubscriptionID), PaymentID: optString(inv.PaymentID), Cycle: inv.Cycle,
		Subtotal: money(inv.Subtotal), Discount: money(inv.Discount), Tax: money(inv.Tax), Total: money(inv.Total),
		Currency: string(inv.Currency), IssueDate: optTime(inv.IssueDate), DueDate: optTime(inv.DueDate),
		PaidAt: optTime(inv.PaidAt), PeriodStart: optTime(inv.PeriodStart), PeriodEnd: optTime(inv.PeriodEnd),
		LineItems: make([]invoiceLineJSON, len(inv.Lines)), CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt,
		CreditNotes: []creditNoteRefJSON{},
	}
	if inv.TaxBase.Valid() {
		b := money(inv.TaxBase)
		j.TaxBase = &b
	}
	if !inv.TaxRate.IsZero() {
		r := inv.TaxRate.String()
		j.TaxRate = &r
	}
	j.TaxInclusive = inv.TaxInclusive
	for i, l := range inv.Lines {
		j.LineItems[i] = invoiceLineJSON{Kind: string(l.Kind), Description: l.Description, Quantity: l.Quantity,
			UnitAmount: money(l.UnitAmount), Amount: money(l.Amount), PeriodStart: optTime(l.PeriodStart), PeriodEnd: optTime(l.PeriodEnd)}
	}
	return j
}

var invoiceStatuses = []string{
	string(core.InvoiceDraft), string(core.InvoiceOpen), string(core.InvoicePaid), string(core.InvoiceVoid), string(core.InvoiceOverdue),
}

func (s *Server) listInvoices(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "status", "ordering")
	if err != nil {
		return err
	}
	if err := checkChoice("status", q.Get("status"), invoiceStatuses); err != nil {
		return err
	}
	list, err := s.svc.ListInvoices(c.UserContext(), actor(c), core.InvoiceFilter{Status: q.Get("status"), Ordering: q.Get("ordering")})
	if err != nil {
		return err
	}
	out, err := s.withCreditNotes(c, paginate(list, q)...)
	if err != nil {
		return err
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) getInvoice(c *fiber.Ctx) error {
	id, err := pathID(c, "invoice")
	if err != nil {
		return err
	}
	inv, err := s.svc.GetInvoice(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	out, err := s.withCreditNotes(c, inv)
	if err != nil {
		return err
	}
	return c.JSON(out[0])
}
