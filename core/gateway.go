package core

import (
	"context"
	"time"
)

// Gateway is the payment gateway port (Midtrans Core, Subscription and Pay
// Account APIs). Implementations return errors wrapping one of
// ErrGatewayUnavailable (retryable), ErrPaymentDeclined, ErrGatewayRejected,
// ErrGatewayNotFound or ErrDuplicateOrder, usually as a *GatewayError.
// Callers never hold a store transaction open across a call.
type Gateway interface {
	Charge(ctx context.Context, req ChargeRequest) (Transaction, error)
	// CreateSnap opens a Snap checkout for a snap request (req.Snap set):
	// the answer is a pending Transaction whose Details carry snap_token and
	// redirect_url and whose ExpiryTime is the page's expiry.
	CreateSnap(ctx context.Context, req ChargeRequest) (Transaction, error)
	Status(ctx context.Context, orderID string) (Transaction, error)
	Cancel(ctx context.Context, orderID string) (Transaction, error)
	Expire(ctx context.Context, orderID string) (Transaction, error)
	Approve(ctx context.Context, orderID string) (Transaction, error)
	Deny(ctx context.Context, orderID string) (Transaction, error)
	Refund(ctx context.Context, orderID string, req RefundRequest) (RefundResult, error)

	CreateSubscription(ctx context.Context, req NativeSubscriptionRequest) (NativeSubscription, error)
	GetSubscription(ctx context.Context, id string) (NativeSubscription, error)
	UpdateSubscription(ctx context.Context, id string, upd NativeSubscriptionUpdate) error
	EnableSubscription(ctx context.Context, id string) error
	DisableSubscription(ctx context.Context, id string) error
	CancelSubscription(ctx context.Context, id string) error

	CreatePayAccount(ctx context.Context, req PayAccountRequest) (PayAccount, error)
	GetPayAccount(ctx context.Context, accountID string) (PayAccount, error)
	UnbindPayAccount(ctx context.Context, accountID string) (PayAccount, error)

	// ParseNotification reads a notification body: its kind, its fields and,
	// for a payment notification, whether its signature holds. A body that
	// is not a JSON object is an error wrapping ErrInvalid; an object of no
	// known shape has Kind "".
	ParseNotification(body []byte) (GatewayNotification, error)
}

// GatewayError carries what the gateway said. Kind is one of the gateway
// sentinels; Message and ValidationMessages never contain secrets.
type GatewayError struct {
	Kind               error
	Op                 string
	StatusCode         string // the body's status_code, or the HTTP status
	Message            string
	ValidationMessages []string
}

