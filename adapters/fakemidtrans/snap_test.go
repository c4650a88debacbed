package fakemidtrans

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func snapBody(orderID string, amount any, extra map[string]any) map[string]any {
	b := map[string]any{"transaction_details": map[string]any{"order_id": orderID, "gross_amount": amount}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// snap creates a Snap token and returns it.
func (f *fixture) snap(orderID string, amount any, extra map[string]any) string {
	f.t.Helper()
	r := f.do("POST", "/snap/v1/transactions", snapBody(orderID, amount, extra))
	if r.code != 201 || r.s("token") == "" {
		f.t.Fatalf("snap create: %d %s", r.code, r.raw)
	}
	if want := "http://emulator.test/snap/v4/redirection/" + r.s("token"); r.s("redirect_url") != want {
		f.t.Fatalf("redirect_url %q, want %q", r.s("redirect_url"), want)
	}
	return r.s("token")
}

// form posts a page form (no key, as a browser) and returns the recorder.
func (f *fixture) form(path string, vals url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	f.e.ServeHTTP(w, req)
	return w
}

func (f *fixture) page(path string) *httptest.ResponseRecorder {
	f.t.Helper()
	w := httptest.NewRecorder()
	f.e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

func (f *fixture) lastPayment() map[string]any {
	f.t.Helper()
	f.drain()
	all := f.rcv.all()
	for i := len(all) - 1; i >= 0; i-- {
		if _, ok := all[i]["transaction_status"]; ok {
			return all[i]
		}
	}
	f.t.Fatal("no payment notification")
	return nil
}

func TestSnapCreateErrors(t *testing.T) {
	f := newFixture(t)
	f.charge("used-1", "bank_transfer", 1000, map[string]any{"bank_transfer": map[string]any{"bank": "bni"}})
	items := []map[string]any{{"id": "a", "name": "A", "price": 3000, "quantity": 2}, {"id": "d", "name": "Discount", "price": -1000, "quantity": 1}}
	cases := []struct {
		name string
		auth string
		body any
		code int
		msg  string
	}{
		{"bad key", "Basic " + "eDo=", snapBody("o-1", 1000, nil), 401, "Access denied due to unauthorized transaction, please check client or server key"},
		{"no details", "", map[string]any{}, 400, "transaction_details is required"},
		{"bad order id", "", snapBody("bad id!", 1000, nil), 400, "transaction_details.order_id must be"},
		{"fraction", "", snapBody("o-2", "1000.50", nil), 400, "decimals are not allowed"},
		{"sum mismatch", "", snapBody("o-3", 6000, map[string]any{"item_details": items}), 400, "transaction_details.gross_amount is not equal to the sum of item_details"},
		{"used order", "", snapBody("used-1", 1000, nil), 400, "transaction_details.order_id has been paid and utilized, please use another order ID"},
		{"no channel", "", snapBody("o-4", 1000, map[string]any{"enabled_payments": []string{"akulaku"}}), 400, "enabled_payments"},
		{"tokenization without user", "", snapBody("o-5", 1000, map[string]any{"gopay": map[string]any{"tokenization": true}}), 400, "user_id is required"},
		{"bad expiry unit", "", snapBody("o-6", 1000, map[string]any{"expiry": map[string]any{"unit": "week", "duration": 1}}), 400, "expiry.unit"},
		{"bad type", "", snapBody("o-7", 1000, map[string]any{"credit_card": map[string]any{"secure": "yes"}}), 400, "credit_card.secure must be a boolean"},
		{"discount sums", "", snapBody("o-8", 5000, map[string]any{"item_details": items}), 201, ""},
		{"recurring as integer", "", snapBody("o-9", 5000, map[string]any{"recurring": map[string]any{"required": 1, "start_time": "2026-02-01 10:00:00 +0700", "interval_unit": "month"}}), 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.auth != "" {
				hdr = []string{"Authorization", c.auth}
			}
			r := f.do("POST", "/snap/v1/transactions", c.body, hdr...)
			if r.code != c.code {
				t.Fatalf("code %d, want %d: %s", r.code, c.code, r.raw)
			}
			if c.msg == "" {
				return
			}
			msgs, _ := r.body["error_messages"].([]any)
			if len(msgs) == 0 || !strings.Contains(msgs[0].(string), c.msg) {
				t.Fatalf("error_messages %v, want %q", msgs, c.msg)
			}
		})
	}
}

func TestSnapTokenReissueAndStatus404(t *testing.T) {
	f := newFixture(t)
	old := f.snap("re-1", 25000, nil)
	tok := f.snap("re-1", 25000, nil)
	if old == tok {
		t.Fatal("same token issued twice")
	}
	if w := f.page(snapBase + old); !strings.Contains(w.Body.String(), `id="replaced"`) {
		t.Fatalf("old token page: %s", w.Body.String())
	}
	if r := f.do("GET", "/v2/re-1/status", nil); r.code != 404 {
		t.Fatalf("status before a method is chosen: %d %s", r.code, r.raw)
	}
	w := f.form(snapBase+tok+"/charge", url.Values{"method": {"bca_va"}})
	if w.Code != 303 {
		t.Fatalf("choose: %d %s", w.Code, w.Body.String())
	}
	r := f.do("GET", "/v2/re-1/status", nil)
	if r.code != 200 || r.s("transaction_status") != "pending" || r.s("payment_type") != "bank_transfer" {
		t.Fatalf("status after choice: %d %s", r.code, r.raw)
	}
	list := f.do("GET", "/_sim/snap", nil)
	if !strings.Contains(list.raw, `"state":"replaced"`) || !strings.Contains(list.raw, `"state":"pending"`) {
		t.Fatalf("/_sim/snap: %s", list.raw)
	}
	if r := f.do("POST", "/snap/v1/transactions", snapBody("re-1", 25000, nil)); r.code != 400 {
		t.Fatalf("token after a method was chosen: %d %s", r.code, r.raw)
	}
	// The page shows the VA number, which the simulator pays.
	body := f.page(snapBase + tok).Body.String()
	va := r.body["va_numbers"].([]any)[0].(map[string]any)["va_number"].(string)
	if !strings.Contains(body, va) {
		t.Fatalf("page lacks VA %s: %s", va, body)
	}
	if p := f.do("POST", "/_sim/pay", map[string]string{"va_number": va}); p.code != 200 {
		t.Fatalf("pay: %s", p.raw)
	}
	if n := f.lastPayment(); n["transaction_status"] != "settlement" || n["order_id"] != "re-1" {
		t.Fatalf("notification: %v", n)
	}
}

func TestSnapMethodsCreateCoreTransactions(t *testing.T) {
	cases := []struct {
		method, ptype, field string
	}{
		{"bni_va", "bank_transfer", "va_numbers"},
		{"permata_va", "bank_transfer", "permata_va_number"},
		{"echannel", "echannel", "bill_key"},
		{"other_qris", "qris", "qr_string"},
		{"gopay", "gopay", "actions"},
		{"alfamart", "cstore", "payment_code"},
		{"indomaret", "cstore", "payment_code"},
		{"shopeepay", "shopeepay", "actions"},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			f := newFixture(t)
			tok := f.snap("m-1", 10000, map[string]any{"enabled_payments": []string{c.method}, "callbacks": map[string]any{"finish": "https://shop.test/done?x=1"}})
			if w := f.form(snapBase+tok+"/charge", url.Values{"method": {c.method}}); w.Code != 303 {
				t.Fatalf("choose: %d", w.Code)
			}
			r := f.do("GET", "/v2/m-1/status", nil)
			if r.s("payment_type") != c.ptype {
				t.Fatalf("status: %s", r.raw)
			}
			f.do("POST", "/_sim/transactions/m-1/settle", nil)
			w := f.form(snapBase+tok+"/finish", nil)
			loc, _ := url.Parse(w.Header().Get("Location"))
			if w.Code != 303 || loc.Host != "shop.test" || loc.Query().Get("x") != "1" || loc.Query().Get("order_id") != "m-1" ||
				loc.Query().Get("status_code") != "200" || loc.Query().Get("transaction_status") != "settlement" {
				t.Fatalf("finish: %d %s", w.Code, w.Header().Get("Location"))
			}
		})
	}
}

