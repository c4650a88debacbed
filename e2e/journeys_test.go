//go:build e2e

package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cardToken asks the emulator for a one-time card token, as a browser would.
func (s *stack) cardToken(number string) string {
	s.t.Helper()
	q := url.Values{"client_key": {clientKey}, "card_number": {number}, "card_exp_month": {"12"},
		"card_exp_year": {"2030"}, "card_cvv": {"123"}}
	r := s.must(s.sim("GET", "/v2/token?"+q.Encode(), nil), 200)
	tok := str(r.obj(), "token_id")
	if tok == "" {
		s.t.Fatalf("no token_id: %v", r)
	}
	return tok
}

// fundWallet credits a user's wallet through the admin adjustment.
func (s *stack) fundWallet(u user, amount string) {
	s.t.Helper()
	s.requireRoute("GET", "/wallet/me/")
	s.requireRoute("POST", "/admin/wallets/{id}/adjust/")
	w := s.must(s.api("GET", "/wallet/me/", nil, u.bearer), 200).obj()
	if r := s.api("POST", "/admin/wallets/"+str(w, "id")+"/adjust/", J{"amount": amount, "reason": "e2e credit"}, admin); r.status != 201 && r.status != 200 {
		s.t.Fatalf("wallet adjustment: %v", r)
	}
}

// linkGopay links a GoPay account through the Pay Account API and answers
// the active payment method.
func (s *stack) linkGopay(u user) J {
	s.t.Helper()
	s.requireRoute("POST", "/payment-methods/gopay/")
	m := s.api("POST", "/payment-methods/gopay/", J{"phone_number": "081234567890"}, u.bearer)
	if m.status != 201 && m.status != 200 {
		s.t.Fatalf("link gopay: %v", m)
	}
	acct := str(m.obj(), "account_id")
	s.must(s.sim("POST", "/_sim/pay-accounts/"+acct+"/link", J{}), 200)
	for _, pm := range s.must(s.api("GET", "/payment-methods/", nil, u.bearer), 200).results() {
		if str(pm, "id") == str(m.obj(), "id") {
			if str(pm, "status") != "active" {
				s.t.Fatalf("payment method after linking: %v", pm)
			}
			return pm
		}
	}
	s.t.Fatalf("linked payment method %s not listed", str(m.obj(), "id"))
	return nil
}

// payIfPending pays p when it is still pending and answers the payment as the
// server then has it.
func (s *stack) payIfPending(u user, p J) J {
	s.t.Helper()
	if str(p, "status") == "pending" {
		s.pay(p)
	}
	return s.must(s.api("GET", "/payments/"+str(p, "id")+"/", nil, u.bearer), 200).obj()
}

