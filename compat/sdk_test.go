package compat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midtrans/midtrans-go"
	"github.com/midtrans/midtrans-go/coreapi"

	"github.com/langganan/langganan/adapters/fakemidtrans"
)

const (
	serverKey = "SB-Mid-server-compat"
	clientKey = "SB-Mid-client-compat"
)

// rewrite sends the SDK's sandbox requests to the emulator: only the host changes.
type rewrite struct{ target *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.target.Scheme, r.target.Host, r.target.Host
	return http.DefaultTransport.RoundTrip(req)
}

type hook struct {
	mu  sync.Mutex
	got []map[string]any
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	h.mu.Lock()
	h.got = append(h.got, m)
	h.mu.Unlock()
}

func (h *hook) last() map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) == 0 {
		return nil
	}
	return h.got[len(h.got)-1]
}

type env struct {
	t     *testing.T
	em    *fakemidtrans.Emulator
	srv   *httptest.Server
	clock *fakemidtrans.ManualClock
	hook  *hook
	c     coreapi.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	h := &hook{}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	clock := fakemidtrans.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600)))
	em, err := fakemidtrans.New(fakemidtrans.Options{ServerKey: serverKey, ClientKey: clientKey, Clock: clock,
		NotificationURL: hs.URL, RecurringNotificationURL: hs.URL, PayAccountNotificationURL: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	em.SetPublicURL(srv.URL)
	t.Cleanup(func() { srv.Close(); em.Close() })
	target, _ := url.Parse(srv.URL)
	e := &env{t: t, em: em, srv: srv, clock: clock, hook: h}
	e.c.New(serverKey, midtrans.Sandbox)
	e.c.HttpClient = &midtrans.HttpClientImplementation{
		HttpClient: &http.Client{Timeout: 10 * time.Second, Transport: rewrite{target}},
		Logger:     &midtrans.LoggerImplementation{LogLevel: midtrans.NoLogging},
	}
	e.c.Options = &midtrans.ConfigOptions{}
	return e
}

func (e *env) sim(path string, body string) *http.Response {
	e.t.Helper()
	res, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func ok(t *testing.T, err *midtrans.Error) {
	t.Helper()
	if err != nil { // a *midtrans.Error, so never assign it to an error variable (typed nil)
		t.Fatalf("SDK error: %s (status %d, body %s)", err.Message, err.StatusCode, rawBody(err))
	}
}

func rawBody(err *midtrans.Error) string {
	if err.RawApiResponse == nil {
		return ""
	}
	return string(err.RawApiResponse.RawBody)
}

func charge(order string, pt coreapi.CoreapiPaymentType, amount int64) *coreapi.ChargeReq {
	return &coreapi.ChargeReq{PaymentType: pt, TransactionDetails: midtrans.TransactionDetails{OrderID: order, GrossAmt: amount},
		Items:           &[]midtrans.ItemDetails{{ID: "plan-pro", Name: "Pro plan", Price: amount, Qty: 1}},
		CustomerDetails: &midtrans.CustomerDetails{FName: "Budi", LName: "Utomo", Email: "budi@example.test", Phone: "+628123456"}}
}

func TestSDKChargesOfEveryPaymentType(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		req   func(*coreapi.ChargeReq)
		pt    coreapi.CoreapiPaymentType
		check func(t *testing.T, r *coreapi.ChargeResponse)
	}{
		{"bca", func(r *coreapi.ChargeReq) { r.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBca} }, coreapi.PaymentTypeBankTransfer,
			func(t *testing.T, r *coreapi.ChargeResponse) {
				if len(r.VaNumbers) != 1 || r.VaNumbers[0].Bank != "bca" {
					t.Fatalf("%+v", r)
				}
			}},
		{"bni", func(r *coreapi.ChargeReq) { r.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBni} }, coreapi.PaymentTypeBankTransfer, nil},
		{"bri", func(r *coreapi.ChargeReq) { r.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBri} }, coreapi.PaymentTypeBankTransfer, nil},
		{"cimb", func(r *coreapi.ChargeReq) { r.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankCimb} }, coreapi.PaymentTypeBankTransfer, nil},
		{"permata", func(r *coreapi.ChargeReq) {
			r.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankPermata, Permata: &coreapi.PermataBankTransferDetail{RecipientName: "Budi"}}
		}, coreapi.PaymentTypeBankTransfer, func(t *testing.T, r *coreapi.ChargeResponse) {
			if r.PermataVaNumber == "" {
				t.Fatalf("%+v", r)
			}
		}},
		{"echannel", func(r *coreapi.ChargeReq) {
			r.EChannel = &coreapi.EChannelDetail{BillInfo1: "Payment:", BillInfo2: "Online"}
		}, coreapi.PaymentTypeEChannel,
			func(t *testing.T, r *coreapi.ChargeResponse) {
				if r.BillKey == "" || r.BillerCode != "70012" {
					t.Fatalf("%+v", r)
				}
			}},
		{"gopay", func(r *coreapi.ChargeReq) {
			r.Gopay = &coreapi.GopayDetails{EnableCallback: true, CallbackUrl: "app://done"}
		}, coreapi.PaymentTypeGopay,
			func(t *testing.T, r *coreapi.ChargeResponse) {
				if len(r.Actions) != 4 || r.Actions[0].Name != "generate-qr-code" {
					t.Fatalf("%+v", r.Actions)
				}
			}},
		{"shopeepay", func(r *coreapi.ChargeReq) { r.ShopeePay = &coreapi.ShopeePayDetails{CallbackUrl: "https://m/done"} }, coreapi.PaymentTypeShopeepay, nil},
		{"qris", func(r *coreapi.ChargeReq) { r.Qris = &coreapi.QrisDetails{Acquirer: "gopay"} }, coreapi.PaymentTypeQris,
			func(t *testing.T, r *coreapi.ChargeResponse) {
				if r.QRString == "" || r.Acquirer != "gopay" {
					t.Fatalf("%+v", r)
				}
			}},
		{"alfamart", func(r *coreapi.ChargeReq) {
			r.ConvStore = &coreapi.ConvStoreDetails{Store: "alfamart", Message: "thanks"}
		}, coreapi.PaymentTypeConvenienceStore,
			func(t *testing.T, r *coreapi.ChargeResponse) {
				if r.PaymentCode == "" || r.Store != "alfamart" {
					t.Fatalf("%+v", r)
				}
			}},
		{"indomaret", func(r *coreapi.ChargeReq) { r.ConvStore = &coreapi.ConvStoreDetails{Store: "indomaret"} }, coreapi.PaymentTypeConvenienceStore, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := charge("sdk-"+tc.name, tc.pt, 44000)
			tc.req(req)
			r, err := e.c.ChargeTransaction(req)
			ok(t, err)
			if r.StatusCode != "201" || r.TransactionStatus != "pending" || r.GrossAmount != "44000.00" || r.OrderID != "sdk-"+tc.name || r.TransactionID == "" {
				t.Fatalf("%+v", r)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			s, err := e.c.CheckTransaction(r.TransactionID)
			ok(t, err)
			if s.OrderID != r.OrderID || s.SignatureKey != fakemidtrans.Signature(r.OrderID, "201", "44000.00", serverKey) {
				t.Fatalf("status: %+v", s)
			}
		})
	}
}

