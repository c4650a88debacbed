package core_test

import (
	"errors"
	"slices"
	"strings"
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
	answered, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{})
	if err != nil || !answered.RefundRequested() {
		t.Fatalf("refund with the gateway down: %v, answered %+v; want it accepted, pending", err, answered.Refunds)
	}
	p := e.payment(res.Payment.ID)
	if !p.RefundRequested() || !p.Refundable().IsZero() {
		t.Fatalf("refund not held as reserved: %+v refundable %s", p.Refunds, p.Refundable())
	}
	// The merchant asking again does not refund twice.
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{}); err == nil {
		t.Fatal("a second full refund while the first is pending was accepted")
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

// nativeSub signs up for plan by card; the first charge captures and the
// subscription is handed to the (fake) Midtrans Subscription API.
func (e *env) nativeSub(plan string) core.Subscription {
	e.t.Helper()
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: plan, PaymentType: "credit_card", Token: "tok-" + plan})
	if err != nil {
		e.t.Fatal(err)
	}
	s := e.sub(res.Subscription.ID)
	if !s.Native() || s.Status != core.SubActive {
		e.t.Fatalf("card subscription: status %s native %q", s.Status, s.MidtransSubscriptionID)
	}
	return s
}

func (e *env) midtrans(id string) core.NativeSubscription {
	e.t.Helper()
	ns, err := e.gw.GetSubscription(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ns
}

// paidSub subscribes to plan by BNI virtual account and pays cycle 1.
func (e *env) paidSub(plan string) core.Subscription {
	e.t.Helper()
	res := e.subscribe(plan, "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	return e.sub(res.Subscription.ID)
}

func (e *env) openPayment(subID string) core.Payment {
	e.t.Helper()
	for _, p := range e.payments(subID) {
		if p.Status.Open() && !p.Superseded {
			return p
		}
	}
	e.t.Fatalf("no open payment for %s", subID)
	return core.Payment{}
}

// Item 5: an organization's wallet is seen and funded by its managers.
func TestOrganizationWallet(t *testing.T) {
	e := newEnv(t)
	org, err := e.svc.CreateOrganization(e.ctx, e.user, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	e.featurePlan("team", "10000", map[string]any{"max_users": 5.0}, false)
	if _, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{PlanID: ref("team")}); err != nil {
		t.Fatal(err)
	}
	bob := e.newUser("bob")
	if _, err := e.svc.AddMemberRole(e.ctx, e.user, org.ID, "bob", core.RoleMember); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetOrgWallet(e.ctx, bob, org.ID); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("a plain member reading the organization wallet: %v", err)
	}
	if _, err := e.svc.CreateTopUp(e.ctx, bob, core.TopUpInput{OrganizationID: org.ID, Amount: "20000", PaymentType: "qris"}); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("a plain member funding the organization wallet: %v", err)
	}
	tu, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{OrganizationID: org.ID, Amount: "20000", PaymentType: "qris"})
	if err != nil {
		t.Fatal(err)
	}
	e.mustNotify(e.gw.Settle(tu.OrderID))
	w, err := e.svc.GetOrgWallet(e.ctx, e.user, org.ID)
	if err != nil || !w.Balance.Equal(core.MustMoney("20000")) {
		t.Fatalf("organization wallet %s %v", w.Balance, err)
	}
	if b := e.balance(e.user); !b.IsZero() {
		t.Fatalf("the owner's own wallet got %s", b)
	}
}

// Item 6: pausing stops time. A 100-day pause bills nothing, the customer
// keeps the days they had paid for, and the schedule restarts from there.
func TestPauseStopsTime(t *testing.T) {
	e := newEnv(t)
	s := e.paidSub("basic")
	end := s.CurrentPeriodEnd
	e.advance(10 * 24 * time.Hour)
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	pause := 100 * 24 * time.Hour
	e.advance(pause)
	if n := len(e.payments(s.ID)); n != 1 {
		t.Fatalf("%d payments while paused, want only the first", n)
	}
	r, err := e.svc.ResumeSubscription(e.ctx, e.user, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.CurrentPeriodEnd.Equal(end.Add(pause)) || !r.NextBillingDate.Equal(r.CurrentPeriodEnd) || r.Status != core.SubActive {
		t.Fatalf("after resume: period end %s (want %s), next billing %s, %s", r.CurrentPeriodEnd, end.Add(pause), r.NextBillingDate, r.Status)
	}
	e.run()
	if n := len(e.payments(s.ID)); n != 1 {
		t.Fatalf("resume charged at once: %d payments", n)
	}
	e.clock.Set(r.CurrentPeriodEnd)
	e.run()
	p := e.openPayment(s.ID)
	if p.Cycle != 2 {
		t.Fatalf("renewal is for cycle %d, want 2", p.Cycle)
	}
	invs, _ := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{Ordering: "issue_date"})
	if last := invs[len(invs)-1]; !last.PeriodStart.Equal(r.CurrentPeriodEnd) {
		t.Fatalf("cycle 2 starts %s, want the moved period end %s", last.PeriodStart, r.CurrentPeriodEnd)
	}
}

