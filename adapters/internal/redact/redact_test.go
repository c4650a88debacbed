package redact

import (
	"strings"
	"testing"
)

func TestPayloadDropsSecretsAtAnyDepth(t *testing.T) {
	body := []byte(`{"order_id":"SUB-1","gross_amount":"49000.00","signature_key":"sig-SECRET","saved_token_id":"tok-SECRET",` +
		`"masked_card":"481111-1114","actions":[{"name":"x","Token":"opt-SECRET"}],"nested":{"card_token":"c-SECRET"}}`)
	for name, got := range map[string]string{"Payload": Payload(body), "PayloadIndented": PayloadIndented(body)} {
		if strings.Contains(got, "SECRET") {
			t.Errorf("%s keeps a secret: %s", name, got)
		}
		for _, keep := range []string{`"order_id"`, `"49000.00"`, `"481111-1114"`, `"name"`} {
			if !strings.Contains(got, keep) {
				t.Errorf("%s lost %s: %s", name, keep, got)
			}
		}
	}
	if !strings.Contains(PayloadIndented(body), "\n  \"order_id\"") {
		t.Errorf("PayloadIndented is not indented: %s", PayloadIndented(body))
	}
	for _, raw := range []string{"not json", `{"a":1} trailing`, `[1,2]`} {
		if got := Payload([]byte(raw)); got != raw {
			t.Errorf("Payload(%q) = %q, want it as it is", raw, got)
		}
	}
	if Gateway(nil) != nil {
		t.Error("Gateway(nil) is not nil")
	}
}
