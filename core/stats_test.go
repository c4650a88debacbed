package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/shopspring/decimal"
)

func TestMonthlyAmount(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		price    string
		interval int
		unit     core.IntervalUnit
		want     string
	}{
		{"1000", 1, core.Day, "30000.00"},
		{"1200", 1, core.Week, "5200.00"},
		{"49000", 1, core.Month, "49000.00"},
		{"49000", 3, core.Month, "16333.33"},
		{"120000", 1, core.Year, "10000.00"},
		{"100", 1, "fortnight", "0.00"},
	} {
		got := core.MonthlyAmount(d(c.price), c.interval, c.unit).StringFixed(2)
		if got != c.want {
			t.Errorf("MonthlyAmount(%s, %d, %s) = %s, want %s", c.price, c.interval, c.unit, got, c.want)
		}
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	st := bolt.NewMemory()
	clk := core.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	svc, err := core.NewService(core.Deps{Store: st, Clock: clk, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	admin := core.Actor{IsAdmin: true}
	s := func(v string) *string { return &v }
	monthly, err := svc.CreatePlan(ctx, admin, core.PlanInput{Name: s("Basic"), Price: s("49000"), IntervalUnit: s("month")})
	if err != nil {
		t.Fatal(err)
	}
	yearly, err := svc.CreatePlan(ctx, admin, core.PlanInput{Name: s("Yearly"), Price: s("120000"), IntervalUnit: s("year")})
	if err != nil {
		t.Fatal(err)
	}
	seats := true
	team, err := svc.CreatePlan(ctx, admin, core.PlanInput{Name: s("Team"), Price: s("10000"), IntervalUnit: s("month"), PerSeat: &seats})
	if err != nil {
		t.Fatal(err)
	}

	// Empty: zero everywhere, every status present.
	n, oldest, err := svc.OutboxDepth(ctx)
	if err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("OutboxDepth on empty = %d %v %v", n, oldest, err)
	}
	by, err := svc.SubscriptionsByStatus(ctx)
	if err != nil || len(by) != len(core.AllSubscriptionStatuses) || by["active"] != 0 {
		t.Fatalf("SubscriptionsByStatus on empty = %v %v", by, err)
	}
	mrr, err := svc.MRR(ctx)
	if err != nil || mrr["IDR"] != "0.00" {
		t.Fatalf("MRR on empty = %v %v", mrr, err)
	}

	t1 := clk.Now().Add(-time.Hour)
	if err := st.Update(ctx, func(tx core.Tx) error {
		for i, sub := range []core.Subscription{
			{ID: "s1", PlanID: monthly.ID, Quantity: 2, Status: core.SubActive},
			{ID: "s2", PlanID: yearly.ID, Quantity: 1, Status: core.SubActive},
			{ID: "s3", PlanID: monthly.ID, Quantity: 1, Status: core.SubCancelled},
			{ID: "s4", PlanID: monthly.ID, Quantity: 1, Status: core.SubTrialing},
			{ID: "s5", PlanID: team.ID, Quantity: 3, Status: core.SubActive},
		} {
			sub.OwnerID, sub.CreatedAt = "u1", t1.Add(time.Duration(i)*time.Second)
			if err := tx.Subscriptions().Put(sub); err != nil {
				return err
			}
		}
		for i := range 3 {
			if _, err := tx.Outbox().Append(core.Event{ID: "e" + string(rune('a'+i)), Type: core.EvAlert, OccurredAt: t1.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n, oldest, err = svc.OutboxDepth(ctx)
	if err != nil || n != 3 || !oldest.Equal(t1) {
		t.Fatalf("OutboxDepth = %d %v %v, want 3 %v", n, oldest, err, t1)
	}
	by, err = svc.SubscriptionsByStatus(ctx)
	if err != nil || by["active"] != 3 || by["cancelled"] != 1 || by["trialing"] != 1 || by["paused"] != 0 {
		t.Fatalf("SubscriptionsByStatus = %v %v", by, err)
	}
	// Seats count only on per-seat plans: 49000 (a flat plan, whatever its
	// quantity) + 120000/12 + 3 seats × 10000 = 89000.
	mrr, err = svc.MRR(ctx)
	if err != nil || mrr["IDR"] != "89000.00" || len(mrr) != 1 {
		t.Fatalf("MRR = %v %v, want IDR 89000.00", mrr, err)
	}
	w, e, err := svc.WalletStats(ctx)
	if err != nil || w != 0 || e != 0 {
		t.Fatalf("WalletStats = %d %d %v", w, e, err)
	}
}
