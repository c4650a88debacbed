package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// The queue's schedule read from stored subscriptions: retries made and
// left, the next retry and the grace end, as the dunning rule sets them.
func TestDunningQueueSchedule(t *testing.T) {
	since := start.Add(48 * time.Hour)
	day := 24 * time.Hour
	for _, c := range []struct {
		name               string
		retries            int
		interval, grace    time.Duration
		attempts           int // DunningAttempts
		openAttempt        int // an open order of the cycle with this attempt (0: none)
		wantMade, wantLeft int
		wantNext           time.Duration // after since; -1: none
	}{
		{"renewal failed once", 3, day, 3 * day, 1, 0, 0, 3, day},
		{"second retry next", 3, day, 3 * day, 2, 0, 1, 2, 2 * day},
		{"retry in flight", 3, day, 3 * day, 2, 3, 2, 1, 3 * day},
		{"last retry at the grace end", 3, day, 3 * day, 3, 0, 2, 1, 3 * day},
		{"every retry made", 3, day, 3 * day, 4, 0, 3, 0, -1},
		{"retry after the grace end never made", 2, 2 * day, 3 * day, 2, 0, 1, 0, -1},
		{"no retries configured", 0, day, 3 * day, 1, 0, 0, 0, -1},
		{"Midtrans gave up", 3, day, 3 * day, 4, 0, 3, 0, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.DunningRetries, cfg.DunningInterval, cfg.GracePeriod = c.retries, c.interval, c.grace
			e := newEnvConfig(t, cfg)
			sub := core.Subscription{ID: "33333333-3333-4333-8333-333333333333", OwnerID: e.user.UserID,
				PlanID: e.plan("dun", "10000", 0, 0).ID, Quantity: 1, Status: core.SubPastDue, Cycle: 1,
				PastDueSince: since, DunningAttempts: c.attempts, CreatedAt: start}
			ps := []core.Payment{{ID: "44444444-4444-4444-8444-444444444444", OwnerID: e.user.UserID, SubscriptionID: sub.ID,
				Purpose: core.PurposeSubscription, OrderID: "o-1", Cycle: 2, Attempt: 1, Amount: core.MustMoney("10000"),
				Status: core.PaymentExpired, FailureReason: "expired unpaid", CreatedAt: start, UpdatedAt: since}}
			if c.openAttempt > 0 {
				ps = append(ps, core.Payment{ID: "55555555-5555-4555-8555-555555555555", OwnerID: e.user.UserID,
					SubscriptionID: sub.ID, Purpose: core.PurposeSubscription, OrderID: "o-2", Cycle: 2, Attempt: c.openAttempt,
					Amount: core.MustMoney("10000"), Status: core.PaymentPending, CreatedAt: since, UpdatedAt: since})
			}
			active := sub
			active.ID, active.Status = "66666666-6666-4666-8666-666666666666", core.SubActive
			if err := e.store.Update(e.ctx, func(tx core.Tx) error {
				for _, p := range ps {
					if err := tx.Payments().Put(p); err != nil {
						return err
					}
				}
				if err := tx.Subscriptions().Put(active); err != nil {
					return err
				}
				return tx.Subscriptions().Put(sub)
			}); err != nil {
				t.Fatal(err)
			}
			list, total, err := e.svc.DunningQueue(e.ctx, e.admin, 0, 0)
			if err != nil || total != 1 || len(list) != 1 {
				t.Fatalf("DunningQueue = %d entries (total %d), %v; want the one past-due subscription", len(list), total, err)
			}
			got := list[0]
			if got.Subscription.ID != sub.ID || got.RetriesMade != c.wantMade || got.RetriesLeft != c.wantLeft {
				t.Errorf("made %d left %d, want %d and %d", got.RetriesMade, got.RetriesLeft, c.wantMade, c.wantLeft)
			}
			if want := since.Add(c.wantNext); c.wantNext < 0 && !got.NextRetryAt.IsZero() || c.wantNext >= 0 && !got.NextRetryAt.Equal(want) {
				t.Errorf("next retry %v, want %v after %v", got.NextRetryAt, c.wantNext, since)
			}
			if !got.GraceEndsAt.Equal(since.Add(c.grace)) {
				t.Errorf("grace ends %v, want %v", got.GraceEndsAt, since.Add(c.grace))
			}
			if (got.Open != nil) != (c.openAttempt > 0) || got.LastFailure != "expired unpaid" {
				t.Errorf("open %v, last failure %q", got.Open, got.LastFailure)
			}
		})
	}
	e := newEnv(t)
	if _, _, err := e.svc.DunningQueue(e.ctx, e.user, 0, 0); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer's DunningQueue: %v, want forbidden", err)
	}
}

