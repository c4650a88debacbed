package http

import "testing"

func TestSubscriptionAndInvoiceJSON(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	res := e.must(t, 201, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"basic","payment_type":"bank_transfer",
		"customer_details":{"first_name":"Budi","last_name":"Santoso","email":"budi@example.com","phone":"08123456789"},"metadata":{"bank":"bri","ref":"x"}}`})
	sub := res["subscription"].(map[string]any)
	hasKeys(t, "subscription", sub, "id", "plan", "plan_id", "owner_id", "organization_id", "status", "payment_type", "bank", "quantity",
		"midtrans_subscription_id", "current_period_start", "current_period_end", "trial_start", "trial_end", "cycle_count",
		"next_billing_date", "cancel_at_period_end", "cancelled_at", "cancel_reason", "end_date", "paused_at", "auto_pay",
		"coupon_id", "scheduled_plan_id", "plan_history", "metadata", "customer_details", "created_at", "updated_at")
	plan := sub["plan"].(map[string]any)
	if plan["slug"] != "basic" || plan["price"] != "49000.00" || sub["plan_id"] != plan["id"] {
		t.Errorf("embedded plan = %v", plan)
	}
	if sub["status"] != "pending" || sub["bank"] != "bri" || sub["organization_id"] != nil || sub["cancelled_at"] != nil ||
		sub["metadata"].(map[string]any)["ref"] != "x" || sub["customer_details"].(map[string]any)["email"] != "budi@example.com" {
		t.Errorf("subscription = %v", sub)
	}
	id := sub["id"].(string)
	if st, b := e.webhook(t, e.gw.Settle(res["payment"].(map[string]any)["order_id"].(string))); st != 200 {
		t.Fatalf("settle = %d %v", st, b)
	}
	active := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/active/", auth: asUser})
	if active["id"] != id || active["status"] != "active" || active["next_billing_date"] == nil {
		t.Errorf("active = %v", active)
	}

	invs := e.must(t, 200, call{method: "GET", path: "/api/invoices/", auth: asUser})
	inv := e.must(t, 200, call{method: "GET", path: "/api/invoices/" + invs["results"].([]any)[0].(map[string]any)["id"].(string) + "/", auth: asUser})
	hasKeys(t, "invoice", inv, "id", "number", "status", "subtotal", "discount", "tax", "total", "currency", "issue_date", "due_date",
		"paid_at", "period_start", "period_end", "subscription_id", "payment_id", "line_items")
	if inv["status"] != "paid" || inv["total"] != "49000.00" || inv["subtotal"] != "49000.00" || inv["subscription_id"] != id || inv["paid_at"] == nil {
		t.Errorf("invoice = %v", inv)
	}
	if n, _ := inv["number"].(string); len(n) != len("INV/2026/000001") || n[:4] != "INV/" {
		t.Errorf("number = %v", inv["number"])
	}
	lines := inv["line_items"].([]any)
	if len(lines) == 0 {
		t.Fatal("no line items")
	}
	line := lines[0].(map[string]any)
	hasKeys(t, "line", line, "kind", "description", "quantity", "unit_amount", "amount", "period_start", "period_end")
	if line["kind"] != "plan" || line["amount"] != "49000.00" || line["quantity"] != 1.0 {
		t.Errorf("line = %v", line)
	}

	// Lifecycle: schedule a cancel, undo it, pause, resume, change plan at period end.
	c := e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/cancel/", auth: asUser, body: `{"reason":"Too expensive"}`})
	if c["cancel_at_period_end"] != true || c["status"] != "active" || c["cancel_reason"] != "Too expensive" {
		t.Errorf("scheduled cancel = %v", c)
	}
	c = e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/cancel/", auth: asUser, body: `{"undo":true}`})
	if c["cancel_at_period_end"] != false || c["status"] != "active" {
		t.Errorf("undone cancel = %v", c)
	}
	if p := e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/pause/", auth: asUser}); p["status"] != "paused" || p["paused_at"] == nil {
		t.Errorf("paused = %v", p)
	}
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/subscriptions/" + id + "/pause/", auth: asUser}); st != 409 {
		t.Errorf("pause twice = %d %v", st, b)
	}
	if r := e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/resume/", auth: asUser}); r["status"] != "active" {
		t.Errorf("resumed = %v", r)
	}
	ch := e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/change-plan/", auth: asUser, body: `{"plan_id":"pro","immediate":false}`})
	if ch["scheduled_plan_id"] == nil {
		t.Errorf("change at period end = %v", ch)
	}
	if x := e.must(t, 200, call{method: "POST", path: "/api/subscriptions/" + id + "/cancel/", auth: asUser, body: `{"immediate":true}`}); x["status"] != "cancelled" || x["cancelled_at"] == nil {
		t.Errorf("cancelled = %v", x)
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/subscriptions/" + id + "/pause/", auth: asUser}); st != 409 {
		t.Errorf("pause cancelled = %d", st)
	}
	if st, _, _ := e.do(t, call{method: "GET", path: "/api/subscriptions/active/", auth: asUser}); st != 404 {
		t.Errorf("active after cancel = %d", st)
	}
	// Pagination over the list.
	e.subscribe(t, asUser, "pro")
	l := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/?page_size=1&ordering=created_at", auth: asUser})
	if l["count"] != 2.0 || len(l["results"].([]any)) != 1 || l["next"] == nil || l["results"].([]any)[0].(map[string]any)["id"] != id {
		t.Errorf("page 1 = %v", l)
	}
	if l := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/?page=5", auth: asUser}); len(l["results"].([]any)) != 0 {
		t.Errorf("page past the end = %v", l)
	}
}
