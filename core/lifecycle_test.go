package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// env is a service over the in-memory store, the fake gateway and a
// manual clock, with one customer and a few plans.
type env struct {
	t     *testing.T
	ctx   context.Context
	svc   *core.Service
	gw    *coretest.Gateway
	clock *core.ManualClock
	store core.Store
	user  core.Actor
	admin core.Actor
}

var start = time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env { t.Helper(); return newEnvConfig(t, core.DefaultConfig()) }

func newEnvConfig(t *testing.T, cfg core.Config) *env {
	t.Helper()
	clock := core.NewManualClock(start)
	gw := coretest.NewGateway(clock)
	store := bolt.NewMemory()
	svc, err := core.NewService(core.Deps{Store: store, Gateway: gw, Clock: clock, Wall: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), svc: svc, gw: gw, clock: clock, store: store,
		user: core.Actor{UserID: "11111111-1111-4111-8111-111111111111"}, admin: core.Actor{UserID: "22222222-2222-4222-8222-222222222222", IsAdmin: true}}
	e.plan("basic", "49000", 0, 0)
	e.plan("pro", "99000", 0, 0)
	e.plan("trial", "49000", 7, 0)
	e.plan("three", "10000", 0, 3)
	return e
}

func (e *env) plan(slug, price string, trial, maxCycles int) core.Plan {
	e.t.Helper()
	p, err := core.ApplyPlanInput(core.Plan{}, core.PlanInput{Name: &slug, Price: &price, IntervalUnit: ref("month"),
		TrialPeriodDays: &trial, MaxCycles: &maxCycles}, true)
	if err != nil {
		e.t.Fatal(err)
	}
	p.ID = (&coretest.SeqIDs{}).NewID()[:24] + slugID(slug)
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func slugID(s string) string {
	b := []byte("000000000000")
	copy(b[12-min(len(s), 12):], []byte(s))
	for i, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			b[i] = 'a'
		}
	}
	return string(b)
}

func ref[T any](v T) *T { return &v }

func (e *env) subscribe(plan, ptype string) core.SubscriptionResult {
	e.t.Helper()
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: plan, PaymentType: ptype, Metadata: map[string]any{"bank": "bni"}})
	if err != nil {
		e.t.Fatalf("CreateSubscription: %v", err)
	}
	return res
}

func (e *env) notify(body []byte) (core.WebhookLog, error) {
	return e.svc.ProcessNotification(e.ctx, body, "127.0.0.1")
}

func (e *env) mustNotify(body []byte) core.WebhookLog {
	e.t.Helper()
	log, err := e.notify(body)
	if err != nil {
		e.t.Fatalf("ProcessNotification: %v", err)
	}
	return log
}

func (e *env) sub(id string) core.Subscription {
	e.t.Helper()
	s, err := e.svc.GetSubscription(e.ctx, e.user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) run() core.RunSummary {
	e.t.Helper()
	sum, err := e.svc.RunDue(e.ctx)
	if err != nil {
		e.t.Fatalf("RunDue: %v", err)
	}
	return sum
}

// advance moves the clock in steps of at most a day, running due jobs
// after each, like the admin clock endpoint does.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	for d > 0 {
		step := min(d, 24*time.Hour)
		e.clock.Advance(step)
		d -= step
		e.run()
	}
}