func (e *GatewayError) Error() string {
	msg := "midtrans " + e.Op + ": " + e.Kind.Error()
	if e.StatusCode != "" {
		msg += " (" + e.StatusCode + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (e *GatewayError) Unwrap() error { return e.Kind }

// ChargeItem is one item_details line; Σ Price×Quantity must equal the amount.
type ChargeItem struct {
	ID       string
	Name     string
	Price    Money
	Quantity int
}

// ChargeRequest is one /v2/charge.
type ChargeRequest struct {
	OrderID     string
	Amount      Money
	PaymentType PaymentType // never wallet or manual
	// Bank: bank_transfer bank (bca, bni, bri, cimb, permata); cstore store (alfamart, indomaret).
	Bank string
	// CardToken is a token_id or a saved_token_id for credit_card.
	CardToken      string
	SaveCard       bool
	Authentication bool // 3DS
	// PreAuthorize holds the amount without capturing it (credit_card.type
	// "authorize"); a cancel voids it. Used to verify a card and obtain its
	// saved token when nothing is charged yet (a trial).
	PreAuthorize bool
	// GopayPaymentOptionToken charges a linked GoPay account (tokenized).
	GopayPaymentOptionToken string
	// GopayAccountID is the linked account the token belongs to; Midtrans
	// requires gopay.account_id with payment_option_token.
	GopayAccountID string
	CallbackURL    string
	Customer       CustomerDetails
	Items          []ChargeItem
	ExpiryMinutes  int // 0 = the method's default
	IdempotencyKey string
	// NotificationURL, when set, overrides where Midtrans sends this order's notifications.
	NotificationURL string
	Metadata        map[string]any
	// Snap is set for a snap payment: a Snap token instead of a charge.
	Snap *SnapOptions
}

// Transaction is Midtrans' view of one order (charge, status, cancel, ...).
type Transaction struct {
	OrderID           string
	TransactionID     string
	StatusCode        string
	StatusMessage     string
	TransactionStatus string // lower-cased
	FraudStatus       string
	PaymentType       string
	GrossAmount       Money
	TransactionTime   time.Time
	SettlementTime    time.Time
	ExpiryTime        time.Time
	SavedTokenID      string
	SavedTokenExpiry  time.Time
	MaskedCard        string
	// LinkedAccountID is the GoPay account a customer linked on a Snap page
	// (metadata.extra_info.account_id).
	LinkedAccountID string
	// Details holds what a customer needs to pay: va_numbers/va_number/bank,
	// bill_key/biller_code, qr_string, actions (deeplink, qr url), payment_code,
	// redirect_url.
	Details map[string]any
	// Raw is the decoded body, for check-status answers and audit.
	Raw map[string]any
	// Refunds is what the answer says was refunded; nil when there was no
	// answer body to read it from.
	Refunds *GatewayRefunds
}

// RefundRequest is one refund; RefundKey makes a retry harmless.
type RefundRequest struct {
	RefundKey      string
	Amount         Money
	Reason         string
	Direct         bool // /refund/online/direct (GoPay, ShopeePay, QRIS)
	IdempotencyKey string
}

// RefundResult is Midtrans' answer to a refund.
type RefundResult struct {
	Transaction
	RefundAmount       Money
	RefundKey          string
	RefundChargebackID int64
}

// NativeSubscriptionRequest creates a Midtrans Subscription API subscription.
type NativeSubscriptionRequest struct {
	Name           string
	Amount         Money
	PaymentType    PaymentType // credit_card or gopay
	Token          string      // saved_token_id or GoPay payment_option_token
	Interval       int
	IntervalUnit   IntervalUnit // day, week, month
	MaxInterval    int          // 0 = until stopped
	StartTime      time.Time
	RetryInterval  int
	RetryUnit      string // minute, hour, day
	RetryMax       int
	GopayAccountID string
	Customer       CustomerDetails
	Metadata       map[string]any
	IdempotencyKey string
}

// NativeSubscription is Midtrans' subscription object.
type NativeSubscription struct {
	ID                  string
	Name                string
	Status              string // active or inactive
	Amount              Money
	Token               string
	PaymentType         string
	Interval            int
	IntervalUnit        string
	MaxInterval         int
	CurrentInterval     int
	StartTime           time.Time
	NextExecutionAt     time.Time
	PreviousExecutionAt time.Time
	TransactionIDs      []string
	GopayAccountID      string
	Metadata            map[string]any
}

// NativeSubscriptionUpdate is a PATCH; nil fields are left alone.
type NativeSubscriptionUpdate struct {
	Name     *string
	Amount   *Money
	Token    *string
	Interval *int
}

// PayAccountRequest links a GoPay account.
type PayAccountRequest struct {
	PhoneNumber string // without country code or leading 0
	CountryCode string // "62"
	RedirectURL string
}

// PaymentOption is one funding source of a linked GoPay account.
type PaymentOption struct {
	Name    string
	Token   string
	Active  bool
	Balance Money
}

// PayAccount is a GoPay account link.
type PayAccount struct {
	AccountID        string
	Status           string // PENDING, ENABLED, DISABLED, EXPIRED
	ActivationURL    string
	ActivationAppURL string
	PaymentOptions   []PaymentOption
}