// cyclePayment is the newest payment of a subscription's cycle (nil if none).
func (s *stack) cyclePayment(u user, subID string, cycle int) J {
	s.t.Helper()
	var out J
	for _, p := range s.subPayments(u, subID) {
		if str(p, "cycle") == itoa(cycle) && (out == nil || str(p, "created_at") >= str(out, "created_at")) {
			out = p
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// wantSub fails unless the subscription has the status (and cycle, if > 0).
func (s *stack) wantSub(u user, id, status string, cycle int) J {
	s.t.Helper()
	sub := s.getSub(u, id)
	if str(sub, "status") != status || (cycle > 0 && str(sub, "cycle_count") != itoa(cycle)) {
		s.t.Fatalf("subscription %s: want %s cycle %d, have %s cycle %s\n%v", id, status, cycle,
			str(sub, "status"), str(sub, "cycle_count"), sub)
	}
	return sub
}

// exactlyOnce checks the emulator's transactions against the server's
// payments of the given users: every order the emulator holds is one the
// server knows (or, for Subscription API charges, one the server recorded),
// no order twice, and per (subscription, invoice) at most one settled
// payment (a proration is an invoice of its own within a cycle).
func (s *stack) exactlyOnce(users ...user) {
	s.t.Helper()
	known := map[string]J{}
	settled := map[string]int{}
	for _, u := range users {
		for _, p := range s.payments(u.bearer) {
			if _, dup := known[str(p, "order_id")]; dup {
				s.t.Errorf("order %s listed twice by the server", str(p, "order_id"))
			}
			known[str(p, "order_id")] = p
			if sid := str(p, "subscription_id"); sid != "" && paidStatus(str(p, "status")) {
				settled[sid+" invoice "+str(p, "invoice_id")+" cycle "+str(p, "cycle")]++
			}
		}
	}
	for k, n := range settled {
		if n != 1 {
			s.t.Errorf("subscription %s has %d settled payments, want 1", k, n)
		}
	}
	seen := map[string]bool{}
	for _, tx := range s.simTxns() {
		id := str(tx, "order_id")
		if seen[id] {
			s.t.Errorf("emulator holds order %s twice", id)
		}
		seen[id] = true
		if _, ok := known[id]; !ok {
			s.t.Errorf("emulator order %s (%s, %s) is unknown to the server", id, str(tx, "payment_type"), str(tx, "transaction_status"))
		}
	}
}

func paidStatus(s string) bool {
	switch s {
	case "settlement", "capture", "success", "paid", "refund", "partial_refund", "refunded", "partially_refunded":
		return true
	}
	return false
}

// renewal is the journey every payment method walks: subscribe, pay, active,
// a month later the renewal is charged, pay, renewed.
// native says the renewal must come from the Midtrans Subscription API.
func renewal(t *testing.T, body J, native bool, setup func(s *stack, u user, body J)) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/subscriptions/")
	s.requireRoute("GET", "/payments/")
	s.plan("basic", "49000", nil)
	u := s.newUser("alice")
	body["plan_id"] = "basic"
	if setup != nil {
		setup(s, u, body)
	}
	sub, p := s.subscribe(u, body)
	id := str(sub, "id")
	if p != nil && str(p, "id") != "" {
		if got := s.payIfPending(u, p); !paidStatus(str(got, "status")) {
			t.Fatalf("first payment after paying: %v", got)
		}
	}
	sub = s.wantSub(u, id, "active", 1)
	end := parseTime(t, str(sub, "current_period_end"))

	s.advanceTo(end.Add(time.Hour))
	p2 := s.cyclePayment(u, id, 2)
	if p2 == nil {
		t.Fatalf("no renewal payment for cycle 2 an hour after the period end %v; payments %v", end, s.subPayments(u, id))
	}
	if native {
		if str(s.getSub(u, id), "midtrans_subscription_id") == "" {
			t.Errorf("no Midtrans subscription behind a %s subscription: %v", body["payment_type"], s.getSub(u, id))
		}
		if tx := s.simTxn(str(p2, "order_id")); str(tx, "subscription_id") == "" {
			t.Errorf("the renewal order was not made by the Subscription API: %v", tx)
		}
	}
	if got := s.payIfPending(u, p2); !paidStatus(str(got, "status")) {
		t.Fatalf("renewal payment after paying: %v", got)
	}
	sub = s.wantSub(u, id, "active", 2)
	if end2 := parseTime(t, str(sub, "current_period_end")); !end2.After(end.Add(27 * 24 * time.Hour)) {
		t.Fatalf("period end after renewal %v, first %v", end2, end)
	}
	if body["payment_type"] == "wallet" {
		if txs := s.simTxns(); len(txs) != 0 {
			t.Errorf("wallet-paid cycles reached the gateway: %v", txs)
		}
	}
	s.exactlyOnce(u)
}

func TestRenewalByPaymentType(t *testing.T) {
	for _, bank := range []string{"bca", "bni", "bri", "permata"} {
		t.Run("va_"+bank, func(t *testing.T) {
			renewal(t, J{"payment_type": "bank_transfer", "metadata": J{"bank": bank}}, false, nil)
		})
	}
	t.Run("mandiri_echannel", func(t *testing.T) { renewal(t, J{"payment_type": "echannel"}, false, nil) })
	t.Run("gopay", func(t *testing.T) { renewal(t, J{"payment_type": "gopay"}, false, nil) })
	t.Run("shopeepay", func(t *testing.T) { renewal(t, J{"payment_type": "shopeepay"}, false, nil) })
	t.Run("qris", func(t *testing.T) { renewal(t, J{"payment_type": "qris"}, false, nil) })
	t.Run("card_saved_token", func(t *testing.T) {
		renewal(t, J{"payment_type": "credit_card"}, true, func(s *stack, u user, body J) {
			body["token"] = s.cardToken("4811111111111114")
		})
	})
	t.Run("gopay_linked_native", func(t *testing.T) {
		renewal(t, J{"payment_type": "gopay"}, true, func(s *stack, u user, body J) {
			body["payment_method_id"] = str(s.linkGopay(u), "id")
		})
	})
	t.Run("wallet", func(t *testing.T) {
		renewal(t, J{"payment_type": "wallet"}, false, func(s *stack, u user, body J) { s.fundWallet(u, "200000") })
	})
}

// activeVA is the common start of the lifecycle journeys: a paid BCA VA
// subscription to "basic" (49,000) plus, optionally, more plans.
func activeVA(t *testing.T) (*stack, user, string, time.Time) {
	s := newStack(t)
	s.requireRoute("POST", "/subscriptions/")
	s.requireRoute("GET", "/payments/")
	s.plan("basic", "49000", nil)
	u := s.newUser("bob")
	sub, p := s.subscribe(u, J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"}})
	s.pay(p)
	sub = s.wantSub(u, str(sub, "id"), "active", 1)
	return s, u, str(sub, "id"), parseTime(t, str(sub, "current_period_end"))
}

// advanceWatching advances in steps of `every` up to `limit`, stopping when
// done answers true; it answers whether it did.
func (s *stack) advanceWatching(every, limit time.Duration, done func() bool) bool {
	for spent := time.Duration(0); spent < limit; spent += every {
		s.advance(every)
		if done() {
			return true
		}
	}
	return false
}

func TestDunningRecovers(t *testing.T) {
	t.Parallel()
	s, u, id, end := activeVA(t)
	s.advanceTo(end.Add(time.Hour))
	first := s.cyclePayment(u, id, 2)
	if first == nil || str(first, "status") != "pending" {
		t.Fatalf("renewal charge: %v", first)
	}
	// Not paid: it expires, the subscription falls past due, and a retry is issued.
	var retry J
	if !s.advanceWatching(6*time.Hour, 5*24*time.Hour, func() bool {
		retry = s.cyclePayment(u, id, 2)
		return retry != nil && str(retry, "id") != str(first, "id") && str(retry, "status") == "pending"
	}) {
		t.Fatalf("no retry charge within 5 days; payments %v; sub %v", s.subPayments(u, id), s.getSub(u, id))
	}
	if st := str(s.getSub(u, id), "status"); st != "past_due" {
		t.Errorf("status while a retry is open: %s, want past_due", st)
	}
	s.pay(retry)
	s.wantSub(u, id, "active", 2)
	s.exactlyOnce(u)
}

func TestDunningExpires(t *testing.T) {
	t.Parallel()
	s, u, id, end := activeVA(t)
	s.advanceTo(end.Add(time.Hour))
	if !s.advanceWatching(12*time.Hour, 12*24*time.Hour, func() bool { return str(s.getSub(u, id), "status") == "expired" }) {
		t.Fatalf("not expired 12 days after the period end: %v", s.getSub(u, id))
	}
	tries := 0
	for _, p := range s.subPayments(u, id) {
		if str(p, "cycle") == "2" {
			tries++
			if paidStatus(str(p, "status")) {
				t.Errorf("an unpaid cycle has a paid payment: %v", p)
			}
		}
	}
	if tries < 2 {
		t.Errorf("cycle 2 was charged %d time(s) before the subscription expired; dunning should retry (DunningRetries 3, every 24h, within the 3-day grace)", tries)
	}
	for _, tx := range s.simTxns() {
		if st := str(tx, "transaction_status"); st == "pending" {
			t.Errorf("order %s still pending at the gateway after expiry", str(tx, "order_id"))
		}
	}
	n := len(s.simTxns())
	s.advance(24 * time.Hour * 31)
	if m := len(s.simTxns()); m != n {
		t.Errorf("an expired subscription was charged again: %d orders, then %d", n, m)
	}
	s.exactlyOnce(u)
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	s, u, id, end := activeVA(t)
	s.must(s.api("POST", "/subscriptions/"+id+"/pause/", nil, u.bearer), 200)
	s.wantSub(u, id, "paused", 1)
	// Pausing twice conflicts.
	if r := s.api("POST", "/subscriptions/"+id+"/pause/", nil, u.bearer); r.status != 409 {
		t.Errorf("second pause: %v, want 409", r)
	}
	n := len(s.simTxns())
	s.advanceTo(end.Add(2 * 24 * time.Hour))
	if m := len(s.simTxns()); m != n {
		t.Errorf("a paused subscription was charged: %d orders, then %d", n, m)
	}
	r := s.must(s.api("POST", "/subscriptions/"+id+"/resume/", nil, u.bearer), 200)
	if st := str(r.obj(), "status"); st == "paused" {
		t.Fatalf("after resume: %v", r)
	}
	// The paid days were kept: resuming charges nothing yet.
	s.advance(time.Hour)
	if p := s.cyclePayment(u, id, 2); p != nil {
		t.Errorf("resume charged the paused time: %v", p)
	}
	s.wantSub(u, id, "active", 1)
	s.exactlyOnce(u)
}

func TestCancelAtPeriodEnd(t *testing.T) {
	t.Parallel()
	s, u, id, end := activeVA(t)
	r := s.must(s.api("POST", "/subscriptions/"+id+"/cancel/", J{"reason": "too expensive", "immediate": false}, u.bearer), 200)
	if str(r.obj(), "status") != "active" || str(r.obj(), "cancel_at_period_end") != "true" {
		t.Fatalf("cancel at period end: %v", r)
	}
	n := len(s.simTxns())
	s.advanceTo(end.Add(2 * time.Hour))
	s.wantSub(u, id, "cancelled", 1)
	if m := len(s.simTxns()); m != n {
		t.Errorf("a cancelled subscription was charged: %d orders, then %d", n, m)
	}
	s.exactlyOnce(u)
}

func TestCancelImmediately(t *testing.T) {
	t.Parallel()
	s, u, id, _ := activeVA(t)
	r := s.must(s.api("POST", "/subscriptions/"+id+"/cancel/", J{"reason": "leaving", "immediate": true}, u.bearer), 200)
	if str(r.obj(), "status") != "cancelled" {
		t.Fatalf("cancel immediately: %v", r)
	}
	if r := s.api("POST", "/subscriptions/"+id+"/pause/", nil, u.bearer); r.status != 409 {
		t.Errorf("pausing a cancelled subscription: %v, want 409", r)
	}
	n := len(s.simTxns())
	s.advance(32 * 24 * time.Hour)
	if m := len(s.simTxns()); m != n {
		t.Errorf("a cancelled subscription was charged: %d orders, then %d", n, m)
	}
}

// invoices lists a user's invoices with their line items.
func (s *stack) invoices(u user) []J {
	s.t.Helper()
	var out []J
	for _, inv := range s.must(s.api("GET", "/invoices/?page_size=100", nil, u.bearer), 200).results() {
		out = append(out, s.must(s.api("GET", "/invoices/"+str(inv, "id")+"/", nil, u.bearer), 200).obj())
	}
	return out
}

func lines(inv J) []J {
	l, _ := inv["line_items"].([]any)
	var out []J
	for _, v := range l {
		if o, ok := v.(J); ok {
			out = append(out, o)
		}
	}
	return out
}

func TestPlanChangeUpAndDown(t *testing.T) {
	t.Parallel()
	s, u, id, _ := activeVA(t)
	s.requireRoute("GET", "/invoices/")
	s.requireRoute("POST", "/subscriptions/{id}/change-plan/")
	s.plan("pro", "99000", nil)
	// Half-way through the period, upgrade at once: the difference is prorated.
	s.advance(15 * 24 * time.Hour)
	before := s.getSub(u, id)
	start := parseTime(t, str(before, "current_period_start"))
	periodEnd := parseTime(t, str(before, "current_period_end"))
	at := s.now()
	s.must(s.api("POST", "/subscriptions/"+id+"/change-plan/", J{"plan_id": "pro", "immediate": true}, u.bearer), 200)
	// The net is the 50,000 difference for the unused share of the period,
	// to the second, rounded once to whole rupiah (half away from zero).
	left, whole := int64(periodEnd.Sub(at)/time.Second), int64(periodEnd.Sub(start)/time.Second)
	wantNet := fmt.Sprintf("%d.00", (2*50000*left+whole)/(2*whole))
	var prorated J
	for _, inv := range s.invoices(u) {
		for _, l := range lines(inv) {
			if strings.Contains(str(l, "kind"), "proration") || strings.HasPrefix(str(l, "amount"), "-") {
				prorated = inv
			}
		}
	}
	if prorated == nil {
		t.Fatalf("no invoice with proration lines after an immediate upgrade; invoices %v", s.invoices(u))
	}
	var credit, charge bool
	for _, l := range lines(prorated) {
		if strings.HasPrefix(str(l, "amount"), "-") {
			credit = true
		} else if str(l, "amount") != "0.00" {
			charge = true
		}
	}
	if !credit || !charge {
		t.Errorf("proration invoice should credit the unused basic time and charge the pro time: %v", lines(prorated))
	}
	if got := str(prorated, "total"); got != wantNet {
		t.Errorf("proration total %s, want %s (%d of %d seconds left)", got, wantNet, left, whole)
	}
	// Pay what the upgrade charged, if it charged at once.
	for _, p := range s.subPayments(u, id) {
		if str(p, "status") == "pending" {
			s.pay(p)
		}
	}
	if pid := str(s.getSub(u, id), "plan_id"); pid != str(s.must(s.api("GET", "/plans/pro/", nil, anon), 200).obj(), "id") {
		t.Fatalf("after the upgrade the plan is %s", pid)
	}
	// Downgrade at the period end: scheduled, then the next renewal is at the basic price.
	r := s.must(s.api("POST", "/subscriptions/"+id+"/change-plan/", J{"plan_id": "basic", "immediate": false}, u.bearer), 200)
	if got := str(s.getSub(u, id), "scheduled_plan_id"); got == "" {
		t.Errorf("a downgrade at the period end should be scheduled: %v", r)
	}
	end := parseTime(t, str(s.getSub(u, id), "current_period_end"))
	s.advanceTo(end.Add(time.Hour))
	var renewal J
	for _, p := range s.subPayments(u, id) {
		if str(p, "status") == "pending" {
			renewal = p
		}
	}
	if renewal == nil {
		t.Fatalf("no renewal after the downgrade; payments %v", s.subPayments(u, id))
	}
	if got := str(renewal, "gross_amount"); got != "49000.00" {
		t.Errorf("renewal after the downgrade charges %s, want 49000.00", got)
	}
	s.pay(renewal)
	sub := s.wantSub(u, id, "active", 0)
	if pid := str(sub, "plan_id"); pid != str(s.must(s.api("GET", "/plans/basic/", nil, anon), 200).obj(), "id") {
		t.Errorf("after the downgrade the plan is %s", pid)
	}
	s.exactlyOnce(u)
}

func TestRefundsPartialThenFull(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/subscriptions/")
	s.requireRoute("POST", "/payments/{id}/refund/")
	s.plan("basic", "49000", nil)
	u := s.newUser("carol")
	// GoPay settles online and is refundable online (VAs are not).
	_, p := s.subscribe(u, J{"plan_id": "basic", "payment_type": "gopay"})
	p = s.payIfPending(u, p)
	pid := str(p, "id")
	// Refunds are the merchant's: the customer is refused and nothing moves.
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 10000, "to_wallet": true}, u.bearer); r.status != 403 {
		t.Fatalf("a customer refunding their own payment: %v, want 403", r)
	}
	if p := s.must(s.api("GET", "/payments/"+pid+"/", nil, u.bearer), 200).obj(); str(p, "refunded_amount") != "0.00" {
		t.Fatalf("a refused refund changed the payment: %v", p)
	}
	r := s.must(s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 10000, "reason": "partial"}, admin), 200)
	p = s.must(s.api("GET", "/payments/"+pid+"/", nil, u.bearer), 200).obj()
	if str(p, "refunded_amount") != "10000.00" {
		t.Errorf("after a 10,000 refund: %v (refund answer %v)", p, r)
	}
	tx := s.simTxn(str(p, "order_id"))
	if str(tx, "refund_amount") != "10000.00" || str(tx, "transaction_status") != "partial_refund" {
		t.Errorf("gateway after a partial refund: %v", tx)
	}
	// Over-refunding is refused.
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 40000, "reason": "too much"}, admin); r.status < 400 || r.status >= 500 {
		t.Errorf("refunding more than what is left: %v, want a 4xx", r)
	}
	s.must(s.api("POST", "/payments/"+pid+"/refund/", J{"reason": "the rest"}, admin), 200)
	p = s.must(s.api("GET", "/payments/"+pid+"/", nil, u.bearer), 200).obj()
	if str(p, "refunded_amount") != "49000.00" {
		t.Errorf("after the full refund: %v", p)
	}
	tx = s.simTxn(str(p, "order_id"))
	if str(tx, "refund_amount") != "49000.00" || str(tx, "transaction_status") != "refund" {
		t.Errorf("gateway after the full refund: %v", tx)
	}
}