// Items 6 and 7: pausing cancels the open renewal order; if the customer
// pays it anyway, the money goes to the wallet and the subscription stays
// paused.
func TestPauseCancelsOpenRenewal(t *testing.T) {
	e := newEnv(t)
	s := e.paidSub("basic")
	e.clock.Set(s.CurrentPeriodEnd)
	e.run()
	renewal := e.openPayment(s.ID)
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if p := e.payment(renewal.ID); p.Status != core.PaymentCancelled || !p.Superseded {
		t.Fatalf("open renewal after pause: %s", p.Status)
	}
	if _, err := e.svc.ResumeSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	e.run()
	renewal = e.openPayment(s.ID)
	// Paid at the bank just before the next pause: Midtrans refuses the
	// cancel, and the settlement arrives after the pause.
	paid := e.gw.Settle(renewal.OrderID)
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	e.mustNotify(paid)
	if got := e.sub(s.ID); got.Status != core.SubPaused || got.Cycle != 1 {
		t.Fatalf("paying a cancelled order of a paused subscription: %s cycle %d", got.Status, got.Cycle)
	}
	if b := e.balance(e.user); !b.Equal(core.MustMoney("49000")) {
		t.Fatalf("wallet %s, want the 49000 credited", b)
	}
	e.ledgerClean()
}

// Item 8: a plan change is refused while the subscription is pending,
// paused or past due, or once its period ended unpaid.
func TestPlanChangeRefusedWhileUnpaid(t *testing.T) {
	e := newEnv(t)
	pending := e.subscribe("basic", "bank_transfer")
	if _, err := e.svc.ChangePlan(e.ctx, e.user, pending.Subscription.ID, "pro", nil); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("pending: %v", err)
	}
	e.mustNotify(e.gw.Settle(pending.Payment.OrderID))
	s := e.sub(pending.Subscription.ID)
	e.clock.Set(s.CurrentPeriodEnd)
	e.run()
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "pro", nil); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("period ended unpaid: %v", err)
	}
	e.mustNotify(e.gw.ExpireOrder(e.openPayment(s.ID).OrderID))
	if got := e.sub(s.ID); got.Status != core.SubPastDue {
		t.Fatalf("status %s, want past_due", got.Status)
	}
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "pro", nil); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("past due: %v", err)
	}
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "pro", nil); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("paused: %v", err)
	}
}

// Item 9: an unpaid upgrade is dropped when its order expires; a wallet
// upgrade applies at once.
func TestUpgradeDroppedWhenUnpaid(t *testing.T) {
	e := newEnv(t)
	s := e.paidSub("basic")
	e.clock.Advance(24 * time.Hour)
	got, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "pro", nil)
	if err != nil || got.PlanID != s.PlanID || got.PendingPlanID == "" {
		t.Fatalf("upgrade awaiting payment: plan %s pending %q %v", got.PlanID, got.PendingPlanID, err)
	}
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "three", nil); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("a second change while one awaits payment: %v", err)
	}
	e.mustNotify(e.gw.ExpireOrder(e.openPayment(s.ID).OrderID))
	got = e.sub(s.ID)
	if got.PlanID != s.PlanID || got.PendingPlanID != "" || got.Status != core.SubActive || got.Cycle != 1 {
		t.Fatalf("after the upgrade order expired: plan %s pending %q %s cycle %d", got.PlanID, got.PendingPlanID, got.Status, got.Cycle)
	}

	w := newEnv(t)
	w.fund("200000")
	res, err := w.svc.CreateSubscription(w.ctx, w.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "wallet"})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(24 * time.Hour)
	up, err := w.svc.ChangePlan(w.ctx, w.user, res.Subscription.ID, "pro", nil)
	if err != nil || up.PendingPlanID != "" || up.PlanID == res.Subscription.PlanID {
		t.Fatalf("wallet upgrade: plan %s pending %q %v", up.PlanID, up.PendingPlanID, err)
	}
}

