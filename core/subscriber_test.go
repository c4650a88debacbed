package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// One subscriber's history: their records, their notifications, the
// alerts and webhook deliveries of events about them, and the Midtrans
// notifications of their orders, nobody else's.
func TestSubscriberHistory(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.WebhookAllowHosts = []string{"hooks.test"}
	e := newEnvConfig(t, cfg)
	admin, err := e.svc.CreateUser(e.ctx, e.admin, core.NewUserInput{Username: "ops", Password: "pass-ops-1234", IsAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	ops := core.Actor{UserID: admin.ID, IsAdmin: true}
	if _, err := e.svc.CreateWebhookEndpoint(e.ctx, ops, core.WebhookEndpointInput{URL: ref("http://hooks.test/events")}); err != nil {
		t.Fatal(err)
	}
	carol, dave, erin := e.newUser("carol"), e.newUser("dave"), e.newUser("erin")
	org, err := e.svc.CreateOrganization(e.ctx, carol, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	subscribe := func(a core.Actor, plan, orgID string) core.SubscriptionResult {
		t.Helper()
		res, err := e.svc.CreateSubscription(e.ctx, a, core.CreateSubscriptionInput{Plan: plan, PaymentType: "bank_transfer", OrganizationID: orgID})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	personal := subscribe(carol, "basic", "")
	e.mustNotify(e.gw.Settle(personal.Payment.OrderID))
	team := subscribe(carol, "pro", org.ID)
	e.mustNotify(e.gw.Notify(team.Payment.OrderID, "pending", "201"))
	e.mustNotify(e.gw.Settle(team.Payment.OrderID))
	if _, err := e.svc.AddMember(e.ctx, carol, org.ID, "dave"); err != nil {
		t.Fatal(err)
	}
	// An amount that differs raises an alert about the team's order.
	e.mustNotify(coretest.Notification(team.Payment.OrderID, "settlement", "200", "1.00", "x"))
	other := subscribe(erin, "basic", "")
	e.mustNotify(e.gw.Settle(other.Payment.OrderID))
	e.clock.Advance(time.Minute)
	e.run() // relay: notifications and deliveries

	t.Run("a user", func(t *testing.T) {
		h, err := e.svc.SubscriberHistory(e.ctx, ops, carol.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if h.User == nil || h.User.Username != "carol" || h.User.PasswordHash != "" || h.Organization != nil {
			t.Fatalf("user = %+v", h.User)
		}
		if len(h.Organizations) != 1 || h.Organizations[0].ID != org.ID {
			t.Errorf("organizations = %+v", h.Organizations)
		}
		if len(h.Subscriptions) != 1 || h.Subscriptions[0].ID != personal.Subscription.ID || len(h.Payments) != 1 || len(h.Invoices) != 1 {
			t.Errorf("records: %d subscriptions, %d payments, %d invoices; want carol's own one each",
				len(h.Subscriptions), len(h.Payments), len(h.Invoices))
		}
		if len(h.MidtransNotifications) != 1 || h.MidtransNotifications[0].OrderID != personal.Payment.OrderID {
			t.Errorf("Midtrans notifications = %+v", h.MidtransNotifications)
		}
		if len(h.Notifications) == 0 {
			t.Fatal("no notifications")
		}
		for _, n := range h.Notifications {
			if n.UserID != carol.UserID {
				t.Errorf("notification to %s in carol's history", n.UserID)
			}
		}
		if len(h.Deliveries) == 0 {
			t.Fatal("no deliveries")
		}
		for _, d := range h.Deliveries {
			data, _ := d.Payload["data"].(map[string]any)
			if d.Channel != core.ChannelWebhook || data["subscription_id"] != personal.Subscription.ID &&
				data["invoice_id"] != h.Invoices[0].ID && data["payment_id"] != h.Payments[0].ID {
				t.Errorf("delivery %s (%v) is not about carol's records", d.Type, data)
			}
		}
		if len(h.Alerts) != 0 {
			t.Errorf("alerts = %+v, want none about carol's own records", h.Alerts)
		}
	})

	t.Run("an organization", func(t *testing.T) {
		h, err := e.svc.SubscriberHistory(e.ctx, ops, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.Organization == nil || h.User != nil || len(h.Members) != 2 {
			t.Fatalf("organization %+v, members %d", h.Organization, len(h.Members))
		}
		if len(h.Subscriptions) != 1 || h.Subscriptions[0].ID != team.Subscription.ID {
			t.Errorf("subscriptions = %+v", h.Subscriptions)
		}
		if len(h.MidtransNotifications) != 3 || !h.MidtransNotifications[0].ReceivedAt.After(h.MidtransNotifications[2].ReceivedAt) &&
			h.MidtransNotifications[0].ReceivedAt != h.MidtransNotifications[2].ReceivedAt {
			t.Errorf("Midtrans notifications = %d, want the team order's three, newest first", len(h.MidtransNotifications))
		}
		recipients := map[string]bool{}
		for _, n := range h.Notifications {
			recipients[n.UserID] = true
			data, _ := n.Payload["data"].(map[string]any)
			if n.Channel == core.ChannelInApp && data["subscription_id"] == personal.Subscription.ID {
				t.Errorf("carol's personal %s in the organization's history", n.Type)
			}
		}
		if !recipients[carol.UserID] || !recipients[dave.UserID] {
			t.Errorf("notifications went to %v, want both members", recipients)
		}
		if len(h.Alerts) != 1 {
			t.Errorf("alerts = %d, want the amount mismatch", len(h.Alerts))
		}
		alerted := false
		for _, d := range h.Deliveries {
			alerted = alerted || d.Type == core.EvAlert
		}
		if len(h.Deliveries) == 0 || !alerted {
			t.Errorf("deliveries = %d (alert among them: %v)", len(h.Deliveries), alerted)
		}
	})

	if _, err := e.svc.SubscriberHistory(e.ctx, carol, carol.UserID); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer: %v, want forbidden", err)
	}
	if _, err := e.svc.SubscriberHistory(e.ctx, ops, "99999999-9999-4999-8999-999999999999"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("nobody: %v, want not found", err)
	}
}

func TestOwnerNames(t *testing.T) {
	e := newEnv(t)
	budi := e.newUser("budi")
	org, err := e.svc.CreateOrganization(e.ctx, budi, "Toko Budi")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.OwnerNames(e.ctx, e.admin, []string{budi.UserID, org.ID, "99999999-9999-4999-8999-999999999999", budi.UserID})
	if err != nil || len(got) != 2 || got[budi.UserID] != "budi" || got[org.ID] != "Toko Budi" {
		t.Errorf("OwnerNames = %v, %v", got, err)
	}
	if _, err := e.svc.OwnerNames(e.ctx, budi, []string{budi.UserID}); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer: %v, want forbidden", err)
	}
}
