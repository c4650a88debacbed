package core_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func TestSnapCheckoutValidation(t *testing.T) {
	cases := []struct {
		name  string
		in    core.CreateSubscriptionInput
		field string
	}{
		{"unknown channel", core.CreateSubscriptionInput{Plan: "basic", PaymentType: "snap", Snap: core.SnapCheckout{EnabledPayments: []string{"bitcoin"}}}, "enabled_payments"},
		{"finish not http", core.CreateSubscriptionInput{Plan: "basic", PaymentType: "snap", Snap: core.SnapCheckout{FinishURL: "javascript:alert(1)"}}, "finish_url"},
		{"finish relative", core.CreateSubscriptionInput{Plan: "basic", PaymentType: "snap", Snap: core.SnapCheckout{FinishURL: "/done"}}, "finish_url"},
		{"snap options without snap", core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer", Snap: core.SnapCheckout{EnabledPayments: []string{"gopay"}}}, "enabled_payments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.svc.CreateSubscription(e.ctx, e.user, c.in)
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Fields[c.field] == "" {
				t.Fatalf("error %v, want a %s field error", err, c.field)
			}
		})
	}
}

func TestSnapSubscriptionCheckout(t *testing.T) {
	cases := []struct {
		name       string
		method     string // how the customer pays on the page
		wantType   core.PaymentType
		wantNative bool
	}{
		{"virtual account", "bank_transfer", core.PaySnap, false},
		{"card saved for recurring", "credit_card", core.PayCreditCard, true},
		{"GoPay linked", "gopay", core.PayGopay, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "snap",
				Snap: core.SnapCheckout{EnabledPayments: []string{"bca_va", "credit_card", "gopay"}, FinishURL: "https://shop.test/done"}})
			if err != nil {
				t.Fatal(err)
			}
			p := res.Payment
			if p == nil || p.PaymentType != core.PaySnap || p.Status != core.PaymentPending || p.Details[core.DetailSnapToken] == "" ||
				p.Details[core.DetailRedirectURL] == "" || !p.ExpiresAt.Equal(start.Add(24*time.Hour)) {
				t.Fatalf("payment %+v", p)
			}
			req := e.gw.SnapRequest(p.OrderID)
			if req == nil || req.Snap.FinishURL != "https://shop.test/done" || !slices.Equal(req.Snap.EnabledPayments, []string{"bca_va", "credit_card", "gopay"}) ||
				!req.Snap.Recurring || req.Snap.RecurringUnit != core.Month || req.Snap.UserID == "" || req.Snap.UserID == e.user.UserID ||
				req.IdempotencyKey == "" || !req.Snap.StartTime.Equal(start) {
				t.Fatalf("snap request %+v / %+v", req, req.Snap)
			}
			e.clock.Advance(time.Hour)
			e.mustNotify(e.gw.PaySnap(p.OrderID, c.method))
			s := e.sub(res.Subscription.ID)
			if s.Status != core.SubActive || s.PaymentType != c.wantType || (s.MidtransSubscriptionID != "") != c.wantNative {
				t.Fatalf("subscription: status %s type %s native %q", s.Status, s.PaymentType, s.MidtransSubscriptionID)
			}
			paid := e.payments(s.ID)
			if len(paid) != 1 || paid[0].Status != core.PaymentPaid || paid[0].Details[core.DetailSnapToken] != p.Details[core.DetailSnapToken] {
				t.Fatalf("payments %+v", paid)
			}
			if !c.wantNative {
				return
			}
			ns := e.gw.Subscriptions()
			if len(ns) != 1 || ns[0].Token == "" || !ns[0].NextExecutionAt.Equal(s.CurrentPeriodEnd) || string(ns[0].PaymentType) != string(c.wantType) {
				t.Fatalf("native subscription %+v", ns)
			}
		})
	}
}

func TestSnapUnchosenOrderExpiresByReconciliation(t *testing.T) {
	e := newEnv(t)
	top, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "50000", PaymentType: "snap"})
	if err != nil {
		t.Fatal(err)
	}
	if top.Details[core.DetailSnapToken] == "" || top.Status != core.TopUpPending {
		t.Fatalf("top-up %+v", top)
	}
	e.advance(23 * time.Hour)
	if got, _ := e.svc.GetTopUp(e.ctx, e.user, top.ID); got.Status != core.TopUpPending {
		t.Fatalf("before the page expired: %s", got.Status)
	}
	e.advance(2 * time.Hour)
	got, err := e.svc.GetTopUp(e.ctx, e.user, top.ID)
	if err != nil || got.Status != core.TopUpExpired {
		t.Fatalf("after the page expired: %+v %v", got, err)
	}
}

func TestSnapTopUpPaid(t *testing.T) {
	e := newEnv(t)
	top, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "50000", PaymentType: "snap",
		Snap: core.SnapCheckout{EnabledPayments: []string{"other_qris"}, FinishURL: "https://shop.test/wallet"}})
	if err != nil {
		t.Fatal(err)
	}
	req := e.gw.SnapRequest(top.OrderID)
	if req == nil || req.Snap.Recurring || req.Snap.FinishURL != "https://shop.test/wallet" {
		t.Fatalf("snap request %+v", req)
	}
	body := e.gw.PaySnap(top.OrderID, "qris")
	e.mustNotify(body)
	e.mustNotify(body) // a duplicate credits nothing more
	got, _ := e.svc.GetTopUp(e.ctx, e.user, top.ID)
	if got.Status != core.TopUpPaid {
		t.Fatalf("top-up %s", got.Status)
	}
	w, err := e.svc.GetWallet(e.ctx, e.user)
	if err != nil || !w.Balance.Equal(core.MustMoney("50000")) {
		t.Fatalf("wallet %+v %v", w, err)
	}
}

