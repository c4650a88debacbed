package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func wib(t *testing.T) *time.Location {
	t.Helper()
	return core.DefaultConfig().Location
}

// Points are built from the stored days: a day's snapshot and counts as
// they are, a month's latest snapshot and summed counts, and no snapshot
// where none was taken.
func TestFiguresOverTimeFromRecords(t *testing.T) {
	e := newEnv(t)
	idr := func(s string) map[core.Currency]core.Money {
		return map[core.Currency]core.Money{core.IDR: core.MustMoney(s)}
	}
	days := []core.DailyFigures{
		{Day: "2025-12-31", SnapshotAt: start, MRR: idr("100"), Subscribers: 1, Churned: 1, FailedPayments: 1},
		{Day: "2026-01-01", SnapshotAt: start, MRR: idr("200"), Subscribers: 2, Churned: 1},
		{Day: "2026-01-02", Churned: 2, FailedPayments: 5}, // counts, no snapshot
		{Day: "2026-01-31", SnapshotAt: start, MRR: idr("300"), Subscribers: 3, FailedPayments: 1},
		{Day: "2026-02-01", SnapshotAt: start, MRR: idr("400"), Subscribers: 4},
	}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error {
		for _, d := range days {
			if err := tx.Figures().Put(d); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	loc := wib(t)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, loc) }
	ds := func(y int, m time.Month, day int) string { return d(y, m, day).Format(time.DateOnly) }
	type pt struct {
		start           time.Time
		snap            bool
		mrr             string
		subs, ch, fails int
	}
	for _, c := range []struct {
		name string
		q    core.FiguresQuery
		want []pt
	}{
		{"days", core.FiguresQuery{From: ds(2026, 1, 1), To: ds(2026, 1, 3)}, []pt{
			{d(2026, 1, 1), true, "200.00", 2, 1, 0},
			{d(2026, 1, 2), false, "", 0, 2, 5},
			{d(2026, 1, 3), false, "", 0, 0, 0},
		}},
		{"months", core.FiguresQuery{From: ds(2025, 12, 15), To: ds(2026, 2, 1), Interval: core.FiguresMonthly}, []pt{
			{d(2025, 12, 1), true, "100.00", 1, 1, 1},
			{d(2026, 1, 1), true, "300.00", 3, 3, 6}, // the month's latest snapshot (Jan 31)
			{d(2026, 2, 1), true, "400.00", 4, 0, 0},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.svc.FiguresOverTime(e.ctx, e.admin, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d points, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				mrr := ""
				if m, ok := g.MRR[core.IDR]; ok {
					mrr = m.String()
				}
				if !g.Start.Equal(w.start) || g.HasSnapshot != w.snap || mrr != w.mrr || g.Subscribers != w.subs ||
					g.Churned != w.ch || g.Failed != w.fails {
					t.Errorf("point %d = %v snap %v mrr %q subs %d churned %d failed %d, want %+v",
						i, g.Start, g.HasSnapshot, mrr, g.Subscribers, g.Churned, g.Failed, w)
				}
			}
		})
	}

	// The default is the last 30 days up to today (the clock's date).
	got, err := e.svc.FiguresOverTime(e.ctx, e.admin, core.FiguresQuery{})
	if err != nil || len(got) != 30 || !got[29].Start.Equal(d(2026, 1, 31)) || got[29].Subscribers != 3 {
		t.Errorf("default range: %d points ending %v, %v", len(got), got[len(got)-1].Start, err)
	}
	if got, err := e.svc.FiguresOverTime(e.ctx, e.admin, core.FiguresQuery{Interval: core.FiguresMonthly}); err != nil ||
		len(got) != 12 || !got[11].Start.Equal(d(2026, 1, 1)) {
		t.Errorf("default months: %d points, %v", len(got), err)
	}
	for _, bad := range []core.FiguresQuery{
		{Interval: "week"},
		{From: ds(2026, 2, 1), To: ds(2026, 1, 1)},
		{From: ds(2024, 1, 1), To: ds(2026, 1, 1)},
		{From: ds(2010, 1, 1), To: ds(2026, 1, 1), Interval: core.FiguresMonthly},
		{From: "2026-1-1"},
		{To: "tomorrow"},
	} {
		if _, err := e.svc.FiguresOverTime(e.ctx, e.admin, bad); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("FiguresOverTime(%+v) = %v, want invalid", bad, err)
		}
	}
	if _, err := e.svc.FiguresOverTime(e.ctx, e.user, core.FiguresQuery{}); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer's FiguresOverTime = %v, want forbidden", err)
	}
}

