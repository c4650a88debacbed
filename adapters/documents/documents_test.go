package documents

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func sample(locale string, pkp bool) core.InvoiceDocument {
	wib := time.FixedZone("WIB", 7*3600)
	issued := time.Date(2026, 1, 5, 9, 0, 0, 0, wib)
	inv := core.Invoice{ID: "inv-1", Number: "INV/2026/000123", Status: core.InvoicePaid, Currency: core.IDR,
		IssueDate: issued, DueDate: issued.Add(24 * time.Hour), PeriodStart: issued, PeriodEnd: issued.AddDate(0, 1, 0),
		Lines: []core.InvoiceLine{
			{Kind: core.LinePlan, Description: "Pro × 2 seats", Quantity: 2, UnitAmount: core.MustMoney("49000"), Amount: core.MustMoney("98000")},
			{Kind: core.LineDiscount, Description: "Coupon HEMAT10", Quantity: 1, UnitAmount: core.MustMoney("-9800"), Amount: core.MustMoney("-9800")},
		}}
	m := core.Merchant{Name: "PT Contoh Jaya", Address: "Jl. Sudirman 1, Jakarta", NPWP: "0012345678901234", PKP: pkp}
	if pkp {
		r, _ := core.RateOn(core.DefaultPPNRates(wib), issued)
		inv.TotalsPPN(r)
	} else {
		inv.Totals(core.Rate{})
	}
	return core.InvoiceDocument{Invoice: inv, Merchant: m, Locale: locale, Location: wib,
		Customer:      core.Party{Name: "Budi Santoso", Email: "budi@example.com"},
		PaymentStatus: core.PaymentPaid, PaymentType: core.PayBankTransfer, Bank: "bca", OrderID: "SUB-abc-1-1",
		PaidAt: issued.Add(time.Hour)}
}

