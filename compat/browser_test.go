package compat

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/midtrans/midtrans-go"
	"github.com/midtrans/midtrans-go/coreapi"
)

const chromium = "/usr/bin/chromium"

// TestBrowserPaysPendingTransaction opens the simulator page in headless Chromium, clicks "Pay" on a
// pending VA transaction and sees it settle (page, status API and notification).
func TestBrowserPaysPendingTransaction(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("headless Chromium not found at %s (apt-get install -y chromium); skipping the browser test", chromium)
	}
	e := newEnv(t)
	req := charge("web-1", coreapi.PaymentTypeBankTransfer, 25000)
	req.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBni}
	_, merr := e.c.ChargeTransaction(req)
	ok(t, merr)

	ctx, done := browser(t)
	defer done()

	var before, after, msg string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(`tr[data-order="web-1"] button.pay`, chromedp.ByQuery),
		chromedp.Text(`tr[data-order="web-1"] td.status`, &before, chromedp.ByQuery),
		chromedp.Click(`tr[data-order="web-1"] button.pay`, chromedp.ByQuery),
		chromedp.WaitVisible(`#msg`, chromedp.ByQuery),
		chromedp.Text(`#msg`, &msg, chromedp.ByQuery),
		chromedp.Text(`tr[data-order="web-1"] td.status`, &after, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.HasPrefix(before, "pending") || !strings.HasPrefix(after, "settlement") {
		t.Fatalf("page status before %q after %q (message %q)", before, after, msg)
	}
	st, serr := e.c.CheckTransaction("web-1")
	ok(t, serr)
	if st.TransactionStatus != "settlement" {
		t.Fatalf("status API: %+v", st)
	}
	if n := e.hook.last(); n["order_id"] != "web-1" || n["transaction_status"] != "settlement" {
		t.Fatalf("notification: %v", n)
	}
}
