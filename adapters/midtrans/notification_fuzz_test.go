package midtrans

import (
	"bytes"
	"errors"
	"testing"

	"github.com/langganan/langganan/core"
)

// FuzzNotificationParse feeds arbitrary bodies to the notification parser
// (decode, classify, field reads, the signature check): nothing may panic,
// a refusal is ErrInvalid, the kind is one core knows, and a payment
// notification is never taken as signed unless its signature_key is the
// one the server key makes.
func FuzzNotificationParse(f *testing.F) {
	for _, s := range []string{``, `{}`, `null`, `[]`, `"x"`, `{"order_id":"SUB-1","transaction_status":"settlement","status_code":"200","gross_amount":"49000.00","signature_key":"x"}`,
		`{"event_name":"subscription.charge","subscription":{"id":"s"},"transaction":{"status_code":"200","transaction_id":"t"}}`,
		`{"account_id":"a","account_status":"ENABLED"}`, `{"order_id":1e400,"transaction_status":[]}`, `{"schedule":{},"id":5}`,
		`{"order_id":"` + string(bytes.Repeat([]byte("a"), 2000)) + `"}`, "{\"a\":\"\xff\"}", `{"a":1} trailing`,
		`{"order_id":"o","transaction_status":"partial_refund","refund_amount":"1000.00","refunds":[{"refund_key":"k","refund_amount":5},null,"x"]}`} {
		f.Add([]byte(s))
	}
	c := &Client{ServerKey: testKey}
	f.Fuzz(func(t *testing.T, payload []byte) {
		n, err := c.ParseNotification(payload)
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("refusal %v is not ErrInvalid", err)
			}
			return
		}
		switch n.Kind {
		case "", core.NotifyPayment, core.NotifySubscription, core.NotifyPayAccount:
		default:
			t.Fatalf("unknown kind %q", n.Kind)
		}
		if n.Kind != core.NotifyPayment {
			if n.SignatureValid {
				t.Fatal("an unsigned kind came out signed")
			}
			return
		}
		b, _ := decodeNotification(payload)
		want := Sign(field(b, "order_id"), field(b, "status_code"), field(b, "gross_amount"), testKey)
		if n.SignatureValid != (field(b, "signature_key") == want) {
			t.Fatalf("signature valid = %v for signature_key %q", n.SignatureValid, field(b, "signature_key"))
		}
		if n.Payment.GrossAmount.Valid() && n.Payment.GrossAmount.String() == "" {
			t.Fatal("a valid gross amount prints empty")
		}
		for _, l := range n.Payment.Refunds.Lines {
			if l.Key == "" || !l.Amount.Valid() {
				t.Fatalf("refund line %+v without a key or amount", l)
			}
		}
	})
}