func TestSnapDisabledMethodRefused(t *testing.T) {
	f := newFixture(t)
	tok := f.snap("d-1", 10000, map[string]any{"enabled_payments": []string{"bank_transfer"}})
	body := f.page(snapBase + tok).Body.String()
	if strings.Contains(body, `id="method-gopay"`) || !strings.Contains(body, `id="method-permata_va"`) || strings.Contains(body, `id="card"`) {
		t.Fatalf("page methods: %s", body)
	}
	f.form(snapBase+tok+"/charge", url.Values{"method": {"gopay"}})
	if r := f.do("GET", "/v2/d-1/status", nil); r.code != 404 {
		t.Fatalf("a disabled method was charged: %s", r.raw)
	}
}

func TestSnapCardRecurringSavesToken(t *testing.T) {
	cases := []struct {
		name   string
		extra  map[string]any
		form   url.Values
		card   string
		status string
		saved  bool
	}{
		{"recurring 3ds", map[string]any{"credit_card": map[string]any{"secure": true}, "user_id": "u-1", "recurring": map[string]any{"required": true, "interval_unit": "month"}}, nil, "4811111111111114", "capture", true},
		{"save_card ticked", map[string]any{"credit_card": map[string]any{"save_card": true}, "user_id": "u-1"}, url.Values{"save_card": {"1"}}, "4811111111111114", "capture", true},
		{"save_card not ticked", map[string]any{"credit_card": map[string]any{"save_card": true}, "user_id": "u-1"}, nil, "4811111111111114", "capture", false},
		{"declined", map[string]any{}, nil, "4911111111111113", "deny", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			tok := f.snap("c-1", 50000, mergeMaps(c.extra, map[string]any{"callbacks": map[string]any{"finish": "https://shop.test/done"}}))
			vals := url.Values{"card_number": {c.card}, "card_exp_month": {"12"}, "card_exp_year": {"2030"}, "card_cvv": {"123"}}
			for k, v := range c.form {
				vals[k] = v
			}
			w := f.form(snapBase+tok+"/card", vals)
			if strings.HasSuffix(w.Header().Get("Location"), "/3ds") {
				if p := f.page(snapBase + tok + "/3ds"); !strings.Contains(p.Body.String(), "112233") {
					t.Fatalf("3ds page: %s", p.Body.String())
				}
				w = f.form(snapBase+tok+"/3ds", url.Values{"otp": {"112233"}, "result": {"ok"}})
			}
			loc, _ := url.Parse(w.Header().Get("Location"))
			if w.Code != 303 || loc.Query().Get("transaction_status") != c.status {
				t.Fatalf("card: %d %s %s", w.Code, w.Header().Get("Location"), w.Body.String())
			}
			n := f.lastPayment()
			if n["transaction_status"] != c.status || (n["saved_token_id"] != nil) != c.saved || (c.saved && n["saved_token_id_expired_at"] == nil) {
				t.Fatalf("notification: %v", n)
			}
			if c.status == "deny" {
				// Snap lets the customer try again after a decline.
				if !strings.Contains(f.page(snapBase+tok).Body.String(), `id="denied"`) {
					t.Fatal("no second attempt offered")
				}
				vals.Set("card_number", "4811111111111114")
				f.form(snapBase+tok+"/card", vals)
				if n := f.lastPayment(); n["transaction_status"] != "capture" {
					t.Fatalf("second attempt: %v", n)
				}
			}
		})
	}
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestSnapGopayTokenization(t *testing.T) {
	for _, amount := range []int{50000, 150000} {
		f := newFixture(t)
		tok := f.snap("g-1", amount, map[string]any{"user_id": "cust-9", "gopay": map[string]any{"tokenization": true}, "enabled_payments": []string{"gopay"}})
		if !strings.Contains(f.page(snapBase+tok).Body.String(), `id="gopay-link"`) {
			t.Fatal("no GoPay link form")
		}
		w := f.form(snapBase+tok+"/gopay-link", url.Values{"phone": {"81234567890"}, "pin": {"112233"}})
		if w.Code != 200 || !strings.Contains(w.Body.String(), `data-event="success"`) {
			t.Fatalf("link: %d %s", w.Code, w.Body.String())
		}
		n := f.lastPayment()
		extra, _ := n["metadata"].(map[string]any)["extra_info"].(map[string]any)
		if n["transaction_status"] != "settlement" || extra["user_id"] != "cust-9" || extra["account_id"] == "" {
			t.Fatalf("notification: %v", n)
		}
		acc := f.do("GET", "/v2/pay/account/"+extra["account_id"].(string), nil)
		if acc.s("account_status") != "ENABLED" {
			t.Fatalf("account: %s", acc.raw)
		}
		if u := f.do("GET", "/snap/v3/users/cust-9/gopay", nil); u.s("account_id") != extra["account_id"] {
			t.Fatalf("snap gopay account: %s", u.raw)
		}
	}
}

