package http

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

var errNoTaxExport = errors.New("tax export is not available")

// taxExporter is implemented by *core.Service.
type taxExporter interface {
	TaxExport(ctx context.Context, a core.Actor, month string) (core.TaxReport, error)
}

// The Coretax e-Faktur bulk import (TaxInvoiceBulk), as DJP's published
// XML template describes it. It holds invoices only: Coretax records a
// return (a credit note, nota retur) against the tax invoice it reduces as
// a document of its own, not through this import. Each invoice is one GoodService line carrying
// the invoice's net amount: PPN is computed on the invoice total, so
// splitting it over lines would round differently. Element names follow the
// template, including its spelling of BuyerAdress.
type coretaxBulk struct {
	XMLName  xml.Name         `xml:"TaxInvoiceBulk"`
	XSI      string           `xml:"xmlns:xsi,attr"`
	TIN      string           `xml:"TIN"`
	Invoices []coretaxInvoice `xml:"ListOfTaxInvoice>TaxInvoice"`
}

type coretaxInvoice struct {
	TaxInvoiceDate      string        `xml:"TaxInvoiceDate"`
	TaxInvoiceOpt       string        `xml:"TaxInvoiceOpt"`
	TrxCode             string        `xml:"TrxCode"`
	AddInfo             string        `xml:"AddInfo"`
	CustomDoc           string        `xml:"CustomDoc"`
	RefDesc             string        `xml:"RefDesc"`
	FacilityStamp       string        `xml:"FacilityStamp"`
	SellerIDTKU         string        `xml:"SellerIDTKU"`
	BuyerTin            string        `xml:"BuyerTin"`
	BuyerDocument       string        `xml:"BuyerDocument"`
	BuyerCountry        string        `xml:"BuyerCountry"`
	BuyerDocumentNumber string        `xml:"BuyerDocumentNumber"`
	BuyerName           string        `xml:"BuyerName"`
	BuyerAdress         string        `xml:"BuyerAdress"`
	BuyerEmail          string        `xml:"BuyerEmail"`
	BuyerIDTKU          string        `xml:"BuyerIDTKU"`
	Goods               []coretaxGood `xml:"ListOfGoodService>GoodService"`
}

type coretaxGood struct {
	Opt           string `xml:"Opt"`
	Code          string `xml:"Code"`
	Name          string `xml:"Name"`
	Unit          string `xml:"Unit"`
	Price         string `xml:"Price"`
	Qty           int    `xml:"Qty"`
	TotalDiscount string `xml:"TotalDiscount"`
	TaxBase       string `xml:"TaxBase"`
	OtherTaxBase  string `xml:"OtherTaxBase"`
	VATRate       string `xml:"VATRate"`
	VAT           string `xml:"VAT"`
	STLGRate      string `xml:"STLGRate"`
	STLG          string `xml:"STLG"`
}

