package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// Every owner's subscriptions for an admin: by status, plan, past due and a
// search over owners, ordered and paged, with the total before paging.
func TestListSubscriptionsAcrossOwners(t *testing.T) {
	e := newEnv(t)
	mk := func(name, email, first, last string) core.Actor {
		t.Helper()
		u, err := e.svc.CreateUser(e.ctx, e.admin, core.NewUserInput{Username: name, Password: "pass-" + name + "-123",
			Email: email, FirstName: first, LastName: last})
		if err != nil {
			t.Fatal(err)
		}
		return core.Actor{UserID: u.ID}
	}
	alice := mk("alice", "alice@wijaya.id", "Alice", "Wijaya")
	bob := mk("bob", "bob@example.com", "Bob", "Santoso")
	carol := mk("carol", "carol@example.com", "", "")
	org, err := e.svc.CreateOrganization(e.ctx, carol, "Acme Nusantara")
	if err != nil {
		t.Fatal(err)
	}
	plans := map[string]string{}
	for _, slug := range []string{"basic", "pro"} {
		p, err := e.svc.GetPlan(e.ctx, e.admin, slug)
		if err != nil {
			t.Fatal(err)
		}
		plans[slug] = p.ID
	}
	id := func(n int) string { return strings.Repeat(string(rune('0'+n)), 8) + "-0000-4000-8000-000000000000" }
	subs := []core.Subscription{
		{ID: id(1), OwnerID: alice.UserID, PlanID: plans["basic"], Status: core.SubActive, PaymentType: core.PayQRIS},
		{ID: id(2), OwnerID: alice.UserID, PlanID: plans["pro"], Status: core.SubPastDue, PaymentType: core.PayBankTransfer, DunningAttempts: 1},
		{ID: id(3), OwnerID: bob.UserID, PlanID: plans["basic"], Status: core.SubPending, PaymentType: core.PayBankTransfer},
		{ID: id(4), OwnerID: org.ID, PlanID: plans["pro"], Status: core.SubActive, PaymentType: core.PayBankTransfer},
		{ID: id(5), OwnerID: bob.UserID, PlanID: plans["pro"], Status: core.SubPaused, PaymentType: core.PayQRIS, DunningAttempts: 2},
		{ID: id(6), OwnerID: bob.UserID, PlanID: plans["basic"], Status: core.SubCancelled, PaymentType: core.PayQRIS},
	}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error {
		for i, sub := range subs {
			sub.Quantity = 1
			sub.CreatedAt = start.Add(time.Duration(i) * time.Hour)
			sub.NextBillingDate = start.AddDate(0, 1, -i)
			if err := tx.Subscriptions().Put(sub); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		f         core.SubscriptionFilter
		want      []int // subscription numbers, in order
		wantTotal int
	}{
		{"everything, newest first", core.SubscriptionFilter{}, []int{6, 5, 4, 3, 2, 1}, 6},
		{"oldest first", core.SubscriptionFilter{Ordering: "created_at"}, []int{1, 2, 3, 4, 5, 6}, 6},
		{"by next billing date", core.SubscriptionFilter{Ordering: "next_billing_date"}, []int{6, 5, 4, 3, 2, 1}, 6},
		{"status", core.SubscriptionFilter{Status: "active"}, []int{4, 1}, 2},
		{"plan by slug", core.SubscriptionFilter{Plan: "pro"}, []int{5, 4, 2}, 3},
		{"plan by id", core.SubscriptionFilter{Plan: plans["basic"]}, []int{6, 3, 1}, 3},
		{"unknown plan", core.SubscriptionFilter{Plan: "gold"}, nil, 0},
		{"past due, paused after failed charges included", core.SubscriptionFilter{PastDue: true}, []int{5, 2}, 2},
		{"payment type", core.SubscriptionFilter{PaymentType: "qris"}, []int{6, 5, 1}, 3},
		{"username", core.SubscriptionFilter{Search: "BOB"}, []int{6, 5, 3}, 3},
		{"part of an email", core.SubscriptionFilter{Search: "wijaya.id"}, []int{2, 1}, 2},
		{"a name", core.SubscriptionFilter{Search: "alice wij"}, []int{2, 1}, 2},
		{"an organization's name", core.SubscriptionFilter{Search: "nusantara"}, []int{4}, 1},
		{"an organization's owner", core.SubscriptionFilter{Search: "carol@"}, []int{4}, 1},
		{"a subscription id", core.SubscriptionFilter{Search: strings.ToUpper(id(3))}, []int{3}, 1},
		{"nobody", core.SubscriptionFilter{Search: "dewi"}, nil, 0},
		{"combined", core.SubscriptionFilter{Search: "bob", Plan: "basic", Status: "pending"}, []int{3}, 1},
		{"a page", core.SubscriptionFilter{Offset: 2, Limit: 3}, []int{4, 3, 2}, 6},
		{"past the end", core.SubscriptionFilter{Offset: 10, Limit: 3}, nil, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f.All = true
			got, total, err := e.svc.ListSubscriptionsPage(e.ctx, e.admin, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var nums []int
			for _, s := range got {
				nums = append(nums, int(s.ID[0]-'0'))
				if s.PlanID == "" || s.OwnerID == "" {
					t.Errorf("subscription %s not read whole", s.ID)
				}
			}
			if total != c.wantTotal || len(nums) != len(c.want) {
				t.Fatalf("got %v of %d, want %v of %d", nums, total, c.want, c.wantTotal)
			}
			for i := range nums {
				if nums[i] != c.want[i] {
					t.Fatalf("got %v, want %v", nums, c.want)
				}
			}
		})
	}
	// Without All an admin lists only their own, as before; a customer may
	// not ask for All; filters apply to a customer's own list too.
	if got, _, err := e.svc.ListSubscriptionsPage(e.ctx, e.admin, core.SubscriptionFilter{}); err != nil || len(got) != 0 {
		t.Errorf("an admin's own = %d, %v; want none", len(got), err)
	}
	if _, _, err := e.svc.ListSubscriptionsPage(e.ctx, bob, core.SubscriptionFilter{All: true}); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer asking for all: %v, want forbidden", err)
	}
	if got, total, err := e.svc.ListSubscriptionsPage(e.ctx, bob, core.SubscriptionFilter{PastDue: true}); err != nil || total != 1 || got[0].ID != id(5) {
		t.Errorf("bob's past due = %v (%d), %v", got, total, err)
	}
	if _, _, err := e.svc.ListSubscriptionsPage(e.ctx, e.admin, core.SubscriptionFilter{All: true, Ordering: "plan"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("unknown ordering: %v, want invalid", err)
	}
}
