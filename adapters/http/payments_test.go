package http

import (
	"testing"
	"time"
)

func TestPaymentJSONAndRefunds(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	res := e.must(t, 201, call{method: "POST", path: "/api/subscriptions/", auth: asUser,
		body: `{"plan_id":"basic","payment_type":"bank_transfer","metadata":{"bank":"bca"}}`})
	pay := res["payment"].(map[string]any)
	hasKeys(t, "payment", pay, "id", "order_id", "transaction_id", "subscription_id", "invoice_id", "topup_id", "payment_type",
		"gross_amount", "currency", "status", "fraud_status", "payment_details", "midtrans_status", "retry_count", "is_retry",
		"refunded_amount", "refunds", "expires_at", "paid_at", "created_at", "updated_at")
	details := pay["payment_details"].(map[string]any)
	if pay["status"] != "pending" || pay["gross_amount"] != "49000.00" || pay["currency"] != "IDR" || details["bank"] != "bca" ||
		details["va_number"] == nil || pay["paid_at"] != nil || pay["topup_id"] != nil {
		t.Errorf("payment = %v", pay)
	}
	if o := pay["order_id"].(string); len(o) != len("SUB-")+12 || o[:4] != "SUB-" {
		t.Errorf("order id = %q", o)
	}
	id := pay["id"].(string)

	// Not settled yet: a refund is a conflict.
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin}); st != 409 {
		t.Errorf("refund of a pending payment = %d %v", st, b)
	}
	cs := e.must(t, 200, call{method: "GET", path: "/api/payments/" + id + "/check-status/", auth: asUser})
	if cs["local_status"] != "pending" || cs["midtrans_status"].(map[string]any)["transaction_status"] != "pending" {
		t.Errorf("check-status = %v", cs)
	}

	e.gw.Settle(pay["order_id"].(string)) // paid at Midtrans; the notification is lost
	cs = e.must(t, 200, call{method: "GET", path: "/api/payments/" + id + "/check-status/", auth: asUser})
	if cs["local_status"] != "paid" {
		t.Errorf("check-status after settlement = %v", cs)
	}

	p := e.must(t, 200, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin, body: `{"amount":9000,"reason":"Customer request","to_wallet":true}`})
	if p["status"] != "partially_refunded" || p["refunded_amount"] != "9000.00" || len(p["refunds"].([]any)) != 1 {
		t.Errorf("after partial refund = %v", p)
	}
	r := p["refunds"].([]any)[0].(map[string]any)
	if r["amount"] != "9000.00" || r["reason"] != "Customer request" {
		t.Errorf("refund = %v", r)
	}
	p = e.must(t, 200, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin, body: `{"to_wallet":true}`})
	if p["status"] != "refunded" || p["refunded_amount"] != "49000.00" {
		t.Errorf("after full refund = %v", p)
	}
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin, body: `{"amount":1}`}); st < 400 || st >= 500 {
		t.Errorf("refund beyond the settled amount = %d %v", st, b)
	}
	if l := e.must(t, 200, call{method: "GET", path: "/api/payments/?status=refunded", auth: asUser}); l["count"] != 1.0 {
		t.Errorf("refunded payments = %v", l["count"])
	}
}

func TestChargeAfterExpiry(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	subID, order := e.subscribe(t, asUser, "pro")
	// While the first order is open, charge answers it again.
	again := e.must(t, 201, call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{"subscription_id":"` + subID + `"}`})
	if again["order_id"] != order {
		t.Errorf("charge with an open order = %v, want %s", again["order_id"], order)
	}
	e.clock.Advance(time.Hour)
	if st, b := e.webhook(t, e.gw.ExpireOrder(order)); st != 200 {
		t.Fatalf("expire = %d %v", st, b)
	}
	st, b, _ := e.do(t, call{method: "POST", path: "/api/payments/charge/", auth: asUser, body: `{"subscription_id":"` + subID + `"}`})
	if st == 201 {
		if b["order_id"] == order || b["status"] != "pending" || b["subscription_id"] != subID {
			t.Errorf("new charge = %v", b)
		}
	} else if st != 409 {
		t.Errorf("charge after expiry = %d %v", st, b)
	}
}

// A refund whose Midtrans answer was lost is accepted (202, requested) and
// stays reserved; asking again does not refund twice.
func TestRefundWithLostAnswerIsAccepted(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	res := e.must(t, 201, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"basic","payment_type":"qris"}`})
	pay := res["payment"].(map[string]any)
	e.gw.Settle(pay["order_id"].(string))
	id := pay["id"].(string)
	e.must(t, 200, call{method: "GET", path: "/api/payments/" + id + "/check-status/", auth: asUser})
	e.gw.FailNext = 10 // the client's retries fail too
	p := e.must(t, 202, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin})
	refunds := p["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["status"] != "requested" {
		t.Fatalf("refunds after a lost answer = %v", p["refunds"])
	}
	if st, b, _ := e.do(t, call{method: "POST", path: "/api/payments/" + id + "/refund/", auth: asAdmin}); st != 422 {
		t.Errorf("a second refund while the first is pending = %d %v, want 422", st, b)
	}
}
