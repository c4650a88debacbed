package core

import (
	"strings"
	"time"
)

// PaymentStatus is our reading of a Midtrans transaction.
type PaymentStatus string

const (
	// PaymentCreating: written with its order id, gateway not yet called (or
	// the answer was lost). Reconciliation repairs it.
	PaymentCreating          PaymentStatus = "creating"
	PaymentPending           PaymentStatus = "pending"
	PaymentChallenge         PaymentStatus = "challenge" // capture + challenge: held for review
	PaymentPaid              PaymentStatus = "paid"
	PaymentFailed            PaymentStatus = "failed" // deny, failure, or the gateway refused the charge
	PaymentCancelled         PaymentStatus = "cancelled"
	PaymentExpired           PaymentStatus = "expired"
	PaymentRefunded          PaymentStatus = "refunded"
	PaymentPartiallyRefunded PaymentStatus = "partially_refunded"
)

// rank orders statuses so that notifications apply monotonically: a status
// never moves to a lower rank (a late "pending" after "settlement" is ignored).
func (s PaymentStatus) rank() int {
	switch s {
	case PaymentCreating:
		return 0
	case PaymentPending:
		return 1
	case PaymentChallenge:
		return 2
	case PaymentPaid:
		return 3
	case PaymentPartiallyRefunded:
		return 4
	case PaymentRefunded:
		return 5
	case PaymentFailed, PaymentCancelled, PaymentExpired:
		return 3
	}
	return 0
}

// Open reports whether the payment may still be paid.
func (s PaymentStatus) Open() bool {
	return s == PaymentCreating || s == PaymentPending || s == PaymentChallenge
}

// Settled reports whether money was received.
func (s PaymentStatus) Settled() bool {
	return s == PaymentPaid || s == PaymentPartiallyRefunded || s == PaymentRefunded
}

// Unpaid terminal states: the order will never be paid.
func (s PaymentStatus) Dead() bool {
	return s == PaymentFailed || s == PaymentCancelled || s == PaymentExpired
}

// MapTransactionStatus maps Midtrans transaction_status (+ fraud_status) to
// a PaymentStatus. Comparison is case-insensitive (facts §4.1).
func MapTransactionStatus(txStatus, fraud string) (PaymentStatus, bool) {
	switch strings.ToLower(txStatus) {
	case "pending", "authorize":
		return PaymentPending, true
	case "settlement":
		return PaymentPaid, true
	case "capture":
		switch strings.ToLower(fraud) {
		case "challenge":
			return PaymentChallenge, true
		case "deny":
			return PaymentFailed, true
		}
		return PaymentPaid, true
	case "deny", "failure":
		return PaymentFailed, true
	case "cancel":
		return PaymentCancelled, true
	case "expire":
		return PaymentExpired, true
	case "refund", "chargeback":
		return PaymentRefunded, true
	case "partial_refund", "partial_chargeback":
		return PaymentPartiallyRefunded, true
	}
	return "", false
}

// CanMove reports whether a payment in status from may take status to.
// Dead and settled states absorb everything but refunds of settled money.
func (s PaymentStatus) CanMove(to PaymentStatus) bool {
	if s == to {
		return false
	}
	switch {
	case s.Open():
		return to.rank() > s.rank() || (s == PaymentChallenge && to.Dead())
	case s == PaymentPaid:
		return to == PaymentRefunded || to == PaymentPartiallyRefunded
	case s == PaymentPartiallyRefunded:
		return to == PaymentRefunded
	}
	return false
}

// PaymentPurpose says what a payment pays for.
type PaymentPurpose string

const (
	PurposeSubscription PaymentPurpose = "subscription"
	PurposeTopUp        PaymentPurpose = "topup"
)

// Refund is one refund of a payment.
type Refund struct {
	Key       string // deterministic refund_key sent to Midtrans
	Amount    Money
	Reason    string
	Direct    bool
	Status    string // requested, done, failed
	ToWallet  bool
	CreatedAt time.Time
}

// Payment is one Midtrans order (or one wallet debit).
type Payment struct {
	ID             string
	OwnerID        string
	Purpose        PaymentPurpose
	SubscriptionID string
	InvoiceID      string
	TopUpID        string

	OrderID        string
	TransactionID  string
	PaymentType    PaymentType
	Bank           string
	Amount         Money
	Status         PaymentStatus
	FraudStatus    string
	Details        map[string]any // what the customer needs: VA number, bill key, QR, deeplink
	MidtransStatus map[string]any // the last raw status seen from Midtrans
	Cycle          int
	Attempt        int
	RetryCount     int
	IsRetry        bool
	IdempotencyKey string
	Superseded     bool // replaced by a newer order for the same invoice
	Refunded       Money
	Refunds        []Refund
	FailureReason  string

	ExpiresAt time.Time
	PaidAt    time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Refundable is the settled amount not yet refunded.
func (p Payment) Refundable() Money {
	if !p.Status.Settled() {
		return Zero(p.Amount.Currency())
	}
	r := p.Refunded
	if !r.Valid() {
		r = Zero(p.Amount.Currency())
	}
	return p.Amount.Sub(r)
}
