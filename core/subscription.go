package core

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SubscriptionStatus is the lifecycle state of a subscription.
type SubscriptionStatus string

const (
	SubPending   SubscriptionStatus = "pending"
	SubTrialing  SubscriptionStatus = "trialing"
	SubActive    SubscriptionStatus = "active"
	SubPastDue   SubscriptionStatus = "past_due"
	SubPaused    SubscriptionStatus = "paused"
	SubCancelled SubscriptionStatus = "cancelled"
	SubExpired   SubscriptionStatus = "expired"
)

// AllSubscriptionStatuses lists every status, for validation and tests.
var AllSubscriptionStatuses = []SubscriptionStatus{SubPending, SubTrialing, SubActive, SubPastDue, SubPaused, SubCancelled, SubExpired}

func ParseSubscriptionStatus(s string) (SubscriptionStatus, error) {
	for _, v := range AllSubscriptionStatuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: unknown subscription status %q", ErrInvalid, s)
}

// transitions is the whole lifecycle: a move not listed here is refused
// with ErrConflict. Terminal states (cancelled, expired) have no exits.
var transitions = map[SubscriptionStatus][]SubscriptionStatus{
	SubPending:  {SubActive, SubTrialing, SubCancelled, SubExpired},
	SubTrialing: {SubActive, SubPastDue, SubPaused, SubCancelled, SubExpired},
	SubActive:   {SubActive, SubPastDue, SubPaused, SubCancelled, SubExpired},
	SubPastDue:  {SubActive, SubPaused, SubCancelled, SubExpired},
	SubPaused:   {SubActive, SubTrialing, SubPastDue, SubCancelled, SubExpired},
}

// CanTransition reports whether from → to is allowed.
func CanTransition(from, to SubscriptionStatus) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s SubscriptionStatus) Terminal() bool { return s == SubCancelled || s == SubExpired }

// Live reports whether the subscription still counts against the
// one-live-subscription-per-owner-and-plan rule.
func (s SubscriptionStatus) Live() bool { return !s.Terminal() }

// HasAccess reports whether the owner may use the plan's features. Past due
// keeps access until expiry (the documented dunning default).
func (s SubscriptionStatus) HasAccess() bool {
	return s == SubActive || s == SubTrialing || s == SubPastDue
}

// PaymentType is how a subscription or top-up is paid.
type PaymentType string

const (
	PayBankTransfer PaymentType = "bank_transfer"
	PayEchannel     PaymentType = "echannel"
	PayGopay        PaymentType = "gopay"
	PayShopeepay    PaymentType = "shopeepay"
	PayQRIS         PaymentType = "qris"
	PayCStore       PaymentType = "cstore"
	PayCreditCard   PaymentType = "credit_card"
	PayWallet       PaymentType = "wallet"
	PayManual       PaymentType = "manual"
	// PaySnap: the customer picks the method on Midtrans' Snap page.
	PaySnap PaymentType = "snap"
)

// AllPaymentTypes lists the accepted payment types.
var AllPaymentTypes = []PaymentType{PayBankTransfer, PayEchannel, PayGopay, PayShopeepay, PayQRIS, PayCStore, PayCreditCard, PayWallet, PayManual, PaySnap}