func (e *env) fund(amount string) {
	e.t.Helper()
	w, err := e.svc.GetWallet(e.ctx, e.user)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.AdjustWallet(e.ctx, e.admin, w.ID, core.MustMoney(amount), "test credit"); err != nil {
		e.t.Fatal(err)
	}
}

// Item 10: an open renewal order is reissued at the new price when the
// plan changes.
func TestOpenRenewalReissuedOnPlanChange(t *testing.T) {
	e := newEnv(t)
	s := e.paidSub("basic")
	e.clock.Set(s.CurrentPeriodEnd)
	e.run()
	old := e.openPayment(s.ID)
	if _, err := e.svc.AdminUpdateSubscription(e.ctx, e.admin, s.ID, core.AdminSubscriptionInput{PlanID: ref("pro")}); err != nil {
		t.Fatal(err)
	}
	if p := e.payment(old.ID); p.Status != core.PaymentCancelled || !p.Superseded {
		t.Fatalf("old renewal order %s superseded=%v", p.Status, p.Superseded)
	}
	p := e.openPayment(s.ID)
	if !p.Amount.Equal(core.MustMoney("99000")) || p.Attempt != old.Attempt+1 || p.Cycle != old.Cycle {
		t.Fatalf("reissued order %s attempt %d cycle %d", p.Amount, p.Attempt, p.Cycle)
	}
	inv, _ := e.svc.GetInvoice(e.ctx, e.user, p.InvoiceID)
	if !inv.Total.Equal(p.Amount) {
		t.Fatalf("invoice total %s, order %s", inv.Total, p.Amount)
	}
}

// Item 11: downgrade credit beyond what the next invoice absorbs is carried
// to the following ones, and paid to the wallet when the subscription ends.
// The credit is a credit note on the period's invoice.
func TestDowngradeCreditCarried(t *testing.T) {
	e := newEnv(t)
	e.plan("tiny", "10000", 0, 0)
	s := e.paidSub("pro")
	now := true
	got, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "tiny", &now)
	if err != nil {
		t.Fatal(err)
	}
	credit := got.CreditNoteBalance
	if credit.Cmp(core.MustMoney("80000")) < 0 || !got.PendingCredit.IsZero() {
		t.Fatalf("credit %s (before PPN %s) for a downgrade at the period start", credit, got.PendingCredit)
	}
	notes, err := e.svc.ListCreditNotes(e.ctx, e.user, core.CreditNoteFilter{})
	if err != nil || len(notes) != 1 || !notes[0].Amount.Equal(credit) || notes[0].Reason != core.CreditDowngrade {
		t.Fatalf("credit notes %+v, %v; want one of %s", notes, err, credit)
	}
	e.clock.Set(got.CurrentPeriodEnd)
	e.run()
	invs, _ := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{Ordering: "issue_date"})
	next := invs[len(invs)-1]
	if !next.Total.IsZero() || next.Total.IsNegative() {
		t.Fatalf("next invoice total %s, want 0", next.Total)
	}
	got = e.sub(s.ID)
	if want := credit.Sub(core.MustMoney("10000")); !got.CreditNoteBalance.Equal(want) {
		t.Fatalf("carried credit %s, want %s", got.CreditNoteBalance, want)
	}
	left := got.CreditNoteBalance
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, s.ID, "", true, false); err != nil {
		t.Fatal(err)
	}
	if b := e.balance(e.user); !b.Equal(left) {
		t.Fatalf("wallet %s after cancel, want the unused credit %s", b, left)
	}
	e.ledgerClean()
}

// Item 12: a coupon restricted to a plan stops applying on another plan.
func TestCouponFollowsItsPlans(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: ref("PRO50"), PercentOff: ref("50"), Duration: ref("forever"),
		AppliesToPlans: []string{"pro"}, AppliesToSet: true}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "pro", PaymentType: "qris", Coupon: "PRO50"})
	if err != nil || !res.Payment.Amount.Equal(core.MustMoney("49500")) {
		t.Fatalf("coupon on pro: %v %v", res.Payment, err)
	}
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	if _, err := e.svc.ChangePlan(e.ctx, e.user, res.Subscription.ID, "basic", nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.sub(res.Subscription.ID).CurrentPeriodEnd)
	e.run() // the scheduled downgrade
	e.run() // the renewal
	if p := e.openPayment(res.Subscription.ID); !p.Amount.Equal(core.MustMoney("49000")) {
		t.Fatalf("renewal on basic charges %s, want 49000 (no PRO50)", p.Amount)
	}
}