// simTxn is the emulator's record of one order.
func (s *stack) simTxn(orderID string) J {
	s.t.Helper()
	for _, tx := range s.simTxns() {
		if str(tx, "order_id") == orderID {
			return tx
		}
	}
	s.t.Fatalf("the emulator has no order %s", orderID)
	return nil
}

func TestTopUpThenWalletSubscription(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/topups/")
	s.requireRoute("POST", "/subscriptions/")
	s.plan("basic", "49000", nil)
	u := s.newUser("dewi")
	top := s.must(s.api("POST", "/topups/", J{"amount": 100000, "payment_type": "bank_transfer", "bank": "bca"}, u.bearer), 201).obj()
	s.pay(top)
	if got := s.must(s.api("GET", "/topups/"+str(top, "id")+"/", nil, u.bearer), 200).obj(); str(got, "status") != "success" && str(got, "status") != "settlement" && str(got, "status") != "paid" {
		t.Errorf("top-up after paying: %v", got)
	}
	if w := s.must(s.api("GET", "/wallet/me/", nil, u.bearer), 200).obj(); str(w, "balance") != "100000.00" {
		t.Fatalf("wallet after the top-up: %v", w)
	}
	sub, _ := s.subscribe(u, J{"plan_id": "basic", "payment_type": "wallet"})
	s.wantSub(u, str(sub, "id"), "active", 1)
	if w := s.must(s.api("GET", "/wallet/me/", nil, u.bearer), 200).obj(); str(w, "balance") != "51000.00" {
		t.Errorf("wallet after the subscription: %v", w)
	}
	// A second wallet subscription the balance cannot cover is refused with 422.
	s.plan("pro", "99000", nil)
	if r := s.api("POST", "/subscriptions/", J{"plan_id": "pro", "payment_type": "wallet"}, u.bearer); r.status != 422 {
		t.Errorf("wallet subscription beyond the balance: %v, want 422", r)
	}
	if n := len(s.simTxns()); n != 1 {
		t.Errorf("the emulator holds %d orders, want only the top-up", n)
	}
}

func TestOrganizationSeatLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/organizations/")
	s.requireRoute("POST", "/subscriptions/")
	s.plan("team", "100000", J{"features": J{"max_users": 2}})
	s.plan("team-plus", "200000", J{"features": J{"max_users": 5}})
	owner := s.newUser("owner")
	m1, m2 := s.newUser("member1"), s.newUser("member2")
	org := s.must(s.api("POST", "/organizations/", J{"name": "Acme"}, owner.bearer), 201).obj()
	oid := str(org, "id")
	_, p := s.subscribe(owner, J{"plan_id": "team", "payment_type": "bank_transfer", "metadata": J{"bank": "bni"}, "organization_id": oid})
	s.pay(p)
	can := s.must(s.api("GET", "/organizations/"+oid+"/can-add-users/?count=2", nil, owner.bearer), 200).obj()
	if str(can, "allowed") != "true" || str(can, "limit") != "2" {
		t.Errorf("can-add-users count=2: %v", can)
	}
	s.must(s.api("POST", "/organizations/"+oid+"/members/", J{"username": m1.name}, owner.bearer), 201)
	r := s.api("POST", "/organizations/"+oid+"/members/", J{"username": m2.name}, owner.bearer)
	if r.status != 422 {
		t.Fatalf("a third seat on a 2-seat plan: %v, want 422", r)
	}
	// A non-member sees nothing of the organization.
	if r := s.api("GET", "/organizations/"+oid+"/", nil, m2.bearer); r.status != 404 {
		t.Errorf("non-member reading the organization: %v, want 404", r)
	}
	var subID string
	for _, sub := range s.must(s.api("GET", "/organizations/"+oid+"/subscriptions/", nil, owner.bearer), 200).results() {
		subID = str(sub, "id")
	}
	if subID == "" {
		t.Fatal("the organization lists no subscription")
	}
	s.must(s.api("POST", "/subscriptions/"+subID+"/change-plan/", J{"plan_id": "team-plus", "immediate": true}, owner.bearer), 200)
	for _, p := range s.payments(owner.bearer) {
		if str(p, "status") == "pending" {
			s.pay(p)
		}
	}
	s.must(s.api("POST", "/organizations/"+oid+"/members/", J{"username": m2.name}, owner.bearer), 201)
}

