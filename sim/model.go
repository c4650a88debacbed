package sim

import (
	"fmt"
	"time"

	"github.com/langganan/langganan/core"
)

// model is what the simulator knows besides the store: who acts, and what
// it has seen happen (pauses, statuses), to judge the service by.
type model struct {
	admin   core.Actor
	users   []user
	orgs    []org
	plans   []core.Plan
	coupons []string
	subs    []*subM
	bySub   map[string]*subM
	// nativeFaulted holds native subscription ids (Midtrans' or ours)
	// whose Subscription API calls a fault hit.
	nativeFaulted map[string]bool
	// nativeRepairBy holds, for a subscription whose change told Midtrans
	// something before a crash cut the change short, the period end by
	// which the engine's check must have put Midtrans back in step.
	nativeRepairBy map[string]time.Time
	// dashboardRefunds counts refunds made at Midtrans directly.
	dashboardRefunds int
}

type user struct {
	actor    core.Actor
	username string
	phone    string
}

type org struct {
	id      string
	owner   int   // index in users
	members []int // indexes in users, owner included
}

// subM is one subscription as the simulator saw it.
type subM struct {
	id      string
	ownerID string
	creator int // index in users
	org     int // index in orgs, -1 for a personal subscription
	// status is the last status observed; checkTransitions compares.
	status core.SubscriptionStatus
	// pauses are the intervals the service confirmed paused.
	pauses []interval
}

type interval struct{ from, to time.Time } // to zero: still open

func (m *model) addSub(s core.Subscription, creator, org int) {
	if m.bySub[s.ID] != nil {
		return
	}
	sm := &subM{id: s.ID, ownerID: s.OwnerID, creator: creator, org: org, status: s.Status}
	m.subs = append(m.subs, sm)
	m.bySub[s.ID] = sm
}

// plan returns a plan by id.
func (m *model) plan(id string) (core.Plan, bool) {
	for _, p := range m.plans {
		if p.ID == id {
			return p, true
		}
	}
	return core.Plan{}, false
}

// setup creates the admin, the customers, the plans and the coupons.
func (w *world) setup() error {
	w.m = model{bySub: map[string]*subM{}, nativeFaulted: map[string]bool{}, nativeRepairBy: map[string]time.Time{}}
	ctx := w.ctx
	admin, err := w.svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: "admin", Email: "admin@langganan.sim", Password: "admin-password-1", IsAdmin: true})
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	w.m.admin = core.Actor{UserID: admin.ID, IsAdmin: true}
	for i, name := range []string{"ayu", "budi", "citra", "dewi"} {
		u, err := w.svc.CreateUser(ctx, w.m.admin, core.NewUserInput{Username: name, Email: name + "@langganan.sim",
			Password: "password-" + name, FirstName: name})
		if err != nil {
			return fmt.Errorf("user %s: %w", name, err)
		}
		w.m.users = append(w.m.users, user{actor: core.Actor{UserID: u.ID}, username: name, phone: fmt.Sprintf("81234567%03d", 100+i)})
	}
	type planSpec struct {
		slug, price, unit string
		interval, trial   int
		maxCycles         int
		perSeat           bool
	}
	for _, p := range []planSpec{
		{"basic", "49000", "month", 1, 0, 0, false},
		{"pro", "99000", "month", 1, 0, 0, false},
		{"trial", "59000", "month", 1, 7, 0, false},
		{"seats", "25000", "month", 1, 0, 0, true},
		{"weekly", "15000", "week", 1, 0, 0, false},
		{"three", "10000", "month", 1, 0, 3, false},
		{"yearly", "490000", "year", 1, 0, 0, false},
		{"team-trial", "30000", "month", 1, 14, 0, true},
	} {
		in := core.PlanInput{Name: &p.slug, Slug: &p.slug, Price: &p.price, IntervalUnit: &p.unit, Interval: &p.interval,
			TrialPeriodDays: &p.trial, MaxCycles: &p.maxCycles, PerSeat: &p.perSeat}
		plan, err := w.svc.CreatePlan(ctx, w.m.admin, in)
		if err != nil {
			return fmt.Errorf("plan %s: %w", p.slug, err)
		}
		w.m.plans = append(w.m.plans, plan)
	}
	half, off, pct, forever, once, repeating := "50", "10000", "20", "forever", "once", "repeating"
	two := 2
	for _, c := range []core.CouponInput{
		{Code: ref("HALF2"), PercentOff: &half, Duration: &repeating, DurationInCycles: &two},
		{Code: ref("TENK"), AmountOff: &off, Duration: &once},
		{Code: ref("PROONLY"), PercentOff: &pct, Duration: &forever, AppliesToPlans: []string{"pro"}, AppliesToSet: true},
	} {
		cp, err := w.svc.CreateCoupon(ctx, w.m.admin, c)
		if err != nil {
			return fmt.Errorf("coupon %s: %w", *c.Code, err)
		}
		w.m.coupons = append(w.m.coupons, cp.Code)
	}
	return nil
}

func ref[T any](v T) *T { return &v }