func (e *env) payments(subID string) []core.Payment {
	e.t.Helper()
	var out []core.Payment
	if err := e.store.View(e.ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.Payments().ListBySubscription(subID)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) openOrder(subID string) string {
	e.t.Helper()
	for _, p := range e.payments(subID) {
		if p.Status == core.PaymentPending {
			return p.OrderID
		}
	}
	e.t.Fatalf("no pending order for %s", subID)
	return ""
}

func TestSubscribePayActivate(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	if res.Subscription.Status != core.SubPending {
		t.Fatalf("status = %s, want pending", res.Subscription.Status)
	}
	p := res.Payment
	if p == nil || p.Status != core.PaymentPending || p.Details["va_number"] == nil || p.Details["bank"] != "bni" {
		t.Fatalf("payment = %+v, want pending with a BNI VA number", p)
	}
	if p.OrderID != core.SubscriptionOrderID(res.Subscription.ID, 1, 1) {
		t.Fatalf("order id %s is not the deterministic one", p.OrderID)
	}
	log := e.mustNotify(e.gw.Settle(p.OrderID))
	if log.Status != core.WebhookProcessed || !log.SignatureValid {
		t.Fatalf("log = %+v", log)
	}
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubActive || s.Cycle != 1 {
		t.Fatalf("after settlement: status %s cycle %d", s.Status, s.Cycle)
	}
	wantEnd := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC) // Jan 31 clamps to Feb 28
	if !s.CurrentPeriodEnd.Equal(wantEnd) {
		t.Errorf("period end = %v, want %v", s.CurrentPeriodEnd, wantEnd)
	}
	invs, err := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{})
	if err != nil || len(invs) != 1 || invs[0].Status != core.InvoicePaid || !invs[0].Total.Equal(core.MustMoney("49000")) {
		t.Fatalf("invoices = %+v, %v", invs, err)
	}
	if invs[0].Number != "INV/2026/000001" {
		t.Errorf("invoice number = %s", invs[0].Number)
	}
}

func TestNotificationEdgeCases(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	order := res.Payment.OrderID
	settle := e.gw.Settle(order)

	tests := []struct {
		name       string
		body       []byte
		wantKind   error
		wantStatus core.WebhookStatus
	}{
		{"bad signature", coretest.Notification(order, "settlement", "200", "49000.00", "x")[:0], core.ErrInvalid, core.WebhookRejected},
		{"forged signature", forge(order), core.ErrForbidden, core.WebhookRejected},
		{"unknown order", coretest.Notification("SUB-000000000000", "settlement", "200", "49000.00", "x"), core.ErrNotFound, core.WebhookFailed},
		{"amount mismatch", coretest.Notification(order, "settlement", "200", "1000.00", "x"), nil, core.WebhookRejected},
		{"settlement", settle, nil, core.WebhookProcessed},
		{"duplicate", settle, nil, core.WebhookDuplicate},
		{"late pending", coretest.Notification(order, "pending", "201", "49000.00", "x"), nil, core.WebhookIgnored},
		{"late expire", coretest.Notification(order, "expire", "202", "49000.00", "x"), nil, core.WebhookIgnored},
	}
	for _, tc := range tests {
		log, err := e.notify(tc.body)
		if tc.wantKind == nil && err != nil || tc.wantKind != nil && !errors.Is(err, tc.wantKind) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantKind)
		}
		if log.Status != tc.wantStatus {
			t.Errorf("%s: log status = %s, want %s", tc.name, log.Status, tc.wantStatus)
		}
	}
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubActive || s.Cycle != 1 {
		t.Fatalf("status %s cycle %d; the edge cases must not disturb one activation", s.Status, s.Cycle)
	}
}

func forge(order string) []byte {
	return coretest.Forged(coretest.Notification(order, "settlement", "200", "49000.00", "x"))
}

func TestFirstChargeExpiryExpiresPending(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.ExpireOrder(res.Payment.OrderID))
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubExpired {
		t.Fatalf("status = %s, want expired (never past_due: it was never paid)", s.Status)
	}
}

func TestFirstChargeUnpaidExpiresThroughEngine(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.advance(25 * time.Hour) // no notification at all: the engine polls and expires
	if s := e.sub(res.Subscription.ID); s.Status != core.SubExpired {
		t.Fatalf("status = %s, want expired", s.Status)
	}
}

func TestDuplicateLiveSubscriptionRefused(t *testing.T) {
	e := newEnv(t)
	e.subscribe("basic", "bank_transfer")
	_, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "qris"})
	if !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second live subscription: err = %v, want conflict", err)
	}
}

