//go:build e2e

package e2e

import (
	"testing"
	"time"
)

// Journeys through the places where two features meet, between the real
// server and the real emulator.

func (s *stack) wallet(u user) string {
	s.t.Helper()
	return str(s.must(s.api("GET", "/wallet/me/", nil, u.bearer), 200).obj(), "balance")
}

// simSub is the emulator's view of a Midtrans subscription.
func (s *stack) simSub(id string) J {
	s.t.Helper()
	for _, ns := range s.must(s.sim("GET", "/_sim/subscriptions", nil), 200).results() {
		if str(ns, "id") == id {
			return ns
		}
	}
	s.t.Fatalf("the emulator has no subscription %s", id)
	return nil
}

// A refunded top-up takes its credit back; a top-up is never refunded to
// the wallet it funded, and a customer cannot refund it at all.
func TestTopUpRefundTakesTheCreditBack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("POST", "/topups/")
	u := s.newUser("rina")
	top := s.must(s.api("POST", "/topups/", J{"amount": 100000, "payment_type": "qris"}, u.bearer), 201).obj()
	s.pay(top)
	if got := s.wallet(u); got != "100000.00" {
		t.Fatalf("wallet after the top-up: %s", got)
	}
	var pid string
	for _, p := range s.payments(u.bearer) {
		if str(p, "order_id") == str(top, "order_id") {
			pid = str(p, "id")
		}
	}
	if pid == "" {
		t.Fatalf("no payment for top-up %v", top)
	}
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 40000}, u.bearer); r.status != 403 {
		t.Errorf("a customer refunding their top-up: %v, want 403", r)
	}
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"to_wallet": true}, admin); r.status != 422 {
		t.Errorf("a top-up refunded to its own wallet: %v, want 422", r)
	}
	s.must(s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 40000, "reason": "partial"}, admin), 200)
	if got := s.wallet(u); got != "60000.00" {
		t.Errorf("wallet after refunding 40,000 of the top-up: %s, want 60000.00", got)
	}
	if tx := s.simTxn(str(top, "order_id")); str(tx, "refund_amount") != "40000.00" {
		t.Errorf("the emulator after the refund: %v", tx)
	}
	// Midtrans' refund notifications (two per refund) change nothing more.
	s.advance(time.Minute)
	if got := s.wallet(u); got != "60000.00" {
		t.Errorf("wallet after the refund notifications: %s, want 60000.00", got)
	}
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 70000}, admin); r.status != 422 {
		t.Errorf("refunding more than the wallet holds: %v, want 422", r)
	}
}

// Pausing stops time: nothing is charged while paused, the paid days are
// kept, and the renewal comes at the moved period end.
func TestPauseStopsTime(t *testing.T) {
	t.Parallel()
	s, u, id, end := activeVA(t)
	s.advance(10 * 24 * time.Hour)
	s.must(s.api("POST", "/subscriptions/"+id+"/pause/", nil, u.bearer), 200)
	pausedAt := s.now()
	n := len(s.simTxns())
	s.advance(100 * 24 * time.Hour)
	if m := len(s.simTxns()); m != n {
		t.Errorf("a paused subscription was charged: %d orders, then %d", n, m)
	}
	r := s.must(s.api("POST", "/subscriptions/"+id+"/resume/", nil, u.bearer), 200).obj()
	pause := s.now().Sub(pausedAt)
	moved := parseTime(t, str(r, "current_period_end"))
	if !moved.Equal(end.Add(pause)) || str(r, "status") != "active" {
		t.Fatalf("after resume: %s until %s, want active until %s", str(r, "status"), moved, end.Add(pause))
	}
	s.advance(time.Hour)
	if m := len(s.simTxns()); m != n {
		t.Errorf("resume charged the paused months: %d orders, then %d", n, m)
	}
	s.advanceTo(moved.Add(time.Hour))
	p := s.cyclePayment(u, id, 2)
	if p == nil {
		t.Fatalf("no renewal at the moved period end; payments %v", s.subPayments(u, id))
	}
	s.pay(p)
	s.wantSub(u, id, "active", 2)
	s.exactlyOnce(u)
}

