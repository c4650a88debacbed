package http

import "testing"

func TestTopUpJSON(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	top := e.must(t, 201, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":"100000","payment_type":"bank_transfer","bank":"bni"}`})
	hasKeys(t, "top-up", top, "id", "order_id", "amount", "status", "payment_type", "bank", "payment_details", "created_at")
	details, _ := top["payment_details"].(map[string]any)
	if top["amount"] != "100000.00" || top["status"] != "pending" || top["bank"] != "bni" || details["va_number"] == nil {
		t.Errorf("top-up = %v", top)
	}
	if len(top["order_id"].(string)) != len("TOPUP-")+12 {
		t.Errorf("order id = %v", top["order_id"])
	}
	list := e.must(t, 200, call{method: "GET", path: "/api/topups/", auth: asUser})
	if list["count"] != 1.0 {
		t.Errorf("list = %v", list)
	}
	if l := e.must(t, 200, call{method: "GET", path: "/api/topups/", auth: lcSiti}); l["count"] != 0.0 {
		t.Errorf("siti sees %v top-ups", l["count"])
	}
	// An expired top-up credits nothing.
	if st, b := e.webhook(t, e.gw.ExpireOrder(top["order_id"].(string))); st != 200 {
		t.Fatalf("expire = %d %v", st, b)
	}
	if tu := e.must(t, 200, call{method: "GET", path: "/api/topups/" + top["id"].(string), auth: asUser}); tu["status"] != "expired" {
		t.Errorf("expired top-up = %v", tu["status"])
	}
	if w := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser}); w["balance"] != "0.00" {
		t.Errorf("balance = %v", w["balance"])
	}
}