// Item 13: what Midtrans charges next equals the next invoice's total, and
// a change Midtrans refuses is refused here with nothing changed.
func TestNativeAmountFollowsTheNextInvoice(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: ref("TENOFF"), PercentOff: ref("10"), Duration: ref("once")}); err != nil {
		t.Fatal(err)
	}
	s := e.nativeSub("basic")
	e.gw.FailNext = 10
	if _, err := e.svc.ApplyCoupon(e.ctx, e.user, s.ID, "TENOFF"); err == nil {
		t.Fatal("a coupon Midtrans could not be told about was applied")
	}
	e.gw.FailNext = 0
	if got := e.sub(s.ID); got.CouponID != "" {
		t.Fatalf("refused coupon left on the subscription")
	}
	if _, err := e.svc.ApplyCoupon(e.ctx, e.user, s.ID, "TENOFF"); err != nil {
		t.Fatal(err)
	}
	if ns := e.midtrans(s.MidtransSubscriptionID); !ns.Amount.Equal(core.MustMoney("44100")) {
		t.Fatalf("Midtrans amount %s after a 10%% coupon, want 44100", ns.Amount)
	}
	// The once coupon is used by the next charge; Midtrans goes back to 49000.
	e.clock.Set(s.CurrentPeriodEnd)
	e.mustNotify(e.gw.NativeCharge(s.MidtransSubscriptionID, true))
	got := e.sub(s.ID)
	if got.Cycle != 2 {
		t.Fatalf("cycle %d after the native charge", got.Cycle)
	}
	if ns := e.midtrans(got.MidtransSubscriptionID); !ns.Amount.Equal(core.MustMoney("49000")) {
		t.Fatalf("Midtrans amount %s after the coupon ran out, want 49000", ns.Amount)
	}
	// A scheduled downgrade moves what Midtrans charges at the period end.
	e.plan("lite", "20000", 0, 0)
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "lite", nil); err != nil {
		t.Fatal(err)
	}
	if ns := e.midtrans(got.MidtransSubscriptionID); !ns.Amount.Equal(core.MustMoney("20000")) {
		t.Fatalf("Midtrans amount %s after a scheduled downgrade to 20000", ns.Amount)
	}
}

