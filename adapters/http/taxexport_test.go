package http

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func taxSample(t *testing.T) core.TaxReport {
	t.Helper()
	wib := time.FixedZone("WIB", 7*3600)
	issued := time.Date(2026, 1, 31, 23, 30, 0, 0, wib) // still January in WIB
	rates := core.DefaultPPNRates(wib)
	r, _ := core.RateOn(rates, issued)
	taxed := core.Invoice{ID: "i1", Number: "INV/2026/000007", Status: core.InvoicePaid, Currency: core.IDR, IssueDate: issued,
		Lines: []core.InvoiceLine{{Kind: core.LinePlan, Description: "Pro", Quantity: 1, UnitAmount: core.MustMoney("49000"), Amount: core.MustMoney("49000")}}}
	taxed.TotalsPPN(r)
	void := taxed
	void.ID, void.Number, void.Status = "i2", "INV/2026/000008", core.InvoiceVoid
	// A renewal paid partly by credit from a credit note: its price, DPP and
	// PPN are the plan's in full.
	credited := taxed
	credited.ID, credited.Number = "i3", "INV/2026/000009"
	credited.Lines = append(credited.Lines, core.InvoiceLine{Kind: core.LineCreditNote, Description: "Credit from credit notes",
		Quantity: 1, UnitAmount: core.MustMoney("-20000"), Amount: core.MustMoney("-20000")})
	credited.TotalsPPN(r)
	note := core.CreditNote{ID: "c1", Number: "CN/2026/000003", Reason: core.CreditRefund, InvoiceID: "i1", InvoiceNumber: "INV/2026/000007",
		Amount: core.MustMoney("20000"), Tax: core.MustMoney("1981"), TaxBase: core.MustMoney("16516.52"), TaxRate: taxed.TaxRate,
		Currency: core.IDR, IssueDate: issued}
	budi := core.Party{Name: "Budi", Email: "budi@example.com"}
	return core.TaxReport{Merchant: core.Merchant{Name: "PT Contoh", PKP: true, NPWP: "0012345678901234"}, Location: wib,
		Month:       time.Date(2026, 1, 1, 0, 0, 0, 0, wib),
		Entries:     []core.TaxEntry{{Invoice: taxed, Customer: budi}, {Invoice: void}, {Invoice: credited, Customer: budi}},
		CreditNotes: []core.TaxCreditEntry{{Note: note, Invoice: taxed, Customer: budi}}}
}

func TestCoretaxXML(t *testing.T) {
	b, err := xml.Marshal(toCoretax(taxSample(t)))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"<TIN>0012345678901234</TIN>", "<TaxInvoiceDate>2026-01-31</TaxInvoiceDate>", "<TrxCode>04</TrxCode>",
		"<RefDesc>INV/2026/000007</RefDesc>", "<SellerIDTKU>0012345678901234000000</SellerIDTKU>", "<BuyerName>Budi</BuyerName>",
		"<Price>49000.00</Price>", "<TaxBase>49000.00</TaxBase>", "<OtherTaxBase>44916.67</OtherTaxBase>", "<VATRate>12</VATRate>",
		"<VAT>5390.00</VAT>"} {
		if !strings.Contains(s, want) {
			t.Errorf("XML lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "000008") {
		t.Error("a void invoice is exported as a tax invoice")
	}
	if strings.Count(s, "<Price>49000.00</Price>") != 2 || strings.Count(s, "<VAT>5390.00</VAT>") != 2 {
		t.Errorf("the invoice paid by credit from a credit note is not exported at its price and PPN:\n%s", s)
	}
	if strings.Contains(s, "CN/2026") {
		t.Error("a credit note is exported as a tax invoice")
	}
}

func TestTaxCSV(t *testing.T) {
	b, err := taxCSV(taxSample(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 || lines[0] != strings.Join(taxCSVHeader, ",") {
		t.Fatalf("CSV:\n%s", b)
	}
	for i, want := range map[int]string{
		1: "invoice,INV/2026/000007,2026-01-31,paid,Budi,budi@example.com,49000.00,0.00,44916.67,0.12,5390.00,54390.00,false,IDR,i1,,,",
		3: "invoice,INV/2026/000009,2026-01-31,paid,Budi,budi@example.com,49000.00,0.00,44916.67,0.12,5390.00,54390.00,false,IDR,i3,,,",
		4: "credit_note,CN/2026/000003,2026-01-31,issued,Budi,budi@example.com,18019.00,0.00,16516.52,0.12,1981.00,20000.00,false,IDR,i1,c1,INV/2026/000007,refund",
	} {
		if lines[i] != want {
			t.Errorf("row %d %q, want %q", i, lines[i], want)
		}
	}
}
