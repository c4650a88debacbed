package fakemidtrans

import (
	"fmt"
	"strings"
	"testing"
)

func TestSignatureVectors(t *testing.T) {
	// Midtrans' documented signature test vectors
	if got := Signature("ORDER-101", "200", "49000.00", "SB-Mid-server-EXAMPLEKEY"); got != "81c37ef2a71f2c9296890e2d6c27d4b4390f0ed78bf55eb609b206eddf048fb98f9a43830cc2ea07533e3e743c71f3ddfa2fec74ea4746298e1799147e0729b2" {
		t.Fatalf("200 vector: %s", got)
	}
	if got := Signature("ORDER-101", "201", "49000.00", "SB-Mid-server-EXAMPLEKEY"); got != "27d6d982a774c4b84666d28b067bd8f06faada08eb3f1d53437d84b2fa6486b4fd21ef0b788e521b49c0086e8ae4718cee39b15b56cefb6701fef3b9390281ae" {
		t.Fatalf("201 vector: %s", got)
	}
}

func TestChargeEveryPaymentType(t *testing.T) {
	f := newFixture(t)
	f.do("POST", "/_sim/reset", nil)
	tests := []struct {
		name, typ string
		extra     map[string]any
		code      string
		check     func(t *testing.T, r resp)
		expiry    string
	}{
		{"bca", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "bca"}}, "201", func(t *testing.T, r resp) {
			va := r.body["va_numbers"].([]any)[0].(map[string]any)
			if va["bank"] != "bca" || len(va["va_number"].(string)) != 15 {
				t.Fatalf("va_numbers: %v", va)
			}
		}, "2026-02-01 10:00:00"},
		{"bni", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "bni"}}, "201", nil, "2026-02-01 10:00:00"},
		{"bri", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "bri", "va_number": "1234"}}, "201", func(t *testing.T, r resp) {
			va := r.body["va_numbers"].([]any)[0].(map[string]any)["va_number"].(string)
			if !strings.HasSuffix(va, "1234") || len(va) != 16 {
				t.Fatalf("custom va: %s", va)
			}
		}, ""},
		{"cimb", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "cimb"}}, "201", nil, ""},
		{"permata", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "permata"}}, "201", func(t *testing.T, r resp) {
			if r.s("permata_va_number") == "" || r.body["va_numbers"] != nil {
				t.Fatalf("permata: %s", r.raw)
			}
		}, ""},
		{"echannel", "echannel", map[string]any{"echannel": map[string]any{"bill_info1": "Payment:", "bill_info2": "Online"}}, "201", func(t *testing.T, r resp) {
			if r.s("biller_code") != "70012" || len(r.s("bill_key")) != 12 {
				t.Fatalf("echannel: %s", r.raw)
			}
		}, "2026-02-01 10:00:00"},
		{"gopay", "gopay", map[string]any{"gopay": map[string]any{"enable_callback": true, "callback_url": "app://cb"}}, "201", func(t *testing.T, r resp) {
			names := []string{}
			for _, a := range r.body["actions"].([]any) {
				names = append(names, a.(map[string]any)["name"].(string))
			}
			if strings.Join(names, ",") != "generate-qr-code,deeplink-redirect,get-status,cancel" {
				t.Fatalf("actions: %v", names)
			}
		}, "2026-01-31 10:15:00"},
		{"shopeepay", "shopeepay", map[string]any{"shopeepay": map[string]any{"callback_url": "https://m/cb"}}, "201", func(t *testing.T, r resp) {
			if r.body["actions"] == nil || r.s("channel_response_code") != "0" {
				t.Fatalf("shopeepay: %s", r.raw)
			}
		}, "2026-01-31 10:15:00"},
		{"qris", "qris", map[string]any{"qris": map[string]any{"acquirer": "gopay"}}, "201", func(t *testing.T, r resp) {
			if r.s("qr_string") == "" || r.s("acquirer") != "gopay" || len(r.body["actions"].([]any)) != 2 {
				t.Fatalf("qris: %s", r.raw)
			}
		}, ""},
		{"alfamart", "cstore", map[string]any{"cstore": map[string]any{"store": "alfamart", "message": "hi"}}, "201", func(t *testing.T, r resp) {
			if len(r.s("payment_code")) != 16 || r.s("store") != "alfamart" {
				t.Fatalf("alfamart: %s", r.raw)
			}
		}, ""},
		{"indomaret", "cstore", map[string]any{"cstore": map[string]any{"store": "indomaret"}}, "201", func(t *testing.T, r resp) {
			if len(r.s("payment_code")) != 12 || r.body["fraud_status"] != nil {
				t.Fatalf("indomaret: %s", r.raw)
			}
		}, ""},
		{"custom expiry", "bank_transfer", map[string]any{"bank_transfer": map[string]any{"bank": "bni"},
			"custom_expiry": map[string]any{"expiry_duration": 2, "unit": "hour"}}, "201", nil, "2026-01-31 12:00:00"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.charge(fmt.Sprintf("order-%d", i), tc.typ, 44000, tc.extra)
			if r.s("status_code") != tc.code || r.code != 200 {
				t.Fatalf("status %d %s", r.code, r.raw)
			}
			if r.s("transaction_status") != "pending" || r.s("gross_amount") != "44000.00" || r.s("currency") != "IDR" ||
				r.s("transaction_id") == "" || r.s("transaction_time") != "2026-01-31 10:00:00" || r.s("merchant_id") == "" {
				t.Fatalf("common fields: %s", r.raw)
			}
			if tc.expiry != "" && r.s("expiry_time") != tc.expiry {
				t.Fatalf("expiry %s, want %s", r.s("expiry_time"), tc.expiry)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestChargeValidation(t *testing.T) {
	f := newFixture(t)
	bt := map[string]any{"bank_transfer": map[string]any{"bank": "bca"}}
	tests := []struct {
		name string
		body any
		code string
		want string
	}{
		{"malformed json", `{"payment_type":`, "413", "Payload format"},
		{"empty body", ``, "400", "required"},
		{"array body", `[]`, "400", "must be"},
		{"wrong type", `{"payment_type":5,"transaction_details":{"order_id":"x","gross_amount":1}}`, "400", "payment_type must be a string"},
		{"missing details", map[string]any{"payment_type": "bank_transfer"}, "400", "transaction_details is required"},
		{"unknown type", chargeBody("v1", "bitcoin", 1000, nil), "400", "payment_type is not supported"},
		{"zero amount", chargeBody("v2", "bank_transfer", 0, bt), "400", "gross_amount must be greater"},
		{"negative amount", chargeBody("v3", "bank_transfer", -5, bt), "400", "gross_amount must be greater"},
		{"fractional amount", chargeBody("v4", "bank_transfer", 39.10, bt), "400", "decimals are not allowed"},
		{"string amount junk", chargeBody("v5", "bank_transfer", "abc", bt), "400", "must be a number"},
		{"huge amount", chargeBody("v5b", "bank_transfer", 1e15, bt), "400", "gross_amount"},
		{"bad order id", chargeBody("bad order!", "bank_transfer", 1000, bt), "400", "order_id"},
		{"long order id", chargeBody(strings.Repeat("a", 51), "bank_transfer", 1000, bt), "400", "order_id"},
		{"no bank", chargeBody("v6", "bank_transfer", 1000, nil), "400", "bank_transfer.bank is required"},
		{"bad bank", chargeBody("v7", "bank_transfer", 1000, map[string]any{"bank_transfer": map[string]any{"bank": "xyz"}}), "400", "bank_transfer.bank must be"},
		{"echannel missing info", chargeBody("v8", "echannel", 1000, map[string]any{"echannel": map[string]any{}}), "400", "bill_info1"},
		{"bad store", chargeBody("v9", "cstore", 1000, map[string]any{"cstore": map[string]any{"store": "7eleven"}}), "400", "cstore.store"},
		{"item sum", chargeBody("v10", "bank_transfer", 1000, map[string]any{"bank_transfer": map[string]any{"bank": "bca"},
			"item_details": []any{map[string]any{"id": "a", "price": 400, "quantity": 2}}}), "400", "not equal to the sum of item_details"},
		{"bad expiry unit", chargeBody("v11", "bank_transfer", 1000, map[string]any{"bank_transfer": map[string]any{"bank": "bca"},
			"custom_expiry": map[string]any{"expiry_duration": 5, "unit": "fortnight"}}), "400", "custom_expiry.unit"},
		{"expiry too long", chargeBody("v12", "gopay", 1000, map[string]any{"custom_expiry": map[string]any{"expiry_duration": 8, "unit": "day"}}), "400", "expiry_duration"},
		{"card without token", chargeBody("v13", "credit_card", 1000, nil), "411", "Token id"},
		{"card unknown token", chargeBody("v14", "credit_card", 1000, map[string]any{"credit_card": map[string]any{"token_id": "nope"}}), "411", "Token id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("POST", "/v2/charge", tc.body)
			if r.s("status_code") != tc.code || !strings.Contains(r.raw, tc.want) {
				t.Fatalf("got %d %s", r.code, r.raw)
			}
			if tc.code == "400" && r.body["validation_messages"] == nil {
				t.Fatalf("no validation_messages: %s", r.raw)
			}
			if r.code != atoi(tc.code) {
				t.Fatalf("HTTP %d, body %s", r.code, tc.code)
			}
		})
	}
	// item details that add up are fine
	r := f.charge("items-ok", "bank_transfer", 1000, map[string]any{"bank_transfer": map[string]any{"bank": "bca"},
		"item_details": []any{map[string]any{"id": "a", "price": 400, "quantity": 2}, map[string]any{"id": "b", "price": 200, "quantity": 1}}})
	if r.s("status_code") != "201" {
		t.Fatal(r.raw)
	}
	if got := f.e.transactions(); len(got) != 1 {
		t.Fatalf("refused charges must not create transactions: %d", len(got))
	}
}

func TestChargeAuthAndDuplicates(t *testing.T) {
	f := newFixture(t)
	r := f.do("POST", "/v2/charge", chargeBody("a1", "gopay", 1000, nil), "Authorization", "Basic "+"U0ItTWlkLXNlcnZlci1FWEFNUExFS0VZOg==")
	if r.code != 401 || r.s("status_code") != "401" || !strings.Contains(r.s("status_message"), "cannot be authorized") {
		t.Fatalf("wrong key: %d %s", r.code, r.raw)
	}
	r = f.do("GET", "/v2/a1/status", nil, "Authorization", "")
	if r.code != 401 {
		t.Fatalf("no key: %d", r.code)
	}
	f.bca("dup-1", 1000)
	r = f.charge("dup-1", "gopay", 1000, nil)
	if r.s("status_code") != "406" || r.code != 406 {
		t.Fatalf("duplicate: %s", r.raw)
	}
	// after cancel, the order id may be charged again, and status shows the newest
	f.do("POST", "/v2/dup-1/cancel", nil)
	r = f.charge("dup-1", "gopay", 1000, nil)
	if r.s("status_code") != "201" {
		t.Fatalf("reuse after cancel: %s", r.raw)
	}
	if s := f.do("GET", "/v2/dup-1/status", nil); s.s("payment_type") != "gopay" {
		t.Fatalf("status after reuse: %s", s.raw)
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	body := chargeBody("idem-1", "gopay", 5000, nil)
	a := f.do("POST", "/v2/charge", body, "Idempotency-Key", "k-1")
	b := f.do("POST", "/v2/charge", body, "Idempotency-Key", "k-1")
	if a.raw != b.raw || a.s("status_code") != "201" {
		t.Fatalf("replay differs:\n%s\n%s", a.raw, b.raw)
	}
	c := f.do("POST", "/v2/charge", chargeBody("idem-2", "gopay", 5000, nil), "Idempotency-Key", "k-1")
	if c.s("status_code") != "409" {
		t.Fatalf("same key, other body: %s", c.raw)
	}
	// failures are not stored: a failed attempt can be retried with the same key
	bad := chargeBody("idem-3", "gopay", 0, nil)
	if r := f.do("POST", "/v2/charge", bad, "Idempotency-Key", "k-2"); r.s("status_code") != "400" {
		t.Fatal(r.raw)
	}
	if r := f.do("POST", "/v2/charge", chargeBody("idem-3", "gopay", 10, nil), "Idempotency-Key", "k-2"); r.s("status_code") != "201" {
		t.Fatal(r.raw)
	}
	// after five minutes the replay window is over and the same charge is a duplicate order
	f.clock.Advance(6 * 60e9)
	if r := f.do("POST", "/v2/charge", body, "Idempotency-Key", "k-1"); r.s("status_code") != "406" {
		t.Fatalf("after window: %s", r.raw)
	}
}

func TestCardCharges(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		card, code, status, fraud string
		auth                      bool
	}{
		{"4811111111111114", "200", "capture", "accept", false},
		{"4911111111111113", "202", "deny", "accept", false},
		{"4511111111111117", "201", "capture", "challenge", false},
		{"4611111111111116", "202", "deny", "deny", false},
		{"4811111111111114", "201", "pending", "accept", true},
	}
	for i, tc := range tests {
		t.Run(tc.card, func(t *testing.T) {
			tok := f.cardToken(tc.card)
			r := f.charge(fmt.Sprintf("card-%d", i), "credit_card", 145000, map[string]any{"credit_card": map[string]any{"token_id": tok, "authentication": tc.auth}})
			if r.s("status_code") != tc.code || r.s("transaction_status") != tc.status || r.s("fraud_status") != tc.fraud {
				t.Fatalf("got %s", r.raw)
			}
			if r.s("masked_card") != tc.card[:8]+"-"+tc.card[12:] {
				t.Fatalf("masked: %s", r.raw)
			}
			if tc.auth && !strings.HasPrefix(r.s("redirect_url"), "http://emulator.test/v2/3ds/redirect/") {
				t.Fatalf("3DS redirect: %s", r.raw)
			}
			// a token is one-time
			r2 := f.charge(fmt.Sprintf("card-%d-again", i), "credit_card", 145000, map[string]any{"credit_card": map[string]any{"token_id": tok}})
			if r2.s("status_code") != "411" {
				t.Fatalf("token reuse: %s", r2.raw)
			}
		})
	}
	// saved token: save_token_id returns one that charges again without a new token
	r := f.charge("save-1", "credit_card", 1000, map[string]any{"credit_card": map[string]any{"token_id": f.cardToken("4811111111111114"), "save_token_id": true}})
	saved := r.s("saved_token_id")
	if len(saved) != 32 || r.s("saved_token_id_expired_at") == "" {
		t.Fatalf("saved token: %s", r.raw)
	}
	for i := 0; i < 2; i++ {
		r = f.charge(fmt.Sprintf("save-%d", i+2), "credit_card", 1000, map[string]any{"credit_card": map[string]any{"token_id": saved}})
		if r.s("status_code") != "200" {
			t.Fatalf("saved charge: %s", r.raw)
		}
	}
	// token endpoint errors
	for _, q := range []string{
		"client_key=" + testClientKey + "&card_number=4811111111111115&card_exp_month=12&card_exp_year=2030&card_cvv=123",
		"client_key=" + testClientKey + "&card_number=4811111111111114&card_exp_month=12&card_exp_year=2020&card_cvv=123",
		"client_key=" + testClientKey + "&card_number=4811111111111114&card_exp_month=13&card_exp_year=2030&card_cvv=123",
	} {
		if r := f.do("GET", "/v2/token?"+q, nil); r.s("status_code") != "400" || r.body["validation_messages"] == nil {
			t.Fatalf("token %s: %s", q, r.raw)
		}
	}
	if r := f.do("GET", "/v2/token?client_key=wrong&card_number=4811111111111114&card_exp_month=12&card_exp_year=2030", nil); r.code != 401 {
		t.Fatalf("token with wrong client key: %s", r.raw)
	}
}

func TestThreeDSPage(t *testing.T) {
	f := newFixture(t)
	r := f.charge("3ds-1", "credit_card", 50000, map[string]any{"credit_card": map[string]any{"token_id": f.cardToken("4811111111111114"), "authentication": true}})
	path := strings.TrimPrefix(r.s("redirect_url"), "http://emulator.test")
	page := f.do("GET", path, nil)
	if page.code != 200 || !strings.Contains(page.raw, "112233") {
		t.Fatalf("3ds page: %d", page.code)
	}
	sub := f.do("POST", path, "otp=112233&result=ok", "Content-Type", "application/x-www-form-urlencoded")
	if sub.code != 200 {
		t.Fatalf("3ds submit: %d %s", sub.code, sub.raw)
	}
	s := f.do("GET", "/v2/3ds-1/status", nil)
	if s.s("transaction_status") != "capture" || s.s("eci") == "" {
		t.Fatalf("after 3ds: %s", s.raw)
	}
	got := f.rcv.all()
	last := got[len(got)-1]
	if last["transaction_status"] != "capture" || last["status_code"] != "200" {
		t.Fatalf("3ds notification: %v", last)
	}
}
