package http

import (
	"errors"
	"testing"

	"github.com/langganan/langganan/core"
)

// FuzzDecodeBody feeds arbitrary bytes to the strict request decoder for
// every kind of request body: it must never panic, and every refusal is a
// 400 (core.ErrInvalid), never a fault.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"name":"Pro","price":"49000.00","interval_unit":"month"}`,
		`{"price":49000}`, `{"price":"1e400"}`, `{"name":"a\u0000b"}`, `{"plan_id":"basic","payment_type":"bank_transfer","metadata":{"bank":"bni"}}`,
		`{"amount":"100000","payment_type":"gopay"}`, `{"username":"x","password":"y","is_admin":"yes"}`,
		`{"current_password":"a","new_password":"b"}`, `{"duration":"720h"}`, `{"a":1}{"b":2}`, `{"name":"` + "\xff\xfe" + `"}`,
		`{"features":{"max_users":1e999}}`, `{"quantity":-1}`, `{"url":"https://x.example/","events":["payment.succeeded"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&planRequest{}, &userRequest{}, &createSubscriptionRequest{}, &topUpRequest{}, &chargeRequest{},
			&refundRequest{}, &orgRequest{}, &orgMemberRequest{}, &endpointRequest{}, &couponRequest{}, &passwordRequest{},
			&tokenRequest{}, &advanceRequest{}, &changePlanRequest{}, &quantityRequest{}, &walletPatchRequest{}} {
			err := decodeStrict(body, dst)
			if err == nil {
				err = validate(dst)
			}
			if err != nil && !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("%T: %q: %v is not a 400", dst, body, err)
			}
		}
	})
}