func TestSnapPageExpiryAndCancel(t *testing.T) {
	f := newFixture(t)
	tok := f.snap("e-1", 10000, map[string]any{"page_expiry": map[string]any{"duration": 30, "unit": "minutes"}})
	f.advance("31m")
	if !strings.Contains(f.page(snapBase+tok).Body.String(), `id="expired"`) {
		t.Fatal("page not expired")
	}
	f.form(snapBase+tok+"/charge", url.Values{"method": {"bca_va"}})
	if r := f.do("GET", "/v2/e-1/status", nil); r.code != 404 {
		t.Fatalf("expired page charged: %s", r.raw)
	}
	if got := len(f.rcv.all()); got != 0 {
		t.Fatalf("page expiry sent %d notifications", got)
	}
	tok2 := f.snap("e-2", 10000, nil)
	if r := f.do("POST", "/snap/v1/transactions/"+tok2+"/cancel", nil); r.code != 200 || r.s("canceled_at") == "" {
		t.Fatalf("cancel: %s", r.raw)
	}
	if r := f.do("POST", "/snap/v1/transactions/"+tok2+"/cancel", nil); r.code != 400 {
		t.Fatalf("second cancel: %s", r.raw)
	}
	if r := f.do("POST", "/snap/v1/transactions/nope/cancel", nil); r.code != 404 {
		t.Fatalf("unknown cancel: %s", r.raw)
	}
}

