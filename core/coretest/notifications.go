package coretest

import (
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"

	"github.com/langganan/langganan/core"
)

// The fake gateway's notification bodies are its own JSON rendering of a
// typed notification (notice), not Midtrans' wire format: core never reads
// a body, the gateway adapter does (adapters/midtrans parses and tests the
// real one), so the fake needs only to read back what its builders wrote.
// Payment notifications are still signed, so a forged one is refused.
type notice struct {
	Kind core.NotificationKind

	OrderID, TransactionID, StatusCode, TransactionStatus, FraudStatus string `json:",omitempty"`
	PaymentType, GrossAmount, RefundAmount, SavedTokenID, MaskedCard   string `json:",omitempty"`
	LinkedAccountID                                                    string `json:",omitempty"`
	Signature                                                          string `json:",omitempty"`

	SubscriptionID string                   `json:",omitempty"`
	ChargeEvent    bool                     `json:",omitempty"`
	Charge         *core.SubscriptionCharge `json:",omitempty"`

	AccountID string `json:",omitempty"`
}

func (n notice) body() []byte {
	b, err := json.Marshal(n)
	if err != nil {
		panic(err)
	}
	return b
}

// Sign is the fake's notification signature under ServerKey (Midtrans'
// formula: SHA-512 of order id, status code, gross amount and key).
func Sign(orderID, code, gross string) string {
	h := sha512.Sum512([]byte(orderID + code + gross + ServerKey))
	return hex.EncodeToString(h[:])
}

// Notification builds a signed payment notification body.
func Notification(orderID, status, code, gross, txID string) []byte {
	return notice{Kind: core.NotifyPayment, OrderID: orderID, TransactionStatus: status, StatusCode: code, GrossAmount: gross,
		TransactionID: txID, FraudStatus: "accept", PaymentType: "bank_transfer", Signature: Sign(orderID, code, gross)}.body()
}

// RefundNotification builds the signed notification of a refund, carrying
// Midtrans' cumulative refund_amount.
func RefundNotification(orderID, status, gross string, total core.Money) []byte {
	return notice{Kind: core.NotifyPayment, OrderID: orderID, TransactionStatus: status, StatusCode: "200", GrossAmount: gross,
		RefundAmount: total.String(), PaymentType: "qris", Signature: Sign(orderID, "200", gross)}.body()
}

// Forged is a payment notification body with its signature broken.
func Forged(body []byte) []byte {
	var n notice
	if err := json.Unmarshal(body, &n); err != nil {
		panic("coretest: not a notification body: " + err.Error())
	}
	n.Signature = "00" + n.Signature[min(2, len(n.Signature)):]
	return n.body()
}

// SubscriptionNotification builds a Subscription API notification (which
// Midtrans does not sign) for subscription id; charge event names the
// charge's transaction, if any.
func SubscriptionNotification(id string, chargeEvent bool, charge *core.SubscriptionCharge) []byte {
	return notice{Kind: core.NotifySubscription, SubscriptionID: id, ChargeEvent: chargeEvent, Charge: charge}.body()
}

// PayAccountNotification builds a Pay Account notification (unsigned).
func PayAccountNotification(accountID string) []byte {
	return notice{Kind: core.NotifyPayAccount, AccountID: accountID}.body()
}

// ParseNotification reads a body the builders above wrote.
func (g *Gateway) ParseNotification(body []byte) (core.GatewayNotification, error) {
	var n notice
	if err := json.Unmarshal(body, &n); err != nil {
		return core.GatewayNotification{}, core.Invalidf("the notification body is not a JSON object")
	}
	out := core.GatewayNotification{Kind: n.Kind, OrderID: n.OrderID}
	switch n.Kind {
	case core.NotifyPayment:
		want := Sign(n.OrderID, n.StatusCode, n.GrossAmount)
		out.SignatureValid = subtle.ConstantTimeCompare([]byte(n.Signature), []byte(want)) == 1
		var raw map[string]any
		_ = json.Unmarshal(body, &raw)
		t := core.Transaction{OrderID: n.OrderID, TransactionID: n.TransactionID, StatusCode: n.StatusCode,
			TransactionStatus: n.TransactionStatus, FraudStatus: n.FraudStatus, PaymentType: n.PaymentType,
			SavedTokenID: n.SavedTokenID, MaskedCard: n.MaskedCard, LinkedAccountID: n.LinkedAccountID, Raw: raw,
			Refunds: &core.GatewayRefunds{AmountText: n.RefundAmount}}
		if m, err := core.ParseMoney(n.GrossAmount, core.IDR); err == nil {
			t.GrossAmount = m
		}
		if m, err := core.ParseMoney(n.RefundAmount, core.IDR); err == nil {
			t.Refunds.Amount = m
		}
		out.Payment = core.PaymentNotice{Transaction: t, GrossAmountText: n.GrossAmount}
	case core.NotifySubscription:
		out.Subscription = core.SubscriptionNotice{ID: n.SubscriptionID, ChargeEvent: n.ChargeEvent, Charge: n.Charge}
	case core.NotifyPayAccount:
		out.PayAccount = core.PayAccountNotice{AccountID: n.AccountID}
	case "":
	default:
		out.Kind = ""
	}
	return out, nil
}
