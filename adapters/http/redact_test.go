package http

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/langganan/langganan/core"
)

var cardSecrets = []string{"saved-tok-4811-SECRET", "tok-once-SECRET", "sig-SECRET", "gopay-opt-SECRET"}

// Payments shown to their owner, and to an admin, carry no card token,
// saved token or signature, at any depth; the masked card and the token's
// expiry stay.
func TestPaymentAnswersCarryNoSecrets(t *testing.T) {
	t.Parallel()
	e, store, budi, _ := newNotifEnv(t)
	now := t0
	p := core.Payment{ID: "99999999-9999-4999-8999-999999999991", OwnerID: budi.ID, Purpose: core.PurposeTopUp,
		OrderID: "ORDER-1", PaymentType: core.PayCreditCard, Amount: core.MoneyFromRupiah(49000, core.IDR),
		Refunded: core.Zero(core.IDR), Status: core.PaymentPaid, CreatedAt: now, UpdatedAt: now,
		Details: map[string]any{"masked_card": "481111-1114", "saved_token_id": cardSecrets[0], "token_id": cardSecrets[1]},
		MidtransStatus: map[string]any{"status_code": "200", "saved_token_id": cardSecrets[0], "Saved_Token_ID_Expired_At": "2030-01-01 00:00:00",
			"masked_card": "481111-1114", "signature_key": cardSecrets[2],
			"actions": []any{map[string]any{"name": "x", "token": cardSecrets[3]}},
			"nested":  map[string]any{"card_token": cardSecrets[1]}}}
	if err := store.Update(context.Background(), func(tx core.Tx) error { return tx.Payments().Put(p) }); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{asUser, asAdmin} {
		st, b, _ := e.do(t, call{method: "GET", path: "/api/payments/" + p.ID + "/", auth: who})
		if st != 200 {
			t.Fatalf("get payment = %d %v", st, b)
		}
		raw, _ := json.Marshal(b)
		for _, s := range cardSecrets {
			if strings.Contains(string(raw), s) {
				t.Errorf("payment answer carries a secret %q: %s", s, raw)
			}
		}
		if !strings.Contains(string(raw), "481111-1114") || !strings.Contains(string(raw), "2030-01-01") {
			t.Errorf("masked card or token expiry missing: %s", raw)
		}
	}
	if _, b, _ := e.do(t, call{method: "GET", path: "/api/payments/", auth: asUser}); strings.Contains(mustJSON(b), "SECRET") {
		t.Errorf("payment list carries a secret: %v", b)
	}
}

func TestRedactGateway(t *testing.T) {
	in := map[string]any{"a": 1, "TOKEN": "x", "list": []any{map[string]any{"signature_key": "s", "ok": true}, "plain"}}
	out := redactGateway(in)
	if _, ok := out["TOKEN"]; ok {
		t.Error("TOKEN kept")
	}
	l := out["list"].([]any)
	if m := l[0].(map[string]any); m["signature_key"] != nil || m["ok"] != true || l[1] != "plain" {
		t.Errorf("list = %v", l)
	}
	if in["TOKEN"] != "x" {
		t.Error("input changed")
	}
	if redactGateway(nil) != nil {
		t.Error("nil became non-nil")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The admin's view of stored notifications shows no saved token either.
func TestWebhookLogPayloadRedacted(t *testing.T) {
	got := redactPayload([]byte(`{"order_id":"o","gross_amount":"1.00","saved_token_id":"481111SECRET","signature_key":"sigSECRET","n":1.50}`))
	if strings.Contains(got, "SECRET") || !strings.Contains(got, `"order_id":"o"`) || !strings.Contains(got, `"n":1.50`) {
		t.Errorf("redacted payload = %s", got)
	}
	if got := redactPayload([]byte("not json SECRET")); got != "not json SECRET" {
		t.Errorf("unreadable payload = %q, want as stored", got)
	}
}