// Coretax codes used: TrxCode 04 (DPP nilai lain: the 11/12 base) or 01
// when the base is the full price; Opt B (a service); goods/services code
// 000000 (general); unit UM.0033 (other). The buyer's NPWP/NIK is not
// collected, so buyers are exported as non-NPWP ("Other" document, TIN
// 0000000000000000); the merchant's IDTKU is its NPWP followed by 000000
// (head office).
func toCoretax(r core.TaxReport) coretaxBulk {
	out := coretaxBulk{XSI: "http://www.w3.org/2001/XMLSchema-instance", TIN: r.Merchant.NPWP}
	for _, e := range r.Entries {
		inv := e.Invoice
		if inv.Status == core.InvoiceVoid || inv.Tax.IsZero() && !inv.TaxBase.Valid() {
			continue
		}
		// The price before PPN, inclusive or not; credit from credit notes
		// taken after PPN pays the invoice, it does not change its price.
		beforeTax := inv.TaxedTotal().Sub(inv.Tax)
		trx := "04"
		if inv.TaxBase.Equal(beforeTax) {
			trx = "01"
		}
		out.Invoices = append(out.Invoices, coretaxInvoice{
			TaxInvoiceDate: inv.IssueDate.In(r.Location).Format("2006-01-02"), TaxInvoiceOpt: "Normal", TrxCode: trx,
			RefDesc: inv.Number, SellerIDTKU: r.Merchant.NPWP + "000000",
			BuyerTin: "0000000000000000", BuyerDocument: "Other", BuyerCountry: "IDN", BuyerDocumentNumber: "-",
			BuyerName: e.Customer.Name, BuyerAdress: orDash(e.Customer.Address), BuyerEmail: e.Customer.Email, BuyerIDTKU: "000000",
			Goods: []coretaxGood{{Opt: "B", Code: "000000", Name: invoiceSummary(inv), Unit: "UM.0033",
				Price: beforeTax.String(), Qty: 1, TotalDiscount: "0", TaxBase: beforeTax.String(),
				OtherTaxBase: inv.TaxBase.String(), VATRate: inv.TaxRate.Percent().String(), VAT: inv.Tax.String(),
				STLGRate: "0", STLG: "0"}},
		})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// invoiceSummary names what an invoice sells: its first line.
func invoiceSummary(inv core.Invoice) string {
	if len(inv.Lines) > 0 {
		return inv.Lines[0].Description
	}
	return inv.Number
}

// taxCSVHeader: one row per invoice numbered in the month, then one per
// credit note issued in it. A credit note's row carries what it credits
// (positive amounts), the invoice it credits and why; "total" is what is
// taxed (an invoice's total before credit from credit notes).
var taxCSVHeader = []string{"type", "number", "issue_date", "status", "buyer_name", "buyer_email", "subtotal", "discount",
	"tax_base", "tax_rate", "tax", "total", "tax_inclusive", "currency", "invoice_id", "credit_note_id",
	"credited_invoice_number", "reason"}

func taxCSV(r core.TaxReport) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(taxCSVHeader); err != nil {
		return nil, err
	}
	opt := func(m core.Money) string {
		if !m.Valid() {
			return ""
		}
		return m.String()
	}
	rate := func(r core.Rate) string {
		if r.IsZero() {
			return ""
		}
		return r.String()
	}
	day := func(t time.Time) string { return t.In(r.Location).Format("2006-01-02") }
	for _, e := range r.Entries {
		inv := e.Invoice
		if err := w.Write([]string{"invoice", inv.Number, day(inv.IssueDate), string(inv.Status),
			e.Customer.Name, e.Customer.Email, inv.Subtotal.String(), inv.Discount.String(), opt(inv.TaxBase), rate(inv.TaxRate),
			inv.Tax.String(), inv.TaxedTotal().String(), fmt.Sprint(inv.TaxInclusive), string(inv.Currency), inv.ID, "", "", ""}); err != nil {
			return nil, err
		}
	}
	for _, e := range r.CreditNotes {
		n := e.Note
		if err := w.Write([]string{"credit_note", n.Number, day(n.IssueDate), "issued", e.Customer.Name, e.Customer.Email,
			n.Subtotal().String(), core.Zero(n.Currency).String(), opt(n.TaxBase), rate(n.TaxRate), n.Tax.String(),
			n.Amount.String(), fmt.Sprint(n.TaxInclusive), string(n.Currency), n.InvoiceID, n.ID, n.InvoiceNumber,
			string(n.Reason)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func (s *Server) taxExport(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "month", "format")
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		format = "xml"
	}
	if err := checkChoice("format", format, []string{"xml", "csv"}); err != nil {
		return err
	}
	ex, ok := s.rawSvc.(taxExporter)
	if !ok {
		return errNoTaxExport
	}
	r, err := ex.TaxExport(c.UserContext(), actor(c), q.Get("month"))
	if err != nil {
		return err
	}
	name := "tax-" + r.Month.Format("2006-01")
	var body []byte
	if format == "csv" {
		body, err = taxCSV(r)
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		body, err = xml.MarshalIndent(toCoretax(r), "", "  ")
		body = append([]byte(xml.Header), body...)
		c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	}
	if err != nil {
		return fmt.Errorf("tax export: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"."+format+`"`)
	return c.Send(body)
}
