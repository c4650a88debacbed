package midtrans

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/langganan/langganan/core"
)

// ParseNotification reads a Midtrans notification body. Payment, Subscription
// API and Pay Account notifications come to one URL and are told apart by
// shape; only payment notifications are signed
// (https://docs.midtrans.com/docs/https-notification-webhooks):
// signature_key is SHA-512(order_id + status_code + gross_amount + server
// key) over the exact strings sent.
func (c *Client) ParseNotification(body []byte) (core.GatewayNotification, error) {
	b, err := decodeNotification(body)
	if err != nil {
		return core.GatewayNotification{}, err
	}
	n := core.GatewayNotification{Kind: classify(b), OrderID: field(b, "order_id")}
	switch n.Kind {
	case core.NotifyPayment:
		n.Payment = paymentNotice(b)
		n.SignatureValid = c.VerifySignature(field(b, "order_id"), field(b, "status_code"), field(b, "gross_amount"),
			field(b, "signature_key"))
	case core.NotifySubscription:
		n.Subscription = subscriptionNotice(b)
	case core.NotifyPayAccount:
		n.PayAccount = core.PayAccountNotice{AccountID: field(b, "account_id")}
	}
	return n, nil
}

// decodeNotification reads the body's first JSON value, which must be an
// object; numbers stay exact (json.Number).
func decodeNotification(payload []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, core.Invalidf("the notification body is not a JSON object")
	}
	return body, nil
}

// classify tells the three notification shapes apart; "" for none.
func classify(b map[string]any) core.NotificationKind {
	switch {
	case b["event_name"] != nil || (b["schedule"] != nil && b["id"] != nil) || b["subscription"] != nil:
		return core.NotifySubscription
	case b["account_id"] != nil && b["account_status"] != nil:
		return core.NotifyPayAccount
	case b["order_id"] != nil && b["transaction_status"] != nil:
		return core.NotifyPayment
	}
	return ""
}

// field renders a notification value as the string that was signed and is
// deduplicated on: strings as sent, numbers in their exact text, anything
// else printed.
func field(b map[string]any, k string) string {
	switch v := b[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// paymentNotice is what a transaction notification is trusted for once
// its signature holds; the rest of the body is kept in Raw for audit.
func paymentNotice(b map[string]any) core.PaymentNotice {
	gross := field(b, "gross_amount")
	t := core.Transaction{
		OrderID:           field(b, "order_id"),
		TransactionID:     field(b, "transaction_id"),
		StatusCode:        field(b, "status_code"),
		TransactionStatus: strings.ToLower(field(b, "transaction_status")),
		FraudStatus:       strings.ToLower(field(b, "fraud_status")),
		PaymentType:       field(b, "payment_type"),
		SavedTokenID:      field(b, "saved_token_id"),
		MaskedCard:        field(b, "masked_card"),
		Raw:               b,
		Refunds:           refundsOf(b),
		LinkedAccountID:   snapLinkedAccount(b),
	}
	if m, err := core.ParseMoney(gross, core.IDR); err == nil {
		t.GrossAmount = m // a fraction of a sen, or no amount, stays invalid
	}
	return core.PaymentNotice{Transaction: t, GrossAmountText: gross}
}

// refundsOf reads what a refund notification or a status answer says was
// refunded: the cumulative refund_amount and the refunds list (entries
// without a key or a readable amount are left out).
func refundsOf(b map[string]any) *core.GatewayRefunds {
	r := &core.GatewayRefunds{AmountText: field(b, "refund_amount")}
	if m, err := core.ParseMoney(r.AmountText, core.IDR); err == nil {
		r.Amount = m
	}
	entries, _ := b["refunds"].([]any)
	for _, x := range entries {
		e, _ := x.(map[string]any)
		m, err := core.ParseMoney(field(e, "refund_amount"), core.IDR)
		if key := field(e, "refund_key"); err == nil && key != "" {
			r.Lines = append(r.Lines, core.GatewayRefundLine{Key: key, Amount: m, Reason: field(e, "reason")})
		}
	}
	return r
}

// subscriptionNotice reads a Subscription API notification: the
// subscription object is either nested under "subscription" or the body
// itself, and a charge names its transaction.
func subscriptionNotice(b map[string]any) core.SubscriptionNotice {
	sub, _ := b["subscription"].(map[string]any)
	if sub == nil {
		sub = b
	}
	n := core.SubscriptionNotice{ID: field(sub, "id"), ChargeEvent: field(b, "event_name") == "subscription.charge"}
	if tx, ok := b["transaction"].(map[string]any); ok {
		n.Charge = &core.SubscriptionCharge{StatusCode: field(tx, "status_code"), TransactionID: field(tx, "transaction_id")}
	}
	return n
}
