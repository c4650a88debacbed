package core_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/shopspring/decimal"
)

func (e *env) newUser(name string) core.Actor {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, core.NewUserInput{Username: name, Password: "pass-" + name + "-123"})
	if err != nil {
		e.t.Fatal(err)
	}
	return core.Actor{UserID: u.ID}
}

func (e *env) featurePlan(slug, price string, features map[string]any, perSeat bool) core.Plan {
	e.t.Helper()
	p := e.plan(slug, price, 0, 0)
	p.Features, p.PerSeat = features, perSeat
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.Plans().Put(p) }); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func errCode(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func TestCheckCanAddUsers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		features map[string]any // nil: no subscription at all
		perSeat  bool
		qty      int
		members  int // besides the owner
		final    int
		allowed  bool
		limit    int
	}{
		{"no subscription", nil, false, 0, 0, 1, false, 0},
		{"no max_users is unlimited", map[string]any{"sso": true}, false, 0, 2, 500, true, -1},
		{"under the limit", map[string]any{"max_users": 3.0}, false, 0, 0, 2, true, 3},
		{"at the limit", map[string]any{"max_users": 3.0}, false, 0, 1, 3, true, 3},
		{"over the limit", map[string]any{"max_users": 3.0}, false, 0, 2, 4, false, 3},
		{"per-seat quantity bounds seats", map[string]any{"max_users": 10.0}, true, 4, 1, 5, false, 4},
		{"per-seat within quantity", map[string]any{}, true, 4, 1, 4, true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.newUser("owner")
			org, err := e.svc.CreateOrganization(e.ctx, owner, "Acme")
			if err != nil {
				t.Fatal(err)
			}
			if tc.features != nil {
				p := e.featurePlan("team", "100000", tc.features, tc.perSeat)
				in := core.AdminSubscriptionInput{PlanID: &p.ID}
				if tc.qty > 0 {
					in.Quantity = &tc.qty
				}
				if _, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, in); err != nil {
					t.Fatal(err)
				}
			}
			for i := range tc.members {
				if _, err := e.svc.AddMember(e.ctx, owner, org.ID, e.newUserName(fmt.Sprintf("m%d", i))); err != nil {
					t.Fatalf("add member %d: %v", i, err)
				}
			}
			allowed, limit, current, err := e.svc.CheckCanAddUsers(e.ctx, owner, org.ID, tc.final)
			if err != nil {
				t.Fatal(err)
			}
			if allowed != tc.allowed || limit != tc.limit || current != tc.members+1 {
				t.Fatalf("got allowed=%v limit=%d current=%d, want %v %d %d", allowed, limit, current, tc.allowed, tc.limit, tc.members+1)
			}
			// AddMember agrees with the check for one more member.
			ok, _, _, _ := e.svc.CheckCanAddUsers(e.ctx, owner, org.ID, current+1)
			_, err = e.svc.AddMember(e.ctx, owner, org.ID, e.newUserName("extra"))
			if ok != (err == nil) {
				t.Fatalf("check said %v, AddMember said %v", ok, err)
			}
			if err != nil && (!errors.Is(err, core.ErrUnprocessable) || errCode(err) != "seat_limit") {
				t.Fatalf("AddMember beyond the limit: %v (code %q)", err, errCode(err))
			}
		})
	}
}

func (e *env) newUserName(name string) string {
	e.newUser(name)
	return name
}

func TestOrganizationAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, member, stranger := e.newUser("owner"), e.newUser("member"), e.newUser("stranger")
	org, err := e.svc.CreateOrganization(e.ctx, owner, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(e.ctx, owner, org.ID, "member"); !errors.Is(err, core.ErrUnprocessable) {
		t.Fatalf("add without subscription: %v", err)
	}
	p := e.featurePlan("team", "100000", map[string]any{"max_users": 5.0, "reports": true, "beta": false}, false)
	if _, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{PlanID: &p.Slug}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(e.ctx, owner, org.ID, "member"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetOrganization(e.ctx, stranger, org.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := e.svc.AddMember(e.ctx, member, org.ID, "stranger"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("plain member adding: %v", err)
	}
	if _, err := e.svc.AddMember(e.ctx, stranger, org.ID, "stranger"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("stranger adding: %v", err)
	}
	if err := e.svc.RemoveMember(e.ctx, owner, org.ID, owner.UserID); !errors.Is(err, core.ErrUnprocessable) {
		t.Fatalf("removing the owner: %v", err)
	}
	got, err := e.svc.GetOrgSubscription(e.ctx, member, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Permissions) != "[max_users reports]" || got.Plan.ID != p.ID || got.Subscription.PaymentType != core.PayManual {
		t.Fatalf("get_subscription: %+v", got)
	}
	if _, err := e.svc.GetOrgSubscription(e.ctx, stranger, org.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("stranger get_subscription: %v", err)
	}
	// Downgrading below the member count is refused, not scheduled.
	small := e.featurePlan("solo", "50000", map[string]any{"max_users": 1.0}, false)
	if _, err := e.svc.AdminUpdateSubscription(e.ctx, e.admin, got.Subscription.ID, core.AdminSubscriptionInput{PlanID: &small.ID}); errCode(err) != "seat_limit" {
		t.Fatalf("downgrade below members: %v", err)
	}
	if err := e.svc.RemoveMember(e.ctx, member, org.ID, member.UserID); err != nil {
		t.Fatalf("member leaving: %v", err)
	}
	if _, err := e.svc.GetOrganization(e.ctx, member, org.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("former member: %v", err)
	}
	sub, err := e.svc.FinishSubscription(e.ctx, e.admin, got.Subscription.ID)
	if err != nil || sub.Status != core.SubCancelled {
		t.Fatalf("finish: %v %v", sub.Status, err)
	}
}

func TestCouponRedemptionsConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, pct, five := "launch", "20", 5
	c, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: &code, PercentOff: &pct, MaxRedemptions: &five})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, exhausted := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := core.Actor{UserID: fmt.Sprintf("33333333-3333-4333-8333-%012d", i)}
			_, err := e.svc.CreateSubscription(e.ctx, a, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer", Coupon: "LaUnCh"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errCode(err) == "coupon_exhausted":
				exhausted++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	got, err := e.svc.GetCoupon(e.ctx, e.admin, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok != 5 || exhausted != 15 || got.Redemptions != 5 {
		t.Fatalf("ok=%d exhausted=%d redemptions=%d, want 5 15 5", ok, exhausted, got.Redemptions)
	}
}

func TestCouponRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := func(v string) *string { return &v }
	bad := []core.CouponInput{
		{Code: s("ab"), PercentOff: s("10")},
		{Code: s("has space"), PercentOff: s("10")},
		{Code: s("OK1"), PercentOff: s("10"), AmountOff: s("1000")},
		{Code: s("OK2")},
		{Code: s("OK3"), PercentOff: s("100.5")},
		{Code: s("OK4"), PercentOff: s("10.125")},
		{Code: s("OK5"), AmountOff: s("1000.50")},
		{Code: s("OK6"), PercentOff: s("10"), Duration: s("repeating")},
		{Code: s("OK7"), PercentOff: s("10"), AppliesToPlans: []string{"nope"}, AppliesToSet: true},
	}
	for i, in := range bad {
		if _, err := e.svc.CreateCoupon(e.ctx, e.admin, in); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("bad[%d]: %v", i, err)
		}
	}
	if _, err := e.svc.CreateCoupon(e.ctx, e.user, core.CouponInput{Code: s("USER"), PercentOff: s("5")}); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("non-admin: %v", err)
	}
	c, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: s("pro-only"), AmountOff: s("10000"),
		Duration: s("repeating"), DurationInCycles: ref(2), AppliesToPlans: []string{"pro"}, AppliesToSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Code != "PRO-ONLY" || len(c.AppliesToPlans) != 1 {
		t.Fatalf("coupon %+v", c)
	}
	if _, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: s("Pro-Only"), PercentOff: s("5")}); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("duplicate code: %v", err)
	}
	if _, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer", Coupon: "pro-only"}); errCode(err) != "coupon_not_applicable" {
		t.Fatalf("wrong plan: %v", err)
	}
	res := e.subscribe("pro", "bank_transfer")
	sub, err := e.svc.ApplyCoupon(e.ctx, e.user, res.Subscription.ID, "pro-only")
	if err != nil || sub.CouponID != c.ID || sub.CouponCyclesLeft != 2 {
		t.Fatalf("apply: %+v %v", sub, err)
	}
	if _, err := e.svc.ApplyCoupon(e.ctx, e.user, res.Subscription.ID, "pro-only"); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second coupon: %v", err)
	}
	if _, err := e.svc.DeleteCoupon(e.ctx, e.admin, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetCoupon(e.ctx, e.admin, c.ID)
	if err != nil || !got.Deleted || got.Active || got.Redemptions != 1 {
		t.Fatalf("deleted coupon kept: %+v %v", got, err)
	}
	if _, err := e.svc.CreateSubscription(e.ctx, e.admin, core.CreateSubscriptionInput{Plan: "pro", PaymentType: "bank_transfer", Coupon: "PRO-ONLY"}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("deleted coupon redeemed: %v", err)
	}
}