// Two years of monthly billing: every renewal charged exactly once, one
// dunning path that recovers, one that expires.
func TestTwoYearsOfRenewals(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	id := res.Subscription.ID
	for month := 2; month <= 24; month++ {
		s := e.sub(id)
		e.clock.Set(s.CurrentPeriodEnd)
		e.run()
		order := e.openOrder(id)
		if month == 6 {
			// Dunning that recovers: the first renewal order expires unpaid,
			// the retry a day later is paid.
			e.mustNotify(e.gw.ExpireOrder(order))
			if st := e.sub(id).Status; st != core.SubPastDue {
				t.Fatalf("month 6: status %s, want past_due", st)
			}
			e.advance(24 * time.Hour)
			order = e.openOrder(id)
		}
		e.mustNotify(e.gw.Settle(order))
		if s := e.sub(id); s.Status != core.SubActive || s.Cycle != month {
			t.Fatalf("month %d: status %s cycle %d", month, s.Status, s.Cycle)
		}
	}
	// Every cycle has exactly one paid payment; 24 cycles + one expired retry.
	paid := map[int]int{}
	for _, p := range e.payments(id) {
		if p.Status == core.PaymentPaid {
			paid[p.Cycle]++
		}
	}
	for c := 1; c <= 24; c++ {
		if paid[c] != 1 {
			t.Errorf("cycle %d paid %d times", c, paid[c])
		}
	}
	// Anchor Jan 31: the 24th period ends on Jan 31, 2028.
	if end := e.sub(id).CurrentPeriodEnd; !end.Equal(time.Date(2028, 1, 31, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("period end after 24 cycles = %v", end)
	}
	// Dunning that expires: nothing is paid after the period end.
	e.clock.Set(e.sub(id).CurrentPeriodEnd)
	e.advance(10 * 24 * time.Hour)
	if st := e.sub(id).Status; st != core.SubExpired {
		t.Fatalf("unpaid renewal: status %s, want expired", st)
	}
}

func TestTrialThenCharge(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("trial", "bank_transfer")
	if res.Subscription.Status != core.SubTrialing || res.Payment != nil {
		t.Fatalf("trial: status %s, payment %v", res.Subscription.Status, res.Payment)
	}
	e.advance(7 * 24 * time.Hour)
	order := e.openOrder(res.Subscription.ID)
	e.mustNotify(e.gw.Settle(order))
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubActive || !s.CurrentPeriodStart.Equal(s.TrialEnd) {
		t.Fatalf("after trial: %s, period start %v, trial end %v", s.Status, s.CurrentPeriodStart, s.TrialEnd)
	}
}

func TestCancelAtPeriodEndAndUndo(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	id := res.Subscription.ID
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, id, "too expensive", false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, id, "", false, true); err != nil {
		t.Fatalf("undo: %v", err)
	}
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, id, "again", false, false); err != nil {
		t.Fatal(err)
	}
	e.advance(29 * 24 * time.Hour)
	if s := e.sub(id); s.Status != core.SubCancelled {
		t.Fatalf("status = %s, want cancelled at period end", s.Status)
	}
	if n := len(e.payments(id)); n != 1 {
		t.Fatalf("%d payments; a cancelled subscription must not be renewed", n)
	}
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, id); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("pausing a cancelled subscription: %v, want conflict", err)
	}
}

func TestMaxCyclesExpires(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("three", "bank_transfer")
	id := res.Subscription.ID
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	for i := 0; i < 2; i++ {
		e.clock.Set(e.sub(id).CurrentPeriodEnd)
		e.run()
		e.mustNotify(e.gw.Settle(e.openOrder(id)))
	}
	e.clock.Set(e.sub(id).CurrentPeriodEnd)
	e.run()
	if s := e.sub(id); s.Status != core.SubExpired || s.Cycle != 3 {
		t.Fatalf("status %s cycle %d, want expired after 3", s.Status, s.Cycle)
	}
}

func TestGatewayOutageDuringChargeIsReconciled(t *testing.T) {
	e := newEnv(t)
	e.gw.FailNext = 1
	res := e.subscribe("basic", "bank_transfer")
	if res.Payment.Status != core.PaymentCreating {
		t.Fatalf("payment status %s, want creating after an outage", res.Payment.Status)
	}
	e.run() // reconciliation: Midtrans does not know the order; it is issued again, same id
	ps := e.payments(res.Subscription.ID)
	if len(ps) != 1 || ps[0].Status != core.PaymentPending || ps[0].OrderID != res.Payment.OrderID {
		t.Fatalf("after reconciliation: %+v", ps)
	}
	if n := len(e.gw.Orders()); n != 1 {
		t.Fatalf("%d orders at the gateway, want exactly 1", n)
	}
}

