package compat

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/midtrans/midtrans-go"
	"github.com/midtrans/midtrans-go/coreapi"
	"github.com/midtrans/midtrans-go/snap"
)

// snapClient is the official Snap client pointed at the emulator: only the
// host of its app.sandbox.midtrans.com requests changes.
func (e *env) snapClient(key string) snap.Client {
	var c snap.Client
	c.New(key, midtrans.Sandbox)
	target, _ := url.Parse(e.srv.URL)
	c.HttpClient = &midtrans.HttpClientImplementation{
		HttpClient: &http.Client{Timeout: 10 * time.Second, Transport: rewrite{target}},
		Logger:     &midtrans.LoggerImplementation{LogLevel: midtrans.NoLogging},
	}
	return c
}

func snapReq(order string, amount int64) *snap.Request {
	return &snap.Request{
		TransactionDetails: midtrans.TransactionDetails{OrderID: order, GrossAmt: amount},
		Items:              &[]midtrans.ItemDetails{{ID: "plan-pro", Name: "Pro plan", Price: amount, Qty: 1}},
		CustomerDetail:     &midtrans.CustomerDetails{FName: "Budi", Email: "budi@example.test", Phone: "+628123456"},
	}
}

func TestSDKSnapCreateTransaction(t *testing.T) {
	e := newEnv(t)
	c := e.snapClient(serverKey)
	tests := []struct {
		name string
		req  func() *snap.Request
		call string // full, token or url
	}{
		{"full", func() *snap.Request { return snapReq("snap-1", 49000) }, "full"},
		{"token", func() *snap.Request {
			r := snapReq("snap-2", 49000)
			r.EnabledPayments = []snap.SnapPaymentType{snap.PaymentTypeBCAVA, snap.PaymentTypeGopay}
			r.CreditCard = &snap.CreditCardDetails{Secure: true, SaveCard: true}
			r.UserId = "user-1"
			r.Callbacks = &snap.Callbacks{Finish: "https://shop.test/finish"}
			r.Expiry = &snap.ExpiryDetails{Unit: "minutes", Duration: 60}
			r.CustomField1, r.CustomField2, r.CustomField3 = "a", "b", "c"
			return r
		}, "token"},
		{"url", func() *snap.Request { return snapReq("snap-3", 49000) }, "url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.call {
			case "full":
				res, err := c.CreateTransaction(tc.req())
				ok(t, err)
				if len(res.Token) != 36 || !strings.HasPrefix(res.RedirectURL, e.srv.URL+"/snap/") {
					t.Fatalf("%+v", res)
				}
			case "token":
				tok, err := c.CreateTransactionToken(tc.req())
				ok(t, err)
				if len(tok) != 36 {
					t.Fatalf("token %q", tok)
				}
			case "url":
				u, err := c.CreateTransactionUrl(tc.req())
				ok(t, err)
				res, herr := http.Get(u)
				if herr != nil {
					t.Fatal(herr)
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Fatalf("redirect_url %s answered %d", u, res.StatusCode)
				}
			}
		})
	}
}

func TestSDKSnapWithMap(t *testing.T) {
	e := newEnv(t)
	c := e.snapClient(serverKey)
	req := snap.RequestParamWithMap{
		"transaction_details": map[string]any{"order_id": "snap-map-1", "gross_amount": 75000},
		"user_id":             "user-7",
		"gopay":               map[string]any{"tokenization": true},
		"recurring":           map[string]any{"required": true, "start_time": "2026-02-28 10:00:00 +0700", "interval_unit": "month"},
		"page_expiry":         map[string]any{"duration": 2, "unit": "hours"},
	}
	res, err := c.CreateTransactionWithMap(&req)
	ok(t, err)
	if res["token"] == "" || res["redirect_url"] == "" {
		t.Fatalf("%v", res)
	}
	tok, err := c.CreateTransactionTokenWithMap(&req) // reissued: no method chosen yet
	ok(t, err)
	if tok == res["token"] {
		t.Fatal("the same token twice")
	}
	u, err := c.CreateTransactionUrlWithMap(&req)
	ok(t, err)
	if !strings.Contains(u, "/snap/v4/redirection/") {
		t.Fatalf("redirect_url %q", u)
	}
}

func TestSDKSnapErrors(t *testing.T) {
	e := newEnv(t)
	bad := snapReq("snap-e-1", 49000)
	(*bad.Items)[0].Price = 1000
	tests := []struct {
		name   string
		key    string
		req    *snap.Request
		status int
		msg    string
	}{
		{"wrong key", "SB-Mid-server-wrong", snapReq("snap-e-0", 49000), 401, "Access denied"},
		{"sum of items", serverKey, bad, 400, "gross_amount is not equal to the sum of item_details"},
		{"bad order id", serverKey, snapReq("snap e 2", 49000), 400, "order_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.snapClient(tc.key).CreateTransaction(tc.req)
			if err == nil {
				t.Fatalf("no error: %+v", res)
			}
			if err.StatusCode != tc.status || !strings.Contains(rawBody(err), tc.msg) || len(res.ErrorMessages) == 0 {
				t.Fatalf("status %d body %s messages %v", err.StatusCode, rawBody(err), res.ErrorMessages)
			}
		})
	}
	// An order id a Core charge already used is refused.
	req := charge("snap-core-1", coreapi.PaymentTypeBankTransfer, 10000)
	req.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBca}
	_, cerr := e.c.ChargeTransaction(req)
	ok(t, cerr)
	if _, err := e.snapClient(serverKey).CreateTransaction(snapReq("snap-core-1", 10000)); err == nil || err.StatusCode != 400 ||
		!strings.Contains(rawBody(err), "has been paid and utilized") {
		t.Fatalf("reused order id: %v", err)
	}
}