func ParsePaymentType(s string) (PaymentType, error) {
	for _, v := range AllPaymentTypes {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: unknown payment_type %q", ErrInvalid, s)
}

// Banks accepted for bank_transfer virtual accounts.
var Banks = []string{"bca", "bni", "bri", "cimb", "permata"}

// checkBank defaults and validates the bank (bank_transfer) or store
// (cstore) of a payment type, reporting a problem under field.
func checkBank(ptype PaymentType, bank, field string, fe FieldErrors) string {
	switch ptype {
	case PayBankTransfer:
		if bank == "" {
			bank = "bca"
		}
		if !slices.Contains(Banks, bank) {
			fe.Add(field, "one of bca, bni, bri, cimb, permata")
		}
	case PayCStore:
		if bank == "" {
			bank = "indomaret"
		}
		if bank != "alfamart" && bank != "indomaret" {
			fe.Add(field, "alfamart or indomaret")
		}
	}
	return bank
}

// CustomerDetails is passed to Midtrans with every charge.
type CustomerDetails struct {
	FirstName string
	LastName  string
	Email     string
	Phone     string
}

// PlanChange records one plan change, kept in the subscription's history.
type PlanChange struct {
	FromPlanID string
	ToPlanID   string
	At         time.Time
	Immediate  bool
	Proration  string // net prorated amount charged (negative: credited)
}

// Subscription is an owner's recurring purchase of a plan.
type Subscription struct {
	ID        string
	OwnerID   string // a user id, or an organization id
	CreatedBy string // the user who created it
	PlanID    string
	Quantity  int // seats for per-seat plans; 1 otherwise

	Status          SubscriptionStatus
	PaymentType     PaymentType
	Bank            string // for bank_transfer and cstore (store name)
	PaymentMethodID string // saved card or linked GoPay account
	CardToken       string // saved_token_id for card charges
	GopayAccountID  string
	CustomerDetails CustomerDetails

	// MidtransSubscriptionID is set for native (Midtrans-scheduled) subscriptions.
	MidtransSubscriptionID string
	// NativeAmount is what Midtrans was last told to charge; NativeDisabled
	// says it was told not to charge (paused, ending, or a cycle this
	// service charges itself).
	NativeAmount   Money
	NativeDisabled bool

	// Anchor is the billing anchor: every period boundary is computed from
	// it. Cycle AnchorCycle+1 starts at Anchor (a resume after a pause
	// re-anchors at the moved period end).
	Anchor             time.Time
	AnchorCycle        int
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	TrialStart         time.Time
	TrialEnd           time.Time
	// Cycle counts paid periods (0 until the first payment).
	Cycle           int
	NextBillingDate time.Time

	// NextActionAt is when the billing engine must next look at this
	// subscription (renewal, trial end, retry, grace expiry, period-end
	// cancel, end date, reminder). The store indexes it.
	NextActionAt time.Time
	// DunningAttempts counts failed charges for the open cycle.
	DunningAttempts int
	PastDueSince    time.Time
	RemindersSent   int // expiring-soon reminders sent for the current period (bitmask of 7,3,1 days)

	CancelAtPeriodEnd bool
	CancelledAt       time.Time
	CancelReason      string
	EndsAt            time.Time // optional fixed end date
	PausedAt          time.Time
	AutoPay           bool // renew from the wallet when it covers the amount

	CouponID         string
	CouponCyclesLeft int // for repeating coupons; -1 forever

	ScheduledPlanID string // a plan change due at period end
	// PendingPlanID is an immediate upgrade waiting for its proration
	// invoice (PendingPlanInvoiceID) to be paid; the plan stays until then.
	PendingPlanID        string
	PendingPlanInvoiceID string
	PlanHistory          []PlanChange
	// PendingCredit is proration carried to the next invoice before PPN
	// (quantity changes; a downgrade's credit that no credit note covers).
	PendingCredit Money
	// CreditNoteBalance is credit from credit notes (an immediate
	// downgrade's), PPN included: the next invoices take it after PPN, as
	// money already paid.
	CreditNoteBalance Money

	// Metadata is the client's free-form object, in which this service
	// also keeps state of its own under reserved keys (reservedMetaKey).
	Metadata  map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// reservedMetaKey reports whether a Metadata key is this service's own:
// state the engine acts on (the Midtrans schedule's history, whether it
// was cancelled or checked, the status a pause came from, Snap choices) or
// history it keeps for integrations. A client's metadata may not set them,
// or it could steer the engine (a forged "midtrans_cancelled" would start
// a second Midtrans schedule beside the live one).
func reservedMetaKey(k string) bool {
	switch k {
	case "paused_from", "plan_history", "quantity_history", "managed_by", snapMetaKey:
		return true
	}
	return strings.HasPrefix(k, "midtrans_") || strings.HasPrefix(k, "langganan_")
}

// Transition moves the subscription to status to, or refuses with ErrConflict.
func (s *Subscription) Transition(to SubscriptionStatus, at time.Time) error {
	if !CanTransition(s.Status, to) {
		return Conflictf("cannot move a %s subscription to %s", s.Status, to)
	}
	s.Status = to
	s.UpdatedAt = at
	return nil
}

// Native reports whether Midtrans schedules the charges of this subscription.
func (s Subscription) Native() bool { return s.MidtransSubscriptionID != "" }
