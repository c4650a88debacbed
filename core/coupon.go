package core

import (
	"errors"
	"slices"
	"strings"
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

// appliesTo reports whether the coupon covers plan: a coupon restricted to
// some plans stops applying when the subscription moves to another.
func (c Coupon) appliesTo(plan Plan) bool {
	if len(c.AppliesToPlans) > 0 && !slices.Contains(c.AppliesToPlans, plan.ID) {
		return false
	}
	return !c.AmountOff.Valid() || c.AmountOff.Currency() == plan.Currency()
}

// loadCoupon reads a coupon (deleted ones too: history is kept, and a
// subscription that redeemed a coupon before it was deleted keeps its discount).
func (s *Service) loadCoupon(tx Tx, id string) (Coupon, error) {
	c, err := tx.Coupons().Get(id)
	if errors.Is(err, ErrNotFound) {
		return Coupon{}, NotFoundf("coupon not found")
	}
	return c, err
}

// redeemCoupon applies a coupon code to a subscription. It checks the
// coupon is active, not deleted, not past redeem_by, not exhausted and
// valid for the plan, then counts the redemption in the same transaction:
// update transactions are serialized, so counts stay exact under concurrency.
func (s *Service) redeemCoupon(tx Tx, sub *Subscription, plan Plan, code string, now time.Time) error {
	c, err := tx.Coupons().GetByCode(strings.TrimSpace(code))
	if errors.Is(err, ErrNotFound) || err == nil && c.Deleted {
		return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"coupon": "no such coupon"}}
	}
	if err != nil {
		return err
	}
	switch {
	case !c.Active:
		return UnprocessableCode("coupon_inactive", "coupon %s is not active", c.Code)
	case !c.RedeemBy.IsZero() && now.After(c.RedeemBy):
		return UnprocessableCode("coupon_expired", "coupon %s could be redeemed until %s", c.Code, c.RedeemBy.Format(time.RFC3339))
	case c.MaxRedemptions > 0 && c.Redemptions >= c.MaxRedemptions:
		return UnprocessableCode("coupon_exhausted", "coupon %s has been redeemed the maximum %d times", c.Code, c.MaxRedemptions)
	case len(c.AppliesToPlans) > 0 && !slices.Contains(c.AppliesToPlans, plan.ID):
		return UnprocessableCode("coupon_not_applicable", "coupon %s does not apply to plan %q", c.Code, plan.Slug)
	case c.AmountOff.Valid() && c.AmountOff.Currency() != plan.Currency():
		return UnprocessableCode("coupon_not_applicable", "coupon %s is in %s, the plan in %s", c.Code, c.AmountOff.Currency(), plan.Currency())
	}
	c.Redemptions++
	c.UpdatedAt = now
	if err := tx.Coupons().Put(c); err != nil {
		return err
	}
	sub.CouponID = c.ID
	sub.CouponCyclesLeft = c.initialCycles()
	return nil
}