func TestCrashBetweenStoreAndApply(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	body := e.gw.Settle(res.Payment.OrderID)
	// Store the log as the handler would, then "crash" before applying.
	if err := e.store.Update(e.ctx, func(tx core.Tx) error {
		return tx.WebhookLogs().Put(core.WebhookLog{ID: "99999999-9999-4999-8999-999999999999", Kind: core.NotifyPayment,
			Payload: body, ReceivedAt: start, Status: core.WebhookReceived})
	}); err != nil {
		t.Fatal(err)
	}
	e.run()
	if s := e.sub(res.Subscription.ID); s.Status != core.SubActive {
		t.Fatalf("status %s: the stored notification must be applied on recovery", s.Status)
	}
}

func TestSupersededLateSettlementCreditsWallet(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	id := res.Subscription.ID
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, id, "", true, false); err != nil {
		t.Fatal(err)
	}
	// The first order is paid; a second settlement for it arrives for a
	// cancelled subscription. Simulate a late settlement of an open order.
	res2, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "pro", PaymentType: "bank_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	e.gw.FailNext = 1 // the cancel at Midtrans fails: the order stays payable
	if _, err := e.svc.CancelSubscription(e.ctx, e.user, res2.Subscription.ID, "", true, false); err != nil {
		t.Fatal(err)
	}
	// The customer pays the superseded order anyway.
	e.mustNotify(coretest.Notification(res2.Payment.OrderID, "settlement", "200", "99000.00", "x"))
	w, err := e.svc.GetWallet(e.ctx, e.user)
	if err != nil || !w.Balance.Equal(core.MustMoney("99000")) {
		t.Fatalf("wallet = %+v, %v; a late settlement must be credited", w, err)
	}
}

func TestWalletConcurrency(t *testing.T) {
	e := newEnv(t)
	var w core.Wallet
	w, _ = e.svc.GetWallet(e.ctx, e.user)
	if _, err := e.svc.AdjustWallet(e.ctx, e.admin, w.ID, core.MustMoney("1000"), "seed"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			amt := core.MustMoney("10")
			if i%2 == 0 {
				amt = amt.Neg()
			}
			_, _ = e.svc.AdjustWallet(e.ctx, e.admin, w.ID, amt, "race")
		}()
	}
	wg.Wait()
	problems, n, err := e.svc.CheckLedgers(e.ctx)
	if err != nil || n != 1 || len(problems) != 0 {
		t.Fatalf("ledger check: %v %d %v", problems, n, err)
	}
	w, _ = e.svc.GetWallet(e.ctx, e.user)
	if !w.Balance.Equal(core.MustMoney("1000")) {
		t.Fatalf("balance = %s, want 1000.00", w.Balance)
	}
	if _, err := e.svc.AdjustWallet(e.ctx, e.admin, w.ID, core.MustMoney("-5000"), "too much"); !errors.Is(err, core.ErrUnprocessable) {
		t.Fatalf("overdraw: %v, want unprocessable", err)
	}
}

func TestWalletSubscriptionAndTopUp(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "wallet"})
	if !errors.Is(err, core.ErrUnprocessable) {
		t.Fatalf("wallet subscription without balance: %v, want 422", err)
	}
	if subs, _ := e.svc.ListSubscriptions(e.ctx, e.user, core.SubscriptionFilter{}); len(subs) != 0 {
		t.Fatalf("a refused wallet subscription left %d subscriptions behind", len(subs))
	}
	top, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "100000", PaymentType: "bank_transfer"})
	if err != nil || top.Status != core.TopUpPending || top.Details["va_number"] == nil {
		t.Fatalf("top-up = %+v, %v", top, err)
	}
	body := e.gw.Settle(top.OrderID)
	for range 3 { // duplicates credit once
		_, _ = e.notify(body)
	}
	w, _ := e.svc.GetWallet(e.ctx, e.user)
	if !w.Balance.Equal(core.MustMoney("100000")) {
		t.Fatalf("balance after top-up = %s", w.Balance)
	}
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "wallet"})
	if err != nil || res.Subscription.Status != core.SubActive {
		t.Fatalf("wallet subscription: %+v, %v", res, err)
	}
	// Renewal auto-paid from the wallet.
	e.clock.Set(res.Subscription.CurrentPeriodEnd)
	e.run()
	if s := e.sub(res.Subscription.ID); s.Cycle != 2 || s.Status != core.SubActive {
		t.Fatalf("wallet renewal: cycle %d status %s", s.Cycle, s.Status)
	}
	w, _ = e.svc.GetWallet(e.ctx, e.user)
	if !w.Balance.Equal(core.MustMoney("2000")) {
		t.Fatalf("balance after two cycles = %s, want 2000.00", w.Balance)
	}
	if problems, _, _ := e.svc.CheckLedgers(e.ctx); len(problems) != 0 {
		t.Fatalf("ledger problems: %v", problems)
	}
}

