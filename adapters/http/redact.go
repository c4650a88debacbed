package http

import (
	"bytes"
	"encoding/json"
	"strings"
)

// secretGatewayKeys are Midtrans fields that must never reach an API
// answer: the saved-card token (shown only as masked_card),
// one-time card tokens, GoPay payment-option tokens and signatures. The
// token's expiry (saved_token_id_expired_at) and masked_card are kept.
var secretGatewayKeys = map[string]bool{
	"saved_token_id": true, "token_id": true, "card_token": true, "token": true,
	"payment_option_token": true, "signature_key": true, "signature": true,
	"server_key": true, "client_secret": true,
}

// redactGateway copies a Midtrans status object or payment details
// without their secrets, at any depth. nil stays nil.
func redactGateway(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if secretGatewayKeys[strings.ToLower(k)] {
			continue
		}
		out[k] = redactValue(v)
	}
	return out
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return redactGateway(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(e)
		}
		return out
	default:
		return v
	}
}

// redactPayload is a stored notification body for the admin view: a JSON
// object is shown without its secrets (re-encoded, numbers kept as sent);
// anything else (an unreadable body, kept bounded) as it is.
func redactPayload(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return string(b)
	}
	out, err := json.Marshal(redactGateway(m))
	if err != nil {
		return string(b)
	}
	return string(out)
}
