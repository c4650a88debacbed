package midtrans

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/langganan/langganan/core"
)

func TestChargeRequestOnTheWire(t *testing.T) {
	base := core.ChargeRequest{OrderID: "SUB-42-202607", Amount: core.MustMoney("49000.00"), IdempotencyKey: "idem-1", NotificationURL: "https://hooks.example/midtrans"}
	tests := []struct {
		name string
		mod  func(*core.ChargeRequest)
		want map[string]any // top-level keys expected in the body (compared as JSON)
	}{
		{"bca va", func(r *core.ChargeRequest) { r.PaymentType, r.Bank = core.PayBankTransfer, "BCA" }, map[string]any{"bank_transfer": map[string]any{"bank": "bca"}}},
		{"permata va", func(r *core.ChargeRequest) { r.PaymentType, r.Bank = core.PayBankTransfer, "permata" }, map[string]any{"bank_transfer": map[string]any{"bank": "permata"}}},
		{"echannel", func(r *core.ChargeRequest) { r.PaymentType = core.PayEchannel }, map[string]any{"echannel": map[string]any{"bill_info1": "Payment:", "bill_info2": "Subscription"}}},
		{"gopay deeplink", func(r *core.ChargeRequest) { r.PaymentType, r.CallbackURL = core.PayGopay, "myapp://cb" }, map[string]any{"gopay": map[string]any{"enable_callback": true, "callback_url": "myapp://cb"}}},
		{"gopay tokenized", func(r *core.ChargeRequest) {
			r.PaymentType, r.GopayPaymentOptionToken, r.GopayAccountID = core.PayGopay, "eyJ0eXBlIjo=", "acct-1"
			r.Metadata = map[string]any{"sub": "42"}
		}, map[string]any{"gopay": map[string]any{"account_id": "acct-1", "payment_option_token": "eyJ0eXBlIjo="}, "metadata": map[string]any{"sub": "42"}}},
		{"shopeepay", func(r *core.ChargeRequest) { r.PaymentType, r.CallbackURL = core.PayShopeepay, "https://x/cb" }, map[string]any{"shopeepay": map[string]any{"callback_url": "https://x/cb"}}},
		{"qris", func(r *core.ChargeRequest) { r.PaymentType = core.PayQRIS }, map[string]any{}},
		{"alfamart", func(r *core.ChargeRequest) { r.PaymentType, r.Bank = core.PayCStore, "alfamart" }, map[string]any{"cstore": map[string]any{"store": "alfamart"}}},
		{"card", func(r *core.ChargeRequest) {
			r.PaymentType, r.CardToken, r.SaveCard, r.Authentication = core.PayCreditCard, "48111111-1114-x", true, true
		}, map[string]any{"credit_card": map[string]any{"token_id": "48111111-1114-x", "save_token_id": true, "authentication": true}}},
		{"items and expiry", func(r *core.ChargeRequest) {
			r.PaymentType = core.PayQRIS
			r.ExpiryMinutes = 60
			r.Items = []core.ChargeItem{{ID: "plan-pro", Name: "Pro", Price: core.MustMoney("24500"), Quantity: 2}}
			r.Customer = core.CustomerDetails{FirstName: "Budi", Email: "budi@example.test"}
		}, map[string]any{
			"item_details":     []any{map[string]any{"id": "plan-pro", "name": "Pro", "price": 24500, "quantity": 2}},
			"custom_expiry":    map[string]any{"expiry_duration": 60, "unit": "minute"},
			"customer_details": map[string]any{"first_name": "Budi", "email": "budi@example.test"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, reply(200, `{"status_code":"201","transaction_status":"pending"}`))
			c := newTestClient(t, s.URL)
			req := base
			tc.mod(&req)
			if _, err := c.Charge(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			got := s.requests()[0]
			if got.Method != "POST" || got.Path != "/v2/charge" {
				t.Fatalf("%s %s", got.Method, got.Path)
			}
			h := got.Header
			if h.Get("Authorization") != "Basic U0ItTWlkLXNlcnZlci1FWEFNUExFS0VZOg==" || h.Get("Idempotency-Key") != "idem-1" ||
				h.Get("X-Override-Notification") != "https://hooks.example/midtrans" || h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
				t.Fatalf("headers: %v", h)
			}
			td := got.Body["transaction_details"].(map[string]any)
			if td["order_id"] != "SUB-42-202607" || td["gross_amount"] != json.Number("49000") {
				t.Fatalf("transaction_details = %v (gross must be the integer 49000)", td)
			}
			if got.Body["payment_type"] != string(req.PaymentType) {
				t.Fatalf("payment_type = %v", got.Body["payment_type"])
			}
			for k, want := range tc.want {
				if !sameJSON(got.Body[k], want) {
					t.Errorf("%s = %v, want %v", k, got.Body[k], want)
				}
			}
		})
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var x, y any
	_ = json.Unmarshal(ja, &x)
	_ = json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

// Bad input is refused before anything is sent, fractions of a rupiah above all.
func TestRefusedBeforeSending(t *testing.T) {
	frac := core.MustMoney("49000.50")
	ok := core.MustMoney("49000")
	tests := []struct {
		name string
		run  func(c *Client) error
	}{
		{"fractional charge", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: frac, PaymentType: core.PayQRIS})
			return err
		}},
		{"fractional item price", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: ok, PaymentType: core.PayQRIS,
				Items: []core.ChargeItem{{Price: core.MustMoney("24500.25"), Quantity: 2}}})
			return err
		}},
		{"items not summing to gross", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: ok, PaymentType: core.PayQRIS,
				Items: []core.ChargeItem{{Price: core.MustMoney("1000"), Quantity: 1}}})
			return err
		}},
		{"fractional refund", func(c *Client) error {
			_, err := c.Refund(context.Background(), "o", core.RefundRequest{Amount: core.MustMoney("0.01")})
			return err
		}},
		{"fractional subscription", func(c *Client) error {
			_, err := c.CreateSubscription(context.Background(), core.NativeSubscriptionRequest{Name: "n", Amount: frac, PaymentType: core.PayCreditCard, Token: "t", Interval: 1, IntervalUnit: core.Month})
			return err
		}},
		{"fractional subscription update", func(c *Client) error {
			return c.UpdateSubscription(context.Background(), "s", core.NativeSubscriptionUpdate{Amount: &frac})
		}},
		{"missing amount", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", PaymentType: core.PayQRIS})
			return err
		}},
		{"wallet is not a Midtrans method", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: ok, PaymentType: core.PayWallet})
			return err
		}},
		{"unknown bank", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: ok, PaymentType: core.PayBankTransfer, Bank: "mandiri"})
			return err
		}},
		{"card without token", func(c *Client) error {
			_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: ok, PaymentType: core.PayCreditCard})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, reply(200, `{"status_code":"201"}`))
			c := newTestClient(t, s.URL)
			err := tc.run(c)
			if !errors.Is(err, core.ErrGatewayRejected) || core.Retryable(err) {
				t.Fatalf("err = %v", err)
			}
			if n := len(s.requests()); n != 0 {
				t.Fatalf("%d requests sent", n)
			}
		})
	}
	// The fraction error is also core.ErrInvalid, for the HTTP layer.
	c := newTestClient(t, "http://127.0.0.1:1")
	_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o", Amount: frac, PaymentType: core.PayQRIS})
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestLargeRefundChargebackID(t *testing.T) {
	s := newStub(t, reply(200, `{"status_code":"200","status_message":"Success, refund request is approved","transaction_id":"t","order_id":"o",
		"payment_type":"gopay","transaction_status":"PARTIAL_REFUND","gross_amount":"49000.00",
		"refund_chargeback_id":202502070943231234,"refund_amount":"5000.00","refund_key":"sub42-ref1"}`))
	c := newTestClient(t, s.URL)
	res, err := c.Refund(context.Background(), "o", core.RefundRequest{RefundKey: "sub42-ref1", Amount: core.MustMoney("5000"), Reason: "downgrade", Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.RefundChargebackID != 202502070943231234 {
		t.Fatalf("refund_chargeback_id = %d", res.RefundChargebackID)
	}
	if !res.RefundAmount.Equal(core.MustMoney("5000")) || res.RefundKey != "sub42-ref1" || res.TransactionStatus != "partial_refund" {
		t.Fatalf("result = %+v", res)
	}
	r := s.requests()[0]
	if r.Path != "/v2/o/refund/online/direct" || r.Body["amount"] != json.Number("5000") || r.Body["refund_key"] != "sub42-ref1" || r.Body["reason"] != "downgrade" {
		t.Fatalf("request %s %v", r.Path, r.Body)
	}
}

func TestUpperCaseStatusesAreLowered(t *testing.T) {
	s := newStub(t, reply(200, `{"status_code":"201","transaction_status":"PENDING","fraud_status":"ACCEPT","payment_type":"DANA","order_id":"o","gross_amount":49000}`))
	c := newTestClient(t, s.URL)
	tx, err := c.Status(context.Background(), "o")
	if err != nil {
		t.Fatal(err)
	}
	if tx.TransactionStatus != "pending" || tx.FraudStatus != "accept" || tx.PaymentType != "dana" {
		t.Fatalf("%+v", tx)
	}
	if !tx.GrossAmount.Equal(core.MustMoney("49000")) {
		t.Fatalf("a numeric gross_amount was not read: %v", tx.GrossAmount)
	}
}

func TestTransactionDetails(t *testing.T) {
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{"bca", `{"va_numbers":[{"bank":"bca","va_number":"812785002530231"}],"expiry_time":"2026-07-02 09:00:00"}`,
			map[string]any{"bank": "bca", "va_number": "812785002530231", "expiry_time": "2026-07-02T09:00:00+07:00"}},
		{"permata", `{"permata_va_number":"8562000087926752"}`, map[string]any{"bank": "permata", "va_number": "8562000087926752"}},
		{"echannel", `{"bill_key":"778347787706","biller_code":"70012"}`, map[string]any{"bill_key": "778347787706", "biller_code": "70012"}},
		{"gopay", `{"actions":[{"name":"generate-qr-code","method":"GET","url":"https://q"},{"name":"deeplink-redirect","method":"GET","url":"https://d"}]}`,
			map[string]any{"deeplink_url": "https://d", "qr_code_url": "https://q", "actions": []map[string]string{{"name": "generate-qr-code", "method": "GET", "url": "https://q"}, {"name": "deeplink-redirect", "method": "GET", "url": "https://d"}}}},
		{"gopay tokenized pending", `{"actions":[{"name":"verification-link-url","method":"GET","url":"https://v"},{"name":"verification-link-app","method":"GET","url":"gojek://v"}]}`,
			map[string]any{"deeplink_url": "gojek://v", "verification_url": "https://v", "actions": []map[string]string{{"name": "verification-link-url", "method": "GET", "url": "https://v"}, {"name": "verification-link-app", "method": "GET", "url": "gojek://v"}}}},
		{"qris with expire_time spelling", `{"qr_string":"0002010102","acquirer":"gopay","actions":[{"name":"generate-qr-code-v2","method":"GET","url":"https://q2"}],"expire_time":"2026-07-01 10:00:39"}`,
			map[string]any{"qr_string": "0002010102", "acquirer": "gopay", "qr_code_url": "https://q2", "expiry_time": "2026-07-01T10:00:39+07:00", "actions": []map[string]string{{"name": "generate-qr-code-v2", "method": "GET", "url": "https://q2"}}}},
		{"cstore", `{"payment_code":"8127740588870520","store":"alfamart"}`, map[string]any{"payment_code": "8127740588870520", "store": "alfamart"}},
		{"card 3ds", `{"redirect_url":"https://api.sandbox.veritrans.co.id/v2/token/rba/redirect/x"}`, map[string]any{"redirect_url": "https://api.sandbox.veritrans.co.id/v2/token/rba/redirect/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(tc.body), &m); err != nil {
				t.Fatal(err)
			}
			if got := toCoreTransaction(m).Details; !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("details = %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestLenientTimestamps(t *testing.T) {
	want := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC) // 09:00 WIB
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-07-01 09:00:00", want},
		{"2026-07-01T09:00:00.000000", want},
		{"2026-07-01T09:00:00.810452", want.Add(810452 * time.Microsecond)},
		{"2026-07-01T02:00:00.000000Z", want},
		{"2026-07-01T02:00:00Z", want},
		{"2026-07-01T09:00:00+07:00", want},
		{"2026-07-01 09:00:00 +0700", want},
		{"2026-06-30 21:00:00 -0500", want},
		{"2026-07-01", want.Add(-9 * time.Hour)},
		{"", time.Time{}},
		{"null", time.Time{}},
		{"yesterday", time.Time{}},
	}
	for _, tc := range tests {
		if got := parseTime(tc.in); !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// Every charge answer carries transaction_time in this shape: reading
	// it must not build (and drop) an error per layout tried first.
	if n := testing.AllocsPerRun(100, func() { parseTime("2026-07-01 09:00:00") }); n != 0 {
		t.Errorf("parseTime of the usual shape allocates %.0f times", n)
	}
}

func TestSignatureVectors(t *testing.T) {
	tests := []struct{ code, amount, want string }{
		{"200", "49000.00", "81c37ef2a71f2c9296890e2d6c27d4b4390f0ed78bf55eb609b206eddf048fb98f9a43830cc2ea07533e3e743c71f3ddfa2fec74ea4746298e1799147e0729b2"},
		{"201", "49000.00", "27d6d982a774c4b84666d28b067bd8f06faada08eb3f1d53437d84b2fa6486b4fd21ef0b788e521b49c0086e8ae4718cee39b15b56cefb6701fef3b9390281ae"},
	}
	c := newTestClient(t, "http://127.0.0.1:1")
	for _, tc := range tests {
		if got := Sign("ORDER-101", tc.code, tc.amount, testKey); got != tc.want {
			t.Errorf("Sign(%s, %s) = %s", tc.code, tc.amount, got)
		}
		if !c.VerifySignature("ORDER-101", tc.code, tc.amount, tc.want) || !c.VerifySignature("ORDER-101", tc.code, tc.amount, strings.ToUpper(tc.want)) {
			t.Errorf("valid signature rejected")
		}
	}
	bad := []struct{ order, code, amount, sig string }{
		{"ORDER-101", "200", "49000", tests[0].want}, // amount without .00 signs differently
		{"ORDER-102", "200", "49000.00", tests[0].want},
		{"ORDER-101", "201", "49000.00", tests[0].want},
		{"ORDER-101", "200", "49000.00", ""},
		{"ORDER-101", "200", "49000.00", tests[0].want[:64]},
	}
	for _, b := range bad {
		if c.VerifySignature(b.order, b.code, b.amount, b.sig) {
			t.Errorf("accepted %+v", b)
		}
	}
	if !strings.HasPrefix(Sign("ORDER-101", "200", "49000", testKey), "b85965eb") {
		t.Error("third documented signature vector does not match")
	}
}

func TestSubscriptionOnTheWire(t *testing.T) {
	s := newStub(t, reply(200, `{"id":"d98a63b8","name":"SUB-42-pro","amount":"49000","currency":"IDR","created_at":"2026-07-01T09:00:00.810452",
		"schedule":{"interval":12,"interval_unit":"month","max_interval":12,"current_interval":0,"start_time":"2026-08-01T09:00:00.000000","previous_execution_at":null,"next_execution_at":"2026-08-01 09:00:00"},
		"retry_schedule":{"interval":1,"interval_unit":"hour","max_interval":3},"status":"ACTIVE","token":"tok","payment_type":"gopay",
		"transaction_ids":["t1","t2"],"metadata":{"sub":"42"},"gopay":{"account_id":"acct-1"}}`))
	c := newTestClient(t, s.URL)
	start := time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC)
	sub, err := c.CreateSubscription(context.Background(), core.NativeSubscriptionRequest{
		Name: "SUB-42-pro", Amount: core.MustMoney("49000.00"), PaymentType: core.PayGopay, Token: "tok",
		Interval: 1, IntervalUnit: core.Year, MaxInterval: 12, StartTime: start,
		RetryInterval: 1, RetryUnit: "hour", RetryMax: 3, GopayAccountID: "acct-1",
		Metadata: map[string]any{"sub": "42"}, IdempotencyKey: "create-42",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	want := map[string]any{
		"name": "SUB-42-pro", "amount": "49000", "currency": "IDR", "payment_type": "gopay", "token": "tok",
		"schedule":       map[string]any{"interval": 12, "interval_unit": "month", "max_interval": 12, "start_time": "2026-08-01 09:00:00 +0700"},
		"retry_schedule": map[string]any{"interval": 1, "interval_unit": "hour", "max_interval": 3},
		"metadata":       map[string]any{"sub": "42"}, "gopay": map[string]any{"account_id": "acct-1"},
	}
	if r.Path != "/v1/subscriptions" || !sameJSON(r.Body, want) || r.Header.Get("Idempotency-Key") != "create-42" {
		t.Fatalf("request %s %v %v", r.Path, r.Body, r.Header)
	}
	if sub.ID != "d98a63b8" || sub.Status != "active" || !sub.Amount.Equal(core.MustMoney("49000")) ||
		!reflect.DeepEqual(sub.TransactionIDs, []string{"t1", "t2"}) || sub.GopayAccountID != "acct-1" ||
		sub.Interval != 12 || sub.IntervalUnit != "month" || sub.MaxInterval != 12 ||
		!sub.StartTime.Equal(start) || !sub.NextExecutionAt.Equal(start) || !sub.PreviousExecutionAt.IsZero() {
		t.Fatalf("subscription = %+v", sub)
	}

	// PATCH sends only what changes; amount stays a string.
	amt, iv := core.MustMoney("59000"), 2
	if err := c.UpdateSubscription(context.Background(), "d98a63b8", core.NativeSubscriptionUpdate{Amount: &amt, Interval: &iv}); err != nil {
		t.Fatal(err)
	}
	r = s.requests()[1]
	if r.Method != http.MethodPatch || r.Path != "/v1/subscriptions/d98a63b8" ||
		!sameJSON(r.Body, map[string]any{"amount": "59000", "currency": "IDR", "schedule": map[string]any{"interval": 2}}) {
		t.Fatalf("patch %s %s %v", r.Method, r.Path, r.Body)
	}
	for i, f := range []func(context.Context, string) error{c.EnableSubscription, c.DisableSubscription, c.CancelSubscription} {
		if err := f(context.Background(), "d98a63b8"); err != nil {
			t.Fatal(err)
		}
		verb := []string{"enable", "disable", "cancel"}[i]
		if r := s.requests()[2+i]; r.Method != "POST" || r.Path != "/v1/subscriptions/d98a63b8/"+verb {
			t.Fatalf("%s: %s %s", verb, r.Method, r.Path)
		}
	}
}

func TestPayAccountMapping(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/v2/pay/account":
			reply(200, `{"status_code":"201","payment_type":"gopay","account_id":"acct-1","account_status":"PENDING","actions":[{"name":"activation-link-url","method":"GET","url":"https://l"},{"name":"activation-link-app","method":"GET","url":"gojek://l"}]}`)(w, r, n)
		case r.Method == "GET":
			reply(200, `{"status_code":"200","payment_type":"gopay","account_id":"acct-1","account_status":"enabled","metadata":{"payment_options":[{"name":"GOPAY_WALLET","active":true,"balance":{"value":"1000000.00","currency":"IDR"},"token":"eyJ0"},{"name":"PAY_LATER","active":false,"balance":{"value":"0.00","currency":"IDR"},"token":"eyJ1"}]}}`)(w, r, n)
		default:
			reply(200, `{"status_code":"204","payment_type":"gopay","account_id":"acct-1","account_status":"DISABLED"}`)(w, r, n)
		}
	})
	c := newTestClient(t, s.URL)
	ctx := context.Background()
	a, err := c.CreatePayAccount(ctx, core.PayAccountRequest{PhoneNumber: "81212345678", RedirectURL: "https://x/done"})
	if err != nil || a.AccountID != "acct-1" || a.Status != "PENDING" || a.ActivationURL != "https://l" || a.ActivationAppURL != "gojek://l" {
		t.Fatalf("create %+v %v", a, err)
	}
	if !sameJSON(s.requests()[0].Body, map[string]any{"payment_type": "gopay", "gopay_partner": map[string]any{"phone_number": "81212345678", "country_code": "62", "redirect_url": "https://x/done"}}) {
		t.Fatalf("create body %v", s.requests()[0].Body)
	}
	a, err = c.GetPayAccount(ctx, "acct-1")
	if err != nil || a.Status != "ENABLED" || len(a.PaymentOptions) != 2 {
		t.Fatalf("get %+v %v", a, err)
	}
	if o := a.PaymentOptions[0]; o.Name != "GOPAY_WALLET" || o.Token != "eyJ0" || !o.Active || !o.Balance.Equal(core.MustMoney("1000000")) {
		t.Fatalf("option %+v", o)
	}
	a, err = c.UnbindPayAccount(ctx, "acct-1")
	if err != nil || a.Status != "DISABLED" || s.requests()[2].Path != "/v2/pay/account/acct-1/unbind" {
		t.Fatalf("unbind %+v %v", a, err)
	}
}

func TestCardTokenUsesClientKeyNotServerKey(t *testing.T) {
	s := newStub(t, reply(200, `{"status_code":"200","status_message":"Credit card token is created as Token ID.","token_id":"48111111-1114-abc","hash":"x"}`))
	c := newTestClient(t, s.URL)
	tok, err := c.CardToken(context.Background(), "4811 1111 1111 1114", "12", "2030", "123")
	if err != nil || tok != "48111111-1114-abc" {
		t.Fatalf("%q %v", tok, err)
	}
	r := s.requests()[0]
	if r.Header.Get("Authorization") != "" || !strings.Contains(r.Query, "client_key=SB-Mid-client-EXAMPLE") || !strings.Contains(r.Query, "card_number=4811111111111114") {
		t.Fatalf("auth %q query %q", r.Header.Get("Authorization"), r.Query)
	}
}

func TestIDsAreEscapedInPaths(t *testing.T) {
	s := newStub(t, reply(200, `{"status_code":"200","transaction_status":"settlement"}`))
	c := newTestClient(t, s.URL)
	if _, err := c.Status(context.Background(), "../charge?x=1"); err != nil {
		t.Fatal(err)
	}
	if p := s.requests()[0].Path; p != "/v2/../charge?x=1/status" {
		t.Fatalf("path %q", p)
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{{}, {ServerKey: "a b"}, {ServerKey: "k", BaseURL: "ftp://x"}, {ServerKey: "k", BaseURL: "http://u:p@host"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c, err := New(Config{ServerKey: "k"})
	if err != nil || c.BaseURL != SandboxBaseURL {
		t.Fatalf("%v %v", c, err)
	}
}

// Item names reach Midtrans as at most 50 characters, cut at a character
// (not a byte) and without an ellipsis, for Core charges and Snap alike.
func TestItemNamesFitMidtrans(t *testing.T) {
	name := strings.Repeat("Langganan Ultimate Jakarta — ", 4) // 116 characters, multi-byte dashes
	req := core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("1000"), PaymentType: core.PayQRIS,
		Items: []core.ChargeItem{{ID: "p", Name: name, Price: core.MustMoney("1000"), Quantity: 1}},
		Snap:  &core.SnapOptions{}}
	charge, err := fromCoreChargeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := fromCoreSnapRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	want := string([]rune(name)[:50])
	for what, got := range map[string]string{"charge": charge.ItemDetails[0].Name, "snap": snap.ItemDetails[0].Name} {
		if got != want || !utf8.ValidString(got) {
			t.Errorf("%s item name %q (%d characters), want %q", what, got, utf8.RuneCountInString(got), want)
		}
	}
}