// An immediate upgrade takes effect when its proration is paid; unpaid, it
// is dropped when its order expires and the plan stays.
func TestUnpaidUpgradeIsDropped(t *testing.T) {
	t.Parallel()
	s, u, id, _ := activeVA(t)
	basic := str(s.getSub(u, id), "plan_id")
	s.plan("pro", "99000", nil)
	s.advance(5 * 24 * time.Hour)
	r := s.must(s.api("POST", "/subscriptions/"+id+"/change-plan/", J{"plan_id": "pro", "immediate": true}, u.bearer), 200).obj()
	if str(r, "plan_id") != basic || str(r, "pending_plan_change", "plan_id") == "" {
		t.Fatalf("an unpaid upgrade: plan %s pending %v", str(r, "plan_id"), r["pending_plan_change"])
	}
	if r := s.api("POST", "/subscriptions/"+id+"/change-plan/", J{"plan_id": "pro"}, u.bearer); r.status != 409 {
		t.Errorf("a second change while one awaits payment: %v, want 409", r)
	}
	s.advance(25 * time.Hour) // the proration VA expires unpaid
	got := s.getSub(u, id)
	if str(got, "plan_id") != basic || got["pending_plan_change"] != nil || str(got, "status") != "active" {
		t.Fatalf("after the upgrade order expired: plan %s pending %v status %s", str(got, "plan_id"), got["pending_plan_change"], str(got, "status"))
	}
	// Paid this time: the plan changes.
	s.must(s.api("POST", "/subscriptions/"+id+"/change-plan/", J{"plan_id": "pro", "immediate": true}, u.bearer), 200)
	for _, p := range s.subPayments(u, id) {
		if str(p, "status") == "pending" {
			s.pay(p)
		}
	}
	if got := s.getSub(u, id); str(got, "plan_id") == basic || got["pending_plan_change"] != nil {
		t.Fatalf("after paying the upgrade: plan %s pending %v", str(got, "plan_id"), got["pending_plan_change"])
	}
	s.exactlyOnce(u)
}

// What Midtrans charges a card subscription follows our next invoice: a
// coupon lowers it, and the next Midtrans charge is that amount.
func TestNativeAmountFollowsCoupon(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.plan("basic", "49000", nil)
	s.must(s.api("POST", "/admin/coupons/", J{"code": "TENOFF", "percent_off": 10, "duration": "once"}, admin), 201)
	u := s.newUser("sari")
	sub, _ := s.subscribe(u, J{"plan_id": "basic", "payment_type": "credit_card", "token": s.cardToken("4811111111111114")})
	id := str(sub, "id")
	sub = s.wantSub(u, id, "active", 1)
	nid := str(sub, "midtrans_subscription_id")
	if nid == "" || str(s.simSub(nid), "amount") != "49000" && str(s.simSub(nid), "amount") != "49000.00" {
		t.Fatalf("Midtrans subscription %q: %v", nid, sub)
	}
	s.must(s.api("POST", "/subscriptions/"+id+"/apply-coupon/", J{"code": "TENOFF"}, u.bearer), 200)
	if amt := str(s.simSub(nid), "amount"); amt != "44100" && amt != "44100.00" {
		t.Fatalf("Midtrans amount after a 10%% coupon: %s, want 44100", amt)
	}
	end := parseTime(t, str(sub, "current_period_end"))
	s.advanceTo(end.Add(time.Hour))
	p2 := s.cyclePayment(u, id, 2)
	if p2 == nil || str(p2, "gross_amount") != "44100.00" {
		t.Fatalf("the Midtrans renewal: %v", p2)
	}
	got := s.wantSub(u, id, "active", 2)
	if amt := str(s.simSub(str(got, "midtrans_subscription_id")), "amount"); amt != "49000" && amt != "49000.00" {
		t.Errorf("Midtrans amount once the coupon was used: %s, want 49000", amt)
	}
	s.exactlyOnce(u)
}