func TestSDKErrors(t *testing.T) {
	e := newEnv(t)
	bad := charge("sdk-bad", coreapi.PaymentTypeBankTransfer, 0)
	bad.Items = nil
	bad.BankTransfer = &coreapi.BankTransferDetails{Bank: midtrans.BankBca}
	if _, err := e.c.ChargeTransaction(bad); err == nil || err.StatusCode != 400 {
		t.Fatalf("zero amount: %v", err)
	}
	req := charge("sdk-dup", coreapi.PaymentTypeGopay, 1000)
	_, err := e.c.ChargeTransaction(req)
	ok(t, err)
	if _, err := e.c.ChargeTransaction(req); err == nil || err.StatusCode != 406 {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := e.c.CheckTransaction("sdk-none"); err == nil || err.StatusCode != 404 {
		t.Fatalf("unknown: %v", err)
	}
	wrong := e.c
	wrong.ServerKey = "SB-Mid-server-wrong"
	if _, err := wrong.ChargeTransaction(charge("sdk-401", coreapi.PaymentTypeGopay, 1000)); err == nil || err.StatusCode != 401 {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestSDKStatusCancelExpireRefund(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.ChargeTransaction(charge("sdk-cancel", coreapi.PaymentTypeGopay, 10000))
	ok(t, err)
	cr, err := e.c.CancelTransaction("sdk-cancel")
	ok(t, err)
	if cr.StatusCode != "200" || cr.TransactionStatus != "cancel" {
		t.Fatalf("%+v", cr)
	}
	_, err = e.c.ChargeTransaction(charge("sdk-expire", coreapi.PaymentTypeQris, 10000))
	ok(t, err)
	xr, err := e.c.ExpireTransaction("sdk-expire")
	ok(t, err) // body 407 is not an error for the SDK
	if xr.StatusCode != "407" || xr.TransactionStatus != "expire" {
		t.Fatalf("%+v", xr)
	}
	st, err := e.c.CheckTransaction("sdk-expire")
	ok(t, err)
	if st.StatusCode != "407" {
		t.Fatalf("%+v", st)
	}
	if _, err := e.c.CancelTransaction("sdk-expire"); err == nil || err.StatusCode != 412 {
		t.Fatalf("illegal move: %v", err)
	}

	_, err = e.c.ChargeTransaction(charge("sdk-refund", coreapi.PaymentTypeGopay, 10000))
	ok(t, err)
	if res := e.sim("/_sim/transactions/sdk-refund/settle", ""); res.StatusCode != 200 {
		t.Fatal(res.Status)
	}
	if n := e.hook.last(); n["transaction_status"] != "settlement" || n["signature_key"] != fakemidtrans.Signature("sdk-refund", "200", "10000.00", serverKey) {
		t.Fatalf("notification: %v", n)
	}
	rr, err := e.c.RefundTransaction("sdk-refund", &coreapi.RefundReq{RefundKey: "sdk-r1", Amount: 4000, Reason: "partial"})
	ok(t, err)
	if rr.StatusCode != "200" || rr.TransactionStatus != "partial_refund" || rr.RefundAmount != "4000.00" || rr.RefundChargebackID == 0 {
		t.Fatalf("%+v", rr)
	}
	if _, err := e.c.RefundTransaction("sdk-refund", &coreapi.RefundReq{RefundKey: "sdk-r1", Amount: 1000}); err == nil || err.StatusCode != 406 {
		t.Fatalf("duplicate refund key: %v", err)
	}
	dr, err := e.c.DirectRefundTransaction("sdk-refund", &coreapi.RefundReq{RefundKey: "sdk-r2"})
	ok(t, err)
	if dr.TransactionStatus != "refund" || dr.RefundAmount != "6000.00" {
		t.Fatalf("%+v", dr)
	}
	st, err = e.c.CheckTransaction("sdk-refund")
	ok(t, err)
	if len(st.Refunds) != 2 || st.RefundAmount != "10000.00" {
		t.Fatalf("%+v", st)
	}
}

func TestSDKCardTokenAndCharge(t *testing.T) {
	e := newEnv(t)
	tok, err := e.c.CardToken("4811111111111114", 12, 2030, "123", clientKey)
	ok(t, err)
	if tok.StatusCode != "200" || !strings.HasPrefix(tok.TokenID, "48111111-1114-") {
		t.Fatalf("%+v", tok)
	}
	req := charge("sdk-card", coreapi.PaymentTypeCreditCard, 145000)
	req.CreditCard = &coreapi.CreditCardDetails{TokenID: tok.TokenID, SaveTokenID: true}
	r, err := e.c.ChargeTransaction(req)
	ok(t, err)
	if r.StatusCode != "200" || r.TransactionStatus != "capture" || r.FraudStatus != "accept" || r.SavedTokenID == "" || r.MaskedCard != "48111111-1114" {
		t.Fatalf("%+v", r)
	}
	// FDS challenge, then approve and deny through the SDK
	for _, id := range []string{"sdk-ch-1", "sdk-ch-2"} {
		tk, err := e.c.CardToken("4511111111111117", 12, 2030, "123", clientKey)
		ok(t, err)
		req := charge(id, coreapi.PaymentTypeCreditCard, 10000)
		req.CreditCard = &coreapi.CreditCardDetails{TokenID: tk.TokenID}
		r, err := e.c.ChargeTransaction(req)
		ok(t, err)
		if r.FraudStatus != "challenge" {
			t.Fatalf("%+v", r)
		}
	}
	ar, err := e.c.ApproveTransaction("sdk-ch-1")
	ok(t, err)
	if ar.FraudStatus != "accept" {
		t.Fatalf("%+v", ar)
	}
	dn, err := e.c.DenyTransaction("sdk-ch-2")
	ok(t, err)
	if dn.TransactionStatus != "deny" {
		t.Fatalf("%+v", dn)
	}
	// 3DS: pending with a redirect_url to the emulated page
	tk, err := e.c.CardToken("4811111111111114", 12, 2030, "123", clientKey)
	ok(t, err)
	req = charge("sdk-3ds", coreapi.PaymentTypeCreditCard, 10000)
	req.CreditCard = &coreapi.CreditCardDetails{TokenID: tk.TokenID, Authentication: true}
	r, err = e.c.ChargeTransaction(req)
	ok(t, err)
	if r.StatusCode != "201" || !strings.HasPrefix(r.RedirectURL, e.srv.URL) {
		t.Fatalf("%+v", r)
	}
	if _, err := e.c.CardToken("4811111111111115", 12, 2030, "123", clientKey); err == nil {
		t.Fatal("bad luhn accepted")
	}
}

func TestSDKSubscriptions(t *testing.T) {
	e := newEnv(t)
	reg, err := e.c.RegisterCard("4811111111111114", 12, 2030, clientKey)
	ok(t, err)
	if reg.SavedTokenID == "" {
		t.Fatalf("%+v", reg)
	}
	req := &coreapi.SubscriptionReq{Name: "SDK-SUB-1", Amount: 49000, Currency: "IDR", PaymentType: coreapi.PaymentTypeCreditCard,
		Token: reg.SavedTokenID, Schedule: coreapi.ScheduleDetails{Interval: 1, IntervalUnit: "month", MaxInterval: 12, StartTime: "2026-02-01 09:00:00 +0700"},
		Metadata: map[string]string{"plan": "pro"}, CustomerDetails: &midtrans.CustomerDetails{FName: "Budi", Email: "budi@example.test"}}
	cr, err := e.c.CreateSubscription(req)
	ok(t, err)
	if cr.ID == "" || cr.Status != "active" || cr.Amount != "49000" || cr.Schedule.Interval != 1 || cr.Schedule.MaxInterval != 12 {
		t.Fatalf("%+v", cr)
	}
	if _, err := e.c.CreateSubscription(&coreapi.SubscriptionReq{Name: "bad name!"}); err == nil || err.StatusCode != 400 {
		t.Fatalf("invalid create: %v", err)
	}
	if _, err := e.em.Advance(context.Background(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	gr, err := e.c.GetSubscription(cr.ID)
	ok(t, err)
	if gr.Schedule.CurrentInterval != 1 || gr.Schedule.NextExecutionAt == "" {
		t.Fatalf("%+v", gr)
	}
	req.Amount = 59000
	req.Schedule = coreapi.ScheduleDetails{Interval: 2}
	ur, err := e.c.UpdateSubscription(cr.ID, req)
	ok(t, err)
	if ur.StatusMessage != "Subscription is updated." {
		t.Fatalf("%+v", ur)
	}
	dr, err := e.c.DisableSubscription(cr.ID)
	ok(t, err)
	if dr.StatusMessage != "Subscription is updated." {
		t.Fatalf("%+v", dr)
	}
	gr, err = e.c.GetSubscription(cr.ID)
	ok(t, err)
	if gr.Status != "inactive" || gr.Amount != "59000" || gr.Schedule.Interval != 2 {
		t.Fatalf("%+v", gr)
	}
	en, err := e.c.EnableSubscription(cr.ID)
	ok(t, err)
	if en.StatusMessage != "Subscription is updated." {
		t.Fatalf("%+v", en)
	}
	if _, err := e.c.GetSubscription("nope"); err == nil || err.StatusCode != 404 {
		t.Fatalf("unknown: %v", err)
	}
}

func TestSDKPayAccount(t *testing.T) {
	e := newEnv(t)
	lr, err := e.c.LinkPaymentAccount(&coreapi.PaymentAccountReq{PaymentType: coreapi.PaymentTypeGopay,
		GopayPartner: &coreapi.GopayPartnerDetails{PhoneNumber: "81212345678", CountryCode: "62", RedirectURL: "https://m/done"}})
	ok(t, err)
	if lr.StatusCode != "201" || lr.AccountStatus != "PENDING" || len(lr.Actions) != 2 {
		t.Fatalf("%+v", lr)
	}
	if res := e.sim("/_sim/pay-accounts/"+lr.AccountId+"/link", ""); res.StatusCode != 200 {
		t.Fatal(res.Status)
	}
	if n := e.hook.last(); n["account_status"] != "ENABLED" {
		t.Fatalf("link notification: %v", n)
	}
	gr, err := e.c.GetPaymentAccount(lr.AccountId)
	ok(t, err)
	if gr.AccountStatus != "ENABLED" || len(gr.Metadata.PaymentOptions) == 0 || gr.Metadata.PaymentOptions[0].Token == "" {
		t.Fatalf("%+v", gr)
	}
	// a tokenized GoPay charge and a GoPay subscription with the option token
	req := charge("sdk-gopay-tok", coreapi.PaymentTypeGopay, 20000)
	req.Gopay = &coreapi.GopayDetails{AccountID: lr.AccountId, PaymentOptionToken: gr.Metadata.PaymentOptions[0].Token}
	cr, err := e.c.ChargeTransaction(req)
	ok(t, err)
	if cr.TransactionStatus != "settlement" {
		t.Fatalf("%+v", cr)
	}
	sr, err := e.c.CreateSubscription(&coreapi.SubscriptionReq{Name: "SDK-GOPAY", Amount: 20000, Currency: "IDR", PaymentType: coreapi.PaymentTypeGopay,
		Token: gr.Metadata.PaymentOptions[0].Token, Schedule: coreapi.ScheduleDetails{Interval: 1, IntervalUnit: "day", MaxInterval: 3},
		Gopay: &coreapi.GopaySubscriptionDetails{AccountId: lr.AccountId}})
	ok(t, err)
	if sr.Status != "active" {
		t.Fatalf("%+v", sr)
	}
	un, err := e.c.UnlinkPaymentAccount(lr.AccountId)
	ok(t, err)
	if un.StatusCode != "204" || un.AccountStatus != "DISABLED" {
		t.Fatalf("%+v", un)
	}
	if _, err := e.c.LinkPaymentAccount(&coreapi.PaymentAccountReq{PaymentType: coreapi.PaymentTypeGopay,
		GopayPartner: &coreapi.GopayPartnerDetails{PhoneNumber: "0812", CountryCode: "62"}}); err == nil || err.StatusCode != 400 {
		t.Fatalf("bad phone: %v", err)
	}
}
