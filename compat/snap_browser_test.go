package compat

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/midtrans/midtrans-go/snap"
)

func browser(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("headless Chromium not found at %s; skipping the browser test", chromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	return ctx, func() { cancelT(); cancel(); cancelA() }
}

// TestBrowserSnapRedirectVA opens a Snap redirect_url, picks BNI VA, pays it
// in the simulator in another tab, and lands on the Finish URL once the
// page notices the payment.
func TestBrowserSnapRedirectVA(t *testing.T) {
	e := newEnv(t)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<!doctype html><p id=shop>%s %s %s</p>", r.URL.Query().Get("order_id"), r.URL.Query().Get("status_code"), r.URL.Query().Get("transaction_status"))
	}))
	defer shop.Close()
	res, merr := e.snapClient(serverKey).CreateTransactionWithMap(&snap.RequestParamWithMap{
		"transaction_details": map[string]any{"order_id": "snap-web-1", "gross_amount": 25000},
		"callbacks":           map[string]any{"finish": shop.URL + "/done"},
	})
	ok(t, merr)
	ctx, cancel := browser(t)
	defer cancel()
	var va, landed string
	err := chromedp.Run(ctx,
		chromedp.Navigate(res["redirect_url"].(string)),
		chromedp.Click(`#method-bni_va`, chromedp.ByQuery),
		chromedp.WaitVisible(`#va-number`, chromedp.ByQuery),
		chromedp.Text(`#va-number`, &va, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	e.sim("/_sim/pay", `{"va_number":"`+strings.TrimSpace(va)+`"}`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#shop`, chromedp.ByQuery),
		chromedp.Text(`#shop`, &landed, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser after paying: %v", err)
	}
	if landed != "snap-web-1 200 settlement" {
		t.Fatalf("finish page shows %q", landed)
	}
}

// TestBrowserSnapJSPopupCard drives snap.pay from a merchant page on
// another origin: a 3-D Secure card payment in the popup ends in onSuccess
// with Midtrans' result object.
func TestBrowserSnapJSPopupCard(t *testing.T) {
	e := newEnv(t)
	tok, merr := e.snapClient(serverKey).CreateTransactionTokenWithMap(&snap.RequestParamWithMap{
		"transaction_details": map[string]any{"order_id": "snap-js-1", "gross_amount": 30000},
		"credit_card":         map[string]any{"secure": true},
		"enabled_payments":    []string{"credit_card", "bca_va"},
	})
	ok(t, merr)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, `document.getElementById("pay").addEventListener("click", function () {
  window.snap.pay(%q, {
    onSuccess: function (r) { document.getElementById("out").textContent = "success " + r.order_id + " " + r.status_code + " " + r.transaction_status; },
    onPending: function (r) { document.getElementById("out").textContent = "pending"; },
    onError: function (r) { document.getElementById("out").textContent = "error"; },
    onClose: function () { document.getElementById("out").textContent = "closed"; }
  });
});`, tok)
		default:
			w.Header().Set("Content-Security-Policy", "script-src 'self' "+e.srv.URL)
			fmt.Fprintf(w, `<!doctype html><button id="pay">Pay</button><p id="out"></p>
<script src="%s/snap/snap.js" data-client-key="%s"></script><script src="/app.js"></script>`, e.srv.URL, clientKey)
		}
	}))
	defer shop.Close()
	ctx, cancel := browser(t)
	defer cancel()
	var out string
	err := chromedp.Run(ctx,
		chromedp.Navigate(shop.URL+"/"),
		chromedp.Click(`#pay`, chromedp.ByQuery),
		chromedp.WaitVisible(`#snap-midtrans`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("open popup: %v", err)
	}
	err = chromedp.Run(ctx,
		clickInFrame(`#card-pay`),
		clickInFrame(`form button[value=ok]`),
		chromedp.WaitVisible(`#out:not(:empty)`, chromedp.ByQuery),
		chromedp.Text(`#out`, &out, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("pay in popup: %v", err)
	}
	if out != "success snap-js-1 200 capture" {
		t.Fatalf("callback said %q", out)
	}
	if n := e.hook.last(); n["order_id"] != "snap-js-1" || n["transaction_status"] != "capture" {
		t.Fatalf("notification: %v", n)
	}
}

// clickInFrame clicks sel inside the Snap iframe (its document is looked
// up again each time, as the page inside navigates).
func clickInFrame(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var frames []*cdp.Node
			if err := chromedp.Nodes(`#snap-midtrans`, &frames, chromedp.ByQuery).Do(ctx); err != nil {
				return err
			}
			var found []*cdp.Node
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := chromedp.Nodes(sel, &found, chromedp.ByQuery, chromedp.FromNode(frames[0])).Do(qctx)
			cancel()
			if err == nil && len(found) > 0 {
				return chromedp.MouseClickNode(found[0]).Do(ctx)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	})
}

