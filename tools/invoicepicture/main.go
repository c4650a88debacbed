// Command invoicepicture draws the README's picture of an invoice: it
// renders a sample PKP merchant's invoice with the service's own HTML
// document (adapters/documents) and has headless Chromium take a
// screenshot of it.
//
//	go run ./tools/invoicepicture            # writes docs/invoice.png
//	go run ./tools/invoicepicture -chromium /path/to/chromium -o out.png
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/langganan/langganan/adapters/documents"
	"github.com/langganan/langganan/core"
)

func main() {
	out := flag.String("o", "docs/invoice.png", "the PNG to write")
	chromium := flag.String("chromium", "/usr/bin/chromium", "headless Chromium")
	flag.Parse()
	if err := run(*out, *chromium); err != nil {
		fmt.Fprintln(os.Stderr, "invoicepicture:", err)
		os.Exit(1)
	}
}

func run(out, chromium string) error {
	page, err := documents.HTML(sample())
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "invoicepicture")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	html := filepath.Join(dir, "invoice.html")
	if err := os.WriteFile(html, page, 0o600); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--force-device-scale-factor=1", "--window-size=860,860", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+abs, "file://"+html)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("chromium: %w", err)
	}
	fmt.Println("wrote", out)
	return nil
}

// sample is a paid monthly invoice of a PKP merchant: two seats, a coupon,
// PPN at 12% on a DPP of 11/12, in Indonesian.
func sample() core.InvoiceDocument {
	wib := time.FixedZone("WIB", 7*3600)
	issued := time.Date(2026, 1, 5, 9, 0, 0, 0, wib)
	inv := core.Invoice{ID: "0195a2c4-0000-7000-8000-000000000123", Number: "INV/2026/000123", Status: core.InvoicePaid,
		Currency: core.IDR, IssueDate: issued, DueDate: issued.Add(24 * time.Hour), PeriodStart: issued, PeriodEnd: issued.AddDate(0, 1, 0),
		Lines: []core.InvoiceLine{
			{Kind: core.LinePlan, Description: "Pro × 2 seats", Quantity: 2, UnitAmount: core.MustMoney("49000"), Amount: core.MustMoney("98000")},
			{Kind: core.LineDiscount, Description: "Coupon HEMAT10", Quantity: 1, UnitAmount: core.MustMoney("-9800"), Amount: core.MustMoney("-9800")},
		}}
	rate, _ := core.RateOn(core.DefaultPPNRates(wib), issued)
	inv.TotalsPPN(rate)
	return core.InvoiceDocument{Invoice: inv, Locale: "id", Location: wib,
		Merchant: core.Merchant{Name: "PT Contoh Jaya", Address: "Jl. Sudirman 1, Jakarta 10220", PKP: true, NPWP: "0012345678901234",
			Email: "billing@contoh.example", Phone: "021-5550123"},
		Customer:      core.Party{Name: "Budi Santoso", Email: "budi@example.com", Phone: "08123456789"},
		PaymentStatus: core.PaymentPaid, PaymentType: core.PayBankTransfer, Bank: "bca", OrderID: "SUB-0195A2C4-1-1",
		PaidAt: issued.Add(2 * time.Hour)}
}
