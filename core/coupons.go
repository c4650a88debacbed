package core

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CouponInput is the admin's values for a new coupon, or, with pointers
// left nil, the fields a patch leaves alone.
type CouponInput struct {
	Code             *string
	PercentOff       *string // decimal, 0 < p ≤ 100, at most two places
	AmountOff        *string // positive whole rupiah
	Currency         *string // default IDR
	Duration         *string // once, repeating, forever
	DurationInCycles *int    // required iff repeating
	MaxRedemptions   *int    // 0 = unlimited
	RedeemBy         *time.Time
	RedeemBySet      bool // RedeemBy given (nil clears it)
	AppliesToPlans   []string
	AppliesToSet     bool // AppliesToPlans given (plan ids or slugs)
	Active           *bool
}

var couponCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{3,40}$`)

// applyCouponInput validates in against c (a zero Coupon when creating).
// Once a coupon has been redeemed its discount and duration are fixed:
// subscriptions already hold it.
func (s *Service) applyCouponInput(tx Tx, c Coupon, in CouponInput, creating bool) (Coupon, error) {
	fe := FieldErrors{}
	if creating {
		c.Active, c.Duration = true, CouponOnce
		if in.Code == nil {
			fe.Add("code", "required")
		}
		if in.PercentOff == nil && in.AmountOff == nil {
			fe.Add("percent_off", "exactly one of percent_off or amount_off is required")
		}
	}
	fixed := c.Redemptions > 0
	frozen := func(field string) { fe.Add(field, "cannot change once the coupon has been redeemed") }
	if in.Code != nil {
		code := strings.TrimSpace(*in.Code)
		if !couponCodeRE.MatchString(code) {
			fe.Add("code", "3 to 40 characters: letters, digits, '_' or '-'")
		} else if !strings.EqualFold(code, c.Code) && fixed {
			frozen("code")
		}
		c.Code = strings.ToUpper(code)
	}
	if in.PercentOff != nil && in.AmountOff != nil {
		fe.Add("percent_off", "give either percent_off or amount_off, not both")
	}
	cur := IDR
	if in.Currency != nil {
		cc, err := ParseCurrency(*in.Currency)
		if err != nil {
			fe.Add("currency", "unsupported currency; only IDR")
		}
		cur = cc
	}
	if in.PercentOff != nil {
		if fixed {
			frozen("percent_off")
		}
		p, err := decimal.NewFromString(strings.TrimSpace(*in.PercentOff))
		switch {
		case err != nil, !p.IsPositive(), p.GreaterThan(decimal.NewFromInt(100)), !p.Equal(p.Round(2)):
			fe.Add("percent_off", "a number above 0 and at most 100, with at most two decimal places")
		default:
			c.PercentOff, c.AmountOff = p, Money{}
		}
	}
	if in.AmountOff != nil {
		if fixed {
			frozen("amount_off")
		}
		m, err := ParseMoney(strings.TrimSpace(*in.AmountOff), cur)
		switch {
		case err != nil, !m.IsPositive(), !m.Amount().IsInteger():
			fe.Add("amount_off", "a positive whole rupiah amount")
		default:
			c.AmountOff, c.PercentOff = m, decimal.Decimal{}
		}
	}
	if in.Duration != nil {
		if fixed && CouponDuration(*in.Duration) != c.Duration {
			frozen("duration")
		}
		switch d := CouponDuration(*in.Duration); d {
		case CouponOnce, CouponRepeating, CouponForever:
			c.Duration = d
		default:
			fe.Add("duration", "once, repeating or forever")
		}
	}
	if in.DurationInCycles != nil {
		if fixed && *in.DurationInCycles != c.DurationInCycles {
			frozen("duration_in_cycles")
		}
		c.DurationInCycles = *in.DurationInCycles
	}
	if c.Duration == CouponRepeating {
		if c.DurationInCycles < 1 || c.DurationInCycles > 1000 {
			fe.Add("duration_in_cycles", "required for a repeating coupon: 1 to 1000")
		}
	} else if in.DurationInCycles != nil && *in.DurationInCycles != 0 {
		fe.Add("duration_in_cycles", "only for duration repeating")
	} else {
		c.DurationInCycles = 0
	}
	if in.MaxRedemptions != nil {
		switch n := *in.MaxRedemptions; {
		case n < 0:
			fe.Add("max_redemptions", "0 (unlimited) or more")
		case n > 0 && n < c.Redemptions:
			fe.Add("max_redemptions", "below the redemptions already made")
		default:
			c.MaxRedemptions = n
		}
	}
	if in.RedeemBySet || in.RedeemBy != nil {
		c.RedeemBy = time.Time{}
		if in.RedeemBy != nil {
			c.RedeemBy = in.RedeemBy.UTC().Truncate(time.Microsecond)
		}
	}
	if in.AppliesToSet {
		ids := []string{}
		for _, ref := range in.AppliesToPlans {
			p, err := s.findPlan(tx, strings.TrimSpace(ref))
			if err != nil {
				fe.Add("applies_to_plans", "no plan with id or slug "+ref)
				continue
			}
			if !slices.Contains(ids, p.ID) {
				ids = append(ids, p.ID)
			}
		}
		c.AppliesToPlans = ids
		if len(ids) == 0 {
			c.AppliesToPlans = nil
		}
	}
	if in.Active != nil {
		c.Active = *in.Active
	}
	if err := fe.Err(); err != nil {
		return Coupon{}, err
	}
	return c, nil
}

func putCoupon(tx Tx, c Coupon) error {
	if err := tx.Coupons().Put(c); err != nil {
		if errors.Is(err, ErrConflict) {
			return Conflictf("a coupon with code %s already exists (codes are case-insensitive)", c.Code)
		}
		return err
	}
	return nil
}

// CreateCoupon creates a coupon (admin).
func (s *Service) CreateCoupon(ctx context.Context, a Actor, in CouponInput) (Coupon, error) {
	if err := requireAdmin(a); err != nil {
		return Coupon{}, err
	}
	var c Coupon
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if c, err = s.applyCouponInput(tx, Coupon{}, in, true); err != nil {
			return err
		}
		now := s.now()
		c.ID, c.CreatedAt, c.UpdatedAt = s.ids.NewID(), now, now
		return putCoupon(tx, c)
	})
	return c, err
}

// UpdateCoupon patches a coupon (admin). A deleted coupon cannot change.
func (s *Service) UpdateCoupon(ctx context.Context, a Actor, id string, in CouponInput) (Coupon, error) {
	if err := requireAdmin(a); err != nil {
		return Coupon{}, err
	}
	var c Coupon
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := s.loadCoupon(tx, id)
		if err != nil {
			return err
		}
		if cur.Deleted {
			return Conflictf("coupon %s is deleted", cur.Code)
		}
		if c, err = s.applyCouponInput(tx, cur, in, false); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		return putCoupon(tx, c)
	})
	return c, err
}

// DeleteCoupon deletes softly: the coupon is deactivated and marked
// deleted, and kept for history (subscriptions holding it keep their
// discount; its code stays taken).
func (s *Service) DeleteCoupon(ctx context.Context, a Actor, id string) (Coupon, error) {
	if err := requireAdmin(a); err != nil {
		return Coupon{}, err
	}
	var c Coupon
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if c, err = s.loadCoupon(tx, id); err != nil {
			return err
		}
		if c.Deleted {
			return NotFoundf("coupon not found")
		}
		c.Deleted, c.Active, c.UpdatedAt = true, false, s.now()
		return tx.Coupons().Put(c)
	})
	return c, err
}

// GetCoupon reads a coupon by id or code (admin; deleted ones too).
func (s *Service) GetCoupon(ctx context.Context, a Actor, idOrCode string) (Coupon, error) {
	if err := requireAdmin(a); err != nil {
		return Coupon{}, err
	}
	var c Coupon
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Coupons().Get(idOrCode); err == nil {
			return nil
		}
		if c, err = tx.Coupons().GetByCode(idOrCode); errors.Is(err, ErrNotFound) {
			return NotFoundf("coupon not found")
		}
		return err
	})
	return c, err
}

// ListCoupons lists coupons, newest first; deleted ones only when asked.
func (s *Service) ListCoupons(ctx context.Context, a Actor, includeDeleted bool) ([]Coupon, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var out []Coupon
	err := s.store.View(ctx, func(tx Tx) error {
		list, err := tx.Coupons().List()
		for _, c := range list {
			if includeDeleted || !c.Deleted {
				out = append(out, c)
			}
		}
		return err
	})
	slices.SortStableFunc(out, func(x, y Coupon) int { return y.CreatedAt.Compare(x.CreatedAt) })
	return out, err
}

// ApplyCoupon redeems a coupon on an existing subscription (its owner, or
// an owner or admin of the owning organization). Only a subscription
// without a coupon, and not cancelled or expired, takes one; the discount
// applies from the next invoice issued.
func (s *Service) ApplyCoupon(ctx context.Context, a Actor, subID, code string) (Subscription, error) {
	if strings.TrimSpace(code) == "" {
		return Subscription{}, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"code": "required"}}
	}
	var out Subscription
	err := s.withPreflight(ctx, a, subID, func(tx Tx, sub *Subscription) error {
		c, err := tx.Coupons().GetByCode(strings.TrimSpace(code))
		if err == nil && sub.CouponID == "" {
			sub.CouponID, sub.CouponCyclesLeft = c.ID, c.initialCycles()
		}
		return nil
	}, func() error {
		return s.store.Update(ctx, func(tx Tx) error {
			sub, plan, err := s.managedSub(tx, a, subID)
			if err != nil {
				return err
			}
			if sub.Status.Terminal() {
				return Conflictf("cannot apply a coupon to a %s subscription", sub.Status)
			}
			if sub.CouponID != "" {
				return Conflictf("the subscription already has a coupon")
			}
			now := s.now()
			if err := s.redeemCoupon(tx, &sub, plan, code, now); err != nil {
				return err
			}
			sub.UpdatedAt = now
			if err := tx.Subscriptions().Put(sub); err != nil {
				return err
			}
			out = sub
			return nil
		})
	})
	if err != nil {
		return out, err
	}
	return s.afterPriceChange(ctx, a, out)
}

// managedSub loads a subscription the actor may change: its own, or its
// organization's when it is an owner or admin there (plain members get
// forbidden; others not-found).
func (s *Service) managedSub(tx Tx, a Actor, id string) (Subscription, Plan, error) {
	sub, err := s.visibleSub(tx, a, id)
	if err != nil {
		return sub, Plan{}, err
	}
	if err := s.manages(tx, a, sub); err != nil {
		return sub, Plan{}, err
	}
	plan, err := tx.Plans().Get(sub.PlanID)
	return sub, plan, err
}