// TestBrowserSnapJSEmbedPendingAndClose embeds Snap in the merchant page:
// choosing a VA and going back reports onPending with the VA number; a
// popup closed with its button reports onClose. No page logs a Content
// Security Policy violation or a script error.
func TestBrowserSnapJSEmbedPendingAndClose(t *testing.T) {
	e := newEnv(t)
	c := e.snapClient(serverKey)
	tok1, merr := c.CreateTransactionTokenWithMap(&snap.RequestParamWithMap{
		"transaction_details": map[string]any{"order_id": "snap-embed-1", "gross_amount": 20000}, "enabled_payments": []string{"bri_va"}})
	ok(t, merr)
	tok2, merr := c.CreateTransactionTokenWithMap(&snap.RequestParamWithMap{
		"transaction_details": map[string]any{"order_id": "snap-close-1", "gross_amount": 20000}})
	ok(t, merr)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, `var out = document.getElementById("out");
function cb() { return {
  onSuccess: function (r) { out.textContent = "success"; },
  onPending: function (r) { out.textContent = "pending " + r.order_id + " " + r.status_code + " " + r.va_numbers[0].bank; },
  onError: function (r) { out.textContent = "error"; },
  onClose: function () { out.textContent = "closed"; } }; }
document.getElementById("embed").addEventListener("click", function () { var o = cb(); o.embedId = "here"; window.snap.embed(%q, o); });
document.getElementById("pay").addEventListener("click", function () { window.snap.show(); window.snap.pay(%q, cb()); });`, tok1, tok2)
		default:
			w.Header().Set("Content-Security-Policy", "script-src 'self' "+e.srv.URL)
			fmt.Fprintf(w, `<!doctype html><button id="embed">Embed</button><button id="pay">Pay</button><p id="out"></p><div id="here"></div>
<script src="%s/snap/snap.js"></script><script src="/app.js"></script>`, e.srv.URL)
		}
	}))
	defer shop.Close()
	ctx, cancel := browser(t)
	defer cancel()
	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				problems = append(problems, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, ev.ExceptionDetails.Error())
		}
	})
	var out string
	err := chromedp.Run(ctx,
		cdplog.Enable(),
		chromedp.Navigate(shop.URL+"/"),
		chromedp.Click(`#embed`, chromedp.ByQuery),
		clickInFrame(`#method-bri_va`),
		clickInFrame(`#finish`),
		chromedp.WaitVisible(`#out:not(:empty)`, chromedp.ByQuery),
		chromedp.Text(`#out`, &out, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("embed: %v", err)
	}
	if out != "pending snap-embed-1 201 bri" {
		t.Fatalf("embed callback said %q", out)
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.getElementById("out").textContent = ""`, nil),
		chromedp.Click(`#pay`, chromedp.ByQuery),
		chromedp.WaitVisible(`#snap-midtrans-close`, chromedp.ByQuery),
		clickInFrame(`#method-gopay`), // the popup's page works before it is closed
		chromedp.Click(`#snap-midtrans-close`, chromedp.ByQuery),
		chromedp.WaitVisible(`#out:not(:empty)`, chromedp.ByQuery),
		chromedp.Text(`#out`, &out, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("popup: %v", err)
	}
	if out != "closed" {
		t.Fatalf("close callback said %q", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("the pages logged: %q", problems)
	}
}
