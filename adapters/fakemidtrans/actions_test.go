package fakemidtrans

import (
	"strings"
	"testing"
)

func TestStatusByOrderAndTransactionID(t *testing.T) {
	f := newFixture(t)
	c := f.bca("st-1", 49000)
	for _, id := range []string{"st-1", c.s("transaction_id")} {
		r := f.do("GET", "/v2/"+id+"/status", nil)
		if r.s("status_code") != "201" || r.s("transaction_status") != "pending" || r.s("status_message") != "Success, transaction is found" {
			t.Fatalf("status %s: %s", id, r.raw)
		}
		if r.s("signature_key") != sig("st-1", "201", "49000.00") {
			t.Fatalf("signature: %s", r.raw)
		}
	}
	if r := f.do("GET", "/v2/nope/status", nil); r.code != 404 || r.s("status_code") != "404" || r.s("status_message") != "Transaction doesn't exist." {
		t.Fatalf("unknown: %d %s", r.code, r.raw)
	}
}

func TestActionsAndStateRules(t *testing.T) {
	f := newFixture(t)
	challenged := func(order string) {
		r := f.charge(order, "credit_card", 10000, map[string]any{"credit_card": map[string]any{"token_id": f.cardToken("4511111111111117")}})
		if r.s("fraud_status") != "challenge" {
			t.Fatalf("challenge: %s", r.raw)
		}
	}
	f.bca("a-cancel", 1000)
	f.bca("a-expire", 1000)
	challenged("a-approve")
	challenged("a-deny")
	tests := []struct {
		id, action, code, status string
		http                     int
	}{
		{"a-cancel", "cancel", "200", "cancel", 200},
		{"a-cancel", "cancel", "412", "", 412},
		{"a-expire", "expire", "407", "expire", 200},
		{"a-expire", "expire", "412", "", 412},
		{"a-expire", "approve", "412", "", 412},
		{"a-approve", "approve", "200", "capture", 200},
		{"a-approve", "approve", "412", "", 412},
		{"a-deny", "deny", "200", "deny", 200},
		{"a-deny", "cancel", "412", "", 412},
		{"missing", "cancel", "404", "", 404},
	}
	for _, tc := range tests {
		r := f.do("POST", "/v2/"+tc.id+"/"+tc.action, nil)
		if r.s("status_code") != tc.code || r.code != tc.http || (tc.status != "" && r.s("transaction_status") != tc.status) {
			t.Fatalf("%s %s: %d %s", tc.id, tc.action, r.code, r.raw)
		}
	}
	if r := f.do("GET", "/v2/a-expire/status", nil); r.s("status_code") != "407" || r.code != 200 {
		t.Fatalf("status of expired: %s", r.raw)
	}
	if r := f.do("GET", "/v2/a-approve/status", nil); r.s("fraud_status") != "accept" {
		t.Fatalf("approved: %s", r.raw)
	}
}

func TestRefunds(t *testing.T) {
	f := newFixture(t)
	f.charge("rf-1", "gopay", 10000, nil)
	if r := f.do("POST", "/v2/rf-1/refund", map[string]any{"amount": 1000}); r.s("status_code") != "412" {
		t.Fatalf("refund of pending: %s", r.raw)
	}
	f.do("POST", "/_sim/transactions/rf-1/settle", nil)
	tests := []struct {
		body         map[string]any
		code, status string
	}{
		{map[string]any{"refund_key": "k1", "amount": 3000, "reason": "downgrade"}, "200", "partial_refund"},
		{map[string]any{"refund_key": "k1", "amount": 1000}, "406", ""},
		{map[string]any{"refund_key": "k2", "amount": 8000}, "414", ""},
		{map[string]any{"refund_key": "k3", "amount": 0.5}, "400", ""},
		{map[string]any{"refund_key": "bad key!", "amount": 1}, "400", ""},
		{map[string]any{"refund_key": "k4"}, "200", "refund"},
		{map[string]any{"refund_key": "k5", "amount": 1}, "412", ""},
	}
	for i, tc := range tests {
		r := f.do("POST", "/v2/rf-1/refund", tc.body)
		if r.s("status_code") != tc.code || (tc.status != "" && r.s("transaction_status") != tc.status) {
			t.Fatalf("step %d: %s", i, r.raw)
		}
	}
	s := f.do("GET", "/v2/rf-1/status", nil)
	if s.s("refund_amount") != "10000.00" || len(s.body["refunds"].([]any)) != 2 || s.s("transaction_status") != "refund" {
		t.Fatalf("status after refunds: %s", s.raw)
	}
	f.drain()
	var refundNotes int
	for _, n := range f.rcv.all() {
		if n["transaction_status"] == "partial_refund" || n["transaction_status"] == "refund" {
			refundNotes++
		}
	}
	if refundNotes != 4 { // two per refund: before and after bank confirmation
		t.Fatalf("refund notifications: %d", refundNotes)
	}
	// direct refund: allowed for gopay, refused for bank transfer
	f.charge("rf-2", "qris", 5000, nil)
	f.do("POST", "/_sim/transactions/rf-2/settle", nil)
	if r := f.do("POST", "/v2/rf-2/refund/online/direct", map[string]any{"amount": 5000}); r.s("status_code") != "200" || !strings.Contains(r.s("status_message"), "by the bank") {
		t.Fatalf("direct: %s", r.raw)
	}
	f.bca("rf-3", 5000)
	f.do("POST", "/_sim/pay", map[string]any{"order_id": "rf-3"})
	for _, p := range []string{"/v2/rf-3/refund", "/v2/rf-3/refund/online/direct"} {
		if r := f.do("POST", p, map[string]any{"amount": 5000}); r.s("status_code") != "412" {
			t.Fatalf("%s on a VA: %s", p, r.raw)
		}
	}
}

func TestSimActionsAndPay(t *testing.T) {
	f := newFixture(t)
	va := f.bca("sim-va", 20000).body["va_numbers"].([]any)[0].(map[string]any)["va_number"].(string)
	bill := f.charge("sim-bill", "echannel", 30000, map[string]any{"echannel": map[string]any{"bill_info1": "a", "bill_info2": "b"}})
	f.bca("sim-exp", 1000)
	tests := []struct {
		path string
		body any
		code int
		st   string
	}{
		{"/_sim/pay", map[string]any{"va_number": va}, 200, "settlement"},
		{"/_sim/pay", map[string]any{"va_number": va}, 404, ""},
		{"/_sim/pay", map[string]any{"bill_key": bill.s("bill_key"), "biller_code": "70012"}, 200, "settlement"},
		{"/_sim/transactions/sim-exp/expire", nil, 200, "expire"},
		{"/_sim/transactions/sim-exp/settle", nil, 409, ""},
		{"/_sim/transactions/nope/settle", nil, 404, ""},
		{"/_sim/transactions/sim-va/refund", nil, 200, "refund"},
		{"/_sim/transactions/sim-va/launch", nil, 400, ""},
	}
	for _, tc := range tests {
		r := f.do("POST", tc.path, tc.body)
		if r.code != tc.code || (tc.st != "" && r.s("transaction_status") != tc.st) {
			t.Fatalf("%s: %d %s", tc.path, r.code, r.raw)
		}
	}
	list := f.do("GET", "/_sim/transactions", nil).raw
	if !strings.HasPrefix(list, `[{"order_id":"sim-exp"`) {
		t.Fatalf("newest first: %s", list[:80])
	}
}