// What the queue predicts is what the billing run then does: each retry is
// charged when the queue said it would be, and the subscription expires at
// the grace end it showed.
func TestDunningQueueMatchesTheEngine(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	e.mustNotify(e.gw.Settle(res.Payment.OrderID))
	id := res.Subscription.ID
	entry := func() core.DunningEntry {
		t.Helper()
		list, _, err := e.svc.DunningQueue(e.ctx, e.admin, 0, 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("DunningQueue: %d entries, %v", len(list), err)
		}
		return list[0]
	}
	// To the renewal, then past its order's expiry: past due.
	for e.sub(id).Status != core.SubPastDue {
		e.clock.Advance(time.Hour)
		e.run()
		if e.clock.Now().After(start.AddDate(0, 2, 0)) {
			t.Fatal("never past due")
		}
	}
	first := entry()
	if first.RetriesMade != 0 || first.RetriesLeft != 3 || first.Open != nil {
		t.Fatalf("entering dunning: made %d left %d open %v, want 0, 3 and none", first.RetriesMade, first.RetriesLeft, first.Open)
	}
	grace := first.GraceEndsAt
	for made := 1; made <= 3; made++ {
		want := entry().NextRetryAt
		// An hour before: no retry yet.
		e.clock.Set(want.Add(-time.Hour))
		e.run()
		if got := entry(); got.Open != nil && got.Open.Attempt == made+1 {
			t.Fatalf("retry %d charged before %v", made, want)
		}
		e.clock.Set(want)
		e.run()
		got := entry()
		if got.Open == nil || got.Open.Attempt != made+1 || !got.Open.CreatedAt.Equal(want) {
			t.Fatalf("retry %d: open order %+v, want attempt %d charged at %v", made, got.Open, made+1, want)
		}
		if got.RetriesMade != made || got.RetriesLeft != 3-made {
			t.Fatalf("after retry %d: made %d left %d", made, got.RetriesMade, got.RetriesLeft)
		}
		// The retry's order expires unpaid.
		e.mustNotify(e.gw.ExpireOrder(got.Open.OrderID))
	}
	if last := entry(); last.RetriesLeft != 0 || !last.NextRetryAt.IsZero() || !last.GraceEndsAt.Equal(grace) {
		t.Fatalf("after every retry: left %d next %v grace %v", last.RetriesLeft, last.NextRetryAt, last.GraceEndsAt)
	}
	// The last retry fell due at the grace end itself (retries come first);
	// its order dead, the subscription expires.
	if !e.clock.Now().Equal(grace) {
		t.Fatalf("the last retry was made at %v, not at the grace end %v", e.clock.Now(), grace)
	}
	e.run()
	if st := e.sub(id).Status; st != core.SubExpired {
		t.Fatalf("at the grace end the queue showed: %s, want expired", st)
	}
}

// Stale payments are the open ones reconciliation polls: older than
// StaleAfter, oldest first.
func TestStalePayments(t *testing.T) {
	e := newEnv(t)
	first := e.subscribe("basic", "bank_transfer").Payment
	e.clock.Advance(40 * time.Minute)
	second := e.subscribe("pro", "bank_transfer").Payment
	for _, c := range []struct {
		after time.Duration
		want  []string
	}{
		{0, nil},
		{20 * time.Minute, []string{first.OrderID}},
		{40 * time.Minute, []string{first.OrderID, second.OrderID}},
	} {
		e.clock.Advance(c.after)
		got, total, err := e.svc.StalePayments(e.ctx, e.admin, 0, 0)
		if err != nil || total != len(c.want) || len(got) != len(c.want) {
			t.Fatalf("at %v: %d stale (total %d), %v; want %v", e.clock.Now(), len(got), total, err, c.want)
		}
		for i, p := range got {
			if p.OrderID != c.want[i] {
				t.Errorf("at %v: stale %d = %s, want %s", e.clock.Now(), i, p.OrderID, c.want[i])
			}
		}
	}
	e.mustNotify(e.gw.Settle(first.OrderID))
	if got, _, _ := e.svc.StalePayments(e.ctx, e.admin, 0, 0); len(got) != 1 || got[0].OrderID != second.OrderID {
		t.Errorf("after one is paid: %v, want only the other", got)
	}
	if _, _, err := e.svc.StalePayments(e.ctx, e.user, 0, 0); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer: %v, want forbidden", err)
	}
}