// Item 14: every local end ends the subscription at Midtrans; undoing a
// period-end cancel makes Midtrans charge again.
func TestLocalEndsEndAtMidtrans(t *testing.T) {
	e := newEnv(t)
	s := e.nativeSub("basic")
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, s.ID, "", false, false); err != nil {
		t.Fatal(err)
	}
	if ns := e.midtrans(s.MidtransSubscriptionID); ns.Status != "inactive" {
		t.Fatalf("Midtrans status %s after a period-end cancel", ns.Status)
	}
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, s.ID, "", false, true); err != nil {
		t.Fatal(err)
	}
	got := e.sub(s.ID)
	if ns := e.midtrans(got.MidtransSubscriptionID); ns.Status != "active" || !ns.NextExecutionAt.Equal(got.CurrentPeriodEnd) {
		t.Fatalf("after undo: Midtrans %s next %s, want active at %s", ns.Status, ns.NextExecutionAt, got.CurrentPeriodEnd)
	}
	// A plan with an end date: the engine ends it, and Midtrans too.
	e2 := newEnv(t)
	res, err := e2.svc.CreateSubscription(e2.ctx, e2.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "credit_card", Token: "tok-x",
		EndsAt: start.Add(40 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s2 := e2.sub(res.Subscription.ID)
	if ns := e2.midtrans(s2.MidtransSubscriptionID); ns.Status != "active" {
		t.Fatalf("Midtrans %s before the last period", ns.Status)
	}
	e2.clock.Set(s2.CurrentPeriodEnd)
	e2.mustNotify(e2.gw.NativeCharge(s2.MidtransSubscriptionID, true))
	if ns := e2.midtrans(s2.MidtransSubscriptionID); ns.Status != "inactive" {
		t.Fatalf("Midtrans %s in the last period (the end date comes before its end)", ns.Status)
	}
	e2.advance(12 * 24 * time.Hour)
	if got := e2.sub(s2.ID); got.Status != core.SubExpired {
		t.Fatalf("after the end date: %s", got.Status)
	}
	if calls := strings.Join(e2.gw.Calls, ","); !strings.Contains(calls, "subscription.cancel") {
		t.Fatalf("the local end did not cancel at Midtrans: %s", calls)
	}
}

// Item 15: a Midtrans charge for a subscription that ended here is
// refunded through Midtrans, never dropped.
func TestNativeChargeAfterEndIsRefunded(t *testing.T) {
	e := newEnv(t)
	s := e.nativeSub("basic")
	e.gw.FailNext = 1 // the cancel does not reach Midtrans...
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, s.ID, "", true, false); err == nil {
		t.Fatal("cancel with Midtrans down succeeded")
	}
	if _, err := e.svc.AdminUpdateSubscription(e.ctx, e.admin, s.ID, core.AdminSubscriptionInput{Status: ref("cancelled")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(s.CurrentPeriodEnd)
	e.mustNotify(e.gw.NativeCharge(s.MidtransSubscriptionID, true)) // ...and Midtrans charges
	var stray *core.Payment
	for _, p := range e.payments(s.ID) {
		if p.Cycle == 2 {
			stray = &p
		}
	}
	if stray == nil || stray.Status != core.PaymentRefunded || !stray.Refunded.Equal(core.MustMoney("49000")) {
		t.Fatalf("charge after the end: %+v", stray)
	}
	if got := e.sub(s.ID); got.Cycle != 1 || got.Status != core.SubCancelled {
		t.Fatalf("the stray charge renewed the subscription: %s cycle %d", got.Status, got.Cycle)
	}
}

// Item 18: plain members read an organization's subscriptions; only its
// owner and admins act on them.
func TestOrganizationMembersRead(t *testing.T) {
	e := newEnv(t)
	org, err := e.svc.CreateOrganization(e.ctx, e.user, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	e.featurePlan("team", "10000", map[string]any{"max_users": 5.0}, false)
	sub, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{PlanID: ref("team"), PaymentType: ref("bank_transfer")})
	if err != nil {
		t.Fatal(err)
	}
	bob := e.newUser("bob")
	if _, err := e.svc.AddMemberRole(e.ctx, e.user, org.ID, "bob", core.RoleMember); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetSubscription(e.ctx, bob, sub.ID); err != nil {
		t.Fatalf("a member reading: %v", err)
	}
	acts := map[string]func() error{
		"cancel":      func() error { _, err := e.svc.CancelSubscription(e.ctx, bob, sub.ID, "", true, false); return err },
		"pause":       func() error { _, err := e.svc.PauseSubscription(e.ctx, bob, sub.ID); return err },
		"change plan": func() error { _, err := e.svc.ChangePlan(e.ctx, bob, sub.ID, "pro", nil); return err },
		"seats":       func() error { _, err := e.svc.SetQuantity(e.ctx, bob, sub.ID, 3); return err },
	}
	for name, act := range acts {
		if err := act(); !errors.Is(err, core.ErrForbidden) {
			t.Errorf("a plain member's %s: %v, want forbidden", name, err)
		}
	}
	if got := e.sub(sub.ID); got.Status != core.SubActive {
		t.Fatalf("status %s after refused actions", got.Status)
	}
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, sub.ID); err != nil {
		t.Fatalf("the owner pausing: %v", err)
	}
}

// Items 19-21: an end date in the past, the first payment's type, one
// trial per owner and plan.
func TestSignUpRules(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "qris", EndsAt: start.Add(-time.Hour)})
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Fields["end_date"] == "" {
		t.Fatalf("end date in the past: %v", err)
	}
	// The service's own metadata keys are not the client's to set.
	for _, key := range []string{"midtrans_cancelled", "midtrans_previous_ids", "paused_from", "snap_checkout"} {
		_, err = e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "qris",
			Metadata: map[string]any{"order_ref": "A-1", key: true}})
		if !errors.As(err, &ce) || ce.Fields["metadata."+key] == "" {
			t.Fatalf("metadata.%s from the client: %v", key, err)
		}
	}
	e.fund("100000")
	if _, err := e.svc.SetAutoPay(e.ctx, e.user, true); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "qris", AutoPay: true})
	if err != nil || res.Payment == nil || res.Payment.PaymentType != core.PayQRIS || res.Payment.Status != core.PaymentPending {
		t.Fatalf("qris with auto-pay on: %+v %v", res.Payment, err)
	}
	if b := e.balance(e.user); !b.Equal(core.MustMoney("100000")) {
		t.Fatalf("the first payment came from the wallet: %s", b)
	}
	first := e.subscribe("trial", "qris")
	if first.Subscription.Status != core.SubTrialing {
		t.Fatalf("first trial: %s", first.Subscription.Status)
	}
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, first.Subscription.ID, "", true, false); err != nil {
		t.Fatal(err)
	}
	again := e.subscribe("trial", "qris")
	if again.Subscription.Status != core.SubPending || again.Payment == nil {
		t.Fatalf("second subscription to a trialled plan: %s", again.Subscription.Status)
	}
}

