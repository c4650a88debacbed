package core

import (
	"time"

	"github.com/shopspring/decimal"
)

// CouponDuration says for how many cycles a coupon discounts.
type CouponDuration string

const (
	CouponOnce      CouponDuration = "once"
	CouponRepeating CouponDuration = "repeating"
	CouponForever   CouponDuration = "forever"
)

// Coupon is a discount: percent_off or amount_off, for one, several or all cycles.
type Coupon struct {
	ID               string
	Code             string // stored upper-case; lookups are case-insensitive
	PercentOff       decimal.Decimal
	AmountOff        Money // valid only when set
	Duration         CouponDuration
	DurationInCycles int
	MaxRedemptions   int // 0 = unlimited
	Redemptions      int
	RedeemBy         time.Time
	AppliesToPlans   []string
	Active           bool
	Deleted          bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// DiscountOn is the discount on base: a percentage rounded once to whole
// rupiah (half away from zero), or a fixed amount, never more than base.
func (c Coupon) DiscountOn(base Money) Money {
	if !base.IsPositive() {
		return Zero(base.Currency())
	}
	var d Money
	switch {
	case c.AmountOff.Valid():
		d = c.AmountOff
	case c.PercentOff.IsPositive():
		d = PercentRate(c.PercentOff).Of(base)
	default:
		return Zero(base.Currency())
	}
	return d.Min(base)
}

// initialCycles is CouponCyclesLeft for a new redemption (-1 = forever).
func (c Coupon) initialCycles() int {
	switch c.Duration {
	case CouponOnce:
		return 1
	case CouponRepeating:
		return c.DurationInCycles
	}
	return -1
}

// loadCoupon reads a coupon. Coupons get their own storage with the
// organizations-and-coupons issue; until then none exists.
func (s *Service) loadCoupon(tx Tx, id string) (Coupon, error) {
	return Coupon{}, NotFoundf("coupon not found")
}

// redeemCoupon applies a coupon code to a new subscription.
func (s *Service) redeemCoupon(tx Tx, sub *Subscription, plan Plan, code string, now time.Time) error {
	return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"coupon": "no such coupon"}}
}
