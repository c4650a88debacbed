package core

import "time"

// NotificationKind tells the three Midtrans notification shapes apart.
type NotificationKind string

const (
	NotifyPayment      NotificationKind = "payment"
	NotifySubscription NotificationKind = "subscription"
	NotifyPayAccount   NotificationKind = "pay_account"
)

// WebhookStatus is the processing state of a stored notification.
type WebhookStatus string

const (
	WebhookReceived  WebhookStatus = "received"  // stored, not yet applied
	WebhookProcessed WebhookStatus = "processed" // applied
	WebhookDuplicate WebhookStatus = "duplicate" // already applied before
	WebhookIgnored   WebhookStatus = "ignored"   // valid but changes nothing (stale, out of order)
	WebhookRejected  WebhookStatus = "rejected"  // bad signature or amount mismatch
	WebhookFailed    WebhookStatus = "failed"    // unknown order or an error
)

// WebhookLog is a Midtrans notification as received, stored before it is
// verified or applied so that nothing sent to us is ever lost.
type WebhookLog struct {
	ID             string
	Kind           NotificationKind
	OrderID        string
	EventKey       string // order_id|transaction_status|status_code: the dedupe key
	Payload        []byte
	SourceIP       string
	ReceivedAt     time.Time
	SignatureValid bool
	Status         WebhookStatus
	Error          string
	ProcessedAt    time.Time
	// PayloadSize and PayloadSHA256 describe the body as received when
	// Payload holds only its first bytes (an unverified notification is
	// kept in this bounded form); zero when Payload is the whole body.
	PayloadSize   int
	PayloadSHA256 string
	// ReplayOf is the log whose stored body an admin applied again
	// (ReapplyNotification) as this one, and ReplayBy that admin's user id.
	ReplayOf, ReplayBy string
}

// GatewayNotification is one notification body as the gateway adapter read
// it (Gateway.ParseNotification): its kind and the fields of that kind.
// Core never reads the body itself; it keeps the raw bytes for the webhook
// log.
type GatewayNotification struct {
	// Kind is "" for a JSON object of no shape the gateway knows.
	Kind NotificationKind
	// OrderID is the body's order id, whatever its kind (for the log).
	OrderID string
	// SignatureValid: a payment notification's signature holds (Midtrans
	// signs those). Subscription API and Pay Account notifications carry
	// none; core confirms them by reading them back from the gateway.
	SignatureValid bool

	Payment      PaymentNotice      // Kind NotifyPayment
	Subscription SubscriptionNotice // Kind NotifySubscription
	PayAccount   PayAccountNotice   // Kind NotifyPayAccount
}

// PaymentNotice is a transaction notification: the order's state as
// notified. Only what a notification is trusted for is set: OrderID,
// TransactionID, StatusCode, TransactionStatus and FraudStatus (lower
// case), PaymentType, GrossAmount, SavedTokenID, MaskedCard, Refunds and
// Raw (the decoded body, kept on the payment for audit).
type PaymentNotice struct {
	Transaction
	// GrossAmountText is gross_amount as sent (what was signed), for
	// messages; GrossAmount is not valid when it does not read as money.
	GrossAmountText string
}

// GatewayRefunds is what a refund notification or a status answer says was
// refunded of an order: the cumulative refund_amount and the refund lines.
type GatewayRefunds struct {
	// Amount is the cumulative refund_amount; not valid when AmountText,
	// the value as sent, is empty (absent) or does not read as money.
	Amount     Money
	AmountText string
	// Lines are the refunds listed, each with a key and a readable amount.
	Lines []GatewayRefundLine
}

// SubscriptionNotice is a Subscription API notification.
type SubscriptionNotice struct {
	ID string // the gateway's subscription id
	// ChargeEvent: the notification reports a charge of the subscription
	// (event subscription.charge); Charge is that charge's transaction, nil
	// when the notification names none.
	ChargeEvent bool
	Charge      *SubscriptionCharge
}

// SubscriptionCharge is the transaction a subscription charge notification
// names.
type SubscriptionCharge struct {
	StatusCode    string // "200" or "201" when it went through
	TransactionID string
}

// failed reports whether n reports a charge that did not go through.
func (n SubscriptionNotice) failed() bool {
	return n.ChargeEvent && (n.Charge == nil || (n.Charge.StatusCode != "200" && n.Charge.StatusCode != "201"))
}

// PayAccountNotice is a Pay Account (GoPay linking) notification.
type PayAccountNotice struct {
	AccountID string
}