// Item 22: with the default dunning settings every retry is made before
// the subscription expires.
func TestEveryDunningRetryHappens(t *testing.T) {
	e := newEnv(t)
	s := e.paidSub("basic")
	e.clock.Set(s.CurrentPeriodEnd)
	e.run()
	for i := 0; i < 10 && e.sub(s.ID).Status != core.SubExpired; i++ {
		for _, p := range e.payments(s.ID) {
			if p.Status.Open() && !p.Superseded {
				e.mustNotify(e.gw.ExpireOrder(p.OrderID))
			}
		}
		e.advance(24 * time.Hour)
	}
	attempts := 0
	for _, p := range e.payments(s.ID) {
		if p.Cycle == 2 {
			attempts++
		}
	}
	if want := 1 + core.DefaultConfig().DunningRetries; attempts != want {
		t.Fatalf("%d charges of the renewal before expiry, want %d", attempts, want)
	}
	if got := e.sub(s.ID); got.Status != core.SubExpired {
		t.Fatalf("status %s", got.Status)
	}
}

// Simulator finding: a wallet trial whose wallet cannot cover the charge at
// its end is charged by Midtrans order instead, and expires unpaid.
func TestWalletTrialEndFallsBackToAnOrder(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "trial", PaymentType: "wallet"})
	if err != nil || res.Subscription.Status != core.SubTrialing {
		t.Fatalf("wallet trial: %v %v", res.Subscription.Status, err)
	}
	e.clock.Set(res.Subscription.TrialEnd.Add(time.Hour))
	e.run()
	if p := e.openPayment(res.Subscription.ID); p.PaymentType != core.PayBankTransfer {
		t.Fatalf("trial end with an empty wallet: %s", p.PaymentType)
	}
	e.advance(2 * 24 * time.Hour)
	if got := e.sub(res.Subscription.ID); got.Status != core.SubExpired {
		t.Fatalf("an unpaid trial end: %s", got.Status)
	}
}

// Simulator finding: a refund notification that arrives before the
// settlement's pays the invoice first, then records the refund.
func TestRefundNotificationBeforeSettlement(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	order := res.Payment.OrderID
	e.gw.Settle(order) // its notification is late
	e.mustNotify(coretest.RefundNotification(order, "partial_refund", "49000.00", core.MustMoney("9000")))
	p := e.payment(res.Payment.ID)
	if p.Status != core.PaymentPartiallyRefunded || !p.Refunded.Equal(core.MustMoney("9000")) {
		t.Fatalf("payment %s refunded %s", p.Status, p.Refunded)
	}
	if got := e.sub(res.Subscription.ID); got.Status != core.SubActive || got.Cycle != 1 {
		t.Fatalf("subscription %s cycle %d", got.Status, got.Cycle)
	}
	e.mustNotify(coretest.Notification(order, "settlement", "200", "49000.00", p.TransactionID))
	if got := e.sub(res.Subscription.ID); got.Cycle != 1 {
		t.Fatalf("the late settlement paid again: cycle %d", got.Cycle)
	}
}

// Simulator finding: a payment refunded to the wallet and then at the
// Midtrans dashboard is paid back once: the wallet refund is reclaimed.
func TestWalletRefundThenDashboardRefund(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{ToWallet: true}); err != nil {
		t.Fatal(err)
	}
	e.mustNotify(coretest.RefundNotification(res.Payment.OrderID, "refund", "49000.00", core.MustMoney("49000")))
	p := e.payment(res.Payment.ID)
	if !p.Refunded.Equal(core.MustMoney("49000")) {
		t.Fatalf("refunded %s of 49000", p.Refunded)
	}
	if b := e.balance(e.user); !b.IsZero() {
		t.Fatalf("wallet %s: the customer was paid back twice", b)
	}
	e.ledgerClean()
}