// pdfText extracts the text a PDF shows: every string drawn with Tj in
// its (Flate-compressed) content streams, in order.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(b, -1)
	for _, s := range streams {
		content := s[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if d, err := io.ReadAll(r); err == nil {
				content = d
			}
		}
		for _, m := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`).FindAllSubmatch(content, -1) {
			s := regexp.MustCompile(`\\(.)`).ReplaceAll(m[1], []byte("$1"))
			out = append(out, cp1252(s))
		}
	}
	return strings.Join(out, "\n")
}

// cp1252 decodes the few non-ASCII characters the documents use.
func cp1252(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch c {
		case 0xd7:
			s.WriteString("×")
		case 0x96:
			s.WriteString("–")
		case 0x97:
			s.WriteString("—")
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

func TestPDFText(t *testing.T) {
	tests := []struct {
		name   string
		doc    core.InvoiceDocument
		want   []string
		absent []string
	}{
		{"Indonesian, PKP", sample("id", true), []string{
			"Tagihan INV/2026/000123", "PT Contoh Jaya", "NPWP: 0012345678901234", "Budi Santoso",
			"Pro × 2 seats", "Rp 98.000", "-Rp 9.800", "Subtotal", "Rp 9.800", "DPP (dasar pengenaan pajak)", "Rp 80.850",
			"PPN 12%", "Rp 9.702", "Rp 97.902", "Lunas", "bank transfer (BCA)", "SUB-abc-1-1", "5 Januari 2026",
			"dibulatkan ke bawah"}, nil},
		{"English, PKP", sample("en", true), []string{
			"Invoice INV/2026/000123", "Bill to", "Tax base (DPP)", "Rp 80,850", "VAT (PPN) 12%", "Rp 9,702",
			"Rp 97,902", "Paid", "Midtrans order id", "5 January 2026"}, nil},
		{"non-PKP", sample("en", false), []string{"Rp 88,200", "not VAT-registered"}, []string{"Tax base", "NPWP", "PPN 12%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := PDF(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
			}
			text := pdfText(t, b)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("PDF text lacks %q; it reads:\n%s", w, text)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(text, w) {
					t.Errorf("PDF text has %q", w)
				}
			}
			again, _ := PDF(tt.doc)
			if !bytes.Equal(b, again) {
				t.Error("two renderings of one invoice differ")
			}
		})
	}
}

func TestHTML(t *testing.T) {
	d := sample("id", true)
	d.Customer.Name = `<script>alert(1)</script>`
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range []string{`lang="id"`, "Tagihan INV/2026/000123", `id="dpp">Rp 80.850`, `id="ppn">Rp 9.702`, `id="total">Rp 97.902`, `id="order">SUB-abc-1-1`, "&lt;script&gt;"} {
		if !strings.Contains(s, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(s, "<script>") {
		t.Error("customer name not escaped")
	}
}

func TestRupiah(t *testing.T) {
	for _, tt := range []struct{ in, id, en string }{
		{"0", "Rp 0", "Rp 0"}, {"999", "Rp 999", "Rp 999"}, {"1000", "Rp 1.000", "Rp 1,000"},
		{"1234567.5", "Rp 1.234.567,50", "Rp 1,234,567.50"}, {"-49000", "-Rp 49.000", "-Rp 49,000"},
	} {
		m := core.MustMoney(tt.in)
		if got := rp(byLocale["id"], m); got != tt.id {
			t.Errorf("id %s → %s, want %s", tt.in, got, tt.id)
		}
		if got := rp(byLocale["en"], m); got != tt.en {
			t.Errorf("en %s → %s, want %s", tt.in, got, tt.en)
		}
	}
}

func sampleCreditNote(locale string) core.CreditNoteDocument {
	inv := sample(locale, true)
	wib := inv.Location
	issued := time.Date(2026, 1, 20, 14, 0, 0, 0, wib)
	// 20,000 of the 97,902 invoice (PPN 9,702, DPP 80,850): PPN ⌊20,000 × 9,702 / 97,902⌋ = 1,981.
	n := core.CreditNote{ID: "cn-1", Number: "CN/2026/000007", Reason: core.CreditRefund, InvoiceID: inv.Invoice.ID,
		InvoiceNumber: inv.Invoice.Number, Description: "Refund of order SUB-abc-1-1", Amount: core.MustMoney("20000"),
		Tax: core.MustMoney("1981"), TaxBase: core.MustMoney("16516.52"), TaxRate: inv.Invoice.TaxRate,
		Currency: core.IDR, IssueDate: issued}
	return core.CreditNoteDocument{Note: n, Invoice: inv.Invoice, Merchant: inv.Merchant, Customer: inv.Customer,
		Locale: locale, Location: wib, PaymentType: core.PayQRIS, OrderID: "SUB-abc-1-1"}
}

// TestCreditNotePDFText: a credit note renders like an invoice, titled as
// a credit note, naming the invoice it credits and the refunded order,
// with the DPP and PPN it reverses.
func TestCreditNotePDFText(t *testing.T) {
	tests := []struct {
		name   string
		doc    core.CreditNoteDocument
		want   []string
		absent []string
	}{
		{"Indonesian", sampleCreditNote("id"), []string{"Nota Kredit CN/2026/000007", "Atas tagihan", "INV/2026/000123",
			"PT Contoh Jaya", "NPWP: 0012345678901234", "Budi Santoso", "Refund of order SUB-abc-1-1", "Rp 18.019",
			"DPP (dasar pengenaan pajak)", "Rp 16.516,52", "PPN 12%", "Rp 1.981", "Rp 20.000", "20 Januari 2026", "Terbit",
			"qris", "SUB-abc-1-1"}, []string{"Jatuh tempo", "Diskon", "Status pembayaran"}},
		{"English", sampleCreditNote("en"), []string{"Credit note CN/2026/000007", "For invoice", "INV/2026/000123",
			"Tax base (DPP)", "Rp 16,516.52", "VAT (PPN) 12%", "Rp 1,981", "Rp 20,000", "Issued", "Midtrans order id"}, []string{"Due date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := CreditNotePDF(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, b)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("PDF text lacks %q; it reads:\n%s", w, text)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(text, w) {
					t.Errorf("PDF text has %q", w)
				}
			}
			h, err := CreditNoteHTML(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(h), "<h1>"+tt.want[0]+"</h1>") || !strings.Contains(string(h), `id="total">`) {
				t.Errorf("HTML lacks the title %q or the total:\n%s", tt.want[0], h)
			}
		})
	}
}

// TestInvoiceCreditApplied: credit from credit notes is shown below the
// PPN it does not reduce, not among the lines.
func TestInvoiceCreditApplied(t *testing.T) {
	d := sample("en", true)
	d.Invoice.Lines = append(d.Invoice.Lines, core.InvoiceLine{Kind: core.LineCreditNote, Description: "Credit from credit notes",
		Quantity: 1, UnitAmount: core.MustMoney("-20000"), Amount: core.MustMoney("-20000")})
	r, _ := core.RateOn(core.DefaultPPNRates(d.Location), d.Invoice.IssueDate)
	d.Invoice.TotalsPPN(r)
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range []string{`id="ppn">Rp 9,702`, `id="credit">-Rp 20,000`, `id="total">Rp 77,902`} {
		if !strings.Contains(s, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(s, "<td>Credit from credit notes</td>") {
		t.Error("the applied credit is listed among the lines")
	}
}