func TestCoupon(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/admin/coupons/")
	s.requireRoute("POST", "/subscriptions/")
	s.plan("basic", "50000", nil)
	u := s.newUser("eko")
	s.must(s.api("POST", "/admin/coupons/", J{"code": "HEMAT20", "percent_off": 20, "duration": "once"}, admin), 201)
	sub, p := s.subscribe(u, J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"}, "coupon": "hemat20"})
	if got := str(p, "gross_amount"); got != "40000.00" {
		t.Errorf("first charge with 20%% off: %s, want 40000.00", got)
	}
	if tx := s.simTxn(str(p, "order_id")); str(tx, "gross_amount") != "40000.00" {
		t.Errorf("gateway charged %s, want 40000.00", str(tx, "gross_amount"))
	}
	var discounted bool
	for _, inv := range s.invoices(u) {
		for _, l := range lines(inv) {
			if strings.HasPrefix(str(l, "amount"), "-") {
				discounted = true
			}
		}
	}
	if !discounted {
		t.Errorf("no discount line on the invoice: %v", s.invoices(u))
	}
	s.pay(p)
	sub = s.wantSub(u, str(sub, "id"), "active", 1)
	// "once": the renewal is at the full price.
	s.advanceTo(parseTime(t, str(sub, "current_period_end")).Add(time.Hour))
	if p2 := s.cyclePayment(u, str(sub, "id"), 2); p2 == nil || str(p2, "gross_amount") != "50000.00" {
		t.Errorf("renewal after a once coupon: %v, want 50000.00", p2)
	}
}

// receiver is a loopback webhook receiver that keeps what it got.
type receiver struct {
	mu  sync.Mutex
	got []delivery
	// arrived is closed and replaced on every delivery (see waitFor).
	arrived chan struct{}
	srv     *httptest.Server
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{arrived: make(chan struct{})}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.Header.Clone(), b})
		close(rc.arrived)
		rc.arrived = make(chan struct{})
		rc.mu.Unlock()
		w.WriteHeader(200)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// waitFor blocks until done holds for the deliveries received so far, each
