// Package redact removes Midtrans secrets from what the service shows:
// card tokens, saved tokens, GoPay payment-option tokens and signatures
// never reach an API answer or a page. It is a library of the adapters
// (the API and the web pages both show gateway data); it imports only the
// standard library.
package redact

import (
	"bytes"
	"encoding/json"
	"strings"
)

// secretKeys are Midtrans fields that are never shown: the saved-card
// token (shown only as masked_card), one-time card tokens, GoPay
// payment-option tokens and signatures. The token's expiry
// (saved_token_id_expired_at) and masked_card are kept.
var secretKeys = map[string]bool{
	"saved_token_id": true, "token_id": true, "card_token": true, "token": true,
	"payment_option_token": true, "signature_key": true, "signature": true,
	"server_key": true, "client_secret": true,
}

// Gateway copies a Midtrans status object or payment details without
// their secrets, at any depth. nil stays nil.
func Gateway(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if secretKeys[strings.ToLower(k)] {
			continue
		}
		out[k] = value(v)
	}
	return out
}

func value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return Gateway(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = value(e)
		}
		return out
	default:
		return v
	}
}

// Payload is a stored notification body for an admin to read: a JSON
// object is shown without its secrets (re-encoded, numbers kept as sent);
// anything else (an unreadable body, kept bounded) as it is.
func Payload(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return string(b)
	}
	out, err := json.Marshal(Gateway(m))
	if err != nil {
		return string(b)
	}
	return string(out)
}

// PayloadIndented is Payload laid out over several lines, for a page.
func PayloadIndented(b []byte) string {
	s := Payload(b)
	var out bytes.Buffer
	if json.Indent(&out, []byte(s), "", "  ") != nil {
		return s
	}
	return out.String()
}
