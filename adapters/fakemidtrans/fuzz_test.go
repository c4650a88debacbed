package fakemidtrans

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPI feeds arbitrary bodies to every JSON endpoint; nothing may panic (a 500 would mean a recovered panic).
func FuzzAPI(f *testing.F) {
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"payment_type":"gopay","transaction_details":{"order_id":"x","gross_amount":1e400}}`,
		`{"payment_type":"credit_card","credit_card":{"token_id":5}}`, `{"transaction_details":{"gross_amount":"-0.0"}}`,
		`{"payment_type":"bank_transfer","transaction_details":{"order_id":"o","gross_amount":10},"bank_transfer":{"bank":"bca","va_number":"99999999999999999"}}`,
		`{"name":"a","amount":"1","currency":"IDR","payment_type":"gopay","token":"t","schedule":{"interval":1,"interval_unit":"day"},"gopay":null}`,
		`{"api":[{"endpoint":"charge","sequence":[]}]}`, `{"amount":"1.000","refund_key":"k"}`, `{"duration":"-1h"}`, `{"va_number":1}`} {
		f.Add(s)
	}
	e, _ := New(Options{ServerKey: testKey, Clock: NewManualClock(testStart)})
	paths := []string{"POST /v2/charge", "POST /v1/subscriptions", "POST /v2/pay/account", "POST /v2/x/refund", "POST /v2/capture",
		"PATCH /v1/subscriptions/x", "POST /_sim/pay", "POST /_sim/faults", "POST /_sim/clock/advance"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			m, path, _ := strings.Cut(p, " ")
			req := httptest.NewRequest(m, path, strings.NewReader(body))
			req.Header.Set("Authorization", authHeader)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			if w.Code == 500 && !strings.Contains(p, "faults") {
				t.Fatalf("%s answered 500 for %q: %s", p, body, w.Body.String())
			}
		}
		e.faults.clear()
	})
}
