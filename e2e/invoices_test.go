//go:build e2e

package e2e

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInvoiceJourney: a PKP merchant's customer subscribes, pays the VA,
// and downloads the paid invoice as a PDF and as HTML in their language,
// with PPN on top of the plan's price. A second customer pays with GoPay
// and is refunded part of it through Midtrans: one credit note, PPN
// reversed in proportion, downloadable as a PDF, and in the tax export.
func TestInvoiceJourney(t *testing.T) {
	s := newStackEnv(t, map[string]string{
		"LANGGANAN_MERCHANT_NAME":    "PT Contoh Jaya",
		"LANGGANAN_MERCHANT_ADDRESS": "Jl. Sudirman 1, Jakarta",
		"LANGGANAN_MERCHANT_PKP":     "true",
		"LANGGANAN_MERCHANT_NPWP":    "0012345678901234",
	})
	s.requireRoute("GET", "/invoices/")
	s.plan("basic", "49000", nil)
	u := s.newUser("bob")
	sub, p := s.subscribe(u, J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"}})
	if got := str(p, "gross_amount"); got != "54390.00" {
		t.Fatalf("charge amount %s, want 54390.00 (49,000 + PPN 5,390)", got)
	}
	s.pay(p)
	s.wantSub(u, str(sub, "id"), "active", 1)
	invs := s.must(s.api("GET", "/invoices/", nil, u.basic), 200).results()
	if len(invs) != 1 {
		t.Fatalf("invoices: %v", invs)
	}
	inv := invs[0]
	for k, want := range map[string]string{"status": "paid", "number": "INV/2026/000001", "subtotal": "49000.00",
		"tax_base": "44916.67", "tax_rate": "0.12", "tax": "5390.00", "total": "54390.00"} {
		if got := str(inv, k); got != want {
			t.Errorf("invoice %s = %q, want %q", k, got, want)
		}
	}
	id := str(inv, "id")

	pdf := s.must(s.api("GET", "/invoices/"+id+"/pdf", nil, u.basic), 200)
	if !bytes.HasPrefix(pdf.raw, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.40q", pdf.raw)
	}
	text := pdfText(pdf.raw)
	for _, want := range []string{"Tagihan INV/2026/000001", "PT Contoh Jaya", "NPWP: 0012345678901234", "Rp 44.916,67",
		"PPN 12%", "Rp 5.390", "Rp 54.390", "Lunas", "bank transfer (BCA)", str(p, "order_id")} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	html := s.must(s.api("GET", "/invoices/"+id+"/html", nil, u.basic), 200)
	if !strings.Contains(string(html.raw), `id="total">Rp 54.390`) {
		t.Errorf("HTML lacks the total: %.400s", html.raw)
	}
	month := s.now().In(time.FixedZone("WIB", 7*3600)).Format("2006-01")
	x := s.must(s.api("GET", "/admin/tax/export?month="+month, nil, admin), 200)
	for _, want := range []string{"<TaxInvoiceBulk", "<TIN>0012345678901234</TIN>", "<RefDesc>INV/2026/000001</RefDesc>",
		"<OtherTaxBase>44916.67</OtherTaxBase>", "<VAT>5390.00</VAT>"} {
		if !strings.Contains(string(x.raw), want) {
			t.Errorf("Coretax XML lacks %s:\n%s", want, x.raw)
		}
	}
	c := s.must(s.api("GET", "/admin/tax/export?month="+month+"&format=csv", nil, admin), 200)
	if !strings.Contains(string(c.raw), "INV/2026/000001,") || !strings.Contains(string(c.raw), ",44916.67,0.12,5390.00,54390.00,") {
		t.Errorf("CSV: %s", c.raw)
	}
	s.must(s.api("GET", "/admin/tax/export?month="+month, nil, u.basic), 403)
	other := s.newUser("eve")
	s.must(s.api("GET", "/invoices/"+id+"/pdf", nil, other.basic), 404)

	// A refund through Midtrans yields a credit note.
	rina := s.newUser("rina")
	_, gp := s.subscribe(rina, J{"plan_id": "basic", "payment_type": "gopay"})
	gp = s.payIfPending(rina, gp)
	s.must(s.api("POST", "/payments/"+str(gp, "id")+"/refund/", J{"amount": 20000, "reason": "partial"}, admin), 200)
	s.advance(time.Minute) // Midtrans' refund notifications arrive and credit nothing more
	notes := s.must(s.api("GET", "/credit-notes/", nil, rina.basic), 200).results()
	if len(notes) != 1 {
		t.Fatalf("credit notes after one refund: %v", notes)
	}
	cn := notes[0]
	// PPN reversed: ⌊20,000 × 5,390 / 54,390⌋ = 1,981.
	for k, want := range map[string]string{"number": "CN/2026/000001", "invoice_number": "INV/2026/000002", "reason": "refund",
		"total": "20000.00", "tax": "1981.00", "tax_base": "16516.52", "subtotal": "18019.00"} {
		if got := str(cn, k); got != want {
			t.Errorf("credit note %s = %q, want %q", k, got, want)
		}
	}
	rinv := s.must(s.api("GET", "/invoices/"+str(cn, "invoice_id")+"/", nil, rina.basic), 200).obj()
	if refs, _ := rinv["credit_notes"].([]any); len(refs) != 1 || str(refs[0].(J), "number") != "CN/2026/000001" {
		t.Errorf("the invoice does not name its credit note: %v", rinv["credit_notes"])
	}
	cpdf := s.must(s.api("GET", "/credit-notes/"+str(cn, "id")+"/pdf", nil, rina.basic), 200)
	if !bytes.HasPrefix(cpdf.raw, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.40q", cpdf.raw)
	}
	ctext := pdfText(cpdf.raw)
	for _, want := range []string{"Nota Kredit CN/2026/000001", "Atas tagihan", "INV/2026/000002", "PT Contoh Jaya",
		"Rp 16.516,52", "PPN 12%", "Rp 1.981", "Rp 20.000", "gopay", str(gp, "order_id")} {
		if !strings.Contains(ctext, want) {
			t.Errorf("credit note PDF text lacks %q:\n%s", want, ctext)
		}
	}
	s.must(s.api("GET", "/credit-notes/"+str(cn, "id")+"/pdf", nil, u.basic), 404)
	c = s.must(s.api("GET", "/admin/tax/export?month="+month+"&format=csv", nil, admin), 200)
	if !strings.Contains(string(c.raw), "credit_note,CN/2026/000001,") || !strings.Contains(string(c.raw), ",1981.00,20000.00,") {
		t.Errorf("CSV lacks the credit note: %s", c.raw)
	}
}

// pdfText is the text a PDF draws with Tj, from its Flate-compressed
// content streams.
func pdfText(b []byte) string {
	var out []string
	for _, s := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(b, -1) {
		content := s[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if d, err := io.ReadAll(r); err == nil {
				content = d
			}
		}
		for _, m := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`).FindAllSubmatch(content, -1) {
			out = append(out, string(regexp.MustCompile(`\\(.)`).ReplaceAll(m[1], []byte("$1"))))
		}
	}
	return strings.Join(out, "\n")
}