// A card given to a trial survives the trial: it is saved at sign-up and
// charged when the trial ends, and the subscription is active.
func TestCardTrialSurvivesTheTrial(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.plan("trial", "49000", J{"trial_period_days": 7})
	u := s.newUser("tono")
	sub, _ := s.subscribe(u, J{"plan_id": "trial", "payment_type": "credit_card", "token": s.cardToken("4811111111111114")})
	id := str(sub, "id")
	if got := s.getSub(u, id); str(got, "status") != "trialing" || str(got, "payment_method_id") == "" {
		t.Fatalf("after sign-up: %v", got)
	}
	s.advance(8 * 24 * time.Hour)
	got := s.wantSub(u, id, "active", 1)
	if str(got, "midtrans_subscription_id") == "" {
		t.Errorf("no Midtrans subscription after the trial: %v", got)
	}
	s.exactlyOnce(u)
}

// An organization's wallet over HTTP: its owner and admins fund it and read
// it, a plain member does neither, a refund of its top-up (the merchant's)
// takes the credit back from the organization's wallet and not from the
// person who paid, and the owner's own wallet is untouched throughout.
func TestOrganizationWallet(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.requireRoute("GET", "/organizations/{id}/wallet/")
	s.plan("team", "100000", J{"features": J{"max_users": 3}})
	owner, boss, staff := s.newUser("dewi"), s.newUser("agus"), s.newUser("wati")
	oid := str(s.must(s.api("POST", "/organizations/", J{"name": "Toko Dewi"}, owner.bearer), 201).obj(), "id")
	_, p := s.subscribe(owner, J{"plan_id": "team", "payment_type": "bank_transfer", "metadata": J{"bank": "bni"}, "organization_id": oid})
	s.pay(p)
	s.must(s.api("POST", "/organizations/"+oid+"/members/", J{"username": boss.name, "role": "admin"}, owner.bearer), 201)
	s.must(s.api("POST", "/organizations/"+oid+"/members/", J{"username": staff.name}, owner.bearer), 201)
	orgWallet := func(c cred) string {
		return str(s.must(s.api("GET", "/organizations/"+oid+"/wallet/", nil, c), 200).obj(), "balance")
	}

	top := s.must(s.api("POST", "/topups/", J{"amount": 150000, "payment_type": "qris", "organization_id": oid}, owner.bearer), 201).obj()
	s.pay(top)
	byAdmin := s.must(s.api("POST", "/topups/", J{"amount": 50000, "payment_type": "gopay", "organization_id": oid}, boss.bearer), 201).obj()
	s.pay(byAdmin)
	if got := orgWallet(owner.bearer); got != "200000.00" {
		t.Fatalf("organization wallet after two top-ups: %s, want 200000.00", got)
	}
	if got := orgWallet(boss.bearer); got != "200000.00" {
		t.Errorf("the organization's admin reads %s", got)
	}
	if r := s.api("GET", "/organizations/"+oid+"/wallet/", nil, staff.bearer); r.status != 403 {
		t.Errorf("a plain member reading the organization's wallet: %v, want 403", r)
	}
	if r := s.api("POST", "/topups/", J{"amount": 20000, "payment_type": "qris", "organization_id": oid}, staff.bearer); r.status != 403 {
		t.Errorf("a plain member funding the organization's wallet: %v, want 403", r)
	}
	if got := s.wallet(owner); got != "0.00" {
		t.Errorf("the owner's own wallet: %s, want 0.00", got)
	}

	pid := str(top, "payment_id")
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 30000}, owner.bearer); r.status != 403 {
		t.Errorf("the organization's owner refunding its top-up: %v, want 403 (refunds are the merchant's)", r)
	}
	s.must(s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 30000, "reason": "partial"}, admin), 200)
	s.advance(time.Minute) // Midtrans' refund notifications change nothing more
	if got := orgWallet(owner.bearer); got != "170000.00" {
		t.Errorf("organization wallet after refunding 30,000 of its top-up: %s, want 170000.00", got)
	}
	if got := s.wallet(owner); got != "0.00" {
		t.Errorf("the owner's own wallet after the refund: %s, want 0.00", got)
	}
	// More than the organization's wallet still holds of that top-up: refused.
	if r := s.api("POST", "/payments/"+pid+"/refund/", J{"amount": 180000}, admin); r.status != 422 {
		t.Errorf("refunding more than was paid: %v, want 422", r)
	}
	s.exactlyOnce(owner) // the organization's orders, which its admin sees too
}
