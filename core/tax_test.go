package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

func line(kind core.LineKind, amount string) core.InvoiceLine {
	m := core.MustMoney(amount)
	return core.InvoiceLine{Kind: kind, Description: string(kind), Quantity: 1, UnitAmount: m, Amount: m}
}

// TestPPNGolden pins the PPN rule: PPN once on the invoice's net amount
// (lines, credits and discounts summed), rounded down to the rupiah; DPP
// 11/12 of the price before tax, to the sen; 12% from 2025-01-01, 11% on
// the full price before.
func TestPPNGolden(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	rates := core.DefaultPPNRates(wib)
	tests := []struct {
		name      string
		issued    time.Time
		inclusive bool
		lines     []core.InvoiceLine
		subtotal  string
		discount  string
		dpp       string
		rate      string
		ppn       string
		total     string
	}{
		{"exclusive 49000", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "49000")}, "49000", "0", "44916.67", "0.12", "5390", "54390"},
		{"exclusive rounds down", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "99999")}, "99999", "0", "91665.75", "0.12", "10999", "110998"},
		{"inclusive 49000", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), true,
			[]core.InvoiceLine{line(core.LinePlan, "49000")}, "49000", "0", "40466.25", "0.12", "4855", "49000"},
		{"inclusive 111000 is exact", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), true,
			[]core.InvoiceLine{line(core.LinePlan, "111000")}, "111000", "0", "91666.67", "0.12", "11000", "111000"},
		{"coupon 25% off", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "100000"), line(core.LineDiscount, "-25000")}, "100000", "25000", "68750.00", "0.12", "8250", "83250"},
		{"carried credit", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "100000"), line(core.LineCredit, "-33333")}, "66667", "0", "61111.42", "0.12", "7333", "74000"},
		{"proration", time.Date(2026, 1, 15, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LineProrationCredit, "-16129"), line(core.LineProrationCharge, "32258")}, "16129", "0", "14784.92", "0.12", "1774", "17903"},
		{"proration, credit and coupon, inclusive", time.Date(2026, 1, 15, 9, 0, 0, 0, wib), true,
			[]core.InvoiceLine{line(core.LinePlan, "150000"), line(core.LineCredit, "-20000"), line(core.LineDiscount, "-13000")}, "130000", "13000", "96622.17", "0.12", "11594", "117000"},
		// Per line each 9 × 11% = 0.99 rounds to 0; on the total 45 × 11% = 4.95 → 4.
		{"lines are not rounded alone", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "9"), line(core.LinePlan, "9"), line(core.LinePlan, "9"), line(core.LinePlan, "9"), line(core.LinePlan, "9")}, "45", "0", "41.25", "0.12", "4", "49"},
		{"credit beyond the price", time.Date(2026, 1, 5, 9, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "10000"), line(core.LineCredit, "-20000")}, "-10000", "0", "0.00", "0.12", "0", "0"},
		{"last day of 11%", time.Date(2024, 12, 31, 23, 59, 59, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "49000")}, "49000", "0", "49000.00", "0.11", "5390", "54390"},
		{"first moment of 12%", time.Date(2025, 1, 1, 0, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "49999")}, "49999", "0", "45832.42", "0.12", "5499", "55498"},
		{"11% on the full price", time.Date(2024, 6, 1, 0, 0, 0, 0, wib), false,
			[]core.InvoiceLine{line(core.LinePlan, "49999")}, "49999", "0", "49999.00", "0.11", "5499", "55498"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := core.Invoice{Currency: core.IDR, IssueDate: tt.issued, TaxInclusive: tt.inclusive, Lines: tt.lines}
			r, ok := core.RateOn(rates, tt.issued)
			if !ok {
				t.Fatal("no rate")
			}
			inv.TotalsPPN(r)
			got := []string{inv.Subtotal.String(), inv.Discount.String(), inv.TaxBase.String(), inv.TaxRate.String(), inv.Tax.String(), inv.Total.String()}
			want := []string{money(tt.subtotal), money(tt.discount), money(tt.dpp), tt.rate, money(tt.ppn), money(tt.total)}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("subtotal, discount, DPP, rate, PPN, total = %v, want %v", got, want)
			}
			if !inv.Tax.Amount().IsInteger() || !inv.Total.Amount().IsInteger() {
				t.Errorf("PPN %s or total %s has a fraction of a rupiah", inv.Tax, inv.Total)
			}
		})
	}
}