// Simulator finding: a refund made at the Midtrans dashboard whose every
// notification was lost is found by the refund checks after settlement,
// for a method the Refund API serves and for one the dashboard records
// offline (a virtual account).
func TestDashboardRefundFoundByRefundCheck(t *testing.T) {
	for _, method := range []string{"qris", "bank_transfer"} {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t)
			res := e.subscribe("basic", method)
			e.mustNotify(e.gw.Settle(res.Payment.OrderID))
			p := e.payment(res.Payment.ID)
			if p.RefundCheckAt.IsZero() {
				t.Fatal("no refund check scheduled for a settled payment")
			}
			if _, err := e.gw.Refund(e.ctx, p.OrderID, core.RefundRequest{Amount: core.MustMoney("49000")}); err != nil {
				t.Fatal(err) // at the dashboard; its notifications never arrive
			}
			e.advance(2 * 24 * time.Hour)
			if got := e.payment(p.ID); got.Status != core.PaymentRefunded || !got.Refunded.Equal(core.MustMoney("49000")) {
				t.Fatalf("after the refund check: %s refunded %s", got.Status, got.Refunded)
			}
			if notes := e.creditNotes(e.user); len(notes) != 1 || !notes[0].Amount.Equal(core.MustMoney("49000")) {
				t.Fatalf("credit notes after the refund check found the refund: %+v", notes)
			}
		})
	}
}

// Simulator finding (seed 1277): an upgrade whose proration charge never
// reached Midtrans is charged again and paid by the billing run's poll;
// the upgrade then takes effect, and Midtrans must charge the new price.
func TestProrationPaidByPollTellsMidtrans(t *testing.T) {
	e := newEnv(t)
	s := e.nativeSub("basic")
	e.clock.Advance(24 * time.Hour)
	e.gw.FailOp = "charge"
	now := true
	if _, err := e.svc.ChangePlan(e.ctx, e.user, s.ID, "pro", &now); err != nil {
		t.Fatal(err)
	}
	if ns := e.midtrans(s.MidtransSubscriptionID); !ns.Amount.Equal(core.MustMoney("49000")) {
		t.Fatalf("Midtrans amount %s while the upgrade is unpaid, want 49000", ns.Amount)
	}
	e.run()
	got := e.sub(s.ID)
	if got.PendingPlanID != "" {
		t.Fatalf("upgrade still pending after the poll paid it")
	}
	if ns := e.midtrans(got.MidtransSubscriptionID); !ns.Amount.Equal(core.MustMoney("99000")) {
		t.Fatalf("Midtrans amount %s after the upgrade was paid, want 99000", ns.Amount)
	}
}

// Simulator finding (seed 1545): a trial whose plan changes from yearly to
// monthly while its first order is open gets an order and an invoice for
// the monthly period, not the yearly one.
func TestReissuedOrderStatesTheNewPeriod(t *testing.T) {
	e := newEnv(t)
	yearly, err := core.ApplyPlanInput(core.Plan{}, core.PlanInput{Name: ref("yearly"), Price: ref("490000"), IntervalUnit: ref("year"),
		TrialPeriodDays: ref(7), MaxCycles: ref(0)}, true)
	if err != nil {
		t.Fatal(err)
	}
	yearly.ID = "yearly-plan-id"
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.Plans().Put(yearly) }); err != nil {
		t.Fatal(err)
	}
	res := e.subscribe("yearly", "bank_transfer")
	e.clock.Set(e.sub(res.Subscription.ID).TrialEnd)
	e.run()
	open := e.openPayment(res.Subscription.ID)
	if _, err := e.svc.AdminUpdateSubscription(e.ctx, e.admin, res.Subscription.ID, core.AdminSubscriptionInput{PlanID: ref("basic")}); err != nil {
		t.Fatal(err)
	}
	p := e.openPayment(res.Subscription.ID)
	if p.ID == open.ID {
		t.Fatal("the open yearly order was not reissued")
	}
	inv, err := e.svc.GetInvoice(e.ctx, e.user, p.InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if months := inv.PeriodEnd.Sub(inv.PeriodStart).Hours() / 24; months > 31 {
		t.Fatalf("reissued invoice for %s covers %s..%s (%.0f days)", p.Amount, inv.PeriodStart, inv.PeriodEnd, months)
	}
}

// Simulator finding (seed 1657): Midtrans charged a schedule at its period
// end; the notification came late, after a pause and resume had replaced
// that schedule. The charge paid the next cycle and is not refunded, and
// the replaced (cancelled) schedule is not adopted again.
func TestReplacedScheduleLateChargeCounts(t *testing.T) {
	e := newEnv(t)
	s := e.nativeSub("basic")
	old := s.MidtransSubscriptionID
	e.clock.Set(s.CurrentPeriodEnd.Add(30 * time.Minute))
	late := e.gw.NativeCharge(old, true)
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResumeSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.sub(s.ID); got.MidtransSubscriptionID == old {
		t.Fatalf("resume kept schedule %s", old)
	}
	e.mustNotify(late)
	got := e.sub(s.ID)
	if got.Cycle != 2 || got.MidtransSubscriptionID == old {
		t.Fatalf("after the late charge: cycle %d, schedule %q (replaced %q)", got.Cycle, got.MidtransSubscriptionID, old)
	}
	for _, p := range e.payments(s.ID) {
		if p.Refunded.Valid() && p.Refunded.IsPositive() {
			t.Fatalf("payment %s (%s) refunded %s", p.OrderID, p.Amount, p.Refunded)
		}
	}
	if b := e.balance(e.user); !b.IsZero() {
		t.Fatalf("wallet %s: the charge was credited instead of paying cycle 2", b)
	}
}

