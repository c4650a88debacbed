package core

import "time"

// PaymentMethodStatus is pending (linking), active or disabled.
type PaymentMethodStatus string

const (
	MethodPending  PaymentMethodStatus = "pending"
	MethodActive   PaymentMethodStatus = "active"
	MethodDisabled PaymentMethodStatus = "disabled"
)

// PaymentMethod is a reusable way to pay: a linked GoPay account (Pay
// Account API) or a saved card token.
type PaymentMethod struct {
	ID            string
	OwnerID       string
	Type          PaymentType // gopay or credit_card
	AccountID     string      // GoPay pay-account id
	Token         string      // card saved_token_id, or GoPay payment_option_token
	MaskedCard    string
	Status        PaymentMethodStatus
	ActivationURL string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
