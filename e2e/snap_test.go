//go:build e2e

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestJourneySnapTopUp: a top-up paid through Snap with real processes. The
// server opens a Snap checkout at cmd/mockmidtrans; the order is unknown to
// Midtrans until the customer picks BCA VA on the hosted page (a plain form
// post); paying the VA in the simulator credits the wallet once, and the
// page then returns to the finish URL with Midtrans' parameters.
func TestJourneySnapTopUp(t *testing.T) {
	s := newStack(t)
	u := s.newUser("snapper")
	top := s.must(s.api("POST", "/topups/", J{"amount": "150000", "payment_type": "snap", "enabled_payments": []string{"bca_va", "gopay"},
		"finish_url": "https://shop.example/wallet?from=snap"}, u.bearer), 201).obj()
	page, token, order := str(top, "redirect_url"), str(top, "snap_token"), str(top, "order_id")
	if str(top, "payment_type") != "snap" || token == "" || !strings.HasPrefix(page, s.mock.url+"/snap/") || str(top, "status") != "pending" {
		t.Fatalf("top-up: %v", top)
	}
	if r := s.midtransStatus(order); r.status != 404 {
		t.Fatalf("status before a method is chosen: %v", r)
	}
	// A reconciliation pass while the page is open changes nothing.
	s.advance(2 * time.Hour)
	if got := s.must(s.api("GET", "/topups/"+str(top, "id")+"/", nil, u.bearer), 200).obj(); str(got, "status") != "pending" {
		t.Fatalf("top-up after 2h: %v", got)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.PostForm(page+"/charge", url.Values{"method": {"bca_va"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing BCA VA: %d", res.StatusCode)
	}
	st := s.must(s.midtransStatus(order), 200).obj()
	vas, _ := st["va_numbers"].([]any)
	if str(st, "transaction_status") != "pending" || len(vas) != 1 {
		t.Fatalf("status after choosing: %v", st)
	}
	va := str(vas[0].(J), "va_number")
	s.must(s.sim("POST", "/_sim/pay", J{"va_number": va}), 200)
	got := s.must(s.api("GET", "/topups/"+str(top, "id")+"/", nil, u.bearer), 200).obj()
	if str(got, "status") != "paid" || str(got, "snap_token") != token {
		t.Fatalf("top-up after paying: %v", got)
	}
	w := s.must(s.api("GET", "/wallet/me/", nil, u.bearer), 200).obj()
	if str(w, "balance") != "150000.00" {
		t.Fatalf("wallet: %v", w)
	}
	res, err = noFollow.PostForm(page+"/finish", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || loc.Host != "shop.example" || loc.Query().Get("from") != "snap" ||
		loc.Query().Get("order_id") != order || loc.Query().Get("status_code") != "200" || loc.Query().Get("transaction_status") != "settlement" {
		t.Fatalf("finish redirect: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestJourneySnapPageExpires: a Snap top-up nobody pays is settled as
// expired by reconciliation after its page expired, without a notification.
func TestJourneySnapPageExpires(t *testing.T) {
	s := newStack(t)
	u := s.newUser("snapidle")
	top := s.must(s.api("POST", "/topups/", J{"amount": "50000", "payment_type": "snap"}, u.bearer), 201).obj()
	s.advance(25 * time.Hour)
	got := s.must(s.api("GET", "/topups/"+str(top, "id")+"/", nil, u.bearer), 200).obj()
	if str(got, "status") != "expired" {
		t.Fatalf("top-up after its page expired: %v", got)
	}
	if r := s.midtransStatus(str(top, "order_id")); r.status != 404 {
		t.Fatalf("Midtrans status: %v", r)
	}
}

// midtransStatus is GET /v2/{order_id}/status at the emulator, with the server key.
func (s *stack) midtransStatus(orderID string) resp {
	return s.do("GET", s.mock.url+"/v2/"+orderID+"/status", nil, cred{user: serverKey}, nil)
}

// TestJourneySnapGopayLinked: a monthly subscription's Snap page offers
// GoPay linking; the customer links and pays there, and the subscription
// then belongs to the Midtrans Subscription API with that GoPay account.
func TestJourneySnapGopayLinked(t *testing.T) {
	s := newStack(t)
	s.plan("snapmonthly", "75000", nil)
	u := s.newUser("snapgopay")
	sub, pay := s.subscribe(u, J{"plan_id": "snapmonthly", "payment_type": "snap", "enabled_payments": []string{"gopay"}})
	page := str(pay, "redirect_url")
	if str(sub, "status") != "pending" || page == "" {
		t.Fatalf("subscription %v payment %v", sub, pay)
	}
	res, err := http.PostForm(page+"/gopay-link", url.Values{"phone": {"81234567890"}, "pin": {"112233"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("linking on the page: %d", res.StatusCode)
	}
	got := s.getSub(u, str(sub, "id"))
	if str(got, "status") != "active" || str(got, "payment_type") != "gopay" || str(got, "midtrans_subscription_id") == "" {
		t.Fatalf("subscription after the GoPay payment: %v", got)
	}
	subs := s.must(s.sim("GET", "/_sim/subscriptions", nil), 200)
	if !strings.Contains(subs.String(), str(got, "midtrans_subscription_id")) || !strings.Contains(subs.String(), "gopay") {
		t.Fatalf("emulator subscriptions: %v", subs)
	}
}