func TestRefunds(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	part := core.MustMoney("9000")
	p, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &part, Reason: "partial"})
	if err != nil || p.Status != core.PaymentPartiallyRefunded {
		t.Fatalf("partial refund: %+v %v", p.Status, err)
	}
	too := core.MustMoney("40001")
	if _, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &too}); !errors.Is(err, core.ErrUnprocessable) {
		t.Fatalf("over-refund: %v, want 422", err)
	}
	p, err = e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Reason: "rest"})
	if err != nil || p.Status != core.PaymentRefunded || !p.Refunded.Equal(core.MustMoney("49000")) {
		t.Fatalf("full refund: %+v %v", p, err)
	}
	other := core.Actor{UserID: "33333333-3333-4333-8333-333333333333"}
	if _, err := e.svc.GetPayment(e.ctx, other, res.Payment.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("another user's payment: %v, want not found", err)
	}
}

// Midtrans cannot refund virtual-account payments: the refund goes to the
// wallet when asked, and is refused with a clear reason otherwise.
func TestRefundVirtualAccountToWallet(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	_, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{})
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != "refund_not_supported" {
		t.Fatalf("VA refund through Midtrans: %v, want refund_not_supported", err)
	}
	p, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{ToWallet: true, Reason: "goodwill"})
	if err != nil || p.Status != core.PaymentRefunded {
		t.Fatalf("wallet refund: %+v %v", p.Status, err)
	}
	w, _ := e.svc.GetWallet(e.ctx, e.user)
	if !w.Balance.Equal(core.MustMoney("49000")) {
		t.Fatalf("wallet balance %s, want 49000.00", w.Balance)
	}
	for _, c := range e.gw.Calls {
		if c == "refund" {
			t.Fatal("a wallet refund must not call Midtrans")
		}
	}
}

func TestImmediateUpgradeProrates(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	id := res.Subscription.ID
	s := e.sub(id)
	half := s.CurrentPeriodStart.Add(s.CurrentPeriodEnd.Sub(s.CurrentPeriodStart) / 2)
	e.clock.Set(half)
	if _, err := e.svc.ChangePlan(e.ctx, e.user, id, "pro", nil); err != nil {
		t.Fatal(err)
	}
	invs, _ := e.svc.ListInvoices(e.ctx, e.user, core.InvoiceFilter{Ordering: "issue_date"})
	if len(invs) != 2 {
		t.Fatalf("%d invoices, want 2", len(invs))
	}
	chg := invs[1]
	if len(chg.Lines) != 2 || chg.Lines[0].Kind != core.LineProrationCredit || chg.Lines[1].Kind != core.LineProrationCharge {
		t.Fatalf("change invoice lines: %+v", chg.Lines)
	}
	// Half of (99000 - 49000) = 25000.
	if !chg.Total.Equal(core.MustMoney("25000")) {
		t.Fatalf("proration total = %s, want 25000.00", chg.Total)
	}
	// The upgrade waits for its proration to be paid.
	if got := e.sub(id); got.PlanID != res.Subscription.PlanID || got.PendingPlanID == "" {
		t.Fatalf("before the proration is paid: plan %s pending %q", got.PlanID, got.PendingPlanID)
	}
	var order string
	for _, p := range e.payments(id) {
		if p.InvoiceID == chg.ID {
			order = p.OrderID
		}
	}
	e.mustNotify(e.gw.Settle(order))
	if got := e.sub(id); got.PlanID == res.Subscription.PlanID || got.PendingPlanID != "" {
		t.Fatal("plan did not change once the proration was paid")
	}
	// A downgrade waits for the period end.
	if _, err := e.svc.ChangePlan(e.ctx, e.user, id, "basic", nil); err != nil {
		t.Fatal(err)
	}
	if got := e.sub(id); got.ScheduledPlanID == "" {
		t.Fatal("downgrade must be scheduled for period end")
	}
}

