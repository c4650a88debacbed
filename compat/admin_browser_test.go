package compat

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The admin console in Chromium, against cmd/server run as a process (the
// emulator in-process, a manual clock): an admin finds a past-due
// subscriber and sees the retry schedule; an admin resends a failed
// webhook delivery. Every console page passes axe-core and is
// screenshotted.

// adminSignIn signs the admin in through the form and lands on the console.
// The console is a desktop tool: its pages are checked and pictured at a
// laptop's width.
func adminSignIn(base string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base + "/sign-in?next=%2Fadmin%2F"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, "admin", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "compat-admin-pw", chromedp.ByQuery),
		follow(`form[action="/sign-in"] button[type=submit]`),
		chromedp.WaitVisible(`#over-time-h`, chromedp.ByQuery),
	}
}

// subscriber creates a customer with a paid Basic subscription by BNI
// virtual account.
func (s *server) subscriber(name string) {
	s.t.Helper()
	s.must(201, "POST", "/api/admin/users/", s.adminAuth, map[string]any{"username": name, "password": name + "-password-1",
		"email": name + "@example.test", "first_name": strings.ToUpper(name[:1]) + name[1:]})
	auth := name + ":" + name + "-password-1"
	created := s.must(201, "POST", "/api/subscriptions/", auth, map[string]any{"plan_id": "basic", "payment_type": "bank_transfer",
		"metadata": map[string]any{"bank": "bni"}})
	s.payOpen(auth, created["payment"].(map[string]any)["id"].(string), created["payment"].(map[string]any)["order_id"].(string))
}

// payOpen pays an order at the emulator and has the service read it back.
func (s *server) payOpen(auth, paymentID, orderID string) {
	s.t.Helper()
	if st, m := s.call("POST", "/_sim/transactions/"+orderID+"/settle", "", nil); st != 200 {
		s.t.Fatalf("settle %s: %d %v", orderID, st, m)
	}
	s.must(200, "GET", "/api/payments/"+paymentID+"/check-status/", auth, nil)
}

func (s *server) advance(d string) {
	s.t.Helper()
	s.must(200, "POST", "/api/admin/clock/advance/", s.adminAuth, map[string]any{"duration": d})
}

