package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// Tests for the places where two features meet: refunds × wallets,
// refunds × notifications, pause × periods, plan changes × open orders,
// native subscriptions × local changes, organizations × actions.

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func (e *env) balance(a core.Actor) core.Money {
	e.t.Helper()
	w, err := e.svc.GetWallet(e.ctx, a)
	if err != nil {
		e.t.Fatal(err)
	}
	return w.Balance
}

func (e *env) ledgerClean() {
	e.t.Helper()
	if problems, _, err := e.svc.CheckLedgers(e.ctx); err != nil || len(problems) != 0 {
		e.t.Fatalf("ledger: %v %v", problems, err)
	}
}

// topUp pays a qris top-up of amount and answers its payment id.
func (e *env) topUp(amount string) string {
	e.t.Helper()
	tu, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: amount, PaymentType: "qris"})
	if err != nil {
		e.t.Fatalf("CreateTopUp: %v", err)
	}
	e.mustNotify(e.gw.Settle(tu.OrderID))
	return tu.PaymentID
}

func (e *env) payment(id string) core.Payment {
	e.t.Helper()
	p, err := e.svc.GetPayment(e.ctx, e.admin, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// Item 1: a customer cannot refund their own payment into their wallet.
func TestRefundIsTheMerchants(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	for _, in := range []core.RefundInput{{ToWallet: true}, {}} {
		if _, err := e.svc.RefundPayment(e.ctx, e.user, res.Payment.ID, in); !errors.Is(err, core.ErrForbidden) {
			t.Fatalf("customer refund %+v: %v, want forbidden", in, err)
		}
	}
	if p := e.payment(res.Payment.ID); !p.Refunded.IsZero() || p.Status != core.PaymentPaid {
		t.Fatalf("a refused refund changed the payment: %s %s", p.Status, p.Refunded)
	}
	if b := e.balance(e.user); !b.IsZero() {
		t.Fatalf("wallet %s after a refused refund", b)
	}
}

// Item 2: a refunded top-up takes its credit back, or is refused.
func TestTopUpRefundTakesTheCreditBack(t *testing.T) {
	e := newEnv(t)
	pid := e.topUp("100000")
	if b := e.balance(e.user); !b.Equal(core.MustMoney("100000")) {
		t.Fatalf("balance after top-up %s", b)
	}
	_, err := e.svc.RefundPayment(e.ctx, e.admin, pid, core.RefundInput{ToWallet: true})
	wantCode(t, "top-up refunded to its own wallet", err, "refund_not_supported")
	part := core.MustMoney("40000")
	p, err := e.svc.RefundPayment(e.ctx, e.admin, pid, core.RefundInput{Amount: &part})
	if err != nil || !p.Refunded.Equal(part) {
		t.Fatalf("partial top-up refund: %v %v", p.Refunded, err)
	}
	if b := e.balance(e.user); !b.Equal(core.MustMoney("60000")) {
		t.Fatalf("balance after refunding 40000 of the top-up = %s, want 60000", b)
	}
	// Spend most of it: the rest of the top-up can no longer be refunded.
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "wallet"})
	if err != nil || res.Subscription.Status != core.SubActive {
		t.Fatalf("wallet subscription: %v", err)
	}
	_, err = e.svc.RefundPayment(e.ctx, e.admin, pid, core.RefundInput{})
	wantCode(t, "refunding more than the wallet holds", err, "wallet_insufficient")
	if b := e.balance(e.user); !b.Equal(core.MustMoney("11000")) {
		t.Fatalf("a refused refund moved the balance to %s", b)
	}
	if p := e.payment(pid); !p.Refunded.Equal(part) || p.RefundRequested() {
		t.Fatalf("a refused refund changed the payment: %+v", p.Refunds)
	}
	e.ledgerClean()
}