// TestHundredPercentCoupon: the first cycle completes without a charge.
func TestHundredPercentCoupon(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, pct := "FREE", "100"
	if _, err := e.svc.CreateCoupon(e.ctx, e.admin, core.CouponInput{Code: &code, PercentOff: &pct}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.CreateSubscription(e.ctx, e.user, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "bank_transfer", Coupon: "free"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Subscription.Status != core.SubActive || len(e.gw.Orders()) != 0 {
		t.Fatalf("status %s, orders %v", res.Subscription.Status, e.gw.Orders())
	}
}

func TestSetQuantity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, member := e.newUser("owner"), e.newUser("member")
	org, err := e.svc.CreateOrganization(e.ctx, owner, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	seat := e.featurePlan("seat", "30000", map[string]any{}, true)
	three := 3
	sub, err := e.svc.AdminCreateOrgSubscription(e.ctx, e.admin, org.ID, core.AdminSubscriptionInput{PlanID: &seat.ID, Quantity: &three})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(e.ctx, owner, org.ID, "member"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetQuantity(e.ctx, member, sub.ID, 5); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("plain member: %v", err)
	}
	if _, err := e.svc.SetQuantity(e.ctx, owner, sub.ID, 1); errCode(err) != "seat_limit" {
		t.Fatalf("below members: %v", err)
	}
	if _, err := e.svc.SetQuantity(e.ctx, owner, sub.ID, 0); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("zero: %v", err)
	}
	e.clock.Advance(10 * 24 * time.Hour)
	got, err := e.svc.SetQuantity(e.ctx, owner, sub.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Two more seats for the rest of the period, carried to the next invoice.
	left := got.CurrentPeriodEnd.Sub(e.clock.Now())
	total := got.CurrentPeriodEnd.Sub(got.CurrentPeriodStart)
	want := core.MustMoney("60000").Amount().Mul(decimalRatio(left, total)).Round(0)
	if !got.PendingCredit.Amount().Equal(want) || got.Quantity != 5 {
		t.Fatalf("pending %s, want %s; qty %d", got.PendingCredit, want, got.Quantity)
	}
	basic := e.subscribe("basic", "bank_transfer")
	if _, err := e.svc.SetQuantity(e.ctx, e.user, basic.Subscription.ID, 2); errCode(err) != "not_per_seat" {
		t.Fatalf("not per seat: %v", err)
	}
}

func decimalRatio(a, b time.Duration) decimal.Decimal {
	return decimal.NewFromInt(int64(a / time.Second)).Div(decimal.NewFromInt(int64(b / time.Second)))
}
