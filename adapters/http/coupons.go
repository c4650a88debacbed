package http

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// CouponService is the coupon part of OrgService.
type CouponService interface {
	CreateCoupon(ctx context.Context, a core.Actor, in core.CouponInput) (core.Coupon, error)
	UpdateCoupon(ctx context.Context, a core.Actor, id string, in core.CouponInput) (core.Coupon, error)
	DeleteCoupon(ctx context.Context, a core.Actor, id string) (core.Coupon, error)
	GetCoupon(ctx context.Context, a core.Actor, idOrCode string) (core.Coupon, error)
	ListCoupons(ctx context.Context, a core.Actor, includeDeleted bool) ([]core.Coupon, error)
	ApplyCoupon(ctx context.Context, a core.Actor, subID, code string) (core.Subscription, error)
}

type couponJSON struct {
	ID               string     `json:"id"`
	Code             string     `json:"code"`
	PercentOff       *string    `json:"percent_off" oa:"pattern=^[0-9]+\\.[0-9]{2}$" doc:"Percentage with two places, or null"`
	AmountOff        *string    `json:"amount_off" oa:"ref=Money"`
	Currency         string     `json:"currency"`
	Duration         string     `json:"duration" oa:"enum=coupon_duration"`
	DurationInCycles *int       `json:"duration_in_cycles" doc:"Set for repeating coupons"`
	MaxRedemptions   *int       `json:"max_redemptions" doc:"null: unlimited"`
	Redemptions      int        `json:"times_redeemed"`
	RedeemBy         *time.Time `json:"redeem_by"`
	AppliesToPlans   []string   `json:"applies_to_plans"`
	Active           bool       `json:"active"`
	Deleted          bool       `json:"deleted"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func toCouponJSON(c core.Coupon) couponJSON {
	j := couponJSON{ID: c.ID, Code: c.Code, Currency: string(core.IDR), Duration: string(c.Duration),
		Redemptions: c.Redemptions, RedeemBy: orgOptTime(c.RedeemBy), AppliesToPlans: c.AppliesToPlans,
		Active: c.Active, Deleted: c.Deleted, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.AmountOff.Valid() {
		a := c.AmountOff.String()
		j.AmountOff, j.Currency = &a, string(c.AmountOff.Currency())
	} else if c.PercentOff.IsPositive() {
		p := c.PercentOff.StringFixed(2)
		j.PercentOff = &p
	}
	if c.Duration == core.CouponRepeating {
		n := c.DurationInCycles
		j.DurationInCycles = &n
	}
	if c.MaxRedemptions > 0 {
		n := c.MaxRedemptions
		j.MaxRedemptions = &n
	}
	if j.AppliesToPlans == nil {
		j.AppliesToPlans = []string{}
	}
	return j
}

type couponRequest struct {
	Code             *string          `json:"code" validate:"omitempty,max=40" doc:"Default: generated"`
	PercentOff       *amount          `json:"percent_off"`
	AmountOff        *amount          `json:"amount_off"`
	Currency         *string          `json:"currency" validate:"omitempty,max=3"`
	Duration         *string          `json:"duration" oa:"enum=coupon_duration"`
	DurationInCycles *int             `json:"duration_in_cycles"`
	MaxRedemptions   *int             `json:"max_redemptions"`
	RedeemBy         *json.RawMessage `json:"redeem_by" oa:"ref=FlexTime"`
	AppliesToPlans   *[]string        `json:"applies_to_plans"`
	Active           *bool            `json:"active"`
}

func (r couponRequest) input() (core.CouponInput, error) {
	in := core.CouponInput{Code: r.Code, Currency: r.Currency, Duration: r.Duration,
		DurationInCycles: r.DurationInCycles, MaxRedemptions: r.MaxRedemptions, Active: r.Active}
	if r.PercentOff != nil {
		p := string(*r.PercentOff)
		in.PercentOff = &p
	}
	if r.AmountOff != nil {
		a := string(*r.AmountOff)
		in.AmountOff = &a
	}
	if r.AppliesToPlans != nil {
		in.AppliesToPlans, in.AppliesToSet = *r.AppliesToPlans, true
	}
	if r.RedeemBy != nil {
		in.RedeemBySet = true
		if string(*r.RedeemBy) != "null" {
			var f flexTime
			if err := f.UnmarshalJSON(*r.RedeemBy); err != nil {
				return in, invalid("invalid input", map[string]string{"redeem_by": "an RFC 3339 time or Unix seconds"})
			}
			in.RedeemBy = f.ptr()
		}
	}
	return in, nil
}

func (s *Server) createCoupon(c *fiber.Ctx) error {
	var req couponRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	cp, err := s.svc.CreateCoupon(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/admin/coupons/" + cp.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(toCouponJSON(cp))
}

func (s *Server) listCoupons(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "include_deleted")
	if err != nil {
		return err
	}
	list, err := s.svc.ListCoupons(c.UserContext(), actor(c), q.Get("include_deleted") == "true")
	if err != nil {
		return err
	}
	out := []couponJSON{}
	for _, cp := range paginate(list, q) {
		out = append(out, toCouponJSON(cp))
	}
	return c.JSON(newPage(c, q, len(list), out))
}

func (s *Server) getCoupon(c *fiber.Ctx) error {
	cp, err := s.svc.GetCoupon(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toCouponJSON(cp))
}

func (s *Server) updateCoupon(c *fiber.Ctx) error {
	var req couponRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	cp, err := s.svc.UpdateCoupon(c.UserContext(), actor(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(toCouponJSON(cp))
}

// deleteCoupon answers 204; the coupon is kept (deleted, inactive) and
// still readable by id.
func (s *Server) deleteCoupon(c *fiber.Ctx) error {
	if _, err := s.svc.DeleteCoupon(c.UserContext(), actor(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type applyCouponRequest struct {
	Code string `json:"code" validate:"required,max=40"`
}

func (s *Server) applyCoupon(c *fiber.Ctx) error {
	var req applyCouponRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	sub, err := s.svc.ApplyCoupon(c.UserContext(), actor(c), c.Params("id"), req.Code)
	if err != nil {
		return err
	}
	return c.JSON(s.newPlanCache(c).sub(sub))
}