// The billing run records each day's opening figures once, by the MRR
// rule; churn and failed payments are counted on the day they happen,
// once each, and only for what they mean.
func TestFiguresRecordedByTheBillingRun(t *testing.T) {
	e := newEnv(t)
	team := e.featurePlan("team", "10000", nil, true)
	pay := func(a core.Actor, plan string, seats int) core.Subscription {
		t.Helper()
		res, err := e.svc.CreateSubscription(e.ctx, a, core.CreateSubscriptionInput{Plan: plan, PaymentType: "bank_transfer", Quantity: seats})
		if err != nil {
			t.Fatal(err)
		}
		e.mustNotify(e.gw.Settle(res.Payment.OrderID))
		return res.Subscription
	}
	alice, bob, carol, dave := e.newUser("alice"), e.newUser("bob"), e.newUser("carol"), e.newUser("dave")
	aliceSub := pay(alice, "basic", 1)
	pay(alice, team.ID, 3) // one subscriber, two subscriptions; per-seat: 3 × 10,000
	pay(bob, "pro", 1)
	e.run() // 2026-01-31 17:00 WIB: the day's snapshot
	pay(carol, "basic", 1)
	e.run() // later the same day: the snapshot stands

	// Dave never pays his first order: a failed payment, no churn.
	res, err := e.svc.CreateSubscription(e.ctx, dave, core.CreateSubscriptionInput{Plan: "basic", PaymentType: "qris"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(8 * time.Hour) // 2026-02-01 01:00 WIB
	e.run()                        // the new day's snapshot
	e.mustNotify(e.gw.ExpireOrder(res.Payment.OrderID))
	if _, err := e.svc.CancelSubscription(e.ctx, alice, aliceSub.ID, "moving on", true, false); err != nil {
		t.Fatal(err)
	}
	e.run()
	e.run() // relaying twice counts nothing twice

	got, err := e.svc.FiguresOverTime(e.ctx, e.admin, core.FiguresQuery{From: "2026-01-31", To: "2026-02-01"})
	if err != nil || len(got) != 2 {
		t.Fatalf("FiguresOverTime = %+v, %v", got, err)
	}
	jan, feb := got[0], got[1]
	if !jan.HasSnapshot || jan.MRR[core.IDR].String() != "178000.00" || jan.Subscribers != 2 || jan.Churned != 0 || jan.Failed != 0 {
		t.Errorf("Jan 31 = %+v, want MRR 49,000 + 30,000 + 99,000 from 2 subscribers (carol came after the snapshot)", jan)
	}
	if !feb.HasSnapshot || feb.MRR[core.IDR].String() != "227000.00" || feb.Subscribers != 3 {
		t.Errorf("Feb 1 opening = %+v, want carol's 49,000 added, 3 subscribers", feb)
	}
	if feb.Churned != 1 || feb.Failed != 1 {
		t.Errorf("Feb 1 counts: churned %d failed %d, want alice's cancel and dave's expired order (his never-paid subscription is no churn)",
			feb.Churned, feb.Failed)
	}
	// The snapshot agrees with the MRR gauge at the same moment.
	mrr, err := e.svc.MRR(e.ctx)
	if err != nil || mrr["IDR"] != "178000.00" {
		t.Errorf("MRR now = %v, %v; want the Feb 1 figure less alice's basic plan", mrr, err)
	}
}
