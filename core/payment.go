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
// a PaymentStatus. Comparison is case-insensitive.
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
	// PurposeCardCheck is a pre-authorization that verifies a card given to
	// a trial and obtains its saved token; it is voided, never captured.
	PurposeCardCheck PaymentPurpose = "card_check"
)

// Refund is one refund of a payment.
type Refund struct {
	Key      string // deterministic refund_key sent to Midtrans
	Amount   Money
	Reason   string
	Direct   bool
	Status   string // RefundRequested, RefundDone or RefundFailed
	ToWallet bool
	// External: made outside this service (the Midtrans dashboard) and
	// learnt from a refund notification.
	External  bool
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
	// Refunded is derived from Refunds and GatewayRefunded (settleRefunded).
	Refunded Money
	// GatewayRefunded is Midtrans' cumulative refunded total as its last
	// refund notification reported it.
	GatewayRefunded Money
	Refunds         []Refund
	FailureReason   string

	ExpiresAt time.Time
	// RefundCheckAt is when the billing run next asks Midtrans whether this
	// settled payment was refunded at its dashboard (see refundChecks).
	RefundCheckAt time.Time
	PaidAt        time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Refundable is the settled amount neither refunded nor reserved by a
// refund still waiting for the gateway.
func (p Payment) Refundable() Money {
	cur := p.Amount.Currency()
	if !p.Status.Settled() {
		return Zero(cur)
	}
	left := p.Amount.Sub(orZero(p.Refunded, cur))
	for _, r := range p.Refunds {
		if r.Status == RefundRequested {
			left = left.Sub(r.Amount)
		}
	}
	return left
}

// settleRefunded derives the refunded total and the status from the
// refunds: refunds to the wallet, plus what Midtrans refunded, which is
// the larger of our own done gateway refunds and the cumulative total its
// last refund notification reported (refunds made at its dashboard
// included). Each rupiah is counted once whichever was learnt first.
func (p *Payment) settleRefunded() {
	wallet, gateway := p.refundParts()
	p.Refunded = wallet.Add(gateway)
	switch {
	case !p.Status.Settled() || !p.Refunded.IsPositive():
	case p.Refunded.Cmp(p.Amount) >= 0:
		p.Status = PaymentRefunded
	default:
		p.Status = PaymentPartiallyRefunded
	}
}

// refundParts splits what was refunded of p: to the wallet (a reclaimed
// wallet refund counts negative), and by Midtrans (see settleRefunded).
func (p Payment) refundParts() (wallet, gateway Money) {
	cur := p.Amount.Currency()
	wallet, gateway = Zero(cur), Zero(cur)
	for _, r := range p.Refunds {
		switch {
		case r.Status != RefundDone:
		case r.ToWallet:
			wallet = wallet.Add(r.Amount)
		default:
			gateway = gateway.Add(r.Amount)
		}
	}
	if g := orZero(p.GatewayRefunded, cur); g.Cmp(gateway) > 0 {
		gateway = g
	}
	return wallet, gateway
}

// RefundRequested reports whether a refund of p waits for the gateway.
func (p Payment) RefundRequested() bool {
	for _, r := range p.Refunds {
		if r.Status == RefundRequested {
			return true
		}
	}
	return false
}

func orZero(m Money, cur Currency) Money {
	if !m.Valid() {
		return Zero(cur)
	}
	return m
}
