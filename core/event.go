package core

import "time"

// Event types appended to the outbox.
const (
	EvSubscriptionCreated     = "subscription.created"
	EvSubscriptionActivated   = "subscription.activated"
	EvSubscriptionRenewed     = "subscription.renewed"
	EvSubscriptionPastDue     = "subscription.past_due"
	EvSubscriptionPaused      = "subscription.paused"
	EvSubscriptionResumed     = "subscription.resumed"
	EvSubscriptionCancelled   = "subscription.cancelled"
	EvSubscriptionExpired     = "subscription.expired"
	EvSubscriptionPlanChanged = "subscription.plan_changed"
	// EvSubscriptionPlanChangeFailed: an upgrade's proration order failed
	// or expired, so the subscription stays on its plan.
	EvSubscriptionPlanChangeFailed = "subscription.plan_change_failed"
	EvSubscriptionTrialEnding      = "subscription.trial_ending"
	EvSubscriptionExpiringSoon     = "subscription.expiring_soon"
	EvPaymentSucceeded             = "payment.succeeded"
	EvPaymentFailed                = "payment.failed"
	EvPaymentRefunded              = "payment.refunded"
	EvInvoiceIssued                = "invoice.issued"
	EvInvoicePaid                  = "invoice.paid"
	EvInvoiceOverdue               = "invoice.overdue"
	EvTopUpSucceeded               = "topup.succeeded"
	EvWalletDebited                = "wallet.debited"
	EvWalletCredited               = "wallet.credited"
	EvAlert                        = "alert"
)

// Event is a fact appended to the outbox in the same transaction as the
// change that caused it. The relay delivers it at least once; ID is stable
// across redeliveries so receivers can deduplicate.
type Event struct {
	Seq        uint64 // assigned by the store
	ID         string
	Type       string
	OwnerID    string // who it concerns (user or organization)
	OccurredAt time.Time
	Data       map[string]any
}