// A card subscription: the first charge captures at once and saves the
// token; the subscription is handed to the Midtrans Subscription API, whose
// charge notifications renew it, and whose exhausted retries make it past due.
func TestNativeCardSubscription(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "credit_card", Token: "tok-4811"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.sub(res.Subscription.ID)
	if s.Status != core.SubActive || s.MidtransSubscriptionID == "" {
		t.Fatalf("card subscription: status %s native %q", s.Status, s.MidtransSubscriptionID)
	}
	ns := e.gw.Subscriptions()
	if len(ns) != 1 || !ns[0].NextExecutionAt.Equal(s.CurrentPeriodEnd) || !ns[0].Amount.Equal(core.MustMoney("49000")) {
		t.Fatalf("native subscription = %+v", ns)
	}
	e.clock.Set(s.CurrentPeriodEnd)
	e.run() // Midtrans charges natives: the engine must not
	for _, p := range e.payments(s.ID) {
		if p.Status.Open() {
			t.Fatalf("the engine charged a native subscription itself: %+v", p)
		}
	}
	body := e.gw.NativeCharge(s.MidtransSubscriptionID, true)
	e.mustNotify(body)
	if _, err := e.notify(body); err != nil {
		t.Fatalf("duplicate subscription notification: %v", err)
	}
	if got := e.sub(s.ID); got.Cycle != 2 || got.Status != core.SubActive {
		t.Fatalf("after native charge: cycle %d status %s", got.Cycle, got.Status)
	}
	orders := 0
	for _, p := range e.payments(s.ID) {
		if p.OrderID != "" && p.Status == core.PaymentPaid {
			orders++
		}
	}
	if orders != 2 {
		t.Fatalf("%d paid payments, want 2 (first charge + one native renewal)", orders)
	}
	e.clock.Set(e.sub(s.ID).CurrentPeriodEnd.Add(time.Hour))
	e.mustNotify(e.gw.NativeCharge(s.MidtransSubscriptionID, false))
	if got := e.sub(s.ID); got.Status != core.SubPastDue {
		t.Fatalf("after Midtrans gave up: status %s, want past_due", got.Status)
	}
	// Pause and resume reach Midtrans.
	if _, err := e.svc.PauseSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResumeSubscription(e.ctx, e.user, s.ID); err != nil {
		t.Fatal(err)
	}
	calls := strings.Join(e.gw.Calls, ",")
	// Paused, it is disabled at Midtrans; resumed past due (Midtrans had
	// given up), its schedule is cancelled: dunning is ours, and a new
	// schedule starts once a cycle is paid again.
	if !strings.Contains(calls, "subscription.disable") || !strings.Contains(calls, "subscription.cancel") {
		t.Fatalf("gateway calls %s lack disable/cancel", calls)
	}
}

