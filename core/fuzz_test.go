package core

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzNotificationParse feeds arbitrary bodies to the notification parser
// (decode, classify, field reads, the bounded form of an unverified body):
// nothing may panic, a refusal is ErrInvalid, and the bounded form keeps at
// most UnverifiedPayloadKeep bytes with the body's size and digest.
func FuzzNotificationParse(f *testing.F) {
	for _, s := range []string{``, `{}`, `null`, `[]`, `"x"`, `{"order_id":"SUB-1","transaction_status":"settlement","status_code":"200","gross_amount":"49000.00","signature_key":"x"}`,
		`{"event_name":"subscription.charge","subscription":{"id":"s"},"transaction":{"status_code":"200","transaction_id":"t"}}`,
		`{"account_id":"a","account_status":"ENABLED"}`, `{"order_id":1e400,"transaction_status":[]}`, `{"schedule":{},"id":5}`,
		`{"order_id":"` + string(bytes.Repeat([]byte("a"), 2000)) + `"}`, "{\"a\":\"\xff\"}", `{"a":1} trailing`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		body, err := decodeNotification(payload)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refusal %v is not ErrInvalid", err)
			}
		} else {
			kind := classify(body)
			for _, k := range []string{"order_id", "transaction_status", "status_code", "gross_amount", "signature_key", "event_name", "id"} {
				_ = str(body, k)
			}
			switch kind {
			case "", NotifyPayment, NotifySubscription, NotifyPayAccount:
			default:
				t.Fatalf("unknown kind %q", kind)
			}
		}
		log := WebhookLog{Payload: append([]byte(nil), payload...), Error: string(payload)}
		bound(&log)
		if len(log.Payload) > UnverifiedPayloadKeep || log.PayloadSize != len(payload) || len(log.PayloadSHA256) != 64 || len(log.Error) > 512 {
			t.Fatalf("bounded form: %d bytes kept, size %d of %d, digest %q", len(log.Payload), log.PayloadSize, len(payload), log.PayloadSHA256)
		}
		if !bytes.HasPrefix(payload, log.Payload) {
			t.Fatal("bounded payload is not a prefix of the body")
		}
	})
}

// FuzzParseMoney: no panic; an accepted amount has at most two places,
// prints as a decimal string that parses back to the same amount, and
// anything refused is ErrInvalid.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"", "0", "49000", "49000.00", "49000.005", "-1", "--1", "1e3", "NaN", "Inf", " 12.5 ", ".5", "5.",
		"0x10", "١٢٣", "99999999999999999999999999999999.99", "1.2.3", "+1", "-0.00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s, IDR)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseMoney(%q): %v is not ErrInvalid", s, err)
			}
			return
		}
		back, err := ParseMoney(m.String(), IDR)
		if err != nil || !back.Equal(m) {
			t.Fatalf("ParseMoney(%q) = %s, which parses back to %v, %v", s, m, back, err)
		}
		if m.amount.Exponent() < -2 && !m.amount.Equal(m.amount.Round(2)) {
			t.Fatalf("ParseMoney(%q) kept more than two places: %s", s, m.amount)
		}
	})
}