func money(s string) string { return core.MustMoney(s).String() }

func TestParsePPNRates(t *testing.T) {
	rates, err := core.ParsePPNRates("2026-07-01=0.13*11/12, 2025-01-01=0.12*11/12", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC), "0.12"},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "0.13"},
	} {
		r, ok := core.RateOn(rates, tt.at)
		if !ok || r.Rate.String() != tt.want || r.BaseNum != 11 || r.BaseDen != 12 {
			t.Errorf("rate on %v = %+v, want %s × 11/12", tt.at, r, tt.want)
		}
	}
	if _, ok := core.RateOn(rates, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("a rate before the first date")
	}
	for _, bad := range []string{"", "2025-01-01", "2025-13-01=0.12", "2025-01-01=1.5", "2025-01-01=0.12*12/11", "2025-01-01=0.12*x"} {
		if _, err := core.ParsePPNRates(bad, time.UTC); err == nil {
			t.Errorf("ParsePPNRates(%q) accepted", bad)
		}
	}
}

func pkpConfig() core.Config {
	cfg := core.DefaultConfig()
	cfg.Merchant = core.Merchant{Name: "PT Contoh Jaya", Address: "Jl. Sudirman 1, Jakarta", PKP: true, NPWP: "0012345678901234"}
	return cfg
}

// TestPPNOnCharges: a PKP merchant's PPN reaches what Midtrans is asked
// for; a non-PKP merchant's invoices carry none.
func TestPPNOnCharges(t *testing.T) {
	tests := []struct {
		name      string
		cfg       core.Config
		inclusive bool
		charge    string
		ppn       string
		dpp       string
	}{
		{"non-PKP", core.DefaultConfig(), false, "49000", "0", ""},
		{"PKP, PPN on top", pkpConfig(), false, "54390", "5390", "44916.67"},
		{"PKP, price includes PPN", pkpConfig(), true, "49000", "4855", "40466.25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvConfig(t, tt.cfg)
			p := e.plan("taxed", "49000", 0, 0)
			p.PriceIncludesTax = tt.inclusive
			if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
				t.Fatal(err)
			}
			res := e.subscribe("taxed", "bank_transfer")
			if !res.Payment.Amount.Equal(core.MustMoney(tt.charge)) {
				t.Fatalf("charged %s, want %s", res.Payment.Amount, tt.charge)
			}
			e.mustNotify(e.gw.Settle(res.Payment.OrderID))
			invs, err := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{})
			if err != nil || len(invs) != 1 {
				t.Fatalf("invoices %+v, %v", invs, err)
			}
			inv := invs[0]
			if inv.Status != core.InvoicePaid || !inv.Tax.Equal(core.MustMoney(tt.ppn)) || !inv.Total.Equal(core.MustMoney(tt.charge)) {
				t.Errorf("invoice %s: tax %s total %s, want %s and %s", inv.Status, inv.Tax, inv.Total, tt.ppn, tt.charge)
			}
			if got := inv.TaxBase; (tt.dpp == "") != !got.Valid() || (tt.dpp != "" && got.String() != tt.dpp) {
				t.Errorf("DPP = %v, want %q", got, tt.dpp)
			}
		})
	}
}

// TestDocumentNumbersUnderConcurrency: 20 invoices issued at once take
// INV/2026/000001 … 000020, and 20 refunds recorded at once credit notes
// CN/2026/000001 … 000020, with no gap and no duplicate.
func TestDocumentNumbersUnderConcurrency(t *testing.T) {
	coretest.DocumentNumbering(t, bolt.NewMemory())
}

