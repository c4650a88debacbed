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
}
