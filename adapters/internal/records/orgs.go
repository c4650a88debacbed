package records

import (
	"time"

	"github.com/langganan/langganan/core"
	"github.com/shopspring/decimal"
)

// The records of organizations, coupons and webhook endpoints, as the
// bbolt store writes them.

type memberRec struct {
	UserID   string    `json:"user_id"`
	Role     core.Role `json:"role"`
	JoinedAt time.Time `json:"joined_at,omitzero"`
}

type orgRec struct {
	V         int         `json:"v"`
	ID        string      `json:",omitzero"`
	Name      string      `json:",omitzero"`
	OwnerID   string      `json:",omitzero"`
	Members   []memberRec `json:",omitzero"`
	CreatedAt time.Time   `json:",omitzero"`
	UpdatedAt time.Time   `json:",omitzero"`
}

func OrgToRecord(o *core.Organization) any {
	r := &orgRec{V: recordV, ID: o.ID, Name: o.Name, OwnerID: o.OwnerID, CreatedAt: UTC(o.CreatedAt), UpdatedAt: UTC(o.UpdatedAt)}
	for _, m := range o.Members {
		r.Members = append(r.Members, memberRec{UserID: m.UserID, Role: m.Role, JoinedAt: UTC(m.JoinedAt)})
	}
	return r
}

func OrgFromRecord(b []byte) (core.Organization, error) {
	r, err := decodeRec(b, func(r *orgRec) int { return r.V })
	o := core.Organization{ID: r.ID, Name: r.Name, OwnerID: r.OwnerID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, m := range r.Members {
		o.Members = append(o.Members, core.Member{UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt})
	}
	return o, err
}

type couponRec struct {
	V                int                 `json:"v"`
	ID               string              `json:",omitzero"`
	Code             string              `json:",omitzero"`
	PercentOff       string              `json:",omitzero"`
	AmountOff        money               `json:",omitzero"`
	Duration         core.CouponDuration `json:",omitzero"`
	DurationInCycles int                 `json:",omitzero"`
	MaxRedemptions   int                 `json:",omitzero"`
	Redemptions      int                 `json:",omitzero"`
	RedeemBy         time.Time           `json:",omitzero"`
	AppliesToPlans   []string            `json:",omitzero"`
	Active           bool                `json:",omitzero"`
	Deleted          bool                `json:",omitzero"`
	CreatedAt        time.Time           `json:",omitzero"`
	UpdatedAt        time.Time           `json:",omitzero"`
}

func CouponToRecord(c *core.Coupon) any {
	r := &couponRec{V: recordV, ID: c.ID, Code: c.Code, AmountOff: money(c.AmountOff), Duration: c.Duration,
		DurationInCycles: c.DurationInCycles, MaxRedemptions: c.MaxRedemptions, Redemptions: c.Redemptions,
		RedeemBy: UTC(c.RedeemBy), AppliesToPlans: c.AppliesToPlans, Active: c.Active, Deleted: c.Deleted,
		CreatedAt: UTC(c.CreatedAt), UpdatedAt: UTC(c.UpdatedAt)}
	if !c.PercentOff.IsZero() {
		r.PercentOff = c.PercentOff.String()
	}
	return r
}

func CouponFromRecord(b []byte) (core.Coupon, error) {
	r, err := decodeRec(b, func(r *couponRec) int { return r.V })
	c := core.Coupon{ID: r.ID, Code: r.Code, AmountOff: core.Money(r.AmountOff), Duration: r.Duration,
		DurationInCycles: r.DurationInCycles, MaxRedemptions: r.MaxRedemptions, Redemptions: r.Redemptions,
		RedeemBy: r.RedeemBy, AppliesToPlans: r.AppliesToPlans, Active: r.Active, Deleted: r.Deleted,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.PercentOff != "" && err == nil {
		c.PercentOff, err = decimal.NewFromString(r.PercentOff)
	}
	return c, err
}

type endpointRec struct {
	V            int       `json:"v"`
	ID           string    `json:",omitzero"`
	URL          string    `json:",omitzero"`
	Events       []string  `json:",omitzero"`
	Secret       string    `json:",omitzero"`
	Active       bool      `json:",omitzero"`
	Description  string    `json:",omitzero"`
	FailingSince time.Time `json:",omitzero"`
	DisabledAt   time.Time `json:",omitzero"`
	CreatedAt    time.Time `json:",omitzero"`
	UpdatedAt    time.Time `json:",omitzero"`
}

func EndpointToRecord(e *core.WebhookEndpoint) any {
	return &endpointRec{V: recordV, ID: e.ID, URL: e.URL, Events: e.Events, Secret: e.Secret, Active: e.Active,
		Description: e.Description, FailingSince: UTC(e.FailingSince), DisabledAt: UTC(e.DisabledAt),
		CreatedAt: UTC(e.CreatedAt), UpdatedAt: UTC(e.UpdatedAt)}
}

func EndpointFromRecord(b []byte) (core.WebhookEndpoint, error) {
	r, err := decodeRec(b, func(r *endpointRec) int { return r.V })
	return core.WebhookEndpoint{ID: r.ID, URL: r.URL, Events: r.Events, Secret: r.Secret, Active: r.Active,
		Description: r.Description, FailingSince: r.FailingSince, DisabledAt: r.DisabledAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
}
