package fakemidtrans

import (
	"encoding/json"
	"strings"
	"testing"
)

func (f *fixture) savedCard(card string) string {
	f.t.Helper()
	r := f.do("GET", "/v2/card/register?client_key="+testClientKey+"&card_number="+card+"&card_exp_month=12&card_exp_year=2030", nil)
	if r.s("saved_token_id") == "" {
		f.t.Fatalf("register: %s", r.raw)
	}
	return r.s("saved_token_id")
}

func subBody(name, token string, extra map[string]any) map[string]any {
	b := map[string]any{"name": name, "amount": "49000", "currency": "IDR", "payment_type": "credit_card", "token": token,
		"schedule": map[string]any{"interval": 1, "interval_unit": "month", "max_interval": 3, "start_time": "2026-02-01 09:00:00 +0700"}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestSubscriptionValidation(t *testing.T) {
	f := newFixture(t)
	tok := f.savedCard("4811111111111114")
	tests := []struct {
		name string
		body any
		want string
	}{
		{"empty", ``, "Bad request"},
		{"malformed", `{"name":`, "Bad request"},
		{"bad name", subBody("has space!", tok, nil), "subscription.name"},
		{"zero amount", subBody("s", tok, map[string]any{"amount": 0}), "subscription.amount"},
		{"fraction", subBody("s", tok, map[string]any{"amount": "10.5"}), "subscription.amount"},
		{"no amount", subBody("s", tok, map[string]any{"amount": nil}), "subscription.amount is required"},
		{"currency", subBody("s", tok, map[string]any{"currency": "USD"}), "currency"},
		{"payment type", subBody("s", tok, map[string]any{"payment_type": "qris"}), "payment_type"},
		{"no token", subBody("s", "", nil), "token"},
		{"unit", subBody("s", tok, map[string]any{"schedule": map[string]any{"interval": 1, "interval_unit": "year"}}), "interval_unit"},
		{"interval", subBody("s", tok, map[string]any{"schedule": map[string]any{"interval": 0, "interval_unit": "day"}}), "interval"},
		{"past start", subBody("s", tok, map[string]any{"schedule": map[string]any{"interval": 1, "interval_unit": "day", "start_time": "2020-01-01 00:00:00 +0700"}}), "future"},
		{"retry max", subBody("s", tok, map[string]any{"retry_schedule": map[string]any{"interval": 1, "interval_unit": "hour", "max_interval": 4}}), "retry_schedule.max_interval"},
		{"gopay account", subBody("s", tok, map[string]any{"payment_type": "gopay"}), "gopay.account_id"},
		{"wrong type", `{"name":1}`, "name must be a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("POST", "/v1/subscriptions", tc.body)
			if r.code != 400 || !strings.Contains(r.raw, tc.want) || r.body["status_code"] != nil {
				t.Fatalf("%d %s", r.code, r.raw)
			}
		})
	}
	if r := f.do("GET", "/v1/subscriptions/nope", nil); r.code != 404 || r.s("status_message") != "Subscription doesn't exist." {
		t.Fatal(r.raw)
	}
}

func TestSubscriptionLifecycle(t *testing.T) {
	f := newFixture(t)
	tok := f.savedCard("4811111111111114")
	r := f.do("POST", "/v1/subscriptions", subBody("SUB-42-pro", tok, map[string]any{"amount": 49000}), "Idempotency-Key", "sub-k")
	if r.code != 200 || r.s("status") != "active" || r.s("amount") != "49000" || r.body["transaction_ids"] == nil {
		t.Fatalf("create: %s", r.raw)
	}
	id := r.s("id")
	again := f.do("POST", "/v1/subscriptions", subBody("SUB-42-pro", tok, map[string]any{"amount": 49000}), "Idempotency-Key", "sub-k")
	if again.s("id") != id {
		t.Fatalf("idempotent create made a new one: %s", again.raw)
	}
	f.advance("23h") // start_time is 2026-02-01 09:00 WIB
	g := f.do("GET", "/v1/subscriptions/"+id, nil)
	ids := g.body["transaction_ids"].([]any)
	sched := g.body["schedule"].(map[string]any)
	if len(ids) != 1 || sched["current_interval"].(float64) != 1 || sched["next_execution_at"] != "2026-03-01T09:00:00.000000" {
		t.Fatalf("after first charge: %s", g.raw)
	}
	// the charge is a real transaction with its own order id and a payment notification
	st := f.do("GET", "/v2/"+ids[0].(string)+"/status", nil)
	if st.s("transaction_status") != "capture" || !strings.HasPrefix(st.s("order_id"), "SUBS-") || st.s("gross_amount") != "49000.00" {
		t.Fatalf("charge: %s", st.raw)
	}
	var subNotes, payNotes int
	for _, n := range f.rcv.all() {
		if n["event_name"] == "subscription.charge" {
			subNotes++
		}
		if n["order_id"] == st.s("order_id") {
			payNotes++
		}
	}
	if subNotes != 1 || payNotes != 1 {
		t.Fatalf("notifications: sub %d pay %d", subNotes, payNotes)
	}
	// patch, disable, enable
	if p := f.do("PATCH", "/v1/subscriptions/"+id, map[string]any{"amount": "59000", "schedule": map[string]any{"interval": 2}}); p.code != 200 || p.s("status_message") != "Subscription is updated." {
		t.Fatal(p.raw)
	}
	if p := f.do("PATCH", "/v1/subscriptions/"+id, map[string]any{"schedule": map[string]any{"interval": -1}}); p.code != 400 {
		t.Fatal(p.raw)
	}
	f.do("POST", "/v1/subscriptions/"+id+"/disable", nil)
	if g := f.do("GET", "/v1/subscriptions/"+id, nil); g.s("status") != "inactive" || g.s("amount") != "59000" {
		t.Fatal(g.raw)
	}
	f.advance("800h")
	if g := f.do("GET", "/v1/subscriptions/"+id, nil); len(g.body["transaction_ids"].([]any)) != 1 {
		t.Fatal("a disabled subscription charged")
	}
	f.do("POST", "/v1/subscriptions/"+id+"/enable", nil)
	f.advance("1h") // overdue charge runs now, then the schedule goes on
	f.advance("3000h")
	g = f.do("GET", "/v1/subscriptions/"+id, nil)
	if len(g.body["transaction_ids"].([]any)) != 3 || g.s("status") != "inactive" { // max_interval 3 reached
		t.Fatalf("max interval: %s", g.raw)
	}
	f.do("POST", "/v1/subscriptions/"+id+"/cancel", nil)
	if r := f.do("POST", "/v1/subscriptions/"+id+"/enable", nil); r.code != 400 {
		t.Fatalf("enable after cancel: %s", r.raw)
	}
}

func TestSubscriptionRetries(t *testing.T) {
	f := newFixture(t)
	tok := f.savedCard("4811111111111114")
	r := f.do("POST", "/v1/subscriptions", subBody("retry-me", tok, nil))
	id := r.s("id")
	f.faults(`{"api":[{"endpoint":"subscription_charge","sequence":["decline","decline","ok"]}]}`)
	f.advance("23h")
	g := f.do("GET", "/v1/subscriptions/"+id, nil)
	if len(g.body["transaction_ids"].([]any)) != 0 || g.s("status") != "active" {
		t.Fatalf("after decline: %s", g.raw)
	}
	f.advance("1h")
	f.advance("1h") // second retry succeeds (default retry schedule: 1 hour)
	g = f.do("GET", "/v1/subscriptions/"+id, nil)
	if len(g.body["transaction_ids"].([]any)) != 1 {
		t.Fatalf("retry success: %s", g.raw)
	}
	var list []simTxn
	_ = json.Unmarshal([]byte(f.do("GET", "/_sim/transactions", nil).raw), &list)
	deny := 0
	for _, tx := range list {
		if tx.SubscriptionID == id && tx.Status == "deny" {
			deny++
		}
	}
	if deny != 2 {
		t.Fatalf("declined attempts are transactions too: %d", deny)
	}
	// exhausted retries make the subscription inactive, with one subscription notification
	f.do("DELETE", "/_sim/faults", nil)
	f.faults(`{"api":[{"endpoint":"subscription_charge","sequence":["decline"],"repeat":true}]}`)
	before := len(f.rcv.all())
	f.advance("800h")
	g = f.do("GET", "/v1/subscriptions/"+id, nil)
	if g.s("status") != "inactive" {
		t.Fatalf("retries exhausted: %s", g.raw)
	}
	fails := 0
	for _, n := range f.rcv.all()[before:] {
		if n["event_name"] == "subscription.charge" {
			fails++
			if tx := n["transaction"].(map[string]any); tx["status_code"] != "202" {
				t.Fatalf("%v", tx)
			}
		}
	}
	if fails != 1 {
		t.Fatalf("subscription notifications at end of retry cycle: %d", fails)
	}
}

func TestPayAccountAndGopaySubscription(t *testing.T) {
	f := newFixture(t)
	bad := []map[string]any{
		{"payment_type": "gopay", "gopay_partner": map[string]any{"phone_number": "0812", "country_code": "62"}},
		{"payment_type": "ovo", "gopay_partner": map[string]any{"phone_number": "81212345678", "country_code": "62"}},
		{"payment_type": "gopay"},
	}
	for _, b := range bad {
		if r := f.do("POST", "/v2/pay/account", b); r.s("status_code") != "400" {
			t.Fatalf("%v: %s", b, r.raw)
		}
	}
	if r := f.do("POST", "/v2/pay/account", map[string]any{"payment_type": "gopay", "gopay_partner": map[string]any{"phone_number": "123450001", "country_code": "62"}}); r.s("status_code") != "202" || r.s("channel_response_message") != "User Not Found" {
		t.Fatal(r.raw)
	}
	r := f.do("POST", "/v2/pay/account", map[string]any{"payment_type": "gopay", "gopay_partner": map[string]any{"phone_number": "81212345678", "country_code": "62", "redirect_url": "https://m/done"}})
	if r.s("status_code") != "201" || r.s("account_status") != "PENDING" || len(r.body["actions"].([]any)) != 2 {
		t.Fatal(r.raw)
	}
	id := r.s("account_id")
	if u := f.do("POST", "/v2/pay/account/"+id+"/unbind", nil); u.s("status_code") != "412" {
		t.Fatalf("unbind pending: %s", u.raw)
	}
	if g := f.do("GET", "/v2/pay/account/"+id, nil); g.s("status_code") != "201" {
		t.Fatal(g.raw)
	}
	if l := f.do("POST", "/_sim/pay-accounts/"+id+"/link", nil); l.code != 200 {
		t.Fatal(l.raw)
	}
	got := f.rcv.all()
	if n := got[len(got)-1]; n["account_status"] != "ENABLED" || n["status_code"] != "200" || n["signature_key"] != sig(id, "200", "") {
		t.Fatalf("link notification: %v", n)
	}
	g := f.do("GET", "/v2/pay/account/"+id, nil)
	opts := g.body["metadata"].(map[string]any)["payment_options"].([]any)
	token := opts[0].(map[string]any)["token"].(string)
	if g.s("status_code") != "200" || g.s("account_status") != "ENABLED" || token == "" {
		t.Fatal(g.raw)
	}
	// tokenized GoPay charge: small amounts settle at once, large ones need the PIN (pending)
	c := f.charge("gp-1", "gopay", 50000, map[string]any{"gopay": map[string]any{"account_id": id, "payment_option_token": token}})
	if c.s("status_code") != "200" || c.s("transaction_status") != "settlement" {
		t.Fatal(c.raw)
	}
	c = f.charge("gp-2", "gopay", 150000, map[string]any{"gopay": map[string]any{"account_id": id, "payment_option_token": token}})
	if c.s("status_code") != "201" || c.body["actions"] == nil {
		t.Fatal(c.raw)
	}
	if c = f.charge("gp-3", "gopay", 1000, map[string]any{"gopay": map[string]any{"account_id": id, "payment_option_token": "bogus"}}); c.s("status_code") != "400" {
		t.Fatal(c.raw)
	}
	s := f.do("POST", "/v1/subscriptions", map[string]any{"name": "gopay-sub", "amount": "10000", "currency": "IDR", "payment_type": "gopay", "token": token,
		"schedule": map[string]any{"interval": 1, "interval_unit": "day"}, "gopay": map[string]any{"account_id": id}})
	if s.code != 200 || s.body["gopay"].(map[string]any)["account_id"] != id {
		t.Fatal(s.raw)
	}
	f.advance("24h")
	if g := f.do("GET", "/v1/subscriptions/"+s.s("id"), nil); len(g.body["transaction_ids"].([]any)) != 1 {
		t.Fatal(g.raw)
	}
	if u := f.do("POST", "/v2/pay/account/"+id+"/unbind", nil); u.s("status_code") != "204" || u.s("account_status") != "DISABLED" {
		t.Fatal(u.raw)
	}
	f.drain()
	f.advance("24h") // charges now fail: account unbound; retried per schedule
	if g := f.do("GET", "/v1/subscriptions/"+s.s("id"), nil); len(g.body["transaction_ids"].([]any)) != 1 {
		t.Fatal(g.raw)
	}
}

// A scheduled card charge that fraud detection challenges is the slot's
// charge, held for the merchant's review: it is reported and listed, not
// retried (that would charge the slot twice once both were approved), and
// cancelled if nobody reviews it by the next day's settlement.
func TestSubscriptionChargeHeldForReview(t *testing.T) {
	f := newFixture(t)
	tok := f.savedCard("4511111111111117")
	id := f.do("POST", "/v1/subscriptions", subBody("held", tok, nil)).s("id")
	f.advance("23h")
	g := f.do("GET", "/v1/subscriptions/"+id, nil)
	ids, _ := g.body["transaction_ids"].([]any)
	if len(ids) != 1 || g.s("status") != "active" {
		t.Fatalf("after a challenged charge: %s", g.raw)
	}
	txID, _ := ids[0].(string)
	held := false
	for _, n := range f.rcv.all() {
		if tx, ok := n["transaction"].(map[string]any); ok && n["event_name"] == "subscription.charge" {
			held = tx["status_code"] == "201" && tx["transaction_id"] == txID
		}
	}
	if !held {
		t.Fatalf("no subscription.charge notification for the held charge: %v", f.rcv.all())
	}
	f.advance("3h") // past every retry slot
	count := func(status string) int {
		var list []simTxn
		_ = json.Unmarshal([]byte(f.do("GET", "/_sim/transactions", nil).raw), &list)
		n := 0
		for _, tx := range list {
			if tx.SubscriptionID == id && (status == "" || tx.Status == status) {
				n++
			}
		}
		return n
	}
	if n := count(""); n != 1 {
		t.Fatalf("a held charge was retried: %d transactions", n)
	}
	f.advance("22h")
	if n := count("cancel"); n != 1 {
		t.Fatalf("an unreviewed challenged charge is cancelled at settlement: %d cancelled", n)
	}
	if st := f.do("GET", "/v2/"+txID+"/status", nil); st.s("transaction_status") != "cancel" || st.s("status_code") != "200" {
		t.Fatalf("status after the review window: %s", st.raw)
	}
}