func TestSnapChargeOfPendingCycle(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	e.clock.Set(e.sub(res.Subscription.ID).CurrentPeriodEnd)
	e.run() // the renewal is a VA order
	var renewal core.Payment
	for _, p := range e.payments(res.Subscription.ID) {
		if p.Cycle == 2 {
			renewal = p
		}
	}
	if renewal.OrderID == "" || !renewal.Status.Open() {
		t.Fatalf("no open renewal: %+v", e.payments(res.Subscription.ID))
	}
	cases := []struct {
		name  string
		in    core.ChargeInput
		check func(t *testing.T, err error)
	}{
		{"not snap", core.ChargeInput{PaymentType: "gopay"}, func(t *testing.T, err error) {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Fields["payment_type"] == "" {
				t.Fatalf("err %v", err)
			}
		}},
		{"bad finish url", core.ChargeInput{PaymentType: "snap", Snap: core.SnapCheckout{FinishURL: "ftp://x"}}, func(t *testing.T, err error) {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Fields["finish_url"] == "" {
				t.Fatalf("err %v", err)
			}
		}},
		{"open VA order", core.ChargeInput{PaymentType: "snap"}, func(t *testing.T, err error) {
			if !errors.Is(err, core.ErrConflict) {
				t.Fatalf("err %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.ChargeSubscriptionWith(e.ctx, e.user, res.Subscription.ID, c.in)
			c.check(t, err)
		})
	}
	if s := e.sub(res.Subscription.ID); s.PaymentType != core.PayBankTransfer {
		t.Fatalf("a refused charge changed the method to %s", s.PaymentType)
	}
	// Once the VA order expired, the cycle is charged by Snap.
	e.mustNotify(e.gw.ExpireOrder(renewal.OrderID))
	p, err := e.svc.ChargeSubscriptionWith(e.ctx, e.user, res.Subscription.ID, core.ChargeInput{PaymentType: "snap"})
	if err != nil || p.PaymentType != core.PaySnap || p.Details[core.DetailSnapToken] == "" || p.OrderID == renewal.OrderID || p.Cycle != 2 {
		t.Fatalf("snap charge %+v %v", p, err)
	}
	again, err := e.svc.ChargeSubscriptionWith(e.ctx, e.user, res.Subscription.ID, core.ChargeInput{PaymentType: "snap"})
	if err != nil || again.ID != p.ID {
		t.Fatalf("a second call must answer the same live order: %+v %v", again, err)
	}
	e.mustNotify(e.gw.PaySnap(p.OrderID, "bank_transfer"))
	if s := e.sub(res.Subscription.ID); s.Status != core.SubActive || s.Cycle != 2 {
		t.Fatalf("status %s cycle %d", s.Status, s.Cycle)
	}
}

func TestPaymentPaidWith(t *testing.T) {
	cases := []struct {
		ptype  core.PaymentType
		status map[string]any
		want   core.PaymentType
	}{
		{core.PaySnap, map[string]any{"payment_type": "credit_card"}, core.PayCreditCard},
		{core.PaySnap, map[string]any{"payment_type": "QRIS"}, core.PayQRIS},
		{core.PaySnap, nil, core.PaySnap},
		{core.PayBankTransfer, map[string]any{"payment_type": "gopay"}, core.PayBankTransfer},
	}
	for _, c := range cases {
		if got := (core.Payment{PaymentType: c.ptype, MidtransStatus: c.status}).PaidWith(); got != c.want {
			t.Errorf("%s with %v: %s, want %s", c.ptype, c.status, got, c.want)
		}
	}
}

func TestSnapDeclinedAttemptThenPaid(t *testing.T) {
	cases := []struct {
		name     string
		late     time.Duration // when the second attempt pays, after the decline
		wantSub  core.SubscriptionStatus
		wantPaid bool
	}{
		{"another method while the page lasts", time.Hour, core.SubActive, true},
		{"nothing more until the page expired", 0, core.SubExpired, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "snap"})
			if err != nil {
				t.Fatal(err)
			}
			order := res.Payment.OrderID
			e.mustNotify(e.gw.DeclineSnap(order))
			if p := e.payments(res.Subscription.ID)[0]; p.Status != core.PaymentPending {
				t.Fatalf("after a declined attempt: %s", p.Status)
			}
			if c.late > 0 {
				e.clock.Advance(c.late)
				e.mustNotify(e.gw.PaySnap(order, "bank_transfer"))
			} else {
				e.advance(25 * time.Hour)
			}
			p := e.payments(res.Subscription.ID)[0]
			if s := e.sub(res.Subscription.ID); s.Status != c.wantSub || (p.Status == core.PaymentPaid) != c.wantPaid {
				t.Fatalf("subscription %s, payment %s", s.Status, p.Status)
			}
		})
	}
}
