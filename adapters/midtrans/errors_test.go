package midtrans

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// TestOutcomeFromBodyNotHTTP proves the body's status_code decides the
// outcome whatever the HTTP status, and that each code maps to its sentinel.
func TestOutcomeFromBodyNotHTTP(t *testing.T) {
	type callFn func(c *Client) error
	status := func(c *Client) error { _, err := c.Status(context.Background(), "o-1"); return err }
	expire := func(c *Client) error { _, err := c.Expire(context.Background(), "o-1"); return err }
	charge := func(c *Client) error {
		_, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("49000"), PaymentType: core.PayCreditCard, CardToken: "tok"})
		return err
	}
	subGet := func(c *Client) error { _, err := c.GetSubscription(context.Background(), "s-1"); return err }
	subCancel := func(c *Client) error { return c.CancelSubscription(context.Background(), "s-1") }
	subCreate := func(c *Client) error {
		_, err := c.CreateSubscription(context.Background(), core.NativeSubscriptionRequest{Name: "s", Amount: core.MustMoney("49000"),
			PaymentType: core.PayCreditCard, Token: "tok", Interval: 1, IntervalUnit: core.Month, StartTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			IdempotencyKey: "native-create-s-0"})
		return err
	}

	tests := []struct {
		name       string
		call       callFn
		http       int
		body       string
		want       error // nil = success
		code       string
		validation []string
	}{
		{"HTTP 200 body 400 is an error", charge, 200, `{"status_code":"400","status_message":"One or more parameters in the payload is invalid.","validation_messages":["transaction_details.gross_amount is required"]}`, core.ErrGatewayRejected, "400", []string{"transaction_details.gross_amount is required"}},
		{"HTTP 400 with Midtrans body", charge, 400, `{"status_code":"400","status_message":"One or more parameters in the payload is invalid.","validation_messages":["a","b"]}`, core.ErrGatewayRejected, "400", []string{"a", "b"}},
		{"HTTP 404 body 404", status, 404, `{"status_code":"404","status_message":"Transaction doesn't exist."}`, core.ErrGatewayNotFound, "404", nil},
		{"HTTP 200 body 404", status, 200, `{"status_code":"404","status_message":"Transaction doesn't exist."}`, core.ErrGatewayNotFound, "404", nil},
		{"duplicate order 406 under HTTP 200", charge, 200, `{"status_code":"406","status_message":"order_id has been paid and utilized"}`, core.ErrDuplicateOrder, "406", nil},
		{"card denied 202", charge, 200, `{"status_code":"202","status_message":"Deny by Bank [CIMB] with code [05]","transaction_status":"deny","fraud_status":"accept","order_id":"o-1"}`, core.ErrPaymentDeclined, "202", nil},
		{"202 without a status is an in-flight replay", charge, 200, `{"status_code":"202","status_message":"request is being processed"}`, core.ErrGatewayUnavailable, "202", nil},
		{"bad token 411", charge, 200, `{"status_code":"411","status_message":"Token id is missing, invalid, or timed out"}`, core.ErrPaymentDeclined, "411", nil},
		{"no access to channel 402 under HTTP 200", charge, 200, `{"status_code":"402","status_message":"Merchant doesn't have access for this payment type"}`, core.ErrPaymentDeclined, "402", nil},
		{"cannot modify 412", expire, 412, `{"status_code":"412","status_message":"Transaction status cannot be updated."}`, core.ErrGatewayRejected, "412", nil},
		{"wrong key 401", status, 401, `{"status_code":"401","status_message":"Transaction cannot be authorized with the current client/server key."}`, core.ErrGatewayRejected, "401", nil},
		{"HTTP 200 body 500", status, 200, `{"status_code":"500","status_message":"unexpected"}`, core.ErrGatewayUnavailable, "500", nil},
		{"HTTP 503 body 503", status, 503, `{"status_code":"503","status_message":"bank connection issue"}`, core.ErrGatewayUnavailable, "503", nil},
		{"HTTP 5xx with HTML", status, 502, `<html><body><h1>502 Bad Gateway</h1></body></html>`, core.ErrGatewayUnavailable, "502", nil},
		{"HTTP 429 plain text", charge, 429, `Too Many Requests`, core.ErrGatewayUnavailable, "429", nil},
		{"body 429 under HTTP 200", charge, 200, `{"status_code":"429","status_message":"rate limited"}`, core.ErrGatewayUnavailable, "429", nil},
		{"malformed JSON under HTTP 200", status, 200, `{"status_code":"200","order_id":`, core.ErrGatewayUnavailable, "200", nil},
		{"HTML 404 from a proxy", status, 404, `<html>not here</html>`, core.ErrGatewayNotFound, "404", nil},
		{"expire 407 is success", expire, 200, `{"status_code":"407","status_message":"Success, transaction has expired","transaction_status":"expire"}`, nil, "", nil},
		{"status 407 of an expired order is success", status, 200, `{"status_code":"407","status_message":"Success, transaction is found","transaction_status":"expire"}`, nil, "", nil},
		{"status 202 of a denied order is success", status, 200, `{"status_code":"202","transaction_status":"deny"}`, nil, "", nil},
		{"HTTP 500 with body 201 follows the body", status, 500, `{"status_code":"201","transaction_status":"pending"}`, nil, "", nil},
		{"subscription 404 from HTTP status", subGet, 404, `{"status_message":"Subscription doesn't exist."}`, core.ErrGatewayNotFound, "404", nil},
		{"subscription 400 with validation", subGet, 400, `{"status_message":"Invalid parameter.","validation_messages":["subscription.amount is required"]}`, core.ErrGatewayRejected, "400", []string{"subscription.amount is required"}},
		{"subscription 500", subGet, 500, `{"status_message":"Sorry, Our system is recovering from unexpected issues. Please retry."}`, core.ErrGatewayUnavailable, "500", nil},
		{"subscription create whose key is still in flight", subCreate, 202, `{"status_code":"202","status_message":"The request is still being processed. Please retry later.","id":"0f6a"}`, core.ErrGatewayUnavailable, "202", nil},
		{"subscription cancel ok", subCancel, 200, `{"status_message":"Subscription is updated."}`, nil, "", nil},
		{"subscription cancel empty 204", subCancel, 204, ``, nil, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, reply(tc.http, tc.body))
			c := newTestClient(t, s.URL, func(c *Config) { c.MaxAttempts = 1 })
			err := tc.call(c)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			if core.Retryable(err) != errors.Is(tc.want, core.ErrGatewayUnavailable) {
				t.Fatalf("Retryable(%v) = %v", err, core.Retryable(err))
			}
			var ge *core.GatewayError
			if !errors.As(err, &ge) {
				t.Fatalf("not a *core.GatewayError: %T", err)
			}
			if ge.StatusCode != tc.code {
				t.Errorf("StatusCode = %q, want %q", ge.StatusCode, tc.code)
			}
			if !slices.Equal(ge.ValidationMessages, tc.validation) {
				t.Errorf("ValidationMessages = %q, want %q", ge.ValidationMessages, tc.validation)
			}
		})
	}
}

// A declined charge still hands back what Midtrans said about it.
func TestDeclinedChargeKeepsTransaction(t *testing.T) {
	s := newStub(t, reply(200, `{"status_code":"202","status_message":"Deny","transaction_status":"DENY","order_id":"o-1","transaction_id":"t-1","gross_amount":"49000.00","channel_response_code":"05"}`))
	c := newTestClient(t, s.URL)
	tx, err := c.Charge(context.Background(), core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("49000"), PaymentType: core.PayCreditCard, CardToken: "tok", IdempotencyKey: "k"})
	if !errors.Is(err, core.ErrPaymentDeclined) {
		t.Fatalf("err = %v", err)
	}
	if tx.TransactionStatus != "deny" || tx.TransactionID != "t-1" || !tx.GrossAmount.Equal(core.MustMoney("49000")) {
		t.Fatalf("transaction = %+v", tx)
	}
	if n := len(s.requests()); n != 1 {
		t.Fatalf("a decline was retried: %d requests", n)
	}
}