// TestBrowserAdminFindsPastDueSubscriber: two customers pay their first
// month; at the renewal siti pays and budi does not. The admin searches the
// subscriptions for budi's unpaid renewal, opens his history, and reads
// the retry schedule in the dunning queue: what the API's dunning queue
// says. Every console page is checked and screenshotted on the way.
func TestBrowserAdminFindsPastDueSubscriber(t *testing.T) {
	s := startServer(t) // first: building it must not eat the browser's time
	ctx, cancel := browser(t)
	defer cancel()
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": "Basic", "slug": "basic", "price": "49000", "interval": 1, "interval_unit": "month"})
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": "Pro", "slug": "pro", "price": "99000", "interval": 1, "interval_unit": "month"})
	s.must(201, "POST", "/api/admin/coupons/", s.adminAuth, map[string]any{"code": "HEMAT20", "percent_off": "20", "duration": "repeating", "duration_in_cycles": 3})
	s.subscriber("budi")
	s.subscriber("siti")
	// Siti renews from her wallet, which holds nothing: at the renewal the
	// admins are alerted and she pays a virtual account instead.
	s.must(200, "PATCH", "/api/wallet/me/", "siti:siti-password-1", map[string]any{"auto_pay": true})
	// The renewal (January 31 clamps to February 28): siti pays hers.
	s.advance("28d")
	pending := s.must(200, "GET", "/api/payments/?status=pending", "siti:siti-password-1", nil)["results"].([]any)
	if len(pending) != 1 {
		t.Fatalf("siti's open orders at the renewal: %v", pending)
	}
	renewal := pending[0].(map[string]any)
	s.payOpen("siti:siti-password-1", renewal["id"].(string), renewal["order_id"].(string))
	// A day later budi's renewal order has expired unpaid: past due. Dewi
	// signs up and does not pay: two hours on, her order is stale.
	s.advance("25h")
	s.must(201, "POST", "/api/admin/users/", s.adminAuth, map[string]any{"username": "dewi", "password": "dewi-password-1"})
	s.must(201, "POST", "/api/subscriptions/", "dewi:dewi-password-1", map[string]any{"plan_id": "pro", "payment_type": "bank_transfer"})
	s.advance("2h")
	queue := s.must(200, "GET", "/api/admin/dunning/", s.adminAuth, nil)
	entries := queue["results"].([]any)
	if len(entries) != 1 {
		t.Fatalf("dunning queue: %v", queue)
	}
	entry := entries[0].(map[string]any)
	if entry["retries_made"] != float64(0) || entry["retries_left"] != float64(3) || entry["next_retry_at"] == nil {
		t.Fatalf("budi's schedule: %v", entry)
	}
	subID := entry["subscription"].(map[string]any)["id"].(string)
	// The schedule as the page shows it: WIB, Indonesian.
	nextRetry := wib(t, entry["next_retry_at"].(string))
	grace := wib(t, entry["grace_ends_at"].(string))
	s.must(200, "POST", "/api/admin/billing/run/", s.adminAuth, nil) // today's figures, after the renewals

	var count, owner, status, made, left, next, ends, title, notice string
	err := chromedp.Run(ctx,
		adminSignIn(s.url),
		chromedp.WaitVisible(`#chart-mrr svg`, chromedp.ByQuery),
		check(t, "admin-dashboard"),
		follow(`nav a[href="/admin/subscriptions"]`),
		chromedp.WaitVisible(`#search`, chromedp.ByQuery),
		chromedp.SendKeys(`#search`, "budi", chromedp.ByQuery),
		chromedp.Click(`#past_due`, chromedp.ByQuery),
		follow(`form.filters button[type=submit]`),
		chromedp.WaitVisible(`tr[data-subscription="`+subID+`"]`, chromedp.ByQuery),
		chromedp.Text(`#result-count`, &count, chromedp.ByQuery),
		chromedp.Text(`tr[data-subscription="`+subID+`"] td:nth-child(2)`, &owner, chromedp.ByQuery),
		chromedp.Text(`tr[data-subscription="`+subID+`"] .status`, &status, chromedp.ByQuery),
		check(t, "admin-subscriptions"),
		follow(`tr[data-subscription="`+subID+`"] td:nth-child(2) a`),
		chromedp.WaitVisible(`#midtrans-h`, chromedp.ByQuery),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
		check(t, "admin-subscriber"),
		follow(`nav a[href="/admin/dunning"]`),
		chromedp.WaitVisible(`#dunning tr[data-subscription="`+subID+`"]`, chromedp.ByQuery),
		chromedp.Text(`#dunning .retries-made`, &made, chromedp.ByQuery),
		chromedp.Text(`#dunning .retries-left`, &left, chromedp.ByQuery),
		chromedp.Text(`#dunning .next-retry`, &next, chromedp.ByQuery),
		chromedp.Text(`#dunning .grace-ends`, &ends, chromedp.ByQuery),
		check(t, "admin-dunning"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if strings.TrimSpace(count) != "Hasil: 1" || strings.TrimSpace(owner) != "budi" || strings.TrimSpace(status) != "menunggak" {
		t.Errorf("search for budi, past due: count %q, owner %q, status %q", count, owner, status)
	}
	if !strings.Contains(title, "budi") {
		t.Errorf("history page title %q", title)
	}
	if made != "0" || left != "3" || next != nextRetry || ends != grace {
		t.Errorf("dunning row: made %q left %q next %q grace %q; the API says 0, 3, %q, %q", made, left, next, ends, nextRetry, grace)
	}
	// The other pages, in English this time.
	err = chromedp.Run(ctx,
		follow(`a.lang`),
		chromedp.WaitVisible(`#dunning`, chromedp.ByQuery),
		follow(`nav a[href="/admin/payments"]`),
		chromedp.WaitVisible(`#stale tr[data-payment]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#alerts tr[data-alert] button`, chromedp.ByQuery),
		check(t, "admin-payments"),
		follow(`#alerts tr[data-alert] button`),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text(`p.notice`, &notice, chromedp.ByQuery),
		follow(`nav a[href="/admin/notifications"]`),
		chromedp.WaitVisible(`tr[data-log] a`, chromedp.ByQuery),
		check(t, "admin-notifications"),
		follow(`tr[data-log] a`),
		chromedp.WaitVisible(`#raw-body`, chromedp.ByQuery),
		check(t, "admin-notification"),
		follow(`nav a[href="/admin/webhooks"]`),
		chromedp.WaitVisible(`#endpoints`, chromedp.ByQuery),
		check(t, "admin-webhooks-empty"),
		follow(`nav a[href="/admin/plans"]`),
		chromedp.WaitVisible(`#plans`, chromedp.ByQuery),
		check(t, "admin-plans"),
		follow(`#plans tr[data-plan="pro"] a`),
		chromedp.WaitVisible(`#features`, chromedp.ByQuery),
		check(t, "admin-plan"),
		follow(`nav a[href="/admin/coupons"]`),
		chromedp.WaitVisible(`#coupons`, chromedp.ByQuery),
		check(t, "admin-coupons"),
		follow(`#coupons tr[data-coupon="HEMAT20"] a`),
		chromedp.WaitVisible(`#max_redemptions`, chromedp.ByQuery),
		check(t, "admin-coupon"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if notice != "Alert marked read." {
		t.Errorf("after marking the alert read: %q", notice)
	}
}

// wib formats an RFC 3339 time as the Indonesian pages do.
func wib(t *testing.T, s string) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	months := []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	at = at.In(time.FixedZone("WIB", 7*3600))
	return at.Format("2") + " " + months[at.Month()-1] + " " + at.Format("2006 15:04") + " WIB"
}

// receiver is a merchant's webhook endpoint that fails until told to
// work, recording the event id of every delivery it is sent.
type receiver struct {
	mu     sync.Mutex
	fail   bool
	events []string
	srv    *httptest.Server
}

func newReceiver() *receiver {
	r := &receiver{fail: true}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, req.Header.Get("Langganan-Event-Id"))
		if r.fail {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	return r
}

func (r *receiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// TestBrowserAdminResendsFailedDelivery: the merchant's endpoint fails the
// first delivery (the retry waits a minute on a clock that stands still);
// once it works again the admin presses Resend in the console and the same
// event is delivered at once.
func TestBrowserAdminResendsFailedDelivery(t *testing.T) {
	rcv := newReceiver()
	defer rcv.srv.Close()
	s := startServer(t, "LANGGANAN_WEBHOOK_ALLOW_HOSTS=127.0.0.1")
	ctx, cancel := browser(t)
	defer cancel()
	ep := s.must(201, "POST", "/api/admin/webhook-endpoints/", s.adminAuth, map[string]any{"url": rcv.srv.URL + "/hooks",
		"events": []string{"subscription.created"}, "description": "Toko Budi ERP"})
	epID := ep["id"].(string)
	s.must(201, "POST", "/api/plans/", s.adminAuth, map[string]any{"name": "Basic", "slug": "basic", "price": "49000", "interval": 1, "interval_unit": "month"})
	s.must(201, "POST", "/api/admin/users/", s.adminAuth, map[string]any{"username": "budi", "password": "budi-password-1"})
	s.must(201, "POST", "/api/subscriptions/", "budi:budi-password-1", map[string]any{"plan_id": "basic", "payment_type": "bank_transfer"})

	// The notification loop (every second) relays the event and tries it.
	delivery := waitFor(t, "a failed attempt", func() map[string]any {
		res := s.must(200, "GET", "/api/admin/webhook-endpoints/"+epID+"/deliveries/", s.adminAuth, nil)["results"].([]any)
		if len(res) == 1 && res[0].(map[string]any)["attempts"] == float64(1) {
			return res[0].(map[string]any)
		}
		return nil
	})
	if got := rcv.received(); len(got) != 1 || got[0] != delivery["event_id"] {
		t.Fatalf("receiver saw %v, want the one event %v", got, delivery["event_id"])
	}
	rcv.mu.Lock()
	rcv.fail = false
	rcv.mu.Unlock()
	row := `tr[data-delivery="` + delivery["id"].(string) + `"]`
	var before, lastError, after string
	err := chromedp.Run(ctx,
		adminSignIn(s.url),
		follow(`nav a[href="/admin/webhooks"]`),
		chromedp.WaitVisible(row, chromedp.ByQuery),
		chromedp.Text(row+` .delivery-status`, &before, chromedp.ByQuery),
		chromedp.Text(row+` td:nth-child(5)`, &lastError, chromedp.ByQuery),
		check(t, "admin-webhooks"),
		follow(row+` button.resend`),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if strings.TrimSpace(before) != "queued" || !strings.Contains(lastError, "500") {
		t.Errorf("before the resend: status %q, last error %q; want a queued delivery that failed with 500", before, lastError)
	}
	waitFor(t, "the resent delivery", func() map[string]any {
		if got := rcv.received(); len(got) == 2 {
			return map[string]any{}
		}
		return nil
	})
	if got := rcv.received(); got[1] != got[0] {
		t.Errorf("the resend carried event %q, the first delivery %q: want the same event", got[1], got[0])
	}
	// The page, reloaded, shows the delivery sent.
	for deadline := time.Now().Add(20 * time.Second); ; {
		if err := chromedp.Run(ctx, chromedp.Reload(), chromedp.WaitVisible(row, chromedp.ByQuery),
			chromedp.Text(row+` .delivery-status`, &after, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(after) == "sent" || time.Now().After(deadline) {
			break
		}
	}
	if strings.TrimSpace(after) != "sent" {
		t.Errorf("after the resend the console shows %q, want sent", after)
	}
}

// waitFor polls cond (a service or receiver state, not time) until it
// answers non-nil, for at most 30 seconds.
func waitFor(t *testing.T, what string, cond func() map[string]any) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if v := cond(); v != nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond) // a poll interval: cond decides, not the wait
	}
}
