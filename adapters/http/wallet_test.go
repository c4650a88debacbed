package http

import "testing"

// TestWalletFlow: a wallet subscription is refused for an empty wallet
// (422, balance unchanged); a top-up settles, credits once, and then pays
// a subscription at once.
func TestWalletFlow(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	w := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser})
	hasKeys(t, "wallet", w, "id", "balance", "currency", "is_active", "auto_pay")
	if w["balance"] != "0.00" || w["currency"] != "IDR" || w["is_active"] != true {
		t.Errorf("new wallet = %v", w)
	}

	st, b, _ := e.do(t, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"basic","payment_type":"wallet"}`})
	if code, _ := errCode(b); st != 422 || code != "insufficient_balance" {
		t.Fatalf("broke wallet subscription = %d %v", st, b)
	}
	if w := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser}); w["balance"] != "0.00" {
		t.Errorf("balance after refusal = %v", w["balance"])
	}
	if n := e.must(t, 200, call{method: "GET", path: "/api/subscriptions/", auth: asUser})["count"]; n != 0.0 {
		t.Errorf("a refused wallet subscription left %v subscriptions", n)
	}

	top := e.must(t, 201, call{method: "POST", path: "/api/topups/", auth: asUser, body: `{"amount":100000,"payment_type":"bank_transfer","bank":"bca"}`})
	settle := e.gw.Settle(top["order_id"].(string))
	for range 2 { // duplicates credit once
		if st, b := e.webhook(t, settle); st != 200 {
			t.Fatalf("top-up settlement = %d %v", st, b)
		}
	}
	if w := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser}); w["balance"] != "100000.00" {
		t.Fatalf("balance after top-up = %v", w["balance"])
	}
	if tu := e.must(t, 200, call{method: "GET", path: "/api/topups/" + top["id"].(string) + "/", auth: asUser}); tu["status"] != "paid" || tu["paid_at"] == nil {
		t.Errorf("top-up = %v", tu)
	}

	res := e.must(t, 201, call{method: "POST", path: "/api/subscriptions/", auth: asUser, body: `{"plan_id":"basic","payment_type":"wallet","auto_pay":true}`})
	sub := res["subscription"].(map[string]any)
	pay, _ := res["payment"].(map[string]any)
	if sub["status"] != "active" || sub["auto_pay"] != true || pay == nil || pay["status"] != "paid" || pay["payment_type"] != "wallet" {
		t.Fatalf("wallet subscription = %v", res)
	}
	if w := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser}); w["balance"] != "51000.00" {
		t.Errorf("balance after wallet subscription = %v", w["balance"])
	}

	entries := e.must(t, 200, call{method: "GET", path: "/api/wallet/transactions/", auth: asUser})
	if entries["count"] != 2.0 {
		t.Fatalf("entries = %v", entries)
	}
	newest := entries["results"].([]any)[0].(map[string]any)
	hasKeys(t, "entry", newest, "id", "type", "amount", "balance_after", "reference_type", "reference_id", "description", "created_at")
	if newest["type"] != "subscription_payment" || newest["amount"] != "-49000.00" || newest["balance_after"] != "51000.00" {
		t.Errorf("newest entry = %v", newest)
	}
	if f := e.must(t, 200, call{method: "GET", path: "/api/wallet/transactions/?type=top_up&ordering=amount", auth: asUser}); f["count"] != 1.0 {
		t.Errorf("top_up entries = %v", f["count"])
	}

	// Auto-pay toggles.
	if w := e.must(t, 200, call{method: "PATCH", path: "/api/wallet/me/", auth: asUser, body: `{"auto_pay":true}`}); w["auto_pay"] != true {
		t.Errorf("auto_pay = %v", w["auto_pay"])
	}

	// Admin adjustments and the ledger check.
	wid := e.must(t, 200, call{method: "GET", path: "/api/wallet/me/", auth: asUser})["id"].(string)
	adj := e.must(t, 201, call{method: "POST", path: "/api/admin/wallets/" + wid + "/adjust/", auth: asAdmin, body: `{"amount":"-1000.00","reason":"correction"}`})
	if adj["type"] != "adjustment" || adj["amount"] != "-1000.00" || adj["balance_after"] != "50000.00" || adj["description"] != "correction" {
		t.Errorf("adjustment = %v", adj)
	}
	chk := e.must(t, 200, call{method: "GET", path: "/api/admin/ledger/check/", auth: asAdmin})
	if chk["wallets"] != 1.0 || len(chk["problems"].([]any)) != 0 {
		t.Errorf("ledger check = %v", chk)
	}
	// Siti sees her own (empty) ledger, not budi's.
	if n := e.must(t, 200, call{method: "GET", path: "/api/wallet/transactions/", auth: lcSiti})["count"]; n != 0.0 {
		t.Errorf("siti's entries = %v", n)
	}
}
