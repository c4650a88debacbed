package midtrans

import (
	"errors"
	"strings"
	"testing"

	"github.com/langganan/langganan/core"
)

func TestParseNotification(t *testing.T) {
	c := &Client{ServerKey: testKey}
	sig := Sign("SUB-1", "200", "49000.00", testKey)
	for _, tc := range []struct {
		name, body string
		check      func(t *testing.T, n core.GatewayNotification)
		err        bool
	}{
		{name: "signed settlement", body: `{"order_id":"SUB-1","transaction_status":"Settlement","status_code":"200","gross_amount":"49000.00",` +
			`"signature_key":"` + strings.ToUpper(sig) + `","fraud_status":"ACCEPT","transaction_id":"t-1","payment_type":"credit_card",` +
			`"saved_token_id":"481111xxx","masked_card":"481111-1114","expiry_time":"2030-01-01 00:00:00","va_numbers":[{"bank":"bca"}]}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				p := n.Payment
				if n.Kind != core.NotifyPayment || !n.SignatureValid || n.OrderID != "SUB-1" || p.OrderID != "SUB-1" ||
					p.TransactionStatus != "settlement" || p.FraudStatus != "accept" || p.StatusCode != "200" ||
					p.TransactionID != "t-1" || p.PaymentType != "credit_card" || p.SavedTokenID != "481111xxx" ||
					p.MaskedCard != "481111-1114" || !p.GrossAmount.Equal(core.MustMoney("49000")) || p.GrossAmountText != "49000.00" ||
					p.Raw["va_numbers"] == nil {
					t.Errorf("parsed %+v", n)
				}
				// A notification is not trusted for payment details or expiry.
				if p.Details != nil || !p.ExpiryTime.IsZero() {
					t.Errorf("details %v, expiry %v taken from a notification", p.Details, p.ExpiryTime)
				}
			}},
		{name: "bad signature", body: `{"order_id":"SUB-1","transaction_status":"settlement","status_code":"200","gross_amount":"49000.00","signature_key":"00"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Kind != core.NotifyPayment || n.SignatureValid {
					t.Errorf("parsed %+v", n)
				}
			}},
		{name: "signed over the exact text", body: `{"order_id":"SUB-1","transaction_status":"settlement","status_code":"200","gross_amount":"49000.0",` +
			`"signature_key":"` + sig + `"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.SignatureValid {
					t.Error("a signature over 49000.00 held for 49000.0")
				}
			}},
		{name: "fraction of a sen", body: `{"order_id":"SUB-1","transaction_status":"settlement","status_code":"200","gross_amount":"49000.001"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Payment.GrossAmount.Valid() || n.Payment.GrossAmountText != "49000.001" {
					t.Errorf("gross %v %q, want invalid with the text kept", n.Payment.GrossAmount, n.Payment.GrossAmountText)
				}
			}},
		{name: "refunds", body: `{"order_id":"o","transaction_status":"partial_refund","status_code":"200","gross_amount":"50000.00",` +
			`"refund_amount":"20000.00","refunds":[{"refund_key":"k1","refund_amount":15000,"reason":"dashboard"},` +
			`{"refund_key":"","refund_amount":"1000.00"},{"refund_key":"k3","refund_amount":"x"},"junk"]}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				r := n.Payment.Refunds
				if r == nil || r.AmountText != "20000.00" || !r.Amount.Equal(core.MustMoney("20000")) || len(r.Lines) != 1 ||
					r.Lines[0].Key != "k1" || !r.Lines[0].Amount.Equal(core.MustMoney("15000")) || r.Lines[0].Reason != "dashboard" {
					t.Errorf("refunds %+v", r)
				}
			}},
		{name: "unreadable refund amount", body: `{"order_id":"o","transaction_status":"partial_refund","refund_amount":"lots"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if r := n.Payment.Refunds; r.AmountText != "lots" || r.Amount.Valid() {
					t.Errorf("refunds %+v", r)
				}
			}},
		{name: "numeric order id", body: `{"order_id":123,"transaction_status":"settlement"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.OrderID != "123" || n.Payment.OrderID != "123" {
					t.Errorf("order id %q", n.OrderID)
				}
			}},
		{name: "subscription charge", body: `{"event_name":"subscription.charge","subscription":{"id":"s-1"},"transaction":{"status_code":"200","transaction_id":"t"}}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				s := n.Subscription
				if n.Kind != core.NotifySubscription || n.SignatureValid || s.ID != "s-1" || !s.ChargeEvent || s.Charge == nil ||
					s.Charge.StatusCode != "200" || s.Charge.TransactionID != "t" {
					t.Errorf("parsed %+v", n)
				}
			}},
		{name: "bare subscription object", body: `{"id":"s-2","schedule":{"interval":1},"status":"active"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Kind != core.NotifySubscription || n.Subscription.ID != "s-2" || n.Subscription.ChargeEvent || n.Subscription.Charge != nil {
					t.Errorf("parsed %+v", n)
				}
			}},
		{name: "snap gopay link", body: `{"order_id":"o","transaction_status":"settlement","payment_type":"gopay","metadata":{"extra_info":{"account_id":"acct-9"}}}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Payment.LinkedAccountID != "acct-9" {
					t.Errorf("gopay account %q", n.Payment.LinkedAccountID)
				}
			}},
		{name: "pay account", body: `{"account_id":"a-1","account_status":"ENABLED"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Kind != core.NotifyPayAccount || n.PayAccount.AccountID != "a-1" || n.SignatureValid {
					t.Errorf("parsed %+v", n)
				}
			}},
		{name: "unknown shape", body: `{"order_id":"o"}`,
			check: func(t *testing.T, n core.GatewayNotification) {
				if n.Kind != "" || n.OrderID != "o" {
					t.Errorf("parsed %+v", n)
				}
			}},
		{name: "not an object", body: `[1]`, err: true},
		{name: "not JSON", body: `{"order_id":`, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := c.ParseNotification([]byte(tc.body))
			if tc.err {
				if !errors.Is(err, core.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, n)
		})
	}
}

// A status answer carries what was refunded too (a dashboard refund whose
// notifications were lost is found by a status check).
func TestStatusAnswerRefunds(t *testing.T) {
	b, _ := decodeNotification([]byte(`{"order_id":"o","transaction_status":"refund","refund_amount":"50000.00","refunds":[{"refund_key":"k","refund_amount":"50000.00"}]}`))
	r := toCoreTransaction(b).Refunds
	if r == nil || !r.Amount.Equal(core.MustMoney("50000")) || len(r.Lines) != 1 {
		t.Errorf("refunds %+v", r)
	}
}