// Simulator finding (seed 1648): Midtrans charged a native subscription and
// every notification of that charge was lost; the subscription was then
// paused (or ended, or its schedule replaced), after which no sync ever
// looks at that schedule again. Stopping a schedule therefore first learns
// what it charged: the charge renews the cycle it paid, once.
func TestStoppedScheduleChargesAreRecorded(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(e *env, id string) error
	}{
		{"pause", func(e *env, id string) error { _, err := e.svc.PauseSubscription(e.ctx, e.user, id); return err }},
		{"cancel now", func(e *env, id string) error {
			_, err := e.svc.CancelSubscription(e.ctx, e.user, id, "", true, false)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "credit_card", Token: "tok-4811"})
			if err != nil {
				t.Fatal(err)
			}
			s := e.sub(res.Subscription.ID)
			if s.MidtransSubscriptionID == "" {
				t.Fatalf("not handed to Midtrans: %+v", s)
			}
			e.clock.Set(s.CurrentPeriodEnd.Add(time.Minute))
			_ = e.gw.NativeCharge(s.MidtransSubscriptionID, true) // its notifications are lost
			if err := tc.stop(e, s.ID); err != nil {
				t.Fatal(err)
			}
			paid := 0
			for _, p := range e.payments(s.ID) {
				if p.Status == core.PaymentPaid {
					paid++
				}
			}
			if paid != 2 {
				for _, p := range e.payments(s.ID) {
					t.Logf("payment %s %s %s cycle %d refunded %s", p.OrderID, p.Status, p.Amount, p.Cycle, p.Refunded)
				}
				t.Fatalf("%d paid payments, want 2 (the first charge and Midtrans' renewal)", paid)
			}
			if got := e.sub(s.ID); tc.name == "pause" && got.Cycle != 2 {
				t.Errorf("Midtrans' charge did not renew the cycle it paid: cycle %d", got.Cycle)
			}
			// A second stop (or a sync) records nothing more.
			if _, err := e.svc.SyncSubscription(e.ctx, e.admin, s.ID); err != nil && tc.name == "pause" {
				t.Fatal(err)
			}
			again := 0
			for _, p := range e.payments(s.ID) {
				if p.Status == core.PaymentPaid {
					again++
				}
			}
			if again != paid {
				t.Errorf("%d paid payments after a sync, want %d", again, paid)
			}
		})
	}
}

// A member's list holds their own subscriptions and their organization's,
// each once, and a status filter drops from both (the lists of the two
// owners are filtered in place and joined).
func TestListSubscriptionsOwnAndOrganization(t *testing.T) {
	e := newEnv(t)
	org, err := e.svc.CreateOrganization(e.ctx, e.user, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	e.featurePlan("team", "10000", map[string]any{"max_users": 5.0}, false)
	orgSub, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{PlanID: ref("team")})
	if err != nil {
		t.Fatal(err)
	}
	dropped := e.paidSub("basic")
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, dropped.ID, "test", true, false); err != nil {
		t.Fatal(err)
	}
	kept := e.paidSub("basic")
	ids := func(f core.SubscriptionFilter) []string {
		t.Helper()
		subs, err := e.svc.ListSubscriptions(e.ctx, e.user, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range subs {
			out = append(out, s.ID)
		}
		slices.Sort(out)
		return out
	}
	if st := e.sub(orgSub.ID).Status; st != core.SubActive {
		t.Fatalf("the organization's subscription is %s, want active", st)
	}
	all := []string{orgSub.ID, kept.ID, dropped.ID}
	slices.Sort(all)
	if got := ids(core.SubscriptionFilter{}); !slices.Equal(got, all) {
		t.Errorf("unfiltered: %v, want %v", got, all)
	}
	want := []string{orgSub.ID, kept.ID}
	slices.Sort(want)
	if got := ids(core.SubscriptionFilter{Status: string(core.SubActive)}); !slices.Equal(got, want) {
		t.Errorf("active: %v, want %v", got, want)
	}
}
