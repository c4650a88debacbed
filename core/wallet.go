package core

import "time"

// EntryType classifies a wallet ledger entry.
type EntryType string

const (
	EntryTopUp               EntryType = "top_up"
	EntrySubscriptionPayment EntryType = "subscription_payment"
	EntryRefund              EntryType = "refund"
	EntryAdjustment          EntryType = "adjustment"
	EntryReversal            EntryType = "reversal"
)

// Wallet is an owner's prepaid balance. Balance is a cache of the sum of
// its entries, written in the same transaction as each entry.
type Wallet struct {
	ID        string
	OwnerID   string
	Balance   Money
	IsActive  bool
	AutoPay   bool
	Entries   int // number of ledger entries, the next entry's sequence
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WalletEntry is one immutable ledger line.
type WalletEntry struct {
	ID            string
	WalletID      string
	Seq           int
	Type          EntryType
	Amount        Money // signed: credits positive, debits negative
	BalanceAfter  Money
	ReferenceType string
	ReferenceID   string
	Description   string
	CreatedAt     time.Time
}

// TopUpStatus follows its payment.
type TopUpStatus string

const (
	TopUpPending TopUpStatus = "pending"
	TopUpPaid    TopUpStatus = "paid"
	TopUpFailed  TopUpStatus = "failed"
	TopUpExpired TopUpStatus = "expired"
)

// TopUp is a request to fund a wallet through Midtrans.
type TopUp struct {
	ID          string
	OwnerID     string
	WalletID    string
	OrderID     string
	PaymentID   string
	Amount      Money
	Status      TopUpStatus
	PaymentType PaymentType
	Bank        string
	Details     map[string]any
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PaidAt      time.Time
}
