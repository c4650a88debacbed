package http

import (
	"testing"

	"github.com/langganan/langganan/core/coretest"
)

func TestWebhookSettlementActivates(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	subID, order := e.subscribe(t, asUser, "basic")
	if sub := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/" + subID + "/", auth: asUser}); sub["status"] != "pending" {
		t.Fatalf("before payment status = %v", sub["status"])
	}

	settle := e.gw.Settle(order)
	// An Authorization header is no credential here: Midtrans sends none,
	// but a correct one changes nothing either.
	st, b, _ := e.do(t, call{method: "POST", path: "/api/webhook/notification/", body: string(settle), auth: asUser})
	if st != 200 || b["status"] != "ok" || b["result"] != "processed" || b["webhook_log_id"] == "" {
		t.Fatalf("settlement = %d %v", st, b)
	}
	sub := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/" + subID + "/", auth: asUser})
	if sub["status"] != "active" || sub["cycle_count"] != 1.0 || sub["current_period_end"] == nil {
		t.Errorf("after settlement = %v", sub)
	}
	invs := e.must(t, 200, call{method: "GET", path: "/api/invoices/", auth: asUser})
	if invs["count"] != 1.0 || invs["results"].([]any)[0].(map[string]any)["status"] != "paid" {
		t.Errorf("invoices = %v", invs)
	}

	// The same notification again: acknowledged, nothing applied twice.
	st, b = e.webhook(t, settle)
	if st != 200 || b["result"] != "duplicate" {
		t.Errorf("duplicate = %d %v", st, b)
	}
	if invs := e.must(t, 200, call{method: "GET", path: "/api/invoices/", auth: asUser}); invs["count"] != 1.0 {
		t.Errorf("invoices after duplicate = %v", invs["count"])
	}
	// A late pending after the settlement is stale: 200, ignored.
	st, b = e.webhook(t, coretest.Notification(order, "pending", "201", "49000.00", "txn-1"))
	if st != 200 || b["result"] != "ignored" {
		t.Errorf("stale pending = %d %v", st, b)
	}
	if sub := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/" + subID + "/", auth: asUser}); sub["status"] != "active" {
		t.Errorf("stale pending changed status to %v", sub["status"])
	}

	// The logs are visible to the admin, newest first.
	logs := e.must(t, 200, call{method: "GET", path: "/api/admin/webhook-logs/", auth: asAdmin})
	if logs["count"] != 3.0 {
		t.Fatalf("webhook logs = %v", logs)
	}
	first := logs["results"].([]any)[0].(map[string]any)
	hasKeys(t, "webhook log", first, "id", "kind", "order_id", "payload", "source_ip", "received_at", "signature_valid", "status", "error", "processed_at")
}

func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	subID, order := e.subscribe(t, asUser, "basic")

	// Bad signature: 403, nothing changes.
	if st, b := e.webhook(t, coretest.Forged(e.gw.Settle(order))); st != 403 {
		t.Errorf("bad signature = %d %v", st, b)
	}
	// Unknown order: 404.
	if st, b := e.webhook(t, coretest.Notification("SUB-000000000000", "settlement", "200", "49000.00", "t")); st != 404 {
		t.Errorf("unknown order = %d %v", st, b)
	}
	// Amount mismatch: acknowledged (a retry would not help), rejected, nothing changes.
	st, b := e.webhook(t, coretest.Notification(order, "settlement", "200", "1000.00", "t"))
	if st != 200 || b["result"] != "rejected" {
		t.Errorf("amount mismatch = %d %v", st, b)
	}
	// Garbage: 400.
	if st, b := e.webhook(t, []byte(`{"order_id":`)); st != 400 {
		t.Errorf("garbage = %d %v", st, b)
	}
	if sub := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/" + subID + "/", auth: asUser}); sub["status"] != "pending" {
		t.Errorf("status after refusals = %v, want pending", sub["status"])
	}
	// Expiry of the first charge: the subscription never goes past_due.
	if st, b := e.webhook(t, e.gw.ExpireOrder(order)); st != 200 || b["result"] != "processed" {
		t.Fatalf("expire = %d %v", st, b)
	}
	if sub := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/" + subID + "/", auth: asUser}); sub["status"] == "past_due" {
		t.Errorf("first charge expired → %v", sub["status"])
	}
}
