package core

import (
	"bytes"
	"errors"
	"testing"
)

// The bounded form of an unverified body keeps at most
// UnverifiedPayloadKeep bytes, a prefix, with the whole body's size and
// digest, and at most 512 bytes of error. (Notification bodies themselves
// are parsed, and fuzzed, in the gateway adapter.)
func TestBoundPayload(t *testing.T) {
	for _, n := range []int{0, 1, UnverifiedPayloadKeep - 1, UnverifiedPayloadKeep, UnverifiedPayloadKeep + 1, 60 << 10} {
		payload := bytes.Repeat([]byte("a"), n)
		log := WebhookLog{Payload: append([]byte(nil), payload...), Error: string(payload)}
		bound(&log)
		if len(log.Payload) > UnverifiedPayloadKeep || log.PayloadSize != len(payload) || len(log.PayloadSHA256) != 64 || len(log.Error) > 512 {
			t.Fatalf("%d bytes: %d kept, size %d, digest %q, error %d", n, len(log.Payload), log.PayloadSize, log.PayloadSHA256, len(log.Error))
		}
		if !bytes.HasPrefix(payload, log.Payload) || len(log.Payload) != min(n, UnverifiedPayloadKeep) {
			t.Fatalf("%d bytes: the bounded payload is not the body's first %d", n, min(n, UnverifiedPayloadKeep))
		}
		before := log
		bound(&log)
		if log.PayloadSize != before.PayloadSize || log.PayloadSHA256 != before.PayloadSHA256 {
			t.Fatalf("%d bytes: bounding twice changed size or digest", n)
		}
	}
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