// TestDraftsHaveNoNumber: without automatic invoices a draft has no number;
// it takes the next one when paid and keeps it.
func TestDraftsHaveNoNumber(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.DisableAutoInvoice = true
	cfg.InvoiceNumberPattern = "F-{YY}{MM}-{NNNN}"
	e := newEnvConfig(t, cfg)
	res := e.subscribe("basic", "bank_transfer")
	invs, err := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{})
	if err != nil || len(invs) != 1 || invs[0].Status != core.InvoiceDraft || invs[0].Number != "" {
		t.Fatalf("before payment: %+v, %v", invs, err)
	}
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	invs, err = e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{})
	if err != nil || len(invs) != 1 || invs[0].Status != core.InvoicePaid || invs[0].Number != "F-2601-0001" {
		t.Fatalf("after payment: %+v, %v", invs, err)
	}
}

func TestNumberPatterns(t *testing.T) {
	at := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ pattern, want string }{
		{core.DefaultInvoicePattern, "INV/2026/000123"},
		{"INV-{YYYY}{MM}-{NNNNNN}", "INV-202603-000123"},
		{"{YY}.{NNNN}/X", "26.0123/X"},
	} {
		if got := core.NumberPattern(tt.pattern).Format(at, 123); got != tt.want {
			t.Errorf("%s → %s, want %s", tt.pattern, got, tt.want)
		}
	}
	for _, bad := range []string{"INV", "INV/{N", "INV/{NX}", "{NN}/{NN}"} {
		if core.ValidateNumberPattern(bad) == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

// TestInvoiceEmailLinksPDF: with the public URL known, the invoice email
// links to the invoice's PDF.
func TestInvoiceEmailLinksPDF(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.PublicURL = "https://billing.example.com/"
	e := newNotifEnvConfig(t, cfg)
	inv := core.Invoice{ID: "33333333-3333-4333-8333-333333333333", Number: "INV/2026/000001", OwnerID: e.budi.ID,
		Status: core.InvoiceOpen, Currency: core.IDR, Total: core.MustMoney("49000"), IssueDate: start}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.Invoices().Put(inv) }); err != nil {
		t.Fatal(err)
	}
	e.append(core.Event{ID: "evt-inv", Type: core.EvInvoiceIssued, OwnerID: e.budi.ID, Data: map[string]any{"invoice_id": inv.ID, "number": inv.Number, "total": "49000.00"}})
	e.run()
	if len(e.email.sent) != 1 {
		t.Fatalf("emails: %+v", e.email.sent)
	}
	m := e.email.sent[0]
	html, _ := m.Payload["html"].(string)
	link := "https://billing.example.com/api/invoices/" + inv.ID + "/pdf"
	if !strings.Contains(m.Body, "Tagihan (PDF): "+link) || !strings.Contains(html, `href="`+link+`"`) {
		t.Errorf("email does not link the PDF:\n%s\n%s", m.Body, html)
	}
}

// TestVoidKeepsItsNumber: an invoice voided (its first charge expired)
// keeps its number, and the next invoice never takes it again.
func TestVoidKeepsItsNumber(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.ExpireOrder(res.Payment.OrderID))
	voided, err := e.svc.GetInvoice(e.ctx, e.user, res.Payment.InvoiceID)
	if err != nil || voided.Status != core.InvoiceVoid || voided.Number != "INV/2026/000001" {
		t.Fatalf("after the first charge expired: %s %q, %v; want void INV/2026/000001", voided.Status, voided.Number, err)
	}
	next := e.subscribe("basic", "bank_transfer")
	inv, err := e.svc.GetInvoice(e.ctx, e.user, next.Payment.InvoiceID)
	if err != nil || inv.Number != "INV/2026/000002" {
		t.Fatalf("the next invoice is %q, %v; want INV/2026/000002", inv.Number, err)
	}
}