// A manual (invoiced outside Midtrans) organization subscription is never
// charged by the engine; the admin records renewals.
func TestManualNeverCharged(t *testing.T) {
	e := newEnv(t)
	org, err := e.svc.CreateOrganization(e.ctx, e.user, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{
		PlanID: ref("basic"), Status: ref("active"), StartDate: ref(start)})
	if err != nil {
		t.Fatal(err)
	}
	e.advance(70 * 24 * time.Hour)
	if n := len(e.gw.Orders()); n != 0 {
		t.Fatalf("%d Midtrans orders for a manual subscription, want 0", n)
	}
	got, err := e.svc.AdminUpdateSubscription(e.ctx, e.admin, sub.ID, core.AdminSubscriptionInput{Renew: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Cycle != sub.Cycle+1 {
		t.Fatalf("admin renewal: cycle %d, want %d", got.Cycle, sub.Cycle+1)
	}
}

// Top-up notifications out of order: a settlement before its pending, a
// late expire after the settlement. The wallet is credited exactly once; an
// expired top-up credits nothing.
func TestTopUpNotificationsOutOfOrder(t *testing.T) {
	e := newEnv(t)
	top, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "50000", PaymentType: "qris"})
	if err != nil {
		t.Fatal(err)
	}
	settle := e.gw.Settle(top.OrderID)
	e.mustNotify(settle)
	for _, late := range [][]byte{
		coretest.Notification(top.OrderID, "pending", "201", "50000.00", "x"),
		coretest.Notification(top.OrderID, "expire", "202", "50000.00", "x"),
		settle,
	} {
		if _, err := e.notify(late); err != nil {
			t.Fatalf("late notification: %v", err)
		}
	}
	w, _ := e.svc.GetWallet(e.ctx, e.user)
	if !w.Balance.Equal(core.MustMoney("50000")) {
		t.Fatalf("balance %s, want 50000.00 credited once", w.Balance)
	}
	got, _ := e.svc.GetTopUp(e.ctx, e.user, top.ID)
	if got.Status != core.TopUpPaid {
		t.Fatalf("top-up status %s, want paid", got.Status)
	}

	other, err := e.svc.CreateTopUp(e.ctx, e.user, core.TopUpInput{Amount: "20000", PaymentType: "bank_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	e.mustNotify(e.gw.ExpireOrder(other.OrderID))
	if got, _ := e.svc.GetTopUp(e.ctx, e.user, other.ID); got.Status != core.TopUpExpired {
		t.Fatalf("expired top-up status %s", got.Status)
	}
	if w, _ := e.svc.GetWallet(e.ctx, e.user); !w.Balance.Equal(core.MustMoney("50000")) {
		t.Fatalf("an expired top-up changed the balance to %s", w.Balance)
	}
	if problems, _, _ := e.svc.CheckLedgers(e.ctx); len(problems) != 0 {
		t.Fatalf("ledger: %v", problems)
	}
}

// A refund's own notification can be applied while the refund call is
// still on its way back; the refund must be counted once either way.
func TestRefundNotificationDuringRefundCall(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "qris")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	e.gw.OnRefund = func(orderID string, total core.Money) {
		status := "partial_refund"
		if total.Equal(core.MustMoney("49000")) {
			status = "refund"
		}
		e.mustNotify(coretest.RefundNotification(orderID, status, "49000.00", total))
	}
	part := core.MustMoney("10000")
	p, err := e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{Amount: &part})
	if err != nil || !p.Refunded.Equal(part) || p.Status != core.PaymentPartiallyRefunded {
		t.Fatalf("after a 10000 refund: refunded %s status %s err %v", p.Refunded, p.Status, err)
	}
	p, err = e.svc.RefundPayment(e.ctx, e.admin, res.Payment.ID, core.RefundInput{})
	if err != nil || !p.Refunded.Equal(core.MustMoney("49000")) || p.Status != core.PaymentRefunded {
		t.Fatalf("after refunding the rest: refunded %s status %s err %v", p.Refunded, p.Status, err)
	}
}

// The card's capture notification can be applied before the charge's own
// answer is recorded. The Midtrans subscription must still get the saved
// token, never the single-use one the first charge was made with.
func TestNativeSubscriptionWaitsForTheSavedToken(t *testing.T) {
	e := newEnv(t)
	e.gw.OnCharge = func(txn core.Transaction) {
		e.mustNotify(coretest.Notification(txn.OrderID, "capture", "200", txn.GrossAmount.String(), txn.TransactionID))
	}
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "credit_card", Token: "tok-4811"})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.sub(res.Subscription.ID); s.Status != core.SubActive || s.MidtransSubscriptionID == "" {
		t.Fatalf("status %s native %q", s.Status, s.MidtransSubscriptionID)
	}
	ns := e.gw.Subscriptions()
	if len(ns) != 1 || ns[0].Token != "saved-tok-4811" {
		t.Fatalf("native subscriptions %+v, want one holding the saved token", ns)
	}
}
