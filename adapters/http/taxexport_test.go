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
	return core.TaxReport{Merchant: core.Merchant{Name: "PT Contoh", PKP: true, NPWP: "0012345678901234"}, Location: wib,
		Month:   time.Date(2026, 1, 1, 0, 0, 0, 0, wib),
		Entries: []core.TaxEntry{{Invoice: taxed, Customer: core.Party{Name: "Budi", Email: "budi@example.com"}}, {Invoice: void}}}
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
}

func TestTaxCSV(t *testing.T) {
	b, err := taxCSV(taxSample(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != strings.Join(taxCSVHeader, ",") {
		t.Fatalf("CSV:\n%s", b)
	}
	if want := "invoice,INV/2026/000007,2026-01-31,paid,Budi,budi@example.com,49000.00,0.00,44916.67,0.12,5390.00,54390.00,false,IDR,i1"; lines[1] != want {
		t.Errorf("row %q, want %q", lines[1], want)
	}
}