// check made as a delivery arrives, or until timeout; it reports whether
// done held.
func (rc *receiver) waitFor(timeout time.Duration, done func([]delivery) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		rc.mu.Lock()
		got, arrived := append([]delivery(nil), rc.got...), rc.arrived
		rc.mu.Unlock()
		if done(got) {
			return true
		}
		select {
		case <-arrived:
		case <-deadline.C:
			return false
		}
	}
}

// verifySignature checks Langganan-Signature: t=..,v1=hex(HMAC-SHA256(secret, "t." + body)).
func verifySignature(secret string, d delivery) bool {
	var ts, v1 string
	for _, part := range strings.Split(d.header.Get("Langganan-Signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if v1 == "" {
				v1 = v
			}
		}
	}
	if ts == "" || v1 == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(d.body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(v1))
}

func TestOutboundWebhook(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/admin/webhook-endpoints/")
	s.requireRoute("POST", "/subscriptions/")
	rc := newReceiver(t)
	ep := s.must(s.api("POST", "/admin/webhook-endpoints/", J{"url": rc.srv.URL + "/hook", "events": []string{}}, admin), 201).obj()
	secret := str(ep, "secret")
	if secret == "" {
		t.Fatalf("no secret: %v", ep)
	}
	s.plan("basic", "49000", nil)
	u := s.newUser("fajar")
	_, p := s.subscribe(u, J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bca"}})
	s.pay(p)
	// Deliveries are jobs: advancing the clock drains them.
	if !s.advanceWatching(time.Minute, 10*time.Minute, func() bool { return len(rc.deliveries()) > 0 }) {
		t.Fatal("no webhook delivery within 10 minutes of server time")
	}
	types := map[string]bool{}
	for _, d := range rc.deliveries() {
		if !verifySignature(secret, d) {
			t.Errorf("bad signature %q on %s", d.header.Get("Langganan-Signature"), d.body)
		}
		if d.header.Get("Langganan-Event-Id") == "" {
			t.Errorf("delivery without Langganan-Event-Id: %s", d.body)
		}
		var ev struct{ Type string }
		_ = json.Unmarshal(d.body, &ev)
		types[ev.Type] = true
	}
	if len(types) == 0 {
		t.Errorf("deliveries carry no event type")
	}
	if verifySignature(secret+"x", rc.deliveries()[0]) {
		t.Error("a wrong secret verifies")
	}
}