func TestSnapExpiryAppliesToTransaction(t *testing.T) {
	f := newFixture(t)
	tok := f.snap("x-1", 10000, map[string]any{"expiry": map[string]any{"unit": "hour", "duration": 2}})
	f.advance("30m")
	f.form(snapBase+tok+"/charge", url.Values{"method": {"bri_va"}})
	r := f.do("GET", "/v2/x-1/status", nil)
	want := fmtWire(testStart.Add(30*time.Minute + 2*time.Hour))
	if r.s("expiry_time") != want {
		t.Fatalf("expiry_time %q, want %q", r.s("expiry_time"), want)
	}
}

func TestSnapStatePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "emu.db")
	opts := func(o *Options) { o.DataFile = path }
	f := newFixture(t, opts)
	tok := f.snap("p-1", 10000, map[string]any{"callbacks": map[string]any{"finish": "https://shop.test/f"}})
	if err := f.e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := New(Options{ServerKey: testKey, DataFile: path, Clock: NewManualClock(testStart), PublicURL: "http://emulator.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	w := httptest.NewRecorder()
	e2.ServeHTTP(w, httptest.NewRequest("GET", snapBase+tok, nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `id="method-bca_va"`) {
		t.Fatalf("restored page: %d %s", w.Code, w.Body.String())
	}
	req := httptest.NewRequest("POST", "/snap/v1/transactions", strings.NewReader(`{"transaction_details":{"order_id":"p-1","gross_amount":10000}}`))
	req.Header.Set("Authorization", authHeader)
	w = httptest.NewRecorder()
	e2.ServeHTTP(w, req)
	if w.Code != 201 {
		t.Fatalf("reissue after restart: %d", w.Code)
	}
	w = httptest.NewRecorder()
	e2.ServeHTTP(w, httptest.NewRequest("GET", snapBase+tok, nil))
	if !strings.Contains(w.Body.String(), `id="replaced"`) {
		t.Fatal("restored order index lost")
	}
}

func TestSnapPageEscapesAndCSP(t *testing.T) {
	f := newFixture(t)
	tok := f.snap("h-1", 10000, nil)
	w := f.page(snapBase + tok + "?msg=" + url.QueryEscape(`<script>alert(1)</script>`))
	if strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("unescaped page or no CSP: %s", w.Body.String())
	}
	if strings.Contains(strings.ReplaceAll(w.Body.String(), `<script src="/snap/assets/page.js"></script>`, ""), "<script") {
		t.Fatal("inline script on the Snap page")
	}
	for _, p := range []string{"/snap/snap.js", "/snap/assets/page.js", "/snap/assets/snap.css"} {
		if w := f.page(p); w.Code != http.StatusOK || w.Body.Len() == 0 {
			t.Fatalf("%s: %d", p, w.Code)
		}
	}
}
