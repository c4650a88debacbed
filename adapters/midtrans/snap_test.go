package midtrans

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

func TestSnapBaseURL(t *testing.T) {
	cases := map[string]string{
		"https://api.sandbox.midtrans.com": "https://app.sandbox.midtrans.com",
		"https://api.midtrans.com":         "https://app.midtrans.com",
		"http://127.0.0.1:8090":            "http://127.0.0.1:8090",
	}
	for base, want := range cases {
		c := newTestClient(t, base)
		if got := c.snapBaseURL(); got != want {
			t.Errorf("%s: %s, want %s", base, got, want)
		}
	}
}

func snapChargeRequest() core.ChargeRequest {
	return core.ChargeRequest{OrderID: "SUB-1-1-1", Amount: core.MustMoney("49000"), PaymentType: core.PaySnap, ExpiryMinutes: 60,
		Items: []core.ChargeItem{{ID: "basic", Name: "Basic", Price: core.MustMoney("49000"), Quantity: 1}},
		Snap: &core.SnapOptions{EnabledPayments: []string{"gopay"}, FinishURL: "https://shop.test/f", UserID: "lgn-1",
			Recurring: true, RecurringUnit: core.Month, StartTime: time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)}}
}

func TestCreateSnap(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   error // nil: success
	}{
		{"created", 201, `{"token":"tok-1","redirect_url":"https://app.sandbox.midtrans.com/snap/v4/redirection/tok-1"}`, nil},
		{"order used", 400, `{"error_messages":["transaction_details.order_id has been paid and utilized, please use another order ID"]}`, core.ErrDuplicateOrder},
		{"bad key", 401, `{"error_messages":["Access denied due to unauthorized transaction, please check client or server key"]}`, core.ErrGatewayRejected},
		{"no token", 201, `{}`, core.ErrGatewayUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStub(t, reply(c.status, c.body))
			cl := newTestClient(t, s.URL)
			txn, err := cl.CreateSnap(context.Background(), snapChargeRequest())
			if c.kind != nil {
				if !errors.Is(err, c.kind) {
					t.Fatalf("err %v, want %v", err, c.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if txn.Details[core.DetailSnapToken] != "tok-1" || txn.TransactionStatus != "pending" ||
				!txn.ExpiryTime.Equal(time.Date(2026, 1, 31, 4, 0, 0, 0, time.UTC)) {
				t.Fatalf("%+v", txn)
			}
			r := s.requests()[0]
			b := r.Body
			if r.Path != "/snap/v1/transactions" || b["user_id"] != "lgn-1" || b["callbacks"].(map[string]any)["finish"] != "https://shop.test/f" ||
				b["recurring"].(map[string]any)["interval_unit"] != "month" || b["gopay"].(map[string]any)["tokenization"] != true ||
				b["expiry"].(map[string]any)["start_time"] != "2026-01-31 10:00:00 +0700" || b["credit_card"].(map[string]any)["save_card"] != true {
				t.Fatalf("request %s %v", r.Path, b)
			}
		})
	}
}
