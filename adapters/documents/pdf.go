package documents

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/langganan/langganan/core"
)

// PDF renders an invoice as an A4 PDF with the built-in Helvetica (no font files;
// text is translated to cp1252, which covers Indonesian and English).
// The creation date is the issue date, so one invoice renders the same
// bytes every time.
func PDF(d core.InvoiceDocument) ([]byte, error) { return pdf(newView(d), d.Invoice.IssueDate) }

// CreditNotePDF renders a credit note as PDF is rendered for invoices.
func CreditNotePDF(d core.CreditNoteDocument) ([]byte, error) {
	return pdf(newCreditView(d), d.Note.IssueDate)
}

func pdf(v view, issued time.Time) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true) // fonts in a fixed order: the same bytes every time
	if issued.IsZero() {
		issued = time.Unix(0, 0)
	}
	p.SetCreationDate(issued.UTC())
	p.SetModificationDate(issued.UTC())
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetTitle(tr(v.Title+" "+v.Number), false)
	p.SetMargins(18, 18, 18)
	p.AddPage()
	text := func(style string, size float64, w, h float64, s, align string) {
		p.SetFont("Helvetica", style, size)
		p.CellFormat(w, h, tr(s), "", 0, align, false, 0, "")
	}
	line := func() { p.Ln(-1) }

	text("B", 18, 0, 10, v.Title+" "+v.Number, "L")
	line()
	for _, kv := range [][2]string{{v.L.IssueDate, v.IssueDate}, {v.L.DueDate, v.DueDate}, {v.L.Period, v.Period}, {"Status", v.Status}} {
		if v.CreditFor != "" && kv[0] == v.L.DueDate {
			kv = [2]string{v.L.CreditFor, v.CreditFor}
		}
		if kv[1] == "" {
			continue
		}
		text("B", 10, 40, 6, kv[0], "L")
		text("", 10, 0, 6, kv[1], "L")
		line()
	}
	p.Ln(4)
	y := p.GetY()
	party := func(x float64, title string, pt core.Party, npwp string) {
		p.SetXY(x, y)
		text("B", 11, 80, 6, title, "L")
		for _, s := range []string{pt.Name, pt.Address, npwp, pt.Email, pt.Phone} {
			if s == "" {
				continue
			}
			p.SetXY(x, p.GetY()+6)
			text("", 10, 80, 6, s, "L")
		}
	}
	npwp := ""
	if v.Seller.NPWP != "" {
		npwp = v.L.NPWP + ": " + v.Seller.NPWP
	}
	party(18, v.L.Seller, v.Seller, npwp)
	bottom := p.GetY()
	party(110, v.L.Buyer, v.Buyer, "")
	p.SetXY(18, max(bottom, p.GetY())+10)

	widths := []float64{86, 14, 37, 37}
	p.SetFont("Helvetica", "B", 10)
	for i, h := range []string{v.L.Description, v.L.Qty, v.L.UnitPrice, v.L.Amount} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		p.CellFormat(widths[i], 7, tr(h), "B", 0, align, false, 0, "")
	}
	line()
	p.SetFont("Helvetica", "", 10)
	for _, l := range v.Lines {
		p.CellFormat(widths[0], 7, tr(l.Description), "", 0, "L", false, 0, "")
		p.CellFormat(widths[1], 7, l.Qty, "", 0, "R", false, 0, "")
		p.CellFormat(widths[2], 7, tr(l.Unit), "", 0, "R", false, 0, "")
		p.CellFormat(widths[3], 7, tr(l.Amount), "", 0, "R", false, 0, "")
		line()
	}
	p.Ln(3)
	total := func(style, label, value string) {
		p.SetX(18 + widths[0])
		text(style, 10, widths[1]+widths[2], 6, label, "L")
		text(style, 10, widths[3], 6, value, "R")
		line()
	}
	total("", v.L.Subtotal, v.Subtotal)
	if v.Discount != "" {
		total("", v.L.Discount, v.Discount)
	}
	if v.ShowTax {
		total("", v.L.TaxBase, v.TaxBase)
		total("", v.TaxLabel, v.Tax)
	}
	if v.CreditApplied != "" {
		total("", v.L.CreditApplied, v.CreditApplied)
	}
	total("B", v.L.Total, v.Total)
	p.Ln(4)
	note := ""
	switch {
	case v.ShowTax && v.Inclusive:
		note = v.L.TaxNote + " " + v.L.Inclusive
	case v.ShowTax:
		note = v.L.TaxNote
	case v.NonPKP:
		note = v.L.NoTax
	}
	if note != "" {
		p.SetFont("Helvetica", "I", 9)
		p.MultiCell(0, 5, tr(note), "", "L", false)
		p.Ln(3)
	}
	for _, kv := range [][2]string{{v.L.PaymentStatus, v.PaymentStatus}, {v.L.PaymentMethod, v.PaymentMethod}, {v.L.OrderID, v.OrderID}, {v.L.PaidAt, v.PaidAt}} {
		if kv[1] == "" {
			continue
		}
		text("B", 10, 50, 6, kv[0], "L")
		text("", 10, 0, 6, kv[1], "L")
		line()
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	return b.Bytes(), nil
}
