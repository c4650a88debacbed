package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
)

// Applying a stored notification again goes through the live path: what
// was applied is a duplicate and changes nothing, what failed is applied
// now, a partly kept body is refused, and only admins may do it.
func TestReapplyNotification(t *testing.T) {
	e := newEnv(t)
	res := e.subscribe("basic", "bank_transfer")
	order := res.Payment.OrderID
	settled := e.mustNotify(e.gw.Settle(order))

	// A GoPay link whose confirmation failed: Midtrans could not be asked.
	m, err := e.svc.LinkGopay(e.ctx, e.user, "81234567890", "https://shop.example/linked")
	if err != nil {
		t.Fatal(err)
	}
	e.gw.LinkAccount(m.AccountID)
	e.gw.FailOp = "payaccount.get"
	linkFailed, err := e.notify(coretest.PayAccountNotification(m.AccountID))
	if err == nil || linkFailed.Status != core.WebhookFailed {
		t.Fatalf("link notification with Midtrans down: %s, %v; want failed", linkFailed.Status, err)
	}
	// A forged body is kept only in part.
	forged, _ := e.notify(forge(order))

	// Stored, never applied (the process died in between).
	pending := core.WebhookLog{ID: "77777777-7777-4777-8777-777777777777", Payload: e.gw.Settle(order),
		SourceIP: "10.0.0.9", ReceivedAt: start, Status: core.WebhookReceived}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.WebhookLogs().Put(pending) }); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(time.Hour)
	for _, c := range []struct {
		name    string
		log     core.WebhookLog
		want    core.WebhookStatus
		wantErr error
	}{
		{"applied before: a duplicate", settled, core.WebhookDuplicate, nil},
		{"failed: applied now", linkFailed, core.WebhookProcessed, nil},
		// A link is confirmed by reading the account back from Midtrans, so
		// it is applied again as it stands there: nothing changes.
		{"a link read back again", linkFailed, core.WebhookProcessed, nil},
		{"never applied: its event was applied since", pending, core.WebhookDuplicate, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.svc.ReapplyNotification(e.ctx, e.admin, c.log.ID)
			if !errors.Is(err, c.wantErr) || got.Status != c.want {
				t.Fatalf("ReapplyNotification = %s, %v; want %s", got.Status, err, c.want)
			}
			if got.ID == c.log.ID || got.ReplayOf != c.log.ID || got.ReplayBy != e.admin.UserID || !got.ReceivedAt.Equal(e.clock.Now()) {
				t.Errorf("new log %+v: want a new id naming %s and the admin", got, c.log.ID)
			}
			stored, err := e.svc.GetWebhookLog(e.ctx, e.admin, c.log.ID)
			if err != nil || stored.Status != c.log.Status || stored.ReplayOf != "" {
				t.Errorf("the stored log changed: %s, %v", stored.Status, err)
			}
			if again, err := e.svc.GetWebhookLog(e.ctx, e.admin, got.ID); err != nil || again.ReplayOf != c.log.ID {
				t.Errorf("the new log was not stored: %+v, %v", again, err)
			}
		})
	}
	if pm, err := e.svc.ListPaymentMethods(e.ctx, e.user); err != nil || len(pm) != 1 || pm[0].Status != core.MethodActive {
		t.Errorf("payment methods after the link applied again = %+v, %v; want the GoPay account active", pm, err)
	}
	if s := e.sub(res.Subscription.ID); s.Status != core.SubActive || s.Cycle != 1 {
		t.Errorf("subscription %s cycle %d: applying a settlement again must change nothing", s.Status, s.Cycle)
	}
	// The never-applied log is applied by recovery as before: a duplicate.
	if _, err := e.svc.RecoverNotifications(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.GetWebhookLog(e.ctx, e.admin, pending.ID); got.Status != core.WebhookDuplicate {
		t.Errorf("recovered log: %s, want duplicate", got.Status)
	}

	if _, err := e.svc.ReapplyNotification(e.ctx, e.admin, forged.ID); !errors.Is(err, core.ErrUnprocessable) {
		t.Errorf("a body kept in part: %v, want unprocessable", err)
	}
	if _, err := e.svc.ReapplyNotification(e.ctx, e.user, settled.ID); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer: %v, want forbidden", err)
	}
	if _, err := e.svc.ReapplyNotification(e.ctx, e.admin, "88888888-8888-4888-8888-888888888888"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("an unknown log: %v, want not found", err)
	}
}

// The log lists newest first, by order through the index, by status, paged.
func TestListWebhookLogsFilters(t *testing.T) {
	e := newEnv(t)
	a := e.subscribe("basic", "bank_transfer").Payment.OrderID
	b := e.subscribe("pro", "bank_transfer").Payment.OrderID
	e.mustNotify(e.gw.Notify(a, "pending", "201"))
	e.clock.Advance(time.Minute)
	e.mustNotify(e.gw.Settle(a))
	e.clock.Advance(time.Minute)
	e.mustNotify(e.gw.Settle(b))
	e.clock.Advance(time.Minute)
	e.mustNotify(e.gw.Settle(a)) // duplicate
	for _, c := range []struct {
		name      string
		f         core.WebhookLogFilter
		wantTotal int
		want      []string // order|status, newest first
	}{
		{"all", core.WebhookLogFilter{}, 4, []string{a + "|duplicate", b + "|processed", a + "|processed", a + "|ignored"}},
		{"one order", core.WebhookLogFilter{OrderID: a}, 3, []string{a + "|duplicate", a + "|processed", a + "|ignored"}},
		{"by status", core.WebhookLogFilter{Status: "duplicate"}, 1, []string{a + "|duplicate"}},
		{"paged", core.WebhookLogFilter{Offset: 1, Limit: 2}, 4, []string{b + "|processed", a + "|processed"}},
		{"order and status", core.WebhookLogFilter{OrderID: b, Status: "duplicate"}, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			list, total, err := e.svc.ListWebhookLogs(e.ctx, e.admin, c.f)
			if err != nil || total != c.wantTotal || len(list) != len(c.want) {
				t.Fatalf("ListWebhookLogs = %d of %d, %v; want %d of %d", len(list), total, err, len(c.want), c.wantTotal)
			}
			for i, w := range list {
				if got := w.OrderID + "|" + string(w.Status); got != c.want[i] {
					t.Errorf("log %d = %s, want %s", i, got, c.want[i])
				}
			}
		})
	}
	if _, _, err := e.svc.ListWebhookLogs(e.ctx, e.admin, core.WebhookLogFilter{Status: "lost"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("unknown status: %v, want invalid", err)
	}
	if _, _, err := e.svc.ListWebhookLogs(e.ctx, e.user, core.WebhookLogFilter{}); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("a customer: %v, want forbidden", err)
	}
}