// Item 2: when Midtrans refuses a top-up refund, the debit is reversed.
func TestTopUpRefundRefusedIsReversed(t *testing.T) {
	e := newEnv(t)
	pid := e.topUp("100000")
	order := e.payment(pid).OrderID
	// Refunded at the dashboard without a notification reaching us:
	// Midtrans refuses our refund of the same money.
	if _, err := e.gw.Refund(e.ctx, order, core.RefundRequest{Amount: core.MustMoney("100000")}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.RefundPayment(e.ctx, e.admin, pid, core.RefundInput{})
	wantCode(t, "refund Midtrans refuses", err, "gateway_rejected")
	if b := e.balance(e.user); !b.Equal(core.MustMoney("100000")) {
		t.Fatalf("balance after a refused refund = %s, want the debit reversed", b)
	}
	p := e.payment(pid)
	if len(p.Refunds) != 1 || p.Refunds[0].Status != core.RefundFailed || !p.Refunded.IsZero() {
		t.Fatalf("refused refund recorded as %+v, refunded %s", p.Refunds, p.Refunded)
	}
	e.ledgerClean()
}

// Item 3: refunds made in the Midtrans dashboard are all recorded, and a
// top-up refunded there takes its credit back.
func TestDashboardRefundsAreCumulative(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	order := res.Payment.OrderID
	e.mustNotify(coretest.RefundNotification(order, "partial_refund", "49000.00", core.MustMoney("10000")))
	e.mustNotify(coretest.RefundNotification(order, "partial_refund", "49000.00", core.MustMoney("20000")))
	// Midtrans sends each refund's notification twice (before and after
	// the bank confirms): the repeat is a duplicate.
	if l := e.mustNotify(coretest.RefundNotification(order, "partial_refund", "49000.00", core.MustMoney("20000"))); l.Status != core.WebhookDuplicate {
		t.Fatalf("repeated refund notification: %s", l.Status)
	}
	p := e.payment(res.Payment.ID)
	if !p.Refunded.Equal(core.MustMoney("20000")) || p.Status != core.PaymentPartiallyRefunded {
		t.Fatalf("after two dashboard refunds of 10000: refunded %s status %s", p.Refunded, p.Status)
	}
	left := core.MustMoney("29001")
	_, err := e.svc.RefundPayment(e.ctx, e.admin, p.ID, core.RefundInput{Amount: &left})
	wantCode(t, "refund beyond what the dashboard left", err, "refund_exceeds_payment")

	pid := e.topUp("50000")
	tu := e.payment(pid)
	e.mustNotify(coretest.RefundNotification(tu.OrderID, "partial_refund", "50000.00", core.MustMoney("15000")))
	if b := e.balance(e.user); !b.Equal(core.MustMoney("35000")) {
		t.Fatalf("balance after a dashboard refund of 15000 of a top-up = %s, want 35000", b)
	}
	e.ledgerClean()
}

// Item 4: overlapping refunds are each reserved before the gateway call:
// both are sent and recorded, and together never exceed the payment.
func TestOverlappingRefundsNeverExceedThePayment(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("pro", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	a, b := core.MustMoney("10000"), core.MustMoney("30000")
	nested := 0
	e.gw.OnRefund = func(string, core.Money) {
		if nested++; nested > 1 {
			return
		}
		if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &b}); err != nil {
			t.Errorf("overlapping refund: %v", err)
		}
	}
	p, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &a})
	if err != nil {
		t.Fatal(err)
	}
	p = e.payment(p.ID)
	if !p.Refunded.Equal(core.MustMoney("40000")) || len(p.Refunds) != 2 || p.Refunds[0].Key == p.Refunds[1].Key {
		t.Fatalf("two overlapping refunds: refunded %s, refunds %+v", p.Refunded, p.Refunds)
	}

	// A direct refund of everything racing a wallet refund of everything.
	res2, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "gopay"})
	if err != nil {
		t.Fatal(err)
	}
	e.mustNotify(e.gw.Settle(res2.Payment.OrderID))
	var raced error
	e.gw.OnRefund = func(string, core.Money) {
		_, raced = e.svc.RefundPayment(e.ctx, e.admin, res2.Payment.ID, core.RefundInput{ToWallet: true})
	}
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res2.Payment.ID, core.RefundInput{Direct: true}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "wallet refund racing a direct refund of everything", raced, "refund_exceeds_payment")
	if p := e.payment(res2.Payment.ID); !p.Refunded.Equal(core.MustMoney("49000")) {
		t.Fatalf("refunded %s of a 49000 payment", p.Refunded)
	}
	if bal := e.balance(e.user); !bal.IsZero() {
		t.Fatalf("wallet %s: the raced wallet refund paid out too", bal)
	}
}

// Item 4: a refund whose answer was lost stays reserved and is sent again
// by the billing run under the same key.
func TestLostRefundAnswerIsResent(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	e.gw.FailNext = 10 // the client's own retries fail too
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{}); err == nil {
		t.Fatal("refund with the gateway down succeeded")
	}
	p := e.payment(res.Payment.ID)
	if !p.RefundRequested() || !p.Refundable().IsZero() {
		t.Fatalf("refund not held as reserved: %+v refundable %s", p.Refunds, p.Refundable())
	}
	e.gw.FailNext = 0
	e.run()
	p = e.payment(res.Payment.ID)
	if p.RefundRequested() || p.Status != core.PaymentRefunded || !p.Refunded.Equal(core.MustMoney("49000")) {
		t.Fatalf("after the billing run: %s refunded %s refunds %+v", p.Status, p.Refunded, p.Refunds)
	}
}

// Item 16: a card given to a trial is saved as a reusable token at
// sign-up; the trial's end charges that token and the subscription is active.
func TestCardTrialSurvivesTheTrial(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "trial", PaymentType: "credit_card", Token: "tok-trial"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubTrialing || s.CardToken != "saved-tok-trial" || s.PaymentMethodID == "" {
		t.Fatalf("after sign-up: status %s token %q method %q", s.Status, s.CardToken, s.PaymentMethodID)
	}
	for _, p := range e.payments(s.ID) {
		if p.Purpose == core.PurposeCardCheck && p.Status != core.PaymentCancelled {
			t.Fatalf("card check left %s, want voided", p.Status)
		}
	}
	e.advance(8 * 24 * time.Hour)
	s = e.sub(s.ID)
	if s.Status != core.SubActive || s.Cycle != 1 {
		t.Fatalf("after the trial: status %s cycle %d", s.Status, s.Cycle)
	}
}

// Item 16: a declined card ends the trial at sign-up.
func TestCardTrialDeclined(t *testing.T) {
	e := newEnv(t)
	e.gw.Decline = true
	_, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "trial", PaymentType: "credit_card", Token: "tok-bad"})
	wantCode(t, "trial with a declined card", err, "payment_declined")
	subs, _ := e.svc.ListSubscriptions(e.ctx, e.user, core.SubscriptionFilter{})
	if len(subs) != 1 || subs[0].Status != core.SubExpired {
		t.Fatalf("subscriptions after a declined card: %+v", subs)
	}
}

// Item 17: a card top-up is charged with its token and credited.
func TestCardTopUp(t *testing.T) {
	e := newEnv(t)
	tu, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "25000", PaymentType: "credit_card", Token: "tok-topup"})
	if err != nil || tu.Status != core.TopUpPaid {
		t.Fatalf("card top-up: %+v %v", tu, err)
	}
	if b := e.balance(e.user); !b.Equal(core.MustMoney("25000")) {
		t.Fatalf("balance %s", b)
	}
	sum := e.run()
	if sum.Errors != 0 {
		t.Fatalf("billing run after a card top-up: %+v", sum)
	}
}
